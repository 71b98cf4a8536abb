//! Terraform (`.tf`) input: the resources that hold a GitHub OIDC trust,
//! read into the same spanned [`Node`] trees the clouds' parsers take
//! (`aws::AwsConfig::from_node`, …), so every finding runs unchanged and
//! points at the `.tf` line.
//!
//! The parser is `hcl-edit` (crates.io, the `hcl-rs` project's lossless
//! parser): it keeps each expression's byte span in the file, which findings
//! need. `hcl-rs` deserialises into values and drops positions (it is built
//! on `hcl-edit` and converts its tree), so it cannot locate anything.
//!
//! Terraform is not evaluated. A value that depends on a variable, a local,
//! a data source, another resource, a function or an interpolation is
//! recorded as an [`Unknown`] at its location and never guessed; see
//! docs/terraform.md for what that does to findings.
//!
//! Resource arguments: the Terraform registry's pages for each resource
//! type (URLs in docs/terraform.md and crates/keyless-core/sources.md).

mod expr;
mod policy_document;
mod principal;
mod resources;
#[cfg(test)]
mod tests;

use crate::diagnostic::{Diagnostic, Result};
use crate::doc::Node;
use crate::span::{DocId, Span};
use crate::verdict::Cloud;

/// One trust configuration found in a `.tf` file.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// `aws_iam_role.deploy`, `data.aws_iam_policy_document.trust`.
    pub address: String,
    pub cloud: Cloud,
    /// The configuration as the cloud's `from_node` reads it, spans in the
    /// `.tf` file.
    pub node: Node,
    /// The resource block.
    pub span: Span,
}

/// A value Keyless cannot know without running Terraform.
#[derive(Clone, Debug, PartialEq)]
pub struct Unknown {
    /// The expression as written (`var.github_org`, `"repo:${var.org}/*"`).
    pub text: String,
    pub span: Span,
    /// What kind of expression it is, for the message.
    pub why: &'static str,
    /// Whether it is (part of) a principal: an unknown provider ARN is how
    /// nearly every Terraform trust policy names GitHub's provider, and it
    /// decides no condition, so findings about the conditions stand.
    pub principal: bool,
    /// Where findings would judge it: the value itself, or for a principal
    /// the whole `Principal` element.
    pub region: Span,
}

/// What a `.tf` file holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Terraform {
    pub units: Vec<Unit>,
    pub unknowns: Vec<Unknown>,
}

impl Terraform {
    /// Whether `span` touches a value Keyless cannot know (other than a
    /// principal): a finding or error there would judge the stand-in text,
    /// not the real value.
    pub fn depends_on_unknown(&self, span: Span) -> bool {
        let end = span.end.max(span.start + 1);
        self.unknowns.iter().any(|u| {
            if u.principal {
                // About the principal itself, not the statement holding it.
                u.region.start <= span.start && end <= u.region.end.max(u.region.start + 1)
            } else {
                u.region.start < end && span.start < u.region.end
            }
        })
    }
}

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
pub fn read(text: &str, doc: DocId) -> Result<Terraform> {
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
    let mut tf = resources::read(&body, text, doc);
    principal::stand_in(&mut tf);
    Ok(tf)
}

/// Whether a `.tf` file holds a resource Keyless reads (for directory walks).
pub fn has_trust(text: &str) -> bool {
    read(text, DocId::File(0)).is_ok_and(|t| !t.units.is_empty() || !t.unknowns.is_empty())
}
