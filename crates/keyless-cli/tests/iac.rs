//! `keyless lint` on infrastructure as code: a directory walk keeps the
//! `.tf` files that hold a trust resource and the CloudFormation templates
//! with an IAM role, and findings are located `file:LINE:COL` in them. The
//! files are the core's fixtures (public examples, each citing its source).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> String {
    let dir = if name.ends_with(".tf") { "terraform" } else { "cloudformation" };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../keyless-core/tests/fixtures").join(dir).join(name);
    std::fs::read_to_string(path).unwrap()
}

/// A scratch repository (a `.git` directory marks its root) with `infra/`.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("keyless-cli-tf-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join("infra")).unwrap();
    dir
}

fn keyless_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keyless")).args(args).current_dir(dir).env("NO_COLOR", "1").output().unwrap()
}

#[test]
fn lint_walks_terraform_and_locates_findings_in_the_tf_file() {
    let dir = scratch("walk");
    for name in ["aws_role_aud_only.tf", "google_provider.tf", "aws_role_github_docs.tf"] {
        std::fs::write(dir.join("infra").join(name), fixture(name)).unwrap();
    }
    // Terraform without a trust resource is not ours: left out of the walk.
    std::fs::write(dir.join("infra/s3.tf"), "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n").unwrap();
    let o = keyless_in(&dir, &["lint", "infra/"]);
    let out = String::from_utf8_lossy(&o.stdout);
    // Critical findings fail the run (default `--fail-on high`).
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        out.contains("infra/aws_role_aud_only.tf:12:7: critical KL-AWS-001 [aws]: aws_iam_role.github_oidc:"),
        "{out}"
    );
    assert!(out.contains("infra/google_provider.tf:11:1: critical KL-GCP-001 [gcp]"), "{out}");
    assert!(out.contains("infra/aws_role_github_docs.tf:19:55: medium KL-SUB-005 [aws]"), "{out}");
    // Unknown values are said to be unknown, where they are.
    assert!(
        out.contains("infra/google_provider.tf:29:5: info KL-INPUT-002: `var.wif_repo` is an input variable"),
        "{out}"
    );
    assert!(out.contains("in 3 file(s)"), "{out}");
    assert!(!out.contains("s3.tf"), "{out}");

    let o = keyless_in(&dir, &["lint", "infra", "--format", "json", "--fail-on", "never"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let files: Vec<&str> = v["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(files, ["infra/aws_role_aud_only.tf", "infra/aws_role_github_docs.tf", "infra/google_provider.tf"]);
}

#[test]
fn a_terraform_syntax_error_is_invalid_input_at_its_line() {
    let dir = scratch("syntax");
    std::fs::write(
        dir.join("infra/bad.tf"),
        "resource \"aws_iam_role\" \"r\" {\n  assume_role_policy = jsonencode({\n}\n",
    )
    .unwrap();
    let o = keyless_in(&dir, &["lint", "infra/bad.tf"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("infra/bad.tf:"), "{out}");
    assert!(out.contains("KL-INPUT-001") && out.contains("HCL syntax error"), "{out}");
}

#[test]
fn lint_walks_cloudformation_templates_and_locates_each_role() {
    let dir = scratch("cfn");
    for name in ["two-roles.json", "configure-aws-credentials-sample.yaml"] {
        std::fs::write(dir.join("infra").join(name), fixture(name)).unwrap();
    }
    // A template without a role is not a trust file: left out of the walk.
    std::fs::write(
        dir.join("infra/bucket.yaml"),
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n",
    )
    .unwrap();
    let o = keyless_in(&dir, &["lint", "infra", "--format", "github"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("::error file=infra/two-roles.json,line=34,col=13"), "{out}");
    assert!(out.contains("AnyRepository: this federated Allow statement has no positive condition on `sub`"), "{out}");
    assert!(out.contains("file=infra/configure-aws-credentials-sample.yaml,line=37,col=58"), "{out}");
    assert!(!out.contains("bucket.yaml"), "{out}");
}

/// The inline suppression comment works in HCL as in YAML (`#` comments),
/// on the line above the finding, with a reason.
#[test]
fn an_inline_comment_suppresses_a_terraform_finding_with_its_reason() {
    let dir = scratch("suppress");
    let text = fixture("aws_role_aud_only.tf").replacen(
        "    \"Statement\" : [\n      {\n",
        "    \"Statement\" : [\n      # keyless: ignore[KL-AWS-001] sandbox role, reviewed\n      {\n",
        1,
    );
    assert!(text.contains("keyless: ignore"));
    std::fs::write(dir.join("infra/iam.tf"), text).unwrap();
    let o = keyless_in(&dir, &["lint", "infra"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(!out.contains("critical KL-AWS-001"), "{out}");
    assert!(out.contains("1 suppressed"), "{out}");
}

fn example(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/terraform").join(name)).unwrap()
}

/// A scratch repository holding examples/terraform's scenario in `tests/`
/// and its Terraform file in `infra/`, referenced as `../infra/deploy.tf`.
fn referencing(name: &str, tf: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::write(dir.join("infra/deploy.tf"), tf).unwrap();
    let scenario = example("deploy-check.yaml").replace("from: deploy.tf", "from: ../infra/deploy.tf");
    std::fs::write(dir.join("tests/deploy.yaml"), scenario).unwrap();
    dir
}

#[test]
fn check_judges_the_terraform_file_a_scenario_references() {
    // As shipped: the example passes.
    let o = Command::new(env!("CARGO_BIN_EXE_keyless"))
        .args(["check", "examples/terraform/deploy-check.yaml"])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );

    // A pull request that loosens the role to every branch fails the check,
    // with the refusal that no longer holds.
    let loosened = example("deploy.tf").replace(":ref:refs/heads/main\"", ":*\"").replace("StringEquals", "StringLike");
    let dir = referencing("check-loosened", &loosened);
    let o = keyless_in(&dir, &["check", "tests/deploy.yaml"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("✗ aws must refuse `push feature/*`"), "{out}");
}

#[test]
fn eval_locates_a_value_terraform_computes_in_the_tf_file() {
    let dir = referencing("eval-unknown", &example("deploy.tf"));
    let scenario = std::fs::read_to_string(dir.join("tests/deploy.yaml")).unwrap();
    std::fs::write(dir.join("tests/deploy.yaml"), scenario.replace("    var.github_org: my-org\n", "")).unwrap();
    let o = keyless_in(&dir, &["eval", "tests/deploy.yaml"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("infra/deploy.tf:28:55: error: `\"repo:${var.github_org}/my-repo:ref:refs/heads/main\"` is a string with an interpolation"),
        "{err}"
    );
    assert!(err.contains("give its value in the scenario's reference (`values: {var.github_org: …}`)"), "{err}");

    // With the value, the JSON report locates the deciding statement and the
    // findings in the `.tf` file.
    std::fs::write(dir.join("tests/deploy.yaml"), scenario).unwrap();
    let o = keyless_in(&dir, &["eval", "tests/deploy.yaml", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let aws = &v["jobs"][0]["verdicts"]["aws"];
    assert_eq!(aws["allowed"], true, "{aws:#}");
    assert!(v.to_string().contains("\"infra/deploy.tf:21:18\""), "{v:#}");
}

#[test]
fn a_reference_outside_the_repository_is_refused() {
    let dir = referencing("outside", &example("deploy.tf"));
    let outside = std::env::temp_dir().join(format!("keyless-outside-{}.tf", std::process::id()));
    std::fs::write(&outside, example("deploy.tf")).unwrap();
    let scenario = std::fs::read_to_string(dir.join("tests/deploy.yaml")).unwrap();
    let escaped = scenario.replace(
        "from: ../infra/deploy.tf",
        &format!("from: ../../{}", outside.file_name().unwrap().to_str().unwrap()),
    );
    std::fs::write(dir.join("tests/deploy.yaml"), escaped).unwrap();
    let o = keyless_in(&dir, &["eval", "tests/deploy.yaml"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("tests/deploy.yaml:27:9: error: cannot read") && err.contains("its own repository only"),
        "{err}"
    );
    let absolute = scenario.replace("from: ../infra/deploy.tf", &format!("from: {}", outside.display()));
    std::fs::write(dir.join("tests/deploy.yaml"), absolute).unwrap();
    let err = String::from_utf8_lossy(&keyless_in(&dir, &["eval", "tests/deploy.yaml"]).stderr).into_owned();
    assert!(err.contains("relative to the scenario file"), "{err}");
    let _ = std::fs::remove_file(outside);
}

#[test]
fn lint_reads_what_a_scenario_references() {
    let dir = referencing("lint", &example("deploy.tf"));
    let o = keyless_in(&dir, &["lint", "tests/deploy.yaml", "--format", "json", "--fail-on", "never"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(v["invalid"].as_array().map(Vec::len).unwrap_or(0), 0, "{v}");
    // A finding about the referenced policy is placed at the `from:`.
    let at_from = v["findings"].as_array().unwrap().iter().any(|f| {
        f["id"] == "KL-TRUST-008" && f["location"].as_str().is_some_and(|l| l.ends_with("tests/deploy.yaml:27:9"))
    });
    assert!(at_from, "{v:#}");
}
