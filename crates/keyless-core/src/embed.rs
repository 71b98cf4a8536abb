//! The playground's embed protocol (docs/embed.md): the messages a host
//! page and an embedded playground (`?embed=1` in an `<iframe>`) exchange
//! with `postMessage`. Pure JSON in and out, so it is tested here; the
//! playground only moves the strings (crates/keyless-web/src/embed.rs).
//!
//! Every message is an object with `keyless: VERSION` and a `type`. A
//! message of another version is answered with an `error` and otherwise
//! ignored; within a version, fields and message types may be added (a
//! host ignores what it does not know), never changed or removed.

use crate::clouds::Clouds;
use crate::draft::ScenarioDraft;
use crate::output;
use serde_json::{Value, json};

/// The protocol version this build speaks (the `keyless` field).
pub const VERSION: u64 = 1;

/// The file name the verdicts' locations are given against: the scenario
/// as "Export YAML" would save it.
pub const SCENARIO_NAME: &str = "scenario.yaml";

/// A host's request, validated.
#[derive(Clone, Debug, PartialEq)]
pub enum Inbound {
    /// Replace the whole scenario (a scenario file's text, YAML or JSON).
    SetScenario(String),
    /// Replace some top-level fields of the scenario (see
    /// [`ScenarioDraft::patch`]); the text is a partial scenario.
    PatchScenario(String),
    /// Ask for the current verdicts again (they are also sent on every change).
    GetVerdicts,
}

/// A scenario given as text, or as an object (written as JSON, which is
/// YAML too).
fn scenario_text(v: Option<&Value>, what: &str) -> Result<String, String> {
    match v {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v @ Value::Object(_)) => Ok(v.to_string()),
        _ => Err(format!("`{what}` must be a scenario: a YAML/JSON string or an object")),
    }
}

/// Reads a host's message (the JSON of its `data`).
pub fn parse_inbound(json: &str) -> Result<Inbound, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| format!("not a JSON message: {e}"))?;
    let version = v.get("keyless").and_then(Value::as_u64);
    if version != Some(VERSION) {
        return Err(match v.get("keyless") {
            None => "not a Keyless message (no `keyless` version field)".into(),
            Some(other) => format!("protocol version {other} is not supported; this build speaks {VERSION}"),
        });
    }
    match v.get("type").and_then(Value::as_str) {
        Some("set-scenario") => scenario_text(v.get("scenario"), "scenario").map(Inbound::SetScenario),
        Some("patch-scenario") => scenario_text(v.get("patch"), "patch").map(Inbound::PatchScenario),
        Some("select-event") => match v.get("event") {
            Some(e @ Value::Object(_)) => Ok(Inbound::PatchScenario(json!({ "event": e }).to_string())),
            _ => Err("`event` must be an object with the scenario's event fields (name, ref, …)".into()),
        },
        Some("get-verdicts") => Ok(Inbound::GetVerdicts),
        Some(other) => {
            Err(format!("unknown message type `{other}` (set-scenario, patch-scenario, select-event, get-verdicts)"))
        }
        None => Err("the message has no `type`".into()),
    }
}

/// `{keyless, type: "verdicts", report, errors}`: the `keyless eval
/// --format json` report of the scenario (its `jobs` and `diagnostics`;
/// the analysis is not run in the page, so `findings`, `suggestions` and
/// `matrix` are absent) with locations in [`SCENARIO_NAME`], or `report:
/// null` and the `errors` for which `keyless eval` would exit 2.
pub fn verdicts_message(scenario_yaml: &str, clouds: &Clouds) -> String {
    let evaluated = output::evaluate_file(SCENARIO_NAME, scenario_yaml, clouds);
    let (report, errors) = match &evaluated.result {
        Ok((_, report)) => (output::report_json(report, None, &evaluated.locator), Vec::new()),
        Err(errors) => (Value::Null, errors.iter().map(|d| output::diagnostic_json(d, &evaluated.locator)).collect()),
    };
    json!({ "keyless": VERSION, "type": "verdicts", "report": report, "errors": errors }).to_string()
}

/// `{keyless, type: "error", message}`: a request that was not applied.
pub fn error_message(message: &str) -> String {
    json!({ "keyless": VERSION, "type": "error", "message": message }).to_string()
}

/// `{keyless, type: "ready", version}`: the embed listens.
pub fn ready_message() -> String {
    json!({ "keyless": VERSION, "type": "ready", "version": crate::VERSION }).to_string()
}

/// Applies a host's scenario request to the draft; the problems found in
/// the given text are returned (an empty list: applied cleanly).
pub fn apply(draft: &mut ScenarioDraft, request: &Inbound) -> Vec<String> {
    let problems = match request {
        Inbound::SetScenario(text) => {
            let (d, problems) = ScenarioDraft::from_yaml(text);
            *draft = d;
            problems
        }
        Inbound::PatchScenario(text) => draft.patch(text),
        Inbound::GetVerdicts => Vec::new(),
    };
    problems.into_iter().map(|d| d.message).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_read_by_version_and_type() {
        assert_eq!(
            parse_inbound(r#"{"keyless":1,"type":"set-scenario","scenario":"repository: a/b"}"#),
            Ok(Inbound::SetScenario("repository: a/b".into()))
        );
        assert_eq!(
            parse_inbound(r#"{"keyless":1,"type":"patch-scenario","patch":{"aws":"{}"}}"#),
            Ok(Inbound::PatchScenario(r#"{"aws":"{}"}"#.into()))
        );
        assert_eq!(
            parse_inbound(r#"{"keyless":1,"type":"select-event","event":{"name":"pull_request","pr_number":7}}"#),
            Ok(Inbound::PatchScenario(r#"{"event":{"name":"pull_request","pr_number":7}}"#.into()))
        );
        assert_eq!(parse_inbound(r#"{"keyless":1,"type":"get-verdicts"}"#), Ok(Inbound::GetVerdicts));
    }

    #[test]
    fn other_versions_types_and_shapes_are_refused_with_a_reason() {
        let refused = |m: &str| parse_inbound(m).err().unwrap_or_default();
        assert!(refused(r#"{"keyless":2,"type":"get-verdicts"}"#).contains("version 2 is not supported"));
        assert!(refused(r#"{"type":"get-verdicts"}"#).contains("not a Keyless message"));
        assert!(refused(r#"{"keyless":1,"type":"reload"}"#).contains("unknown message type `reload`"));
        assert!(refused(r#"{"keyless":1}"#).contains("no `type`"));
        assert!(refused(r#"{"keyless":1,"type":"set-scenario","scenario":3}"#).contains("must be a scenario"));
        assert!(refused(r#"{"keyless":1,"type":"select-event","event":"push"}"#).contains("must be an object"));
        assert!(refused("not json").contains("not a JSON message"));
    }

    #[test]
    fn verdicts_are_the_eval_report_without_the_analysis() {
        let text = include_str!("../../../tests/fixtures/aws-main-only.yaml");
        let (draft, _) = ScenarioDraft::from_yaml(text);
        let (draft, problems) = match crate::doc::parse(text, crate::span::DocId::Scenario) {
            Ok(root) => root.get("scenario").map(|n| ScenarioDraft::from_node(text, n)).unwrap_or((draft, vec![])),
            Err(_) => (draft, vec![]),
        };
        assert!(problems.is_empty(), "{problems:?}");
        let yaml = draft.to_yaml();
        let message: Value = serde_json::from_str(&verdicts_message(&yaml, &Clouds::ALL)).unwrap_or_default();
        assert_eq!(message.get("type"), Some(&json!("verdicts")));
        let Some(report) = message.get("report").and_then(Value::as_object) else { panic!("{message}") };
        assert!(report.contains_key("jobs") && report.contains_key("diagnostics"));
        assert!(!report.contains_key("findings") && !report.contains_key("matrix"));
        // The same JSON as `keyless eval` gives for the exported file.
        let evaluated = output::evaluate_file(SCENARIO_NAME, &yaml, &Clouds::ALL);
        let Ok((_, expected)) = &evaluated.result else { panic!("valid") };
        assert_eq!(
            message.get("report"),
            Some(&output::report_json(expected, None, &evaluated.locator)),
            "one serialisation"
        );
    }

    #[test]
    fn invalid_scenarios_give_errors_and_no_report() {
        let message: Value =
            serde_json::from_str(&verdicts_message("repository: a/b\nevent: {name: push}\n", &Clouds::ALL))
                .unwrap_or_default();
        assert_eq!(message.get("report"), Some(&Value::Null));
        let errors = message.get("errors").and_then(Value::as_array).cloned().unwrap_or_default();
        assert!(
            errors.iter().any(|e| e.get("message").and_then(Value::as_str).is_some_and(|m| m.contains("workflow")))
        );
    }

    #[test]
    fn requests_apply_to_the_draft() {
        let mut draft = ScenarioDraft::default();
        let problems = apply(&mut draft, &Inbound::SetScenario("repository: o/r\nworkflow: 'on: push'\n".into()));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(draft.repository, "o/r");
        apply(&mut draft, &Inbound::PatchScenario(r#"{"event":{"name":"pull_request","pr_number":3}}"#.into()));
        assert_eq!((draft.event.name.as_str(), draft.event.pr_number), ("pull_request", Some(3)));
        assert_eq!(draft.repository, "o/r", "a patch keeps the fields it does not name");
    }
}
