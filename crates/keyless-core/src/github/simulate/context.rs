//! The contexts expressions read: the `github` context of the run, the
//! typed `inputs`, and what a job's `if:`, `strategy` and `environment`
//! may not read (docs "Contexts reference").

use super::*;

/// A dispatch input as the `inputs` context holds it: booleans and numbers
/// keep their type even when the scenario writes them as text (D-EVT
/// `workflow_dispatch`: "the `inputs` context preserves Boolean values as
/// Booleans").
pub(super) fn typed_input(types: &[(String, String)], name: &str, v: &serde_json::Value) -> serde_json::Value {
    let ty = types.iter().find(|(k, _)| k == name).map(|(_, t)| t.as_str());
    match (ty, v) {
        (Some("boolean"), serde_json::Value::String(t)) if t.eq_ignore_ascii_case("true") => true.into(),
        (Some("boolean"), serde_json::Value::String(t)) if t.eq_ignore_ascii_case("false") => false.into(),
        (Some("number"), serde_json::Value::String(t)) => t
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| v.clone(), serde_json::Value::Number),
        _ => v.clone(),
    }
}

/// Contexts a job's `if:` cannot read (docs "Contexts reference").
pub(super) const IF_UNAVAILABLE: [&str; 7] = ["matrix", "strategy", "secrets", "env", "steps", "job", "runner"];

/// Contexts `jobs.<job_id>.strategy` cannot read (docs "Contexts reference").
pub(super) const STRATEGY_UNAVAILABLE: [&str; 7] = ["matrix", "strategy", "secrets", "env", "steps", "job", "runner"];

/// Contexts `jobs.<job_id>.environment` and `jobs.<job_id>.with` cannot
/// read (docs "Contexts reference").
pub(super) const ENVIRONMENT_UNAVAILABLE: [&str; 5] = ["secrets", "env", "steps", "job", "runner"];

/// The contexts a job's `if:` sees: github, needs, vars and inputs only
/// (docs "Contexts reference", context availability).
pub(super) fn if_contexts(ctx: &Contexts, needs_skipped: bool) -> Contexts {
    let mut visible = ctx.clone();
    for unavailable in IF_UNAVAILABLE {
        visible = visible.without(unavailable);
    }
    if needs_skipped { visible.with_skipped_needs() } else { visible }
}

pub(super) fn object(pairs: Vec<(String, serde_json::Value)>) -> Evaluation {
    let map: HashMap<String, Evaluation> = pairs.into_iter().map(|(k, v)| (k, expr::from_json(&v))).collect();
    Evaluation::Object(map)
}

/// The `github` context of the run (docs "Contexts reference"): what the
/// scenario fixes; anything else (e.g. most of `github.event`) is unknown.
pub(super) fn github_context(s: &Run, run: &RunFacts, dispatch_defaults: &[(String, serde_json::Value)]) -> Evaluation {
    let r = &run.run_ref;
    let server = match (&s.issuer.ghes_host, &s.issuer.ghe_subdomain) {
        (Some(h), _) => format!("https://{h}"),
        (None, Some(sub)) => format!("https://{sub}.ghe.com"),
        _ => "https://github.com".to_string(),
    };
    let mut event = serde_json::Map::new();
    match s.event.name.value.as_str() {
        "pull_request" | "pull_request_target" | "pull_request_review" | "pull_request_review_comment" => {
            let number = s.event.pr_number.unwrap_or(1);
            event.insert("number".into(), number.into());
            event.insert(
                "pull_request".into(),
                serde_json::json!({
                    "number": number,
                    "merged": s.event.merged,
                    "head": {"ref": r.pr_head, "repo": {"fork": s.event.from_fork}},
                    "base": {"ref": r.pr_base},
                }),
            );
        }
        "push" => {
            event.insert("ref".into(), r.git_ref.clone().into());
        }
        "release" => {
            event.insert("release".into(), serde_json::json!({"tag_name": r.ref_name}));
        }
        "workflow_dispatch" => {
            // Same values as the `inputs` context (defaults included), but
            // strings (D-EVT `workflow_dispatch`).
            let mut inputs = serde_json::Map::new();
            for (k, v) in dispatch_defaults.iter().map(|(k, v)| (k, v)).chain(s.inputs.iter()) {
                let text = match v {
                    serde_json::Value::String(t) => t.clone(),
                    other => other.to_string(),
                };
                inputs.insert(k.clone(), text.into());
            }
            event.insert("inputs".into(), serde_json::Value::Object(inputs));
        }
        _ => {}
    }
    // Keys only some payloads carry are null elsewhere (D-EVT webhook
    // payloads), so `github.event.pull_request.merged` on a push is known.
    event.entry("pull_request").or_insert(serde_json::Value::Null);
    event.entry("inputs").or_insert(serde_json::Value::Null);
    let v = serde_json::json!({
        "event_name": s.event.name.value,
        "ref": r.git_ref,
        "ref_name": r.ref_name,
        "ref_type": r.ref_type,
        "ref_protected": s.ref_protected,
        "base_ref": r.base_ref,
        "head_ref": r.head_ref,
        "repository": s.repository(),
        "repository_owner": s.owner,
        "repository_id": run.repository_id,
        "repository_owner_id": run.repository_owner_id,
        "actor": s.event.actor,
        "actor_id": run.actor_id,
        "triggering_actor": s.event.actor,
        "sha": r.sha,
        "workflow": run.workflow_name,
        "workflow_ref": run.workflow_ref,
        "workflow_sha": r.sha,
        "run_id": run.run_id,
        "run_number": run.run_number,
        "run_attempt": "1",
        "server_url": server,
        "event": serde_json::Value::Object(event),
    });
    expr::from_json(&v)
}
