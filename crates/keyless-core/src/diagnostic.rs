//! Errors are values with spans: bad input is reported, never panicked on.

use crate::span::{DocId, LineIndex, Span};
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Informational: the scenario was evaluated, something is worth knowing.
    Note,
    /// The scenario was evaluated, but an input was partly ignored or guessed.
    Warning,
    /// The input is invalid: this part could not be evaluated.
    Error,
}

impl Severity {
    /// The name front ends show (`file:line:col: error: …`, CSS classes):
    /// the same as its JSON form.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One located message about the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>, span: Option<Span>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, message: message.into(), span }
    }
    pub fn warning(message: impl Into<String>, span: Option<Span>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, message: message.into(), span }
    }
    pub fn note(message: impl Into<String>, span: Option<Span>) -> Diagnostic {
        Diagnostic { severity: Severity::Note, message: message.into(), span }
    }
    pub fn at(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::error(message, Some(span))
    }

    /// `line:col: message` against the text of the span's document.
    pub fn render(&self, text: &str) -> String {
        match self.span {
            Some(span) => {
                let lc = LineIndex::new(text).line_col(text, span.start);
                format!("{}:{}: {}", lc.line, lc.col, self.message)
            }
            None => self.message.clone(),
        }
    }

    pub fn doc(&self) -> Option<DocId> {
        self.span.map(|s| s.doc)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

pub type Result<T, E = Diagnostic> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The name the CLI and the playground show is the `keyless eval` JSON's.
    #[test]
    fn severity_names_are_the_json_names() {
        for s in [Severity::Note, Severity::Warning, Severity::Error] {
            assert_eq!(serde_json::to_value(s).ok(), Some(serde_json::Value::from(s.as_str())));
        }
    }
}
