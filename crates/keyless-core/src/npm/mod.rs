//! npm trusted publishing from GitHub Actions: a package's trusted
//! publisher and what npm's documentation says it accepts (N1). npm's
//! exchange is not published as code, so only documented rules decide:
//! organization or user, repository, workflow filename and optional
//! environment, "All fields are case-sensitive and must be exact"; the
//! workflow checked is the *calling* workflow (`workflow_ref`: "validation
//! checks the calling workflow's name instead of the workflow that
//! actually contains the publish command"); GitHub-hosted runners only.
//! The npm CLI asks GitHub for its own token with audience
//! `npm:<registry host>` (N2 `lib/utils/oidc.js`), and on a refused
//! exchange falls back to token authentication without failing (N2), so
//! the publish then fails on authentication; N1's troubleshooting calls
//! this "Unable to authenticate", the verdict's code.

use crate::claims::Claims;
use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Node};
use crate::span::{DocId, Span, Spanned};
use crate::spelling::only_known_keys;
use crate::verdict::{Cloud, TraceStep, Verdict};

/// The issuer of GitHub-hosted runs on github.com.
const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The verdict code: the troubleshooting text of N1.
const REFUSED: &str = "Unable to authenticate";

/// The section: a package's one trusted publisher (N1: "Each package can
/// only have one trusted publisher configured at a time").
#[derive(Clone, Debug, PartialEq)]
pub struct NpmConfig {
    pub package: Option<Spanned<String>>,
    /// `npm:<registry host>` (N2).
    pub audience: String,
    pub owner: Spanned<String>,
    pub repository: Spanned<String>,
    pub workflow_filename: Spanned<String>,
    pub environment: Option<Spanned<String>>,
    pub notes: Vec<Diagnostic>,
    pub span: Span,
}

const KEYS: &[&str] = &["package", "registry", "owner", "repository", "workflow_filename", "environment"];

impl NpmConfig {
    /// Reads `{package, registry, owner, repository, workflow_filename,
    /// environment}` (the fields of npm's form, N1).
    pub fn from_node(node: &Node) -> Result<NpmConfig> {
        node.expect_map("the npm section")?;
        only_known_keys(node, KEYS, "the npm section")?;
        let optional = |k: &str| -> Result<Option<Spanned<String>>> {
            node.get(k).filter(|n| !n.is_null()).map(|n| n.expect_scalar(&format!("`{k}`"))).transpose()
        };
        let required = |k: &str, what: &str| -> Result<Spanned<String>> {
            optional(k)?
                .filter(|s| !s.value.is_empty())
                .ok_or_else(|| Diagnostic::at(format!("missing `{k}`: {what} is required (npm docs)"), node.span))
        };
        let owner = required("owner", "the organization or user")?;
        let repository = required("repository", "the repository")?;
        let workflow_filename = required("workflow_filename", "the workflow filename")?;
        // N1: "Enter only the filename, not the full path"; "Must include the
        // `.yml` or `.yaml` extension". npm does not check this on save, so
        // such a publisher is saved and never matches: an error here.
        if workflow_filename.value.contains('/') {
            return Err(Diagnostic::at(
                "the workflow filename must be the filename only, not the full path (npm docs): this publisher never matches",
                workflow_filename.span,
            ));
        }
        if !workflow_filename.value.ends_with(".yml") && !workflow_filename.value.ends_with(".yaml") {
            return Err(Diagnostic::at(
                "the workflow filename must include the `.yml` or `.yaml` extension (npm docs): this publisher never matches",
                workflow_filename.span,
            ));
        }
        let registry = optional("registry")?.map_or_else(|| "registry.npmjs.org".to_string(), |r| r.value);
        Ok(NpmConfig {
            package: optional("package")?,
            audience: format!("npm:{registry}"),
            owner,
            repository,
            workflow_filename,
            environment: optional("environment")?.filter(|e| !e.value.is_empty()),
            notes: Vec::new(),
            span: node.span,
        })
    }

    /// Parses the text of the npm editor / file (JSON or YAML).
    pub fn from_text(text: &str) -> Result<NpmConfig> {
        Self::from_node(&doc::parse(text, DocId::Npm)?)
    }
}

/// The verdict npm would give a token with these claims.
pub fn evaluate(config: &NpmConfig, claims: &Claims) -> Verdict {
    let mut trace = Vec::new();
    let aud = claims.aud();
    let audience = if aud.starts_with("npm:") { aud.clone() } else { config.audience.clone() };
    let deny = |mut trace: Vec<TraceStep>, why: String, decided_by: &str, span: Option<Span>| {
        trace.push(TraceStep::fail(format!("{why} (N1)"), span));
        Verdict {
            cloud: Cloud::Npm,
            allowed: false,
            audience: audience.clone(),
            code: REFUSED.into(),
            message: format!(
                "npm's OIDC exchange refuses this token: {why}. The npm CLI then falls back to token authentication, so `npm publish` fails to authenticate (N2)"
            ),
            decided_by: decided_by.into(),
            decided_span: span,
            trace,
        }
    };
    if aud.starts_with("npm:") {
        if aud != config.audience {
            return deny(trace, format!("`aud` is `{aud}`, the registry's is `{}`", config.audience), "aud", None);
        }
    } else {
        trace.push(TraceStep::info(
            format!(
                "the npm CLI requests its own token with audience `{}` when it publishes (N2); the job's `{aud}` is not the one npm sees",
                config.audience
            ),
            None,
        ));
    }
    let iss = claims.iss();
    if iss != GITHUB_ISSUER {
        let why = format!(
            "the issuer `{iss}` is not github.com's: trusted publishing supports GitHub-hosted runners on github.com"
        );
        return deny(trace, why, "iss", None);
    }
    if claims.text("runner_environment").is_some_and(|r| r != "github-hosted") {
        let why = "the job runs on a self-hosted runner, which trusted publishing does not support".to_string();
        return deny(trace, why, "runner_environment", None);
    }
    let repository = claims.text("repository").unwrap_or_default();
    let (owner, name) = repository.split_once('/').unwrap_or((&repository, ""));
    if owner != config.owner.value {
        let why =
            format!("the organization or user is `{owner}`, not `{}` (exact, case-sensitive)", config.owner.value);
        return deny(trace, why, "owner", Some(config.owner.span));
    }
    if name != config.repository.value {
        let why = format!("the repository is `{name}`, not `{}` (exact, case-sensitive)", config.repository.value);
        return deny(trace, why, "repository", Some(config.repository.span));
    }
    trace.push(TraceStep::pass(format!("the repository is `{repository}` (N1)"), Some(config.repository.span)));
    let workflow_ref = claims.text("workflow_ref").unwrap_or_default();
    let filename = crate::claims::workflow_filename(&workflow_ref).unwrap_or_default();
    if filename != config.workflow_filename.value {
        let why = format!(
            "the calling workflow is `{filename}` (from `workflow_ref` `{workflow_ref}`), not `{}` (exact, case-sensitive)",
            config.workflow_filename.value
        );
        return deny(trace, why, "workflow_filename", Some(config.workflow_filename.span));
    }
    trace.push(TraceStep::pass(
        format!("the calling workflow is `{filename}` (`workflow_ref`, N1)"),
        Some(config.workflow_filename.span),
    ));
    let env = claims.text("environment").filter(|e| !e.is_empty());
    match (&config.environment, &env) {
        (Some(want), got) if got.as_deref() != Some(want.value.as_str()) => {
            let why = format!(
                "the job's environment is {}, not `{}` (exact, case-sensitive)",
                got.as_ref().map_or_else(|| "none".to_string(), |g| format!("`{g}`")),
                want.value
            );
            return deny(trace, why, "environment", Some(want.span));
        }
        (Some(want), _) => {
            trace.push(TraceStep::pass(format!("the job's environment is `{}` (N1)", want.value), Some(want.span)))
        }
        (None, _) => trace.push(TraceStep::info(
            "the publisher names no environment: any job of that workflow may publish (N1 suggests environments for approvals)",
            Some(config.span),
        )),
    }
    Verdict {
        cloud: Cloud::Npm,
        allowed: true,
        audience,
        code: "allowed".into(),
        message: format!(
            "npm issues a publish token for {}",
            config.package.as_ref().map_or_else(|| "the package".to_string(), |p| format!("`{}`", p.value))
        ),
        decided_by: "trusted publisher".into(),
        decided_span: Some(config.span),
        trace,
    }
}

impl crate::cloud_module::TrustConfig for NpmConfig {
    fn notes(&self) -> &[Diagnostic] {
        &self.notes
    }
}

/// npm's parser and evaluator, for [`crate::clouds::Clouds`].
pub static MODULE: crate::cloud_module::CloudModule<NpmConfig> =
    crate::cloud_module::CloudModule { from_node: NpmConfig::from_node, from_text: NpmConfig::from_text, evaluate };

#[cfg(test)]
mod tests;
