//! Every configured cloud on a real token's claims, beside the simulated
//! verdicts of the job it came from. Verdicts come from
//! [`crate::engine::evaluate_claims`], the path simulated tokens take:
//! nothing here decides a verdict.

use super::decode::{Form, RealToken};
use super::diff::{self, ClaimDiff, JobChoice};
use super::times::{self, TimeCheck};
use crate::claims::Claims;
use crate::clouds::Clouds;
use crate::engine::{self, Report};
use crate::scenario::Scenario;
use crate::verdict::{Cloud, Verdict};
use serde::Serialize;
use std::collections::BTreeMap;

/// The real token judged, compared with a simulated job.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RealEvaluation {
    /// The simulated job compared with (none when no job gets a token).
    pub job: Option<JobChoice>,
    /// Each configured cloud's verdict on the real claims, as they are
    /// (`aud` included).
    pub verdicts: BTreeMap<Cloud, Verdict>,
    /// The simulated verdicts of that job.
    pub simulated: BTreeMap<Cloud, Verdict>,
    pub diff: Vec<ClaimDiff>,
    pub explanations: Vec<String>,
    /// `exp`/`nbf`/`iat` at the chosen instant, with each cloud's
    /// documented skew ([`times::cloud_skew`]).
    pub times: BTreeMap<Cloud, Vec<TimeCheck>>,
    /// Claims a claims dump did not have, taken from the simulated job so
    /// that the clouds judge the ones it has (the seed's dump prints six).
    pub filled_from_simulation: Vec<String>,
}

/// Judges `real` with every cloud `scenario` configures and compares it
/// with the simulated job `job` (or the one [`diff::guess_job`] picks).
/// `report` is the simulation of `scenario`; `at` the instant for the time
/// checks. A cloud's verdict does not include its time check: Keyless
/// evaluates trust conditions, the times are shown beside them.
pub fn evaluate(
    scenario: &Scenario,
    report: &Report,
    token: &RealToken,
    job: Option<&str>,
    at: i64,
    clouds: &Clouds,
) -> RealEvaluation {
    let real = &token.claims;
    let choice = match job {
        Some(id) => {
            report.jobs.iter().find(|j| j.job == id).map(|j| JobChoice { job: j.job.clone(), reason: "chosen".into() })
        }
        None => diff::guess_job(real, &report.jobs),
    };
    let sim_job = choice.as_ref().and_then(|c| report.jobs.iter().find(|j| j.job == c.job));
    // A claims dump lacks most claims (`iss` included, which every cloud
    // checks first): those come from the simulated job, and are listed.
    let mut filled_from_simulation = Vec::new();
    let completed;
    let real = match (token.form, sim_job) {
        (Form::Claims, Some(j)) => {
            let mut c = real.clone();
            for (name, v) in j.token.claims.iter() {
                let null = |n: &str| token.null_claims.iter().any(|x| x == n);
                // environment_node_id exists only with an environment (D-REF).
                let said_absent = null(name) || (name == "environment_node_id" && null("environment"));
                if c.get(name).is_none() && !said_absent {
                    filled_from_simulation.push(name.to_string());
                    match v {
                        crate::claims::ClaimValue::Str(t) => c.set(name, t.clone()),
                        crate::claims::ClaimValue::Num(n) => c.set_num(name, *n),
                    }
                }
            }
            completed = c;
            &completed
        }
        _ => real,
    };
    let mut verdicts = BTreeMap::new();
    let mut time_checks = BTreeMap::new();
    for cloud in engine::configured_clouds(scenario) {
        if clouds.has(cloud) {
            verdicts.insert(cloud, engine::evaluate_claims(scenario, cloud, real, clouds));
        }
        // Times only from what was pasted: filled ones would be invented.
        time_checks.insert(cloud, times::check(&token.claims, at, times::cloud_skew(cloud).seconds));
    }
    let (rows, explanations, simulated) = match sim_job {
        Some(j) => {
            let audiences: Vec<String> = j.logins.iter().map(|l| l.audience.clone()).collect();
            let rows = diff::diff(real, &j.token.claims, &audiences);
            let why = diff::explain(real, &j.token.claims, &rows);
            (rows, why, j.verdicts.clone())
        }
        None => (Vec::new(), vec!["no simulated job gets a token to compare with".into()], BTreeMap::new()),
    };
    RealEvaluation {
        job: choice,
        verdicts,
        simulated,
        diff: rows,
        explanations,
        times: time_checks,
        filled_from_simulation,
    }
}

/// The claims a job's token has when its login step for `cloud` asks for
/// it (each login step requests its own token with its own `aud`, D-REF);
/// without `cloud`, the first login step's audience, else GitHub's default.
/// What minting a sample token for a simulated job signs.
pub fn job_claims(job: &crate::engine::JobReport, cloud: Option<Cloud>) -> Claims {
    let login = match cloud {
        Some(c) => job.logins.iter().find(|l| l.cloud == c && l.audience_known),
        None => job.logins.iter().find(|l| l.audience_known),
    };
    match login {
        Some(l) => job.token.claims.with_audience(&l.audience),
        None => job.token.claims.clone(),
    }
}
