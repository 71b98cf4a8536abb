//! The scenario: one input format for the engine, the CLI, the playground and
//! permalinks. Field names are a contract (issue #2); unknown fields are
//! errors, so a typo never silently changes a verdict.

use crate::claims::Claims;
use crate::cloud_module::TrustConfig as _;
use crate::clouds::Clouds;
use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Node};
pub use crate::github::run::{
    EmbeddedText, EventSpec, IssuerSettings, PullRequestTargetSubject, Run, SimulationOptions, SubjectSettings,
    Visibility,
};
use crate::span::{DocId, Span, Spanned};
use crate::spelling::check_keys;
use crate::verdict::{Cloud, Verdict};

pub mod reference;
pub use reference::LoadedFile;

macro_rules! scenario_struct {
    ($($(#[$attr:meta])* $Variant:ident $key:ident $title:literal $Config:ident;)*) => {
        /// Everything needed to simulate one run and judge it: the run (what the
        /// GitHub side sees) and the trust configuration of each relying party
        /// (one field per party, [`crate::parties`]).
        ///
        /// It dereferences to its [`Run`], so `scenario.event` reads the run's
        /// event; the GitHub side takes `&Run` and cannot reach a cloud's section.
        #[derive(Clone, Debug, PartialEq)]
        pub struct Scenario {
            pub run: Run,
            $(
                #[doc = concat!("The ", $title, " trust configuration, when the scenario has one.")]
                $(#[$attr])* pub $key: Option<crate::$key::$Config>,
            )*
            /// Where each document embedded as a string sits in the scenario file
            /// (the workflows, a cloud section written as text), so errors can be
            /// reported there.
            pub embedded_origins: Vec<(DocId, Span)>,
            /// What resolving the `from:` references assumed
            /// ([`reference`]), reported with every evaluation.
            pub reference_notes: Vec<Diagnostic>,
        }

        impl Scenario {
            /// A scenario with no clouds and an empty workflow, for builders.
            pub fn new(owner: &str, name: &str) -> Scenario {
                Scenario {
                    run: Run::new(owner, name),
                    $($(#[$attr])* $key: None,)*
                    embedded_origins: Vec::new(),
                    reference_notes: Vec::new(),
                }
            }

            /// Whether the scenario has a trust configuration for `cloud`.
            pub fn configures(&self, cloud: Cloud) -> bool {
                match cloud {
                    $($(#[$attr])* Cloud::$Variant => self.$key.is_some(),)*
                }
            }

            /// Reads `cloud`'s section (a node of the scenario, or the text of
            /// its editor) with the parser in `clouds`; a cloud that is not
            /// there is left unread.
            pub fn read_trust(&mut self, cloud: Cloud, section: TrustSection<'_>, clouds: &Clouds) -> Result<()> {
                match cloud {
                    $($(#[$attr])* Cloud::$Variant => {
                        if let Some(m) = clouds.$key {
                            self.$key = Some(match section {
                                TrustSection::Node(n) => (m.from_node)(n)?,
                                TrustSection::Text(t) => (m.from_text)(t)?,
                            });
                        }
                    })*
                }
                Ok(())
            }

            /// `cloud`'s verdict on a token with these claims, when the
            /// scenario configures it and `clouds` has its evaluator.
            pub fn evaluate_trust(&self, cloud: Cloud, claims: &Claims, clouds: &Clouds) -> Option<Verdict> {
                match cloud {
                    $($(#[$attr])* Cloud::$Variant => {
                        self.$key.as_ref().zip(clouds.$key).map(|(c, m)| (m.evaluate)(c, claims))
                    })*
                }
            }

            /// The notes every configured party's parser attached, in party
            /// order.
            pub fn trust_notes(&self) -> Vec<Diagnostic> {
                let mut out = self.reference_notes.clone();
                $($(#[$attr])* if let Some(c) = &self.$key {
                    out.extend(c.notes().iter().cloned());
                })*
                out
            }
        }

        /// Top-level fields; the first eleven are the issue #2 contract.
        pub const TOP_LEVEL_KEYS: &[&str] = &[
            "repository",
            "repository_id",
            "repository_owner_id",
            "visibility",
            "default_branch",
            "workflow_path",
            "workflow",
            "reusable_workflows",
            "event",
            "inputs",
            "vars",
            "subject",
            "issuer",
            $($(#[$attr])* stringify!($key),)*
            "enterprise",
            "enterprise_id",
            "runner_environment",
            "repo_properties",
            "ref_protected",
            "options",
            "environments",
            "protected_branches",
            // Read by `keyless check` (analysis::expectations), not by the engine.
            "expect",
        ];
    };
}
crate::parties::for_each_party!(scenario_struct);

/// A party's section as given: a node of the scenario, or the text of the
/// party's editor (JSON or YAML).
#[derive(Clone, Copy)]
pub enum TrustSection<'a> {
    Node(&'a Node),
    Text(&'a str),
}

impl std::ops::Deref for Scenario {
    type Target = Run;
    fn deref(&self) -> &Run {
        &self.run
    }
}

impl std::ops::DerefMut for Scenario {
    fn deref_mut(&mut self) -> &mut Run {
        &mut self.run
    }
}

impl Scenario {
    /// Parses a scenario file (YAML or JSON). All errors found are returned,
    /// each located in `DocId::Scenario` (or in the embedded document).
    pub fn parse(text: &str) -> std::result::Result<Scenario, Vec<Diagnostic>> {
        Scenario::parse_with(text, &Clouds::ALL)
    }

    /// [`Scenario::parse`] with only the cloud evaluators in `clouds`: the
    /// section of a cloud that is not there is left unread.
    pub fn parse_with(text: &str, clouds: &Clouds) -> std::result::Result<Scenario, Vec<Diagnostic>> {
        let root = doc::parse(text, DocId::Scenario).map_err(|d| vec![d])?;
        Scenario::from_node_with(&root, clouds)
    }

    pub fn from_node(root: &Node) -> std::result::Result<Scenario, Vec<Diagnostic>> {
        Scenario::from_node_with(root, &Clouds::ALL)
    }

    pub fn from_node_with(root: &Node, clouds: &Clouds) -> std::result::Result<Scenario, Vec<Diagnostic>> {
        Scenario::from_node_with_files(root, clouds, &[])
    }

    /// [`Scenario::from_node_with`], resolving the sections that reference
    /// a file (`aws: {from: infra/iam.tf, …}`) from the files the front end
    /// read ([`reference::load`] reads them).
    pub fn from_node_with_files(
        root: &Node,
        clouds: &Clouds,
        files: &[LoadedFile],
    ) -> std::result::Result<Scenario, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        match root.expect_map("the scenario") {
            Ok(_) => {}
            Err(d) => return Err(vec![d]),
        }
        check_keys(root, TOP_LEVEL_KEYS, "scenario", &mut errors);

        let mut s = Scenario::new("", "");
        match root.get("repository") {
            None => errors.push(Diagnostic::at("missing required field `repository` (owner/name)", root.span)),
            Some(n) => match n.expect_scalar("`repository`").and_then(|r| split_repository(&r)) {
                Ok((o, r)) => {
                    s.owner = o;
                    s.name = r;
                    s.repository_span = Some(n.span);
                }
                Err(d) => errors.push(d),
            },
        }
        let text_field = |key: &str, slot: &mut Option<String>, errors: &mut Vec<Diagnostic>| {
            if let Some(n) = root.get(key).filter(|n| !n.is_null()) {
                match n.expect_scalar(&format!("`{key}`")) {
                    Ok(v) => *slot = Some(v.value),
                    Err(d) => errors.push(d),
                }
            }
        };
        text_field("repository_id", &mut s.repository_id, &mut errors);
        text_field("repository_owner_id", &mut s.repository_owner_id, &mut errors);
        text_field("enterprise", &mut s.enterprise, &mut errors);
        text_field("enterprise_id", &mut s.enterprise_id, &mut errors);
        let mut tmp = None;
        text_field("default_branch", &mut tmp, &mut errors);
        if let Some(b) = tmp.take() {
            s.default_branch = b.trim_start_matches("refs/heads/").to_string();
        }
        text_field("workflow_path", &mut tmp, &mut errors);
        if let Some(p) = tmp.take() {
            s.workflow_path = p;
        }
        text_field("runner_environment", &mut tmp, &mut errors);
        if let Some(r) = tmp.take() {
            if r != "github-hosted" && r != "self-hosted" {
                errors.push(Diagnostic::at(
                    "`runner_environment` must be github-hosted or self-hosted",
                    root.get("runner_environment").map_or(root.span, |n| n.span),
                ));
            }
            s.runner_environment = r;
        }
        if let Some(n) = root.get("visibility") {
            match n.as_str() {
                Some("public") => s.visibility = Visibility::Public,
                Some("private") => s.visibility = Visibility::Private,
                Some("internal") => s.visibility = Visibility::Internal,
                _ => errors.push(Diagnostic::at("`visibility` must be public, private or internal", n.span)),
            }
        }
        if let Some(n) = root.get("ref_protected") {
            match n.value {
                doc::Value::Bool(b) => s.ref_protected = b,
                _ => errors.push(n.type_error("`ref_protected`", "true or false")),
            }
        }
        match root.get("workflow") {
            None => {
                errors.push(Diagnostic::at("missing required field `workflow` (the workflow YAML text)", root.span))
            }
            Some(n) => match n.expect_str("`workflow` (the workflow YAML text)") {
                Ok(t) => {
                    s.workflow = EmbeddedText { text: t.to_string(), origin: Some(n.span) };
                    s.embedded_origins.push((DocId::Workflow, n.span));
                }
                Err(d) => errors.push(d),
            },
        }
        if let Some(n) = root.get("reusable_workflows").filter(|n| !n.is_null()) {
            match n.expect_map("`reusable_workflows`") {
                Ok(entries) => {
                    for e in entries {
                        match e.value.expect_str("a reusable workflow (YAML text)") {
                            Ok(t) => {
                                let path = e.key.value.split('@').next().unwrap_or_default().to_string();
                                let index = u16::try_from(s.reusable_workflows.len()).unwrap_or(u16::MAX);
                                s.embedded_origins.push((DocId::Reusable(index), e.value.span));
                                s.reusable_workflows
                                    .push((path, EmbeddedText { text: t.to_string(), origin: Some(e.value.span) }));
                            }
                            Err(d) => errors.push(d),
                        }
                    }
                }
                Err(d) => errors.push(d),
            }
        }
        match root.get("event") {
            None => errors.push(Diagnostic::at("missing required field `event`", root.span)),
            Some(n) => match parse_event(n) {
                Ok(e) => s.event = e,
                Err(mut d) => errors.append(&mut d),
            },
        }
        for (key, slot) in [("inputs", &mut s.run.inputs), ("vars", &mut s.run.vars)] {
            if let Some(n) = root.get(key).filter(|n| !n.is_null()) {
                match n.expect_map(&format!("`{key}`")) {
                    Ok(entries) => {
                        for e in entries {
                            slot.insert(e.key.value.clone(), e.value.to_json());
                            if key == "inputs" {
                                s.run.input_spans.insert(e.key.value.clone(), e.value.span);
                            }
                        }
                    }
                    Err(d) => errors.push(d),
                }
            }
        }
        if let Some(n) = root.get("repo_properties").filter(|n| !n.is_null()) {
            match n.expect_map("`repo_properties`") {
                Ok(entries) => {
                    for e in entries {
                        match e.value.string_or_list("a custom property value") {
                            // Multi-select values are joined with `,` (CL-PROP).
                            Ok(v) => {
                                let joined: Vec<String> = v.into_iter().map(|x| x.value).collect();
                                s.repo_properties.insert(e.key.value.clone(), joined.join(","));
                            }
                            Err(d) => errors.push(d),
                        }
                    }
                }
                Err(d) => errors.push(d),
            }
        }
        if let Some(n) = root.get("subject").filter(|n| !n.is_null()) {
            match parse_subject(n) {
                Ok(v) => s.subject = v,
                Err(mut d) => errors.append(&mut d),
            }
        }
        if let Some(n) = root.get("issuer").filter(|n| !n.is_null()) {
            match parse_issuer(n) {
                Ok(v) => s.issuer = v,
                Err(mut d) => errors.append(&mut d),
            }
        }
        crate::github::environment::read_protection(root, &mut s.run, &mut errors);
        if let Some(n) = root.get("options").filter(|n| !n.is_null()) {
            match parse_options(n) {
                Ok(v) => s.options = v,
                Err(mut d) => errors.append(&mut d),
            }
        }
        // A cloud section is a mapping, or a string holding the text the user
        // pasted (JSON or YAML); a string is parsed as its own document, with
        // that cloud's DocId, exactly as the playground's editor would.
        // Every text is parsed before any section is read (errors in that
        // order).
        let mut owned: Vec<(Cloud, Node)> = Vec::new();
        for cloud in Cloud::ALL {
            if let Some(string_node) = root.get(cloud.key()).filter(|n| n.as_str().is_some()) {
                s.embedded_origins.push((cloud.doc(), string_node.span));
                let text = string_node.as_str().unwrap_or_default();
                match doc::parse(text, cloud.doc()) {
                    Ok(n) => owned.push((cloud, n)),
                    Err(d) => errors.push(d),
                }
            }
        }
        // A section that references a file is read from it.
        for cloud in Cloud::ALL {
            if let Some(n) = root.get(cloud.key()).filter(|n| reference::is_reference(n)) {
                match reference::resolve(n, cloud, files) {
                    Ok((node, mut notes)) => {
                        s.reference_notes.append(&mut notes);
                        owned.push((cloud, node));
                    }
                    Err(mut d) => errors.append(&mut d),
                }
            }
        }
        for cloud in Cloud::ALL {
            let section = owned.iter().find(|(c, _)| *c == cloud).map(|(_, n)| n).or_else(|| {
                root.get(cloud.key()).filter(|n| !n.is_null() && n.as_str().is_none() && !reference::is_reference(n))
            });
            if let Some(n) = section
                && let Err(d) = s.read_trust(cloud, TrustSection::Node(n), clouds)
            {
                errors.push(d);
            }
        }
        if errors.is_empty() { Ok(s) } else { Err(errors) }
    }
}

pub const EVENT_KEYS: &[&str] =
    &["name", "ref", "base_ref", "head_ref", "pr_number", "from_fork", "merged", "actor", "actor_id", "sha"];
pub const SUBJECT_KEYS: &[&str] = &["use_default", "include_claim_keys", "immutable"];
pub const ISSUER_KEYS: &[&str] = &["enterprise_slug", "ghes_host", "ghe_subdomain"];
pub const OPTION_KEYS: &[&str] = &["pull_request_target_subject", "fork_pr_write_tokens", "issued_at"];

fn split_repository(r: &Spanned<String>) -> Result<(String, String)> {
    let mut parts = r.value.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(o), Some(n), None) if valid_name(o) && valid_name(n) => Ok((o.to_string(), n.to_string())),
        _ => Err(Diagnostic::at(format!("`repository` must be owner/name, found `{}`", r.value), r.span)),
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn bool_field(n: &Node, key: &str, errors: &mut Vec<Diagnostic>) -> Option<bool> {
    let v = n.get(key)?;
    match v.value {
        doc::Value::Bool(b) => Some(b),
        doc::Value::Null => None,
        _ => {
            errors.push(v.type_error(&format!("`{key}`"), "true or false"));
            None
        }
    }
}

fn str_field(n: &Node, key: &str, errors: &mut Vec<Diagnostic>) -> Option<Spanned<String>> {
    let v = n.get(key).filter(|v| !v.is_null())?;
    match v.expect_scalar(&format!("`{key}`")) {
        Ok(s) => Some(s),
        Err(d) => {
            errors.push(d);
            None
        }
    }
}

fn parse_event(n: &Node) -> std::result::Result<EventSpec, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    // `event: push` is accepted as shorthand for `event: {name: push}`.
    if let Some(name) = n.as_str() {
        let mut e = Run::new("", "").event;
        e.name = Spanned::new(name.to_string(), n.span);
        return Ok(e);
    }
    if let Err(d) = n.expect_map("`event`") {
        return Err(vec![d]);
    }
    check_keys(n, EVENT_KEYS, "`event`", &mut errors);
    let name = match str_field(n, "name", &mut errors) {
        Some(s) => s,
        None => {
            errors.push(Diagnostic::at("missing required field `event.name` (push, pull_request, ...)", n.span));
            Spanned::new(String::new(), n.span)
        }
    };
    let pr_number = match n.get("pr_number").filter(|v| !v.is_null()) {
        None => None,
        Some(v) => match v.scalar_text().and_then(|t| t.parse::<u64>().ok()) {
            Some(p) => Some(p),
            None => {
                errors.push(v.type_error("`event.pr_number`", "a positive number"));
                None
            }
        },
    };
    let event = EventSpec {
        name,
        ref_: str_field(n, "ref", &mut errors).map(|s| s.value),
        base_ref: str_field(n, "base_ref", &mut errors).map(|s| s.value),
        head_ref: str_field(n, "head_ref", &mut errors).map(|s| s.value),
        pr_number,
        from_fork: bool_field(n, "from_fork", &mut errors).unwrap_or(false),
        merged: bool_field(n, "merged", &mut errors).unwrap_or(false),
        actor: str_field(n, "actor", &mut errors).map_or_else(|| "octocat".into(), |s| s.value),
        actor_id: str_field(n, "actor_id", &mut errors).map(|s| s.value),
        sha: str_field(n, "sha", &mut errors).map(|s| s.value),
    };
    if errors.is_empty() { Ok(event) } else { Err(errors) }
}

fn parse_subject(n: &Node) -> std::result::Result<SubjectSettings, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    if let Err(d) = n.expect_map("`subject`") {
        return Err(vec![d]);
    }
    check_keys(n, SUBJECT_KEYS, "`subject`", &mut errors);
    let mut s = SubjectSettings {
        use_default: bool_field(n, "use_default", &mut errors).unwrap_or(false),
        immutable: bool_field(n, "immutable", &mut errors).unwrap_or(false),
        include_claim_keys: Vec::new(),
    };
    if let Some(keys) = n.get("include_claim_keys").filter(|v| !v.is_null()) {
        match keys.expect_seq("`subject.include_claim_keys`") {
            Ok(items) => {
                for k in items {
                    match k.expect_scalar("a claim key") {
                        Ok(k) => s.include_claim_keys.push(k),
                        Err(d) => errors.push(d),
                    }
                }
            }
            Err(d) => errors.push(d),
        }
    }
    // Without keys, a non-default template has nothing to say: GitHub falls
    // back to the default format (Pulumi/Terraform provider docs, research §3.1).
    if errors.is_empty() { Ok(s) } else { Err(errors) }
}

fn parse_issuer(n: &Node) -> std::result::Result<IssuerSettings, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    if let Err(d) = n.expect_map("`issuer`") {
        return Err(vec![d]);
    }
    check_keys(n, ISSUER_KEYS, "`issuer`", &mut errors);
    let s = IssuerSettings {
        enterprise_slug: str_field(n, "enterprise_slug", &mut errors).map(|s| s.value),
        ghes_host: str_field(n, "ghes_host", &mut errors).map(|s| s.value),
        ghe_subdomain: str_field(n, "ghe_subdomain", &mut errors).map(|s| s.value),
    };
    if errors.is_empty() { Ok(s) } else { Err(errors) }
}

fn parse_options(n: &Node) -> std::result::Result<SimulationOptions, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    if let Err(d) = n.expect_map("`options`") {
        return Err(vec![d]);
    }
    check_keys(n, OPTION_KEYS, "`options`", &mut errors);
    let mut o = SimulationOptions::default();
    if let Some(v) = str_field(n, "pull_request_target_subject", &mut errors) {
        match v.value.as_str() {
            "ref" => o.pull_request_target_subject = PullRequestTargetSubject::Ref,
            "pull_request" => o.pull_request_target_subject = PullRequestTargetSubject::PullRequest,
            _ => errors.push(Diagnostic::at("`pull_request_target_subject` must be `ref` or `pull_request`", v.span)),
        }
    }
    if let Some(b) = bool_field(n, "fork_pr_write_tokens", &mut errors) {
        o.fork_pr_write_tokens = b;
    }
    if let Some(v) = str_field(n, "issued_at", &mut errors) {
        match v.value.parse::<i64>() {
            Ok(t) => o.issued_at = t,
            Err(_) => errors.push(Diagnostic::at("`issued_at` must be seconds since the epoch", v.span)),
        }
    }
    if errors.is_empty() { Ok(o) } else { Err(errors) }
}
