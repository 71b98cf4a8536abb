//! Chainguard's octo-sts: a trust policy (`.github/chainguard/NAME.sts.yaml`)
//! judging a GitHub token at `/sts/exchange` (O2 `trust_policy.go`
//! `Compile` and `CheckToken`, `octosts.go`). Exact fields compare
//! byte for byte; every pattern is Go RE2 compiled as `"^" + pattern + "$"`
//! — so a top-level `a|b` is `^a|b$`, anchored on one side per alternative
//! (a finding says so). Patterns run on regex-lite (RE2 syntax, no
//! backtracking) within the size caps the CEL `matches` uses.

use crate::claims::{ClaimValue, Claims};
use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Node};
use crate::span::{DocId, Span, Spanned};
use crate::spelling::{check_keys, only_known_keys};
use crate::verdict::{Cloud, TraceStep, Verdict};
use regex_lite::Regex;

mod org;
pub use org::{IssuerAllowlist, Mode, ORG_POLICY_REPO, Scope};

/// The public instance's domain, the default audience (O3 action.yml `domain`).
pub const DEFAULT_DOMAIN: &str = "octo-sts.dev";

/// The compiled program and the text a pattern may run on, in bytes (the
/// budgets of `gcp::cel`'s `matches()`; octo-sts documents none).
const MAX_REGEX_PROGRAM_BYTES: usize = 16 * 1024;
const MAX_REGEX_TEXT_BYTES: usize = 16 * 1024;

/// The octo-sts section: one trust policy.
#[derive(Clone, Debug, PartialEq)]
pub struct OctoStsConfig {
    /// The policy's name (`identity` of the exchange), for messages.
    pub identity: String,
    /// The instance's domain: the audience when the policy names none.
    pub domain: String,
    pub issuer: Matcher,
    pub subject: Matcher,
    /// `None`: the token's `aud` must contain the domain.
    pub audience: Option<Matcher>,
    /// `claim_pattern`, in document order.
    pub claim_patterns: Vec<(Spanned<String>, Pattern)>,
    /// The exchange's `scope`, when given: organization or repository level.
    pub scope: Option<Scope>,
    /// The organization's `trusted-token-issuers.yaml`, when it has one
    /// (none: every issuer is permitted, O4).
    pub trusted_issuers: Option<IssuerAllowlist>,
    pub notes: Vec<Diagnostic>,
    pub span: Span,
}

/// An exact field or its `_pattern` form.
#[derive(Clone, Debug, PartialEq)]
pub enum Matcher {
    Exact(Spanned<String>),
    Pattern(Pattern),
}

/// A pattern as written, compiled anchored as octo-sts does.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub text: Spanned<String>,
    regex: Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.text == other.text
    }
}

impl Pattern {
    /// `^` + pattern + `$`, exactly as `Compile` builds it (O2).
    fn compile(text: Spanned<String>) -> std::result::Result<Pattern, String> {
        let regex = regex_lite::RegexBuilder::new(&format!("^{}$", text.value))
            .size_limit(MAX_REGEX_PROGRAM_BYTES)
            .nest_limit(64)
            .build()
            .map_err(|e| match e.to_string() {
                m if m.contains("size limit") => {
                    format!("the pattern compiles to more than {MAX_REGEX_PROGRAM_BYTES} bytes (Keyless's budget)")
                }
                m => m,
            })?;
        Ok(Pattern { text, regex })
    }

    fn matches(&self, s: &str) -> bool {
        s.len() <= MAX_REGEX_TEXT_BYTES && self.regex.is_match(s)
    }

    /// Whether the pattern has an alternation outside any group or class:
    /// `^a|b$` anchors `a` at the start only and `b` at the end only.
    pub fn top_level_alternation(&self) -> bool {
        let (mut depth, mut class, mut escaped) = (0i32, false, false);
        for c in self.text.value.chars() {
            match (escaped, class, c) {
                (true, _, _) => escaped = false,
                (false, _, '\\') => escaped = true,
                (false, true, ']') => class = false,
                (false, true, _) => {}
                (false, false, '[') => class = true,
                (false, false, '(') => depth += 1,
                (false, false, ')') => depth -= 1,
                (false, false, '|') if depth == 0 => return true,
                _ => {}
            }
        }
        false
    }
}

const SECTION_KEYS: &[&str] = &["identity", "domain", "policy", "scope", "trusted_issuers"];
/// `TrustPolicy` and `OrgTrustPolicy` fields (O2); octo-sts parses with
/// `yaml.UnmarshalStrict`, so any other key fails the policy.
const POLICY_KEYS: &[&str] = &[
    "issuer",
    "issuer_pattern",
    "subject",
    "subject_pattern",
    "audience",
    "audience_pattern",
    "claim_pattern",
    "permissions",
    "repositories",
];

impl OctoStsConfig {
    /// Reads the section: a trust policy as written in the repository, or
    /// `{identity, domain, policy, scope, trusted_issuers}`.
    pub fn from_node(node: &Node) -> Result<OctoStsConfig> {
        node.expect_map("the octo-sts section")?;
        let (identity, domain, policy) = if node.get("policy").is_some_and(|p| p.entries().is_some()) {
            only_known_keys(node, SECTION_KEYS, "the octo-sts section")?;
            let text = |k: &str| node.get(k).and_then(Node::scalar_text);
            (text("identity"), text("domain"), node.get("policy").unwrap_or(node))
        } else {
            (None, None, node)
        };
        let identity = identity.unwrap_or_else(|| "IDENTITY".into());
        let unusable = |what: &str, why: String, span: Span| {
            Diagnostic::at(format!("unable to {what} trust policy found for {identity:?}: {why}"), span)
        };
        let section = (!std::ptr::eq(policy, node)).then_some(node);
        let scope = match section.and_then(|s| s.get("scope")).filter(|n| !n.is_null()) {
            Some(n) => Some(Scope::parse(n.expect_scalar("`scope`")?)?),
            None => None,
        };
        let trusted_issuers = match section.and_then(|s| s.get("trusted_issuers")).filter(|n| !n.is_null()) {
            Some(n) => Some(IssuerAllowlist::parse(n)?),
            None => None,
        };
        // O4 `lookupInstallAndTrustPolicy`: only a policy read from the
        // organization's policy repository is an `OrgTrustPolicy`; a
        // repository's is a `TrustPolicy`, which `UnmarshalStrict` refuses
        // with `repositories`.
        if let (Some(s), Some(r)) =
            (&scope, policy.entries().and_then(|es| es.iter().find(|e| e.key.value == "repositories")))
            && !s.is_org_level()
        {
            return Err(unusable(
                "parse",
                format!(
                    "json: unknown field \"repositories\" (a repository-level policy, read from {}: only the organization's `{ORG_POLICY_REPO}` repository holds organization-level policies, which may list `repositories`)",
                    s.policy_path(&identity)
                ),
                r.key.span,
            ));
        }
        let mut errors = Vec::new();
        check_keys(policy, POLICY_KEYS, "the trust policy", &mut errors);
        if let Some(e) = errors.into_iter().next() {
            return Err(unusable("parse", e.message, e.span.unwrap_or(policy.span)));
        }
        let field = |k: &str| -> Result<Option<Spanned<String>>> {
            match policy.get(k).filter(|n| !n.is_null()) {
                Some(n) => Ok(Some(n.expect_scalar(&format!("`{k}`"))?).filter(|s| !s.value.is_empty())),
                None => Ok(None),
            }
        };
        // O2 `Compile`: exactly one of each pair for issuer and subject, at
        // most one for the audience; the messages are Compile's.
        let pair = |name: &str, required: bool| -> Result<Option<Matcher>> {
            let exact = field(name)?;
            let pattern = field(&format!("{name}_pattern"))?;
            match (exact, pattern) {
                (Some(e), Some(_)) => Err(unusable(
                    "compile",
                    format!("trust policy: only one of {name} or {name}_pattern can be set, got both"),
                    e.span,
                )),
                (None, None) if required => Err(unusable(
                    "compile",
                    format!("trust policy: one of {name} or {name}_pattern must be set, got neither"),
                    policy.span,
                )),
                (None, None) => Ok(None),
                (Some(e), None) => Ok(Some(Matcher::Exact(e))),
                (None, Some(p)) => {
                    let span = p.span;
                    Pattern::compile(p).map(|p| Some(Matcher::Pattern(p))).map_err(|e| unusable("compile", e, span))
                }
            }
        };
        let issuer = pair("issuer", true)?.unwrap_or(Matcher::Exact(Spanned::new(String::new(), policy.span)));
        let subject = pair("subject", true)?.unwrap_or(Matcher::Exact(Spanned::new(String::new(), policy.span)));
        let audience = pair("audience", false)?;
        let mut claim_patterns = Vec::new();
        if let Some(map) = policy.get("claim_pattern").filter(|n| !n.is_null()) {
            for e in map.expect_map("`claim_pattern`")? {
                let text = e.value.expect_scalar("a claim pattern")?;
                let span = text.span;
                let pattern = Pattern::compile(text).map_err(|why| {
                    unusable("compile", format!("error compiling claim_pattern[{:?}]: {why}", e.key.value), span)
                })?;
                claim_patterns.push((e.key.clone(), pattern));
            }
        }
        Ok(OctoStsConfig {
            identity,
            domain: domain.unwrap_or_else(|| DEFAULT_DOMAIN.into()),
            issuer,
            subject,
            audience,
            claim_patterns,
            scope,
            trusted_issuers,
            notes: Vec::new(),
            span: policy.span,
        })
    }

    /// Parses the text of the octo-sts editor / file (YAML or JSON).
    pub fn from_text(text: &str) -> Result<OctoStsConfig> {
        Self::from_node(&doc::parse(text, DocId::OctoSts)?)
    }
}

/// Go's `%q` of a string (the subset GitHub's claims need).
fn q(s: &str) -> String {
    format!("{s:?}")
}

/// The verdict octo-sts would give a token with these claims (O2
/// `CheckToken`); refusals are gRPC `PermissionDenied` with its message.
pub fn evaluate(config: &OctoStsConfig, claims: &Claims) -> Verdict {
    let mut trace = Vec::new();
    let deny = |trace: Vec<TraceStep>, message: String, decided_by: &str, span: Span| Verdict {
        cloud: Cloud::OctoSts,
        allowed: false,
        audience: claims.aud(),
        code: "PermissionDenied".into(),
        message,
        decided_by: decided_by.into(),
        decided_span: Some(span),
        trace,
    };
    if let Some(s) = &config.scope {
        trace.push(TraceStep::info(
            format!(
                "scope `{}`: {} policy, read from {} (O4)",
                s.repo.as_ref().map_or_else(|| s.owner.clone(), |r| format!("{}/{r}", s.owner)),
                if s.is_org_level() { "an organization-level" } else { "a repository-level" },
                s.policy_path(&config.identity)
            ),
            Some(s.span),
        ));
    }
    // O4: the organization's issuer allowlist, before the trust policy.
    let iss = claims.iss();
    match &config.trusted_issuers {
        None => trace.push(TraceStep::info(
            "no organization `trusted-token-issuers.yaml` given: octo-sts permits every issuer (\"No file means no restriction\", O4)",
            None,
        )),
        Some(list) => match (list.permits(&iss), list.mode) {
            (Some(org::Permit::Issuer(i)), _) => trace.push(TraceStep::pass(
                format!("the organization's allowlist permits the issuer `{iss}` (`issuers`, exact, O4)"),
                Some(i.span),
            )),
            (Some(org::Permit::Pattern(p)), _) => trace.push(TraceStep::pass(
                format!("the organization's allowlist permits the issuer `{iss}` (`issuer_patterns` `^(?:{})$`, O4)", p.value),
                Some(p.span),
            )),
            (None, Mode::Audit) => trace.push(TraceStep::info(
                format!("the organization's allowlist does not permit the issuer `{iss}`; `mode: audit` permits it and records it (O4)"),
                Some(list.span),
            )),
            (None, Mode::Enforce) => {
                let message = "issuer not permitted by organization policy".to_string();
                trace.push(TraceStep::fail(
                    format!("{message}: `{iss}` is in neither `issuers` nor `issuer_patterns`, checked before the trust policy (O4)"),
                    Some(list.span),
                ));
                return deny(trace, message, "trusted-token-issuers.yaml", list.span);
            }
        },
    }
    for (name, matcher, value) in [("issuer", &config.issuer, iss), ("subject", &config.subject, claims.sub())] {
        let (ok, message, span) = match matcher {
            Matcher::Exact(e) => {
                (e.value == value, format!("trust policy: {name} {} did not match {}", q(&value), q(&e.value)), e.span)
            }
            Matcher::Pattern(p) => (
                p.matches(&value),
                format!("trust policy: {name} {} did not match pattern {}", q(&value), q(&p.text.value)),
                p.text.span,
            ),
        };
        if !ok {
            trace.push(TraceStep::fail(format!("{message} (O2)"), Some(span)));
            return deny(trace, message, name, span);
        }
        trace.push(TraceStep::pass(format!("the token's {name} `{value}` matches (O2)"), Some(span)));
    }
    let aud = claims.aud();
    let auds = format!("[{}]", q(&aud));
    let (ok, message, span, what) = match &config.audience {
        Some(Matcher::Pattern(p)) => (
            p.matches(&aud),
            format!("trust policy: audience_pattern {} did not match any of {auds}", q(&p.text.value)),
            p.text.span,
            "audience_pattern",
        ),
        Some(Matcher::Exact(e)) => (
            e.value == aud,
            format!("trust policy: audience {} did not match any of {auds}", q(&e.value)),
            e.span,
            "audience",
        ),
        None => (
            aud == config.domain,
            format!("trust policy: audience {} did not match any of {auds}", q(&config.domain)),
            config.span,
            "audience (the domain)",
        ),
    };
    if !ok {
        trace.push(TraceStep::fail(format!("{message} (O2)"), Some(span)));
        return deny(trace, message, what, span);
    }
    trace.push(TraceStep::pass(format!("`aud` `{aud}` matches the policy's {what} (O2)"), Some(span)));
    for (claim, pattern) in &config.claim_patterns {
        let value = match claims.get(&claim.value) {
            None => {
                let m = format!("trust policy: expected claim {} not found in token", q(&claim.value));
                trace.push(TraceStep::fail(format!("{m} (O2)"), Some(claim.span)));
                return deny(trace, m, &format!("claim_pattern.{}", claim.value), claim.span);
            }
            // `iat`, `exp`, `nbf` are numbers: neither bool nor string (O2).
            Some(ClaimValue::Num(_)) => {
                let m = format!("trust policy: expected claim {} not a string", q(&claim.value));
                trace.push(TraceStep::fail(format!("{m} (O2)"), Some(claim.span)));
                return deny(trace, m, &format!("claim_pattern.{}", claim.value), claim.span);
            }
            Some(ClaimValue::Str(s)) => s,
        };
        if !pattern.matches(value) {
            let m = format!(
                "trust policy: claim {} did not match {}",
                q(&claim.value),
                q(&format!("^{}$", pattern.text.value))
            );
            trace.push(TraceStep::fail(format!("{m}: the token's is `{value}` (O2)"), Some(pattern.text.span)));
            return deny(trace, m, &format!("claim_pattern.{}", claim.value), pattern.text.span);
        }
        trace.push(TraceStep::pass(
            format!("`{}` `{value}` matches `^{}$` (O2)", claim.value, pattern.text.value),
            Some(pattern.text.span),
        ));
    }
    Verdict {
        cloud: Cloud::OctoSts,
        allowed: true,
        audience: aud,
        code: "allowed".into(),
        message: format!("octo-sts issues a GitHub App token under trust policy `{}`", config.identity),
        decided_by: "trust policy".into(),
        decided_span: Some(config.span),
        trace,
    }
}

impl crate::cloud_module::TrustConfig for OctoStsConfig {
    fn notes(&self) -> &[Diagnostic] {
        &self.notes
    }
}

/// octo-sts's parser and evaluator, for [`crate::clouds::Clouds`].
pub static MODULE: crate::cloud_module::CloudModule<OctoStsConfig> = crate::cloud_module::CloudModule {
    from_node: OctoStsConfig::from_node,
    from_text: OctoStsConfig::from_text,
    evaluate,
};

#[cfg(test)]
mod tests;
