//! The interface every relying party implements: a parser for its section
//! of a scenario (or its editor's text) and an evaluator of a token's
//! claims against it.
//!
//! A leaf of the cloud layer: a cloud implements it without knowing the set
//! of clouds a host links ([`crate::clouds`]) or the scenario that holds its
//! configuration (tests/architecture.rs checks this). A new relying party is
//! a module with one `pub static MODULE: CloudModule<ItsConfig>`.

use crate::claims::Claims;
use crate::diagnostic::Result;
use crate::doc::Node;
use crate::verdict::Verdict;

/// One cloud's parser and evaluator.
pub struct CloudModule<C> {
    /// Reads the cloud's section of a scenario.
    pub from_node: fn(&Node) -> Result<C>,
    /// Reads the text of the cloud's editor (JSON or YAML).
    pub from_text: fn(&str) -> Result<C>,
    /// The verdict the cloud would give a token with these claims.
    pub evaluate: fn(&C, &Claims) -> Verdict,
}

/// What the engine reads from any party's parsed configuration, besides
/// its module's evaluator.
pub trait TrustConfig {
    /// Warnings and notes the parser attached (create-time rules the party
    /// would enforce, ignored fields): reported with every evaluation.
    fn notes(&self) -> &[crate::diagnostic::Diagnostic] {
        &[]
    }
}
