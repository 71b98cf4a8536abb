use super::*;
use crate::doc;

/// AWS trust for `main` only (tests/fixtures/aws-main-only.yaml), with
/// `expect:` appended.
fn scenario(sub: &str, expect: &str) -> (Scenario, Result<Option<Expectations>, Vec<Diagnostic>>) {
    let text = format!(
        r#"repository: my-org/my-repo
workflow: |
  on: push
  permissions: {{ id-token: write }}
  jobs:
    deploy:
      runs-on: ubuntu-latest
      steps:
        - uses: aws-actions/configure-aws-credentials@v4
          with: {{ role-to-assume: "arn:aws:iam::111122223333:role/r", aws-region: us-east-1 }}
event: {{ name: push, ref: refs/heads/main }}
aws: |
  {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
    "Principal": {{"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {{"StringEquals": {{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}},
                  "StringLike": {{"token.actions.githubusercontent.com:sub": "{sub}"}}}}}}]}}
{expect}"#
    );
    let root = doc::parse(&text, DocId::Scenario).unwrap();
    (Scenario::from_node(&root).unwrap(), parse(&root))
}

const EXPECT: &str = "expect:
  aws:
    admit: [push main]
    refuse: [pull_request, push feature/*, other repository, push tag v1, owner-lookalike, pull_request from fork]
  forbid_unintended: true
";

#[test]
fn a_main_only_trust_meets_its_expectations() {
    let (s, e) = scenario("repo:my-org/my-repo:ref:refs/heads/main", EXPECT);
    let report = check(&s, &e.unwrap().unwrap());
    assert_eq!(report.outcomes.len(), 7);
    assert!(report.outcomes.iter().all(|o| o.passed && !o.jobs.is_empty()), "{report:#?}");
    // The same `sub` is minted by any workflow of the repository on main,
    // and by pull_request_target under the `ref` option: forbidden unless
    // intended.
    let rows: Vec<&str> = report.unintended.iter().map(|u| u.row.as_str()).collect();
    assert_eq!(rows, ["pull-request-target-ref:deploy", "other-workflow:deploy"]);
    assert!(!report.passed());
    let (s, e) = scenario(
        "repo:my-org/my-repo:ref:refs/heads/main",
        &format!("{EXPECT}  admit: [other-workflow, pull-request-target-ref]\n"),
    );
    assert!(check(&s, &e.unwrap().unwrap()).passed());
}

#[test]
fn a_repository_wildcard_fails_with_the_admitted_runs() {
    let (s, e) = scenario("repo:my-org/*", EXPECT);
    let report = check(&s, &e.unwrap().unwrap());
    assert!(!report.passed());
    let failed: Vec<&str> = report.outcomes.iter().filter(|o| !o.passed).map(|o| o.run.as_str()).collect();
    assert_eq!(failed, ["pull_request", "push feature/*", "other repository", "push tag v1"]);
    let o = report.outcomes.iter().find(|o| o.run == "pull_request").unwrap();
    assert_eq!(o.jobs[0].sub.as_deref(), Some("repo:my-org/my-repo:pull_request"));
    assert!(o.jobs[0].decided_span.is_some());
    assert!(report.unintended.iter().any(|u| u.row.starts_with("other-repo:")), "{:#?}", report.unintended);
}

#[test]
fn an_admit_of_a_what_if_row_makes_it_intended() {
    let (s, e) = scenario("repo:my-org/my-repo:*", "expect:\n  admit: [other-branch]\n  forbid_unintended: true\n");
    let report = check(&s, &e.unwrap().unwrap());
    assert!(report.unintended.iter().all(|u| !u.row.starts_with("other-branch:")));
    assert!(report.unintended.iter().any(|u| u.row.starts_with("pull-request:")));
}

#[test]
fn bad_descriptions_and_keys_are_located_errors() {
    let (_, e) = scenario("x", "expect:\n  aws:\n    admt: [push main]\n    refuse: [push main; pull_request, \"\"]\n");
    let errors = e.unwrap_err();
    let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("did you mean `admit`")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("names two events")), "{messages:?}");
    assert!(errors.iter().all(|d| d.span.is_some()));
}

#[test]
fn run_grammar() {
    let span = Span::new(DocId::Scenario, 0, 0);
    let r = parse_run("push feature/*; environment prod", span).unwrap();
    assert_eq!(r.event, EventClause::Push("refs/heads/feature/keyless-what-if".into()));
    assert_eq!(r.modifiers, [Modifier::Environment("prod".into())]);
    assert_eq!(parse_run("push tag v*", span).unwrap().event, EventClause::Push("refs/tags/vkeyless-what-if".into()));
    assert_eq!(parse_run("other repository", span).unwrap().event, EventClause::AsGiven);
    assert_eq!(
        parse_run("workflow_dispatch release", span).unwrap().event,
        EventClause::Other { event: "workflow_dispatch".into(), branch: Some("release".into()) }
    );
    assert!(parse_run("Push Main Now", span).is_err());
    assert!(parse_run("owner-lookalike; environment x", span).is_err());
}
