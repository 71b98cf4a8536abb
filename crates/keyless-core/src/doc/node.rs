use super::text::{Text, verbatim_offset};
use crate::diagnostic::{Diagnostic, Result};
use crate::span::{Span, Spanned};

/// A value with the span of its text.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// For a string or number written verbatim, bytes from `span.start` to
    /// its first byte (see [`Text`]).
    value_at: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number, kept as written (ids must not lose digits).
    Number(String),
    String(String),
    Seq(Vec<Node>),
    /// Entries in document order; duplicates are kept for the caller to judge.
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Spanned<String>,
    pub value: Node,
}

impl Node {
    /// A node whose text, if it has any, is not written verbatim at `span`
    /// (built by Keyless, or decoded): see [`Node::scalar`].
    pub fn new(value: Value, span: Span) -> Node {
        Node { value, span, value_at: None }
    }

    /// A scalar read from `source`, the text `span` points into: a string
    /// or number records whether its source bytes are its value (plain on
    /// one line, or quoted without escapes), for [`Node::text`].
    pub fn scalar(value: Value, span: Span, source: &str) -> Node {
        let value_at = match &value {
            Value::String(s) | Value::Number(s) => {
                source.get(span.start as usize..span.end as usize).and_then(|raw| verbatim_offset(raw, s))
            }
            _ => None,
        };
        Node { value, span, value_at }
    }

    /// What the value is, for messages: "a string", "a list"...
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The entries if this is a mapping.
    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(e) => Some(e),
            _ => None,
        }
    }

    /// The items if this is a list.
    pub fn items(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// Value of `key` (exact, last one wins as in JSON.parse and IAM).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?.iter().rev().find(|e| e.key.value == key).map(|e| &e.value)
    }

    /// Value of `key`, ignoring ASCII case (IAM element names, Graph fields).
    pub fn get_ci(&self, key: &str) -> Option<&Node> {
        self.entries()?.iter().rev().find(|e| e.key.value.eq_ignore_ascii_case(key)).map(|e| &e.value)
    }

    /// The entry for `key`, with the key's own span.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().rev().find(|e| e.key.value == key)
    }

    /// The text if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The text of any scalar: strings, numbers and booleans as written.
    /// GitHub and the clouds compare claim values as strings, so `id: 123`
    /// and `id: "123"` both mean `"123"`.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) | Value::Number(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn spanned_text(&self) -> Option<Spanned<String>> {
        self.scalar_text().map(|t| Spanned::new(t, self.span))
    }

    /// The text of any scalar, with where its bytes are in the document
    /// (for errors located inside it).
    pub fn text(&self) -> Option<Text> {
        self.scalar_text().map(|t| Text::written(t, self.span, self.value_at))
    }

    /// A scalar's [`Node::text`]; errors on lists, mappings and null.
    pub fn expect_text(&self, what: &str) -> Result<Text> {
        self.text().ok_or_else(|| self.type_error(what, "a string"))
    }

    /// Places a tree parsed from the value of `outer` (a policy given as a
    /// string) in `outer`'s document: every span moves to where its bytes
    /// are when `outer` is written verbatim; otherwise every span becomes
    /// `outer`'s span, and nothing inside is verbatim there any more.
    pub fn relocate_into(&mut self, outer: &Text) {
        let verbatim = outer.value_offset().is_some();
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            node.span = outer.span_of(node.span.start as usize, node.span.end as usize);
            if !verbatim {
                node.value_at = None;
            }
            match &mut node.value {
                Value::Seq(items) => stack.extend(items.iter_mut()),
                Value::Map(entries) => {
                    for e in entries {
                        e.key.span = outer.span_of(e.key.span.start as usize, e.key.span.end as usize);
                        stack.push(&mut e.value);
                    }
                }
                _ => {}
            }
        }
    }

    /// Errors unless this is a mapping. `what` names the value in the message.
    pub fn expect_map(&self, what: &str) -> Result<&[Entry]> {
        self.entries().ok_or_else(|| self.type_error(what, "a mapping"))
    }

    pub fn expect_seq(&self, what: &str) -> Result<&[Node]> {
        self.items().ok_or_else(|| self.type_error(what, "a list"))
    }

    pub fn expect_str(&self, what: &str) -> Result<&str> {
        self.as_str().ok_or_else(|| self.type_error(what, "a string"))
    }

    /// A scalar as text; errors on lists, mappings and null.
    pub fn expect_scalar(&self, what: &str) -> Result<Spanned<String>> {
        self.spanned_text().ok_or_else(|| self.type_error(what, "a string"))
    }

    /// One string or a list of strings, as IAM and Graph both allow.
    pub fn string_or_list(&self, what: &str) -> Result<Vec<Spanned<String>>> {
        match &self.value {
            Value::Seq(items) => items.iter().map(|n| n.expect_scalar(what)).collect(),
            _ => Ok(vec![self.expect_scalar(what)?]),
        }
    }

    pub fn type_error(&self, what: &str, expected: &str) -> Diagnostic {
        Diagnostic::at(format!("{what} must be {expected}, found {}", self.kind()), self.span)
    }

    /// The items of a section written in any of the three shapes users
    /// paste: a list of items; a mapping that holds them under `list_key`
    /// beside section-wide keys (it has `list_key` or one of `wrapper_keys`;
    /// returned as the wrapper); or one item. `what`/`expected` word the
    /// error for anything else.
    pub fn section_items<'n>(
        &'n self,
        list_key: &str,
        wrapper_keys: &[&str],
        what: &str,
        expected: &str,
    ) -> Result<(Option<&'n Node>, Vec<&'n Node>)> {
        match &self.value {
            Value::Seq(items) => Ok((None, items.iter().collect())),
            Value::Map(_) if self.get(list_key).is_some() || wrapper_keys.iter().any(|k| self.get(k).is_some()) => {
                let items = match self.get(list_key) {
                    Some(list) => list.expect_seq(&format!("`{list_key}`"))?.iter().collect(),
                    None => Vec::new(),
                };
                Ok((Some(self), items))
            }
            Value::Map(_) => Ok((None, vec![self])),
            _ => Err(self.type_error(what, expected)),
        }
    }
}

impl Node {
    /// The tree as plain JSON (for inputs, vars and matrix values).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => n
                .parse::<i64>()
                .map(J::from)
                .ok()
                .or_else(|| n.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(J::Number))
                .unwrap_or_else(|| J::String(n.clone())),
            Value::String(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                // One insert at a time (a later duplicate key wins, as with
                // `collect`): collecting into the BTreeMap would sort, and
                // the sort's code is a few KB of wasm.
                let mut map = serde_json::Map::new();
                for e in entries {
                    map.insert(e.key.value.clone(), e.value.to_json());
                }
                J::Object(map)
            }
        }
    }
}

impl Node {
    /// Whether any key or scalar text anywhere in the tree satisfies `f`
    /// (for sniffing what a document is, without serialising it).
    pub fn any_text(&self, f: &dyn Fn(&str) -> bool) -> bool {
        match &self.value {
            Value::String(s) | Value::Number(s) => f(s),
            Value::Null | Value::Bool(_) => false,
            Value::Seq(items) => items.iter().any(|n| n.any_text(f)),
            Value::Map(entries) => entries.iter().any(|e| f(&e.key.value) || e.value.any_text(f)),
        }
    }
}

impl Node {
    /// Keys written twice in one mapping, anywhere in the tree: each later
    /// key with the first of its name. The tree keeps duplicates so that
    /// each consumer can judge them as its service does (GitHub refuses a
    /// workflow with one; a cloud may keep one value). Iterative, linear.
    pub fn duplicate_keys(&self, ignore_case: bool) -> Vec<(&Spanned<String>, &Spanned<String>)> {
        let mut found = Vec::new();
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            match &node.value {
                Value::Seq(items) => stack.extend(items.iter()),
                Value::Map(entries) => {
                    let mut seen: std::collections::HashMap<String, &Spanned<String>> =
                        std::collections::HashMap::with_capacity(entries.len());
                    for e in entries {
                        let name = if ignore_case { e.key.value.to_lowercase() } else { e.key.value.clone() };
                        match seen.get(&name) {
                            Some(first) => found.push((*first, &e.key)),
                            None => {
                                seen.insert(name, &e.key);
                            }
                        }
                        stack.push(&e.value);
                    }
                }
                _ => {}
            }
        }
        found.sort_by_key(|(_, dup)| dup.span.start);
        found
    }
}
