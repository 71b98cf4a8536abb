//! PLACEHOLDER (skeleton): replaced by the Alibaba evaluator.

use crate::claims::Claims;
use crate::diagnostic::Result;
use crate::doc::{self, Node};
use crate::span::DocId;
use crate::verdict::{Cloud, Verdict};

/// The Alibaba trust configuration, as parsed from what users paste.
#[derive(Clone, Debug, PartialEq)]
pub struct AlibabaConfig {
    pub source: Node,
}

impl AlibabaConfig {
    pub fn from_node(node: &Node) -> Result<AlibabaConfig> {
        Ok(AlibabaConfig { source: node.clone() })
    }

    /// Parses the text of the Alibaba editor / file (JSON or YAML).
    pub fn from_text(text: &str) -> Result<AlibabaConfig> {
        Self::from_node(&doc::parse(text, DocId::Alibaba)?)
    }
}

/// The verdict Alibaba would give for a token with these claims.
pub fn evaluate(_config: &AlibabaConfig, claims: &Claims) -> Verdict {
    let mut v = Verdict::no_token(Cloud::Alibaba, "not implemented");
    v.audience = claims.aud();
    v
}
