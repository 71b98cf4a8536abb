//! What the triggering event fixes for every job of the run: `ref`,
//! `ref_type`, `head_ref`, `base_ref`, `sha`, and whether the workflow's
//! `on:` would run at all. Per-event `ref`: research github-oidc-tokens.md
//! §2.2 (D-EVT, CL-PRT, observations cited per row).

use super::run::Run;
use super::workflow::{Trigger, Workflow};
use crate::diagnostic::Diagnostic;

/// Events GitHub counts as "triggered by a pull request" for `sub`
/// (D-REF). `pull_request_review*` are not named by the docs [INF].
pub const PULL_REQUEST_SUB_EVENTS: &[&str] = &["pull_request", "pull_request_review", "pull_request_review_comment"];

/// Events whose payload carries a pull request (D-EVT webhook payloads).
const PR_FAMILY: &[&str] =
    &["pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"];

/// Events with `github.head_ref`/`base_ref` set: "only available when the
/// event that triggers a workflow run is either pull_request or
/// pull_request_target" (docs "Contexts reference", `github` context;
/// observed empty on pull_request_review: tj-actions/branch-names#428).
const HEAD_BASE_EVENTS: &[&str] = &["pull_request", "pull_request_target"];

/// The ref-related facts of the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRef {
    /// `GITHUB_REF`; empty for a deployment created from a SHA.
    pub git_ref: String,
    pub ref_type: &'static str,
    /// `github.head_ref` and the `head_ref` claim (empty but for
    /// pull_request and pull_request_target).
    pub head_ref: String,
    pub base_ref: String,
    /// The pull request's head and base branches as its payload names them
    /// (`github.event.pull_request.head.ref`), for every PR-family event.
    pub pr_head: String,
    pub pr_base: String,
    pub sha: String,
    /// The branch or tag name (`github.ref_name`).
    pub ref_name: String,
    /// Sentences for the token explanation.
    pub notes: Vec<String>,
}

/// Whether the event is a pull request family event.
pub fn is_pr_family(event: &str) -> bool {
    PR_FAMILY.contains(&event)
}

/// Normalises a user-written ref: `main` means `refs/heads/main`, except
/// for a release, whose ref is always a tag (D-EVT `release`).
fn full_ref(event: &str, r: &str) -> String {
    if r.starts_with("refs/") || r.is_empty() {
        r.to_string()
    } else if event == "release" {
        format!("refs/tags/{r}")
    } else {
        format!("refs/heads/{r}")
    }
}

/// Events that can start a workflow run (D-EVT). `workflow_call` cannot:
/// it only runs inside a caller's run.
pub const KNOWN_EVENTS: &[&str] = &[
    "branch_protection_rule",
    "check_run",
    "check_suite",
    "create",
    "delete",
    "deployment",
    "deployment_status",
    "discussion",
    "discussion_comment",
    "fork",
    "gollum",
    "image_version",
    "issue_comment",
    "issues",
    "label",
    "merge_group",
    "milestone",
    "page_build",
    "public",
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
    "pull_request_target",
    "push",
    "registry_package",
    "release",
    "repository_dispatch",
    "schedule",
    "status",
    "watch",
    "workflow_dispatch",
    "workflow_run",
];

/// Events whose `GITHUB_REF` is always the default branch (D-EVT: the
/// `GITHUB_REF` column reads "Default branch"; "Scheduled workflows will
/// only run on the default branch"). `pull_request_target` has its own rule.
pub const DEFAULT_BRANCH_EVENTS: &[&str] = &[
    "branch_protection_rule",
    "check_run",
    "check_suite",
    "delete",
    "discussion",
    "discussion_comment",
    "fork",
    "gollum",
    "image_version",
    "issue_comment",
    "issues",
    "label",
    "milestone",
    "page_build",
    "project",
    "project_card",
    "project_column",
    "public",
    "repository_dispatch",
    "schedule",
    "status",
    "watch",
    "workflow_run",
];

/// A full 40-hex commit SHA (what a deployment created from a commit
/// carries as its ref).
pub fn is_commit_sha(r: &str) -> bool {
    r.len() == 40 && r.chars().all(|c| c.is_ascii_hexdigit())
}

/// The commit a deployment created from a SHA points to, when the scenario
/// gives it as the event's ref.
pub fn deployment_sha(s: &Run) -> Option<String> {
    let event = s.event.name.value.as_str();
    let r = s.event.ref_.as_deref()?;
    (matches!(event, "deployment" | "deployment_status") && is_commit_sha(r)).then(|| r.to_ascii_lowercase())
}

/// Derives the run's ref facts from the scenario's event (research §2.2).
pub fn run_ref(s: &Run, sha: &str) -> RunRef {
    let e = &s.event;
    let event = e.name.value.as_str();
    let default_ref = format!("refs/heads/{}", s.default_branch);
    let base = e.base_ref.clone().unwrap_or_else(|| s.default_branch.clone());
    let pr = e.pr_number.unwrap_or(1);
    let mut notes = Vec::new();
    let pr_note = |notes: &mut Vec<String>| {
        if e.pr_number.is_none() {
            notes.push("No `event.pr_number` was given: Keyless uses pull request #1 as a placeholder.".into());
        }
    };
    let full_ref = |r: &str| full_ref(event, r);
    let git_ref = match (event, &e.ref_) {
        // A closed-and-merged pull_request runs on the base branch, `sub`
        // stays `pull_request` (D-EVT; DataDog/synthetics-ci-github-action#376).
        ("pull_request", _) if e.merged => {
            notes.push(format!("The pull request was merged: `ref` is the base branch `refs/heads/{base}` (D-EVT)."));
            format!("refs/heads/{base}")
        }
        // D-EVT `deployment`: `GITHUB_REF` is "empty if created with a
        // commit SHA" (research §6.6, Appendix A2).
        ("deployment" | "deployment_status", Some(r)) if is_commit_sha(r) => {
            notes.push(format!(
                "The deployment was created from the commit `{r}`, not a branch or tag: `ref` is empty (D-EVT)."
            ));
            String::new()
        }
        // Since 2025-12-08 pull_request_target runs on the default branch
        // whatever the pull request's base (CL-PRT); GHES adopts it in 3.20,
        // and its version is not modelled, so a given ref is kept there.
        ("pull_request_target", Some(r)) if full_ref(r) != default_ref && s.issuer.ghes_host.is_none() => {
            notes.push(format!(
                "`event.ref` was given as `{r}`, but since 2025-12-08 pull_request_target always runs on the default branch: `ref` is `{default_ref}` (CL-PRT)."
            ));
            default_ref.clone()
        }
        ("pull_request_target", Some(r)) if full_ref(r) != default_ref => {
            notes.push(format!(
                "`event.ref` `{r}` is kept: GHES before 3.20 runs pull_request_target on the pull request's base branch; 3.20 and later on the default branch (CL-PRT) — Keyless does not model the GHES version."
            ));
            full_ref(r)
        }
        // D-EVT: these events run on the PR merge branch
        // `refs/pull/PULL_REQUEST_NUMBER/merge`, never on a branch.
        ("pull_request" | "pull_request_review" | "pull_request_review_comment", Some(r))
            if !(full_ref(r).starts_with("refs/pull/") && full_ref(r).ends_with("/merge")) =>
        {
            pr_note(&mut notes);
            notes.push(format!(
                "`event.ref` was given as `{r}`, but `{event}` runs on the pull request's merge branch: `ref` is `refs/pull/{pr}/merge` (D-EVT); name the head branch in `event.head_ref`."
            ));
            format!("refs/pull/{pr}/merge")
        }
        (_, Some(r)) if DEFAULT_BRANCH_EVENTS.contains(&event) && full_ref(r) != default_ref => {
            notes.push(format!(
                "`event.ref` was given as `{r}`, but `{event}` always runs on the default branch: `ref` is `{default_ref}` (D-EVT)."
            ));
            default_ref.clone()
        }
        (_, Some(r)) => full_ref(r),
        ("pull_request" | "pull_request_review" | "pull_request_review_comment", None) => {
            pr_note(&mut notes);
            format!("refs/pull/{pr}/merge")
        }
        // Since 2025-12-08 pull_request_target runs from the default branch (CL-PRT).
        ("pull_request_target", None) => {
            notes.push(format!(
                "pull_request_target runs on the default branch since 2025-12-08: `ref` is `{default_ref}` (CL-PRT)."
            ));
            default_ref.clone()
        }
        ("merge_group", None) => {
            pr_note(&mut notes);
            format!("refs/heads/gh-readonly-queue/{base}/pr-{pr}-{sha}")
        }
        ("release", None) => {
            notes.push(
                "No `event.ref` was given for the release: Keyless uses the tag `refs/tags/v1.0.0` as a placeholder."
                    .into(),
            );
            "refs/tags/v1.0.0".into()
        }
        ("push" | "create" | "workflow_dispatch" | "deployment" | "deployment_status", None) => default_ref.clone(),
        // schedule, issue_comment, workflow_run, repository_dispatch, ...:
        // the default branch (D-EVT).
        (_, None) => default_ref.clone(),
    };
    if git_ref.is_empty() {
        notes.push("`ref` is empty: the deployment was created from a commit SHA, so `workflow_ref` ends in `@<sha>` (research §6.6).".into());
    }
    // Empty refs (deployments from a SHA) were observed as `branch` (bbeesley token).
    let ref_type = if git_ref.starts_with("refs/tags/") { "tag" } else { "branch" };
    let (pr_head, pr_base) = if is_pr_family(event) {
        let head = match &e.head_ref {
            Some(h) => h.clone(),
            None => {
                notes.push(
                    "No `event.head_ref` was given: Keyless uses `feature` as the pull request's head branch.".into(),
                );
                "feature".into()
            }
        };
        (head, base.clone())
    } else {
        (String::new(), String::new())
    };
    let (head_ref, base_ref) = if HEAD_BASE_EVENTS.contains(&event) {
        (pr_head.clone(), pr_base.clone())
    } else {
        if is_pr_family(event) {
            notes.push(
                "`head_ref` and `base_ref` are empty: GitHub sets `github.head_ref`/`github.base_ref` only for pull_request and pull_request_target (docs \"Contexts reference\"; observed empty on pull_request_review), and the claims are taken to follow them [INF]."
                    .into(),
            );
        }
        (String::new(), String::new())
    };
    // Docs "Contexts reference": `github.ref_name` of a pull request is
    // `<pr_number>/merge`.
    let ref_name = git_ref
        .strip_prefix("refs/heads/")
        .or_else(|| git_ref.strip_prefix("refs/tags/"))
        .or_else(|| git_ref.strip_prefix("refs/pull/"))
        .map(str::to_string)
        .unwrap_or_else(|| git_ref.strip_prefix("refs/").unwrap_or(&git_ref).to_string());
    RunRef { git_ref, ref_type, head_ref, base_ref, pr_head, pr_base, sha: sha.to_string(), ref_name, notes }
}

/// Warns when the workflow's `on:` would not start this run (research
/// brief rule 12; filters: D-EVT "Using filters"). The run is still
/// simulated.
pub fn check_trigger(w: &Workflow, s: &Run, r: &RunRef, diags: &mut Vec<Diagnostic>) {
    let event = s.event.name.value.as_str();
    if !KNOWN_EVENTS.contains(&event) {
        let hint = crate::spelling::nearest(event, KNOWN_EVENTS)
            .map(|k| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default();
        let why = if event == "workflow_call" {
            " (`workflow_call` only runs inside a caller's run: simulate the caller's event instead)".to_string()
        } else {
            hint
        };
        diags.push(Diagnostic::warning(
            format!(
                "`{event}` is not an event that starts a workflow run{why}; simulated with the default branch as ref"
            ),
            Some(s.event.name.span),
        ));
    }
    let Some(t) = w.triggers.iter().find(|t| t.event.value == event) else {
        let listed: Vec<&str> = w.triggers.iter().map(|t| t.event.value.as_str()).collect();
        diags.push(Diagnostic::warning(
            format!(
                "the workflow's `on:` does not include `{event}` (it has: {}); simulated anyway",
                if listed.is_empty() { "nothing".to_string() } else { listed.join(", ") }
            ),
            w.on_span.or(Some(s.event.name.span)),
        ));
        return;
    };
    // A merged pull request is a `closed` activity; without `types` only
    // `opened`, `synchronize` and `reopened` run (D-EVT `pull_request`,
    // `pull_request_target`).
    if matches!(event, "pull_request" | "pull_request_target") && s.event.merged {
        let listed = t.types.as_deref().unwrap_or_default();
        if !listed.iter().any(|ty| ty == "closed") {
            let types = if t.types.is_some() {
                format!("its `types` [{}]", listed.join(", "))
            } else {
                "the default types `opened`, `synchronize`, `reopened`".to_string()
            };
            diags.push(Diagnostic::warning(
                format!("`on.{event}` would not run for this event: a merged pull request is a `closed` activity, and the workflow runs on {types}; simulated anyway"),
                Some(t.event.span),
            ));
        }
    }
    // push filters see the pushed ref; pull_request(_target) the base branch.
    let (branch, tag) = match event {
        "push" => (
            r.git_ref.strip_prefix("refs/heads/").map(str::to_string),
            r.git_ref.strip_prefix("refs/tags/").map(str::to_string),
        ),
        "pull_request" | "pull_request_target" => (Some(r.base_ref.clone()), None),
        _ => return,
    };
    if let Some(why) = filter_rejects(t, branch.as_deref(), tag.as_deref()) {
        diags.push(Diagnostic::warning(
            format!("`on.{event}` would not run for this event: {why}; simulated anyway"),
            Some(t.event.span),
        ));
    }
    if t.has_path_filter {
        diags.push(Diagnostic::note(
            format!("`on.{event}` has path filters; Keyless does not simulate changed files and assumes they match"),
            Some(t.event.span),
        ));
    }
}

fn filter_rejects(t: &Trigger, branch: Option<&str>, tag: Option<&str>) -> Option<String> {
    let has_branch_filter = t.branches.is_some() || t.branches_ignore.is_some();
    let has_tag_filter = t.tags.is_some() || t.tags_ignore.is_some();
    match (branch, tag) {
        (Some(b), _) => {
            // Only tag filters: branch pushes do not run (D-EVT).
            if !has_branch_filter && has_tag_filter {
                return Some(format!("only tags are filtered in, and `{b}` is a branch"));
            }
            check_list(t.branches.as_deref(), t.branches_ignore.as_deref(), b, "branch")
        }
        (None, Some(tg)) => {
            if !has_tag_filter && has_branch_filter {
                return Some(format!("only branches are filtered in, and `{tg}` is a tag"));
            }
            check_list(t.tags.as_deref(), t.tags_ignore.as_deref(), tg, "tag")
        }
        (None, None) => None,
    }
}

fn check_list(include: Option<&[String]>, ignore: Option<&[String]>, name: &str, kind: &str) -> Option<String> {
    if let Some(patterns) = include {
        // Later patterns override earlier ones; `!` negates (D-EVT).
        let mut included = false;
        for p in patterns {
            match p.strip_prefix('!') {
                Some(neg) if filter_matches(neg, name) => included = false,
                None if filter_matches(p, name) => included = true,
                _ => {}
            }
        }
        if !included {
            return Some(format!("{kind} `{name}` does not match the filters [{}]", patterns.join(", ")));
        }
    }
    if let Some(patterns) = ignore
        && let Some(p) = patterns.iter().find(|p| filter_matches(p, name))
    {
        return Some(format!("{kind} `{name}` is ignored by `{p}`"));
    }
    None
}

pub use super::filter_pattern::filter_matches;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::{DocId, Span, Spanned};

    fn scenario(event: &str, r: Option<&str>) -> Run {
        let mut s = Run::new("octo-org", "octo-repo");
        s.event.name = Spanned::new(event.into(), Span::new(DocId::Scenario, 0, 0));
        s.event.ref_ = r.map(str::to_string);
        s.event.pr_number = Some(13);
        s
    }

    // Research §2.2 per-event table.
    #[test]
    fn ref_per_event() {
        let sha = "7b1f002b";
        let cases: &[(&str, Option<&str>, &str, &str)] = &[
            ("push", Some("refs/heads/dev"), "refs/heads/dev", "branch"),
            ("push", Some("refs/tags/v1"), "refs/tags/v1", "tag"),
            ("push", None, "refs/heads/main", "branch"),
            ("pull_request", None, "refs/pull/13/merge", "branch"),
            ("pull_request_review", None, "refs/pull/13/merge", "branch"),
            ("pull_request_target", None, "refs/heads/main", "branch"),
            ("workflow_dispatch", Some("refs/tags/v2"), "refs/tags/v2", "tag"),
            ("schedule", None, "refs/heads/main", "branch"),
            ("issue_comment", None, "refs/heads/main", "branch"),
            ("workflow_run", None, "refs/heads/main", "branch"),
            ("repository_dispatch", None, "refs/heads/main", "branch"),
            ("release", Some("refs/tags/v0.0.14"), "refs/tags/v0.0.14", "tag"),
            ("release", Some("v2.0"), "refs/tags/v2.0", "tag"),
            ("push", Some("dev"), "refs/heads/dev", "branch"),
            ("merge_group", None, "refs/heads/gh-readonly-queue/main/pr-13-7b1f002b", "branch"),
            ("deployment", Some(""), "", "branch"),
            ("deployment", Some("refs/heads/main"), "refs/heads/main", "branch"),
        ];
        for (event, given, want, kind) in cases {
            let r = run_ref(&scenario(event, *given), sha);
            assert_eq!((r.git_ref.as_str(), r.ref_type), (*want, *kind), "{event} {given:?}");
        }
    }

    // D-EVT; DataDog/synthetics-ci-github-action#376: merged PR → base branch.
    #[test]
    fn merged_pull_request_runs_on_base() {
        let mut s = scenario("pull_request", None);
        s.event.merged = true;
        assert_eq!(run_ref(&s, "x").git_ref, "refs/heads/main");
    }

    // D-REF: head_ref/base_ref only for PR-family events.
    #[test]
    fn head_and_base_only_for_pr_family() {
        let mut s = scenario("pull_request", None);
        s.event.head_ref = Some("two-tokens".into());
        let r = run_ref(&s, "x");
        assert_eq!((r.head_ref.as_str(), r.base_ref.as_str()), ("two-tokens", "main"));
        let r = run_ref(&scenario("push", None), "x");
        assert_eq!((r.head_ref.as_str(), r.base_ref.as_str()), ("", ""));
        let r = run_ref(&scenario("merge_group", None), "x");
        assert_eq!(r.base_ref, "");
    }

    #[test]
    fn trigger_warnings() {
        let mut d = Vec::new();
        let w = super::super::workflow::parse(
            "on:\n  push:\n    branches: [main, '!main']\njobs: {}\n",
            DocId::Workflow,
            &mut d,
        )
        .unwrap();
        let s = scenario("push", Some("refs/heads/main"));
        check_trigger(&w, &s, &run_ref(&s, "x"), &mut d);
        assert!(d.iter().any(|d| d.message.contains("would not run")), "{d:?}");
        let s = scenario("schedule", None);
        let mut d = Vec::new();
        check_trigger(&w, &s, &run_ref(&s, "x"), &mut d);
        assert!(d[0].message.contains("does not include `schedule`"));
        let w = super::super::workflow::parse("on:\n  push:\n    tags: ['v*']\njobs: {}\n", DocId::Workflow, &mut d)
            .unwrap();
        let s = scenario("push", Some("refs/heads/main"));
        let mut d = Vec::new();
        check_trigger(&w, &s, &run_ref(&s, "x"), &mut d);
        assert!(d[0].message.contains("only tags"));
        let s = scenario("pusj", None);
        let mut d = Vec::new();
        check_trigger(&w, &s, &run_ref(&s, "x"), &mut d);
        assert!(d[0].message.contains("did you mean `push`"), "{d:?}");
    }
}
