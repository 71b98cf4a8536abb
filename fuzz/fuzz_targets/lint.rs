//! `keyless lint` on any file: detected as a workflow, a trust
//! configuration or a scenario, and checked.
#![no_main]

use keyless_core::DocId;
use keyless_core::analysis::lint;
use keyless_fuzz::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    let findings = lint::lint_documents(&[("input.yml".into(), text.to_string())]);
    assert_findings_in(&findings, &[(DocId::File(0), text)]);
});
