//! Alibaba Cloud: a RAM trust policy (`Version: 1`, `sts:AssumeRole`,
//! `StringEquals` on `oidc:iss`, `oidc:aud`, `oidc:sub`). Source: research
//! cloud-trust-evaluation.md §4 and GitHub's Alibaba guide (seed
//! oidc-in-alibaba-cloud.md: `oidc:iss` written without the scheme).

use super::{Draft, Snippet, customize_sub_snippet, distinct, one_or_many, pretty, terraform, uses_reusable};
use crate::claims::Claims;
use crate::scenario::Scenario;
use serde_json::{Map, Value, json};

fn provider_arn(scenario: &Scenario) -> String {
    let config = scenario.alibaba.as_ref();
    config
        .and_then(|c| c.provider.as_ref())
        .and_then(|p| p.arn.as_ref())
        .map(|a| a.value.clone())
        .or_else(|| {
            config
                .into_iter()
                .flat_map(|c| &c.trust_policy.statements)
                .filter_map(|s| s.principal.as_ref())
                .flat_map(|p| &p.federated)
                .map(|f| f.value.clone())
                .next()
        })
        .unwrap_or_else(|| "acs:ram::1234567890123456:oidc-provider/github".into())
}

pub(super) fn draft(scenario: &Scenario, intended: &[Claims]) -> Draft {
    let arn = provider_arn(scenario);
    let mut equals = Map::new();
    // The full issuer URL: GitHub's guide writes the host only, which Alibaba's
    // own docs ("the URL of the issuer") may not match; the URL matches under
    // both readings (the Alibaba evaluator's `iss_match` option).
    equals.insert("oidc:iss".into(), one_or_many(&distinct(intended, "iss")));
    equals.insert("oidc:aud".into(), one_or_many(&distinct(intended, "aud")));
    equals.insert("oidc:sub".into(), one_or_many(&distinct(intended, "sub")));
    let policy = json!({
        "Version": "1",
        "Statement": [{
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"Federated": [arn]},
            "Condition": {"StringEquals": Value::Object(equals)}
        }]
    });
    let config = pretty(&policy);
    let mut notes = vec![
        "`oidc:iss` is the full issuer URL; GitHub's Alibaba guide writes it without `https://`, which matches only if RAM compares hosts (unverified; see the Alibaba `iss_match` option).".to_string(),
        "RAM sees only `iss`, `aud` and `sub` of the token: runs with the same `sub` (another workflow file on the same branch, a pull_request_target run) cannot be told apart.".to_string(),
    ];
    let mut snippets = vec![
        Snippet { format: "json", title: "RAM role trust policy".into(), text: config.clone() },
        Snippet {
            format: "shell",
            title: "aliyun cli".into(),
            text: format!(
                "aliyun ram UpdateRole --RoleName github-actions --NewAssumeRolePolicyDocument {}",
                super::sh(&serde_json::to_string(&policy).unwrap_or_default())
            ),
        },
        Snippet {
            format: "hcl",
            title: "terraform (alicloud_ram_role)".into(),
            text: terraform::alibaba_role(&policy),
        },
    ];
    if uses_reusable(intended) {
        notes.push("The intended job runs a reusable workflow; to pin it on Alibaba, the `sub` must carry `job_workflow_ref` (customized template).".into());
        snippets.push(customize_sub_snippet(scenario));
    }
    Draft {
        summary: format!("exact `oidc:iss`, `oidc:aud` and `oidc:sub` ({})", distinct(intended, "sub").join(", ")),
        config,
        snippets,
        notes,
    }
}
