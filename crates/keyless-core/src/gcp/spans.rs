//! Mapping byte offsets inside a string value back into its document.

use crate::span::{Span, Spanned};

/// The document span of `value.value[start..end]`. Exact when the value is
/// written verbatim (a plain YAML scalar, or a quoted JSON/YAML string
/// without escapes: escapes and line folding always shorten the value
/// relative to its source, so equal lengths prove a verbatim copy); else
/// the whole string's span.
pub fn inner_span(value: &Spanned<String>, start: usize, end: usize) -> Span {
    let raw = (value.span.end - value.span.start) as usize;
    let len = value.value.len();
    let offset = if raw == len {
        0
    } else if raw == len + 2 {
        1
    } else {
        return value.span;
    };
    value.span.sub(offset + start.min(len), offset + end.min(len))
}

/// A part of a string value as its own spanned string.
pub fn part(value: &Spanned<String>, start: usize, end: usize) -> Spanned<String> {
    let text = value.value.get(start..end).unwrap_or("").to_string();
    Spanned::new(text, inner_span(value, start, end))
}
