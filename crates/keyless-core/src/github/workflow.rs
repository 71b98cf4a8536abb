//! The parts of a workflow file that decide a job's token: triggers,
//! permissions, jobs (environment, `if:`, matrix, reusable `uses:`), and
//! login steps. Parsed from the spanned tree so every problem is located;
//! unknown keys are warnings (GitHub would reject them, but the token
//! simulation can go on).
//! Source: https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax

use crate::diagnostic::Diagnostic;
use crate::doc::{self, Node, Value};
use crate::span::{DocId, Span, Spanned};
use crate::spelling::{nearest, warn_unknown_keys};

/// A workflow, as far as tokens are concerned.
#[derive(Clone, Debug, PartialEq)]
pub struct Workflow {
    /// `name:` (raw; the `workflow` claim).
    pub name: Option<String>,
    pub triggers: Vec<Trigger>,
    /// The `on:` node, for locating trigger warnings.
    pub on_span: Option<Span>,
    pub permissions: Option<Permissions>,
    pub jobs: Vec<Job>,
    /// `on.workflow_call.inputs` and `on.workflow_dispatch.inputs`
    /// defaults, in declaration order (both events together).
    pub input_defaults: Vec<(String, serde_json::Value)>,
    /// `on.workflow_dispatch.inputs` defaults only: the `inputs` context of
    /// a manually triggered run (docs "Contexts reference", `inputs`).
    pub dispatch_input_defaults: Vec<(String, serde_json::Value)>,
    /// `on.workflow_dispatch.inputs.<id>.type` (`boolean`, `number`, ...),
    /// to give typed values to the `inputs` context.
    pub dispatch_input_types: Vec<(String, String)>,
    /// `on.workflow_dispatch.inputs`, each as declared (for a run form).
    pub dispatch_inputs: Vec<DispatchInput>,
    /// `on.workflow_call.inputs` defaults only: the `inputs` context of a
    /// called run, under the caller's `with:` (D-RWREF).
    pub call_input_defaults: Vec<(String, serde_json::Value)>,
    /// `on.workflow_call.inputs`, each as declared (to check a caller's `with:`).
    pub call_inputs: Vec<CallInput>,
    pub span: Span,
}

/// One `on.workflow_call.inputs.<id>` as declared. Source: workflow syntax,
/// `on.workflow_call.inputs` (`type` is `boolean`, `number` or `string`).
#[derive(Clone, Debug, PartialEq)]
pub struct CallInput {
    pub name: String,
    /// `type:` as written, if given.
    pub kind: Option<String>,
    pub required: bool,
    /// The input's key in the called workflow.
    pub span: Span,
}

/// One `on.workflow_dispatch.inputs.<id>` as declared. Source: workflow
/// syntax, `on.workflow_dispatch.inputs` (`type` is `string` unless given;
/// `options` only mean something for `choice`).
#[derive(Clone, Debug, PartialEq)]
pub struct DispatchInput {
    pub name: String,
    /// `type:` as written (`string` when absent).
    pub kind: String,
    pub description: Option<String>,
    pub default: Option<serde_json::Value>,
    pub options: Vec<String>,
    pub required: bool,
    /// The input's key in the workflow.
    pub span: Span,
}

/// One event of `on:` with its filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    pub event: Spanned<String>,
    pub branches: Option<Vec<String>>,
    pub branches_ignore: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    pub tags_ignore: Option<Vec<String>>,
    /// `paths` / `paths-ignore` present: the changed files are not simulated.
    pub has_path_filter: bool,
    /// `types:` (activity types), when given.
    pub types: Option<Vec<String>>,
}

/// `id-token` access, the only permission that matters for OIDC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum IdToken {
    None,
    Write,
}

/// A `permissions:` block reduced to its `id-token` level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permissions {
    pub id_token: IdToken,
    /// How it was written, for explanations (`write-all`, `{}`, ...).
    pub written: String,
    pub span: Span,
}

/// A job (`jobs.<id>`).
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub id: Spanned<String>,
    pub name: Option<String>,
    pub condition: Option<Spanned<String>>,
    /// The environment name as written (may hold an expression).
    pub environment: Option<Spanned<String>>,
    pub permissions: Option<Permissions>,
    /// `strategy.matrix`, resolved later (it may hold expressions).
    pub matrix: Option<Node>,
    /// `needs:` (job ids this job waits for).
    pub needs: Vec<String>,
    /// Reusable workflow call (`jobs.<id>.uses`).
    pub uses: Option<Spanned<String>>,
    /// `with:` of a reusable workflow call.
    pub with: Vec<(String, Node)>,
    pub steps: Vec<Step>,
    /// `runs-on` as written (label, list, `{group, labels}` or expression).
    pub runs_on: Option<Node>,
    /// Keys a job calling a reusable workflow may not have (`runs-on`,
    /// `environment`, ...), empty for other jobs.
    pub unsupported_call_keys: Vec<Spanned<String>>,
    /// The `if:` of every step (`run:` steps too), for checks GitHub makes
    /// when it parses the workflow.
    pub step_conditions: Vec<Spanned<String>>,
    /// The span of the job's key.
    pub span: Span,
}

/// A step that uses an action.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub uses: Spanned<String>,
    /// The step's `if:` (a skipped login step requests no token).
    pub condition: Option<Spanned<String>>,
    pub with: Vec<(String, Node)>,
    pub span: Span,
}

const WORKFLOW_KEYS: &[&str] = &["name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"];
const JOB_KEYS: &[&str] = &[
    "name",
    "needs",
    "if",
    "runs-on",
    "environment",
    "permissions",
    "strategy",
    "outputs",
    "env",
    "defaults",
    "steps",
    "timeout-minutes",
    "continue-on-error",
    "container",
    "services",
    "uses",
    "with",
    "secrets",
    "concurrency",
    "snapshot",
];
/// Keys of a job that calls a reusable workflow (docs "Reusing workflows",
/// supported keywords for jobs that call a reusable workflow).
const CALL_JOB_KEYS: &[&str] =
    &["name", "uses", "with", "secrets", "strategy", "needs", "if", "concurrency", "permissions"];
/// Scopes of `permissions:` (docs, GITHUB_TOKEN reference).
const PERMISSION_SCOPES: &[&str] = &[
    "actions",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
    "artifact-metadata",
];

/// "Each workflow file must be 500 KB (512,000 bytes) or smaller to trigger
/// a run" (GitHub Docs, Actions limits,
/// https://docs.github.com/en/actions/reference/limits); the run page says
/// "Workflow file exceeds the maximum allowed size of 500 KB". Users who
/// bisected it found the boundary at 512,000 bytes, decimal
/// (NikolayS/pg_ash#237, jikig-ai/soleur#8363).
pub const MAX_FILE_BYTES: usize = 512_000;

/// Jobs in one workflow run: "256 jobs / workflow run" (GitHub Docs, Actions
/// limits, https://docs.github.com/en/actions/reference/limits; the row is
/// stated for a job matrix, and a workflow's own jobs count toward the same
/// run). More are refused with an error at the 257th job, and nothing of the
/// workflow is simulated.
pub const MAX_JOBS: usize = 256;

/// Parses a workflow. Returns `None` only when the text is not a mapping
/// at all; everything else is a diagnostic next to a best-effort model.
pub fn parse(text: &str, doc_id: DocId, diags: &mut Vec<Diagnostic>) -> Option<Workflow> {
    if text.len() > MAX_FILE_BYTES {
        diags.push(Diagnostic::error(
            format!(
                "Workflow file exceeds the maximum allowed size of 500 KB: it is {} bytes, over {MAX_FILE_BYTES}; GitHub does not start runs for it",
                text.len()
            ),
            Some(Span::new(doc_id, MAX_FILE_BYTES, MAX_FILE_BYTES)),
        ));
        return None;
    }
    let root = match doc::parse(text, doc_id) {
        Ok(r) => r,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    if let Err(d) = root.expect_map("a workflow") {
        diags.push(d);
        return None;
    }
    // GitHub's template reader refuses a key written twice in one mapping,
    // ignoring case: "'{0}' is already defined" (actions/runner
    // src/Sdk/DTObjectTemplating/ObjectTemplating/TemplateReader.cs, keys in
    // a `HashSet` with `StringComparer.OrdinalIgnoreCase`).
    for (first, dup) in root.duplicate_keys(true) {
        let case = if first.value == dup.value { String::new() } else { format!(" (as '{}')", first.value) };
        diags.push(Diagnostic::error(
            format!("'{}' is already defined{case}: GitHub rejects a workflow with a duplicate key", dup.value),
            Some(dup.span),
        ));
    }
    warn_unknown_keys(&root, WORKFLOW_KEYS, "the workflow", diags);
    let name = root.get("name").and_then(Node::scalar_text);
    // YAML 1.1 readers turn a bare `on` key into `true`; accept both.
    let on = root.get("on").or_else(|| root.get("true"));
    let (triggers, defaults) = match on {
        Some(n) => parse_on(n, diags),
        None => {
            diags.push(Diagnostic::warning("the workflow has no `on:` triggers", Some(root.span)));
            (Vec::new(), Vec::new())
        }
    };
    let of = |event: &str| -> Vec<(String, serde_json::Value)> {
        defaults.iter().filter(|(e, _, _)| e == event).map(|(_, k, v)| (k.clone(), v.clone())).collect()
    };
    let (dispatch_input_defaults, call_input_defaults) = (of("workflow_dispatch"), of("workflow_call"));
    let dispatch_input_types = on
        .and_then(|n| n.get("workflow_dispatch"))
        .and_then(|d| d.get("inputs"))
        .and_then(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|i| Some((i.key.value.clone(), i.value.get("type")?.as_str()?.to_string())))
        .collect();
    let dispatch_inputs = on
        .and_then(|n| n.get("workflow_dispatch"))
        .and_then(|d| d.get("inputs"))
        .and_then(Node::entries)
        .unwrap_or_default()
        .iter()
        .map(|i| DispatchInput {
            name: i.key.value.clone(),
            kind: i.value.get("type").and_then(Node::scalar_text).unwrap_or_else(|| "string".to_string()),
            description: i.value.get("description").and_then(Node::scalar_text),
            default: i.value.get("default").filter(|d| !d.is_null()).map(Node::to_json),
            options: i
                .value
                .get("options")
                .and_then(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::scalar_text)
                .collect(),
            required: i.value.get("required").is_some_and(|r| matches!(r.value, Value::Bool(true))),
            span: i.key.span,
        })
        .collect();
    let call_inputs = on
        .and_then(|n| n.get("workflow_call"))
        .and_then(|d| d.get("inputs"))
        .and_then(Node::entries)
        .unwrap_or_default()
        .iter()
        .map(|i| CallInput {
            name: i.key.value.clone(),
            kind: i.value.get("type").and_then(Node::scalar_text),
            required: i.value.get("required").is_some_and(|r| matches!(r.value, Value::Bool(true))),
            span: i.key.span,
        })
        .collect();
    let input_defaults = defaults.iter().map(|(_, k, v)| (k.clone(), v.clone())).collect();
    let permissions = root.get("permissions").and_then(|n| parse_permissions(n, diags));
    let mut jobs = Vec::new();
    match root.entry("jobs") {
        None => diags.push(Diagnostic::error("the workflow has no `jobs:`", Some(root.span))),
        Some(e) => match e.value.expect_map("`jobs`") {
            Err(d) => diags.push(d),
            Ok(entries) if entries.len() > MAX_JOBS => diags.push(Diagnostic::error(
                format!(
                    "the workflow has {} jobs; GitHub runs at most {MAX_JOBS} jobs per workflow run, so it rejects the workflow",
                    entries.len()
                ),
                entries.get(MAX_JOBS).map(|e| e.key.span).or(Some(e.key.span)),
            )),
            Ok(entries) => {
                for j in entries {
                    if let Some(job) = parse_job(j, diags) {
                        jobs.push(job);
                    }
                }
            }
        },
    }
    Some(Workflow {
        name,
        triggers,
        on_span: on.map(|n| n.span),
        permissions,
        jobs,
        input_defaults,
        dispatch_input_defaults,
        dispatch_input_types,
        dispatch_inputs,
        call_input_defaults,
        call_inputs,
        span: root.span,
    })
}

fn string_list(n: &Node, what: &str, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    match n.string_or_list(what) {
        Ok(v) => v.into_iter().map(|s| s.value).collect(),
        Err(d) => {
            diags.push(d);
            Vec::new()
        }
    }
}

/// Input defaults of `on:` as `(event, input, default)`.
type InputDefaults = Vec<(String, String, serde_json::Value)>;

fn parse_on(n: &Node, diags: &mut Vec<Diagnostic>) -> (Vec<Trigger>, InputDefaults) {
    let bare = |name: Spanned<String>| Trigger {
        event: name,
        branches: None,
        branches_ignore: None,
        tags: None,
        tags_ignore: None,
        has_path_filter: false,
        types: None,
    };
    match &n.value {
        Value::String(_) => (vec![bare(Spanned::new(n.as_str().unwrap_or_default().to_string(), n.span))], Vec::new()),
        Value::Seq(items) => {
            let mut out = Vec::new();
            for i in items {
                match i.expect_scalar("an event in `on:`") {
                    Ok(s) => out.push(bare(s)),
                    Err(d) => diags.push(d),
                }
            }
            (out, Vec::new())
        }
        Value::Map(entries) => {
            let mut out = Vec::new();
            let mut defaults = Vec::new();
            for e in entries {
                let mut t = bare(e.key.clone());
                let cfg = &e.value;
                // `schedule` is a list of `- cron:` entries (workflow syntax,
                // `on.schedule`); it has no filters that matter here.
                if e.key.value == "schedule" && cfg.items().is_some() {
                    out.push(t);
                    continue;
                }
                if cfg.entries().is_none() && !cfg.is_null() {
                    diags.push(cfg.type_error(&format!("`on.{}`", e.key.value), "a mapping or empty"));
                    out.push(t);
                    continue;
                }
                let list = |key: &str, diags: &mut Vec<Diagnostic>| {
                    cfg.get(key)
                        .filter(|v| !v.is_null())
                        .map(|v| string_list(v, &format!("`on.{}.{key}`", e.key.value), diags))
                };
                t.branches = list("branches", diags);
                t.branches_ignore = list("branches-ignore", diags);
                t.tags = list("tags", diags);
                t.tags_ignore = list("tags-ignore", diags);
                t.has_path_filter = cfg.get("paths").is_some() || cfg.get("paths-ignore").is_some();
                t.types = list("types", diags);
                if t.branches.is_some() && t.branches_ignore.is_some() {
                    diags.push(Diagnostic::error(
                        "`branches` and `branches-ignore` cannot both be used for the same event",
                        Some(e.key.span),
                    ));
                }
                if matches!(e.key.value.as_str(), "workflow_call" | "workflow_dispatch")
                    && let Some(inputs) = cfg.get("inputs").and_then(Node::entries)
                {
                    for i in inputs {
                        match i.value.get("default") {
                            Some(d) => defaults.push((e.key.value.clone(), i.key.value.clone(), d.to_json())),
                            // Workflow syntax, `on.workflow_call.inputs.<id>.default`:
                            // unset, it is false / 0 / "" by type.
                            None if e.key.value == "workflow_call" => {
                                let empty = match i.value.get("type").and_then(Node::as_str) {
                                    Some("boolean") => serde_json::json!(false),
                                    Some("number") => serde_json::json!(0),
                                    _ => serde_json::json!(""),
                                };
                                defaults.push((e.key.value.clone(), i.key.value.clone(), empty));
                            }
                            None => {}
                        }
                    }
                }
                out.push(t);
            }
            (out, defaults)
        }
        _ => {
            diags.push(n.type_error("`on`", "an event name, a list or a mapping"));
            (Vec::new(), Vec::new())
        }
    }
}

/// `permissions:` → id-token level. Source: D-TOK ("If you specify the
/// access for any of these permissions, all of those that are not
/// specified are set to none"; `id-token` is `write` or `none`, research §5).
pub fn parse_permissions(n: &Node, diags: &mut Vec<Diagnostic>) -> Option<Permissions> {
    match &n.value {
        Value::String(s) => match s.as_str() {
            "write-all" => Some(Permissions { id_token: IdToken::Write, written: "write-all".into(), span: n.span }),
            "read-all" => Some(Permissions { id_token: IdToken::None, written: "read-all".into(), span: n.span }),
            other => {
                diags.push(Diagnostic::error(
                    format!("`permissions` must be `read-all`, `write-all` or a mapping, found `{other}`"),
                    Some(n.span),
                ));
                None
            }
        },
        Value::Map(entries) => {
            let mut id_token = IdToken::None;
            for e in entries {
                if !PERMISSION_SCOPES.contains(&e.key.value.as_str()) {
                    let hint = nearest(&e.key.value, PERMISSION_SCOPES)
                        .map(|k| format!(" (did you mean `{k}`?)"))
                        .unwrap_or_default();
                    diags.push(Diagnostic::warning(
                        format!("unknown permission `{}`{hint}", e.key.value),
                        Some(e.key.span),
                    ));
                }
                if e.key.value == "id-token" {
                    match e.value.as_str() {
                        Some("write") => id_token = IdToken::Write,
                        Some("none") => id_token = IdToken::None,
                        // GitHub: "Unexpected value 'read'" (research §5).
                        Some(v) => diags.push(Diagnostic::error(
                            format!("Unexpected value '{v}': `id-token` accepts only `write` or `none`"),
                            Some(e.value.span),
                        )),
                        None => diags.push(e.value.type_error("`id-token`", "`write` or `none`")),
                    }
                }
            }
            let written = if entries.is_empty() {
                "{}".to_string()
            } else {
                match id_token {
                    IdToken::Write => "a map with `id-token: write`".to_string(),
                    IdToken::None => "a map without `id-token: write`".to_string(),
                }
            };
            Some(Permissions { id_token, written, span: n.span })
        }
        Value::Null => None,
        _ => {
            diags.push(n.type_error("`permissions`", "`read-all`, `write-all` or a mapping"));
            None
        }
    }
}

fn parse_job(e: &doc::Entry, diags: &mut Vec<Diagnostic>) -> Option<Job> {
    let n = &e.value;
    if let Err(d) = n.expect_map(&format!("job `{}`", e.key.value)) {
        diags.push(d);
        return None;
    }
    warn_unknown_keys(n, JOB_KEYS, &format!("job `{}`", e.key.value), diags);
    let scalar = |key: &str, diags: &mut Vec<Diagnostic>| -> Option<Spanned<String>> {
        let v = n.get(key).filter(|v| !v.is_null())?;
        match v.expect_scalar(&format!("`jobs.{}.{key}`", e.key.value)) {
            Ok(s) => Some(s),
            Err(d) => {
                diags.push(d);
                None
            }
        }
    };
    let environment = match n.get("environment").filter(|v| !v.is_null()) {
        None => None,
        Some(env) if env.entries().is_some() => match env.get("name") {
            Some(name) => match name.expect_scalar("`environment.name`") {
                Ok(s) => Some(s),
                Err(d) => {
                    diags.push(d);
                    None
                }
            },
            None => {
                diags.push(Diagnostic::error("`environment` needs a `name`", Some(env.span)));
                None
            }
        },
        Some(env) => match env.expect_scalar("`environment`") {
            Ok(s) => Some(s),
            Err(d) => {
                diags.push(d);
                None
            }
        },
    };
    let matrix = n.get("strategy").filter(|s| !s.is_null()).and_then(|s| {
        if s.entries().is_none() && !s.as_str().is_some_and(|t| t.contains("${{")) {
            diags.push(s.type_error("`strategy`", "a mapping"));
            return None;
        }
        s.get("matrix").cloned()
    });
    let mut steps = Vec::new();
    let mut step_conditions = Vec::new();
    if let Some(list) = n.get("steps").filter(|s| !s.is_null()) {
        match list.expect_seq("`steps`") {
            Err(d) => diags.push(d),
            Ok(items) => {
                for s in items {
                    if s.get("uses").is_none()
                        && let Some(Ok(c)) =
                            s.get("if").filter(|c| !c.is_null()).map(|c| c.expect_scalar("a step's `if`"))
                    {
                        step_conditions.push(c);
                    }
                    if let Some(uses) = s.get("uses") {
                        match uses.expect_scalar("`uses`") {
                            Ok(u) => {
                                let condition = s.get("if").filter(|c| !c.is_null()).and_then(|c| {
                                    match c.expect_scalar("a step's `if`") {
                                        Ok(c) => Some(c),
                                        Err(d) => {
                                            diags.push(d);
                                            None
                                        }
                                    }
                                });
                                step_conditions.extend(condition.clone());
                                steps.push(Step {
                                    uses: u,
                                    condition,
                                    with: map_entries(s.get("with"), diags),
                                    span: s.span,
                                })
                            }
                            Err(d) => diags.push(d),
                        }
                    }
                }
            }
        }
    }
    let uses = scalar("uses", diags);
    if uses.is_some() && n.get("steps").is_some() {
        diags.push(Diagnostic::error("a job cannot have both `uses` and `steps`", Some(e.key.span)));
    }
    Some(Job {
        id: e.key.clone(),
        name: n.get("name").and_then(Node::scalar_text),
        condition: scalar("if", diags),
        environment,
        permissions: n.get("permissions").and_then(|p| parse_permissions(p, diags)),
        matrix,
        needs: n.get("needs").filter(|v| !v.is_null()).map(|v| string_list(v, "`needs`", diags)).unwrap_or_default(),
        with: map_entries(n.get("with"), diags),
        runs_on: n.get("runs-on").filter(|v| !v.is_null()).cloned(),
        unsupported_call_keys: if uses.is_some() {
            n.entries()
                .unwrap_or_default()
                .iter()
                .filter(|e| JOB_KEYS.contains(&e.key.value.as_str()) && !CALL_JOB_KEYS.contains(&e.key.value.as_str()))
                .map(|e| e.key.clone())
                .collect()
        } else {
            Vec::new()
        },
        uses,
        steps,
        step_conditions,
        span: e.key.span,
    })
}

fn map_entries(n: Option<&Node>, diags: &mut Vec<Diagnostic>) -> Vec<(String, Node)> {
    match n.filter(|v| !v.is_null()) {
        None => Vec::new(),
        Some(v) => match v.expect_map("`with`") {
            Ok(entries) => entries.iter().map(|e| (e.key.value.clone(), e.value.clone())).collect(),
            Err(d) => {
                diags.push(d);
                Vec::new()
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn parse_ok(text: &str) -> (Workflow, Vec<Diagnostic>) {
        let mut d = Vec::new();
        let w = parse(text, DocId::Workflow, &mut d).unwrap();
        (w, d)
    }

    #[test]
    fn on_forms() {
        let (w, _) = parse_ok("on: push\njobs: {}\n");
        assert_eq!(w.triggers.iter().map(|t| t.event.value.as_str()).collect::<Vec<_>>(), ["push"]);
        let (w, _) = parse_ok("on: [push, pull_request]\njobs: {}\n");
        assert_eq!(w.triggers.len(), 2);
        let (w, _) = parse_ok(
            "on:\n  push:\n    branches: [main, 'releases/**']\n    tags: v*\n  workflow_dispatch:\n    inputs:\n      env:\n        default: staging\njobs: {}\n",
        );
        assert_eq!(w.triggers[0].branches.as_deref(), Some(&["main".to_string(), "releases/**".to_string()][..]));
        assert_eq!(w.triggers[0].tags.as_deref(), Some(&["v*".to_string()][..]));
        assert_eq!(w.input_defaults, vec![("env".to_string(), serde_json::json!("staging"))]);
    }

    // D-TOK: write-all / read-all / {} / map; `read` is rejected for id-token.
    #[test]
    fn permissions_forms() {
        let cases = [
            ("permissions: write-all", Some(IdToken::Write)),
            ("permissions: read-all", Some(IdToken::None)),
            ("permissions: {}", Some(IdToken::None)),
            ("permissions:\n  id-token: write", Some(IdToken::Write)),
            ("permissions:\n  contents: read", Some(IdToken::None)),
        ];
        for (p, want) in cases {
            let (w, _) = parse_ok(&format!("on: push\n{p}\njobs: {{}}\n"));
            assert_eq!(w.permissions.map(|p| p.id_token), want, "{p}");
        }
        let (_, d) = parse_ok("on: push\npermissions:\n  id-token: read\njobs: {}\n");
        assert!(d.iter().any(|d| d.severity == Severity::Error && d.message.contains("Unexpected value 'read'")));
    }

    #[test]
    fn jobs_and_unknown_keys() {
        let (w, d) = parse_ok(
            "on: push\njobs:\n  a:\n    environment:\n      name: prod\n      url: https://x\n    runs-on: x\n    enviroment: typo\n    steps:\n      - uses: azure/login@v2\n        with:\n          audience: x\n      - run: echo\n  b:\n    uses: ./.github/workflows/r.yml\n    with:\n      env: prod\n",
        );
        assert_eq!(w.jobs.len(), 2);
        assert_eq!(w.jobs[0].environment.as_ref().unwrap().value, "prod");
        assert_eq!(w.jobs[0].steps.len(), 1);
        assert_eq!(w.jobs[1].uses.as_ref().unwrap().value, "./.github/workflows/r.yml");
        let warn = d.iter().find(|d| d.message.contains("enviroment")).unwrap();
        assert_eq!(warn.severity, Severity::Warning);
        assert!(warn.message.contains("did you mean `environment`"));
    }

    #[test]
    fn wrong_types_are_located_errors() {
        let (w, d) = parse_ok("on: push\njobs:\n  a: 3\n  b:\n    steps: nope\n");
        assert_eq!(w.jobs.len(), 1);
        assert!(d.iter().all(|d| d.span.is_some()));
        assert_eq!(d.len(), 2);
        let mut d = Vec::new();
        assert!(parse("- a\n", DocId::Workflow, &mut d).is_none());
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn githubs_workflow_limits() {
        // 257 jobs: refused at the 257th.
        let jobs: String = (0..=MAX_JOBS).map(|i| format!("  j{i}: {{runs-on: x, steps: [{{run: a}}]}}\n")).collect();
        let text = format!("on: push\njobs:\n{jobs}");
        let mut d = Vec::new();
        let w = parse(&text, DocId::Workflow, &mut d).unwrap();
        assert!(w.jobs.is_empty());
        let e: Vec<_> = d.iter().filter(|d| d.severity == crate::diagnostic::Severity::Error).collect();
        assert!(e[0].message.contains("257 jobs") && e[0].message.contains("at most 256"), "{}", e[0].message);
        assert!(text[e[0].span.unwrap().start as usize..].starts_with("j256"));
        // Duplicate keys, ignoring case as GitHub does.
        let (_, d) = parse_ok("on: push\nOn: pull_request\njobs:\n  a: {runs-on: x, steps: [{run: a}]}\n");
        assert!(d.iter().any(|d| d.message.starts_with("'On' is already defined (as 'on')")), "{d:?}");
        // File size.
        let big = format!("on: push\njobs: {{}}\n{}", "#\n".repeat(MAX_FILE_BYTES / 2));
        let mut d = Vec::new();
        assert!(parse(&big, DocId::Workflow, &mut d).is_none());
        assert!(d[0].message.contains("500 KB"), "{d:?}");
    }
}
