#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
//! Hostile input, one test per class of issue #12: generated inputs at the
//! sizes GitHub and the clouds allow (or just past them), and bounds
//! asserted on results, bytes and steps, never on wall-clock time. Each
//! class must end in a result or a located error: no panic, no stack
//! overflow, no unbounded work.
//!
//! The engine runs in a thread with a 1 MiB stack, the default of the
//! playground's wasm build: a walk that recursed once per `&&` of a
//! 21,000-character chain would overflow it.

use keyless_core::doc::{self, MAX_DEPTH, MAX_EXPANDED_BYTES};
use keyless_core::github::expr::{self, Contexts, MAX_EXPRESSION_CHARS};
use keyless_core::github::workflow::{self, MAX_JOBS};
use keyless_core::glob::Glob;
use keyless_core::{Diagnostic, DocId, Scenario, Severity, evaluate};

const WASM_STACK: usize = 1 << 20;

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(WASM_STACK).spawn(f).unwrap().join().expect("no stack overflow, no panic")
}

/// A scenario around a workflow, indented as a block scalar.
fn scenario_text(workflow: &str) -> String {
    let body: String = workflow.lines().map(|l| format!("  {l}\n")).collect();
    format!("repository: o/r\nevent: {{name: push, ref: refs/heads/main}}\nworkflow: |\n{body}")
}

/// `1 && 1 && …` of exactly `chars` characters, ending with `last`: 4,200
/// operators in 21,000 characters, a left-deep tree as deep as that.
fn and_chain(chars: usize, last: &str) -> String {
    let term = "1 && ";
    let mut s = String::new();
    while s.len() + term.len() + last.len() <= chars {
        s.push_str(term);
    }
    // Pad after the first `&&`, not at the ends (YAML trims a plain
    // scalar's ends; GitHub counts inner white space).
    let pad = " ".repeat(chars - s.len() - last.len());
    s.insert_str(term.len(), &pad);
    s + last
}

fn errors(diags: &[Diagnostic]) -> Vec<&Diagnostic> {
    diags.iter().filter(|d| d.severity == Severity::Error).collect()
}

#[test]
fn and_chains_at_githubs_expression_limit_evaluate_without_recursion() {
    // Eight jobs, each with a job `if:` and an `environment:` at 21,000
    // characters, four with a step `if:` too: a ~420 KB workflow of `&&`
    // chains, under GitHub's 512,000-byte file limit.
    let cond = and_chain(MAX_EXPRESSION_CHARS, "true");
    let env = and_chain(MAX_EXPRESSION_CHARS - 7, "'prod'");
    assert_eq!(cond.chars().count(), MAX_EXPRESSION_CHARS);
    let mut wf = String::from("on: push\npermissions: {id-token: write}\njobs:\n");
    for j in 0..8 {
        let step_if = if j < 4 { format!("if: {cond}\n        ") } else { String::new() };
        wf.push_str(&format!(
            "  j{j}:\n    if: {cond}\n    environment: ${{{{ {env} }}}}\n    runs-on: x\n    steps:\n      - {step_if}run: echo\n"
        ));
    }
    assert!(wf.len() > 400_000 && wf.len() <= workflow::MAX_FILE_BYTES, "{}", wf.len());
    let text = scenario_text(&wf);
    let (diags, envs) = on_small_stack(move || {
        let s = Scenario::parse(&text).unwrap();
        let r = evaluate(&s);
        (r.diagnostics, r.jobs.iter().map(|j| j.environment.clone()).collect::<Vec<_>>())
    });
    assert!(errors(&diags).is_empty(), "{:?}", errors(&diags));
    assert_eq!(envs.len(), 8);
    assert!(envs.iter().all(|e| e.as_deref() == Some("prod")), "{envs:?} {diags:?}");
}

#[test]
fn an_expression_over_githubs_limit_is_a_located_error() {
    let cond = and_chain(MAX_EXPRESSION_CHARS + 1, "true");
    assert_eq!(cond.chars().count(), MAX_EXPRESSION_CHARS + 1);
    let wf = format!(
        "on: push\npermissions: {{id-token: write}}\njobs:\n  a:\n    if: {cond}\n    runs-on: x\n    steps: [{{run: echo}}]\n"
    );
    let text = scenario_text(&wf);
    let r = on_small_stack(move || evaluate(&Scenario::parse(&text).unwrap()));
    // GitHub rejects the workflow: an error at the `if:` (a span in the
    // embedded workflow, where the condition starts), and no token.
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.message.contains("Exceeded max expression length 21000"))
        .expect("the runner's message");
    assert_eq!(d.severity, Severity::Error);
    let s = d.span.unwrap();
    assert_eq!(s.doc, DocId::Workflow);
    assert!(wf[s.start as usize..].starts_with("1 &&"), "{s:?}");
    assert!(r.jobs.iter().all(|j| !j.token.issued));
    assert!(expr::eval_str(&cond, &Contexts::new()).is_err());
}

#[test]
fn format_nested_stops_at_the_output_budget() {
    // Twelve levels of ten copies: 10^12 bytes if nothing stopped it.
    let mut e = "'0123456789'".to_string();
    for _ in 0..12 {
        e = format!("format('{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}', {e})");
    }
    assert!(e.len() < 1_000);
    let err = expr::eval_str(&e, &Contexts::new()).unwrap_err();
    assert!(err.describe(&e).contains("maximum allowed memory size was exceeded"), "{err:?}");
    // In a workflow the failure is a diagnostic at the value.
    let wf = format!(
        "on: push\npermissions: {{id-token: write}}\njobs:\n  a:\n    environment: ${{{{ {e} }}}}\n    runs-on: x\n    steps: [{{run: echo}}]\n"
    );
    let r = evaluate(&Scenario::parse(&scenario_text(&wf)).unwrap());
    let d = r.diagnostics.iter().find(|d| d.message.contains("maximum allowed memory")).expect("a diagnostic");
    assert!(d.span.is_some_and(|s| s.doc == DocId::Workflow), "{d:?}");
    // join() and toJSON() have the same budget.
    let big = "format('{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}', format('{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}', format('{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}', format('{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}', format('{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}', '0123456789')))))";
    assert!(expr::eval_str(big, &Contexts::new()).is_ok(), "1 MB minus is within budget");
    let json = format!("toJSON(format('{{0}}{{0}}', {big}))");
    assert!(expr::eval_str(&json, &Contexts::new()).is_err());
}

#[test]
fn aliases_are_bounded_after_expansion_in_depth_and_bytes() {
    // Depth: two anchors each within the limit, nested by an alias.
    let half = MAX_DEPTH * 3 / 4;
    let text =
        format!("a: &a {}x{}\nb: {}*a{}\n", "[".repeat(half), "]".repeat(half), "[".repeat(half), "]".repeat(half));
    let e = doc::parse(&text, DocId::Workflow).unwrap_err();
    assert!(e.message.contains("once this alias is expanded"), "{e}");
    let at = e.span.unwrap().start as usize;
    assert_eq!(&text[at..at + 2], "*a");

    // Bytes: one 1 MiB string aliased 20 times is 22 values, 21 MiB.
    let big = "x".repeat(1 << 20);
    let refs = ["*s"; 20].join(", ");
    let text = format!("s: &s {big}\nl: [{refs}]\n");
    let e = doc::parse(&text, DocId::Workflow).unwrap_err();
    assert!(e.message.contains(&format!("more than {MAX_EXPANDED_BYTES} bytes")), "{e}");
    // Within the budget, the same shape parses.
    let refs = ["*s"; 10].join(", ");
    assert!(doc::parse(&format!("s: &s {big}\nl: [{refs}]\n"), DocId::Workflow).is_ok());

    // Values: the classic "billion laughs".
    let mut laughs = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let refs = vec![format!("*l{}", i - 1); 10].join(", ");
        laughs.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
    }
    assert!(doc::parse(&laughs, DocId::Workflow).unwrap_err().message.contains("values once its aliases"));
}

#[test]
fn globs_are_linear_at_the_clouds_maximum_sizes() {
    // An AWS trust policy holds at most 4,096 characters and STS takes a
    // token of at most 20,000: the largest pattern on the largest text.
    let text = "a".repeat(20_000);
    let cases = [
        (format!("*{}b", "a".repeat(4_000)), false),
        (format!("{}b", "*a".repeat(2_000)), false),
        (format!("*{}*", "?a".repeat(2_000)), true),
        (format!("{}*", "a?".repeat(2_000)), true),
        ("*".repeat(4_096), true),
    ];
    for (pattern, want) in cases {
        let (got, steps) = Glob::new(&pattern).matches_counting(&text);
        assert_eq!(got, want, "{}", &pattern[..20]);
        // One pass over the text at ⌈4000/64⌉ = 63 words a character, plus
        // the anchored ends.
        let bound = 20_000 * 63 + 2 * 4_096;
        assert!(steps <= bound, "{steps} > {bound} for {}", &pattern[..20]);
    }
}

#[test]
fn cel_matches_has_program_and_text_budgets() {
    use keyless_core::gcp::cel::{self, Value};
    let vars = |s: &str| vec![("s".to_string(), Value::String(s.to_string()))];
    let long = "a".repeat(8_000);
    // Counted repetitions blow a short pattern up into a large program.
    let e = cel::eval_str("s.matches('(a{100}){100}b')", vars(&long)).unwrap_err();
    assert!(format!("{e:?}").contains("compiles to more than"), "{e:?}");
    // A claim longer than the text budget.
    let e = cel::eval_str("s.matches('^a+$')", vars(&"a".repeat(17_000))).unwrap_err();
    assert!(format!("{e:?}").contains("at most 16384 bytes"), "{e:?}");
    // Nested stars do not backtrack: RE2 semantics, a result.
    assert_eq!(cel::eval_str("s.matches('(a*)*b')", vars(&long)).unwrap(), Value::Bool(false));
    assert_eq!(cel::eval_str("s.matches('^(a|aa)+$')", vars(&long)).unwrap(), Value::Bool(true));
}

#[test]
fn jobs_beyond_githubs_limit_are_refused_and_cycles_always_found() {
    let job = |i: usize, need: Option<usize>| {
        let needs = need.map(|n| format!("    needs: j{n}\n")).unwrap_or_default();
        format!("  j{i}:\n{needs}    runs-on: x\n    steps: [{{run: echo}}]\n")
    };
    // 257 jobs: an error at the 257th.
    let mut wf = String::from("on: push\njobs:\n");
    (0..=MAX_JOBS).for_each(|i| wf.push_str(&job(i, None)));
    let mut diags = Vec::new();
    workflow::parse(&wf, DocId::Workflow, &mut diags);
    let e = errors(&diags);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].message.contains("at most 256 jobs"), "{}", e[0].message);
    let at = e[0].span.unwrap().start as usize;
    assert!(wf[at..].starts_with("j256:"), "{}", &wf[at..at + 10]);

    // 256 jobs in one chain that closes into a cycle: found, on the small
    // stack (the check used to recurse, and was skipped above 512 jobs).
    let mut wf = String::from("on: push\npermissions: {id-token: write}\njobs:\n");
    (0..MAX_JOBS).for_each(|i| wf.push_str(&job(i, Some((i + 1) % MAX_JOBS))));
    let text = scenario_text(&wf);
    let diags = on_small_stack(move || evaluate(&Scenario::parse(&text).unwrap()).diagnostics);
    assert!(errors(&diags).iter().any(|d| d.message.contains("form a cycle")), "{diags:?}");
}

#[test]
fn a_workflow_file_over_githubs_size_limit_is_refused_at_the_limit() {
    let mut wf = String::from("on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n");
    wf.push_str(&"# padding\n".repeat(workflow::MAX_FILE_BYTES / 10));
    let mut diags = Vec::new();
    assert!(workflow::parse(&wf, DocId::Workflow, &mut diags).is_none());
    let e = errors(&diags);
    assert!(e[0].message.starts_with("Workflow file exceeds the maximum allowed size of 500 KB"), "{}", e[0].message);
    assert_eq!(e[0].span.map(|s| s.start as usize), Some(workflow::MAX_FILE_BYTES));
    wf.truncate(workflow::MAX_FILE_BYTES);
    let mut diags = Vec::new();
    assert!(workflow::parse(&wf, DocId::Workflow, &mut diags).is_some(), "{diags:?}");
}

#[test]
fn duplicate_keys_in_a_workflow_are_refused_as_github_does() {
    let wf = "on: push\njobs:\n  build:\n    runs-on: x\n    steps: [{run: a}]\n  Build:\n    runs-on: y\n    steps: [{run: b}]\n";
    let mut diags = Vec::new();
    workflow::parse(wf, DocId::Workflow, &mut diags);
    let e = errors(&diags);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].message.starts_with("'Build' is already defined"), "{}", e[0].message);
    let s = e[0].span.unwrap();
    assert_eq!(&wf[s.start as usize..s.end as usize], "Build");
}

#[test]
fn bad_encodings_and_nul_are_located_errors() {
    let e = doc::decode(b"on: push\njobs:\n  a: \xc3\x28\n", DocId::Workflow).unwrap_err();
    assert_eq!(e.span.map(|s| s.start), Some(20));
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("on: push".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    assert!(doc::decode(&utf16, DocId::Workflow).unwrap_err().message.contains("UTF-16LE"));
    for text in ["a: \"x\0y\"\n", "{\"a\": \"x\0y\"}", "a: 'x\0'\n"] {
        let e = doc::parse(text, DocId::Aws).unwrap_err();
        let at = e.span.unwrap().start as usize;
        assert_eq!(text.as_bytes()[at], 0, "{text:?}: {e}");
    }
}

#[test]
fn inputs_at_the_input_limit_end_in_a_result_or_an_error() {
    // 4 MiB of a deep but legal structure and of one long line: each
    // parser answers without recursion trouble.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(on_small_stack(move || doc::parse(&deep, DocId::Aws).is_err()));
    let wide = format!("[{}1]", "1,".repeat((doc::MAX_INPUT_BYTES - 8) / 2));
    assert!(wide.len() <= doc::MAX_INPUT_BYTES);
    let e = on_small_stack(move || doc::parse(&wide, DocId::Aws).map(|_| ())).unwrap_err();
    assert!(e.message.contains("too many values"), "{e}");
}
