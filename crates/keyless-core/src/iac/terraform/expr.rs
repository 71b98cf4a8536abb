//! HCL expressions to the document tree: literals become values at their
//! spans; anything Terraform computes becomes an [`Unknown`], unless the
//! reader was given its value ([`super::Values`]: a scenario's `from:`
//! reference may say what `var.github_org` is).

use crate::doc::{Entry, Node, Value};
use crate::iac::{Unknown, Values};
use crate::span::{DocId, Span, Spanned};
use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::template::Element;

/// Converts expressions of one file, collecting the unknowns met.
pub struct Converter<'a> {
    pub text: &'a str,
    pub doc: DocId,
    pub unknowns: Vec<Unknown>,
    /// Values given for expressions, by the expression as written.
    values: &'a Values,
}

impl<'a> Converter<'a> {
    pub fn new(text: &'a str, doc: DocId, values: &'a Values) -> Converter<'a> {
        Converter { text, doc, unknowns: Vec::new(), values }
    }

    /// The given value of a reference (`var.org`,
    /// `aws_iam_openid_connect_provider.github.arn`) or of a string whose
    /// every interpolation is such a reference (`"repo:${var.org}/*"`).
    /// Only references are looked up: a function call or a conditional
    /// is computed by Terraform, and a value given for it would be a guess
    /// about Terraform's semantics.
    fn given(&self, e: &Expression) -> Option<String> {
        match e {
            Expression::Traversal(_) | Expression::Variable(_) => self.given_reference(e),
            Expression::StringTemplate(t) => {
                let mut out = String::new();
                for el in t.iter() {
                    match el {
                        Element::Literal(s) => out.push_str(s.value()),
                        Element::Interpolation(i) if !i.strip.strip_start() && !i.strip.strip_end() => {
                            out.push_str(&self.given_reference(&i.expr)?)
                        }
                        _ => return None,
                    }
                }
                Some(out)
            }
            _ => None,
        }
    }

    fn given_reference(&self, e: &Expression) -> Option<String> {
        if !matches!(e, Expression::Traversal(_) | Expression::Variable(_)) || self.values.is_empty() {
            return None;
        }
        let written = self.source(self.span(e.span())).trim();
        self.values.get(written).cloned()
    }

    /// The span of anything `hcl-edit` parsed (it always sets one; the
    /// file start otherwise).
    pub fn span(&self, range: Option<std::ops::Range<usize>>) -> Span {
        let r = range.unwrap_or(0..0);
        Span::new(self.doc, r.start, r.end)
    }

    fn source(&self, span: Span) -> &'a str {
        self.text.get(span.start as usize..span.end as usize).unwrap_or_default()
    }

    /// The value of `e`; `principal` says it is (inside) an IAM principal.
    pub fn value(&mut self, e: &Expression, principal: bool) -> Node {
        let span = self.span(e.span());
        if let Some(given) = self.given(e) {
            return Node::new(Value::String(given), span);
        }
        let value = match e {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(_) => Value::Number(self.source(span).to_string()),
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::Array(items) => Value::Seq(items.iter().map(|i| self.value(i, principal)).collect()),
            Expression::Object(object) => {
                let mut entries = Vec::new();
                for (key, value) in object.iter() {
                    let key_span = self.span(key.span());
                    let name = match key {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                        // A computed key: the whole object is unknown.
                        ObjectKey::Expression(_) => return self.unknown(e, "an object with a computed key", principal),
                    };
                    let inner = principal || name.eq_ignore_ascii_case("Principal");
                    let value = self.value(value.expr(), inner);
                    entries.push(Entry { key: Spanned::new(name, key_span), value });
                }
                Value::Map(entries)
            }
            Expression::Parenthesis(p) => return self.value(p.inner(), principal),
            Expression::HeredocTemplate(h) => match literal(&h.template) {
                Some(text) => Value::String(text),
                None => return self.unknown(e, "a heredoc with an interpolation", principal),
            },
            _ => return self.unknown(e, why(e), principal),
        };
        // A string records whether it is written verbatim (quoted without
        // escapes), so errors inside it point at its bytes.
        Node::scalar(value, span, self.text)
    }

    /// Records `e` as unknown and stands in for it with its own text, so a
    /// message can quote it. The stand-in matches nothing a token carries.
    pub fn unknown(&mut self, e: &Expression, why: &'static str, principal: bool) -> Node {
        let span = self.span(e.span());
        let written = self.source(span);
        let text = written.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(written).to_string();
        self.unknowns.push(Unknown { text: written.to_string(), span, why, principal, region: span });
        Node::new(Value::String(text), span)
    }

    /// A literal string, or `None` (recording the unknown) when `e` is not one.
    pub fn string(&mut self, e: &Expression) -> Option<Spanned<String>> {
        let node = self.value(e, false);
        let known = !self.unknowns.last().is_some_and(|u| u.span == node.span);
        node.spanned_text().filter(|_| known)
    }
}

/// The text of a template with no interpolation or directive.
fn literal(t: &hcl_edit::template::Template) -> Option<String> {
    let mut out = String::new();
    for el in t.iter() {
        match el {
            Element::Literal(s) => out.push_str(s.value()),
            _ => return None,
        }
    }
    Some(out)
}

/// What an expression Keyless does not evaluate is, for messages.
pub fn why(e: &Expression) -> &'static str {
    match e {
        Expression::Traversal(t) => match &t.expr {
            Expression::Variable(v) if v.as_str() == "var" => "an input variable",
            Expression::Variable(v) if v.as_str() == "local" => "a local value",
            Expression::Variable(v) if v.as_str() == "data" => "a data source's attribute",
            Expression::Variable(v) if v.as_str() == "module" => "a module's output",
            Expression::Variable(v) if v.as_str() == "each" || v.as_str() == "count" => "a `for_each`/`count` value",
            _ => "another resource's attribute",
        },
        Expression::StringTemplate(_) => "a string with an interpolation (`${…}`)",
        Expression::FuncCall(_) => "a function call",
        Expression::Variable(_) => "a name Terraform resolves",
        Expression::Conditional(_) => "a conditional expression",
        Expression::ForExpr(_) => "a `for` expression",
        _ => "an expression Terraform computes",
    }
}
