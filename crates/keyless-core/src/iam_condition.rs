//! The one IAM condition engine, shared by AWS trust policies and Alibaba RAM
//! trust policies (research cloud-trust-evaluation.md §1.4–§1.6, §4, §8:
//! RAM is "assumed AWS-like"). Each cloud supplies the request context (which
//! keys exist and their values) and whether a statement's Principal/Action
//! apply; this module does operators, values, absent keys and the
//! Deny-wins / implicit-deny combination. Keys whose value Keyless cannot
//! know (the runner's address, the time of the call: the hosts' global-key
//! tables) make conditions *unknown*, and a decision they could change
//! [`Decision::Undetermined`] (see [`evaluate_policy`]).

mod given;
mod typed;

pub use given::GivenContext;

use crate::glob::{Glob, Token};
use crate::iam_policy::{BaseOperator, Condition, Effect, SetQualifier, Statement, TrustPolicy};
use crate::span::Span;
use crate::verdict::{Cloud, TraceStep, Verdict};

/// What the request context holds for one condition key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContextLookup {
    /// Empty means the key is absent from the request context (unless
    /// `unknowable` says Keyless cannot know).
    pub values: Vec<String>,
    /// Why the key has these values (or none), for the trace.
    pub note: Option<String>,
    /// Set when the real request carries a value (or may carry the key)
    /// that Keyless cannot know: conditions on it are then *unknown*.
    pub unknowable: Option<Unknowable>,
}

/// A request-context key whose value (and perhaps presence) Keyless cannot
/// know: the runner's IP, the time of the call...
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknowable {
    /// The vendor documents the key as always in this request, so only its
    /// value is unknown (`Null` on it is still decided).
    pub always_present: bool,
    /// What the value is, in words: "the runner's address".
    pub what: String,
}

/// The key an unknown condition depends on, for the verdict's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownDependency {
    /// The key as written in the policy.
    pub key: String,
    /// What its value is, in words.
    pub what: String,
}

impl ContextLookup {
    /// A present single-valued key.
    pub fn single(value: impl Into<String>) -> ContextLookup {
        ContextLookup { values: vec![value.into()], note: None, unknowable: None }
    }

    /// An absent key, with the reason.
    pub fn absent(why: impl Into<String>) -> ContextLookup {
        ContextLookup { values: Vec::new(), note: Some(why.into()), unknowable: None }
    }

    /// A key Keyless cannot know: `what` names the value ("the runner's
    /// address"), `why` cites the source of the rule.
    pub fn unknowable(what: impl Into<String>, always_present: bool, why: impl Into<String>) -> ContextLookup {
        ContextLookup {
            values: Vec::new(),
            note: Some(why.into()),
            unknowable: Some(Unknowable { always_present, what: what.into() }),
        }
    }
}

/// The cloud's side of an evaluation.
pub trait PolicyHost {
    /// The context value(s) of a condition key (key names are
    /// case-insensitive: A4; the host does the folding).
    fn lookup(&self, key: &str) -> ContextLookup;

    /// Whether a statement's Principal / NotPrincipal and Action / NotAction
    /// cover this request.
    fn applies(&self, statement: &Statement, label: &str) -> Applicability;
}

/// Whether one statement applies, with the trace of why.
#[derive(Clone, Debug, Default)]
pub struct Applicability {
    /// Principal and Action both cover the request.
    pub applies: bool,
    /// The checks made, in order.
    pub steps: Vec<TraceStep>,
    /// When it does not apply: the reason and where it is written.
    pub reason: Option<(String, Option<Span>)>,
}

/// Which string syntax values use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueSyntax {
    /// Policy variables `${key}` and the escapes `${*}`, `${?}`, `${$}`:
    /// only under `"Version": "2012-10-17"`; otherwise literal text (A5, A6).
    pub variables: bool,
}

/// The outcome of one condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionResult {
    /// Whether the condition holds (false when `unknown` is set).
    pub matched: bool,
    /// Set when the outcome depends on a value Keyless cannot know: the
    /// condition is then neither true nor false.
    pub unknown: Option<UnknownDependency>,
    /// `StringLike k = "v" did not match "x"`: the condition as written and
    /// what the request held.
    pub text: String,
    /// Side remarks (absent key reasons, unresolved variables...).
    pub notes: Vec<String>,
}

/// One character of a resolved policy value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece {
    /// Written in the policy: `*` and `?` are wildcards for StringLike.
    Written(char),
    /// From an escape or a substituted variable: always literal.
    Literal(char),
}

/// Why a policy value could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Unresolved {
    /// A variable with no value (A5: the value matches nothing).
    NoValue(String),
    /// A variable whose value Keyless cannot know.
    Unknown(UnknownDependency),
}

/// A policy value ready to compare.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Resolved<'a> {
    /// Nothing to substitute (no `${`, or no policy variables in this
    /// syntax): every character is as written. The common case, compared
    /// without copying.
    Written(&'a str),
    /// With escapes or substituted variables.
    Pieces(Vec<Piece>),
}

impl Resolved<'_> {
    fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Resolved::Written(s) => std::borrow::Cow::Borrowed(s),
            Resolved::Pieces(pieces) => std::borrow::Cow::Owned(text_of(pieces)),
        }
    }

    fn glob(&self) -> Glob {
        match self {
            // Every character written: `Glob::new`'s reading (`*`, `?`
            // wildcards) is `glob_of`'s for `Piece::Written`.
            Resolved::Written(s) => Glob::new(s),
            Resolved::Pieces(pieces) => glob_of(pieces),
        }
    }
}

/// Resolves `${…}` in a policy value.
fn resolve<'a>(raw: &'a str, host: &dyn PolicyHost, syntax: ValueSyntax) -> Result<Resolved<'a>, Unresolved> {
    if !syntax.variables || !raw.contains("${") {
        return Ok(Resolved::Written(raw));
    }
    let mut out = Vec::new();
    let mut rest = raw;
    while !rest.is_empty() {
        let next_var = if syntax.variables { rest.find("${") } else { None };
        let Some(start) = next_var else {
            out.extend(rest.chars().map(Piece::Written));
            break;
        };
        out.extend(rest.get(..start).unwrap_or_default().chars().map(Piece::Written));
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(close) = after.find('}') else {
            // No closing brace: not a variable, plain text.
            out.extend(rest.get(start..).unwrap_or_default().chars().map(Piece::Written));
            break;
        };
        let inner = after.get(..close).unwrap_or_default();
        rest = after.get(close + 1..).unwrap_or_default();
        match inner {
            // A5 #policy-vars-specialchars: `${*}`, `${?}`, `${$}` are the
            // literal characters.
            "*" | "?" | "$" => out.extend(inner.chars().map(Piece::Literal)),
            _ => {
                // A5: `${key, 'default'}` gives a default when the key has no value.
                let (key, default) = match inner.split_once(',') {
                    Some((k, d)) => (k.trim(), Some(d.trim().trim_matches('\'').to_string())),
                    None => (inner.trim(), None),
                };
                let found = host.lookup(key);
                if let Some(u) = found.unknowable {
                    return Err(Unresolved::Unknown(UnknownDependency { key: key.to_string(), what: u.what }));
                }
                match found.values.as_slice() {
                    [one] => out.extend(one.chars().map(Piece::Literal)),
                    // A5: multivalued keys cannot be used as variables.
                    _ => match default {
                        Some(d) => out.extend(d.chars().map(Piece::Literal)),
                        None => return Err(Unresolved::NoValue(key.to_string())),
                    },
                }
            }
        }
    }
    Ok(Resolved::Pieces(out))
}

fn text_of(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Written(c) | Piece::Literal(c) => *c,
        })
        .collect()
}

/// The glob of a StringLike value: written `*`/`?` are wildcards, escaped
/// and substituted characters are literal (the shared [`Glob`]).
fn glob_of(pieces: &[Piece]) -> Glob {
    Glob::from_tokens(
        pieces
            .iter()
            .map(|p| match p {
                Piece::Written('*') => Token::AnyRun,
                Piece::Written('?') => Token::AnyOne,
                Piece::Written(c) | Piece::Literal(c) => Token::Literal(*c),
            })
            .collect(),
    )
}

/// Whether one policy value matches one request value under the positive
/// form of the operator. `None`: the operator is not evaluated by Keyless.
fn positive_match(base: &BaseOperator, value: &Resolved, request: &str) -> Option<bool> {
    Some(match base {
        // A1: exact and case-sensitive; `*` is literal.
        BaseOperator::StringEquals | BaseOperator::StringNotEquals => value.text() == request,
        BaseOperator::StringEqualsIgnoreCase | BaseOperator::StringNotEqualsIgnoreCase => {
            crate::case::eq_ignore_case(&value.text(), request)
        }
        // A1: case-sensitive glob, `*` crosses `:` and `/`.
        BaseOperator::StringLike | BaseOperator::StringNotLike => value.glob().matches(request),
        BaseOperator::Bool => value.text().eq_ignore_ascii_case(request),
        BaseOperator::Null => return None,
        BaseOperator::Other(name) => {
            let policy = value.text();
            return match name.as_str() {
                "IpAddress" | "NotIpAddress" => typed::ip_in_range(&policy, request),
                n if n.starts_with("Date") => typed::date_compare(n, &policy, request),
                n => numeric(n, &policy, request),
            };
        }
    })
}

/// Numeric operators compare numbers (A1); a value that is not a number
/// does not match. ARN and binary operators are not modelled.
fn numeric(name: &str, policy: &str, request: &str) -> Option<bool> {
    let op = name.strip_prefix("Numeric")?;
    let (Ok(p), Ok(r)) = (policy.trim().parse::<f64>(), request.trim().parse::<f64>()) else {
        return Some(false);
    };
    Some(match op {
        "Equals" | "NotEquals" => r == p,
        "LessThan" => r < p,
        "LessThanEquals" => r <= p,
        "GreaterThan" => r > p,
        "GreaterThanEquals" => r >= p,
        _ => return None,
    })
}

/// The parts joined, in one allocation of the right size: the trace's
/// texts are built for every statement and condition of every evaluation,
/// and `format!` would grow them piecemeal.
pub(crate) fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// `"a"` for one value, `["a", "b"]` for any other number.
fn quote_values<S: AsRef<str>>(values: &[S]) -> String {
    let mut out = String::new();
    push_quoted_values(&mut out, values);
    out
}

fn push_quoted_values<S: AsRef<str>>(out: &mut String, values: &[S]) {
    let quoted = |out: &mut String, v: &S| {
        out.push('"');
        out.push_str(v.as_ref());
        out.push('"');
    };
    match values {
        [one] => quoted(out, one),
        many => {
            out.push('[');
            for (i, v) in many.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                quoted(out, v);
            }
            out.push(']');
        }
    }
}

/// Evaluates one condition (one operator, one key, its values).
pub fn evaluate_condition(c: &Condition, host: &dyn PolicyHost, syntax: ValueSyntax) -> ConditionResult {
    let op = &c.operator.value;
    let written: Vec<&str> = c.values.iter().map(|v| v.value.as_str()).collect();
    let mut found = host.lookup(&c.key.value);
    // `{operator} {key} = {values}`, written in place, with room for what
    // the result's text appends (the request's values and a clause), so
    // that text is one allocation.
    let quoted = |values: &mut dyn Iterator<Item = usize>| values.map(|n| n + 4).sum::<usize>();
    let mut desc = String::with_capacity(
        128 + c.key.value.len()
            + quoted(&mut written.iter().map(|v| v.len()))
            + quoted(&mut found.values.iter().map(String::len)),
    );
    op.write_name(&mut desc);
    desc.push(' ');
    desc.push_str(&c.key.value);
    desc.push_str(" = ");
    push_quoted_values(&mut desc, &written);
    let mut notes: Vec<String> = found.note.take().into_iter().collect();
    // A key that is always present with an unknown value still decides
    // `Null`; everything else on an unknowable key is unknown.
    if let Some(u) = found.unknowable.as_ref().filter(|u| !(u.always_present && op.base == BaseOperator::Null)) {
        return unknown_result(&desc, &c.key.value, &u.what, notes);
    }
    let absent = found.values.is_empty() && found.unknowable.is_none();
    if c.values.is_empty() && op.base != BaseOperator::Null {
        // IAM Access Analyzer's "Empty array condition" warnings (policy
        // validation check reference,
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html):
        // with no values a positive operator matches nothing; ForAllValues and
        // IfExists then hold only when the key is absent.
        notes.push(
            "the condition lists no values: it matches nothing, so only an absent key (with ForAllValues or IfExists) or a negated operator can satisfy it (AWS Access Analyzer warns: \"Empty array condition\")".into(),
        );
    }

    // A3: Null "true" means the key is absent; "false" that it is present.
    // No policy variables in Null values.
    if op.base == BaseOperator::Null {
        let matched = written.iter().any(|v| v.eq_ignore_ascii_case("true") == absent);
        let state = if absent { "absent" } else { "present" };
        return ConditionResult { matched, unknown: None, text: format!("{desc}: the key is {state}"), notes };
    }

    if absent {
        // A1/A3, A14 (research §1.6): IfExists → true; ForAnyValue → false;
        // ForAllValues → true; otherwise positive → false, negated → true.
        let (matched, why) = if op.if_exists {
            if op.set == Some(SetQualifier::ForAnyValue) {
                // AWS documents IfExists ("If the key is not present, evaluate
                // the condition element as true", A1) but not its combination
                // with ForAnyValue; the iam-simulate reference (research §10,
                // https://iam.cloudcopilot.io/resources/operators/ForAnyValue:BoolIfExists)
                // reads ForAnyValue as ignoring IfExists, which gives false.
                notes.push("AWS does not document ForAnyValue combined with IfExists: Keyless applies IfExists (true); one independent simulator (iam-simulate) gives false here".into());
            }
            (true, "…IfExists is true for an absent key")
        } else {
            match op.set {
                Some(SetQualifier::ForAnyValue) => (false, "ForAnyValue is false for an absent key"),
                Some(SetQualifier::ForAllValues) => {
                    (true, "ForAllValues is true for an absent key, so a missing or misspelled key satisfies it")
                }
                None if op.base.is_negated() => (true, "a negated operator is true for an absent key"),
                None => (false, "a positive operator is false for an absent key"),
            }
        };
        return ConditionResult {
            matched,
            unknown: None,
            text: concat(&[&desc, ": key absent from the request context, ", why]),
            notes,
        };
    }

    if let Some(set) = op.set.filter(|_| found.values.iter().all(String::is_empty)) {
        // A3: "If the key values in the request resolve to an empty data set
        // (for example, an empty string), a condition operator modified by
        // ForAllValues returns true, and ... ForAnyValue returns false."
        let matched = set == SetQualifier::ForAllValues;
        let why = if matched {
            "ForAllValues is true for an empty data set (A3: \"for example, an empty string\")"
        } else {
            "ForAnyValue is false for an empty data set (A3: \"for example, an empty string\")"
        };
        notes.push(format!(
            "{} is an empty string: AWS treats it as an empty data set under set operators (A3)",
            c.key.value
        ));
        return ConditionResult {
            matched,
            unknown: None,
            text: format!("{desc}: the request value is empty, {why}"),
            notes,
        };
    }
    if op.set.is_some() && found.values.len() == 1 {
        // A3: AWS advises against set operators on single-valued keys.
        notes.push(format!(
            "{} is a single-valued key: AWS advises against ForAnyValue/ForAllValues here (A3)",
            c.key.value
        ));
    }
    // A1: policy variables work with the String, Bool and ARN operators;
    // "You can not use a policy variable with the Numeric condition operator"
    // (nor Date, Binary, IP address): there `${…}` stays text.
    let syntax = match &op.base {
        BaseOperator::Other(name) if !name.starts_with("Arn") => {
            if syntax.variables && written.iter().any(|v| v.contains("${")) {
                notes.push(format!(
                    "AWS does not substitute policy variables in {} conditions (A1: \"You can not use a policy variable with the Numeric condition operator\"; likewise Date, Binary and IP address): `${{…}}` is compared as text",
                    op.base.name()
                ));
            }
            ValueSyntax { variables: false }
        }
        BaseOperator::Bool => {
            if syntax.variables && written.iter().any(|v| v.contains("${")) {
                notes.push("AWS's pages disagree on policy variables in Bool conditions (the condition operators page: \"You can use a policy variable with the Boolean condition operator\"; the policy variables page lists Boolean among the operators that take none): Keyless substitutes them".into());
            }
            syntax
        }
        _ => syntax,
    };
    let resolved: Vec<Result<Resolved, Unresolved>> = written.iter().map(|v| resolve(v, host, syntax)).collect();
    if let Some(Err(Unresolved::Unknown(dep))) = resolved.iter().find(|r| matches!(r, Err(Unresolved::Unknown(_)))) {
        return unknown_result(&desc, &dep.key, &dep.what, notes);
    }
    for r in &resolved {
        if let Err(Unresolved::NoValue(name)) = r {
            // A5 #policy-vars-no-value: a variable without a value makes the
            // positive operators not match and the negated ones match: the
            // value matches nothing.
            notes.push(format!(
                "policy variable ${{{name}}} has no value in the request: that value matches nothing (A5)"
            ));
        }
    }
    let mut unsupported = false;
    let mut matches_request = |r: &str| {
        resolved.iter().any(|p| match p {
            Ok(value) => match positive_match(&op.base, value, r) {
                Some(m) => m,
                None => {
                    unsupported = true;
                    false
                }
            },
            Err(_) => false,
        })
    };
    let per_value: Vec<bool> = found.values.iter().map(|r| matches_request(r)).collect();
    if unsupported {
        notes
            .push(format!("Keyless does not evaluate `{}`: the condition is treated as not satisfied", op.base.name()));
        return ConditionResult { matched: false, unknown: None, text: format!("{desc}: not evaluated"), notes };
    }
    let negated = op.base.is_negated();
    // A2/A3: values are ORed (NOR for negated operators); ForAnyValue needs
    // one request value, ForAllValues every request value, to satisfy it.
    let satisfied = |m: bool| if negated { !m } else { m };
    let matched = match op.set {
        Some(SetQualifier::ForAllValues) => per_value.iter().all(|m| satisfied(*m)),
        Some(SetQualifier::ForAnyValue) => per_value.iter().any(|m| satisfied(*m)),
        None if negated => !per_value.iter().any(|m| *m),
        None => per_value.iter().any(|m| *m),
    };
    if !matched && !negated && op.set.is_none() {
        // Research §0, §9.5: GitHub's immutable `sub` breaks patterns written
        // for `repo:owner/name`; say so when the name-only form would match.
        let name_only_matches = found.values.iter().filter_map(|v| crate::claims::name_only_subject(v)).any(|v| {
            resolved.iter().any(|p| p.as_ref().is_ok_and(|value| positive_match(&op.base, value, &v) == Some(true)))
        });
        let env_hint =
            found.values.iter().find_map(|v| written.iter().find_map(|w| crate::claims::environment_hint(w, v)));
        notes.extend(env_hint);
        if name_only_matches {
            notes.push("the token uses GitHub's immutable subject (`owner@id/repo@id`); this value was written for the name-only form `repo:owner/repo`, which the token no longer carries".into());
        }
    }
    // `{desc} matched "v"` and the like, appended to `desc`.
    let (before, after) = match (negated, matched) {
        (false, true) => (" matched ", ""),
        (false, false) => (" did not match ", ""),
        (true, true) => (" holds: ", " matches none of the values"),
        (true, false) => (" does not hold: ", " matches a listed value"),
    };
    let mut text = desc;
    text.push_str(before);
    push_quoted_values(&mut text, &found.values);
    text.push_str(after);
    ConditionResult { matched, unknown: None, text, notes }
}

/// A condition that depends on a value Keyless cannot know.
fn unknown_result(desc: &str, key: &str, what: &str, notes: Vec<String>) -> ConditionResult {
    ConditionResult {
        matched: false,
        unknown: Some(UnknownDependency { key: key.to_string(), what: what.to_string() }),
        text: format!("{desc}: depends on `{key}`, which Keyless cannot know ({what})"),
        notes,
    }
}

/// How a policy decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// An applicable Deny statement whose conditions all held (A1 family:
    /// explicit Deny wins).
    ExplicitDeny,
    /// No applicable Allow statement whose conditions all held.
    ImplicitDeny,
    /// The outcome depends on a value Keyless cannot know: an Allow holds
    /// only under an unknown condition (and none holds outright), or a Deny
    /// might apply to a request an Allow admits. `PolicyOutcome::unknown`
    /// names the keys.
    Undetermined,
}

/// The decision, what decided it, and the full trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyOutcome {
    pub decision: Decision,
    /// The deciding statement or condition, quoted as written.
    pub decided_by: String,
    /// Where it is written.
    pub decided_span: Option<Span>,
    /// Every statement and condition with pass/fail.
    pub trace: Vec<TraceStep>,
    /// For [`Decision::Undetermined`]: the keys the decision waits on (no
    /// repeats, in policy order); empty otherwise.
    pub unknown: Vec<UnknownDependency>,
}

/// `Statement[0] (Sid "GitHub")`.
pub fn statement_label(index: usize, st: &Statement) -> String {
    match &st.sid {
        Some(sid) if !sid.value.is_empty() => format!("Statement[{index}] (Sid \"{}\")", sid.value),
        _ => format!("Statement[{index}]"),
    }
}

/// A statement whose conditions hold only under values Keyless cannot know.
struct Undecided {
    label: String,
    first: (String, Span),
    keys: Vec<UnknownDependency>,
}

fn push_unique(into: &mut Vec<UnknownDependency>, from: &[UnknownDependency]) {
    for d in from {
        if !into.iter().any(|k| k.key.eq_ignore_ascii_case(&d.key)) {
            into.push(d.clone());
        }
    }
}

/// Evaluates every statement (none is skipped, so the trace is complete):
/// explicit Deny wins, else one Allow is needed, else implicit deny (A2,
/// research §1.5).
///
/// Conditions are three-valued: one that depends on a value Keyless cannot
/// know is unknown. A statement is false if any condition is false (the
/// unknown cannot save it), unknown if none is false and one is unknown.
/// The request is denied for sure when a Deny holds outright, or when no
/// Allow can hold; it is allowed for sure when an Allow holds outright and
/// no Deny can hold; anything else is [`Decision::Undetermined`].
pub fn evaluate_policy(policy: &TrustPolicy, host: &dyn PolicyHost, syntax: ValueSyntax) -> PolicyOutcome {
    // Each statement's checks, its conditions, their notes and its summary.
    let mut trace = Vec::with_capacity(policy.statements.iter().map(|s| 4 + 2 * s.conditions.len()).sum::<usize>() + 2);
    let mut deny: Option<(String, Span)> = None;
    let mut allow: Option<(String, Span)> = None;
    let mut maybe_deny: Vec<Undecided> = Vec::new();
    let mut maybe_allow: Vec<Undecided> = Vec::new();
    let mut first_failed: Option<(String, Span)> = None;
    let mut first_not_applicable: Option<(String, Option<Span>)> = None;
    for (i, st) in policy.statements.iter().enumerate() {
        let label = statement_label(i, st);
        let effect = match st.effect.value {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        };
        let app = host.applies(st, &label);
        trace.extend(app.steps);
        if !app.applies {
            let (why, span) = app.reason.unwrap_or_else(|| ("it does not apply to this request".into(), Some(st.span)));
            trace.push(TraceStep::info(concat(&[&label, " (", effect, ") does not apply: ", &why]), Some(st.span)));
            if first_not_applicable.is_none() {
                first_not_applicable = Some((format!("{label} does not apply: {why}"), span));
            }
            continue;
        }
        let mut all = true;
        let mut failed_here: Option<(String, Span)> = None;
        let mut unknown_here: Vec<UnknownDependency> = Vec::new();
        let mut first_unknown: Option<(String, Span)> = None;
        for c in &st.conditions {
            let r = evaluate_condition(c, host, syntax);
            for n in &r.notes {
                trace.push(TraceStep::info(concat(&[&c.key.value, ": ", n]), Some(c.key.span)));
            }
            let step_text = concat(&[&label, " condition ", &r.text]);
            if let Some(dep) = r.unknown {
                push_unique(&mut unknown_here, std::slice::from_ref(&dep));
                first_unknown.get_or_insert((step_text.clone(), c.span));
                trace.push(TraceStep::info(step_text, Some(c.span)));
            } else if r.matched {
                trace.push(TraceStep::pass(step_text, Some(c.span)));
            } else {
                all = false;
                if failed_here.is_none() {
                    failed_here = Some((step_text.clone(), c.span));
                }
                trace.push(TraceStep::fail(step_text, Some(c.span)));
            }
        }
        let head = concat(&[&label, " (", effect, ")"]);
        if all && let Some(first) = first_unknown {
            let keys = unknown_here.iter().map(|d| format!("`{}`", d.key)).collect::<Vec<_>>().join(", ");
            trace.push(TraceStep::info(
                format!(
                    "{head}: its other conditions hold; whether it applies depends on {keys}, which Keyless cannot know"
                ),
                Some(st.span),
            ));
            let undecided = Undecided { label: label.clone(), first, keys: unknown_here };
            match st.effect.value {
                Effect::Allow => maybe_allow.push(undecided),
                Effect::Deny => maybe_deny.push(undecided),
            }
            continue;
        }
        let summary = if st.conditions.is_empty() {
            concat(&[&head, " applies and has no conditions"])
        } else if all {
            match st.conditions.len() {
                1 => concat(&[&head, ": its condition holds"]),
                n => format!("{head}: all {n} conditions hold"),
            }
        } else {
            concat(&[&head, ": a condition does not hold, the statement has no effect"])
        };
        match (st.effect.value, all) {
            (Effect::Deny, true) => {
                trace.push(TraceStep::fail(summary.clone(), Some(st.span)));
                // `summary` already starts with the label: say it once.
                let rest = summary.strip_prefix(&head).unwrap_or(&summary).trim_start_matches([':', ' ']);
                deny.get_or_insert((format!("{head} matched: {rest}"), st.span));
            }
            (Effect::Allow, true) => {
                trace.push(TraceStep::pass(summary, Some(st.span)));
                allow.get_or_insert((label.clone(), st.span));
            }
            (Effect::Allow, false) => {
                trace.push(TraceStep::fail(summary, Some(st.span)));
                if first_failed.is_none() {
                    first_failed = failed_here;
                }
            }
            (Effect::Deny, false) => trace.push(TraceStep::info(summary, Some(st.span))),
        }
    }
    let mut unknown = Vec::new();
    let (decision, decided_by, decided_span) = if let Some((by, span)) = deny {
        trace.push(TraceStep::fail("an explicit Deny overrides any Allow", Some(span)));
        (Decision::ExplicitDeny, by, Some(span))
    } else if allow.is_none() && maybe_allow.is_empty() {
        // Denied whatever the unknown values are: a Deny that might apply
        // could only turn an implicit deny into an explicit one.
        for d in &maybe_deny {
            trace.push(TraceStep::info(
                format!("{} might apply, but no Allow statement can hold: the request is denied either way", d.label),
                Some(d.first.1),
            ));
        }
        if let Some((by, span)) = first_failed {
            trace.push(TraceStep::fail("no Allow statement holds: implicit deny", None));
            (Decision::ImplicitDeny, by, Some(span))
        } else {
            trace.push(TraceStep::fail("no statement applies: implicit deny", Some(policy.span)));
            match first_not_applicable {
                Some((by, span)) => (Decision::ImplicitDeny, by, span.or(Some(policy.span))),
                None => (Decision::ImplicitDeny, "the policy has no statement".into(), Some(policy.span)),
            }
        }
    } else if let Some(d) = maybe_deny.first() {
        // An Allow holds (or might): whether an explicit Deny overrides it
        // waits on the unknown values.
        for d in &maybe_deny {
            push_unique(&mut unknown, &d.keys);
        }
        if allow.is_none() {
            // No Allow holds outright: its unknowns matter too.
            for d in &maybe_allow {
                push_unique(&mut unknown, &d.keys);
            }
        }
        trace.push(TraceStep::info(
            format!("undetermined: {} might deny this request, depending on values Keyless cannot know", d.label),
            Some(d.first.1),
        ));
        (Decision::Undetermined, d.first.0.clone(), Some(d.first.1))
    } else if let Some((by, span)) = allow {
        (Decision::Allow, format!("{by} allows"), Some(span))
    } else {
        for d in &maybe_allow {
            push_unique(&mut unknown, &d.keys);
        }
        let (by, span) = maybe_allow.first().map(|d| d.first.clone()).unwrap_or_else(|| (String::new(), policy.span));
        trace.push(TraceStep::info(
            "undetermined: an Allow statement holds only if a condition Keyless cannot decide holds, and no Allow holds outright",
            Some(span),
        ));
        (Decision::Undetermined, by, Some(span))
    };
    PolicyOutcome { decision, decided_by, decided_span, trace, unknown }
}

/// The verdict for [`Decision::Undetermined`]: code `undetermined` (never
/// a cloud's code), a message naming the keys and `how_to_decide` (what the
/// user can set), decided by the first unknown condition.
pub fn undetermined_verdict(
    cloud: Cloud,
    audience: String,
    outcome: PolicyOutcome,
    mut trace: Vec<TraceStep>,
    how_to_decide: &str,
) -> Verdict {
    let keys: Vec<String> = outcome.unknown.iter().map(|d| format!("`{}` ({})", d.key, d.what)).collect();
    let message = format!(
        "Keyless cannot decide: the trust policy's outcome depends on {}, which Keyless cannot know. {how_to_decide}",
        keys.join(" and ")
    );
    trace.push(TraceStep::info(message.clone(), outcome.decided_span));
    Verdict {
        audience,
        decided_by: outcome.decided_by,
        decided_span: outcome.decided_span,
        trace,
        ..Verdict::undetermined(cloud, message)
    }
}

/// How one IAM-style cloud words the outcomes of its trust policy.
pub struct OutcomeWords {
    pub cloud: Cloud,
    /// The message of an admitted token ("sts:AssumeRoleWithWebIdentity succeeded").
    pub allowed_message: &'static str,
    /// The cloud's error code and message for a denial.
    pub deny_code: &'static str,
    pub deny_message: &'static str,
    /// A note for the trace of a denial (a labelled vendor ambiguity).
    pub deny_note: Option<&'static str>,
    /// What the user can do about an undetermined verdict.
    pub how_to_decide: &'static str,
}

/// The verdict of a trust policy's outcome: the one mapping from
/// [`Decision`] to verdict that AWS and Alibaba Cloud share.
pub fn outcome_verdict(
    outcome: PolicyOutcome,
    audience: String,
    mut trace: Vec<TraceStep>,
    words: &OutcomeWords,
) -> Verdict {
    let (allowed, code, message) = match outcome.decision {
        Decision::Undetermined => {
            return undetermined_verdict(words.cloud, audience, outcome, trace, words.how_to_decide);
        }
        Decision::Allow => (true, "allowed", words.allowed_message),
        Decision::ExplicitDeny | Decision::ImplicitDeny => {
            if let Some(note) = words.deny_note {
                trace.push(TraceStep::info(note, None));
            }
            (false, words.deny_code, words.deny_message)
        }
    };
    Verdict {
        cloud: words.cloud,
        allowed,
        audience,
        code: code.into(),
        message: message.into(),
        decided_by: outcome.decided_by,
        decided_span: outcome.decided_span,
        trace,
    }
}

/// Whether an `Action` pattern covers `action`: action names are
/// case-insensitive (A15) and may use `*` / `?` wildcards (`sts:*`, `*`).
pub fn action_pattern_matches(pattern: &str, action: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        // No wildcard (lower-casing makes none): the glob is the pattern's
        // own text, so compare the folded characters without building either.
        return crate::case::eq_ignore_case(pattern, action);
    }
    Glob::new(&crate::case::to_lower(pattern)).matches(&crate::case::to_lower(action))
}

/// Checks Action / NotAction against the requested action names (any of
/// them counts). Returns (applies, step, reason-when-not).
pub fn check_action(st: &Statement, label: &str, wanted: &[&str]) -> (bool, TraceStep, Option<(String, Option<Span>)>) {
    let shown: std::borrow::Cow<str> = match wanted {
        [one] => (*one).into(),
        many => many.join(" / ").into(),
    };
    if !st.actions.is_empty() {
        let hit = st.actions.iter().find(|a| wanted.iter().any(|w| action_pattern_matches(&a.value, w)));
        return match hit {
            Some(a) => (
                true,
                TraceStep::pass(concat(&[label, " Action \"", &a.value, "\" covers ", &shown]), Some(a.span)),
                None,
            ),
            None => {
                let span = st.actions.first().map(|a| a.span.to(st.actions.last().map_or(a.span, |l| l.span)));
                let listed = quote_values(&st.actions.iter().map(|a| a.value.clone()).collect::<Vec<_>>());
                let why = format!("Action {listed} does not cover {shown}");
                (false, TraceStep::fail(format!("{label} {why}"), span), Some((why, span)))
            }
        };
    }
    let excluded = st.not_actions.iter().find(|a| wanted.iter().any(|w| action_pattern_matches(&a.value, w)));
    match excluded {
        Some(a) => {
            let why = format!("NotAction \"{}\" excludes {shown}", a.value);
            (false, TraceStep::fail(format!("{label} {why}"), Some(a.span)), Some((why, Some(a.span))))
        }
        None => (true, TraceStep::pass(format!("{label} NotAction does not exclude {shown}"), None), None),
    }
}

#[cfg(test)]
mod tests;
