//! a pasted token (a JWT, the token endpoint's `{"value": …}` response, or a
//! claims dump), read as the token lab reads it: an error must name a byte
//! range inside the text (on character boundaries); a token read must be
//! judged by every cloud of the base scenario without a panic.
#![no_main]

use keyless_fuzz::*;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static BASE: OnceLock<(keyless_core::Scenario, keyless_core::engine::Report)> = OnceLock::new();
    let Some(text) = text(data) else { return };
    match keyless_core::token::read(text) {
        Err(e) => {
            assert!(e.start <= e.end && e.end <= text.len(), "{e:?}: range outside the {} bytes", text.len());
            assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end), "{e:?}: cuts a character");
        }
        Ok(token) => {
            let (scenario, report) = BASE.get_or_init(|| {
                let s = base_scenario();
                let r = keyless_core::evaluate(&s);
                (s, r)
            });
            let _ = keyless_core::token::real::evaluate(
                scenario,
                report,
                &token,
                None,
                1_764_000_000,
                &keyless_core::Clouds::ALL,
            );
        }
    }
});
