//! Reading the GCP input forms:
//!
//! - a bare provider, as `gcloud iam workload-identity-pools providers
//!   describe --format=json|yaml` prints it (fields per the IAM v1
//!   WorkloadIdentityPoolProvider resource, research P1);
//! - a section `{provider: …, members: […] | policy: {bindings: […]}, access: …}`,
//!   where members are strings or an IAM policy (`gcloud iam service-accounts
//!   get-iam-policy --format=json`).

use super::cel;
use super::{AccessRoute, GcpConfig, Member, WorkloadIdentityProvider};
use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{Node, Text, Value};
use crate::span::Spanned;
use crate::spelling::check_keys;

/// P1: "The maximum length of an attribute mapping expression is 2048 characters."
pub const MAX_MAPPING_CHARS: usize = 2048;
/// P1: "The maximum length of the attribute condition expression is 4096 characters."
pub const MAX_CONDITION_CHARS: usize = 4096;
/// P1: "You can define a maximum of 50 custom attributes."
pub const MAX_CUSTOM_ATTRIBUTES: usize = 50;
/// P1: "The maximum length of a mapped attribute key is 100 characters, and
/// the key may only contain the characters [a-z0-9_]."
pub const MAX_ATTRIBUTE_KEY_CHARS: usize = 100;

/// P1 Oidc.allowedAudiences limits.
pub const MAX_AUDIENCES: usize = 10;
pub const MAX_AUDIENCE_CHARS: usize = 256;

const SECTION_KEYS: &[&str] = &["provider", "members", "policy", "access"];
/// Fields of the describe output (P1), all accepted; only some are used.
const PROVIDER_KEYS: &[&str] = &[
    "name",
    "displayName",
    "description",
    "state",
    "disabled",
    "attributeMapping",
    "attributeCondition",
    "oidc",
    "saml",
    "aws",
    "x509",
    "expireTime",
];
const OIDC_KEYS: &[&str] = &["issuerUri", "allowedAudiences", "jwksJson"];
const POLICY_KEYS: &[&str] = &["bindings", "etag", "version", "auditConfigs"];
const BINDING_KEYS: &[&str] = &["role", "members", "condition"];

fn first_error(node: &Node, known: &[&str], what: &str) -> Result<()> {
    let mut errors = Vec::new();
    // `Node::get` reads the first of two equal keys; which one Google keeps is
    // undocumented, so a repeated field is refused.
    let entries = node.entries().unwrap_or_default();
    for (i, e) in entries.iter().enumerate() {
        if entries.iter().take(i).any(|p| p.key.value == e.key.value) {
            errors.push(Diagnostic::at(format!("`{}` appears twice in {what}; keep one", e.key.value), e.key.span));
        }
    }
    check_keys(node, known, what, &mut errors);
    errors.into_iter().next().map_or(Ok(()), Err)
}

/// The whole GCP input.
pub fn config_from_node(node: &Node) -> Result<GcpConfig> {
    node.expect_map("the GCP section")?;
    let Some(p) = node.get("provider") else {
        // A bare provider (describe output): no members to match.
        let provider = provider_from_node(node)?;
        return Ok(GcpConfig { provider, members: Vec::new(), members_given: false, access: AccessRoute::default() });
    };
    first_error(node, SECTION_KEYS, "the GCP section")?;
    let provider = provider_from_node(p)?;
    let mut members = Vec::new();
    let mut members_given = false;
    if let Some(m) = node.get("members") {
        members_given = true;
        members.extend(members_from_node(m)?);
    }
    if let Some(p) = node.get("policy") {
        members_given = true;
        members.extend(policy_members(p)?);
    }
    let access = match node.get("access") {
        None => AccessRoute::default(),
        Some(a) => match a.expect_str("`access`")? {
            "service_account" => AccessRoute::ServiceAccount,
            "direct" => AccessRoute::Direct,
            other => {
                return Err(Diagnostic::at(
                    format!("`access` must be `service_account` or `direct`, found `{other}`"),
                    a.span,
                ));
            }
        },
    };
    Ok(GcpConfig { provider, members, members_given, access })
}

/// `members`: a list of member strings, or an IAM policy object.
fn members_from_node(node: &Node) -> Result<Vec<Member>> {
    if node.entries().is_some() {
        return policy_members(node);
    }
    let items = node.expect_seq("`members`")?;
    items.iter().map(|n| Ok(Member { text: n.expect_scalar("a member")?, role: None, condition: None })).collect()
}

/// `{bindings: [{role, members: [...]}]}` (IAM Policy JSON).
fn policy_members(node: &Node) -> Result<Vec<Member>> {
    node.expect_map("an IAM policy")?;
    first_error(node, POLICY_KEYS, "the IAM policy")?;
    let mut out = Vec::new();
    let Some(bindings) = node.get("bindings") else {
        return Ok(out);
    };
    for b in bindings.expect_seq("`bindings`")? {
        b.expect_map("a binding")?;
        first_error(b, BINDING_KEYS, "a binding")?;
        let role =
            b.get("role").ok_or_else(|| Diagnostic::at("a binding needs a `role`", b.span))?.expect_scalar("`role`")?;
        let condition = match b.get("condition").filter(|c| !c.is_null()) {
            None => None,
            Some(c) => Some(
                c.get("expression")
                    .ok_or_else(|| Diagnostic::at("a binding condition needs an `expression`", c.span))?
                    .expect_scalar("the condition `expression`")?,
            ),
        };
        let Some(ms) = b.get("members") else { continue };
        for m in ms.string_or_list("a member")? {
            out.push(Member { text: m, role: Some(role.clone()), condition: condition.clone() });
        }
    }
    Ok(out)
}

/// One provider (describe output fields, P1).
pub fn provider_from_node(node: &Node) -> Result<WorkloadIdentityProvider> {
    node.expect_map("the provider")?;
    first_error(node, PROVIDER_KEYS, "the provider")?;
    let text = |k: &str| node.get(k).filter(|n| !n.is_null()).map(|n| n.expect_scalar(&format!("`{k}`"))).transpose();
    let name = text("name")?;
    let state = text("state")?;
    let disabled = match node.get("disabled") {
        None => false,
        Some(n) => match &n.value {
            Value::Bool(b) => *b,
            Value::Null => false,
            _ => return Err(n.type_error("`disabled`", "a boolean")),
        },
    };
    let mut issuer_uri = None;
    let mut allowed_audiences = Vec::new();
    if let Some(o) = node.get("oidc").filter(|n| !n.is_null()) {
        o.expect_map("`oidc`")?;
        first_error(o, OIDC_KEYS, "`oidc`")?;
        issuer_uri = o.get("issuerUri").map(|n| n.expect_scalar("`issuerUri`")).transpose()?;
        if let Some(a) = o.get("allowedAudiences").filter(|n| !n.is_null()) {
            allowed_audiences = a.string_or_list("an allowed audience")?;
            // P1 Oidc.allowedAudiences: "Each audience may be at most 256
            // characters. A maximum of 10 audiences may be configured."
            if allowed_audiences.len() > MAX_AUDIENCES {
                return Err(Diagnostic::refused(
                    format!("{} allowed audiences; the limit is {MAX_AUDIENCES} (P1)", allowed_audiences.len()),
                    a.span,
                ));
            }
            if let Some(long) = allowed_audiences.iter().find(|x| x.value.chars().count() > MAX_AUDIENCE_CHARS) {
                return Err(Diagnostic::refused(
                    format!("an allowed audience may be at most {MAX_AUDIENCE_CHARS} characters (P1)"),
                    long.span,
                ));
            }
        }
    }
    let attribute_mapping = match node.get("attributeMapping").filter(|n| !n.is_null()) {
        None => Vec::new(),
        Some(m) => mapping_from_node(m)?,
    };
    validate_mapping(&attribute_mapping, node)?;
    // A proto3 string's default is "" (protobuf language guide, "Default
    // Values"), so an empty condition is an unspecified one (P1: "If
    // unspecified, all valid authentication credential are accepted").
    let attribute_condition = match node.get("attributeCondition").filter(|n| !n.is_null() && n.as_str() != Some("")) {
        None => None,
        Some(c) => {
            let c = c.expect_text("`attributeCondition`")?;
            check_cel(&c, MAX_CONDITION_CHARS, "the attribute condition")?;
            Some(c)
        }
    };
    Ok(WorkloadIdentityProvider {
        name,
        issuer_uri,
        allowed_audiences,
        attribute_mapping,
        attribute_condition,
        disabled,
        state,
        span: node.span,
    })
}

/// A mapping object, or gcloud's flag form
/// `google.subject=assertion.sub,attribute.repository=assertion.repository`.
fn mapping_from_node(node: &Node) -> Result<Vec<(Spanned<String>, Text)>> {
    if let Some(entries) = node.entries() {
        return entries.iter().map(|e| Ok((e.key.clone(), e.value.expect_text("a mapping expression")?))).collect();
    }
    let s = node.expect_text("`attributeMapping`")?;
    let mut out = Vec::new();
    for (start, end) in split_top_level(&s.value) {
        let piece = s.value.get(start..end).unwrap_or("");
        let Some(eq) = piece.find('=') else {
            return Err(Diagnostic::at("expected KEY=EXPRESSION", s.span_of(start, end)));
        };
        let key = s.part(start, start + eq);
        let value = s.part(start + eq + 1, end);
        out.push((Spanned::new(key.value.trim().to_string(), key.span), value));
    }
    Ok(out)
}

/// Byte ranges of the comma-separated parts, ignoring commas inside quotes
/// and brackets (gcloud's dict flag would split those too; a CEL expression
/// with a comma needs the JSON/YAML form).
fn split_top_level(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < s.len() {
        out.push((start, s.len()));
    }
    out
}

/// Creation-time rules of the attribute mapping (P1): Google refuses to
/// create or update a provider that breaks one ([`Diagnostic::refused`]).
/// A key given twice is a reading problem (the API's map cannot hold it).
fn validate_mapping(mapping: &[(Spanned<String>, Text)], node: &Node) -> Result<()> {
    let mut custom = 0;
    for (i, (k, v)) in mapping.iter().enumerate() {
        // attributeMapping is a map (P1): a key given twice has no defined value.
        if mapping.iter().take(i).any(|(p, _)| p.value == k.value) {
            return Err(Diagnostic::at(format!("`{}` is mapped twice; keep one", k.value), k.span));
        }
        match k.value.as_str() {
            "google.subject" | "google.groups" | "google.display_name" => {}
            key => {
                let Some(name) = key.strip_prefix("attribute.") else {
                    return Err(Diagnostic::refused(
                        format!(
                            "unknown mapped attribute `{key}`: use google.subject, google.groups or attribute.NAME"
                        ),
                        k.span,
                    ));
                };
                custom += 1;
                let valid = !name.is_empty()
                    && name.len() <= MAX_ATTRIBUTE_KEY_CHARS
                    && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if !valid {
                    return Err(Diagnostic::refused(
                        format!(
                            "attribute name `{name}` must be 1-{MAX_ATTRIBUTE_KEY_CHARS} characters of [a-z0-9_] (P1)"
                        ),
                        k.span,
                    ));
                }
            }
        }
        check_cel(v, MAX_MAPPING_CHARS, &format!("the mapping for `{}`", k.value))?;
    }
    if custom > MAX_CUSTOM_ATTRIBUTES {
        return Err(Diagnostic::refused(
            format!("{custom} custom attributes; the limit is {MAX_CUSTOM_ATTRIBUTES} (P1)"),
            node.span,
        ));
    }
    // P1: "For OIDC providers, you must supply a custom mapping that includes
    // the google.subject attribute."
    if !mapping.iter().any(|(k, _)| k.value == "google.subject") {
        let span = node.get("attributeMapping").map_or(node.span, |n| n.span);
        return Err(Diagnostic::refused("the attribute mapping must map `google.subject` (P1)", span));
    }
    Ok(())
}

/// Length limit and syntax, as the IAM API checks them when the provider is
/// created (creation-time refusals: such a provider cannot exist); the
/// error points into the expression.
fn check_cel(expr: &Text, max: usize, what: &str) -> Result<()> {
    let chars = expr.value.chars().count();
    if chars > max {
        return Err(Diagnostic::refused(format!("{what} is {chars} characters; the limit is {max} (P1)"), expr.span));
    }
    cel::parse(&expr.value).map(|_| ()).map_err(|e| {
        Diagnostic::refused(
            format!("invalid CEL in {what}: {}", e.message),
            expr.span_of(e.start, e.end.max(e.start + 1)),
        )
    })
}
