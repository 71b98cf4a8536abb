//! Scenario in, report out: simulate the run, then ask every configured cloud
//! about every job's token.

use crate::claims::{ClaimValue, Claims};
use crate::clouds::Clouds;
use crate::diagnostic::Diagnostic;
use crate::github::{self, JobRun};
use crate::scenario::Scenario;
use crate::verdict::{Cloud, Verdict};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The result of evaluating a scenario. Serialises to the `keyless eval`
/// JSON contract (issue #2).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub jobs: Vec<JobReport>,
    pub diagnostics: Vec<Diagnostic>,
}

/// One job run and every configured cloud's verdict on its token. The run's
/// fields are written inline (`#[serde(flatten)]`), as the `keyless eval`
/// JSON has them; it dereferences to its run (`report.token`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobReport {
    #[serde(flatten)]
    pub run: JobRun,
    /// Only configured clouds appear.
    pub verdicts: BTreeMap<Cloud, Verdict>,
}

impl std::ops::Deref for JobReport {
    type Target = JobRun;
    fn deref(&self) -> &JobRun {
        &self.run
    }
}

/// The clouds this scenario configures.
pub fn configured_clouds(s: &Scenario) -> Vec<Cloud> {
    Cloud::ALL.into_iter().filter(|c| s.configures(*c)).collect()
}

pub fn evaluate(scenario: &Scenario) -> Report {
    evaluate_with(scenario, &Clouds::ALL)
}

/// [`evaluate`] with only the cloud evaluators in `clouds`. A scenario
/// built with the same set ([`Scenario::parse_with`]) holds no other cloud.
pub fn evaluate_with(scenario: &Scenario, clouds: &Clouds) -> Report {
    evaluate_using(scenario, &mut |cloud, claims| evaluate_claims(scenario, cloud, claims, clouds))
}

/// [`evaluate_with`] where `verdict_of` gives a cloud's verdict for a
/// token's claims (as [`evaluate_claims`] does): the seam for
/// [`crate::verdict_cache`], which reuses verdicts across evaluations.
pub fn evaluate_using(scenario: &Scenario, verdict_of: &mut dyn FnMut(Cloud, &Claims) -> Verdict) -> Report {
    let sim = github::simulate(scenario);
    let jobs = sim.runs.into_iter().map(|run| judge_run_using(scenario, run, verdict_of)).collect();
    let mut diagnostics = sim.diagnostics;
    diagnostics.extend(config_diagnostics(scenario));
    Report { jobs, diagnostics }
}

/// Warnings and notes the clouds' parsers attached to their configurations
/// (e.g. an Azure expression Entra would now refuse to create).
pub fn config_diagnostics(scenario: &Scenario) -> Vec<Diagnostic> {
    scenario.trust_notes()
}

/// Every configured cloud's verdict for one job's token.
pub fn judge_run(scenario: &Scenario, run: JobRun) -> JobReport {
    judge_run_with(scenario, run, &Clouds::ALL)
}

fn judge_run_with(scenario: &Scenario, run: JobRun, clouds: &Clouds) -> JobReport {
    judge_run_using(scenario, run, &mut |cloud, claims| evaluate_claims(scenario, cloud, claims, clouds))
}

fn judge_run_using(
    scenario: &Scenario,
    run: JobRun,
    verdict_of: &mut dyn FnMut(Cloud, &Claims) -> Verdict,
) -> JobReport {
    let mut verdicts = BTreeMap::new();
    for cloud in configured_clouds(scenario) {
        verdicts.insert(cloud, judge_using(cloud, &run, verdict_of));
    }
    JobReport { run, verdicts }
}

/// One cloud's verdict for one job: the token's `aud` is the one the job's
/// login step for that cloud asks for, else the token's own (GitHub's
/// default audience).
pub fn judge(scenario: &Scenario, cloud: Cloud, run: &JobRun) -> Verdict {
    judge_with(scenario, cloud, run, &Clouds::ALL)
}

fn judge_with(scenario: &Scenario, cloud: Cloud, run: &JobRun, clouds: &Clouds) -> Verdict {
    judge_using(cloud, run, &mut |cloud, claims| evaluate_claims(scenario, cloud, claims, clouds))
}

/// [`judge`] where `verdict_of` gives the cloud's verdict for the token's
/// claims (the seam [`crate::verdict_cache`] uses, as [`evaluate_using`]).
pub fn judge_using(cloud: Cloud, run: &JobRun, verdict_of: &mut dyn FnMut(Cloud, &Claims) -> Verdict) -> Verdict {
    if !run.token.issued {
        let reason = run.token.reason.as_deref().unwrap_or("no OIDC token was issued");
        return Verdict::no_token(cloud, reason);
    }
    let login = run.logins.iter().find(|l| l.cloud == cloud);
    if let Some(l) = login.filter(|l| !l.audience_known) {
        return Verdict::undetermined(
            cloud,
            format!(
                "the audience `{}` asks for depends on a value the scenario does not give; set it (inputs, vars) to get a verdict",
                l.action
            ),
        );
    }
    // Borrowed when the token already carries the login's audience (a job
    // with one login step): the analysis judges thousands of runs.
    let claims = match login {
        Some(l) if run.token.claims.get("aud") != Some(&ClaimValue::Str(l.audience.clone())) => {
            Cow::Owned(run.token.claims.with_audience(&l.audience))
        }
        _ => Cow::Borrowed(&run.token.claims),
    };
    let mut verdict = verdict_of(cloud, &claims);
    if login.is_none() {
        verdict.trace.insert(
            0,
            crate::verdict::TraceStep::info(
                format!("this job has no {} login step; evaluated with the token's default audience", cloud.title()),
                None,
            ),
        );
    }
    verdict
}

/// A configured cloud's verdict for a token with these claims (the
/// login's audience already applied): the one path every verdict takes,
/// simulated tokens and real ones (`token::real`).
pub fn evaluate_claims(scenario: &Scenario, cloud: Cloud, claims: &Claims, clouds: &Clouds) -> Verdict {
    scenario.evaluate_trust(cloud, claims, clouds).unwrap_or_else(|| Verdict::no_token(cloud, "cloud not configured"))
}
