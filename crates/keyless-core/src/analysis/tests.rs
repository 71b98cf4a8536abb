//! End-to-end analysis of the seed scenarios: the findings each must raise
//! (and must not), and the JSON shape the lead wires into `keyless eval`.

use super::blast_radius::tests::fixture;
use super::*;

fn analysis_of(name: &str) -> Analysis {
    let s = fixture(name);
    let report = crate::engine::evaluate(&s);
    analyze(&s, &report)
}

fn ids(a: &Analysis) -> Vec<&str> {
    a.findings.iter().map(|f| f.id.as_str()).collect()
}

/// (fixture, findings it must raise, findings it must not). Sources: the
/// fixtures' own `source:` (seed guide sections, GitHub/Alibaba docs).
#[test]
fn seed_scenarios_raise_their_findings() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        // Enterprise story: org wildcard admits other repos; breaks under immutable subjects.
        (
            "aws-org-wildcard",
            &["KL-SUB-003", "KL-TRUST-001", "KL-TRUST-005", "KL-TRUST-006"],
            &["KL-AWS-001", "KL-AWS-002"],
        ),
        // §2: the main-only role: only other workflow files on main get in.
        ("aws-main-only", &["KL-TRUST-008"], &["KL-TRUST-001", "KL-AWS-001", "KL-AWS-002"]),
        // GitHub's Alibaba guide writes oidc:iss without the scheme.
        ("alibaba-branch", &["KL-ALI-005"], &["KL-ALI-002", "KL-ALI-004"]),
        // §1: pinned to main, job in an environment.
        ("aws-environment-drift", &["KL-TRUST-002"], &["KL-TRUST-007", "KL-AWS-001", "KL-TRUST-006", "KL-TRUST-008"]),
        // §2 "Always pin aud".
        ("aws-missing-aud", &["KL-AWS-002"], &["KL-AWS-001"]),
        // §3 flexible expression written as a regex; Aug 2026 required claims.
        (
            "azure-flexible-release",
            &["KL-AZ-003", "KL-AZ-002", "KL-TRUST-007"],
            &["KL-AZ-001", "KL-TRUST-001", "KL-TRUST-008", "KL-TRUST-009"],
        ),
        // §4: owner condition is fine (no CKV_GCP_125-style false positive).
        (
            "gcp-org-provider",
            &["KL-TRUST-001", "KL-TRUST-008"],
            &["KL-GCP-001", "KL-GCP-002", "KL-TRUST-005", "KL-TRUST-002"],
        ),
        // GitHub's Alibaba guide: `repo:example/example-repo:*`.
        ("alibaba-wildcard", &["KL-SUB-005"], &["KL-ALI-001", "KL-ALI-004"]),
    ];
    for (name, must, must_not) in cases {
        let a = analysis_of(name);
        let got = ids(&a);
        for id in *must {
            assert!(got.contains(id), "{name}: expected {id}, got {got:?}");
        }
        for id in *must_not {
            assert!(!got.contains(id), "{name}: unexpected {id}, got {got:?}");
        }
    }
}

#[test]
fn analysis_serialises_to_the_eval_contract_fields() {
    let a = analysis_of("aws-org-wildcard");
    let v = serde_json::to_value(&a).unwrap();
    for key in ["findings", "matrix", "suggestions"] {
        assert!(v.get(key).is_some(), "{key}");
    }
    let f = &v["findings"][0];
    for key in ["id", "severity", "cloud", "title", "message", "location", "fix"] {
        assert!(f.get(key).is_some(), "finding.{key}");
    }
    let m = &v["matrix"];
    for key in ["clouds", "rows", "unintended_admits", "evaluations"] {
        assert!(m.get(key).is_some(), "matrix.{key}");
    }
    let s = &v["suggestions"][0]["verified"];
    for key in ["admits_intended", "rejects_unintended", "checked_runs", "verified"] {
        assert!(s.get(key).is_some(), "verified.{key}");
    }
}

/// Findings are located in the document that holds the offending text.
#[test]
fn scenario_findings_point_into_their_documents() {
    let s = fixture("azure-flexible-release");
    let a = analyze(&s, &crate::engine::evaluate(&s));
    let f = a.findings.iter().find(|f| f.id == "KL-AZ-003").unwrap();
    assert_eq!(f.location.unwrap().doc, crate::span::DocId::Azure);
}

fn ids_of(s: &crate::scenario::Scenario) -> Vec<String> {
    let report = crate::engine::evaluate(s);
    analyze(s, &report).findings.into_iter().map(|f| f.id).collect()
}

/// github-oidc-tokens.md §3.3 / Azure/login#497: Entra compares subjects
/// case-sensitively (AADSTS7002138).
#[test]
fn case_mismatch_is_explained() {
    let mut s = fixture("azure-environment");
    s.azure = Some(
        crate::azure::AzureConfig::from_text(r#"[{"name": "gha-main-prod", "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:My-Org/my-repo:environment:prod", "audiences": ["api://AzureADTokenExchange"]}]"#)
            .unwrap(),
    );
    assert!(ids_of(&s).contains(&"KL-TRUST-003".to_string()));
    assert!(!ids_of(&fixture("azure-environment")).contains(&"KL-TRUST-003".to_string()));
}

/// github-oidc-tokens.md §3.4: a name-based pattern never matches the
/// immutable `repo:OWNER@ID/REPO@ID:` subject.
#[test]
fn immutable_subject_drift_is_explained() {
    let mut s = fixture("aws-main-only");
    s.subject.immutable = true;
    s.repository_id = Some("456789".into());
    s.repository_owner_id = Some("123456".into());
    let got = ids_of(&s);
    assert!(got.contains(&"KL-TRUST-004".to_string()), "{got:?}");
    assert!(!ids_of(&fixture("aws-main-only")).contains(&"KL-TRUST-004".to_string()));
}

/// Research §3.1: `google.subject` may not exceed 127 bytes.
#[test]
fn long_google_subject_is_flagged() {
    let mut s = fixture("gcp-org-provider");
    s.event.ref_ = Some(format!("refs/heads/{}", "x".repeat(120)));
    assert!(ids_of(&s).contains(&"KL-GCP-003".to_string()));
    assert!(!ids_of(&fixture("gcp-org-provider")).contains(&"KL-GCP-003".to_string()));
}

/// github-oidc-tokens.md §2.2/§5: a workflow that triggers on
/// pull_request_target, trusted for main: high severity.
#[test]
fn pull_request_target_admission_is_high_when_the_workflow_triggers_on_it() {
    let mut s = fixture("aws-org-wildcard");
    let report = crate::engine::evaluate(&s);
    let medium = analyze(&s, &report).findings.into_iter().find(|f| f.id == "KL-TRUST-006").unwrap();
    assert_eq!(medium.severity, FindingSeverity::Medium);
    s.workflow.text = s.workflow.text.replace("on: push", "on: [push, pull_request_target]");
    let report = crate::engine::evaluate(&s);
    let found = analyze(&s, &report).findings;
    let high = found.iter().find(|f| f.id == "KL-TRUST-006").unwrap();
    assert_eq!(high.severity, FindingSeverity::High);
    assert!(found.iter().any(|f| f.id == "KL-GHA-003"));
}

/// Runs that keep the intended environment are admitted only if GitHub's
/// environment rules let them in, which is not simulated: medium, not high.
#[test]
fn environment_gated_admits_are_medium() {
    let a = analysis_of("azure-environment");
    let f = a.findings.iter().find(|f| f.id == "KL-TRUST-001").unwrap();
    assert_eq!(f.severity, FindingSeverity::Medium);
    assert!(f.message.contains("not simulated"));
}

/// github-oidc-tokens.md §4.2: each login action sends its own audience.
#[test]
fn wrong_audience_pin_is_explained() {
    let mut s = fixture("aws-main-only");
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"api://AzureADTokenExchange","token.actions.githubusercontent.com:sub":"repo:my-org/my-repo:ref:refs/heads/main"}}}]}"#;
    s.aws = Some(crate::aws::AwsConfig::from_text(text).unwrap());
    let got = ids_of(&s);
    assert!(got.contains(&"KL-TRUST-009".to_string()), "{got:?}");
    assert!(!ids_of(&fixture("aws-main-only")).contains(&"KL-TRUST-009".to_string()));
}

/// Seed guide §5: `repo:o/r:*` on a production role is high.
#[test]
fn any_context_on_a_production_role_is_high() {
    let mut s = fixture("alibaba-environment");
    let report = crate::engine::evaluate(&s);
    assert!(report.jobs.iter().any(|j| j.environment.as_deref() == Some("Production")));
    let text = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Federated":["acs:ram::1464366000000000:oidc-provider/github"]},"Condition":{"StringEquals":{"oidc:iss":"https://token.actions.githubusercontent.com","oidc:aud":"sts.aliyuncs.com"},"StringLike":{"oidc:sub":"repo:example/example-repo:*"}}}]}"#;
    s.alibaba = Some(crate::alibaba::AlibabaConfig::from_text(text).unwrap());
    let report = crate::engine::evaluate(&s);
    let f = analyze(&s, &report).findings.into_iter().find(|f| f.id == "KL-SUB-005").unwrap();
    assert_eq!(f.severity, FindingSeverity::High);
    let wildcard = analysis_of("alibaba-wildcard").findings.into_iter().find(|f| f.id == "KL-SUB-005").unwrap();
    assert_eq!(wildcard.severity, FindingSeverity::Medium);
}

/// IAM global condition keys page: aws:SourceIp is the caller's address,
/// which Keyless cannot know. A job whose verdict is `undetermined` is not
/// reported as rejected (KL-TRUST-007).
#[test]
fn undetermined_verdicts_are_not_reported_as_rejections() {
    let mut s = fixture("aws-main-only");
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                    "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}"#;
    s.aws = Some(crate::aws::AwsConfig::from_text(policy).unwrap());
    let report = crate::engine::evaluate(&s);
    let codes: Vec<&str> = report
        .jobs
        .iter()
        .filter_map(|j| j.verdicts.get(&crate::verdict::Cloud::Aws))
        .map(|v| v.code.as_str())
        .collect();
    assert!(codes.contains(&"undetermined"), "{codes:?}");
    let a = analyze(&s, &report);
    assert!(!ids(&a).contains(&"KL-TRUST-007"), "{:?}", ids(&a));
}

/// D-ENV: a trust on `environment:prod` is as narrow as prod's deployment
/// branches. With a branch rule, other branches get no token (no
/// unintended admit, no KL-TRUST-010); with no rules given the finding is
/// low (unknown), with `all` medium.
#[test]
fn environment_deployment_rules_narrow_the_blast_radius() {
    let a = analysis_of("aws-environment-branch-policy");
    let got = ids(&a);
    assert!(!got.contains(&"KL-TRUST-010"), "{got:?}");
    assert!(!got.contains(&"KL-TRUST-001"), "{got:?}");
    let mut s = fixture("aws-environment-branch-policy");
    s.environments.clear();
    let a = analyze(&s, &crate::engine::evaluate(&s));
    let f = a.findings.iter().find(|f| f.id == "KL-TRUST-010").expect("KL-TRUST-010");
    assert_eq!(f.severity, FindingSeverity::Low);
    assert!(f.message.contains("no deployment branch rules"), "{}", f.message);
    let mut s = fixture("aws-environment-branch-policy");
    s.environments[0].deployment_branches = crate::github::environment::DeploymentBranches::All;
    let a = analyze(&s, &crate::engine::evaluate(&s));
    let f = a.findings.iter().find(|f| f.id == "KL-TRUST-010").expect("KL-TRUST-010");
    assert_eq!(f.severity, FindingSeverity::Medium);
    assert!(f.location.is_some());
}

/// KL-AZ-007 is about a login that does not set `audience`: in a scenario
/// whose every Azure login sets the credential's audience, it does not apply
/// (the run's own audience is judged, KL-TRUST-009).
#[test]
fn default_audience_findings_follow_the_runs_logins() {
    let scenario = |with_audience: &str| {
        format!(
            "repository: o/r\nevent: push\nworkflow: |\n  on: push\n  jobs:\n    deploy:\n      runs-on: ubuntu-latest\n      permissions: {{id-token: write}}\n      steps:\n        - uses: azure/login@v2\n          with:\n            client-id: x{with_audience}\nazure:\n  credentials:\n    - name: gha\n      issuer: https://token.actions.githubusercontent.com\n      subject: repo:o/r:ref:refs/heads/main\n      audiences: [api://my-app]\n"
        )
    };
    let ids_of = |text: &str| -> Vec<String> {
        let s = crate::Scenario::parse(text).expect("scenario");
        let report = crate::engine::evaluate(&s);
        analyze(&s, &report).findings.into_iter().map(|f| f.id).collect()
    };
    assert!(ids_of(&scenario("")).iter().any(|i| i == "KL-AZ-007"));
    let explicit = ids_of(&scenario("\n            audience: api://my-app"));
    assert!(!explicit.iter().any(|i| i == "KL-AZ-007"), "{explicit:?}");
}

/// docs/fuzzing.md finding 3 (fuzz/regressions/scenario/): a 256-combination
/// matrix and a fan-out of reusable workflows (1,024 jobs). The analysis
/// through the verdict cache equals the one that judges every run, and it
/// judges each token the cloud tells apart once: the matrix's what-if rows
/// repeat 256 `sub`s (the environment), the fan-out's jobs one token per row.
#[test]
fn the_analysis_judges_each_distinct_token_once_with_the_same_result() {
    // The most verdicts each may compute: the matrix's 256 `sub`s (one per
    // environment) under a dozen repository and issuer forms at most; the
    // fan-out's 1,024 jobs share one token per what-if row.
    for (name, distinct_most) in [("matrix-256-suggestion-verify", 256 * 12), ("reusable-fan-out", 32)] {
        let path = crate::testutil::repo_root().join("fuzz/regressions/scenario").join(format!("{name}.yaml"));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let scenario = Scenario::parse(&text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let report = crate::engine::evaluate(&scenario);
        let mut memo = VerdictCache::default();
        let mut every = VerdictCache::without_reuse();
        let memoised = analyze_using(&scenario, &report, &mut memo);
        assert_eq!(memoised, analyze_using(&scenario, &report, &mut every), "{name}");
        assert_eq!(memoised, analyze(&scenario, &report), "{name}");
        // Every what-if run was judged (thousands), each distinct token once.
        let judged = every.misses;
        assert_eq!(memo.hits + memo.misses, judged, "{name}");
        assert!(judged > 4000, "{name}: {judged} runs judged");
        assert!(memo.misses <= distinct_most, "{name}: {} of {judged} judged", memo.misses);
        eprintln!("{name}: {} verdicts computed for {judged} runs judged", memo.misses);
    }
}
