//! Terraform renderings of the suggestions (one output format, every
//! cloud): `aws_iam_role`, `azurerm_federated_identity_credential` /
//! `azuread_application_flexible_federated_identity_credential`,
//! `google_iam_workload_identity_pool_provider` + `google_service_account_iam_member`,
//! `alicloud_ram_role`. Resource and argument names follow the providers'
//! registry docs (hashicorp/aws, azurerm, azuread, google; aliyun/alicloud).

use super::azure::Credential;
use super::gcp::GcpPlan;
use super::hcl;
use serde_json::Value;

fn policy_text(policy: &Value) -> String {
    hcl(&serde_json::to_string(policy).unwrap_or_default())
}

/// The role with the suggested trust policy.
pub(super) fn aws_role(policy: &Value) -> String {
    format!(
        "resource \"aws_iam_role\" \"github_actions_deploy\" {{\n  name               = \"github-actions-deploy\"\n  assume_role_policy = {}\n}}\n",
        policy_text(policy)
    )
}

/// The RAM role with the suggested trust policy.
pub(super) fn alibaba_role(policy: &Value) -> String {
    format!(
        "resource \"alicloud_ram_role\" \"github_actions\" {{\n  role_name                   = \"github-actions\"\n  assume_role_policy_document = {}\n}}\n",
        policy_text(policy)
    )
}

/// One resource per credential: classic on the managed identity, flexible
/// on the app registration (azurerm has no flexible credential resource).
pub(super) fn azure_credentials(creds: &[Credential]) -> String {
    let mut out = Vec::new();
    for (i, c) in creds.iter().enumerate() {
        match (&c.subject, &c.expression) {
            (_, Some(e)) => out.push(format!(
                "resource \"azuread_application_flexible_federated_identity_credential\" \"github_{i}\" {{\n  application_id             = azuread_application.deploy.id\n  display_name               = {}\n  issuer                     = {}\n  audience                   = {}\n  claims_matching_expression = {}\n}}\n",
                hcl(&c.name), hcl(&c.issuer), hcl(&c.audience), hcl(e)
            )),
            (Some(s), None) => out.push(format!(
                "resource \"azurerm_federated_identity_credential\" \"github_{i}\" {{\n  name                = {}\n  resource_group_name = \"rg-platform\"\n  parent_id           = azurerm_user_assigned_identity.deploy.id\n  issuer              = {}\n  subject             = {}\n  audience            = [{}]\n}}\n",
                hcl(&c.name), hcl(&c.issuer), hcl(s), hcl(&c.audience)
            )),
            (None, None) => {}
        }
    }
    out.join("\n")
}

/// The provider and one service-account binding per member.
pub(super) fn gcp_provider(plan: &GcpPlan) -> String {
    let allowed = if plan.allowed_audiences.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = plan.allowed_audiences.iter().map(|a| hcl(a)).collect();
        format!("\n    allowed_audiences = [{}]", list.join(", "))
    };
    let mut tf = format!(
        "resource \"google_iam_workload_identity_pool_provider\" \"github\" {{\n  project                            = {}\n  workload_identity_pool_id          = {}\n  workload_identity_pool_provider_id = {}\n  attribute_mapping = {{\n    \"google.subject\"          = {}\n    \"attribute.repository_id\" = \"assertion.repository_id\"\n  }}\n  attribute_condition = {}\n  oidc {{\n    issuer_uri = {}{allowed}\n  }}\n}}\n",
        hcl(&plan.project),
        hcl(&plan.pool_id),
        hcl(&plan.provider_id),
        hcl(plan.subject_mapping),
        hcl(&plan.condition),
        hcl(&plan.issuer)
    );
    for (i, m) in plan.members.iter().enumerate() {
        tf.push_str(&format!(
            "\nresource \"google_service_account_iam_member\" \"github_{i}\" {{\n  service_account_id = google_service_account.deploy.name\n  role               = \"roles/iam.workloadIdentityUser\"\n  member             = {}\n}}\n",
            hcl(m)
        ));
    }
    tf
}
