//! Differential test against the reference CEL implementation
//! `@bufbuild/cel`: `tests/cel/oracle.mjs` evaluates ~100 GCP-style
//! conditions and mappings over one GitHub token; Keyless's evaluator must
//! agree on every value and on which expressions fail. Required in CI
//! (`KEYLESS_REQUIRE_CONFORMANCE=1`), skipped with a notice elsewhere when
//! node or `tests/cel/node_modules` is missing.

#![allow(clippy::expect_used, clippy::panic)]

mod common;

use common::{node_output, strict_eq};
use keyless_core::gcp::cel::{Value, eval_str};
use serde_json::Value as J;

#[test]
fn agrees_with_bufbuild_cel_on_gcp_style_expressions() {
    let Some(out) = node_output("oracle.mjs", &[]) else { return };
    let doc: J = serde_json::from_str(&out).expect("oracle JSON");
    let assertion = Value::Map(
        doc["assertion"]
            .as_object()
            .expect("assertion object")
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    J::String(s) => Value::String(s.clone()),
                    J::Number(n) => Value::Double(n.as_f64().expect("number")),
                    other => panic!("unexpected claim value {other}"),
                };
                (Value::String(k.clone()), v)
            })
            .collect(),
    );
    let cases = doc["cases"].as_array().expect("cases");
    let mut agree = 0;
    let mut disagreements = Vec::new();
    for case in cases {
        let expr = case["expr"].as_str().expect("expr");
        let ours = eval_str(expr, vec![("assertion".into(), assertion.clone())]);
        let same = match (case.get("value"), &ours) {
            (Some(want), Ok(got)) => decode(want).is_some_and(|w| strict_eq(&w, got)),
            (None, Err(_)) => true,
            _ => false,
        };
        if same {
            agree += 1;
        } else {
            disagreements.push(format!("`{expr}`: @bufbuild/cel {case}, Keyless {ours:?}"));
        }
    }
    println!("@bufbuild/cel oracle: {agree}/{} expressions agree", cases.len());
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
    assert!(cases.len() >= 100, "the corpus shrank to {}", cases.len());
}

/// The oracle's tagged encoding (`{"int": "1"}`, `{"list": [...]}`).
fn decode(v: &J) -> Option<Value> {
    let (tag, x) = v.as_object()?.iter().next()?;
    Some(match tag.as_str() {
        "null" => Value::Null,
        "bool" => Value::Bool(x.as_bool()?),
        "int" => Value::Int(x.as_str()?.parse().ok()?),
        "uint" => Value::Uint(x.as_str()?.parse().ok()?),
        "double" => Value::Double(match x {
            J::String(s) if s == "NaN" => f64::NAN,
            J::String(s) if s == "Infinity" => f64::INFINITY,
            J::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
            _ => x.as_f64()?,
        }),
        "string" => Value::String(x.as_str()?.to_string()),
        "bytes" => Value::Bytes(x.as_array()?.iter().map(|b| b.as_u64().map(|b| b as u8)).collect::<Option<_>>()?),
        "list" => Value::List(x.as_array()?.iter().map(decode).collect::<Option<_>>()?),
        "map" => Value::Map(
            x.as_array()?.iter().map(|kv| Some((decode(kv.get(0)?)?, decode(kv.get(1)?)?))).collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}
