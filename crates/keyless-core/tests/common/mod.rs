//! Shared helpers for the CEL conformance and oracle tests.
#![allow(dead_code, clippy::expect_used, clippy::panic, clippy::unwrap_used, clippy::indexing_slicing)]

use keyless_core::gcp::cel::Value;
use serde_json::Value as J;
use std::path::PathBuf;
use std::process::Command;

/// `tests/cel` at the repository root.
pub fn cel_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/cel")
}

/// True when CI demands the node-based checks (`KEYLESS_REQUIRE_CONFORMANCE=1`).
pub fn require_conformance() -> bool {
    std::env::var("KEYLESS_REQUIRE_CONFORMANCE").is_ok_and(|v| v == "1")
}

/// Runs `node tests/cel/<script> args…` and returns its stdout, or `None`
/// (after printing a skip notice) when node or node_modules is missing and
/// the checks are not required.
pub fn node_output(script: &str, args: &[&str]) -> Option<String> {
    let dir = cel_dir();
    let missing =
        if !dir.join("node_modules/@bufbuild/cel-spec").is_dir() || !dir.join("node_modules/@bufbuild/cel").is_dir() {
            Some("tests/cel/node_modules is missing (run `npm ci` in tests/cel)".to_string())
        } else {
            match Command::new("node").arg(script).args(args).current_dir(&dir).output() {
                Ok(o) if o.status.success() => {
                    return Some(String::from_utf8(o.stdout).expect("utf-8 output"));
                }
                Ok(o) => panic!("node {script} failed: {}", String::from_utf8_lossy(&o.stderr)),
                Err(e) => Some(format!("cannot run node: {e}")),
            }
        };
    let why = missing.unwrap_or_default();
    assert!(!require_conformance(), "KEYLESS_REQUIRE_CONFORMANCE=1 but {why}");
    println!("SKIPPED: {why}");
    None
}

/// A value in protobuf JSON form (`{"int64Value": "1"}`, cel.expr.Value) as a
/// CEL value; `None` for messages, types and enums.
pub fn from_proto_json(v: &J) -> Option<Value> {
    let (kind, x) = v.as_object()?.iter().next()?;
    Some(match kind.as_str() {
        "nullValue" => Value::Null,
        "boolValue" => Value::Bool(x.as_bool()?),
        "int64Value" => Value::Int(x.as_str().map_or_else(|| x.as_i64(), |s| s.parse().ok())?),
        "uint64Value" => Value::Uint(x.as_str().map_or_else(|| x.as_u64(), |s| s.parse().ok())?),
        "doubleValue" => Value::Double(match x {
            J::String(s) if s == "NaN" => f64::NAN,
            J::String(s) if s == "Infinity" => f64::INFINITY,
            J::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
            J::String(s) => s.parse().ok()?,
            _ => x.as_f64()?,
        }),
        "stringValue" => Value::String(x.as_str()?.to_string()),
        "bytesValue" => Value::Bytes(base64(x.as_str()?)?),
        "listValue" => Value::List(
            x.get("values")
                .and_then(J::as_array)
                .map_or(Some(Vec::new()), |vs| vs.iter().map(from_proto_json).collect())?,
        ),
        "mapValue" => Value::Map(x.get("entries").and_then(J::as_array).map_or(Some(Vec::new()), |es| {
            es.iter().map(|e| Some((from_proto_json(&e["key"])?, from_proto_json(&e["value"])?))).collect()
        })?),
        _ => return None,
    })
}

fn base64(s: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    Some(out)
}

/// Same type and same value (unlike CEL `==`, `1 != 1.0` here); NaN equals
/// NaN, and doubles may differ in the last bits (the suite's data was
/// printed by another runtime: `double('1.38e-23')` is listed as
/// `1.3799999999999998e-23`).
pub fn strict_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => {
            x == y || (x.is_nan() && y.is_nan()) || (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs())
        }
        (Value::List(x), Value::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| strict_eq(p, q)),
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.iter().any(|(k2, v2)| strict_eq(k, k2) && strict_eq(v, v2)))
        }
        _ => a == b,
    }
}
