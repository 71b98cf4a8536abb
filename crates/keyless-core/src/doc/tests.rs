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

/// The text of `key` in the mapping `text` parses to, and the document.
fn text_of(text: &str, key: &str) -> Text {
    parse(text, DocId::Aws).unwrap().get(key).and_then(Node::text).unwrap()
}

fn source(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

#[test]
fn plain_scalars_on_one_line_and_numbers_are_verbatim() {
    let doc = "k: é == 1\nn: 0x1F\nj: ok # comment\n";
    let k = text_of(doc, "k");
    assert_eq!(k.value_offset(), Some(0));
    assert_eq!(source(doc, k.span_of(0, 2)), "é");
    assert_eq!(source(doc, k.span_of(3, 4)), "=");
    assert_eq!(text_of(doc, "n").value_offset(), Some(0));
    let j = text_of(doc, "j");
    assert_eq!((j.value.as_str(), source(doc, j.span_of(0, 2))), ("ok", "ok"));
    let json = r#"{"n": -1.5e3}"#;
    assert_eq!(source(json, text_of(json, "n").span_of(1, 4)), "1.5");
}

#[test]
fn quoted_strings_without_escapes_are_verbatim_inside_their_quotes() {
    for doc in ["k: \"é == 1\"\n", "k: 'é == 1'\n", "{\"k\": \"é == 1\"}"] {
        let k = text_of(doc, "k");
        assert_eq!(k.value_offset(), Some(1), "{doc}");
        assert_eq!(source(doc, k.span_of(0, 2)), "é", "{doc}");
        assert_eq!(source(doc, k.span_of(6, 99)), "1", "{doc}: clamped to the value, not the quote");
    }
}

/// F2: folding `é ==⏎  1` gives `é == 1`, a value two bytes shorter than
/// its source without quotes; lengths alone took it for a quoted string
/// and located errors one byte to the right, inside `é`.
#[test]
fn folded_plain_scalars_are_located_as_a_whole() {
    for doc in ["k: é ==\n  1\n", "k: é ==\r\n  1\r\n", "k: é ==\r  1\r", "k: a\n\n  b\n"] {
        let k = text_of(doc, "k");
        let whole = parse(doc, DocId::Aws).unwrap().get("k").unwrap().span;
        assert_eq!(k.value_offset(), None, "{doc:?}");
        assert_eq!(k.span_of(0, 2), whole, "{doc:?}");
        assert_eq!(k.part(0, 1).span, whole, "{doc:?}");
    }
}

#[test]
fn escaped_folded_and_block_strings_are_located_as_a_whole() {
    for doc in [
        "k: \"a\\\"b\"\n",           // an escaped quote
        "k: 'it''s'\n",              // a doubled single quote
        "k: \"a\n  b\"\n",           // folded inside quotes
        "k: \"a\\tb\"\n",            // an escape that is not a quote
        "k: |\n  é\n  x\n",          // a block scalar: indentation is not in the value
        "{\"k\": \"\\u00e9 == 1\"}", // a JSON escape
    ] {
        let k = text_of(doc, "k");
        let whole = parse(doc, DocId::Aws).unwrap().get("k").unwrap().span;
        assert_eq!(k.value_offset(), None, "{doc:?}");
        assert_eq!(k.span_of(0, 1), whole, "{doc:?}");
    }
    // Booleans are not written as their text (`True` is `true`).
    assert_eq!(text_of("k: True\n", "k").value_offset(), None);
}

#[test]
fn offsets_inside_a_character_widen_to_it() {
    let doc = "k: aé\n";
    let k = text_of(doc, "k");
    assert_eq!(source(doc, k.span_of(1, 1)), "");
    assert_eq!(source(doc, k.span_of(2, 2)), "é");
    assert_eq!(source(doc, k.span_of(2, 3)), "é");
    assert_eq!(source(doc, k.span_of(1, 2)), "é");
    assert_eq!(k.part(2, 3).value, "é");
}

#[test]
fn a_tree_parsed_from_a_string_is_relocated_into_its_document() {
    // Verbatim: every span moves to its bytes, and stays exact inside.
    let doc = "p: '{\"a\": \"é x\"}'\n";
    let outer = text_of(doc, "p");
    let mut inner = parse(&outer.value, DocId::Aws).unwrap();
    inner.relocate_into(&outer);
    let a = inner.get("a").unwrap();
    assert_eq!(source(doc, a.span), "\"é x\"");
    assert_eq!(source(doc, a.text().unwrap().span_of(3, 4)), "x");
    // Folded: everything is the whole string, and nothing inside is verbatim.
    let doc = "p: '{\"a\":\n  \"é x\"}'\n";
    let outer = text_of(doc, "p");
    let mut inner = parse(&outer.value, DocId::Aws).unwrap();
    inner.relocate_into(&outer);
    let a = inner.get("a").unwrap();
    assert_eq!((a.span, inner.entry("a").unwrap().key.span), (outer.span, outer.span));
    assert_eq!(a.text().unwrap().value_offset(), None);
}

proptest::proptest! {
    /// Whatever a string value's source (plain, folded, quoted, escaped,
    /// CRLF), a span inside it lies on character boundaries of the
    /// document, and when the value is verbatim it holds the same bytes.
    #[test]
    fn spans_inside_values_are_exact_or_whole(
        body in "[aé€ \"'\\\\:#,{}\\[\\]\r\n\t-]{0,12}",
        form in 0usize..4,
        start in 0usize..40,
        len in 0usize..40,
    ) {
        let doc = match form {
            0 => format!("k: {body}\n"),
            1 => format!("k: \"{body}\"\n"),
            2 => format!("k: '{body}'\n"),
            _ => format!("{{\"k\": \"{body}\"}}"),
        };
        let Ok(root) = parse(&doc, DocId::Aws) else { return Ok(()) };
        let Some(node) = root.get("k") else { return Ok(()) };
        let Some(k) = node.text() else { return Ok(()) };
        let span = k.span_of(start, start + len);
        proptest::prop_assert!(doc.is_char_boundary(span.start as usize) && doc.is_char_boundary(span.end as usize));
        proptest::prop_assert!(node.span.start <= span.start && span.end <= node.span.end);
        match k.value_offset() {
            Some(_) => {
                let part = k.part(start, start + len);
                proptest::prop_assert_eq!(source(&doc, part.span), part.value.as_str());
            }
            None => proptest::prop_assert_eq!(span, node.span),
        }
    }
}

#[test]
fn scalars_in_a_flow_mapping_end_at_their_last_character() {
    for text in [
        "p: { F: \"arn:x\" }\n",
        "p: { F: 'arn:x' }\n",
        "p: { F: arn:x }\n",
        "p: [ \"arn:x\" , b ]\n",
        "p: {F: \"arn:x\"}\n",
    ] {
        let root = parse(text, DocId::Scenario).unwrap();
        let p = root.get("p").unwrap();
        let v = p.get("F").or_else(|| p.items().and_then(|i| i.first())).unwrap();
        let src = &text[v.span.start as usize..v.span.end as usize];
        assert!(src == "\"arn:x\"" || src == "'arn:x'" || src == "arn:x", "{text:?}: {src:?}");
    }
}
