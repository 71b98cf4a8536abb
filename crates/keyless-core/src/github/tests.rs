//! Simulations that need Rust to check: research Appendix A1's claim set
//! and order, snapshots, properties, performance bounds and run fields the
//! fixture format does not express. Scenarios whose checks are expected
//! claims, reasons, runs and diagnostics are data: `tests/github/*.yaml`,
//! run by `tests/fixtures.rs` (see `tests/fixtures/README.md`).

use super::simulate::{JobRun, Simulation, simulate};
use crate::diagnostic::Severity;
use crate::scenario::Scenario;
use crate::span::DocId;
use proptest::prelude::*;

fn sim(yaml: &str) -> Simulation {
    let s = Scenario::parse(yaml).unwrap_or_else(|e| panic!("scenario: {e:?}"));
    simulate(&s)
}

fn run<'a>(sim: &'a Simulation, job: &str) -> &'a JobRun {
    sim.runs
        .iter()
        .find(|r| r.job == job)
        .unwrap_or_else(|| panic!("no run {job}: {:?}", sim.runs.iter().map(|r| &r.job).collect::<Vec<_>>()))
}

fn claim(r: &JobRun, name: &str) -> String {
    r.token.claims.text(name).unwrap_or_else(|| panic!("no claim {name} in {:?}", r.token.claims))
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

/// A scenario with the given workflow text and extra top-level YAML.
fn scenario(repo: &str, event: &str, workflow: &str, extra: &str) -> String {
    format!("repository: {repo}\nevent:\n{}\nworkflow: |\n{}{extra}", indent(event), indent(workflow))
}

// ---------------------------------------------------------------- Appendix A

const A1_WORKFLOW: &str = "name: TokenTest
on: push
jobs:
  token:
    runs-on: ubuntu-latest
    environment: Production
    permissions:
      id-token: write
    steps:
      - uses: azure/login@v2
        with:
          client-id: x
          audience: test
";

fn a1() -> Simulation {
    sim(&scenario(
        "haitch/jwtInspector",
        "name: push\nref: refs/heads/main\nsha: 8b42ec0b6b973f5465ddc4e667cee9ba26aeabb5\nactor: haitch\nactor_id: \"1167635\"",
        A1_WORKFLOW,
        "repository_id: \"860122172\"\nrepository_owner_id: \"1167635\"\nvisibility: public\nworkflow_path: .github/workflows/tokenTest.yml\noptions:\n  issued_at: \"1727071187\"\n",
    ))
}

/// Research Appendix A1 (haitch/jwtInspector README, Sept 2024): every
/// claim except the per-run random ones, and the claim order.
#[test]
fn appendix_a1_haitch_push_with_environment() {
    let sim = a1();
    assert!(sim.diagnostics.iter().all(|d| d.severity != Severity::Error), "{:?}", sim.diagnostics);
    let r = run(&sim, "token");
    let real: serde_json::Value = serde_json::from_str(
        r#"{"jti":"381ca463-fd09-4f7e-b3ee-77f6fc06b7f7","sub":"repo:haitch/jwtInspector:environment:Production","aud":"test",
 "ref":"refs/heads/main","sha":"8b42ec0b6b973f5465ddc4e667cee9ba26aeabb5","repository":"haitch/jwtInspector",
 "repository_owner":"haitch","repository_owner_id":"1167635","run_id":"10988497055","run_number":"19","run_attempt":"1",
 "repository_visibility":"public","repository_id":"860122172","actor_id":"1167635","actor":"haitch","workflow":"TokenTest",
 "head_ref":"","base_ref":"","event_name":"push","ref_protected":"false","ref_type":"branch",
 "workflow_ref":"haitch/jwtInspector/.github/workflows/tokenTest.yml@refs/heads/main",
 "workflow_sha":"8b42ec0b6b973f5465ddc4e667cee9ba26aeabb5","environment":"Production","environment_node_id":"EN_kwDOM0RsPM7xAwGo",
 "job_workflow_ref":"haitch/jwtInspector/.github/workflows/tokenTest.yml@refs/heads/main",
 "job_workflow_sha":"8b42ec0b6b973f5465ddc4e667cee9ba26aeabb5","runner_environment":"github-hosted",
 "iss":"https://token.actions.githubusercontent.com","nbf":1727070587,"exp":1727071487,"iat":1727071187}"#,
    )
    .unwrap();
    let ours = serde_json::to_value(&r.token.claims).unwrap();
    let random = ["jti", "run_id", "run_number", "environment_node_id"];
    for (k, v) in real.as_object().unwrap() {
        if !random.contains(&k.as_str()) {
            assert_eq!(ours.get(k), Some(v), "claim {k}");
        }
    }
    // Same claims in the same order; check_run_id is newer than the sample (CL-CRID).
    let our_keys: Vec<&str> = r.token.claims.iter().map(|(k, _)| k).filter(|k| *k != "check_run_id").collect();
    let mut real_keys: Vec<&str> = Vec::new();
    for line in [
        "jti sub aud ref sha repository repository_owner repository_owner_id run_id run_number run_attempt",
        "repository_visibility repository_id actor_id actor workflow head_ref base_ref event_name ref_protected",
        "ref_type workflow_ref workflow_sha environment environment_node_id job_workflow_ref job_workflow_sha",
        "runner_environment iss nbf exp iat",
    ] {
        real_keys.extend(line.split(' '));
    }
    assert_eq!(our_keys, real_keys);
    assert!(r.token.explanation.iter().any(|e| e.contains("environment `Production`") && e.contains("precedence")));
}

/// An insta snapshot of a full claims set and its explanation.
#[test]
fn snapshot_full_claims_a1() {
    let sim = a1();
    let r = run(&sim, "token");
    insta::assert_json_snapshot!("a1_full_token", (&r.token, &r.logins));
}

// ------------------------------------------------------------------- helpers

fn one_job(event: &str, job_yaml: &str, extra: &str) -> Simulation {
    let wf = format!(
        "on: [push, pull_request, pull_request_target, pull_request_review, merge_group, workflow_dispatch, schedule, release]\njobs:\n  j:\n{}",
        indent(&indent(job_yaml))
    );
    sim(&scenario("octo-org/octo-repo", event, &wf, extra))
}

// ------------------------------------------------ expressions, matrix, reuse

#[test]
fn matrix_environments_give_one_token_each() {
    let job = "strategy:\n  matrix:\n    env: [dev, prod]\n    include:\n      - env: prod\n        region: eu\nenvironment: ${{ matrix.env }}\nname: deploy ${{ matrix.env }}\npermissions:\n  id-token: write\nsteps: []\n";
    let sim = one_job("name: push", job, "");
    assert_eq!(sim.runs.len(), 2);
    assert_eq!(claim(&sim.runs[0], "sub"), "repo:octo-org/octo-repo:environment:dev");
    assert_eq!(claim(&sim.runs[1], "sub"), "repo:octo-org/octo-repo:environment:prod");
    assert_eq!(sim.runs[1].name.as_deref(), Some("deploy prod"));
    assert_eq!(sim.runs[1].matrix.as_ref().unwrap()["region"], "eu");
    assert_ne!(claim(&sim.runs[0], "jti"), claim(&sim.runs[1], "jti"));
    assert_ne!(claim(&sim.runs[0], "check_run_id"), claim(&sim.runs[1], "check_run_id"));
}

// ------------------------------------------------------------------ properties

proptest! {
    /// A customized `sub` never holds an unescaped `:` inside a value: it
    /// always splits into exactly two parts per key (D-REF escaping rule).
    #[test]
    fn custom_sub_values_never_hold_a_colon(
        env in ".{0,20}",
        owner_value in ".{0,20}",
        keys in proptest::collection::vec(prop::sample::select(vec!["repo", "context", "environment", "repository_owner", "job_workflow_ref"]), 1..6),
    ) {
        let mut claims = crate::claims::Claims::new();
        claims.set("environment", env.clone());
        claims.set("repository_owner", owner_value.clone());
        claims.set("job_workflow_ref", format!("a/b/.github/workflows/x.yml@refs/heads/{owner_value}"));
        let s = Scenario::new("o", "r");
        let (context, _) = super::subject::default_context(&s, Some(&env), "refs/heads/main");
        let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        let (sub, _) = super::subject::custom_subject(&keys, "repo:o/r", &context, &claims).unwrap();
        prop_assert_eq!(sub.split(':').count(), keys.len() * 2);
    }

    /// Hostile workflow text never panics.
    #[test]
    fn arbitrary_workflow_text_never_panics(text in ".{0,400}") {
        let mut s = Scenario::new("o", "r");
        s.workflow.text = text;
        let _ = simulate(&s);
    }

    /// Workflow-shaped hostile input (expressions, matrices, permissions).
    #[test]
    fn workflow_shaped_input_never_panics(
        parts in proptest::collection::vec(prop::sample::select(vec![
            "on: push\n", "on: [push, pull_request]\n", "permissions: write-all\n", "permissions: {}\n",
            "jobs:\n", "  j:\n", "    environment: ${{ matrix.e }}\n", "    environment: ${{\n",
            "    if: ${{ fromJSON('[') }}\n", "    if: failure() || ''\n", "    strategy:\n      matrix:\n        e: [a, b]\n",
            "    strategy:\n      matrix: ${{ fromJSON(inputs.m) }}\n", "    uses: ./x.yml\n", "    uses: a/b/c@${{ x }}\n",
            "    steps:\n      - uses: azure/login@v2\n        with:\n          audience: ${{ format('{0}', matrix) }}\n",
            "    permissions:\n      id-token: read\n", "  k: 3\n", "    with: [1]\n", "- x\n", "{", "'\n",
        ]), 0..14),
        input in ".{0,30}",
    ) {
        let mut s = Scenario::new("o", "r");
        s.workflow.text = parts.concat();
        s.inputs.insert("m".into(), serde_json::Value::String(input));
        let _ = simulate(&s);
    }

    /// Arbitrary expression text never panics the evaluator.
    #[test]
    fn arbitrary_expressions_never_panic(src in ".{0,80}") {
        let _ = super::expr::eval_str(&src, &super::expr::Contexts::new());
        let _ = super::expr::eval_template(&src, &super::expr::Contexts::new());
    }
}

/// A reusable workflow calling itself with a matrix cannot explode: nesting
/// stops at GitHub's depth, runs at MAX_RUNS.
#[test]
fn self_calling_matrix_is_bounded() {
    let wf = "on: [push, workflow_call]\npermissions:\n  id-token: write\njobs:\n  a:\n    strategy:\n      matrix:\n        n: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32]\n    uses: ./.github/workflows/deploy.yml\n";
    let extra = format!("reusable_workflows:\n  o/r/.github/workflows/deploy.yml: |\n{}", indent(&indent(wf)));
    let sim = sim(&scenario("o/r", "name: push", wf, &extra));
    assert!(sim.runs.len() <= super::simulate::MAX_RUNS);
    assert!(sim.diagnostics.iter().any(|d| d.severity == Severity::Error));
}

// ------------------------------------------------------ fidelity review (review-gh)

/// Performance: a 256-combination matrix (GitHub's limit) plus three
/// reusable workflows with matrices of their own, one nesting another,
/// simulates quickly (the playground evaluates on every keystroke).
#[test]
fn large_matrix_and_reusable_workflows_are_fast() {
    let axis = (0..16).map(|i| format!("v{i}")).collect::<Vec<_>>().join(", ");
    let caller = format!(
        "name: Big\non: push\npermissions:\n  id-token: write\njobs:\n  big:\n    strategy:\n      matrix:\n        a: [{axis}]\n        b: [{axis}]\n    environment: ${{{{ matrix.a }}}}-${{{{ matrix.b }}}}\n    if: ${{{{ github.ref_name == 'main' && inputs.skip != 'yes' }}}}\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::1:role/r\n          audience: ${{{{ matrix.a == 'v0' && 'sts.amazonaws.com' || 'other' }}}}\n  r1:\n    uses: ./.github/workflows/r1.yml\n    with:\n      env: prod\n  r2:\n    uses: octo-org/central/.github/workflows/r2.yml@main\n  r3:\n    strategy:\n      matrix:\n        region: [eu, us, ap]\n    uses: ./.github/workflows/r1.yml\n    with:\n      env: ${{{{ matrix.region }}}}\n"
    );
    let inner = "on:\n  workflow_call:\n    inputs:\n      env:\n        type: string\n        default: dev\njobs:\n  d:\n    strategy:\n      matrix:\n        x: [1, 2, 3, 4]\n        y: [a, b, c, d]\n    environment: ${{ inputs.env }}-${{ matrix.x }}${{ matrix.y }}\n    steps:\n      - uses: azure/login@v2\n        with:\n          client-id: c\n  n:\n    uses: octo-org/central/.github/workflows/r2.yml@main\n";
    let r2 = "on: workflow_call\njobs:\n  e:\n    strategy:\n      matrix:\n        k: [1, 2, 3, 4, 5, 6, 7, 8]\n    environment: central-${{ matrix.k }}\n    steps: []\n";
    let extra = format!(
        "reusable_workflows:\n  o/r/.github/workflows/r1.yml: |\n{}  octo-org/central/.github/workflows/r2.yml: |\n{}",
        indent(&indent(inner)),
        indent(&indent(r2))
    );
    let text = scenario("o/r", "name: push", &caller, &extra);
    let start = std::time::Instant::now();
    let s = sim(&text);
    let elapsed = start.elapsed();
    // 256 + r1 (16 + 8) + r2 (8) + r3 3 × (16 + 8) = 360 runs.
    println!("simulated {} runs in {elapsed:?}", s.runs.len());
    assert_eq!(s.runs.len(), 256 + 24 + 8 + 72, "{:?}", s.diagnostics);
    assert!(s.runs.iter().all(|r| r.token.issued));
    assert!(s.diagnostics.iter().all(|d| d.severity != Severity::Error), "{:?}", s.diagnostics);
    assert_eq!(
        claim(run(&s, "r1/n/e"), "job_workflow_ref"),
        "octo-org/central/.github/workflows/r2.yml@refs/heads/main"
    );
    assert!(elapsed < std::time::Duration::from_secs(2), "{elapsed:?}");
}

/// Hostile but plausible workflows: no panic, every finding located.
#[test]
fn hostile_workflows_give_located_findings() {
    let jobs = [
        "environment:\n  name: [a, b]\nsteps: []\n",
        "environment: ${{ inputs.x\nsteps: []\n",
        "permissions: 3\nsteps: []\n",
        "permissions:\n  id-token: [write]\nsteps: []\n",
        "uses: '@'\n",
        "uses: a/b@\n",
        "uses: ./\n",
        "strategy:\n  matrix:\n    include: 3\nsteps: []\n",
        "strategy:\n  matrix: ${{ fromJSON('[1]') }}\nsteps: []\n",
        "strategy: 5\nsteps: []\n",
        "if: ${{ format('{0', 1) }}\nsteps: []\n",
        "steps:\n  - uses: [x]\n",
        "steps:\n  - uses: azure/login@v2\n    with: 7\n",
        "environment: ${{ fromJSON('{\"a\":1}') }}\npermissions:\n  id-token: write\nsteps: []\n",
    ];
    for j in jobs {
        let s = one_job("name: push", j, "");
        assert!(s.diagnostics.iter().all(|d| d.span.is_some()), "{j}: {:?}", s.diagnostics);
        assert!(
            !s.diagnostics.is_empty() || s.runs.iter().all(|r| !r.token.issued) || j.contains("fromJSON('{"),
            "{j}: nothing reported"
        );
    }
    for wf in [
        "on: 5\njobs: {}\n",
        "jobs: []\non: push\n",
        "on: push\njobs:\n  j: ~\n",
        "[1, 2]\n",
        "on: push\njobs:\n  j:\n    uses: ./.github/workflows/r.yml\n",
    ] {
        let extra = "reusable_workflows:\n  o/r/.github/workflows/r.yml: \"{{{\"\n";
        let s = sim(&scenario("o/r", "name: push", wf, extra));
        assert!(s.diagnostics.iter().all(|d| d.span.is_some()), "{wf}: {:?}", s.diagnostics);
    }
}

/// Hostile expression nesting within the 16 KiB limit: refused or
/// evaluated, never a stack overflow (the playground runs in wasm, with a
/// small stack).
#[test]
fn deeply_nested_expressions_do_not_overflow() {
    use super::expr::{Contexts, eval_str};
    assert!(eval_str("((1))", &Contexts::new()).is_ok());
    for n in [100usize, 1000, 8000] {
        let _ = eval_str(&format!("{}1{}", "(".repeat(n), ")".repeat(n)), &Contexts::new());
        let _ = eval_str(&format!("{}true", "!".repeat(n)), &Contexts::new());
        let _ = eval_str(&format!("{}1{}", "fromJSON(".repeat(n / 9), ")".repeat(n / 9)), &Contexts::new());
        let _ = eval_str(&format!("{}1{}", "format('{0}', ".repeat(n / 14), ")".repeat(n / 14)), &Contexts::new());
    }
}

/// GitHub refused the whole run: an error says why and even the job that
/// is fine on its own (`ok`) gets no token.
fn assert_run_rejected(s: &Simulation, message: &str) {
    assert!(
        s.diagnostics.iter().any(|d| d.severity == Severity::Error && d.message.contains(message)),
        "{:?}",
        s.diagnostics
    );
    assert!(!run(s, "ok").token.issued);
}

// ------------------------------------------------- inputs GitHub validates

/// A dispatch of `wf` with the scenario's `inputs` (YAML lines), and the
/// scenario text (to read spans back).
fn dispatch(wf: &str, inputs: &str) -> (Simulation, String) {
    let text = scenario("o/r", "name: workflow_dispatch", wf, &format!("inputs:\n{}", indent(inputs)));
    (sim(&text), text)
}

/// The dispatch was refused: an error naming GitHub's text, located at
/// `at` of the scenario (when given), and no job has a token.
fn assert_dispatch_refused(s: &Simulation, text: &str, github_error: &str, at: Option<&str>) {
    let d = s
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error && d.message.contains(github_error))
        .unwrap_or_else(|| panic!("no error {github_error:?}: {:?}", s.diagnostics));
    assert!(d.message.contains("refuses the dispatch (HTTP 422)"), "{}", d.message);
    if let Some(at) = at {
        let span = d.span.unwrap();
        assert_eq!(span.doc, DocId::Scenario);
        assert_eq!(&text[span.start as usize..span.end as usize], at);
    }
    assert!(!s.runs.is_empty());
    for r in &s.runs {
        assert!(!r.token.issued, "{} got a token", r.job);
        let reason = r.token.reason.as_deref().unwrap();
        assert!(reason.contains("no run is created") && reason.contains(github_error), "{reason}");
    }
}

fn assert_dispatch_accepted(s: &Simulation) {
    assert!(s.diagnostics.iter().all(|d| !d.message.contains("dispatch")), "{:?}", s.diagnostics);
    assert!(run(s, "j").token.issued, "{:?}", run(s, "j").token);
}

const DISPATCH_JOB: &str = "jobs:\n  j:\n    permissions:\n      id-token: write\n    steps: []\n";

/// A `choice` takes one of its `options`, exactly: "HTTP 422: Provided
/// value '…' for input '…' not in the list of allowed values" (OBS
/// cli/cli#5246; D-WFS `on.workflow_dispatch.inputs.<input_id>.options`).
#[test]
fn dispatch_choice_outside_its_options_is_refused() {
    let wf = format!(
        "on:\n  workflow_dispatch:\n    inputs:\n      env:\n        type: choice\n        options: [staging, prod]\n{DISPATCH_JOB}"
    );
    let (s, text) = dispatch(&wf, "env: production\n");
    assert_dispatch_refused(
        &s,
        &text,
        "Provided value 'production' for input 'env' not in the list of allowed values",
        Some("production"),
    );
    assert_dispatch_accepted(&dispatch(&wf, "env: prod\n").0);
}

/// A required input without default must be given ("Required input
/// 'branch_name' not provided", OBS backstage/backstage#18511); with a
/// default, an omitted input takes it (REST "Create a workflow dispatch
/// event": "Any default properties configured in the workflow file will be
/// used when inputs are omitted").
#[test]
fn dispatch_without_a_required_input_is_refused() {
    let wf = format!(
        "on:\n  workflow_dispatch:\n    inputs:\n      tag:\n        required: true\n      note:\n        default: x\n        required: true\n{DISPATCH_JOB}"
    );
    let (s, text) = dispatch(&wf, "note: y\n");
    assert_dispatch_refused(&s, &text, "Required input 'tag' not provided", None);
    // Located at the workflow's declaration of the input.
    let d = s.diagnostics.iter().find(|d| d.message.contains("Required input 'tag'")).unwrap();
    assert_eq!(d.span.unwrap().doc, DocId::Workflow);
    assert_dispatch_accepted(&dispatch(&wf, "tag: v1\n").0);
    // The run form always sends a checkbox; the API does not: said so.
    let wf = format!(
        "on:\n  workflow_dispatch:\n    inputs:\n      dry:\n        type: boolean\n        required: true\n{DISPATCH_JOB}"
    );
    let (s, text) = dispatch(&wf, "");
    assert_dispatch_refused(&s, &text, "Required input 'dry' not provided (the run form would send false)", None);
}

/// A boolean takes `true` or `false` only: "Provided value '' for input
/// 'debug' not in the list of allowed values" (OBS cli/cli#5246, a boolean
/// input sent empty).
#[test]
fn dispatch_boolean_that_is_not_true_or_false_is_refused() {
    let wf = format!("on:\n  workflow_dispatch:\n    inputs:\n      debug:\n        type: boolean\n{DISPATCH_JOB}");
    let (s, text) = dispatch(&wf, "debug: \"\"\n");
    assert_dispatch_refused(
        &s,
        &text,
        "Provided value '' for input 'debug' not in the list of allowed values",
        Some("\"\""),
    );
    let (s, text) = dispatch(&wf, "debug: yes please\n");
    assert_dispatch_refused(&s, &text, "Provided value 'yes please' for input 'debug'", Some("yes please"));
    for ok in ["debug: true\n", "debug: \"false\"\n"] {
        assert_dispatch_accepted(&dispatch(&wf, ok).0);
    }
}

/// A number input given text that is no number: GitHub's wording is not
/// reported, so the message says "(Keyless)" and [INF] (D-WFS
/// `on.workflow_dispatch.inputs.<input_id>.type`).
#[test]
fn dispatch_number_that_is_not_a_number_is_refused_and_labelled() {
    let wf = format!("on:\n  workflow_dispatch:\n    inputs:\n      count:\n        type: number\n{DISPATCH_JOB}");
    let (s, text) = dispatch(&wf, "count: many\n");
    assert_dispatch_refused(
        &s,
        &text,
        "(Keyless) Provided value 'many' for input 'count' is not a number",
        Some("many"),
    );
    assert!(s.diagnostics.iter().any(|d| d.message.contains("[INF")), "{:?}", s.diagnostics);
    for ok in ["count: 3\n", "count: \"2.5\"\n", "count: \"\"\n"] {
        assert_dispatch_accepted(&dispatch(&wf, ok).0);
    }
}

/// Inputs the workflow does not declare: "Unexpected inputs provided:
/// [\"action\", \"arg\", \"customer\"]" (OBS benc-uk/workflow-dispatch#80,
/// peter-evans/slash-command-dispatch#115), all of them in one message.
#[test]
fn dispatch_with_undeclared_inputs_is_refused() {
    let wf = format!("on:\n  workflow_dispatch:\n    inputs:\n      env:\n        default: dev\n{DISPATCH_JOB}");
    let (s, text) = dispatch(&wf, "arg: 1\nenv: prod\ncustomer: c\n");
    assert_dispatch_refused(&s, &text, "Unexpected inputs provided: [\"arg\", \"customer\"]", Some("1"));
    // A workflow without inputs takes none either.
    let (s, text) = dispatch(&format!("on: workflow_dispatch\n{DISPATCH_JOB}"), "env: prod\n");
    assert_dispatch_refused(&s, &text, "Unexpected inputs provided: [\"env\"]", Some("prod"));
    assert_dispatch_accepted(&dispatch(&wf, "env: prod\n").0);
}

/// At most 25 top-level inputs (D-WFS; CL-INPUTS raised it from 10): more
/// given to a dispatch are refused, with Keyless's words (GitHub's are not
/// reported); a workflow declaring more is an invalid workflow file, so
/// its run fails at startup whatever the event ("you may only define up to
/// 10 `inputs` for a `workflow_dispatch` event", github/docs#15710; on
/// `workflow_run` too, Azure-Samples/holiday-peak-hub#811).
#[test]
fn more_than_25_dispatch_inputs_are_refused() {
    let declare = |n: usize| -> String { (0..n).map(|i| format!("      i{i:02}:\n        default: x\n")).collect() };
    let given: String = (0..26).map(|i| format!("i{i:02}: y\n")).collect();
    let wf = format!("on:\n  workflow_dispatch:\n    inputs:\n{}{DISPATCH_JOB}", declare(25));
    let (s, text) = dispatch(&wf, &given);
    assert_dispatch_refused(&s, &text, "(Keyless) 26 inputs are given; a dispatch takes at most 25", Some("y"));
    let given: String = (0..25).map(|i| format!("i{i:02}: y\n")).collect();
    assert_dispatch_accepted(&dispatch(&wf, &given).0);
    // 26 declared: the workflow file is invalid, even for a push.
    let wf = format!("on:\n  push:\n  workflow_dispatch:\n    inputs:\n{}{DISPATCH_JOB}", declare(26));
    let s = sim(&scenario("o/r", "name: push", &wf, ""));
    let want = "you may only define up to 25 `inputs` for a `workflow_dispatch` event";
    assert!(
        s.diagnostics.iter().any(|d| d.severity == Severity::Error && d.message.contains(want)),
        "{:?}",
        s.diagnostics
    );
    let j = run(&s, "j");
    assert!(!j.token.issued && j.token.reason.as_deref().unwrap().contains("startup_failure"), "{:?}", j.token);
}

/// A caller job, a sibling job that alone would get a token, and the
/// called workflow `r.yml` declaring `inputs` (YAML under
/// `on.workflow_call.inputs`); the caller passes `with` (YAML lines).
fn call_with(called_inputs: &str, with: &str) -> (Simulation, String) {
    let with = if with.is_empty() { String::new() } else { format!("    with:\n{}", indent(&indent(&indent(with)))) };
    let caller = format!(
        "on: push\npermissions:\n  id-token: write\njobs:\n  ok:\n    steps: []\n  call:\n    uses: ./.github/workflows/r.yml\n{with}"
    );
    let called = format!(
        "on:\n  workflow_call:\n    inputs:\n{}jobs:\n  deploy:\n    steps: []\n",
        indent(&indent(&indent(called_inputs)))
    );
    let extra = format!("reusable_workflows:\n  o/r/.github/workflows/r.yml: |\n{}", indent(&indent(&called)));
    let s = sim(&scenario("o/r", "name: push", &caller, &extra));
    (s, caller)
}

/// The run failed at startup for `message`, located in the caller's
/// workflow at `at`.
fn assert_call_rejected(s: &Simulation, caller: &str, message: &str, at: &str) {
    assert_run_rejected(s, message);
    let d = s.diagnostics.iter().find(|d| d.message.contains(message)).unwrap();
    assert!(d.message.contains("The workflow is not valid."), "{}", d.message);
    let span = d.span.unwrap();
    assert_eq!(span.doc, DocId::Workflow);
    assert_eq!(&caller[span.start as usize..span.end as usize], at);
    assert!(run(s, "ok").token.reason.as_deref().unwrap().contains("startup_failure"));
}

fn assert_call_accepted(s: &Simulation) {
    assert!(s.diagnostics.iter().all(|d| d.severity != Severity::Error), "{:?}", s.diagnostics);
    assert!(run(s, "ok").token.issued);
}

/// A required `workflow_call` input must be passed, even when it has a
/// default: "The workflow is not valid. … Input test_input is required,
/// but not provided while calling." (OBS rhysd/actionlint#154, required
/// with a default; tenstorrent/tt-metal#19474).
#[test]
fn call_without_a_required_input_fails_at_startup() {
    let inputs = "region:\n  type: string\n  required: true\n  default: eu\n";
    let (s, caller) = call_with(inputs, "");
    assert_call_rejected(
        &s,
        &caller,
        "Input region is required, but not provided while calling.",
        "./.github/workflows/r.yml",
    );
    assert_call_accepted(&call_with(inputs, "region: us\n").0);
    // Not required: omitting it is fine.
    assert_call_accepted(&call_with("region:\n  type: string\n", "").0);
}

/// A `with:` key the called workflow does not declare: "Invalid input,
/// enable-e2e-tests is not defined in the referenced workflow." (OBS
/// hiero-ledger/hiero-consensus-node#15168, a startup failure).
#[test]
fn call_with_an_undeclared_input_fails_at_startup() {
    let (s, caller) = call_with("region:\n  type: string\n", "regoin: us\n");
    assert_call_rejected(&s, &caller, "Invalid input, regoin is not defined in the referenced workflow.", "us");
}

/// A boolean input given text is refused: "Unexpected value 'false'" (OBS
/// 3rdIteration/seedsigner#443: a string from `github.event.inputs`); a
/// string input takes a boolean (OBS actions/runner#1483: "boolean can be
/// cast to string"); other mismatches are refused the same way, labelled
/// [INF].
#[test]
fn call_with_a_value_of_the_wrong_type_fails_at_startup() {
    let inputs = "dry:\n  type: boolean\nname:\n  type: string\ncount:\n  type: number\n";
    let (s, caller) = call_with(inputs, "dry: \"true\"\n");
    assert_call_rejected(&s, &caller, "Unexpected value 'true' (input dry is `type: boolean`)", "\"true\"");
    assert!(s.diagnostics.iter().all(|d| !d.message.contains("[INF]")), "{:?}", s.diagnostics);
    // From an expression whose value is known: a string.
    let (s, caller) = call_with(inputs, "dry: ${{ github.event_name }}\n");
    assert_call_rejected(&s, &caller, "Unexpected value 'push'", "${{ github.event_name }}");
    let (s, caller) = call_with(inputs, "count: lots\n");
    assert_call_rejected(&s, &caller, "Unexpected value 'lots' (input count is `type: number`) [INF]", "lots");
    assert_call_accepted(&call_with(inputs, "dry: true\nname: false\ncount: 3\n").0);
    assert_call_accepted(&call_with(inputs, "dry: ${{ github.event_name == 'push' }}\nname: 7\n").0);
}

/// Unknown is not wrong: a `with:` expression whose value the scenario
/// does not give (a job output, a secret) is never judged against the
/// input's type (ARCHITECTURE "Unknown is not guessed").
#[test]
fn call_with_an_unknown_value_is_not_judged() {
    let inputs = "dry:\n  type: boolean\n  required: true\ncount:\n  type: number\n";
    let s = call_with(inputs, "dry: ${{ vars.DRY }}\ncount: ${{ vars.COUNT }}\n").0;
    assert!(s.diagnostics.iter().all(|d| !d.message.contains("The workflow is not valid")), "{:?}", s.diagnostics);
    assert!(run(&s, "ok").token.issued);
}

// ---------------------------------------------------- environment protection

const PROD_JOB: &str = "environment: prod\npermissions:\n  id-token: write\nsteps:\n  - uses: aws-actions/configure-aws-credentials@v4\n    with:\n      role-to-assume: arn:aws:iam::111122223333:role/r\n";

/// D-ENV "Deployment branches and tags": a job from a branch the
/// environment's rules do not admit fails before it starts ("Branch "x" is
/// not allowed to deploy to prod due to environment protection rules.",
/// E1), so it requests no token although its `sub` would be
/// `environment:prod`; the rules' entry in the scenario is the span.
#[test]
fn a_branch_the_environment_refuses_gets_no_token() {
    let rules = "environments:\n  prod:\n    deployment_branches: [main]\n";
    let s = one_job("name: push\nref: refs/heads/feature", PROD_JOB, rules);
    let r = run(&s, "j");
    assert!(!r.token.issued);
    let reason = r.token.reason.as_deref().unwrap();
    assert!(
        reason.starts_with("Branch \"feature\" is not allowed to deploy to prod due to environment protection rules."),
        "{reason}"
    );
    assert!(
        r.token.explanation.iter().any(|e| e.contains("only branches matching `main`")),
        "{:?}",
        r.token.explanation
    );
    assert_eq!(r.environment.as_deref(), Some("prod"));
    assert_eq!(r.logins.len(), 1, "the login step is still shown");
    let span = r.token.rule_span.unwrap();
    assert_eq!(span.doc, DocId::Scenario);
    // From `main` the same job gets its token, and the explanation says why.
    let s = one_job("name: push\nref: refs/heads/main", PROD_JOB, rules);
    let r = run(&s, "j");
    assert!(r.token.issued);
    assert_eq!(claim(r, "sub"), "repo:octo-org/octo-repo:environment:prod");
    assert!(r.token.explanation.iter().any(|e| e.contains("matches the deployment branch rule `main`")));
    // Without id-token: write the job still fails on the rules first.
    let no_perm = "environment: prod\nsteps: []\n";
    let s = one_job("name: push\nref: refs/heads/feature", no_perm, rules);
    assert!(run(&s, "j").token.reason.as_deref().unwrap().starts_with("Branch \"feature\""));
}

/// D-ENV: rules are matched against `GITHUB_REF`: for `pull_request` the
/// merge ref (D-EVT; CL-PRT since 2025-12-08), so a `main`-only environment
/// refuses every pull request — from forks too — while `pull_request_target`
/// runs on the default branch (CL-PRT) and passes.
#[test]
fn pull_request_events_are_checked_on_their_own_ref() {
    let rules = "environments:\n  prod:\n    deployment_branches: [main]\n";
    let s = one_job("name: pull_request\npr_number: 9\nhead_ref: main\nbase_ref: main", PROD_JOB, rules);
    let r = run(&s, "j");
    assert!(!r.token.issued);
    assert!(
        r.token.reason.as_deref().unwrap().starts_with("Branch \"refs/pull/9/merge\" is not allowed"),
        "{:?}",
        r.token.reason
    );
    assert!(r.token.explanation.iter().any(|e| e.contains("not the head branch")));
    let s = one_job("name: pull_request_target\npr_number: 9\nfrom_fork: true", PROD_JOB, rules);
    let r = run(&s, "j");
    assert!(r.token.issued, "{:?}", r.token.reason);
    assert!(r.token.explanation.iter().any(|e| e.contains("whoever opened the pull request")));
    // D-ENV's own example: a branch rule `refs/pull/*/merge` admits them.
    let open = "environments:\n  prod:\n    deployment_branches: [main, 'refs/pull/*/merge']\n";
    let s = one_job("name: pull_request\npr_number: 9", PROD_JOB, open);
    assert!(run(&s, "j").token.issued);
}

/// D-ENV: tags deploy only through tag rules ("Name patterns must be
/// configured for branches or tags individually"), and never under
/// "Protected branches only"; the error names the tag (E1).
#[test]
fn tags_need_tag_rules() {
    let rules = "environments:\n  prod:\n    deployment_branches: [main]\n    deployment_tags: ['v*']\n";
    let s = one_job("name: push\nref: refs/tags/v1.2.0", PROD_JOB, rules);
    assert!(run(&s, "j").token.issued);
    let s = one_job("name: push\nref: refs/tags/nightly", PROD_JOB, rules);
    assert!(
        run(&s, "j").token.reason.as_deref().unwrap().starts_with("Tag \"nightly\" is not allowed to deploy to prod")
    );
    let protected = "environments:\n  prod:\n    deployment_branches: protected\nprotected_branches: [main]\n";
    let s = one_job("name: release\nref: main", PROD_JOB, protected);
    assert!(run(&s, "j").token.reason.as_deref().unwrap().starts_with("Tag \"main\" is not allowed"));
}

/// D-ENV "Protected branches only" with the repository's branch protection
/// rules (D-BPR patterns); without them the scenario's `ref_protected`
/// decides and the explanation says so; a disagreement between the two is
/// a warning (the token's `ref_protected` claim follows `ref_protected`).
#[test]
fn protected_branches_policy() {
    let rules = "environments:\n  prod:\n    deployment_branches: protected\n";
    let with = format!("{rules}protected_branches: [main, 'release/*']\nref_protected: true\n");
    let s = one_job("name: push\nref: refs/heads/release/3", PROD_JOB, &with);
    assert!(run(&s, "j").token.issued);
    assert!(!s.diagnostics.iter().any(|d| d.message.contains("ref_protected")), "{:?}", s.diagnostics);
    let s = one_job("name: push\nref: refs/heads/release/3/x", PROD_JOB, &with);
    assert!(!run(&s, "j").token.issued);
    assert!(s.diagnostics.iter().any(|d| d.message.contains("`ref_protected` is true")), "{:?}", s.diagnostics);
    // Unknown protection: `ref_protected` (default false) decides, labelled.
    let s = one_job("name: push\nref: refs/heads/main", PROD_JOB, rules);
    let r = run(&s, "j");
    assert!(!r.token.issued);
    assert!(r.token.explanation.iter().any(|e| e.contains("does not list `protected_branches`")));
    let s = one_job("name: push\nref: refs/heads/main", PROD_JOB, &format!("{rules}ref_protected: true\n"));
    assert!(run(&s, "j").token.issued);
}

/// D-ENV "Required reviewers": the job waits for approval, then runs: a
/// note, not a refusal. An environment the scenario does not list keeps
/// unknown rules, and the explanation says so.
#[test]
fn reviewers_and_unlisted_environments_are_explained() {
    let rules = "environments:\n  Prod:\n    required_reviewers: true\n";
    let s = one_job("name: push\nref: refs/heads/feature", PROD_JOB, rules);
    let r = run(&s, "j");
    assert!(r.token.issued);
    assert!(r.token.explanation.iter().any(|e| e.contains("requires a reviewer")), "{:?}", r.token.explanation);
    let s = one_job("name: push\nref: refs/heads/feature", PROD_JOB, "");
    let r = run(&s, "j");
    assert!(r.token.issued);
    assert!(r.token.explanation.iter().any(|e| e.contains("gives no protection rules for environment `prod`")));
    assert_eq!(r.token.rule_span, None);
}

/// A job of a called reusable workflow deploys from the caller's run ref
/// (D-RWF: the caller's context), so the same rules apply to it.
#[test]
fn called_jobs_are_checked_against_the_run_ref() {
    let called = "on: workflow_call\njobs:\n  deploy:\n    runs-on: x\n    environment: prod\n    permissions:\n      id-token: write\n    steps: []\n";
    let extra = format!(
        "environments:\n  prod:\n    deployment_branches: [main]\nreusable_workflows:\n  o/r/.github/workflows/r.yml: |\n{}",
        indent(&indent(called))
    );
    let caller =
        "on: push\njobs:\n  call:\n    permissions:\n      id-token: write\n    uses: ./.github/workflows/r.yml\n";
    let s = sim(&scenario("o/r", "name: push\nref: refs/heads/dev", caller, &extra));
    assert!(run(&s, "call/deploy").token.reason.as_deref().unwrap().starts_with("Branch \"dev\" is not allowed"));
}
