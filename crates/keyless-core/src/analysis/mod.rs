//! Analysis on top of the engine: findings with stable ids (what is wrong in
//! a trust configuration or workflow), the what-if matrix (which other runs a
//! configuration admits), and least-privilege suggestions that the engine
//! itself verifies before they are shown.
//!
//! Source of the approach: docs/research/seeds/keyless-deployments-aws-azure-gcp.md
//! ("A trust policy you have never watched fail closed is not yet a
//! control"), and peers-and-anchors.md §B (the Checkov/Trivy baseline this
//! catalogue covers and exceeds).

pub mod blast_radius;
pub mod expectations;
pub mod findings;
pub mod lint;
pub mod sarif;
pub mod subject;
pub mod suggest;
pub mod suppress;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;

pub use blast_radius::{WhatIfMatrix, blast_radius};
pub use findings::{CatalogueEntry, Finding, FindingSeverity, catalogue};
pub use suggest::Suggestion;

use crate::engine::Report;
use crate::scenario::Scenario;
use crate::verdict_cache::VerdictCache;
use serde::Serialize;

/// Everything the analysis says about one scenario; serialises into the
/// `findings`, `suggestions` and `matrix` fields of `keyless eval` JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    pub matrix: WhatIfMatrix,
    pub suggestions: Vec<Suggestion>,
}

/// Findings, what-if matrix and verified suggestions for a scenario whose
/// `report` came from [`crate::engine::evaluate`].
pub fn analyze(scenario: &Scenario, report: &Report) -> Analysis {
    analyze_using(scenario, report, &mut VerdictCache::default())
}

/// [`analyze`], judging every what-if run and every suggestion through
/// `verdicts`: the runs of a matrix or a fan-out of reusable workflows
/// repeat the claims a cloud reads, so each distinct token is judged once
/// (docs/fuzzing.md finding 3: 2,052 verdicts for 4,608 runs judged, and
/// 8 for 33,792).
pub(crate) fn analyze_using(scenario: &Scenario, report: &Report, verdicts: &mut VerdictCache) -> Analysis {
    let exploration = blast_radius::explore_from(scenario, report, verdicts);
    let mut found = findings::scenario_findings(scenario, report);
    found.extend(findings::matrix_findings(scenario, &exploration.matrix));
    production_context(report, &mut found);
    findings::sort_and_dedup(&mut found);
    let suggestions = suggest::suggest_using(scenario, &exploration, verdicts);
    Analysis { findings: found, matrix: exploration.matrix, suggestions }
}

/// `repo:o/r:*` on a role a production job uses is high, not medium (seed
/// guide §5: "Never ship repo:my-org/my-repo:* to a production role").
/// Production is recognised by the job's environment name.
fn production_context(report: &Report, found: &mut [Finding]) {
    let prod = report.jobs.iter().filter_map(|j| j.environment.as_deref()).find(|e| {
        let e = e.to_ascii_lowercase();
        e.contains("prod") || e == "live"
    });
    if let Some(env) = prod {
        for f in found.iter_mut().filter(|f| f.id == "KL-SUB-005") {
            f.severity = FindingSeverity::High;
            f.message.push_str(&format!(" (a job deploys to environment `{env}`)"));
        }
    }
}
