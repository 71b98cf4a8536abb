//! Rules shared by AWS and Alibaba trust policies (same grammar,
//! `iam_policy`): operator misuse and `sub` shapes. Sources: AWS IAM
//! condition operators (research cloud-trust-evaluation.md §1.4-§1.6); the
//! Alibaba grammar is assumed AWS-like (research §4, stated there).

use super::Finding;
use crate::analysis::subject::{self, SubjectRisk};
use crate::iam_condition::{Applicability, ContextLookup, PolicyHost, ValueSyntax, check_action, evaluate_condition};
use crate::iam_policy::{BaseOperator, Condition, Effect, Principal, SetQualifier, Statement, TrustPolicy};
use crate::span::Span;
use crate::verdict::Cloud;

/// How one cloud names GitHub claims in condition keys.
pub(super) struct Dialect {
    pub cloud: Cloud,
    /// The claim a condition key refers to, lower-cased, when the key is one
    /// of the GitHub provider's keys.
    pub claim_of: fn(&str) -> Option<String>,
    pub missing_sub: &'static str,
    pub missing_aud: &'static str,
    /// The cloud's documented request key a key outside its table is
    /// probably a typo of, and the finding that reports it.
    pub misspelling_of: fn(&str) -> Option<&'static str>,
    pub misspelled_key: &'static str,
    /// The actions a GitHub login asks the cloud for (the engine's own list).
    pub login_actions: &'static [&'static str],
    /// What a statement's `Principal` says about whom it trusts.
    pub principal_trust: fn(&Principal) -> Trust,
}

/// Whom a statement's `Principal` trusts, as the cloud's evaluator reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Trust {
    /// GitHub's OIDC provider (or `"*"`, which covers it).
    GitHub,
    /// A federated provider the ARN cannot tell (RAM provider names are the
    /// account's own).
    Unknown,
    /// Only other providers or principal types: no GitHub login applies.
    Other,
}

/// Whether an issuer URL is GitHub's: github.com's, an enterprise's
/// (`…/<slug>`, `token.actions.<sub>.ghe.com`) or a GHES host's
/// (`HOST/_services/token`), with or without the scheme (D-REF, GHES).
pub(super) fn is_github_issuer(issuer: &str) -> bool {
    let host_path = issuer.strip_prefix("https://").unwrap_or(issuer);
    host_path.starts_with("token.actions.") || host_path.ends_with("/_services/token")
}

/// The `iss` values a statement pins with a positive condition, when every
/// one is exact (no wildcard).
fn pinned_issuers<'a>(st: &'a Statement, dialect: &Dialect) -> Option<Vec<&'a str>> {
    let c =
        st.conditions.iter().find(|c| constrains(c) && (dialect.claim_of)(&c.key.value).as_deref() == Some("iss"))?;
    let values: Vec<&str> = c.values.iter().map(|v| v.value.as_str()).collect();
    (!values.iter().any(|v| v.contains(['*', '?']))).then_some(values)
}

/// The positive `iss` condition, when it pins only issuers that are not
/// GitHub's (nor an enterprise's or a GHES host's).
fn pins_other_issuer<'a>(st: &'a Statement, dialect: &Dialect) -> Option<&'a Condition> {
    pinned_issuers(st, dialect).filter(|issuers| !issuers.iter().any(|i| is_github_issuer(i)))?;
    st.conditions.iter().find(|c| constrains(c) && (dialect.claim_of)(&c.key.value).as_deref() == Some("iss"))
}

/// Whether the statement's `sub` values are written for GitHub
/// (`repo:OWNER/REPO:…`, the form only GitHub mints).
fn github_shaped_sub(st: &Statement, dialect: &Dialect) -> bool {
    st.conditions
        .iter()
        .filter(|c| (dialect.claim_of)(&c.key.value).as_deref() == Some("sub"))
        .flat_map(|c| &c.values)
        .any(|v| v.value.starts_with("repo:"))
}

/// Whether a statement is about GitHub tokens at all: it conditions on the
/// provider's keys or its principal may name GitHub's provider, and it does
/// not pin only another issuer (unless its `sub` is written for GitHub:
/// then the issuer is a mistake, reported by [`never_admits`]). An EKS
/// IRSA, Terraform Cloud or ACK RRSA statement is not about GitHub, and
/// gets no GitHub finding.
fn concerns_github(st: &Statement, dialect: &Dialect) -> bool {
    if pins_other_issuer(st, dialect).is_some() && !github_shaped_sub(st, dialect) {
        return false;
    }
    let keys = st.conditions.iter().any(|c| (dialect.claim_of)(&c.key.value).is_some());
    let principal = st.principal.as_ref().map(dialect.principal_trust);
    keys || matches!(principal, Some(Trust::GitHub | Trust::Unknown))
}

/// Why a statement about GitHub tokens can never apply to a GitHub login,
/// judged with the engine's action matching and the cloud's principal
/// reading: the sentence and where.
fn never_admits(st: &Statement, dialect: &Dialect) -> Option<(String, Option<Span>)> {
    let (applies, _, why) = check_action(st, "", dialect.login_actions);
    if !applies {
        return why;
    }
    if let Some(found) = conditions_never_hold(st, dialect) {
        return Some(found);
    }
    if let Some(c) = pins_other_issuer(st, dialect) {
        let pinned: Vec<String> = c.values.iter().map(|v| format!("`{}`", v.value)).collect();
        return Some((
            format!(
                "its `{}` condition pins {}, not GitHub's issuer `https://token.actions.githubusercontent.com` (or an enterprise's), while its `sub` is written for GitHub",
                c.key.value,
                pinned.join(", ")
            ),
            Some(c.span),
        ));
    }
    let principal = st.principal.as_ref()?;
    ((dialect.principal_trust)(principal) == Trust::Other).then(|| {
        let named: Vec<String> = principal.federated.iter().map(|f| format!("`{}`", f.value)).collect();
        let slash = principal.federated.iter().any(|f| f.value.ends_with('/') && is_github_issuer(f.value.rsplit("oidc-provider/").next().unwrap_or_default().trim_end_matches('/')));
        let why = if slash {
            format!("its `Principal` {} differs from GitHub's provider by a trailing `/`: the provider URL is compared exactly, so it is another provider", named.join(", "))
        } else if named.is_empty() {
            "its `Principal` names no OIDC provider, only another principal type".to_string()
        } else {
            format!("its `Principal` {} names no GitHub OIDC provider", named.join(", "))
        };
        (why, Some(principal.span))
    })
}

pub(super) fn is_negated(base: &BaseOperator) -> bool {
    matches!(
        base,
        BaseOperator::StringNotEquals | BaseOperator::StringNotLike | BaseOperator::StringNotEqualsIgnoreCase
    )
}

fn is_positive_string(base: &BaseOperator) -> bool {
    matches!(base, BaseOperator::StringEquals | BaseOperator::StringLike | BaseOperator::StringEqualsIgnoreCase)
}

/// A condition that constrains a claim to allowed values (what "has a `sub`
/// condition" means): a positive string operator, not `ForAllValues:`, not
/// `IfExists`.
pub(super) fn constrains(c: &Condition) -> bool {
    is_positive_string(&c.operator.value.base)
        && c.operator.value.set != Some(SetQualifier::ForAllValues)
        && !c.operator.value.if_exists
}

/// Conditions on one GitHub claim that no value satisfies together, judged
/// by the engine's condition evaluator: every value a case-sensitive
/// `StringEquals` on the claim allows is tried against all the claim's
/// conditions (a value outside that list fails it anyway). Two blocks
/// pinning `sub` to different values, or `StringEquals` with a
/// `StringNotEquals` or `StringLike` that excludes it, admit nothing.
fn conditions_never_hold(st: &Statement, dialect: &Dialect) -> Option<(String, Option<Span>)> {
    let plain = |c: &&Condition| c.operator.value.set.is_none() && !c.operator.value.if_exists;
    let on_claim: Vec<(&Condition, String)> = st
        .conditions
        .iter()
        .filter(plain)
        .filter_map(|c| (dialect.claim_of)(&c.key.value).map(|claim| (c, claim)))
        .collect();
    for (pin, claim) in on_claim.iter().filter(|(c, _)| c.operator.value.base == BaseOperator::StringEquals) {
        let same: Vec<&Condition> = on_claim.iter().filter(|(_, k)| k == claim).map(|(c, _)| *c).collect();
        // Policy variables and `${*}` escapes are left to the evaluator's
        // full reading: no verdict here.
        if same.len() < 2 || same.iter().flat_map(|c| &c.values).any(|v| v.value.contains("${")) {
            continue;
        }
        let syntax = ValueSyntax { variables: false };
        let admits = pin.values.iter().any(|candidate| {
            let host = Probe { value: &candidate.value };
            same.iter().all(|c| evaluate_condition(c, &host, syntax).matched)
        });
        if !admits {
            let written: Vec<String> =
                same.iter().map(|c| format!("`{} {}`", c.operator.value.display(), c.key.value)).collect();
            return Some((
                format!(
                    "its conditions on `{claim}` cannot hold together ({}): no value satisfies all of them",
                    written.join(", ")
                ),
                Some(pin.span),
            ));
        }
    }
    None
}

/// A request whose every condition key holds one value (the candidate):
/// only the keys of one claim are evaluated with it.
struct Probe<'a> {
    value: &'a str,
}

impl PolicyHost for Probe<'_> {
    fn lookup(&self, _key: &str) -> ContextLookup {
        ContextLookup::single(self.value)
    }
    fn applies(&self, _statement: &Statement, _label: &str) -> Applicability {
        Applicability::default()
    }
}

/// Allow statements that federate with the OIDC provider (or condition on
/// its keys): the statements a GitHub token can be admitted by. Statements
/// that trust another issuer, or can never apply to a GitHub login, are
/// left out.
pub(super) fn federated_allows<'a>(policy: &'a TrustPolicy, dialect: &Dialect) -> Vec<&'a Statement> {
    policy
        .statements
        .iter()
        .filter(|s| s.effect.value == Effect::Allow)
        .filter(|s| {
            let federated = s.principal.as_ref().is_some_and(|p| !p.federated.is_empty() || p.wildcard);
            federated || s.conditions.iter().any(|c| (dialect.claim_of)(&c.key.value).is_some())
        })
        .filter(|s| concerns_github(s, dialect) && never_admits(s, dialect).is_none())
        .collect()
}

/// Operator and `sub`-shape findings for every GitHub condition, and the
/// missing `sub`/`aud` conditions of every federated Allow statement.
pub(super) fn check(policy: &TrustPolicy, dialect: &Dialect) -> Vec<Finding> {
    let cloud = Some(dialect.cloud);
    let mut out = Vec::new();
    for st in &policy.statements {
        let allow = st.effect.value == Effect::Allow;
        // Another issuer's statement (EKS IRSA, Terraform Cloud, ACK RRSA):
        // its claims are not GitHub's.
        let github = concerns_github(st, dialect);
        // Placeholders first: a placeholder principal is why the statement
        // names no GitHub provider, and the more useful thing to say.
        let mut placeholder_principal = false;
        if allow && github {
            let principals: Vec<Finding> = st
                .principal
                .iter()
                .flat_map(|p| p.federated.iter())
                .filter_map(|v| super::placeholder::check(v, cloud, "the principal"))
                .collect();
            placeholder_principal = !principals.is_empty();
            out.extend(principals);
            let values = st.conditions.iter().flat_map(|c| c.values.iter());
            out.extend(values.filter_map(|v| super::placeholder::check(v, cloud, "the value")));
        }
        // A statement about GitHub that no GitHub login can use: one
        // finding, and none about what it would admit.
        if allow
            && github
            && !placeholder_principal
            && let Some((why, span)) = never_admits(st, dialect)
        {
            out.push(Finding::new(
                "KL-IAM-006",
                cloud,
                format!("this statement can never admit a GitHub token: {why}"),
                span.or(Some(st.span)),
            ));
            continue;
        }
        for c in &st.conditions {
            // A key no request carries is absent (IAM global condition keys;
            // RAM common condition keys): a typo denies every login, or with
            // a negated operator / IfExists silently drops the restriction.
            if let Some(meant) = (dialect.misspelling_of)(&c.key.value) {
                let effect = if is_negated(&c.operator.value.base) || c.operator.value.if_exists {
                    "this condition is always true"
                } else {
                    "this condition never matches"
                };
                out.push(Finding::new(
                    dialect.misspelled_key,
                    cloud,
                    format!(
                        "`{}` is not a documented key (did you mean `{meant}`?): no request carries it, so {effect}",
                        c.key.value
                    ),
                    Some(c.key.span),
                ));
            }
            let Some(claim) = (dialect.claim_of)(&c.key.value).filter(|_| github) else { continue };
            let op = &c.operator.value;
            let key = &c.key.value;
            if op.set == Some(SetQualifier::ForAllValues) && allow {
                out.push(Finding::new(
                    "KL-IAM-003",
                    cloud,
                    format!("`ForAllValues:` on `{key}` is true when the key is absent or misspelled"),
                    Some(c.operator.span),
                ));
            }
            if allow && is_negated(&op.base) {
                out.push(Finding::new(
                    "KL-IAM-004",
                    cloud,
                    format!("negated operator on `{key}` admits every value not listed (and a missing key)"),
                    Some(c.operator.span),
                ));
            }
            if allow && op.if_exists && is_positive_string(&op.base) {
                out.push(Finding::new(
                    "KL-IAM-005",
                    cloud,
                    format!("`…IfExists` on `{key}` passes when the key is absent"),
                    Some(c.operator.span),
                ));
            }
            for v in &c.values {
                let unescaped = subject::without_iam_escapes(&v.value);
                match op.base {
                    BaseOperator::StringEquals | BaseOperator::StringEqualsIgnoreCase if v.value.contains('*') => {
                        out.push(Finding::new(
                            "KL-IAM-001",
                            cloud,
                            format!("`{}` under an equality operator compares `*` literally: `{}` never matches a GitHub token", key, v.value),
                            Some(v.span),
                        ));
                    }
                    BaseOperator::StringLike if !unescaped.contains(['*', '?']) => {
                        out.push(Finding::new(
                            "KL-IAM-002",
                            cloud,
                            format!("`StringLike` value `{}` has no wildcard", v.value),
                            Some(v.span),
                        ));
                    }
                    _ => {}
                }
                // A placeholder's shape says nothing about real owners (KL-CFG-001 says it).
                if claim == "sub"
                    && allow
                    && is_positive_string(&op.base)
                    && super::placeholder::find(&v.value).is_none()
                {
                    let glob = op.base == BaseOperator::StringLike;
                    if let Some(risk) = subject::classify(&unescaped, glob) {
                        out.push(subject_finding(risk, cloud, &v.value, v.span));
                    }
                }
            }
        }
    }
    for st in federated_allows(policy, dialect) {
        let has = |name: &str| {
            st.conditions.iter().any(|c| constrains(c) && (dialect.claim_of)(&c.key.value).as_deref() == Some(name))
        };
        if !has("sub") {
            out.push(Finding::new(
                dialect.missing_sub,
                cloud,
                "this federated Allow statement has no positive condition on `sub`: any repository's token is admitted",
                Some(st.span),
            ));
        }
        if !has("aud") {
            out.push(Finding::new(
                dialect.missing_aud,
                cloud,
                "this federated Allow statement does not pin the audience (`aud`)",
                Some(st.span),
            ));
        }
    }
    out
}

/// The KL-SUB finding for one pattern.
pub(crate) fn subject_finding(
    risk: SubjectRisk,
    cloud: Option<Cloud>,
    pattern: &str,
    span: crate::span::Span,
) -> Finding {
    let what = match risk {
        SubjectRisk::AnyOwner => "admits tokens of any owner's repositories",
        SubjectRisk::OwnerPrefix => "treats the owner as a prefix: look-alike owners (`<owner>-evil`) match",
        SubjectRisk::AnyRepoOfOwner => "admits many repositories of the owner, not one",
        SubjectRisk::RepoNamePrefix => "has no `:` after the repository name: `<repo>-evil` matches",
        SubjectRisk::AnyContext => "admits every branch, tag, pull request and environment",
        SubjectRisk::NoOwnerPin => "names no owner or repository",
        SubjectRisk::NeverMatches => {
            "matches no `sub` GitHub mints (an empty owner or repository, white space or a line break, or an audience): it admits nothing"
        }
    };
    Finding::new(risk.finding_id(), cloud, format!("`{pattern}` {what}"), Some(span))
}
