//! A JWT auth role as Vault stores it, and the rules Vault applies when it
//! is written (`pathRoleCreateUpdate`, V1 `path_role.go`): a role Vault
//! would refuse is an error located on the field, in Vault's words.

use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{Node, Value};
use crate::span::{Span, Spanned};
use crate::spelling::only_known_keys;

/// A role of the JWT auth method (V3 "Create/Update role").
#[derive(Clone, Debug, PartialEq)]
pub struct VaultRole {
    /// `jwt` or `oidc`; Vault's default when unset is `oidc` (V1).
    pub role_type: Spanned<String>,
    /// Any one must be in the token's `aud` (V1 `validateAudience`).
    pub bound_audiences: Vec<Spanned<String>>,
    /// Must equal `sub` exactly.
    pub bound_subject: Option<Spanned<String>>,
    pub bound_claims_type: ClaimsType,
    /// Every claim must match one of its values.
    pub bound_claims: Vec<BoundClaim>,
    /// Claim → metadata key; a claim that is present must be a string.
    pub claim_mappings: Vec<(Spanned<String>, Spanned<String>)>,
    /// The claim naming the entity alias; required.
    pub user_claim: Spanned<String>,
    pub user_claim_json_pointer: bool,
    pub groups_claim: Option<Spanned<String>>,
    /// `token_bound_cidrs` (or the deprecated `bound_cidrs`): login is
    /// allowed only from these source addresses.
    pub token_bound_cidrs: Vec<Spanned<String>>,
    pub span: Span,
}

/// `bound_claims_type` (V1: `string` is the default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimsType {
    /// Typed equality: a string claim never equals a number or a boolean.
    String,
    /// `ryanuber/go-glob`: `*` is the only wildcard and crosses `/` and `:`.
    Glob,
}

/// One `bound_claims` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundClaim {
    /// A claim name, or a JSON pointer when it starts with `/`.
    pub claim: Spanned<String>,
    pub values: Vec<Spanned<BoundValue>>,
}

/// A bound value with its JSON type, which `string` mode compares too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BoundValue {
    Str(String),
    /// As written (Vault keeps JSON numbers as `json.Number`).
    Num(String),
    Bool(bool),
}

impl std::fmt::Display for BoundValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BoundValue::Str(s) => write!(f, "\"{s}\""),
            BoundValue::Num(n) => f.write_str(n),
            BoundValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// Every field `vault read auth/jwt/role/NAME` prints, and those `vault
/// write` takes (V1 `pathRole` fields and `pathRoleRead`; the token fields
/// of Vault's `tokenutil`).
const ROLE_KEYS: &[&str] = &[
    "name",
    "role_type",
    "expiration_leeway",
    "not_before_leeway",
    "clock_skew_leeway",
    "bound_audiences",
    "bound_subject",
    "bound_claims_type",
    "bound_claims",
    "claim_mappings",
    "user_claim",
    "user_claim_json_pointer",
    "groups_claim",
    "allowed_redirect_uris",
    "oidc_scopes",
    "verbose_oidc_logging",
    "max_age",
    "token_bound_cidrs",
    "token_explicit_max_ttl",
    "token_max_ttl",
    "token_no_default_policy",
    "token_num_uses",
    "token_period",
    "token_policies",
    "token_type",
    "token_ttl",
    "policies",
    "bound_cidrs",
    "ttl",
    "max_ttl",
    "period",
    "num_uses",
];

/// Metadata keys a claim mapping may not write (V1 `reservedMetadata`).
const RESERVED_METADATA: &[&str] = &["role"];

impl VaultRole {
    /// Reads a role body and applies Vault's write-time rules.
    pub fn from_node(node: &Node, notes: &mut Vec<Diagnostic>) -> Result<VaultRole> {
        node.expect_map("the Vault role")?;
        only_known_keys(node, ROLE_KEYS, "the Vault role")?;
        let field = |key: &str| node.get(key).filter(|n| !n.is_null());
        let text = |key: &str| -> Result<Option<Spanned<String>>> {
            field(key).map(|n| n.expect_scalar(&format!("`{key}`"))).transpose()
        };

        // V1: `roleType == ""` becomes "oidc"; anything but jwt/oidc is refused.
        let role_type = text("role_type")?
            .filter(|t| !t.value.is_empty())
            .unwrap_or_else(|| Spanned::new("oidc".to_string(), node.span));
        if role_type.value != "jwt" && role_type.value != "oidc" {
            return Err(Diagnostic::at(format!("invalid 'role_type': {}", role_type.value), role_type.span));
        }

        let bound_claims_type = match text("bound_claims_type")? {
            None => ClaimsType::String,
            Some(t) => match t.value.as_str() {
                "string" => ClaimsType::String,
                "glob" => ClaimsType::Glob,
                other => return Err(Diagnostic::at(format!("invalid 'bound_claims_type': {other}"), t.span)),
            },
        };

        let mut bound_claims = Vec::new();
        if let Some(map) = field("bound_claims") {
            for e in map.expect_map("`bound_claims`")? {
                let values = bound_values(&e.value, bound_claims_type)?;
                bound_claims.push(BoundClaim { claim: e.key.clone(), values });
            }
        }

        let mut claim_mappings: Vec<(Spanned<String>, Spanned<String>)> = Vec::new();
        if let Some(map) = field("claim_mappings") {
            for e in map.expect_map("`claim_mappings`")? {
                let target = e.value.expect_scalar("a metadata key")?;
                if RESERVED_METADATA.contains(&target.value.as_str()) {
                    return Err(Diagnostic::at(
                        format!("metadata key {:?} is reserved and may not be a mapping destination", target.value),
                        target.span,
                    ));
                }
                if claim_mappings.iter().any(|(_, t)| t.value == target.value) {
                    return Err(Diagnostic::at(
                        format!("multiple keys are mapped to metadata key {:?}", target.value),
                        target.span,
                    ));
                }
                claim_mappings.push((e.key.clone(), target));
            }
        }

        let user_claim = match text("user_claim")?.filter(|u| !u.value.is_empty()) {
            Some(u) => u,
            None => {
                let at = field("user_claim").map_or(node.span, |n| n.span);
                return Err(Diagnostic::at("a user claim must be defined on the role", at));
            }
        };

        let redirect_uris = list(field("allowed_redirect_uris"), "`allowed_redirect_uris`")?;
        if role_type.value == "oidc" && redirect_uris.is_empty() {
            return Err(Diagnostic::at(
                "'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.",
                role_type.span,
            ));
        }

        let bound_audiences = list(field("bound_audiences"), "`bound_audiences`")?;
        let bound_subject = text("bound_subject")?.filter(|s| !s.value.is_empty());
        let mut token_bound_cidrs = list(field("token_bound_cidrs"), "`token_bound_cidrs`")?;
        if token_bound_cidrs.is_empty() {
            token_bound_cidrs = list(field("bound_cidrs"), "`bound_cidrs`")?;
        }
        // "OIDC verification will enforce that the audience match the
        // configured client_id. For other methods, require at least one
        // bound constraint." (V1)
        if role_type.value == "jwt"
            && bound_audiences.is_empty()
            && token_bound_cidrs.is_empty()
            && bound_subject.is_none()
            && bound_claims.is_empty()
        {
            return Err(Diagnostic::at(
                "must have at least one bound constraint when creating/updating a role",
                node.span,
            ));
        }

        let user_claim_json_pointer = match field("user_claim_json_pointer") {
            None => false,
            Some(n) => match n.value {
                Value::Bool(b) => b,
                _ => return Err(n.type_error("`user_claim_json_pointer`", "true or false")),
            },
        };
        if !user_claim_json_pointer && user_claim.value.starts_with('/') {
            notes.push(Diagnostic::warning(
                format!(
                    "`user_claim` {:?} is read as a claim name, not a JSON pointer: set `user_claim_json_pointer: true` for a pointer (V3)",
                    user_claim.value
                ),
                Some(user_claim.span),
            ));
        }

        Ok(VaultRole {
            role_type,
            bound_audiences,
            bound_subject,
            bound_claims_type,
            bound_claims,
            claim_mappings,
            user_claim,
            user_claim_json_pointer,
            groups_claim: text("groups_claim")?.filter(|g| !g.value.is_empty()),
            token_bound_cidrs,
            span: node.span,
        })
    }
}

/// A comma-separated string or a list (Vault's `TypeCommaStringSlice`).
fn list(node: Option<&Node>, what: &str) -> Result<Vec<Spanned<String>>> {
    let Some(node) = node else { return Ok(Vec::new()) };
    match &node.value {
        Value::String(s) => {
            let written = node.expect_text(what)?;
            let mut out = Vec::new();
            let mut at = 0;
            for part in s.split(',') {
                let trimmed = part.trim();
                if !trimmed.is_empty() {
                    let lead = part.len() - part.trim_start().len();
                    let span = written.span_of(at + lead, at + lead + trimmed.len());
                    out.push(Spanned::new(trimmed.to_string(), span));
                }
                at += part.len() + 1;
            }
            Ok(out)
        }
        _ => node.string_or_list(what),
    }
}

/// A `bound_claims` value: one scalar or a list (V1 `normalizeList`); in
/// `glob` mode every value must be a string (V1 "claim is not a string").
fn bound_values(node: &Node, kind: ClaimsType) -> Result<Vec<Spanned<BoundValue>>> {
    let items: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        Value::Map(_) | Value::Null if kind == ClaimsType::Glob => {
            return Err(Diagnostic::at(format!("claim is not a string or list: {}", node.to_json()), node.span));
        }
        // Vault stores it, and every login then fails (V1 `validateBoundClaims`).
        Value::Map(_) | Value::Null => {
            return Err(Diagnostic::at(
                format!(
                    "every login with this role would fail: \"bound claim is not a string, bool, int or list: {}\"",
                    node.to_json()
                ),
                node.span,
            ));
        }
        _ => vec![node],
    };
    let mut out = Vec::new();
    for item in items {
        let value = match &item.value {
            Value::String(s) => BoundValue::Str(s.clone()),
            Value::Number(n) => BoundValue::Num(n.clone()),
            Value::Bool(b) => BoundValue::Bool(*b),
            _ => return Err(Diagnostic::at(format!("claim is not a string: {}", item.to_json()), item.span)),
        };
        if kind == ClaimsType::Glob && !matches!(value, BoundValue::Str(_)) {
            return Err(Diagnostic::at(format!("claim is not a string: {value}"), item.span));
        }
        out.push(Spanned::new(value, item.span));
    }
    Ok(out)
}
