//! octo-sts's rules, each against its source (O2 `trust_policy.go`
//! @cb87fc1).

use super::*;

fn token(sub: &str, aud: &str) -> Claims {
    let mut c = Claims::new();
    c.set("iss", "https://token.actions.githubusercontent.com");
    c.set("aud", aud);
    c.set("sub", sub);
    c.set("job_workflow_ref", "my-org/infra/.github/workflows/release.yaml@refs/heads/main");
    c.set_num("iat", 1_700_000_000);
    c
}

const MAIN: &str = "repo:my-org/infra:ref:refs/heads/main";

fn policy(yaml: &str) -> OctoStsConfig {
    OctoStsConfig::from_text(yaml).unwrap_or_else(|d| panic!("{}", d.message))
}

#[test]
fn exact_fields_and_anchored_claim_patterns() {
    let p = policy(
        "issuer: https://token.actions.githubusercontent.com\nsubject: repo:my-org/infra:ref:refs/heads/main\nclaim_pattern:\n  job_workflow_ref: my-org/infra/\\.github/workflows/release\\.yaml@refs/heads/main\npermissions:\n  contents: read\n",
    );
    assert!(evaluate(&p, &token(MAIN, "octo-sts.dev")).allowed, "the domain is the default audience");
    let v = evaluate(&p, &token("repo:my-org/infra:ref:refs/heads/dev", "octo-sts.dev"));
    assert_eq!(v.code, "PermissionDenied");
    assert_eq!(
        v.message,
        r#"trust policy: subject "repo:my-org/infra:ref:refs/heads/dev" did not match "repo:my-org/infra:ref:refs/heads/main""#
    );
    let v = evaluate(&p, &token(MAIN, "https://github.com/my-org"));
    assert_eq!(
        v.message,
        r#"trust policy: audience "octo-sts.dev" did not match any of ["https://github.com/my-org"]"#
    );
    let mut other = token(MAIN, "octo-sts.dev");
    other.set("job_workflow_ref", "my-org/infra/.github/workflows/release.yaml@refs/heads/main2");
    let v = evaluate(&p, &other);
    assert!(v.message.starts_with(r#"trust policy: claim "job_workflow_ref" did not match "^my-org"#), "{}", v.message);
}

#[test]
fn patterns_are_wrapped_in_anchors_not_grouped() {
    // `"^" + pattern + "$"`: the first alternative is open at its end.
    let p = policy(
        "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:my-org/infra:ref:refs/heads/main|repo:my-org/infra:ref:refs/tags/v.*\n",
    );
    assert!(evaluate(&p, &token("repo:my-org/infra:ref:refs/heads/main-hotfix", "octo-sts.dev")).allowed);
    let Matcher::Pattern(sp) = &p.subject else { panic!("a pattern") };
    assert!(sp.top_level_alternation());
    let grouped = policy(
        "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:my-org/infra:ref:refs/(heads/main|tags/v.*)\n",
    );
    assert!(!evaluate(&grouped, &token("repo:my-org/infra:ref:refs/heads/main-hotfix", "octo-sts.dev")).allowed);
    let Matcher::Pattern(gp) = &grouped.subject else { panic!("a pattern") };
    assert!(!gp.top_level_alternation());
}

#[test]
fn claims_must_exist_and_be_strings() {
    let p = policy(
        "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: .*\nclaim_pattern:\n  environment: prod\n  iat: .*\n",
    );
    assert_eq!(
        evaluate(&p, &token(MAIN, "octo-sts.dev")).message,
        r#"trust policy: expected claim "environment" not found in token"#
    );
    let p =
        policy("issuer: https://token.actions.githubusercontent.com\nsubject_pattern: .*\nclaim_pattern:\n  iat: .*\n");
    assert_eq!(
        evaluate(&p, &token(MAIN, "octo-sts.dev")).message,
        r#"trust policy: expected claim "iat" not a string"#
    );
}

#[test]
fn policies_octo_sts_cannot_compile_or_parse_are_located_errors() {
    let err = |t: &str| OctoStsConfig::from_text(t).err().map(|d| d.message).unwrap_or_default();
    assert_eq!(
        err("subject: x\n"),
        r#"unable to compile trust policy found for "IDENTITY": trust policy: one of issuer or issuer_pattern must be set, got neither"#
    );
    assert_eq!(
        err("issuer: a\nissuer_pattern: b\nsubject: x\n"),
        r#"unable to compile trust policy found for "IDENTITY": trust policy: only one of issuer or issuer_pattern can be set, got both"#
    );
    assert!(
        err("issuer: a\nsubject_pattern: '('\n")
            .starts_with(r#"unable to compile trust policy found for "IDENTITY": "#)
    );
    assert!(
        err("identity: deploy\npolicy:\n  issuer: a\n  subjct: x\n")
            .starts_with(r#"unable to parse trust policy found for "deploy": unknown field `subjct`"#)
    );
    assert!(err("issuer: a\nsubject_pattern: 'a{1000}{1000}'\n").contains("more than"), "the size cap holds");
}

const ORG_POLICY: &str = "issuer: https://token.actions.githubusercontent.com\nsubject: repo:my-org/infra:ref:refs/heads/main\npermissions:\n  contents: read\nrepositories: [infra]\n";

fn section(extra: &str, policy: &str) -> std::result::Result<OctoStsConfig, Diagnostic> {
    let indented: String = policy.lines().map(|l| format!("  {l}\n")).collect();
    OctoStsConfig::from_text(&format!("identity: release\n{extra}policy:\n{indented}"))
}

#[test]
fn repositories_only_in_an_organization_level_policy() {
    // O4 `lookupInstallAndTrustPolicy`: `scope: OWNER`, or the policy
    // repository named explicitly, reads an OrgTrustPolicy; a repository's
    // policy is a TrustPolicy, which UnmarshalStrict refuses with
    // `repositories`.
    for scope in ["my-org", "my-org/.github"] {
        let c = section(&format!("scope: {scope}\n"), ORG_POLICY).unwrap();
        let v = evaluate(&c, &token(MAIN, "octo-sts.dev"));
        assert!(v.allowed);
        assert!(
            v.trace[0]
                .text
                .contains("an organization-level policy, read from my-org/.github/.github/chainguard/release.sts.yaml"),
            "{:?}",
            v.trace[0]
        );
    }
    let e = section("scope: my-org/infra\n", ORG_POLICY).unwrap_err();
    assert!(
        e.message
            .starts_with("unable to parse trust policy found for \"release\": json: unknown field \"repositories\""),
        "{}",
        e.message
    );
    assert!(section("scope: my-org/infra\n", &ORG_POLICY.replace("repositories: [infra]\n", "")).is_ok());
    assert!(section("scope: my-org/a/b\n", ORG_POLICY).unwrap_err().message.contains("`scope` must be OWNER/REPO"));
}

#[test]
fn the_organization_issuer_allowlist_is_checked_before_the_policy() {
    // O4 README and `checkOrgTrustedIssuers`: exact `issuers` or anchored
    // `issuer_patterns`; enforce (the default) refuses with "issuer not
    // permitted by organization policy", audit permits; no file, no limit.
    let gh = "trusted_issuers:\n  issuers: [https://token.actions.githubusercontent.com]\n";
    let other = "trusted_issuers:\n  issuers: [https://some-other-idp.example.com]\n";
    let pattern =
        "trusted_issuers:\n  issuer_patterns: ['https://token\\.actions\\.githubusercontent\\.com(/[a-z0-9-]+)?']\n";
    let audit = "trusted_issuers:\n  mode: audit\n  issuers: [https://some-other-idp.example.com]\n";
    let run = |extra: &str| evaluate(&section(extra, ORG_POLICY).unwrap(), &token(MAIN, "octo-sts.dev"));
    assert!(run(gh).allowed);
    assert!(run(pattern).allowed);
    assert!(run(audit).allowed);
    assert!(run("").allowed);
    let v = run(other);
    assert_eq!(
        (v.code.as_str(), v.message.as_str()),
        ("PermissionDenied", "issuer not permitted by organization policy")
    );
    assert_eq!(v.decided_by, "trusted-token-issuers.yaml");
    // Exact means exact: a trailing slash is another issuer.
    assert!(!run("trusted_issuers:\n  issuers: [https://token.actions.githubusercontent.com/]\n").allowed);
    // `Compile`'s refusals.
    for (bad, want) in [
        ("trusted_issuers:\n  mode: strict\n  issuers: [https://a.example.com]\n", "unknown mode \"strict\""),
        ("trusted_issuers:\n  mode: audit\n", "must list at least one entry in issuers or issuer_patterns"),
        (
            "trusted_issuers:\n  issuers: [https://Token.Actions.GitHubUserContent.com]\n",
            "must be lowercase in scheme and host",
        ),
        ("trusted_issuers:\n  issuer_patterns: ['https://(']\n", "invalid issuer_pattern"),
    ] {
        let e = section(bad, ORG_POLICY).unwrap_err();
        assert!(e.message.contains(want), "{bad}: {}", e.message);
        assert!(e.message.starts_with("organization trusted-issuer configuration is invalid"), "{}", e.message);
    }
}
