//! CEL in its place: the input is an attribute condition and, after the
//! first newline, the `google.subject` mapping of a provider, evaluated for
//! the tokens of a push to main (each located inside the provider text).
#![no_main]

use keyless_core::DocId;
use keyless_core::gcp::GcpConfig;
use keyless_fuzz::*;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static BASE: OnceLock<keyless_core::Scenario> = OnceLock::new();
    let Some(input) = text(data) else { return };
    let (condition, mapping) = input.split_once('\n').unwrap_or((input, "assertion.sub"));
    // JSON strings are YAML double-quoted scalars: the expressions are
    // embedded verbatim, whatever they hold.
    let q = |s: &str| serde_json::Value::String(s.to_string()).to_string();
    let config = format!(
        "provider:\n  name: projects/1/locations/global/workloadIdentityPools/p/providers/gh\n  \
         attributeMapping:\n    google.subject: {}\n    attribute.repository: assertion.repository\n  \
         attributeCondition: {}\n  oidc:\n    issuerUri: https://token.actions.githubusercontent.com\n\
         members:\n  - principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/attribute.repository/my-org/my-repo\n",
        q(mapping),
        q(condition)
    );
    match GcpConfig::from_text(&config) {
        Err(e) => assert_located(&e, DocId::Gcp, &config),
        Ok(gcp) => {
            let mut scenario = BASE.get_or_init(base_scenario).clone();
            scenario.gcp = Some(gcp);
            evaluate_cloud(&scenario, DocId::Gcp, &config);
        }
    }
});
