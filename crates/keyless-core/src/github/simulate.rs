//! From a scenario to the token GitHub would mint for every job (and every
//! matrix combination, and every job of a called reusable workflow) of the
//! simulated run.

use super::event::RunRef;
use super::expr::{self, Completeness, Contexts};
use super::login::{self, FoundLogin};
use super::matrix;
use super::permissions::{self, Grant};
use super::run::Run;
use super::subject;
use super::token::{self, JobClaimFacts, RunFacts};
pub use super::token::{JobRun, LoginStep, Token};
use super::workflow::{self, IdToken, Job, Workflow};
use crate::claims::Claims;
use crate::diagnostic::Diagnostic;
use crate::span::DocId;
use github_actions_expressions::Evaluation;
use std::collections::HashMap;

/// Every job run of the simulated workflow run, and what was found wrong
/// or unknowable in the input.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Simulation {
    pub runs: Vec<JobRun>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Levels of workflows GitHub connects (caller included): ten on
/// github.com and GHE.com, four on GHES (docs "Reusing workflows",
/// "Nesting reusable workflows"; github/docs#41320).
const MAX_DEPTH: usize = 10;
const MAX_DEPTH_GHES: usize = 4;
/// Runs simulated at most: a matrix of reusable workflows calling
/// matrices can multiply past anything a person reads (and past the
/// playground's time budget).
pub const MAX_RUNS: usize = 1024;
/// Job combinations visited at most (runs, skipped jobs and calls alike).
const MAX_WORK: usize = 4096;

/// Simulates the run described by the scenario.
pub fn simulate(s: &Run) -> Simulation {
    let mut sim = Simulation::default();
    let Some(wf) = workflow::parse(&s.workflow.text, DocId::Workflow, &mut sim.diagnostics) else {
        return sim;
    };
    let run = RunFacts::new(s, wf.name.as_deref());
    super::event::check_trigger(&wf, s, &run.run_ref, &mut sim.diagnostics);
    let immutable = immutable_subject(s, &mut sim.diagnostics);
    check_ref_protected(s, &run.run_ref.git_ref, &mut sim.diagnostics);
    if !s.subject.use_default {
        subject::check_template_keys(&s.subject.include_claim_keys, &mut sim.diagnostics);
    }
    // The `inputs` context of the top-level run: dispatch defaults under the
    // given inputs for a manual run; empty for any other event, where
    // `workflow_dispatch` defaults do not apply (docs "Contexts reference",
    // `inputs`; OBS ubicloud/ubicloud#1617, mcdonc/klangk#1402).
    let dispatched = s.event.name.value == "workflow_dispatch";
    let refused = if dispatched { super::inputs::dispatch_refusal(&wf, s, &mut sim.diagnostics) } else { None };
    let (inputs, inputs_completeness) = if dispatched {
        let mut inputs: Vec<(String, serde_json::Value)> = wf.dispatch_input_defaults.clone();
        inputs.extend(s.inputs.iter().map(|(k, v)| (k.clone(), typed_input(&wf.dispatch_input_types, k, v))));
        (inputs, Completeness::Partial)
    } else {
        if !s.inputs.is_empty() {
            sim.diagnostics.push(Diagnostic::warning(
                format!(
                    "`inputs` are ignored: only a `workflow_dispatch` run has inputs, and this run is `{}` (its `inputs` context is empty)",
                    s.event.name.value
                ),
                Some(s.event.name.span),
            ));
        }
        (Vec::new(), Completeness::Complete)
    };
    let sim_ctx = Sim {
        s,
        run: &run,
        immutable,
        github: github_context(s, &run, &wf.dispatch_input_defaults),
        work: std::cell::Cell::new(0),
        parsed: std::cell::RefCell::new(HashMap::new()),
        rejected: std::cell::RefCell::new(None),
    };
    let frame = Frame {
        wf: &wf,
        prefix: String::new(),
        caller_grant: None,
        job_workflow_ref: run.workflow_ref.clone(),
        job_workflow_sha: run.run_ref.sha.clone(),
        inputs: object(inputs),
        inputs_completeness,
        depth: 0,
        notes: Vec::new(),
    };
    if let Some((msg, span)) = super::inputs::too_many_declared(&wf) {
        sim.diagnostics.push(Diagnostic::error(msg.clone(), Some(span)));
        sim_ctx.reject(msg);
    }
    sim_ctx.jobs(&frame, &mut sim);
    if let Some(why) = sim_ctx.rejected.borrow().as_ref() {
        // An invalid workflow is a startup failure: no job of the run
        // starts, so none gets a token.
        let reason =
            format!("No token: {why}; GitHub refuses the whole run at startup (startup_failure), so no job runs.");
        for r in &mut sim.runs {
            r.token = not_issued(reason.clone(), vec![reason.clone()]);
        }
    }
    if let Some(why) = refused {
        // A refused dispatch creates no run at all: the REST "Create a
        // workflow dispatch event" answers 422 and `gh workflow run` fails
        // (see github::inputs for the reports).
        let reason = format!("No token: GitHub refuses the dispatch (HTTP 422: {why}), so no run is created.");
        for r in &mut sim.runs {
            r.token = not_issued(reason.clone(), vec![reason.clone()]);
        }
    }
    dedupe(&mut sim.diagnostics);
    sim
}

/// A dispatch input as the `inputs` context holds it: booleans and numbers
/// keep their type even when the scenario writes them as text (D-EVT
/// `workflow_dispatch`: "the `inputs` context preserves Boolean values as
/// Booleans").
fn typed_input(types: &[(String, String)], name: &str, v: &serde_json::Value) -> serde_json::Value {
    let ty = types.iter().find(|(k, _)| k == name).map(|(_, t)| t.as_str());
    match (ty, v) {
        (Some("boolean"), serde_json::Value::String(t)) if t.eq_ignore_ascii_case("true") => true.into(),
        (Some("boolean"), serde_json::Value::String(t)) if t.eq_ignore_ascii_case("false") => false.into(),
        (Some("number"), serde_json::Value::String(t)) => t
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| v.clone(), serde_json::Value::Number),
        _ => v.clone(),
    }
}

/// Contexts a job's `if:` cannot read (docs "Contexts reference").
const IF_UNAVAILABLE: [&str; 7] = ["matrix", "strategy", "secrets", "env", "steps", "job", "runner"];

/// Contexts `jobs.<job_id>.strategy` cannot read (docs "Contexts reference").
const STRATEGY_UNAVAILABLE: [&str; 7] = ["matrix", "strategy", "secrets", "env", "steps", "job", "runner"];

/// Contexts `jobs.<job_id>.environment` and `jobs.<job_id>.with` cannot
/// read (docs "Contexts reference").
const ENVIRONMENT_UNAVAILABLE: [&str; 5] = ["secrets", "env", "steps", "job", "runner"];

/// The contexts a job's `if:` sees: github, needs, vars and inputs only
/// (docs "Contexts reference", context availability).
fn if_contexts(ctx: &Contexts, needs_skipped: bool) -> Contexts {
    let mut visible = ctx.clone();
    for unavailable in IF_UNAVAILABLE {
        visible = visible.without(unavailable);
    }
    if needs_skipped { visible.with_skipped_needs() } else { visible }
}

/// Whether the job's `runs-on` names the `self-hosted` label, which every
/// self-hosted runner carries and no GitHub-hosted runner does (workflow
/// syntax `jobs.<job_id>.runs-on`). `None` when `runs-on` is absent or
/// cannot be evaluated.
fn runs_on_self_hosted(job: &Job, ctx: &Contexts) -> Option<bool> {
    let node = job.runs_on.as_ref()?;
    let node = match &node.value {
        crate::doc::Value::Map(_) => node.get("labels")?,
        _ => node,
    };
    let labels: Vec<String> = match node.items() {
        Some(items) => items.iter().filter_map(crate::doc::Node::scalar_text).collect(),
        None => vec![node.scalar_text()?],
    };
    let mut found = false;
    for label in labels {
        let value = if expr::has_expression(&label) {
            expr::to_json(&expr::eval_template(&label, ctx).ok()?)
        } else {
            serde_json::Value::String(label)
        };
        let texts: Vec<String> = match value {
            serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            serde_json::Value::String(t) => vec![t],
            _ => Vec::new(),
        };
        found |= texts.iter().any(|t| t.trim().eq_ignore_ascii_case("self-hosted"));
    }
    Some(found)
}

/// A cycle of `needs` (job ids, the first repeated at the end), if any.
/// An iterative depth-first search, linear in jobs + needs: no recursion
/// (the playground's wasm stack is small) and no size above which the check
/// is skipped.
fn needs_cycle(wf: &Workflow) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let index: HashMap<&str, usize> = wf.jobs.iter().enumerate().map(|(i, j)| (j.id.value.as_str(), i)).collect();
    let needs_of = |i: usize| wf.jobs.get(i).map(|j| j.needs.as_slice()).unwrap_or_default();
    let mut mark = vec![Mark::New; wf.jobs.len()];
    for root in 0..wf.jobs.len() {
        if mark.get(root) != Some(&Mark::New) {
            continue;
        }
        // (job, index of the next need to follow)
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        if let Some(m) = mark.get_mut(root) {
            *m = Mark::OnPath;
        }
        while let Some(top) = path.last_mut() {
            let job = top.0;
            let Some(need) = needs_of(job).get(top.1) else {
                if let Some(m) = mark.get_mut(job) {
                    *m = Mark::Done;
                }
                path.pop();
                continue;
            };
            top.1 += 1;
            let Some(&target) = index.get(need.as_str()) else { continue };
            match mark.get(target) {
                Some(Mark::New) => {
                    if let Some(m) = mark.get_mut(target) {
                        *m = Mark::OnPath;
                    }
                    path.push((target, 0));
                }
                Some(Mark::OnPath) => {
                    let at = path.iter().position(|(j, _)| *j == target).unwrap_or(0);
                    let name = |i: usize| wf.jobs.get(i).map(|j| j.id.value.clone()).unwrap_or_default();
                    let mut cycle: Vec<String> = path.iter().skip(at).map(|(j, _)| name(*j)).collect();
                    cycle.push(name(target));
                    return Some(cycle);
                }
                _ => {}
            }
        }
    }
    None
}

/// Matrix runs repeat the same finding; report each once.
fn dedupe(diags: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| seen.insert((d.severity as u8, d.message.clone(), d.span)));
}

/// `protected_branches` and `ref_protected` both describe the run's branch:
/// say so when they disagree, since the token's `ref_protected` claim
/// follows the latter and environment rules the former.
fn check_ref_protected(s: &Run, git_ref: &str, diags: &mut Vec<Diagnostic>) {
    let Some(rules) = &s.protected_branches else { return };
    let Some(protected) = super::environment::is_protected(&rules.value, git_ref) else { return };
    if protected != s.ref_protected {
        diags.push(Diagnostic::warning(
            format!(
                "`protected_branches` {} `{git_ref}`, but `ref_protected` is {}: the token's `ref_protected` claim follows `ref_protected` (set it to {protected} to match)",
                if protected { "protects" } else { "does not protect" },
                s.ref_protected
            ),
            Some(rules.span),
        ));
    }
}

/// Whether the immutable prefix applies, reporting what prevents it.
fn immutable_subject(s: &Run, diags: &mut Vec<Diagnostic>) -> Result<bool, String> {
    if !s.subject.immutable {
        return Ok(false);
    }
    // github.com / GHEC only, not GHES (D-REF "Immutable subject claims").
    if s.issuer.ghes_host.is_some() {
        diags.push(Diagnostic::warning(
            "immutable subjects exist on github.com and GHE.com only, not on GHES: the legacy `repo:owner/name` form is used",
            s.repository_span,
        ));
        return Ok(false);
    }
    let mut missing = Vec::new();
    if s.repository_owner_id.is_none() {
        missing.push("`repository_owner_id`");
    }
    if s.repository_id.is_none() {
        missing.push("`repository_id`");
    }
    if missing.is_empty() {
        return Ok(true);
    }
    let msg = format!(
        "the immutable subject `repo:owner@OWNER_ID/name@REPO_ID` needs {} in the scenario; Keyless will not invent ids that trust policies compare",
        missing.join(" and ")
    );
    diags.push(Diagnostic::error(msg.clone(), s.repository_span));
    Err(msg)
}

fn object(pairs: Vec<(String, serde_json::Value)>) -> Evaluation {
    let map: HashMap<String, Evaluation> = pairs.into_iter().map(|(k, v)| (k, expr::from_json(&v))).collect();
    Evaluation::Object(map)
}

/// The `github` context of the run (docs "Contexts reference"): what the
/// scenario fixes; anything else (e.g. most of `github.event`) is unknown.
fn github_context(s: &Run, run: &RunFacts, dispatch_defaults: &[(String, serde_json::Value)]) -> Evaluation {
    let r = &run.run_ref;
    let server = match (&s.issuer.ghes_host, &s.issuer.ghe_subdomain) {
        (Some(h), _) => format!("https://{h}"),
        (None, Some(sub)) => format!("https://{sub}.ghe.com"),
        _ => "https://github.com".to_string(),
    };
    let mut event = serde_json::Map::new();
    match s.event.name.value.as_str() {
        "pull_request" | "pull_request_target" | "pull_request_review" | "pull_request_review_comment" => {
            let number = s.event.pr_number.unwrap_or(1);
            event.insert("number".into(), number.into());
            event.insert(
                "pull_request".into(),
                serde_json::json!({
                    "number": number,
                    "merged": s.event.merged,
                    "head": {"ref": r.pr_head, "repo": {"fork": s.event.from_fork}},
                    "base": {"ref": r.pr_base},
                }),
            );
        }
        "push" => {
            event.insert("ref".into(), r.git_ref.clone().into());
        }
        "release" => {
            event.insert("release".into(), serde_json::json!({"tag_name": r.ref_name}));
        }
        "workflow_dispatch" => {
            // Same values as the `inputs` context (defaults included), but
            // strings (D-EVT `workflow_dispatch`).
            let mut inputs = serde_json::Map::new();
            for (k, v) in dispatch_defaults.iter().map(|(k, v)| (k, v)).chain(s.inputs.iter()) {
                let text = match v {
                    serde_json::Value::String(t) => t.clone(),
                    other => other.to_string(),
                };
                inputs.insert(k.clone(), text.into());
            }
            event.insert("inputs".into(), serde_json::Value::Object(inputs));
        }
        _ => {}
    }
    // Keys only some payloads carry are null elsewhere (D-EVT webhook
    // payloads), so `github.event.pull_request.merged` on a push is known.
    event.entry("pull_request").or_insert(serde_json::Value::Null);
    event.entry("inputs").or_insert(serde_json::Value::Null);
    let v = serde_json::json!({
        "event_name": s.event.name.value,
        "ref": r.git_ref,
        "ref_name": r.ref_name,
        "ref_type": r.ref_type,
        "ref_protected": s.ref_protected,
        "base_ref": r.base_ref,
        "head_ref": r.head_ref,
        "repository": s.repository(),
        "repository_owner": s.owner,
        "repository_id": run.repository_id,
        "repository_owner_id": run.repository_owner_id,
        "actor": s.event.actor,
        "actor_id": run.actor_id,
        "triggering_actor": s.event.actor,
        "sha": r.sha,
        "workflow": run.workflow_name,
        "workflow_ref": run.workflow_ref,
        "workflow_sha": r.sha,
        "run_id": run.run_id,
        "run_number": run.run_number,
        "run_attempt": "1",
        "server_url": server,
        "event": serde_json::Value::Object(event),
    });
    expr::from_json(&v)
}

/// Run-wide state shared by every job.
struct Sim<'a> {
    s: &'a Run,
    run: &'a RunFacts,
    /// `Err` carries why the immutable subject cannot be built.
    immutable: Result<bool, String>,
    github: Evaluation,
    /// Combinations visited so far (bounded by MAX_WORK).
    work: std::cell::Cell<usize>,
    /// Called workflows, parsed once each (by index in `reusable_workflows`).
    parsed: std::cell::RefCell<HashMap<usize, Option<std::rc::Rc<Workflow>>>>,
    /// Why GitHub refuses the whole run at startup, if it does (the first
    /// reason found).
    rejected: std::cell::RefCell<Option<String>>,
}

/// One workflow being simulated: the top-level one or a called one.
struct Frame<'a> {
    wf: &'a Workflow,
    /// `caller/` for jobs of a called workflow.
    prefix: String,
    /// The caller job's id-token grant (called workflows can only downgrade).
    caller_grant: Option<Grant>,
    job_workflow_ref: String,
    job_workflow_sha: String,
    inputs: Evaluation,
    /// Complete when every input is known (absent ones are then null).
    inputs_completeness: Completeness,
    depth: usize,
    /// Explanations that apply to every job of this frame.
    notes: Vec<String>,
}

impl Sim<'_> {
    fn contexts(&self, frame: &Frame<'_>) -> Contexts {
        let mut c = Contexts::new();
        c.set("github", self.github.clone(), Completeness::Partial);
        c.set("inputs", frame.inputs.clone(), frame.inputs_completeness);
        c.set("vars", object(self.s.vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect()), Completeness::Partial);
        c
    }

    /// Whether a job of `frame` is skipped as a whole (its `if:`, or a
    /// skipped need), memoised; unknown conditions count as running.
    fn whole_job_skipped(&self, frame: &Frame<'_>, id: &str, memo: &mut HashMap<String, bool>, depth: usize) -> bool {
        if let Some(known) = memo.get(id) {
            return *known;
        }
        let Some(job) = frame.wf.jobs.iter().find(|j| j.id.value == id) else { return false };
        // A cycle of `needs` is refused by GitHub; stop rather than recurse.
        if depth > frame.wf.jobs.len() {
            return false;
        }
        let needs_skipped = job.needs.iter().any(|n| self.whole_job_skipped(frame, n, memo, depth + 1));
        let skipped = match &job.condition {
            None => needs_skipped,
            Some(c) if needs_skipped && !expr::uses_status_function(&c.value) => true,
            Some(c) => expr::eval_condition(&c.value, &if_contexts(&self.contexts(frame), needs_skipped)) == Ok(false),
        };
        memo.insert(id.to_string(), skipped);
        skipped
    }

    fn jobs(&self, frame: &Frame<'_>, sim: &mut Simulation) {
        let mut memo = HashMap::new();
        for job in &frame.wf.jobs {
            // GitHub refuses a workflow whose `needs` names no job of it.
            for need in job.needs.iter().filter(|n| !frame.wf.jobs.iter().any(|j| &j.id.value == *n)) {
                let msg = format!(
                    "job `{}` needs `{need}`, which is not a job of this workflow: GitHub rejects the workflow",
                    job.id.value
                );
                sim.diagnostics.push(Diagnostic::error(msg.clone(), Some(job.span)));
                self.reject(msg);
            }
            // A job's `if:` reads only github, needs, vars and inputs,
            // whatever the evaluation would short-circuit (docs "Contexts
            // reference", context availability).
            if let Some(cond) = &job.condition
                && let Some(name) = IF_UNAVAILABLE.iter().find(|n| expr::names_context(&cond.value, n))
            {
                let msg = format!(
                    "job `{}` `if: {}`: Unrecognized named-value: '{name}'; GitHub rejects the workflow, so no job runs",
                    job.id.value, cond.value
                );
                sim.diagnostics.push(Diagnostic::error(msg.clone(), Some(cond.span)));
                self.reject(msg);
            }
            // An environment name reads github, needs, strategy, matrix,
            // vars and inputs only (same table).
            if let Some(env) = &job.environment
                && let Some(name) = ENVIRONMENT_UNAVAILABLE
                    .iter()
                    .find(|n| expr::has_expression(&env.value) && expr::names_context(&env.value, n))
            {
                let msg = format!(
                    "job `{}` `environment: {}`: Unrecognized named-value: '{name}'; GitHub rejects the workflow, so no job runs",
                    job.id.value, env.value
                );
                sim.diagnostics.push(Diagnostic::error(msg.clone(), Some(env.span)));
                self.reject(msg);
            }
            // `strategy` reads github, needs, vars and inputs only (same table).
            if let Some(m) = &job.matrix
                && let Some(name) = STRATEGY_UNAVAILABLE
                    .iter()
                    .find(|n| m.any_text(&|t: &str| expr::has_expression(t) && expr::names_context(t, n)))
            {
                let msg = format!(
                    "job `{}` `strategy.matrix`: Unrecognized named-value: '{name}'; GitHub rejects the workflow, so no job runs",
                    job.id.value
                );
                sim.diagnostics.push(Diagnostic::error(msg.clone(), Some(m.span)));
                self.reject(msg);
            }
            // A call job has only the keys GitHub supports there (docs
            // "Reusing workflows"; OBS actions/runner#2654).
            for key in &job.unsupported_call_keys {
                let msg = format!(
                    "job `{}` calls a reusable workflow and has `{}`: The workflow is not valid (Unexpected value), a calling job supports only name, uses, with, secrets, strategy, needs, if, concurrency and permissions; GitHub rejects the workflow, so no job runs",
                    job.id.value, key.value
                );
                sim.diagnostics.push(Diagnostic::error(msg.clone(), Some(key.span)));
                self.reject(msg);
            }
            // A job that runs steps must say where: GitHub's schema requires
            // `runs-on` (workflow syntax `jobs.<job_id>.runs-on`; observed
            // error "Required property is missing: runs-on").
            if job.uses.is_none() && job.runs_on.is_none() {
                let msg = format!(
                    "job `{}` has no `runs-on`: GitHub rejects this workflow (Required property is missing: runs-on) and no job would run; the tokens shown assume a `runs-on` is added",
                    job.id.value
                );
                // A warning, not a rejection: the rest of the simulation is
                // still what the user wants to see while drafting.
                sim.diagnostics.push(Diagnostic::warning(msg, Some(job.id.span)));
            }
            // A step's `if:` cannot read `secrets` (docs "Contexts
            // reference", context availability; OBS dylanebert/shallot#267).
            for cond in job.step_conditions.iter().filter(|c| expr::names_context(&c.value, "secrets")) {
                let msg = format!(
                    "job `{}` step `if: {}`: Unrecognized named-value: 'secrets' (a step's `if:` cannot read secrets); GitHub rejects the workflow",
                    job.id.value, cond.value
                );
                sim.diagnostics.push(Diagnostic::error(msg.clone(), Some(cond.span)));
                self.reject(msg);
            }
        }
        if let Some(cycle) = needs_cycle(frame.wf) {
            let msg = format!(
                "the jobs' `needs` form a cycle ({}): no job of it can start, and GitHub rejects the workflow",
                cycle.join(" → ")
            );
            let span = frame.wf.jobs.iter().find(|j| cycle.first() == Some(&j.id.value)).map(|j| j.span);
            sim.diagnostics.push(Diagnostic::error(msg.clone(), span));
            self.reject(msg);
        }
        for job in &frame.wf.jobs {
            let skipped_need = job.needs.iter().find(|n| self.whole_job_skipped(frame, n, &mut memo, 0)).cloned();
            let base = self.contexts(frame);
            for (combo, ctx, mut notes) in self.combinations(job, &base, &mut sim.diagnostics) {
                self.work.set(self.work.get() + 1);
                if sim.runs.len() >= MAX_RUNS || self.work.get() > MAX_WORK {
                    sim.diagnostics.push(Diagnostic::error(
                        format!("the run has more than {MAX_RUNS} jobs; Keyless stops simulating here"),
                        Some(job.span),
                    ));
                    return;
                }
                notes.extend(frame.notes.iter().cloned());
                match &job.uses {
                    Some(uses) => self.call(frame, job, uses, combo, &ctx, skipped_need.as_deref(), notes, sim),
                    None => {
                        let run =
                            self.job_run(frame, job, combo, &ctx, skipped_need.as_deref(), notes, &mut sim.diagnostics);
                        sim.runs.push(run);
                    }
                }
            }
        }
    }

    /// The job's matrix combinations, each with its contexts. A matrix that
    /// cannot be resolved gives one run without `matrix` (and a warning).
    fn combinations(
        &self,
        job: &Job,
        base: &Contexts,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<(Option<matrix::Combination>, Contexts, Vec<String>)> {
        let Some(node) = &job.matrix else {
            return vec![(None, base.clone(), Vec::new())];
        };
        let resolved = match matrix::resolve(node, base) {
            Ok(v) => v,
            Err((e, raw, span)) => {
                diags.push(Diagnostic::warning(
                    format!("job `{}` matrix: {}", job.id.value, e.describe(&raw)),
                    Some(span),
                ));
                let note = format!(
                    "The matrix of `{}` could not be resolved ({}); one run is simulated without matrix values.",
                    job.id.value,
                    e.describe(&raw)
                );
                return vec![(None, base.clone(), vec![note])];
            }
        };
        match matrix::expand(&resolved, &matrix::axis_order(node)) {
            Ok(combos) => combos
                .into_iter()
                .map(|c| {
                    let mut ctx = base.clone();
                    ctx.set("matrix", expr::from_json(&serde_json::Value::Object(c.clone())), Completeness::Complete);
                    (Some(c), ctx, Vec::new())
                })
                .collect(),
            Err(e) => {
                diags.push(Diagnostic::error(format!("job `{}`: {e}", job.id.value), Some(node.span)));
                Vec::new()
            }
        }
    }

    /// `if:` → `Some(reason)` when the job is skipped. `skipped_need` is a
    /// job of `needs:` that is skipped: "If a job fails or is skipped, all
    /// jobs that need it are skipped unless the jobs use a conditional
    /// expression that causes the job to continue" (workflow syntax,
    /// `jobs.<job_id>.needs`); a condition without a status function
    /// implies `success()`, which is then false.
    fn skipped(
        &self,
        job: &Job,
        ctx: &Contexts,
        skipped_need: Option<&str>,
        diags: &mut Vec<Diagnostic>,
        notes: &mut Vec<String>,
    ) -> Option<String> {
        if let Some(need) = skipped_need
            && job.condition.as_ref().is_none_or(|c| !expr::uses_status_function(&c.value))
        {
            return Some(format!(
                "The job is skipped: it needs `{need}`, which is skipped, and its `if:` has no status function such as `always()` (workflow syntax `needs`), so it requests no token."
            ));
        }
        let cond = job.condition.as_ref()?;
        // `if: ${{ a }} && b` is a string template, hence always true
        // (docs: expressions in `if` conditionals).
        if expr::has_expression(&cond.value) && !expr::is_single_expression(&cond.value) {
            diags.push(Diagnostic::warning(
                format!("`if: {}` mixes `${{{{ }}}}` with other text: GitHub evaluates it as a non-empty string, which is always true", cond.value),
                Some(cond.span),
            ));
        }
        // A job's `if:` sees github, needs, vars and inputs only, not
        // `matrix` (evaluated before the matrix expands) nor secrets, env,
        // steps...: GitHub rejects the workflow ("Unrecognized named-value: 'matrix'"; docs "Contexts
        // reference", context availability; OBS actions/runner#1985).
        let visible = if_contexts(ctx, skipped_need.is_some());
        match expr::eval_condition(&cond.value, &visible) {
            Ok(true) => None,
            Ok(false) => Some(format!(
                "The job is skipped: its `if: {}` is false for this run, so it requests no token.",
                cond.value
            )),
            Err(expr::EvalError::Invalid(why)) if expr::rejects_workflow(&why) => {
                let msg = format!(
                    "job `{}` `if: {}`: {why}; GitHub rejects the workflow, so no job runs",
                    job.id.value, cond.value
                );
                diags.push(Diagnostic::error(msg.clone(), Some(cond.span)));
                self.reject(msg.clone());
                Some(format!("No token: {msg}."))
            }
            Err(e) => {
                diags.push(Diagnostic::warning(
                    format!("job `{}` `if:`: {}", job.id.value, e.describe(&cond.value)),
                    Some(cond.span),
                ));
                notes.push(format!(
                    "The job's `if:` cannot be evaluated ({}); the job is simulated as if it runs.",
                    e.describe(&cond.value)
                ));
                None
            }
        }
    }

    fn display_name(job: &Job, ctx: &Contexts) -> Option<String> {
        job.name.as_ref().map(|n| match expr::eval_template(n, ctx) {
            Ok(v) => expr::stringify(&v),
            Err(_) => n.clone(),
        })
    }

    /// An ordinary job (steps) of `frame`.
    #[allow(clippy::too_many_arguments)]
    fn job_run(
        &self,
        frame: &Frame<'_>,
        job: &Job,
        combo: Option<matrix::Combination>,
        ctx: &Contexts,
        skipped_need: Option<&str>,
        mut notes: Vec<String>,
        diags: &mut Vec<Diagnostic>,
    ) -> JobRun {
        let id = format!("{}{}", frame.prefix, job.id.value);
        let mut out = JobRun {
            job: id.clone(),
            name: Self::display_name(job, ctx),
            matrix: combo.clone(),
            environment: None,
            token: not_issued(String::new(), Vec::new()),
            logins: Vec::new(),
            span: Some(job.span),
        };
        if let Some(reason) = self.skipped(job, ctx, skipped_need, diags, &mut notes) {
            out.token = not_issued(reason.clone(), vec![reason]);
            return out;
        }
        // Environment: `environment: ''` means none [INF].
        let environment = match &job.environment {
            None => None,
            Some(env) => match expr::eval_template(&env.value, ctx) {
                Ok(v) => {
                    let name = expr::stringify(&v);
                    if name.is_empty() {
                        notes.push(format!(
                            "`environment: {}` evaluates to an empty name, taken to mean no environment [INF] (undocumented; the common `cond && 'x' || ''` pattern).",
                            env.value
                        ));
                    }
                    Some(name).filter(|e| !e.is_empty())
                }
                Err(e) => {
                    let msg = e.describe(&env.value);
                    // Over GitHub's expression length: the workflow itself is refused.
                    let refused = matches!(&e, expr::EvalError::Invalid(why) if expr::rejects_workflow(why));
                    let level = if refused { Diagnostic::error } else { Diagnostic::warning };
                    diags.push(level(format!("job `{}` environment: {msg}", job.id.value), Some(env.span)));
                    let reason = format!("Keyless cannot determine this job's environment, which decides `sub`: {msg}");
                    out.token = not_issued(reason.clone(), vec![reason]);
                    return out;
                }
            },
        };
        out.environment = environment.clone();
        let found = login::find_logins(&job.steps, ctx, diags, &mut notes);
        out.logins = found.iter().map(login_step).collect();
        // Deployment protection rules are checked before the job starts:
        // a refused ref fails the job whatever its permissions (D-ENV).
        let mut rule_span = None;
        if let Some(env) = &environment {
            let decision = super::environment::check(
                super::environment::find(&self.s.environments, env),
                env,
                &self.environment_context(),
            );
            rule_span = decision.span;
            if let Some(error) = decision.refused {
                let reason =
                    format!("{error} GitHub fails the job before it starts, so it requests no token (D-ENV; E1).");
                out.token = not_issued(reason, decision.notes);
                out.token.rule_span = rule_span;
                return out;
            }
            notes.extend(decision.notes);
        }
        let declared = permissions::declared(frame.wf.permissions.as_ref(), job.permissions.as_ref());
        let grant = match &frame.caller_grant {
            None => declared,
            Some(caller) => {
                let own = (frame.wf.permissions.is_some() || job.permissions.is_some()).then_some(declared);
                permissions::cap_by_caller(caller, own)
            }
        };
        let grant = permissions::apply_event_rules(self.s, grant);
        let seed = format!("{id}:{}", combo.map(|c| serde_json::Value::Object(c).to_string()).unwrap_or_default());
        let runner_environment = match runs_on_self_hosted(job, ctx) {
            Some(true) => {
                if self.s.runner_environment != "self-hosted" {
                    notes.push("`runs-on` names the `self-hosted` label, so the job runs on a self-hosted runner: `runner_environment` is `self-hosted` (D-REF; workflow syntax `runs-on`).".into());
                }
                "self-hosted".to_string()
            }
            _ => self.s.runner_environment.clone(),
        };
        let job_facts = JobClaimFacts {
            environment,
            job_workflow_ref: frame.job_workflow_ref.clone(),
            job_workflow_sha: frame.job_workflow_sha.clone(),
            aud: String::new(),
            runner_environment,
            seed,
        };
        out.token = self.mint(job_facts, &grant, &found, notes);
        out.token.rule_span = rule_span;
        out
    }

    /// What environment rules need to know about the run.
    fn environment_context(&self) -> super::environment::RunContext<'_> {
        super::environment::RunContext {
            git_ref: &self.run.run_ref.git_ref,
            event: &self.s.event.name.value,
            merged: self.s.event.merged,
            ghes: self.s.issuer.ghes_host.is_some(),
            protected_branches: self.s.protected_branches.as_ref().map(|p| p.value.as_slice()),
            ref_protected: self.s.ref_protected,
        }
    }

    /// A job that calls a reusable workflow (`jobs.<id>.uses`, D-RWF).
    #[allow(clippy::too_many_arguments)]
    fn call(
        &self,
        frame: &Frame<'_>,
        job: &Job,
        uses: &crate::span::Spanned<String>,
        combo: Option<matrix::Combination>,
        ctx: &Contexts,
        skipped_need: Option<&str>,
        mut notes: Vec<String>,
        sim: &mut Simulation,
    ) {
        let id = format!("{}{}", frame.prefix, job.id.value);
        if let Some(reason) = self.skipped(job, ctx, skipped_need, &mut sim.diagnostics, &mut notes) {
            // GitHub validates called workflows before any `if:` (OBS
            // metal3-io/project-infra#1171): check the permissions anyway.
            if !expr::has_expression(&uses.value)
                && let Some(target) = self.resolve_uses(&uses.value, frame)
                && let (_, Some(called)) = self.called_workflow(&target.path, sim)
            {
                self.validate_call(&called, &Self::caller_grant(frame, job), &target, job, uses, ctx, sim);
            }
            sim.runs.push(JobRun {
                job: id,
                name: Self::display_name(job, ctx),
                matrix: combo,
                environment: None,
                token: not_issued(reason.clone(), vec![reason]),
                logins: Vec::new(),
                span: Some(job.span),
            });
            return;
        }
        let raw = if expr::has_expression(&uses.value) {
            // No context is available in `jobs.<job_id>.uses` (docs
            // "Contexts reference"; github/docs#34833: a static string).
            let msg = format!(
                "job `{}` `uses: {}`: `uses:` of a reusable workflow call must be a static string, expressions are not allowed; GitHub rejects the workflow, so no job runs",
                job.id.value, uses.value
            );
            sim.diagnostics.push(Diagnostic::error(msg.clone(), Some(uses.span)));
            self.reject(msg);
            match expr::eval_template(&uses.value, ctx) {
                Ok(v) => expr::stringify(&v),
                Err(e) => {
                    sim.diagnostics.push(Diagnostic::error(e.describe(&uses.value), Some(uses.span)));
                    return;
                }
            }
        } else {
            uses.value.clone()
        };
        let Some(target) = self.resolve_uses(&raw, frame) else {
            sim.diagnostics.push(Diagnostic::error(
                format!("`uses: {raw}` is not a reusable workflow reference (`./.github/workflows/x.yml` or `owner/repo/.github/workflows/x.yml@ref`)"),
                Some(uses.span),
            ));
            return;
        };
        notes.extend(target.notes.iter().cloned());
        notes.push(format!(
            "`{}` calls the reusable workflow `{}`: the token describes the caller (repository, ref, `workflow_ref`), and `job_workflow_ref` names the called workflow (D-RWF, research §2.3).",
            job.id.value, target.job_workflow_ref
        ));
        // Inputs: the caller's `with:` over the called workflow's defaults.
        let mut with = Vec::new();
        // Inputs are all known unless a `with:` value is not.
        let mut with_completeness = Completeness::Complete;
        let mut unknown_with: Vec<String> = Vec::new();
        for (k, node) in &job.with {
            // `with:` of a call reads github, needs, strategy, matrix,
            // inputs and vars (docs "Contexts reference"; OBS
            // formbricks/formbricks#6398 "Unrecognized named-value: 'env'").
            if let Some(t) = node.scalar_text().filter(|t| expr::has_expression(t))
                && let Some(name) = ENVIRONMENT_UNAVAILABLE.iter().find(|n| expr::names_context(&t, n))
            {
                let msg = format!(
                    "job `{}` `with.{k}: {t}`: Unrecognized named-value: '{name}'; GitHub rejects the workflow, so no job runs",
                    job.id.value
                );
                sim.diagnostics.push(Diagnostic::error(msg.clone(), Some(node.span)));
                self.reject(msg);
            }
            let value = match node.scalar_text().filter(|t| expr::has_expression(t)) {
                Some(t) => match expr::eval_template(&t, ctx) {
                    Ok(v) => expr::to_json(&v),
                    Err(e) => {
                        sim.diagnostics
                            .push(Diagnostic::warning(format!("`with.{k}`: {}", e.describe(&t)), Some(node.span)));
                        with_completeness = Completeness::Partial;
                        unknown_with.push(k.clone());
                        continue;
                    }
                },
                None => node.to_json(),
            };
            with.push((k.clone(), value));
        }
        let caller_grant = Self::caller_grant(frame, job);
        let (found, called) = self.called_workflow(&target.path, sim);
        let Some(called) = called else {
            if !found {
                sim.diagnostics.push(Diagnostic::warning(
                    format!(
                        "the called workflow `{}` is not in the scenario's `reusable_workflows`: its jobs, environments and login steps are unknown",
                        target.path
                    ),
                    Some(uses.span),
                ));
            }
            notes.push(format!(
                "The text of `{}` is not given: Keyless simulates one run for the calling job, assuming its called jobs set no environment (an environment there would change `sub` to `environment:<name>`).",
                target.path
            ));
            let grant = permissions::apply_event_rules(self.s, caller_grant);
            let facts = JobClaimFacts {
                environment: None,
                job_workflow_ref: target.job_workflow_ref.clone(),
                job_workflow_sha: target.job_workflow_sha.clone(),
                aud: String::new(),
                runner_environment: self.s.runner_environment.clone(),
                seed: format!(
                    "{id}:{}",
                    combo.as_ref().map(|c| serde_json::Value::Object(c.clone()).to_string()).unwrap_or_default()
                ),
            };
            let token = self.mint(facts, &grant, &[], notes);
            sim.runs.push(JobRun {
                job: id,
                name: Self::display_name(job, ctx),
                matrix: combo,
                environment: None,
                token,
                logins: Vec::new(),
                span: Some(job.span),
            });
            return;
        };
        let max_depth = if self.s.issuer.ghes_host.is_some() { MAX_DEPTH_GHES } else { MAX_DEPTH };
        if frame.depth + 1 >= max_depth {
            let msg = format!("reusable workflows nest deeper than {max_depth} levels (GitHub's limit)");
            sim.diagnostics.push(Diagnostic::error(msg.clone(), Some(uses.span)));
            self.reject(msg);
            return;
        }
        self.validate_call(&called, &caller_grant, &target, job, uses, ctx, sim);
        // A called run's inputs: its `workflow_call` defaults under `with:`
        // (its `workflow_dispatch` defaults do not apply, D-RWREF).
        let mut inputs = called.call_input_defaults.clone();
        // An unknown `with:` value hides the default, it does not fall back to it.
        inputs.retain(|(k, _)| !unknown_with.contains(k));
        inputs.extend(with);
        let inner = Frame {
            wf: &called,
            prefix: format!("{id}/"),
            caller_grant: Some(caller_grant),
            job_workflow_ref: target.job_workflow_ref,
            job_workflow_sha: target.job_workflow_sha,
            inputs: object(inputs),
            inputs_completeness: with_completeness,
            depth: frame.depth + 1,
            notes,
        };
        self.jobs(&inner, sim);
    }

    /// The id-token grant a calling job passes to the workflow it calls:
    /// its own (or its workflow's) permissions, within what its own caller
    /// allows (D-RWREF).
    fn caller_grant(frame: &Frame<'_>, job: &Job) -> Grant {
        match &frame.caller_grant {
            None => permissions::declared(frame.wf.permissions.as_ref(), job.permissions.as_ref()),
            Some(outer) => {
                let own = (frame.wf.permissions.is_some() || job.permissions.is_some())
                    .then(|| permissions::declared(frame.wf.permissions.as_ref(), job.permissions.as_ref()));
                permissions::cap_by_caller(outer, own)
            }
        }
    }

    /// The called workflow by its key in `reusable_workflows`: whether the
    /// scenario lists it, and its model (parsed once).
    fn called_workflow(&self, path: &str, sim: &mut Simulation) -> (bool, Option<std::rc::Rc<Workflow>>) {
        let found = self.s.reusable_workflows.iter().enumerate().find(|(_, (p, _))| p.eq_ignore_ascii_case(path));
        let called = found.and_then(|(i, (_, text))| {
            let cached = self.parsed.borrow().get(&i).cloned();
            cached.unwrap_or_else(|| {
                let doc = DocId::Reusable(u16::try_from(i).unwrap_or(u16::MAX));
                let w = workflow::parse(&text.text, doc, &mut sim.diagnostics).map(std::rc::Rc::new);
                self.parsed.borrow_mut().insert(i, w.clone());
                w
            })
        });
        (found.is_some(), called)
    }

    /// A called job may ask for the caller job's permissions or fewer;
    /// asking for more does not downgrade it: GitHub refuses the run ("The
    /// nested job 'x' is requesting 'id-token: write', but is only allowed
    /// 'id-token: none'", startup_failure). Docs "Reusing workflow
    /// configurations", access and permissions for nested workflows; OBS
    /// grafana/loki#22151, tetherto/qvac#1704.
    ///
    /// A workflow without `on: workflow_call` cannot be called: "error
    /// parsing called workflow …: workflow is not reusable as it is missing
    /// a `on.workflow_call` trigger" (OBS Homebrew/glibc-bootstrap#5,
    /// pmem/run_qemu#179), an invalid workflow file.
    ///
    /// The caller's `with:` must fit the called workflow's inputs (see
    /// `inputs::call_errors`), also an invalid workflow file.
    #[allow(clippy::too_many_arguments)]
    fn validate_call(
        &self,
        called: &Workflow,
        caller_grant: &Grant,
        target: &CallTarget,
        job: &Job,
        uses: &crate::span::Spanned<String>,
        ctx: &Contexts,
        sim: &mut Simulation,
    ) {
        if !called.triggers.iter().any(|t| t.event.value == "workflow_call") {
            let msg = format!(
                "error parsing called workflow '{}': workflow is not reusable as it is missing a `on.workflow_call` trigger; GitHub rejects the run, so no job runs",
                target.job_workflow_ref
            );
            sim.diagnostics.push(Diagnostic::error(msg.clone(), called.on_span.or(Some(called.span))));
            self.reject(msg);
        } else {
            // An expression's value is judged only when the scenario gives it.
            let with: Vec<super::inputs::WithValue<'_>> = job
                .with
                .iter()
                .map(|(k, node)| {
                    let value = match node.scalar_text().filter(|t| expr::has_expression(t)) {
                        Some(t) => expr::eval_template(&t, ctx).ok().map(|v| expr::to_json(&v)),
                        None => Some(node.to_json()),
                    };
                    (k.as_str(), node.span, value)
                })
                .collect();
            for (why, span) in super::inputs::call_errors(called, &with, uses.span) {
                let msg = format!(
                    "job `{}` calls '{}': The workflow is not valid. {why}",
                    job.id.value, target.job_workflow_ref
                );
                sim.diagnostics.push(Diagnostic::error(msg.clone(), Some(span)));
                self.reject(msg);
            }
        }
        for nested in &called.jobs {
            if called.permissions.is_none() && nested.permissions.is_none() {
                continue;
            }
            let asked = permissions::declared(called.permissions.as_ref(), nested.permissions.as_ref());
            if asked.id_token > caller_grant.id_token {
                let msg = format!(
                    "The workflow is not valid. Error calling workflow '{}'. The nested job '{}' is requesting 'id-token: write', but is only allowed 'id-token: none' (the calling job `{}` does not grant id-token: write; called workflows cannot raise the caller's permissions)",
                    target.job_workflow_ref, nested.id.value, job.id.value
                );
                sim.diagnostics.push(Diagnostic::error(msg.clone(), Some(uses.span)));
                self.reject(msg);
            }
        }
    }

    /// Records that GitHub refuses the run (the first reason is kept).
    fn reject(&self, why: String) {
        self.rejected.borrow_mut().get_or_insert(why);
    }

    /// `uses:` → the called workflow's key and `job_workflow_ref`.
    fn resolve_uses(&self, raw: &str, frame: &Frame<'_>) -> Option<CallTarget> {
        let s = self.s;
        if let Some(local) = raw.strip_prefix("./") {
            // Local calls use the caller's commit: same ref (research §2.3;
            // changelog 2022-01-25 "the called workflow will be from the same
            // commit as the caller workflow").
            let path = format!("{}/{}", s.repository(), local);
            let frame_repo: String = frame.job_workflow_ref.split('/').take(2).collect::<Vec<_>>().join("/");
            if !frame_repo.eq_ignore_ascii_case(&s.repository()) {
                // A called workflow of another repository runs in the context
                // of the run's repository, so `./` names a file of the run's
                // repository at the run's commit (OBS community discussion
                // #48693: nested `./` calls are "not found" once the outer
                // call is pinned) [INF: not stated by the docs].
                let at = self.run.workflow_ref.rsplit_once('@').map(|(_, r)| r.to_string()).unwrap_or_default();
                return Some(CallTarget {
                    job_workflow_ref: format!("{path}@{at}"),
                    job_workflow_sha: self.run.run_ref.sha.clone(),
                    path,
                    notes: vec![format!(
                        "`{raw}` inside a workflow of `{frame_repo}` is taken to name a file of the run's repository `{}` at the run's ref `{at}`, not of `{frame_repo}` (OBS community discussion #48693) [INF]; write `{frame_repo}/{local}@<ref>` to call the file next to it.",
                        s.repository()
                    )],
                });
            }
            let at = frame.job_workflow_ref.rsplit_once('@').map(|(_, r)| r.to_string()).unwrap_or_default();
            return Some(CallTarget {
                job_workflow_ref: format!("{path}@{at}"),
                job_workflow_sha: frame.job_workflow_sha.clone(),
                path,
                notes: vec![format!("A local reusable workflow runs at the caller's ref `{at}`.")],
            });
        }
        let (path, r) = raw.split_once('@')?;
        if path.split('/').count() < 3 || r.is_empty() {
            return None;
        }
        let is_sha = r.len() == 40 && r.chars().all(|c| c.is_ascii_hexdigit());
        let (full, note) = if is_sha || r.starts_with("refs/") {
            (r.to_string(), None)
        } else if r.starts_with('v') && r.chars().nth(1).is_some_and(|c| c.is_ascii_digit()) {
            (
                format!("refs/tags/{r}"),
                Some(format!(
                    "`@{r}` is taken to be a tag (`refs/tags/{r}`): GitHub resolves the name in the called repository, and a tag wins over a branch of the same name (OBS Azure/login#530). Write `@refs/heads/{r}` to mean a branch."
                )),
            )
        } else {
            (
                format!("refs/heads/{r}"),
                Some(format!(
                    "`@{r}` is taken to be a branch (`refs/heads/{r}`): GitHub resolves the name in the called repository, and a tag of the same name would win (`refs/tags/{r}`, OBS Azure/login#530)."
                )),
            )
        };
        let mut notes: Vec<String> = note.into_iter().collect();
        let sha = if is_sha {
            r.to_string()
        } else {
            notes.push(format!(
                "`job_workflow_sha` is a placeholder: the commit `{path}@{r}` points to is not in the scenario."
            ));
            token::hex_digits(&format!("called:{raw}"), 40)
        };
        Some(CallTarget {
            job_workflow_ref: format!("{path}@{full}"),
            job_workflow_sha: sha,
            path: path.to_string(),
            notes,
        })
    }

    /// Mints (or refuses) the token of one job run.
    fn mint(&self, mut job: JobClaimFacts, grant: &Grant, logins: &[FoundLogin], mut notes: Vec<String>) -> Token {
        let s = self.s;
        if grant.id_token == IdToken::None {
            notes.insert(0, format!("No token: {}.", grant.why));
            return not_issued(login::missing_token_error(logins.first().map(|l| l.cloud)), notes);
        }
        let immutable = match &self.immutable {
            Ok(b) => *b,
            Err(msg) => {
                let reason = format!("Keyless cannot build the subject: {msg}.");
                return not_issued(reason.clone(), vec![reason]);
            }
        };
        let mut explanation = vec![format!("A token is issued: {}.", grant.why)];
        // `aud`: the first login step's audience, else GitHub's default (D-REF).
        job.aud = match logins.first() {
            Some(l) => match &l.audience {
                Some(a) => {
                    if l.audience_explicit {
                        explanation.push(format!("`aud` is `{a}`, set in the `with: audience` of `{}`.", l.action));
                    } else {
                        explanation
                            .push(format!("`aud` is `{a}`, the default audience of `{}` (research §4.2).", l.action));
                    }
                    a.clone()
                }
                None => {
                    explanation.push(format!(
                        "`aud` depends on an unknown value in `{}`; the token shows GitHub's default.",
                        l.action
                    ));
                    token::default_audience(s)
                }
            },
            None => {
                let a = token::default_audience(s);
                explanation.push(format!("No login step asks for an audience: `aud` is GitHub's default `{a}`."));
                if s.issuer.ghes_host.is_none() && s.issuer.ghe_subdomain.is_some() {
                    explanation.push(
                        "On GHE.com the default audience's host is not documented; Keyless assumes `https://SUBDOMAIN.ghe.com/OWNER` [INF] (research §7).".into(),
                    );
                }
                a
            }
        };
        let mut claims = token::base_claims(s, self.run, &job);
        let r: &RunRef = &self.run.run_ref;
        let (context, why) = subject::default_context(s, job.environment.as_deref(), &r.git_ref);
        explanation.push(why);
        let Some(repo) = subject::repo_segment(s, immutable) else {
            return not_issued("Keyless cannot build the immutable subject without ids.".into(), explanation);
        };
        if immutable {
            explanation.push(format!(
                "Immutable subjects are on: the repository segment is `{repo}` (owner and repository ids, CL-IMM)."
            ));
        }
        let keys: Vec<String> = s.subject.include_claim_keys.iter().map(|k| k.value.clone()).collect();
        let sub = if s.subject.use_default || keys.is_empty() {
            if s.subject.use_default && !keys.is_empty() {
                explanation.push("`use_default: true` ignores `include_claim_keys` (REST docs).".into());
            }
            format!("{repo}:{context}")
        } else {
            match subject::custom_subject(&keys, &repo, &context, &claims) {
                Ok((sub, extra)) => {
                    explanation.push(format!(
                        "The subject is customized with include_claim_keys [{}]: `key:value` pairs in that order, `:` in values escaped as `%3A` (D-REF).",
                        keys.join(", ")
                    ));
                    explanation.extend(extra);
                    sub
                }
                Err(reason) => {
                    explanation.push(reason.clone());
                    return not_issued(reason, explanation);
                }
            }
        };
        // `%3A` escaping exists on github.com/GHE.com and GHES > 3.18 only
        // (D-REF; research §1.5/§3.3); the GHES version is not modelled.
        if s.issuer.ghes_host.is_some() && sub.contains("%3A") {
            explanation.push(
                "`:` is escaped as `%3A` in `sub` as on GHES > 3.18; GHES 3.18 and older write `:` unescaped (D-REF) — Keyless does not model the GHES version.".into(),
            );
        }
        claims.set("sub", sub);
        explanation.extend(r.notes.iter().cloned());
        explanation.extend(notes);
        if !self.run.placeholders.is_empty() {
            explanation.push(format!(
                "Not given by the scenario, so deterministic placeholders: {} (and jti, check_run_id, environment_node_id).",
                self.run.placeholders.join(", ")
            ));
        }
        Token { issued: true, reason: None, claims, explanation, rule_span: None }
    }
}

struct CallTarget {
    /// `owner/repo/.github/workflows/x.yml` (key of `reusable_workflows`).
    path: String,
    job_workflow_ref: String,
    job_workflow_sha: String,
    notes: Vec<String>,
}

fn not_issued(reason: String, explanation: Vec<String>) -> Token {
    Token { issued: false, reason: Some(reason), claims: Claims::new(), explanation, rule_span: None }
}

fn login_step(l: &FoundLogin) -> LoginStep {
    LoginStep {
        cloud: l.cloud,
        action: l.action.clone(),
        // An unknown audience is shown as such, never guessed.
        audience: l
            .audience
            .clone()
            .unwrap_or_else(|| "<unknown: depends on a value the scenario does not give>".into()),
        audience_known: l.audience.is_some(),
        audience_explicit: l.audience_explicit,
        span: Some(l.span),
    }
}
