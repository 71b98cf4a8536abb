//! GCP: a provider whose attribute condition pins the owner and repository
//! ids, the intended subjects, workflow and events, and a binding on the
//! repository id. Sources: research cloud-trust-evaluation.md §3 (condition
//! required; ids are strings; `google.subject` ≤ 127 bytes; principalSet
//! members), google-github-actions/auth SECURITY_CONSIDERATIONS.

use super::{distinct, hcl, pretty, sh, Draft, Snippet};
use crate::claims::Claims;
use crate::scenario::Scenario;
use serde_json::{json, Map, Value};

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
            let rest = a.strip_prefix("https://iam.googleapis.com/").or_else(|| a.strip_prefix("//iam.googleapis.com/"))?;
            rest.starts_with("projects/").then(|| rest.to_string())
        })
        .unwrap_or_else(|| DEFAULT_PROVIDER.into())
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
        notes.push("A `sub` is over 127 bytes, so `google.subject` maps `assertion.repository_id` instead (research §3.1).".into());
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
    let pool_id = pool.rsplit('/').next().unwrap_or("github");
    let provider_id = name.rsplit('/').next().unwrap_or("github");
    let project = name.split('/').nth(1).unwrap_or("123456789");
    let mapping_flag = format!("google.subject={subject_mapping},attribute.repository_id=assertion.repository_id");
    let mut create = format!(
        "gcloud iam workload-identity-pools providers create-oidc {provider_id} \\\n  --project={project} --location=global --workload-identity-pool={pool_id} \\\n  --issuer-uri={} \\\n  --attribute-mapping={} \\\n  --attribute-condition={}",
        sh(&issuer), sh(&mapping_flag), sh(&condition)
    );
    if let Some(Value::Array(a)) = oidc.get("allowedAudiences") {
        let list: Vec<String> = a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
        create.push_str(&format!(" \\\n  --allowed-audiences={}", sh(&list.join(","))));
    }
    let bindings: Vec<String> = members
        .iter()
        .map(|m| format!("gcloud iam service-accounts add-iam-policy-binding SERVICE_ACCOUNT_EMAIL \\\n  --role=roles/iam.workloadIdentityUser \\\n  --member={}", sh(m)))
        .collect();
    let allowed = match oidc.get("allowedAudiences") {
        Some(Value::Array(a)) => {
            let list: Vec<String> = a.iter().filter_map(|v| v.as_str()).map(hcl).collect();
            format!("\n    allowed_audiences = [{}]", list.join(", "))
        }
        _ => String::new(),
    };
    let mut tf = format!(
        "resource \"google_iam_workload_identity_pool_provider\" \"github\" {{\n  project                            = {}\n  workload_identity_pool_id          = {}\n  workload_identity_pool_provider_id = {}\n  attribute_mapping = {{\n    \"google.subject\"          = {}\n    \"attribute.repository_id\" = \"assertion.repository_id\"\n  }}\n  attribute_condition = {}\n  oidc {{\n    issuer_uri = {}{allowed}\n  }}\n}}\n",
        hcl(project), hcl(pool_id), hcl(provider_id), hcl(subject_mapping), hcl(&condition), hcl(&issuer)
    );
    for (i, m) in members.iter().enumerate() {
        tf.push_str(&format!(
            "\nresource \"google_service_account_iam_member\" \"github_{i}\" {{\n  service_account_id = google_service_account.deploy.name\n  role               = \"roles/iam.workloadIdentityUser\"\n  member             = {}\n}}\n",
            hcl(m)
        ));
    }
    if members.is_empty() {
        notes.push("The tokens carry no `repository_id`: no principalSet member could be derived.".into());
    }
    Draft {
        summary: format!("attribute condition `{condition}`; binding on the repository id"),
        config,
        snippets: vec![
            Snippet { format: "json", title: "provider and members (as `gcloud … describe --format=json`)".into(), text: pretty(&config_value) },
            Snippet { format: "shell", title: "gcloud".into(), text: format!("{create}\n\n{}", bindings.join("\n\n")) },
            Snippet { format: "hcl", title: "terraform".into(), text: tf },
        ],
        notes,
    }
}
