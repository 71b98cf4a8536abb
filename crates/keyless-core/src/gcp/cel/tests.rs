use super::*;

fn ev(src: &str) -> Result<Value, EvalOutcome> {
    let mut claims = Claims::new();
    claims.set("sub", "repo:my-org/my-repo:ref:refs/heads/main");
    claims.set("repository_owner", "my-org");
    claims.set_num("iat", 1_700_000_000);
    eval_str(src, vec![("assertion".into(), claims_value(&claims))])
}

fn ok(src: &str) -> Value {
    ev(src).unwrap_or_else(|e| panic!("{src}: {e:?}"))
}

fn eval_err(src: &str) -> EvalError {
    match ev(src) {
        Err(EvalOutcome::Eval(e)) => e,
        other => panic!("{src}: expected an evaluation error, got {other:?}"),
    }
}

fn parse_err(src: &str) -> ParseError {
    match parse(src) {
        Err(e) => e,
        Ok(e) => panic!("{src}: expected a parse error, got {e:?}"),
    }
}

#[test]
fn seed_condition_and_field_forms() {
    // Seed doc §4: `assertion.repository_owner == 'my-org'`.
    assert_eq!(ok("assertion.repository_owner == 'my-org'"), Value::Bool(true));
    assert_eq!(ok("assertion['repository_owner'] == \"my-org\""), Value::Bool(true));
    assert_eq!(ok("has(assertion.environment)"), Value::Bool(false));
    assert_eq!(ok("assertion.iat > 1"), Value::Bool(true));
}

#[test]
fn missing_claim_is_a_located_error_value() {
    let src = "assertion.environment == 'prod'";
    let e = eval_err(src);
    assert_eq!(e.message, "no such key: environment");
    assert_eq!(&src[e.start..e.end], "assertion.environment");
}

#[test]
fn logic_absorbs_errors_commutatively() {
    // langdef "Logical operators": false && error = false, true || error = true.
    assert_eq!(ok("assertion.nope == 'x' && false"), Value::Bool(false));
    assert_eq!(ok("false && assertion.nope == 'x'"), Value::Bool(false));
    assert_eq!(ok("assertion.nope == 'x' || true"), Value::Bool(true));
    assert!(matches!(ev("assertion.nope == 'x' && true"), Err(EvalOutcome::Eval(_))));
    assert!(matches!(ev("1 || true"), Ok(Value::Bool(true))));
}

#[test]
fn literals_and_escapes() {
    assert_eq!(ok(r#"'\x41\101\u0041\U00000041' == 'AAAA'"#), Value::Bool(true));
    assert_eq!(ok(r#"r'\n' == '\\n'"#), Value::Bool(true));
    assert_eq!(ok("'''a\nb''' == \"a\\nb\""), Value::Bool(true));
    assert_eq!(ok("b'\\377' == b'\\xff'"), Value::Bool(true));
    assert_eq!(ok("-9223372036854775808"), Value::Int(i64::MIN));
    assert_eq!(ok("0x10u"), Value::Uint(16));
    assert_eq!(ok("1 == 1.0 && 1u == 1 && 'a' != 1"), Value::Bool(true));
}

/// Found by fuzzing (fuzz/regressions/cel/): a `\u` escape whose four
/// digits are missing ended its error four bytes on, inside the character
/// there; it now covers four characters.
#[test]
fn a_short_escape_is_located_on_characters() {
    for src in ["'\\u1/=\u{9f}.'", "'\\u0\u{e9}x'", "'\\U12\u{20ac}'", "'\\x\u{e9}'"] {
        let e = parse_err(src);
        assert!(e.message.contains("invalid escape sequence"), "{src}: {e:?}");
        assert!(src.is_char_boundary(e.start) && src.is_char_boundary(e.end) && e.end <= src.len(), "{src}: {e:?}");
    }
    let e = parse_err("'\\u1/=\u{9f}.'");
    assert_eq!((e.start, e.end), (1, 8), "the escape and the four characters after `\\u`");
}

#[test]
fn functions_used_by_wif() {
    assert_eq!(ok("assertion.sub.startsWith('repo:my-org/')"), Value::Bool(true));
    assert_eq!(ok("assertion.sub.matches('^repo:my-org/[^:]+:ref:refs/heads/main$')"), Value::Bool(true));
    assert_eq!(ok("assertion.sub.split(':')[1]"), Value::String("my-org/my-repo".into()));
    // GCP troubleshooting page: `assertion.sub.extract('/users/{sub_claim}')`.
    assert_eq!(ok("'a/users/bob'.extract('/users/{x}')"), Value::String("bob".into()));
    assert_eq!(ok("'role/x/y'.extract('role/{r}/')"), Value::String("x".into()));
    assert_eq!(ok("'abc'.extract('zz{r}')"), Value::String(String::new()));
    // Empty prefix, as in public AWS-provider mappings:
    // `assertion.arn.extract('{account_arn}assumed-role/')`.
    assert_eq!(
        ok("'arn:aws:sts::1:assumed-role/r/s'.extract('{account_arn}assumed-role/')"),
        Value::String("arn:aws:sts::1:".into())
    );
    assert_eq!(ok("['a','b'].join('-')"), Value::String("a-b".into()));
    assert_eq!(ok("[1,2,3].exists(x, x > 2)"), Value::Bool(true));
    let e = eval_err("'x'.matches('\\\\pL')");
    assert!(e.message.contains("RE2"), "{e:?}");
}

#[test]
fn parse_errors_are_located() {
    let e = parse_err("assertion.sub == 'x' &&");
    assert_eq!(e.start, 23);
    let e = parse_err("assertion.sub == 'x");
    assert!(e.message.contains("unterminated"), "{e:?}");
    assert_eq!(parse_err("a.").message, "expected a field name after '.', found end of expression");
    assert!(parse_err(&"(".repeat(500)).message.contains("nested"));
    assert!(parse_err(&"1 + ".repeat(400).replace("+ ", "+ 1")).message.contains("deep"));
}

#[test]
fn deepest_accepted_trees_evaluate_without_overflowing_the_stack() {
    // Run on a 1 MiB stack: the wasm default, smaller than a test thread's.
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            let chain = vec!["1"; MAX_TREE_DEPTH - 1].join(" + ");
            assert_eq!(ok(&chain), Value::Int(MAX_TREE_DEPTH as i64 - 1));
            let nested = format!("{}1{}", "(-".repeat(MAX_DEPTH / 2 - 1), ")".repeat(MAX_DEPTH / 2 - 1));
            assert!(ev(&nested).is_ok());
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn arithmetic_errors() {
    assert_eq!(eval_err("1 / 0").message, "division by zero");
    assert_eq!(eval_err("9223372036854775807 + 1").message, "return error for overflow");
    assert!(eval_err("1 + 1u").message.contains("no such overload"));
}

#[test]
fn double_formatting_matches_go() {
    assert_eq!(format_double(1.0), "1");
    assert_eq!(format_double(-4.5), "-4.5");
    assert_eq!(format_double(1e100), "1e+100");
    assert_eq!(format_double(0.0001), "0.0001");
    assert_eq!(format_double(0.00001), "1e-05");
}

#[test]
fn runaway_expressions_hit_the_cost_budget() {
    // Each `.map(x, [x, x])` doubles the value: 2^40 elements without a budget.
    let src = format!("[1]{}", ".map(x, [x, x])".repeat(40));
    let e = eval_err(&src);
    assert!(e.message.contains("cost budget"), "{e:?}");
    // Nested iteration: 50^4 steps.
    let l = format!("[{}]", vec!["1"; 50].join(","));
    let src = format!("{l}.all(a, {l}.all(b, {l}.all(c, {l}.all(d, a + b + c + d > 0))))");
    assert!(eval_err(&src).message.contains("cost budget"));
    // An ordinary condition costs little.
    assert_eq!(ok("assertion.repository_owner == 'my-org' && assertion.sub.startsWith('repo:')"), Value::Bool(true));
}

// Keyless's budgets for matches(): counted repetitions make a large
// program from a short pattern; the text has a size bound too. Both are
// errors that name the budget, never a long search.
#[test]
fn matches_has_program_and_text_budgets() {
    let e = eval_err("'aaaa'.matches('(a{100}){100}')");
    assert!(e.message.contains("compiles to more than 16384 bytes"), "{e:?}");
    // Located: the call's span in the expression.
    assert!(e.end > e.start, "{e:?}");
    let long = format!("'{}'.matches('^a+$')", "a".repeat(super::functions::MAX_REGEX_TEXT_BYTES + 1));
    assert!(eval_err(&long).message.contains("at most 16384 bytes"));
    assert_eq!(ok("'aaab'.matches('^(a|aa)*b$')"), Value::Bool(true));
}
