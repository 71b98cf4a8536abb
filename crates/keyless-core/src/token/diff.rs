//! Real against simulated: which simulated job the token came from, claim
//! by claim where they differ, and what would explain it. The answer to
//! "why does my real token not match what I expected?".

use crate::claims::Claims;
use crate::engine::JobReport;
use serde::Serialize;

/// Claims that differ on every run or that the scenario fills with a
/// placeholder: a difference there is expected, not a finding.
const PER_RUN: &[&str] = &[
    "jti",
    "iat",
    "nbf",
    "exp",
    "run_id",
    "run_number",
    "run_attempt",
    "check_run_id",
    "sha",
    "workflow_sha",
    "job_workflow_sha",
    "repository_id",
    "repository_owner_id",
    "actor_id",
    "actor",
    "environment_node_id",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    Same,
    Differs,
    /// Only in the real token.
    OnlyReal,
    /// Only in the simulated one.
    OnlySimulated,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClaimDiff {
    pub claim: String,
    pub kind: DiffKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulated: Option<String>,
    /// Differs on every run (ids, times) or is a placeholder in the
    /// simulation: expected to differ.
    pub per_run: bool,
}

/// The simulated job a real token is compared with, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobChoice {
    pub job: String,
    /// `guessed from …` or `chosen`.
    pub reason: String,
}

/// Picks the simulated job whose token is closest to `real`: same `sub`,
/// then `job_workflow_ref` (the called workflow for reusable ones),
/// `environment`, `workflow_ref` (research github-oidc-tokens.md §1.4).
/// Jobs GitHub gives no token are not candidates.
pub fn guess_job(real: &Claims, jobs: &[JobReport]) -> Option<JobChoice> {
    let path = |v: Option<String>| v.map(|s| s.split('@').next().unwrap_or_default().to_string());
    let mut best: Option<(i32, &JobReport, Vec<&'static str>)> = None;
    for j in jobs.iter().filter(|j| j.token.issued) {
        let sim = &j.token.claims;
        let mut score = 0;
        let mut why = Vec::new();
        let mut hit = |ok: bool, pts: i32, name: &'static str| {
            if ok {
                score += pts;
                why.push(name);
            }
        };
        hit(real.text("sub").is_some() && real.text("sub") == sim.text("sub"), 8, "sub");
        let (rj, sj) = (real.text("job_workflow_ref"), sim.text("job_workflow_ref"));
        hit(rj.is_some() && rj == sj, 4, "job_workflow_ref");
        hit(rj.is_some() && rj != sj && path(rj.clone()) == path(sj), 2, "job_workflow_ref's file");
        hit(real.text("environment") == sim.text("environment"), 2, "environment");
        let (rw, sw) = (real.text("workflow_ref"), sim.text("workflow_ref"));
        hit(rw.is_some() && path(rw) == path(sw), 1, "workflow_ref's file");
        if best.as_ref().is_none_or(|(b, _, _)| score > *b) {
            best = Some((score, j, why));
        }
    }
    best.map(|(_, j, why)| JobChoice {
        job: j.job.clone(),
        reason: if why.is_empty() {
            "no claim matches any job; the first job with a token is shown".into()
        } else {
            format!("guessed from {}", why.join(", "))
        },
    })
}

/// Claim by claim, in the simulated token's order, then the real token's
/// extra claims. `audiences` are the audiences the simulated job's login
/// steps ask for: a real `aud` equal to one of them is the same.
pub fn diff(real: &Claims, simulated: &Claims, audiences: &[String]) -> Vec<ClaimDiff> {
    let mut out = Vec::new();
    let mut row = |name: &str| {
        let (r, s) = (real.text(name), simulated.text(name));
        let kind = match (&r, &s) {
            (Some(a), Some(b)) if a == b => DiffKind::Same,
            (Some(a), Some(_)) if name == "aud" && audiences.contains(a) => DiffKind::Same,
            (Some(_), Some(_)) => DiffKind::Differs,
            (Some(_), None) => DiffKind::OnlyReal,
            (None, _) => DiffKind::OnlySimulated,
        };
        out.push(ClaimDiff { claim: name.to_string(), kind, real: r, simulated: s, per_run: PER_RUN.contains(&name) });
    };
    for (name, _) in simulated.iter() {
        row(name);
    }
    for (name, _) in real.iter() {
        if simulated.get(name).is_none() {
            row(name);
        }
    }
    out
}

/// What would explain the differences that matter (not per-run ones).
pub fn explain(real: &Claims, simulated: &Claims, rows: &[ClaimDiff]) -> Vec<String> {
    let differs = |c: &str| rows.iter().any(|r| r.claim == c && r.kind != DiffKind::Same && !r.per_run);
    // Both have the claim, with other values (a claim only the simulation
    // has is not evidence: a claims dump prints a few).
    let changed = |c: &str| rows.iter().any(|r| r.claim == c && r.kind == DiffKind::Differs && !r.per_run);
    let mut out = Vec::new();
    let (rs, ss) = (real.sub(), simulated.sub());
    if differs("environment") {
        match (real.text("environment"), simulated.text("environment")) {
            (Some(r), None) => out.push(format!(
                "the real job ran in environment `{r}`, which the simulated job lacks: add `environment: {r}` to the job, or pick the job that has it (an environment puts `environment:{r}` in sub instead of the ref, D-REF)"
            )),
            (None, Some(s)) => out.push(format!(
                "the simulated job runs in environment `{s}`; the job that minted the real token referenced none"
            )),
            (Some(r), Some(s)) => out.push(format!("a different environment: `{r}` really, `{s}` simulated")),
            (None, None) => {}
        }
    }
    if rs != ss && !rs.is_empty() {
        if crate::claims::name_only_subject(&rs).is_some() && crate::claims::name_only_subject(&ss).is_none() {
            out.push(
                "the real sub is the immutable form (`repo:owner@ID/name@ID:…`, CL-IMM): set the scenario's `subject: { immutable: true }`"
                    .into(),
            );
        } else if crate::claims::name_only_subject(&rs).is_none() && crate::claims::name_only_subject(&ss).is_some() {
            out.push(
                "the simulated sub is the immutable form but the real one is not: set `subject: { immutable: false }`"
                    .into(),
            );
        }
        if !is_default_shape(&rs) {
            out.push(format!(
                "the real sub `{rs}` is not a default form (`repo:…:ref:…`, `repo:…:environment:…`, `repo:…:pull_request`): the repository or organization uses a customized sub template; set it in the scenario's `subject: {{ include_claim_keys: [...] }}` (D-REF \"Customizing the subject claims\")"
            ));
        } else if !is_default_shape(&ss) {
            out.push("the simulated sub uses a customized template the real token does not: set `subject: { use_default: true }`".into());
        }
    }
    if changed("event_name") {
        out.push(format!(
            "a different event: the real run was triggered by `{}`, the simulation by `{}` (set `event: {{ name: … }}`)",
            real.text("event_name").unwrap_or_default(),
            simulated.text("event_name").unwrap_or_default()
        ));
    }
    if changed("ref") {
        out.push(format!(
            "a different ref: `{}` really, `{}` simulated (set `event: {{ ref: … }}`)",
            real.text("ref").unwrap_or_default(),
            simulated.text("ref").unwrap_or_default()
        ));
    }
    if changed("iss") {
        let ri = real.iss();
        let why = if ri.contains("/_services/token") {
            "a GitHub Enterprise Server issuer (set `issuer: { ghes_host: … }`)"
        } else if ri.contains(".ghe.com") {
            "a GHE.com data-residency issuer (set `issuer: { ghe_subdomain: … }`)"
        } else if ri.starts_with("https://token.actions.githubusercontent.com/") {
            "an enterprise's unique issuer, `…/<enterprise slug>` (set `issuer: { enterprise_slug: … }`)"
        } else {
            "an issuer that is not GitHub's: this token was not minted by GitHub Actions"
        };
        out.push(format!("a different issuer `{ri}`: {why}"));
    }
    if changed("aud") {
        out.push(format!(
            "the real token asked for audience `{}`; the simulated job's login steps ask for `{}`",
            real.aud(),
            simulated.aud()
        ));
    }
    if changed("repository") || changed("repository_owner") {
        out.push("a different repository: the token is from another repository than the scenario's".into());
    }
    if changed("job_workflow_ref") && !changed("workflow_ref") {
        out.push("the same caller but another job workflow: the job ran in a reusable workflow (or another ref of it) the scenario does not call".into());
    } else if changed("workflow_ref") {
        out.push(
            "another workflow file or ref: set the scenario's `workflow_path` and event ref to the real run's".into(),
        );
    }
    for c in ["repository_visibility", "runner_environment", "ref_protected", "ref_type", "enterprise"] {
        if differs(c) {
            out.push(format!(
                "`{c}` is `{}` really, `{}` simulated",
                real.text(c).unwrap_or_else(|| "absent".into()),
                simulated.text(c).unwrap_or_else(|| "absent".into())
            ));
        }
    }
    out
}

/// `repo:<owner/name>:ref:X`, `…:environment:X` or `…:pull_request`,
/// with no `:` in X (git refs cannot hold one; GitHub escapes it as `%3A`
/// in environment names, D-REF): a longer subject is a custom template.
fn is_default_shape(sub: &str) -> bool {
    let Some(rest) = sub.strip_prefix("repo:") else { return false };
    let Some((_, context)) = rest.split_once(':') else { return false };
    let value = context.strip_prefix("ref:").or_else(|| context.strip_prefix("environment:"));
    context == "pull_request" || value.is_some_and(|v| !v.contains(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(pairs: &[(&str, &str)]) -> Claims {
        let mut c = Claims::new();
        for (k, v) in pairs {
            c.set(k, *v);
        }
        c
    }

    #[test]
    fn explains_environment_template_immutable_and_issuer() {
        let sim = claims(&[
            ("sub", "repo:o/r:ref:refs/heads/main"),
            ("iss", "https://token.actions.githubusercontent.com"),
            ("jti", "1"),
        ]);
        let real = claims(&[
            ("sub", "repo:o/r:environment:prod"),
            ("environment", "prod"),
            ("iss", "https://token.actions.githubusercontent.com/acme"),
            ("jti", "2"),
        ]);
        let rows = diff(&real, &sim, &[]);
        assert!(rows.iter().any(|r| r.claim == "jti" && r.per_run && r.kind == DiffKind::Differs));
        assert!(rows.iter().any(|r| r.claim == "environment" && r.kind == DiffKind::OnlyReal));
        let why = explain(&real, &sim, &rows).join("\n");
        assert!(why.contains("environment `prod`, which the simulated job lacks"), "{why}");
        assert!(why.contains("enterprise's unique issuer"), "{why}");
        let custom = claims(&[(
            "sub",
            "repo:o/r:environment:prod:job_workflow_ref:o/r/.github/workflows/d.yml@refs/heads/main",
        )]);
        let why = explain(&custom, &sim, &diff(&custom, &sim, &[])).join("\n");
        assert!(why.contains("customized sub template"), "{why}");
        let imm = claims(&[("sub", "repo:o@1/r@2:ref:refs/heads/main")]);
        assert!(explain(&imm, &sim, &diff(&imm, &sim, &[])).join("\n").contains("immutable"));
    }

    #[test]
    fn aud_of_a_login_step_is_the_same() {
        let sim = claims(&[("aud", "https://github.com/o")]);
        let real = claims(&[("aud", "sts.amazonaws.com")]);
        assert_eq!(diff(&real, &sim, &["sts.amazonaws.com".into()]).first().map(|r| r.kind), Some(DiffKind::Same));
        assert_eq!(diff(&real, &sim, &[]).first().map(|r| r.kind), Some(DiffKind::Differs));
    }
}
