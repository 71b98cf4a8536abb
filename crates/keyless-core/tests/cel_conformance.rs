//! Differential check of Keyless's hand-written CEL evaluator against the
//! cel-spec conformance suite (https://github.com/google/cel-spec/tree/master/tests/simple,
//! v0.25.1 via the npm package `@bufbuild/cel-spec`, installed into
//! `tests/cel/` by `npm ci`). Sections are the ones GCP workload identity
//! conditions exercise; cases needing features outside the WIF subset are
//! skipped by an explicit reason and counted.
//!
//! CI sets `KEYLESS_REQUIRE_CONFORMANCE=1`: a missing `node_modules` is then
//! a failure, not a skip.

mod common;

use common::{from_proto_json, node_output, strict_eq};
use keyless_core::gcp::cel::{Value, eval_str};
use serde_json::Value as J;
use std::collections::BTreeMap;

/// cel-spec sections run, with what in them Keyless's CEL covers.
const SECTIONS: &[&str] = &[
    "basic",
    "comparisons",
    "conversions",
    "fields",
    "fp_math",
    "integer_math",
    "lists",
    "logic",
    "macros",
    "parse",
    "string",
    "string_ext",
];

/// Features outside the subset GCP WIF uses, found by the text of a case.
/// Each is (reason, needles in the expression).
const UNSUPPORTED_SYNTAX: &[(&str, &[&str])] = &[
    (
        "protobuf messages and well-known types",
        &["google.protobuf", "TestAllTypes", "NestedTestAllTypes", "cel.expr", "Msg{"],
    ),
    ("timestamps and durations", &["timestamp(", "duration("]),
    (
        "type values (`type()`, type names)",
        &[
            "type(",
            "null_type",
            " int)",
            " == int",
            "== bool",
            "== string",
            "== list",
            "== map",
            "== double",
            "== uint",
            "== bytes",
            "== type",
        ],
    ),
    ("optional values", &["optional", ".?", "[?"]),
    ("namespaced / container names", &["x.y", ".a.b", "a.b.c"]),
    (
        "strings extension beyond split/join/replace/trim/lower/upperAscii",
        &["charAt", "indexOf", "lastIndexOf", "substring", "quote(", "format(", "reverse(", "strings."],
    ),
    (
        "macros2 / bind / block extensions",
        &["cel.bind", "cel.block", "transformList", "transformMap", "existsOne", "sort"],
    ),
];

#[test]
fn cel_spec_conformance() {
    let Some(json) = node_output("conformance.mjs", SECTIONS) else {
        return;
    };
    let suites: BTreeMap<String, Vec<J>> = serde_json::from_str(&json).expect("conformance JSON");
    let mut passed = 0usize;
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for (section, cases) in &suites {
        for case in cases {
            let name = case["name"].as_str().unwrap_or("?");
            let expr = case["expr"].as_str().unwrap_or_default();
            if let Some(reason) = skip_reason(case) {
                *skipped.entry(reason).or_default() += 1;
                continue;
            }
            let vars = match bindings(case) {
                Ok(v) => v,
                Err(reason) => {
                    *skipped.entry(reason).or_default() += 1;
                    continue;
                }
            };
            let got = eval_str(expr, vars);
            // SimpleTest: "if no result matcher is set, the test expects a true bool value".
            let default_true = serde_json::json!({"boolValue": true});
            let want = case.get("value").or(if case.get("evalError").is_none() { Some(&default_true) } else { None });
            let ok = match (&want, &got) {
                (Some(want), Ok(v)) => match from_proto_json(want) {
                    Some(want) => strict_eq(&want, v),
                    None => {
                        *skipped.entry("expected value is a message, type or enum").or_default() += 1;
                        continue;
                    }
                },
                (None, Err(_)) => case.get("evalError").is_some(),
                _ => false,
            };
            if ok {
                passed += 1;
            } else {
                failures.push(format!("{section}/{name}: `{expr}` => {got:?}, want {}", want_text(case)));
            }
        }
    }
    let total_skipped: usize = skipped.values().sum();
    println!("cel-spec conformance: {passed} passed, {} failed, {total_skipped} skipped", failures.len());
    for (reason, n) in &skipped {
        println!("  skipped {n:4}: {reason}");
    }
    assert!(failures.is_empty(), "{} conformance failures:\n{}", failures.len(), failures.join("\n"));
    assert!(passed > 500, "suspiciously few conformance cases ran: {passed}");
}

fn want_text(case: &J) -> String {
    case.get("value").or(case.get("evalError")).map(J::to_string).unwrap_or_default()
}

fn skip_reason(case: &J) -> Option<&'static str> {
    let expr = case["expr"].as_str().unwrap_or_default();
    if case.get("checkOnly").and_then(J::as_bool) == Some(true) {
        return Some("type-check-only case");
    }
    if case.get("container").and_then(J::as_str).is_some_and(|c| !c.is_empty()) {
        return Some("namespaced / container names");
    }
    if case.get("typedResult").is_some() || case.get("unknown").is_some() || case.get("anyEvalErrors").is_some() {
        return Some("typed / unknown results");
    }
    const TYPE_NAMES: &[&str] =
        &["bool", "int", "uint", "double", "string", "bytes", "list", "map", "type", "null_type"];
    if TYPE_NAMES.contains(&expr.trim()) {
        return Some("type values (`type()`, type names)");
    }
    for (reason, needles) in UNSUPPORTED_SYNTAX {
        if needles.iter().any(|n| expr.contains(n)) {
            return Some(reason);
        }
    }
    None
}

fn bindings(case: &J) -> Result<Vec<(String, Value)>, &'static str> {
    let Some(b) = case.get("bindings").and_then(J::as_object) else {
        return Ok(Vec::new());
    };
    b.iter()
        .map(|(k, v)| from_proto_json(&v["value"]).map(|v| (k.clone(), v)).ok_or("binding is a message, type or enum"))
        .collect()
}
