//! Microsoft Entra workload identity federation. PLACEHOLDER parse/eval (skeleton).

use crate::claims::Claims;
use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Node};
use crate::span::{DocId, Span, Spanned};
use crate::verdict::{Cloud, Verdict};

/// The Azure section: the federated identity credentials of one app
/// registration or user-assigned managed identity.
#[derive(Clone, Debug, PartialEq)]
pub struct AzureConfig {
    pub credentials: Vec<FederatedCredential>,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchOp {
    Eq,
    Matches,
}

impl AzureConfig {
    pub fn from_node(node: &Node) -> Result<AzureConfig> {
        Err(Diagnostic::at("Azure parsing not implemented yet", node.span))
    }

    pub fn from_text(text: &str) -> Result<AzureConfig> {
        Self::from_node(&doc::parse(text, DocId::Azure)?)
    }
}

pub fn evaluate(_config: &AzureConfig, claims: &Claims) -> Verdict {
    let mut v = Verdict::no_token(Cloud::Azure, "not implemented");
    v.audience = claims.aud();
    v
}
