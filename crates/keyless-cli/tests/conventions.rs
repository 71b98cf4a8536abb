//! CLI conventions (clig.dev; zizmor and Checkov as anchors), one test per
//! convention: help on every command, version, colour, GitHub annotations,
//! directories/globs/.gitignore, suppressions with a reason, versioned
//! machine output, SARIF for code scanning, and `keyless check`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn keyless_in(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keyless"));
    cmd.args(args).current_dir(dir).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn keyless(args: &[&str]) -> Output {
    keyless_in(&repo_root(), args, &[], None)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A scratch repository (a `.git` directory marks its root).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("keyless-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    dir
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A trust policy with a KL-SUB-005 finding (medium) on line 5.
const WIDE_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
    "StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:*"}}}]}
"#;

/// The same in YAML, with room for an inline suppression above the `sub` line.
fn wide_policy_yaml(comment: &str) -> String {
    format!(
        "Version: \"2012-10-17\"\nStatement:\n  - Effect: Allow\n    Principal: {{Federated: \"arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com\"}}\n    Action: sts:AssumeRoleWithWebIdentity\n    Condition:\n      StringEquals: {{\"token.actions.githubusercontent.com:aud\": sts.amazonaws.com}}\n      StringLike:\n{comment}        \"token.actions.githubusercontent.com:sub\": \"repo:o/r:*\"\n"
    )
}

#[test]
fn every_command_answers_help_and_the_tool_its_version() {
    for command in ["eval", "lint", "check"] {
        for flag in ["--help", "-h"] {
            let o = keyless(&[command, flag]);
            assert_eq!(o.status.code(), Some(0), "{command} {flag}");
            assert!(stdout(&o).contains(&format!("keyless {command}")), "{command} {flag}: {}", stdout(&o));
            assert!(stdout(&o).contains("USAGE"));
        }
        let o = keyless(&["help", command]);
        assert!(stdout(&o).starts_with(&format!("keyless {command}")));
    }
    let o = keyless(&["--help"]);
    assert!(stdout(&o).contains("check") && o.status.success());
    let o = keyless(&["--version"]);
    assert_eq!(stdout(&o).trim(), format!("keyless {}", env!("CARGO_PKG_VERSION")));
    // Bad usage: exit 2, a pointer to --help on stderr, nothing on stdout.
    let o = keyless(&["lint", "--frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("keyless lint --help"));
    assert!(o.stdout.is_empty());
    assert_eq!(keyless(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn colour_follows_the_flag_then_no_color() {
    let dir = scratch("color");
    write(&dir, "trust.json", WIDE_POLICY);
    let esc = |o: &Output| stdout(o).contains('\x1b');
    assert!(esc(&keyless_in(&dir, &["lint", "trust.json", "--color", "always"], &[], None)));
    assert!(!esc(&keyless_in(&dir, &["lint", "trust.json", "--color=never"], &[], None)));
    // auto: not a terminal here, so no colour; NO_COLOR never colours.
    assert!(!esc(&keyless_in(&dir, &["lint", "trust.json"], &[], None)));
    assert!(!esc(&keyless_in(&dir, &["lint", "trust.json", "--color", "auto"], &[("NO_COLOR", "1")], None)));
    // --color always wins over NO_COLOR (an explicit flag beats the environment).
    assert!(esc(&keyless_in(&dir, &["lint", "trust.json", "--color", "always"], &[("NO_COLOR", "1")], None)));
    let scenario = repo_root().join("examples/feature-branch.yaml");
    let s = scenario.to_str().unwrap();
    assert!(esc(&keyless_in(&dir, &["eval", s, "--color", "always"], &[], None)));
    assert!(!esc(&keyless_in(&dir, &["eval", s], &[("NO_COLOR", "1")], None)));
    assert_eq!(keyless_in(&dir, &["lint", "--color", "sometimes"], &[], None).status.code(), Some(2));
}

#[test]
fn github_format_writes_workflow_command_annotations() {
    let dir = scratch("github");
    write(&dir, "infra/trust.json", WIDE_POLICY);
    let o = keyless_in(&dir, &["lint", "infra/trust.json", "--format", "github"], &[], None);
    let out = stdout(&o);
    let line = out.lines().find(|l| l.contains("KL-SUB-005")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.starts_with("::warning file=infra/trust.json,line=5,col="), "{line}");
    assert!(line.contains("title=KL-SUB-005 "), "{line}");
    // Properties escape `:` and `,`; the message is one line.
    let (props, message) = line.trim_start_matches("::warning ").split_once("::").unwrap();
    assert!(!props.contains(": "), "{props}");
    assert!(message.contains("repo:o/r:*"));
    assert_eq!(out.lines().count(), out.lines().filter(|l| l.starts_with("::")).count());
}

#[test]
fn directories_are_walked_recognising_files_by_content_and_respecting_gitignore() {
    let dir = scratch("walk");
    write(
        &dir,
        ".github/workflows/deploy.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n",
    );
    write(&dir, "infra/trust.json", WIDE_POLICY);
    write(&dir, "infra/notes.txt", WIDE_POLICY);
    write(&dir, "charts/values.yaml", "replicas: 3\nimage: nginx\n");
    write(&dir, "charts/broken.yaml", "a: [\n");
    write(&dir, "generated/trust.json", WIDE_POLICY);
    write(&dir, ".gitignore", "generated/\n");
    let o = keyless_in(&dir, &["lint", ".", "--format", "json", "--fail-on", "never"], &[], None);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let files: Vec<&str> = v["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(files, [".github/workflows/deploy.yml", "infra/trust.json"]);
    // No argument: the current directory.
    let o = keyless_in(&dir, &["lint", "--format", "json", "--fail-on", "never"], &[], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["files"].as_array().unwrap().len(), 2);
    // Globs, with `**`; a glob matching nothing is an error.
    let o = keyless_in(&dir, &["lint", "infra/**/*.json", "--format", "json", "--fail-on", "never"], &[], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["files"], serde_json::json!(["infra/trust.json"]));
    assert_eq!(keyless_in(&dir, &["lint", "nothing/*.json"], &[], None).status.code(), Some(2));
    // A file named explicitly is read even if not recognised.
    let o = keyless_in(&dir, &["lint", "charts/values.yaml", "--format", "json"], &[], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["findings"][0]["id"], "KL-INPUT-001");
}

#[test]
fn suppressions_need_a_reason_and_stay_visible_in_sarif() {
    let dir = scratch("suppress");
    write(
        &dir,
        "inline.yml",
        &wide_policy_yaml("        # keyless: ignore[KL-SUB-005] sandbox role, no production access\n"),
    );
    write(&dir, "noreason.yml", &wide_policy_yaml("        # keyless: ignore[KL-SUB-005]\n"));
    write(&dir, "sandbox/trust.json", WIDE_POLICY);
    write(
        &dir,
        ".keyless.yml",
        "ignore:\n  - id: KL-SUB-005\n    paths: [sandbox/*]\n    reason: reviewed in SEC-42\n",
    );
    let o = keyless_in(&dir, &["lint", ".", "--fail-on", "medium"], &[], None);
    let text = stdout(&o);
    // Only the comment without a reason leaves its finding in force.
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("noreason.yml:10:"), "{text}");
    assert!(!text.contains("inline.yml:") && !text.contains("sandbox/trust.json:"), "{text}");
    assert!(text.contains("2 suppressed"), "{text}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("noreason.yml:9:1: warning: `keyless: ignore[…]` needs a reason")
    );
    let o = keyless_in(&dir, &["lint", ".", "--format", "sarif"], &[], None);
    let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<(&str, &str, &str)> = results
        .iter()
        .filter_map(|r| {
            let s = r.get("suppressions")?.get(0)?;
            Some((
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str()?,
                s["kind"].as_str()?,
                s["justification"].as_str()?,
            ))
        })
        .collect();
    assert_eq!(
        suppressed,
        [
            ("inline.yml", "inSource", "sandbox role, no production access"),
            ("sandbox/trust.json", "external", "reviewed in SEC-42")
        ]
    );
    // A configuration entry without a reason is an error, located.
    write(&dir, ".keyless.yml", "ignore:\n  - id: KL-SUB-005\n");
    let o = keyless_in(&dir, &["lint", "."], &[], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(".keyless.yml:2:5: error: an `ignore` entry needs `reason`"));
}

#[test]
fn machine_output_is_versioned_and_sarif_fits_code_scanning() {
    let dir = scratch("sarif");
    write(&dir, "infra/my role.json", WIDE_POLICY);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let o = keyless_in(&dir, &["lint", "infra", "--format", "json"], &[], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], version);
    let scenario = repo_root().join("examples/feature-branch.yaml");
    let o = keyless_in(&dir, &["eval", scenario.to_str().unwrap(), "--format", "json"], &[], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], version);
    // Run from a subdirectory: URIs stay relative to the repository root.
    let o = keyless_in(&dir.join("sub"), &["lint", "../infra/my role.json", "--format", "sarif"], &[], None);
    let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let run = &sarif["runs"][0];
    let result = &run["results"][0];
    let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(artifact["uri"], "infra/my%20role.json");
    assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    let fingerprint = result["partialFingerprints"]["keylessFindingHash/v1"].as_str().unwrap();
    assert!(fingerprint.len() > 16);
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        let id = rule["id"].as_str().unwrap().to_ascii_lowercase();
        assert_eq!(
            rule["helpUri"].as_str().unwrap(),
            format!("https://github.com/OWNER/keyless/blob/main/docs/findings.md#{id}")
        );
        let help = rule["help"]["text"].as_str().unwrap();
        assert!(!help.contains("research") && !help.contains('§'), "{help}");
    }
    // The same finding moved down a line keeps its fingerprint.
    write(&dir, "infra/my role.json", &format!("\n{WIDE_POLICY}"));
    let o = keyless_in(&dir, &["lint", "infra/my role.json", "--format", "sarif"], &[], None);
    let moved: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(moved["runs"][0]["results"][0]["partialFingerprints"]["keylessFindingHash/v1"], fingerprint);
    // Standard input has no URI, only a description.
    let o = keyless_in(&dir, &["lint", "-", "--format", "sarif"], &[], Some(WIDE_POLICY));
    let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let artifact = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert!(artifact.get("uri").is_none(), "{artifact}");
    assert_eq!(artifact["description"]["text"], "standard input");
}

#[test]
fn check_passes_and_fails_with_a_diff() {
    let o = keyless(&["check", "examples/check/aws-main-only.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("ok: 7 of 7 expectation(s) hold"));
    let o = keyless(&["check", "examples/check/aws-main-only.yaml", "examples/check/aws-org-wildcard.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("✗ aws must refuse `pull_request` (examples/check/aws-org-wildcard.yaml:"), "{out}");
    assert!(out.contains("- expected: refused\n    + actual:   admitted"), "{out}");
    assert!(out.contains("job deploy sub repo:my-org/my-repo:pull_request: allowed"), "{out}");
    assert!(out.contains("✗ forbid_unintended:"), "{out}");
    let o = keyless(&["check", "examples/check/aws-org-wildcard.yaml", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["scenarios"][0]["passed"], false);
    assert!(v["scenarios"][0]["unintended"].as_array().unwrap().len() >= 5);
    // No `expect:`, or a bad run description: invalid input.
    assert_eq!(keyless(&["check", "examples/feature-branch.yaml"]).status.code(), Some(2));
    let bad = std::fs::read_to_string(repo_root().join("examples/check/aws-main-only.yaml"))
        .unwrap()
        .replace("admit: [push main]", "admit: [push main now please]");
    let o = keyless_in(&repo_root(), &["check", "-"], &[], Some(&bad));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("<stdin>:"), "{}", String::from_utf8_lossy(&o.stderr));
}
