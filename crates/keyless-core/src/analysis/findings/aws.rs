//! AWS IAM trust-policy rules (beyond the shared IAM ones). Sources: AWS
//! condition keys for web identity federation and the 2026 STS claim keys
//! (research cloud-trust-evaluation.md §1.3); operator semantics (§1.4-§1.6).

use super::Finding;
use super::iam::{self, Dialect, Trust};
use crate::aws::AwsConfig;
use crate::iam_policy::{BaseOperator, Effect, Principal};
use crate::verdict::Cloud;

/// `token.actions.githubusercontent.com[/slug]:claim`, `HOST/_services/token:claim`
/// (GHES), `token.actions.SUB.ghe.com:claim`: keys are case-insensitive (doc A4).
pub fn github_claim(key: &str) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    let (prefix, claim) = lower.rsplit_once(':')?;
    let github = prefix.starts_with("token.actions.") || prefix.ends_with("/_services/token");
    github.then(|| claim.to_string())
}

pub(super) const DIALECT: Dialect = Dialect {
    cloud: Cloud::Aws,
    claim_of: github_claim,
    missing_sub: "KL-AWS-001",
    missing_aud: "KL-AWS-002",
    misspelling_of: crate::aws::global_keys::misspelling_of,
    misspelled_key: "KL-AWS-006",
    login_actions: &[crate::aws::ACTION],
    principal_trust,
};

/// AWS reads `Principal.Federated` as provider ARNs
/// (`arn:aws:iam::ACCOUNT:oidc-provider/URL`, no wildcards): GitHub's when the
/// URL is a GitHub issuer's, exactly (a trailing `/` is another provider:
/// `aws::provider_url_of`, aws/aws-sam-cli#7432); `"*"` covers every principal.
fn principal_trust(p: &Principal) -> Trust {
    let github = |f: &str| {
        !crate::aws::has_wildcard(f)
            && crate::aws::provider_of_arn(f).is_some_and(|(_, url)| iam::is_github_issuer(&url) && !url.ends_with('/'))
    };
    if p.wildcard || p.federated.iter().any(|f| github(&f.value)) { Trust::GitHub } else { Trust::Other }
}

/// Static findings for an AWS trust policy.
pub fn check(config: &AwsConfig) -> Vec<Finding> {
    let cloud = Some(Cloud::Aws);
    let mut out = iam::check(&config.trust_policy, &DIALECT);
    for st in &config.trust_policy.statements {
        for c in &st.conditions {
            let Some(claim) = github_claim(&c.key.value) else { continue };
            let op = &c.operator.value;
            let negated = iam::is_negated(&op.base);
            if !crate::aws::supports_claim(&claim) {
                let effect = if negated || op.if_exists || op.set.is_some() {
                    "this condition is always true"
                } else {
                    "this condition never matches, so the statement never applies"
                };
                out.push(Finding::new(
                    "KL-AWS-004",
                    cloud,
                    format!("AWS does not put `{claim}` of a GitHub token in the request context: {effect}"),
                    Some(c.key.span),
                ));
                if st.effect.value == Effect::Deny && negated {
                    out.push(Finding::new(
                        "KL-AWS-005",
                        cloud,
                        format!("Deny with a negated operator on `{}` (absent) denies every token", c.key.value),
                        Some(c.span),
                    ));
                }
            }
            if claim == "aud" && st.effect.value == Effect::Allow {
                let wildcard = op.base == BaseOperator::StringLike
                    && c.values.iter().any(|v| v.value.chars().all(|ch| ch == '*' || ch == '?'));
                if wildcard || negated {
                    out.push(Finding::new(
                        "KL-AWS-003",
                        cloud,
                        format!("the `{}` condition does not pin one audience", c.key.value),
                        Some(c.span),
                    ));
                }
            }
        }
    }
    out
}
