//! Scenario-aware findings: the trust configuration against the tokens the
//! simulation produced and against the what-if matrix. Sources:
//! github-oidc-tokens.md §2.1 (environment replaces the ref in `sub`), §3.3
//! (case), §3.4 (immutable subjects); cloud-trust-evaluation.md §3.1 (127
//! bytes).

use super::Finding;
use crate::analysis::blast_radius::{Expectation, WhatIfMatrix};
use crate::engine::Report;
use crate::glob::Glob;
use crate::scenario::Scenario;
use crate::span::Span;
use crate::verdict::Cloud;
use regex_lite::Regex;

/// A `sub` value or pattern written in a trust configuration.
#[derive(Clone, Debug)]
pub(crate) struct SubPattern {
    pub text: String,
    pub glob: bool,
    pub span: Span,
}

impl SubPattern {
    fn matches(&self, sub: &str) -> bool {
        if self.glob { Glob::new(&self.text).matches(sub) } else { self.text == sub }
    }
}

/// Every `sub` the cloud's configuration compares with (positive tests only).
pub(crate) fn sub_patterns(scenario: &Scenario, cloud: Cloud) -> Vec<SubPattern> {
    use crate::iam_policy::{BaseOperator, Effect};
    let mut out = Vec::new();
    let iam =
        |policy: &crate::iam_policy::TrustPolicy, claim_of: fn(&str) -> Option<String>, out: &mut Vec<SubPattern>| {
            for st in policy.statements.iter().filter(|s| s.effect.value == Effect::Allow) {
                for c in &st.conditions {
                    if claim_of(&c.key.value).as_deref() != Some("sub") || !super::iam::constrains(c) {
                        continue;
                    }
                    let glob = c.operator.value.base == BaseOperator::StringLike;
                    for v in &c.values {
                        out.push(SubPattern { text: v.value.clone(), glob, span: v.span });
                    }
                }
            }
        };
    match cloud {
        Cloud::Aws => {
            if let Some(c) = &scenario.aws {
                iam(&c.trust_policy, super::aws::github_claim, &mut out);
            }
        }
        Cloud::Alibaba => {
            if let Some(c) = &scenario.alibaba {
                iam(&c.trust_policy, super::alibaba::oidc_claim, &mut out);
            }
        }
        Cloud::Azure => {
            for fic in scenario.azure.iter().flat_map(|c| &c.credentials) {
                if let Some(s) = &fic.subject {
                    out.push(SubPattern { text: s.value.clone(), glob: false, span: s.span });
                }
                for t in fic.expression.iter().flat_map(|e| &e.terms).filter(|t| t.claim.value == "sub") {
                    let glob = t.op.value == crate::azure::MatchOp::Matches;
                    out.push(SubPattern { text: t.operand.value.clone(), glob, span: t.operand.span });
                }
            }
        }
        Cloud::Gcp => {
            if let Some(cond) = scenario.gcp.as_ref().and_then(|g| g.provider.attribute_condition.as_ref())
                && let Ok(re) = Regex::new(r#"assertion\.sub\s*==\s*['"]([^'"]+)['"]"#)
            {
                for m in re.captures_iter(&cond.value).filter_map(|cap| cap.get(1)) {
                    out.push(SubPattern { text: m.as_str().to_string(), glob: false, span: cond.span });
                }
            }
        }
        #[cfg(feature = "services")]
        Cloud::Vault => {
            if let Some(role) = scenario.vault.as_ref().map(|c| &c.role) {
                if let Some(s) = &role.bound_subject {
                    out.push(SubPattern { text: s.value.clone(), glob: false, span: s.span });
                }
                let glob = role.bound_claims_type == crate::vault::ClaimsType::Glob;
                for v in role.bound_claims.iter().filter(|b| b.claim.value == "sub").flat_map(|b| &b.values) {
                    if let crate::vault::BoundValue::Str(text) = &v.value {
                        out.push(SubPattern { text: text.clone(), glob, span: v.span });
                    }
                }
            }
        }
        // PyPI does not read `sub` (Y3 `__unchecked_claims__`).
        // PyPI and crates.io do not read `sub`.
        #[cfg(feature = "services")]
        Cloud::Pypi | Cloud::CratesIo | Cloud::Npm => {}
        #[cfg(feature = "services")]
        Cloud::OctoSts => {
            if let Some(crate::octo_sts::Matcher::Exact(s)) = scenario.octo_sts.as_ref().map(|c| &c.subject) {
                out.push(SubPattern { text: s.value.clone(), glob: false, span: s.span });
            }
        }
    }
    out
}

/// `repo:o@1/r@2:rest` → `repo:o/r:rest`.
fn name_form(sub: &str) -> Option<String> {
    let re = Regex::new(r"^repo:([^@/:]+)@[0-9]+/([^@/:]+)@[0-9]+(:.*)?$").ok()?;
    let c = re.captures(sub)?;
    Some(format!("repo:{}/{}{}", c.get(1)?.as_str(), c.get(2)?.as_str(), c.get(3).map_or("", |m| m.as_str())))
}

/// Explains rejected intended runs, and checks `google.subject` length.
pub(super) fn check(scenario: &Scenario, report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    for job in &report.jobs {
        if !job.token.issued {
            continue;
        }
        let sub = job.token.claims.sub();
        for (cloud, verdict) in &job.verdicts {
            // An `undetermined` verdict is not a rejection: the trace says
            // which value Keyless cannot know.
            if verdict.allowed || verdict.code == "undetermined" || !job.logins.iter().any(|l| l.cloud == *cloud) {
                continue;
            }
            let aud = job.token.claims.text("aud").unwrap_or_default();
            let audience = job.logins.iter().find(|l| l.cloud == *cloud).map_or(aud, |l| l.audience.clone());
            if let Some(f) = audience_mismatch(scenario, *cloud, &audience, &job.job) {
                out.push(f);
                continue;
            }
            let patterns = sub_patterns(scenario, *cloud);
            let c = Some(*cloud);
            let reason = explain(&patterns, &sub, job.token.claims.text("ref").as_deref(), c, &job.job);
            out.push(reason.unwrap_or_else(|| {
                Finding::new(
                    "KL-TRUST-007",
                    c,
                    format!(
                        "job `{}` logs in to {} and is rejected: {} ({})",
                        job.job,
                        cloud.title(),
                        verdict.message,
                        verdict.code
                    ),
                    verdict.decided_span,
                )
            }));
        }
        out.extend(unguarded_environment(scenario, job));
        if let Some(g) = &scenario.gcp {
            let maps_sub = g
                .provider
                .attribute_mapping
                .iter()
                .find(|(k, _)| k.value == "google.subject")
                .filter(|(_, v)| v.value.trim() == "assertion.sub");
            if let Some((_, v)) = maps_sub
                && sub.len() > 127
                && job.logins.iter().any(|l| l.cloud == Cloud::Gcp)
            {
                out.push(Finding::new(
                    "KL-GCP-003",
                    Some(Cloud::Gcp),
                    format!("job `{}`'s `sub` is {} bytes: `{sub}`", job.job, sub.len()),
                    Some(v.span),
                ));
            }
        }
    }
    out
}

/// A cloud admits the job's `…:environment:NAME` token while NAME's
/// deployment branches are unrestricted or not given: any branch that can
/// run a workflow naming NAME gets the same subject (D-ENV; research §6.1).
fn unguarded_environment(scenario: &Scenario, job: &crate::engine::JobReport) -> Vec<Finding> {
    use crate::github::environment::{DeploymentBranches, find};
    let Some(env) = job.environment.as_deref() else { return Vec::new() };
    let rules = find(&scenario.environments, env);
    let state = match rules.map(|r| &r.deployment_branches) {
        Some(DeploymentBranches::All) => "lets every branch and tag deploy (`deployment_branches: all`)",
        None => "has no deployment branch rules in the scenario (`environments:`), so any branch may be able to deploy",
        Some(_) => return Vec::new(),
    };
    let mut out = Vec::new();
    for (cloud, verdict) in job.verdicts.iter().filter(|(c, v)| v.allowed && job.logins.iter().any(|l| l.cloud == **c))
    {
        let f = Finding::new(
            "KL-TRUST-010",
            Some(*cloud),
            format!(
                "{} admits job `{}`'s `{}`, and environment `{env}` {state}: any branch whose workflow names `{env}` gets this subject",
                cloud.title(),
                job.job,
                job.token.claims.sub()
            ),
            verdict.decided_span,
        );
        out.push(if rules.is_none() { f.with_severity(super::FindingSeverity::Low) } else { f });
    }
    out
}

/// The audiences the configuration pins (positive conditions / lists), and
/// where; empty when it pins none.
fn pinned_audiences(scenario: &Scenario, cloud: Cloud) -> Vec<(String, Span)> {
    use crate::iam_policy::Effect;
    let iam = |policy: &crate::iam_policy::TrustPolicy, claim_of: fn(&str) -> Option<String>| -> Vec<(String, Span)> {
        policy
            .statements
            .iter()
            .filter(|s| s.effect.value == Effect::Allow)
            .flat_map(|s| &s.conditions)
            .filter(|c| claim_of(&c.key.value).as_deref() == Some("aud") && super::iam::constrains(c))
            .filter(|c| c.operator.value.base != crate::iam_policy::BaseOperator::StringLike)
            .flat_map(|c| c.values.iter().map(|v| (v.value.clone(), v.span)))
            .collect()
    };
    match cloud {
        Cloud::Aws => scenario.aws.as_ref().map(|c| iam(&c.trust_policy, super::aws::github_claim)).unwrap_or_default(),
        Cloud::Alibaba => {
            scenario.alibaba.as_ref().map(|c| iam(&c.trust_policy, super::alibaba::oidc_claim)).unwrap_or_default()
        }
        Cloud::Azure => scenario
            .azure
            .iter()
            .flat_map(|c| &c.credentials)
            .flat_map(|f| f.audiences.iter().map(|a| (a.value.clone(), a.span)))
            .collect(),
        Cloud::Gcp => scenario
            .gcp
            .iter()
            .flat_map(|g| g.provider.allowed_audiences.iter().map(|a| (a.value.clone(), a.span)))
            .collect(),
        #[cfg(feature = "services")]
        Cloud::Vault => scenario
            .vault
            .iter()
            .flat_map(|c| c.role.bound_audiences.iter().map(|a| (a.value.clone(), a.span)))
            .collect(),
        // The index fixes its audience; nothing in the publisher sets one.
        #[cfg(feature = "services")]
        Cloud::Pypi | Cloud::CratesIo | Cloud::Npm => Vec::new(),
        #[cfg(feature = "services")]
        Cloud::OctoSts => match scenario.octo_sts.as_ref().map(|c| &c.audience) {
            Some(Some(crate::octo_sts::Matcher::Exact(a))) => vec![(a.value.clone(), a.span)],
            _ => Vec::new(),
        },
    }
}

fn audience_mismatch(scenario: &Scenario, cloud: Cloud, audience: &str, job: &str) -> Option<Finding> {
    let pinned = pinned_audiences(scenario, cloud);
    let (_, span) = pinned.first()?;
    if pinned.iter().any(|(a, _)| a == audience) {
        return None;
    }
    let list: Vec<&str> = pinned.iter().map(|(a, _)| a.as_str()).collect();
    Some(Finding::new(
        "KL-TRUST-009",
        Some(cloud),
        format!("job `{job}` sends `aud` `{audience}`; the trust pins {}", list.join(", ")),
        Some(*span),
    ))
}

fn explain(
    patterns: &[SubPattern],
    sub: &str,
    git_ref: Option<&str>,
    cloud: Option<Cloud>,
    job: &str,
) -> Option<Finding> {
    for p in patterns {
        let lower = SubPattern { text: p.text.to_lowercase(), glob: p.glob, span: p.span };
        if !p.matches(sub) && lower.matches(&sub.to_lowercase()) {
            return Some(Finding::new(
                "KL-TRUST-003",
                cloud,
                format!("`{}` matches job `{job}`'s `{sub}` only when case is ignored", p.text),
                Some(p.span),
            ));
        }
    }
    if let (Some((prefix, _)), Some(r)) = (sub.split_once(":environment:"), git_ref) {
        let as_ref = format!("{prefix}:ref:{r}");
        if let Some(p) = patterns.iter().find(|p| p.text.contains(":ref:") && p.matches(&as_ref)) {
            return Some(Finding::new(
                "KL-TRUST-002",
                cloud,
                format!(
                    "`{}` expects `{as_ref}`, but job `{job}` runs in an environment: its `sub` is `{sub}`",
                    p.text
                ),
                Some(p.span),
            ));
        }
    }
    if let Some(named) = name_form(sub)
        && let Some(p) = patterns.iter().find(|p| p.matches(&named))
    {
        return Some(Finding::new(
            "KL-TRUST-004",
            cloud,
            format!("`{}` is written with names; job `{job}`'s token has the immutable `{sub}`", p.text),
            Some(p.span),
        ));
    }
    None
}

/// Findings read off the matrix: unintended admits (pull_request_target
/// separately) and trusts that break under immutable subjects.
pub(super) fn from_matrix(scenario: &Scenario, matrix: &WhatIfMatrix) -> Vec<Finding> {
    let mut out = Vec::new();
    let prt_triggered = crate::doc::parse(&scenario.workflow.text, crate::span::DocId::Workflow)
        .map(|root| super::workflow::triggers(&root).iter().any(|t| t == "pull_request_target"))
        .unwrap_or(false);
    let intended_envs: Vec<String> = matrix
        .rows
        .iter()
        .filter(|r| r.expectation == Expectation::Intended)
        .filter_map(|r| r.sub.as_deref().and_then(|s| s.split_once(":environment:")).map(|(_, e)| e.to_string()))
        .collect();
    // A run that keeps the intended environment only gets its token if
    // GitHub's environment rules let it in: simulated when the scenario
    // gives them, unknown otherwise.
    let env_gated = |a: &&crate::analysis::blast_radius::UnintendedAdmit| {
        a.sub.as_deref().and_then(|s| s.split_once(":environment:")).is_some_and(|(_, e)| {
            intended_envs.iter().any(|x| x == e)
                && crate::github::environment::find(&scenario.environments, e).is_none()
        })
    };
    for &cloud in &matrix.clouds {
        let admits: Vec<_> = matrix.unintended_admits.iter().filter(|a| a.cloud == cloud).collect();
        let (prt, rest): (Vec<_>, Vec<_>) = admits.into_iter().partition(|a| a.row.starts_with("pull-request-target"));
        let (workflow, other): (Vec<_>, Vec<_>) = rest.into_iter().partition(|a| a.row.starts_with("other-workflow:"));
        if let Some(first) = other.first() {
            let mut rows: Vec<String> =
                other.iter().map(|a| format!("{} (`{}`)", a.description, a.sub.clone().unwrap_or_default())).collect();
            rows.dedup();
            let gated = other.iter().all(env_gated);
            let f = Finding::new(
                "KL-TRUST-001",
                Some(cloud),
                format!(
                    "{} admits {} unintended run(s): {}{}",
                    cloud.title(),
                    other.len(),
                    rows.join("; "),
                    if gated {
                        " — only if the environment's deployment branch/tag rules let these runs in (not simulated: the scenario's `environments:` does not give them)"
                    } else {
                        ""
                    }
                ),
                first.decided_span,
            );
            out.push(if gated { f.with_severity(super::FindingSeverity::Medium) } else { f });
        }
        if let Some(first) = workflow.first() {
            out.push(Finding::new(
                "KL-TRUST-008",
                Some(cloud),
                format!(
                    "{} admits another workflow file on the same ref (`{}`)",
                    cloud.title(),
                    first.sub.clone().unwrap_or_default()
                ),
                first.decided_span,
            ));
        }
        if let Some(first) = prt.first() {
            let f = Finding::new(
                "KL-TRUST-006",
                Some(cloud),
                format!(
                    "{} admits a fork-triggered pull_request_target run (`{}`){}",
                    cloud.title(),
                    first.sub.clone().unwrap_or_default(),
                    if prt_triggered { ", and this workflow triggers on pull_request_target" } else { "" }
                ),
                first.decided_span,
            );
            out.push(if prt_triggered { f } else { f.with_severity(super::FindingSeverity::Medium) });
        }
        let admitted_as_given = |job: &str| {
            matrix.rows.iter().any(|r| {
                r.expectation == Expectation::Intended
                    && r.job == job
                    && r.cells.get(&cloud).is_some_and(|c| c.admitted)
            })
        };
        if let Some(r) = matrix.rows.iter().find(|r| {
            r.variant == "immutable" && r.cells.get(&cloud).is_some_and(|c| !c.admitted) && admitted_as_given(&r.job)
        }) {
            let span = matrix
                .rows
                .iter()
                .find(|x| x.expectation == Expectation::Intended && x.job == r.job)
                .and_then(|x| x.cells.get(&cloud))
                .and_then(|c| c.decided_span);
            out.push(Finding::new(
                "KL-TRUST-005",
                Some(cloud),
                format!(
                    "with immutable subjects job `{}`'s token (`{}`) is rejected",
                    r.job,
                    r.sub.clone().unwrap_or_default()
                ),
                span,
            ));
        }
    }
    out
}
