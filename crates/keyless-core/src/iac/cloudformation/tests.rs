use super::{is_template, read};
use crate::analysis::lint::{FileKind, kind_of, lint_documents};
use crate::doc;
use crate::span::{DocId, LineIndex};

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cloudformation").join(name);
    std::fs::read_to_string(path).unwrap()
}

fn ids_at(name: &str, text: &str) -> Vec<(String, u32)> {
    let index = LineIndex::new(text);
    let mut out: Vec<(String, u32)> = lint_documents(&[(name.to_string(), text.to_string())])
        .into_iter()
        .map(|f| (f.id, f.location.map(|s| index.line_col(text, s.start).line).unwrap()))
        .collect();
    out.sort();
    out
}

fn pairs(want: &[(&str, u32)]) -> Vec<(String, u32)> {
    want.iter().map(|(i, l)| (i.to_string(), *l)).collect()
}

#[test]
fn fixtures_give_their_findings_at_template_lines() {
    let name = "configure-aws-credentials-sample.yaml";
    assert_eq!(ids_at(name, &fixture(name)), pairs(&[("KL-INPUT-002", 31), ("KL-INPUT-002", 37)]));
    let name = "two-roles.json";
    assert_eq!(ids_at(name, &fixture(name)), pairs(&[("KL-AWS-001", 34), ("KL-INPUT-002", 14), ("KL-INPUT-002", 37)]));
}

/// Each role is its own unit, named by its logical id.
#[test]
fn each_role_is_judged_on_its_own() {
    let text = fixture("two-roles.json");
    let root = doc::parse(&text, DocId::File(0)).unwrap();
    assert_eq!(kind_of(&text), FileKind::CloudFormation);
    let found = read(&text, &root);
    let names: Vec<&str> = found.units.iter().map(|u| u.address.as_str()).collect();
    assert_eq!(names, ["MainOnly", "AnyRepository"]);
    let messages: Vec<String> = lint_documents(&[("t.json".into(), text.clone())])
        .into_iter()
        .filter(|f| f.id == "KL-AWS-001")
        .map(|f| f.message)
        .collect();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].starts_with("AnyRepository: "), "{}", messages[0]);
}

const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Federated: PRINCIPAL
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                token.actions.githubusercontent.com:aud: sts.amazonaws.com
              StringLike:
                token.actions.githubusercontent.com:sub: SUB
"#;

fn template(principal: &str, sub: &str) -> String {
    TEMPLATE.replace("PRINCIPAL", principal).replace("SUB", sub)
}

/// A `!Sub` without `${…}` is its literal (judged); with one, or any other
/// short-form function, the value is unknown at its location.
#[test]
fn short_form_tags_are_functions_not_strings() {
    let principal = "!GetAtt GithubOidc.Arn";
    // A literal `!Sub` admitting every repository of the owner: judged.
    let literal = template(principal, "!Sub 'repo:octo-org/*'");
    assert_eq!(ids_at("t.yaml", &literal), pairs(&[("KL-INPUT-002", 11), ("KL-SUB-003", 17)]));
    // The same in the long form.
    let long = template(principal, "{'Fn::Sub': 'repo:octo-org/*'}");
    assert_eq!(ids_at("t.yaml", &long), pairs(&[("KL-INPUT-002", 11), ("KL-SUB-003", 17)]));
    // Substituted, referenced or joined: unknown, never "admits".
    for sub in [
        "!Sub 'repo:${GitHubOrg}/*'",
        "!Sub 'repo:octo-org/${AWS::StackName}:*'",
        "!Ref SubjectPattern",
        "!Join ['', ['repo:', !Ref Org, '/*']]",
        "{'Fn::Join': ['', ['repo:', {Ref: Org}, '/*']]}",
        "!ImportValue SharedSubject",
    ] {
        let text = template(principal, sub);
        assert_eq!(ids_at("t.yaml", &text), pairs(&[("KL-INPUT-002", 11), ("KL-INPUT-002", 17)]), "{sub}");
    }
    // `${!Literal}` is the escape for a literal `${`: nothing substituted.
    let escaped = template(principal, "!Sub 'repo:octo-org/octo-repo:ref:refs/heads/${!x}'");
    let root = doc::parse(&escaped, DocId::File(0)).unwrap();
    let found = read(&escaped, &root);
    assert_eq!(found.unknowns.len(), 1);
    let sub = found.units[0].node.get("Statement").unwrap().items().unwrap()[0]
        .get("Condition")
        .unwrap()
        .get("StringLike")
        .unwrap()
        .get("token.actions.githubusercontent.com:sub")
        .unwrap();
    assert_eq!(sub.as_str(), Some("repo:octo-org/octo-repo:ref:refs/heads/${x}"));
}

/// A literal principal is judged as written: a `!Sub` ARN with the account
/// substituted still names GitHub's provider by its literal URL.
#[test]
fn principal_by_sub_keeps_the_provider_url() {
    let text = template(
        "!Sub 'arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com'",
        "repo:octo-org/octo-repo:*",
    );
    assert_eq!(ids_at("t.yaml", &text), pairs(&[("KL-INPUT-002", 11), ("KL-SUB-005", 17)]));
}

#[test]
fn templates_without_roles_are_not_trust_files() {
    let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n";
    let root = doc::parse(text, DocId::File(0)).unwrap();
    assert!(!is_template(&root));
    assert_eq!(kind_of(text), FileKind::Unknown);
}

/// `Fn::Sub` with given values (a scenario's `from:` reference): every
/// `${Name}` replaced once, a missing name leaves it unknown, and a hostile
/// template (hundreds of thousands of `${`, unclosed) ends in one pass.
#[test]
fn substitution_replaces_given_names_in_one_pass() {
    let values: super::Values = [("Org".to_string(), "my-org".to_string())].into_iter().collect();
    assert_eq!(super::substitute("repo:${Org}/${!Lit}:*", &values).as_deref(), Some("repo:my-org/${Lit}:*"));
    assert_eq!(super::substitute("repo:${Org}/${Repo}", &values), None);
    let hostile = "${Org}".repeat(100_000) + &"${".repeat(200_000);
    assert_eq!(super::substitute(&hostile, &values), None);
    let long = "${Org}".repeat(200_000);
    assert_eq!(super::substitute(&long, &values).map(|s| s.len()), Some(6 * 200_000));
}
