//! Reusable workflows: resolving `uses:`, validating the call (depth,
//! `workflow_call` trigger, inputs and secrets) and simulating the called
//! workflow's jobs with the caller's grant.

use super::*;

impl Sim<'_> {
    /// A job that calls a reusable workflow (`jobs.<id>.uses`, D-RWF).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn call(
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
    pub(super) fn caller_grant(frame: &Frame<'_>, job: &Job) -> Grant {
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
    pub(super) fn called_workflow(&self, path: &str, sim: &mut Simulation) -> (bool, Option<std::rc::Rc<Workflow>>) {
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
    pub(super) fn validate_call(
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
            let with: Vec<crate::github::inputs::WithValue<'_>> = job
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
            for (why, span) in crate::github::inputs::call_errors(called, &with, uses.span) {
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
    pub(super) fn reject(&self, why: String) {
        self.rejected.borrow_mut().get_or_insert(why);
    }

    /// `uses:` → the called workflow's key and `job_workflow_ref`.
    pub(super) fn resolve_uses(&self, raw: &str, frame: &Frame<'_>) -> Option<CallTarget> {
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
}

pub(super) struct CallTarget {
    /// `owner/repo/.github/workflows/x.yml` (key of `reusable_workflows`).
    path: String,
    job_workflow_ref: String,
    job_workflow_sha: String,
    notes: Vec<String>,
}
