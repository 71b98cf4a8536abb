//! Microsoft Entra federated identity credential rules. Sources: research
//! cloud-trust-evaluation.md §2.1-§2.3 (classic FICs are exact and
//! case-sensitive; flexible `matches` is a `*`/`?` wildcard, no regex; since
//! Aug 2026 GitHub expressions must reference `sub` and `repository_id` or
//! `repository_owner_id`).

use super::Finding;
use super::iam::subject_finding;
use crate::analysis::subject::{self, SubjectRisk};
use crate::azure::{AzureConfig, FederatedCredential, FlexibleExpression, MatchOp};
use crate::verdict::Cloud;

/// Claims a GitHub flexible expression may reference (research §2.3, Z1/Z2).
pub const FLEXIBLE_ALLOWED_CLAIMS: &[&str] = &["sub", "job_workflow_ref", "repository_id", "repository_owner_id"];

const CLOUD: Option<Cloud> = Some(Cloud::Azure);

/// Static findings for the federated credentials of one identity.
pub fn check(config: &AzureConfig) -> Vec<Finding> {
    config.credentials.iter().flat_map(check_credential).collect()
}

fn is_github_issuer(issuer: &str) -> bool {
    issuer.contains("token.actions.") || issuer.contains("/_services/token")
}

fn check_credential(fic: &FederatedCredential) -> Vec<Finding> {
    let mut out = Vec::new();
    let issuer = &fic.issuer.value;
    if !is_github_issuer(issuer) {
        // Another issuer's credential (Azure DevOps, Terraform Cloud, AKS) is
        // not a GitHub trust, unless its subject is written for GitHub
        // (`repo:OWNER/REPO:…`): then the issuer is the mistake.
        let operands =
            fic.expression.iter().flat_map(|e| e.terms.iter().filter(|t| t.claim.value == "sub").map(|t| &t.operand));
        if fic.subject.iter().chain(operands).any(|s| s.value.starts_with("repo:")) {
            out.push(Finding::new(
                "KL-AZ-005",
                CLOUD,
                format!("issuer `{issuer}` is not GitHub's (`https://token.actions.githubusercontent.com`, or an enterprise's) while the subject is written for GitHub: no GitHub token matches"),
                Some(fic.issuer.span),
            ));
        }
        return out;
    }
    if issuer.trim() != issuer || issuer.ends_with('/') || issuer.starts_with("http://") {
        out.push(Finding::new(
            "KL-AZ-005",
            CLOUD,
            format!("issuer `{issuer}` never equals GitHub's `iss` (no trailing slash, https, no spaces)"),
            Some(fic.issuer.span),
        ));
    }
    if fic.audiences.len() != 1 {
        out.push(Finding::new(
            "KL-AZ-004",
            CLOUD,
            format!("{} audiences; a federated credential must have exactly one", fic.audiences.len()),
            Some(fic.span),
        ));
    }
    if let Some(subject) = &fic.subject {
        if subject.value.contains(['*', '?']) {
            out.push(Finding::new(
                "KL-AZ-001",
                CLOUD,
                format!("classic subject `{}` is compared exactly; `*` is not a wildcard here", subject.value),
                Some(subject.span),
            ));
        }
        if let Some(risk) =
            subject::classify(&subject.value, false).filter(|_| super::placeholder::find(&subject.value).is_none())
        {
            out.push(subject_finding(risk, CLOUD, &subject.value, subject.span));
        }
    }
    let operands = fic.expression.iter().flat_map(|e| e.terms.iter().map(|t| &t.operand));
    let values = fic.subject.iter().chain(&fic.audiences).chain(operands);
    out.extend(values.filter_map(|v| super::placeholder::check(v, CLOUD, "the value")));
    if let Some(finding) = default_audience_refused(fic) {
        out.push(finding);
    }
    if let Some(expr) = &fic.expression {
        out.extend(check_expression(expr));
    }
    out
}

/// KL-AZ-007: Entra's evaluator, on this credential alone, given a token
/// with the audience azure/login requests by default: AADSTS700212 (the
/// audience step, which comes before the subject) means no default login
/// can use it.
fn default_audience_refused(fic: &FederatedCredential) -> Option<Finding> {
    let aud = crate::github::login::default_audience(Cloud::Azure)?;
    let mut claims = crate::claims::Claims::new();
    claims.set("iss", fic.issuer.value.clone());
    claims.set("aud", aud);
    claims.set("sub", fic.subject.as_ref().map_or("repo:keyless/probe:ref:refs/heads/main", |s| s.value.as_str()));
    let alone = AzureConfig { credentials: vec![fic.clone()], diagnostics: Vec::new() };
    let verdict = crate::azure::evaluate(&alone, &claims);
    (verdict.code == "AADSTS700212").then(|| {
        let audience = fic.audiences.first();
        Finding::new(
            "KL-AZ-007",
            CLOUD,
            format!(
                "audience `{}` is not `{aud}`, the one azure/login requests unless its `audience` input is set: Entra answers a default login with AADSTS700212",
                audience.map_or("", |a| a.value.as_str())
            ),
            audience.map(|a| a.span).or(Some(fic.span)),
        )
    })
}

fn looks_like_regex(operand: &str) -> bool {
    operand.contains(".*")
        || operand.contains(".+")
        || operand.contains('\\')
        || operand.starts_with('^')
        || operand.ends_with('$')
        || operand.contains('[')
}

fn check_expression(expr: &FlexibleExpression) -> Vec<Finding> {
    let mut out = Vec::new();
    let claims: Vec<&str> = expr.terms.iter().map(|t| t.claim.value.as_str()).collect();
    let has_sub = claims.contains(&"sub");
    let has_id = claims.iter().any(|c| *c == "repository_id" || *c == "repository_owner_id");
    let unallowed: Vec<&str> = claims.iter().copied().filter(|c| !FLEXIBLE_ALLOWED_CLAIMS.contains(c)).collect();
    if !has_sub || !has_id || !unallowed.is_empty() {
        let mut why = Vec::new();
        if !has_sub {
            why.push("no `sub` term".to_string());
        }
        if !has_id {
            why.push("no `repository_id` or `repository_owner_id` term".to_string());
        }
        if !unallowed.is_empty() {
            why.push(format!("claims not allowed for GitHub: {}", unallowed.join(", ")));
        }
        out.push(Finding::new("KL-AZ-002", CLOUD, why.join("; "), Some(expr.text.span)));
    }
    let pinned_id = |claim: &str| {
        expr.terms.iter().any(|t| t.claim.value == claim && t.op.value == MatchOp::Eq && !t.operand.value.is_empty())
    };
    let owner_pinned = pinned_id("repository_owner_id") || pinned_id("repository_id");
    let repo_pinned = pinned_id("repository_id");
    for t in &expr.terms {
        if t.op.value == MatchOp::Matches && looks_like_regex(&t.operand.value) {
            out.push(Finding::new(
                "KL-AZ-003",
                CLOUD,
                format!("`{}` looks like a regular expression; `matches` takes `*` and `?` wildcards", t.operand.value),
                Some(t.operand.span),
            ));
        }
        if t.claim.value != "sub" || super::placeholder::find(&t.operand.value).is_some() {
            continue;
        }
        let Some(risk) = subject::classify(&t.operand.value, t.op.value == MatchOp::Matches) else { continue };
        match risk {
            SubjectRisk::AnyOwner | SubjectRisk::OwnerPrefix | SubjectRisk::NoOwnerPin if !owner_pinned => {
                out.push(Finding::new(
                    "KL-AZ-006",
                    CLOUD,
                    format!("`{}` does not pin the owner, and no id term does", t.operand.value),
                    Some(t.operand.span),
                ));
            }
            SubjectRisk::AnyOwner | SubjectRisk::OwnerPrefix | SubjectRisk::NoOwnerPin => {}
            SubjectRisk::AnyRepoOfOwner | SubjectRisk::RepoNamePrefix if repo_pinned => {}
            _ => out.push(subject_finding(risk, CLOUD, &t.operand.value, t.operand.span)),
        }
    }
    out
}
