# Adapted from https://github.com/Unique-AG/hello-azure-v2/blob/HEAD/01_bootstrap/day-0/40-federated-credentials.tf
# (a public repository): one credential per environment with for_each.
# Expected: the name and the subject depend on `each.value` (KL-INPUT-002 at
# lines 9 and 13);
# issuer and audience are GitHub's and Entra's defaults, so nothing else.
resource "azuread_application_federated_identity_credential" "github_actions_terraform_env" {
  for_each       = toset(["00-init", "10-pm", "20-wl"])
  application_id = azuread_application_registration.terraform.id
  display_name   = "github-actions-terraform-env-${each.value}"
  description    = "GH actions deploying Azure resources for the env of hello-azure"
  audiences      = ["api://AzureADTokenExchange"]
  issuer         = "https://token.actions.githubusercontent.com"
  subject        = "repo:Unique-AG/hello-azure:environment:${each.value}"
}
