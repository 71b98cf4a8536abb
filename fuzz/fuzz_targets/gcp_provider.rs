//! a GCP workload identity pool provider (CEL mapping and condition) and its members, read as the playground's
//! gcp editor reads it, then evaluated for the tokens of a push to main.
#![no_main]

use keyless_core::DocId;
use keyless_core::gcp::GcpConfig;
use keyless_fuzz::*;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static BASE: OnceLock<keyless_core::Scenario> = OnceLock::new();
    let Some(text) = text(data) else { return };
    match GcpConfig::from_text(text) {
        Err(e) => assert_located(&e, DocId::Gcp, text),
        Ok(config) => {
            let mut scenario = BASE.get_or_init(base_scenario).clone();
            scenario.gcp = Some(config);
            evaluate_cloud(&scenario, DocId::Gcp, text);
        }
    }
});
