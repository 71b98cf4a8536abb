//! PyPI's rules, each against its source (Y3 Warehouse @6b62157, Y4 its
//! trusted publishing docs).

use super::*;
use crate::claims::Claims;

/// A token from `release.yml` on a tag of octo-org/sampleproject (Y4's
/// example), with the claims Warehouse requires.
fn token() -> Claims {
    let mut c = Claims::new();
    c.set("iss", "https://token.actions.githubusercontent.com");
    c.set("aud", "pypi");
    c.set("sub", "repo:octo-org/sampleproject:environment:pypi");
    c.set("repository", "octo-org/sampleproject");
    c.set("repository_owner", "octo-org");
    c.set("repository_owner_id", "1001");
    c.set("job_workflow_ref", "octo-org/sampleproject/.github/workflows/release.yml@refs/tags/v1.0.0");
    c.set("ref", "refs/tags/v1.0.0");
    c.set("sha", "0123456789abcdef0123456789abcdef01234567");
    c.set("jti", "j");
    c.set("event_name", "push");
    c.set("environment", "pypi");
    c
}

const DOCS: &str = r#"{ "project": "sampleproject", "publishers": [ { "owner": "octo-org", "repository": "sampleproject", "workflow_filename": "release.yml", "environment": "pypi" } ] }"#;

fn config(text: &str) -> PypiConfig {
    match PypiConfig::from_text(text) {
        Ok(c) => c,
        Err(d) => panic!("{ }", d.message),
    }
}

#[test]
fn the_docs_publisher_admits_its_workflow_in_its_environment_ignoring_case() {
    let c = config(DOCS);
    assert!(evaluate(&c, &token()).allowed);
    let mut upper = token();
    upper.set("environment", "PyPI");
    assert!(evaluate(&c, &upper).allowed, "environments compare lowercased (Y3)");
    let mut none = token();
    none.remove("environment");
    let v = evaluate(&c, &none);
    assert_eq!(v.code, "invalid-publisher");
    assert_eq!(v.message, "valid token, but no corresponding publisher (Publisher with matching claims was not found)");
}

#[test]
fn a_publisher_without_environment_admits_any_environment() {
    let c = config(r#"{ "owner": "octo-org", "repository": "sampleproject", "workflow_filename": "release.yml" }"#);
    let mut staging = token();
    staging.set("environment", "staging");
    assert!(evaluate(&c, &staging).allowed);
}

#[test]
fn the_lookup_is_exact_on_repository_and_workflow_filename() {
    let c = config(r#"{ "owner": "octo-org", "repository": "SampleProject", "workflow_filename": "release.yml" }"#);
    assert_eq!(evaluate(&c, &token()).code, "invalid-publisher", "a SQL equality, case-sensitive");
    let c = config(r#"{ "owner": "octo-org", "repository": "sampleproject", "workflow_filename": "publish.yml" }"#);
    assert_eq!(evaluate(&c, &token()).code, "invalid-publisher");
    let c = config(
        r#"{ "owner": "octo-org", "owner_id": "999", "repository": "sampleproject", "workflow_filename": "release.yml" }"#,
    );
    assert_eq!(evaluate(&c, &token()).code, "invalid-publisher", "a recreated owner has another id");
}

#[test]
fn a_reusable_workflow_of_another_repository_cannot_publish() {
    // Y4 troubleshooting; Y3 `_check_job_workflow_ref`.
    let mut reusable = token();
    reusable.set("job_workflow_ref", "octo-org/shared/.github/workflows/pypi.yml@refs/heads/main");
    let v = evaluate(&config(DOCS), &reusable);
    assert_eq!(v.message, "valid token, but no corresponding publisher (Publisher with matching claims was not found)");
    let called = config(
        r#"{ "owner": "octo-org", "repository": "sampleproject", "workflow_filename": "pypi.yml", "environment": "pypi" }"#,
    );
    let v = evaluate(&called, &reusable);
    assert_eq!(
        v.message,
        "valid token, but no corresponding publisher (The job_workflow_ref claim does not match, expecting one of \
         ['octo-org/sampleproject/.github/workflows/pypi.yml@0123456789abcdef0123456789abcdef01234567', \
         'octo-org/sampleproject/.github/workflows/pypi.yml@refs/tags/v1.0.0'], got \
         'octo-org/shared/.github/workflows/pypi.yml@refs/heads/main')"
    );
}

#[test]
fn issuer_audience_event_and_claims_use_warehouses_codes() {
    let c = config(DOCS);
    let mut wrong_aud = token();
    wrong_aud.set("aud", "https://github.com/octo-org");
    assert_eq!(
        (evaluate(&c, &wrong_aud).code.as_str(), evaluate(&c, &wrong_aud).message.as_str()),
        ("invalid-token", "malformed or invalid token")
    );
    let mut enterprise = token();
    enterprise.set("iss", "https://token.actions.githubusercontent.com/octo-enterprise");
    assert_eq!(evaluate(&c, &enterprise).message, "unknown trusted publishing issuer");
    let mut prt = token();
    prt.set("event_name", "pull_request_target");
    assert_eq!(
        evaluate(&c, &prt).message,
        "valid token, but no corresponding publisher (Publishing from a workflow invoked via 'pull_request_target' is not supported.)"
    );
    let mut no_sha = token();
    no_sha.remove("sha");
    assert_eq!(evaluate(&c, &no_sha).message, "valid token, but no corresponding publisher (Missing claim 'sha')");
}

#[test]
fn the_workflow_filename_is_read_as_warehouses_pattern_does() {
    use crate::claims::workflow_filename;
    assert_eq!(workflow_filename("o/r/.github/workflows/release.yml@refs/heads/main"), Some("release.yml"));
    assert_eq!(workflow_filename("o/r/.github/workflows/a@b.yaml@refs/tags/x.yml@y"), Some("a@b.yaml"));
    assert_eq!(workflow_filename("o/r/.github/workflows/.yml@refs/heads/main"), None);
    assert_eq!(workflow_filename("o/r/.github/workflows/release.yml"), None);
}

#[test]
fn publishers_pypi_refuses_to_add_are_located_errors_in_its_words() {
    let err = |t: &str| PypiConfig::from_text(t).err().map(|d| d.message).unwrap_or_default();
    assert_eq!(
        err(r#"{ "owner": "o", "repository": "r", "workflow_filename": ".github/workflows/release.yml" }"#),
        "Workflow filename must be a filename only, without directories"
    );
    assert_eq!(
        err(r#"{ "owner": "o", "repository": "r", "workflow_filename": "release" }"#),
        "Workflow name must end with .yml or .yaml"
    );
    assert_eq!(
        err(r#"{ "owner": "-o", "repository": "r", "workflow_filename": "a.yml" }"#),
        "Invalid GitHub user or organization name."
    );
    assert_eq!(
        err(r#"{ "owner": "o", "repository": "r", "workflow_filename": "a.yml", "environment": " pypi" }"#),
        "Environment name may not start with whitespace"
    );
    assert_eq!(
        err(r#"{ "owner": "o", "repository": "r", "workflow_filenme": "a.yml" }"#),
        "unknown field `workflow_filenme` in a trusted publisher (did you mean `workflow_filename`?)"
    );
}

/// Y6's example: a pending publisher for `sampleproject` from
/// octo-org/sampleproject's `release.yml` in the environment `pypi`.
const PENDING: &str = r#"{ "project": "sampleproject", "owner": "octo-org", "repository": "sampleproject", "workflow_filename": "release.yml", "environment": "pypi" }"#;

#[test]
fn a_pending_publisher_creates_its_project_on_first_use() {
    // Y6: "configure a 'pending' publisher that will create the project
    // when used for the first time"; converted into a normal publisher.
    let c = config(&format!(r#"{{ "pending_publishers": [{PENDING}] }}"#));
    let v = evaluate(&c, &token());
    assert!(v.allowed, "{v:?}");
    assert_eq!(v.message, "PyPI creates the project `sampleproject` and mints an upload token for it");
    assert!(v.trace.iter().any(|s| s.text.contains("converts the pending publisher into a normal publisher")));
    // It matches as a normal publisher does: the environment is checked.
    let mut staging = token();
    staging.set("environment", "staging");
    let v = evaluate(&c, &staging);
    assert_eq!(v.code, "invalid-publisher", "no pending match, then no publisher at all");
    assert!(v.trace.iter().any(|s| s.text.starts_with("no pending publisher matches this run")));
}

#[test]
fn a_pending_publisher_reserves_no_name() {
    // Y6: "does not create a project or reserve a project's name until it
    // is actually used"; Warehouse: `invalid-pending-publisher`, "valid
    // token, but project already exists", compared as PEP 503 names.
    for existing in [r#""sampleproject""#, r#"["other", "SampleProject"]"#] {
        let c = config(&format!(r#"{{ "pending_publishers": [{PENDING}], "existing_projects": {existing} }}"#));
        let v = evaluate(&c, &token());
        assert_eq!(
            (v.code.as_str(), v.message.as_str()),
            ("invalid-pending-publisher", "valid token, but project already exists")
        );
        assert_eq!(v.decided_by, "pending publisher for `sampleproject`");
    }
    // The section's own project exists when it has publishers: tried first,
    // the pending publisher is refused even though a normal one would match.
    let both = format!(
        r#"{{ "project": "sampleproject", "publishers": [{{ "owner": "octo-org", "repository": "sampleproject", "workflow_filename": "release.yml" }}], "pending_publishers": [{PENDING}] }}"#
    );
    assert_eq!(evaluate(&config(&both), &token()).code, "invalid-pending-publisher");
    assert_eq!(normalize_name("A.b__c-D"), "a-b-c-d");
}

#[test]
fn a_pending_publisher_that_does_not_match_leaves_the_project_publishers() {
    let other = PENDING.replace("release.yml", "other.yml");
    let c = config(&DOCS.replace(r#""publishers""#, &format!(r#""pending_publishers": [{other}], "publishers""#)));
    let v = evaluate(&c, &token());
    assert!(v.allowed, "{v:?}");
    assert_eq!(v.message, "PyPI mints an upload token for `sampleproject`");
}

#[test]
fn the_pending_form_rules() {
    use crate::diagnostic::Stage;
    // Y6 `forms/_core.py`: "Specify project name", `PROJECT_NAME_RE` →
    // "Invalid project name"; then the publisher form's rules.
    for (bad, want) in [
        (PENDING.replace("\"sampleproject\", \"owner\"", "\"-sample\", \"owner\""), "Invalid project name"),
        (PENDING.replace("\"project\": \"sampleproject\", ", ""), "Specify project name"),
        (PENDING.replace("release.yml", "release.txt"), "Workflow name must end with .yml or .yaml"),
    ] {
        let e = PypiConfig::from_text(&format!(r#"{{ "pending_publishers": [{bad}] }}"#)).unwrap_err();
        assert!(e.message.contains(want), "{bad}: {}", e.message);
        if want != "Workflow name must end with .yml or .yaml" {
            assert_eq!(e.stage, Stage::Creation);
        }
    }
    let e = PypiConfig::from_text(r#"{ "project": "x", "pending_publishers": [] }"#).unwrap_err();
    assert!(e.message.contains("no trusted publisher"), "{}", e.message);
}

#[test]
fn project_names_compare_as_pep_503_names() {
    let c = config(&format!(
        r#"{{ "pending_publishers": [{}], "existing_projects": ["Sample.Project"] }}"#,
        PENDING.replace("\"sampleproject\", \"owner\"", "\"sample_project\", \"owner\"")
    ));
    assert_eq!(evaluate(&c, &token()).code, "invalid-pending-publisher");
}
