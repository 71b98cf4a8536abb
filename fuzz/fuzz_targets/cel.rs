//! A CEL expression, as a GCP attribute condition or mapping sees it:
//! `assertion` is a token of a push to main.
#![no_main]

use keyless_core::gcp::cel::{self, EvalOutcome, Value};
use keyless_fuzz::*;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn assertion() -> &'static Value {
    static A: OnceLock<Value> = OnceLock::new();
    A.get_or_init(|| {
        let report = keyless_core::evaluate(&base_scenario());
        let claims = report.jobs.iter().find(|j| j.token.issued).map(|j| j.token.claims.clone());
        match claims {
            Some(c) => cel::claims_value(&c),
            None => panic!("the base scenario mints no token"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    let vars = vec![("assertion".to_string(), assertion().clone())];
    let (start, end) = match cel::eval_str(text, vars) {
        Ok(_) => return,
        Err(EvalOutcome::Parse(e)) => (e.start, e.end),
        Err(EvalOutcome::Eval(e)) => (e.start, e.end),
    };
    assert!(start <= end && end <= text.len(), "error {start}..{end} outside the {}-byte text", text.len());
    assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "error {start}..{end} cuts a character");
});
