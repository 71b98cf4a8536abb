//! The run: what the GitHub side needs to simulate one workflow run —
//! repository, workflow texts, event, inputs and variables, subject
//! template, issuer, environments' rules, simulation options. No trust
//! configuration: the scenario ([`crate::scenario::Scenario`]) is this run
//! plus the relying parties' configurations, and `github::simulate` sees
//! only the run (tests/architecture.rs checks this).

use super::environment::EnvironmentRules;
use crate::span::{DocId, Span, Spanned};
use serde::Serialize;
use std::collections::BTreeMap;

/// A text embedded in (or beside) the scenario, and where it came from so
/// that errors inside it can be reported against the scenario file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbeddedText {
    pub text: String,
    /// The span of the string node in the scenario file, when embedded.
    pub origin: Option<Span>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Public,
    #[default]
    Private,
    Internal,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Private => "private",
            Visibility::Internal => "internal",
        }
    }
}

/// The triggering event of the simulated run.
#[derive(Clone, Debug, PartialEq)]
pub struct EventSpec {
    pub name: Spanned<String>,
    /// The run's ref (`GITHUB_REF`); when absent, derived from the event.
    pub ref_: Option<String>,
    pub base_ref: Option<String>,
    pub head_ref: Option<String>,
    pub pr_number: Option<u64>,
    pub from_fork: bool,
    /// A `pull_request` that was closed by merging: `ref` becomes the base
    /// branch, `sub` stays `pull_request` (research §6.5).
    pub merged: bool,
    pub actor: String,
    pub actor_id: Option<String>,
    pub sha: Option<String>,
}

impl EventSpec {
    /// This run replayed as `event` on `git_ref`, no pull request (the
    /// what-if matrix and `keyless check` replay runs this way; the actor
    /// and sha stay).
    pub fn replay_on_ref(&mut self, event: &str, git_ref: &str) {
        self.name.value = event.to_string();
        self.ref_ = Some(git_ref.to_string());
        self.base_ref = None;
        self.head_ref = None;
        self.pr_number = None;
        self.from_fork = false;
        self.merged = false;
    }

    /// This run replayed as an open pull request (`event` is
    /// `pull_request` or `pull_request_target`) from `head` into `base`.
    pub fn replay_as_pull_request(&mut self, event: &str, base: &str, head: &str, fork: bool) {
        self.name.value = event.to_string();
        self.ref_ = None;
        self.base_ref = Some(base.to_string());
        self.head_ref = Some(head.to_string());
        self.pr_number = Some(4242);
        self.from_fork = fork;
        self.merged = false;
    }
}

/// `sub` customization (repo or org template) and the immutable prefix.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubjectSettings {
    /// `use_default: true` ignores `include_claim_keys` (REST docs).
    pub use_default: bool,
    pub include_claim_keys: Vec<Spanned<String>>,
    /// `repo:owner@ID/name@ID` prefix (2026 immutable subjects).
    pub immutable: bool,
}

/// Which issuer mints the token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IssuerSettings {
    /// GHEC unique issuer: `https://token.actions.githubusercontent.com/<slug>`.
    pub enterprise_slug: Option<String>,
    /// GHES: `https://HOST/_services/token`.
    pub ghes_host: Option<String>,
    /// GHE.com data residency: `https://token.actions.<sub>.ghe.com`.
    pub ghe_subdomain: Option<String>,
}

/// The `sub` of `pull_request_target`: GitHub's docs are silent and
/// observations conflict (research github-oidc-tokens.md §2.2), so the user
/// picks, and the choice is shown next to the result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PullRequestTargetSubject {
    /// `…:ref:refs/heads/<default branch>`: observed in 2026 (DataDog
    /// team-freeze-guard policy), consistent with the 2025-12-08 change that
    /// runs pull_request_target from the default branch.
    #[default]
    Ref,
    /// `…:pull_request`: observed in 2024 (chainguard-dev/ghaudit policy).
    PullRequest,
}

/// Knobs of the simulation that are not GitHub settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulationOptions {
    pub pull_request_target_subject: PullRequestTargetSubject,
    /// Repository setting "Send write tokens to workflows from pull requests"
    /// (private repos): fork PRs then keep `id-token: write`.
    pub fork_pr_write_tokens: bool,
    /// `iat` of the simulated token (seconds since the epoch).
    pub issued_at: i64,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        SimulationOptions {
            pull_request_target_subject: PullRequestTargetSubject::default(),
            fork_pr_write_tokens: false,
            // 2026-11-24T00:00:00Z: a fixed clock keeps output reproducible.
            issued_at: 1_795_478_400,
        }
    }
}

/// One simulated workflow run, as the scenario describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub owner: String,
    pub name: String,
    pub repository_span: Option<Span>,
    pub repository_id: Option<String>,
    pub repository_owner_id: Option<String>,
    pub visibility: Visibility,
    pub default_branch: String,
    pub workflow_path: String,
    pub workflow: EmbeddedText,
    /// `owner/repo/.github/workflows/x.yml` (no `@ref`) → YAML text.
    pub reusable_workflows: Vec<(String, EmbeddedText)>,
    pub event: EventSpec,
    pub inputs: BTreeMap<String, serde_json::Value>,
    /// Where each of `inputs` is written in the scenario, for locating
    /// the errors GitHub gives for it (none for built scenarios).
    pub input_spans: BTreeMap<String, Span>,
    pub vars: BTreeMap<String, serde_json::Value>,
    pub subject: SubjectSettings,
    pub issuer: IssuerSettings,
    /// Enterprise slug and id claims (GHEC / GHES).
    pub enterprise: Option<String>,
    pub enterprise_id: Option<String>,
    pub runner_environment: String,
    /// `repo_property_<name>` claims.
    pub repo_properties: BTreeMap<String, String>,
    pub ref_protected: bool,
    /// Environments' deployment protection rules (`environments:`); an
    /// environment not listed has unknown rules.
    pub environments: Vec<EnvironmentRules>,
    /// Branch protection rule name patterns (`protected_branches:`), when
    /// the scenario states them.
    pub protected_branches: Option<Spanned<Vec<Spanned<String>>>>,
    pub options: SimulationOptions,
}

impl Run {
    /// A run of an empty workflow on `push`, for builders.
    pub fn new(owner: &str, name: &str) -> Run {
        Run {
            owner: owner.into(),
            name: name.into(),
            repository_span: None,
            repository_id: None,
            repository_owner_id: None,
            visibility: Visibility::default(),
            default_branch: "main".into(),
            workflow_path: ".github/workflows/deploy.yml".into(),
            workflow: EmbeddedText::default(),
            reusable_workflows: Vec::new(),
            event: EventSpec {
                name: Spanned::new("push".into(), Span::new(DocId::Scenario, 0, 0)),
                ref_: None,
                base_ref: None,
                head_ref: None,
                pr_number: None,
                from_fork: false,
                merged: false,
                actor: "octocat".into(),
                actor_id: None,
                sha: None,
            },
            inputs: BTreeMap::new(),
            input_spans: BTreeMap::new(),
            vars: BTreeMap::new(),
            subject: SubjectSettings::default(),
            issuer: IssuerSettings::default(),
            enterprise: None,
            enterprise_id: None,
            runner_environment: "github-hosted".into(),
            repo_properties: BTreeMap::new(),
            ref_protected: false,
            environments: Vec::new(),
            protected_branches: None,
            options: SimulationOptions::default(),
        }
    }

    pub fn repository(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}
