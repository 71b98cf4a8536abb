//! The playground's permalink, core side: the fragment holds the draft's
//! YAML (deflated and base64url-encoded by the browser), read back with
//! `ScenarioDraft::from_yaml`. Any text may arrive in a fragment; the draft
//! read from it must survive its own permalink unchanged, and build and
//! evaluate with every location inside the editor it names.
#![no_main]

use keyless_core::draft::ScenarioDraft;
use keyless_core::{Cloud, DocId};
use keyless_fuzz::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    let (draft, diags) = ScenarioDraft::from_yaml(text);
    for d in &diags {
        assert_located(d, DocId::Scenario, text);
    }
    let yaml = draft.to_yaml();
    let (again, diags) = ScenarioDraft::from_yaml(&yaml);
    assert!(diags.is_empty(), "a permalink of the draft reads back with problems: {diags:?}\n{yaml}");
    assert_eq!(draft, again, "a permalink does not reproduce the draft:\n{yaml}");

    let (scenario, diags) = draft.build();
    let mut docs = vec![(DocId::Workflow, draft.workflow.as_str())];
    for cloud in Cloud::ALL {
        docs.push((cloud.doc(), draft.cloud_text(cloud)));
    }
    assert_diagnostics_in(&diags, &docs);
    let report = keyless_core::evaluate(&scenario);
    assert_report_in(&report, &docs);
});
