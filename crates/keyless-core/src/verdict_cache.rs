//! Verdicts reused from one evaluation to the next while a scenario is
//! edited (the playground re-evaluates on every keystroke), and from one
//! job to the next (the analysis judges thousands of runs whose tokens
//! differ only in claims the cloud never reads).
//!
//! A cloud's verdict is a function of its configuration and the token's
//! claims only (`CloudModule::evaluate`), and of those only the claims it
//! reads: an AWS policy reads `iss`, `aud` and the keys its conditions
//! name, never `jti` or `check_run_id`, which differ for every job. So the
//! cache keeps, per cloud, the configuration its verdicts were computed for
//! and each verdict under the claims its evaluation read
//! ([`crate::claims::reads_of`]); a token that agrees with an earlier one on those
//! gets the earlier verdict (the evaluation would read the same values and
//! take the same path). Most keystrokes change neither configuration nor
//! claims (typing in a workflow's `run:` script changes no claim), and the
//! jobs of a 256-combination matrix share a few `sub`s per what-if row. A
//! different configuration (any change, spans included, since verdicts
//! point into it) or a different set of linked evaluators empties that
//! cloud's entries. Measured on the large benchmark scenario (BENCHMARKS.md):
//! the clouds' part of a re-evaluation goes from most of its time to a few
//! lookups; on the inputs of docs/fuzzing.md finding 3 the analysis computes
//! 2,052 verdicts for 4,608 runs judged, and 8 for 33,792.

use crate::claims::{ClaimReads, ClaimValue, Claims};
use crate::clouds::Clouds;
use crate::engine::{self, Report};
use crate::github::JobRun;
use crate::scenario::Scenario;
use crate::verdict::{Cloud, Verdict};
use std::collections::HashMap;

/// Entries per cloud before the cache starts over: bounds memory on
/// scenarios with very many distinct tokens. The analysis of a full
/// 256-combination matrix (about 20 what-if rows of 256 runs) stays within
/// it; a lookup is a hash per distinct set of claims read.
const MAX_ENTRIES: usize = 4096;

/// Distinct sets of claims read per cloud before the cache starts over (a
/// configuration gives a handful: an evaluation that stops at the issuer
/// reads less than one that gets to the subject); bounds a lookup's work.
const MAX_READ_SETS: usize = 64;

macro_rules! cache_struct {
    ($($(#[$attr:meta])* $Variant:ident $key:ident $title:literal $Config:ident;)*) => {
        /// See the module documentation. `Default` is empty.
        #[derive(Default)]
        pub struct VerdictCache {
            $($(#[$attr])* $key: Entries<crate::$key::$Config>,)*
            /// Verdicts computed and reused since the cache was made.
            pub misses: usize,
            pub hits: usize,
            /// Computes every verdict (tests compare with and without reuse).
            #[cfg(test)]
            no_reuse: bool,
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

            fn put(&mut self, cloud: Cloud, claims: &Claims, reads: ClaimReads, verdict: &Verdict) {
                match cloud {
                    $($(#[$attr])* Cloud::$Variant => self.$key.put(claims, reads, verdict),)*
                }
            }
        }
    };
}
crate::parties::for_each_party!(cache_struct);

/// What a verdict was keyed by: the index of the claims it read in
/// `Entries::reads`, and their values in the token.
type Key = (usize, Vec<(String, Option<ClaimValue>)>);

struct Entries<C> {
    /// The configuration and whether its evaluator was linked when these
    /// verdicts were computed.
    key: Option<(Option<C>, bool)>,
    /// The distinct sets of claims the verdicts read, first seen first.
    reads: Vec<ClaimReads>,
    verdicts: HashMap<Key, Verdict>,
}

impl<C> Default for Entries<C> {
    fn default() -> Self {
        Entries { key: None, reads: Vec::new(), verdicts: HashMap::new() }
    }
}

impl<C: Clone + PartialEq> Entries<C> {
    fn sync(&mut self, config: &Option<C>, linked: bool) {
        let same = self.key.as_ref().is_some_and(|(c, l)| c == config && *l == linked);
        if !same {
            self.key = Some((config.clone(), linked));
            self.clear();
        }
    }

    fn clear(&mut self) {
        self.reads.clear();
        self.verdicts.clear();
    }

    fn get(&self, claims: &Claims) -> Option<&Verdict> {
        self.reads.iter().enumerate().find_map(|(i, reads)| self.verdicts.get(&(i, reads.key_of(claims))))
    }

    fn put(&mut self, claims: &Claims, reads: ClaimReads, verdict: &Verdict) {
        if self.verdicts.len() >= MAX_ENTRIES || (self.reads.len() >= MAX_READ_SETS && !self.reads.contains(&reads)) {
            self.clear();
        }
        let at = match self.reads.iter().position(|r| *r == reads) {
            Some(at) => at,
            None => {
                self.reads.push(reads);
                self.reads.len() - 1
            }
        };
        let key = self.reads.get(at).map(|r| r.key_of(claims)).unwrap_or_default();
        self.verdicts.insert((at, key), verdict.clone());
    }
}

impl VerdictCache {
    /// The same report as [`engine::evaluate_with`], reusing the verdicts
    /// of earlier calls that still hold.
    pub fn evaluate(&mut self, scenario: &Scenario, clouds: &Clouds) -> Report {
        self.sync(scenario, clouds);
        engine::evaluate_using(scenario, &mut |cloud, claims| self.verdict(scenario, cloud, claims, clouds))
    }

    /// The same verdict as [`engine::judge`] with only the evaluators in
    /// `clouds`, reusing earlier verdicts that still hold.
    pub fn judge(&mut self, scenario: &Scenario, cloud: Cloud, run: &JobRun, clouds: &Clouds) -> Verdict {
        self.sync(scenario, clouds);
        engine::judge_using(cloud, run, &mut |cloud, claims| self.verdict(scenario, cloud, claims, clouds))
    }

    /// A cache that computes every verdict, for tests that compare.
    #[cfg(test)]
    pub(crate) fn without_reuse() -> VerdictCache {
        VerdictCache { no_reuse: true, ..VerdictCache::default() }
    }

    fn verdict(&mut self, scenario: &Scenario, cloud: Cloud, claims: &Claims, clouds: &Clouds) -> Verdict {
        #[cfg(test)]
        let reuse = !self.no_reuse;
        #[cfg(not(test))]
        let reuse = true;
        if reuse && let Some(v) = self.get(cloud, claims) {
            let v = v.clone();
            self.hits += 1;
            return v;
        }
        self.misses += 1;
        let (verdict, reads) = crate::claims::reads_of(|| engine::evaluate_claims(scenario, cloud, claims, clouds));
        self.put(cloud, claims, reads, &verdict);
        verdict
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
