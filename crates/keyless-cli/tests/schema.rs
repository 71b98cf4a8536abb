//! docs/scenario.schema.json (what editors use through the
//! `# yaml-language-server: $schema=…` modeline) stays in sync with the
//! parser: every scenario in tests/fixtures and examples validates, the
//! schema's fields are exactly the fields the parser accepts, and a typo
//! is refused by both.

use keyless_core::analysis::expectations::{CLOUD_EXPECT_KEYS, EXPECT_KEYS};
use keyless_core::doc;
use keyless_core::github::environment::ENVIRONMENT_KEYS;
use keyless_core::scenario::{EVENT_KEYS, ISSUER_KEYS, OPTION_KEYS, SUBJECT_KEYS, TOP_LEVEL_KEYS};
use keyless_core::span::DocId;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn schema() -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo_root().join("docs/scenario.schema.json")).unwrap()).unwrap()
}

/// Scenario files: fixtures (their `scenario:`) and examples.
fn scenarios() -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    for dir in ["tests/fixtures", "examples", "examples/check", "examples/terraform"] {
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(repo_root().join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
        files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
        files.sort();
        for p in files {
            let text = std::fs::read_to_string(&p).unwrap();
            let root = doc::parse(&text, DocId::Scenario).unwrap().to_json();
            let scenario = if root.get("repository").is_none() { root["scenario"].clone() } else { root };
            out.push((p, scenario));
        }
    }
    out
}

#[test]
fn every_fixture_and_example_validates() {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    let all = scenarios();
    assert!(all.len() >= 15, "{}", all.len());
    for (path, scenario) in &all {
        let errors: Vec<String> =
            validator.iter_errors(scenario).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        // And the parser accepts what the schema accepts (reading the files
        // a section references, as the CLI does).
        let text = serde_json::to_string(scenario).unwrap();
        let dir = path.parent().unwrap().to_path_buf();
        let read = move |written: &str| {
            let p = dir.join(written);
            (p.display().to_string(), std::fs::read_to_string(&p).map_err(|e| e.to_string()))
        };
        let loaded = keyless_core::output::load_file("s", &text, &keyless_core::Clouds::ALL, Some(&read));
        assert!(loaded.scenario.is_ok(), "{}: {:?}", path.display(), loaded.scenario.err());
    }
    // A typo is refused by both.
    let (_, mut bad) = all.into_iter().next().unwrap();
    bad.as_object_mut().unwrap().insert("default_brnch".into(), "main".into());
    assert!(!validator.is_valid(&bad));
    let node = doc::parse(&serde_json::to_string(&bad).unwrap(), DocId::Scenario).unwrap();
    assert!(keyless_core::Scenario::from_node(&node).is_err());
}

fn keys(v: &Value) -> BTreeSet<String> {
    v["properties"].as_object().unwrap().keys().cloned().collect()
}

fn set(k: &[&str]) -> BTreeSet<String> {
    k.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_schema_has_exactly_the_fields_the_parser_accepts() {
    let s = schema();
    let p = &s["properties"];
    assert_eq!(keys(&s), set(TOP_LEVEL_KEYS));
    assert_eq!(keys(&p["event"]), set(EVENT_KEYS));
    assert_eq!(keys(&p["subject"]), set(SUBJECT_KEYS));
    assert_eq!(keys(&p["issuer"]), set(ISSUER_KEYS));
    assert_eq!(keys(&p["options"]), set(OPTION_KEYS));
    assert_eq!(keys(&p["environments"]["additionalProperties"]), set(ENVIRONMENT_KEYS));
    assert_eq!(keys(&p["expect"]), set(EXPECT_KEYS));
    assert_eq!(keys(&s["$defs"]["cloud_expect"]), set(CLOUD_EXPECT_KEYS));
    assert_eq!(keys(&s["$defs"]["reference"]), set(keyless_core::scenario::reference::REFERENCE_KEYS));
    assert_eq!(s["$defs"]["reference"]["additionalProperties"], false);
    for object in [&s, &p["event"], &p["subject"], &p["issuer"], &p["options"], &p["expect"]] {
        assert_eq!(object["additionalProperties"], false);
    }
}

#[test]
fn the_readme_and_examples_reference_the_schema_with_the_modeline() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    assert!(readme.contains(
        "# yaml-language-server: $schema=https://raw.githubusercontent.com/OWNER/keyless/main/docs/scenario.schema.json"
    ));
    let example = std::fs::read_to_string(repo_root().join("examples/check/aws-main-only.yaml")).unwrap();
    assert!(example.starts_with("# yaml-language-server: $schema=../../docs/scenario.schema.json"));
}
