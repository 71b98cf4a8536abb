//! Findings: located, catalogued problems in trust configurations and
//! workflows. Static rules look at one configuration (so `keyless lint` can
//! run them on a pasted file); scenario rules compare the configuration with
//! the simulated runs.

mod alibaba;
mod aws;
mod azure;
mod catalogue;
mod gcp;
mod iam;
mod placeholder;
#[cfg(feature = "services")]
mod services;
mod trust;
pub mod workflow;

#[cfg(test)]
mod tests;

use crate::analysis::blast_radius::WhatIfMatrix;
use crate::engine::Report;
use crate::scenario::Scenario;
use crate::span::Span;
use crate::verdict::Cloud;
use serde::Serialize;

pub use catalogue::CATALOGUE;

/// How bad a finding is (SARIF levels: critical/high → error, medium →
/// warning, low/info → note).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingSeverity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl FindingSeverity {
    /// The lower-case name used in JSON and docs.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingSeverity::Critical => "critical",
            FindingSeverity::High => "high",
            FindingSeverity::Medium => "medium",
            FindingSeverity::Low => "low",
            FindingSeverity::Info => "info",
        }
    }
}

/// One catalogued rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CatalogueEntry {
    /// Stable id, e.g. `KL-AWS-001`.
    pub id: &'static str,
    pub severity: FindingSeverity,
    /// The clouds the rule applies to; empty for GitHub workflow rules.
    pub clouds: &'static [Cloud],
    pub title: &'static str,
    /// The Checkov/Trivy rule this covers, when there is one.
    pub baseline: Option<&'static str>,
    /// Why it matters, in one paragraph.
    pub rationale: &'static str,
    /// Where the behaviour is documented (URL or research note section).
    pub source: &'static str,
    pub fix: &'static str,
}

/// The catalogue, as data (the playground and the SARIF rules read it).
pub fn catalogue() -> &'static [CatalogueEntry] {
    CATALOGUE
}

/// Looks up a catalogue entry by id.
pub fn entry(id: &str) -> Option<&'static CatalogueEntry> {
    CATALOGUE.iter().find(|e| e.id == id)
}

/// One problem found, located in the document that has it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: String,
    pub severity: FindingSeverity,
    pub cloud: Option<Cloud>,
    pub title: String,
    /// What exactly is wrong here, quoting the text.
    pub message: String,
    pub location: Option<Span>,
    pub fix: String,
    pub source: String,
}

impl Finding {
    /// A finding of catalogue rule `id`. An unknown id (a bug) still yields a
    /// finding rather than a panic, marked as such.
    pub fn new(id: &str, cloud: Option<Cloud>, message: impl Into<String>, location: Option<Span>) -> Finding {
        let (severity, title, fix, source) = match entry(id) {
            Some(e) => (e.severity, e.title.to_string(), e.fix.to_string(), e.source.to_string()),
            None => (FindingSeverity::Info, format!("uncatalogued finding {id}"), String::new(), String::new()),
        };
        Finding { id: id.to_string(), severity, cloud, title, message: message.into(), location, fix, source }
    }

    /// The same finding with another severity (e.g. `repo:o/r:*` on a
    /// production environment is high, not medium).
    pub fn with_severity(mut self, severity: FindingSeverity) -> Finding {
        self.severity = severity;
        self
    }
}

/// Findings of every configuration in the scenario that need no simulation.
pub fn config_findings(scenario: &Scenario) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(c) = &scenario.aws {
        out.extend(aws::check(c));
    }
    if let Some(c) = &scenario.alibaba {
        out.extend(alibaba::check(c));
    }
    if let Some(c) = &scenario.azure {
        out.extend(azure::check(c));
    }
    if let Some(c) = &scenario.gcp {
        out.extend(gcp::check(c));
    }
    #[cfg(feature = "services")]
    out.extend(services::check(scenario));
    out
}

/// Static findings plus the workflow's and the trust-versus-token findings.
pub fn scenario_findings(scenario: &Scenario, report: &Report) -> Vec<Finding> {
    let mut out = config_findings(scenario);
    // The default-audience findings are about a login that does not set
    // `audience`; when every login of the run to that cloud sets one, the
    // run's own audience is what counts (KL-TRUST-009 judges it).
    let explicit_only = |cloud: Cloud| {
        let logins: Vec<_> = report.jobs.iter().flat_map(|j| j.logins.iter()).filter(|l| l.cloud == cloud).collect();
        !logins.is_empty() && logins.iter().all(|l| l.audience_explicit)
    };
    out.retain(|f| match f.id.as_str() {
        "KL-AZ-007" => !explicit_only(Cloud::Azure),
        "KL-GCP-007" => !explicit_only(Cloud::Gcp),
        _ => true,
    });
    out.extend(workflow::check_text(&scenario.workflow.text, crate::span::DocId::Workflow));
    for (i, (_, called)) in scenario.reusable_workflows.iter().enumerate() {
        let doc_id = crate::span::DocId::Reusable(u16::try_from(i).unwrap_or(u16::MAX));
        out.extend(workflow::check_text(&called.text, doc_id));
    }
    out.extend(trust::check(scenario, report));
    out
}

/// Findings read off the what-if matrix (unintended admits, immutable drift).
pub fn matrix_findings(scenario: &Scenario, matrix: &WhatIfMatrix) -> Vec<Finding> {
    trust::from_matrix(scenario, matrix)
}

/// Most severe first, then by location; exact duplicates removed.
pub fn sort_and_dedup(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        (a.severity, a.cloud, a.location.map(|s| (s.doc, s.start)), &a.id, &a.message).cmp(&(
            b.severity,
            b.cloud,
            b.location.map(|s| (s.doc, s.start)),
            &b.id,
            &b.message,
        ))
    });
    findings.dedup();
}

pub use alibaba::check as check_alibaba;
pub use aws::check as check_aws;
pub use azure::check as check_azure;
pub use gcp::check as check_gcp;
#[cfg(feature = "services")]
pub use services::octo_sts as check_octo_sts;

/// The catalogue as Markdown (`docs/findings.md`).
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# Findings catalogue\n\nGenerated from `crates/keyless-core/src/analysis/findings/catalogue.rs` \
         (`KEYLESS_BLESS=1 cargo test -p keyless-core findings_doc` rewrites it). Ids are stable.\n\n\
         | Id | Severity | Clouds | Title | Baseline |\n|---|---|---|---|---|\n",
    );
    let clouds = |e: &CatalogueEntry| {
        if e.clouds.is_empty() {
            "GitHub workflow".to_string()
        } else {
            e.clouds.iter().map(|c| c.title()).collect::<Vec<_>>().join(", ")
        }
    };
    for e in CATALOGUE {
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} | {} |\n",
            e.id,
            e.id.to_ascii_lowercase(),
            e.severity.as_str(),
            clouds(e),
            e.title.replace('|', "\\|"),
            e.baseline.unwrap_or("—")
        ));
    }
    out.push_str(
        "\n## What-if runs\n\nThe what-if matrix replays the scenario as these runs (rows); each configured cloud judges \
         each one (columns). Unintended runs that a cloud admits raise KL-TRUST-001/006/008.\n\n\
         | Row | Expectation | What and why |\n|---|---|---|\n",
    );
    for v in crate::analysis::blast_radius::VARIANTS {
        out.push_str(&format!("| `{}` | {:?} | {} |\n", v.id, v.expectation, v.doc.replace('|', "\\|")));
    }
    out.push_str(
        "\n## Suggestions and their verification\n\nFor each configured cloud, Keyless writes the tightest trust for the \
         intended runs (AWS and Alibaba trust policies, Azure credentials, a GCP provider and binding; each also as CLI \
         commands and Terraform), parses it back with the cloud's own parser and judges every what-if row with it. \
         `verified` is true only if it admits every intended run and rejects every unintended run the cloud can tell \
         apart; runs whose token the cloud cannot tell apart from an intended one (same claims among those it can check, \
         e.g. `pull_request_target` under the `ref` option) are listed as `indistinguishable`, never hidden.\n",
    );
    for e in CATALOGUE {
        out.push_str(&format!(
            "\n## {}\n\n**{}** · {} · {}\n\n{}\n\n**Fix:** {}\n\n**Source:** {}\n",
            e.id,
            e.title,
            e.severity.as_str(),
            clouds(e),
            e.rationale,
            e.fix,
            e.source
        ));
        if let Some(b) = e.baseline {
            out.push_str(&format!("\n**Baseline:** {b}\n"));
        }
    }
    out
}
