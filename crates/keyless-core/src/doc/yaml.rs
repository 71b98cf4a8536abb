//! YAML (1.2 core schema) into the spanned tree, through `saphyr-parser`'s
//! event stream. Anchors and aliases are expanded, within `MAX_NODES`,
//! `MAX_EXPANDED_BYTES` and `MAX_DEPTH`, all measured after expansion.

use super::node::{Entry, Node, Value};
use super::{MAX_DEPTH, MAX_EXPANDED_BYTES, MAX_NODES};
use crate::diagnostic::{Diagnostic, Result};
use crate::span::{DocId, Span, Spanned};
use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// The local tags written in a YAML text (`!Sub`, `!Ref`: CloudFormation's
/// short-form intrinsic functions), as the byte offset where the tagged
/// node's span starts in [`parse`]'s tree, and the tag as written. The tree
/// drops tags; a reader that must not take `!Ref X` for the string `X` asks
/// here. Empty for text that does not parse (`parse` reports it).
pub(super) fn local_tags(text: &str) -> Vec<(u32, String)> {
    let mut char_to_byte: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    char_to_byte.push(text.len());
    let to_byte = |chars: usize| char_to_byte.get(chars).copied().unwrap_or(text.len());
    let mut out = Vec::new();
    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else { return Vec::new() };
        let tag = match &event {
            Event::Scalar(_, _, _, tag) | Event::SequenceStart(_, tag) | Event::MappingStart(_, tag) => tag.as_ref(),
            _ => None,
        };
        if let Some(tag) = tag.filter(|t| t.handle == "!") {
            let start = u32::try_from(to_byte(span.start.index())).unwrap_or(u32::MAX);
            out.push((start, format!("!{}", tag.suffix)));
        }
    }
    out
}

pub(super) fn parse(text: &str, doc: DocId) -> Result<Node> {
    // saphyr counts characters; spans are bytes.
    let mut char_to_byte: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    char_to_byte.push(text.len());
    let to_byte = |chars: usize| char_to_byte.get(chars).copied().unwrap_or(text.len());

    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, (Node, Size)> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    let mut nodes = 0usize;
    let mut bytes = 0usize;

    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| {
            let at = to_byte(e.marker().index());
            // The character at the error, or nothing at the end of the text:
            // `at + 1` could split a multi-byte character or pass the end.
            let end = text.get(at..).and_then(|s| s.chars().next()).map_or(at, |c| at + c.len_utf8());
            Diagnostic::at(format!("invalid YAML: {}", e.info()), Span::new(doc, at, end))
        })?;
        let span = Span::new(doc, to_byte(span.start.index()), to_byte(span.end.index()));
        // The finished node, its anchor, its expanded size, and what it adds
        // to the document's totals (an alias adds its whole copy).
        let finished: Option<(Node, usize, Size, Size)> = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(Diagnostic::at("expected one YAML document, found another ('---')", span));
                }
                None
            }
            Event::Scalar(value, style, anchor, _tag) => {
                // saphyr ends a quoted scalar in a flow collection after the
                // blanks that follow it (`{ F: "x" }`): the value ends at its
                // closing quote. A block scalar's content may end in blanks.
                let span = match style {
                    ScalarStyle::Literal | ScalarStyle::Folded => span,
                    _ => {
                        let written = text.get(span.start as usize..span.end as usize).unwrap_or_default();
                        let trimmed = written.trim_end_matches([' ', '\t']).len();
                        Span { end: span.start + u32::try_from(trimmed).unwrap_or(0), ..span }
                    }
                };
                let size = Size { nodes: 1, bytes: value.len(), height: 0 };
                let value =
                    if style == ScalarStyle::Plain { resolve_plain(&value) } else { Value::String(value.into_owned()) };
                Some((Node::scalar(value, span, text), anchor, size, size))
            }
            Event::Alias(id) => {
                let (node, size) =
                    anchors.get(&id).ok_or_else(|| Diagnostic::at("alias refers to an unknown anchor", span))?;
                // Checked before the copy: the copy is what the budgets bound.
                if stack.len() + size.height > MAX_DEPTH {
                    return Err(Diagnostic::at(
                        format!("nesting is too deep once this alias is expanded (the limit is {MAX_DEPTH} levels)"),
                        span,
                    ));
                }
                check_budgets(nodes + size.nodes, bytes + size.bytes, span)?;
                Some((node.clone(), 0, *size, *size))
            }
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(Diagnostic::at("nesting is too deep", span));
                }
                stack.push(Frame { start: span, anchor, kind: FrameKind::Seq(Vec::new()), size: Size::default() });
                None
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(Diagnostic::at("nesting is too deep", span));
                }
                stack.push(Frame {
                    start: span,
                    anchor,
                    kind: FrameKind::Map(Vec::new(), None),
                    size: Size::default(),
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = stack.pop().ok_or_else(|| Diagnostic::at("unbalanced YAML structure", span))?;
                let end = if span.end > frame.start.start { span } else { frame.start };
                let value = match frame.kind {
                    FrameKind::Seq(items) => Value::Seq(items),
                    FrameKind::Map(entries, _) => Value::Map(entries),
                };
                let size = Size { nodes: frame.size.nodes + 1, bytes: frame.size.bytes, height: frame.size.height + 1 };
                Some((Node::new(value, frame.start.to(end)), frame.anchor, size, Size { nodes: 1, ..Size::default() }))
            }
            _ => None,
        };
        if let Some((node, anchor, size, added)) = finished {
            nodes += added.nodes;
            bytes += added.bytes;
            check_budgets(nodes, bytes, node.span)?;
            if anchor != 0 {
                anchors.insert(anchor, (node.clone(), size));
            }
            if let Some(parent) = stack.last_mut() {
                parent.size.nodes += size.nodes;
                parent.size.bytes += size.bytes;
                parent.size.height = parent.size.height.max(size.height);
            }
            match stack.last_mut() {
                None => root = Some(node),
                Some(Frame { kind: FrameKind::Seq(items), .. }) => items.push(node),
                Some(Frame { kind: FrameKind::Map(entries, pending), .. }) => match pending.take() {
                    None => {
                        let key = node
                            .scalar_text()
                            .or_else(|| node.is_null().then(String::new))
                            .ok_or_else(|| Diagnostic::at("mapping keys must be plain strings", node.span))?;
                        *pending = Some(Spanned::new(key, node.span));
                    }
                    Some(key) => entries.push(Entry { key, value: node }),
                },
            }
        }
    }
    Ok(root.unwrap_or_else(|| Node::new(Value::Null, Span::new(doc, 0, 0))))
}

struct Frame {
    start: Span,
    anchor: usize,
    kind: FrameKind,
    size: Size,
}

/// A subtree once its aliases are expanded: values, bytes of scalar text
/// (keys included), and levels of nesting below it.
#[derive(Clone, Copy, Debug, Default)]
struct Size {
    nodes: usize,
    bytes: usize,
    height: usize,
}

fn check_budgets(nodes: usize, bytes: usize, span: Span) -> Result<()> {
    if nodes > MAX_NODES {
        return Err(Diagnostic::at(
            format!("the document has more than {MAX_NODES} values once its aliases are expanded"),
            span,
        ));
    }
    if bytes > MAX_EXPANDED_BYTES {
        return Err(Diagnostic::at(
            format!("the document's text is more than {MAX_EXPANDED_BYTES} bytes once its aliases are expanded"),
            span,
        ));
    }
    Ok(())
}

enum FrameKind {
    Seq(Vec<Node>),
    Map(Vec<Entry>, Option<Spanned<String>>),
}

/// YAML 1.2 core schema resolution of plain scalars. (`on:` stays a string;
/// GitHub's parser agrees.)
fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ if is_number(s) => Value::Number(s.to_string()),
        _ => Value::String(s.to_string()),
    }
}

fn is_number(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if let Some(hex) = s.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(oct) = s.strip_prefix("0o") {
        return !oct.is_empty() && oct.chars().all(|c| ('0'..='7').contains(&c));
    }
    if matches!(body, ".inf" | ".Inf" | ".INF") || matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (body.get(..i).unwrap_or_default(), Some(body.get(i + 1..).unwrap_or_default())),
        None => (body, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let int = parts.next().unwrap_or_default();
    let frac = parts.next();
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match frac {
        None => !int.is_empty() && digits(int),
        Some(f) => (!int.is_empty() || !f.is_empty()) && digits(int) && digits(f),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}
