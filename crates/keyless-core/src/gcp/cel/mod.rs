//! A hand-written evaluator for the subset of CEL that Google Cloud workload
//! identity federation uses in attribute mappings and conditions.
//!
//! Why not the `cel` crate: it adds ~174 KB brotli to the playground (its
//! ANTLR parser dominates); the WIF subset is small, and this evaluator is
//! checked differentially against the cel-spec conformance data and the
//! `@bufbuild/cel` reference implementation (`tests/cel/`). Research:
//! peers-and-anchors.md §D; cloud-trust-evaluation.md §3.3.

mod eval;
mod functions;
mod lexer;
mod parser;
pub mod partial;
mod value;

pub use eval::Evaluator;
pub use parser::{Expr, ExprKind, MAX_DEPTH, MAX_TREE_DEPTH, called_functions, parse};
pub use value::{Value, cel_eq, format_double};

use crate::claims::{ClaimValue, Claims};

/// Functions of cel-go's strings extension that Keyless evaluates but Google
/// does not document for workload identity federation (research §3.3: "treat
/// extensions beyond these as unverified"); verdicts that use them say so.
pub const UNVERIFIED_IN_WIF: &[&str] = &["lowerAscii", "upperAscii", "split", "join", "replace", "trim"];

/// A syntax error, located by byte offsets into the expression text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub start: usize,
    pub end: usize,
}

/// A runtime error (a value, not a panic), located in the expression text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
    pub start: usize,
    pub end: usize,
}

/// Parses and evaluates `src` with the given variables: the one-call form
/// the conformance tests and the playground's scratch evaluator use.
pub fn eval_str(src: &str, vars: Vec<(String, Value)>) -> Result<Value, EvalOutcome> {
    let expr = parse(src).map_err(EvalOutcome::Parse)?;
    Evaluator::new(vars).eval(&expr).map_err(EvalOutcome::Eval)
}

/// Why [`eval_str`] produced no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalOutcome {
    Parse(ParseError),
    Eval(EvalError),
}

/// The token as CEL sees it in `assertion`: a map of the JSON claims, with
/// GitHub's string-typed claims as strings. `iat`/`nbf`/`exp` become
/// doubles: the assertion is JSON, and CEL reads JSON numbers
/// (`google.protobuf.Value`) as doubles (cel-spec langdef "JSON data
/// conversion") — an inference for WIF, harmless because CEL compares
/// numbers across types.
pub fn claims_value(claims: &Claims) -> Value {
    Value::Map(
        claims
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    ClaimValue::Str(s) => Value::String(s.clone()),
                    ClaimValue::Num(n) => Value::Double(*n as f64),
                };
                (Value::String(k.to_string()), v)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests;
