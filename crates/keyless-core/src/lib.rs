//! Keyless core: simulate the OIDC token GitHub Actions mints for each job of
//! a workflow run, and the verdict each cloud's trust configuration gives it.
//!
//! Architecture invariant: this crate has no web or terminal dependencies and
//! builds for `wasm32-unknown-unknown`; the playground and the CLI are thin
//! layers over [`engine::evaluate`]. The GitHub side ([`github`]) never
//! imports a cloud, the set of clouds or the scenario (it takes a
//! [`github::Run`]); each cloud imports only the shared token model
//! ([`claims`]), the document tree ([`doc`]), the shared matchers ([`glob`],
//! [`iam_policy`], [`iam_condition`]), the [`cloud_module`] interface and
//! leaf helpers. `tests/architecture.rs` holds the layer table and fails on
//! any import across it (ARCHITECTURE.md, "Layers").

pub mod build_info;
pub mod calendar;
pub mod case;
pub mod claims;
pub mod cloud_module;
pub mod clouds;
pub mod diagnostic;
pub mod doc;
pub mod draft;
pub mod embed;
pub mod engine;
pub mod fixture;
pub mod github;
pub mod glob;
pub mod html;
#[cfg(any(feature = "terraform", feature = "cloudformation"))]
pub mod iac;
pub mod iam_condition;
pub mod iam_policy;
pub mod output;
pub mod parties;
pub mod scenario;
pub mod sources;
pub mod span;
pub mod spelling;
pub mod token;
pub mod verdict;
pub mod verdict_cache;

#[cfg(test)]
mod testutil;

pub mod alibaba;
pub mod analysis;
pub mod aws;
pub mod azure;
#[cfg(feature = "services")]
pub mod crates_io;
pub mod gcp;
#[cfg(feature = "services")]
pub mod npm;
#[cfg(feature = "services")]
pub mod octo_sts;
#[cfg(feature = "services")]
pub mod pypi;
#[cfg(feature = "services")]
pub mod vault;

pub use build_info::VERSION;
pub use claims::{ClaimValue, Claims};
pub use clouds::Clouds;
pub use diagnostic::{Diagnostic, Severity};
pub use engine::{Report, evaluate};
pub use scenario::Scenario;
pub use span::{DocId, Span, Spanned};
pub use verdict::{Cloud, TraceStep, Verdict};
