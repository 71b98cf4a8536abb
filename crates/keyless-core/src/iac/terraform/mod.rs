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

use super::{Trusts, Values};
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
    read_with(text, doc, &Values::new())
}

/// [`read`], with the values of some references given (a scenario's
/// `from:` reference, docs/terraform.md).
pub fn read_with(text: &str, doc: DocId, values: &Values) -> Result<Trusts> {
    if text.len() > crate::doc::MAX_INPUT_BYTES {
        return Err(Diagnostic::at(
            format!("input is {} bytes; the limit is {} bytes", text.len(), crate::doc::MAX_INPUT_BYTES),
            Span::new(doc, 0, 0),
        ));
    }
    check_nesting(text, doc)?;
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        // hcl-edit's offset is in bytes but may land inside a character
        // (found by fuzzing): the error starts at that character.
        let mut at = e.location().offset().min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        Diagnostic::at(format!("HCL syntax error: {}", e.message()), Span::new(doc, at, at))
    })?;
    Ok(resources::read(&body, text, doc, values).finish())
}

/// Brackets (`{`, `[`, `(`) open at once that a `.tf` file may have. The
/// HCL parser backtracks over unclosed nested expressions: its time grew
/// about 1.5× per level on a fuzzed input (9 ms at 21 levels, 4.5 s at 36;
/// fuzz/regressions/terraform/). Real configurations stay near ten (a
/// `jsonencode` trust policy inside a resource is eight), so the bound
/// costs them nothing and keeps every parse in milliseconds.
pub const MAX_NESTING: usize = 24;

/// A linear pre-scan: refuses, at the bracket that crosses it, a file that
/// nests deeper than [`MAX_NESTING`]. Brackets inside strings count too,
/// which can only refuse early, never let a deep file through.
fn check_nesting(text: &str, doc: DocId) -> Result<()> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Diagnostic::at(
                        format!(
                            "brackets nest deeper than {MAX_NESTING} levels here; Keyless reads Terraform files up to that depth (docs/limits.md)"
                        ),
                        Span::new(doc, i, i + 1),
                    ));
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Whether a `.tf` file holds a resource Keyless reads (for directory walks).
pub fn has_trust(text: &str) -> bool {
    read(text, DocId::File(0)).is_ok_and(|t| !t.units.is_empty() || !t.unknowns.is_empty())
}
