//! The token lab: read the token a job really got, check its times and its
//! signature, evaluate every configured cloud on its claims through the
//! engine's own path, and explain where it differs from the simulation.
//! Mint sample tokens for a simulated job.
//!
//! Pure like the rest of the core: text in, values out, located errors
//! ([`TokenError`]: segment and byte offset), budgets in bytes
//! ([`decode::MAX_TOKEN_BYTES`]) and the strict JSON parser's depth and
//! node limits. Signatures need the `crypto` feature (on by default).

pub mod base64url;
#[cfg(feature = "crypto")]
pub mod crypto;
pub mod decode;
pub mod diff;
pub mod jwks;
pub mod real;
pub mod times;
pub mod types;

pub use decode::{Form, Header, RealToken, Segment, TokenError, read};
