//! The Keyless engine as a JavaScript module, for pages that want verdicts
//! without the playground's UI (docs/embed.md, "The JavaScript module"):
//!
//! ```js
//! import init, { evaluate, lint } from './keyless.js';
//! await init();
//! const report = evaluate(scenarioYaml);            // = keyless eval --format json
//! const { findings } = lint([{ name: 'trust.json', text }]); // = keyless lint --format json
//! ```
//!
//! Thin by design: the JSON shapes are the core's (`keyless_core::output`),
//! the same functions the CLI prints, turned into plain JS objects by
//! `serde-wasm-bindgen`. The TypeScript types of those shapes are written
//! below (wasm-bindgen would say `any`), and the module's browser test
//! checks every returned object against them (tests/e2e/module.test.js).

use keyless_core::Clouds;
use keyless_core::output;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// The file name locations are given against when `evaluate` gets none.
pub const DEFAULT_NAME: &str = "scenario.yaml";

/// One file handed to `lint`.
#[derive(Debug, Deserialize)]
pub struct LintFile {
    pub name: String,
    pub text: String,
}

/// `keyless eval --format json` for a scenario's text, or the diagnostics
/// (as the report's `diagnostics` entries) that make it unevaluable, the
/// errors the CLI prints before exiting 2.
pub fn eval_json(name: &str, text: &str) -> Result<Value, Vec<Value>> {
    let evaluated = output::evaluate_file(name, text, &Clouds::ALL);
    match evaluated.result {
        Ok((scenario, report)) => {
            let analysis = keyless_core::analysis::analyze(&scenario, &report);
            Ok(output::report_json(&report, Some(&analysis), &evaluated.locator))
        }
        Err(errors) => Err(errors.iter().map(|d| output::diagnostic_json(d, &evaluated.locator)).collect()),
    }
}

/// `keyless lint --format json` for the given files.
pub fn lint_json(files: Vec<LintFile>) -> Value {
    let files: Vec<(String, String)> = files.into_iter().map(|f| (f.name, f.text)).collect();
    output::lint_json(&files)
}

/// JSON objects stay plain objects (not `Map`s), as `JSON.parse` would
/// give them.
fn to_js(value: &Value) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(JsValue::from)
}

/// Evaluates a scenario (YAML or JSON, the CLI's scenario file format; a
/// fixture's `scenario:` is read too) and returns the `keyless eval
/// --format json` report. Invalid input throws a `KeylessError`: an
/// `Error` whose message is the first error as `file:line:col: error: …`
/// and whose `diagnostics` lists them all.
#[wasm_bindgen(unchecked_return_type = "EvalReport")]
pub fn evaluate(scenario: &str, name: Option<String>) -> Result<JsValue, JsValue> {
    let name = name.unwrap_or_else(|| DEFAULT_NAME.to_string());
    match eval_json(&name, scenario) {
        Ok(report) => to_js(&report),
        Err(diagnostics) => {
            let first = diagnostics.first().map(diagnostic_line).unwrap_or_else(|| "invalid scenario".into());
            let error = js_sys::Error::new(&first);
            error.set_name("KeylessError");
            let list = to_js(&Value::Array(diagnostics))?;
            js_sys::Reflect::set(&error, &JsValue::from_str("diagnostics"), &list)?;
            Err(error.into())
        }
    }
}

/// `file:line:col: severity: message`, as the CLI prints an error.
fn diagnostic_line(d: &Value) -> String {
    let text = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    match d.get("location").and_then(Value::as_str) {
        Some(at) => format!("{at}: {}: {}", text("severity"), text("message")),
        None => format!("{}: {}", text("severity"), text("message")),
    }
}

/// Lints workflows, trust configurations and scenario files on their own
/// (the kind of each is detected from its content) and returns the
/// `keyless lint --format json` output. Throws a `TypeError` when `files`
/// is not an array of `{name, text}`.
#[wasm_bindgen(unchecked_return_type = "LintReport")]
pub fn lint(#[wasm_bindgen(unchecked_param_type = "LintFile[]")] files: JsValue) -> Result<JsValue, JsValue> {
    let files: Vec<LintFile> = serde_wasm_bindgen::from_value(files)
        .map_err(|e| js_sys::TypeError::new(&format!("lint expects an array of {{name, text}}: {e}")))?;
    to_js(&lint_json(files))
}

/// The engine's version (`keyless_core::VERSION`, the `"version"` of the
/// reports and the `keyless` CLI's `--version`).
#[wasm_bindgen]
pub fn version() -> String {
    keyless_core::VERSION.to_string()
}

// The shapes `evaluate` and `lint` return. Every interface here is checked
// against real output by tests/e2e/module.test.js (it parses this file's
// generated keyless.d.ts): a field added to the JSON without a type, or a
// type that says more than the JSON gives, fails that test.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A file handed to `lint`. */
export interface LintFile {
  name: string;
  text: string;
}

export type CloudKey = "aws" | "azure" | "gcp" | "alibaba" | "vault" | "pypi" | "octo_sts" | "crates_io" | "npm";
export type Severity = "note" | "warning" | "error";
export type FindingSeverity = "critical" | "high" | "medium" | "low" | "info";
/** The document a span points into: the scenario file itself, its workflow, one of its reusable workflows (by index), a cloud's section, or the i-th file given to `lint`. */
export type DocId = "scenario" | "workflow" | "aws" | "azure" | "gcp" | "alibaba" | "vault" | "pypi" | "octo_sts" | "crates_io" | "npm" | { reusable: number } | { file: number };

/** Byte offsets into the text of `doc`. */
export interface Span {
  doc: DocId;
  start: number;
  end: number;
}

/** A located message about the input. `location` is `file:line:col` in the file given (null when it cannot be placed). */
export interface Diagnostic {
  severity: Severity;
  message: string;
  location: string | null;
  /** Present when the diagnostic is the cloud's creation-time rule (the cloud refuses, or may refuse, to create this configuration) rather than Keyless's reading of the input. */
  stage?: "creation";
}

/** What `evaluate` throws on input the CLI would reject with exit status 2. */
export interface KeylessError extends Error {
  name: "KeylessError";
  diagnostics: Diagnostic[];
}

export interface Token {
  issued: boolean;
  /** Why no token was issued (only when `issued` is false). */
  reason?: string;
  /** The claims GitHub would mint, in its order: strings, and numbers for the time claims. */
  claims: Record<string, string | number>;
  explanation: string[];
  /** The `environments:` rule that decided, if any. */
  rule_span?: Span;
  rule_location?: string;
}

export interface LoginStep {
  cloud: CloudKey;
  action: string;
  audience: string;
  audience_explicit: boolean;
  audience_known: boolean;
  span: Span | null;
}

export interface TraceStep {
  /** true: passed, false: failed, null: a note. */
  passed: boolean | null;
  text: string;
  span: Span | null;
}

export interface Verdict {
  allowed: boolean;
  audience: string;
  /** The cloud's own error code, "allowed", or "undetermined". */
  code: string;
  message: string;
  decided_by: string;
  decided_span: Span | null;
  location: string | null;
  /** The trace as people read it ("✓ …", "✗ …", "· …"). */
  trace: string[];
  steps: TraceStep[];
}

export interface JobReport {
  job: string;
  name: string | null;
  matrix: Record<string, unknown> | null;
  environment: string | null;
  token: Token;
  logins: LoginStep[];
  /** Only the configured clouds appear. */
  verdicts: Partial<Record<CloudKey, Verdict>>;
}

export interface Finding {
  id: string;
  severity: FindingSeverity;
  cloud: CloudKey | null;
  title: string;
  message: string;
  /** Where the finding is (the CLI's "span" and "location"). */
  location: string | null;
  fix: string;
  source: string;
}

export interface ReportFinding extends Finding {
  span: Span | null;
}

export interface Snippet {
  format: string;
  title: string;
  text: string;
}

export interface Verification {
  parsed: boolean;
  admits_intended: boolean;
  rejects_unintended: boolean;
  checked_runs: number;
  indistinguishable: string[];
  failures: string[];
  verified: boolean;
}

export interface Suggestion {
  cloud: CloudKey;
  summary: string;
  config: string;
  snippets: Snippet[];
  notes: string[];
  verified: Verification;
}

export interface WhatIfCell {
  admitted: boolean;
  code: string;
  decided_by: string;
  decided_span: Span | null;
}

export interface WhatIfRow {
  id: string;
  variant: string;
  job: string;
  description: string;
  changed: string[];
  expectation: "intended" | "unintended" | "neutral";
  sub: string | null;
  cells: Partial<Record<CloudKey, WhatIfCell>>;
}

export interface UnintendedAdmit {
  row: string;
  cloud: CloudKey;
  description: string;
  sub: string | null;
  decided_by: string;
  decided_span: Span | null;
}

export interface WhatIfMatrix {
  clouds: CloudKey[];
  rows: WhatIfRow[];
  unintended_admits: UnintendedAdmit[];
  simulations: number;
  evaluations: number;
  notes: string[];
}

/** `keyless eval --format json`. */
export interface EvalReport {
  /** The engine that produced it (`version()`). */
  version: string;
  jobs: JobReport[];
  diagnostics: Diagnostic[];
  findings: ReportFinding[];
  suggestions: Suggestion[];
  matrix: WhatIfMatrix;
}

/** `keyless lint --format json`. */
export interface LintReport {
  /** The engine that produced it (`version()`). */
  version: string;
  /** The names of the files linted, in order. */
  files: string[];
  findings: LintFinding[];
  /** How many findings are suppressed. */
  suppressed: number;
}

/** A lint finding and its suppression, if the file suppresses it (`# keyless: ignore[ID] reason`). */
export interface LintFinding extends Finding {
  suppressed: Suppression | null;
}

/** Why a finding does not count. */
export interface Suppression {
  kind: "inSource" | "external";
  justification: string;
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = include_str!("../../../tests/fixtures/aws-main-only.yaml");

    #[test]
    fn evaluate_gives_the_cli_report_with_its_analysis() {
        let Ok(report) = eval_json("aws-main-only.yaml", SCENARIO) else { panic!("the fixture is valid") };
        for key in ["jobs", "diagnostics", "findings", "suggestions", "matrix"] {
            assert!(report.get(key).is_some(), "{key} missing");
        }
        let verdict = &report["jobs"][0]["verdicts"]["aws"];
        assert!(verdict["location"].as_str().is_some_and(|l| l.starts_with("aws-main-only.yaml:")), "{verdict}");
    }

    #[test]
    fn invalid_input_gives_located_errors_not_a_report() {
        let Err(errors) = eval_json("bad.yaml", "repository: a/b\nworkflow: 'on: push'\nevent: {name: push}\nfoo: 1\n")
        else {
            panic!("an unknown field is an error")
        };
        assert_eq!(errors[0]["severity"], "error");
        assert!(diagnostic_line(&errors[0]).starts_with("bad.yaml:4:1: error: "), "{}", diagnostic_line(&errors[0]));
    }

    #[test]
    fn lint_locates_findings_in_their_own_file() {
        let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:org/*"}}}]}"#;
        let out = lint_json(vec![LintFile { name: "trust.json".into(), text: trust.into() }]);
        let findings = out["findings"].as_array().cloned().unwrap_or_default();
        assert!(!findings.is_empty(), "{out}");
        assert!(findings.iter().all(|f| f["location"].as_str().is_some_and(|l| l.starts_with("trust.json:"))));
    }
}
