//! The IAM policy grammar shared by AWS trust policies and Alibaba Cloud RAM
//! trust policies (same JSON shape: Version, Statement, Effect, Principal,
//! Action, Condition). Parsing only; evaluation lives in [`crate::iam_condition`].
//!
//! Sources: AWS policy grammar and elements (research cloud-trust-evaluation.md
//! §1.2–§1.6, docs A1–A6, A15); Alibaba RAM trust policies (§4, L1).

use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Node, Text, Value};
use crate::span::{Span, Spanned};
use crate::spelling::{nearest, nearest_ignoring_case};
use std::borrow::Cow;

#[derive(Clone, Debug, PartialEq)]
pub struct TrustPolicy {
    pub version: Option<Spanned<String>>,
    pub statements: Vec<Statement>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub sid: Option<Spanned<String>>,
    pub effect: Spanned<Effect>,
    pub principal: Option<Principal>,
    pub not_principal: Option<Principal>,
    pub actions: Vec<Spanned<String>>,
    pub not_actions: Vec<Spanned<String>>,
    pub conditions: Vec<Condition>,
    pub span: Span,
}

/// `Principal`: `"*"` or a map of principal types to one or more values.
#[derive(Clone, Debug, PartialEq)]
pub struct Principal {
    /// `"Principal": "*"`.
    pub wildcard: bool,
    pub federated: Vec<Spanned<String>>,
    /// Any other principal type (`AWS`, `Service`, `RAM`...), kept for findings.
    pub other: Vec<(Spanned<String>, Vec<Spanned<String>>)>,
    pub span: Span,
}

/// One key under one operator: `"StringLike": {"…:sub": ["a", "b"]}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub operator: Spanned<Operator>,
    pub key: Spanned<String>,
    pub values: Vec<Spanned<String>>,
    /// From the operator name to the end of the values.
    pub span: Span,
}

/// A parsed condition operator name such as `ForAllValues:StringLikeIfExists`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    pub base: BaseOperator,
    pub set: Option<SetQualifier>,
    pub if_exists: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    Null,
    Bool,
    /// Any other IAM operator (numeric, date, ARN, IP...), kept by name.
    Other(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetQualifier {
    ForAnyValue,
    ForAllValues,
}

/// Every condition operator IAM defines (A1). RAM's list is a subset
/// (research §4: "assume AWS-like"), so one list serves both.
pub const KNOWN_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

impl BaseOperator {
    /// The operator's name as IAM spells it.
    pub fn name(&self) -> &str {
        match self {
            BaseOperator::StringEquals => "StringEquals",
            BaseOperator::StringNotEquals => "StringNotEquals",
            BaseOperator::StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            BaseOperator::StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            BaseOperator::StringLike => "StringLike",
            BaseOperator::StringNotLike => "StringNotLike",
            BaseOperator::Null => "Null",
            BaseOperator::Bool => "Bool",
            BaseOperator::Other(n) => n,
        }
    }

    /// Negated operators combine their values with NOR and are true for an
    /// absent key (A1, A2; research §1.5, §1.6).
    pub fn is_negated(&self) -> bool {
        match self {
            BaseOperator::StringNotEquals | BaseOperator::StringNotEqualsIgnoreCase | BaseOperator::StringNotLike => {
                true
            }
            BaseOperator::Other(n) => n.contains("Not"),
            _ => false,
        }
    }

    fn from_name(name: &str) -> Option<BaseOperator> {
        Some(match name {
            "StringEquals" => BaseOperator::StringEquals,
            "StringNotEquals" => BaseOperator::StringNotEquals,
            "StringEqualsIgnoreCase" => BaseOperator::StringEqualsIgnoreCase,
            "StringNotEqualsIgnoreCase" => BaseOperator::StringNotEqualsIgnoreCase,
            "StringLike" => BaseOperator::StringLike,
            "StringNotLike" => BaseOperator::StringNotLike,
            "Null" => BaseOperator::Null,
            "Bool" => BaseOperator::Bool,
            other if KNOWN_OPERATORS.contains(&other) => BaseOperator::Other(other.to_string()),
            _ => return None,
        })
    }
}

impl Operator {
    /// Parses `[ForAnyValue:|ForAllValues:]<Operator>[IfExists]`. The error
    /// text suggests the nearest known operator.
    pub fn parse(name: &str) -> std::result::Result<Operator, String> {
        let (set, rest) = if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else if let Some(r) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else {
            (None, name)
        };
        let (if_exists, base_name) = match rest.strip_suffix("IfExists") {
            Some(b) if !b.is_empty() => (true, b),
            _ => (false, rest),
        };
        let Some(base) = BaseOperator::from_name(base_name) else {
            let prefix = name.get(..name.len() - rest.len()).unwrap_or_default();
            let hint = nearest_ignoring_case(base_name, KNOWN_OPERATORS)
                .or_else(|| nearest_ignoring_case(rest, KNOWN_OPERATORS))
                .map(|k| format!(" (did you mean `{prefix}{k}{}`?)", if if_exists { "IfExists" } else { "" }))
                .unwrap_or_default();
            let hint = if hint.is_empty() && name.contains(':') && set.is_none() {
                " (the only qualifiers are `ForAnyValue:` and `ForAllValues:`)".to_string()
            } else {
                hint
            };
            return Err(format!("unknown condition operator `{name}`{hint}"));
        };
        // A1: "…IfExists" applies to every operator except Null.
        if if_exists && base == BaseOperator::Null {
            return Err("`NullIfExists` is not an operator: `IfExists` cannot be used with `Null` (A1)".into());
        }
        Ok(Operator { base, set, if_exists })
    }

    /// The name as written back (`ForAllValues:StringLikeIfExists`).
    pub fn display(&self) -> String {
        let mut out = String::new();
        self.write_name(&mut out);
        out
    }

    /// [`Operator::display`], appended to `out`.
    pub fn write_name(&self, out: &mut String) {
        out.push_str(match self.set {
            Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
            Some(SetQualifier::ForAllValues) => "ForAllValues:",
            None => "",
        });
        out.push_str(self.base.name());
        if self.if_exists {
            out.push_str("IfExists");
        }
    }
}

/// Which cloud's flavour of the grammar is being parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// AWS IAM trust policy (`Version` 2012-10-17 / 2008-10-17).
    Aws,
    /// Alibaba Cloud RAM trust policy (`Version` "1").
    Alibaba,
}

impl Dialect {
    fn top_level(self) -> &'static [&'static str] {
        match self {
            Dialect::Aws => &["Version", "Id", "Statement"],
            Dialect::Alibaba => &["Version", "Statement"],
        }
    }

    fn statement_elements(self) -> &'static [&'static str] {
        match self {
            Dialect::Aws => &["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Condition"],
            Dialect::Alibaba => &["Sid", "Effect", "Principal", "Action", "NotAction", "Condition", "Resource"],
        }
    }

    /// A policy outside the grammar. IAM refuses to store it, with
    /// `MalformedPolicyDocument` (AWS policy grammar page,
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html):
    /// the cloud's creation-time refusal, so no
    /// role with this trust policy exists. RAM documents no such error for
    /// trust policies, so there it stays Keyless's reading of the input.
    fn malformed(self, message: impl Into<String>, span: Span) -> Diagnostic {
        match self {
            Dialect::Aws => {
                Diagnostic::refused(format!("{} (IAM refuses it: MalformedPolicyDocument)", message.into()), span)
            }
            Dialect::Alibaba => Diagnostic::at(message, span),
        }
    }
}

/// Parses a trust policy. Errors are all reported (first one first);
/// non-fatal findings come back as warnings/notes beside the policy.
mod limits;

pub fn parse_policy(
    node: &Node,
    dialect: Dialect,
) -> std::result::Result<(TrustPolicy, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let entries = match node.expect_map("a trust policy") {
        Ok(e) => e,
        Err(d) => return Err(vec![d]),
    };
    // IAM refuses to store a policy with an element outside the grammar
    // (MalformedPolicyDocument, AWS policy grammar page
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html),
    // so such a role cannot exist: an error, not a warning. Element names are
    // matched ignoring case (as `Node::get_ci` does for IAM).
    let all: Vec<&doc::Entry> = entries.iter().collect();
    unknown_elements(&all, dialect.top_level(), "the trust policy", dialect, &mut errors);
    limits::check(node, dialect, &mut errors, &mut notes);

    let version = node.get_ci("Version").map(|n| n.expect_scalar("`Version`"));
    let version = match version {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(d)) => {
            errors.push(d);
            None
        }
    };
    match (dialect, &version) {
        // A6: valid versions are 2012-10-17 and 2008-10-17; without Version,
        // IAM uses 2008-10-17, where `${…}` is literal text.
        (Dialect::Aws, None) => notes.push(Diagnostic::note(
            "no `Version`: IAM treats the policy as 2008-10-17, where policy variables and `${*}` escapes are literal text (A6)",
            Some(node.span),
        )),
        (Dialect::Aws, Some(v)) if v.value != "2012-10-17" && v.value != "2008-10-17" => errors.push(dialect.malformed(
            format!("`Version` must be \"2012-10-17\" or \"2008-10-17\", found \"{}\" (A6)", v.value),
            v.span,
        )),
        // L1: RAM policies are Version "1".
        (Dialect::Alibaba, Some(v)) if v.value != "1" => errors.push(Diagnostic::at(
            format!("a RAM trust policy has `Version` \"1\", found \"{}\" (L1)", v.value),
            v.span,
        )),
        (Dialect::Alibaba, None) => {
            notes.push(Diagnostic::warning("a RAM trust policy has `\"Version\": \"1\"` (L1)", Some(node.span)))
        }
        _ => {}
    }

    let mut statements = Vec::new();
    match node.get_ci("Statement") {
        None => errors.push(dialect.malformed("the trust policy has no `Statement`", node.span)),
        Some(s) => {
            let items: Vec<&Node> = match &s.value {
                Value::Seq(items) => items.iter().collect(),
                Value::Map(_) => vec![s],
                _ => {
                    let d = s.type_error("`Statement`", "a statement object or a list of them");
                    errors.push(dialect.malformed(d.message, s.span));
                    Vec::new()
                }
            };
            if items.is_empty() && s.items().is_some() {
                errors.push(dialect.malformed("`Statement` is empty", s.span));
            }
            for item in items {
                match parse_statement(item, dialect, &mut notes) {
                    Ok(st) => statements.push(st),
                    Err(mut d) => errors.append(&mut d),
                }
            }
        }
    }
    let literal_dollar = dialect == Dialect::Aws && version.as_ref().is_none_or(|v| v.value != "2012-10-17");
    if literal_dollar {
        let first = statements
            .iter()
            .flat_map(|s| s.conditions.iter())
            .flat_map(|c| c.values.iter())
            .find(|v| v.value.contains("${"));
        if let Some(v) = first {
            notes.push(Diagnostic::warning(
                "this policy is not Version 2012-10-17, so `${…}` is literal text here: no policy variables, no `${*}` escapes (A5, A6)",
                Some(v.span),
            ));
        }
    }
    if errors.is_empty() { Ok((TrustPolicy { version, statements, span: node.span }, notes)) } else { Err(errors) }
}

fn unknown_elements(
    entries: &[&doc::Entry],
    known: &[&str],
    what: &str,
    dialect: Dialect,
    errors: &mut Vec<Diagnostic>,
) {
    for (i, e) in entries.iter().enumerate() {
        // Elements are read ignoring case (`get_ci`), so `Condition` and
        // `condition` are the same element twice; IAM documents no reading of
        // that, so Keyless refuses rather than pick one.
        if known.iter().any(|k| k.eq_ignore_ascii_case(&e.key.value))
            && entries.iter().take(i).any(|p| p.key.value.eq_ignore_ascii_case(&e.key.value))
        {
            errors.push(Diagnostic::at(
                format!("`{}` appears twice in {what}: IAM does not document which one counts; keep one", e.key.value),
                e.key.span,
            ));
        }
        if !known.iter().any(|k| k.eq_ignore_ascii_case(&e.key.value)) {
            let hint = nearest_ignoring_case(&e.key.value, known)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            errors.push(dialect.malformed(
                format!("unknown element `{}` in {what}{hint}; IAM rejects policies outside its grammar", e.key.value),
                e.key.span,
            ));
        }
    }
}

fn parse_statement(
    node: &Node,
    dialect: Dialect,
    notes: &mut Vec<Diagnostic>,
) -> std::result::Result<Statement, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let entries = node.expect_map("a statement").map_err(|d| vec![d])?;
    // AWS: a trust policy "Has prohibited field Resource" (IAM's own
    // MalformedPolicyDocument text); RAM examples never carry one either.
    if dialect == Dialect::Aws {
        if let Some(e) = entries.iter().find(|e| e.key.value.eq_ignore_ascii_case("Resource")) {
            errors.push(dialect.malformed(
                "a trust policy statement cannot have `Resource` (IAM: \"Has prohibited field Resource\")",
                e.key.span,
            ));
        }
        // The other elements, borrowed (not a copy of the statement's tree).
        let rest: Vec<&doc::Entry> = entries.iter().filter(|e| !e.key.value.eq_ignore_ascii_case("Resource")).collect();
        unknown_elements(&rest, dialect.statement_elements(), "a statement", dialect, &mut errors);
    } else {
        let all: Vec<&doc::Entry> = entries.iter().collect();
        unknown_elements(&all, dialect.statement_elements(), "a statement", dialect, &mut errors);
    }

    let sid = match node.get_ci("Sid").map(|n| n.expect_scalar("`Sid`")) {
        Some(Ok(s)) => Some(s),
        Some(Err(d)) => {
            errors.push(d);
            None
        }
        None => None,
    };
    let effect = match node.get_ci("Effect") {
        None => {
            errors.push(dialect.malformed("the statement has no `Effect` (Allow or Deny)", node.span));
            None
        }
        Some(n) => match n.as_str() {
            Some("Allow") => Some(Spanned::new(Effect::Allow, n.span)),
            Some("Deny") => Some(Spanned::new(Effect::Deny, n.span)),
            _ => {
                let found = n.scalar_text().unwrap_or_else(|| n.kind().to_string());
                let hint = nearest(&found, &["allow", "deny"])
                    .map(|k| format!(" (did you mean `{}`?)", if k == "allow" { "Allow" } else { "Deny" }))
                    .unwrap_or_default();
                errors.push(
                    dialect.malformed(format!("`Effect` must be \"Allow\" or \"Deny\", found `{found}`{hint}"), n.span),
                );
                None
            }
        },
    };
    let principal = parse_principal(node.get_ci("Principal"), dialect, &mut errors);
    let not_principal = parse_principal(node.get_ci("NotPrincipal"), dialect, &mut errors);
    if principal.is_none() && not_principal.is_none() && node.get_ci("Principal").is_none() {
        errors.push(dialect.malformed("a trust policy statement needs a `Principal`", node.span));
    }
    let mut list = |key: &str| match node.get_ci(key) {
        None => Vec::new(),
        Some(n) => match n.string_or_list(&format!("`{key}`")) {
            Ok(v) => v,
            Err(d) => {
                errors.push(d);
                Vec::new()
            }
        },
    };
    let actions = list("Action");
    let not_actions = list("NotAction");
    if node.get_ci("Action").is_none() && node.get_ci("NotAction").is_none() {
        errors.push(dialect.malformed("the statement has no `Action`", node.span));
    }
    let conditions = match node.get_ci("Condition") {
        None => Vec::new(),
        Some(n) if n.is_null() => Vec::new(),
        Some(n) => parse_conditions(n, dialect, &mut errors, notes),
    };
    match effect {
        Some(effect) if errors.is_empty() => {
            Ok(Statement { sid, effect, principal, not_principal, actions, not_actions, conditions, span: node.span })
        }
        _ => Err(errors),
    }
}

fn parse_principal(node: Option<&Node>, dialect: Dialect, errors: &mut Vec<Diagnostic>) -> Option<Principal> {
    let node = node?;
    let mut p = Principal { wildcard: false, federated: Vec::new(), other: Vec::new(), span: node.span };
    match &node.value {
        Value::String(s) if s == "*" => p.wildcard = true,
        Value::Map(entries) => {
            for e in entries {
                match e.value.string_or_list("a principal") {
                    Ok(values) if e.key.value == "Federated" => p.federated.extend(values),
                    Ok(values) => p.other.push((e.key.clone(), values)),
                    Err(d) => errors.push(d),
                }
            }
        }
        _ => {
            let d = node.type_error("`Principal`", "\"*\" or a mapping such as {\"Federated\": \"arn:…\"}");
            errors.push(dialect.malformed(d.message, node.span));
            return None;
        }
    }
    Some(p)
}

fn parse_conditions(
    node: &Node,
    dialect: Dialect,
    errors: &mut Vec<Diagnostic>,
    notes: &mut Vec<Diagnostic>,
) -> Vec<Condition> {
    let mut out = Vec::new();
    let entries = match node.expect_map("`Condition`") {
        Ok(e) => e,
        Err(d) => {
            errors.push(d);
            return out;
        }
    };
    for (i, op_entry) in entries.iter().enumerate() {
        // JSON leaves duplicate keys to the reader; IAM's handling of a
        // repeated operator block is not documented, so Keyless evaluates
        // every block (ANDed) and says so.
        if entries.iter().take(i).any(|e| e.key.value == op_entry.key.value) {
            notes.push(Diagnostic::warning(
                format!(
                    "`{}` appears twice in this Condition: IAM's handling of duplicate JSON keys is not documented; Keyless evaluates both blocks (ANDed). Merge them into one block",
                    op_entry.key.value
                ),
                Some(op_entry.key.span),
            ));
        }
        let operator = match Operator::parse(&op_entry.key.value) {
            Ok(o) => Spanned::new(o, op_entry.key.span),
            Err(msg) => {
                errors.push(dialect.malformed(msg, op_entry.key.span));
                continue;
            }
        };
        let keys = match op_entry.value.expect_map(&format!("the `{}` block", op_entry.key.value)) {
            Ok(k) => k,
            Err(d) => {
                errors.push(d);
                continue;
            }
        };
        for (k, key_entry) in keys.iter().enumerate() {
            // IAM's CreateRole answers a key such as
            // `https://token.actions.githubusercontent.com:sub` with
            // "MalformedPolicyDocument: Condition can contain only one colon."
            // (A-COLON). RAM documents no such rule.
            if dialect == Dialect::Aws && key_entry.key.value.matches(':').count() > 1 {
                let key = &key_entry.key.value;
                let hint = key
                    .split_once("://")
                    .map(|(_, rest)| format!(" (the provider's keys have no scheme: `{rest}`)"))
                    .unwrap_or_default();
                errors.push(Diagnostic::refused(
                    format!(
                        "condition key `{key}` has more than one `:`{hint}; IAM refuses it: \"MalformedPolicyDocument: Condition can contain only one colon.\" (A-COLON)"
                    ),
                    key_entry.key.span,
                ));
            }
            // Condition keys are case-insensitive (A4), so `sub` and `SUB` in
            // one block are the same key twice. IAM documents no reading of
            // duplicate JSON keys (Access Analyzer reports "Duplicate keys with
            // different case" as an error); Keyless ANDs them and says so.
            if keys.iter().take(k).any(|e| e.key.value.eq_ignore_ascii_case(&key_entry.key.value)) {
                notes.push(Diagnostic::warning(
                    format!(
                        "`{}` appears twice under `{}`: IAM does not document how it reads a repeated key; Keyless requires both (ANDed). Put the values in one list instead",
                        key_entry.key.value, op_entry.key.value
                    ),
                    Some(key_entry.key.span),
                ));
            }
            let values = match &key_entry.value.value {
                Value::Seq(items) => items
                    .iter()
                    .filter_map(|n| match n.expect_scalar("a condition value") {
                        Ok(v) => Some(v),
                        Err(d) => {
                            errors.push(d);
                            None
                        }
                    })
                    .collect(),
                _ => match key_entry.value.expect_scalar("a condition value") {
                    Ok(v) => vec![v],
                    Err(d) => {
                        errors.push(d);
                        continue;
                    }
                },
            };
            out.push(Condition {
                operator: operator.clone(),
                key: key_entry.key.clone(),
                values,
                span: key_entry.key.span.to(key_entry.value.span),
            });
        }
    }
    out
}

/// Finds the policy document in what users paste: the policy itself, a JSON
/// string holding it, a URL-encoded string (what `aws iam get-role` returns
/// through some SDKs and CLI v1), or `get-role` output
/// (`{"Role": {"AssumeRolePolicyDocument": …}}`).
pub fn unwrap_policy_document(node: &Node) -> Result<Node> {
    policy_document(node).map(Cow::into_owned)
}

/// [`unwrap_policy_document`], borrowing `node` when it is the policy
/// itself (no copy of the tree to parse it).
pub fn policy_document(node: &Node) -> Result<Cow<'_, Node>> {
    if let Some(role) = node.get("Role").filter(|_| node.get_ci("Statement").is_none()) {
        return match role.get("AssumeRolePolicyDocument") {
            Some(d) => policy_document(d),
            None => Err(Diagnostic::at(
                "`Role` has no `AssumeRolePolicyDocument` (expected `aws iam get-role` output)",
                role.span,
            )),
        };
    }
    if let Some(d) = node.get("AssumeRolePolicyDocument") {
        return policy_document(d);
    }
    match &node.value {
        Value::String(s) => {
            let trimmed = s.trim();
            let (text, encoded) =
                if trimmed.len() >= 3 && trimmed.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("%7B")) {
                    match percent_decode(trimmed) {
                        Some(t) => (t, true),
                        None => {
                            return Err(Diagnostic::at(
                                "the URL-encoded policy is not valid UTF-8 after decoding",
                                node.span,
                            ));
                        }
                    }
                } else {
                    (s.clone(), false)
                };
            let mut inner = doc::parse(&text, node.span.doc)
                .map_err(|d| Diagnostic::at(format!("in the policy text: {}", d.message), node.span))?;
            // Spans inside the policy point at its bytes in the outer
            // document when the string is written verbatim there; a decoded
            // or folded string is located as a whole, honestly.
            let outer = match node.text() {
                Some(t) if !encoded => t,
                _ => Text::new(text, node.span),
            };
            inner.relocate_into(&outer);
            Ok(Cow::Owned(inner))
        }
        _ => Ok(Cow::Borrowed(node)),
    }
}

/// `%XX` decoding (RFC 3986). `+` is kept: IAM encodes spaces as `%20`.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// `from_node` returns one diagnostic: the first error, saying how many
/// more there are (each is located; fixing the first reveals the next).
pub fn first_error(mut errors: Vec<Diagnostic>, span: Span) -> Diagnostic {
    let more = errors.len().saturating_sub(1);
    match errors.drain(..).next() {
        Some(mut d) => {
            if more > 0 {
                d.message = format!("{} (and {more} more error{})", d.message, if more == 1 { "" } else { "s" });
            }
            d
        }
        None => Diagnostic::at("invalid trust policy", span),
    }
}

#[cfg(test)]
mod tests;
