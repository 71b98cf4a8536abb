//! The claims of one GitHub Actions OIDC token, in GitHub's value types:
//! every custom claim is a JSON string (ids and booleans included); only
//! `iat`, `nbf`, `exp` are numbers (research: github-oidc-tokens.md §1.4).

use serde::ser::{Serialize, SerializeMap, Serializer};
use std::cell::RefCell;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClaimValue {
    Str(String),
    Num(i64),
}

impl ClaimValue {
    /// The value as the clouds compare it (numbers in decimal).
    pub fn as_text(&self) -> String {
        match self {
            ClaimValue::Str(s) => s.clone(),
            ClaimValue::Num(n) => n.to_string(),
        }
    }
}

/// Claims in the order GitHub emits them. Lookups are exact: claim names are
/// case-sensitive JSON keys. Every read goes through a method that notes it
/// for [`reads_of`] (a method that sees every claim notes them all).
#[derive(Clone, Default, Eq)]
pub struct Claims(Vec<(String, ClaimValue)>);

impl PartialEq for Claims {
    fn eq(&self, other: &Claims) -> bool {
        note_all();
        self.0 == other.0
    }
}

impl std::fmt::Debug for Claims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        note_all();
        f.debug_tuple("Claims").field(&self.0).finish()
    }
}

/// The claims a computation read (see [`reads_of`]): a function of claims
/// alone gives the same result for any claims that agree on these.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClaimReads {
    /// It read (or could have read) every claim.
    All,
    /// It read these claims (present or absent), sorted.
    Names(Vec<String>),
}

impl ClaimReads {
    /// What `claims` holds of the claims read: equal keys mean claims that
    /// agree on every claim read (absent ones included).
    pub fn key_of(&self, claims: &Claims) -> Vec<(String, Option<ClaimValue>)> {
        match self {
            ClaimReads::All => claims.0.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect(),
            ClaimReads::Names(names) => names.iter().map(|n| (n.clone(), claims.lookup(n).cloned())).collect(),
        }
    }

    fn note(&mut self, name: &str) {
        if let ClaimReads::Names(names) = self
            && let Err(at) = names.binary_search_by(|n| n.as_str().cmp(name))
        {
            names.insert(at, name.to_string());
        }
    }
}

thread_local! {
    /// The reads of the innermost [`reads_of`] running on this thread.
    static READS: RefCell<Option<ClaimReads>> = const { RefCell::new(None) };
}

fn note(name: &str) {
    READS.with(|r| {
        if let Some(reads) = r.borrow_mut().as_mut() {
            reads.note(name);
        }
    });
}

fn note_all() {
    READS.with(|r| {
        if let Some(reads) = r.borrow_mut().as_mut() {
            *reads = ClaimReads::All;
        }
    });
}

/// Runs `f` and returns which claims it read, through any [`Claims`]: what
/// lets [`crate::verdict_cache`] reuse a verdict for every token that agrees
/// on the claims the cloud looked at (jobs of one run differ in `jti` and
/// `check_run_id`, which most configurations never read). A nested call's
/// reads count for the outer one too.
pub fn reads_of<T>(f: impl FnOnce() -> T) -> (T, ClaimReads) {
    let outer = READS.with(|r| r.borrow_mut().replace(ClaimReads::Names(Vec::new())));
    let out = f();
    let reads = READS.with(|r| r.borrow_mut().take()).unwrap_or(ClaimReads::All);
    if let Some(mut outer) = outer {
        match &reads {
            ClaimReads::All => outer = ClaimReads::All,
            ClaimReads::Names(names) => names.iter().for_each(|n| outer.note(n)),
        }
        READS.with(|r| *r.borrow_mut() = Some(outer));
    }
    (out, reads)
}

impl Claims {
    pub fn new() -> Claims {
        Claims(Vec::new())
    }

    /// Sets a string claim, replacing an earlier value in place.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.put(name, ClaimValue::Str(value.into()));
    }

    pub fn set_num(&mut self, name: &str, value: i64) {
        self.put(name, ClaimValue::Num(value));
    }

    fn put(&mut self, name: &str, value: ClaimValue) {
        match self.0.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name.to_string(), value)),
        }
    }

    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(k, _)| k != name);
    }

    pub fn get(&self, name: &str) -> Option<&ClaimValue> {
        note(name);
        self.lookup(name)
    }

    fn lookup(&self, name: &str) -> Option<&ClaimValue> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// A claim as text (what string comparisons in trust policies see).
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name).map(ClaimValue::as_text)
    }

    /// `sub`, or empty when absent (never absent in a minted token).
    pub fn sub(&self) -> String {
        self.text("sub").unwrap_or_default()
    }

    pub fn aud(&self) -> String {
        self.text("aud").unwrap_or_default()
    }

    pub fn iss(&self) -> String {
        self.text("iss").unwrap_or_default()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &ClaimValue)> {
        note_all();
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// A copy with `aud` replaced: each cloud's login step asks for its own
    /// audience, the rest of the token is the same.
    pub fn with_audience(&self, aud: &str) -> Claims {
        let mut c = self.clone();
        c.set("aud", aud);
        c
    }
}

/// The workflow filename in a `workflow_ref` / `job_workflow_ref` claim
/// (`OWNER/REPO/.github/workflows/FILE@REF`), as the registries extract it:
/// PyPI's `([^/]+\.(yml|yaml))(?=@)` (pypi/warehouse
/// `warehouse/oidc/models/github.py`) and crates.io's
/// `([^/]+\.(yml|yaml))(@.+)` (rust-lang/crates.io
/// `crates/crates_io_trustpub/src/github/workflows.rs`), searched from the
/// left: in the first `/`-separated segment that has one, the longest
/// prefix ending in `.yml` or `.yaml` (one character at least before the
/// dot) and followed by `@` — a filename may contain `@`. (The two differ
/// only for a ref that ends right after an `@`, which GitHub never mints.)
pub fn workflow_filename(job_workflow_ref: &str) -> Option<&str> {
    let mut start = 0;
    for segment in job_workflow_ref.split('/') {
        let longest = segment.char_indices().rev().filter(|(_, c)| *c == '@').map(|(i, _)| i).find(|&i| {
            let name = segment.get(..i).unwrap_or_default();
            (name.len() > 4 && name.ends_with(".yml")) || (name.len() > 5 && name.ends_with(".yaml"))
        });
        if let Some(end) = longest {
            return job_workflow_ref.get(start..start + end);
        }
        start += segment.len() + 1;
    }
    None
}

/// The name-only form of GitHub's immutable subject:
/// `repo:o@1/r@2:ref:refs/heads/main` → `repo:o/r:ref:refs/heads/main`
/// (research cloud-trust-evaluation.md §0, §9.5); `None` for any other
/// subject. Evaluators use it to explain why a pattern written for the old
/// form no longer matches.
pub fn name_only_subject(sub: &str) -> Option<String> {
    let rest = sub.strip_prefix("repo:")?;
    let (repo_part, tail) = rest.split_once(':').map_or((rest, None), |(r, t)| (r, Some(t)));
    let (owner, repo) = repo_part.split_once('/')?;
    let strip = |s: &str| {
        let (name, id) = s.split_once('@')?;
        (!name.is_empty() && !id.is_empty() && id.chars().all(|c| c.is_ascii_digit())).then(|| name.to_string())
    };
    let (owner, repo) = (strip(owner)?, strip(repo)?);
    Some(match tail {
        Some(t) => format!("repo:{owner}/{repo}:{t}"),
        None => format!("repo:{owner}/{repo}"),
    })
}

/// Why a `sub` pattern written for a branch or tag cannot match a job that
/// runs in an environment: GitHub puts `environment:NAME` in place of
/// `ref:…` (research cloud-trust-evaluation.md §1.8, §9.10). `None` unless
/// `sub` has the environment form and `pattern` the ref form.
pub fn environment_hint(pattern: &str, sub: &str) -> Option<String> {
    let (_, env) = sub.split_once(":environment:")?;
    let env = env.split(':').next().unwrap_or(env);
    pattern.contains(":ref:").then(|| {
        format!(
            "this job runs in environment `{env}`, so its sub has `environment:{env}` instead of `ref:…`: a value written for a branch or tag never matches it"
        )
    })
}

impl Serialize for Claims {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        note_all();
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            match v {
                ClaimValue::Str(t) => map.serialize_entry(k, t)?,
                ClaimValue::Num(n) => map.serialize_entry(k, n)?,
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`reads_of`] reports is what the verdict cache keys by: every
    /// claim looked up (absent ones too), or all of them when a computation
    /// sees the whole token; a nested computation's reads count outside.
    #[test]
    fn reads_are_the_claims_looked_at() {
        let mut c = Claims::new();
        c.set("sub", "repo:o/r:ref:refs/heads/main");
        c.set("jti", "1");
        let names = |v: &[&str]| ClaimReads::Names(v.iter().map(|s| s.to_string()).collect());
        let ((), reads) = reads_of(|| {
            let _ = c.sub();
            let _ = c.get("environment");
        });
        assert_eq!(reads, names(&["environment", "sub"]));
        let (_, reads) = reads_of(|| serde_json::to_string(&c));
        assert_eq!(reads, ClaimReads::All);
        let ((), outer) = reads_of(|| {
            let ((), inner) = reads_of(|| {
                let _ = c.iss();
            });
            assert_eq!(inner, names(&["iss"]));
            let _ = c.aud();
        });
        assert_eq!(outer, names(&["aud", "iss"]));
        // Tokens that differ only in a claim not read have one key.
        let mut other = c.clone();
        other.set("jti", "2");
        let sub_only = names(&["environment", "sub"]);
        assert_eq!(sub_only.key_of(&c), sub_only.key_of(&other));
        assert_ne!(ClaimReads::All.key_of(&c), ClaimReads::All.key_of(&other));
    }
}
