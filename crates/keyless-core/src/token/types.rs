//! GitHub's claim types, for showing a real token's claims and noting the
//! values that do not have them. Every custom claim is a JSON string (ids
//! and booleans included); `iat`, `nbf`, `exp` are NumericDate numbers
//! (research github-oidc-tokens.md §1.3 `claims_supported`, §1.4 claims table;
//! D-REF "Understanding the OIDC token").

use crate::claims::{ClaimValue, Claims};
use serde::Serialize;

/// How GitHub sends a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimType {
    /// A JSON string.
    String,
    /// Seconds since the epoch, a JSON number (RFC 7519 §2).
    NumericDate,
    /// Not a claim GitHub documents.
    Unknown,
}

impl ClaimType {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimType::String => "string",
            ClaimType::NumericDate => "NumericDate",
            ClaimType::Unknown => "not a GitHub claim",
        }
    }
}

/// `claims_supported` of github.com's discovery document (research §1.3),
/// with what each means (§1.4).
const GITHUB_CLAIMS: &[(&str, &str)] = &[
    ("iss", "issuer: who minted the token"),
    ("aud", "audience the job asked for (default: the owner's URL)"),
    ("sub", "subject: the repository and the job's context"),
    ("jti", "unique token id"),
    ("iat", "issued at"),
    ("nbf", "not before (GitHub back-dates it 10 minutes)"),
    ("exp", "expires (5 minutes after iat)"),
    ("ref", "the git ref of the run"),
    ("sha", "the commit of the run"),
    ("repository", "owner/name"),
    ("repository_id", "numeric repository id"),
    ("repository_owner", "owner login"),
    ("repository_owner_id", "numeric owner id"),
    ("repository_visibility", "public, private or internal"),
    ("enterprise", "enterprise slug (enterprise repositories)"),
    ("enterprise_id", "enterprise id"),
    ("run_id", "workflow run id"),
    ("run_number", "run number of the workflow"),
    ("run_attempt", "re-run attempt"),
    ("actor", "who started the run"),
    ("actor_id", "numeric id of the actor"),
    ("workflow", "the workflow's name"),
    ("workflow_ref", "caller workflow path @ ref"),
    ("workflow_sha", "commit of the caller workflow"),
    ("job_workflow_ref", "workflow file of this job @ ref (the called one for reusable workflows)"),
    ("job_workflow_sha", "commit of the job's workflow file"),
    ("head_ref", "PR source branch (pull request events)"),
    ("base_ref", "PR target branch (pull request events)"),
    ("event_name", "the triggering event"),
    ("ref_type", "branch or tag"),
    ("ref_protected", "whether the ref is protected"),
    ("environment", "the job's environment (only when it has one)"),
    ("environment_node_id", "GraphQL id of the environment"),
    ("runner_environment", "github-hosted or self-hosted"),
    ("issuer_scope", "listed in claims_supported, undocumented"),
    ("check_run_id", "check run of the job"),
];

/// GitHub's type for a claim name.
pub fn claim_type(name: &str) -> ClaimType {
    if matches!(name, "iat" | "nbf" | "exp") {
        ClaimType::NumericDate
    } else if name.starts_with("repo_property_") || GITHUB_CLAIMS.iter().any(|(n, _)| *n == name) {
        ClaimType::String
    } else {
        ClaimType::Unknown
    }
}

/// What a claim means, when GitHub documents it.
pub fn describe(name: &str) -> Option<&'static str> {
    if name.starts_with("repo_property_") {
        return Some("a repository custom property (CL-PROP)");
    }
    GITHUB_CLAIMS.iter().find(|(n, _)| *n == name).map(|(_, d)| *d)
}

/// One claim as the lab shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClaimRow {
    pub name: String,
    pub value: String,
    /// GitHub's type for this claim.
    pub github_type: ClaimType,
    /// Whether the value has that type.
    pub type_ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning: Option<&'static str>,
}

pub fn rows(claims: &Claims) -> Vec<ClaimRow> {
    claims
        .iter()
        .map(|(name, v)| {
            let github_type = claim_type(name);
            ClaimRow {
                name: name.to_string(),
                value: v.as_text(),
                github_type,
                type_ok: type_ok(github_type, v),
                meaning: describe(name),
            }
        })
        .collect()
}

fn type_ok(t: ClaimType, v: &ClaimValue) -> bool {
    !matches!((t, v), (ClaimType::String, ClaimValue::Num(_)) | (ClaimType::NumericDate, ClaimValue::Str(_)))
}

/// Notes for values not in GitHub's type: a policy that compares strings
/// may not see what the user expects.
pub fn type_notes(claims: &Claims) -> Vec<String> {
    rows(claims)
        .into_iter()
        .filter(|r| !r.type_ok)
        .map(|r| match r.github_type {
            ClaimType::NumericDate => format!("`{}` is a string here; GitHub sends it as a number of seconds", r.name),
            _ => format!("`{}` is a number here; GitHub's custom claims are JSON strings (\"{}\")", r.name, r.value),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_follow_github() {
        assert_eq!(claim_type("exp"), ClaimType::NumericDate);
        assert_eq!(claim_type("run_id"), ClaimType::String);
        assert_eq!(claim_type("repo_property_team"), ClaimType::String);
        assert_eq!(claim_type("email"), ClaimType::Unknown);
        let mut c = Claims::new();
        c.set_num("run_id", 4);
        c.set("exp", "9");
        c.set("sub", "s");
        let notes = type_notes(&c);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(rows(&c).iter().any(|r| r.name == "sub" && r.type_ok && r.meaning.is_some()));
    }
}
