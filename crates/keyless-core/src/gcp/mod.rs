//! Google Cloud workload identity federation. PLACEHOLDER parse/eval (skeleton).

pub mod cel;

use crate::claims::Claims;
use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Node};
use crate::span::{DocId, Span, Spanned};
use crate::verdict::{Cloud, Verdict};

/// The GCP section: one workload identity pool provider and the IAM members
/// (on a service account or resource) that should admit the federated
/// identity.
#[derive(Clone, Debug, PartialEq)]
pub struct GcpConfig {
    pub provider: WorkloadIdentityProvider,
    pub members: Vec<Member>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadIdentityProvider {
    /// `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<id>`.
    pub name: Option<Spanned<String>>,
    pub issuer_uri: Option<Spanned<String>>,
    pub allowed_audiences: Vec<Spanned<String>>,
    /// `google.subject` / `attribute.x` → CEL expression, in document order.
    pub attribute_mapping: Vec<(Spanned<String>, Spanned<String>)>,
    pub attribute_condition: Option<Spanned<String>>,
    pub disabled: bool,
    pub span: Span,
}

/// An IAM member such as `principalSet://iam.googleapis.com/…/attribute.repository/o/r`.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub text: Spanned<String>,
    /// The role of the binding it came from, when given as an IAM policy.
    pub role: Option<Spanned<String>>,
}

impl GcpConfig {
    pub fn from_node(node: &Node) -> Result<GcpConfig> {
        Err(Diagnostic::at("GCP parsing not implemented yet", node.span))
    }

    pub fn from_text(text: &str) -> Result<GcpConfig> {
        Self::from_node(&doc::parse(text, DocId::Gcp)?)
    }
}

pub fn evaluate(_config: &GcpConfig, claims: &Claims) -> Verdict {
    let mut v = Verdict::no_token(Cloud::Gcp, "not implemented");
    v.audience = claims.aud();
    v
}
