use super::*;
use crate::span::LineIndex;

fn loc(text: &str, d: &Diagnostic) -> (u32, u32) {
    let span = d.span.unwrap_or(Span::new(DocId::Scenario, 0, 0));
    let lc = LineIndex::new(text).line_col(text, span.start);
    (lc.line, lc.col)
}

#[test]
fn json_and_yaml_give_the_same_tree_shape() {
    let j = parse(r#"{"a": ["x", 1, true, null], "b": {"c": "d"}}"#, DocId::Aws).unwrap();
    let y = parse("a: [x, 1, true, null]\nb:\n  c: d\n", DocId::Aws).unwrap();
    let strip = |n: &Node| {
        format!("{:?}", n.get("a").map(|a| a.items().map(|i| i.iter().map(|n| n.value.clone()).collect::<Vec<_>>())))
    };
    assert_eq!(strip(&j), strip(&y));
    assert_eq!(j.get("b").and_then(|b| b.get("c")).and_then(Node::as_str), Some("d"));
    assert_eq!(y.get("b").and_then(|b| b.get("c")).and_then(Node::as_str), Some("d"));
}

#[test]
fn spans_point_at_values() {
    let text = "name: deploy\non:\n  push:\n    branches: [main]\n";
    let n = parse(text, DocId::Workflow).unwrap();
    let on = n.get("on").unwrap();
    let branches = on.get("push").unwrap().get("branches").unwrap();
    let main = &branches.items().unwrap()[0];
    assert_eq!(&text[main.span.start as usize..main.span.end as usize], "main");
    // `on` is a string key under YAML 1.2 (GitHub agrees), not `true`.
    assert!(n.entry("on").is_some());
}

#[test]
fn json_errors_are_located() {
    let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n  ]\n  \"x\": 1\n}";
    let e = parse(text, DocId::Aws).unwrap_err();
    assert_eq!(loc(text, &e), (5, 3), "{e}");
    assert!(e.message.contains("expected ',' or '}'"), "{e}");
    let e = parse("{\"a\": 1,}", DocId::Aws).unwrap_err();
    assert!(e.message.contains("trailing comma"), "{e}");
    let e = parse("{\"a\": 'x'}", DocId::Aws).unwrap_err();
    assert!(e.message.contains("double quotes"), "{e}");
    let e = parse("[1, 2", DocId::Aws).unwrap_err();
    assert!(e.message.contains("expected ',' or ']'"), "{e}");
}

#[test]
fn yaml_errors_are_located() {
    let text = "jobs:\n  a:\n    runs-on: x\n   bad: [\n";
    let e = parse(text, DocId::Workflow).unwrap_err();
    assert!(e.message.starts_with("invalid YAML"), "{e}");
    assert!(loc(text, &e).0 >= 4, "{:?}", loc(text, &e));
}

#[test]
fn hostile_inputs_are_refused_not_panicked_on() {
    let deep = "[".repeat(10_000);
    assert!(parse(&deep, DocId::Aws).is_err());
    let deep_yaml = "a: ".to_string() + &"[".repeat(10_000);
    assert!(parse(&deep_yaml, DocId::Aws).is_err());
    let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    assert!(parse(laughs, DocId::Aws).is_err());
    for s in
        ["", "\"", "{\"\\u", "{\"\\ud800\"}", "- - - -", ":", "? a\n: b", "\u{feff}{}", "\t{}", "0x", "--- a\n--- b"]
    {
        let _ = parse(s, DocId::Aws);
    }
}

#[test]
fn numbers_keep_their_digits() {
    let n = parse("id: 123456789012345678901234567890\nj: 0.10\n", DocId::Scenario).unwrap();
    assert_eq!(n.get("id").unwrap().scalar_text().unwrap(), "123456789012345678901234567890");
    assert_eq!(n.get("j").unwrap().scalar_text().unwrap(), "0.10");
}

proptest::proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(s in "\\PC{0,200}") {
        let _ = parse(&s, DocId::Scenario);
        let _ = parse_json(&s, DocId::Scenario);
    }

    #[test]
    fn never_panics_on_jsonish_text(s in "[\\[\\]{}\",:0-9a-z\\\\ \\n-]{0,120}") {
        let _ = parse(&s, DocId::Scenario);
        let _ = parse_json(&s, DocId::Scenario);
    }
}

// Review: a YAML error's span must be a char range of the text (the
// playground and `Diagnostic::render` slice with it), also at the end of the
// text and on a multi-byte character.
#[test]
fn yaml_error_spans_stay_on_char_boundaries() {
    for text in ["%", "a: b\n%", "a: [é", "é: [", "k: \"\u{1F600}"] {
        let d = parse(text, DocId::Aws).unwrap_err();
        let s = d.span.unwrap();
        assert!(text.get(s.start as usize..s.end as usize).is_some(), "{text:?}: {s:?}");
    }
}

#[test]
fn alias_budgets_are_measured_after_expansion() {
    // Depth: `*a` puts a 100-deep anchor under 100 more levels.
    let text = format!("a: &a {}x{}\nb: {}*a{}\n", "[".repeat(100), "]".repeat(100), "[".repeat(100), "]".repeat(100));
    let e = parse(&text, DocId::Workflow).unwrap_err();
    assert!(e.message.contains("once this alias is expanded"), "{e}");
    // Bytes: 20 aliases of a 1 MiB string are 22 values but 21 MiB.
    let text = format!("s: &s {}\nl: [{}]\n", "x".repeat(1 << 20), ["*s"; 20].join(", "));
    let e = parse(&text, DocId::Workflow).unwrap_err();
    assert!(e.message.contains("bytes once its aliases are expanded"), "{e}");
    assert_eq!(loc(&text, &e).0, 2);
    // An alias inside an anchored node counts in full where that is used.
    let text = "a: &a [x, y]\nb: &b [*a, *a]\nc: [*b, *b]\n";
    let n = parse(text, DocId::Workflow).unwrap();
    assert_eq!(n.get("c").unwrap().items().unwrap()[1].items().unwrap()[1].items().unwrap().len(), 2);
}

#[test]
fn nul_is_refused_where_it_is() {
    for text in ["a: \"x\0\"\n", "{\"a\": \"\0\"}", "\0"] {
        let e = parse(text, DocId::Aws).unwrap_err();
        let at = e.span.unwrap().start as usize;
        assert_eq!(text.as_bytes()[at], 0, "{text:?}");
        assert!(e.message.contains("NUL"), "{e}");
    }
}

#[test]
fn duplicate_keys_are_found_in_nested_mappings() {
    let n = parse("a: 1\nb:\n  c: 1\n  C: 2\n  c: 3\nA: 4\n", DocId::Workflow).unwrap();
    let exact: Vec<_> = n.duplicate_keys(false).iter().map(|(f, d)| (f.value.clone(), d.value.clone())).collect();
    assert_eq!(exact, vec![("c".to_string(), "c".to_string())]);
    let folded: Vec<_> = n.duplicate_keys(true).iter().map(|(_, d)| d.value.clone()).collect();
    assert_eq!(folded, vec!["C", "c", "A"]);
}
