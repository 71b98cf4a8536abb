//! The `sub` claim: default form, customization templates and the 2026
//! immutable prefix. Research github-oidc-tokens.md §2.1 (D-REF), §3.2
//! (D-REF examples), §3.4 (CL-IMM).

use super::run::{PullRequestTargetSubject, Run};
use crate::claims::Claims;

/// Escapes a value placed in `sub`: only `:` becomes `%3A` (D-REF,
/// fpt/ghec and GHES > 3.18; research §3.3).
pub fn escape(value: &str) -> String {
    value.replace(':', "%3A")
}

/// The default context (the part after the repository) and why it has
/// that form. Precedence environment > pull request events > ref (D-REF
/// "Example subject claims").
pub fn default_context(s: &Run, environment: Option<&str>, git_ref: &str) -> (String, String) {
    let event = s.event.name.value.as_str();
    if let Some(env) = environment {
        let why = if event == "pull_request" || event == "pull_request_target" {
            format!(
                "The job targets environment `{env}`, which takes precedence over the pull request context (D-REF; pypi/warehouse#10645)."
            )
        } else {
            format!("The job targets environment `{env}`, which takes precedence over the ref (D-REF).")
        };
        return (format!("environment:{}", escape(env)), why);
    }
    match event {
        "pull_request" => ("pull_request".into(), "pull_request events use the `pull_request` context, whatever the ref (D-REF).".into()),
        "pull_request_review" | "pull_request_review_comment" => (
            "pull_request".into(),
            format!(
                "`{event}` is treated as a pull request event, so `sub` uses `pull_request`; GitHub's docs do not name this event, this is an inference [INF] (research §2.2)."
            ),
        ),
        "pull_request_target" => match s.options.pull_request_target_subject {
            PullRequestTargetSubject::Ref => (
                format!("ref:{}", escape(git_ref)),
                "CONTESTED: the `sub` of pull_request_target is undocumented and observations conflict; option `pull_request_target_subject: ref` (the default) gives `ref:<default branch>`, as a 2026 DataDog policy observed (research §2.2). Set it to `pull_request` for the 2024 chainguard observation.".into(),
            ),
            PullRequestTargetSubject::PullRequest => (
                "pull_request".into(),
                "CONTESTED: the `sub` of pull_request_target is undocumented and observations conflict; option `pull_request_target_subject: pull_request` gives `pull_request`, as a 2024 chainguard-dev/ghaudit policy observed (research §2.2). Set it to `ref` for the 2026 DataDog observation.".into(),
            ),
        },
        _ if git_ref.is_empty() => (
            "ref:".into(),
            "The ref is empty (deployment from a SHA) and no environment is set: the `sub` form is undocumented; Keyless assumes `ref:` with an empty value [INF] (research §7).".into(),
        ),
        _ => (
            format!("ref:{}", escape(git_ref)),
            format!("No environment and not a pull request event: `sub` uses the ref `{git_ref}` (D-REF)."),
        ),
    }
}

/// The `repo:` segment: `repo:owner/name`, or with immutable subjects
/// `repo:owner@OWNER_ID/name@REPO_ID` (CL-IMM, D-REF "Immutable subject
/// claims"). `None` when immutable but an id is missing.
pub fn repo_segment(s: &Run, immutable: bool) -> Option<String> {
    if immutable {
        let oid = s.repository_owner_id.as_deref()?;
        let rid = s.repository_id.as_deref()?;
        Some(format!("repo:{}@{oid}/{}@{rid}", s.owner, s.name))
    } else {
        Some(format!("repo:{}/{}", s.owner, s.name))
    }
}

/// Claim keys reported unusable in templates (OBS: DC32 "GitHub OIDC
/// Utils" README, research §3.2).
pub const TEMPLATE_UNUSABLE_KEYS: &[&str] = &["aud", "sha", "enterprise", "enterprise_id", "ref_protected"];

/// Checks a template's keys: REST schema "Each claim key can only contain
/// alphanumeric characters and underscores" (error), and keys reported
/// unusable (warning). Research §3.1/§3.2.
pub fn check_template_keys(keys: &[crate::span::Spanned<String>], diags: &mut Vec<crate::diagnostic::Diagnostic>) {
    use crate::diagnostic::Diagnostic;
    for (i, k) in keys.iter().enumerate() {
        // "Array of unique strings" (REST schema `oidc-custom-sub-repo`).
        if keys.iter().take(i).any(|earlier| earlier.value == k.value) {
            diags.push(Diagnostic::error(
                format!("claim key `{}` is listed more than once: GitHub accepts only unique keys", k.value),
                Some(k.span),
            ));
            continue;
        }
        if k.value.is_empty() || !k.value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            diags.push(Diagnostic::error(
                format!(
                    "claim key `{}` is invalid: GitHub accepts only alphanumeric characters and underscores",
                    k.value
                ),
                Some(k.span),
            ));
        } else if TEMPLATE_UNUSABLE_KEYS.contains(&k.value.as_str()) {
            diags.push(Diagnostic::warning(
                format!("claim key `{}` is reported not to work in subject templates (OBS: DC32 GitHub OIDC Utils; using `aud` breaks runs)", k.value),
                Some(k.span),
            ));
        }
    }
}

/// Builds a customized `sub` from `include_claim_keys`, in their order
/// (D-REF §3.2). `Err` is GitHub's refusal: a template with `environment`
/// on a job without one ("an environment is required and must be provided").
pub fn custom_subject(
    keys: &[String],
    repo: &str,
    context: &str,
    claims: &Claims,
) -> Result<(String, Vec<String>), String> {
    let mut parts = Vec::new();
    let mut notes = Vec::new();
    for key in keys {
        match key.as_str() {
            "repo" => parts.push(repo.to_string()),
            "context" => parts.push(context.to_string()),
            other => match claims.text(other) {
                Some(v) => parts.push(format!("{other}:{}", escape(&v))),
                None if other == "environment" => {
                    return Err(
                        "The subject template includes `environment`, so GitHub requires an environment, and this job has none: no token is issued (D-REF: \"an environment is required and must be provided\").".into(),
                    );
                }
                None => {
                    notes.push(format!(
                        "The template key `{other}` has no claim in this token; Keyless writes it with an empty value [INF: behaviour undocumented]."
                    ));
                    parts.push(format!("{other}:"));
                }
            },
        }
    }
    Ok((parts.join(":"), notes))
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

    fn keys(k: &[&str]) -> Vec<String> {
        k.iter().map(|s| s.to_string()).collect()
    }

    // Every documented example of D-REF "Customizing the subject claims"
    // (research §3.2), verbatim.
    #[test]
    fn documented_template_examples() {
        let c = claims(&[
            ("repository_owner", "monalisa"),
            ("repository_visibility", "private"),
            ("job_workflow_ref", "octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main"),
            ("repository_id", "123456"),
            ("repository_owner_id", "65"),
            ("repo_property_workspace_id", "ws-abc123"),
        ]);
        let repo = "repo:octo-org/octo-repo";
        let ctx = "environment:prod";
        let cases: &[(&[&str], &str)] = &[
            (&["repository_owner", "repository_visibility"], "repository_owner:monalisa:repository_visibility:private"),
            (&["repository_owner"], "repository_owner:monalisa"),
            (
                &["job_workflow_ref"],
                "job_workflow_ref:octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main",
            ),
            (
                &["repo", "context", "job_workflow_ref"],
                "repo:octo-org/octo-repo:environment:prod:job_workflow_ref:octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main",
            ),
            (&["repository_id"], "repository_id:123456"),
            (&["repository_owner_id"], "repository_owner_id:65"),
            (&["repo_property_workspace_id"], "repo_property_workspace_id:ws-abc123"),
            (&["repo", "context"], "repo:octo-org/octo-repo:environment:prod"),
        ];
        for (k, want) in cases {
            assert_eq!(custom_subject(&keys(k), repo, ctx, &c).unwrap().0, *want, "{k:?}");
        }
        // `environment` value `production:eastus` is escaped (D-REF).
        let c = claims(&[("environment", "production:eastus"), ("repository_owner", "octo-org")]);
        assert_eq!(
            custom_subject(&keys(&["environment", "repository_owner"]), repo, ctx, &c).unwrap().0,
            "environment:production%3Aeastus:repository_owner:octo-org"
        );
    }

    // D-REF: a template with `environment` requires one.
    #[test]
    fn environment_template_without_environment_is_refused() {
        let c = claims(&[("repository_owner", "o")]);
        let err = custom_subject(&keys(&["repo", "environment"]), "repo:o/r", "ref:refs/heads/main", &c).unwrap_err();
        assert!(err.contains("an environment is required"));
    }

    // D-REF "Immutable subject claims": repo:OWNER@ID/REPO@ID.
    #[test]
    fn immutable_repo_segment() {
        let mut s = Run::new("octo-org", "octo-repo");
        assert_eq!(repo_segment(&s, true), None);
        s.repository_owner_id = Some("123456".into());
        s.repository_id = Some("456789".into());
        assert_eq!(repo_segment(&s, true).unwrap(), "repo:octo-org@123456/octo-repo@456789");
        assert_eq!(repo_segment(&s, false).unwrap(), "repo:octo-org/octo-repo");
    }

    // D-REF: `repo:octo-org/octo-repo:environment:Production%3AV1`.
    #[test]
    fn default_context_escapes_colon() {
        let s = Run::new("octo-org", "octo-repo");
        assert_eq!(default_context(&s, Some("Production:V1"), "refs/heads/main").0, "environment:Production%3AV1");
        assert_eq!(default_context(&s, None, "refs/heads/a:b").0, "ref:refs/heads/a%3Ab");
    }
}
