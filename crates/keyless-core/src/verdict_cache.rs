//! Verdicts reused from one evaluation to the next while a scenario is
//! edited (the playground re-evaluates on every keystroke).
//!
//! A cloud's verdict is a function of its configuration and the token's
//! claims only (`CloudModule::evaluate`), and most keystrokes change
//! neither: typing in a workflow's `run:` script changes no claim, and
//! jobs of one workflow share most tokens (the same `sub` for every job in
//! one environment). So the cache keeps, per cloud, the configuration its
//! verdicts were computed for and the verdict for each claims set seen;
//! a different configuration (any change, spans included, since verdicts
//! point into it) or a different set of linked evaluators empties that
//! cloud's entries. Measured on the large benchmark scenario (BENCHMARKS.md):
//! the clouds' part of a re-evaluation goes from most of its time to a few
//! lookups.

use crate::claims::Claims;
use crate::clouds::Clouds;
use crate::engine::{self, Report};
use crate::scenario::Scenario;
use crate::verdict::{Cloud, Verdict};

/// Entries per cloud before the cache starts over: bounds memory on
/// scenarios with very many distinct tokens (a lookup is a linear scan).
const MAX_ENTRIES: usize = 512;

macro_rules! cache_struct {
    ($($(#[$attr:meta])* $Variant:ident $key:ident $title:literal $Config:ident;)*) => {
        /// See the module documentation. `Default` is empty.
        #[derive(Default)]
        pub struct VerdictCache {
            $($(#[$attr])* $key: Entries<crate::$key::$Config>,)*
            /// Verdicts computed and reused since the cache was made.
            pub misses: usize,
            pub hits: usize,
        }

        impl VerdictCache {
            /// Empties the entries of each party whose configuration or
            /// evaluator changed.
            fn sync(&mut self, scenario: &Scenario, clouds: &Clouds) {
                $($(#[$attr])* self.$key.sync(&scenario.$key, clouds.$key.is_some());)*
            }

            fn get(&self, cloud: Cloud, claims: &Claims) -> Option<&Verdict> {
                match cloud {
                    $($(#[$attr])* Cloud::$Variant => self.$key.get(claims),)*
                }
            }

            fn put(&mut self, cloud: Cloud, claims: &Claims, verdict: &Verdict) {
                match cloud {
                    $($(#[$attr])* Cloud::$Variant => self.$key.put(claims, verdict),)*
                }
            }
        }
    };
}
crate::parties::for_each_party!(cache_struct);

struct Entries<C> {
    /// The configuration and whether its evaluator was linked when these
    /// verdicts were computed.
    key: Option<(Option<C>, bool)>,
    verdicts: Vec<(Claims, Verdict)>,
}

impl<C> Default for Entries<C> {
    fn default() -> Self {
        Entries { key: None, verdicts: Vec::new() }
    }
}

impl<C: Clone + PartialEq> Entries<C> {
    fn sync(&mut self, config: &Option<C>, linked: bool) {
        let same = self.key.as_ref().is_some_and(|(c, l)| c == config && *l == linked);
        if !same {
            self.key = Some((config.clone(), linked));
            self.verdicts.clear();
        }
    }

    fn get(&self, claims: &Claims) -> Option<&Verdict> {
        self.verdicts.iter().find(|(c, _)| c == claims).map(|(_, v)| v)
    }

    fn put(&mut self, claims: &Claims, verdict: &Verdict) {
        if self.verdicts.len() >= MAX_ENTRIES {
            self.verdicts.clear();
        }
        self.verdicts.push((claims.clone(), verdict.clone()));
    }
}

impl VerdictCache {
    /// The same report as [`engine::evaluate_with`], reusing the verdicts
    /// of earlier calls that still hold.
    pub fn evaluate(&mut self, scenario: &Scenario, clouds: &Clouds) -> Report {
        self.sync(scenario, clouds);
        engine::evaluate_using(scenario, &mut |cloud, claims| {
            if let Some(v) = self.get(cloud, claims) {
                let v = v.clone();
                self.hits += 1;
                return v;
            }
            self.misses += 1;
            let verdict = engine::evaluate_claims(scenario, cloud, claims, clouds);
            self.put(cloud, claims, &verdict);
            verdict
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::Fixture;
    use crate::testutil;

    /// Every case of both corpora, evaluated through one cache in turn (so entries
    /// of earlier cases are present, and must not leak into later ones),
    /// twice in a row: the report is the engine's, byte for byte.
    #[test]
    fn cached_reports_equal_the_engines() {
        let mut cache = VerdictCache::default();
        let mut cases = 0;
        for (_, text) in testutil::corpus(testutil::FIXTURES).iter().chain(&testutil::corpus(testutil::GITHUB)) {
            let Ok(fixture) = Fixture::parse(text) else { continue };
            for case in &fixture.cases {
                let Ok(scenario) = Scenario::from_node(&case.scenario) else { continue };
                let expected = engine::evaluate(&scenario);
                for _again in 0..2 {
                    assert_eq!(cache.evaluate(&scenario, &Clouds::ALL), expected, "{} / {}", fixture.id, case.name);
                }
                cases += 1;
            }
        }
        assert!(cases > 20, "fixtures not found");
        assert!(cache.hits > 0 && cache.misses > 0, "the second evaluation reuses verdicts");
    }

    /// The playground keeps the cache in a reactive memo, which needs
    /// `Send` values (behind a `Mutex`).
    #[test]
    fn the_cache_can_live_in_a_memo() {
        fn send<T: Send>() {}
        send::<VerdictCache>();
    }

    /// A cloud that is linked later (the playground loads them lazily)
    /// gets its verdicts then, not the "not configured" ones cached before.
    #[test]
    fn a_cloud_linked_later_is_evaluated() {
        let path = testutil::repo_root().join(testutil::FIXTURES).join("azure-environment.yaml");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let fixture = Fixture::parse(&text).ok();
        let scenario =
            fixture.as_ref().and_then(|f| f.cases.first()).and_then(|c| Scenario::from_node(&c.scenario).ok());
        assert!(scenario.is_some(), "fixture azure-environment missing or broken");
        let Some(scenario) = scenario else { return };
        let mut cache = VerdictCache::default();
        let without = Clouds { azure: None, ..Clouds::ALL };
        assert_eq!(cache.evaluate(&scenario, &without), engine::evaluate_with(&scenario, &without));
        assert_eq!(cache.evaluate(&scenario, &Clouds::ALL), engine::evaluate(&scenario));
    }
}
