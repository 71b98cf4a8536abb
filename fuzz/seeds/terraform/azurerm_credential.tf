# The example of the azurerm provider's registry page for
# azurerm_federated_identity_credential:
# https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/federated_identity_credential
# (https://raw.githubusercontent.com/hashicorp/terraform-provider-azurerm/v5.12.0/website/docs/r/federated_identity_credential.html.markdown).
# Its issuer (`https://foo`) is not GitHub's, so no GitHub token can use the
# credential and no finding is about one: expected none (read as a credential).
resource "azurerm_user_assigned_identity" "example" {
  location            = azurerm_resource_group.example.location
  name                = "example"
  resource_group_name = azurerm_resource_group.example.name
}

resource "azurerm_federated_identity_credential" "example" {
  name                      = "example"
  resource_group_name       = azurerm_resource_group.example.name
  audience                  = ["foo"]
  issuer                    = "https://foo"
  parent_id                 = azurerm_user_assigned_identity.example.id
  subject                   = "foo"
}
