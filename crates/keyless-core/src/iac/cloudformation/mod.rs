//! CloudFormation and SAM templates (JSON or YAML): each `AWS::IAM::Role`'s
//! `Properties.AssumeRolePolicyDocument`, judged on its own and located in
//! the template.
//!
//! Intrinsic functions are computed when the stack is deployed, so their
//! values are unknown: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::If`, … in the
//! long form (`{"Fn::Sub": …}`) or YAML's short form (`!Sub`, tags the
//! document tree drops, read here from the YAML events). `Fn::Sub` of a
//! string with no `${…}` is that string (`${!Literal}` is the escape for a
//! literal `${`): CloudFormation's intrinsic function reference,
//! https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-sub.html
//! (CFN-SUB in sources.md); resource and property names,
//! https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html
//! (CFN-ROLE).

#[cfg(test)]
mod tests;

use super::{Trusts, Unit, Unknown, Values};
use crate::doc::{self, Entry, Node, Value};
use crate::span::Span;
use crate::verdict::Cloud;

const ROLE: &str = "AWS::IAM::Role";

/// Whether a parsed document is a template with at least one IAM role.
pub fn is_template(root: &Node) -> bool {
    roles(root).next().is_some()
}

fn roles(root: &Node) -> impl Iterator<Item = &Entry> {
    let resources = root.get("Resources").and_then(Node::entries).unwrap_or_default();
    resources.iter().filter(|e| e.value.get("Type").and_then(Node::as_str) == Some(ROLE))
}

/// Every role's trust policy, with the values the template computes
/// recorded as unknown.
pub fn read(text: &str, root: &Node) -> Trusts {
    read_with(text, root, &Values::new())
}

/// [`read`], with the values of some parameters given (a scenario's
/// `from:` reference, docs/cloudformation.md): `Ref` of a given name is its
/// value, and `Fn::Sub` whose every `${Name}` is given is the substituted
/// string. Other functions stay unknown.
pub fn read_with(text: &str, root: &Node, values: &Values) -> Trusts {
    let mut cx = Reader { text, tags: doc::local_tags(text), unknowns: Vec::new(), values };
    let mut units = Vec::new();
    for role in roles(root) {
        let Some(policy) = role.value.get("Properties").and_then(|p| p.get("AssumeRolePolicyDocument")) else {
            continue;
        };
        let node = cx.value(policy, false);
        units.push(Unit { address: role.key.value.clone(), cloud: Cloud::Aws, node, span: role.value.span });
    }
    Trusts { units, unknowns: cx.unknowns }.finish()
}

struct Reader<'a> {
    text: &'a str,
    tags: Vec<(u32, String)>,
    unknowns: Vec<Unknown>,
    values: &'a Values,
}

impl Reader<'_> {
    fn tag_at(&self, span: Span) -> Option<&str> {
        self.tags.iter().find(|(start, _)| *start == span.start).map(|(_, t)| t.as_str())
    }

    /// `node` with every intrinsic function replaced by an unknown stand-in.
    fn value(&mut self, node: &Node, principal: bool) -> Node {
        if let Some(tag) = self.tag_at(node.span).map(str::to_string) {
            // `!Sub 'literal'` is the literal; every other function computes.
            return match (tag.as_str(), node.as_str()) {
                ("!Sub", Some(s)) if !substitutes(s) => Node::new(Value::String(unescape(s)), node.span),
                (function, Some(argument)) if let Some(v) = self.given(function, argument) => {
                    Node::new(Value::String(v), node.span)
                }
                _ => self.unknown(node, &tag, principal),
            };
        }
        match &node.value {
            Value::Map(entries) => {
                if let [only] = entries.as_slice()
                    && (only.key.value == "Ref" || only.key.value.starts_with("Fn::"))
                {
                    return match (only.key.value.as_str(), only.value.as_str()) {
                        ("Fn::Sub", Some(s)) if !substitutes(s) => Node::new(Value::String(unescape(s)), node.span),
                        (function, Some(argument)) if let Some(v) = self.given(function, argument) => {
                            Node::new(Value::String(v), node.span)
                        }
                        _ => self.unknown(node, "", principal),
                    };
                }
                let entries = entries
                    .iter()
                    .map(|e| {
                        let inner = principal || e.key.value.eq_ignore_ascii_case("Principal");
                        Entry { key: e.key.clone(), value: self.value(&e.value, inner) }
                    })
                    .collect();
                Node::new(Value::Map(entries), node.span)
            }
            Value::Seq(items) => {
                Node::new(Value::Seq(items.iter().map(|n| self.value(n, principal)).collect()), node.span)
            }
            _ => node.clone(),
        }
    }

    /// The value of `Ref NAME` or `Fn::Sub TEMPLATE` from the given
    /// values, when every name it needs is given.
    fn given(&self, function: &str, argument: &str) -> Option<String> {
        match function.trim_start_matches('!').trim_start_matches("Fn::") {
            "Ref" => self.values.get(argument).cloned(),
            "Sub" if !self.values.is_empty() => substitute(argument, self.values),
            _ => None,
        }
    }

    fn unknown(&mut self, node: &Node, tag: &str, principal: bool) -> Node {
        let written = self.text.get(node.span.start as usize..node.span.end as usize).unwrap_or_default();
        // The first line is enough to recognise it (`!If`, `{"Fn::If": [`).
        let text = match written.split_once('\n') {
            Some((first, _)) => format!("{} …", first.trim_end()),
            None => written.to_string(),
        };
        let (function, argument) = if tag.is_empty() {
            let first = node.entries().and_then(|e| e.first());
            (first.map_or("", |e| e.key.value.as_str()), first.and_then(|e| e.value.as_str()))
        } else {
            (tag, node.as_str())
        };
        let function = function.trim_start_matches('!').trim_start_matches("Fn::");
        let why = match function {
            "Ref" => "a parameter or resource reference (`Ref`)",
            "Sub" => "a substitution (`Fn::Sub` with `${…}`)",
            "GetAtt" => "another resource's attribute (`Fn::GetAtt`)",
            "ImportValue" => "another stack's export (`Fn::ImportValue`)",
            "If" => "a condition's choice (`Fn::If`)",
            "Join" => "a join (`Fn::Join`)",
            _ => "an intrinsic function CloudFormation computes",
        };
        // A substitution stands in as its template (`arn:aws:iam::${AWS::AccountId}:oidc-provider/…`),
        // as an interpolated Terraform string does; anything else as written.
        let stand_in = match (function, argument) {
            ("Sub", Some(template)) => template.to_string(),
            _ => text.clone(),
        };
        self.unknowns.push(Unknown { text, span: node.span, why, principal, region: node.span });
        Node::new(Value::String(stand_in), node.span)
    }
}

/// Whether an `Fn::Sub` string substitutes anything: a `${` that is not the
/// `${!` escape.
fn substitutes(s: &str) -> bool {
    s.match_indices("${").any(|(i, _)| !s[i + 2..].starts_with('!'))
}

/// An `Fn::Sub` template with each `${Name}` replaced by its given value
/// (`${!Literal}` is written `${Literal}`); `None` when a name is not given.
fn substitute(template: &str, values: &Values) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let close = after.find('}')?;
        let name = &after[..close];
        match name.strip_prefix('!') {
            Some(literal) => {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            }
            None => out.push_str(values.get(name.trim())?),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// `${!Literal}` is written `${Literal}`.
fn unescape(s: &str) -> String {
    s.replace("${!", "${")
}
