//! AWS IAM `sts:AssumeRoleWithWebIdentity`. PLACEHOLDER parse/eval (skeleton):
//! the model types below are the contract other modules build on.

use crate::claims::Claims;
use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Node};
use crate::iam_policy::TrustPolicy;
use crate::span::{DocId, Span, Spanned};
use crate::verdict::{Cloud, Verdict};

/// The AWS section: the role's trust policy and the account's IAM OIDC
/// provider(s).
#[derive(Clone, Debug, PartialEq)]
pub struct AwsConfig {
    pub trust_policy: TrustPolicy,
    /// Empty when not given: a provider is then assumed from the statement's
    /// `Principal.Federated` ARN, and the assumption is shown in the trace.
    pub providers: Vec<OidcProvider>,
}

/// An IAM OIDC identity provider.
#[derive(Clone, Debug, PartialEq)]
pub struct OidcProvider {
    /// As IAM stores it: host and path, no scheme
    /// (`token.actions.githubusercontent.com`).
    pub url: Spanned<String>,
    pub client_ids: Vec<Spanned<String>>,
    pub span: Span,
}

impl AwsConfig {
    pub fn from_node(node: &Node) -> Result<AwsConfig> {
        Err(Diagnostic::at("AWS parsing not implemented yet", node.span))
    }

    /// Parses the text of the AWS editor / file (JSON or YAML).
    pub fn from_text(text: &str) -> Result<AwsConfig> {
        Self::from_node(&doc::parse(text, DocId::Aws)?)
    }
}

/// The verdict AWS STS would give for a token with these claims.
pub fn evaluate(_config: &AwsConfig, claims: &Claims) -> Verdict {
    let mut v = Verdict::no_token(Cloud::Aws, "not implemented");
    v.audience = claims.aud();
    v
}
