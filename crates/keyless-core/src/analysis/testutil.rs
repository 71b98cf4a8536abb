//! Test-only builders: model types from JSON/YAML text with real spans, so
//! rule tests do not depend on the cloud parsers (written in parallel).
//! These are deliberately minimal readers of the documented shapes, not
//! parsers to ship.

use crate::alibaba::AlibabaConfig;
use crate::aws::AwsConfig;
use crate::azure::{AzureConfig, FederatedCredential, FlexibleExpression, MatchOp, Term};
use crate::doc::{self, Node};
use crate::gcp::{GcpConfig, Member, WorkloadIdentityProvider};
use crate::iam_policy::{BaseOperator, Condition, Effect, Operator, Principal, SetQualifier, Statement, TrustPolicy};
use crate::span::{DocId, Spanned};

pub fn operator(name: &str) -> Operator {
    let (set, rest) = match name.split_once(':') {
        Some(("ForAllValues", r)) => (Some(SetQualifier::ForAllValues), r),
        Some(("ForAnyValue", r)) => (Some(SetQualifier::ForAnyValue), r),
        _ => (None, name),
    };
    let (rest, if_exists) = match rest.strip_suffix("IfExists") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let base = match rest {
        "StringEquals" => BaseOperator::StringEquals,
        "StringNotEquals" => BaseOperator::StringNotEquals,
        "StringEqualsIgnoreCase" => BaseOperator::StringEqualsIgnoreCase,
        "StringNotEqualsIgnoreCase" => BaseOperator::StringNotEqualsIgnoreCase,
        "StringLike" => BaseOperator::StringLike,
        "StringNotLike" => BaseOperator::StringNotLike,
        "Null" => BaseOperator::Null,
        "Bool" => BaseOperator::Bool,
        other => BaseOperator::Other(other.to_string()),
    };
    Operator { base, set, if_exists }
}

fn strings(n: &Node) -> Vec<Spanned<String>> {
    n.string_or_list("value").unwrap()
}

pub fn policy(text: &str, doc_id: DocId) -> TrustPolicy {
    let root = doc::parse(text, doc_id).unwrap();
    let stmts = root.get("Statement").unwrap();
    let list: Vec<&Node> = match stmts.items() {
        Some(items) => items.iter().collect(),
        None => vec![stmts],
    };
    let statements = list
        .into_iter()
        .map(|s| {
            let effect_node = s.get("Effect").unwrap();
            let effect = if effect_node.as_str() == Some("Deny") { Effect::Deny } else { Effect::Allow };
            let principal = s.get("Principal").map(|p| Principal {
                wildcard: p.as_str() == Some("*"),
                federated: p.get("Federated").map(strings).unwrap_or_default(),
                other: Vec::new(),
                span: p.span,
            });
            let mut conditions = Vec::new();
            for op in s.get("Condition").and_then(Node::entries).unwrap_or_default() {
                for k in op.value.entries().unwrap_or_default() {
                    conditions.push(Condition {
                        operator: Spanned::new(operator(&op.key.value), op.key.span),
                        key: k.key.clone(),
                        values: strings(&k.value),
                        span: op.key.span.to(k.value.span),
                    });
                }
            }
            Statement {
                sid: None,
                effect: Spanned::new(effect, effect_node.span),
                principal,
                not_principal: None,
                actions: s.get("Action").map(strings).unwrap_or_default(),
                not_actions: Vec::new(),
                conditions,
                span: s.span,
            }
        })
        .collect();
    TrustPolicy { version: root.get("Version").and_then(Node::spanned_text), statements, span: root.span }
}

pub fn aws(text: &str) -> AwsConfig {
    AwsConfig { trust_policy: policy(text, DocId::Aws), providers: Vec::new() }
}

pub fn alibaba(text: &str) -> AlibabaConfig {
    AlibabaConfig { trust_policy: policy(text, DocId::Alibaba), provider: None }
}

/// `claims['x'] op 'y' and …`, with spans computed inside the value.
fn expression(n: &Node) -> FlexibleExpression {
    let value = n.get("value").unwrap();
    let text = value.as_str().unwrap().to_string();
    // Offsets into the JSON string: +1 for the opening quote (no escapes in tests).
    let base = value.span.sub(1, text.len() + 1);
    let mut terms = Vec::new();
    let mut offset = 0;
    for part in text.split(" and ") {
        let claim_start = part.find("['").unwrap() + 2;
        let claim_end = part.find("']").unwrap();
        let rest = &part[claim_end + 3..];
        let (op, op_len) = if rest.starts_with("matches") { (MatchOp::Matches, 7) } else { (MatchOp::Eq, 2) };
        let operand_start = claim_end + 3 + op_len + 2;
        let operand_end = part.len() - 1;
        let at = |a: usize, b: usize| base.sub(offset + a, offset + b);
        terms.push(Term {
            claim: Spanned::new(part[claim_start..claim_end].to_string(), at(claim_start, claim_end)),
            op: Spanned::new(op, at(claim_end + 3, claim_end + 3 + op_len)),
            operand: Spanned::new(part[operand_start..operand_end].to_string(), at(operand_start, operand_end)),
            span: at(0, part.len()),
        });
        offset += part.len() + 5;
    }
    FlexibleExpression { text: Spanned::new(text, base), language_version: None, terms }
}

pub fn azure(text: &str) -> AzureConfig {
    let root = doc::parse(text, DocId::Azure).unwrap();
    let credentials = root
        .items()
        .unwrap()
        .iter()
        .map(|c| FederatedCredential {
            name: c.get("name").and_then(Node::spanned_text),
            issuer: c.get("issuer").unwrap().spanned_text().unwrap(),
            subject: c.get("subject").and_then(Node::spanned_text),
            audiences: c.get("audiences").map(strings).unwrap_or_default(),
            expression: c.get("claimsMatchingExpression").map(expression),
            span: c.span,
        })
        .collect();
    AzureConfig { credentials, diagnostics: Vec::new() }
}

pub fn gcp(text: &str) -> GcpConfig {
    let root = doc::parse(text, DocId::Gcp).unwrap();
    let p = root.get("provider").unwrap();
    let provider = WorkloadIdentityProvider {
        name: p.get("name").and_then(Node::spanned_text),
        issuer_uri: p.get("oidc").and_then(|o| o.get("issuerUri")).and_then(Node::spanned_text),
        allowed_audiences: p.get("oidc").and_then(|o| o.get("allowedAudiences")).map(strings).unwrap_or_default(),
        attribute_mapping: p
            .get("attributeMapping")
            .and_then(Node::entries)
            .unwrap_or_default()
            .iter()
            .map(|e| (e.key.clone(), e.value.spanned_text().unwrap()))
            .collect(),
        attribute_condition: p.get("attributeCondition").and_then(Node::spanned_text),
        disabled: false,
        span: p.span,
    };
    let members = root
        .get("members")
        .and_then(Node::items)
        .unwrap_or_default()
        .iter()
        .map(|m| Member { text: m.spanned_text().unwrap(), role: None })
        .collect();
    GcpConfig { provider, members }
}
