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

const WRITE_JOB: &str = "permissions:\n  id-token: write\nsteps: []\n";

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

#[test]
fn matrix_from_json_input() {
    let job = "strategy:\n  matrix:\n    env: ${{ fromJSON(inputs.envs) }}\nenvironment: ${{ matrix.env }}\npermissions:\n  id-token: write\nsteps: []\n";
    let sim = one_job("name: workflow_dispatch", job, "inputs:\n  envs: '[\"a\",\"b\",\"c\"]'\n");
    assert_eq!(sim.runs.iter().map(|r| r.environment.clone().unwrap()).collect::<Vec<_>>(), ["a", "b", "c"]);
}

#[test]
fn if_and_environment_expressions() {
    let job = "if: github.ref == 'refs/heads/main'\nenvironment: ${{ github.ref_name == 'main' && 'prod' || 'dev' }}\npermissions:\n  id-token: write\nsteps: []\n";
    let sim = one_job("name: push\nref: refs/heads/main", job, "");
    assert_eq!(claim(run(&sim, "j"), "environment"), "prod");
    let sim = one_job("name: push\nref: refs/heads/other", job, "");
    let r = run(&sim, "j");
    assert!(!r.token.issued);
    assert!(r.token.reason.as_deref().unwrap().contains("skipped"));
}

/// Unknown values are reported and never guessed.
#[test]
fn unknown_values_are_diagnosed() {
    let job = "runs-on: x\nif: ${{ needs.plan.outputs.deploy == 'yes' }}\nenvironment: ${{ needs.plan.outputs.env }}\npermissions:\n  id-token: write\nsteps: []\n";
    let sim = one_job("name: push", job, "");
    assert_eq!(
        sim.diagnostics.iter().filter(|d| d.severity == Severity::Warning && d.span.is_some()).count(),
        2,
        "{:?}",
        sim.diagnostics
    );
    let r = run(&sim, "j");
    assert!(!r.token.issued);
    assert!(r.token.reason.as_deref().unwrap().contains("needs.plan.outputs.env"));
    assert!(r.token.explanation.iter().any(|e| e.contains("needs.plan.outputs.env")));
}

/// D-RWF / research §2.3: local reusable workflow, caller's claims, job
/// id `caller/called`, environment of the called job in `sub`.
#[test]
fn local_reusable_workflow() {
    let caller = "name: CI\non: push\npermissions:\n  id-token: write\njobs:\n  call:\n    uses: ./.github/workflows/reusable.yml\n    with:\n      target: prod\n";
    let called = "on:\n  workflow_call:\n    inputs:\n      target:\n        type: string\n      region:\n        type: string\n        default: eu\njobs:\n  deploy:\n    environment: ${{ inputs.target }}-${{ inputs.region }}\n    steps:\n      - uses: azure/login@v2\n        with:\n          client-id: x\n";
    let extra = format!(
        "reusable_workflows:\n  octo-org/octo-repo/.github/workflows/reusable.yml: |\n{}",
        indent(&indent(called))
    );
    let sim = sim(&scenario("octo-org/octo-repo", "name: push\nref: refs/heads/dev", caller, &extra));
    let r = run(&sim, "call/deploy");
    assert_eq!(claim(r, "sub"), "repo:octo-org/octo-repo:environment:prod-eu");
    assert_eq!(claim(r, "workflow"), "CI");
    assert_eq!(claim(r, "workflow_ref"), "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/dev");
    assert_eq!(claim(r, "job_workflow_ref"), "octo-org/octo-repo/.github/workflows/reusable.yml@refs/heads/dev");
    assert_eq!(r.logins.len(), 1);
}

/// D-RWREF: the called workflow cannot raise the caller job's permissions;
/// asking for more is refused, not capped (see
/// `called_job_asking_more_than_the_caller_rejects_the_run`).
#[test]
fn reusable_permissions_are_capped_by_the_caller() {
    let caller =
        "on: push\njobs:\n  call:\n    permissions:\n      contents: read\n    uses: ./.github/workflows/r.yml\n";
    let called = "on: workflow_call\npermissions:\n  id-token: write\njobs:\n  deploy:\n    steps: []\n";
    let extra = format!("reusable_workflows:\n  o/r/.github/workflows/r.yml: |\n{}", indent(&indent(called)));
    let sim = sim(&scenario("o/r", "name: push", caller, &extra));
    let r = run(&sim, "call/deploy");
    assert!(!r.token.issued);
    assert!(r.token.explanation[0].contains("is only allowed 'id-token: none'"), "{:?}", r.token.explanation);
}

#[test]
fn missing_reusable_text_gives_one_run() {
    let caller = "on: push\npermissions:\n  id-token: write\njobs:\n  call:\n    uses: other/repo/.github/workflows/x.yml@0123456789abcdef0123456789abcdef01234567\n";
    let sim = sim(&scenario("o/r", "name: push", caller, ""));
    assert!(sim.diagnostics.iter().any(|d| d.message.contains("not in the scenario")));
    let r = run(&sim, "call");
    assert_eq!(
        claim(r, "job_workflow_ref"),
        "other/repo/.github/workflows/x.yml@0123456789abcdef0123456789abcdef01234567"
    );
    assert_eq!(claim(r, "job_workflow_sha"), "0123456789abcdef0123456789abcdef01234567");
    assert!(r.token.explanation.iter().any(|e| e.contains("is not given")));
}

#[test]
fn trigger_mismatch_is_a_warning_but_simulated() {
    let wf =
        "on:\n  push:\n    branches: [main]\njobs:\n  j:\n    permissions:\n      id-token: write\n    steps: []\n";
    let sim = sim(&scenario("o/r", "name: push\nref: refs/heads/dev", wf, ""));
    assert!(sim.diagnostics.iter().any(|d| d.severity == Severity::Warning && d.message.contains("would not run")));
    assert!(run(&sim, "j").token.issued);
}

#[test]
fn broken_workflow_is_a_located_error() {
    let s = {
        let mut s = Scenario::new("o", "r");
        s.workflow.text = "on: push\njobs:\n  j: [\n".into();
        s
    };
    let sim = simulate(&s);
    assert!(sim.runs.is_empty());
    assert_eq!(sim.diagnostics[0].span.map(|s| s.doc), Some(DocId::Workflow));
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

/// Matrix runs report a shared finding once.
#[test]
fn diagnostics_are_not_repeated_per_matrix_run() {
    let job = "runs-on: x\nstrategy:\n  matrix:\n    n: [1, 2, 3]\nif: secrets.X\npermissions:\n  id-token: write\nsteps: []\n";
    let sim = one_job("name: push", job, "");
    assert_eq!(sim.runs.len(), 3);
    assert_eq!(sim.diagnostics.len(), 1, "{:?}", sim.diagnostics);
}

#[test]
fn called_workflow_without_workflow_call_is_flagged() {
    let caller = "on: push\npermissions:\n  id-token: write\njobs:\n  call:\n    uses: ./.github/workflows/r.yml\n";
    let extra = format!(
        "reusable_workflows:\n  o/r/.github/workflows/r.yml: |\n{}",
        indent(&indent("on: push\njobs:\n  d:\n    steps: []\n"))
    );
    let sim = sim(&scenario("o/r", "name: push", caller, &extra));
    let d = sim.diagnostics.iter().find(|d| d.message.contains("workflow_call")).unwrap();
    assert_eq!(d.span.map(|s| s.doc), Some(DocId::Reusable(0)));
    // "error parsing called workflow …: workflow is not reusable as it is
    // missing a `on.workflow_call` trigger" is an invalid workflow file:
    // no job runs (OBS Homebrew/glibc-bootstrap#5, pmem/run_qemu#179).
    assert_eq!(d.severity, Severity::Error);
    assert!(!run(&sim, "call/d").token.issued);
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

/// Login audiences may come from the matrix: one audience per run.
#[test]
fn matrix_audiences() {
    let job = "strategy:\n  matrix:\n    aud: [a1, a2]\npermissions:\n  id-token: write\nsteps:\n  - uses: aws-actions/configure-aws-credentials@v4\n    with:\n      role-to-assume: arn\n      audience: ${{ matrix.aud }}\n";
    let sim = one_job("name: push", job, "");
    assert_eq!(sim.runs.iter().map(|r| claim(r, "aud")).collect::<Vec<_>>(), ["a1", "a2"]);
    assert!(sim.runs.iter().all(|r| r.logins[0].audience_explicit));
}

// ------------------------------------------------------ fidelity review (review-gh)

/// Docs "Contexts reference" (`inputs`): the context holds the inputs of a
/// manually triggered workflow or of a reusable workflow's call. On other
/// events it is empty, and `workflow_dispatch` defaults do not apply
/// (OBS ubicloud/ubicloud#1617, mcdonc/klangk#1402: "on `schedule` the
/// entire `inputs` context is empty"). The environment, hence `sub`, changes.
#[test]
fn dispatch_input_defaults_apply_only_to_dispatch_runs() {
    let wf = "on:\n  push:\n  schedule:\n    - cron: '0 0 * * *'\n  workflow_dispatch:\n    inputs:\n      env:\n        default: staging\njobs:\n  j:\n    environment: ${{ inputs.env || 'dev' }}\n    permissions:\n      id-token: write\n    steps: []\n";
    for (event, want) in [
        ("name: push", "repo:o/r:environment:dev"),
        ("name: schedule", "repo:o/r:environment:dev"),
        ("name: workflow_dispatch", "repo:o/r:environment:staging"),
    ] {
        let sim = sim(&scenario("o/r", event, wf, ""));
        assert_eq!(claim(run(&sim, "j"), "sub"), want, "{event}: {:?}", sim.diagnostics);
    }
    let sim = sim(&scenario("o/r", "name: workflow_dispatch", wf, "inputs:\n  env: prod\n"));
    assert_eq!(claim(run(&sim, "j"), "sub"), "repo:o/r:environment:prod");
}

/// Same rule for a called workflow: its `workflow_dispatch` defaults do not
/// reach a `workflow_call` run; only `workflow_call` defaults and `with:` do
/// (docs "Contexts reference", `inputs`; D-RWREF).
#[test]
fn called_workflow_sees_only_workflow_call_inputs() {
    let caller = "on: push\npermissions:\n  id-token: write\njobs:\n  call:\n    uses: ./.github/workflows/r.yml\n";
    let called = "on:\n  workflow_dispatch:\n    inputs:\n      env:\n        default: manual\n  workflow_call:\n    inputs:\n      region:\n        type: string\n        default: eu\njobs:\n  deploy:\n    environment: ${{ inputs.env || 'auto' }}-${{ inputs.region }}\n    steps: []\n";
    let extra = format!("reusable_workflows:\n  o/r/.github/workflows/r.yml: |\n{}", indent(&indent(called)));
    let sim = sim(&scenario("o/r", "name: push", caller, &extra));
    assert_eq!(claim(run(&sim, "call/deploy"), "environment"), "auto-eu", "{:?}", sim.diagnostics);
}

/// D-EVT `deployment`: `GITHUB_REF` is "empty if created with a commit
/// SHA"; research §6.6 / Appendix A2: `ref` "" and `workflow_ref` `@<sha>`.
/// A scenario giving the deployment's ref as a SHA means exactly that.
#[test]
fn deployment_ref_given_as_a_sha_is_empty() {
    let sha = "d06e49a10fcaf3c8f71f9428949e6fedb9f07b09";
    let wf = "on: deployment\njobs:\n  j:\n    environment: staging\n    permissions:\n      id-token: write\n    steps: []\n";
    let sim = sim(&scenario("o/r", &format!("name: deployment\nref: {sha}"), wf, ""));
    let r = run(&sim, "j");
    assert_eq!(claim(r, "ref"), "");
    assert_eq!(claim(r, "sha"), sha);
    assert_eq!(claim(r, "workflow_ref"), format!("o/r/.github/workflows/deploy.yml@{sha}"));
    assert_eq!(claim(r, "ref_type"), "branch");
}

/// Workflow syntax `on.workflow_call.inputs.<id>.default`: an input the
/// caller does not pass and without default is "" / false / 0 by type, so
/// it is known; an input whose `with:` value is unknown stays unknown (its
/// default is not used in its place).
#[test]
fn called_workflow_inputs_without_default_are_typed_empties() {
    let caller = "on: push\npermissions:\n  id-token: write\njobs:\n  call:\n    uses: ./.github/workflows/r.yml\n    with:\n      region: ${{ vars.REGION }}\n";
    let called = "on:\n  workflow_call:\n    inputs:\n      env:\n        type: string\n      region:\n        type: string\n        default: eu\njobs:\n  a:\n    environment: ${{ inputs.env || 'fallback' }}\n    steps: []\n  b:\n    environment: ${{ inputs.region }}\n    steps: []\n";
    let extra = format!("reusable_workflows:\n  o/r/.github/workflows/r.yml: |\n{}", indent(&indent(called)));
    let sim = sim(&scenario("o/r", "name: push", caller, &extra));
    assert_eq!(claim(run(&sim, "call/a"), "environment"), "fallback");
    let b = run(&sim, "call/b");
    assert!(!b.token.issued);
    assert!(b.token.reason.as_deref().unwrap().contains("inputs.region"), "{:?}", b.token.reason);
}

/// Workflow syntax `on.schedule`: a list of `cron` entries is valid, not a
/// type error.
#[test]
fn schedule_list_is_accepted() {
    let wf = "on:\n  schedule:\n    - cron: '0 0 * * *'\njobs:\n  j:\n    runs-on: x\n    permissions:\n      id-token: write\n    steps: []\n";
    let sim = sim(&scenario("o/r", "name: schedule", wf, ""));
    assert!(sim.diagnostics.is_empty(), "{:?}", sim.diagnostics);
    assert_eq!(claim(run(&sim, "j"), "sub"), "repo:o/r:ref:refs/heads/main");
}

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

/// D-EVT `workflow_dispatch`: "The `inputs` context and
/// `github.event.inputs` context are identical except that the `inputs`
/// context preserves Boolean values as Booleans instead of converting them
/// to strings" — defaults included.
#[test]
fn event_inputs_mirror_the_inputs_context_as_strings() {
    let wf = "on:\n  workflow_dispatch:\n    inputs:\n      env:\n        default: staging\n      canary:\n        type: boolean\n        default: true\njobs:\n  j:\n    if: github.event.inputs.canary == 'true' && inputs.canary == true\n    environment: ${{ github.event.inputs.env }}\n    permissions:\n      id-token: write\n    steps: []\n";
    let s = sim(&scenario("o/r", "name: workflow_dispatch", wf, ""));
    assert_eq!(claim(run(&s, "j"), "environment"), "staging", "{:?}", s.diagnostics);
}

/// `./` inside a workflow called from another repository: the mixed form
/// `<run repo>/<file>@<other repo's ref>` is impossible; Keyless takes the
/// run's repository at the run's ref (OBS community discussion #48693) and
/// says so [INF].
#[test]
fn nested_local_call_in_a_foreign_workflow_uses_the_run_repository() {
    let caller = "on: push\npermissions:\n  id-token: write\njobs:\n  c:\n    uses: octo-org/central/.github/workflows/outer.yml@v1\n";
    let outer = "on: workflow_call\njobs:\n  n:\n    uses: ./.github/workflows/inner.yml\n";
    let inner = "on: workflow_call\njobs:\n  d:\n    steps: []\n";
    let extra = format!(
        "reusable_workflows:\n  octo-org/central/.github/workflows/outer.yml: |\n{}  o/r/.github/workflows/inner.yml: |\n{}",
        indent(&indent(outer)),
        indent(&indent(inner))
    );
    let s = sim(&scenario(
        "o/r",
        "name: push\nref: refs/heads/dev\nsha: 0123456789abcdef0123456789abcdef01234567",
        caller,
        &extra,
    ));
    let r = run(&s, "c/n/d");
    assert_eq!(claim(r, "job_workflow_ref"), "o/r/.github/workflows/inner.yml@refs/heads/dev");
    assert_eq!(claim(r, "job_workflow_sha"), "0123456789abcdef0123456789abcdef01234567");
    assert!(r.token.explanation.iter().any(|e| e.contains("#48693") && e.contains("[INF]")));
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

/// D-EVT webhook payloads: only pull-request events carry
/// `pull_request`, only `workflow_dispatch` carries `inputs`; elsewhere
/// they are null, not unknown (common `push` + `workflow_dispatch` /
/// `pull_request` workflows test them).
#[test]
fn payload_keys_absent_from_an_event_are_null() {
    let job = "environment: ${{ github.event.inputs.env || (github.event.pull_request.merged && 'merged' || 'x') }}\npermissions:\n  id-token: write\nsteps: []\n";
    let s = one_job("name: push", job, "");
    assert_eq!(claim(run(&s, "j"), "environment"), "x", "{:?}", s.diagnostics);
    let s = one_job("name: pull_request\nmerged: true", job, "");
    assert_eq!(claim(run(&s, "j"), "environment"), "merged", "{:?}", s.diagnostics);
    // Fields the scenario cannot know stay unknown.
    let s = one_job(
        "name: push",
        "environment: ${{ github.event.head_commit.message }}\npermissions:\n  id-token: write\nsteps: []\n",
        "",
    );
    assert!(!run(&s, "j").token.issued);
}

/// D-EVT `workflow_dispatch`: the `inputs` context keeps booleans typed,
/// `github.event.inputs` holds strings; a scenario writing `"true"` for a
/// boolean input means the boolean.
#[test]
fn dispatch_boolean_input_given_as_text_is_a_boolean() {
    let wf = "on:\n  workflow_dispatch:\n    inputs:\n      prod:\n        type: boolean\njobs:\n  j:\n    environment: ${{ inputs.prod == true && 'prod' || 'dev' }}\n    permissions:\n      id-token: write\n    steps: []\n";
    let s = sim(&scenario("o/r", "name: workflow_dispatch", wf, "inputs:\n  prod: \"true\"\n"));
    assert_eq!(claim(run(&s, "j"), "environment"), "prod");
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

/// Docs "Reusing workflows" (github/docs#41320): fpt/ghec connect up to ten
/// levels of workflows (caller + nine called), GHES four. A chain of six
/// levels runs on github.com and is refused on GHES.
#[test]
fn nesting_limit_is_ten_levels_on_github_com_four_on_ghes() {
    let caller = "on: push\npermissions:\n  id-token: write\njobs:\n  c:\n    uses: ./.github/workflows/w1.yml\n";
    let mut extra = String::from("reusable_workflows:\n");
    for i in 1..=5 {
        let body = if i < 5 {
            format!("on: workflow_call\njobs:\n  c:\n    uses: ./.github/workflows/w{}.yml\n", i + 1)
        } else {
            "on: workflow_call\njobs:\n  d:\n    steps: []\n".to_string()
        };
        extra.push_str(&format!("  o/r/.github/workflows/w{i}.yml: |\n{}", indent(&indent(&body))));
    }
    let s = sim(&scenario("o/r", "name: push", caller, &extra));
    assert!(run(&s, "c/c/c/c/c/d").token.issued, "{:?}", s.diagnostics);
    let s = sim(&scenario("o/r", "name: push", caller, &format!("{extra}issuer:\n  ghes_host: ghe.example.com\n")));
    assert!(s.runs.is_empty());
    assert!(s.diagnostics.iter().any(|d| d.severity == Severity::Error && d.message.contains("4 levels")));
}

/// Docs "Reusing workflow configurations", access and permissions for nested
/// workflows ("called workflows must have the same permission level or
/// lower"); a called job asking for more than the caller job allows does not
/// run with less: GitHub refuses the whole run at startup ("The workflow is
/// not valid. … Error calling workflow '…'. The nested job 'deploy' is
/// requesting 'id-token: write', but is only allowed 'id-token: none'.",
/// startup_failure, "no jobs run at all": OBS grafana/loki#22151,
/// tetherto/qvac#1704, metal3-io/project-infra#1171). Sibling jobs that
/// would have had a token get none.
#[test]
fn called_job_asking_more_than_the_caller_rejects_the_run() {
    let caller = "on: push\njobs:\n  build:\n    permissions:\n      id-token: write\n    steps: []\n  call:\n    permissions:\n      contents: read\n    uses: ./.github/workflows/r.yml\n";
    let called = "on: workflow_call\njobs:\n  deploy:\n    permissions:\n      id-token: write\n    steps: []\n";
    let extra = format!("reusable_workflows:\n  o/r/.github/workflows/r.yml: |\n{}", indent(&indent(called)));
    let s = sim(&scenario("o/r", "name: push", caller, &extra));
    assert!(
        s.diagnostics.iter().any(|d| d.severity == Severity::Error
            && d.message.contains(
                "The nested job 'deploy' is requesting 'id-token: write', but is only allowed 'id-token: none'"
            )
            && d.span.is_some()),
        "{:?}",
        s.diagnostics
    );
    for r in &s.runs {
        assert!(!r.token.issued, "{} got a token", r.job);
    }
    assert!(
        run(&s, "build").token.reason.as_deref().unwrap().contains("The workflow is not valid"),
        "{:?}",
        run(&s, "build").token.reason
    );
    // The same call with no `permissions` anywhere: the default id-token is
    // none, so the request is refused too (OBS kyma-project/test-infra#14087).
    let caller = "on: push\njobs:\n  call:\n    uses: ./.github/workflows/r.yml\n";
    let s = sim(&scenario("o/r", "name: push", caller, &extra));
    assert!(!run(&s, "call/deploy").token.issued);
    assert!(
        s.diagnostics.iter().any(|d| d.severity == Severity::Error && d.message.contains("The nested job 'deploy'"))
    );
    // A called job that asks for nothing more runs with what it asks for.
    let called = "on: workflow_call\njobs:\n  deploy:\n    permissions:\n      contents: read\n    steps: []\n";
    let extra = format!("reusable_workflows:\n  o/r/.github/workflows/r.yml: |\n{}", indent(&indent(called)));
    let caller = "on: push\npermissions:\n  id-token: write\njobs:\n  call:\n    uses: ./.github/workflows/r.yml\n";
    let s = sim(&scenario("o/r", "name: push", caller, &extra));
    assert!(s.diagnostics.iter().all(|d| d.severity != Severity::Error), "{:?}", s.diagnostics);
    assert!(!run(&s, "call/deploy").token.issued);
}

/// An invalid workflow file is a startup failure: "The workflow is not
/// valid" and no job runs (OBS tetherto/qvac#1704 "no jobs run at all";
/// actions/runner#1985 for `Unrecognized named-value`). A sibling job that
/// would have had a token gets none when another job's `if:` names an
/// unavailable context, `needs` names no job, or reusable workflows nest too
/// deep.
#[test]
fn an_invalid_workflow_gives_no_job_a_token() {
    let sibling = "  ok:\n    permissions:\n      id-token: write\n    steps: []\n";
    let bad_if = format!("on: push\njobs:\n{sibling}  bad:\n    if: secrets.X != ''\n    steps: []\n");
    let bad_needs = format!("on: push\njobs:\n{sibling}  bad:\n    needs: buidl\n    steps: []\n");
    for wf in [bad_if, bad_needs] {
        let s = sim(&scenario("o/r", "name: push", &wf, ""));
        let ok = run(&s, "ok");
        assert!(!ok.token.issued, "{wf}");
        assert!(ok.token.reason.as_deref().unwrap().contains("startup"), "{:?}", ok.token.reason);
    }
    let caller = format!(
        "on: push\npermissions:\n  id-token: write\njobs:\n{sibling}  c:\n    uses: ./.github/workflows/w1.yml\n"
    );
    let mut extra = String::from("issuer:\n  ghes_host: ghe.example.com\nreusable_workflows:\n");
    for i in 1..=4 {
        let body = format!("on: workflow_call\njobs:\n  c:\n    uses: ./.github/workflows/w{}.yml\n", i + 1);
        extra.push_str(&format!("  o/r/.github/workflows/w{i}.yml: |\n{}", indent(&indent(&body))));
    }
    let s = sim(&scenario("o/r", "name: push", &caller, &extra));
    assert!(!run(&s, "ok").token.issued);
}

/// D-REF "Substituted values on GHE.com": "For any URLs that include a
/// route with your enterprise's name or slug, you must substitute your
/// enterprise's subdomain"; "The enterprise can receive tokens at
/// `https://token.actions.octocorp.ghe.com/octocorp`". The unique issuer's
/// path is the subdomain, not the slug.
#[test]
fn ghe_com_unique_issuer_uses_the_subdomain() {
    let s = one_job(
        "name: push",
        WRITE_JOB,
        "issuer:\n  ghe_subdomain: octocorp\n  enterprise_slug: octocorp-enterprise\n",
    );
    let r = run(&s, "j");
    assert_eq!(claim(r, "iss"), "https://token.actions.octocorp.ghe.com/octocorp");
}

/// Docs "Reusing workflows", supported keywords for jobs that call a
/// reusable workflow (name, uses, with, secrets, strategy, needs, if,
/// concurrency, permissions). Another key makes the workflow invalid ("The
/// workflow is not valid. … Unexpected value 'uses'", OBS
/// MetaMask/metamask-module-template#124, actions/runner#2654): no job runs.
#[test]
fn a_call_job_with_an_unsupported_key_rejects_the_run() {
    let called = "on: workflow_call\njobs:\n  deploy:\n    steps: []\n";
    let extra = format!("reusable_workflows:\n  o/r/.github/workflows/r.yml: |\n{}", indent(&indent(called)));
    for key in ["runs-on: ubuntu-latest", "environment: prod"] {
        let caller = format!(
            "on: push\npermissions:\n  id-token: write\njobs:\n  ok:\n    steps: []\n  call:\n    {key}\n    uses: ./.github/workflows/r.yml\n"
        );
        let s = sim(&scenario("o/r", "name: push", &caller, &extra));
        assert!(
            s.diagnostics.iter().any(|d| d.severity == Severity::Error && d.message.contains("Unexpected value")),
            "{key}: {:?}",
            s.diagnostics
        );
        assert!(!run(&s, "ok").token.issued, "{key}");
    }
    let caller = "on: push\npermissions:\n  id-token: write\njobs:\n  ok:\n    steps: []\n  call:\n    name: Call\n    needs: ok\n    if: always()\n    strategy:\n      matrix:\n        x: [1]\n    concurrency: c\n    permissions:\n      id-token: write\n    secrets: inherit\n    uses: ./.github/workflows/r.yml\n";
    let s = sim(&scenario("o/r", "name: push", caller, &extra));
    assert!(run(&s, "ok").token.issued, "{:?}", s.diagnostics);
}

/// D-REF: `runner_environment` is "the type of runner used by the job"
/// (`github-hosted` or `self-hosted`). A job whose `runs-on` carries the
/// `self-hosted` label (workflow syntax `jobs.<job_id>.runs-on`: every
/// self-hosted runner has it) runs on a self-hosted runner, whatever the
/// scenario's default; other labels keep the scenario's value.
#[test]
fn runner_environment_follows_a_self_hosted_label() {
    let wf = "on: push\npermissions:\n  id-token: write\njobs:\n  hosted:\n    runs-on: ubuntu-latest\n    steps: []\n  own:\n    runs-on: [self-hosted, linux]\n    steps: []\n  grouped:\n    runs-on:\n      group: build\n      labels: [Self-Hosted]\n    steps: []\n  m:\n    strategy:\n      matrix:\n        os: [self-hosted, ubuntu-latest]\n    runs-on: ${{ matrix.os }}\n    steps: []\n";
    let s = sim(&scenario("o/r", "name: push", wf, ""));
    assert_eq!(claim(run(&s, "hosted"), "runner_environment"), "github-hosted");
    assert_eq!(claim(run(&s, "own"), "runner_environment"), "self-hosted");
    assert_eq!(claim(run(&s, "grouped"), "runner_environment"), "self-hosted");
    let envs: Vec<String> = s.runs.iter().filter(|r| r.job == "m").map(|r| claim(r, "runner_environment")).collect();
    assert_eq!(envs, ["self-hosted", "github-hosted"]);
    assert!(run(&s, "own").token.explanation.iter().any(|e| e.contains("self-hosted")));
}

/// An environment name that evaluates to the empty string is taken to mean
/// no environment (the `cond && 'prod' || ''` pattern); GitHub does not
/// document it, so the explanation labels it [INF].
#[test]
fn empty_environment_name_is_no_environment_and_labelled() {
    let job = "environment: ${{ github.ref == 'refs/heads/prod' && 'prod' || '' }}\npermissions:\n  id-token: write\nsteps: []\n";
    let s = one_job("name: push\nref: refs/heads/dev", job, "");
    let r = run(&s, "j");
    assert_eq!(claim(r, "sub"), "repo:octo-org/octo-repo:ref:refs/heads/dev");
    assert!(
        r.token.explanation.iter().any(|e| e.contains("empty") && e.contains("[INF]")),
        "{:?}",
        r.token.explanation
    );
}

/// GitHub validates the whole tree of called workflows when the run starts,
/// before any `if:` (OBS metal3-io/project-infra#1171: "the workflows do
/// not run AT ALL"): a calling job skipped by its `if:` still rejects the
/// run when its called job asks for more than it grants.
#[test]
fn a_skipped_call_still_has_its_permissions_checked() {
    let called = "on: workflow_call\njobs:\n  deploy:\n    permissions:\n      id-token: write\n    steps: []\n";
    let extra = format!("reusable_workflows:\n  o/r/.github/workflows/r.yml: |\n{}", indent(&indent(called)));
    let caller = "on: push\njobs:\n  ok:\n    permissions:\n      id-token: write\n    steps: []\n  call:\n    if: github.event_name == 'schedule'\n    uses: ./.github/workflows/r.yml\n";
    let s = sim(&scenario("o/r", "name: push", caller, &extra));
    assert!(
        s.diagnostics.iter().any(|d| d.severity == Severity::Error && d.message.contains("The nested job 'deploy'")),
        "{:?}",
        s.diagnostics
    );
    assert!(!run(&s, "ok").token.issued);
}

/// Workflow syntax `jobs.<job_id>.runs-on` is required for a job that runs
/// steps (observed: "Required property is missing: runs-on"); a calling job
/// has none.
#[test]
fn a_job_without_runs_on_is_flagged_but_still_simulated() {
    let wf = "on: push\njobs:\n  j:\n    permissions:\n      id-token: write\n    steps: []\n  call:\n    uses: ./.github/workflows/r.yml\n";
    let called = "on: workflow_call\njobs:\n  a:\n    runs-on: x\n    steps: []\n";
    let extra = format!("reusable_workflows:\n  o/r/.github/workflows/r.yml: |\n{}", indent(&indent(called)));
    let sim = sim(&scenario("o/r", "name: push", wf, &extra));
    let flagged: Vec<_> = sim.diagnostics.iter().filter(|d| d.message.contains("no `runs-on`")).collect();
    assert_eq!(flagged.len(), 1, "{:?}", sim.diagnostics);
    assert_eq!(flagged[0].severity, Severity::Warning);
    assert!(flagged[0].message.contains("job `j`"));
    assert!(run(&sim, "j").token.issued);
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
