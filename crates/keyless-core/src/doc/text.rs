//! Where the bytes of a scalar's value are in its document, so that an error
//! found inside the value (a CEL parse error, a policy given as a string)
//! is located at the bytes the user wrote.

use crate::span::{Span, Spanned};

/// A scalar's text with its span and, when the value is written byte for
/// byte in the source, where it starts there.
///
/// A value is written verbatim when its source is the value itself (a plain
/// scalar on one line, a JSON number) or the value between two quotes (a
/// quoted string without escapes or line breaks): an offset into the value
/// is then an offset into the document. Anything else changes bytes —
/// escapes, block scalars, and line folding, which turns `é ==⏎  1` into
/// `é == 1`: a source two bytes longer than its value and no quotes, so
/// lengths prove nothing — and an error inside such a value is located at
/// the whole scalar.
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    pub value: String,
    /// The scalar as written, quotes included.
    pub span: Span,
    /// Bytes from `span.start` to the value's first byte, when verbatim.
    value_at: Option<u32>,
}

impl Text {
    /// A text whose value is not written verbatim at `span` (decoded,
    /// built by Keyless): everything inside it is located at `span`.
    pub fn new(value: String, span: Span) -> Text {
        Text { value, span, value_at: None }
    }

    pub(super) fn written(value: String, span: Span, value_at: Option<u32>) -> Text {
        Text { value, span, value_at }
    }

    /// Bytes from `span.start` to the value's first byte when the value is
    /// written verbatim; `None` otherwise.
    pub fn value_offset(&self) -> Option<usize> {
        self.value_at.map(|at| at as usize)
    }

    /// The document span of `value[start..end]`: exact when the value is
    /// written verbatim, else the whole scalar's span. Offsets past the
    /// value are clamped to its end and offsets inside a character widened
    /// to it, so the span never cuts a character.
    pub fn span_of(&self, start: usize, end: usize) -> Span {
        let Some(at) = self.value_offset() else { return self.span };
        let start = floor_char_boundary(&self.value, start);
        let end = ceil_char_boundary(&self.value, end.max(start));
        self.span.sub(at + start, at + end)
    }

    /// `value[start..end]` (widened to whole characters) as its own text.
    pub fn part(&self, start: usize, end: usize) -> Text {
        let start = floor_char_boundary(&self.value, start);
        let end = ceil_char_boundary(&self.value, end.max(start));
        let value = self.value.get(start..end).unwrap_or_default().to_string();
        match self.value_at {
            Some(_) => Text { value, span: self.span_of(start, end), value_at: Some(0) },
            None => Text::new(value, self.span),
        }
    }

    /// The value and the scalar's span.
    pub fn to_spanned(&self) -> Spanned<String> {
        Spanned::new(self.value.clone(), self.span)
    }
}

/// Bytes from the start of `source` to the start of `value` when `source`
/// writes `value` verbatim: `value` itself, or `value` between two equal
/// quote characters (JSON, YAML and HCL quote with `"`, YAML also with
/// `'`). Compared byte for byte: a quoted string whose escapes happen to
/// keep its length is not verbatim.
pub(super) fn verbatim_offset(source: &str, value: &str) -> Option<u32> {
    if source == value {
        return Some(0);
    }
    let inner = source.strip_prefix('"').and_then(|s| s.strip_suffix('"'));
    let inner = inner.or_else(|| source.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')));
    (inner == Some(value)).then_some(1)
}

fn floor_char_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_char_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at += 1;
    }
    at
}
