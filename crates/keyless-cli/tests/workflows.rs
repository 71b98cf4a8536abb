//! The shipped workflows (the release workflow, the organisation-scan
//! example) parsed and checked for what they promise: least privilege per
//! job, actions pinned by commit SHA, no credentials persisted, and the org
//! scan's sharding (its shell run for real on a list of repositories).
//! zizmor scans them too (see README "GitHub Action").

use keyless_core::doc::{self, Node};
use keyless_core::span::DocId;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn load(rel: &str) -> Value {
    let text = std::fs::read_to_string(repo_root().join(rel)).unwrap();
    let node: Node = doc::parse(&text, DocId::Workflow).unwrap();
    node.to_json()
}

fn steps(job: &Value) -> &Vec<Value> {
    job["steps"].as_array().unwrap()
}

/// Every `uses:` of another repository is pinned to a 40-hex commit;
/// `checkout` never persists credentials.
fn check_pins(wf: &Value, allow_placeholder: &str) {
    for (name, job) in wf["jobs"].as_object().unwrap() {
        assert!(job.get("permissions").is_some(), "job {name} has no explicit permissions");
        for step in steps(job) {
            let Some(uses) = step["uses"].as_str() else { continue };
            let (action, pin) = uses.split_once('@').unwrap();
            if action == allow_placeholder {
                continue;
            }
            assert!(pin.len() == 40 && pin.chars().all(|c| c.is_ascii_hexdigit()), "{name}: {uses} is not pinned");
            if action == "actions/checkout" {
                assert_eq!(step["with"]["persist-credentials"], false, "{name}: checkout persists credentials");
            }
        }
    }
}

#[test]
fn release_builds_every_runner_of_the_action_with_least_privilege() {
    let wf = load(".github/workflows/release.yml");
    assert_eq!(wf["on"]["push"]["tags"], serde_json::json!(["v*"]));
    assert_eq!(wf["permissions"], serde_json::json!({}));
    check_pins(&wf, "");
    let build = &wf["jobs"]["build"];
    assert_eq!(build["permissions"], serde_json::json!({"contents": "read"}));
    let targets: Vec<&str> = build["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    // The targets action/entry.sh downloads.
    let entry = std::fs::read_to_string(repo_root().join("action/entry.sh")).unwrap();
    for t in &targets {
        assert!(entry.contains(&format!(") echo {t} ;;")), "entry.sh does not install {t}");
    }
    assert_eq!(targets.len(), 5);
    let publish = &wf["jobs"]["publish"];
    assert_eq!(
        publish["permissions"],
        serde_json::json!({"contents": "write", "id-token": "write", "attestations": "write"})
    );
    assert!(
        steps(publish)
            .iter()
            .any(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/attest-build-provenance@")))
    );
    let text = serde_json::to_string(&wf).unwrap();
    assert!(text.contains("SHA256SUMS"));
}

#[test]
fn the_org_scan_example_shards_repositories_and_uploads_sarif_per_shard() {
    let wf = load("examples/org-scan/org-scan.yml");
    assert_eq!(wf["permissions"], serde_json::json!({}));
    check_pins(&wf, "OWNER/keyless");
    let scan = &wf["jobs"]["scan"];
    assert_eq!(scan["strategy"]["matrix"]["shard"], "${{ fromJSON(needs.plan.outputs.shards) }}");
    assert_eq!(scan["permissions"]["security-events"], "write");
    let keyless =
        steps(scan).iter().find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("OWNER/keyless@"))).unwrap();
    assert_eq!(keyless["with"]["upload-sarif"], "true");
    assert!(keyless["with"]["sarif-category"].as_str().unwrap().contains("${{ matrix.shard }}"));

    // The planning step's shell, run on 60 repositories (and a junk line):
    // three shards of 25.
    let plan = steps(&wf["jobs"]["plan"]).iter().find(|s| s["id"] == "shards").unwrap();
    let dir = std::env::temp_dir().join(format!("keyless-org-scan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut repos: Vec<String> = (0..60).map(|i| format!("my-org/repo-{i}")).collect();
    repos.push("not a repository; rm -rf /".into());
    std::fs::write(dir.join("keyless-repos.txt"), repos.join("\n") + "\n").unwrap();
    std::fs::write(dir.join("out"), "").unwrap();
    let o = std::process::Command::new("bash")
        .args(["-eo", "pipefail", "-c", plan["run"].as_str().unwrap()])
        .current_dir(&dir)
        .env("SHARD_SIZE", plan["env"]["SHARD_SIZE"].as_str().unwrap())
        .env("GITHUB_OUTPUT", dir.join("out"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_to_string(dir.join("out")).unwrap().trim(), "shards=[0,1,2]");
}
