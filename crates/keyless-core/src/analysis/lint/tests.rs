//! `keyless lint` on each kind of file, and the SARIF it produces.

use super::*;
use crate::analysis::sarif::to_sarif;

const WORKFLOW: &str = "on: push\npermissions:\n  id-token: write\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n";

const AWS_GET_ROLE: &str = r#"{
  "Role": {
    "RoleName": "deploy",
    "AssumeRolePolicyDocument": {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}}
      }]
    }
  }
}"#;

const AZURE: &str = r#"[{"name": "gha", "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:my-org/my-repo:*", "audiences": ["api://AzureADTokenExchange"]}]"#;

const GCP: &str = "provider:\n  name: projects/1/locations/global/workloadIdentityPools/p/providers/g\n  attributeMapping:\n    google.subject: assertion.sub\n  oidc:\n    issuerUri: https://token.actions.githubusercontent.com\n";

const ALIBABA: &str = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithOIDC", "Principal": {"Federated": ["acs:ram::1:oidc-provider/github"]}, "Condition": {"StringEquals": {"oidc:iss": "https://token.actions.githubusercontent.com", "oidc:aud": "sts.aliyuncs.com", "oidc:sub": "repo:o/r:ref:refs/heads/main"}}}]}"#;

fn files() -> Vec<(String, String)> {
    let scenario = {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/aws-org-wildcard.yaml");
        let text = std::fs::read_to_string(path).unwrap();
        let body = text.split("scenario:\n").nth(1).unwrap().split("\nexpect:").next().unwrap();
        body.lines().map(|l| l.strip_prefix("  ").unwrap_or(l)).collect::<Vec<_>>().join("\n") + "\n"
    };
    [
        (".github/workflows/ci.yml", WORKFLOW.to_string()),
        ("role.json", AWS_GET_ROLE.to_string()),
        ("fic.json", AZURE.to_string()),
        ("provider.yaml", GCP.to_string()),
        ("ram.json", ALIBABA.to_string()),
        ("scenario.yaml", scenario),
        ("notes.txt", "hello: world\n".to_string()),
        ("broken.json", "{\"Statement\": [".to_string()),
    ]
    .into_iter()
    .map(|(n, t)| (n.to_string(), t))
    .collect()
}

fn in_file(findings: &[Finding], i: u16) -> Vec<&str> {
    findings.iter().filter(|f| f.location.is_some_and(|s| s.doc == DocId::File(i))).map(|f| f.id.as_str()).collect()
}

#[test]
fn detects_each_kind_and_reports_its_findings() {
    let files = files();
    let found = lint_documents(&files);
    assert_eq!(in_file(&found, 0), vec!["KL-GHA-001"]);
    let aws = in_file(&found, 1);
    assert!(aws.contains(&"KL-SUB-003") && aws.contains(&"KL-AWS-002"), "{aws:?}");
    assert!(in_file(&found, 2).contains(&"KL-AZ-001"), "{:?}", in_file(&found, 2));
    assert!(in_file(&found, 3).contains(&"KL-GCP-001"), "{:?}", in_file(&found, 3));
    assert!(in_file(&found, 4).contains(&"KL-ALI-001"), "{:?}", in_file(&found, 4));
    let scenario = in_file(&found, 5);
    assert!(scenario.contains(&"KL-SUB-003") && scenario.contains(&"KL-TRUST-001"), "{scenario:?}");
    assert_eq!(in_file(&found, 6), vec!["KL-INPUT-001"]);
    assert_eq!(in_file(&found, 7), vec!["KL-INPUT-001"]);
}

/// Findings inside a policy embedded in a scenario (a `|` block) are mapped
/// back to the scenario file's own line and column.
#[test]
fn embedded_locations_map_to_the_scenario_file() {
    let files = files();
    let found = lint_documents(&files);
    let f = found.iter().find(|f| f.id == "KL-SUB-003" && f.location.is_some_and(|s| s.doc == DocId::File(5))).unwrap();
    let text = &files[5].1;
    let s = f.location.unwrap();
    assert!(
        text[s.start as usize..s.end as usize].contains("repo:my-org/*:ref:refs/heads/main"),
        "{:?}",
        &text[s.start as usize..s.end as usize]
    );
}

/// SARIF 2.1.0 shape GitHub code scanning accepts: version, one run, rules
/// from the catalogue, results with ruleId/level/message and a region.
#[test]
fn sarif_shape() {
    let files = files();
    let found = lint_documents(&files);
    let sarif = to_sarif(&found, &files);
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), crate::analysis::catalogue().len());
    assert!(rules.iter().all(|r| r["id"].is_string() && r["shortDescription"]["text"].is_string()));
    assert!(rules.iter().all(|r| r["properties"]["security-severity"].is_string()));
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), found.len());
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"].is_string());
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    let wf = results.iter().find(|r| r["ruleId"] == "KL-GHA-001").unwrap();
    let loc = &wf["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], ".github/workflows/ci.yml");
    assert_eq!(loc["region"]["startLine"], 3);
    assert_eq!(loc["region"]["startColumn"], 13);
}

/// The shapes people paste: `gcloud … providers describe` YAML (no
/// condition: CKV_GCP_118 / AVD-GCP-0068) and a Microsoft Graph list with a
/// trailing-slash issuer (github-oidc-tokens.md §6.11).
#[test]
fn cli_output_shapes_are_recognised() {
    let gcloud = "attributeMapping:\n  google.subject: assertion.sub\nname: projects/123/locations/global/workloadIdentityPools/github/providers/gh\noidc:\n  issuerUri: https://token.actions.githubusercontent.com\nstate: ACTIVE\n";
    let graph = r#"{"value": [{"name": "gha-main", "issuer": "https://token.actions.githubusercontent.com/", "subject": "repo:my-org/my-repo:ref:refs/heads/main", "audiences": ["api://AzureADTokenExchange"]}]}"#;
    let files = vec![("provider.yaml".to_string(), gcloud.to_string()), ("fic.json".to_string(), graph.to_string())];
    let found = lint_documents(&files);
    assert!(in_file(&found, 0).contains(&"KL-GCP-001"), "{found:?}");
    assert!(in_file(&found, 1).contains(&"KL-AZ-005"), "{found:?}");
}

proptest::proptest! {
    /// Hostile or random input is reported, never panicked on.
    #[test]
    fn lint_never_panics(text in "[\\[\\]{}:,\"a-z*@/ \n-]{0,80}") {
        let _ = lint_documents(&[("x".to_string(), text.clone())]);
        let found = lint_documents(&[("x".to_string(), format!("{{\"Statement\": [{{\"Effect\": \"Allow\", \"Condition\": {{\"StringLike\": {{\"token.actions.githubusercontent.com:sub\": {:?}}}}}}}]}}", text))]);
        let _ = to_sarif(&found, &[("x".to_string(), text)]);
    }
}

/// The AWS section form (`trust_policy` holding get-role output, plus
/// providers) is recognised as AWS.
#[test]
fn aws_section_with_get_role_output_is_recognised() {
    let section = format!(
        r#"{{"trust_policy": {AWS_GET_ROLE}, "providers": [{{"url": "https://token.actions.githubusercontent.com", "client_ids": ["sts.amazonaws.com"]}}]}}"#
    );
    let root = doc::parse(&section, DocId::File(0)).unwrap();
    assert_eq!(detect(&root), FileKind::Aws);
    let found = lint_documents(&[("aws.json".to_string(), section)]);
    assert!(in_file(&found, 0).contains(&"KL-SUB-003"), "{found:?}");
}

/// Every shape the clouds print is recognised: ARM's credential object
/// (`az rest` on Microsoft.ManagedIdentity, `az resource show`), its
/// `{value: [...]}` list, and `gcloud iam workload-identity-pools providers
/// list --format=json`, each provider judged on its own.
#[test]
fn arm_credentials_and_gcloud_provider_lists_are_recognised() {
    let arm = r#"{"id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami/federatedIdentityCredentials/gha",
 "name": "gha", "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
 "properties": {"issuer": "https://token.actions.githubusercontent.com", "subject": "repo:my-org/my-repo:*", "audiences": ["api://AzureADTokenExchange"]}}"#;
    let root = doc::parse(arm, DocId::File(0)).unwrap();
    assert_eq!(detect(&root), FileKind::Azure);
    let listed = format!(r#"{{"value": [{arm}]}}"#);
    // A template's child name (`identity/credential`) is the credential's own
    // name after the `/`; a template expression is not checked.
    let template = arm.replace("\"name\": \"gha\"", "\"name\": \"uami/gha\"");
    let expression = arm.replace("\"name\": \"gha\"", "\"name\": \"[concat(parameters('uami'), '/gha')]\"");
    for text in [arm.to_string(), listed, template, expression] {
        let found = lint_documents(&[("fic.json".into(), text.clone())]);
        let ids: Vec<&str> = found.iter().map(|f| f.id.as_str()).collect();
        assert!(ids.contains(&"KL-AZ-001"), "{text}: {ids:?}");
        assert!(!ids.contains(&"KL-INPUT-001") && !ids.contains(&"KL-CREATE-001"), "{text}: {ids:?}");
    }
    let providers = r#"[
 {"name": "projects/1/locations/global/workloadIdentityPools/p/providers/github", "state": "ACTIVE",
  "attributeMapping": {"google.subject": "assertion.sub"}, "oidc": {"issuerUri": "https://token.actions.githubusercontent.com"}},
 {"name": "projects/1/locations/global/workloadIdentityPools/p/providers/tight", "state": "ACTIVE",
  "attributeMapping": {"google.subject": "assertion.sub"}, "attributeCondition": "assertion.repository_owner == 'my-org'",
  "oidc": {"issuerUri": "https://token.actions.githubusercontent.com"}}]"#;
    let root = doc::parse(providers, DocId::File(0)).unwrap();
    assert_eq!(detect(&root), FileKind::Gcp);
    let found = lint_documents(&[("providers.json".into(), providers.to_string())]);
    let ids: Vec<&str> = found.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["KL-GCP-001"], "the first provider only");
    assert!(found[0].location.is_some_and(|s| (s.start as usize) < providers.find("providers/tight").unwrap()));
}

/// A file lint cannot read is a high finding: it fails the run at the
/// default `--fail-on high` (a run that checked nothing is not clean).
#[test]
fn an_unreadable_file_fails_the_run_by_default() {
    let found = lint_documents(&[("notes.txt".into(), "hello: world\n".into())]);
    let [f] = found.as_slice() else { panic!("{found:?}") };
    assert_eq!((f.id.as_str(), f.severity), ("KL-INPUT-001", crate::analysis::FindingSeverity::High));
}

/// An octo-sts trust policy (O2) is linted as one, not as an Entra
/// credential: its ungrouped alternation is found, and a credential with
/// `audiences` stays Azure.
#[cfg(feature = "services")]
#[test]
fn octo_sts_policies_are_recognised_and_linted() {
    let policy = "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:o/r:ref:refs/heads/main|repo:o/r:ref:refs/tags/.*\npermissions:\n  contents: read\n";
    let root = doc::parse(policy, DocId::File(0)).unwrap();
    assert_eq!(detect(&root), FileKind::OctoSts);
    let found = lint_documents(&[("release.sts.yaml".to_string(), policy.to_string())]);
    assert_eq!(in_file(&found, 0), ["KL-OCTOSTS-001"], "{found:?}");
    let fic = r#"{"name": "c", "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:o/r:ref:refs/heads/main", "audiences": ["api://AzureADTokenExchange"]}"#;
    assert_eq!(detect(&doc::parse(fic, DocId::File(0)).unwrap()), FileKind::Azure);
}

/// A build without the HCL parser (the playground) says a `.tf` file is
/// read by the CLI, rather than reading HCL as YAML.
#[cfg(not(feature = "terraform"))]
#[test]
fn terraform_without_the_parser_says_where_it_is_read() {
    let found = super::lint_documents(&[("iam.tf".to_string(), "resource \"aws_iam_role\" \"r\" {}\n".to_string())]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "KL-INPUT-001");
    assert!(found[0].message.contains("read by the `keyless` CLI"), "{}", found[0].message);
}
