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

fn one_job(event: &str, job_yaml: &str, extra: &str) -> Simulation {
    let wf = format!(
        "on: [push, pull_request, pull_request_target, pull_request_review, merge_group, workflow_dispatch, schedule, release]\njobs:\n  j:\n{}",
        indent(&indent(job_yaml))
    );
    sim(&scenario("octo-org/octo-repo", event, &wf, extra))
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

// -------------------------------------------------------------- matrix runs

/// Run fields the fixture format does not hold (the runs' subjects are
/// `tests/github/matrix.yaml`): each combination's display name and matrix
/// values, and per-run random claims that differ between runs.
#[test]
fn matrix_runs_have_their_own_name_values_and_ids() {
    let job = "strategy:\n  matrix:\n    env: [dev, prod]\n    include:\n      - env: prod\n        region: eu\nenvironment: ${{ matrix.env }}\nname: deploy ${{ matrix.env }}\npermissions:\n  id-token: write\nsteps: []\n";
    let sim = one_job("name: push", job, "");
    assert_eq!(sim.runs.len(), 2);
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

// ------------------------------------------------------------------ bounds

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

// ------------------------------------------------------- run fields

const PROD_JOB: &str = "environment: prod\npermissions:\n  id-token: write\nsteps:\n  - uses: aws-actions/configure-aws-credentials@v4\n    with:\n      role-to-assume: arn:aws:iam::111122223333:role/r\n";

/// Run fields the fixture format does not hold (the scenarios themselves
/// are `tests/github/environment-protection.yaml`): a job the environment
/// refuses keeps its environment and login step, and points at the rules'
/// entry in the scenario; an unlisted environment points nowhere.
#[test]
fn a_refused_environment_points_at_its_rules() {
    let rules = "environments:\n  prod:\n    deployment_branches: [main]\n";
    let s = one_job("name: push\nref: refs/heads/feature", PROD_JOB, rules);
    let r = run(&s, "j");
    assert!(!r.token.issued);
    assert_eq!(r.environment.as_deref(), Some("prod"));
    assert_eq!(r.logins.len(), 1, "the login step is still shown");
    assert_eq!(r.token.rule_span.map(|s| s.doc), Some(DocId::Scenario));
    let s = one_job("name: push\nref: refs/heads/feature", PROD_JOB, "");
    assert_eq!(run(&s, "j").token.rule_span, None);
}
