//! Writes a synthetic organisation tree for measuring `keyless lint`
//! throughput (docs/org-scan.md): N repositories, each with one workflow
//! and one trust file (AWS JSON, AWS YAML, Azure, GCP, Alibaba in turn),
//! plus unrelated YAML a walk must skip.
//!
//! cargo run --release -p keyless-cli --example lint_tree -- DIR [N=1000]
//! taskset -c 0 target/release/keyless lint DIR --fail-on never

use std::path::Path;

fn workflow(i: usize) -> String {
    format!(
        "name: Deploy {i}\non:\n  push:\n    branches: [main]\n  pull_request:\npermissions:\n  id-token: write\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: prod\n    steps:\n      - uses: actions/checkout@v4\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::111122223333:role/deploy-{i}\n          aws-region: us-east-1\n      - run: ./deploy.sh\n"
    )
}

fn trust(i: usize) -> (String, String) {
    let sub = if i.is_multiple_of(3) {
        format!("repo:my-org/repo-{i}:*")
    } else {
        format!("repo:my-org/repo-{i}:ref:refs/heads/main")
    };
    match i % 5 {
        0 => (
            "trust.json".into(),
            format!(
                r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
  "Principal": {{"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {{"StringEquals": {{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}},
    "StringLike": {{"token.actions.githubusercontent.com:sub": "{sub}"}}}}}}]}}
"#
            ),
        ),
        1 => (
            "trust.yaml".into(),
            format!(
                "Version: \"2012-10-17\"\nStatement:\n  - Effect: Allow\n    Principal: {{Federated: \"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\"}}\n    Action: sts:AssumeRoleWithWebIdentity\n    Condition:\n      StringEquals: {{\"token.actions.githubusercontent.com:aud\": sts.amazonaws.com, \"token.actions.githubusercontent.com:sub\": \"{sub}\"}}\n"
            ),
        ),
        2 => (
            "azure.json".into(),
            format!(
                r#"[{{"name": "deploy-{i}", "issuer": "https://token.actions.githubusercontent.com", "subject": "{sub}", "audiences": ["api://AzureADTokenExchange"]}}]
"#
            ),
        ),
        3 => (
            "gcp.json".into(),
            format!(
                r#"{{"name": "projects/1/locations/global/workloadIdentityPools/p/providers/github-{i}",
  "attributeMapping": {{"google.subject": "assertion.sub", "attribute.repository": "assertion.repository"}},
  "attributeCondition": "assertion.repository_owner == 'my-org'",
  "oidc": {{"issuerUri": "https://token.actions.githubusercontent.com"}}}}
"#
            ),
        ),
        _ => (
            "ram.json".into(),
            format!(
                r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": "sts:AssumeRole",
  "Principal": {{"Federated": ["acs:ram::1:oidc-provider/github"]}},
  "Condition": {{"StringEquals": {{"oidc:iss": "https://token.actions.githubusercontent.com", "oidc:aud": "sts.aliyuncs.com"}},
    "StringLike": {{"oidc:sub": "{sub}"}}}}}}]}}
"#
            ),
        ),
    }
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "keyless-lint-tree".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    for i in 0..n {
        let repo = Path::new(&dir).join(format!("repo-{i}"));
        std::fs::create_dir_all(repo.join(".github/workflows"))?;
        std::fs::create_dir_all(repo.join("infra"))?;
        std::fs::write(repo.join(".github/workflows/deploy.yml"), workflow(i))?;
        let (name, text) = trust(i);
        std::fs::write(repo.join("infra").join(name), text)?;
        // Unrelated YAML: read, recognised as nothing, skipped.
        std::fs::write(repo.join("values.yaml"), "replicas: 3\nimage: nginx\n")?;
    }
    println!("{n} workflows and {n} trust files in {dir}");
    Ok(())
}
