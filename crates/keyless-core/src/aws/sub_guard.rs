//! IAM's creation-time guard for roles that trust GitHub's shared OIDC
//! provider ("identity-provider controls for shared OIDC providers", A8).
//!
//! AWS documents that, for recognised shared providers, "IAM requires
//! explicit evaluation of specific claims in role trust policies", that they
//! "are evaluated by IAM during role creation and trust policy updates", that
//! the creation or update fails otherwise, and that they "will not be
//! evaluated by IAM for existing OIDC role trust policies"; its table names
//! `sub` for GitHub Actions (`token.actions.githubusercontent.com`). The
//! GitHub section of AWS's role guide (A8-GH) adds that IAM verifies "that
//! the condition key `token.actions.githubusercontent.com:sub` is present and
//! that its value is not solely a wildcard character (* and ?) or null". It
//! names no operators and does not say which values of a list are checked.
//! A 2026-08 probe (A-PROBE) saw IAM's own message, which names operators,
//! `job_workflow_ref` as an alternative and "not scoped to all", and saw
//! only the first value of the condition checked. Which reading applies is
//! the labelled option `sub_guard`; the default is the documented one.
//!
//! Existing roles keep working, so a breach is a creation-stage *warning*
//! (the cloud refuses it today, one created earlier still works) and the
//! verdict is still given, as for such a role.

use crate::diagnostic::Diagnostic;
use crate::iam_policy::{BaseOperator, Condition, Operator, Statement, TrustPolicy};
use crate::span::Span;

/// The provider AWS's table lists for GitHub Actions (A8). An enterprise's
/// issuer (`…/SLUG`) is not in it: it is that enterprise's own.
const GITHUB_PROVIDER: &str = "token.actions.githubusercontent.com";

/// Which reading of IAM's guard decides whether IAM would create the policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SubGuard {
    /// AWS's pages (A8, A8-GH): a `…:sub` condition, with any operator, and
    /// no value that is only `*` and `?` or empty ("its value" is read as
    /// each value of a list). The default.
    #[default]
    Documented,
    /// What IAM answered a 2026-08 probe (A-PROBE): `…:sub` or
    /// `…:job_workflow_ref` with `StringEquals`, `StringLike` or
    /// `StringEqualsIgnoreCase`, whose first value is not `*`; later values
    /// are not checked (`["repo:o/r", "*"]` was created, `["*", "repo:o/r"]`
    /// refused).
    FirstValue,
}

impl SubGuard {
    /// The option's spelling in the AWS section.
    pub fn key(self) -> &'static str {
        match self {
            SubGuard::Documented => "documented",
            SubGuard::FirstValue => "first_value",
        }
    }

    /// Reads the option's value (`None`: not one of its values).
    pub fn parse(value: &str) -> Option<SubGuard> {
        [SubGuard::Documented, SubGuard::FirstValue].into_iter().find(|g| g.key() == value)
    }

    fn other(self) -> SubGuard {
        match self {
            SubGuard::Documented => SubGuard::FirstValue,
            SubGuard::FirstValue => SubGuard::Documented,
        }
    }
}

/// The creation-stage diagnostics for `policy` under `guard`: a warning
/// where IAM would refuse to create or update it, and a note where only the
/// other reading would refuse it (so the trace says which option decided).
pub fn check(policy: &TrustPolicy, guard: SubGuard) -> Vec<Diagnostic> {
    let Some(principal) = github_principal(policy) else { return Vec::new() };
    let trusting: Vec<&Statement> = policy.statements.iter().filter(|s| trusts_github(s)).collect();
    let refusal = |g: SubGuard| refusal(&trusting, g, principal);
    match (refusal(guard), refusal(guard.other())) {
        (Some(Refusal { reason, source, span }), other) => vec![
            Diagnostic::warning(
                format!(
                    "IAM would refuse to create or update this trust policy: {reason} ({source}; option `sub_guard: {}`{}{}); IAM does not evaluate existing policies, so Keyless still evaluates it, as a role created before the rule",
                    guard.key(),
                    if guard == SubGuard::default() { ", the default" } else { "" },
                    if other.is_none() {
                        format!(", under which alone it is refused: `sub_guard: {}` creates it", guard.other().key())
                    } else {
                        String::new()
                    }
                ),
                Some(span),
            )
            .at_creation(),
        ],
        (None, Some(Refusal { reason, source, span })) => vec![
            Diagnostic::note(
                format!(
                    "IAM creates this trust policy under option `sub_guard: {}`; under `sub_guard: {}` it would refuse it: {reason} ({source})",
                    guard.key(),
                    guard.other().key()
                ),
                Some(span),
            )
            .at_creation(),
        ],
        (None, None) => Vec::new(),
    }
}

/// Why IAM refuses a policy under one reading, where, and on whose word.
struct Refusal {
    reason: String,
    source: &'static str,
    span: Span,
}

/// Why IAM refuses the policy under `guard`, or `None`.
fn refusal(trusting: &[&Statement], guard: SubGuard, principal: Span) -> Option<Refusal> {
    let conditions = || trusting.iter().flat_map(|s| s.conditions.iter());
    match guard {
        SubGuard::Documented => {
            let sub = format!("{GITHUB_PROVIDER}:sub");
            let keyed: Vec<&Condition> = conditions().filter(|c| c.key.value.eq_ignore_ascii_case(&sub)).collect();
            if keyed.is_empty() {
                return Some(Refusal {
                    reason: format!("it trusts {GITHUB_PROVIDER} and evaluates no `{sub}` condition"),
                    source: "identity-provider controls for shared OIDC providers, A8",
                    span: principal,
                });
            }
            let only_wildcards = |v: &str| v.chars().all(|c| matches!(c, '*' | '?'));
            keyed.iter().flat_map(|c| c.values.iter()).find(|v| only_wildcards(&v.value)).map(|v| Refusal {
                reason: format!(
                    "its `{sub}` value {:?} is {} (IAM verifies that it \"is not solely a wildcard character (* and ?) or null\")",
                    v.value,
                    if v.value.is_empty() { "empty" } else { "only wildcard characters" }
                ),
                source: "IAM's check for GitHub-trusting roles, A8-GH",
                span: v.span,
            })
        }
        SubGuard::FirstValue => {
            let keyed: Vec<&Condition> = conditions().filter(|c| guarded_key(&c.key.value)).collect();
            if keyed.iter().any(|c| satisfies_first_value(c)) {
                return None;
            }
            // Point at the `*` IAM objects to when there is one.
            let span = keyed
                .iter()
                .find_map(|c| c.values.first().filter(|v| v.value == "*").map(|v| v.span))
                .unwrap_or(principal);
            Some(Refusal {
                reason: format!(
                    "\"MalformedPolicyDocument: Trust policy with trusted principal … must evaluate, using StringEquals, StringLike or StringEqualsIgnoreCase, {GITHUB_PROVIDER}:sub or {GITHUB_PROVIDER}:job_workflow_ref which is not scoped to all.\""
                ),
                source: "IAM's answer to a 2026-08 probe, which saw only a condition's first value checked, A-PROBE",
                span,
            })
        }
    }
}

fn guarded_key(key: &str) -> bool {
    ["sub", "job_workflow_ref"].iter().any(|claim| is_github_key(key, claim))
}

/// `key.eq_ignore_ascii_case("token.actions.githubusercontent.com:{claim}")`,
/// without building the key for every condition of every parse.
fn is_github_key(key: &str, claim: &str) -> bool {
    let (key, provider, claim) = (key.as_bytes(), GITHUB_PROVIDER.as_bytes(), claim.as_bytes());
    key.len() == provider.len() + 1 + claim.len()
        && key.get(..provider.len()).is_some_and(|p| p.eq_ignore_ascii_case(provider))
        && key.get(provider.len()) == Some(&b':')
        && key.get(provider.len() + 1..).is_some_and(|c| c.eq_ignore_ascii_case(claim))
}

/// IAM's message lists the operators by their plain names; a set qualifier
/// or `…IfExists` is another operator name, so it does not count here.
fn satisfies_first_value(c: &Condition) -> bool {
    let Operator { base, set, if_exists } = &c.operator.value;
    let named =
        matches!(base, BaseOperator::StringEquals | BaseOperator::StringLike | BaseOperator::StringEqualsIgnoreCase);
    named && set.is_none() && !if_exists && c.values.first().is_some_and(|v| v.value != "*")
}

fn trusts_github(s: &Statement) -> bool {
    s.principal.as_ref().is_some_and(|p| p.federated.iter().any(|f| names_github(&f.value)))
}

fn names_github(arn: &str) -> bool {
    super::config::split_provider_arn(arn).is_some_and(|(_, url)| url == GITHUB_PROVIDER)
}

/// The first `Principal.Federated` naming GitHub's shared provider.
fn github_principal(policy: &TrustPolicy) -> Option<Span> {
    policy
        .statements
        .iter()
        .filter_map(|s| s.principal.as_ref())
        .flat_map(|p| p.federated.iter())
        .find(|f| names_github(&f.value))
        .map(|f| f.span)
}

#[cfg(test)]
mod tests {
    use super::{GITHUB_PROVIDER, is_github_key};
    use proptest::prelude::*;

    /// The definition `is_github_key` stands for.
    fn by_format(key: &str, claim: &str) -> bool {
        key.eq_ignore_ascii_case(&format!("{GITHUB_PROVIDER}:{claim}"))
    }

    #[test]
    fn github_keys_ignore_ascii_case_only() {
        for key in [
            "token.actions.githubusercontent.com:sub",
            "TOKEN.Actions.GitHubUserContent.com:SUB",
            "token.actions.githubusercontent.com:sub ",
            "token.actions.githubusercontent.comXsub",
            "token.actions.githubusercontent.com:ſub",
            "token.actions.githubusercontent.com:job_workflow_ref",
            "token.actions.githubusercontent.com/x:sub",
            "",
        ] {
            for claim in ["sub", "job_workflow_ref"] {
                assert_eq!(is_github_key(key, claim), by_format(key, claim), "{key} {claim}");
            }
        }
        assert!(is_github_key("Token.Actions.GithubUserContent.Com:Sub", "sub"));
    }

    proptest! {
        #[test]
        fn agrees_with_the_formatted_key(prefix in "(token.actions.githubusercontent.com|TOKEN.ACTIONS.GITHUBUSERCONTENT.COM|[a-zA-Zſ.:]{0,40})", sep in "[:;]?", claim in "(sub|SUB|job_workflow_ref|[a-zſ_]{0,20})") {
            let key = format!("{prefix}{sep}{claim}");
            for wanted in ["sub", "job_workflow_ref"] {
                prop_assert_eq!(is_github_key(&key, wanted), by_format(&key, wanted));
            }
        }
    }
}
