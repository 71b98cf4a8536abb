#![allow(clippy::unwrap_used)]
//! Engine-level behaviour across the GitHub side and the clouds.

use keyless_core::{Scenario, evaluate};

const POLICY: &str = r#"aws: |
  {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
      "token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main"}}}]}
"#;

fn scenario(with: &str) -> Scenario {
    let text = format!(
        "repository: o/r\nevent: {{name: push, ref: refs/heads/main}}\nworkflow: |\n  on: push\n  permissions: {{id-token: write}}\n  jobs:\n    deploy:\n      runs-on: ubuntu-latest\n      steps:\n        - uses: aws-actions/configure-aws-credentials@v4\n          with: {{role-to-assume: arn:aws:iam::111122223333:role/x, aws-region: us-east-1{with}}}\n{POLICY}"
    );
    Scenario::parse(&text).unwrap()
}

#[test]
fn an_unknowable_audience_gives_no_guessed_verdict() {
    // The brief: "a value that cannot be known is reported, not guessed".
    let report = evaluate(&scenario(", audience: '${{ secrets.AUD }}'"));
    let v = &report.jobs[0].verdicts[&keyless_core::Cloud::Aws];
    assert_eq!(v.code, "undetermined", "{v:?}");
    assert!(!v.allowed);
}

#[test]
fn a_known_audience_is_judged() {
    let report = evaluate(&scenario(""));
    let v = &report.jobs[0].verdicts[&keyless_core::Cloud::Aws];
    assert!(v.allowed, "{v:?}");
    let report = evaluate(&scenario(", audience: other"));
    let v = &report.jobs[0].verdicts[&keyless_core::Cloud::Aws];
    assert_eq!(v.code, "InvalidIdentityToken", "{v:?}");
}
