//! The GitHub side: from a workflow and a simulated run to the token GitHub
//! would mint for each job. Architecture invariant: nothing here knows about
//! any cloud's trust configuration (only which login actions exist).

pub mod environment;
pub mod event;
pub mod expr;
pub mod facts;
pub mod filter_pattern;
pub mod fnmatch;
pub mod inputs;
pub mod login;
pub mod matrix;
pub mod permissions;
pub mod run;
pub mod simulate;
pub mod subject;
pub mod token;
pub mod workflow;

pub use facts::{WorkflowFacts, workflow_facts};
pub use run::Run;
pub use simulate::{JobRun, LoginStep, Simulation, Token, simulate};

#[cfg(test)]
mod tests;
