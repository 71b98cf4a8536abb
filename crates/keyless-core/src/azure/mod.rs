//! PLACEHOLDER (skeleton): replaced by the Azure evaluator.

use crate::claims::Claims;
use crate::diagnostic::Result;
use crate::doc::{self, Node};
use crate::span::DocId;
use crate::verdict::{Cloud, Verdict};

/// The Azure trust configuration, as parsed from what users paste.
#[derive(Clone, Debug, PartialEq)]
pub struct AzureConfig {
    pub source: Node,
}

impl AzureConfig {
    pub fn from_node(node: &Node) -> Result<AzureConfig> {
        Ok(AzureConfig { source: node.clone() })
    }

    /// Parses the text of the Azure editor / file (JSON or YAML).
    pub fn from_text(text: &str) -> Result<AzureConfig> {
        Self::from_node(&doc::parse(text, DocId::Azure)?)
    }
}

/// The verdict Azure would give for a token with these claims.
pub fn evaluate(_config: &AzureConfig, claims: &Claims) -> Verdict {
    let mut v = Verdict::no_token(Cloud::Azure, "not implemented");
    v.audience = claims.aud();
    v
}
