//! HashiCorp Vault's JWT auth method: a `jwt` role of
//! `vault-plugin-auth-jwt` judging a GitHub token at `auth/jwt/login`, in
//! the plugin's order of checks (V1 `path_login.go`): the mount's
//! `bound_issuer`, the role's `bound_subject` and `bound_audiences`, the
//! rule that a role without audiences refuses any token that has one, the
//! `user_claim` and `claim_mappings`, then `bound_claims` (`string` or
//! `glob`, V1 `claims.go`). A role Vault would refuse to write is a located
//! configuration error with Vault's own message (V1 `path_role.go`).
//!
//! Sources: V1 (the plugin's code), V3 (the JWT auth API reference), V2
//! (GitHub's guide).

mod evaluate;
mod role;

pub use evaluate::evaluate;
pub use role::{BoundClaim, BoundValue, ClaimsType, VaultRole};

use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Node};
use crate::span::{DocId, Span, Spanned};
use crate::spelling::{check_keys, only_known_keys};

/// The Vault section: one JWT auth role and, optionally, the auth method's
/// configuration (`auth/jwt/config`, for `bound_issuer`).
#[derive(Clone, Debug, PartialEq)]
pub struct VaultConfig {
    /// The role's name, when given (the login path's last segment).
    pub name: Option<Spanned<String>>,
    pub role: VaultRole,
    /// The mount's `bound_issuer` (V3 "Configure"): the only `iss` it
    /// accepts. `None` when not given or empty: no issuer check.
    pub bound_issuer: Option<Spanned<String>>,
    /// The mount's `oidc_discovery_url` or `jwks_url`, when given: the
    /// keys it verifies signatures with.
    pub key_source: Option<Spanned<String>>,
    /// Whether the section gave the auth method's configuration at all.
    pub config_given: bool,
    pub notes: Vec<Diagnostic>,
    pub span: Span,
}

/// The keys of the Vault section when it holds a role and the mount's
/// configuration.
const SECTION_KEYS: &[&str] = &["name", "role", "config"];

/// The fields of `auth/jwt/config` as `vault read auth/jwt/config` prints
/// them (V3 "Configure").
const CONFIG_KEYS: &[&str] = &[
    "bound_issuer",
    "oidc_discovery_url",
    "oidc_discovery_ca_pem",
    "oidc_client_id",
    "oidc_client_secret",
    "oidc_response_mode",
    "oidc_response_types",
    "jwks_url",
    "jwks_ca_pem",
    "jwks_pairs",
    "jwt_validation_pubkeys",
    "jwt_supported_algs",
    "default_role",
    "provider_config",
    "namespace_in_state",
    "unsupported_critical_cert_extensions",
];

/// The envelope `vault read -format=json` prints around a response's data.
const READ_ENVELOPE_KEYS: &[&str] =
    &["request_id", "lease_id", "lease_duration", "renewable", "data", "warnings", "wrap_info", "auth", "mount_type"];

impl VaultConfig {
    /// Reads the Vault section: a role as `vault read auth/jwt/role/NAME
    /// -format=json` prints it (the `data` envelope), the role's body as
    /// written to `vault write`, or `{name, role, config}` with the mount's
    /// configuration (either form) beside it.
    pub fn from_node(node: &Node) -> Result<VaultConfig> {
        node.expect_map("the Vault section")?;
        let mut notes = Vec::new();
        let (name, role_node, config_node) = if node.get("role").is_some_and(|r| r.entries().is_some()) {
            only_known_keys(node, SECTION_KEYS, "the Vault section")?;
            let name = match node.get("name").filter(|n| !n.is_null()) {
                Some(n) => Some(n.expect_scalar("`name` (the role's name)")?),
                None => None,
            };
            (name, node.get("role").unwrap_or(node), node.get("config").filter(|n| !n.is_null()))
        } else {
            (None, node, None)
        };
        let role = VaultRole::from_node(unwrap_read(role_node, "the role")?, &mut notes)?;
        let mut config = VaultConfig {
            name,
            role,
            bound_issuer: None,
            key_source: None,
            config_given: config_node.is_some(),
            notes,
            span: node.span,
        };
        if let Some(c) = config_node {
            let c = unwrap_read(c, "`config` (auth/jwt/config)")?;
            c.expect_map("`config` (auth/jwt/config)")?;
            only_known_keys(c, CONFIG_KEYS, "`config` (auth/jwt/config)")?;
            let text = |key: &str| -> Result<Option<Spanned<String>>> {
                match c.get(key).filter(|n| !n.is_null()) {
                    Some(n) => Ok(Some(n.expect_scalar(&format!("`{key}`"))?).filter(|s| !s.value.is_empty())),
                    None => Ok(None),
                }
            };
            config.bound_issuer = text("bound_issuer")?;
            config.key_source = match text("oidc_discovery_url")? {
                Some(url) => Some(url),
                None => text("jwks_url")?,
            };
        }
        Ok(config)
    }

    /// Parses the text of the Vault editor / file (JSON or YAML).
    pub fn from_text(text: &str) -> Result<VaultConfig> {
        Self::from_node(&doc::parse(text, DocId::Vault)?)
    }
}

/// The response's `data` when `node` is `vault read -format=json` output,
/// else `node`.
fn unwrap_read<'a>(node: &'a Node, what: &str) -> Result<&'a Node> {
    node.expect_map(what)?;
    match node.get("data").filter(|d| d.entries().is_some()) {
        Some(data) if node.get("request_id").is_some() || node.get("lease_id").is_some() => {
            let mut errors = Vec::new();
            check_keys(node, READ_ENVELOPE_KEYS, &format!("the `vault read` output of {what}"), &mut errors);
            match errors.into_iter().next() {
                Some(e) => Err(e),
                None => Ok(data),
            }
        }
        _ => Ok(node),
    }
}

impl crate::cloud_module::TrustConfig for VaultConfig {
    fn notes(&self) -> &[Diagnostic] {
        &self.notes
    }
}

/// Vault's parser and evaluator, for [`crate::clouds::Clouds`].
pub static MODULE: crate::cloud_module::CloudModule<VaultConfig> =
    crate::cloud_module::CloudModule { from_node: VaultConfig::from_node, from_text: VaultConfig::from_text, evaluate };

#[cfg(test)]
mod tests;
