//! The editable form of a scenario, as the playground holds it: settings as
//! plain fields, and the workflow and each cloud's configuration as the exact
//! text the user typed in that editor. It converts to and from the scenario
//! file `keyless eval` reads, and builds a [`Scenario`] in which every error
//! in an editor's text is located in that editor (its own [`DocId`]).
//!
//! Why text and not parsed configs: the user's text must survive a permalink
//! or an export byte for byte (comments, key order, JSON vs YAML), and a
//! broken policy in one editor must not hide the verdicts of the others.

use crate::clouds::Clouds;
use crate::diagnostic::Diagnostic;
use crate::doc::{self, Node, Value};
use crate::github::environment::PROTECTION_KEYS;
use crate::scenario::{PullRequestTargetSubject, Scenario, TrustSection, Visibility};
use crate::span::{DocId, Span};
use crate::verdict::Cloud;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The triggering event, as the event picker edits it. Empty strings mean
/// "not given" (GitHub derives the value from the event).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventDraft {
    pub name: String,
    pub ref_: String,
    pub base_ref: String,
    pub head_ref: String,
    pub pr_number: Option<u64>,
    pub from_fork: bool,
    pub merged: bool,
    pub actor: String,
    pub actor_id: String,
    pub sha: String,
}

impl Default for EventDraft {
    fn default() -> Self {
        EventDraft {
            name: "push".into(),
            ref_: "refs/heads/main".into(),
            base_ref: String::new(),
            head_ref: String::new(),
            pr_number: None,
            from_fork: false,
            merged: false,
            actor: "octocat".into(),
            actor_id: String::new(),
            sha: String::new(),
        }
    }
}

macro_rules! draft_struct {
    ($($(#[$attr:meta])* $Variant:ident $key:ident $title:literal $Config:ident;)*) => {
        /// A scenario as the playground edits it. See the module docs.
        #[derive(Clone, Debug, PartialEq)]
        pub struct ScenarioDraft {
            pub repository: String,
            pub repository_id: String,
            pub repository_owner_id: String,
            pub visibility: Visibility,
            pub default_branch: String,
            pub workflow_path: String,
            pub enterprise_slug: String,
            pub ghes_host: String,
            pub ghe_subdomain: String,
            pub subject_use_default: bool,
            pub include_claim_keys: Vec<String>,
            pub subject_immutable: bool,
            pub pull_request_target_subject: PullRequestTargetSubject,
            pub fork_pr_write_tokens: bool,
            pub issued_at: Option<i64>,
            pub event: EventDraft,
            pub inputs: BTreeMap<String, serde_json::Value>,
            pub vars: BTreeMap<String, serde_json::Value>,
            /// The workflow editor's text.
            pub workflow: String,
            $(
                #[doc = concat!("The ", $title, " editor's text (JSON or YAML); empty = not configured.")]
                $(#[$attr])* pub $key: String,
            )*
            /// The environment protection editor's text: YAML with the scenario's
            /// `environments:` and `protected_branches:` (empty = none given).
            pub environment_protection: String,
            /// Scenario fields the form does not edit (`reusable_workflows`,
            /// `repo_properties`, ...): key and YAML text of the value, kept so an
            /// imported file survives export unchanged in meaning.
            pub extra: Vec<(String, String)>,
        }

        impl Default for ScenarioDraft {
            fn default() -> Self {
                ScenarioDraft {
                    repository: "my-org/my-repo".into(),
                    repository_id: String::new(),
                    repository_owner_id: String::new(),
                    visibility: Visibility::default(),
                    default_branch: "main".into(),
                    workflow_path: ".github/workflows/deploy.yml".into(),
                    enterprise_slug: String::new(),
                    ghes_host: String::new(),
                    ghe_subdomain: String::new(),
                    subject_use_default: false,
                    include_claim_keys: Vec::new(),
                    subject_immutable: false,
                    pull_request_target_subject: PullRequestTargetSubject::default(),
                    fork_pr_write_tokens: false,
                    issued_at: None,
                    event: EventDraft::default(),
                    inputs: BTreeMap::new(),
                    vars: BTreeMap::new(),
                    workflow: String::new(),
                    $($(#[$attr])* $key: String::new(),)*
                    environment_protection: String::new(),
                    extra: Vec::new(),
                }
            }
        }

        /// Top-level keys the draft edits as fields (others go to `extra`).
        const EDITED_KEYS: &[&str] = &[
            "repository",
            "repository_id",
            "repository_owner_id",
            "visibility",
            "default_branch",
            "workflow_path",
            "workflow",
            "event",
            "inputs",
            "vars",
            "subject",
            "issuer",
            "options",
            $($(#[$attr])* stringify!($key),)*
            "environments",
            "protected_branches",
        ];

        impl ScenarioDraft {
            /// The text of one cloud's editor.
            pub fn cloud_text(&self, cloud: Cloud) -> &str {
                match cloud {
                    $($(#[$attr])* Cloud::$Variant => &self.$key,)*
                }
            }

            /// The text of one cloud's editor, to edit.
            pub fn cloud_text_mut(&mut self, cloud: Cloud) -> &mut String {
                match cloud {
                    $($(#[$attr])* Cloud::$Variant => &mut self.$key,)*
                }
            }
        }
    };
}
// The struct, its defaults and the per-party accessors have one field per
// relying party (crate::parties).
crate::parties::for_each_party!(draft_struct);

impl ScenarioDraft {
    /// The scenario file (YAML) `keyless eval` reads. The workflow and cloud
    /// texts are block scalars, so each survives exactly.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        self.write_settings(&mut out);
        self.write_protection(&mut out);
        write_block(&mut out, "workflow", &self.workflow);
        for cloud in Cloud::ALL {
            let text = self.cloud_text(cloud);
            if !text.trim().is_empty() {
                write_block(&mut out, cloud.key(), text);
            }
        }
        out
    }

    /// Everything but the workflow and cloud texts.
    fn write_settings(&self, out: &mut String) {
        let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let _ = writeln!(out, "repository: {}", q(&self.repository));
        for (key, value) in [("repository_id", &self.repository_id), ("repository_owner_id", &self.repository_owner_id)]
        {
            if !value.is_empty() {
                let _ = writeln!(out, "{key}: {}", q(value));
            }
        }
        let _ = writeln!(out, "visibility: {}", self.visibility.as_str());
        let _ = writeln!(out, "default_branch: {}", q(&self.default_branch));
        let _ = writeln!(out, "workflow_path: {}", q(&self.workflow_path));
        let e = &self.event;
        let _ = writeln!(out, "event:\n  name: {}", q(&e.name));
        for (key, value) in [("ref", &e.ref_), ("base_ref", &e.base_ref), ("head_ref", &e.head_ref)] {
            if !value.is_empty() {
                let _ = writeln!(out, "  {key}: {}", q(value));
            }
        }
        if let Some(n) = e.pr_number {
            let _ = writeln!(out, "  pr_number: {n}");
        }
        if e.from_fork {
            out.push_str("  from_fork: true\n");
        }
        if e.merged {
            out.push_str("  merged: true\n");
        }
        let _ = writeln!(out, "  actor: {}", q(&e.actor));
        for (key, value) in [("actor_id", &e.actor_id), ("sha", &e.sha)] {
            if !value.is_empty() {
                let _ = writeln!(out, "  {key}: {}", q(value));
            }
        }
        for (key, map) in [("inputs", &self.inputs), ("vars", &self.vars)] {
            if !map.is_empty() {
                let json = serde_json::to_string(map).unwrap_or_else(|_| "{}".into());
                let _ = writeln!(out, "{key}: {json}");
            }
        }
        if self.subject_use_default || self.subject_immutable || !self.include_claim_keys.is_empty() {
            let keys: Vec<String> = self.include_claim_keys.iter().map(|k| q(k)).collect();
            let _ = writeln!(
                out,
                "subject:\n  use_default: {}\n  include_claim_keys: [{}]\n  immutable: {}",
                self.subject_use_default,
                keys.join(", "),
                self.subject_immutable
            );
        }
        let issuer: Vec<(&str, &String)> = [
            ("enterprise_slug", &self.enterprise_slug),
            ("ghes_host", &self.ghes_host),
            ("ghe_subdomain", &self.ghe_subdomain),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        if !issuer.is_empty() {
            out.push_str("issuer:\n");
            for (key, value) in issuer {
                let _ = writeln!(out, "  {key}: {}", q(value));
            }
        }
        let default_options = PullRequestTargetSubject::default() == self.pull_request_target_subject
            && !self.fork_pr_write_tokens
            && self.issued_at.is_none();
        if !default_options {
            let prt = match self.pull_request_target_subject {
                PullRequestTargetSubject::Ref => "ref",
                PullRequestTargetSubject::PullRequest => "pull_request",
            };
            let _ = writeln!(out, "options:\n  pull_request_target_subject: {prt}");
            if self.fork_pr_write_tokens {
                out.push_str("  fork_pr_write_tokens: true\n");
            }
            if let Some(t) = self.issued_at {
                let _ = writeln!(out, "  issued_at: {t}");
            }
        }
        for (key, text) in &self.extra {
            write_entry(out, key, text);
        }
    }

    /// The environment protection editor's entries, as top-level fields. Text
    /// that does not parse is kept as a comment, so an export loses nothing
    /// (and applies nothing it cannot read).
    fn write_protection(&self, out: &mut String) {
        let text = &self.environment_protection;
        if text.trim().is_empty() {
            return;
        }
        match doc::parse(text, DocId::Scenario) {
            Ok(root) if root.entries().is_some() => {
                for e in root.entries().unwrap_or_default() {
                    if PROTECTION_KEYS.contains(&e.key.value.as_str()) && !e.value.is_null() {
                        write_entry(out, &e.key.value, &entry_text(text, &e.value));
                    }
                }
            }
            _ => {
                out.push_str("# environment protection (not valid YAML, so not applied):\n");
                for line in text.lines() {
                    let _ = writeln!(out, "# {line}");
                }
            }
        }
    }

    /// Reads any scenario file (YAML or JSON). Fields it cannot read keep
    /// their defaults and are reported; a cloud section written as a
    /// mapping becomes editor text: its exact source, dedented.
    pub fn from_yaml(text: &str) -> (ScenarioDraft, Vec<Diagnostic>) {
        match doc::parse(text, DocId::Scenario) {
            Ok(root) => ScenarioDraft::from_node(text, &root),
            Err(d) => (ScenarioDraft::default(), vec![d]),
        }
    }

    /// Like [`ScenarioDraft::from_yaml`], for a scenario node inside a
    /// larger document (a fixture's `scenario:`); `source` is the text the
    /// node's spans point into.
    pub fn from_node(source: &str, root: &Node) -> (ScenarioDraft, Vec<Diagnostic>) {
        let mut d = ScenarioDraft::default();
        let mut errors = Vec::new();
        if let Err(e) = root.expect_map("the scenario") {
            return (d, vec![e]);
        }
        let text = |key: &str| root.get(key).and_then(Node::scalar_text);
        if let Some(v) = text("repository") {
            d.repository = v;
        }
        d.repository_id = text("repository_id").unwrap_or_default();
        d.repository_owner_id = text("repository_owner_id").unwrap_or_default();
        d.visibility = match root.get("visibility").and_then(Node::as_str) {
            Some("public") => Visibility::Public,
            Some("internal") => Visibility::Internal,
            _ => Visibility::Private,
        };
        if let Some(v) = text("default_branch") {
            d.default_branch = v.trim_start_matches("refs/heads/").to_string();
        }
        if let Some(v) = text("workflow_path") {
            d.workflow_path = v;
        }
        d.workflow = text("workflow").unwrap_or_default();
        if let Some(ev) = root.get("event") {
            d.event = event_from_node(ev);
        }
        for (key, slot) in [("inputs", &mut d.inputs), ("vars", &mut d.vars)] {
            for e in root.get(key).and_then(Node::entries).unwrap_or_default() {
                slot.insert(e.key.value.clone(), e.value.to_json());
            }
        }
        if let Some(s) = root.get("subject") {
            d.subject_use_default = is_true(s.get("use_default"));
            d.subject_immutable = is_true(s.get("immutable"));
            d.include_claim_keys = s
                .get("include_claim_keys")
                .and_then(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::scalar_text)
                .collect();
        }
        if let Some(i) = root.get("issuer") {
            let t = |k: &str| i.get(k).and_then(Node::scalar_text).unwrap_or_default();
            d.enterprise_slug = t("enterprise_slug");
            d.ghes_host = t("ghes_host");
            d.ghe_subdomain = t("ghe_subdomain");
        }
        if let Some(o) = root.get("options") {
            if o.get("pull_request_target_subject").and_then(Node::as_str) == Some("pull_request") {
                d.pull_request_target_subject = PullRequestTargetSubject::PullRequest;
            }
            d.fork_pr_write_tokens = is_true(o.get("fork_pr_write_tokens"));
            d.issued_at = o.get("issued_at").and_then(Node::scalar_text).and_then(|t| t.parse().ok());
        }
        for cloud in Cloud::ALL {
            if let Some(n) = root.get(cloud.key()).filter(|n| !n.is_null()) {
                *d.cloud_text_mut(cloud) = match n.as_str() {
                    Some(s) => s.to_string(),
                    None => source_of(source, n),
                };
            }
        }
        for key in PROTECTION_KEYS {
            if let Some(e) = root.entry(key).filter(|e| !e.value.is_null()) {
                write_entry(&mut d.environment_protection, key, &entry_text(source, &e.value));
            }
        }
        for e in root.entries().unwrap_or_default() {
            let key = e.key.value.as_str();
            if EDITED_KEYS.contains(&key) || e.value.is_null() {
                continue;
            }
            if !crate::scenario::TOP_LEVEL_KEYS.contains(&key) {
                errors.push(Diagnostic::warning(
                    format!("unknown field `{key}` in the scenario was ignored"),
                    Some(e.key.span),
                ));
                continue;
            }
            d.extra.push((key.to_string(), entry_text(source, &e.value)));
        }
        (d, errors)
    }

    /// The scenario to evaluate, and every problem found. Each editor's
    /// problems are located in that editor's text (`DocId::Aws`, ...; the
    /// workflow's in `DocId::Workflow`); a cloud whose text has errors is
    /// left out, so the others still give verdicts.
    pub fn build(&self) -> (Scenario, Vec<Diagnostic>) {
        self.build_with(&Clouds::ALL)
    }

    /// [`ScenarioDraft::build`] with only the cloud evaluators in `clouds`:
    /// the text of a cloud that is not there is left unread (the host says
    /// why that cloud has no verdict).
    pub fn build_with(&self, clouds: &Clouds) -> (Scenario, Vec<Diagnostic>) {
        let mut settings = String::new();
        self.write_settings(&mut settings);
        // The workflow is set after parsing: an empty placeholder keeps the
        // required field present whatever the editor holds.
        settings.push_str("workflow: \"\"\n");
        let mut diagnostics = Vec::new();
        let mut scenario = match Scenario::parse_with(&settings, &Clouds::NONE) {
            Ok(s) => s,
            Err(errors) => {
                // Spans point into generated text the user never sees: keep
                // the messages, drop the locations.
                diagnostics.extend(errors.into_iter().map(|e| Diagnostic { span: None, ..e }));
                let (owner, name) = self.repository.split_once('/').unwrap_or(("owner", "repo"));
                let mut s = Scenario::new(owner, name);
                s.event.name.value = self.event.name.clone();
                s
            }
        };
        scenario.repository_span = None;
        scenario.input_spans.clear();
        scenario.event.name.span = Span::new(DocId::Scenario, 0, 0);
        scenario.workflow = crate::scenario::EmbeddedText { text: self.workflow.clone(), origin: None };
        if self.workflow.trim().is_empty() {
            diagnostics.push(Diagnostic::note("the workflow editor is empty: paste the workflow under test", None));
        }
        for cloud in Cloud::ALL {
            let text = self.cloud_text(cloud);
            if !text.trim().is_empty()
                && let Err(d) = scenario.read_trust(cloud, TrustSection::Text(text), clouds)
            {
                diagnostics.push(d);
            }
        }
        // The editor has no document of its own in the playground: keep the
        // messages, drop the locations.
        let unlocated = |d: Diagnostic| Diagnostic { span: None, ..d };
        diagnostics.extend(self.build_protection(&mut scenario).into_iter().map(unlocated));
        (scenario, diagnostics)
    }

    /// Parses the environment protection editor into the scenario.
    fn build_protection(&self, scenario: &mut Scenario) -> Vec<Diagnostic> {
        let text = &self.environment_protection;
        if text.trim().is_empty() {
            return Vec::new();
        }
        let root = match doc::parse(text, DocId::Scenario) {
            Ok(root) => root,
            Err(d) => return vec![d],
        };
        let what = "the environment protection settings";
        if let Err(d) = root.expect_map(what) {
            return vec![d];
        }
        let mut errors = Vec::new();
        crate::spelling::check_keys(&root, PROTECTION_KEYS, what, &mut errors);
        crate::github::environment::read_protection(&root, &mut scenario.run, &mut errors);
        errors
    }
}

fn is_true(n: Option<&Node>) -> bool {
    matches!(n.map(|n| &n.value), Some(Value::Bool(true)))
}

fn event_from_node(n: &Node) -> EventDraft {
    let mut e = EventDraft { ref_: String::new(), ..EventDraft::default() };
    if let Some(name) = n.as_str() {
        e.name = name.to_string();
        return e;
    }
    let t = |k: &str| n.get(k).and_then(Node::scalar_text).unwrap_or_default();
    e.name = t("name");
    e.ref_ = t("ref");
    e.base_ref = t("base_ref");
    e.head_ref = t("head_ref");
    e.pr_number = n.get("pr_number").and_then(Node::scalar_text).and_then(|t| t.parse().ok());
    e.from_fork = is_true(n.get("from_fork"));
    e.merged = is_true(n.get("merged"));
    if let Some(a) = n.get("actor").and_then(Node::scalar_text) {
        e.actor = a;
    }
    e.actor_id = t("actor_id");
    e.sha = t("sha");
    e
}

/// A top-level value as the draft keeps it: a mapping's or list's source
/// text, or a scalar as JSON.
fn entry_text(source: &str, n: &Node) -> String {
    match n.value {
        Value::Map(_) | Value::Seq(_) => source_of(source, n),
        _ => serde_json::to_string(&n.to_json()).unwrap_or_default(),
    }
}

/// `key:` and the value's text indented under it.
fn write_entry(out: &mut String, key: &str, text: &str) {
    let _ = writeln!(out, "{key}:");
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "  {line}");
        }
    }
}

/// The exact source text of a node, dedented by the column it starts at
/// (a block mapping's later lines are indented to its first key).
fn source_of(source: &str, n: &Node) -> String {
    let start = n.span.start as usize;
    let end = (n.span.end as usize).min(source.len());
    let slice = source.get(start..end).unwrap_or_default().trim_end();
    let line_start = source.get(..start).and_then(|s| s.rfind('\n')).map_or(0, |i| i + 1);
    let indent = source.get(line_start..start).map_or(0, |s| s.chars().count());
    let mut out = String::new();
    for (i, line) in slice.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            let spaces = line.len() - line.trim_start_matches(' ').len();
            out.push_str(line.get(spaces.min(indent)..).unwrap_or_default());
        } else {
            out.push_str(line);
        }
    }
    out.push('\n');
    out
}

/// `key: |` with the text as a block scalar. The header's indentation
/// indicator and chomping keep leading spaces and trailing newlines exact.
fn write_block(out: &mut String, key: &str, text: &str) {
    // Carriage returns and tabs in indentation cannot live in a block
    // scalar, nor can a byte order mark or a NUL (the YAML reader rejects
    // them there, and the whole permalink or saved draft would be lost):
    // such texts are written quoted, with escapes. Other control
    // characters are quoted too, to be safe.
    let needs_quotes = text.contains(|c: char| c == '\u{feff}' || (c.is_control() && c != '\n' && c != '\t'))
        || text.lines().any(|l| l.starts_with('\t'))
        || text.trim().is_empty();
    if needs_quotes {
        let _ = writeln!(out, "{key}: {}", serde_json::to_string(text).unwrap_or_default());
        return;
    }
    let trailing = text.len() - text.trim_end_matches('\n').len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    // An explicit indentation indicator when the text itself starts indented
    // (else YAML would take that indentation as the block's own).
    let indicator = if text.lines().take_while(|l| l.trim().is_empty()).count() > 0
        || text.lines().find(|l| !l.trim().is_empty()).is_some_and(|l| l.starts_with(' '))
    {
        "2"
    } else {
        ""
    };
    let _ = writeln!(out, "{key}: |{indicator}{chomp}");
    for line in text.trim_end_matches('\n').split('\n') {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "  {line}");
        }
    }
    // `|+` keeps the text's extra trailing newlines.
    for _ in 1..trailing {
        out.push('\n');
    }
}

mod patch;

#[cfg(test)]
mod tests;
