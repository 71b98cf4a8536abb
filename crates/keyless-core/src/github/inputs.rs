//! GitHub checks a run's inputs before anything runs. A manual dispatch
//! whose `inputs` do not fit `on.workflow_dispatch.inputs` is refused (HTTP
//! 422 Unprocessable Entity: no run is created); a call whose `with:` does
//! not fit the called workflow's `on.workflow_call.inputs` makes the
//! workflow invalid, so the caller's whole run fails at startup.
//!
//! GitHub's own words are used where reports show them; where they do not,
//! the message says "(Keyless)" and the rule is marked [INF].

use super::run::Run;
use super::workflow::Workflow;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use serde_json::Value;

/// Top-level inputs of `workflow_dispatch`: 25 since 2025-12-04, 10 before
/// (D-WFS `on.workflow_dispatch.inputs`: "The maximum number of top-level
/// properties for `inputs` is 25"; CL-INPUTS; OBS rhysd/actionlint#598).
pub const MAX_DISPATCH_INPUTS: usize = 25;

/// A value as a dispatch sends it (the run form, `gh workflow run -f`, the
/// REST body all carry text).
fn as_text(v: &Value) -> String {
    match v {
        Value::String(t) => t.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The workflow declares more `workflow_dispatch` inputs than GitHub
/// allows: an invalid workflow file, whatever the event ("you may only
/// define up to 10 `inputs` for a `workflow_dispatch` event", reported
/// before the limit was raised: github/docs#15710; startup_failure on
/// `workflow_run` runs too: Azure-Samples/holiday-peak-hub#811). The
/// wording with 25 is inferred from the wording with 10.
pub fn too_many_declared(wf: &Workflow) -> Option<(String, Span)> {
    let extra = wf.dispatch_inputs.get(MAX_DISPATCH_INPUTS)?;
    Some((
        format!(
            "Invalid workflow file: you may only define up to {MAX_DISPATCH_INPUTS} `inputs` for a `workflow_dispatch` event ({} are declared; D-WFS, CL-INPUTS)",
            wf.dispatch_inputs.len()
        ),
        extra.span,
    ))
}

/// Why GitHub refuses to dispatch the workflow with the scenario's
/// `inputs` (its error text, for the first problem), or `None` when it
/// accepts them. Every problem is also a located error: at the scenario's
/// value when it has a span, else at the workflow's declaration.
pub fn dispatch_refusal(wf: &Workflow, s: &Run, diags: &mut Vec<Diagnostic>) -> Option<String> {
    // Without the trigger the dispatch fails differently; check_trigger
    // reports that.
    if !wf.triggers.iter().any(|t| t.event.value == "workflow_dispatch") {
        return None;
    }
    let at = |name: &str| s.input_spans.get(name).copied();
    let declared = |name: &str| wf.dispatch_inputs.iter().find(|d| d.name.eq_ignore_ascii_case(name));
    let mut errors: Vec<(String, Option<Span>)> = Vec::new();
    // The REST body's `inputs` has at most 25 properties (D-WFS; REST
    // "Create a workflow dispatch event"); GitHub's wording is not reported.
    if let Some((name, _)) = s.inputs.iter().nth(MAX_DISPATCH_INPUTS) {
        errors.push((
            format!(
                "(Keyless) {} inputs are given; a dispatch takes at most {MAX_DISPATCH_INPUTS} (D-WFS)",
                s.inputs.len()
            ),
            at(name),
        ));
    }
    // "Unexpected inputs provided: [\"action\", \"arg\", \"customer\"]"
    // (OBS benc-uk/workflow-dispatch#80, peter-evans/slash-command-dispatch#115).
    let unexpected: Vec<&String> = s.inputs.keys().filter(|k| declared(k).is_none()).collect();
    if let Some(first) = unexpected.first() {
        let list: Vec<String> = unexpected.iter().map(|k| format!("\"{k}\"")).collect();
        errors.push((format!("Unexpected inputs provided: [{}]", list.join(", ")), at(first).or(wf.on_span)));
    }
    for d in &wf.dispatch_inputs {
        let given = s.inputs.iter().find(|(k, _)| k.eq_ignore_ascii_case(&d.name));
        let Some((key, v)) = given else {
            // Omitted inputs take their default (REST "Create a workflow
            // dispatch event"); without one a required input is refused:
            // "Required input 'branch_name' not provided" (OBS
            // backstage/backstage#18511).
            if d.required && d.default.is_none() {
                // The run form always sends these; the API and `gh` do not.
                let hint = match d.kind.as_str() {
                    "boolean" => " (the run form would send false)",
                    "choice" => " (the run form would send the first option)",
                    _ => "",
                };
                errors.push((format!("Required input '{}' not provided{hint}", d.name), Some(d.span)));
            }
            continue;
        };
        let text = as_text(v);
        let span = at(key).or(Some(d.span));
        // A choice takes one of its options; a boolean `true` or `false`:
        // "Provided value '' for input 'debug' not in the list of allowed
        // values" (OBS cli/cli#5246, a boolean input). The case of `true`
        // is not documented; any case is accepted, as `typed_input` reads it.
        let allowed = match d.kind.as_str() {
            "choice" => d.options.contains(&text),
            "boolean" => text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false"),
            _ => true,
        };
        if !allowed {
            errors.push((
                format!("Provided value '{text}' for input '{}' not in the list of allowed values", d.name),
                span,
            ));
        }
        // No report shows a refused number; refusing it like a boolean is
        // inferred [INF]. An empty field is left alone (not known either way).
        if d.kind == "number" && !v.is_number() && !text.trim().is_empty() && text.trim().parse::<f64>().is_err() {
            errors.push((
                format!(
                    "(Keyless) Provided value '{text}' for input '{}' is not a number [INF: GitHub's wording is not documented]",
                    d.name
                ),
                span,
            ));
        }
    }
    for (msg, span) in &errors {
        diags.push(Diagnostic::error(format!("GitHub refuses the dispatch (HTTP 422): {msg}"), *span));
    }
    errors.into_iter().next().map(|(msg, _)| msg)
}

/// One `with:` entry of a call: its name, where it is written, and its
/// value when known (`None`: an expression whose value the scenario does
/// not give, never judged).
pub type WithValue<'a> = (&'a str, Span, Option<Value>);

/// What makes a call's `with:` invalid against the called workflow's
/// `on.workflow_call.inputs`: GitHub's words (after "The workflow is not
/// valid.") and where to point. `uses` locates inputs that are missing.
pub fn call_errors(called: &Workflow, with: &[WithValue<'_>], uses: Span) -> Vec<(String, Span)> {
    let mut errors = Vec::new();
    let declared = |name: &str| called.call_inputs.iter().find(|i| i.name.eq_ignore_ascii_case(name));
    for (name, span, value) in with {
        let Some(input) = declared(name) else {
            // OBS hiero-ledger/hiero-consensus-node#15168.
            errors.push((format!("Invalid input, {name} is not defined in the referenced workflow."), *span));
            continue;
        };
        let Some(value) = value.as_ref().filter(|v| !v.is_null()) else { continue };
        // A string input takes any scalar ("boolean can be cast to string,
        // string cannot be cast to boolean": OBS actions/runner#1483). A
        // boolean input given text is refused: "Unexpected value 'false'"
        // (OBS 3rdIteration/seedsigner#443, a string from an expression);
        // other mismatches are refused the same way [INF].
        let (fits, inferred) = match input.kind.as_deref() {
            Some("boolean") => (value.is_boolean(), !value.is_string()),
            Some("number") => (value.is_number(), true),
            _ => (true, false),
        };
        if !fits {
            let label = if inferred { " [INF]" } else { "" };
            errors.push((
                format!(
                    "Unexpected value '{}' (input {name} is `type: {}`){label}",
                    as_text(value),
                    input.kind.as_deref().unwrap_or_default()
                ),
                *span,
            ));
        }
    }
    // A required input must be passed, even when it has a default: "Input
    // test_input is required, but not provided while calling." (OBS
    // rhysd/actionlint#154, required with a default; tenstorrent/tt-metal#19474).
    for input in called.call_inputs.iter().filter(|i| i.required) {
        if !with.iter().any(|(name, _, _)| name.eq_ignore_ascii_case(&input.name)) {
            errors.push((format!("Input {} is required, but not provided while calling.", input.name), uses));
        }
    }
    errors
}
