//! Request-context values the user supplies for keys Keyless cannot know
//! (the runner's address, the time of the call): the labelled section
//! option `request_context`. Given values are evaluated as written and the
//! trace says they were given, not observed.

use super::ContextLookup;
use crate::diagnostic::{Diagnostic, Result};
use crate::doc::Node;
use crate::span::Spanned;

/// `request_context: {"aws:SourceIp": "203.0.113.7", …}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GivenContext {
    /// Key as written, and its value(s).
    pub entries: Vec<(Spanned<String>, Vec<Spanned<String>>)>,
}

impl GivenContext {
    /// Reads the option; keys must start with one of `prefixes` (the
    /// cloud's global keys: token claims come from the simulated token).
    pub fn parse(node: &Node, prefixes: &[&str], section: &str) -> Result<GivenContext> {
        let entries = node.entries().ok_or_else(|| {
            Diagnostic::at(format!("`request_context` in {section} must be a map of condition key to value"), node.span)
        })?;
        let mut out = Vec::new();
        for e in entries {
            let key = &e.key.value;
            let global = prefixes.iter().any(|p| key.get(..p.len()).is_some_and(|k| k.eq_ignore_ascii_case(p)));
            if !global {
                return Err(Diagnostic::at(
                    format!(
                        "`request_context` sets global keys ({}…) only; `{key}` comes from the token",
                        prefixes.join("…, ")
                    ),
                    e.key.span,
                ));
            }
            let values = e.value.string_or_list(&format!("`{key}`"))?;
            out.push((e.key.clone(), values));
        }
        Ok(GivenContext { entries: out })
    }

    /// The given value(s) of a key (case-insensitive, A4).
    pub fn lookup(&self, key: &str) -> Option<ContextLookup> {
        let (k, values) = self.entries.iter().find(|(k, _)| k.value.eq_ignore_ascii_case(key))?;
        Some(ContextLookup {
            values: values.iter().map(|v| v.value.clone()).collect(),
            note: Some(format!("`{}` as given in request_context (your value, not one Keyless can observe)", k.value)),
            unknowable: None,
        })
    }
}
