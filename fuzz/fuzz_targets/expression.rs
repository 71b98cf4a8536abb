//! A `${{ }}` expression (or a text with markers, as in a `with:` value or
//! an `if:`), evaluated with the contexts a workflow on push sees.
#![no_main]

use keyless_core::github::expr::{self, Completeness, Contexts};
use keyless_fuzz::*;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn contexts() -> &'static Contexts {
    static CTX: OnceLock<Contexts> = OnceLock::new();
    CTX.get_or_init(|| {
        let mut c = Contexts::new();
        let github = serde_json::json!({
            "event_name": "push", "ref": "refs/heads/main", "ref_name": "main",
            "repository": "my-org/my-repo", "repository_owner": "my-org", "actor": "octocat",
            "event": { "ref": "refs/heads/main", "commits": [{ "message": "fix" }], "forced": false },
        });
        c.set("github", expr::from_json(&github), Completeness::Partial);
        let inputs = serde_json::json!({ "environment": "prod", "count": 3, "dry": true });
        c.set("inputs", expr::from_json(&inputs), Completeness::Complete);
        let matrix = serde_json::json!({ "os": ["ubuntu", "macos"], "n": 1.5 });
        c.set("matrix", expr::from_json(&matrix), Completeness::Complete);
        c.set("vars", expr::from_json(&serde_json::json!({})), Completeness::Complete);
        c
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    let ctx = contexts();
    if let Ok(marks) = expr::placeholders(text) {
        for m in &marks {
            assert!(m.start <= m.end && m.end <= text.len(), "marker {}..{} outside the text", m.start, m.end);
            assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end), "marker cuts a character");
        }
    }
    let _ = expr::eval_template(text, ctx);
    let _ = expr::eval_condition(text, ctx);
    let _ = expr::eval_condition(text, &ctx.without("matrix").with_skipped_needs());
});
