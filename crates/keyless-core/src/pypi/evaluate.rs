//! Warehouse's answer to a GitHub token at `/_/oidc/mint-token` (Y3), in
//! its order; each refusal is an error `code` and `description` as the
//! endpoint returns them (and pypa/gh-action-pypi-publish prints them).
//!
//! 1. The issuer selects the publisher type: only
//!    `https://token.actions.githubusercontent.com` is GitHub's
//!    (`invalid-payload`, "unknown trusted publishing issuer").
//! 2. JWT verification requires `aud` to be the index's audience alone
//!    (`strict_aud`): `invalid-token`, "malformed or invalid token".
//! 3. The claims every GitHub publisher needs (`Missing claim 'x'`).
//! 4. The lookup: the `repository` claim's owner and name, its
//!    `repository_owner_id` and the workflow filename in `job_workflow_ref`
//!    (the *called* workflow when a reusable workflow runs the job) select
//!    publishers, a SQL equality (case-sensitive); then the one whose
//!    environment is the token's (compared lowercased), else one without
//!    an environment.
//! 5. The publisher's checks, in order: `repository` (ignoring case),
//!    `repository_owner`, `repository_owner_id`, `job_workflow_ref` (must be
//!    `OWNER/REPO/.github/workflows/FILE@` the `ref` or the `sha`),
//!    `event_name` (`pull_request_target` is refused), `environment`.
//!    Every failure here is `invalid-publisher`, "valid token, but no
//!    corresponding publisher (…)".
//!
//! Before 4-5 on the project's publishers, Warehouse runs them on the
//! pending publishers (Y6 `views.py` `mint_token`): a failure there is
//! silent; the one that passes is refused with `invalid-pending-publisher`,
//! "valid token, but project already exists" when its project exists (and
//! deleted), else it creates the project, becomes a normal publisher of it,
//! and that publisher is the one 4-5 then find.

use super::{PendingPublisher, Publisher, PypiConfig};
use crate::claims::Claims;
use crate::span::Span;
use crate::verdict::{Cloud, TraceStep, Verdict};

/// GitHub's issuer as Warehouse knows it (Y3 `GITHUB_OIDC_ISSUER_URL`).
const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// Claims a GitHub publisher requires (Y3 `__required_verifiable_claims__`
/// and `__required_unverifiable_claims__`).
const REQUIRED: &[&str] =
    &["repository", "repository_owner", "repository_owner_id", "job_workflow_ref", "jti", "event_name", "ref", "sha"];

struct Refusal {
    code: &'static str,
    message: String,
    decided_by: String,
    span: Option<Span>,
}

/// The publisher that admits a run, and the pending publisher it was
/// converted from, if any.
struct Admitted<'c> {
    publisher: &'c Publisher,
    created: Option<&'c PendingPublisher>,
}

/// The verdict PyPI would give a token with these claims.
pub fn evaluate(config: &PypiConfig, claims: &Claims) -> Verdict {
    let mut trace: Vec<TraceStep> = config.notes.iter().map(|n| TraceStep::info(n.message.clone(), n.span)).collect();
    match judge(config, claims, &mut trace) {
        Ok(Admitted { publisher: p, created }) => Verdict {
            cloud: Cloud::Pypi,
            allowed: true,
            audience: claims.aud(),
            code: "allowed".into(),
            message: match created {
                Some(pending) => {
                    format!("PyPI creates the project `{}` and mints an upload token for it", pending.project.value)
                }
                None => format!(
                    "PyPI mints an upload token for {}",
                    config.project.as_ref().map_or_else(|| "the project".to_string(), |n| format!("`{}`", n.value))
                ),
            },
            decided_by: format!("publisher {}/{} {}", p.owner.value, p.repository.value, p.workflow_filename.value),
            decided_span: Some(p.span),
            trace,
        },
        Err(r) => Verdict {
            cloud: Cloud::Pypi,
            allowed: false,
            audience: claims.aud(),
            code: r.code.into(),
            message: r.message,
            decided_by: r.decided_by,
            decided_span: r.span,
            trace,
        },
    }
}

fn invalid_publisher(why: &str, decided_by: &str, span: Option<Span>) -> Refusal {
    Refusal {
        code: "invalid-publisher",
        message: format!("valid token, but no corresponding publisher ({why})"),
        decided_by: decided_by.into(),
        span,
    }
}

fn judge<'c>(config: &'c PypiConfig, claims: &Claims, trace: &mut Vec<TraceStep>) -> Result<Admitted<'c>, Refusal> {
    let iss = claims.iss();
    if iss != GITHUB_ISSUER {
        trace.push(TraceStep::fail(
            format!("`iss` `{iss}` is not a trusted publishing issuer PyPI knows; GitHub's is `{GITHUB_ISSUER}` (Y3)"),
            None,
        ));
        return Err(Refusal {
            code: "invalid-payload",
            message: "unknown trusted publishing issuer".into(),
            decided_by: "iss".into(),
            span: None,
        });
    }
    trace.push(TraceStep::pass(format!("`iss` is GitHub's, `{GITHUB_ISSUER}` (Y3)"), None));

    let aud = claims.aud();
    let want = config.index.audience();
    if aud != want {
        trace.push(TraceStep::fail(
            format!(
                "`aud` is `{aud}`; the index accepts only `{want}` (strict audience, Y3); pypa/gh-action-pypi-publish asks for it (Y5)"
            ),
            None,
        ));
        return Err(Refusal {
            code: "invalid-token",
            message: "malformed or invalid token".into(),
            decided_by: "aud".into(),
            span: None,
        });
    }
    trace.push(TraceStep::pass(format!("`aud` is the index's `{want}` (Y3)"), None));

    if let Some(missing) = REQUIRED.iter().find(|c| claims.get(c).is_none()) {
        let why = format!("Missing claim '{missing}'");
        trace.push(TraceStep::fail(format!("{why} (Y3)"), None));
        return Err(invalid_publisher(&why, missing, None));
    }

    // Pending publishers first (Y6 `mint_token`).
    if !config.pending.is_empty() {
        let pending: Vec<&Publisher> = config.pending.iter().map(|p| &p.publisher).collect();
        let mut tried = Vec::new();
        match find_publisher(&pending, claims, &mut tried) {
            Err(r) => trace.push(TraceStep::info(
                format!(
                    "no pending publisher matches this run ({}): PyPI goes on to the project's publishers (Y6)",
                    r.message
                ),
                None,
            )),
            Ok(i) => {
                if let Some(p) = config.pending.get(i) {
                    trace.append(&mut tried);
                    return convert(config, p, trace);
                }
            }
        }
    }
    let publishers: Vec<&Publisher> = config.publishers.iter().collect();
    let i = find_publisher(&publishers, claims, trace)?;
    config
        .publishers
        .get(i)
        .map(|publisher| Admitted { publisher, created: None })
        .ok_or_else(|| invalid_publisher("Publisher with matching claims was not found", "publisher lookup", None))
}

/// A pending publisher that matched: the project it names is created and
/// it becomes that project's publisher, unless the project exists (Y6).
fn convert<'c>(
    config: &PypiConfig,
    p: &'c PendingPublisher,
    trace: &mut Vec<TraceStep>,
) -> Result<Admitted<'c>, Refusal> {
    let name = &p.project;
    if config.project_exists(&name.value) {
        trace.push(TraceStep::fail(
            format!(
                "the pending publisher is for `{}`, which already exists on the index: a pending publisher does not reserve the name until it is used, so one registered first invalidates it; PyPI deletes the pending publisher (Y6)",
                name.value
            ),
            Some(name.span),
        ));
        return Err(Refusal {
            code: "invalid-pending-publisher",
            message: "valid token, but project already exists".into(),
            decided_by: format!("pending publisher for `{}`", name.value),
            span: Some(name.span),
        });
    }
    trace.push(TraceStep::pass(
        format!(
            "`{}` does not exist yet: PyPI creates it (owned by the account that added the pending publisher) and converts the pending publisher into a normal publisher of it, which mints the token; later runs use it as any publisher (Y6)",
            name.value
        ),
        Some(name.span),
    ));
    trace.push(TraceStep::info(
        format!(
            "the upload's metadata must name `{}`: a distribution for another name is refused (\"Non-user identities cannot create new projects\", Y6)",
            name.value
        ),
        Some(name.span),
    ));
    Ok(Admitted { publisher: &p.publisher, created: Some(p) })
}

/// Steps 4-5 over `publishers`: the index of the one that admits the run.
fn find_publisher(publishers: &[&Publisher], claims: &Claims, trace: &mut Vec<TraceStep>) -> Result<usize, Refusal> {
    // 4. The lookup (Y3 `lookup_by_claims`).
    let repository = claims.text("repository").unwrap_or_default();
    let (owner, name) = repository.split_once('/').unwrap_or((&repository, ""));
    let owner_id = claims.text("repository_owner_id").unwrap_or_default();
    let job_workflow_ref = claims.text("job_workflow_ref").unwrap_or_default();
    let Some(filename) = crate::claims::workflow_filename(&job_workflow_ref) else {
        let why = "Could not job extract workflow filename from OIDC claims";
        trace.push(TraceStep::fail(format!("`job_workflow_ref` `{job_workflow_ref}`: {why} (Y3)"), None));
        return Err(invalid_publisher(why, "job_workflow_ref", None));
    };
    trace.push(TraceStep::info(
        format!(
            "the workflow filename PyPI looks up is `{filename}`, from `job_workflow_ref` `{job_workflow_ref}` (the workflow that runs the job: a called reusable workflow, not its caller, Y3, Y4)"
        ),
        None,
    ));
    let mut candidates = Vec::new();
    for (i, &p) in publishers.iter().enumerate() {
        let id_ok = p.owner_id.as_ref().is_none_or(|id| id.value == owner_id);
        if p.owner.value == owner && p.repository.value == name && id_ok && p.workflow_filename.value == filename {
            candidates.push((i, p));
        } else {
            trace.push(TraceStep::info(
                format!(
                    "publisher {}/{} `{}` is not looked up: {} (compared exactly, Y3)",
                    p.owner.value,
                    p.repository.value,
                    p.workflow_filename.value,
                    lookup_miss(p, owner, name, &owner_id, filename)
                ),
                Some(p.span),
            ));
        }
    }
    let environment = claims.text("environment").filter(|e| !e.is_empty());
    let env_of = |p: &Publisher| p.environment.as_ref().map(|e| e.value.to_lowercase()).unwrap_or_default();
    let specific =
        environment.as_ref().and_then(|e| candidates.iter().copied().find(|(_, p)| env_of(p) == e.to_lowercase()));
    let Some((index, publisher)) = specific.or_else(|| candidates.iter().copied().find(|(_, p)| env_of(p).is_empty()))
    else {
        let why = "Publisher with matching claims was not found";
        let detail = match (&environment, candidates.first()) {
            (_, None) => "no publisher has this repository, owner and workflow filename".to_string(),
            (Some(e), Some(_)) => {
                format!("the job's environment is `{e}`, and no matching publisher has it or has no environment")
            }
            (None, Some(_)) => "the job has no environment, and every matching publisher requires one".to_string(),
        };
        let span = candidates.first().map(|(_, p)| p.span);
        trace.push(TraceStep::fail(format!("{detail}: {why} (Y3)"), span));
        return Err(invalid_publisher(why, "publisher lookup", span));
    };
    trace.push(TraceStep::pass(
        format!(
            "publisher {}/{} `{}`{} is looked up (Y3)",
            publisher.owner.value,
            publisher.repository.value,
            publisher.workflow_filename.value,
            publisher.environment.as_ref().map(|e| format!(" (environment `{}`)", e.value)).unwrap_or_default()
        ),
        Some(publisher.span),
    ));
    if publisher.owner_id.is_none() {
        trace.push(TraceStep::info(
            format!(
                "the publisher's owner id is not given: PyPI stored the id of `{}` when it was added; assumed to be the token's `{owner_id}`",
                publisher.owner.value
            ),
            Some(publisher.owner.span),
        ));
    }

    // 5. The publisher's checks (Y3 `verify_claims`).
    if !repository.eq_ignore_ascii_case(&format!("{}/{}", publisher.owner.value, publisher.repository.value)) {
        let why = "Check failed for required claim 'repository'";
        trace.push(TraceStep::fail(format!("{why} (Y3)"), Some(publisher.repository.span)));
        return Err(invalid_publisher(why, "repository", Some(publisher.repository.span)));
    }
    let ground_truth = format!(
        "{}/{}/.github/workflows/{}",
        publisher.owner.value, publisher.repository.value, publisher.workflow_filename.value
    );
    let expected: Vec<String> = {
        let mut e: Vec<String> = [claims.text("ref"), claims.text("sha")]
            .into_iter()
            .flatten()
            .filter(|r| !r.is_empty())
            .map(|r| format!("{ground_truth}@{r}"))
            .collect();
        e.sort();
        e.dedup();
        e
    };
    if !expected.contains(&job_workflow_ref) {
        let list: Vec<String> = expected.iter().map(|e| format!("'{e}'")).collect();
        let why = format!(
            "The job_workflow_ref claim does not match, expecting one of [{}], got '{job_workflow_ref}'",
            list.join(", ")
        );
        let mut text = format!("{why} (Y3)");
        if !job_workflow_ref.starts_with(&format!("{repository}/")) {
            text.push_str(
                "; the job runs a reusable workflow of another repository, which PyPI cannot trust as a publisher (Y4)",
            );
        }
        trace.push(TraceStep::fail(text, Some(publisher.workflow_filename.span)));
        return Err(invalid_publisher(&why, "job_workflow_ref", Some(publisher.workflow_filename.span)));
    }
    trace.push(TraceStep::pass(
        format!("`job_workflow_ref` `{job_workflow_ref}` is the publisher's workflow at the job's ref (Y3)"),
        Some(publisher.workflow_filename.span),
    ));
    if claims.text("event_name").as_deref() == Some("pull_request_target") {
        let why = "Publishing from a workflow invoked via 'pull_request_target' is not supported.";
        trace.push(TraceStep::fail(format!("{why} (Y3)"), None));
        return Err(invalid_publisher(why, "event_name", None));
    }
    match (&publisher.environment, &environment) {
        (Some(want), got) if got.as_ref().is_none_or(|g| g.to_lowercase() != want.value.to_lowercase()) => {
            let why = "Check failed for optional claim 'environment'";
            trace.push(TraceStep::fail(format!("{why} (Y3)"), Some(want.span)));
            return Err(invalid_publisher(why, "environment", Some(want.span)));
        }
        (Some(want), _) => trace.push(TraceStep::pass(
            format!("the job's environment is the publisher's `{}` (ignoring case, Y3)", want.value),
            Some(want.span),
        )),
        (None, _) => trace.push(TraceStep::info(
            "the publisher names no environment: a job in any environment, or none, may publish (Y4 recommends one)",
            Some(publisher.span),
        )),
    }
    Ok(index)
}

/// Why a publisher is not among the lookup's results.
fn lookup_miss(p: &Publisher, owner: &str, name: &str, owner_id: &str, filename: &str) -> String {
    let mut why = Vec::new();
    if p.owner.value != owner {
        why.push(format!("owner `{}` ≠ `{owner}`", p.owner.value));
    }
    if p.repository.value != name {
        why.push(format!("repository `{}` ≠ `{name}`", p.repository.value));
    }
    if let Some(id) = p.owner_id.as_ref().filter(|id| id.value != owner_id) {
        why.push(format!("owner id `{}` ≠ `{owner_id}`", id.value));
    }
    if p.workflow_filename.value != filename {
        why.push(format!("workflow `{}` ≠ `{filename}`", p.workflow_filename.value));
    }
    why.join(", ")
}
