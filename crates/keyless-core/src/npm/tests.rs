//! npm's documented rules (N1 npm docs "Trusted publishing for npm
//! packages"; N2 npm/cli `lib/utils/oidc.js`).

use super::*;

fn token() -> Claims {
    let mut c = Claims::new();
    c.set("iss", "https://token.actions.githubusercontent.com");
    c.set("aud", "npm:registry.npmjs.org");
    c.set("repository", "octo-org/octo-package");
    c.set("workflow_ref", "octo-org/octo-package/.github/workflows/publish.yml@refs/tags/v1.0.0");
    c.set("job_workflow_ref", "octo-org/shared/.github/workflows/npm.yml@refs/heads/main");
    c.set("runner_environment", "github-hosted");
    c
}

fn config(json: &str) -> NpmConfig {
    NpmConfig::from_text(json).unwrap_or_else(|d| panic!("{}", d.message))
}

const DOCS: &str = r#"{"package": "octo-package", "owner": "octo-org", "repository": "octo-package", "workflow_filename": "publish.yml"}"#;

#[test]
fn the_calling_workflow_is_checked_exactly() {
    // N1: "validation checks the calling workflow's name"; "All fields are case-sensitive and must be exact".
    assert!(evaluate(&config(DOCS), &token()).allowed);
    let called = config(&DOCS.replace("publish.yml", "npm.yml"));
    assert_eq!(evaluate(&called, &token()).code, "Unable to authenticate");
    let upper = config(&DOCS.replace(r#""owner": "octo-org""#, r#""owner": "Octo-Org""#));
    assert!(!evaluate(&upper, &token()).allowed);
}

#[test]
fn environment_and_runner_are_checked() {
    let with_env = config(&DOCS.replace(r#""workflow_filename""#, r#""environment": "npm", "workflow_filename""#));
    assert!(!evaluate(&with_env, &token()).allowed, "the job has no environment");
    let mut in_env = token();
    in_env.set("environment", "npm");
    assert!(evaluate(&with_env, &in_env).allowed);
    let mut self_hosted = token();
    self_hosted.set("runner_environment", "self-hosted");
    assert!(!evaluate(&config(DOCS), &self_hosted).allowed, "N1: self-hosted runners are not supported");
}

#[test]
fn the_cli_asks_for_its_own_audience() {
    // N2: `npm:${new URL(registry).hostname}`; a job's other audience is not the one npm sees.
    let mut default_aud = token();
    default_aud.set("aud", "https://github.com/octo-org");
    let v = evaluate(&config(DOCS), &default_aud);
    assert!(v.allowed && v.audience == "npm:registry.npmjs.org");
    let mut other_registry = token();
    other_registry.set("aud", "npm:npm.pkg.github.com");
    assert!(!evaluate(&config(DOCS), &other_registry).allowed);
}

#[test]
fn a_path_or_a_missing_extension_never_matches() {
    let err = |t: &str| NpmConfig::from_text(t).err().map(|d| d.message).unwrap_or_default();
    assert!(err(&DOCS.replace("publish.yml", ".github/workflows/publish.yml")).contains("filename only"));
    assert!(err(&DOCS.replace("publish.yml", "publish")).contains("`.yml` or `.yaml`"));
}
