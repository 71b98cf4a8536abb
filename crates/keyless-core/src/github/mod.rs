//! The GitHub side: from a workflow and a simulated run to the token GitHub
//! would mint for each job. Architecture invariant: nothing here knows about
//! any cloud's trust configuration (only which login actions exist).

pub mod simulate;

pub use simulate::{simulate, JobRun, LoginStep, Simulation, Token};
