//! A scenario file (YAML or JSON), as `keyless eval` and the playground's
//! import read it: parsed, evaluated and analysed.
#![no_main]

use keyless_core::{DocId, Scenario};
use keyless_fuzz::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    match Scenario::parse(text) {
        Err(errors) => {
            assert!(!errors.is_empty(), "rejected without an error");
            for e in &errors {
                assert_located(e, DocId::Scenario, text);
            }
        }
        Ok(scenario) => {
            let docs = [(DocId::Scenario, text), (DocId::Workflow, scenario.run.workflow.text.as_str())];
            let report = keyless_core::evaluate(&scenario);
            assert_report_in(&report, &docs[1..]);
            let analysis = keyless_core::analysis::analyze(&scenario, &report);
            assert_findings_in(&analysis.findings, &docs[1..]);
        }
    }
});
