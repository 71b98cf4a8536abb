//! Alibaba Cloud RAM `AssumeRoleWithOIDC`. PLACEHOLDER parse/eval (skeleton).

use crate::claims::Claims;
use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Node};
use crate::iam_policy::TrustPolicy;
use crate::span::{DocId, Span, Spanned};
use crate::verdict::{Cloud, Verdict};

/// The Alibaba section: the RAM role's trust policy and the OIDC IdP.
#[derive(Clone, Debug, PartialEq)]
pub struct AlibabaConfig {
    pub trust_policy: TrustPolicy,
    pub provider: Option<RamOidcProvider>,
}

/// A RAM OIDC identity provider.
#[derive(Clone, Debug, PartialEq)]
pub struct RamOidcProvider {
    /// `acs:ram::<uid>:oidc-provider/<name>`.
    pub arn: Option<Spanned<String>>,
    pub issuer_url: Option<Spanned<String>>,
    pub client_ids: Vec<Spanned<String>>,
    pub span: Span,
}

impl AlibabaConfig {
    pub fn from_node(node: &Node) -> Result<AlibabaConfig> {
        Err(Diagnostic::at("Alibaba parsing not implemented yet", node.span))
    }

    pub fn from_text(text: &str) -> Result<AlibabaConfig> {
        Self::from_node(&doc::parse(text, DocId::Alibaba)?)
    }
}

pub fn evaluate(_config: &AlibabaConfig, claims: &Claims) -> Verdict {
    let mut v = Verdict::no_token(Cloud::Alibaba, "not implemented");
    v.audience = claims.aud();
    v
}
