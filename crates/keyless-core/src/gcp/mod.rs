//! PLACEHOLDER (skeleton): replaced by the Gcp evaluator.

use crate::claims::Claims;
use crate::diagnostic::Result;
use crate::doc::{self, Node};
use crate::span::DocId;
use crate::verdict::{Cloud, Verdict};

/// The Gcp trust configuration, as parsed from what users paste.
#[derive(Clone, Debug, PartialEq)]
pub struct GcpConfig {
    pub source: Node,
}

impl GcpConfig {
    pub fn from_node(node: &Node) -> Result<GcpConfig> {
        Ok(GcpConfig { source: node.clone() })
    }

    /// Parses the text of the Gcp editor / file (JSON or YAML).
    pub fn from_text(text: &str) -> Result<GcpConfig> {
        Self::from_node(&doc::parse(text, DocId::Gcp)?)
    }
}

/// The verdict Gcp would give for a token with these claims.
pub fn evaluate(_config: &GcpConfig, claims: &Claims) -> Verdict {
    let mut v = Verdict::no_token(Cloud::Gcp, "not implemented");
    v.audience = claims.aud();
    v
}
