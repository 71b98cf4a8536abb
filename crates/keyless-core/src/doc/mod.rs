//! A spanned document tree for every input: scenario, workflow, trust
//! policies. JSON and YAML both land here, so every value knows where it was
//! written (for located errors, findings at lines, and highlighting the
//! statement that decided a verdict).
//!
//! Why not `serde` into typed structs (e.g. `github-actions-models` +
//! `yaml_serde`)? Those lose positions after parsing, and cost ~120 KB brotli
//! in the playground versus ~50 KB for `saphyr-parser` plus this tree.

mod encoding;
mod json;
mod node;
mod text;
mod yaml;

pub use encoding::decode;
pub use node::{Entry, Node, Value};
pub use text::Text;

use crate::diagnostic::{Diagnostic, Result};
use crate::span::{DocId, Span};

/// Inputs larger than this are refused: the playground must stay responsive
/// and nothing real is this big (an IAM trust policy is at most 4 KB).
pub const MAX_INPUT_BYTES: usize = 4 * 1024 * 1024;
/// Nesting deeper than this is refused (hostile input, stack safety).
pub const MAX_DEPTH: usize = 128;
/// Nodes produced, counting alias expansion ("billion laughs").
pub const MAX_NODES: usize = 500_000;
/// Bytes of scalar text (keys and values) produced, counting alias
/// expansion: one long string aliased many times stays within the node
/// count but not within this. Four times the largest input.
pub const MAX_EXPANDED_BYTES: usize = 4 * MAX_INPUT_BYTES;

/// Parses JSON or YAML. JSON is recognised by its first significant
/// character, and parsed by a strict JSON parser so that tabs, comments and
/// trailing commas are reported the way a JSON user expects.
pub fn parse(text: &str, doc: DocId) -> Result<Node> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(Diagnostic::at(
            format!("input is {} bytes; the limit is {} bytes", text.len(), MAX_INPUT_BYTES),
            Span::new(doc, 0, 0),
        ));
    }
    // YAML forbids NUL anywhere, quoted or not (YAML 1.2 §5.1: it is not
    // printable), and JSON inside strings (RFC 8259 §7): one located error
    // for both instead of each parser's own.
    if let Some(at) = text.find('\0') {
        return Err(Diagnostic::at(
            "NUL character (U+0000): YAML and JSON text cannot contain one, not even inside a quoted string",
            Span::new(doc, at, at + 1),
        ));
    }
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with('{') || trimmed.starts_with('[') { json::parse(text, doc) } else { yaml::parse(text, doc) }
}

/// The local YAML tags of a text (`!Sub`, `!Ref`), by the start offset of
/// the node they tag in [`parse`]'s tree; none for JSON.
pub fn local_tags(text: &str) -> Vec<(u32, String)> {
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with('{') || trimmed.starts_with('[') { Vec::new() } else { yaml::local_tags(text) }
}

/// Parses strictly as JSON.
pub fn parse_json(text: &str, doc: DocId) -> Result<Node> {
    json::parse(text, doc)
}

#[cfg(test)]
mod tests;
