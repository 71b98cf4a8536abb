//! Expectations: a scenario's own negative tests. `keyless check` evaluates
//! them and fails when one does not hold, so "a trust policy you have never
//! watched fail closed is not yet a control" becomes a CI gate
//! (docs/findings.md#what-if-runs).
//!
//! ```yaml
//! expect:
//!   aws:
//!     admit: [push main]
//!     refuse: [pull_request, push feature/*, other repository]
//!   refuse: [pull_request from fork]     # every configured cloud
//!   forbid_unintended: true              # no what-if row may be admitted
//! ```
//!
//! A run is written as clauses separated by `;`: at most one event clause,
//! then modifiers (the grammar is documented in docs/check.md):
//! - `as given`; `push BRANCH` (`*` in BRANCH stands for any name: a branch
//!   `keyless-what-if` is simulated in its place); `push tag NAME` or `tag NAME`;
//!   `pull_request` (from a branch of the repository), `pull_request from fork`;
//!   `pull_request_target` (from a fork); `EVENT [BRANCH]` for any other event
//!   (default branch when no branch);
//! - a what-if row id (`other-branch`, `owner-lookalike`, … see
//!   [`super::blast_radius::VARIANTS`]): that row of the matrix;
//! - modifiers: `environment NAME`, `no environment`, `repository OWNER/NAME`,
//!   `other repository`, `workflow PATH`.
//!
//! Every run except `as given` is simulated the way the what-if matrix
//! simulates an attacker with push access: the workflow's `on:` becomes the
//! event and job `if:` conditions are removed (they can edit the workflow in
//! their branch); `pull_request_target` runs the default branch's workflow.

use super::blast_radius::{self, EnvEdit, Expectation, VARIANTS, rewrite_environments, rewrite_workflow};
use crate::diagnostic::Diagnostic;
use crate::doc::{Node, Value};
use crate::engine::{self, JobReport};
use crate::scenario::Scenario;
use crate::span::{DocId, Span};
use crate::spelling::check_keys;
use crate::verdict::Cloud;
use serde::Serialize;
use std::collections::BTreeSet;

/// Must the run be admitted or refused?
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Want {
    Admit,
    Refuse,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum EventClause {
    AsGiven,
    /// A full ref (`refs/heads/…`, `refs/tags/…`).
    Push(String),
    PullRequest {
        fork: bool,
    },
    PullRequestTarget,
    /// Another event on a branch (or the default branch).
    Other {
        event: String,
        branch: Option<String>,
    },
    /// A what-if matrix row.
    Variant(&'static str),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Modifier {
    Environment(String),
    NoEnvironment,
    Repository(String, String),
    OtherRepository,
    Workflow(String),
}

/// One run description, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    pub span: Span,
    event: EventClause,
    modifiers: Vec<Modifier>,
}

/// One expectation: a run a cloud must admit or refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expect {
    /// `None`: every configured cloud.
    pub cloud: Option<Cloud>,
    pub want: Want,
    pub run: Run,
}

/// A scenario's `expect:` section.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectations {
    pub expects: Vec<Expect>,
    /// `forbid_unintended: true`, with its location.
    pub forbid_unintended: Option<Span>,
}

/// Keys of `expect:` and of each cloud's entry.
pub const EXPECT_KEYS: &[&str] = &["aws", "azure", "gcp", "alibaba", "admit", "refuse", "forbid_unintended"];
pub const CLOUD_EXPECT_KEYS: &[&str] = &["admit", "refuse"];

const WHAT_IF: &str = "keyless-what-if";

/// Reads `expect:` from a scenario's root node (`None` when absent).
pub fn parse(root: &Node) -> Result<Option<Expectations>, Vec<Diagnostic>> {
    let Some(n) = root.get("expect").filter(|n| !n.is_null()) else { return Ok(None) };
    let mut errors = Vec::new();
    if let Err(d) = n.expect_map("`expect`") {
        return Err(vec![d]);
    }
    check_keys(n, EXPECT_KEYS, "`expect`", &mut errors);
    let mut out = Expectations::default();
    lists(n, None, &mut out, &mut errors);
    for cloud in Cloud::ALL {
        if let Some(c) = n.get(cloud.key()).filter(|c| !c.is_null()) {
            match c.expect_map(&format!("`expect.{}`", cloud.key())) {
                Ok(_) => {
                    check_keys(c, CLOUD_EXPECT_KEYS, &format!("`expect.{}`", cloud.key()), &mut errors);
                    lists(c, Some(cloud), &mut out, &mut errors);
                }
                Err(d) => errors.push(d),
            }
        }
    }
    if let Some(f) = n.get("forbid_unintended") {
        match f.value {
            Value::Bool(true) => out.forbid_unintended = Some(f.span),
            Value::Bool(false) => {}
            _ => errors.push(f.type_error("`forbid_unintended`", "true or false")),
        }
    }
    if errors.is_empty() { Ok(Some(out)) } else { Err(errors) }
}

fn lists(n: &Node, cloud: Option<Cloud>, out: &mut Expectations, errors: &mut Vec<Diagnostic>) {
    for (key, want) in [("admit", Want::Admit), ("refuse", Want::Refuse)] {
        let Some(list) = n.get(key).filter(|l| !l.is_null()) else { continue };
        let items: Vec<&Node> = match list.items() {
            Some(items) => items.iter().collect(),
            None => vec![list],
        };
        for item in items {
            match item.expect_scalar("a run description").and_then(|s| parse_run(&s.value, item.span)) {
                Ok(run) => out.expects.push(Expect { cloud, want, run }),
                Err(d) => errors.push(d),
            }
        }
    }
}

/// `*` in a branch pattern stands for any name: simulate one.
fn concrete(branch: &str) -> String {
    branch.replace('*', WHAT_IF).replace('?', "x")
}

fn branch_ref(branch: &str) -> String {
    if branch.starts_with("refs/") { concrete(branch) } else { format!("refs/heads/{}", concrete(branch)) }
}

/// Parses one run description (see the module docs).
pub fn parse_run(text: &str, span: Span) -> Result<Run, Diagnostic> {
    let mut event = None;
    let mut modifiers = Vec::new();
    let err = |m: String| Diagnostic::at(m, span);
    for clause in text.split(';').map(str::trim) {
        let words: Vec<&str> = clause.split_whitespace().collect();
        let modifier = match words.as_slice() {
            ["environment", name] => Some(Modifier::Environment((*name).to_string())),
            ["no", "environment"] => Some(Modifier::NoEnvironment),
            ["other", "repository"] => Some(Modifier::OtherRepository),
            ["repository", full] => match full.split_once('/') {
                Some((o, r)) if !o.is_empty() && !r.is_empty() && !r.contains('/') => {
                    Some(Modifier::Repository(o.to_string(), r.to_string()))
                }
                _ => return Err(err(format!("`repository {full}`: write OWNER/NAME"))),
            },
            ["workflow", path] => Some(Modifier::Workflow((*path).to_string())),
            _ => None,
        };
        if let Some(m) = modifier {
            modifiers.push(m);
            continue;
        }
        let clause_event = match words.as_slice() {
            ["as", "given"] | ["as-given"] => EventClause::AsGiven,
            ["push", "tag", name] | ["tag", name] => EventClause::Push(format!("refs/tags/{}", concrete(name))),
            ["push", branch] => EventClause::Push(branch_ref(branch)),
            ["pull_request"] => EventClause::PullRequest { fork: false },
            ["pull_request", "from", "fork"] => EventClause::PullRequest { fork: true },
            ["pull_request_target"] | ["pull_request_target", "from", "fork"] => EventClause::PullRequestTarget,
            [id] if let Some(def) = VARIANTS.iter().find(|d| d.id == *id) => EventClause::Variant(def.id),
            [ev] if is_event_name(ev) => EventClause::Other { event: (*ev).to_string(), branch: None },
            [ev, branch] if is_event_name(ev) => {
                EventClause::Other { event: (*ev).to_string(), branch: Some((*branch).to_string()) }
            }
            [] => return Err(err(format!("empty clause in run `{text}`"))),
            _ => {
                return Err(err(format!(
                    "cannot read run `{clause}`: write e.g. `push main`, `push tag v1`, `pull_request`, `pull_request from fork`, `pull_request_target`, `environment prod`, `other repository` or a what-if row id such as `owner-lookalike` (docs/check.md)"
                )));
            }
        };
        if event.is_some() {
            return Err(err(format!("run `{text}` names two events: separate runs are separate list items")));
        }
        event = Some(clause_event);
    }
    let event = event.unwrap_or(EventClause::AsGiven);
    if matches!(event, EventClause::Variant(_)) && !modifiers.is_empty() {
        return Err(err(format!("run `{text}`: a what-if row id takes no modifiers")));
    }
    Ok(Run { text: text.to_string(), span, event, modifiers })
}

/// GitHub event names are lower-case words with `_`.
fn is_event_name(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// One job's verdict on a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobVerdict {
    pub job: String,
    pub sub: Option<String>,
    pub admitted: bool,
    pub code: String,
    pub decided_by: String,
    pub decided_span: Option<Span>,
}

/// One expectation, evaluated for one cloud.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub cloud: Cloud,
    pub want: Want,
    pub run: String,
    pub span: Span,
    /// Whether any job judged by this cloud was admitted.
    pub admitted: bool,
    pub passed: bool,
    /// What was simulated (what differs from the scenario as given).
    pub changed: Vec<String>,
    pub jobs: Vec<JobVerdict>,
}

/// An admitted what-if row that no `admit` entry intends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unintended {
    pub row: String,
    pub cloud: Cloud,
    pub description: String,
    pub sub: Option<String>,
    pub decided_by: String,
    pub decided_span: Option<Span>,
}

/// The result of `keyless check` on one scenario.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    pub outcomes: Vec<Outcome>,
    /// Only when `forbid_unintended: true`.
    pub unintended: Vec<Unintended>,
    pub forbid_unintended: bool,
    /// Expectations naming a cloud the scenario does not configure.
    pub unconfigured: Vec<(Cloud, String, Span)>,
}

impl CheckReport {
    pub fn passed(&self) -> bool {
        self.outcomes.iter().all(|o| o.passed) && self.unintended.is_empty() && self.unconfigured.is_empty()
    }
}

/// Evaluates `expectations` against `scenario`.
pub fn check(scenario: &Scenario, expectations: &Expectations) -> CheckReport {
    let base = engine::evaluate(scenario);
    let clouds = engine::configured_clouds(scenario);
    let mut report =
        CheckReport { forbid_unintended: expectations.forbid_unintended.is_some(), ..CheckReport::default() };
    let matrix = blast_radius::blast_radius(scenario);
    for e in &expectations.expects {
        let targets: Vec<Cloud> = match e.cloud {
            Some(c) if clouds.contains(&c) => vec![c],
            Some(c) => {
                report.unconfigured.push((c, e.run.text.clone(), e.run.span));
                continue;
            }
            None => clouds.clone(),
        };
        let (jobs, changed) = match &e.run.event {
            EventClause::Variant(id) => {
                for &cloud in &targets {
                    let rows: Vec<_> = matrix.rows.iter().filter(|r| r.variant == *id).collect();
                    let jobs: Vec<JobVerdict> = rows
                        .iter()
                        .filter_map(|r| {
                            r.cells.get(&cloud).map(|c| JobVerdict {
                                job: r.job.clone(),
                                sub: r.sub.clone(),
                                admitted: c.admitted,
                                code: c.code.clone(),
                                decided_by: c.decided_by.clone(),
                                decided_span: c.decided_span,
                            })
                        })
                        .collect();
                    let changed = rows.first().map(|r| r.changed.clone()).unwrap_or_else(|| {
                        vec![format!("the what-if matrix has no `{id}` row for this scenario (nothing to admit)")]
                    });
                    report.outcomes.push(outcome(cloud, e, jobs, changed));
                }
                continue;
            }
            _ => {
                let (variant, changed) = simulate(scenario, &e.run);
                let jobs = if variant.as_ref() == Some(scenario) {
                    base.jobs.clone()
                } else {
                    variant.map(|v| engine::evaluate(&v).jobs).unwrap_or_default()
                };
                (jobs, changed)
            }
        };
        for &cloud in &targets {
            let relevant = relevant_jobs(cloud, &base.jobs);
            let verdicts: Vec<JobVerdict> = jobs
                .iter()
                .filter(|j| relevant.contains(&blast_radius::job_key(&j.job, j.matrix.as_ref())))
                .filter_map(|j| {
                    j.verdicts.get(&cloud).map(|v| JobVerdict {
                        job: blast_radius::job_key(&j.job, j.matrix.as_ref()),
                        sub: j.token.issued.then(|| j.token.claims.sub()),
                        admitted: v.allowed,
                        code: v.code.clone(),
                        decided_by: v.decided_by.clone(),
                        decided_span: v.decided_span,
                    })
                })
                .collect();
            report.outcomes.push(outcome(cloud, e, verdicts, changed.clone()));
        }
    }
    if expectations.forbid_unintended.is_some() {
        let intended: BTreeSet<(Cloud, &str)> = expectations
            .expects
            .iter()
            .filter(|e| e.want == Want::Admit)
            .filter_map(|e| match e.run.event {
                EventClause::Variant(id) => Some((e.cloud, id)),
                _ => None,
            })
            .flat_map(|(c, id)| match c {
                Some(c) => vec![(c, id)],
                None => clouds.iter().map(|&c| (c, id)).collect(),
            })
            .collect();
        for row in matrix.rows.iter().filter(|r| r.expectation == Expectation::Unintended) {
            for (cloud, cell) in row.cells.iter().filter(|(_, c)| c.admitted) {
                if intended.contains(&(*cloud, row.variant.as_str())) {
                    continue;
                }
                report.unintended.push(Unintended {
                    row: row.id.clone(),
                    cloud: *cloud,
                    description: row.description.clone(),
                    sub: row.sub.clone(),
                    decided_by: cell.decided_by.clone(),
                    decided_span: cell.decided_span,
                });
            }
        }
    }
    report
}

fn outcome(cloud: Cloud, e: &Expect, jobs: Vec<JobVerdict>, changed: Vec<String>) -> Outcome {
    let admitted = jobs.iter().any(|j| j.admitted);
    let passed = match e.want {
        Want::Admit => admitted,
        Want::Refuse => !admitted,
    };
    Outcome { cloud, want: e.want, run: e.run.text.clone(), span: e.run.span, admitted, passed, changed, jobs }
}

/// The jobs a cloud judges: those that log in to it, else every job that
/// gets a token (as the what-if matrix does).
fn relevant_jobs(cloud: Cloud, jobs: &[JobReport]) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = jobs
        .iter()
        .filter(|j| j.logins.iter().any(|l| l.cloud == cloud))
        .map(|j| blast_radius::job_key(&j.job, j.matrix.as_ref()))
        .collect();
    if keys.is_empty() {
        keys =
            jobs.iter().filter(|j| j.token.issued).map(|j| blast_radius::job_key(&j.job, j.matrix.as_ref())).collect();
    }
    keys
}

/// The scenario modified to produce `run`, and what changed. `None` when
/// the workflow could not be rewritten (it does not parse).
fn simulate(s: &Scenario, run: &Run) -> (Option<Scenario>, Vec<String>) {
    let mut t = s.clone();
    let mut changed = Vec::new();
    // The attacker's edit of the workflow in their branch.
    let rewrite = |t: &mut Scenario, event: &str, strip_if: bool, changed: &mut Vec<String>| {
        if let Some(text) = rewrite_workflow(&t.workflow.text, Some(event), strip_if)
            && text != t.workflow.text
        {
            changed.push(format!(
                "workflow: `on: {event}`{}",
                if strip_if { ", job `if:` conditions removed" } else { "" }
            ));
            t.workflow.text = text;
        }
    };
    let head = format!("keyless/{WHAT_IF}");
    let pull = |t: &mut Scenario, event: &str, fork: bool| {
        t.event.replay_as_pull_request(event, &s.default_branch, &head, fork);
    };
    match &run.event {
        EventClause::AsGiven | EventClause::Variant(_) => {}
        EventClause::Push(git_ref) => {
            t.event.replay_on_ref("push", git_ref);
            changed.push(format!("event: push to `{git_ref}`"));
            rewrite(&mut t, "push", true, &mut changed);
        }
        EventClause::PullRequest { fork } => {
            pull(&mut t, "pull_request", *fork);
            changed.push(format!(
                "event: pull_request from {}",
                if *fork { "a fork" } else { "a branch of the repository" }
            ));
            rewrite(&mut t, "pull_request", true, &mut changed);
        }
        EventClause::PullRequestTarget => {
            pull(&mut t, "pull_request_target", true);
            changed.push("event: pull_request_target from a fork (workflow from the default branch)".into());
            rewrite(&mut t, "pull_request_target", false, &mut changed);
        }
        EventClause::Other { event, branch } => {
            let git_ref = branch_ref(branch.as_deref().unwrap_or(&s.default_branch));
            t.event.replay_on_ref(event, &git_ref);
            changed.push(format!("event: {event} on `{git_ref}`"));
            rewrite(&mut t, event, true, &mut changed);
        }
    }
    for m in &run.modifiers {
        match m {
            Modifier::Environment(name) => {
                let text = rewrite_environments(&t.workflow.text, DocId::Workflow, EnvEdit::Set(name));
                if text == t.workflow.text {
                    changed.push(format!("no job declares an environment to set to `{name}`"));
                }
                t.workflow.text = text;
                changed.push(format!("job environment `{name}`"));
            }
            Modifier::NoEnvironment => {
                t.workflow.text = rewrite_environments(&t.workflow.text, DocId::Workflow, EnvEdit::Remove);
                changed.push("`environment:` removed from the job".into());
            }
            _ => {}
        }
        match m {
            Modifier::Repository(owner, name) => elsewhere(&mut t, s, owner, name, &mut changed),
            Modifier::OtherRepository => elsewhere(&mut t, s, &s.owner.clone(), WHAT_IF, &mut changed),
            Modifier::Workflow(path) => {
                t.workflow_path = path.clone();
                changed.push(format!("workflow path `{path}`"));
            }
            _ => {}
        }
    }
    if matches!(run.event, EventClause::AsGiven)
        && run.modifiers.iter().any(|m| matches!(m, Modifier::Repository(..) | Modifier::OtherRepository))
    {
        let event = s.event.name.value.clone();
        rewrite(&mut t, &event, true, &mut changed);
    }
    (Some(t), changed)
}

/// The run in another repository (new ids; a new owner id when the owner
/// differs).
fn elsewhere(t: &mut Scenario, s: &Scenario, owner: &str, name: &str, changed: &mut Vec<String>) {
    t.owner = owner.to_string();
    t.name = name.to_string();
    t.repository_id = Some("900000007".into());
    if owner != s.owner {
        t.repository_owner_id = Some("900000011".into());
    }
    changed.push(format!("repository `{owner}/{name}`"));
}

#[cfg(test)]
mod tests;
