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

mod call;
mod context;
mod mint;
mod startup;

use context::{
    ENVIRONMENT_UNAVAILABLE, IF_UNAVAILABLE, STRATEGY_UNAVAILABLE, github_context, if_contexts, object, typed_input,
};
use mint::{login_step, not_issued};
use startup::{check_ref_protected, dedupe, immutable_subject, needs_cycle};

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
}
