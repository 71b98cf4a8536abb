//! Suppressions with a reason: a reviewed finding can be silenced, never
//! without saying why, and it stays visible to machines (SARIF
//! `suppressions`, the lint JSON's `suppressed`). Two forms:
//!
//! - a configuration file (`.keyless.yml`):
//!   ```yaml
//!   ignore:
//!     - id: KL-SUB-005
//!       paths: [infra/sandbox/*]
//!       reason: sandbox role, no production access
//!   ```
//!   `id` is a rule id or `*`; `paths` are globs on the path relative to the
//!   repository root (`*` matches any run of characters, `/` included;
//!   no `paths` means every file); `reason` is required.
//! - an inline comment in a YAML or Terraform (HCL) file, at the end of the
//!   finding's line or alone on the line above it:
//!   `# keyless: ignore[KL-AWS-001] reason` (several ids: `ignore[A,B]`).
//!
//! The SARIF shape (`kind` `inSource` or `external`, `justification`) is
//! SARIF 2.1.0 §3.35 (<https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>),
//! which GitHub code scanning shows as dismissed alerts.

use super::findings::Finding;
use crate::diagnostic::Diagnostic;
use crate::doc::{self, Node};
use crate::glob::Glob;
use crate::span::{DocId, LineIndex, Span};
use serde::Serialize;

/// Where a suppression was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SuppressionKind {
    /// A comment in the file itself.
    #[serde(rename = "inSource")]
    InSource,
    /// The configuration file.
    #[serde(rename = "external")]
    External,
}

/// Why a finding is suppressed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub justification: String,
}

/// One `ignore:` entry of the configuration file.
#[derive(Clone, Debug)]
pub struct IgnoreRule {
    pub id: String,
    pub paths: Vec<String>,
    pub reason: String,
    pub span: Span,
}

/// The configuration file.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub ignore: Vec<IgnoreRule>,
}

const CONFIG_KEYS: &[&str] = &["ignore"];
const RULE_KEYS: &[&str] = &["id", "paths", "reason"];

/// Parses `.keyless.yml`. Errors are located in `doc_id`.
pub fn parse_config(text: &str, doc_id: DocId) -> Result<Config, Vec<Diagnostic>> {
    let root = doc::parse(text, doc_id).map_err(|d| vec![d])?;
    let mut errors = Vec::new();
    let mut config = Config::default();
    if root.is_null() {
        return Ok(config);
    }
    if let Err(d) = root.expect_map("the configuration") {
        return Err(vec![d]);
    }
    crate::spelling::check_keys(&root, CONFIG_KEYS, "the configuration", &mut errors);
    let rules = root.get("ignore").filter(|n| !n.is_null());
    for rule in rules.map(|r| r.items().unwrap_or_default()).unwrap_or_default() {
        match parse_rule(rule) {
            Ok(r) => config.ignore.push(r),
            Err(mut d) => errors.append(&mut d),
        }
    }
    if let Some(r) = rules.filter(|r| r.items().is_none()) {
        errors.push(r.type_error("`ignore`", "a list of {id, paths, reason}"));
    }
    if errors.is_empty() { Ok(config) } else { Err(errors) }
}

fn parse_rule(n: &Node) -> Result<IgnoreRule, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    if let Err(d) = n.expect_map("an `ignore` entry") {
        return Err(vec![d]);
    }
    crate::spelling::check_keys(n, RULE_KEYS, "an `ignore` entry", &mut errors);
    let text = |key: &str, errors: &mut Vec<Diagnostic>| match n.get(key) {
        None => {
            errors.push(Diagnostic::at(format!("an `ignore` entry needs `{key}`"), n.span));
            String::new()
        }
        Some(v) => match v.expect_scalar(&format!("`{key}`")) {
            Ok(s) if s.value.trim().is_empty() => {
                errors.push(Diagnostic::at(format!("`{key}` must not be empty"), v.span));
                String::new()
            }
            Ok(s) => s.value,
            Err(d) => {
                errors.push(d);
                String::new()
            }
        },
    };
    let id = text("id", &mut errors);
    let reason = text("reason", &mut errors);
    let mut paths = Vec::new();
    match n.get("paths").filter(|p| !p.is_null()) {
        None => {}
        Some(p) => match p.items() {
            Some(items) => {
                for i in items {
                    match i.expect_scalar("a path glob") {
                        Ok(s) => paths.push(s.value),
                        Err(d) => errors.push(d),
                    }
                }
            }
            None => match p.expect_scalar("`paths`") {
                Ok(s) => paths.push(s.value),
                Err(d) => errors.push(d),
            },
        },
    }
    if errors.is_empty() { Ok(IgnoreRule { id, paths, reason, span: n.span }) } else { Err(errors) }
}

/// A path as written in reports and matched by `paths`: `/` separators, no
/// leading `./`.
pub fn normalize_path(path: &str) -> String {
    let p = path.replace('\\', "/");
    let mut s = p.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

impl Config {
    /// The first entry that suppresses rule `id` in `path`.
    pub fn find(&self, id: &str, path: &str) -> Option<&IgnoreRule> {
        let path = normalize_path(path);
        self.ignore.iter().find(|r| {
            (r.id == "*" || r.id == id) && (r.paths.is_empty() || r.paths.iter().any(|g| glob_path(g).matches(&path)))
        })
    }
}

fn glob_path(pattern: &str) -> Glob {
    Glob::new(&normalize_path(pattern))
}

/// An inline comment's rule ids and reason: `keyless: ignore[ID,ID] reason`
/// somewhere after a `#` on `line` (the reason is empty when missing).
pub fn parse_inline(line: &str) -> Option<(Vec<String>, String)> {
    let hash = line.find("# keyless:").or_else(|| line.find("#keyless:"))?;
    let rest = line.get(hash..)?.trim_start_matches('#').trim_start();
    let rest = rest.strip_prefix("keyless:")?.trim_start();
    let rest = rest.strip_prefix("ignore[")?;
    let (ids, reason) = rest.split_once(']')?;
    let ids: Vec<String> = ids.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    Some((ids, reason.trim().to_string()))
}

/// Whether a line holds only a comment.
fn comment_only(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// The suppression of `f` (located in `text`, the file at `path`): an inline
/// comment on its line or alone on the line above, else a config entry.
/// Inline comments without a reason do not suppress (see [`problems`]).
pub fn suppression_for(f: &Finding, path: &str, text: &str, config: &Config) -> Option<Suppression> {
    if let Some(span) = f.location {
        let lc = LineIndex::new(text).line_col(text, span.start);
        let line_no = lc.line as usize;
        let mut lines = text.lines();
        let above = if line_no >= 2 { lines.nth(line_no - 2) } else { None };
        let this = lines.next();
        let candidates = [this, above.filter(|l| comment_only(l))];
        for line in candidates.into_iter().flatten() {
            if let Some((ids, reason)) = parse_inline(line)
                && !reason.is_empty()
                && ids.iter().any(|i| i == &f.id || i == "*")
            {
                return Some(Suppression { kind: SuppressionKind::InSource, justification: reason });
            }
        }
    }
    config.find(&f.id, path).map(|r| Suppression { kind: SuppressionKind::External, justification: r.reason.clone() })
}

/// Inline suppressions that cannot take effect (no reason), as warnings
/// located in `doc_id`.
pub fn problems(text: &str, doc_id: DocId) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        if let Some((_, reason)) = parse_inline(line)
            && reason.is_empty()
        {
            out.push(Diagnostic::warning(
                "`keyless: ignore[…]` needs a reason after the `]`: this comment suppresses nothing",
                Some(Span::new(doc_id, offset, offset + line.trim_end().len())),
            ));
        }
        offset += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    fn finding(id: &str, text: &str, needle: &str) -> Finding {
        let start = text.find(needle).unwrap();
        Finding::new(id, None, "m", Some(Span::new(DocId::File(0), start, start + 1)))
    }

    #[test]
    fn inline_comment_on_the_line_or_alone_above() {
        let text = "a: 1 # keyless: ignore[KL-SUB-005] sandbox\n# keyless: ignore[KL-AWS-001, KL-SUB-003] reviewed\nb: 2\nc: 3 # keyless: ignore[KL-SUB-005]\n";
        let none = Config::default();
        let s = suppression_for(&finding("KL-SUB-005", text, "a:"), "x.yml", text, &none).unwrap();
        assert_eq!((s.kind, s.justification.as_str()), (SuppressionKind::InSource, "sandbox"));
        assert!(suppression_for(&finding("KL-SUB-003", text, "b:"), "x.yml", text, &none).is_some());
        assert!(suppression_for(&finding("KL-SUB-001", text, "b:"), "x.yml", text, &none).is_none());
        // No reason: not suppressed, and reported.
        assert!(suppression_for(&finding("KL-SUB-005", text, "c:"), "x.yml", text, &none).is_none());
        assert_eq!(problems(text, DocId::File(0)).len(), 1);
    }

    #[test]
    fn config_entries_need_a_reason_and_match_paths() {
        let config = parse_config(
            "ignore:\n  - id: KL-SUB-005\n    paths: [infra/sandbox/*]\n    reason: sandbox only\n",
            DocId::File(0),
        )
        .unwrap();
        let text = "a: 1\n";
        let f = finding("KL-SUB-005", text, "a");
        assert!(suppression_for(&f, "./infra/sandbox/role.json", text, &config).is_some());
        assert!(suppression_for(&f, "infra/prod/role.json", text, &config).is_none());
        let errors = parse_config("ignore:\n  - id: KL-SUB-005\n    reasn: x\n", DocId::File(0)).unwrap_err();
        let messages: Vec<_> = errors.iter().map(|d| d.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains("needs `reason`")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("did you mean `reason`")), "{messages:?}");
    }
}
