//! The token model of the GitHub side: the token of one job run
//! ([`Token`], [`JobRun`], [`LoginStep`]) and its claims: issuer, default
//! audience, deterministic placeholders for ids the scenario does not give,
//! and the claim order GitHub emits. Research github-oidc-tokens.md §1.4 (claims table), §4
//! (issuer, audience, lifetime), Appendix A1 (order of a real token).

use super::event::RunRef;
use super::run::Run;
use crate::claims::Claims;
use crate::span::Span;
use crate::verdict::Cloud;
use serde::Serialize;

/// The token of one job run, or why there is none.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Token {
    /// Whether GitHub mints a token for this job.
    pub issued: bool,
    /// Why no token was issued, in the login action's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The claims (empty when not issued).
    pub claims: Claims,
    /// Why `sub` (and other identity claims) have their form, e.g.
    /// "environment takes precedence over the branch".
    pub explanation: Vec<String>,
    /// The scenario's `environments:` entry whose rules decided whether the
    /// job may deploy, for highlighting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_span: Option<Span>,
}

/// A cloud login step found in the job, and the audience it asks for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoginStep {
    pub cloud: Cloud,
    /// `aws-actions/configure-aws-credentials@v4`, ...
    pub action: String,
    pub audience: String,
    /// Whether `audience` was set in `with:` (else the action's default).
    pub audience_explicit: bool,
    /// False when the audience depends on a value the scenario does not give
    /// (then `audience` says so and no cloud verdict is guessed).
    pub audience_known: bool,
    pub span: Option<Span>,
}

/// One job (one matrix combination) of the simulated run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobRun {
    /// The job id (`jobs.<id>`); for reusable workflows `caller/called`.
    pub job: String,
    pub name: Option<String>,
    pub matrix: Option<serde_json::Map<String, serde_json::Value>>,
    pub environment: Option<String>,
    pub token: Token,
    pub logins: Vec<LoginStep>,
    /// The job's key in the workflow (for hosts that highlight it; not part
    /// of the `keyless eval` JSON).
    #[serde(skip)]
    pub span: Option<Span>,
}

/// FNV-1a: a tiny stable hash for deterministic placeholders (no
/// randomness, no clock: the same scenario gives the same token).
pub fn stable_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    // splitmix64 finaliser: nearby seeds give unrelated-looking digits.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// `n` hex digits derived from `seed`.
pub fn hex_digits(seed: &str, n: usize) -> String {
    let mut out = String::new();
    let mut i: u64 = 0;
    while out.len() < n {
        out.push_str(&format!("{:016x}", stable_hash(&[seed, &i.to_string()])));
        i += 1;
    }
    out.chars().take(n).collect()
}

/// A decimal id (no leading zero) of `n` digits derived from `seed`.
pub fn decimal_id(seed: &str, n: usize) -> String {
    let mut out = String::new();
    let mut i: u64 = 0;
    while out.len() < n {
        out.push_str(&stable_hash(&[seed, &i.to_string()]).to_string());
        i += 1;
    }
    let digits: String = out.chars().take(n).collect();
    match digits.strip_prefix('0') {
        Some(rest) => format!("1{rest}"),
        None => digits,
    }
}

/// A UUIDv4-shaped `jti` derived from `seed` (real tokens carry a random
/// UUIDv4, D-REF; Keyless stays reproducible).
pub fn jti(seed: &str) -> String {
    let h = hex_digits(seed, 32);
    let part = |a: usize, b: usize| h.get(a..b).unwrap_or_default().to_string();
    format!("{}-{}-4{}-a{}-{}", part(0, 8), part(8, 12), part(13, 16), part(17, 20), part(20, 32))
}

/// `iss` (D-REF; research §4.1): GHES `https://HOST/_services/token`,
/// ghe.com `https://token.actions.SUB.ghe.com`, github.com; an enterprise
/// slug (GHEC unique issuer, `include_enterprise_slug`) is appended.
pub fn issuer(s: &Run) -> String {
    if let Some(host) = &s.issuer.ghes_host {
        return format!("https://{host}/_services/token");
    }
    match (&s.issuer.ghe_subdomain, &s.issuer.enterprise_slug) {
        // D-REF "Substituted values on GHE.com": routes naming the
        // enterprise use its subdomain ("…octocorp.ghe.com/octocorp").
        (Some(sub), Some(_)) => format!("https://token.actions.{sub}.ghe.com/{sub}"),
        (Some(sub), None) => format!("https://token.actions.{sub}.ghe.com"),
        (None, Some(slug)) => format!("https://token.actions.githubusercontent.com/{slug}"),
        (None, None) => "https://token.actions.githubusercontent.com".to_string(),
    }
}

/// The audience when no login step asks for one: the owner's URL (D-REF,
/// D-CON; GHES `https://HOST/<owner>`; ghe.com host is an inference, research §7).
pub fn default_audience(s: &Run) -> String {
    if let Some(host) = &s.issuer.ghes_host {
        return format!("https://{host}/{}", s.owner);
    }
    match &s.issuer.ghe_subdomain {
        Some(sub) => format!("https://{sub}.ghe.com/{}", s.owner),
        None => format!("https://github.com/{}", s.owner),
    }
}

/// Run-wide facts: the same for every job of the run.
#[derive(Clone, Debug)]
pub struct RunFacts {
    pub run_ref: RunRef,
    pub workflow_name: String,
    /// `owner/repo/<workflow path>@<ref>` (`@<sha>` when the ref is empty).
    pub workflow_ref: String,
    pub repository_id: String,
    pub repository_owner_id: String,
    pub actor_id: String,
    pub run_id: String,
    pub run_number: String,
    /// Claims that are placeholders, for the explanation.
    pub placeholders: Vec<&'static str>,
}

impl RunFacts {
    /// The run's facts; ids the scenario does not give become placeholders.
    pub fn new(s: &Run, workflow_name: Option<&str>) -> RunFacts {
        let repo = s.repository();
        let mut placeholders = Vec::new();
        let sha = match s.event.sha.clone().or_else(|| super::event::deployment_sha(s)) {
            Some(sha) => sha,
            None => {
                placeholders.push("sha");
                hex_digits(&format!("sha:{repo}:{}", s.event.name.value), 40)
            }
        };
        let run_ref = super::event::run_ref(s, &sha);
        let mut given = |v: &Option<String>, name: &'static str, digits: usize| match v {
            Some(v) => v.clone(),
            None => {
                placeholders.push(name);
                decimal_id(&format!("{name}:{repo}"), digits)
            }
        };
        let repository_id = given(&s.repository_id, "repository_id", 9);
        let repository_owner_id = given(&s.repository_owner_id, "repository_owner_id", 8);
        let actor_id = given(&s.event.actor_id, "actor_id", 8);
        placeholders.extend(["run_id", "run_number"]);
        // The `workflow` claim is `name:`, else the file path (D-REF).
        let workflow_name = workflow_name.map_or_else(|| s.workflow_path.clone(), str::to_string);
        let at = if run_ref.git_ref.is_empty() { run_ref.sha.clone() } else { run_ref.git_ref.clone() };
        RunFacts {
            workflow_ref: format!("{repo}/{}@{at}", s.workflow_path),
            run_id: decimal_id(&format!("run:{repo}:{}:{}", s.workflow_path, s.event.name.value), 11),
            run_number: "1".into(),
            run_ref,
            workflow_name,
            repository_id,
            repository_owner_id,
            actor_id,
            placeholders,
        }
    }
}

/// The claims' inputs that differ per job run (not [`super::facts::JobFacts`],
/// the workflow's static description of a job for the event picker).
#[derive(Clone, Debug)]
pub struct JobClaimFacts {
    pub environment: Option<String>,
    pub job_workflow_ref: String,
    pub job_workflow_sha: String,
    pub aud: String,
    /// `github-hosted` or `self-hosted` (D-REF `runner_environment`).
    pub runner_environment: String,
    /// Distinguishes runs (job key and matrix) for jti / check_run_id.
    pub seed: String,
}

/// All claims except `sub` (left empty in its place, filled by the
/// subject rules), in the order of a real token (Appendix A1).
pub fn base_claims(s: &Run, run: &RunFacts, job: &JobClaimFacts) -> Claims {
    let r = &run.run_ref;
    let mut c = Claims::new();
    let iat = s.options.issued_at;
    c.set("jti", jti(&format!("{}:{}:{}:{iat}", s.repository(), s.workflow_path, job.seed)));
    c.set("sub", "");
    c.set("aud", job.aud.clone());
    c.set("ref", r.git_ref.clone());
    c.set("sha", r.sha.clone());
    c.set("repository", s.repository());
    c.set("repository_owner", s.owner.clone());
    c.set("repository_owner_id", run.repository_owner_id.clone());
    c.set("run_id", run.run_id.clone());
    c.set("run_number", run.run_number.clone());
    c.set("run_attempt", "1");
    c.set("repository_visibility", s.visibility.as_str());
    c.set("repository_id", run.repository_id.clone());
    c.set("actor_id", run.actor_id.clone());
    c.set("actor", s.event.actor.clone());
    c.set("workflow", run.workflow_name.clone());
    c.set("head_ref", r.head_ref.clone());
    c.set("base_ref", r.base_ref.clone());
    c.set("event_name", s.event.name.value.clone());
    // A string, like every custom claim (research §1.4).
    c.set("ref_protected", if s.ref_protected { "true" } else { "false" });
    c.set("ref_type", r.ref_type);
    c.set("workflow_ref", run.workflow_ref.clone());
    c.set("workflow_sha", r.sha.clone());
    // environment / environment_node_id only when the job has one (D-REF; OBS haitch).
    if let Some(env) = &job.environment {
        c.set("environment", env.clone());
        c.set("environment_node_id", format!("EN_kwDO{}", hex_digits(&format!("env:{}:{env}", s.repository()), 14)));
    }
    c.set("job_workflow_ref", job.job_workflow_ref.clone());
    c.set("job_workflow_sha", job.job_workflow_sha.clone());
    c.set("runner_environment", job.runner_environment.clone());
    // Only when the repository belongs to an enterprise (D-REF).
    // A unique issuer names the enterprise the repository belongs to (D-REF
    // ghec example token: `iss …/octocat-inc`, `enterprise: octocat-inc`).
    let enterprise =
        s.enterprise.as_ref().or(if s.issuer.ghes_host.is_none() { s.issuer.enterprise_slug.as_ref() } else { None });
    if let Some(e) = enterprise {
        c.set("enterprise", e.clone());
    }
    if let Some(e) = &s.enterprise_id {
        c.set("enterprise_id", e.clone());
    }
    // fpt/ghec only (D-FEAT actions-OIDC-check-run-id-claim; CL-CRID).
    if s.issuer.ghes_host.is_none() {
        c.set("check_run_id", decimal_id(&format!("check:{}:{}", s.repository(), job.seed), 11));
    }
    // Custom properties: strings, only when the repository has a value (CL-PROP).
    for (k, v) in &s.repo_properties {
        c.set(&format!("repo_property_{k}"), v.clone());
    }
    c.set("iss", issuer(s));
    // Lifetime: nbf = iat - 600, exp = iat + 300 (research §4.3, every sample).
    c.set_num("nbf", iat - 600);
    c.set_num("exp", iat + 300);
    c.set_num("iat", iat);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    // Research §4.1 issuer table.
    #[test]
    fn issuers_and_default_audiences() {
        let mut s = Run::new("octo-org", "r");
        assert_eq!(issuer(&s), "https://token.actions.githubusercontent.com");
        assert_eq!(default_audience(&s), "https://github.com/octo-org");
        s.issuer.enterprise_slug = Some("octocat-inc".into());
        assert_eq!(issuer(&s), "https://token.actions.githubusercontent.com/octocat-inc");
        s.issuer.enterprise_slug = None;
        s.issuer.ghe_subdomain = Some("acme".into());
        assert_eq!(issuer(&s), "https://token.actions.acme.ghe.com");
        s.issuer.ghe_subdomain = None;
        s.issuer.ghes_host = Some("ghe.example.com".into());
        assert_eq!(issuer(&s), "https://ghe.example.com/_services/token");
        assert_eq!(default_audience(&s), "https://ghe.example.com/octo-org");
    }

    #[test]
    fn placeholders_are_deterministic_and_shaped() {
        let a = jti("x");
        assert_eq!(a, jti("x"));
        assert_ne!(a, jti("y"));
        assert_eq!(a.len(), 36);
        assert_eq!(a.chars().nth(14), Some('4'));
        assert_eq!(hex_digits("s", 40).len(), 40);
        let id = decimal_id("r", 9);
        assert_eq!(id.len(), 9);
        assert!(id.chars().all(|c| c.is_ascii_digit()) && !id.starts_with('0'));
    }

    // Research §1.4/§4.3: ids are strings; nbf/iat/exp numbers.
    #[test]
    fn value_types_and_lifetime() {
        let s = Run::new("o", "r");
        let run = RunFacts::new(&s, Some("CI"));
        let job = JobClaimFacts {
            environment: None,
            job_workflow_ref: run.workflow_ref.clone(),
            job_workflow_sha: run.run_ref.sha.clone(),
            aud: "a".into(),
            runner_environment: s.runner_environment.clone(),
            seed: "j".into(),
        };
        let c = base_claims(&s, &run, &job);
        let json = serde_json::to_value(&c).unwrap();
        for (k, v) in json.as_object().unwrap() {
            if ["iat", "nbf", "exp"].contains(&k.as_str()) {
                assert!(v.is_number(), "{k}");
            } else {
                assert!(v.is_string(), "{k}");
            }
        }
        assert_eq!(json["exp"].as_i64().unwrap() - json["iat"].as_i64().unwrap(), 300);
        assert_eq!(json["iat"].as_i64().unwrap() - json["nbf"].as_i64().unwrap(), 600);
        assert!(c.get("environment").is_none() && c.get("environment_node_id").is_none());
    }
}
