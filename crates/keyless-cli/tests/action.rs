//! The GitHub Action (action.yml → action/entry.sh), run as the runner runs
//! it: a fake release (this build's `keyless` in the archive the release
//! workflow makes, with SHA256SUMS) served from a `file://` URL, the
//! runner's files (GITHUB_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), and the
//! three steps in order. Checks the checksum verification, the SARIF, the
//! summary, the annotations and the exit codes. Unix only (bash, tar, curl).
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

const VERSION: &str = env!("CARGO_PKG_VERSION");
const TARGET: &str = "x86_64-unknown-linux-gnu";

struct Runner {
    dir: PathBuf,
    release: PathBuf,
}

impl Runner {
    fn new(name: &str) -> Runner {
        let dir = std::env::temp_dir().join(format!("keyless-action-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for d in ["release", "temp", "repo/.git", "repo/infra", "repo/.github/workflows"] {
            std::fs::create_dir_all(dir.join(d)).unwrap();
        }
        for f in ["path", "output", "summary"] {
            std::fs::write(dir.join(f), "").unwrap();
        }
        // The release layout of .github/workflows/release.yml.
        let stage = dir.join("stage");
        std::fs::create_dir_all(&stage).unwrap();
        std::fs::copy(env!("CARGO_BIN_EXE_keyless"), stage.join("keyless")).unwrap();
        let release = dir.join("release").join(format!("v{VERSION}"));
        std::fs::create_dir_all(&release).unwrap();
        let archive = format!("keyless-{VERSION}-{TARGET}.tar.gz");
        let status = Command::new("tar")
            .args(["-czf", release.join(&archive).to_str().unwrap(), "-C", stage.to_str().unwrap(), "keyless"])
            .status()
            .unwrap();
        assert!(status.success());
        let sum = Command::new("sha256sum").arg(&archive).current_dir(&release).output().unwrap();
        std::fs::write(release.join("SHA256SUMS"), &sum.stdout).unwrap();
        Runner { dir, release }
    }

    fn step(&self, command: &str, env: &[(&str, &str)]) -> Output {
        let path_file = std::fs::read_to_string(self.dir.join("path")).unwrap();
        let mut path: Vec<String> = path_file.lines().map(str::to_string).collect();
        path.push(std::env::var("PATH").unwrap_or_default());
        let mut cmd = Command::new("bash");
        cmd.arg(repo_root().join("action/entry.sh"))
            .arg(command)
            .current_dir(self.dir.join("repo"))
            .env("PATH", path.join(":"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", self.dir.join("temp"))
            .env("GITHUB_PATH", self.dir.join("path"))
            .env("GITHUB_OUTPUT", self.dir.join("output"))
            .env("GITHUB_STEP_SUMMARY", self.dir.join("summary"))
            .env("KEYLESS_VERSION", VERSION)
            .env("KEYLESS_RELEASE_URL", format!("file://{}", self.dir.join("release").display()))
            .env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    fn read(&self, f: &str) -> String {
        std::fs::read_to_string(self.dir.join(f)).unwrap_or_default()
    }

    fn output(&self, key: &str) -> Option<String> {
        self.read("output").lines().rev().find_map(|l| l.strip_prefix(&format!("{key}=")).map(str::to_string))
    }
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

const WIDE_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
    "StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}}}]}
"#;

#[test]
fn the_action_installs_verifies_lints_summarises_and_gates() {
    let r = Runner::new("flow");
    std::fs::write(r.dir.join("repo/infra/trust.json"), WIDE_POLICY).unwrap();
    std::fs::copy(repo_root().join("examples/feature-branch.yaml"), r.dir.join("repo/scenario.yaml")).unwrap();
    let o = r.step("install", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Checksum verified"), "{}", text(&o));
    assert!(text(&o).contains(&format!("keyless {VERSION}")));
    assert!(r.read("path").trim().ends_with("/bin"), "{}", r.read("path"));

    // Default paths (the repository), default fail-on (high): KL-SUB-003 is high.
    let o = r.step("lint", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(r.output("exit-code").as_deref(), Some("1"));
    assert!(text(&o).contains("::error file=infra/trust.json,line=5,"), "{}", text(&o));
    let sarif_path = r.output("sarif-file").unwrap();
    let sarif: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    assert!(uris.contains(&"infra/trust.json") && uris.contains(&"scenario.yaml"), "{uris:?}");
    let summary = r.read("summary");
    assert!(summary.contains("| Severity | Rule | Location | Finding |"), "{summary}");
    assert!(summary.contains("[KL-SUB-003](https://github.com/OWNER/keyless/blob/main/docs/findings.md#kl-sub-003)"));
    assert!(summary.contains("### What-if matrix: `scenario.yaml`"), "{summary}");
    assert!(summary.contains("| `pull-request-target-ref` "), "{summary}");

    let o = r.step("gate", &[("KEYLESS_EXIT_CODE", "1")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("::error title=keyless::"));

    // fail-on critical: nothing critical here, so the gate passes.
    let o = r.step("lint", &[("KEYLESS_FAIL_ON", "critical"), ("KEYLESS_PATHS", "infra\n\n*.yaml\n")]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(r.output("exit-code").as_deref(), Some("0"));
    assert!(r.step("gate", &[("KEYLESS_EXIT_CODE", "0")]).status.success());

    // A bad input is an error at once, not a silent pass.
    let o = r.step("lint", &[("KEYLESS_FAIL_ON", "sometimes")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn a_tampered_archive_or_an_unknown_runner_is_refused() {
    let r = Runner::new("tamper");
    let archive = r.release.join(format!("keyless-{VERSION}-{TARGET}.tar.gz"));
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.push(0);
    std::fs::write(&archive, bytes).unwrap();
    let o = r.step("install", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("checksum mismatch"), "{}", text(&o));
    assert_eq!(r.read("path"), "");
    let o = r.step("install", &[("RUNNER_ARCH", "ARM")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("no keyless release for runner Linux/ARM"), "{}", text(&o));
    let o = r.step("install", &[("KEYLESS_VERSION", "1.0; rm -rf /")]);
    assert_eq!(o.status.code(), Some(2));
}

/// The action installs the version it documents: the workspace's.
#[test]
fn the_actions_default_version_is_the_crates() {
    let action = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let default = action
        .split("  version:")
        .nth(1)
        .and_then(|s| s.split("default:").nth(1))
        .and_then(|s| s.lines().next())
        .map(|s| s.trim().trim_matches('"'))
        .unwrap();
    assert_eq!(default, VERSION);
    // Every `uses:` is pinned to a full commit SHA.
    for line in action.lines().filter(|l| l.trim_start().starts_with("uses:") || l.contains(" uses: ")) {
        let reference = line.split('@').nth(1).unwrap_or_default();
        let sha = reference.split_whitespace().next().unwrap_or_default();
        assert!(sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()), "not pinned: {line}");
    }
}
