//! Maps spans back to `file:line:col`. A span in an embedded document (the
//! workflow or a cloud section written as a block scalar) is mapped into the
//! scenario file line by line; a span in a file a section references
//! (`from:`, crate::scenario::reference) is placed in that file.

use crate::Diagnostic;
use crate::doc::Node;
use crate::scenario::LoadedFile;
use crate::span::{DocId, LineIndex, Span};

pub struct Locator<'a> {
    name: &'a str,
    text: &'a str,
    index: LineIndex,
    /// Embedded documents: id, their text, where the string sits, and the
    /// text's line index (built once: positions are asked per diagnostic).
    embedded: Vec<(DocId, String, Span, LineIndex)>,
    /// Files the scenario's sections reference: id, path, text, line index.
    referenced: Vec<(DocId, String, String, LineIndex)>,
}

impl<'a> Locator<'a> {
    pub fn new(name: &'a str, text: &'a str, root: Option<&Node>) -> Locator<'a> {
        let mut embedded = Vec::new();
        if let Some(root) = root {
            let parties = crate::verdict::Cloud::ALL.map(|c| (c.key(), c.doc()));
            for (key, id) in std::iter::once(("workflow", DocId::Workflow)).chain(parties) {
                if let Some(n) = root.get(key).filter(|n| n.as_str().is_some()) {
                    let inner = n.as_str().unwrap_or_default().to_string();
                    let index = LineIndex::new(&inner);
                    embedded.push((id, inner, n.span, index));
                }
            }
            for (i, e) in root.get("reusable_workflows").and_then(Node::entries).unwrap_or_default().iter().enumerate()
            {
                if let Some(t) = e.value.as_str() {
                    let id = DocId::Reusable(u16::try_from(i).unwrap_or(u16::MAX));
                    embedded.push((id, t.to_string(), e.value.span, LineIndex::new(t)));
                }
            }
        }
        Locator { name, text, index: LineIndex::new(text), embedded, referenced: Vec::new() }
    }

    /// Places spans of the referenced files' documents in those files.
    pub fn with_files(mut self, files: &[LoadedFile]) -> Locator<'a> {
        for f in files {
            if let Ok(text) = &f.text {
                self.referenced.push((f.doc(), f.path.clone(), text.clone(), LineIndex::new(text)));
            }
        }
        self
    }

    /// The file and `line:col` of a span, if it can be placed.
    pub fn place(&self, span: Span) -> Option<(&str, u32, u32)> {
        if let Some((_, path, text, index)) = self.referenced.iter().find(|(id, ..)| *id == span.doc) {
            let lc = index.line_col(text, span.start);
            return Some((path, lc.line, lc.col));
        }
        let (line, col) = self.position(span)?;
        Some((self.name, line, col))
    }

    /// `line:col` in the scenario file for a span, if it can be placed.
    fn position(&self, span: Span) -> Option<(u32, u32)> {
        if span.doc == DocId::Scenario {
            let lc = self.index.line_col(self.text, span.start);
            return Some((lc.line, lc.col));
        }
        let (_, inner, outer, inner_index) = self.embedded.iter().find(|(id, ..)| *id == span.doc)?;
        let inner_lc = inner_index.line_col(inner, span.start);
        if self.is_block_scalar(*outer) {
            // Block scalar: each content line sits at the same indentation.
            let first = self.index.line_col(self.text, outer.start);
            let line = first.line + inner_lc.line - 1;
            let col = first.col - 1 + inner_lc.col;
            Some((line, col))
        } else {
            // A quoted string: point at the string itself.
            let lc = self.index.line_col(self.text, outer.start);
            Some((lc.line, lc.col))
        }
    }

    /// Whether the string at `span` is a `|` or `>` block scalar (its span
    /// starts at the content, after the indicator line).
    fn is_block_scalar(&self, span: Span) -> bool {
        let before = self.text.get(..span.start as usize).unwrap_or_default();
        let Some(line_start) = before.rfind('\n') else { return false };
        if !before.get(line_start + 1..).unwrap_or_default().chars().all(|c| c == ' ') {
            return false;
        }
        let header = before.get(..line_start).unwrap_or_default();
        let header = header.rsplit('\n').next().unwrap_or_default();
        let header = header.split(" #").next().unwrap_or_default().trim_end();
        let indicator = header.trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
        indicator.ends_with('|') || indicator.ends_with('>')
    }

    /// `file:line:col: severity: message` (the GNU convention editors
    /// understand); a creation-time rule's message says so
    /// (`error: creation-time rule: …`).
    pub fn render(&self, d: &Diagnostic) -> String {
        let severity = d.severity.as_str();
        let message = d.labelled_message();
        match d.span.and_then(|s| self.place(s)) {
            Some((file, line, col)) => format!("{file}:{line}:{col}: {severity}: {message}"),
            None => format!("{}: {severity}: {message}", self.name),
        }
    }

    pub fn location(&self, span: Option<Span>) -> Option<String> {
        let (file, line, col) = self.place(span?)?;
        Some(format!("{file}:{line}:{col}"))
    }
}
