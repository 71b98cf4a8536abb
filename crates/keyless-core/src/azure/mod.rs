//! Microsoft Entra workload identity federation: the federated identity
//! credentials (FICs) of one app registration or user-assigned managed
//! identity, and the answer Entra's token endpoint gives a GitHub token.
//!
//! - [`credential`] reads the input forms (`az ... federated-credential list`,
//!   Microsoft Graph, ARM, Terraform-ish, the scenario's `azure:` section) and
//!   applies Entra's create-time validation (Z3, Z4).
//! - [`flexible`] parses `claimsMatchingExpression` (Z1, Z2).
//! - [`evaluate`] matches a token and picks Entra's error code (research
//!   cloud-trust-evaluation.md §2.2, §2.4).
//!
//! Sources are tagged as in research cloud-trust-evaluation.md §11 (Z1..Z11).

mod aadsts;
mod credential;
mod evaluate;
pub mod flexible;

#[cfg(test)]
mod tests;

use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Node};
use crate::span::{DocId, Span, Spanned};

pub use evaluate::evaluate;

/// The Azure section: the federated identity credentials of one app
/// registration or user-assigned managed identity.
#[derive(Clone, Debug, PartialEq)]
pub struct AzureConfig {
    pub credentials: Vec<FederatedCredential>,
    /// Warnings and notes found while reading (create-time rules Entra would
    /// enforce, ignored fields). Errors are returned by `from_node` instead.
    pub diagnostics: Vec<Diagnostic>,
}

/// A federated identity credential, classic (`subject`) or flexible
/// (`claimsMatchingExpression`).
#[derive(Clone, Debug, PartialEq)]
pub struct FederatedCredential {
    pub name: Option<Spanned<String>>,
    pub issuer: Spanned<String>,
    pub subject: Option<Spanned<String>>,
    pub audiences: Vec<Spanned<String>>,
    pub expression: Option<FlexibleExpression>,
    pub span: Span,
}

impl FederatedCredential {
    /// How traces and verdicts name the credential.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("`{}`", n.value),
            None => "(unnamed credential)".to_string(),
        }
    }
}

/// `claimsMatchingExpression` (language version 1).
#[derive(Clone, Debug, PartialEq)]
pub struct FlexibleExpression {
    pub text: Spanned<String>,
    pub language_version: Option<Spanned<String>>,
    /// The ` and `-joined terms.
    pub terms: Vec<Term>,
}

/// `claims['name'] matches|eq 'operand'`.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    pub claim: Spanned<String>,
    pub op: Spanned<MatchOp>,
    pub operand: Spanned<String>,
    pub span: Span,
}

impl Term {
    /// The term as FFL writes it.
    pub fn text(&self) -> String {
        format!(
            "claims['{}'] {} '{}'",
            self.claim.value,
            self.op.value.keyword(),
            self.operand.value.replace('\'', "''")
        )
    }
}

/// An FFL comparison operator (Z1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchOp {
    /// Exact, case-sensitive [inference, research §2.3] comparison.
    Eq,
    /// Wildcards: `*` any run of characters, `?` one character (Z1).
    Matches,
}

impl MatchOp {
    pub fn keyword(self) -> &'static str {
        match self {
            MatchOp::Eq => "eq",
            MatchOp::Matches => "matches",
        }
    }
}

impl AzureConfig {
    /// Reads any supported input form. Positions of flexible-expression
    /// errors inside a string are exact when the string is written
    /// verbatim ([`doc::Text`]), else they cover the whole string.
    pub fn from_node(node: &Node) -> Result<AzureConfig> {
        credential::read_config(node)
    }

    /// Parses JSON or YAML text.
    pub fn from_text(text: &str) -> Result<AzureConfig> {
        let node = doc::parse(text, DocId::Azure)?;
        credential::read_config(&node)
    }
}

/// Azure's parser and evaluator, for [`crate::clouds::Clouds`].
impl crate::cloud_module::TrustConfig for AzureConfig {
    fn notes(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

pub static MODULE: crate::cloud_module::CloudModule<AzureConfig> =
    crate::cloud_module::CloudModule { from_node: AzureConfig::from_node, from_text: AzureConfig::from_text, evaluate };
