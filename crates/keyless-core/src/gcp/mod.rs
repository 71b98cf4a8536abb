//! Google Cloud workload identity federation: the STS token exchange
//! against a workload identity pool provider (audience, attribute mapping,
//! attribute condition, all CEL), then IAM member matching on the service
//! account or resource. Research: cloud-trust-evaluation.md §3.

pub mod cel;
mod evaluate;
pub mod members;
mod provider;

pub use evaluate::evaluate;
pub use members::{MemberKind, PrincipalRef};

use crate::diagnostic::Result;
use crate::doc::{self, Node, Text};
use crate::span::{DocId, Span, Spanned};

/// The GCP section: one workload identity pool provider and the IAM members
/// (on a service account or resource) that should admit the federated
/// identity.
#[derive(Clone, Debug, PartialEq)]
pub struct GcpConfig {
    pub provider: WorkloadIdentityProvider,
    pub members: Vec<Member>,
    /// False when the input gave only a provider: the verdict then covers
    /// the STS exchange alone, and the trace says so.
    pub members_given: bool,
    /// How the federated identity reaches the resource (P3 README): via a
    /// service account it impersonates, or by direct resource access.
    pub access: AccessRoute,
}

/// The two authorization routes of google-github-actions/auth (P3 README).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AccessRoute {
    /// The members come from a service account's IAM policy; only roles that
    /// carry `iam.serviceAccounts.getAccessToken` count.
    #[default]
    ServiceAccount,
    /// The members come from the target resource's IAM policy; any role counts.
    Direct,
}

/// A workload identity pool provider, as `gcloud iam workload-identity-pools
/// providers describe --format=json` prints it (P1 field names).
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadIdentityProvider {
    /// `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<id>`.
    pub name: Option<Spanned<String>>,
    pub issuer_uri: Option<Spanned<String>>,
    pub allowed_audiences: Vec<Spanned<String>>,
    /// `google.subject` / `attribute.x` → CEL expression, in document
    /// order. Expressions are [`Text`]s: their errors point inside them.
    pub attribute_mapping: Vec<(Spanned<String>, Text)>,
    pub attribute_condition: Option<Text>,
    pub disabled: bool,
    /// `state` (`ACTIVE`, `DELETED`), when given.
    pub state: Option<Spanned<String>>,
    pub span: Span,
}

/// An IAM member such as `principalSet://iam.googleapis.com/…/attribute.repository/o/r`.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub text: Spanned<String>,
    /// The role of the binding it came from, when given as an IAM policy.
    pub role: Option<Spanned<String>>,
    /// The binding's IAM condition expression, when it has one (not
    /// evaluated by Keyless; the trace says so).
    pub condition: Option<Spanned<String>>,
}

impl GcpConfig {
    /// Reads the GCP section: `{provider, members | policy, access}`, or a
    /// bare provider (`gcloud … providers describe` output).
    pub fn from_node(node: &Node) -> Result<GcpConfig> {
        provider::config_from_node(node)
    }

    /// Parses the text of the GCP editor / file (JSON or YAML).
    pub fn from_text(text: &str) -> Result<GcpConfig> {
        Self::from_node(&doc::parse(text, DocId::Gcp)?)
    }
}

/// Google Cloud's parser and evaluator, for [`crate::clouds::Clouds`].
/// GCP's parser attaches no notes.
impl crate::cloud_module::TrustConfig for GcpConfig {}

pub static MODULE: crate::cloud_module::CloudModule<GcpConfig> =
    crate::cloud_module::CloudModule { from_node: GcpConfig::from_node, from_text: GcpConfig::from_text, evaluate };

#[cfg(test)]
mod tests;
