//! Resource blocks to trust configurations, one [`Unit`] per resource.

use super::expr::Converter;
use crate::doc::{Entry, Node, Value};
use crate::iac::{Trusts, Unit, Values};
use crate::span::{DocId, Span, Spanned};
use crate::verdict::Cloud;
use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

/// Reads every trust resource of a file's top-level body.
pub fn read(body: &Body, text: &str, doc: DocId, values: &Values) -> Trusts {
    let mut cx = Converter::new(text, doc, values);
    let mut units = Vec::new();
    // The policy documents the file defines: a role that references one
    // (`data.aws_iam_policy_document.X.json`) is judged through it.
    let documents: Vec<String> = body
        .get_blocks("data")
        .filter(|b| label(b, 0) == Some("aws_iam_policy_document"))
        .filter_map(|b| label(b, 1).map(str::to_string))
        .collect();
    let mut gcp_providers = Vec::new();
    let mut gcp_bindings = Vec::new();
    for block in body.blocks() {
        let (kind, Some(ty), Some(name)) = (block.ident.as_str(), label(block, 0), label(block, 1)) else { continue };
        let address = if kind == "data" { format!("data.{ty}.{name}") } else { format!("{ty}.{name}") };
        let span = cx.span(block.span());
        let unit = |cloud, node| Unit { address: address.clone(), cloud, node, span };
        match (kind, ty) {
            ("resource", "aws_iam_role") => {
                if let Some(node) = policy_attribute(&mut cx, block, &["assume_role_policy"], &documents) {
                    units.push(unit(Cloud::Aws, node));
                }
            }
            ("resource", "alicloud_ram_role") => {
                // `document` is the provider's older name for the policy.
                if let Some(node) = policy_attribute(&mut cx, block, &["assume_role_policy", "document"], &documents) {
                    units.push(unit(Cloud::Alibaba, node));
                }
            }
            ("data", "aws_iam_policy_document") => {
                if let Some(node) = super::policy_document::read(&mut cx, block)
                    && is_trust_policy(&node)
                {
                    units.push(unit(Cloud::Aws, node));
                }
            }
            ("resource", "azurerm_federated_identity_credential") => {
                let fields =
                    [("name", "name"), ("issuer", "issuer"), ("subject", "subject"), ("audience", "audiences")];
                units.push(unit(Cloud::Azure, attributes_map(&mut cx, block, &fields, span)));
            }
            ("resource", "azuread_application_federated_identity_credential") => {
                let fields = [
                    ("display_name", "name"),
                    ("issuer", "issuer"),
                    ("subject", "subject"),
                    ("audiences", "audiences"),
                    ("description", "description"),
                ];
                units.push(unit(Cloud::Azure, attributes_map(&mut cx, block, &fields, span)));
            }
            ("resource", "google_iam_workload_identity_pool_provider") => {
                let mut provider = attributes_map(
                    &mut cx,
                    block,
                    &[
                        ("attribute_mapping", "attributeMapping"),
                        ("attribute_condition", "attributeCondition"),
                        ("disabled", "disabled"),
                        ("display_name", "displayName"),
                        ("description", "description"),
                    ],
                    span,
                );
                if let Some(oidc) = block.body.get_blocks("oidc").next() {
                    let fields = [("issuer_uri", "issuerUri"), ("allowed_audiences", "allowedAudiences")];
                    let oidc_span = cx.span(oidc.span());
                    let node = attributes_map(&mut cx, oidc, &fields, oidc_span);
                    push(&mut provider, Spanned::new("oidc".into(), cx.span(oidc.ident.span())), node);
                }
                gcp_providers.push((address.clone(), provider, span));
            }
            ("resource", "google_service_account_iam_member" | "google_service_account_iam_binding") => {
                gcp_bindings.push(binding(&mut cx, block, span));
            }
            _ => {}
        }
    }
    // A provider and the service account bindings in the same file: the
    // bindings name the pool's identities, so with one provider they are
    // judged together; with several, each provider alone (which binding
    // belongs to which needs the references resolved).
    let single = gcp_providers.len() == 1;
    for (address, provider, span) in gcp_providers {
        let node = if single && !gcp_bindings.is_empty() {
            let policy = Node::new(
                Value::Map(vec![entry("bindings", span, Node::new(Value::Seq(gcp_bindings.clone()), span))]),
                span,
            );
            Node::new(Value::Map(vec![entry("provider", span, provider), entry("policy", span, policy)]), span)
        } else {
            provider
        };
        units.push(Unit { address, cloud: Cloud::Gcp, node, span });
    }
    Trusts { units, unknowns: cx.unknowns }
}

fn label(block: &Block, i: usize) -> Option<&str> {
    block.labels.get(i).map(|l| l.as_str())
}

fn entry(key: &str, span: Span, value: Node) -> Entry {
    Entry { key: Spanned::new(key.to_string(), span), value }
}

fn push(map: &mut Node, key: Spanned<String>, value: Node) {
    if let Value::Map(entries) = &mut map.value {
        entries.push(Entry { key, value });
    }
}

/// The block's attributes named in `fields` (`(terraform, as the cloud
/// spells it)`), as a mapping located at the block.
fn attributes_map(cx: &mut Converter, block: &Block, fields: &[(&str, &str)], span: Span) -> Node {
    let mut entries = Vec::new();
    for (tf, cloud) in fields {
        if let Some(attr) = block.body.get_attribute(tf) {
            let key = Spanned::new((*cloud).to_string(), cx.span(attr.key.span()));
            entries.push(Entry { key, value: cx.value(&attr.value, false) });
        }
    }
    Node::new(Value::Map(entries), span)
}

/// `google_service_account_iam_member`/`_binding` as an IAM policy binding
/// (`{role, members, condition: {expression}}`).
fn binding(cx: &mut Converter, block: &Block, span: Span) -> Node {
    let mut b = attributes_map(cx, block, &[("role", "role"), ("members", "members")], span);
    if let Some(attr) = block.body.get_attribute("member") {
        let member = cx.value(&attr.value, false);
        let members = Node::new(Value::Seq(vec![member]), cx.span(attr.span()));
        push(&mut b, Spanned::new("members".into(), cx.span(attr.key.span())), members);
    }
    if let Some(c) = block.body.get_blocks("condition").next() {
        let c_span = cx.span(c.span());
        let node = attributes_map(cx, c, &[("expression", "expression")], c_span);
        push(&mut b, Spanned::new("condition".into(), cx.span(c.ident.span())), node);
    }
    b
}

/// A trust policy attribute: `jsonencode({...})`, a heredoc or string of
/// JSON, or a reference to a policy document of this file (judged as its
/// own unit, so `None` here). Anything else is unknown.
fn policy_attribute(cx: &mut Converter, block: &Block, names: &[&str], documents: &[String]) -> Option<Node> {
    let attr = names.iter().find_map(|n| block.body.get_attribute(n))?;
    let e = &attr.value;
    match e {
        Expression::FuncCall(call) if call.name.name.as_str() == "jsonencode" && call.args.len() == 1 => {
            let arg = call.args.iter().next()?;
            Some(cx.value(arg, false))
        }
        Expression::HeredocTemplate(_) | Expression::String(_) | Expression::StringTemplate(_) => {
            super::policy_document::json_text(cx, e)
        }
        Expression::Traversal(t) if references_document(t, documents) => None,
        _ => {
            let why = super::expr::why(e);
            Some(cx.unknown(e, why, false))
        }
    }
}

/// `data.aws_iam_policy_document.NAME.json` for a document of this file.
fn references_document(t: &hcl_edit::expr::Traversal, documents: &[String]) -> bool {
    use hcl_edit::expr::TraversalOperator;
    let names: Vec<&str> = t
        .operators
        .iter()
        .filter_map(|op| match op.value() {
            TraversalOperator::GetAttr(i) => Some(i.as_str()),
            _ => None,
        })
        .collect();
    matches!(&t.expr, Expression::Variable(v) if v.as_str() == "data")
        && matches!(names.as_slice(), ["aws_iam_policy_document", name, "json"] if documents.iter().any(|d| d == name))
}

/// A policy document that governs who may assume a role: a statement with
/// a principal or an `sts:AssumeRole…` action (permission policies, which
/// documents also write, have neither).
fn is_trust_policy(policy: &Node) -> bool {
    let statements = policy.get("Statement").and_then(Node::items).unwrap_or_default();
    statements.iter().any(|s| {
        s.get("Principal").is_some()
            || s.get("NotPrincipal").is_some()
            || s.get("Action").is_some_and(|a| a.any_text(&|t| t.to_ascii_lowercase().starts_with("sts:assumerole")))
    })
}
