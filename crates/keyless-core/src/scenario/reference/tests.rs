//! `from:` references resolved from in-memory files: the unit chosen, the
//! values given, what is refused and where each error is located.

use super::LoadedFile;
use crate::clouds::Clouds;
use crate::diagnostic::{Diagnostic, Severity};
use crate::doc;
use crate::output::Locator;
use crate::scenario::Scenario;
use crate::span::DocId;
use crate::verdict::Cloud;

/// examples/terraform/deploy.tf (GitHub's AWS guide's role as Terraform,
/// the owner a variable), next to a second role that trusts EC2.
fn iam_tf() -> String {
    let example = std::fs::read_to_string(crate::testutil::repo_root().join("examples/terraform/deploy.tf")).unwrap();
    example
        + r#"
resource "aws_iam_role" "audit" {
  name               = "audit"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }] })
}
"#
}

fn scenario(aws: &str, event_ref: &str) -> String {
    format!(
        "repository: my-org/my-repo\nevent: {{name: push, ref: {event_ref}}}\nworkflow: |\n  on: push\n  permissions: {{id-token: write}}\n  jobs:\n    deploy:\n      runs-on: ubuntu-latest\n      steps:\n        - uses: aws-actions/configure-aws-credentials@v4\n          with: {{role-to-assume: arn:aws:iam::1:role/x, aws-region: us-east-1}}\naws:\n{aws}"
    )
}

fn file(path: &str, text: &str) -> Vec<LoadedFile> {
    vec![LoadedFile { cloud: Cloud::Aws, path: path.into(), text: Ok(text.into()) }]
}

fn parse(text: &str, files: &[LoadedFile]) -> Result<Scenario, Vec<Diagnostic>> {
    let root = doc::parse(text, DocId::Scenario).unwrap();
    Scenario::from_node_with_files(&root, &Clouds::ALL, files)
}

fn aws_verdict(s: &Scenario) -> (bool, String) {
    let report = crate::engine::evaluate(s);
    let v = &report.jobs[0].verdicts[&Cloud::Aws];
    (v.allowed, v.code.clone())
}

/// Where each error is, as the CLI prints it.
fn rendered(text: &str, files: &[LoadedFile], errors: &[Diagnostic]) -> Vec<String> {
    let root = doc::parse(text, DocId::Scenario).unwrap();
    let locator = Locator::new("scenario.yaml", text, Some(&root)).with_files(files);
    errors.iter().map(|d| locator.render(d)).collect()
}

const DEPLOY: &str = "  from: infra/iam.tf\n  resource: aws_iam_role.deploy\n  values:\n    var.github_org: my-org\n";

#[test]
fn a_terraform_role_with_its_variable_given_is_judged_like_the_pasted_policy() {
    let files = file("infra/iam.tf", &iam_tf());
    let main = parse(&scenario(DEPLOY, "refs/heads/main"), &files).unwrap();
    assert_eq!(aws_verdict(&main), (true, "allowed".into()));
    let feature = parse(&scenario(DEPLOY, "refs/heads/feature"), &files).unwrap();
    assert_eq!(aws_verdict(&feature), (false, "AccessDenied".into()));
    // The provider ARN is a reference: assumed to be GitHub's, and said so.
    let notes = main.trust_notes();
    assert!(
        notes.iter().any(|n| n.severity == Severity::Note
            && n.message.contains("aws_iam_openid_connect_provider.github.arn")
            && n.span.is_some_and(|s| s.doc == DocId::Aws)),
        "{notes:?}"
    );
    // Spans are in the referenced file: the note is on the principal's line.
    let text = scenario(DEPLOY, "refs/heads/main");
    let at = rendered(&text, &files, &notes);
    assert!(at.iter().any(|l| l.starts_with("infra/iam.tf:23:")), "{at:?}");
}

#[test]
fn a_value_terraform_computes_and_not_given_is_an_error_at_its_line() {
    let files = file("infra/iam.tf", &iam_tf());
    let text = scenario("  from: infra/iam.tf\n  resource: aws_iam_role.deploy\n", "refs/heads/main");
    let errors = parse(&text, &files).unwrap_err();
    let at = rendered(&text, &files, &errors);
    assert_eq!(at.len(), 1, "{at:?}");
    assert!(at[0].starts_with("infra/iam.tf:28:"), "{at:?}");
    assert!(at[0].contains("values:") && at[0].contains("string with an interpolation"), "{at:?}");
}

#[test]
fn several_roles_need_a_resource_and_a_wrong_one_lists_what_is_there() {
    let files = file("infra/iam.tf", &iam_tf());
    let text = scenario("  from: infra/iam.tf\n", "refs/heads/main");
    let errors = parse(&text, &files).unwrap_err();
    assert!(errors[0].message.contains("say which with `resource:`"), "{errors:?}");
    assert!(errors[0].message.contains("aws_iam_role.deploy, aws_iam_role.audit"), "{errors:?}");
    assert_eq!(rendered(&text, &files, &errors)[0].split(": ").next(), Some("scenario.yaml:13:9"));

    let text = scenario("  from: infra/iam.tf\n  resource: aws_iam_role.nope\n", "refs/heads/main");
    let errors = parse(&text, &files).unwrap_err();
    assert!(errors[0].message.contains("has no AWS trust `aws_iam_role.nope`"), "{errors:?}");
    assert_eq!(rendered(&text, &files, &errors)[0].split(": ").next(), Some("scenario.yaml:14:13"));
}

#[test]
fn without_files_a_reference_says_where_it_is_read() {
    let text = scenario(DEPLOY, "refs/heads/main");
    let errors = parse(&text, &[]).unwrap_err();
    assert!(errors[0].message.contains("only the command line reads"), "{errors:?}");
    let unreadable =
        vec![LoadedFile { cloud: Cloud::Aws, path: "infra/iam.tf".into(), text: Err("No such file".into()) }];
    let errors = parse(&text, &unreadable).unwrap_err();
    assert_eq!(errors[0].message, "cannot read `infra/iam.tf`: No such file");
}

#[test]
fn a_plain_configuration_file_is_read_as_the_section_would_be() {
    // `aws iam get-role` output, as the CLI prints it.
    let get_role = r#"{"Role": {"RoleName": "x", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
  "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
  "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
  "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
    "token.actions.githubusercontent.com:sub": "repo:my-org/my-repo:ref:refs/heads/main"}}}]}}}"#;
    let files = file("role.json", get_role);
    let s = parse(&scenario("  from: role.json\n", "refs/heads/main"), &files).unwrap();
    assert_eq!(aws_verdict(&s), (true, "allowed".into()));
    let errors = parse(&scenario("  from: role.json\n  resource: x\n", "refs/heads/main"), &files).unwrap_err();
    assert!(errors[0].message.contains("remove `resource:`"), "{errors:?}");
    let errors = parse(&scenario("  from: role.json\n  values: {var.x: y}\n", "refs/heads/main"), &files).unwrap_err();
    assert!(errors[0].message.contains("this file is neither"), "{errors:?}");
}

#[test]
fn a_cloudformation_parameter_is_given_by_its_name() {
    let template = "Parameters:\n  Repo: {Type: String}\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: 2012-10-17\n        Statement:\n          - Effect: Allow\n            Action: sts:AssumeRoleWithWebIdentity\n            Principal:\n              Federated: !Sub arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com\n            Condition:\n              StringEquals:\n                token.actions.githubusercontent.com:aud: sts.amazonaws.com\n              StringLike:\n                token.actions.githubusercontent.com:sub: !Sub repo:${Repo}:*\n";
    let files = file("template.yaml", template);
    let given = "  from: template.yaml\n  values: {Repo: my-org/my-repo, AWS::AccountId: '123456789012'}\n";
    let s = parse(&scenario(given, "refs/heads/main"), &files).unwrap();
    assert_eq!(aws_verdict(&s), (true, "allowed".into()));
    assert!(s.trust_notes().is_empty(), "{:?}", s.trust_notes());
    let other = "  from: template.yaml\n  values: {Repo: my-org/other, AWS::AccountId: '123456789012'}\n";
    let s = parse(&scenario(other, "refs/heads/main"), &files).unwrap();
    assert_eq!(aws_verdict(&s), (false, "AccessDenied".into()));
    // Without `Repo`, the condition is unknown: an error in the template.
    let errors = parse(&scenario("  from: template.yaml\n", "refs/heads/main"), &files).unwrap_err();
    let text = scenario("  from: template.yaml\n", "refs/heads/main");
    let at = rendered(&text, &files, &errors);
    assert!(at.iter().any(|l| l.starts_with("template.yaml:18:") && l.contains("`values: {")), "{at:?}");
}

#[test]
fn a_reference_with_an_unknown_key_is_an_error_with_a_hint() {
    let files = file("infra/iam.tf", &iam_tf());
    let errors = parse(&scenario("  from: infra/iam.tf\n  resources: x\n", "refs/heads/main"), &files).unwrap_err();
    assert!(errors[0].message.contains("unknown field `resources`"), "{errors:?}");
}
