use super::*;
use crate::analysis::lint::{FileKind, kind_of_file, lint_documents, lint_files};
use crate::span::LineIndex;
use crate::verdict::Cloud;

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform").join(name);
    std::fs::read_to_string(path).unwrap()
}

/// `(id, line)` of each finding of a `.tf` text, sorted.
fn ids_at(name: &str, text: &str) -> Vec<(String, u32)> {
    let index = LineIndex::new(text);
    let mut out: Vec<(String, u32)> = lint_documents(&[(name.to_string(), text.to_string())])
        .into_iter()
        .map(|f| {
            let line = f.location.map(|s| index.line_col(text, s.start).line).unwrap();
            (f.id, line)
        })
        .collect();
    out.sort();
    out
}

fn expect(name: &str, want: &[(&str, u32)]) {
    let got = ids_at(name, &fixture(name));
    let want: Vec<(String, u32)> = want.iter().map(|(i, l)| (i.to_string(), *l)).collect();
    assert_eq!(got, want, "{name}");
}

fn at(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

/// Each public example gives the findings its header comment states, at
/// the `.tf` line.
#[test]
fn fixtures_give_their_findings_at_tf_lines() {
    expect("aws_role_aud_only.tf", &[("KL-AWS-001", 12), ("KL-INPUT-002", 15)]);
    expect("aws_role_github_docs.tf", &[("KL-INPUT-002", 14), ("KL-SUB-005", 19)]);
    expect("aws_role_heredoc.tf", &[("KL-IAM-002", 24), ("KL-INPUT-002", 18), ("KL-INPUT-002", 23)]);
    expect("aws_policy_document.tf", &[("KL-INPUT-002", 15)]);
    expect("azuread_credential.tf", &[("KL-INPUT-002", 9), ("KL-INPUT-002", 13)]);
    expect("azurerm_credential.tf", &[]);
    expect("google_provider.tf", &[("KL-GCP-001", 11), ("KL-INPUT-002", 29)]);
    expect("google_provider_owner.tf", &[]);
    expect("alicloud_role.tf", &[]);
}

/// Every fixture is read into at least one trust configuration of the
/// right cloud (a file read as nothing would also have no findings).
#[test]
fn fixtures_are_read_as_their_clouds() {
    for (name, cloud) in [
        ("aws_role_aud_only.tf", Cloud::Aws),
        ("aws_role_github_docs.tf", Cloud::Aws),
        ("aws_role_heredoc.tf", Cloud::Aws),
        ("aws_policy_document.tf", Cloud::Aws),
        ("azuread_credential.tf", Cloud::Azure),
        ("azurerm_credential.tf", Cloud::Azure),
        ("google_provider.tf", Cloud::Gcp),
        ("google_provider_owner.tf", Cloud::Gcp),
        ("alicloud_role.tf", Cloud::Alibaba),
    ] {
        let text = fixture(name);
        let tf = read(&text, DocId::File(0)).unwrap();
        assert_eq!(tf.units.len(), 1, "{name}");
        assert_eq!(tf.units[0].cloud, cloud, "{name}");
        assert_eq!(kind_of_file(name, &text), FileKind::Terraform, "{name}");
    }
}

#[test]
fn jsonencode_values_point_into_the_tf_file() {
    let text = fixture("aws_role_github_docs.tf");
    let tf = read(&text, DocId::File(0)).unwrap();
    let policy = &tf.units[0].node;
    let st = &policy.get("Statement").unwrap().items().unwrap()[0];
    let sub = st.get("Condition").unwrap().get("StringLike").unwrap();
    let entry = &sub.entries().unwrap()[0];
    assert_eq!(at(&text, entry.key.span), "\"token.actions.githubusercontent.com:sub\"");
    assert_eq!(at(&text, entry.value.span), "\"repo:octo-org/octo-repo:*\"");
    assert_eq!(tf.units[0].address, "aws_iam_role.deploy");
}

#[test]
fn heredoc_values_point_into_the_tf_file() {
    let text = fixture("aws_role_heredoc.tf");
    let tf = read(&text, DocId::File(0)).unwrap();
    let st = &tf.units[0].node.get("Statement").unwrap().items().unwrap()[0];
    let aud = st.get("Condition").unwrap().get("StringLike").unwrap().get("token.actions.githubusercontent.com:aud");
    assert_eq!(at(&text, aud.unwrap().span), "\"sts.amazonaws.com\"");
    // The interpolated `sub` is unknown at its own text.
    let sub = tf.unknowns.iter().find(|u| !u.principal).unwrap();
    assert_eq!(at(&text, sub.span), "\"repo:${var.github_org}/${var.github_repo}:*\"");
}

#[test]
fn policy_document_blocks_become_the_policy() {
    let text = r#"
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:octo-org/*"]
    }
  }
}
"#;
    let tf = read(text, DocId::File(0)).unwrap();
    assert!(tf.unknowns.is_empty());
    let json = tf.units[0].node.to_json();
    assert_eq!(
        json,
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Action": ["sts:AssumeRoleWithWebIdentity"],
                "Effect": "Allow",
                "Principal": {"Federated": ["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"]},
                "Condition": {
                    "StringEquals": {"token.actions.githubusercontent.com:aud": ["sts.amazonaws.com"]},
                    "StringLike": {"token.actions.githubusercontent.com:sub": ["repo:octo-org/*"]}
                }
            }]
        })
    );
    // Every repository of the owner: KL-SUB-003, at the value's line.
    assert_eq!(ids_at("trust.tf", text), vec![("KL-SUB-003".to_string(), 17)]);
}

/// An unknown `sub` value never yields a finding about what it admits (nor
/// "no `sub` condition"): it is undetermined, and said to be.
#[test]
fn unknown_condition_values_are_undetermined_not_admitting() {
    let text = r#"
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = var.provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringLike = { "token.actions.githubusercontent.com:sub" = var.subjects }
      }
    }]
  })
}
"#;
    assert_eq!(ids_at("r.tf", text), vec![("KL-INPUT-002".to_string(), 7), ("KL-INPUT-002".to_string(), 10)]);
}

/// A condition whose key Terraform computes leaves the statement
/// undetermined: no "no `sub` condition" finding.
#[test]
fn computed_condition_key_leaves_the_statement_undetermined() {
    let text = r#"
data "aws_iam_policy_document" "t" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringLike"
      variable = "${local.provider}:sub"
      values   = ["repo:octo-org/octo-repo:*"]
    }
  }
}
"#;
    assert_eq!(ids_at("t.tf", text), vec![("KL-INPUT-002".to_string(), 9)]);
    // The same statement with the key written out: judged.
    let known = text.replace("${local.provider}", "token.actions.githubusercontent.com");
    assert_eq!(ids_at("t.tf", &known), vec![("KL-AWS-002".to_string(), 3), ("KL-SUB-005".to_string(), 12)]);
}

#[test]
fn dynamic_blocks_and_overrides_are_unknown() {
    let text = r#"
data "aws_iam_policy_document" "t" {
  override_policy_documents = [data.aws_iam_policy_document.other.json]
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"]
    }
    dynamic "condition" {
      for_each = var.conditions
      content {
        test     = condition.value.test
        variable = condition.value.variable
        values   = condition.value.values
      }
    }
  }
}
"#;
    let tf = read(text, DocId::File(0)).unwrap();
    assert_eq!(tf.unknowns.len(), 2);
    // Without them this statement would be KL-AWS-001 (no `sub`): it is not.
    assert_eq!(ids_at("t.tf", text), vec![("KL-INPUT-002".to_string(), 3), ("KL-INPUT-002".to_string(), 10)]);
}

/// A reference to a principal by resource is judged as GitHub's provider
/// when the conditions are on its keys; findings about the conditions stand.
#[test]
fn unknown_principal_keeps_condition_findings() {
    let text = r#"
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
      }
    }]
  })
}
"#;
    assert_eq!(ids_at("r.tf", text), vec![("KL-AWS-001".to_string(), 5), ("KL-INPUT-002".to_string(), 7)]);
}

#[test]
fn azure_credential_findings_point_at_the_tf_line() {
    let text = r#"
resource "azurerm_federated_identity_credential" "c" {
  name                      = "github-main"
  resource_group_name       = "rg"
  parent_id                 = azurerm_user_assigned_identity.example.id
  audience                  = ["api://AzureADTokenExchange"]
  issuer                    = "https://token.actions.githubusercontent.com"
  subject                   = "repo:octo-org/*"
}
"#;
    let got = ids_at("c.tf", text);
    assert!(got.iter().any(|(id, line)| id == "KL-AZ-001" && *line == 8), "{got:?}");
}

#[test]
fn syntax_errors_are_located_and_invalid() {
    let text = "resource \"aws_iam_role\" \"r\" {\n  assume_role_policy = jsonencode({\n}\n";
    let linted = lint_files(&[("bad.tf".to_string(), text.to_string())]);
    assert_eq!(linted.invalid, vec![0]);
    assert_eq!(linted.findings.len(), 1);
    assert_eq!(linted.findings[0].id, "KL-INPUT-001");
    assert!(linted.findings[0].message.contains("HCL syntax error"), "{}", linted.findings[0].message);
    assert!(linted.findings[0].location.is_some());
}

#[test]
fn files_without_trust_resources_are_not_terraform_trust() {
    let text = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n";
    assert_eq!(kind_of_file("main.tf", text), FileKind::Unknown);
    // A permission policy document is not a trust policy.
    let permissions = r#"
data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}
"#;
    assert_eq!(kind_of_file("main.tf", permissions), FileKind::Unknown);
    // Named explicitly, such a file is reported, not silently passed.
    let found = lint_documents(&[("main.tf".to_string(), text.to_string())]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "KL-INPUT-001");
}

#[test]
fn gcp_binding_members_join_the_single_provider() {
    let text = r#"
resource "google_iam_workload_identity_pool_provider" "p" {
  workload_identity_pool_id          = "pool"
  workload_identity_pool_provider_id = "gh"
  attribute_condition                = "assertion.repository_owner == 'octo-org'"
  attribute_mapping = {
    "google.subject" = "assertion.sub"
  }
  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_service_account_iam_member" "m" {
  service_account_id = "projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com"
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/*"
}
"#;
    let tf = read(text, DocId::File(0)).unwrap();
    let config = crate::gcp::GcpConfig::from_node(&tf.units[0].node).unwrap();
    assert_eq!(config.members.len(), 1);
    assert_eq!(config.members[0].role.as_ref().unwrap().value, "roles/iam.workloadIdentityUser");
    // The whole pool: KL-GCP-004 at the member's line.
    assert!(ids_at("g.tf", text).contains(&("KL-GCP-004".to_string(), 17)), "{:?}", ids_at("g.tf", text));
}

#[test]
fn deep_nesting_is_a_located_error_not_a_crash() {
    for open in ["[", "{", "("] {
        let text = format!("x = {}", open.repeat(100_000));
        let err = read(&text, DocId::File(0)).unwrap_err();
        assert!(err.span.is_some(), "{open}");
    }
}

/// The fuzzed file whose unclosed nested expressions made the HCL parser
/// backtrack for seconds (about 1.5× per level) is refused at the bracket
/// that crosses MAX_NESTING, before the parser runs; a file at the bound
/// still parses.
#[test]
fn nesting_beyond_the_bound_is_refused_before_parsing() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/terraform");
    let bytes = std::fs::read(dir.join("unclosed-nested-expressions.tf")).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let err = read(&text, DocId::File(0)).unwrap_err();
    assert!(err.message.contains("nest deeper than 24"), "{}", err.message);
    let at = err.span.unwrap().start as usize;
    let depth = text[..=at].bytes().filter(|b| b"{[(".contains(b)).count()
        - text[..at].bytes().filter(|b| b"}])".contains(b)).count();
    assert_eq!(depth, MAX_NESTING + 1, "located at the bracket that crosses the bound");
    // 24 levels of a real shape parse.
    let nested = format!("locals {{\n  x = {}1{}\n}}\n", "[".repeat(MAX_NESTING - 1), "]".repeat(MAX_NESTING - 1));
    assert!(read(&nested, DocId::File(0)).is_ok());
}

/// An HCL syntax error inside a multi-byte character is located at that
/// character, not inside it (fuzz/regressions/terraform/).
#[test]
fn syntax_errors_inside_a_character_start_at_the_character() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/terraform");
    let text = std::fs::read_to_string(dir.join("syntax-error-inside-a-character.tf")).unwrap();
    let err = read(&text, DocId::File(0)).unwrap_err();
    let span = err.span.unwrap();
    assert!(text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize), "{span:?}");
}
