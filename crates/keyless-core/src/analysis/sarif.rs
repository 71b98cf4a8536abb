//! SARIF 2.1.0 output for GitHub code scanning: one run, the catalogue as
//! rules, one result per finding with a line/column region. Sources: SARIF
//! 2.1.0 (OASIS) and GitHub's "SARIF support for code scanning"
//! (`security-severity` property drives the alert severity; every result
//! needs a location).

use super::findings::{Finding, FindingSeverity, catalogue};
use super::suppress::Suppression;
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

/// The repository's public home: rule help links into its docs. `OWNER`
/// is the placeholder the README uses too.
pub const REPOSITORY_URL: &str = "https://github.com/OWNER/keyless";

/// The stable link to a rule's section of docs/findings.md (GitHub's
/// heading anchor: the id in lower case).
pub fn help_uri(id: &str) -> String {
    format!("{REPOSITORY_URL}/blob/main/docs/findings.md#{}", id.to_ascii_lowercase())
}

/// A source as a link a reader can follow: URLs as they are, repository
/// files as links to the repository.
fn public_source(source: &str) -> String {
    if source.starts_with("https://") { source.to_string() } else { format!("{REPOSITORY_URL}/blob/main/{source}") }
}

fn rules() -> Vec<Value> {
    catalogue()
        .iter()
        .map(|e| {
            let source = public_source(e.source);
            let text = format!("{}\n\nFix: {}\n\nSource: {source}", e.rationale, e.fix);
            let markdown = format!(
                "{}\n\n**Fix:** {}\n\n**Source:** <{source}>\n\n[Keyless findings catalogue: {}]({})",
                e.rationale,
                e.fix,
                e.id,
                help_uri(e.id)
            );
            json!({
                "id": e.id,
                "name": e.id.replace('-', ""),
                "shortDescription": {"text": e.title},
                "fullDescription": {"text": e.rationale},
                "help": {"text": text, "markdown": markdown},
                "helpUri": help_uri(e.id),
                "defaultConfiguration": {"level": level(e.severity)},
                "properties": {
                    "tags": ["security", "oidc"],
                    "precision": "high",
                    "security-severity": security_severity(e.severity),
                },
            })
        })
        .collect()
}

/// Names that are not files (standard input is `<stdin>`).
fn is_pseudo_file(name: &str) -> bool {
    name.starts_with('<') || name == "-"
}

/// A path relative to the repository root as a relative URI reference:
/// `/` separators, no leading `./`, reserved and non-ASCII bytes
/// percent-encoded (RFC 3986 §2.1).
pub fn relative_uri(path: &str) -> String {
    let path = super::suppress::normalize_path(path);
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// FNV-1a, 64 bits: a stable hash with no dependency, for fingerprints.
fn fnv1a(data: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The SARIF log for `findings` over `files` (`(name, text)`, where
/// `DocId::File(i)` is `files[i]`; names are paths relative to the
/// repository root). Findings located elsewhere are reported at line 1 of
/// the first file (code scanning needs a location).
pub fn to_sarif(findings: &[Finding], files: &[(String, String)]) -> Value {
    to_sarif_with(findings, &[], files)
}

/// As [`to_sarif`], with each finding's suppression (same order as
/// `findings`; missing entries are unsuppressed). Suppressed findings stay
/// in the log with a `suppressions` entry and its justification.
pub fn to_sarif_with(findings: &[Finding], suppressions: &[Option<Suppression>], files: &[(String, String)]) -> Value {
    let indexes: Vec<LineIndex> = files.iter().map(|(_, t)| LineIndex::new(t)).collect();
    let mut seen: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
    let results: Vec<Value> = findings
        .iter()
        .enumerate()
        .map(|(n, f)| {
            let rule_index = catalogue().iter().position(|e| e.id == f.id);
            let mut line_text = "";
            let (file, region) = match f.location {
                Some(span) => match span.doc {
                    DocId::File(i) => {
                        let i = usize::from(i);
                        match (files.get(i), indexes.get(i)) {
                            (Some((_, text)), Some(idx)) => {
                                let a = idx.line_col(text, span.start);
                                let b = idx.line_col(text, span.end);
                                line_text = text.lines().nth((a.line as usize).saturating_sub(1)).unwrap_or_default();
                                (i, json!({"startLine": a.line, "startColumn": a.col, "endLine": b.line, "endColumn": b.col.max(if b.line == a.line { a.col + 1 } else { 1 })}))
                            }
                            _ => (0, json!({"startLine": 1})),
                        }
                    }
                    _ => (0, json!({"startLine": 1})),
                },
                None => (0, json!({"startLine": 1})),
            };
            let name = files.get(file).map_or("", |(n, _)| n.as_str());
            let artifact = if is_pseudo_file(name) {
                json!({"description": {"text": "standard input"}})
            } else {
                json!({"uri": relative_uri(name), "uriBaseId": "%SRCROOT%"})
            };
            let mut message = f.message.clone();
            if let Some(c) = f.cloud {
                message = format!("[{}] {message}", c.title());
            }
            // Stable across unrelated edits that move the line: the rule,
            // the file, the cloud and the located line's text, plus an
            // occurrence count for identical keys.
            let key = format!(
                "{}\u{0}{}\u{0}{}\u{0}{}",
                f.id,
                super::suppress::normalize_path(name),
                f.cloud.map(|c| c.key()).unwrap_or_default(),
                line_text.trim()
            );
            let hash = fnv1a(&key);
            let count = seen.entry(hash).or_insert(0);
            *count += 1;
            let mut r = json!({
                "ruleId": f.id,
                "level": level(f.severity),
                "message": {"text": format!("{}: {message}", f.title)},
                "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": region}}],
                "partialFingerprints": {"keylessFindingHash/v1": format!("{hash:016x}:{count}")},
                "properties": {"severity": f.severity.as_str()},
            });
            if let Some(obj) = r.as_object_mut() {
                if let Some(i) = rule_index {
                    obj.insert("ruleIndex".into(), json!(i));
                }
                if let Some(Some(s)) = suppressions.get(n) {
                    obj.insert(
                        "suppressions".into(),
                        json!([{"kind": s.kind, "status": "accepted", "justification": s.justification}]),
                    );
                }
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
                "version": crate::VERSION,
                "informationUri": REPOSITORY_URL,
                "rules": rules(),
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository root."}}},
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_links_to_its_section_and_cites_no_internal_note() {
        let doc = include_str!("../../../../docs/findings.md");
        for rule in rules() {
            let id = rule["id"].as_str().unwrap_or_default();
            assert!(doc.contains(&format!("\n## {id}\n")), "{id} has no section in docs/findings.md");
            assert_eq!(rule["helpUri"], json!(help_uri(id)));
            let help = rule["help"]["markdown"].as_str().unwrap_or_default();
            for internal in ["research", "§", "peers-and-anchors", "shared/", "seed guide"] {
                assert!(!help.contains(internal), "{id} cites an internal note ({internal}): {help}");
            }
        }
    }

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(relative_uri("./infra/my role.json"), "infra/my%20role.json");
        assert_eq!(relative_uri(".github\\workflows\\a.yml"), ".github/workflows/a.yml");
    }
}
