//! AWS: a role trust policy with `StringEquals` on `aud`, `sub` and (2026
//! STS keys, research cloud-trust-evaluation.md §1.3) `job_workflow_ref`;
//! exact values only (no wildcards to get wrong, research §1.4).

use super::{Draft, Snippet, distinct, issuer_host, one_or_many, pretty, sh, terraform};
use crate::claims::Claims;
use crate::scenario::Scenario;
use regex_lite::Regex;
use serde_json::{Map, Value, json};

/// The account of the existing trust policy's provider ARN, else AWS's
/// documentation account.
fn account(scenario: &Scenario) -> String {
    let re = Regex::new(r"^arn:aws[a-z-]*:iam::([0-9]{12}):oidc-provider/").ok();
    scenario
        .aws
        .iter()
        .flat_map(|c| &c.trust_policy.statements)
        .filter_map(|s| s.principal.as_ref())
        .flat_map(|p| &p.federated)
        .find_map(|f| re.as_ref()?.captures(&f.value)?.get(1).map(|m| m.as_str().to_string()))
        .unwrap_or_else(|| "111122223333".into())
}

pub(super) fn draft(scenario: &Scenario, intended: &[Claims]) -> Draft {
    let issuers = distinct(intended, "iss");
    let mut notes = Vec::new();
    let acct = account(scenario);
    let mut statements = Vec::new();
    for iss in &issuers {
        let runs: Vec<Claims> = intended.iter().filter(|c| c.text("iss").as_deref() == Some(iss)).cloned().collect();
        let host = issuer_host(iss);
        let mut equals = Map::new();
        equals.insert(format!("{host}:aud"), one_or_many(&distinct(&runs, "aud")));
        equals.insert(format!("{host}:sub"), one_or_many(&distinct(&runs, "sub")));
        let repo_ids = distinct(&runs, "repository_id");
        if !repo_ids.is_empty() {
            equals.insert(format!("{host}:repository_id"), one_or_many(&repo_ids));
        }
        let workflows = distinct(&runs, "job_workflow_ref");
        if !workflows.is_empty() {
            equals.insert(format!("{host}:job_workflow_ref"), one_or_many(&workflows));
        }
        statements.push(json!({
            "Effect": "Allow",
            "Principal": {"Federated": format!("arn:aws:iam::{acct}:oidc-provider/{host}")},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": Value::Object(equals)}
        }));
    }
    notes.push("`repository_id` and `job_workflow_ref` are GitHub keys AWS STS checks since 2026-01 (trust policy only, research §1.3); without them the role also admits a re-created repository with the same name and other workflow files of the same repository and branch.".into());
    let policy = json!({"Version": "2012-10-17", "Statement": statements});
    let config = pretty(&policy);
    let snippets = vec![
        Snippet { format: "json", title: "trust policy (role → Trust relationships)".into(), text: config.clone() },
        Snippet {
            format: "shell",
            title: "aws cli".into(),
            text: format!(
                "aws iam update-assume-role-policy --role-name github-actions-deploy --policy-document {}",
                sh(&serde_json::to_string(&policy).unwrap_or_default())
            ),
        },
        Snippet { format: "hcl", title: "terraform (aws_iam_role)".into(), text: terraform::aws_role(&policy) },
    ];
    let subs = distinct(intended, "sub");
    Draft {
        summary: format!(
            "exact `aud`, `sub` ({}), `repository_id` and `job_workflow_ref` of the intended run(s)",
            subs.join(", ")
        ),
        config,
        snippets,
        notes,
    }
}
