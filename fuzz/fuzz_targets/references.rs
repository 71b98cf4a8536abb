//! A scenario whose parties keep their trust in other files (`from:`), as
//! `keyless eval`, `check` and `lint` read it (docs/scenario.md, "Trust kept
//! in other files"). The input is the scenario, then the files it
//! references in the order they are asked for, separated by NUL bytes (no
//! file Keyless reads may hold one); a reference past the last file cannot
//! be read. Every error is located, in the scenario or in the file it
//! names, and every location lies inside the text it points into.
#![no_main]

use keyless_core::scenario::reference;
use keyless_core::{Clouds, DocId, Scenario, output};
use keyless_fuzz::*;
use libfuzzer_sys::fuzz_target;
use std::cell::Cell;

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    let mut parts = text.split('\0');
    let scenario_text = parts.next().unwrap_or_default();
    let given: Vec<&str> = parts.collect();
    let Ok(root) = keyless_core::doc::parse(scenario_text, DocId::Scenario) else { return };
    let root = output::scenario_root(root);
    let asked = Cell::new(0usize);
    let read = |path: &str| {
        let i = asked.get();
        asked.set(i + 1);
        let text = given.get(i).map(|t| t.to_string()).ok_or_else(|| "No such file".to_string());
        (path.to_string(), text)
    };
    let files = reference::load(&root, &read);
    // Each document a span may point into: the scenario, and each file read.
    let mut docs: Vec<(DocId, &str)> = vec![(DocId::Scenario, scenario_text)];
    docs.extend(files.iter().filter_map(|f| f.text.as_deref().ok().map(|t| (f.doc(), t))));
    match Scenario::from_node_with_files(&root, &Clouds::ALL, &files) {
        Err(errors) => {
            assert!(!errors.is_empty(), "rejected without an error");
            for e in &errors {
                assert!(e.span.is_some(), "error without a location: {:?}", e.message);
            }
            assert_diagnostics_in(&errors, &docs);
        }
        Ok(scenario) => {
            docs.push((DocId::Workflow, scenario.run.workflow.text.as_str()));
            let report = keyless_core::evaluate(&scenario);
            assert_report_in(&report, &docs[1..]);
            let analysis = keyless_core::analysis::analyze(&scenario, &report);
            assert_findings_in(&analysis.findings, &docs[1..]);
        }
    }
});
