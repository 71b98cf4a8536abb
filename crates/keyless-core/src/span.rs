//! Source locations. Every error and every trace step points back at the text
//! the user wrote, so the playground can mark it and the CLI can print
//! `file:line:col`.

use serde::Serialize;

macro_rules! doc_id {
    ($($(#[$attr:meta])* $Variant:ident $key:ident $title:literal $Config:ident;)*) => {
        /// Which document a span points into. The playground has one editor per
        /// document; the CLI maps each back to a file (or to a block inside the
        /// scenario file).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum DocId {
            /// The scenario file itself (CLI) or the repository settings (playground).
            Scenario,
            /// The workflow YAML under test.
            Workflow,
            /// A reusable workflow, by its index in `Scenario::reusable_workflows`.
            Reusable(u16),
            $(
                #[doc = concat!("The ", $title, " section (trust configuration).")]
                $(#[$attr])* $Variant,
            )*
            /// A standalone file given to `keyless lint`, by position.
            File(u16),
        }
    };
}
crate::parties::for_each_party!(doc_id);

/// A byte range in one document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    pub doc: DocId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(doc: DocId, start: usize, end: usize) -> Span {
        Span { doc, start: clamp(start), end: clamp(end.max(start)) }
    }

    /// The smallest span covering both (same document assumed).
    pub fn to(self, other: Span) -> Span {
        Span { doc: self.doc, start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// A sub-range, given as byte offsets relative to this span's start.
    pub fn sub(self, rel_start: usize, rel_end: usize) -> Span {
        let start = self.start as usize + rel_start;
        let end = (self.start as usize + rel_end).min(self.end as usize).max(start);
        Span::new(self.doc, start, end)
    }
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A value together with where it was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// 1-based line and column (column counted in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Converts byte offsets of one text into line/column. Build it once per
/// text and ask it for every position: the line is a binary search, the
/// column a subtraction on ASCII lines (counted characters otherwise).
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Per line, whether it has a non-ASCII character (columns count
    /// characters, not bytes).
    wide: Vec<bool>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        let mut wide = vec![false];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
                wide.push(false);
            } else if !b.is_ascii()
                && let Some(w) = wide.last_mut()
            {
                *w = true;
            }
        }
        LineIndex { line_starts, wide }
    }

    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = (offset as usize).min(text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let col = if self.wide.get(line).copied().unwrap_or(true) {
            text.get(start..offset).map_or(0, |s| s.chars().count())
        } else {
            offset - start
        };
        LineCol { line: clamp(line + 1), col: clamp(col + 1) }
    }

    /// Byte offset of the start of a 1-based line, if it exists.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.line_starts.get((line as usize).checked_sub(1)?).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "ab\né:x\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, col: 1 });
        assert_eq!(idx.line_col(text, 3), LineCol { line: 2, col: 1 });
        // 'é' is two bytes; ':' is the second character of line 2.
        assert_eq!(idx.line_col(text, 5), LineCol { line: 2, col: 2 });
        assert_eq!(idx.line_col(text, 999), LineCol { line: 3, col: 1 });
    }

    #[test]
    fn ascii_and_wide_lines_agree_with_counting() {
        let text = "abc\né€x\n\nplain ascii line\nz";
        let idx = LineIndex::new(text);
        for (offset, _) in text.char_indices() {
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let want = LineCol {
                line: text[..offset].matches('\n').count() as u32 + 1,
                col: text[line_start..offset].chars().count() as u32 + 1,
            };
            assert_eq!(idx.line_col(text, offset as u32), want, "offset {offset}");
        }
    }
}
