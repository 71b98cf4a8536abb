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

/// Whose rule a diagnostic reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Keyless reading the input: it does not parse, a field is unknown, a
    /// value is guessed. The default.
    #[default]
    Input,
    /// The cloud's validation when the configuration is created or updated
    /// (IAM's `MalformedPolicyDocument`, Entra's
    /// `InvalidFederatedIdentityCredentialValue`, Google's `400` on a
    /// provider): as an error, the cloud refuses it, so no token is ever
    /// judged against it and there is no runtime verdict; as a warning, the
    /// cloud refuses it today but one created earlier keeps working, and the
    /// verdicts are given as for such a configuration.
    Creation,
}

impl Stage {
    fn is_input(&self) -> bool {
        *self == Stage::Input
    }

    /// How front ends name a creation-time rule (nothing for input).
    pub fn label(self) -> Option<&'static str> {
        match self {
            Stage::Input => None,
            Stage::Creation => Some("creation-time rule"),
        }
    }
}

/// One located message about the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    /// Keyless's reading, or the cloud's creation-time validation; JSON
    /// writes `"stage": "creation"` for the latter only.
    #[serde(skip_serializing_if = "Stage::is_input")]
    pub stage: Stage,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>, span: Option<Span>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, message: message.into(), span, stage: Stage::Input }
    }
    pub fn warning(message: impl Into<String>, span: Option<Span>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, message: message.into(), span, stage: Stage::Input }
    }
    pub fn note(message: impl Into<String>, span: Option<Span>) -> Diagnostic {
        Diagnostic { severity: Severity::Note, message: message.into(), span, stage: Stage::Input }
    }
    pub fn at(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::error(message, Some(span))
    }
    /// The cloud refuses to create this configuration (an error at
    /// [`Stage::Creation`]): `message` quotes the cloud's own error where it
    /// is documented.
    pub fn refused(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::at(message, span).at_creation()
    }
    /// The same diagnostic, as the cloud's creation-time rule.
    #[must_use]
    pub fn at_creation(self) -> Diagnostic {
        Diagnostic { stage: Stage::Creation, ..self }
    }
    /// Whether this is a creation-time refusal: the configuration cannot exist.
    pub fn is_refusal(&self) -> bool {
        self.stage == Stage::Creation && self.severity == Severity::Error
    }

    /// `line:col: message` against the text of the span's document.
    pub fn render(&self, text: &str) -> String {
        let message = self.labelled_message();
        match self.span {
            Some(span) => {
                let lc = LineIndex::new(text).line_col(text, span.start);
                format!("{}:{}: {message}", lc.line, lc.col)
            }
            None => message,
        }
    }

    /// The message, led by the stage's label for a creation-time rule
    /// (`creation-time rule: …`), so text output says which is which.
    pub fn labelled_message(&self) -> String {
        match self.stage.label() {
            Some(label) => format!("{label}: {}", self.message),
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
