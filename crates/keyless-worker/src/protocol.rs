//! The worker protocol (version [`VERSION`]): JSON strings both ways, so the
//! page parses them with `serde_json::Value` and links no analysis types.
//!
//! - worker → page, once loaded: `{"v":1,"type":"ready"}` (messages sent
//!   before the wasm is instantiated would be dropped, so the page waits).
//! - page → worker: `{"v":1,"id":N,"scenario":"<ScenarioDraft::to_yaml()>"}`.
//! - worker → page: `{"v":1,"type":"analysis","id":N,"findings":[..],
//!   "matrix":{..},"suggestions":[..]}` where each finding carries `doc`
//!   (`workflow`, `scenario` or a relying party's key: `aws`, `vault`, …), and, when
//!   located, byte `start`/`end` and 1-based `line`/`col` in that editor's
//!   text; each suggestion carries `rejects_unintended_runs`, the number of
//!   unintended what-if rows this cloud judges minus those it cannot tell
//!   apart; `html` is the panel rendered (see `render`), and `marks` the
//!   located findings as `doc:line:id` separated by spaces, for the
//!   editors' gutters. Errors: `{"v":1,"type":"error","id":N,"message":".."}`.

use keyless_core::analysis::{self, Analysis};
use keyless_core::draft::ScenarioDraft;
use keyless_core::engine;
use keyless_core::span::{DocId, LineIndex};
use keyless_core::verdict::Cloud;
use serde_json::{Map, Value, json};

/// Bumped on any incompatible change of the messages above.
pub const VERSION: u64 = 1;

/// The message the worker posts once it can take requests.
pub fn ready() -> String {
    json!({ "v": VERSION, "type": "ready" }).to_string()
}

/// Answers one request (a JSON string) with one response (a JSON string).
pub fn handle(request: &str) -> String {
    let parsed: Value = serde_json::from_str(request).unwrap_or(Value::Null);
    let id = parsed.get("id").cloned().unwrap_or(Value::Null);
    if parsed.get("v").and_then(Value::as_u64) != Some(VERSION) {
        return error(&id, &format!("unsupported protocol version (this worker speaks v{VERSION})"));
    }
    let Some(yaml) = parsed.get("scenario").and_then(Value::as_str) else {
        return error(&id, "the request has no `scenario` text");
    };
    let (draft, _) = ScenarioDraft::from_yaml(yaml);
    let (scenario, _) = draft.build();
    let report = engine::evaluate(&scenario);
    let analysis = analysis::analyze(&scenario, &report);
    respond(&id, &draft, &analysis)
}

fn error(id: &Value, message: &str) -> String {
    json!({ "v": VERSION, "type": "error", "id": id, "message": message }).to_string()
}

fn respond(id: &Value, draft: &ScenarioDraft, analysis: &Analysis) -> String {
    // One line index per editor, built on first use (not one per finding).
    let mut indexes: Vec<(DocId, LineIndex)> = Vec::new();
    let findings: Vec<Value> = analysis
        .findings
        .iter()
        .map(|f| {
            let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut v {
                let doc = f.location.map_or(DocId::Scenario, |s| s.doc);
                map.insert("doc".into(), Value::from(doc_key(doc)));
                if let Some(span) = f.location {
                    let text = editor_text(draft, span.doc);
                    let at = match indexes.iter().find(|(d, _)| *d == span.doc) {
                        Some((_, index)) => index.line_col(text, span.start),
                        None => {
                            let index = LineIndex::new(text);
                            let at = index.line_col(text, span.start);
                            indexes.push((span.doc, index));
                            at
                        }
                    };
                    map.insert("start".into(), Value::from(span.start));
                    map.insert("end".into(), Value::from(span.end));
                    map.insert("line".into(), Value::from(at.line));
                    map.insert("col".into(), Value::from(at.col));
                }
            }
            v
        })
        .collect();
    let suggestions: Vec<Value> = analysis
        .suggestions
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
            let judged = analysis
                .matrix
                .rows
                .iter()
                .filter(|r| {
                    r.expectation == analysis::blast_radius::Expectation::Unintended && r.cells.contains_key(&s.cloud)
                })
                .count();
            let rejects = judged.saturating_sub(s.verified.indistinguishable.len());
            if let Value::Object(map) = &mut v {
                map.insert("rejects_unintended_runs".into(), Value::from(rejects));
            }
            v
        })
        .collect();
    let mut out = Map::new();
    out.insert("v".into(), Value::from(VERSION));
    out.insert("type".into(), Value::from("analysis"));
    out.insert("id".into(), id.clone());
    out.insert("findings".into(), Value::Array(findings));
    out.insert("matrix".into(), serde_json::to_value(&analysis.matrix).unwrap_or(Value::Null));
    out.insert("suggestions".into(), Value::Array(suggestions));
    let mut out = Value::Object(out);
    let marks: Vec<String> = analysis
        .findings
        .iter()
        .zip(list(&out, "findings"))
        .filter_map(|(f, v)| Some(format!("{}:{}:{}", doc_key(f.location?.doc), v.get("line")?, f.id)))
        .collect();
    let html = crate::render::panel(&out);
    if let Value::Object(map) = &mut out {
        map.insert("marks".into(), Value::from(marks.join(" ")));
        map.insert("html".into(), Value::from(html));
    }
    out.to_string()
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// The editor a span points into, as the page names it.
fn doc_key(doc: DocId) -> &'static str {
    match doc {
        DocId::Workflow | DocId::Reusable(_) => "workflow",
        DocId::Scenario | DocId::File(_) => "scenario",
        party => Cloud::of_doc(party).map_or("scenario", Cloud::key),
    }
}

fn editor_text(draft: &ScenarioDraft, doc: DocId) -> &str {
    match doc {
        DocId::Workflow => &draft.workflow,
        party => Cloud::of_doc(party).map_or("", |c| draft.cloud_text(c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_other_versions() {
        let out: Value = serde_json::from_str(&handle(r#"{"v":99,"id":3,"scenario":""}"#)).unwrap();
        assert_eq!(out["type"], "error");
        assert_eq!(out["id"], 3);
    }

    #[test]
    fn locates_findings_in_the_editor_text() {
        let draft = ScenarioDraft {
            workflow: "on: push\npermissions:\n  id-token: write\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r\n".into(),
            aws: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n    \"Effect\": \"Allow\",\n    \"Principal\": {\"Federated\": \"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com\"},\n    \"Action\": \"sts:AssumeRoleWithWebIdentity\",\n    \"Condition\": {\"StringEquals\": {\"token.actions.githubusercontent.com:aud\": \"sts.amazonaws.com\"},\n      \"StringLike\": {\"token.actions.githubusercontent.com:sub\": \"repo:my-org/*\"}}\n  }]\n}\n".into(),
            ..ScenarioDraft::default()
        };
        let request = json!({ "v": 1, "id": 7, "scenario": draft.to_yaml() }).to_string();
        let out: Value = serde_json::from_str(&handle(&request)).unwrap();
        assert_eq!(out["type"], "analysis");
        assert_eq!(out["id"], 7);
        let findings = out["findings"].as_array().unwrap();
        let aws: Vec<&Value> = findings.iter().filter(|f| f["doc"] == "aws").collect();
        assert!(!aws.is_empty(), "{findings:?}");
        for f in aws {
            let line = f["line"].as_u64().unwrap() as usize;
            let start = f["start"].as_u64().unwrap() as usize;
            assert_eq!(draft.aws[..start].matches('\n').count() + 1, line);
        }
        assert!(out["matrix"]["rows"].as_array().is_some_and(|r| !r.is_empty()));
        assert!(out["suggestions"].as_array().is_some_and(|s| s.iter().any(|s| s["cloud"] == "aws")));
        assert!(out["html"].as_str().unwrap().contains("data-testid=\"matrix\""));
        assert!(out["marks"].as_str().unwrap().contains("aws:"));
    }
}
