//! Every suggestion is judged by the engine before it is shown: these tests
//! check that the suggestions for the seed scenarios, and for many generated
//! scenarios, verify (admit every intended run, reject every unintended run
//! the cloud can tell apart).

use super::*;
use crate::analysis::blast_radius::{explore, tests::fixture};
use proptest::prelude::*;

fn assert_verified(s: &Suggestion) {
    assert!(s.verified.verified, "{} suggestion not verified: {:?}\n{}", s.cloud, s.verified, s.config);
    assert!(s.verified.checked_runs > 1);
}

/// Seed scenarios (tests/fixtures, sourced from the seed guide and GitHub's
/// Alibaba guide): each configured cloud gets a verified suggestion.
#[test]
fn seed_scenarios_get_verified_suggestions() {
    for name in [
        "aws-org-wildcard",
        "aws-environment-drift",
        "aws-main-only",
        "aws-missing-aud",
        "azure-environment",
        "azure-flexible-release",
        "gcp-org-provider",
        "alibaba-wildcard",
        "alibaba-branch",
        "alibaba-environment",
        "reusable-workflow-pin",
    ] {
        let s = fixture(name);
        let out = suggestions(&s);
        assert_eq!(out.len(), crate::engine::configured_clouds(&s).len(), "{name}");
        for sug in &out {
            assert_verified(sug);
            assert!(sug.snippets.iter().any(|x| x.format == "hcl"), "{name}: terraform snippet");
            assert!(sug.snippets.iter().any(|x| x.format == "shell"), "{name}: cli snippet");
        }
    }
}

/// The seed's 400-repo story: the suggestion pins this repository (and the
/// tokens of other repositories are rejected by it).
#[test]
fn org_wildcard_suggestion_pins_the_repository() {
    let s = fixture("aws-org-wildcard");
    let sug = suggestions(&s).into_iter().find(|x| x.cloud == Cloud::Aws).unwrap();
    assert!(sug.config.contains("\"repo:my-org/internal-tools:ref:refs/heads/main\""), "{}", sug.config);
    assert!(!sug.config.contains('*'));
    // The only run AWS cannot tell apart is pull_request_target (same sub, `ref` option).
    assert_eq!(sug.verified.indistinguishable, vec!["pull-request-target-ref:deploy".to_string()]);
}

/// A configuration that does not parse is never shown as verified.
#[test]
fn unparseable_suggestion_is_not_verified() {
    let s = fixture("aws-org-wildcard");
    let e = explore(&s);
    let v = verify(&s, Cloud::Aws, "{ not json", &e);
    assert!(!v.parsed && !v.verified && !v.admits_intended);
    // A policy admitting everything fails the unintended check.
    let open = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"*"}}}]}"#;
    let v = verify(&s, Cloud::Aws, open, &e);
    assert!(v.parsed && v.admits_intended && !v.rejects_unintended && !v.verified, "{v:?}");
}

/// Verification is bounded (docs/fuzzing.md finding 3): past its work budget it stops,
/// says how far it got, and the suggestion is not verified; within the
/// budget the same suggestion verifies.
#[test]
fn verification_stops_at_its_work_budget() {
    let s = fixture("aws-main-only");
    let e = explore(&s);
    let suggestion = suggest(&s, &e).into_iter().find(|x| x.cloud == Cloud::Aws).unwrap();
    assert!(suggestion.verified.verified, "{:?}", suggestion.verified);
    let runs = suggestion.verified.checked_runs;
    assert!(runs > 2, "{runs}");
    let v = verify_within(&s, Cloud::Aws, &suggestion.config, &e, suggestion.config.len() * 2);
    assert_eq!(v.checked_runs, 2);
    assert!(!v.verified && v.parsed, "{v:?}");
    assert!(v.failures.iter().any(|f| f.contains(&format!("stopped after 2 of {runs} runs"))), "{:?}", v.failures);
}

/// Seed guide §5: a job inside a reusable workflow: Alibaba can only see
/// `sub`, so the customized-`sub` call is offered (marked not verified).
#[test]
fn reusable_workflow_gets_the_customization_call_where_needed() {
    let mut s = fixture("reusable-workflow-pin");
    s.alibaba = Some(crate::alibaba::AlibabaConfig::from_text(r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Federated":["acs:ram::1:oidc-provider/github"]},"Condition":{"StringEquals":{"oidc:iss":"https://token.actions.githubusercontent.com","oidc:aud":"sts.aliyuncs.com"},"StringLike":{"oidc:sub":"*"}}}]}"#).unwrap());
    let out = suggestions(&s);
    let ali = out.iter().find(|x| x.cloud == Cloud::Alibaba).unwrap();
    let call = ali
        .snippets
        .iter()
        .find(|x| x.text.starts_with("gh api -X PUT /repos/my-org/product-a/actions/oidc/customization/sub"))
        .unwrap();
    assert!(call.title.contains("NOT verified"));
}

fn scenario_yaml(
    owner: &str,
    repo: &str,
    env: Option<&str>,
    event: &str,
    git_ref: &str,
    immutable: bool,
    second_job: bool,
) -> String {
    let env_line = env.map(|e| format!("    environment: {e}\n")).unwrap_or_default();
    // A second job, without environment, logging in to AWS and GCP only.
    let second = if second_job {
        "  smoke:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::111122223333:role/x\n          aws-region: us-east-1\n      - uses: google-github-actions/auth@v2\n        with:\n          workload_identity_provider: projects/123456789/locations/global/workloadIdentityPools/github/providers/github\n          service_account: sa@p.iam.gserviceaccount.com\n"
    } else {
        ""
    };
    let wf = format!(
        "name: deploy\non: [push, pull_request, workflow_dispatch]\npermissions:\n  id-token: write\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n{env_line}    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::111122223333:role/x\n          aws-region: us-east-1\n      - uses: azure/login@v2\n        with:\n          client-id: x\n          tenant-id: y\n          allow-no-subscriptions: true\n      - uses: google-github-actions/auth@v2\n        with:\n          workload_identity_provider: projects/123456789/locations/global/workloadIdentityPools/github/providers/github\n          service_account: sa@p.iam.gserviceaccount.com\n      - uses: aliyun/configure-aliyun-credentials-action@v1\n        with:\n          role-to-assume: acs:ram::1:role/x\n          oidc-provider-arn: acs:ram::1:oidc-provider/github\n          audience: sts.aliyuncs.com\n{second}"
    );
    let indented: String = wf.lines().map(|l| format!("  {l}\n")).collect();
    let event = if event == "pull_request" {
        format!("{{ name: pull_request, base_ref: main, head_ref: {git_ref}, pr_number: 7 }}")
    } else {
        format!("{{ name: {event}, ref: refs/heads/{git_ref} }}")
    };
    format!(
        "repository: {owner}/{repo}\nrepository_id: \"987654\"\nrepository_owner_id: \"123456\"\nsubject: {{ immutable: {immutable} }}\nevent: {event}\nworkflow: |\n{indented}aws: |\n  {{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Federated\":\"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\"}},\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{{\"StringLike\":{{\"token.actions.githubusercontent.com:sub\":\"repo:*\"}}}}}}]}}\nazure: |\n  [{{\"name\":\"any\",\"issuer\":\"https://token.actions.githubusercontent.com\",\"subject\":\"repo:{owner}/{repo}:ref:refs/heads/main\",\"audiences\":[\"api://AzureADTokenExchange\"]}}]\ngcp: |\n  {{\"provider\":{{\"name\":\"projects/123456789/locations/global/workloadIdentityPools/github/providers/github\",\"attributeMapping\":{{\"google.subject\":\"assertion.sub\"}},\"attributeCondition\":\"assertion.repository_owner == '{owner}'\",\"oidc\":{{\"issuerUri\":\"https://token.actions.githubusercontent.com\"}}}},\"members\":[\"principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github/*\"]}}\nalibaba: |\n  {{\"Version\":\"1\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{{\"Federated\":[\"acs:ram::1:oidc-provider/github\"]}},\"Condition\":{{\"StringEquals\":{{\"oidc:iss\":\"https://token.actions.githubusercontent.com\",\"oidc:aud\":\"sts.aliyuncs.com\"}},\"StringLike\":{{\"oidc:sub\":\"repo:*\"}}}}}}]}}\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Property: for generated scenarios (owner/repo names, branches,
    /// environments, events, immutable on/off), every cloud's suggestion
    /// verifies against the what-if matrix.
    #[test]
    fn suggestions_verify(
        owner in "[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?",
        repo in "[a-z][a-z0-9._]{0,8}",
        env in proptest::option::of("[a-z][a-z0-9-]{0,7}"),
        event in prop_oneof![Just("push"), Just("workflow_dispatch"), Just("pull_request")],
        git_ref in "(main|dev|release/[0-9]\\.[0-9]|feature/[a-z]{1,6})",
        immutable in any::<bool>(),
        second_job in any::<bool>(),
    ) {
        let text = scenario_yaml(&owner, &repo, env.as_deref(), event, &git_ref, immutable, second_job);
        let s = crate::scenario::Scenario::parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        let out = suggestions(&s);
        prop_assert_eq!(out.len(), 4, "{}", text);
        for sug in &out {
            prop_assert!(sug.verified.verified, "{} not verified: {:?}\n{}\n{}", sug.cloud, sug.verified, sug.config, text);
        }
    }
}

/// Research §3.1: with a `sub` over 127 bytes, the GCP suggestion maps
/// `google.subject` to something shorter and still verifies.
#[test]
fn gcp_suggestion_survives_long_subjects() {
    let mut s = fixture("gcp-org-provider");
    s.event.ref_ = Some(format!("refs/heads/{}", "x".repeat(120)));
    let sug = suggestions(&s).into_iter().find(|x| x.cloud == Cloud::Gcp).unwrap();
    assert!(sug.config.contains("\"google.subject\": \"assertion.repository_id\""), "{}", sug.config);
    assert_verified(&sug);
}

/// The ready-to-paste renderings (ids fixed so the snapshot is stable).
#[test]
fn suggestions_snapshot() {
    let mut out = String::new();
    for name in ["aws-org-wildcard", "azure-environment", "gcp-org-provider", "alibaba-branch"] {
        let mut s = fixture(name);
        s.repository_id = Some("456789".into());
        s.repository_owner_id = Some("123456".into());
        for sug in suggestions(&s) {
            out.push_str(&format!("===== {name} / {}: {}\nverified: {:?}\n", sug.cloud, sug.summary, sug.verified));
            for snip in &sug.snippets {
                out.push_str(&format!("--- {} ({})\n{}\n", snip.title, snip.format, snip.text));
            }
            for n in &sug.notes {
                out.push_str(&format!("note: {n}\n"));
            }
        }
    }
    insta::assert_snapshot!(out);
}

/// The relying parties beyond the clouds get suggestions too, each parsed
/// back by the service's own parser and proven against the what-if matrix
/// (their fixtures from the services' docs).
#[cfg(feature = "services")]
#[test]
fn services_suggestions_verify_against_the_matrix() {
    for (name, cloud) in [
        ("vault-github-guide", Cloud::Vault),
        ("pypi-trusted-publisher", Cloud::Pypi),
        ("crates-io-trusted-publishing", Cloud::CratesIo),
        ("npm-trusted-publishing", Cloud::Npm),
        ("octo-sts-release", Cloud::OctoSts),
    ] {
        let s = fixture(name);
        let sug = suggestions(&s).into_iter().find(|x| x.cloud == cloud).unwrap_or_else(|| panic!("{name}: none"));
        assert!(sug.verified.parsed, "{name}: {:?}\n{}", sug.verified, sug.config);
        assert!(sug.verified.admits_intended, "{name}: {:?}\n{}", sug.verified, sug.config);
        assert!(sug.verified.verified, "{name}: {:?}\n{}", sug.verified, sug.config);
    }
}
