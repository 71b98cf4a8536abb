//! crates.io's rules, each against its source (C1 rust-lang/crates.io
//! `src/controllers/trustpub/tokens/exchange/mod.rs` and
//! `crates/crates_io_trustpub/src/github/`).

use super::*;

fn token() -> Claims {
    let mut c = Claims::new();
    c.set("iss", "https://token.actions.githubusercontent.com");
    c.set("aud", "crates.io");
    c.set("sub", "repo:octo-org/octo-repo:environment:release");
    c.set("repository", "octo-org/octo-repo");
    c.set("repository_owner_id", "65");
    c.set("workflow_ref", "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.0.0");
    c.set("job_workflow_ref", "octo-org/shared/.github/workflows/cargo-publish.yml@refs/heads/main");
    c.set("environment", "release");
    c.set("event_name", "push");
    c.set("run_id", "1");
    c.set("sha", "abc");
    c.set("jti", "j");
    c.set_num("iat", 1);
    c.set_num("exp", 2);
    c
}

fn config(json: &str) -> CratesIoConfig {
    CratesIoConfig::from_text(json).unwrap_or_else(|d| panic!("{}", d.message))
}

#[test]
fn the_top_level_workflow_matches_even_through_a_reusable_workflow() {
    // workflow_ref, not job_workflow_ref (C1 `GitHubClaims::workflow_filename`).
    let c = config(
        r#"{"repository_owner": "Octo-Org", "repository_name": "octo-repo", "workflow_filename": "release.yml", "environment": "Release"}"#,
    );
    let v = evaluate(&c, &token());
    assert!(v.allowed, "owner, name and environment ignore case: {:?}", v.trace);
    let called = config(
        r#"{"repository_owner": "octo-org", "repository_name": "octo-repo", "workflow_filename": "cargo-publish.yml"}"#,
    );
    let v = evaluate(&called, &token());
    assert_eq!((v.code.as_str(), v.message.as_str()), ("400", "No matching Trusted Publishing config found"));
}

#[test]
fn environment_owner_id_and_workflow_case_decide() {
    let with_env = config(
        r#"{"repository_owner": "octo-org", "repository_name": "octo-repo", "workflow_filename": "release.yml", "environment": "release"}"#,
    );
    let mut no_env = token();
    no_env.remove("environment");
    assert!(!evaluate(&with_env, &no_env).allowed, "NULL never equals a configured environment");
    let any_env = config(
        r#"{"repository_owner": "octo-org", "repository_name": "octo-repo", "workflow_filename": "release.yml"}"#,
    );
    assert!(evaluate(&any_env, &no_env).allowed && evaluate(&any_env, &token()).allowed);
    let other_id = config(
        r#"{"repository_owner": "octo-org", "repository_owner_id": "66", "repository_name": "octo-repo", "workflow_filename": "release.yml"}"#,
    );
    assert!(!evaluate(&other_id, &token()).allowed);
    let case = config(
        r#"{"repository_owner": "octo-org", "repository_name": "octo-repo", "workflow_filename": "Release.yml"}"#,
    );
    assert!(!evaluate(&case, &token()).allowed, "the workflow filename is compared exactly");
}

#[test]
fn issuer_audience_and_claims_use_crates_ios_details() {
    let c = config(
        r#"{"repository_owner": "octo-org", "repository_name": "octo-repo", "workflow_filename": "release.yml"}"#,
    );
    let mut ghes = token();
    ghes.set("iss", "https://ghes.example.com/_services/token");
    assert_eq!(evaluate(&c, &ghes).message, "Unsupported JWT issuer: https://ghes.example.com/_services/token");
    let mut aud = token();
    aud.set("aud", "https://github.com/octo-org");
    assert_eq!(evaluate(&c, &aud).message, "Failed to decode JWT");
    let mut no_run = token();
    no_run.remove("run_id");
    assert_eq!(evaluate(&c, &no_run).message, "Failed to decode JWT");
}

#[test]
fn configurations_crates_io_refuses_are_located_errors_in_its_words() {
    let err = |t: &str| CratesIoConfig::from_text(t).err().map(|d| d.message).unwrap_or_default();
    let base = |wf: &str, env: &str| {
        format!(r#"{{"repository_owner": "o", "repository_name": "r", "workflow_filename": "{wf}"{env}}}"#)
    };
    assert_eq!(err(&base("release", "")), "Workflow filename must end with `.yml` or `.yaml`");
    assert_eq!(err(&base("/a.yml", "")), "Workflow filename must be a filename only, without directories");
    assert_eq!(err(&base("a.yml", r#", "environment": """#)), "Environment name may not be empty (use `null` to omit)");
    assert_eq!(err(&base("a.yml", r#", "environment": "prod ""#)), "Environment name may not end with whitespace");
    assert_eq!(
        err(r#"{"repository_owner": "o_o", "repository_name": "r", "workflow_filename": "a.yml"}"#),
        "Invalid GitHub repository owner name"
    );
}
