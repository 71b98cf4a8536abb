//! `keyless lint FILE...`: findings on workflows, trust configurations and
//! scenario files on their own; text, JSON or SARIF; a non-zero exit when a
//! finding reaches the chosen severity.

use crate::{Format, parse_format_args, read_input, usage_error};
use keyless_core::analysis::{Finding, FindingSeverity, lint, sarif};
use keyless_core::span::{DocId, LineIndex};
use serde_json::json;
use std::process::ExitCode;

fn severity_rank(s: FindingSeverity) -> u8 {
    match s {
        FindingSeverity::Critical => 4,
        FindingSeverity::High => 3,
        FindingSeverity::Medium => 2,
        FindingSeverity::Low => 1,
        FindingSeverity::Info => 0,
    }
}

fn parse_fail_on(v: &str) -> Option<Option<u8>> {
    Some(Some(match v {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        "info" => 0,
        "never" => return Some(None),
        _ => return None,
    }))
}

pub fn run(args: &[String]) -> ExitCode {
    let (format, rest) = match parse_format_args(args, Format::Text) {
        Ok(x) => x,
        Err(e) => return usage_error(&e),
    };
    let mut fail_on = Some(3);
    let mut paths = Vec::new();
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        let value =
            if a == "--fail-on" { it.next().cloned() } else { a.strip_prefix("--fail-on=").map(str::to_string) };
        match (a.starts_with("--fail-on"), value) {
            (true, Some(v)) => match parse_fail_on(&v) {
                Some(f) => fail_on = f,
                None => return usage_error(&format!("unknown severity `{v}`")),
            },
            (true, None) => return usage_error("--fail-on needs a severity"),
            (false, _) => paths.push(a.clone()),
        }
    }
    if paths.is_empty() {
        return usage_error("lint takes one or more files");
    }
    let mut files = Vec::new();
    for p in &paths {
        match read_input(p) {
            Ok(f) => files.push(f),
            Err(e) => {
                crate::output::stderr(&format!("keyless: {e}"));
                return ExitCode::from(2);
            }
        }
    }
    let lint::Linted { findings, invalid } = lint::lint_files(&files);
    // One line index per file, built once: a file with many findings must
    // not rebuild it for each (that was quadratic in the file's size).
    let files = Files::new(&files);
    let out = match format {
        Format::Sarif => {
            serde_json::to_string_pretty(&sarif::to_sarif(&findings, files.texts)).unwrap_or_default() + "\n"
        }
        Format::Json => {
            let items: Vec<_> = findings.iter().map(|f| finding_json(f, &files)).collect();
            serde_json::to_string_pretty(&json!({ "findings": items })).unwrap_or_default() + "\n"
        }
        Format::Text => {
            let mut s = String::new();
            for f in &findings {
                let at = location(f, &files).map(|l| format!("{l}: ")).unwrap_or_default();
                let cloud = f.cloud.map(|c| format!(" [{}]", c.key())).unwrap_or_default();
                s.push_str(&format!("{at}{} {}{cloud}: {}\n", f.severity.as_str(), f.id, f.message));
                if !f.fix.is_empty() {
                    s.push_str(&format!("    fix: {}\n", f.fix));
                }
            }
            s.push_str(&format!("{} finding(s) in {} file(s)\n", findings.len(), files.texts.len()));
            s.push_str(&crate::render::sources_footer(
                findings.iter().flat_map(|f| [f.message.as_str(), f.fix.as_str()]),
            ));
            s
        }
    };
    if let Err(code) = crate::output::stdout(&out) {
        return code;
    }
    // Invalid input is never a clean run, whatever --fail-on says.
    if !invalid.is_empty() {
        return ExitCode::from(2);
    }
    let failing = fail_on.is_some_and(|min| findings.iter().any(|f| severity_rank(f.severity) >= min));
    if failing { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// The linted files with their line indexes.
struct Files<'a> {
    texts: &'a [(String, String)],
    indexes: Vec<LineIndex>,
}

impl<'a> Files<'a> {
    fn new(texts: &'a [(String, String)]) -> Files<'a> {
        Files { texts, indexes: texts.iter().map(|(_, t)| LineIndex::new(t)).collect() }
    }
}

/// `file:line:col` of a finding located in `DocId::File(i)`.
fn location(f: &Finding, files: &Files<'_>) -> Option<String> {
    let span = f.location?;
    let DocId::File(i) = span.doc else { return None };
    let (name, text) = files.texts.get(usize::from(i))?;
    let lc = files.indexes.get(usize::from(i))?.line_col(text, span.start);
    Some(format!("{name}:{}:{}", lc.line, lc.col))
}

fn finding_json(f: &Finding, files: &Files<'_>) -> serde_json::Value {
    let mut v = serde_json::to_value(f).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("location".into(), json!(location(f, files)));
    }
    v
}
