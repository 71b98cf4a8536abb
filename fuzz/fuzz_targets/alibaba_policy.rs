//! an Alibaba Cloud RAM role trust policy and its OIDC provider, read as the playground's
//! alibaba editor reads it, then evaluated for the tokens of a push to main.
#![no_main]

use keyless_core::DocId;
use keyless_core::alibaba::AlibabaConfig;
use keyless_fuzz::*;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static BASE: OnceLock<keyless_core::Scenario> = OnceLock::new();
    let Some(text) = text(data) else { return };
    match AlibabaConfig::from_text(text) {
        Err(e) => assert_located(&e, DocId::Alibaba, text),
        Ok(config) => {
            let mut scenario = BASE.get_or_init(base_scenario).clone();
            scenario.alibaba = Some(config);
            evaluate_cloud(&scenario, DocId::Alibaba, text);
        }
    }
});
