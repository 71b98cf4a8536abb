//! Alibaba Cloud RAM trust-policy rules. Source: RAM OIDC role SSO (research
//! cloud-trust-evaluation.md §4): `oidc:iss` required, `oidc:aud` and
//! `oidc:sub` recommended; trust-policy action `sts:AssumeRole`.

use super::Finding;
use super::iam::{self, Dialect, Trust};
use crate::alibaba::AlibabaConfig;
use crate::iam_policy::{Effect, Principal};
use crate::verdict::Cloud;

/// `oidc:claim` (keys compared case-insensitively, as in IAM).
pub fn oidc_claim(key: &str) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    lower.strip_prefix("oidc:").map(str::to_string)
}

pub(super) const DIALECT: Dialect = Dialect {
    cloud: Cloud::Alibaba,
    claim_of: oidc_claim,
    missing_sub: "KL-ALI-004",
    missing_aud: "KL-ALI-003",
    misspelling_of: crate::alibaba::global_keys::misspelling_of,
    misspelled_key: "KL-ALI-006",
    // `sts:AssumeRoleWithOIDC` has its own finding (KL-ALI-001).
    login_actions: &[crate::alibaba::ACTION, crate::alibaba::API_ACTION],
    principal_trust,
};

/// RAM names an OIDC provider by the account's own name
/// (`acs:ram::UID:oidc-provider/NAME`), so a federated principal may be
/// GitHub's; `"*"` covers it; only `RAM`/`Service` principals cannot be.
fn principal_trust(p: &Principal) -> Trust {
    if p.wildcard {
        Trust::GitHub
    } else if p.federated.is_empty() {
        Trust::Other
    } else {
        Trust::Unknown
    }
}

/// Static findings for an Alibaba Cloud RAM trust policy.
pub fn check(config: &AlibabaConfig) -> Vec<Finding> {
    let cloud = Some(Cloud::Alibaba);
    let mut out = iam::check(&config.trust_policy, &DIALECT);
    for st in iam::federated_allows(&config.trust_policy, &DIALECT) {
        for a in &st.actions {
            if a.value.eq_ignore_ascii_case("sts:AssumeRoleWithOIDC") {
                out.push(Finding::new(
                    "KL-ALI-001",
                    cloud,
                    "`sts:AssumeRoleWithOIDC` is the API name; Alibaba's trust policies use `sts:AssumeRole`",
                    Some(a.span),
                ));
            }
        }
        for c in
            st.conditions.iter().filter(|c| oidc_claim(&c.key.value).as_deref() == Some("iss") && iam::constrains(c))
        {
            // RAM compares `oidc:iss` with the token's `iss` (L1, research §4).
            for v in c.values.iter().filter(|v| {
                let github = v.value.trim_end_matches('/');
                github != v.value && github.starts_with("https://") && iam::is_github_issuer(github)
            }) {
                out.push(Finding::new(
                    "KL-ISS-001",
                    cloud,
                    format!("`oidc:iss` is `{}`, GitHub's issuer with a trailing `/`: the token's `iss` has none, so this condition never holds", v.value),
                    Some(v.span),
                ));
            }
        }
        for c in st.conditions.iter().filter(|c| oidc_claim(&c.key.value).as_deref() == Some("iss")) {
            for v in c.values.iter().filter(|v| !v.value.starts_with("https://") && !v.value.contains('*')) {
                out.push(Finding::new(
                    "KL-ALI-005",
                    cloud,
                    format!("`oidc:iss` is `{}`; the token's `iss` is a URL (`https://{}`)", v.value, v.value),
                    Some(v.span),
                ));
            }
        }
        let has_iss =
            st.conditions.iter().any(|c| iam::constrains(c) && oidc_claim(&c.key.value).as_deref() == Some("iss"));
        if !has_iss && st.effect.value == Effect::Allow {
            out.push(Finding::new(
                "KL-ALI-002",
                cloud,
                "no `oidc:iss` condition in this federated statement",
                Some(st.span),
            ));
        }
    }
    out
}
