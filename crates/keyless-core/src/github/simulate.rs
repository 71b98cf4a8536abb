//! PLACEHOLDER (skeleton): replaced by the workflow/token simulation.

use crate::claims::Claims;
use crate::diagnostic::Diagnostic;
use crate::scenario::Scenario;
use crate::span::Span;
use crate::verdict::Cloud;
use serde::Serialize;

/// The token of one job run, or why there is none.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Token {
    pub issued: bool,
    /// Why no token was issued, in the login action's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub claims: Claims,
    /// Why `sub` (and other identity claims) have their form, e.g.
    /// "environment takes precedence over the branch".
    pub explanation: Vec<String>,
}

/// A cloud login step found in the job, and the audience it asks for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoginStep {
    pub cloud: Cloud,
    /// `aws-actions/configure-aws-credentials@v4`, ...
    pub action: String,
    pub audience: String,
    /// Whether `audience` was set in `with:` (else the action's default).
    pub audience_explicit: bool,
    pub span: Option<Span>,
}

/// One job (one matrix combination) of the simulated run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobRun {
    /// The job id (`jobs.<id>`); for reusable workflows `caller/called`.
    pub job: String,
    pub name: Option<String>,
    pub matrix: Option<serde_json::Map<String, serde_json::Value>>,
    pub environment: Option<String>,
    pub token: Token,
    pub logins: Vec<LoginStep>,
    /// The job's key in the workflow.
    pub span: Option<Span>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Simulation {
    pub runs: Vec<JobRun>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn simulate(_scenario: &Scenario) -> Simulation {
    Simulation::default()
}
