//! Least-privilege suggestions: the tightest trust configuration per cloud
//! for the scenario's intended runs, in the cloud's own format and as
//! Terraform. Every suggestion is parsed back with the cloud's `from_text`
//! and judged by the engine against every row of the what-if matrix before
//! it is shown; `verified` says what that check found, and a suggestion is
//! never marked verified unless it admitted every intended run and rejected
//! every unintended run the cloud can tell apart.

mod alibaba;
mod aws;
mod azure;
mod gcp;
#[cfg(feature = "services")]
mod services;
mod terraform;

#[cfg(test)]
mod tests;

use crate::analysis::blast_radius::{Expectation, Exploration};
use crate::claims::Claims;
use crate::diagnostic::Diagnostic;
use crate::github::JobRun;
use crate::scenario::Scenario;
use crate::verdict::Cloud;
use crate::verdict_cache::VerdictCache;
use serde::Serialize;

/// One ready-to-paste rendering of a suggestion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// `json`, `shell`, `hcl`.
    pub format: &'static str,
    pub title: String,
    pub text: String,
}

/// What the engine found when it judged the suggestion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The configuration parsed and was judged (false: not verified at all).
    pub parsed: bool,
    pub admits_intended: bool,
    pub rejects_unintended: bool,
    /// Runs judged (intended + unintended + neutral).
    pub checked_runs: usize,
    /// Unintended rows whose token this cloud cannot tell apart from an
    /// intended one (same claims among those the cloud can check): no trust
    /// configuration can reject them; they are reported, not hidden.
    pub indistinguishable: Vec<String>,
    /// Rows that came out wrong, with the cloud's code.
    pub failures: Vec<String>,
    /// `parsed && admits_intended && rejects_unintended`.
    pub verified: bool,
}

/// A suggested trust configuration for one cloud.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub cloud: Cloud,
    pub summary: String,
    /// The configuration as the cloud's editor reads it (what was verified).
    pub config: String,
    pub snippets: Vec<Snippet>,
    pub notes: Vec<String>,
    pub verified: Verification,
}

/// What a cloud module generates before verification.
pub(crate) struct Draft {
    pub summary: String,
    pub config: String,
    pub snippets: Vec<Snippet>,
    pub notes: Vec<String>,
}

/// The token of a run as the cloud sees it (with the login's audience).
pub(crate) fn claims_for(cloud: Cloud, run: &JobRun) -> Claims {
    match run.logins.iter().find(|l| l.cloud == cloud) {
        Some(l) => run.token.claims.with_audience(&l.audience),
        None => run.token.claims.clone(),
    }
}

/// Claims a suggestion for this cloud can test (research
/// cloud-trust-evaluation.md §1.3 AWS 2026 keys, §2.3 Entra flexible claims,
/// §3 GCP CEL sees every claim, §4 Alibaba `oidc:iss/aud/sub`).
pub(crate) fn distinguishing_claims(cloud: Cloud) -> &'static [&'static str] {
    match cloud {
        Cloud::Aws => &["iss", "aud", "sub", "job_workflow_ref", "repository_id"],
        Cloud::Azure => &["iss", "aud", "sub", "job_workflow_ref", "repository_id", "repository_owner_id"],
        Cloud::Gcp => &["iss", "aud", "sub", "job_workflow_ref", "repository_id", "repository_owner_id", "event_name"],
        Cloud::Alibaba => &["iss", "aud", "sub"],
        // `bound_claims` may name any claim (V1); no suggestion is drafted yet.
        #[cfg(feature = "services")]
        Cloud::Vault => {
            &["iss", "aud", "sub", "job_workflow_ref", "repository_id", "repository_owner_id", "environment"]
        }
        #[cfg(feature = "services")]
        Cloud::Pypi => {
            &["iss", "aud", "repository", "repository_owner_id", "job_workflow_ref", "environment", "event_name"]
        }
        #[cfg(feature = "services")]
        Cloud::OctoSts => {
            &["iss", "aud", "sub", "job_workflow_ref", "repository_id", "repository_owner_id", "event_name"]
        }
        #[cfg(feature = "services")]
        Cloud::CratesIo => &["iss", "aud", "repository", "repository_owner_id", "workflow_ref", "environment"],
        #[cfg(feature = "services")]
        Cloud::Npm => &["iss", "repository", "workflow_ref", "environment", "runner_environment"],
    }
}

fn visible(cloud: Cloud, claims: &Claims) -> Vec<Option<String>> {
    distinguishing_claims(cloud).iter().map(|k| seen(cloud, k, claims.text(k))).collect()
}

/// A claim as the service compares it. The package registries match a
/// workflow by its file, never its ref (PyPI Y3, crates.io C1, npm N1): for
/// them two runs of one file on different refs are the same; and PyPI tells
/// events apart only as pull_request_target or not.
fn seen(cloud: Cloud, claim: &str, value: Option<String>) -> Option<String> {
    #[cfg(feature = "services")]
    if matches!(cloud, Cloud::Pypi | Cloud::CratesIo | Cloud::Npm)
        && matches!(claim, "job_workflow_ref" | "workflow_ref")
    {
        return value.map(|v| v.split_once('@').map_or(v.clone(), |(path, _)| path.to_string()));
    }
    // PyPI refuses pull_request_target runs and sees no other event (Y3).
    #[cfg(feature = "services")]
    if cloud == Cloud::Pypi && claim == "event_name" {
        return value.map(|v| if v == "pull_request_target" { v } else { "another event".into() });
    }
    let _ = (cloud, claim);
    value
}

/// Verified suggestions for a scenario (runs the what-if matrix first).
pub fn suggestions(scenario: &Scenario) -> Vec<Suggestion> {
    suggest(scenario, &crate::analysis::blast_radius::explore(scenario))
}

/// Ids the scenario does not give are deterministic placeholders in the
/// simulated token; a suggestion that pins one must say so loudly, or a user
/// would paste an id that matches nothing.
fn placeholder_warnings(scenario: &Scenario, intended: &[Claims], config: &str) -> Vec<String> {
    let owner = scenario.owner.as_str();
    let repo = scenario.repository();
    [
        ("repository_id", scenario.repository_id.is_none(), format!("gh api repos/{repo} --jq .id")),
        ("repository_owner_id", scenario.repository_owner_id.is_none(), format!("gh api users/{owner} --jq .id")),
    ]
    .into_iter()
    .filter(|(_, missing, _)| *missing)
    .filter_map(|(claim, _, how)| {
        let value = intended.iter().find_map(|c| c.text(claim))?;
        config.contains(&value).then(|| {
            format!(
                "`{claim}` {value} is a Keyless placeholder (the scenario does not give it): replace it with the real id (`{how}`) before pasting, or set `{claim}` in the scenario."
            )
        })
    })
    .collect()
}

/// Suggestions for every configured cloud that has intended runs.
pub(crate) fn suggest(scenario: &Scenario, exploration: &Exploration) -> Vec<Suggestion> {
    suggest_using(scenario, exploration, &mut VerdictCache::default())
}

/// [`suggest`], verifying through `verdicts` (see [`verify_using`]).
pub(crate) fn suggest_using(
    scenario: &Scenario,
    exploration: &Exploration,
    verdicts: &mut VerdictCache,
) -> Vec<Suggestion> {
    let mut out = Vec::new();
    for &cloud in &exploration.matrix.clouds {
        let intended: Vec<Claims> = exploration
            .runs
            .iter()
            .filter(|r| row_expect(exploration, r.row) == Some(Expectation::Intended))
            .filter(|r| r.run.token.issued && has_cell(exploration, r.row, cloud))
            .map(|r| claims_for(cloud, &r.run))
            .collect();
        if intended.is_empty() {
            continue;
        }
        let draft = match cloud {
            Cloud::Aws => aws::draft(scenario, &intended),
            Cloud::Azure => azure::draft(scenario, &intended, &unintended_claims(exploration, cloud)),
            Cloud::Gcp => gcp::draft(scenario, &intended),
            Cloud::Alibaba => alibaba::draft(scenario, &intended),
            #[cfg(feature = "services")]
            Cloud::Vault => services::vault(scenario, &intended),
            #[cfg(feature = "services")]
            Cloud::Pypi => services::pypi(scenario, &intended),
            #[cfg(feature = "services")]
            Cloud::CratesIo => services::crates_io(scenario, &intended),
            #[cfg(feature = "services")]
            Cloud::Npm => services::npm(scenario, &intended),
            #[cfg(feature = "services")]
            Cloud::OctoSts => services::octo_sts(scenario, &intended),
        };
        let verified = verify_using(scenario, cloud, &draft.config, exploration, VERIFY_BUDGET, verdicts);
        let mut notes = placeholder_warnings(scenario, &intended, &draft.config);
        notes.extend(draft.notes);
        out.push(Suggestion {
            cloud,
            summary: draft.summary,
            config: draft.config,
            snippets: draft.snippets,
            notes,
            verified,
        });
    }
    out
}

fn row_expect(e: &Exploration, row: usize) -> Option<Expectation> {
    e.matrix.rows.get(row).map(|r| r.expectation)
}

fn has_cell(e: &Exploration, row: usize, cloud: Cloud) -> bool {
    e.matrix.rows.get(row).is_some_and(|r| r.cells.contains_key(&cloud))
}

fn unintended_claims(e: &Exploration, cloud: Cloud) -> Vec<Claims> {
    e.runs
        .iter()
        .filter(|r| row_expect(e, r.row) == Some(Expectation::Unintended))
        .filter(|r| r.run.token.issued && has_cell(e, r.row, cloud))
        .map(|r| claims_for(cloud, &r.run))
        .collect()
}

/// The work [`verify`] may do, in runs judged × bytes of the suggested
/// configuration (a judgement walks the configuration): a 256-combination
/// matrix (GitHub's maximum) with a suggestion listing every intended `sub`
/// makes this quadratic in the matrix (docs/fuzzing.md finding 3). Runs whose
/// tokens agree on the claims the cloud reads are judged once (the verdict
/// cache), so the work actually done is usually far less; the budget still
/// counts every run, so where it stops does not depend on the cache. Past
/// it verification stops and the suggestion is shown unverified, with the
/// reason (docs/limits.md).
pub(crate) const VERIFY_BUDGET: usize = 256 << 20;

/// Parses `config` as the cloud would and judges every matrix row with it.
#[cfg(test)]
pub(crate) fn verify(scenario: &Scenario, cloud: Cloud, config: &str, e: &Exploration) -> Verification {
    verify_within(scenario, cloud, config, e, VERIFY_BUDGET)
}

/// [`verify`] with a given work budget.
#[cfg(test)]
pub(crate) fn verify_within(
    scenario: &Scenario,
    cloud: Cloud,
    config: &str,
    e: &Exploration,
    budget: usize,
) -> Verification {
    verify_using(scenario, cloud, config, e, budget, &mut VerdictCache::default())
}

/// [`verify_within`], judging through `verdicts`: each distinct token the
/// cloud sees is judged once (verdicts equal the engine's).
fn verify_using(
    scenario: &Scenario,
    cloud: Cloud,
    config: &str,
    e: &Exploration,
    budget: usize,
    verdicts: &mut VerdictCache,
) -> Verification {
    let mut v = Verification {
        parsed: false,
        admits_intended: false,
        rejects_unintended: false,
        checked_runs: 0,
        indistinguishable: Vec::new(),
        failures: Vec::new(),
        verified: false,
    };
    let mut judged = scenario.clone();
    let parsed: Result<(), Diagnostic> =
        judged.read_trust(cloud, crate::scenario::TrustSection::Text(config), &crate::clouds::Clouds::ALL);
    if let Err(d) = parsed {
        v.failures.push(format!("the suggestion does not parse: {}", d.message));
        return v;
    }
    v.parsed = true;
    let intended: std::collections::HashSet<Vec<Option<String>>> = e
        .runs
        .iter()
        .filter(|r| {
            row_expect(e, r.row) == Some(Expectation::Intended) && r.run.token.issued && has_cell(e, r.row, cloud)
        })
        .map(|r| visible(cloud, &claims_for(cloud, &r.run)))
        .collect();
    let (mut admits, mut rejects) = (true, true);
    let runs: Vec<_> = e.runs.iter().filter(|r| has_cell(e, r.row, cloud)).collect();
    let max_runs = budget / config.len().max(1);
    let mut cut = false;
    for r in &runs {
        if v.checked_runs >= max_runs {
            cut = true;
            v.failures.push(format!(
                "verification stopped after {} of {} runs: the work budget (runs × configuration size) is spent",
                v.checked_runs,
                runs.len()
            ));
            break;
        }
        let Some(row) = e.matrix.rows.get(r.row) else { continue };
        let verdict = verdicts.judge(&judged, cloud, &r.run, &crate::clouds::Clouds::ALL);
        v.checked_runs += 1;
        match row.expectation {
            Expectation::Intended if !verdict.allowed => {
                admits = false;
                v.failures.push(format!("{}: rejected ({})", row.id, verdict.code));
            }
            Expectation::Unintended if verdict.allowed => {
                if intended.contains(&visible(cloud, &claims_for(cloud, &r.run))) {
                    v.indistinguishable.push(row.id.clone());
                } else {
                    rejects = false;
                    v.failures.push(format!("{}: admitted", row.id));
                }
            }
            _ => {}
        }
    }
    v.admits_intended = admits && !intended.is_empty();
    v.rejects_unintended = rejects;
    v.verified = v.parsed && v.admits_intended && v.rejects_unintended && !cut;
    v
}

/// Distinct values of a claim across runs, in first-seen order.
pub(crate) fn distinct(runs: &[Claims], claim: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in runs {
        if let Some(v) = c.text(claim)
            && !out.contains(&v)
        {
            out.push(v);
        }
    }
    out
}

/// A JSON value: one string, or a list when there are several.
pub(crate) fn one_or_many(values: &[String]) -> serde_json::Value {
    match values {
        [one] => serde_json::Value::String(one.clone()),
        many => serde_json::Value::Array(many.iter().cloned().map(serde_json::Value::String).collect()),
    }
}

/// Pretty JSON (never fails for values built from strings).
pub(crate) fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// Quotes for a POSIX shell: single quotes, `'` written as `'\''`.
pub(crate) fn sh(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A Terraform string literal (JSON escaping is valid HCL for these texts;
/// `${` and `%{` are escaped as template sequences).
pub(crate) fn hcl(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default().replace("${", "$${").replace("%{", "%%{")
}

/// The issuer host and path, as IAM condition keys and provider ARNs write it.
pub(crate) fn issuer_host(iss: &str) -> String {
    iss.trim_start_matches("https://").trim_end_matches('/').to_string()
}

/// The `gh api` call that customizes the repository's `sub` to carry
/// `job_workflow_ref` (github-oidc-tokens.md §3.1, seed guide §5). Shown
/// unverified: it changes every token of the repository.
pub(crate) fn customize_sub_snippet(scenario: &Scenario) -> Snippet {
    Snippet {
        format: "shell",
        title: "optional, NOT verified: customize the repository's sub to carry job_workflow_ref (changes every token's sub; update every trust in the same rollout)".into(),
        text: format!(
            "gh api -X PUT /repos/{}/actions/oidc/customization/sub \\\n  -F use_default=false \\\n  -f 'include_claim_keys[]=repo' \\\n  -f 'include_claim_keys[]=context' \\\n  -f 'include_claim_keys[]=job_workflow_ref'",
            scenario.repository()
        ),
    }
}

/// Whether any intended run's `job_workflow_ref` is a reusable workflow
/// (differs from its `workflow_ref`).
pub(crate) fn uses_reusable(intended: &[Claims]) -> bool {
    intended
        .iter()
        .any(|c| c.text("job_workflow_ref").is_some() && c.text("job_workflow_ref") != c.text("workflow_ref"))
}
