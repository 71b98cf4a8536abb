//! The CLI contract (issue #2): `keyless eval SCENARIO [--format json|text]`,
//! `-` for stdin, exit 0 when evaluated, 2 with `file:line:col: message` on
//! invalid input; the JSON shape other tools read.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn keyless(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyless"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();
    files
}

#[test]
fn json_output_follows_the_contract_for_every_fixture() {
    for path in fixtures() {
        let out = keyless(&["eval", path.to_str().unwrap(), "--format", "json"], None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{}: {stderr}", path.display());
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        // The engine that produced it: crate version + commit (keyless_core::build_info).
        assert_eq!(v["version"], keyless_core::VERSION, "{}", path.display());
        let jobs = v["jobs"].as_array().unwrap();
        assert!(!jobs.is_empty(), "{}", path.display());
        assert!(v["diagnostics"].is_array());
        for job in jobs {
            assert!(job["job"].is_string());
            assert!(job.get("matrix").is_some());
            let token = &job["token"];
            assert!(token["issued"].is_boolean());
            if token["issued"] == true {
                let claims = &token["claims"];
                for claim in ["sub", "aud", "iss", "ref", "repository", "event_name"] {
                    assert!(claims[claim].is_string(), "{}: claim {claim}", path.display());
                }
                for claim in ["iat", "nbf", "exp"] {
                    assert!(claims[claim].is_i64(), "{}: claim {claim} is a number", path.display());
                }
            } else {
                assert!(token["reason"].is_string());
            }
            for (cloud, verdict) in job["verdicts"].as_object().unwrap() {
                assert!(
                    ["aws", "azure", "gcp", "alibaba", "vault", "pypi", "octo_sts", "crates_io", "npm"]
                        .contains(&cloud.as_str()),
                    "{cloud}"
                );
                assert!(verdict["allowed"].is_boolean());
                for field in ["audience", "code", "message", "decided_by"] {
                    assert!(verdict[field].is_string(), "{}: {cloud}.{field}", path.display());
                }
                assert!(verdict["trace"].as_array().unwrap().iter().all(|s| s.is_string()));
                if token["issued"] == false {
                    assert_eq!(verdict["code"], "no_token");
                }
            }
        }
    }
}

#[test]
fn only_configured_clouds_appear() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/aws-main-only.yaml");
    let out = keyless(&["eval", path.to_str().unwrap(), "--format=json"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let verdicts = v["jobs"][0]["verdicts"].as_object().unwrap();
    assert_eq!(verdicts.keys().collect::<Vec<_>>(), vec!["aws"]);
}

#[test]
fn stdin_and_text_output() {
    let scenario = "repository: o/r\nworkflow: |\n  on: push\n  permissions:\n    id-token: write\n  jobs:\n    build:\n      runs-on: ubuntu-latest\n      steps: [{run: echo}]\nevent: {name: push, ref: refs/heads/main}\n";
    let out = keyless(&["eval", "-"], Some(scenario));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("job build"), "{text}");
    assert!(text.contains("repo:o/r:ref:refs/heads/main"), "{text}");
    assert!(!text.contains('\x1b'), "no colours when not a terminal");
}

#[test]
fn invalid_input_exits_2_with_file_line_col() {
    let cases: &[(&str, &str)] = &[
        (
            "repository: o/r\nworkflow: x\nevent: push\nrepsitory_id: 1\n",
            "<stdin>:4:1: error: unknown field `repsitory_id` in scenario (did you mean `repository_id`?)",
        ),
        ("repository: o\nworkflow: x\nevent: push\n", "<stdin>:1:13: error: `repository` must be owner/name"),
        ("{\"repository\": \"o/r\",\n \"workflow\": 3,}", "<stdin>:2:16: error: invalid JSON: trailing comma"),
        ("repository: o/r\nworkflow: |\n  jobs:\n    a: [\nevent: push\n", "<stdin>:"),
        (
            "repository: o/r\nworkflow: x\nevent: push\naws: |\n  {\"Version\": \"2012-10-17\",\n   \"Statement\": [}\n",
            "<stdin>:6:",
        ),
    ];
    for (input, expected) in cases {
        let out = keyless(&["eval", "-"], Some(input));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{input:?}: {stderr}");
        assert!(stderr.lines().any(|l| l.starts_with(expected)), "{input:?}: expected `{expected}` in:\n{stderr}");
    }
}

/// A configuration the cloud refuses to create (Entra's name rule, Z3/Z4)
/// is an error labelled as the cloud's creation-time rule, not a verdict:
/// `eval` exits 2 saying so, `lint` reports KL-CREATE-001 (not the
/// "could not be analysed" KL-INPUT-001), and a reading error stays unlabelled.
#[test]
fn creation_time_refusals_are_labelled_as_such() {
    let scenario = "repository: o/r\nworkflow: |\n  on: push\n  jobs:\n    a:\n      runs-on: ubuntu-latest\n      permissions: {id-token: write}\n      steps: [{uses: azure/login@v2}]\nevent: push\nazure:\n  credentials:\n    - name: gha main.prod\n      issuer: https://token.actions.githubusercontent.com\n      subject: repo:o/r:ref:refs/heads/main\n      audiences: [api://AzureADTokenExchange]\n";
    let out = keyless(&["eval", "-"], Some(scenario));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.lines().any(|l| l.starts_with("<stdin>:12:") && l.contains(": error: creation-time rule: ")),
        "{stderr}"
    );
    assert!(stderr.contains("Federated Identity Credential name 'gha main.prod' is invalid."), "{stderr}");
    let credential = tmp(
        "fic.json",
        r#"[{"name":"gha main.prod","issuer":"https://token.actions.githubusercontent.com","subject":"repo:o/r:ref:refs/heads/main","audiences":["api://AzureADTokenExchange"]}]"#,
    );
    let out = keyless(&["lint", &credential, "--format", "json"], None);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["findings"].as_array().unwrap().iter().filter_map(|f| f["id"].as_str()).collect();
    assert_eq!(ids, ["KL-CREATE-001"], "{v}");
    assert_eq!(v["findings"][0]["cloud"], "azure");
    // Keyless's own reading error: no label.
    let out = keyless(&["eval", "-"], Some("repository: o\nworkflow: x\nevent: push\n"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("creation-time rule"));
    // A rule older credentials escape (Entra's Aug 2026 flexible rule, Z2):
    // evaluated, and its JSON diagnostic says `"stage": "creation"`; other
    // diagnostics have no `stage`.
    let flexible = scenario.replace(
        "      subject: repo:o/r:ref:refs/heads/main\n",
        "      claimsMatchingExpression: {value: \"claims['sub'] eq 'repo:o/r:ref:refs/heads/main'\", languageVersion: 1}\n",
    ).replace("gha main.prod", "gha-main");
    let out = keyless(&["eval", "-", "--format", "json"], Some(&flexible));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stages: Vec<&serde_json::Value> =
        v["diagnostics"].as_array().unwrap().iter().filter_map(|d| d.get("stage")).collect();
    assert_eq!(stages, [&serde_json::json!("creation")], "{}", v["diagnostics"]);
    assert_eq!(v["jobs"][0]["verdicts"]["azure"]["allowed"], true);
}

/// IAM's guard on GitHub-trusting roles without a `sub` condition (A8) is a
/// creation-time warning naming the `sub_guard` option, with the verdict
/// still given (existing roles are not re-checked).
#[test]
fn the_iam_sub_guard_is_a_labelled_creation_warning() {
    let path = fixture("aws-sub-guard.yaml");
    let out = keyless(&["eval", &path, "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let [d] = v["diagnostics"].as_array().unwrap().as_slice() else { panic!("{}", v["diagnostics"]) };
    assert_eq!((d["stage"].as_str(), d["severity"].as_str()), (Some("creation"), Some("warning")), "{d}");
    assert!(d["message"].as_str().unwrap().contains("option `sub_guard: documented`, the default"), "{d}");
    assert_eq!(v["jobs"][0]["verdicts"]["aws"]["allowed"], true);
    let out = keyless(&["eval", &path], None);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains("warning: creation-time rule: IAM would refuse to create or update this trust policy"),
        "{text}"
    );
}

/// A file lint cannot read fails the run by default (KL-INPUT-001 is high);
/// `--fail-on critical|never` relaxes it.
#[test]
fn an_unrecognised_file_fails_lint_unless_relaxed() {
    let notes = tmp("notes.yaml", "hello: world\n");
    assert_eq!(keyless(&["lint", &notes], None).status.code(), Some(1));
    assert_eq!(keyless(&["lint", &notes, "--fail-on", "never"], None).status.code(), Some(0));
    assert_eq!(keyless(&["lint", &notes, "--fail-on", "critical"], None).status.code(), Some(0));
}

#[test]
fn missing_file_and_bad_usage_exit_2() {
    assert_eq!(keyless(&["eval", "/nonexistent.yaml"], None).status.code(), Some(2));
    assert_eq!(keyless(&["frobnicate"], None).status.code(), Some(2));
    assert_eq!(keyless(&["eval", "a", "--format", "xml"], None).status.code(), Some(2));
    assert_eq!(keyless(&["--help"], None).status.code(), Some(0));
}

#[test]
fn eval_json_carries_findings_suggestions_and_matrix() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/aws-org-wildcard.yaml");
    let out = keyless(&["eval", path.to_str().unwrap(), "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    // The 400-repo story: `repo:my-org/*` must be called out, at its line.
    let wildcard = findings.iter().find(|f| f["id"] == "KL-SUB-003").expect("repo:org/* finding");
    for field in ["id", "severity", "cloud", "message"] {
        assert!(wildcard[field].is_string(), "{field}");
    }
    assert!(wildcard["location"].as_str().unwrap().contains("aws-org-wildcard.yaml:33:"), "{wildcard}");
    assert!(!v["matrix"]["unintended_admits"].as_array().unwrap().is_empty());
    let aws = v["suggestions"].as_array().unwrap().iter().find(|s| s["cloud"] == "aws").unwrap();
    assert_eq!(aws["verified"]["admits_intended"], true);
    assert_eq!(aws["verified"]["rejects_unintended"], true);
}

#[test]
fn lint_reports_findings_with_locations_sarif_and_exit_codes() {
    let dir = std::env::temp_dir().join(format!("keyless-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("trust.json");
    std::fs::write(
        &policy,
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}}}]}"#,
    )
    .unwrap();
    let p = policy.to_str().unwrap();
    let out = keyless(&["lint", p], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "high findings fail by default:\n{text}");
    assert!(text.contains(&format!("{p}:4:")), "located at the sub line:\n{text}");
    assert_eq!(keyless(&["lint", p, "--fail-on", "never"], None).status.code(), Some(0));
    let sarif = keyless(&["lint", p, "--format", "sarif", "--fail-on=never"], None);
    let v: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(!v["runs"][0]["results"].as_array().unwrap().is_empty());
    assert!(!v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().is_empty());

    let tight = dir.join("tight.json");
    std::fs::write(
        &tight,
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
    "token.actions.githubusercontent.com:sub": "repo:my-org/my-repo:environment:prod"}}}]}"#,
    )
    .unwrap();
    let out = keyless(&["lint", tight.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(keyless(&["lint", "/nonexistent.json"], None).status.code(), Some(2));
    // No path lints the current directory; a missing option value is bad usage.
    assert_eq!(keyless(&["lint", "--fail-on"], None).status.code(), Some(2));
}

/// Text output ends with the sources its traces and findings cite, each with
/// its URL (docs/sources.md); JSON output has no such footer.
#[test]
fn text_output_lists_the_cited_sources() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/aws-main-only.yaml");
    let out = keyless(&["eval", path.to_str().unwrap()], None);
    let text = String::from_utf8_lossy(&out.stdout);
    let footer = text.split("\nSources:\n").nth(1).unwrap_or_else(|| panic!("no Sources footer:\n{text}"));
    let lines: Vec<&str> = footer.lines().collect();
    assert!(!lines.is_empty(), "{text}");
    assert!(lines.iter().all(|l| l.starts_with("  ")), "{footer}");
    assert!(lines.iter().any(|l| l.contains(" https://")), "{footer}");
    let tags: Vec<&str> = lines.iter().map(|l| l.trim_start().split("  ").next().unwrap()).collect();
    let mut unique = tags.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(tags.len(), unique.len(), "each source once: {footer}");

    let json = keyless(&["eval", path.to_str().unwrap(), "--format", "json"], None);
    assert!(!String::from_utf8_lossy(&json.stdout).contains("Sources:"));
    serde_json::from_slice::<serde_json::Value>(&json.stdout).unwrap();

    let lint = keyless(
        &["lint", Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/feature-branch.yaml").to_str().unwrap()],
        None,
    );
    let text = String::from_utf8_lossy(&lint.stdout);
    assert!(text.contains("finding(s) in 1 file(s)"), "{text}");
}

/// A policy that hangs on the runner's address is neither allowed nor denied
/// (IAM global condition keys: aws:SourceIp is in the request, its value is
/// the caller's); a value given in `request_context` decides it.
#[test]
fn undetermined_is_shown_as_such_and_request_context_decides_it() {
    let scenario = r#"repository: my-org/my-repo
workflow: |
  on: push
  permissions:
    id-token: write
  jobs:
    deploy:
      runs-on: ubuntu-latest
      steps:
        - uses: aws-actions/configure-aws-credentials@v4
          with:
            role-to-assume: arn:aws:iam::111122223333:role/x
            aws-region: us-east-1
event:
  name: push
  ref: refs/heads/main
aws:
  trust_policy: |
    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:my-org/my-repo:ref:refs/heads/main"}}}]}
"#;
    let out = keyless(&["eval", "-", "--format", "text"], Some(scenario));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("? undetermined"), "{text}");
    assert!(!text.contains("✗ undetermined"), "{text}");
    let inside = format!("{scenario}  request_context:\n    aws:SourceIp: 203.0.113.7\n");
    let out = keyless(&["eval", "-", "--format", "json"], Some(&inside));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["jobs"][0]["verdicts"]["aws"]["code"], "allowed", "{v}");
}

#[test]
fn version_is_the_engines() {
    let out = keyless(&["--version"], None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("keyless {}\n", keyless_core::VERSION));
}

// The token lab (issue #13): decode, verify, mint, eval --token.

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(name).to_str().unwrap().to_string()
}

fn tmp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("keyless-cli-token-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn token_decode_shows_types_and_locates_errors() {
    let out = keyless(&["token", "decode", &fixture("tokens/github-docs-example.json"), "--at", "1632493600"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("run_number             string         10"), "{text}");
    assert!(text.contains("ok   exp: valid until 2021-09-24T14:31:07Z"), "{text}");
    let out = keyless(&["token", "decode", "-", "--format", "json"], Some("eyJhbGciOiJSUzI1NiJ9.e30!.x"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "keyless: -: payload (segment 2), byte 24: `!` is not a base64url character"
    );
}

#[test]
fn token_mint_verify_and_eval_round_trip() {
    let scenario = fixture("aws-environment-drift.yaml");
    let key = tmp("key.pem", "");
    let out =
        keyless(&["token", "mint", &scenario, "--job", "deploy-prod", "--key-out", &key, "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let minted: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(minted["note"].as_str().unwrap().starts_with("NOT a GitHub token"));
    assert_eq!(minted["openid_configuration"]["id_token_signing_alg_values_supported"][0], "RS256");
    // The same key again gives the same JWKS.
    let again = keyless(&["token", "mint", &scenario, "--job", "deploy-prod", "--key", &key], None);
    let again = String::from_utf8_lossy(&again.stdout);
    assert!(again.contains(minted["kid"].as_str().unwrap()) && again.contains("# JWKS"), "{again}");
    let jwt = tmp("t.jwt", minted["jwt"].as_str().unwrap());
    let jwks = tmp("jwks.json", &minted["jwks"].to_string());
    let ok = keyless(&["token", "verify", &jwt, "--jwks", &jwks, "--at", "2026-11-24T00:01:00Z"], None);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("valid at 2026-11-24T00:01:00Z"));
    let late = keyless(&["token", "verify", &jwt, "--jwks", &jwks, "--at", "2026-11-25T00:00:00Z"], None);
    assert_eq!(late.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&late.stdout).contains("FAIL exp: expired"));
    let other = keyless(
        &["token", "verify", &jwt, "--jwks", &jwks, "--issuer", "https://ghe.example.com/_services/token"],
        None,
    );
    assert!(String::from_utf8_lossy(&other.stdout).contains("FAIL issuer: wrong iss"));
    // eval --token: same verdicts as the simulation, nothing but per-run claims differ.
    let out = keyless(&["eval", &scenario, "--token", &jwt, "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rt = &v["real_token"];
    assert_eq!(rt["job"]["job"], "deploy-prod");
    assert_eq!(rt["verdicts"]["aws"]["code"], v["jobs"][0]["verdicts"]["aws"]["code"]);
    assert!(rt["diff"].as_array().unwrap().iter().all(|d| d["kind"] == "same" || d["per_run"] == true));
}

#[test]
fn eval_token_explains_a_claims_dump() {
    let out = keyless(
        &[
            "eval",
            &fixture("aws-environment-drift.yaml"),
            "--token",
            &fixture("tokens/seed-claims-dump-no-environment.json"),
        ],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("Real token"), "{text}");
    assert!(text.contains("aws      allowed [AccessDenied]  ← differs"), "{text}");
    assert!(text.contains("the simulated job runs in environment `prod`"), "{text}");
    let bad = keyless(&["eval", &fixture("aws-environment-drift.yaml"), "--token", &fixture("tokens/README.md")], None);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("a JWT has 3 segments"));
}
