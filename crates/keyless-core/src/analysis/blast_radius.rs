//! The what-if matrix: the scenario replayed as the runs an attacker or a
//! mistake could produce, each judged by every configured cloud. Source of
//! the idea: the seed guide's Verify step 3 ("A trust policy you have never
//! watched fail closed is not yet a control"); the run kinds come from
//! github-oidc-tokens.md §2 (what each event puts in `sub`), §3.4
//! (immutable subjects), §4.1 (issuers) and §6 (pitfalls).
//!
//! Every row is a modified [`Scenario`] evaluated by [`engine::evaluate`]:
//! the matrix never re-derives a verdict.

use crate::doc::{self, Node};
use crate::engine::{self, JobReport};
use crate::github::JobRun;
use crate::scenario::{PullRequestTargetSubject, Scenario};
use crate::span::{DocId, Span};
use crate::verdict::{Cloud, Verdict};
use crate::verdict_cache::VerdictCache;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// One what-if row kind, declared once: the matrix's rows, the docs'
/// table (docs/findings.md), `keyless check`'s event clauses and the
/// findings all read these definitions.
#[derive(Debug)]
pub struct VariantDef {
    pub id: &'static str,
    pub expectation: Expectation,
    /// What the row's run is, as the matrix shows it.
    pub summary: &'static str,
    /// What the run is and why it matters, with its source (the docs).
    pub doc: &'static str,
}

const AS_GIVEN: VariantDef = VariantDef {
    id: "as-given",
    expectation: Expectation::Intended,
    summary: "the run as given",
    doc: "The scenario as given: the run(s) the trust is meant to admit.",
};
const OTHER_BRANCH: VariantDef = VariantDef {
    id: "other-branch",
    expectation: Expectation::Unintended,
    summary: "a push to another branch of the repository",
    doc: "A push to another branch (anyone with write access can push one, with any workflow): research github-oidc-tokens.md §2.2.",
};
const BRANCH_PREFIX: VariantDef = VariantDef {
    id: "branch-prefix",
    expectation: Expectation::Unintended,
    summary: "a push to a branch whose name starts with the default branch's",
    doc: "A push to `<default branch>-keyless-what-if` (only when the run is on the default branch): catches `ref:refs/heads/main*` (research cloud-trust-evaluation.md §1.8).",
};
const TAG: VariantDef = VariantDef {
    id: "tag",
    expectation: Expectation::Unintended,
    summary: "a pushed tag",
    doc: "A pushed tag: `ref:refs/tags/…` (research github-oidc-tokens.md §2.2).",
};
const PULL_REQUEST: VariantDef = VariantDef {
    id: "pull-request",
    expectation: Expectation::Unintended,
    summary: "a pull request from a branch of the same repository",
    doc: "A pull request from a branch of the same repository: `sub` `…:pull_request` (research github-oidc-tokens.md §2.2).",
};
const FORK_PULL_REQUEST: VariantDef = VariantDef {
    id: "fork-pull-request",
    expectation: Expectation::Unintended,
    summary: "a pull request from a fork (its workflow edits apply)",
    doc: "A pull request from a fork: GitHub issues no token (research github-oidc-tokens.md §5); shown to prove it fails closed.",
};
const PULL_REQUEST_TARGET_REF: VariantDef = VariantDef {
    id: "pull-request-target-ref",
    expectation: Expectation::Unintended,
    summary: "a pull_request_target run started by a fork",
    doc: "pull_request_target from a fork, `sub` option `ref` (default branch): contested in GitHub's docs (research github-oidc-tokens.md §2.2), both options are simulated.",
};
const PULL_REQUEST_TARGET_PR: VariantDef = VariantDef {
    id: "pull-request-target-pr",
    expectation: Expectation::Unintended,
    summary: "a pull_request_target run started by a fork",
    doc: "pull_request_target from a fork, `sub` option `pull_request`.",
};
const OTHER_ENVIRONMENT: VariantDef = VariantDef {
    id: "other-environment",
    expectation: Expectation::Unintended,
    summary: "the job with another environment",
    doc: "The job with another environment name (only when the job has one): `…:environment:NAME` (research github-oidc-tokens.md §2.1).",
};
const NO_ENVIRONMENT: VariantDef = VariantDef {
    id: "no-environment",
    expectation: Expectation::Unintended,
    summary: "the job without its environment (no reviewers, no protection rules)",
    doc: "The job without its environment (no reviewers): the `sub` falls back to the ref (research github-oidc-tokens.md §2.1, research seeds/keyless-deployments-aws-azure-gcp.md §6).",
};
const OTHER_REPO: VariantDef = VariantDef {
    id: "other-repo",
    expectation: Expectation::Unintended,
    summary: "another repository of the same owner",
    doc: "Another repository of the same owner: the 400-repository story of the deployments guide's \"Enterprise scenario\" (docs/research/seeds/keyless-deployments-aws-azure-gcp.md).",
};
const REPO_NAME_PREFIX: VariantDef = VariantDef {
    id: "repo-name-prefix",
    expectation: Expectation::Unintended,
    summary: "another repository of the owner whose name starts with this one",
    doc: "A repository named `<repo>-evil` of the same owner: catches `repo:o/r*` (research cloud-trust-evaluation.md §1.8).",
};
const OWNER_LOOKALIKE: VariantDef = VariantDef {
    id: "owner-lookalike",
    expectation: Expectation::Unintended,
    summary: "a look-alike owner (`<owner>-evil`) with the same repository name",
    doc: "A look-alike owner `<owner>-evil` (anyone can register it): catches `repo:o*`.",
};
const OWNER_PREFIX: VariantDef = VariantDef {
    id: "owner-prefix",
    expectation: Expectation::Unintended,
    summary: "an owner whose name starts with this owner's (`<owner>x`)",
    doc: "An owner named `<owner>x`: catches owner prefixes.",
};
const OTHER_WORKFLOW: VariantDef = VariantDef {
    id: "other-workflow",
    expectation: Expectation::Unintended,
    summary: "another workflow file of the repository, same branch",
    doc: "Another workflow file on the same ref: same `sub`, other `job_workflow_ref`.",
};
const REUSABLE_REF: VariantDef = VariantDef {
    id: "reusable-ref",
    expectation: Expectation::Unintended,
    summary: "the reusable workflow called at another ref",
    doc: "The called reusable workflow at another ref (only when the job calls one): research seeds/keyless-deployments-aws-azure-gcp.md §5.",
};
const IMMUTABLE: VariantDef = VariantDef {
    id: "immutable",
    expectation: Expectation::Neutral,
    summary: "the same run after the repository switches to immutable subjects",
    doc: "The same run after switching to immutable subjects `repo:OWNER@ID/REPO@ID:…` (research github-oidc-tokens.md §3.4).",
};
const RENAMED_SAME_IDS: VariantDef = VariantDef {
    id: "renamed-same-ids",
    expectation: Expectation::Neutral,
    summary: "the repository renamed (same ids) under immutable subjects",
    doc: "The repository renamed (same ids) under immutable subjects.",
};
const RECREATED_SAME_NAME: VariantDef = VariantDef {
    id: "recreated-same-name",
    expectation: Expectation::Unintended,
    summary: "a new repository with the same name (deleted and re-created, or transferred) under immutable subjects",
    doc: "A new repository with the same name (new id) under immutable subjects: deleted and re-created, or transferred.",
};
const GHES_ISSUER: VariantDef = VariantDef {
    id: "ghes-issuer",
    expectation: Expectation::Unintended,
    summary: "the same owner/repository names on a GitHub Enterprise Server someone else runs",
    doc: "The same names on someone else's GitHub Enterprise Server: issuer `https://HOST/_services/token` (research github-oidc-tokens.md §4.1).",
};
const ENTERPRISE_ISSUER: VariantDef = VariantDef {
    id: "enterprise-issuer",
    expectation: Expectation::Neutral,
    summary: "the enterprise's unique issuer switched on",
    doc: "The enterprise's unique issuer `https://token.actions.githubusercontent.com/<slug>` switched on (research github-oidc-tokens.md §4.1).",
};

/// The what-if variants, in row order. Documented in `docs/findings.md`.
pub const VARIANTS: &[VariantDef] = &[
    AS_GIVEN,
    OTHER_BRANCH,
    BRANCH_PREFIX,
    TAG,
    PULL_REQUEST,
    FORK_PULL_REQUEST,
    PULL_REQUEST_TARGET_REF,
    PULL_REQUEST_TARGET_PR,
    OTHER_ENVIRONMENT,
    NO_ENVIRONMENT,
    OTHER_REPO,
    REPO_NAME_PREFIX,
    OWNER_LOOKALIKE,
    OWNER_PREFIX,
    OTHER_WORKFLOW,
    REUSABLE_REF,
    IMMUTABLE,
    RENAMED_SAME_IDS,
    RECREATED_SAME_NAME,
    GHES_ISSUER,
    ENTERPRISE_ISSUER,
];

/// Whether a row's run should be admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expectation {
    /// The scenario as given.
    Intended,
    /// A run the trust should reject.
    Unintended,
    /// Informational: admitting or rejecting are both defensible (the same
    /// repository after a rename, or after switching subject format).
    Neutral,
}

/// One cloud's verdict on one row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhatIfCell {
    pub admitted: bool,
    /// The cloud's code (`allowed`, `AccessDenied`, `no_token`, ...).
    pub code: String,
    pub decided_by: String,
    pub decided_span: Option<Span>,
}

/// One run of one job under one what-if variant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhatIfRow {
    /// `<variant>:<job>`, stable across runs of the analysis.
    pub id: String,
    pub variant: String,
    pub job: String,
    pub description: String,
    /// What differs from the scenario as given.
    pub changed: Vec<String>,
    pub expectation: Expectation,
    /// The token's `sub`, when a token was issued.
    pub sub: Option<String>,
    /// Only the clouds this job is judged by (the clouds it logs in to).
    pub cells: BTreeMap<Cloud, WhatIfCell>,
}

/// An admitted run that is not intended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnintendedAdmit {
    pub row: String,
    pub cloud: Cloud,
    pub description: String,
    pub sub: Option<String>,
    pub decided_by: String,
    pub decided_span: Option<Span>,
}

/// Rows × configured clouds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhatIfMatrix {
    pub clouds: Vec<Cloud>,
    pub rows: Vec<WhatIfRow>,
    pub unintended_admits: Vec<UnintendedAdmit>,
    /// Simulated runs (one per variant).
    pub simulations: usize,
    /// Cloud verdicts computed.
    pub evaluations: usize,
    /// Assumptions made while building the variants.
    pub notes: Vec<String>,
}

/// A row's simulated job, kept for re-judging suggestions (without the
/// token's explanation).
#[derive(Clone, Debug)]
pub(crate) struct RowRun {
    pub row: usize,
    pub run: JobRun,
}

/// The matrix and the runs behind it.
#[derive(Clone, Debug)]
pub(crate) struct Exploration {
    pub matrix: WhatIfMatrix,
    pub runs: Vec<RowRun>,
}

/// The what-if matrix of a scenario.
pub fn blast_radius(scenario: &Scenario) -> WhatIfMatrix {
    explore(scenario).matrix
}

struct Variant {
    def: &'static VariantDef,
    changed: Vec<String>,
    scenario: Scenario,
}

/// `job` or `job (matrix json)`: identifies one job run across variants.
pub(crate) fn job_key(job: &str, matrix: Option<&serde_json::Map<String, serde_json::Value>>) -> String {
    match matrix {
        Some(m) if !m.is_empty() => format!("{job} {}", serde_json::Value::Object(m.clone())),
        _ => job.to_string(),
    }
}

/// Which job runs each cloud judges: those that log in to it; if no job
/// logs in to a configured cloud, every job that gets a token.
fn relevant_jobs(clouds: &[Cloud], jobs: &[JobReport]) -> BTreeMap<Cloud, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for &cloud in clouds {
        let mut keys: BTreeSet<String> = jobs
            .iter()
            .filter(|j| j.logins.iter().any(|l| l.cloud == cloud))
            .map(|j| job_key(&j.job, j.matrix.as_ref()))
            .collect();
        if keys.is_empty() {
            keys = jobs.iter().filter(|j| j.token.issued).map(|j| job_key(&j.job, j.matrix.as_ref())).collect();
        }
        out.insert(cloud, keys);
    }
    out
}

pub(crate) fn explore(scenario: &Scenario) -> Exploration {
    explore_from(scenario, &engine::evaluate(scenario), &mut VerdictCache::default())
}

/// As [`explore`], reusing the report of the scenario as given, with the
/// variants' verdicts through `verdicts` (the same verdicts as
/// [`engine::evaluate`]'s: each distinct token a cloud sees is judged once,
/// where a matrix's runs repeat a few per variant).
pub(crate) fn explore_from(
    scenario: &Scenario,
    base: &crate::engine::Report,
    verdicts: &mut VerdictCache,
) -> Exploration {
    let clouds = engine::configured_clouds(scenario);
    let relevant = relevant_jobs(&clouds, &base.jobs);
    let mut notes = Vec::new();
    // Without a configured cloud there is nothing to judge: skip the replays.
    let variants = if clouds.is_empty() { Vec::new() } else { variants(scenario, &base.jobs, &mut notes) };
    let mut matrix = WhatIfMatrix {
        clouds: clouds.clone(),
        rows: Vec::new(),
        unintended_admits: Vec::new(),
        simulations: 1,
        evaluations: 0,
        notes,
    };
    let mut runs = Vec::new();
    // A row's run is kept for verifying suggestions: moved out of a
    // variant's report, cloned from the base report (borrowed).
    let mut add_row =
        |v: &Variant, run: Cow<'_, JobRun>, judged: &BTreeMap<Cloud, Verdict>, matrix: &mut WhatIfMatrix| {
            let j = run.as_ref();
            let key = job_key(&j.job, j.matrix.as_ref());
            let cells: BTreeMap<Cloud, WhatIfCell> = judged
                .iter()
                .filter(|(c, _)| relevant.get(c).is_some_and(|k| k.contains(&key)))
                .map(|(c, verdict)| {
                    (
                        *c,
                        WhatIfCell {
                            admitted: verdict.allowed,
                            code: verdict.code.clone(),
                            decided_by: verdict.decided_by.clone(),
                            decided_span: verdict.decided_span,
                        },
                    )
                })
                .collect();
            if cells.is_empty() {
                return;
            }
            matrix.evaluations += cells.len();
            let sub = j.token.issued.then(|| j.token.claims.sub());
            let row = WhatIfRow {
                id: format!("{}:{key}", v.def.id),
                variant: v.def.id.to_string(),
                job: key,
                description: v.def.summary.to_string(),
                changed: v.changed.clone(),
                expectation: v.def.expectation,
                sub,
                cells,
            };
            if row.expectation == Expectation::Unintended {
                for (cloud, cell) in row.cells.iter().filter(|(_, c)| c.admitted) {
                    matrix.unintended_admits.push(UnintendedAdmit {
                        row: row.id.clone(),
                        cloud: *cloud,
                        description: row.description.clone(),
                        sub: row.sub.clone(),
                        decided_by: cell.decided_by.clone(),
                        decided_span: cell.decided_span,
                    });
                }
            }
            // Verification reads the token and the logins, never the
            // explanation: not keeping it halves the memory of a 1,024-job run's matrix.
            let mut run = run.into_owned();
            run.token.explanation = Vec::new();
            runs.push(RowRun { row: matrix.rows.len(), run });
            matrix.rows.push(row);
        };
    for v in &variants {
        if v.def.expectation == Expectation::Intended {
            for j in &base.jobs {
                add_row(v, Cow::Borrowed(&j.run), &j.verdicts, &mut matrix);
            }
        } else {
            let report = verdicts.evaluate(&v.scenario, &crate::clouds::Clouds::ALL);
            matrix.simulations += 1;
            for JobReport { run, verdicts: judged } in report.jobs {
                add_row(v, Cow::Owned(run), &judged, &mut matrix);
            }
        }
    }
    Exploration { matrix, runs }
}

/// A claim of the first issued token of the run as given.
fn base_claim(jobs: &[JobReport], name: &str) -> Option<String> {
    jobs.iter().find(|j| j.token.issued).and_then(|j| j.token.claims.text(name))
}

/// `n + delta` for numeric ids, else a fixed stand-in.
fn other_id(id: &str, delta: u64) -> String {
    id.parse::<u64>().map_or_else(|_| format!("{}", 900_000_000 + delta), |n| (n + delta).to_string())
}

const WHAT_IF_BRANCH: &str = "keyless/what-if";
const WHAT_IF_NAME: &str = "keyless-what-if";

fn variants(s: &Scenario, base: &[JobReport], notes: &mut Vec<String>) -> Vec<Variant> {
    let mut out = Vec::new();
    let v = |def: &'static VariantDef, changed: Vec<String>, scenario: Scenario| Variant { def, changed, scenario };
    out.push(v(&AS_GIVEN, Vec::new(), s.clone()));

    // Runs anyone with push access can produce: any branch, tag or PR, with
    // any trigger (they can edit the workflow in their branch).
    let attacker = |mut t: Scenario, event: &str| -> (Scenario, Vec<String>) {
        let mut changed = Vec::new();
        if let Some(text) = rewrite_workflow(&t.workflow.text, Some(event), true)
            && text != t.workflow.text
        {
            changed.push(format!("workflow edited in the branch: `on: {event}`, job `if:` conditions removed"));
            t.workflow.text = text;
        }
        (t, changed)
    };
    let push = |t: &mut Scenario, git_ref: &str| t.event.replay_on_ref("push", git_ref);
    let pull = |t: &mut Scenario, event: &str, fork: bool| {
        t.event.replay_as_pull_request(event, &s.default_branch, WHAT_IF_BRANCH, fork);
    };

    let branch_ref = format!("refs/heads/{WHAT_IF_BRANCH}");
    let (mut t, mut changed) = attacker(s.clone(), "push");
    push(&mut t, &branch_ref);
    changed.insert(0, format!("event: push to `{branch_ref}`"));
    out.push(v(&OTHER_BRANCH, changed, t));

    // A branch named like the default branch plus a suffix: catches
    // `ref:refs/heads/main*` (research §1.8: `*` also matches the suffix).
    let default_ref = format!("refs/heads/{}", s.default_branch);
    if base_claim(base, "ref").as_deref() == Some(default_ref.as_str()) {
        let prefixed = format!("{default_ref}-{WHAT_IF_NAME}");
        let (mut t, mut changed) = attacker(s.clone(), "push");
        push(&mut t, &prefixed);
        changed.insert(0, format!("event: push to `{prefixed}`"));
        out.push(v(&BRANCH_PREFIX, changed, t));
    }

    let tag_ref = format!("refs/tags/{WHAT_IF_NAME}");
    let (mut t, mut changed) = attacker(s.clone(), "push");
    push(&mut t, &tag_ref);
    changed.insert(0, format!("event: push of tag `{tag_ref}`"));
    out.push(v(&TAG, changed, t));

    let (mut t, mut changed) = attacker(s.clone(), "pull_request");
    pull(&mut t, "pull_request", false);
    changed.insert(0, format!("event: pull_request from branch `{WHAT_IF_BRANCH}` of the same repository"));
    out.push(v(&PULL_REQUEST, changed, t));

    let mut t = s.clone();
    pull(&mut t, "pull_request", true);
    if let Some(text) = rewrite_workflow(&t.workflow.text, Some("pull_request"), true) {
        t.workflow.text = text;
    }
    out.push(v(&FORK_PULL_REQUEST, vec!["event: pull_request from a fork".into()], t));

    for (id, option, label) in [
        (&PULL_REQUEST_TARGET_REF, PullRequestTargetSubject::Ref, "ref"),
        (&PULL_REQUEST_TARGET_PR, PullRequestTargetSubject::PullRequest, "pull_request"),
    ] {
        let mut t = s.clone();
        pull(&mut t, "pull_request_target", true);
        t.options.pull_request_target_subject = option;
        let mut changed = vec![
            "event: pull_request_target from a fork (workflow from the default branch)".to_string(),
            format!("option pull_request_target_subject = {label} (GitHub's docs are silent: both are simulated)"),
        ];
        if let Some(text) = rewrite_workflow(&t.workflow.text, Some("pull_request_target"), false)
            && text != t.workflow.text
        {
            changed.push("if a workflow on the default branch triggers on pull_request_target".into());
            t.workflow.text = text;
        }
        out.push(v(id, changed, t));
    }

    let has_env = base.iter().any(|j| j.environment.is_some());
    if has_env {
        let unknown: Vec<String> = base
            .iter()
            .filter_map(|j| j.environment.clone())
            .filter(|e| crate::github::environment::find(&s.environments, e).is_none())
            .collect();
        if unknown.is_empty() {
            notes.push("Environment protection rules (deployment branches and tags) come from the scenario's `environments:` and are applied to every row (a refused run gets no token); required reviewers are assumed to approve.".into());
        } else {
            notes.push(format!("The scenario gives no environment protection rules for {}: rows that keep such an environment show what the cloud admits if GitHub lets the run into it (list the rules in `environments:` to simulate them).", unknown.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ")));
        }
        let mut t = s.clone();
        t.workflow.text = rewrite_environments(&t.workflow.text, DocId::Workflow, EnvEdit::Rename);
        for (_, r) in &mut t.reusable_workflows {
            r.text = rewrite_environments(&r.text, DocId::Workflow, EnvEdit::Rename);
        }
        out.push(v(&OTHER_ENVIRONMENT, vec![format!("job environment renamed to `{WHAT_IF_NAME}`")], t));
        let mut t = s.clone();
        t.workflow.text = rewrite_environments(&t.workflow.text, DocId::Workflow, EnvEdit::Remove);
        for (_, r) in &mut t.reusable_workflows {
            r.text = rewrite_environments(&r.text, DocId::Workflow, EnvEdit::Remove);
        }
        out.push(v(&NO_ENVIRONMENT, vec!["`environment:` removed from the job".into()], t));
    }

    let repo_id = base_claim(base, "repository_id").or_else(|| s.repository_id.clone());
    let owner_id = base_claim(base, "repository_owner_id").or_else(|| s.repository_owner_id.clone());
    let repo_id_text = repo_id.clone().unwrap_or_else(|| "100000001".into());
    let owner_id_text = owner_id.clone().unwrap_or_else(|| "100000002".into());
    if repo_id.is_none() || owner_id.is_none() {
        notes.push(
            "the run as given has no repository ids; stand-in ids are used for the immutable-subject rows".into(),
        );
    }
    let elsewhere = |owner: &str, name: &str, new_owner_id: bool| {
        let (mut t, mut changed) = attacker(s.clone(), &s.event.name.value);
        t.owner = owner.to_string();
        t.name = name.to_string();
        t.repository_id = Some(other_id(&repo_id_text, 7));
        t.repository_owner_id = Some(if new_owner_id { other_id(&owner_id_text, 11) } else { owner_id_text.clone() });
        changed.insert(
            0,
            format!(
                "repository `{owner}/{name}` (ids {}/{})",
                t.repository_owner_id.clone().unwrap_or_default(),
                t.repository_id.clone().unwrap_or_default()
            ),
        );
        (t, changed)
    };
    let (t, changed) = elsewhere(&s.owner, WHAT_IF_NAME, false);
    out.push(v(&OTHER_REPO, changed, t));
    let (t, changed) = elsewhere(&s.owner, &format!("{}-evil", s.name), false);
    out.push(v(&REPO_NAME_PREFIX, changed, t));
    let (t, changed) = elsewhere(&format!("{}-evil", s.owner), &s.name, true);
    out.push(v(&OWNER_LOOKALIKE, changed, t));
    let (t, changed) = elsewhere(&format!("{}x", s.owner), &s.name, true);
    out.push(v(&OWNER_PREFIX, changed, t));

    let mut t = s.clone();
    t.workflow_path = format!(".github/workflows/{WHAT_IF_NAME}.yml");
    out.push(v(&OTHER_WORKFLOW, vec![format!("workflow path `{}`", t.workflow_path)], t));

    if let Some(text) = rewrite_reusable_refs(&s.workflow.text) {
        let mut t = s.clone();
        t.workflow.text = text;
        out.push(v(&REUSABLE_REF, vec![format!("reusable workflow ref `@refs/heads/{WHAT_IF_BRANCH}`")], t));
    }

    let immutable = |mut t: Scenario| {
        t.subject.immutable = true;
        t.repository_id = Some(repo_id_text.clone());
        t.repository_owner_id = Some(owner_id_text.clone());
        t
    };
    if !s.subject.immutable {
        out.push(v(&IMMUTABLE, vec!["subject: immutable (`repo:OWNER@ID/REPO@ID:…`)".into()], immutable(s.clone())));
    }
    let mut t = immutable(s.clone());
    t.name = format!("{}-renamed", s.name);
    out.push(v(
        &RENAMED_SAME_IDS,
        vec![format!("repository renamed to `{}/{}`, immutable subjects", s.owner, t.name)],
        t,
    ));
    let mut t = immutable(s.clone());
    t.repository_id = Some(other_id(&repo_id_text, 13));
    out.push(v(
        &RECREATED_SAME_NAME,
        vec![format!("same name, new repository id {}", t.repository_id.clone().unwrap_or_default())],
        t,
    ));

    let mut t = s.clone();
    t.issuer.ghes_host = Some("ghes.keyless-what-if.example".into());
    t.issuer.enterprise_slug = None;
    t.issuer.ghe_subdomain = None;
    out.push(v(&GHES_ISSUER, vec!["issuer `https://ghes.keyless-what-if.example/_services/token`".into()], t));
    let mut t = s.clone();
    let slug = match &s.issuer.enterprise_slug {
        Some(sl) => format!("{sl}-other"),
        None => WHAT_IF_NAME.to_string(),
    };
    t.issuer.enterprise_slug = Some(slug.clone());
    t.issuer.ghes_host = None;
    out.push(v(&ENTERPRISE_ISSUER, vec![format!("issuer `https://token.actions.githubusercontent.com/{slug}`")], t));
    out
}

/// `on:` replaced by `event` (when given) and, if `strip_if`, job-level
/// `if:` removed. `None` if the workflow does not parse. A manual run keeps
/// its declared inputs (as JSON, which YAML reads): without them GitHub
/// refuses the dispatch of the run's inputs (github::inputs).
pub(crate) fn rewrite_workflow(text: &str, event: Option<&str>, strip_if: bool) -> Option<String> {
    let root = doc::parse(text, DocId::Workflow).ok()?;
    let mut edits: Vec<(Span, String)> = Vec::new();
    if let Some(event) = event
        && let Some(on) = root.entry("on").or_else(|| root.entry("true"))
    {
        let on_text = match on.value.get(event).filter(|c| event == "workflow_dispatch" && !c.is_null()) {
            Some(config) => serde_json::json!({ event: config.to_json() }).to_string(),
            None => event.to_string(),
        };
        edits.push((on.value.span, on_text));
    }
    if strip_if {
        for job in root.get("jobs").and_then(Node::entries).unwrap_or_default() {
            if let Some(e) = job.value.entry("if") {
                edits.push((e.key.span.to(e.value.span), String::new()));
            }
        }
    }
    Some(apply_edits(text, edits))
}

#[derive(Clone, Copy)]
pub(crate) enum EnvEdit<'a> {
    Rename,
    /// Renamed to this name.
    Set(&'a str),
    Remove,
}

pub(crate) fn rewrite_environments(text: &str, doc_id: DocId, edit: EnvEdit) -> String {
    let Ok(root) = doc::parse(text, doc_id) else { return text.to_string() };
    let mut edits = Vec::new();
    for job in root.get("jobs").and_then(Node::entries).unwrap_or_default() {
        let Some(env) = job.value.entry("environment") else { continue };
        match edit {
            EnvEdit::Remove => edits.push((env.key.span.to(env.value.span), String::new())),
            EnvEdit::Rename | EnvEdit::Set(_) => {
                let target = env.value.get("name").map_or(env.value.span, |n| n.span);
                let name = if let EnvEdit::Set(n) = edit { n } else { WHAT_IF_NAME };
                edits.push((target, name.to_string()));
            }
        }
    }
    apply_edits(text, edits)
}

/// `uses: o/r/.github/workflows/x.yml@ref` → `@refs/heads/keyless/what-if`.
fn rewrite_reusable_refs(text: &str) -> Option<String> {
    let root = doc::parse(text, DocId::Workflow).ok()?;
    let mut edits = Vec::new();
    for job in root.get("jobs").and_then(Node::entries).unwrap_or_default() {
        let Some(uses) = job.value.get("uses") else { continue };
        let Some(value) = uses.as_str() else { continue };
        if let Some((path, _)) = value.split_once('@') {
            edits.push((uses.span, format!("{path}@refs/heads/{WHAT_IF_BRANCH}")));
        }
    }
    if edits.is_empty() { None } else { Some(apply_edits(text, edits)) }
}

/// Applies non-overlapping replacements (byte spans into `text`).
fn apply_edits(text: &str, mut edits: Vec<(Span, String)>) -> String {
    edits.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
    let mut out = text.to_string();
    let mut floor = usize::MAX;
    for (span, replacement) in edits {
        let start = span.start as usize;
        // Block values' spans run to the next line: keep the line break.
        let end = out.get(start..span.end as usize).map_or(span.end as usize, |t| start + t.trim_end().len());
        if end > floor || start > end || end > out.len() || !out.is_char_boundary(start) || !out.is_char_boundary(end) {
            continue;
        }
        out.replace_range(start..end, &replacement);
        floor = start;
    }
    out
}

#[cfg(test)]
pub(crate) mod tests;
