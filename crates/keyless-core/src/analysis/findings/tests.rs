//! One positive and one negative case per rule, each citing its source.

use super::*;
use crate::analysis::testutil;
use crate::span::{DocId, LineIndex};

const FED: &str = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";

/// A GitHub trust policy with the given extra `Condition` entries.
fn aws_policy(conditions: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "{FED}"}},
 "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{{conditions}}}}}]}}"#
    )
}

const AUD: &str = r#""StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}"#;

fn aws_sub(op: &str, value: &str) -> String {
    aws_policy(&format!(r#"{AUD}, "{op}": {{"token.actions.githubusercontent.com:sub": "{value}"}}"#))
}

fn aws_ids(text: &str) -> Vec<String> {
    check_aws(&testutil::aws(text)).into_iter().map(|f| f.id).collect()
}

fn has(text_ids: &[String], id: &str) -> bool {
    text_ids.iter().any(|i| i == id)
}

/// (rule, policy that triggers it, policy that must not). Sources per row.
#[test]
fn aws_rules_positive_and_negative() {
    let good = aws_sub("StringEquals", "repo:my-org/my-repo:ref:refs/heads/main");
    let cases: Vec<(&str, String, String)> = vec![
        // Checkov CKV_AWS_358/393; AWS secure-by-default OIDC doc (research §1.7).
        ("KL-AWS-001", aws_policy(AUD), good.clone()),
        // Seed guide §2 "Always pin aud".
        (
            "KL-AWS-002",
            aws_policy(
                r#""StringEquals": {"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main"}"#,
            ),
            good.clone(),
        ),
        // AWS operators: StringLike "*" on aud pins nothing (research §1.4).
        (
            "KL-AWS-003",
            aws_policy(
                r#""StringLike": {"token.actions.githubusercontent.com:aud": "*"}, "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main"}"#,
            ),
            good.clone(),
        ),
        // Research §1.3: repository_owner is not in the request context.
        (
            "KL-AWS-004",
            aws_policy(&format!(
                r#"{AUD}, "StringLike": {{"token.actions.githubusercontent.com:sub": "repo:o/r:*", "token.actions.githubusercontent.com:repository_owner": "o"}}"#
            )),
            aws_policy(&format!(
                r#"{AUD}, "StringEquals": {{"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main", "token.actions.githubusercontent.com:repository_id": "42"}}"#
            )),
        ),
        // Research §1.4: StringEquals treats * literally.
        ("KL-IAM-001", aws_sub("StringEquals", "repo:o/r:*"), aws_sub("StringLike", "repo:o/r:ref:refs/heads/*")),
        // Research §1.4: StringLike without a wildcard is StringEquals.
        (
            "KL-IAM-002",
            aws_sub("StringLike", "repo:o/r:ref:refs/heads/main"),
            aws_sub("StringLike", "repo:o/r:ref:refs/tags/v*"),
        ),
        // Research §1.6; configure-aws-credentials README on ForAllValues.
        ("KL-IAM-003", aws_sub("ForAllValues:StringEquals", "repo:o/r:ref:refs/heads/main"), good.clone()),
        // Research §1.6: negated operators are true for missing keys.
        ("KL-IAM-004", aws_sub("StringNotLike", "repo:evil/*"), good.clone()),
        // Research §1.6: IfExists passes when the key is absent.
        (
            "KL-IAM-005",
            aws_sub("StringLikeIfExists", "repo:o/r:ref:refs/heads/*"),
            aws_sub("StringLike", "repo:o/r:ref:refs/heads/*"),
        ),
        // Research §1.8 worked examples.
        ("KL-SUB-001", aws_sub("StringLike", "repo:*"), good.clone()),
        ("KL-SUB-002", aws_sub("StringLike", "repo:my-org*"), good.clone()),
        ("KL-SUB-003", aws_sub("StringLike", "repo:my-org/*:ref:refs/heads/main"), good.clone()),
        ("KL-SUB-004", aws_sub("StringLike", "repo:my-org/my-repo*"), good.clone()),
        ("KL-SUB-005", aws_sub("StringLike", "repo:my-org/my-repo:*"), good.clone()),
        ("KL-SUB-006", aws_sub("StringEquals", "environment:prod"), good.clone()),
    ];
    for (id, positive, negative) in cases {
        assert!(has(&aws_ids(&positive), id), "{id} should fire on {positive}");
        assert!(!has(&aws_ids(&negative), id), "{id} should not fire on {negative}: {:?}", aws_ids(&negative));
    }
}

/// Checkov's false positive (peers-and-anchors.md §B.2): immutable subjects
/// are the most secure form and must not be flagged.
#[test]
fn immutable_subjects_are_not_flagged() {
    for sub in [
        "repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main",
        "repo:octo-org@123456/octo-repo@456789:environment:prod",
        "repository_owner_id:123:repository_id:456:ref:refs/heads/main",
    ] {
        assert!(
            aws_ids(&aws_sub("StringEquals", sub)).is_empty(),
            "{sub}: {:?}",
            aws_ids(&aws_sub("StringEquals", sub))
        );
    }
}

/// The same on Azure (classic and flexible) and GCP: immutable subjects and
/// id conditions are the recommended forms (research §2.3, §3.2).
#[test]
fn immutable_subjects_are_not_flagged_on_azure_and_gcp() {
    let az = |t: &str| -> Vec<String> { check_azure(&testutil::azure(t)).into_iter().map(|f| f.id).collect() };
    assert!(az(&fic(r#""subject": "repo:octo-org@123456/octo-repo@456789:environment:prod""#)).is_empty());
    let flexible = flex(
        "claims['sub'] matches 'repo:octo-org@123456/octo-repo@456789:ref:refs/heads/*' and claims['repository_id'] eq '456789'",
    );
    assert!(az(&flexible).is_empty(), "{:?}", az(&flexible));
    let g = |c: &str| -> Vec<String> {
        check_gcp(&testutil::gcp(&gcp_provider(Some(c), MEMBER))).into_iter().map(|f| f.id).collect()
    };
    assert!(g("assertion.sub == 'repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main'").is_empty());
    assert!(g("assertion.sub.startsWith('repo:octo-org@123456/octo-repo@456789:ref:refs/tags/v')").is_empty());
}

/// Checkov PR #7665 (open): only the first value was checked. Every value is.
#[test]
fn every_value_of_a_condition_is_checked() {
    let policy = aws_policy(&format!(
        r#"{AUD}, "StringLike": {{"token.actions.githubusercontent.com:sub": ["repo:o/r:ref:refs/heads/main", "*"]}}"#
    ));
    assert!(has(&aws_ids(&policy), "KL-SUB-001"));
}

/// Research §1.6 / §9.8: Deny + StringNotEquals on an absent key denies all.
#[test]
fn deny_with_negated_operator_on_unsupported_key() {
    let text = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
  {{"Effect": "Allow", "Principal": {{"Federated": "{FED}"}}, "Action": "sts:AssumeRoleWithWebIdentity",
   "Condition": {{{AUD}, "StringLike": {{"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main"}}}}}},
  {{"Effect": "Deny", "Principal": {{"Federated": "{FED}"}}, "Action": "sts:AssumeRoleWithWebIdentity",
   "Condition": {{"StringNotEquals": {{"token.actions.githubusercontent.com:repository_owner": "o"}}}}}}]}}"#
    );
    assert!(has(&aws_ids(&text), "KL-AWS-005"));
    let supported = text.replace(":repository_owner\"", ":repository\"");
    assert!(!has(&aws_ids(&supported), "KL-AWS-005"));
}

/// IAM global condition keys: a key AWS does not document is in no request
/// (positive operators never match, negated ones always do); a typo of a
/// documented key is named, a documented key or a GitHub claim key is not.
#[test]
fn misspelled_global_key() {
    let typo = aws_policy(&format!(r#"{AUD}, "IpAddress": {{"aws:SourceIpp": "203.0.113.0/24"}}"#));
    let findings = check_aws(&testutil::aws(&typo));
    let f = findings.iter().find(|f| f.id == "KL-AWS-006").expect("KL-AWS-006");
    assert!(f.message.contains("did you mean `aws:SourceIp`?") && f.message.contains("never matches"), "{}", f.message);
    let negated = aws_policy(&format!(r#"{AUD}, "StringNotEquals": {{"aws:RequestedRegio": "us-east-1"}}"#));
    assert!(
        check_aws(&testutil::aws(&negated)).iter().any(|f| f.id == "KL-AWS-006" && f.message.contains("always true"))
    );
    for fine in ["aws:SourceIp", "aws:sourceip", "aws:NoSuchKeyAtAll"] {
        let text = aws_policy(&format!(r#"{AUD}, "IpAddress": {{"{fine}": "203.0.113.0/24"}}"#));
        assert!(!has(&aws_ids(&text), "KL-AWS-006"), "{fine}");
    }
}

/// Same rule for RAM's common keys (KMS condition-key page lists
/// `acs:SourceIp`); names are case-insensitive, so `acs:sourceip` is fine.
#[test]
fn misspelled_alibaba_common_key() {
    let policy = |key: &str| {
        format!(
            r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Principal": {{"Federated": ["acs:ram::1:oidc-provider/gh"]}},
 "Action": "sts:AssumeRole", "Condition": {{"StringEquals": {{"oidc:iss": "https://token.actions.githubusercontent.com", "oidc:aud": "sts.aliyuncs.com", "oidc:sub": "repo:o/r:ref:refs/heads/main"}}, "IpAddress": {{"{key}": "203.0.113.0/24"}}}}}}]}}"#
        )
    };
    let ids = |key: &str| -> Vec<String> {
        check_alibaba(&testutil::alibaba(&policy(key))).into_iter().map(|f| f.id).collect()
    };
    assert!(has(&ids("acs:SourceIpp"), "KL-ALI-006"));
    assert!(!has(&ids("acs:sourceip"), "KL-ALI-006"));
}

#[test]
fn findings_point_at_the_offending_value() {
    let text = aws_sub("StringLike", "repo:my-org/*:ref:refs/heads/main");
    let f = check_aws(&testutil::aws(&text)).into_iter().find(|f| f.id == "KL-SUB-003").unwrap();
    let span = f.location.unwrap();
    assert_eq!(span.doc, DocId::Aws);
    assert!(text[span.start as usize..span.end as usize].contains("repo:my-org/*"));
    assert_eq!(LineIndex::new(&text).line_col(&text, span.start).line, 2);
}

fn ali_policy(conditions: &str, action: &str) -> String {
    format!(
        r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": "{action}",
 "Principal": {{"Federated": ["acs:ram::1464366000000000:oidc-provider/github"]}},
 "Condition": {{{conditions}}}}}]}}"#
    )
}

/// Sources: research §4 (oidc:iss required, sts:AssumeRole), GitHub's Alibaba
/// guide (seed oidc-in-alibaba-cloud.md: oidc:aud and oidc:sub recommended).
#[test]
fn alibaba_rules_positive_and_negative() {
    let good = ali_policy(
        r#""StringEquals": {"oidc:iss": "https://token.actions.githubusercontent.com", "oidc:aud": "sts.aliyuncs.com", "oidc:sub": "repo:example/example-repo:ref:refs/heads/main"}"#,
        "sts:AssumeRole",
    );
    let ids = |t: &str| -> Vec<String> { check_alibaba(&testutil::alibaba(t)).into_iter().map(|f| f.id).collect() };
    assert!(ids(&good).is_empty(), "{:?}", ids(&good));
    let cases = [
        ("KL-ALI-001", good.replace("\"sts:AssumeRole\"", "\"sts:AssumeRoleWithOIDC\"")),
        ("KL-ALI-002", good.replace("\"oidc:iss\": \"https://token.actions.githubusercontent.com\", ", "")),
        ("KL-ALI-003", good.replace("\"oidc:aud\": \"sts.aliyuncs.com\", ", "")),
        ("KL-ALI-004", good.replace(", \"oidc:sub\": \"repo:example/example-repo:ref:refs/heads/main\"", "")),
        ("KL-IAM-001", good.replace("refs/heads/main", "*")),
        ("KL-ALI-005", good.replace("https://token.actions", "token.actions")),
    ];
    for (id, text) in cases {
        assert!(has(&ids(&text), id), "{id}: {:?}", ids(&text));
    }
    // The seed's wildcard policy: any context of one repository (KL-SUB-005), nothing worse.
    let seed = ali_policy(
        r#""StringLike": {"oidc:sub": "repo:example/example-repo:*"}, "StringEquals": {"oidc:aud": ["sts.aliyuncs.com"], "oidc:iss": "token.actions.githubusercontent.com"}"#,
        "sts:AssumeRole",
    );
    assert_eq!(ids(&seed), vec!["KL-SUB-005", "KL-ALI-005"]);
}

fn fic(body: &str) -> String {
    format!(
        r#"[{{"name": "cred", "issuer": "https://token.actions.githubusercontent.com", "audiences": ["api://AzureADTokenExchange"], {body}}}]"#
    )
}

fn flex(expr: &str) -> String {
    fic(&format!(r#""claimsMatchingExpression": {{"value": "{expr}", "languageVersion": 1}}"#))
}

/// Sources: research §2.1-§2.3 (classic exact; flexible wildcard only; Aug
/// 2026 required claims), seed guide §3 (`release/.*`), CKV_AZURE_249.
#[test]
fn azure_rules_positive_and_negative() {
    let ids = |t: &str| -> Vec<String> { check_azure(&testutil::azure(t)).into_iter().map(|f| f.id).collect() };
    let good_classic = fic(r#""subject": "repo:my-org/my-repo:environment:prod""#);
    let good_flex = flex(
        "claims['sub'] matches 'repo:my-org/my-repo:ref:refs/heads/release/*' and claims['repository_id'] eq '456789'",
    );
    assert!(ids(&good_classic).is_empty(), "{:?}", ids(&good_classic));
    assert!(ids(&good_flex).is_empty(), "{:?}", ids(&good_flex));
    let cases = [
        ("KL-AZ-001", fic(r#""subject": "repo:my-org/my-repo:*""#)),
        ("KL-AZ-002", flex("claims['sub'] matches 'repo:my-org/my-repo:ref:refs/heads/release/*'")),
        (
            "KL-AZ-003",
            flex(
                "claims['sub'] matches 'repo:my-org/my-repo:ref:refs/heads/release/.*' and claims['repository_id'] eq '1'",
            ),
        ),
        ("KL-AZ-005", good_classic.replace("githubusercontent.com\"", "githubusercontent.com/\"")),
        (
            "KL-AZ-006",
            flex(
                "claims['sub'] matches '*' and claims['job_workflow_ref'] eq 'o/r/.github/workflows/d.yml@refs/heads/main'",
            ),
        ),
        ("KL-SUB-003", flex("claims['sub'] matches 'repo:my-org/*' and claims['repository_owner_id'] eq '1'")),
    ];
    for (id, text) in cases {
        assert!(has(&ids(&text), id), "{id}: {:?}", ids(&text));
    }
    // The Azure parser refuses two audiences (Z3), so the rule is exercised on a model.
    let mut two = testutil::azure(&good_classic);
    let extra = two.credentials[0].audiences[0].clone();
    two.credentials[0].audiences.push(extra);
    assert!(check_azure(&two).iter().any(|f| f.id == "KL-AZ-004"));
    // A repository_id term already pins the repository: `repo:o/*` is then no hole.
    let pinned = flex("claims['sub'] matches 'repo:my-org/*' and claims['repository_id'] eq '1'");
    assert!(ids(&pinned).is_empty(), "{:?}", ids(&pinned));
}

#[test]
fn azure_finding_locates_the_operand() {
    let text = flex(
        "claims['sub'] matches 'repo:my-org/my-repo:ref:refs/heads/release/.*' and claims['repository_id'] eq '1'",
    );
    let f = check_azure(&testutil::azure(&text)).into_iter().find(|f| f.id == "KL-AZ-003").unwrap();
    let s = f.location.unwrap();
    assert_eq!(&text[s.start as usize..s.end as usize], "repo:my-org/my-repo:ref:refs/heads/release/.*");
}

fn gcp_provider(condition: Option<&str>, member: &str) -> String {
    let cond = condition.map(|c| format!("\n  attributeCondition: \"{c}\"")).unwrap_or_default();
    format!(
        "provider:\n  name: projects/1/locations/global/workloadIdentityPools/p/providers/g\n  attributeMapping:\n    google.subject: assertion.sub\n    attribute.repository: assertion.repository{cond}\n  oidc:\n    issuerUri: https://token.actions.githubusercontent.com\nmembers:\n  - {member}\n"
    )
}

const MEMBER: &str = "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/attribute.repository/my-org/my-repo";

/// Sources: CKV_GCP_118, Trivy AVD-GCP-0068, research §3.1-§3.2,
/// google-github-actions/auth SECURITY_CONSIDERATIONS (quoted ids); CKV_GCP_125's
/// false positive (issue #7005) on id conditions must not be repeated.
#[test]
fn gcp_rules_positive_and_negative() {
    let ids = |t: &str| -> Vec<String> { check_gcp(&testutil::gcp(t)).into_iter().map(|f| f.id).collect() };
    for good in [
        "assertion.repository_owner == 'my-org'",
        "assertion.repository_owner_id == '1342004' && assertion.repository_id == '260064828'",
        "assertion.sub == 'repo:my-org/my-repo:ref:refs/heads/main'",
        "assertion.repository in ['my-org/a', 'my-org/b']",
        "assertion.job_workflow_ref.startsWith('my-org/.github/.github/workflows/deploy.yml@')",
    ] {
        let t = gcp_provider(Some(good), MEMBER);
        assert!(ids(&t).is_empty(), "{good}: {:?}", ids(&t));
    }
    let cases = [
        ("KL-GCP-001", gcp_provider(None, MEMBER)),
        ("KL-GCP-002", gcp_provider(Some("assertion.ref == 'refs/heads/main'"), MEMBER)),
        ("KL-GCP-002", gcp_provider(Some("assertion.repository_owner.startsWith('my-org')"), MEMBER)),
        ("KL-GCP-005", gcp_provider(Some("assertion.repository_id == 260064828"), MEMBER)),
        (
            "KL-GCP-004",
            gcp_provider(
                Some("assertion.repository_owner == 'my-org'"),
                "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/*",
            ),
        ),
    ];
    for (id, text) in cases {
        assert!(has(&ids(&text), id), "{id}: {:?}", ids(&text));
    }
    // `sub` shapes inside the condition (startsWith is a prefix glob).
    let lookalike = gcp_provider(Some("assertion.sub.startsWith('repo:my-org/my-repo')"), MEMBER);
    assert!(has(&ids(&lookalike), "KL-SUB-004"), "{:?}", ids(&lookalike));
    let pinned = gcp_provider(Some("assertion.sub.startsWith('repo:my-org/my-repo:ref:refs/heads/')"), MEMBER);
    assert!(ids(&pinned).is_empty(), "{:?}", ids(&pinned));
    // The GCP parser refuses a provider without `google.subject` (P1), so the
    // rule is exercised on a model with the mapping removed.
    let mut no_subject = testutil::gcp(&gcp_provider(Some("assertion.repository_owner == 'my-org'"), MEMBER));
    no_subject.provider.attribute_mapping.retain(|(k, _)| k.value != "google.subject");
    assert!(check_gcp(&no_subject).iter().any(|f| f.id == "KL-GCP-006"));
}

/// Sources: GitHub workflow syntax `permissions`; CKV2_GHA_1;
/// github-oidc-tokens.md §5 (pull_request_target gets a token for forks).
#[test]
fn workflow_rules_positive_and_negative() {
    let ids = |t: &str| -> Vec<String> { workflow::check_text(t, DocId::Workflow).into_iter().map(|f| f.id).collect() };
    let idle = "on: push\npermissions:\n  id-token: write\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::1:role/x\n";
    assert_eq!(ids(idle), vec!["KL-GHA-001"]);
    let f = workflow::check_text(idle, DocId::Workflow).remove(0);
    assert!(f.message.contains("test") && !f.message.contains("deploy"), "{}", f.message);
    let s = f.location.unwrap();
    assert_eq!(&idle[s.start as usize..s.end as usize], "write");
    let per_job = "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n  deploy:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n    steps:\n      - uses: azure/login@v2\n";
    assert!(ids(per_job).is_empty(), "{:?}", ids(per_job));
    assert_eq!(
        ids("on: push\npermissions: write-all\njobs:\n  a:\n    uses: o/r/.github/workflows/x.yml@main\n"),
        vec!["KL-GHA-002"]
    );
    let prt = per_job.replace("on: push", "on: pull_request_target");
    assert_eq!(ids(&prt), vec!["KL-GHA-003"]);
    assert!(ids(&prt.replace("      id-token: write\n", "      contents: read\n")).is_empty());
}

#[test]
fn catalogue_ids_are_unique_and_complete() {
    let mut seen = std::collections::BTreeSet::new();
    for e in catalogue() {
        assert!(seen.insert(e.id), "duplicate id {}", e.id);
        assert!(e.id.starts_with("KL-"));
        assert!(!e.rationale.is_empty() && !e.source.is_empty() && !e.fix.is_empty(), "{}", e.id);
    }
    // Baseline coverage: every Checkov/Trivy GitHub-OIDC rule is mapped (peers-and-anchors.md §B.1).
    let baselines: String = catalogue().iter().filter_map(|e| e.baseline).collect::<Vec<_>>().join(" ");
    for rule in
        ["CKV_AWS_358", "CKV_AWS_393", "CKV_AZURE_249", "CKV_GCP_125", "CKV_GCP_118", "AVD-GCP-0068", "CKV2_GHA_1"]
    {
        assert!(baselines.contains(rule), "{rule} not covered");
    }
}

/// `docs/findings.md` is generated from the catalogue; set KEYLESS_BLESS=1 to rewrite it.
/// The catalogue is whole only with the services' findings.
#[cfg(feature = "services")]
#[test]
fn findings_doc_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/findings.md");
    let want = catalogue_markdown();
    if std::env::var_os("KEYLESS_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "docs/findings.md is stale: run KEYLESS_BLESS=1 cargo test -p keyless-core findings_doc");
}

#[test]
fn findings_list_snapshot() {
    let text = aws_policy(
        r#""StringLike": {"token.actions.githubusercontent.com:sub": ["repo:my-org/*:ref:refs/heads/main", "repo:my-org/app*"]}, "ForAllValues:StringEquals": {"token.actions.githubusercontent.com:sub2": "x"}"#,
    );
    let mut found = check_aws(&testutil::aws(&text));
    sort_and_dedup(&mut found);
    let lines: Vec<String> = found
        .iter()
        .map(|f| {
            let at = f
                .location
                .map(|s| LineIndex::new(&text).line_col(&text, s.start))
                .map(|lc| format!("{}:{}", lc.line, lc.col))
                .unwrap_or_default();
            format!("{} {:?} {} {}", f.id, f.severity, at, f.message)
        })
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}

/// Every id the rules emit is catalogued (an uncatalogued id would surface
/// as an "uncatalogued finding" of severity info). The services' rules
/// are in the sources either way; their catalogue entries need the feature.
#[cfg(feature = "services")]
#[test]
fn every_emitted_id_is_catalogued() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analysis");
    let re = regex_lite::Regex::new(r#""(KL-[A-Z]+-[0-9]{3})""#).unwrap();
    let mut stack = vec![dir];
    let mut seen = 0;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                for c in re.captures_iter(&std::fs::read_to_string(&p).unwrap()) {
                    seen += 1;
                    assert!(entry(&c[1]).is_some(), "{} in {}", &c[1], p.display());
                }
            }
        }
    }
    assert!(seen > 40);
}

/// KL-IAM-006 (AWS operators page for Action/Principal applicability; AWS
/// STS AssumeRoleWithWebIdentity; research §4 for RAM's `sts:AssumeRole`):
/// a statement about GitHub that no GitHub login can use is one finding, with
/// nothing about what it would admit. `sts:*` and `*` cover the action (the
/// engine's matching), so they are not flagged.
#[test]
fn statements_that_can_never_admit_a_github_token() {
    let good = aws_sub("StringEquals", "repo:my-org/my-repo:ref:refs/heads/main");
    assert!(aws_ids(&good).is_empty(), "{:?}", aws_ids(&good));
    let wrong_action = good.replace("\"sts:AssumeRoleWithWebIdentity\"", "\"sts:AssumeRole\"");
    assert_eq!(aws_ids(&wrong_action), ["KL-IAM-006"]);
    let f = check_aws(&testutil::aws(&wrong_action)).remove(0);
    assert!(f.message.contains("does not cover sts:AssumeRoleWithWebIdentity"), "{}", f.message);
    assert_eq!(
        &wrong_action[f.location.unwrap().start as usize..f.location.unwrap().end as usize],
        "\"sts:AssumeRole\""
    );
    // Even a wide-open `sub` is not reported on a statement that never applies.
    let open = aws_sub("StringLike", "*").replace("\"sts:AssumeRoleWithWebIdentity\"", "\"sts:TagSession\"");
    assert_eq!(aws_ids(&open), ["KL-IAM-006"]);
    for covers in ["sts:*", "*", "STS:assumerolewithwebidentity"] {
        let t = good.replace("\"sts:AssumeRoleWithWebIdentity\"", &format!("\"{covers}\""));
        assert!(!has(&aws_ids(&t), "KL-IAM-006"), "{covers}");
    }
    // GitHub's keys under another provider's principal (a copied EKS role).
    let eks = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
    let other = good.replace(FED, eks);
    assert_eq!(aws_ids(&other), ["KL-IAM-006"]);
    let service = good.replace(&format!("{{\"Federated\": \"{FED}\"}}"), "{\"Service\": \"ec2.amazonaws.com\"}");
    assert_eq!(aws_ids(&service), ["KL-IAM-006"]);
    // An enterprise's or GHES provider is GitHub's.
    for url in ["token.actions.githubusercontent.com/octo-inc", "ghes.example.com/_services/token"] {
        let t = good.replace(FED, &format!("arn:aws:iam::111122223333:oidc-provider/{url}"));
        assert!(!has(&aws_ids(&t), "KL-IAM-006"), "{url}");
    }
    // Alibaba Cloud: `sts:AssumeRole` (and the API name, KL-ALI-001) apply;
    // another action never does.
    let ali = ali_policy(
        r#""StringEquals": {"oidc:iss": "https://token.actions.githubusercontent.com", "oidc:aud": "sts.aliyuncs.com", "oidc:sub": "repo:example/example-repo:ref:refs/heads/main"}"#,
        "ram:PassRole",
    );
    let ids: Vec<String> = check_alibaba(&testutil::alibaba(&ali)).into_iter().map(|f| f.id).collect();
    assert_eq!(ids, ["KL-IAM-006"]);
}

/// Lint precision: a statement that trusts another issuer (EKS IRSA,
/// Terraform Cloud, ACK RRSA) is not a GitHub trust: no GitHub finding, and
/// no KL-IAM-006 either (it is not about GitHub at all).
#[test]
fn statements_for_other_issuers_get_no_github_finding() {
    let irsa = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
 "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"},
 "Action": "sts:AssumeRoleWithWebIdentity",
 "Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"}}}]}"#;
    assert!(aws_ids(irsa).is_empty(), "{:?}", aws_ids(irsa));
    let tfc = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
 "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/app.terraform.io"},
 "Action": "sts:AssumeRoleWithWebIdentity",
 "Condition": {"StringLike": {"app.terraform.io:sub": "organization:o:project:*:workspace:*:run_phase:*"}}}]}"#;
    assert!(aws_ids(tfc).is_empty(), "{:?}", aws_ids(tfc));
    // ACK RRSA: `oidc:iss` pins the cluster's issuer; its `oidc:sub` is a
    // service account, not a GitHub subject.
    let rrsa = ali_policy(
        r#""StringEquals": {"oidc:iss": "https://oidc-ack-cn-hangzhou.oss-cn-hangzhou.aliyuncs.com/c1", "oidc:aud": "sts.aliyuncs.com", "oidc:sub": "system:serviceaccount:ns:sa"}"#,
        "sts:AssumeRole",
    );
    let ids: Vec<String> = check_alibaba(&testutil::alibaba(&rrsa)).into_iter().map(|f| f.id).collect();
    assert!(ids.is_empty(), "{ids:?}");
}

/// KL-AZ-007 (azure/login action.yml `audience` default; Entra compares the
/// one audience exactly, AADSTS700212, Z10): judged by Entra's evaluator.
#[test]
fn azure_audience_the_login_does_not_request() {
    let ids = |t: &str| -> Vec<String> { check_azure(&testutil::azure(t)).into_iter().map(|f| f.id).collect() };
    let good = fic(r#""subject": "repo:my-org/my-repo:environment:prod""#);
    assert!(ids(&good).is_empty());
    let custom = good.replace("api://AzureADTokenExchange", "api://my-app");
    assert_eq!(ids(&custom), ["KL-AZ-007"]);
    let f = check_azure(&testutil::azure(&custom)).remove(0);
    assert_eq!(&custom[f.location.unwrap().start as usize..f.location.unwrap().end as usize], "\"api://my-app\"");
    // Entra compares exactly: a trailing `/` is another audience.
    assert_eq!(ids(&good.replace("TokenExchange\"", "TokenExchange/\"")), ["KL-AZ-007"]);
    let flexible =
        flex("claims['sub'] eq 'repo:my-org/my-repo:ref:refs/heads/main' and claims['repository_id'] eq '1'")
            .replace("api://AzureADTokenExchange", "https://github.com/my-org");
    assert_eq!(ids(&flexible), ["KL-AZ-007"]);
}

/// KL-GCP-007 (google-github-actions/auth src/main.ts default audience; P1
/// allowedAudiences): judged by the Google evaluator; a disabled provider
/// admits nothing, so it gets no finding about what it admits.
#[test]
fn gcp_allowed_audiences_and_disabled_providers() {
    let ids = |t: &str| -> Vec<String> { check_gcp(&testutil::gcp(t)).into_iter().map(|f| f.id).collect() };
    let good = gcp_provider(Some("assertion.repository_owner == 'my-org'"), MEMBER);
    assert!(ids(&good).is_empty());
    let with = |list: &str| good.replace("  oidc:\n", &format!("  oidc:\n    allowedAudiences: {list}\n"));
    assert_eq!(ids(&with("[my-audience]")), ["KL-GCP-007"]);
    let default = "https://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/g";
    assert!(ids(&with(&format!("[my-audience, '{default}']"))).is_empty());
    // The bare `//iam…` form is what Google accepts with an empty list only.
    assert_eq!(
        ids(&with("['//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/g']")),
        ["KL-GCP-007"]
    );
    let open = gcp_provider(None, MEMBER);
    assert_eq!(ids(&open), ["KL-GCP-001"]);
    assert!(ids(&open.replace("provider:\n", "provider:\n  disabled: true\n")).is_empty());
    assert!(ids(&open.replace("provider:\n", "provider:\n  state: DELETED\n")).is_empty());
}

/// KL-GCP-008/009/010: the condition's and mappings' values for every token,
/// by partial evaluation of their CEL (cel-spec langdef, logical operators;
/// P1 for what a condition and a mapping read), not by reading their text.
#[test]
fn gcp_constant_conditions_and_mappings() {
    let ids = |t: &str| -> Vec<String> { check_gcp(&testutil::gcp(t)).into_iter().map(|f| f.id).collect() };
    let provider = |c: &str| gcp_provider(Some(c), MEMBER);
    // `|| true` hides behind a condition that pins the owner by its text.
    assert_eq!(ids(&provider("assertion.repository_owner == 'my-org' || true")), ["KL-GCP-008"]);
    assert_eq!(ids(&provider("assertion.sub == assertion.sub")), ["KL-GCP-008"]);
    assert_eq!(
        ids(&provider("assertion.repository == 'my-org/a' && assertion.repository == 'my-org/b'")),
        ["KL-GCP-009"]
    );
    assert_eq!(ids(&provider("assertion.repository_owner == 'my-org' && false")), ["KL-GCP-009"]);
    // An unquoted owner: located at the undeclared name, with the fix.
    let text = provider("assertion.repository_owner==my-org");
    let f = check_gcp(&testutil::gcp(&text)).into_iter().find(|f| f.id == "KL-GCP-009").expect("KL-GCP-009");
    assert_eq!(&text[f.location.unwrap().start as usize..f.location.unwrap().end as usize], "my");
    assert!(f.message.contains("quote the value"), "{}", f.message);
    // An attribute the mapping never sets (the provider maps only `repository`).
    assert_eq!(ids(&provider("attribute.repository_owner == 'my-org'")), ["KL-GCP-009"]);
    assert!(ids(&provider("attribute.repository == 'my-org/my-repo'")).is_empty());
    // A constant mapping: every token is `my-org/my-repo`.
    let constant = provider("assertion.repository_owner == 'my-org'")
        .replace("attribute.repository: assertion.repository", "attribute.repository: \"'my-org/my-repo'\"");
    assert_eq!(ids(&constant), ["KL-GCP-010"]);
    // Conditions that depend on the token are unchanged.
    for good in [
        "assertion.repository_owner == 'my-org'",
        "assertion.repository_owner == 'my-org' && (assertion.ref == 'refs/heads/main' || assertion.ref == 'refs/heads/dev')",
        "assertion.repository_owner_id == '1342004' && assertion.repository_id == '260064828'",
    ] {
        assert!(ids(&provider(good)).is_empty(), "{good}: {:?}", ids(&provider(good)));
    }
}

/// KL-GHA-004 (D-TOK: id-token defaults to none; job-level permissions
/// replace the workflow's; the login actions' own messages, research §5),
/// judged with the simulator's permission rules and login recognition.
#[test]
fn login_steps_without_id_token_write() {
    let lint = |t: &str| -> Vec<Finding> {
        let mut diags = Vec::new();
        let w = crate::github::workflow::parse(t, DocId::Workflow, &mut diags).expect("workflow");
        workflow::logins_without_token(&w)
    };
    let job_perms = "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n    steps:\n      - uses: azure/login@v2\n        with:\n          client-id: x\n";
    let found = lint(job_perms);
    let [f] = found.as_slice() else { panic!("{found:?}") };
    assert_eq!(f.id, "KL-GHA-004");
    assert!(f.message.contains("Please make sure to give write permissions to id-token"), "{}", f.message);
    assert_eq!(&job_perms[f.location.unwrap().start as usize..f.location.unwrap().end as usize], "azure/login@v2");
    // Job-level permissions replace a workflow-level grant.
    let replaced = job_perms.replace("on: push\n", "on: push\npermissions:\n  id-token: write\n");
    assert_eq!(lint(&replaced).len(), 1);
    // No permissions anywhere: the default is none.
    let none = job_perms.replace("    permissions:\n      contents: read\n", "");
    assert_eq!(lint(&none).len(), 1);
    // Granted (at job or workflow level), or a login with stored keys: nothing.
    assert!(lint(&job_perms.replace("contents: read", "id-token: write")).is_empty());
    assert!(lint(&none.replace("on: push\n", "on: push\npermissions:\n  id-token: write\n")).is_empty());
    let keys = none.replace("client-id: x", "creds: ${{ secrets.AZURE_CREDENTIALS }}");
    assert!(lint(&keys).is_empty());
}

/// Lint precision: a job whose token use lives in a local composite action
/// (`uses: ./.github/actions/deploy`) may use the token, so the
/// workflow-level grant that reaches it is not idle (KL-GHA-001).
#[test]
fn a_local_composite_action_may_use_the_token() {
    let ids = |t: &str| -> Vec<String> { workflow::check_text(t, DocId::Workflow).into_iter().map(|f| f.id).collect() };
    let composite = "on: push\npermissions:\n  id-token: write\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./.github/actions/deploy\n";
    assert!(ids(composite).is_empty(), "{:?}", ids(composite));
    assert_eq!(ids(&composite.replace("./.github/actions/deploy", "some/action@v1")), vec!["KL-GHA-001"]);
}

/// KL-SUB-007 (D-REF: how GitHub builds `sub`): patterns no token can match
/// are "admits nothing", not the look-alike findings (before, `repo::*` was
/// KL-SUB-002 and an audience in the `sub` key KL-SUB-006).
#[test]
fn subjects_no_github_token_can_match() {
    for (op, value) in [
        ("StringLike", "repo::*"),
        ("StringEquals", "sts.amazonaws.com"),
        ("StringEquals", "repo:my-org/my-repo:ref:refs/heads/main "),
    ] {
        let ids = aws_ids(&aws_sub(op, value));
        assert_eq!(ids, ["KL-SUB-007"], "{value}");
    }
    // `az ad app federated-credential create … --subject "repo:o/r:… \` with
    // the line continuation pasted into the value.
    let ids = |t: &str| -> Vec<String> { check_azure(&testutil::azure(t)).into_iter().map(|f| f.id).collect() };
    let pasted = fic(r#""subject": "repo:my-org/my-repo:environment:prod \\\n""#);
    assert_eq!(ids(&pasted), ["KL-SUB-007"]);
    assert!(ids(&fic(r#""subject": "repo:my-org/my-repo:environment:prod""#)).is_empty());
}

/// KL-CFG-001: a guide's placeholder left in the value, located at it; the
/// value's shape findings are not reported (a placeholder names no owner).
#[test]
fn placeholders_left_in_configurations() {
    let aws = aws_sub("StringLike", "repo:YOUR_GITHUB_ORG/YOUR_REPO:*");
    assert_eq!(aws_ids(&aws), ["KL-CFG-001"]);
    let f = check_aws(&testutil::aws(&aws)).remove(0);
    assert_eq!(&aws[f.location.unwrap().start as usize..f.location.unwrap().end as usize], "YOUR_GITHUB_ORG");
    let arn = aws_sub("StringEquals", "repo:my-org/my-repo:ref:refs/heads/main").replace(FED, "OIDC_PROVIDER_ARN");
    assert!(has(&aws_ids(&arn), "KL-CFG-001"), "{:?}", aws_ids(&arn));
    let ids = |t: &str| -> Vec<String> { check_azure(&testutil::azure(t)).into_iter().map(|f| f.id).collect() };
    assert_eq!(ids(&fic(r#""subject": "repo:<owner>/<repo>:environment:prod""#)), ["KL-CFG-001"]);
    let gids = |t: &str| -> Vec<String> { check_gcp(&testutil::gcp(t)).into_iter().map(|f| f.id).collect() };
    let gcp = gcp_provider(Some("assertion.repository_owner == 'YOUR_GITHUB_ORG'"), MEMBER);
    assert_eq!(gids(&gcp), ["KL-CFG-001"]);
    let member = MEMBER.replace("projects/1", "projects/PROJECT_NUMBER");
    assert_eq!(gids(&gcp_provider(Some("assertion.repository_owner == 'my-org'"), &member)), ["KL-CFG-001"]);
}

/// KL-GCP-011 (P4, principal identifiers name the pool): a member on the
/// provider's path admits no token; the message says what to drop.
#[test]
fn gcp_member_on_the_provider_path() {
    let ids = |t: &str| -> Vec<String> { check_gcp(&testutil::gcp(t)).into_iter().map(|f| f.id).collect() };
    let on_provider = MEMBER.replace("workloadIdentityPools/p/", "workloadIdentityPools/p/providers/g/");
    let text = gcp_provider(Some("assertion.repository_owner == 'my-org'"), &on_provider);
    assert_eq!(ids(&text), ["KL-GCP-011"]);
    let f = check_gcp(&testutil::gcp(&text)).remove(0);
    assert!(f.message.contains("drop `providers/g/`"), "{}", f.message);
    // The evaluator agrees: the member is not counted, the login is denied.
    let mut claims = crate::claims::Claims::new();
    claims.set("iss", "https://token.actions.githubusercontent.com");
    claims.set("aud", "https://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/g");
    claims.set("sub", "repo:my-org/my-repo:ref:refs/heads/main");
    claims.set("repository", "my-org/my-repo");
    claims.set("repository_owner", "my-org");
    let v = crate::gcp::evaluate(&testutil::gcp(&text), &claims);
    assert!(!v.allowed, "{v:?}");
    assert!(ids(&gcp_provider(Some("assertion.repository_owner == 'my-org'"), MEMBER)).is_empty());
}

/// An issuer that is GitHub's but for a trailing `/` never matches GitHub's
/// `iss` (D-REF; P10 for Google's wording; aws/aws-sam-cli#7432 for AWS's
/// exact provider URL): KL-ISS-001 on Google and Alibaba Cloud, KL-IAM-006
/// (saying why) for an AWS principal, KL-AZ-005 on Entra.
#[test]
fn issuers_with_a_trailing_slash() {
    let gids = |t: &str| -> Vec<String> { check_gcp(&testutil::gcp(t)).into_iter().map(|f| f.id).collect() };
    let gcp = gcp_provider(Some("assertion.repository_owner == 'my-org'"), MEMBER).replace(
        "issuerUri: https://token.actions.githubusercontent.com",
        "issuerUri: https://token.actions.githubusercontent.com/",
    );
    assert_eq!(gids(&gcp), ["KL-ISS-001"]);
    let f = check_gcp(&testutil::gcp(&gcp)).remove(0);
    assert!(f.message.contains("does not match the expected ones"), "{}", f.message);
    let ali = ali_policy(
        r#""StringEquals": {"oidc:iss": "https://token.actions.githubusercontent.com/", "oidc:aud": "sts.aliyuncs.com", "oidc:sub": "repo:example/example-repo:ref:refs/heads/main"}"#,
        "sts:AssumeRole",
    );
    let ids: Vec<String> = check_alibaba(&testutil::alibaba(&ali)).into_iter().map(|f| f.id).collect();
    assert_eq!(ids, ["KL-ISS-001"]);
    let aws = aws_sub("StringEquals", "repo:my-org/my-repo:ref:refs/heads/main").replace(FED, &format!("{FED}/"));
    let found = check_aws(&testutil::aws(&aws));
    assert_eq!(found.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), ["KL-IAM-006"]);
    assert!(found[0].message.contains("trailing `/`"), "{}", found[0].message);
}

/// KL-IAM-006 from conditions (AWS condition operators: blocks and keys are
/// ANDed, A1/A2): conditions on one claim that no value satisfies together,
/// judged by the engine's condition evaluator on each pinned value.
#[test]
fn aws_conditions_that_cannot_hold_together() {
    let key = "token.actions.githubusercontent.com:sub";
    let two = aws_policy(&format!(
        r#"{AUD}, "StringEquals": {{"{key}": "repo:o/r:ref:refs/heads/main"}}, "StringNotEquals": {{"{key}": "repo:o/r:ref:refs/heads/main"}}"#
    ));
    assert_eq!(aws_ids(&two), ["KL-IAM-006"]);
    let f = check_aws(&testutil::aws(&two)).into_iter().find(|f| f.id == "KL-IAM-006").unwrap();
    assert!(f.message.contains("cannot hold together"), "{}", f.message);
    let like = aws_policy(&format!(
        r#"{AUD}, "StringEquals": {{"{key}": "repo:o/r:ref:refs/heads/main"}}, "StringLike": {{"{key}": "repo:o/r:environment:*"}}"#
    ));
    assert_eq!(aws_ids(&like), ["KL-IAM-006"]);
    // Satisfiable together: no finding from this rule.
    let fine = aws_policy(&format!(
        r#"{AUD}, "StringEquals": {{"{key}": ["repo:o/r:ref:refs/heads/main", "repo:o/r:environment:prod"]}}, "StringLike": {{"{key}": "repo:o/r:environment:*"}}"#
    ));
    assert!(!has(&aws_ids(&fine), "KL-IAM-006"), "{:?}", aws_ids(&fine));
}

/// A pinned issuer that is not GitHub's in a trust whose `sub` is written
/// for GitHub never admits (D-REF: GitHub's `iss`); the same issuer with a
/// non-GitHub subject is another issuer's trust, with no GitHub finding.
#[test]
fn pinned_issuers_that_are_not_githubs() {
    let ali = |iss: &str, sub: &str| {
        let t = ali_policy(
            &format!(r#""StringEquals": {{"oidc:iss": "{iss}", "oidc:aud": "sts.aliyuncs.com", "oidc:sub": "{sub}"}}"#),
            "sts:AssumeRole",
        );
        check_alibaba(&testutil::alibaba(&t)).into_iter().map(|f| f.id).collect::<Vec<_>>()
    };
    assert_eq!(ali("https://github.com", "repo:example/example-repo:ref:refs/heads/main"), ["KL-IAM-006"]);
    assert!(ali("https://gitlab.com", "project_path:g/p:ref_type:branch:ref:main").is_empty());
    assert!(
        ali("https://token.actions.githubusercontent.com/octo-inc", "repo:example/example-repo:ref:refs/heads/main")
            .is_empty()
    );
    let ids = |t: &str| -> Vec<String> { check_azure(&testutil::azure(t)).into_iter().map(|f| f.id).collect() };
    let gh_subject = fic(r#""subject": "repo:my-org/my-repo:environment:prod""#);
    assert_eq!(
        ids(&gh_subject.replace("https://token.actions.githubusercontent.com", "https://github.com")),
        ["KL-AZ-005"]
    );
    let ado = fic(r#""subject": "sc://my-org/my-project/my-connection""#)
        .replace("https://token.actions.githubusercontent.com", "https://vstoken.dev.azure.com/0000");
    assert!(ids(&ado).is_empty());
}
