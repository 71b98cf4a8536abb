//! Entra's answer to one token: does any federated identity credential match,
//! and if none does, which AADSTS error Entra reports.
//!
//! - Classic credentials compare issuer, subject and audience exactly and
//!   case-sensitively (Z5: "The match ... is case-sensitive. These values
//!   must match exactly"; research §2.2).
//! - Flexible credentials compare issuer and audience the same way, then
//!   evaluate every term; all must hold (`and` is the only connective, Z1).
//!   `matches` is the shared wildcard [`Glob`] (`*` any run, `?` one character,
//!   Z1); case-sensitivity of `matches`/`eq` is not documented and is assumed
//!   like classic credentials [inference, research §2.3]. A claim the token
//!   lacks makes its term false (research §8: "expression false").
//! - There is no deny: any one matching credential admits the token (research
//!   §2.2 [inference from the model]).
//! - Error choice follows research §2.4: no credential at all → AADSTS70021;
//!   none with the token's issuer → AADSTS700211; issuer but no audience →
//!   AADSTS700212; issuer and audience but no subject → AADSTS7002138 if a
//!   classic subject matches ignoring case (Z6), else AADSTS7002131 when a
//!   flexible credential was among the candidates [inference from Z10: "returned
//!   when flexible FICs are involved"], else AADSTS700213.

use super::aadsts::{self, EntraError};
use super::{AzureConfig, FederatedCredential, MatchOp, Term};
use crate::claims::Claims;
use crate::glob::Glob;
use crate::span::Span;
use crate::verdict::{Cloud, TraceStep, Verdict};

/// The note Keyless attaches to failed `matches` terms that look like regexes.
pub const WILDCARD_NOT_REGEX: &str =
    "`matches` is a wildcard match (`*`, `?`), not a regex: `.*` requires a literal '.'";

/// One term's result.
struct TermResult<'a> {
    term: &'a Term,
    passed: bool,
    /// The claim as the token carries it.
    actual: Option<String>,
}

enum SubjectResult<'a> {
    Classic { passed: bool, case_only: bool },
    Flexible(Vec<TermResult<'a>>),
}

/// One credential checked against the token.
struct Checked<'a> {
    cred: &'a FederatedCredential,
    issuer: bool,
    audience: bool,
    subject: SubjectResult<'a>,
}

impl Checked<'_> {
    fn subject_passed(&self) -> bool {
        match &self.subject {
            SubjectResult::Classic { passed, .. } => *passed,
            SubjectResult::Flexible(terms) => terms.iter().all(|t| t.passed),
        }
    }

    fn matched(&self) -> bool {
        self.issuer && self.audience && self.subject_passed()
    }

    /// How close the subject (or expression) came, 0..=1, to pick the
    /// nearest miss.
    fn closeness(&self, sub: &str) -> f64 {
        match (&self.subject, &self.cred.subject) {
            (SubjectResult::Classic { case_only: true, .. }, _) => 1.0,
            (SubjectResult::Classic { .. }, Some(s)) => similarity(&s.value, sub),
            (SubjectResult::Classic { .. }, None) => 0.0,
            (SubjectResult::Flexible(terms), _) => {
                let passed = terms.iter().filter(|t| t.passed).count();
                passed as f64 / terms.len().max(1) as f64
            }
        }
    }
}

/// Shared prefix plus shared suffix over the longer length: cheap, bounded,
/// and good at "same subject, different tail".
fn similarity(a: &str, b: &str) -> f64 {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count();
    (prefix + suffix).min(longest) as f64 / longest as f64
}

fn check<'a>(cred: &'a FederatedCredential, claims: &Claims) -> Checked<'a> {
    let (iss, aud, sub) = (claims.iss(), claims.aud(), claims.sub());
    let subject = match &cred.expression {
        Some(expr) => SubjectResult::Flexible(
            expr.terms
                .iter()
                .map(|term| {
                    let actual = claims.text(&term.claim.value);
                    let passed = actual.as_deref().is_some_and(|v| match term.op.value {
                        MatchOp::Eq => v == term.operand.value,
                        MatchOp::Matches => Glob::new(&term.operand.value).matches(v),
                    });
                    TermResult { term, passed, actual }
                })
                .collect(),
        ),
        None => {
            let s = cred.subject.as_ref().map(|s| s.value.as_str()).unwrap_or_default();
            SubjectResult::Classic { passed: s == sub, case_only: s != sub && s.to_lowercase() == sub.to_lowercase() }
        }
    };
    Checked { cred, issuer: cred.issuer.value == iss, audience: cred.audiences.iter().any(|a| a.value == aud), subject }
}

/// Entra's verdict for one token against the credentials.
pub fn evaluate(config: &AzureConfig, claims: &Claims) -> Verdict {
    let (iss, aud, sub) = (claims.iss(), claims.aud(), claims.sub());
    let checked: Vec<Checked> = config.credentials.iter().map(|c| check(c, claims)).collect();
    let mut trace = Vec::new();
    for d in &config.diagnostics {
        let severity = d.severity.as_str();
        trace.push(TraceStep::info(format!("{severity} from reading the credentials: {}", d.message), d.span));
    }
    trace.push(TraceStep::info(format!("token: iss '{iss}', aud '{aud}', sub '{sub}'"), None));
    for c in &checked {
        trace_credential(c, &iss, &aud, &sub, &mut trace);
    }
    let allowed_by = checked.iter().find(|c| c.matched());
    let mut verdict = Verdict {
        cloud: Cloud::Azure,
        allowed: allowed_by.is_some(),
        audience: aud.clone(),
        code: "allowed".into(),
        message: String::new(),
        decided_by: String::new(),
        decided_span: None,
        trace,
    };
    if let Some(c) = allowed_by {
        verdict.message = format!("Entra issues an access token: federated credential {} matches", c.cred.label());
        (verdict.decided_by, verdict.decided_span) = describe(c.cred);
        verdict.trace.push(TraceStep::pass(
            format!(
                "{} matches issuer, audience and {}: token exchange succeeds",
                c.cred.label(),
                what_matched(c.cred)
            ),
            Some(c.cred.span),
        ));
        return verdict;
    }
    let (error, decided) = denial(&checked, &iss, &aud, &sub);
    if let Some(other) = subject_first_code(&checked).filter(|c| *c != error.code) {
        // Research §2.4 gives the codes, not the order of the audience and
        // subject checks: say when the other order gives the other code.
        verdict.trace.push(TraceStep::info(
            format!(
                "Entra's order of the audience and subject checks is not documented: Keyless checks the audience first ({}); checking the subject first would give {other}",
                error.code
            ),
            None,
        ));
    }
    if error.code == "AADSTS700213" && checked.iter().any(|c| c.cred.expression.is_some()) {
        // Z10 ties 7002131 to flexible credentials being "involved" without
        // saying which: say so when the broader reading changes the code.
        verdict.trace.push(TraceStep::info(
            "Entra answers AADSTS7002131 when flexible credentials are \"involved\" (research §2.4, Z10); which ones is not documented: Keyless counts flexible credentials with the token's issuer and audience (none here); counting every flexible credential of the application would give AADSTS7002131",
            None,
        ));
    }
    verdict.code = error.code.to_string();
    verdict.message = error.message;
    (verdict.decided_by, verdict.decided_span) = decided;
    verdict.trace.push(TraceStep::fail(
        format!("no federated credential matches: Entra answers {}", verdict.code),
        verdict.decided_span,
    ));
    verdict
}

/// The error Entra reports and the nearest miss it points at.
fn denial(checked: &[Checked], iss: &str, aud: &str, sub: &str) -> (EntraError, (String, Option<Span>)) {
    if checked.is_empty() {
        return (
            aadsts::no_credentials(iss, sub, aud),
            ("no federated identity credentials are configured".into(), None),
        );
    }
    let with_issuer: Vec<&Checked> = checked.iter().filter(|c| c.issuer).collect();
    if with_issuer.is_empty() {
        // Earliest of the closest issuers (max_by keeps the last maximum).
        let nearest = checked
            .iter()
            .rev()
            .max_by(|a, b| similarity(&a.cred.issuer.value, iss).total_cmp(&similarity(&b.cred.issuer.value, iss)));
        let decided = nearest.map_or((String::new(), None), |c| {
            (format!("{} issuer '{}'", c.cred.label(), c.cred.issuer.value), Some(c.cred.issuer.span))
        });
        return (aadsts::issuer(iss), decided);
    }
    let candidates: Vec<&Checked> = with_issuer.iter().copied().filter(|c| c.audience).collect();
    if candidates.is_empty() {
        let decided = with_issuer.first().map_or((String::new(), None), |c| {
            let audience = c.cred.audiences.first();
            (
                format!("{} audience '{}'", c.cred.label(), audience.map(|a| a.value.as_str()).unwrap_or_default()),
                audience.map(|a| a.span),
            )
        });
        return (aadsts::audience(aud), decided);
    }
    // Earliest of the closest: max_by keeps the last maximum, so reverse ties.
    let nearest = candidates.iter().rev().max_by(|a, b| a.closeness(sub).total_cmp(&b.closeness(sub))).copied();
    let decided = nearest.map_or((String::new(), None), near_miss);
    let case_only = candidates.iter().find(|c| matches!(c.subject, SubjectResult::Classic { case_only: true, .. }));
    if let Some(c) = case_only {
        return (aadsts::subject_case(sub), describe(c.cred));
    }
    if candidates.iter().any(|c| c.cred.expression.is_some()) {
        return (aadsts::subject_or_expression(sub), decided);
    }
    (aadsts::subject(sub), decided)
}

/// The code a subject-before-audience order would give, when only those two
/// checks failed among the credentials with the token's issuer: 700212 if a
/// credential's subject (or expression) holds but its audience does not, else
/// the subject code. `None` when the issuer check already decided.
fn subject_first_code(checked: &[Checked]) -> Option<&'static str> {
    let with_issuer: Vec<&Checked> = checked.iter().filter(|c| c.issuer).collect();
    if with_issuer.is_empty() || with_issuer.iter().any(|c| c.matched()) {
        return None;
    }
    if with_issuer.iter().any(|c| c.subject_passed()) {
        return Some("AADSTS700212");
    }
    if with_issuer.iter().any(|c| matches!(c.subject, SubjectResult::Classic { case_only: true, .. })) {
        return Some("AADSTS7002138");
    }
    if with_issuer.iter().any(|c| c.cred.expression.is_some()) {
        return Some("AADSTS7002131");
    }
    Some("AADSTS700213")
}

/// A near miss: the credential's subject, or its first failing term.
fn near_miss(c: &Checked) -> (String, Option<Span>) {
    match &c.subject {
        SubjectResult::Flexible(terms) => match terms.iter().find(|t| !t.passed) {
            Some(t) => (format!("{} term `{}`", c.cred.label(), t.term.text()), Some(t.term.span)),
            None => describe(c.cred),
        },
        SubjectResult::Classic { .. } => describe(c.cred),
    }
}

/// A credential quoted as written: its name and subject or expression.
fn describe(cred: &FederatedCredential) -> (String, Option<Span>) {
    match (&cred.expression, &cred.subject) {
        (Some(e), _) => (format!("{} claimsMatchingExpression \"{}\"", cred.label(), e.text.value), Some(e.text.span)),
        (None, Some(s)) => (format!("{} subject '{}'", cred.label(), s.value), Some(s.span)),
        (None, None) => (cred.label(), Some(cred.span)),
    }
}

fn what_matched(cred: &FederatedCredential) -> &'static str {
    if cred.expression.is_some() { "every expression term" } else { "subject" }
}

fn trace_credential(c: &Checked, iss: &str, aud: &str, sub: &str, trace: &mut Vec<TraceStep>) {
    let cred = c.cred;
    let kind = if cred.expression.is_some() { "flexible" } else { "classic" };
    trace.push(TraceStep::info(format!("credential {} ({kind})", cred.label()), Some(cred.span)));
    let issuer = &cred.issuer.value;
    if c.issuer {
        trace.push(TraceStep::pass(format!("issuer '{issuer}' equals the token's iss"), Some(cred.issuer.span)));
    } else {
        let hint = if issuer.trim_end_matches('/') == iss.trim_end_matches('/') {
            " (only a trailing '/' differs: Entra compares issuers exactly; GitHub's iss has no trailing slash, research github-oidc-tokens.md §4.1)"
        } else if issuer.eq_ignore_ascii_case(iss) {
            " (differs only in case: Entra compares exactly, Z5)"
        } else if issuer.trim() == iss {
            " (leading or trailing whitespace: Entra compares exactly, Z3)"
        } else {
            ""
        };
        trace.push(TraceStep::fail(
            format!("issuer '{issuer}' ≠ the token's iss '{iss}'{hint}"),
            Some(cred.issuer.span),
        ));
    }
    let audience_span = cred.audiences.first().map(|a| a.span);
    let audiences: Vec<&str> = cred.audiences.iter().map(|a| a.value.as_str()).collect();
    let audiences = audiences.join("', '");
    if c.audience {
        trace.push(TraceStep::pass(format!("audience '{audiences}' equals the token's aud"), audience_span));
    } else {
        let hint = if cred.audiences.iter().any(|a| a.value.eq_ignore_ascii_case(aud)) {
            "; only the case differs"
        } else {
            ""
        };
        trace.push(TraceStep::fail(
            format!("audience '{audiences}' ≠ the token's aud '{aud}' (exact, case-sensitive, Z5{hint})"),
            audience_span,
        ));
    }
    match &c.subject {
        SubjectResult::Classic { passed, case_only } => {
            let Some(s) = &cred.subject else { return };
            if *passed {
                trace.push(TraceStep::pass(format!("subject '{}' equals the token's sub", s.value), Some(s.span)));
            } else if *case_only {
                trace.push(TraceStep::fail(
                    format!("subject '{}' equals the token's sub '{sub}' only ignoring case; Entra compares case-sensitively since Aug 2024 (Z6)", s.value),
                    Some(s.span),
                ));
            } else {
                let hint = immutable_hint(&s.value, sub)
                    .or_else(|| crate::claims::environment_hint(&s.value, sub).map(|h| format!(" — {h}")))
                    .unwrap_or_default();
                trace.push(TraceStep::fail(
                    format!("subject '{}' ≠ the token's sub '{sub}' (exact match; classic credentials have no wildcards, Z3){hint}", s.value),
                    Some(s.span),
                ));
            }
        }
        SubjectResult::Flexible(terms) => {
            for t in terms {
                trace.push(trace_term(t));
            }
        }
    }
}

fn trace_term(t: &TermResult) -> TraceStep {
    let term = t.term;
    let text = term.text();
    let Some(actual) = &t.actual else {
        return TraceStep::fail(
            format!("{text}: the token has no `{}` claim, so the term is false", term.claim.value),
            Some(term.span),
        );
    };
    let claim = &term.claim.value;
    if t.passed {
        return TraceStep::pass(format!("{text}: {claim} '{actual}' {}", verb(term.op.value, true)), Some(term.span));
    }
    let mut line = format!("{text}: {claim} '{actual}' {}", verb(term.op.value, false));
    if term.op.value == MatchOp::Matches && super::credential::looks_like_regex(&term.operand.value) {
        line.push_str(" — ");
        line.push_str(WILDCARD_NOT_REGEX);
    } else if term.op.value == MatchOp::Eq
        && Glob::new(&term.operand.value).has_wildcard()
        && Glob::new(&term.operand.value).matches(actual)
    {
        line.push_str(" — `eq` is exact; `*` and `?` are wildcards only with `matches` (Z1)");
    } else if let Some(hint) = immutable_hint(&term.operand.value, actual).filter(|_| claim == "sub") {
        line.push_str(&hint);
    } else if let Some(hint) = crate::claims::environment_hint(&term.operand.value, actual).filter(|_| claim == "sub") {
        line.push_str(" — ");
        line.push_str(&hint);
    } else if actual.to_lowercase() == term.operand.value.to_lowercase() {
        line.push_str(" — differs only in case; Keyless assumes FFL compares case-sensitively like classic credentials [inference, research §2.3]");
    }
    TraceStep::fail(line, Some(term.span))
}

fn verb(op: MatchOp, passed: bool) -> &'static str {
    match (op, passed) {
        (MatchOp::Eq, true) => "is equal",
        (MatchOp::Eq, false) => "is not equal",
        (MatchOp::Matches, true) => "matches the wildcard pattern",
        (MatchOp::Matches, false) => "does not match the wildcard pattern",
    }
}

/// GitHub's immutable subject (`repo:owner@id/repo@id:...`, research §0, §9.5)
/// breaks credentials written for the name-only form: say so when removing
/// the `@id` parts would have made them match.
fn immutable_hint(pattern: &str, sub: &str) -> Option<String> {
    let by_name = crate::claims::name_only_subject(sub)?;
    (Glob::new(pattern).matches(&by_name)).then(|| {
        " — the token uses GitHub's immutable subject (`owner@id/repo@id`, research §0); the credential was written for the name-only form".to_string()
    })
}
