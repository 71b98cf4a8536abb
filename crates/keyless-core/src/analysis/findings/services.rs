//! Findings for the relying parties beyond the clouds, from their
//! configurations alone. Sources: V1 (vault-plugin-auth-jwt), Y4 (PyPI's
//! trusted publishing docs).

use super::Finding;
use crate::scenario::Scenario;
use crate::vault::VaultConfig;
use crate::verdict::Cloud;

/// Claims whose binding pins the repository or its owner.
const PINNING_CLAIMS: &[&str] = &[
    "repository",
    "repository_id",
    "repository_owner",
    "repository_owner_id",
    "sub",
    "job_workflow_ref",
    "workflow_ref",
    "/repository",
    "/repository_id",
    "/repository_owner",
    "/repository_owner_id",
    "/sub",
    "/job_workflow_ref",
    "/workflow_ref",
];

pub fn check(scenario: &Scenario) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(c) = &scenario.vault {
        out.extend(vault(c));
    }
    if let Some(c) = &scenario.octo_sts {
        out.extend(octo_sts(c));
    }
    if let Some(n) = scenario.npm.as_ref().filter(|n| n.environment.is_none()) {
        out.push(Finding::new(
            "KL-PUBLISH-001",
            Some(Cloud::Npm),
            format!(
                "the npm publisher {}/{} `{}` names no environment: any run of that workflow can publish",
                n.owner.value, n.repository.value, n.workflow_filename.value
            ),
            Some(n.span),
        ));
    }
    let pending = scenario.pypi.iter().flat_map(|c| &c.pending);
    for p in scenario.pypi.iter().flat_map(|c| &c.publishers).chain(pending.clone().map(|p| &p.publisher)) {
        if p.environment.is_none() {
            out.push(Finding::new(
                "KL-PUBLISH-001",
                Some(Cloud::Pypi),
                format!(
                    "publisher {}/{} `{}` names no environment: any run of that workflow can publish",
                    p.owner.value, p.repository.value, p.workflow_filename.value
                ),
                Some(p.span),
            ));
        }
    }
    // Y6: a pending publisher reserves no name and expires unused.
    for p in pending {
        out.push(Finding::new(
            "KL-PUBLISH-002",
            Some(Cloud::Pypi),
            format!(
                "pending publisher for `{}`: the name is not reserved until the first publish; if anyone registers `{}` first, the pending publisher is invalidated, and unused it expires after 30 days",
                p.project.value, p.project.value
            ),
            Some(p.project.span),
        ));
    }
    out
}

fn vault(c: &VaultConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    let role = &c.role;
    if role.role_type.value != "jwt" {
        return out;
    }
    if role.bound_audiences.is_empty() {
        out.push(Finding::new(
            "KL-VAULT-002",
            Some(Cloud::Vault),
            "the role has no `bound_audiences`: Vault refuses every GitHub token (\"audience claim found in JWT but no audiences bound to the role\")",
            Some(role.span),
        ));
    }
    let pinned = role.bound_subject.is_some()
        || role.bound_claims.iter().any(|b| PINNING_CLAIMS.contains(&b.claim.value.as_str()) && !wildcard_only(b));
    if !pinned && !role.bound_audiences.is_empty() {
        let audiences: Vec<&str> = role.bound_audiences.iter().map(|a| a.value.as_str()).collect();
        out.push(Finding::new(
            "KL-VAULT-001",
            Some(Cloud::Vault),
            format!(
                "the role binds only the audience ({}): any GitHub repository's workflow can request it and log in",
                audiences.join(", ")
            ),
            Some(role.span),
        ));
    }
    out
}

/// Findings for one octo-sts trust policy (also `keyless lint` on a
/// `.github/chainguard/*.sts.yaml` file).
pub fn octo_sts(c: &crate::octo_sts::OctoStsConfig) -> Vec<Finding> {
    use crate::octo_sts::Matcher;
    let fields = [
        ("issuer_pattern", Some(&c.issuer)),
        ("subject_pattern", Some(&c.subject)),
        ("audience_pattern", c.audience.as_ref()),
    ];
    let mut patterns: Vec<(String, &crate::octo_sts::Pattern)> = fields
        .into_iter()
        .filter_map(|(name, m)| match m {
            Some(Matcher::Pattern(p)) => Some((name.to_string(), p)),
            _ => None,
        })
        .collect();
    patterns.extend(c.claim_patterns.iter().map(|(k, p)| (format!("claim_pattern.{}", k.value), p)));
    patterns
        .into_iter()
        .filter(|(_, p)| p.top_level_alternation())
        .map(|(name, p)| {
            Finding::new(
                "KL-OCTOSTS-001",
                Some(Cloud::OctoSts),
                format!(
                    "`{name}` `{}` compiles to `^{}$`: its first alternative is open at the end, its last at the start",
                    p.text.value, p.text.value
                ),
                Some(p.text.span),
            )
        })
        .collect()
}

/// A glob binding whose every value is `*` pins nothing.
fn wildcard_only(b: &crate::vault::BoundClaim) -> bool {
    b.values.iter().all(|v| matches!(&v.value, crate::vault::BoundValue::Str(s) if s.chars().all(|c| c == '*')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(vault: Option<&str>, pypi: Option<&str>) -> Vec<String> {
        let mut s = Scenario::new("my-org", "my-repo");
        s.vault = vault.map(|t| crate::vault::VaultConfig::from_text(t).unwrap_or_else(|d| panic!("{}", d.message)));
        s.pypi = pypi.map(|t| crate::pypi::PypiConfig::from_text(t).unwrap_or_else(|d| panic!("{}", d.message)));
        check(&s).into_iter().map(|f| f.id).collect()
    }

    /// V1 path_role.go: an audience alone is a bound constraint, and GitHub
    /// lets any workflow ask for any audience.
    #[test]
    fn a_role_bound_only_by_audience_admits_any_repository() {
        let only_aud = r#"{"role_type": "jwt", "user_claim": "actor", "bound_audiences": "https://github.com/my-org"}"#;
        assert_eq!(ids(Some(only_aud), None), ["KL-VAULT-001"]);
        let star = r#"{"role_type": "jwt", "user_claim": "actor", "bound_audiences": "v", "bound_claims_type": "glob", "bound_claims": {"repository": "*"}}"#;
        assert_eq!(ids(Some(star), None), ["KL-VAULT-001"]);
        let pinned = r#"{"role_type": "jwt", "user_claim": "actor", "bound_audiences": "v", "bound_claims": {"repository": "my-org/my-repo"}}"#;
        assert!(ids(Some(pinned), None).is_empty(), "the guide's binding is not flagged");
    }

    /// V1 path_login.go (PR #295).
    #[test]
    fn a_role_without_audiences_never_admits_and_says_so() {
        let no_aud = r#"{"role_type": "jwt", "user_claim": "actor", "bound_claims": {"repository": "my-org/my-repo"}}"#;
        assert_eq!(ids(Some(no_aud), None), ["KL-VAULT-002"]);
    }

    /// O2 `Compile`: `"^" + pattern + "$"`.
    #[test]
    fn an_ungrouped_alternation_in_an_octo_sts_pattern_is_flagged() {
        let mut s = Scenario::new("my-org", "infra");
        let open = "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:o/r:ref:refs/heads/main|repo:o/r:ref:refs/tags/v.*\n";
        s.octo_sts = crate::octo_sts::OctoStsConfig::from_text(open).ok();
        assert_eq!(check(&s).into_iter().map(|f| f.id).collect::<Vec<_>>(), ["KL-OCTOSTS-001"]);
        let grouped = "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:o/r:ref:refs/(heads/main|tags/v.*)\n";
        s.octo_sts = crate::octo_sts::OctoStsConfig::from_text(grouped).ok();
        assert!(check(&s).is_empty());
    }

    /// N1 "Additional security measures": deployment environments add approvals.
    #[test]
    fn an_npm_publisher_without_environment_is_flagged() {
        let mut s = Scenario::new("o", "r");
        s.npm = crate::npm::NpmConfig::from_text(
            r#"{"owner": "o", "repository": "r", "workflow_filename": "publish.yml"}"#,
        )
        .ok();
        assert_eq!(check(&s).into_iter().map(|f| f.id).collect::<Vec<_>>(), ["KL-PUBLISH-001"]);
        s.npm = crate::npm::NpmConfig::from_text(
            r#"{"owner": "o", "repository": "r", "workflow_filename": "publish.yml", "environment": "npm"}"#,
        )
        .ok();
        assert!(check(&s).is_empty());
    }

    /// Y4 "Adding a publisher": the environment is optional but strongly recommended.
    #[test]
    fn a_publisher_without_environment_is_flagged() {
        let without = r#"{"owner": "o", "repository": "r", "workflow_filename": "release.yml"}"#;
        assert_eq!(ids(None, Some(without)), ["KL-PUBLISH-001"]);
        let with = r#"{"owner": "o", "repository": "r", "workflow_filename": "release.yml", "environment": "pypi"}"#;
        assert!(ids(None, Some(with)).is_empty());
    }

    /// Y6: a pending publisher reserves no project name and expires after
    /// 30 days; without an environment it is flagged as a publisher is.
    #[test]
    fn a_pending_publisher_is_flagged() {
        let pending = r#"{"pending_publishers": [{"project": "p", "owner": "o", "repository": "r", "workflow_filename": "release.yml", "environment": "pypi"}]}"#;
        assert_eq!(ids(None, Some(pending)), ["KL-PUBLISH-002"]);
        let without = pending.replace(r#", "environment": "pypi""#, "");
        assert_eq!(ids(None, Some(&without)), ["KL-PUBLISH-001", "KL-PUBLISH-002"]);
    }
}
