//! The four cloud evaluators as values, so that a host decides which ones
//! it links.
//!
//! The CLI, the tests and the analysis use [`Clouds::ALL`]. The playground
//! links AWS (its default preset's cloud) and loads each of the others from
//! a lazily fetched chunk of its wasm the first time a scenario configures
//! that cloud (crates/keyless-web `clouds`): a cloud's parser and evaluator
//! are reachable only through its [`CloudModule`], so code that never names
//! the module never links them. Each entry point with a `_with` suffix
//! ([`crate::Scenario::parse_with`], [`crate::draft::ScenarioDraft::build_with`],
//! [`crate::engine::evaluate_with`]) takes the set to use; the plain one uses
//! [`Clouds::ALL`].

pub use crate::cloud_module::CloudModule;
use crate::verdict::Cloud;
use crate::{alibaba, aws, azure, gcp};

/// The cloud evaluators a host has; `None` = not linked (or not loaded
/// yet). A scenario section for a cloud that is not here is not read: the
/// cloud gets no verdict, and the host says why.
#[derive(Clone, Copy)]
pub struct Clouds {
    pub aws: Option<&'static CloudModule<aws::AwsConfig>>,
    pub azure: Option<&'static CloudModule<azure::AzureConfig>>,
    pub gcp: Option<&'static CloudModule<gcp::GcpConfig>>,
    pub alibaba: Option<&'static CloudModule<alibaba::AlibabaConfig>>,
}

impl Clouds {
    /// Every cloud.
    pub const ALL: Clouds = Clouds {
        aws: Some(&aws::MODULE),
        azure: Some(&azure::MODULE),
        gcp: Some(&gcp::MODULE),
        alibaba: Some(&alibaba::MODULE),
    };

    /// No cloud: the GitHub side only.
    pub const NONE: Clouds = Clouds { aws: None, azure: None, gcp: None, alibaba: None };

    /// Whether this set can read and evaluate `cloud`.
    pub fn has(&self, cloud: Cloud) -> bool {
        match cloud {
            Cloud::Aws => self.aws.is_some(),
            Cloud::Azure => self.azure.is_some(),
            Cloud::Gcp => self.gcp.is_some(),
            Cloud::Alibaba => self.alibaba.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_has_every_cloud_and_none_has_none() {
        for c in Cloud::ALL {
            assert!(Clouds::ALL.has(c), "{c:?}");
            assert!(!Clouds::NONE.has(c), "{c:?}");
        }
    }
}
