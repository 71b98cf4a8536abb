//! The YAML and JSON reader every other entry point is built on. The first
//! byte picks the reader (even: YAML, odd: JSON); the rest is the text.
#![no_main]

use keyless_core::{DocId, doc};
use keyless_fuzz::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else { return };
    let Some(text) = text(rest) else { return };
    let parsed = if mode % 2 == 0 { doc::parse(text, DocId::File(0)) } else { doc::parse_json(text, DocId::File(0)) };
    match parsed {
        Err(e) => assert_located(&e, DocId::File(0), text),
        Ok(root) => {
            assert_span_in(root.span, DocId::File(0), text, "the root node");
            // Every node the front ends walk: its span is inside the text.
            let mut stack = vec![&root];
            while let Some(n) = stack.pop() {
                assert_span_in(n.span, DocId::File(0), text, "a node");
                for e in n.entries().unwrap_or_default() {
                    assert_span_in(e.key.span, DocId::File(0), text, "a key");
                    stack.push(&e.value);
                }
                stack.extend(n.items().unwrap_or_default());
            }
        }
    }
});
