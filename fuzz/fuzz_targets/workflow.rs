//! A workflow YAML, simulated on a push to main: every job's token, and
//! the verdict of an AWS role that trusts the repository's main branch.
#![no_main]

use keyless_core::DocId;
use keyless_core::scenario::EmbeddedText;
use keyless_fuzz::*;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn base() -> &'static keyless_core::Scenario {
    static BASE: OnceLock<keyless_core::Scenario> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut s = base_scenario();
        let policy = r#"{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity",
            "Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
            "Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:my-org/my-repo:*"}}}]}"#;
        s.aws = keyless_core::aws::AwsConfig::from_text(policy).ok();
        assert!(s.aws.is_some(), "the harness's AWS policy no longer parses");
        s
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    let mut scenario = base().clone();
    scenario.run.workflow = EmbeddedText { text: text.to_string(), origin: None };
    let report = keyless_core::evaluate(&scenario);
    for d in &report.diagnostics {
        if d.doc() == Some(DocId::Workflow) {
            assert_located(d, DocId::Workflow, text);
        }
    }
    let analysis = keyless_core::analysis::analyze(&scenario, &report);
    assert_findings_in(&analysis.findings, &[(DocId::Workflow, text)]);
    // `keyless lint` reads the same text as a standalone file.
    let findings = keyless_core::analysis::lint::lint_documents(&[("w.yml".into(), text.to_string())]);
    assert_findings_in(&findings, &[(DocId::File(0), text)]);
});
