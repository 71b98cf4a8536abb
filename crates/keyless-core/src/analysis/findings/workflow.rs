//! Workflow rules about the OIDC token permission. Sources: GitHub workflow
//! syntax `permissions` (job-level replaces workflow-level; `write-all`
//! includes `id-token`), github-oidc-tokens.md §5 (pull_request_target gets
//! a token for fork PRs), Checkov CKV2_GHA_1.
//!
//! Reads only `on`, `permissions` and `jobs.*.{permissions,steps,uses}` from
//! the document tree; the full workflow model lives in `github::`.

use super::Finding;
use crate::doc::{self, Node};
use crate::github::workflow::{IdToken, Workflow};
use crate::github::{login, permissions};
use crate::span::{DocId, Span};

/// Actions that request the job's OIDC token (their docs require
/// `id-token: write`).
pub const TOKEN_ACTIONS: &[&str] = &[
    "aws-actions/configure-aws-credentials",
    "azure/login",
    "google-github-actions/auth",
    "aliyun/configure-aliyun-credentials-action",
    "hashicorp/vault-action",
    "pypa/gh-action-pypi-publish",
    "actions/attest-build-provenance",
    "actions/attest",
    "actions/deploy-pages",
    "octo-sts/action",
    "sigstore/gh-action-sigstore-python",
    "jfrog/setup-jfrog-cli",
    "codecov/codecov-action",
];

/// Markers in `run:` scripts or inputs that request a token directly.
const TOKEN_MARKERS: &[&str] = &["ACTIONS_ID_TOKEN_REQUEST", "getIDToken", "--provenance", "id-token"];

/// Whether a `permissions` value grants `id-token: write`; returns the span
/// of the granting text.
fn grants_id_token(perms: &Node) -> Option<Span> {
    match perms.as_str() {
        Some("write-all") => Some(perms.span),
        Some(_) => None,
        None => perms.get("id-token").filter(|v| v.as_str() == Some("write")).map(|v| v.span),
    }
}

/// The event names of `on:` (string, list or mapping).
pub fn triggers(root: &Node) -> Vec<String> {
    let Some(on) = root.get("on").or_else(|| root.get("true")) else { return Vec::new() };
    if let Some(s) = on.as_str() {
        return vec![s.to_string()];
    }
    if let Some(items) = on.items() {
        return items.iter().filter_map(|n| n.as_str().map(str::to_string)).collect();
    }
    on.entries().map(|e| e.iter().map(|e| e.key.value.clone()).collect()).unwrap_or_default()
}

fn uses_of(step: &Node) -> Option<&str> {
    step.get("uses").and_then(Node::as_str)
}

/// Whether a job visibly uses its OIDC token (a token action, a script
/// asking for it, or a reusable workflow or a local action, which may: a
/// composite action in the repository (`uses: ./.github/actions/deploy`)
/// runs its own steps in the job, and lint reads only the workflow).
fn job_needs_token(job: &Node) -> bool {
    if job.get("uses").is_some() {
        return true;
    }
    let Some(steps) = job.get("steps").and_then(Node::items) else { return false };
    steps.iter().any(|step| {
        if uses_of(step).is_some_and(|u| u.starts_with("./")) {
            return true;
        }
        let action = uses_of(step).map(|u| u.split('@').next().unwrap_or_default().to_ascii_lowercase());
        if action.as_deref().is_some_and(|a| TOKEN_ACTIONS.iter().any(|t| a == *t || a.starts_with(&format!("{t}/")))) {
            return true;
        }
        step.any_text(&|t| TOKEN_MARKERS.iter().any(|m| t.contains(m)))
    })
}

/// KL-GHA-004: a job whose OIDC login step (the simulator's own
/// recognition: `login::login_cloud`, which skips stored-key logins) runs
/// without `id-token: write` by the simulator's permission rules
/// (`permissions::declared`: job over workflow, default none). The step
/// fails with the action's own message. Jobs calling a reusable workflow
/// are judged with the called workflow (the simulation).
pub fn logins_without_token(workflow: &Workflow) -> Vec<Finding> {
    let mut out = Vec::new();
    for job in workflow.jobs.iter().filter(|j| j.uses.is_none()) {
        let grant = permissions::declared(workflow.permissions.as_ref(), job.permissions.as_ref());
        if grant.id_token == IdToken::Write {
            continue;
        }
        let Some((step, cloud)) = job.steps.iter().find_map(|s| login::login_cloud(s).map(|c| (s, c))) else {
            continue;
        };
        out.push(Finding::new(
            "KL-GHA-004",
            None,
            format!(
                "job `{}` logs in with `{}` but {}: GitHub gives it no OIDC token, and the step fails: \"{}\"",
                job.id.value,
                step.uses.value,
                grant.why,
                login::missing_token_error(Some(cloud))
            ),
            Some(step.uses.span),
        ));
    }
    out
}

/// Findings for one workflow text (nothing if it does not parse: the
/// simulation reports parse errors).
pub fn check_text(text: &str, doc_id: DocId) -> Vec<Finding> {
    match doc::parse(text, doc_id) {
        Ok(root) => check(&root),
        Err(_) => Vec::new(),
    }
}

/// Findings for a parsed workflow.
pub fn check(root: &Node) -> Vec<Finding> {
    let mut out = Vec::new();
    let workflow_grant = root.get("permissions").and_then(grants_id_token);
    if let Some(p) = root.get("permissions").filter(|p| p.as_str() == Some("write-all")) {
        out.push(Finding::new("KL-GHA-002", None, "workflow-level `permissions: write-all`", Some(p.span)));
    }
    let jobs = root.get("jobs").and_then(Node::entries).unwrap_or_default();
    let mut idle = Vec::new();
    let mut token_jobs = Vec::new();
    for job in jobs {
        let own = job.value.get("permissions");
        if let Some(p) = own.filter(|p| p.as_str() == Some("write-all")) {
            out.push(Finding::new(
                "KL-GHA-002",
                None,
                format!("job `{}` has `permissions: write-all`", job.key.value),
                Some(p.span),
            ));
        }
        let grant = match own {
            Some(p) => grants_id_token(p),
            None => workflow_grant,
        };
        if grant.is_some() {
            token_jobs.push(job.key.value.clone());
            if own.is_none() && !job_needs_token(&job.value) {
                idle.push(job.key.value.clone());
            }
        }
    }
    if let (Some(span), false) = (workflow_grant, idle.is_empty()) {
        out.push(Finding::new(
            "KL-GHA-001",
            None,
            format!(
                "`id-token: write` at workflow level reaches job(s) with no step that uses it: {}",
                idle.join(", ")
            ),
            Some(span),
        ));
    }
    if triggers(root).iter().any(|t| t == "pull_request_target") && !token_jobs.is_empty() {
        let span = root.entry("on").map(|e| e.key.span).unwrap_or(root.span);
        out.push(Finding::new(
            "KL-GHA-003",
            None,
            format!("triggered by `pull_request_target`, and job(s) {} can mint an OIDC token", token_jobs.join(", ")),
            Some(span),
        ));
    }
    out
}
