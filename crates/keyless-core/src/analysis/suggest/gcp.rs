//! GCP: a provider whose attribute condition pins the owner and repository
//! ids, the intended subjects, workflow and events, and a binding on the
//! repository id. Sources: research cloud-trust-evaluation.md §3 (condition
//! required; ids are strings; `google.subject` ≤ 127 bytes; principalSet
//! members), google-github-actions/auth SECURITY_CONSIDERATIONS.

use super::{Draft, Snippet, distinct, pretty, sh, terraform};
use crate::claims::Claims;
use crate::scenario::Scenario;
use serde_json::{Map, Value, json};

const DEFAULT_PROVIDER: &str = "projects/123456789/locations/global/workloadIdentityPools/github/providers/github";

fn cel_string(v: &str) -> String {
    format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// `a == x` or `(a == x || a == y)`.
fn any_of(attr: &str, values: &[String]) -> Option<String> {
    let terms: Vec<String> = values.iter().map(|v| format!("{attr} == {}", cel_string(v))).collect();
    match terms.len() {
        0 => None,
        1 => terms.into_iter().next(),
        _ => Some(format!("({})", terms.join(" || "))),
    }
}

/// The provider's resource name: as configured, else from the audience the
/// auth action derived from it, else a stand-in.
fn provider_name(scenario: &Scenario, intended: &[Claims]) -> String {
    if let Some(n) = scenario.gcp.as_ref().and_then(|g| g.provider.name.as_ref()) {
        return n.value.trim_start_matches("//iam.googleapis.com/").to_string();
    }
    distinct(intended, "aud")
        .iter()
        .find_map(|a| {
            let rest =
                a.strip_prefix("https://iam.googleapis.com/").or_else(|| a.strip_prefix("//iam.googleapis.com/"))?;
            rest.starts_with("projects/").then(|| rest.to_string())
        })
        .unwrap_or_else(|| DEFAULT_PROVIDER.into())
}

/// What the provider and bindings are, for the CLI and Terraform renderings.
pub(super) struct GcpPlan {
    pub project: String,
    pub pool_id: String,
    pub provider_id: String,
    pub issuer: String,
    pub subject_mapping: &'static str,
    pub condition: String,
    pub allowed_audiences: Vec<String>,
    pub members: Vec<String>,
}

/// `gcloud` commands creating the provider and binding the members.
fn gcloud(plan: &GcpPlan) -> String {
    let mapping = format!("google.subject={},attribute.repository_id=assertion.repository_id", plan.subject_mapping);
    let mut create = format!(
        "gcloud iam workload-identity-pools providers create-oidc {} \\\n  --project={} --location=global --workload-identity-pool={} \\\n  --issuer-uri={} \\\n  --attribute-mapping={} \\\n  --attribute-condition={}",
        plan.provider_id,
        plan.project,
        plan.pool_id,
        sh(&plan.issuer),
        sh(&mapping),
        sh(&plan.condition)
    );
    if !plan.allowed_audiences.is_empty() {
        create.push_str(&format!(" \\\n  --allowed-audiences={}", sh(&plan.allowed_audiences.join(","))));
    }
    let bindings = plan.members.iter().map(|m| {
        format!(
            "gcloud iam service-accounts add-iam-policy-binding SERVICE_ACCOUNT_EMAIL \\\n  --role=roles/iam.workloadIdentityUser \\\n  --member={}",
            sh(m)
        )
    });
    std::iter::once(create).chain(bindings).collect::<Vec<_>>().join("\n\n")
}

pub(super) fn draft(scenario: &Scenario, intended: &[Claims]) -> Draft {
    let name = provider_name(scenario, intended);
    let pool = name.split("/providers/").next().unwrap_or_default().to_string();
    let mut notes = Vec::new();
    let mut terms = Vec::new();
    for (claim, attr) in [
        ("repository_owner_id", "assertion.repository_owner_id"),
        ("repository_id", "assertion.repository_id"),
        ("sub", "assertion.sub"),
        ("job_workflow_ref", "assertion.job_workflow_ref"),
        ("event_name", "assertion.event_name"),
    ] {
        if let Some(t) = any_of(attr, &distinct(intended, claim)) {
            terms.push(t);
        }
    }
    let condition = terms.join(" && ");
    let long_sub = distinct(intended, "sub").iter().any(|s| s.len() > 127);
    let subject_mapping = if long_sub {
        notes.push(
            "A `sub` is over 127 bytes, so `google.subject` maps `assertion.repository_id` instead (research §3.1)."
                .into(),
        );
        "assertion.repository_id"
    } else {
        "assertion.sub"
    };
    let mut mapping = Map::new();
    mapping.insert("google.subject".into(), Value::String(subject_mapping.into()));
    mapping.insert("attribute.repository_id".into(), Value::String("assertion.repository_id".into()));
    let issuer = distinct(intended, "iss").into_iter().next().unwrap_or_default();
    let auds = distinct(intended, "aud");
    let canonical = [format!("https://iam.googleapis.com/{name}"), format!("//iam.googleapis.com/{name}")];
    let mut oidc = Map::new();
    oidc.insert("issuerUri".into(), Value::String(issuer.clone()));
    if auds.iter().any(|a| !canonical.contains(a)) {
        oidc.insert("allowedAudiences".into(), json!(auds));
    }
    let members: Vec<String> = distinct(intended, "repository_id")
        .iter()
        .map(|id| format!("principalSet://iam.googleapis.com/{pool}/attribute.repository_id/{id}"))
        .collect();
    let config_value = json!({
        "provider": {
            "name": name,
            "state": "ACTIVE",
            "attributeMapping": Value::Object(mapping),
            "attributeCondition": condition,
            "oidc": Value::Object(oidc.clone()),
        },
        "members": members,
    });
    let config = pretty(&config_value);
    let plan = GcpPlan {
        project: name.split('/').nth(1).unwrap_or("123456789").to_string(),
        pool_id: pool.rsplit('/').next().unwrap_or("github").to_string(),
        provider_id: name.rsplit('/').next().unwrap_or("github").to_string(),
        issuer,
        subject_mapping,
        condition: condition.clone(),
        allowed_audiences: match oidc.get("allowedAudiences") {
            Some(Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        },
        members: members.clone(),
    };
    if members.is_empty() {
        notes.push("The tokens carry no `repository_id`: no principalSet member could be derived.".into());
    }
    Draft {
        summary: format!("attribute condition `{condition}`; binding on the repository id"),
        config,
        snippets: vec![
            Snippet {
                format: "json",
                title: "provider and members (as `gcloud … describe --format=json`)".into(),
                text: pretty(&config_value),
            },
            Snippet { format: "shell", title: "gcloud".into(), text: gcloud(&plan) },
            Snippet { format: "hcl", title: "terraform".into(), text: terraform::gcp_provider(&plan) },
        ],
        notes,
    }
}
