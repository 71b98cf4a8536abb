//! Engine-level tests with a plain key → values context. Cloud-level
//! behaviour (keys, providers, codes) is tested in `aws` and `alibaba`.

use super::*;
use crate::iam_policy::Operator;
use crate::span::{DocId, Spanned};

struct MapHost(Vec<(&'static str, Vec<String>)>);

impl PolicyHost for MapHost {
    fn lookup(&self, key: &str) -> ContextLookup {
        self.0.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map_or_else(
            || ContextLookup::absent("not in the test context"),
            |(_, v)| ContextLookup { values: v.clone(), note: None, unknowable: None },
        )
    }
    fn applies(&self, _: &Statement, _: &str) -> Applicability {
        Applicability { applies: true, ..Applicability::default() }
    }
}

fn sp() -> Span {
    Span::new(DocId::Aws, 0, 0)
}

fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
    Condition {
        operator: Spanned::new(Operator::parse(op).unwrap(), sp()),
        key: Spanned::new(key.into(), sp()),
        values: values.iter().map(|v| Spanned::new((*v).to_string(), sp())).collect(),
        span: sp(),
    }
}

fn host(sub: &str) -> MapHost {
    MapHost(vec![("p:sub", vec![sub.to_string()]), ("p:repository", vec!["o/r".into()])])
}

const V2012: ValueSyntax = ValueSyntax { variables: true };
const V2008: ValueSyntax = ValueSyntax { variables: false };

fn eval(op: &str, key: &str, values: &[&str], sub: &str, syntax: ValueSyntax) -> bool {
    evaluate_condition(&cond(op, key, values), &host(sub), syntax).matched
}

// Research §1.4–§1.6 (A1, A2, A3): operator semantics, one row per rule.
#[test]
fn operator_semantics_table() {
    // (operator, key, policy values, request sub, expected, source)
    type Row = (&'static str, &'static str, &'static [&'static str], &'static str, bool, &'static str);
    let rows: &[Row] = &[
        ("StringEquals", "p:sub", &["a"], "a", true, "A1 exact"),
        ("StringEquals", "p:sub", &["A"], "a", false, "A1 case-sensitive"),
        ("StringEquals", "p:sub", &["*"], "a", false, "A1 `*` is literal in StringEquals"),
        ("StringEqualsIgnoreCase", "p:sub", &["A"], "a", true, "A1 IgnoreCase"),
        ("StringNotEqualsIgnoreCase", "p:sub", &["A"], "a", false, "A1 IgnoreCase negated"),
        ("StringEqualsIgnoreCase", "p:sub", &["Repo:Équipe/X"], "repo:équipe/x", true, "A1 IgnoreCase, per character"),
        ("StringEqualsIgnoreCase", "p:sub", &["STRASSE"], "straße", false, "A1 IgnoreCase, no multi-letter folding"),
        ("StringLike", "p:sub", &["repo:o/r:*"], "repo:o/r:pull_request", true, "A1 `*`"),
        ("StringLike", "p:sub", &["a?c"], "abc", true, "A1 `?`"),
        ("StringLike", "p:sub", &["Repo:*"], "repo:x", false, "A1 StringLike case-sensitive"),
        ("StringLike", "p:sub", &["x", "a*"], "abc", true, "A2 values ORed"),
        ("StringNotLike", "p:sub", &["x*", "a*"], "abc", false, "A2 NOR over values"),
        ("StringNotLike", "p:sub", &["x*", "y*"], "abc", true, "A2 NOR over values"),
        ("StringEquals", "p:missing", &["a"], "a", false, "§1.6 absent: positive false"),
        ("StringNotEquals", "p:missing", &["a"], "a", true, "§1.6 absent: negated true"),
        ("StringEqualsIfExists", "p:missing", &["a"], "a", true, "§1.6 IfExists absent true"),
        ("StringEqualsIfExists", "p:sub", &["b"], "a", false, "§1.6 IfExists present: normal"),
        ("ForAnyValue:StringEquals", "p:missing", &["a"], "a", false, "§1.6 ForAnyValue absent false"),
        ("ForAllValues:StringEquals", "p:missing", &["a"], "a", true, "§1.6 ForAllValues absent true"),
        ("ForAllValues:StringEquals", "p:sub", &["b"], "a", false, "§1.6 ForAllValues present"),
        ("ForAnyValue:StringNotEquals", "p:sub", &["b"], "a", true, "A3 ForAnyValue negated"),
        ("Null", "p:missing", &["true"], "a", true, "§1.6 Null true = absent"),
        ("Null", "p:sub", &["false"], "a", true, "§1.6 Null false = present"),
        ("Null", "p:sub", &["true"], "a", false, "§1.6 Null"),
        ("Bool", "p:sub", &["TRUE"], "true", true, "A1 Bool"),
        ("NumericLessThan", "p:sub", &["10"], "9", true, "A1 numeric"),
        ("NumericEquals", "p:sub", &["10"], "x", false, "A1 numeric: not a number"),
        ("DateLessThan", "p:sub", &["2020-01-01"], "a", false, "not modelled: not satisfied"),
        ("StringEquals", "P:SUB", &["a"], "a", true, "A4 key names case-insensitive"),
    ];
    for (op, key, values, sub, want, why) in rows {
        assert_eq!(eval(op, key, values, sub, V2012), *want, "{op} {key} {values:?} vs {sub}: {why}");
    }
}

// A5 #policy-vars-specialchars: `${*}` is a literal `*` under 2012-10-17;
// A6: under 2008-10-17 `${…}` is literal text.
#[test]
fn escapes_depend_on_version() {
    assert!(eval("StringLike", "p:sub", &["rel-${*}"], "rel-*", V2012));
    assert!(!eval("StringLike", "p:sub", &["rel-${*}"], "rel-1", V2012));
    assert!(eval("StringLike", "p:sub", &["a${?}"], "a?", V2012));
    assert!(eval("StringEquals", "p:sub", &["a${$}"], "a$", V2012));
    assert!(!eval("StringLike", "p:sub", &["rel-${*}"], "rel-*", V2008));
    assert!(eval("StringLike", "p:sub", &["rel-${*}"], "rel-${*}", V2008));
    // Under 2008 the text around is still a glob.
    assert!(eval("StringLike", "p:sub", &["rel-${*}*"], "rel-${*}x", V2008));
}

// A5: variables resolve from the context; substituted text is literal; no
// value → positive operators do not match, negated ones do; defaults apply.
#[test]
fn policy_variables() {
    assert!(eval("StringLike", "p:sub", &["repo:${p:repository}:*"], "repo:o/r:ref:x", V2012));
    assert!(!eval("StringLike", "p:sub", &["repo:${p:repository}:*"], "repo:o/x:ref:x", V2012));
    assert!(!eval("StringLike", "p:sub", &["${aws:PrincipalTag/x}"], "a", V2012));
    assert!(eval("StringNotLike", "p:sub", &["${aws:PrincipalTag/x}"], "a", V2012));
    assert!(eval("StringEquals", "p:sub", &["${aws:PrincipalTag/x, 'a'}"], "a", V2012));
    let r = evaluate_condition(&cond("StringLike", "p:sub", &["${aws:nope}"]), &host("a"), V2012);
    assert!(r.notes.iter().any(|n| n.contains("has no value")));
    // Unterminated `${` is plain text.
    assert!(eval("StringEquals", "p:sub", &["a${b"], "a${b", V2012));
}

#[test]
fn explicit_deny_wins_and_no_allow_is_implicit_deny() {
    let stmt = |effect: Effect, conditions: Vec<Condition>| Statement {
        sid: None,
        effect: Spanned::new(effect, sp()),
        principal: None,
        not_principal: None,
        actions: vec![],
        not_actions: vec![],
        conditions,
        span: sp(),
    };
    let policy = |statements| TrustPolicy { version: None, statements, span: sp() };
    let allow = stmt(Effect::Allow, vec![cond("StringLike", "p:sub", &["*"])]);
    let deny = stmt(Effect::Deny, vec![cond("StringEquals", "p:sub", &["a"])]);
    let out = evaluate_policy(&policy(vec![allow.clone(), deny.clone()]), &host("a"), V2012);
    assert_eq!(out.decision, Decision::ExplicitDeny);
    assert!(out.decided_by.starts_with("Statement[1] (Deny)"), "{}", out.decided_by);
    let out = evaluate_policy(&policy(vec![allow.clone(), deny]), &host("b"), V2012);
    assert_eq!(out.decision, Decision::Allow);
    let strict = stmt(Effect::Allow, vec![cond("StringEquals", "p:sub", &["x"])]);
    let out = evaluate_policy(&policy(vec![strict]), &host("b"), V2012);
    assert_eq!(out.decision, Decision::ImplicitDeny);
    assert_eq!(out.decided_by, "Statement[0] condition StringEquals p:sub = \"x\" did not match \"b\"");
    assert_eq!(evaluate_policy(&policy(vec![]), &host("b"), V2012).decision, Decision::ImplicitDeny);
}

// A15: action names are case-insensitive and take wildcards.
#[test]
fn action_patterns() {
    for p in ["sts:AssumeRoleWithWebIdentity", "STS:assumerolewithwebidentity", "sts:*", "*", "sts:AssumeRole*"] {
        assert!(action_pattern_matches(p, "sts:AssumeRoleWithWebIdentity"), "{p}");
    }
    assert!(!action_pattern_matches("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"));
}

proptest::proptest! {
    // A1: StringNotLike is the negation of StringLike for a present
    // single-valued key.
    #[test]
    fn string_not_like_negates_string_like(p in "[ab*?$:{}]{0,8}", s in "[ab:$*]{0,10}", vars in proptest::bool::ANY) {
        let syntax = ValueSyntax { variables: vars };
        let like = eval("StringLike", "p:sub", &[&p], &s, syntax);
        let not_like = eval("StringNotLike", "p:sub", &[&p], &s, syntax);
        proptest::prop_assert_eq!(not_like, !like);
    }

    #[test]
    fn string_not_equals_negates_string_equals(p in "[aA*]{0,4}", s in "[aA*]{0,4}") {
        for (pos, neg) in [("StringEquals", "StringNotEquals"), ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase")] {
            proptest::prop_assert_eq!(eval(neg, "p:sub", &[&p], &s, V2012), !eval(pos, "p:sub", &[&p], &s, V2012));
        }
    }
}

// `"StringEquals": {"k": []}`: IAM Access Analyzer flags empty value lists
// as General Warnings ("Empty array condition…", IAM policy validation check
// reference, https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html;
// its wording, mirrored by tenable AC_AWS_0415: "The ForAllValues prefix with
// an empty condition key matches only if the key is missing from the request
// context"). A positive operator with no values matches nothing; set
// operators and IfExists follow the absent-key rules. The trace must say the
// list is empty rather than leave `= []` unexplained.
#[test]
fn empty_value_list_matches_nothing_and_says_so() {
    let rows: &[(&str, &str, bool)] = &[
        ("StringEquals", "p:sub", false),
        ("StringLike", "p:sub", false),
        ("ForAnyValue:StringEquals", "p:sub", false),
        ("ForAnyValue:StringEquals", "p:absent", false),
        ("ForAllValues:StringEquals", "p:absent", true),
        ("ForAllValues:StringEquals", "p:sub", false),
        ("StringEqualsIfExists", "p:absent", true),
        ("StringEqualsIfExists", "p:sub", false),
    ];
    for (op, key, want) in rows {
        let r = evaluate_condition(&cond(op, key, &[]), &host("a"), V2012);
        assert_eq!(r.matched, *want, "{op} {key} []");
        assert!(r.notes.iter().any(|n| n.contains("no values")), "{op} {key}: {:?}", r.notes);
    }
}

// A1 documents IfExists, not ForAnyValue:…IfExists; a reference simulator
// disagrees (iam.cloudcopilot.io ForAnyValue:BoolIfExists). The verdict
// follows A1 and the trace labels the ambiguity.
#[test]
fn for_any_value_if_exists_on_absent_key_is_labelled() {
    let r = evaluate_condition(&cond("ForAnyValue:StringEqualsIfExists", "p:absent", &["x"]), &host("a"), V2012);
    assert!(r.matched);
    assert!(r.notes.iter().any(|n| n.contains("does not document")), "{:?}", r.notes);
    let plain = evaluate_condition(&cond("StringEqualsIfExists", "p:absent", &["x"]), &host("a"), V2012);
    assert!(plain.notes.iter().all(|n| !n.contains("does not document")));
}

// The deciding Deny is named once, not twice ("Statement[0] (Deny) matched:
// Statement[0] (Deny): …" read badly in the playground).
#[test]
fn explicit_deny_decided_by_names_the_statement_once() {
    let st = |effect| Statement {
        sid: None,
        effect: Spanned::new(effect, sp()),
        principal: None,
        not_principal: None,
        actions: vec![Spanned::new("*".into(), sp())],
        not_actions: Vec::new(),
        conditions: vec![cond("StringLike", "p:sub", &["*"])],
        span: sp(),
    };
    let policy = TrustPolicy { version: None, statements: vec![st(Effect::Deny)], span: sp() };
    let out = evaluate_policy(&policy, &host("a"), V2012);
    assert_eq!(out.decision, Decision::ExplicitDeny);
    assert_eq!(out.decided_by, "Statement[0] (Deny) matched: its condition holds");
}

// A1 (awsdocs reference_policies_elements_condition_operators.md, Numeric
// condition operators): "You can not use a policy variable with the Numeric
// condition operator." `${…}` stays text there, and text is not a number.
#[test]
fn numeric_operators_take_no_policy_variables() {
    let h = MapHost(vec![("p:id", vec!["42".into()]), ("p:other", vec!["42".into()])]);
    let r = evaluate_condition(&cond("NumericEquals", "p:id", &["${p:other}"]), &h, V2012);
    assert!(!r.matched, "{r:?}");
    assert!(r.notes.iter().any(|n| n.contains("policy variable") && n.contains("Numeric")), "{r:?}");
    // String operators still resolve them (A5).
    assert!(evaluate_condition(&cond("StringEquals", "p:id", &["${p:other}"]), &h, V2012).matched);
    // Bool: AWS's two pages disagree; substituted, and labelled.
    let h2 = MapHost(vec![("p:flag", vec!["true".into()]), ("p:other", vec!["true".into()])]);
    let r = evaluate_condition(&cond("Bool", "p:flag", &["${p:other}"]), &h2, V2012);
    assert!(r.matched && r.notes.iter().any(|n| n.contains("disagree")), "{r:?}");
    // A plain number still compares.
    assert!(evaluate_condition(&cond("NumericEquals", "p:id", &["42"]), &h, V2012).matched);
}

// A3 (awsdocs reference_policies_multi-value-conditions.md): "If the key
// values in the request resolve to an empty data set (for example, an empty
// string), a condition operator modified by ForAllValues returns true, and a
// condition operator modified by ForAnyValue returns false." GitHub's `ref`
// claim is empty for a deployment created from a SHA (D-EVT).
#[test]
fn set_operators_treat_an_empty_string_as_an_empty_data_set() {
    let h = MapHost(vec![("p:ref", vec![String::new()])]);
    let all = evaluate_condition(&cond("ForAllValues:StringEquals", "p:ref", &["refs/heads/main"]), &h, V2012);
    assert!(all.matched, "{all:?}");
    assert!(all.notes.iter().any(|n| n.contains("empty")), "{all:?}");
    let any = evaluate_condition(&cond("ForAnyValue:StringEquals", "p:ref", &[""]), &h, V2012);
    assert!(!any.matched, "{any:?}");
    // Without a set operator the empty string is an ordinary value.
    assert!(evaluate_condition(&cond("StringEquals", "p:ref", &[""]), &h, V2012).matched);
    assert!(!evaluate_condition(&cond("StringEquals", "p:ref", &["refs/heads/main"]), &h, V2012).matched);
}

// ---- Unknowable keys: three-valued conditions -----------------------------
// A key the real request carries with a value Keyless cannot know (IAM's
// global condition keys page: aws:CurrentTime "is always included in the
// request context"; aws:SourceIp is included "except when the requester uses
// a VPC endpoint") makes conditions on it unknown, and the policy decision
// undetermined only when the unknown could change it.

/// `u:t`: always present, unknown value. `u:m`: maybe present, unknown
/// value. `p:sub`: "a".
struct ThreeHost;

impl PolicyHost for ThreeHost {
    fn lookup(&self, key: &str) -> ContextLookup {
        match key.to_ascii_lowercase().as_str() {
            "u:t" => ContextLookup::unknowable("the time of the call", true, "test"),
            "u:m" => ContextLookup::unknowable("the runner's address", false, "test"),
            _ => host("a").lookup(key),
        }
    }
    fn applies(&self, _: &Statement, _: &str) -> Applicability {
        Applicability { applies: true, ..Applicability::default() }
    }
}

fn statement(effect: Effect, conditions: Vec<Condition>) -> Statement {
    Statement {
        sid: None,
        effect: Spanned::new(effect, sp()),
        principal: None,
        not_principal: None,
        actions: vec![],
        not_actions: vec![],
        conditions,
        span: sp(),
    }
}

fn decide(statements: Vec<Statement>) -> PolicyOutcome {
    evaluate_policy(&TrustPolicy { version: None, statements, span: sp() }, &ThreeHost, V2012)
}

#[test]
fn conditions_on_unknowable_keys_are_unknown() {
    let r = evaluate_condition(&cond("IpAddress", "u:m", &["203.0.113.0/24"]), &ThreeHost, V2012);
    assert!(!r.matched);
    assert_eq!(r.unknown.as_ref().map(|d| d.key.as_str()), Some("u:m"));
    assert!(r.text.contains("depends on `u:m`, which Keyless cannot know (the runner's address)"), "{}", r.text);
    // IfExists and negated operators do not escape: the key may be present.
    for op in ["IpAddressIfExists", "NotIpAddress", "ForAllValues:StringEquals", "ForAnyValue:StringLike", "Null"] {
        assert!(evaluate_condition(&cond(op, "u:m", &["true"]), &ThreeHost, V2012).unknown.is_some(), "{op}");
    }
    // Always present: `Null` is decided ("false" holds, "true" does not).
    let null_false = evaluate_condition(&cond("Null", "u:t", &["false"]), &ThreeHost, V2012);
    assert!(null_false.matched && null_false.unknown.is_none(), "{null_false:?}");
    assert!(!evaluate_condition(&cond("Null", "u:t", &["true"]), &ThreeHost, V2012).matched);
    // A policy variable naming an unknowable key makes the value unknown.
    let var = evaluate_condition(&cond("StringEquals", "p:sub", &["${u:t}"]), &ThreeHost, V2012);
    assert_eq!(var.unknown.map(|d| d.key), Some("u:t".to_string()));
}

#[test]
fn policy_decisions_with_unknown_conditions() {
    use Effect::{Allow, Deny};
    let unknown = || cond("DateLessThan", "u:t", &["2027-01-01T00:00:00Z"]);
    let fails = || cond("StringEquals", "p:sub", &["x"]);
    let holds = || cond("StringEquals", "p:sub", &["a"]);
    type Row = (&'static str, Vec<Statement>, Decision);
    let rows: Vec<Row> = vec![
        (
            "an Allow that holds only under the unknown",
            vec![statement(Allow, vec![holds(), unknown()])],
            Decision::Undetermined,
        ),
        (
            "another condition of the statement fails: decided without the unknown",
            vec![statement(Allow, vec![unknown(), fails()])],
            Decision::ImplicitDeny,
        ),
        (
            "another Allow holds outright",
            vec![statement(Allow, vec![unknown()]), statement(Allow, vec![holds()])],
            Decision::Allow,
        ),
        (
            "a Deny might apply to an allowed request",
            vec![statement(Allow, vec![holds()]), statement(Deny, vec![unknown()])],
            Decision::Undetermined,
        ),
        (
            "a Deny might apply but nothing allows: denied either way",
            vec![statement(Allow, vec![fails()]), statement(Deny, vec![unknown()])],
            Decision::ImplicitDeny,
        ),
        (
            "a Deny holds outright",
            vec![statement(Allow, vec![unknown()]), statement(Deny, vec![holds()])],
            Decision::ExplicitDeny,
        ),
    ];
    for (why, statements, want) in rows {
        let out = decide(statements);
        assert_eq!(out.decision, want, "{why}: {:#?}", out.trace);
        assert_eq!(out.unknown.is_empty(), want != Decision::Undetermined, "{why}");
    }
    let out = decide(vec![statement(Allow, vec![holds(), unknown()])]);
    assert_eq!(out.unknown, vec![UnknownDependency { key: "u:t".into(), what: "the time of the call".into() }]);
    assert!(out.decided_by.contains("depends on `u:t`"), "{}", out.decided_by);
}

fn concrete_host(t: &str, m: Option<&str>) -> MapHost {
    let mut entries = vec![("p:sub", vec!["a".to_string()]), ("u:t", vec![t.to_string()])];
    if let Some(m) = m {
        entries.push(("u:m", vec![m.to_string()]));
    }
    MapHost(entries)
}

fn arb_condition() -> impl proptest::strategy::Strategy<Value = Condition> {
    use proptest::prelude::*;
    let ops = prop::sample::select(vec![
        "StringEquals",
        "StringNotEquals",
        "StringLike",
        "StringNotLike",
        "StringEqualsIfExists",
        "StringNotEqualsIfExists",
        "ForAnyValue:StringEquals",
        "ForAllValues:StringEquals",
        "ForAllValues:StringNotLike",
        "ForAnyValue:StringLikeIfExists",
        "Null",
        "Bool",
        "BoolIfExists",
        "IpAddress",
    ]);
    let keys = prop::sample::select(vec!["p:sub", "u:t", "u:m"]);
    let values = prop::collection::vec(
        prop::sample::select(vec!["a", "b", "", "*", "true", "false", "${u:t}", "${u:m}", "${p:sub}"]),
        0..3,
    );
    (ops, keys, values).prop_map(|(op, key, values)| cond(op, key, &values))
}

fn arb_statements() -> impl proptest::strategy::Strategy<Value = Vec<Statement>> {
    use proptest::prelude::*;
    let st = (any::<bool>(), prop::collection::vec(arb_condition(), 0..4))
        .prop_map(|(allow, conditions)| statement(if allow { Effect::Allow } else { Effect::Deny }, conditions));
    prop::collection::vec(st, 0..4)
}

proptest::proptest! {
    // Soundness of the three-valued combination: replacing every unknown
    // value by each concrete value (and, for the maybe-present key, by
    // absence) gives the same allow/deny whenever the three-valued decision
    // is known.
    #[test]
    fn known_three_valued_decisions_hold_for_every_concrete_value(statements in arb_statements()) {
        let policy = TrustPolicy { version: None, statements, span: sp() };
        let three = evaluate_policy(&policy, &ThreeHost, V2012);
        if three.decision != Decision::Undetermined {
            for t in ["a", "b", "", "true"] {
                for m in [None, Some("a"), Some("b"), Some(""), Some("false")] {
                    let concrete = evaluate_policy(&policy, &concrete_host(t, m), V2012);
                    proptest::prop_assert_ne!(concrete.decision, Decision::Undetermined);
                    proptest::prop_assert_eq!(
                        concrete.decision == Decision::Allow,
                        three.decision == Decision::Allow,
                        "u:t = {:?}, u:m = {:?}: {:?} vs {:?}", t, m, concrete.decision, three.decision
                    );
                }
            }
        } else {
            proptest::prop_assert!(!three.unknown.is_empty());
        }
    }
}
