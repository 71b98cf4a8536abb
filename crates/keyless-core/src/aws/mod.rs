//! PLACEHOLDER (skeleton): replaced by the Aws evaluator.

use crate::claims::Claims;
use crate::diagnostic::Result;
use crate::doc::{self, Node};
use crate::span::DocId;
use crate::verdict::{Cloud, Verdict};

/// The Aws trust configuration, as parsed from what users paste.
#[derive(Clone, Debug, PartialEq)]
pub struct AwsConfig {
    pub source: Node,
}

impl AwsConfig {
    pub fn from_node(node: &Node) -> Result<AwsConfig> {
        Ok(AwsConfig { source: node.clone() })
    }

    /// Parses the text of the Aws editor / file (JSON or YAML).
    pub fn from_text(text: &str) -> Result<AwsConfig> {
        Self::from_node(&doc::parse(text, DocId::Aws)?)
    }
}

/// The verdict Aws would give for a token with these claims.
pub fn evaluate(_config: &AwsConfig, claims: &Claims) -> Verdict {
    let mut v = Verdict::no_token(Cloud::Aws, "not implemented");
    v.audience = claims.aud();
    v
}
