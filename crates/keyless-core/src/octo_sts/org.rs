//! The organization around an octo-sts trust policy (O4, octo-sts/app
//! @cb87fc1 README "Organization Trusted Token Issuers", `octosts.go`
//! `lookupInstallAndTrustPolicy`, `org_trusted_issuers.go`,
//! `org_trusted_issuers_store.go`): where the policy is read from (the
//! exchange's scope) and the organization's issuer allowlist, checked
//! before the trust policy.

use crate::diagnostic::{Diagnostic, Result};
use crate::doc::Node;
use crate::span::{Span, Spanned};
use crate::spelling::only_known_keys;
use regex_lite::Regex;

/// The repository that holds organization-level policies and the
/// allowlist: `ORG_POLICY_REPO`, `.github` by default (O4).
pub const ORG_POLICY_REPO: &str = ".github";

/// The exchange's `scope`: `OWNER/REPO`, or `OWNER` for the organization.
#[derive(Clone, Debug, PartialEq)]
pub struct Scope {
    pub owner: String,
    /// `None`: organization-level (`scope: OWNER`).
    pub repo: Option<String>,
    pub span: Span,
}

impl Scope {
    pub fn parse(text: Spanned<String>) -> Result<Scope> {
        let (owner, repo) = match text.value.split_once('/') {
            Some((o, r)) => (o.to_string(), Some(r.to_string())),
            None => (text.value.clone(), None),
        };
        if owner.is_empty() || repo.as_deref().is_some_and(|r| r.is_empty() || r.contains('/')) {
            return Err(Diagnostic::at(
                "`scope` must be OWNER/REPO, or OWNER for an organization-level policy",
                text.span,
            ));
        }
        Ok(Scope { owner, repo, span: text.span })
    }

    /// `lookupInstallAndTrustPolicy`: `scope: OWNER` reads the policy from
    /// the policy repository, and a policy in that repository is read as an
    /// organization-level one (with `repositories`) even when named
    /// explicitly (O4).
    pub fn is_org_level(&self) -> bool {
        self.repo.as_deref().is_none_or(|r| r == ORG_POLICY_REPO)
    }

    /// The file octo-sts reads the policy `identity` from.
    pub fn policy_path(&self, identity: &str) -> String {
        let repo = self.repo.as_deref().unwrap_or(ORG_POLICY_REPO);
        format!("{}/{repo}/.github/chainguard/{identity}.sts.yaml", self.owner)
    }
}

/// `mode` of `trusted-token-issuers.yaml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The default: an issuer the list does not permit is refused.
    Enforce,
    /// Permitted, and recorded as one the list would refuse.
    Audit,
}

/// The organization's `.github/chainguard/trusted-token-issuers.yaml`, as
/// `OrgTrustedIssuers.Compile` accepts it.
#[derive(Clone, Debug)]
pub struct IssuerAllowlist {
    pub mode: Mode,
    pub issuers: Vec<Spanned<String>>,
    pub patterns: Vec<(Spanned<String>, Regex)>,
    pub span: Span,
}

impl PartialEq for IssuerAllowlist {
    fn eq(&self, other: &IssuerAllowlist) -> bool {
        self.mode == other.mode
            && self.issuers == other.issuers
            && self.patterns.iter().map(|p| &p.0).eq(other.patterns.iter().map(|p| &p.0))
    }
}

/// `org_trusted_issuers.go`'s limits.
const MAX_ISSUERS: usize = 64;
const MAX_ISSUER_PATTERNS: usize = 16;
const MAX_PATTERN_LEN: usize = 256;
/// Keyless's budget for a compiled pattern (the octo-sts policy patterns').
const MAX_REGEX_PROGRAM_BYTES: usize = 16 * 1024;

/// Where the allowlist matched the issuer, for the trace.
pub enum Permit<'a> {
    Issuer(&'a Spanned<String>),
    Pattern(&'a Spanned<String>),
}

impl IssuerAllowlist {
    /// Reads the file's fields; errors are `Compile`'s, which octo-sts
    /// answers for the whole organization with "organization trusted-issuer
    /// configuration is invalid" unless it still holds a last known good
    /// list (O4). Not modelled: `oidcvalidate.IsValidIssuer` and the
    /// rejection of patterns that can match `/` (docs/limits.md).
    pub fn parse(node: &Node) -> Result<IssuerAllowlist> {
        let invalid = |why: String, span: Span| {
            Diagnostic::at(
                format!(
                    "organization trusted-issuer configuration is invalid: {why} (octo-sts then serves its last known good allowlist, or rejects every exchange in the organization)"
                ),
                span,
            )
        };
        node.expect_map("`trusted_issuers`")?;
        only_known_keys(node, &["mode", "issuers", "issuer_patterns"], "`trusted_issuers`")?;
        let mode = match node.get("mode").filter(|n| !n.is_null()).map(|n| n.expect_scalar("`mode`")).transpose()? {
            None => Mode::Enforce,
            Some(m) if m.value.is_empty() || m.value == "enforce" => Mode::Enforce,
            Some(m) if m.value == "audit" => Mode::Audit,
            Some(m) => {
                return Err(invalid(format!("unknown mode {:?} (want \"enforce\" or \"audit\")", m.value), m.span));
            }
        };
        let list = |key: &str| match node.get(key).filter(|n| !n.is_null()) {
            Some(n) => n.string_or_list("an issuer"),
            None => Ok(Vec::new()),
        };
        let issuers = list("issuers")?;
        let texts = list("issuer_patterns")?;
        if issuers.is_empty() && texts.is_empty() {
            return Err(invalid("must list at least one entry in issuers or issuer_patterns".into(), node.span));
        }
        if issuers.len() > MAX_ISSUERS {
            return Err(invalid(format!("too many issuers: {} (max {MAX_ISSUERS})", issuers.len()), node.span));
        }
        if texts.len() > MAX_ISSUER_PATTERNS {
            return Err(invalid(
                format!("too many issuer_patterns: {} (max {MAX_ISSUER_PATTERNS})", texts.len()),
                node.span,
            ));
        }
        for iss in &issuers {
            let scheme_and_host = match iss.value.split_once("://") {
                Some((scheme, rest)) => {
                    format!("{scheme}://{}", rest.split_once('/').map_or(rest, |(host, _)| host))
                }
                None => iss.value.clone(),
            };
            if scheme_and_host != scheme_and_host.to_lowercase() {
                return Err(invalid(format!("issuer {:?} must be lowercase in scheme and host", iss.value), iss.span));
            }
        }
        let mut patterns = Vec::new();
        for (i, p) in texts.into_iter().enumerate() {
            if p.value.len() > MAX_PATTERN_LEN {
                return Err(invalid(
                    format!("issuer_patterns[{i}] too long: {} chars (max {MAX_PATTERN_LEN})", p.value.len()),
                    p.span,
                ));
            }
            // `Compile`: the pattern in a group, anchored at both ends.
            let regex = regex_lite::RegexBuilder::new(&format!("^(?:{})$", p.value))
                .size_limit(MAX_REGEX_PROGRAM_BYTES)
                .nest_limit(64)
                .build()
                .map_err(|e| invalid(format!("invalid issuer_pattern {:?}: {e}", p.value), p.span))?;
            patterns.push((p, regex));
        }
        Ok(IssuerAllowlist { mode, issuers, patterns, span: node.span })
    }

    /// `Allows`: an exact entry, or a pattern over the whole issuer
    /// (case-sensitive).
    pub fn permits(&self, issuer: &str) -> Option<Permit<'_>> {
        if let Some(i) = self.issuers.iter().find(|i| i.value == issuer) {
            return Some(Permit::Issuer(i));
        }
        self.patterns
            .iter()
            .find(|(_, re)| issuer.len() <= 16 * 1024 && re.is_match(issuer))
            .map(|(p, _)| Permit::Pattern(p))
    }
}
