//! crates.io trusted publishing from GitHub Actions: a crate's GitHub
//! configurations and crates.io's answer at
//! `POST /api/v1/trusted_publishing/tokens` (C1 `exchange/mod.rs`,
//! `crates_io_trustpub` claims and workflows; C2 the docs). Unlike PyPI,
//! crates.io reads the workflow filename from `workflow_ref`: the
//! *top-level* workflow, so a job run by a reusable workflow matches the
//! caller's configuration. Every refusal is an HTTP 400 whose `detail` is
//! crates.io's text.

use crate::claims::Claims;
use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Node};
use crate::span::{DocId, Span, Spanned};
use crate::spelling::only_known_keys;
use crate::verdict::{Cloud, TraceStep, Verdict};

/// GitHub's issuer, the only one the exchange accepts (C1 `GITHUB_ISSUER_URL`).
const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The section: a crate's trusted publishing configurations.
#[derive(Clone, Debug, PartialEq)]
pub struct CratesIoConfig {
    pub krate: Option<Spanned<String>>,
    /// The registry's host, the audience crates-io-auth-action requests
    /// (C3 `getAudienceFromUrl`): `crates.io` unless a `url` is given.
    pub audience: String,
    pub configs: Vec<GithubConfig>,
    pub notes: Vec<Diagnostic>,
    pub span: Span,
}

/// One GitHub configuration, with the fields of crates.io's API.
#[derive(Clone, Debug, PartialEq)]
pub struct GithubConfig {
    pub repository_owner: Spanned<String>,
    /// Stored from GitHub's API when the configuration is created; `None` =
    /// not given (assumed to be the token's, and the trace says so).
    pub repository_owner_id: Option<Spanned<String>>,
    pub repository_name: Spanned<String>,
    pub workflow_filename: Spanned<String>,
    pub environment: Option<Spanned<String>>,
    pub span: Span,
}

const SECTION_KEYS: &[&str] = &["crate", "registry", "configs"];
const CONFIG_KEYS: &[&str] =
    &["repository_owner", "repository_owner_id", "repository_name", "workflow_filename", "environment"];

impl CratesIoConfig {
    /// Reads `{crate, registry, configs: [...]}`, a list of configurations,
    /// or one.
    pub fn from_node(node: &Node) -> Result<CratesIoConfig> {
        let mut out = CratesIoConfig {
            krate: None,
            audience: "crates.io".into(),
            configs: Vec::new(),
            notes: Vec::new(),
            span: node.span,
        };
        let (wrapper, items) = node.section_items(
            "configs",
            &["crate"],
            "the crates.io section",
            "a mapping or a list of configurations",
        )?;
        if let Some(w) = wrapper {
            only_known_keys(w, SECTION_KEYS, "the crates.io section")?;
            out.krate = w.get("crate").filter(|n| !n.is_null()).map(|n| n.expect_scalar("`crate`")).transpose()?;
            if let Some(r) = w.get("registry").filter(|n| !n.is_null()) {
                out.audience = r.expect_scalar("`registry` (the registry's host)")?.value;
            }
        }
        for item in items {
            out.configs.push(config(item)?);
        }
        if out.configs.is_empty() {
            return Err(Diagnostic::at("the crates.io section has no trusted publishing configuration", node.span));
        }
        Ok(out)
    }

    /// Parses the text of the crates.io editor / file (JSON or YAML).
    pub fn from_text(text: &str) -> Result<CratesIoConfig> {
        Self::from_node(&doc::parse(text, DocId::CratesIo)?)
    }
}

/// One configuration, with crates.io's creation rules (C1
/// `crates_io_trustpub::github::validation`) as located errors.
fn config(node: &Node) -> Result<GithubConfig> {
    node.expect_map("a trusted publishing configuration")?;
    only_known_keys(node, CONFIG_KEYS, "a trusted publishing configuration")?;
    let text = |key: &str, empty: &str| -> Result<Spanned<String>> {
        match node.get(key).filter(|n| !n.is_null()) {
            Some(n) => {
                let s = n.expect_scalar(&format!("`{key}`"))?;
                if s.value.is_empty() { Err(Diagnostic::at(empty, s.span)) } else { Ok(s) }
            }
            None => Err(Diagnostic::at(format!("missing `{key}`: {empty}"), node.span)),
        }
    };
    let too_long = |s: &Spanned<String>, what: &str| -> Result<()> {
        if s.value.len() > 255 {
            Err(Diagnostic::at(format!("{what} is too long (maximum is 255 characters)"), s.span))
        } else {
            Ok(())
        }
    };
    let owner = text("repository_owner", "GitHub repository owner name may not be empty")?;
    too_long(&owner, "GitHub repository owner name")?;
    let mut chars = owner.value.chars();
    if !(chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        return Err(Diagnostic::at("Invalid GitHub repository owner name", owner.span));
    }
    let name = text("repository_name", "GitHub repository name may not be empty")?;
    too_long(&name, "GitHub repository name")?;
    if !name.value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        return Err(Diagnostic::at("Invalid GitHub repository name", name.span));
    }
    let workflow = text("workflow_filename", "Workflow filename may not be empty")?;
    too_long(&workflow, "Workflow filename")?;
    if !workflow.value.ends_with(".yml") && !workflow.value.ends_with(".yaml") {
        return Err(Diagnostic::at("Workflow filename must end with `.yml` or `.yaml`", workflow.span));
    }
    if workflow.value.contains('/') {
        return Err(Diagnostic::at("Workflow filename must be a filename only, without directories", workflow.span));
    }
    let environment = match node.get("environment").filter(|n| !n.is_null()) {
        None => None,
        Some(n) => {
            let e = n.expect_scalar("`environment`")?;
            let refused = if e.value.is_empty() {
                Some("Environment name may not be empty (use `null` to omit)")
            } else if e.value.len() > 255 {
                Some("Environment name is too long (maximum is 255 characters)")
            } else if e.value.starts_with(' ') {
                Some("Environment name may not start with whitespace")
            } else if e.value.ends_with(' ') {
                Some("Environment name may not end with whitespace")
            } else if e
                .value
                .chars()
                .any(|c| c <= '\u{1f}' || c == '\u{7f}' || matches!(c, '\'' | '"' | '`' | ',' | ';' | '\\'))
            {
                Some(
                    "Environment name must not contain non-printable characters or the characters \"'\", \"\"\", \"`\", \",\", \";\", \"\\\"",
                )
            } else {
                None
            };
            if let Some(m) = refused {
                return Err(Diagnostic::at(m, e.span));
            }
            Some(e)
        }
    };
    let owner_id = node
        .get("repository_owner_id")
        .filter(|n| !n.is_null())
        .map(|n| n.expect_scalar("`repository_owner_id`"))
        .transpose()?;
    Ok(GithubConfig {
        repository_owner: owner,
        repository_owner_id: owner_id,
        repository_name: name,
        workflow_filename: workflow,
        environment,
        span: node.span,
    })
}

/// The claims the exchange decodes; a missing one fails decoding (C1
/// `GitHubClaims`: `aud`, `iat`, `exp`, `jti`, `repository_owner_id`,
/// `repository`, `workflow_ref`, `event_name`, `run_id`, `sha`).
const REQUIRED: &[&str] =
    &["aud", "iat", "exp", "jti", "repository_owner_id", "repository", "workflow_ref", "event_name", "run_id", "sha"];

/// The verdict crates.io would give a token with these claims.
pub fn evaluate(config: &CratesIoConfig, claims: &Claims) -> Verdict {
    let mut trace = Vec::new();
    let deny = |trace: Vec<TraceStep>, message: &str, decided_by: &str, span: Option<Span>| Verdict {
        cloud: Cloud::CratesIo,
        allowed: false,
        audience: claims.aud(),
        code: "400".into(),
        message: message.to_string(),
        decided_by: decided_by.into(),
        decided_span: span,
        trace,
    };
    let iss = claims.iss();
    if iss != GITHUB_ISSUER {
        let m = format!("Unsupported JWT issuer: {iss}");
        trace.push(TraceStep::fail(format!("{m} (C1)"), None));
        return deny(trace, &m, "iss", None);
    }
    let aud = claims.aud();
    if aud != config.audience {
        trace.push(TraceStep::fail(
            format!("`aud` is `{aud}`, the registry expects `{}`: Failed to decode JWT (C1)", config.audience),
            None,
        ));
        return deny(trace, "Failed to decode JWT", "aud", None);
    }
    if let Some(missing) = REQUIRED.iter().find(|c| claims.get(c).is_none()) {
        trace.push(TraceStep::fail(format!("the token has no `{missing}`: Failed to decode JWT (C1)"), None));
        return deny(trace, "Failed to decode JWT", missing, None);
    }
    trace.push(TraceStep::pass(format!("`iss` is GitHub's and `aud` is `{aud}` (C1)"), None));
    let repository = claims.text("repository").unwrap_or_default();
    let Some((owner, name)) = repository.split_once('/') else {
        return deny(trace, "Unexpected `repository` value", "repository", None);
    };
    let workflow_ref = claims.text("workflow_ref").unwrap_or_default();
    let Some(filename) = crate::claims::workflow_filename(&workflow_ref) else {
        trace.push(TraceStep::fail(
            format!("`workflow_ref` `{workflow_ref}`: Unexpected `workflow_ref` value (C1)"),
            None,
        ));
        return deny(trace, "Unexpected `workflow_ref` value", "workflow_ref", None);
    };
    let owner_id = claims.text("repository_owner_id").unwrap_or_default();
    if owner_id.parse::<i32>().is_err() {
        return deny(trace, "Unexpected `repository_owner_id` value", "repository_owner_id", None);
    }
    trace.push(TraceStep::info(
        format!(
            "the workflow filename crates.io looks up is `{filename}`, from `workflow_ref` `{workflow_ref}` (the run's top-level workflow: a reusable workflow's caller, C1, C2)"
        ),
        None,
    ));
    let env = claims.text("environment").filter(|e| !e.is_empty());
    let mut found = None;
    for c in &config.configs {
        let mut why = Vec::new();
        if let Some(id) = c.repository_owner_id.as_ref().filter(|id| id.value != owner_id) {
            why.push(format!("owner id `{}` ≠ `{owner_id}`", id.value));
        }
        if c.repository_owner.value.to_lowercase() != owner.to_lowercase() {
            why.push(format!("owner `{}` ≠ `{owner}` (ignoring case)", c.repository_owner.value));
        }
        if c.repository_name.value.to_lowercase() != name.to_lowercase() {
            why.push(format!("repository `{}` ≠ `{name}` (ignoring case)", c.repository_name.value));
        }
        if c.workflow_filename.value != filename {
            why.push(format!("workflow `{}` ≠ `{filename}` (exact)", c.workflow_filename.value));
        }
        match (&c.environment, &env) {
            (Some(want), Some(got)) if want.value.to_lowercase() != got.to_lowercase() => {
                why.push(format!("environment `{}` ≠ the job's `{got}` (ignoring case)", want.value));
            }
            (Some(want), None) => why.push(format!("environment `{}`, and the job has none", want.value)),
            _ => {}
        }
        if why.is_empty() {
            trace.push(TraceStep::pass(
                format!(
                    "configuration {}/{} `{}`{} matches (C1)",
                    c.repository_owner.value,
                    c.repository_name.value,
                    c.workflow_filename.value,
                    c.environment.as_ref().map(|e| format!(" (environment `{}`)", e.value)).unwrap_or_default()
                ),
                Some(c.span),
            ));
            if c.repository_owner_id.is_none() {
                trace.push(TraceStep::info(
                    format!("the configuration's owner id is not given: crates.io stored it when the configuration was created; assumed to be the token's `{owner_id}`"),
                    Some(c.repository_owner.span),
                ));
            }
            found.get_or_insert(c);
        } else {
            trace.push(TraceStep::info(
                format!(
                    "configuration {}/{} `{}` does not match: {} (C1)",
                    c.repository_owner.value,
                    c.repository_name.value,
                    c.workflow_filename.value,
                    why.join(", ")
                ),
                Some(c.span),
            ));
        }
    }
    let Some(c) = found else {
        let m = "No matching Trusted Publishing config found";
        trace.push(TraceStep::fail(format!("{m} (C1)"), None));
        return deny(trace, m, "configuration lookup", config.configs.first().map(|c| c.span));
    };
    Verdict {
        cloud: Cloud::CratesIo,
        allowed: true,
        audience: aud,
        code: "allowed".into(),
        message: format!(
            "crates.io issues a 30-minute publish token for {}",
            config.krate.as_ref().map_or_else(|| "the crate".to_string(), |k| format!("`{}`", k.value))
        ),
        decided_by: format!(
            "configuration {}/{} {}",
            c.repository_owner.value, c.repository_name.value, c.workflow_filename.value
        ),
        decided_span: Some(c.span),
        trace,
    }
}

impl crate::cloud_module::TrustConfig for CratesIoConfig {
    fn notes(&self) -> &[Diagnostic] {
        &self.notes
    }
}

/// crates.io's parser and evaluator, for [`crate::clouds::Clouds`].
pub static MODULE: crate::cloud_module::CloudModule<CratesIoConfig> = crate::cloud_module::CloudModule {
    from_node: CratesIoConfig::from_node,
    from_text: CratesIoConfig::from_text,
    evaluate,
};

#[cfg(test)]
mod tests;
