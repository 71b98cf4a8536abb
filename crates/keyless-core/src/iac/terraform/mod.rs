//! Terraform (`.tf`) input: the resources that hold a GitHub OIDC trust.
//!
//! The parser is `hcl-edit` (crates.io, the `hcl-rs` project's lossless
//! parser): it keeps each expression's byte span in the file, which findings
//! need. `hcl-rs` deserialises into values and drops positions (it is built
//! on `hcl-edit` and converts its tree), so it cannot locate anything.
//!
//! Resource arguments: the Terraform registry's page for each resource
//! type (TF-AWS-ROLE, TF-AWS-DOC, TF-AZURERM, TF-AZUREAD, TF-GOOGLE,
//! TF-ALICLOUD in sources.md; docs/terraform.md).

mod expr;
mod policy_document;
mod resources;
#[cfg(test)]
mod tests;

use super::Trusts;
use crate::diagnostic::{Diagnostic, Result};
use crate::span::{DocId, Span};

/// The resource types read, for docs and detection.
pub const RESOURCE_TYPES: &[&str] = &[
    "aws_iam_role",
    "aws_iam_policy_document",
    "azurerm_federated_identity_credential",
    "azuread_application_federated_identity_credential",
    "google_iam_workload_identity_pool_provider",
    "google_service_account_iam_member",
    "google_service_account_iam_binding",
    "alicloud_ram_role",
];

/// Parses a `.tf` file and reads its trust resources. An HCL syntax error
/// is a located error.
pub fn read(text: &str, doc: DocId) -> Result<Trusts> {
    if text.len() > crate::doc::MAX_INPUT_BYTES {
        return Err(Diagnostic::at(
            format!("input is {} bytes; the limit is {} bytes", text.len(), crate::doc::MAX_INPUT_BYTES),
            Span::new(doc, 0, 0),
        ));
    }
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        let at = e.location().offset().min(text.len());
        Diagnostic::at(format!("HCL syntax error: {}", e.message()), Span::new(doc, at, at))
    })?;
    Ok(resources::read(&body, text, doc).finish())
}

/// Whether a `.tf` file holds a resource Keyless reads (for directory walks).
pub fn has_trust(text: &str) -> bool {
    read(text, DocId::File(0)).is_ok_and(|t| !t.units.is_empty() || !t.unknowns.is_empty())
}
