//! SARIF 2.1.0 output for GitHub code scanning: one run, the catalogue as
//! rules, one result per finding with a line/column region. Sources: SARIF
//! 2.1.0 (OASIS) and GitHub's "SARIF support for code scanning"
//! (`security-severity` property drives the alert severity; every result
//! needs a location).

use super::findings::{Finding, FindingSeverity, catalogue};
use crate::span::{DocId, LineIndex};
use serde_json::{Value, json};

/// SARIF `level` for a severity.
pub fn level(s: FindingSeverity) -> &'static str {
    match s {
        FindingSeverity::Critical | FindingSeverity::High => "error",
        FindingSeverity::Medium => "warning",
        FindingSeverity::Low | FindingSeverity::Info => "note",
    }
}

/// GitHub's numeric `security-severity` (≥9 critical, ≥7 high, ≥4 medium).
fn security_severity(s: FindingSeverity) -> &'static str {
    match s {
        FindingSeverity::Critical => "9.5",
        FindingSeverity::High => "8.0",
        FindingSeverity::Medium => "5.5",
        FindingSeverity::Low => "3.0",
        FindingSeverity::Info => "1.0",
    }
}

fn rules() -> Vec<Value> {
    catalogue()
        .iter()
        .map(|e| {
            let help = format!("{}\n\nFix: {}\n\nSource: {}", e.rationale, e.fix, e.source);
            let mut rule = json!({
                "id": e.id,
                "name": e.id.replace('-', ""),
                "shortDescription": {"text": e.title},
                "fullDescription": {"text": e.rationale},
                "help": {"text": help, "markdown": help},
                "defaultConfiguration": {"level": level(e.severity)},
                "properties": {
                    "tags": ["security", "oidc"],
                    "precision": "high",
                    "security-severity": security_severity(e.severity),
                },
            });
            if let (true, Some(obj)) = (e.source.starts_with("https://"), rule.as_object_mut()) {
                obj.insert("helpUri".into(), json!(e.source));
            }
            rule
        })
        .collect()
}

/// The SARIF log for `findings` over `files` (`(name, text)`, where
/// `DocId::File(i)` is `files[i]`). Findings located elsewhere are reported
/// at line 1 of the first file (code scanning needs a location).
pub fn to_sarif(findings: &[Finding], files: &[(String, String)]) -> Value {
    let indexes: Vec<LineIndex> = files.iter().map(|(_, t)| LineIndex::new(t)).collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let rule_index = catalogue().iter().position(|e| e.id == f.id);
            let (file, region) = match f.location {
                Some(span) => match span.doc {
                    DocId::File(i) => {
                        let i = usize::from(i);
                        match (files.get(i), indexes.get(i)) {
                            (Some((_, text)), Some(idx)) => {
                                let a = idx.line_col(text, span.start);
                                let b = idx.line_col(text, span.end);
                                (i, json!({"startLine": a.line, "startColumn": a.col, "endLine": b.line, "endColumn": b.col.max(if b.line == a.line { a.col + 1 } else { 1 })}))
                            }
                            _ => (0, json!({"startLine": 1})),
                        }
                    }
                    _ => (0, json!({"startLine": 1})),
                },
                None => (0, json!({"startLine": 1})),
            };
            let uri = files.get(file).map_or("", |(n, _)| n.as_str());
            let mut message = f.message.clone();
            if let Some(c) = f.cloud {
                message = format!("[{}] {message}", c.title());
            }
            let mut r = json!({
                "ruleId": f.id,
                "level": level(f.severity),
                "message": {"text": format!("{}: {message}", f.title)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}],
                "properties": {"severity": f.severity.as_str()},
            });
            if let (Some(i), Some(obj)) = (rule_index, r.as_object_mut()) {
                obj.insert("ruleIndex".into(), json!(i));
            }
            r
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "keyless",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules(),
            }},
            "results": results,
        }],
    })
}
