//! PyPI trusted publishing from GitHub Actions: the publishers of one
//! project and Warehouse's answer at `/_/oidc/mint-token` (Y3
//! `warehouse/oidc/views.py`, `services.py`, `models/github.py`,
//! `models/_core.py`): the issuer, the audience, the claims every GitHub
//! publisher needs, the lookup (repository, owner, owner id, the workflow
//! filename taken from `job_workflow_ref`, then the most specific
//! environment) and the checks on the publisher found. Documented in Y4
//! (adding a publisher, troubleshooting: reusable workflows "cannot
//! currently be used as the workflow in a Trusted Publisher").
//!
//! Pending publishers (Y6): a publisher added from an account for a
//! project that does not exist yet. Warehouse tries them first; the one
//! that matches creates the project, becomes a normal publisher of it, and
//! the token is minted for it. It reserves no name: if the project exists
//! by then, the exchange fails and the pending publisher is deleted.

mod evaluate;

pub use evaluate::evaluate;

use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Node};
use crate::span::{DocId, Span, Spanned};
use crate::spelling::only_known_keys;

/// The PyPI section: a project's GitHub trusted publishers.
#[derive(Clone, Debug, PartialEq)]
pub struct PypiConfig {
    /// The project's name, for messages.
    pub project: Option<Spanned<String>>,
    /// `pypi` (pypi.org) or `testpypi` (test.pypi.org): the audience the
    /// index asks for (`/_/oidc/audience`, Y5).
    pub index: Index,
    /// The project's publishers (PyPI attaches them to an existing project).
    pub publishers: Vec<Publisher>,
    /// Pending publishers, each for the project it would create (Y6).
    pub pending: Vec<PendingPublisher>,
    /// Projects already registered on the index besides `project` (by
    /// anyone): a pending publisher for one of them is invalid (Y6).
    pub existing_projects: Vec<Spanned<String>>,
    pub notes: Vec<Diagnostic>,
    pub span: Span,
}

/// A pending publisher (Y6): PyPI's form for an existing project's
/// publisher, plus the name of the project it creates on first use.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingPublisher {
    pub project: Spanned<String>,
    pub publisher: Publisher,
}

impl PypiConfig {
    /// Whether `name` is registered on the index, compared as Warehouse's
    /// `ProjectFactory` does (PEP 503 normalized names, Y6): the section's
    /// `project` when it has publishers (PyPI attaches them only to an
    /// existing project), and `existing_projects`.
    pub fn project_exists(&self, name: &str) -> bool {
        let want = normalize_name(name);
        let own = self.project.as_ref().filter(|_| !self.publishers.is_empty());
        own.into_iter().chain(&self.existing_projects).any(|p| normalize_name(&p.value) == want)
    }
}

/// PEP 503: lowercase, and every run of `-`, `_`, `.` is one `-`
/// (Warehouse's `normalize_pep426_name`).
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Warehouse's `PROJECT_NAME_RE` (Y6 `warehouse/utils/project.py`):
/// `^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`, ignoring case, ASCII.
fn valid_project_name(name: &str) -> bool {
    let ends_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    ends_ok(name.chars().next())
        && ends_ok(name.chars().last())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Index {
    Pypi,
    TestPypi,
}

impl Index {
    /// The `aud` the index requires (Warehouse's `OIDC_AUDIENCE`, Y3
    /// `dev/environment`; the action reads it from `/_/oidc/audience`, Y5).
    pub fn audience(self) -> &'static str {
        match self {
            Index::Pypi => "pypi",
            Index::TestPypi => "testpypi",
        }
    }
}

/// A GitHub trusted publisher, with the fields of PyPI's form (Y3
/// `forms/github.py`: `owner`, `repository`, `workflow_filename`,
/// `environment`).
#[derive(Clone, Debug, PartialEq)]
pub struct Publisher {
    /// As PyPI stores it: the owner's login as GitHub's API spells it.
    pub owner: Spanned<String>,
    /// PyPI stores the owner's id when the publisher is added; `None` = not
    /// given (assumed to be the token's, and the trace says so).
    pub owner_id: Option<Spanned<String>>,
    pub repository: Spanned<String>,
    pub workflow_filename: Spanned<String>,
    /// Stored lowercased (Y3 `normalized_environment`); empty = any.
    pub environment: Option<Spanned<String>>,
    pub span: Span,
}

const SECTION_KEYS: &[&str] = &["project", "index", "publishers", "pending_publishers", "existing_projects"];
const PUBLISHER_KEYS: &[&str] = &["owner", "owner_id", "repository", "workflow_filename", "environment"];
const PENDING_KEYS: &[&str] = &["project", "owner", "owner_id", "repository", "workflow_filename", "environment"];

impl PypiConfig {
    /// Reads the PyPI section: `{project, index, publishers: [...],
    /// pending_publishers: [...], existing_projects: [...]}`, a list of
    /// publishers, or one publisher.
    pub fn from_node(node: &Node) -> Result<PypiConfig> {
        let mut config = PypiConfig {
            project: None,
            index: Index::Pypi,
            publishers: Vec::new(),
            pending: Vec::new(),
            existing_projects: Vec::new(),
            notes: Vec::new(),
            span: node.span,
        };
        let (wrapper, items) = node.section_items(
            "publishers",
            &["project", "pending_publishers", "existing_projects"],
            "the PyPI section",
            "a mapping or a list of publishers",
        )?;
        if let Some(w) = wrapper {
            only_known_keys(w, SECTION_KEYS, "the PyPI section")?;
            config.project =
                w.get("project").filter(|n| !n.is_null()).map(|n| n.expect_scalar("`project`")).transpose()?;
            if let Some(i) = w.get("index").filter(|n| !n.is_null()) {
                let i = i.expect_scalar("`index`")?;
                config.index = match i.value.as_str() {
                    "pypi" => Index::Pypi,
                    "testpypi" => Index::TestPypi,
                    _ => return Err(Diagnostic::at("`index` must be pypi or testpypi", i.span)),
                };
            }
            if let Some(list) = w.get("pending_publishers").filter(|n| !n.is_null()) {
                for item in list.expect_seq("`pending_publishers`")? {
                    config.pending.push(pending_publisher(item)?);
                }
            }
            if let Some(list) = w.get("existing_projects").filter(|n| !n.is_null()) {
                config.existing_projects = list.string_or_list("a project name")?;
            }
        }
        for item in items {
            config.publishers.push(publisher(item)?);
        }
        if config.publishers.is_empty() && config.pending.is_empty() {
            return Err(Diagnostic::at("the PyPI section has no trusted publisher", node.span));
        }
        Ok(config)
    }

    /// Parses the text of the PyPI editor / file (JSON or YAML).
    pub fn from_text(text: &str) -> Result<PypiConfig> {
        Self::from_node(&doc::parse(text, DocId::Pypi)?)
    }
}

/// A pending publisher: the project name PyPI's pending form asks for (Y6
/// `forms/_core.py` `PendingPublisherMixin`), then a publisher's fields.
fn pending_publisher(node: &Node) -> Result<PendingPublisher> {
    node.expect_map("a pending publisher")?;
    only_known_keys(node, PENDING_KEYS, "a pending publisher")?;
    let project = match node.get("project").filter(|n| !n.is_null()) {
        Some(n) => n.expect_scalar("`project`")?,
        None => return Err(Diagnostic::refused("missing `project`: Specify project name", node.span)),
    };
    if !valid_project_name(&project.value) {
        return Err(Diagnostic::refused("Invalid project name", project.span));
    }
    Ok(PendingPublisher { project, publisher: publisher_fields(node)? })
}

/// One publisher, with the checks of PyPI's form (Y3 `forms/github.py`)
/// that decide what can be stored.
fn publisher(node: &Node) -> Result<Publisher> {
    node.expect_map("a trusted publisher")?;
    only_known_keys(node, PUBLISHER_KEYS, "a trusted publisher")?;
    publisher_fields(node)
}

fn publisher_fields(node: &Node) -> Result<Publisher> {
    let required = |key: &str, what: &str| -> Result<Spanned<String>> {
        match node.get(key).filter(|n| !n.is_null()) {
            Some(n) => n.expect_scalar(&format!("`{key}`")).and_then(|s| {
                if s.value.trim().is_empty() { Err(Diagnostic::at(format!("Specify {what}"), s.span)) } else { Ok(s) }
            }),
            None => Err(Diagnostic::at(format!("missing `{key}`: Specify {what}"), node.span)),
        }
    };
    let owner = required("owner", "GitHub repository owner (username or organization)")?;
    let repository = required("repository", "repository name")?;
    let workflow_filename = required("workflow_filename", "workflow filename")?;
    // The form's patterns: `^[a-zA-Z0-9][a-zA-Z0-9-]*$` and `^[a-zA-Z0-9-_.]+$`.
    let mut owner_chars = owner.value.chars();
    if !(owner_chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && owner_chars.all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        return Err(Diagnostic::at("Invalid GitHub user or organization name.", owner.span));
    }
    if !repository.value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        return Err(Diagnostic::at("Invalid repository name", repository.span));
    }
    // PyPI's form: "Workflow name must end with .yml or .yaml" and "Workflow
    // filename must be a filename only, without directories".
    if !(workflow_filename.value.ends_with(".yml") || workflow_filename.value.ends_with(".yaml")) {
        return Err(Diagnostic::at("Workflow name must end with .yml or .yaml", workflow_filename.span));
    }
    if workflow_filename.value.contains('/') {
        return Err(Diagnostic::at(
            "Workflow filename must be a filename only, without directories",
            workflow_filename.span,
        ));
    }
    let environment = node
        .get("environment")
        .filter(|n| !n.is_null())
        .map(|n| n.expect_scalar("`environment`"))
        .transpose()?
        .filter(|e| !e.value.is_empty());
    if let Some(e) = &environment {
        let refused = if e.value.chars().count() > 255 {
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
        if let Some(message) = refused {
            return Err(Diagnostic::at(message, e.span));
        }
    }
    let owner_id = node.get("owner_id").filter(|n| !n.is_null()).map(|n| n.expect_scalar("`owner_id`")).transpose()?;
    Ok(Publisher { owner, owner_id, repository, workflow_filename, environment, span: node.span })
}

impl crate::cloud_module::TrustConfig for PypiConfig {
    fn notes(&self) -> &[Diagnostic] {
        &self.notes
    }
}

/// PyPI's parser and evaluator, for [`crate::clouds::Clouds`].
pub static MODULE: crate::cloud_module::CloudModule<PypiConfig> =
    crate::cloud_module::CloudModule { from_node: PypiConfig::from_node, from_text: PypiConfig::from_text, evaluate };

#[cfg(test)]
mod tests;
