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

macro_rules! clouds_set {
    ($($(#[$attr:meta])* $Variant:ident $key:ident $title:literal $Config:ident;)*) => {
        /// The cloud evaluators a host has; `None` = not linked (or not loaded
        /// yet). A scenario section for a cloud that is not here is not read: the
        /// cloud gets no verdict, and the host says why. One field per party
        /// ([`crate::parties`]).
        #[derive(Clone, Copy)]
        pub struct Clouds {
            $($(#[$attr])* pub $key: Option<&'static CloudModule<crate::$key::$Config>>,)*
        }

        impl Clouds {
            /// Every cloud.
            pub const ALL: Clouds = Clouds { $($(#[$attr])* $key: Some(&crate::$key::MODULE),)* };

            /// No cloud: the GitHub side only.
            pub const NONE: Clouds = Clouds { $($(#[$attr])* $key: None,)* };

            /// Whether this set can read and evaluate `cloud`.
            pub fn has(&self, cloud: Cloud) -> bool {
                match cloud {
                    $($(#[$attr])* Cloud::$Variant => self.$key.is_some(),)*
                }
            }
        }
    };
}
crate::parties::for_each_party!(clouds_set);

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
