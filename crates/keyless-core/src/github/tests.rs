//! End-to-end simulations: research Appendix A token payloads, the seed
//! documents' workflows, and the rules of research §2–§5 through whole
//! scenarios.

use super::simulate::{simulate, JobRun, Simulation};
use crate::diagnostic::Severity;
use crate::scenario::Scenario;
use crate::span::DocId;
use proptest::prelude::*;

fn sim(yaml: &str) -> Simulation {
    let s = Scenario::parse(yaml).unwrap_or_else(|e| panic!("scenario: {e:?}"));
    simulate(&s)
}

fn run<'a>(sim: &'a Simulation, job: &str) -> &'a JobRun {
    sim.runs.iter().find(|r| r.job == job).unwrap_or_else(|| panic!("no run {job}: {:?}", sim.runs.iter().map(|r| &r.job).collect::<Vec<_>>()))
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

/// Research Appendix A2: deployment from a SHA, environment staging,
/// enterprise set: `ref` empty, `workflow_ref` ends `@<sha>`.
#[test]
fn appendix_a2_deployment_from_sha() {
    let sha = "d06e49a10fcaf3c8f71f9428949e6fedb9f07b09";
    let sim = sim(&scenario(
        "bbeesley/gql-federated-graph-explorer",
        &format!("name: deployment\nref: \"\"\nsha: {sha}"),
        "on: deployment\npermissions:\n  id-token: write\njobs:\n  deploy:\n    environment: staging\n    steps: []\n",
        "enterprise: bbeesley\nworkflow_path: .github/workflows/deployment.yml\noptions:\n  issued_at: \"1677505998\"\n",
    ));
    let r = run(&sim, "deploy");
    assert_eq!(claim(r, "ref"), "");
    assert_eq!(claim(r, "ref_type"), "branch");
    assert_eq!(claim(r, "workflow_ref"), format!("bbeesley/gql-federated-graph-explorer/.github/workflows/deployment.yml@{sha}"));
    assert_eq!(claim(r, "job_workflow_ref"), claim(r, "workflow_ref"));
    assert_eq!(claim(r, "job_workflow_sha"), sha);
    assert_eq!(claim(r, "sub"), "repo:bbeesley/gql-federated-graph-explorer:environment:staging");
    assert_eq!(claim(r, "aud"), "https://github.com/bbeesley");
    assert_eq!(claim(r, "enterprise"), "bbeesley");
    assert_eq!((claim(r, "nbf"), claim(r, "iat"), claim(r, "exp")), ("1677505398".into(), "1677505998".into(), "1677506298".into()));
}

/// Research Appendix A3: pull_request with an environment.
#[test]
fn appendix_a3_pull_request_with_environment() {
    let sim = sim(&scenario(
        "woodruffw/gha-oidc-jwt-test-repo",
        "name: pull_request\npr_number: 4\nhead_ref: two-tokens\nbase_ref: main",
        "on: pull_request\njobs:\n  t:\n    environment: test\n    permissions:\n      id-token: write\n    steps: []\n",
        "workflow_path: .github/workflows/ci.yml\n",
    ));
    let r = run(&sim, "t");
    assert_eq!(claim(r, "sub"), "repo:woodruffw/gha-oidc-jwt-test-repo:environment:test");
    assert_eq!(claim(r, "ref"), "refs/pull/4/merge");
    assert_eq!((claim(r, "head_ref"), claim(r, "base_ref")), ("two-tokens".into(), "main".into()));
    assert_eq!(claim(r, "job_workflow_ref"), "woodruffw/gha-oidc-jwt-test-repo/.github/workflows/ci.yml@refs/pull/4/merge");
}

// ------------------------------------------------------------- seed workflows

/// The jobs of seeds/keyless-deployments-aws-azure-gcp.md, as one workflow.
const SEED_WORKFLOW: &str = "name: deploy
on: [push]
permissions:
  id-token: write   # required to mint the OIDC token
  contents: read
jobs:
  deploy-aws:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111122223333:role/gha-deploy
          aws-region: us-east-1
      - run: aws sts get-caller-identity
  deploy-azure:
    runs-on: ubuntu-latest
    environment: prod
    steps:
      - uses: azure/login@v2
        with:
          client-id: ${{ vars.AZURE_CLIENT_ID }}
          tenant-id: ${{ vars.AZURE_TENANT_ID }}
          subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}
      - run: az account show
  deploy-gcp:
    runs-on: ubuntu-latest
    steps:
      - id: auth
        uses: google-github-actions/auth@v2
        with:
          workload_identity_provider: projects/123456789/locations/global/workloadIdentityPools/github-pool/providers/github-provider
          service_account: gha-deploy@my-project.iam.gserviceaccount.com
      - uses: google-github-actions/setup-gcloud@v2
      - run: gcloud auth list
  deploy-prod:
    runs-on: ubuntu-latest
    environment:
      name: prod
      url: https://app.example.com
    permissions:
      id-token: write
      contents: read
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111122223333:role/gha-deploy-prod
          aws-region: us-east-1
      - run: ./scripts/deploy.sh
";

fn seed_sim(git_ref: &str) -> Simulation {
    sim(&scenario("my-org/my-repo", &format!("name: push\nref: {git_ref}"), SEED_WORKFLOW, ""))
}

/// Seed §2-§6: each job's sub and audience on a push to main.
#[test]
fn seed_deploy_jobs_on_main() {
    let sim = seed_sim("refs/heads/main");
    assert!(sim.diagnostics.is_empty(), "{:?}", sim.diagnostics);
    let cases = [
        ("deploy-aws", "repo:my-org/my-repo:ref:refs/heads/main", "sts.amazonaws.com"),
        ("deploy-azure", "repo:my-org/my-repo:environment:prod", "api://AzureADTokenExchange"),
        (
            "deploy-gcp",
            "repo:my-org/my-repo:ref:refs/heads/main",
            "https://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github-pool/providers/github-provider",
        ),
        ("deploy-prod", "repo:my-org/my-repo:environment:prod", "sts.amazonaws.com"),
    ];
    for (job, sub, aud) in cases {
        let r = run(&sim, job);
        assert!(r.token.issued, "{job}");
        assert_eq!((claim(r, "sub").as_str(), claim(r, "aud").as_str()), (sub, aud), "{job}");
        assert_eq!(r.logins[0].audience, aud);
        assert!(!r.logins[0].audience_explicit);
    }
    assert_eq!(run(&sim, "deploy-prod").environment.as_deref(), Some("prod"));
}

/// Seed "Verify" step 3: a feature branch push gets a different sub.
#[test]
fn seed_negative_feature_branch() {
    let sim = seed_sim("refs/heads/feature/x");
    assert_eq!(claim(run(&sim, "deploy-aws"), "sub"), "repo:my-org/my-repo:ref:refs/heads/feature/x");
    // The environment job keeps its environment form (seed §1 "environment form takes precedence").
    assert_eq!(claim(run(&sim, "deploy-prod"), "sub"), "repo:my-org/my-repo:environment:prod");
}

/// Seed §5 / enterprise scenario: sub customized with
/// [repository, job_workflow_ref] for a job in the central reusable workflow.
#[test]
fn seed_customized_sub_with_reusable_workflow() {
    let caller = "on: push\npermissions:\n  id-token: write\njobs:\n  deploy:\n    uses: my-org/.github/.github/workflows/deploy.yml@main\n";
    let called = "on:\n  workflow_call: {}\njobs:\n  aws:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::111122223333:role/gha-deploy\n          aws-region: us-east-1\n";
    let extra = format!(
        "subject:\n  use_default: false\n  include_claim_keys: [repository, job_workflow_ref]\nreusable_workflows:\n  my-org/.github/.github/workflows/deploy.yml: |\n{}",
        indent(&indent(called))
    );
    let sim = sim(&scenario("my-org/my-repo", "name: push\nref: refs/heads/main", caller, &extra));
    let r = run(&sim, "deploy/aws");
    assert_eq!(
        claim(r, "sub"),
        "repository:my-org/my-repo:job_workflow_ref:my-org/.github/.github/workflows/deploy.yml@refs/heads/main"
    );
    assert_eq!(claim(r, "workflow_ref"), "my-org/my-repo/.github/workflows/deploy.yml@refs/heads/main");
    assert!(r.token.explanation.iter().any(|e| e.contains("taken to be a branch")));
}

/// seeds/oidc-in-alibaba-cloud.md workflow: push to main.
#[test]
fn seed_alibaba_workflow() {
    let wf = "name: Alibaba Cloud example workflow
on: [push]

permissions:
  id-token: write   # Required for requesting the JWT
  contents: read    # Required for actions/checkout

env:
  REGION_ID : \"cn-hangzhou\"

jobs:
  build-and-deploy:
    runs-on: ubuntu-latest
    steps:
      - name: 'Configure credentials'
        uses: aliyun/configure-aliyun-credentials-action@v1
        with:
          role-to-assume: 'acs:ram::1464366*********:role/github-actions'
          oidc-provider-arn: 'acs:ram::1464366*********:oidc-provider/github'
      - name: 'Set up aliyun CLI'
        uses: aliyun/setup-aliyun-cli-action@v1
      - name: 'Run aliyun CLI'
        run: |
          aliyun sts GetCallerIdentity --region cn-hangzhou
";
    let sim = sim(&scenario("example/example-repo", "name: push\nref: refs/heads/main", wf, ""));
    assert!(sim.diagnostics.is_empty(), "{:?}", sim.diagnostics);
    let r = run(&sim, "build-and-deploy");
    assert_eq!(claim(r, "sub"), "repo:example/example-repo:ref:refs/heads/main");
    // aliyun action.yml default audience (see login.rs).
    assert_eq!(claim(r, "aud"), "sts.aliyuncs.com");
    assert_eq!(claim(r, "workflow"), "Alibaba Cloud example workflow");
}

// ------------------------------------------------------------ rules by event

fn one_job(event: &str, job_yaml: &str, extra: &str) -> Simulation {
    let wf = format!("on: [push, pull_request, pull_request_target, pull_request_review, merge_group, workflow_dispatch, schedule, release]\njobs:\n  j:\n{}", indent(&indent(job_yaml)));
    sim(&scenario("octo-org/octo-repo", event, &wf, extra))
}

const WRITE_JOB: &str = "permissions:\n  id-token: write\nsteps: []\n";

/// D-REF precedence environment > pull_request > ref, and §2.2 rows.
#[test]
fn default_sub_per_event() {
    let cases = [
        ("name: push\nref: refs/tags/v1.0", "repo:octo-org/octo-repo:ref:refs/tags/v1.0"),
        ("name: pull_request\npr_number: 7", "repo:octo-org/octo-repo:pull_request"),
        ("name: pull_request_review\npr_number: 7", "repo:octo-org/octo-repo:pull_request"),
        ("name: schedule", "repo:octo-org/octo-repo:ref:refs/heads/main"),
        ("name: workflow_dispatch\nref: refs/heads/7.78.x", "repo:octo-org/octo-repo:ref:refs/heads/7.78.x"),
        ("name: release\nref: refs/tags/v0.0.14", "repo:octo-org/octo-repo:ref:refs/tags/v0.0.14"),
        (
            "name: merge_group\npr_number: 13\nsha: 7b1f002b",
            "repo:octo-org/octo-repo:ref:refs/heads/gh-readonly-queue/main/pr-13-7b1f002b",
        ),
    ];
    for (event, sub) in cases {
        let sim = one_job(event, WRITE_JOB, "");
        assert_eq!(claim(run(&sim, "j"), "sub"), sub, "{event}");
    }
    let sim = one_job("name: pull_request_review\npr_number: 7", WRITE_JOB, "");
    assert!(run(&sim, "j").token.explanation.iter().any(|e| e.contains("[INF]")));
}

/// CL-PRT + research §2.2: pull_request_target runs on the default branch;
/// its `sub` is a labelled, contested option; forks still get a token.
#[test]
fn pull_request_target_subject_is_an_explicit_option() {
    let event = "name: pull_request_target\npr_number: 9\nfrom_fork: true";
    let sim1 = one_job(event, WRITE_JOB, "");
    let r = run(&sim1, "j");
    assert!(r.token.issued);
    assert_eq!(claim(r, "ref"), "refs/heads/main");
    assert_eq!(claim(r, "sub"), "repo:octo-org/octo-repo:ref:refs/heads/main");
    assert!(r.token.explanation.iter().any(|e| e.contains("CONTESTED") && e.contains("pull_request_target_subject: ref")));
    let sim2 = one_job(event, WRITE_JOB, "options:\n  pull_request_target_subject: pull_request\n");
    let r = run(&sim2, "j");
    assert_eq!(claim(r, "sub"), "repo:octo-org/octo-repo:pull_request");
    assert!(r.token.explanation.iter().any(|e| e.contains("CONTESTED") && e.contains("pull_request_target_subject: pull_request")));
}

/// Research §6.5: merged pull_request → ref is base, sub stays pull_request.
#[test]
fn merged_pull_request() {
    let sim = one_job("name: pull_request\npr_number: 3\nmerged: true\nbase_ref: main", WRITE_JOB, "");
    let r = run(&sim, "j");
    assert_eq!((claim(r, "ref"), claim(r, "sub")), ("refs/heads/main".into(), "repo:octo-org/octo-repo:pull_request".into()));
}

/// Research §5: no id-token write → no token, the login action's error.
#[test]
fn missing_permission_gives_the_actions_error() {
    let job = "steps:\n  - uses: aws-actions/configure-aws-credentials@v4\n    with:\n      role-to-assume: arn\n";
    let sim = one_job("name: push", job, "");
    let r = run(&sim, "j");
    assert!(!r.token.issued);
    assert!(r.token.claims.iter().next().is_none());
    assert!(r.token.reason.as_deref().unwrap().contains("Did you mean to set the `id-token` permission?"));
    assert!(r.token.explanation[0].contains("defaults to none"));
    // Without a login step: the toolkit's own error.
    let sim = one_job("name: push", "steps: []\n", "");
    assert_eq!(run(&sim, "j").token.reason.as_deref(), Some("Error message: Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable"));
}

/// D-TOK: an explicit map sets unspecified permissions to none; the job's
/// map overrides the workflow's write-all.
#[test]
fn job_permissions_override_workflow() {
    let wf = "on: push\npermissions: write-all\njobs:\n  a:\n    steps: []\n  b:\n    permissions:\n      contents: read\n    steps: []\n";
    let sim = sim(&scenario("o/r", "name: push", wf, ""));
    assert!(run(&sim, "a").token.issued);
    assert!(!run(&sim, "b").token.issued);
}

/// D-TOK: fork pull requests and Dependabot runs get no token.
#[test]
fn forks_and_dependabot() {
    let sim = one_job("name: pull_request\nfrom_fork: true", WRITE_JOB, "");
    let r = run(&sim, "j");
    assert!(!r.token.issued);
    assert!(r.token.explanation[0].contains("fork"));
    let sim = one_job("name: pull_request\nfrom_fork: true", WRITE_JOB, "options:\n  fork_pr_write_tokens: true\n");
    assert!(run(&sim, "j").token.issued);
    let sim = one_job("name: push\nactor: dependabot[bot]", WRITE_JOB, "");
    assert!(!run(&sim, "j").token.issued);
}

// -------------------------------------------------------------- customization

/// D-REF: a template including `environment` needs an environment.
#[test]
fn template_with_environment_requires_one() {
    let extra = "subject:\n  include_claim_keys: [repo, environment]\n";
    let sim = one_job("name: push", WRITE_JOB, extra);
    let r = run(&sim, "j");
    assert!(!r.token.issued);
    assert!(r.token.reason.as_deref().unwrap().contains("an environment is required"));
    let sim = one_job("name: push", "environment: production:eastus\npermissions:\n  id-token: write\nsteps: []\n", "subject:\n  include_claim_keys: [environment, repository_owner]\n");
    assert_eq!(claim(run(&sim, "j"), "sub"), "environment:production%3Aeastus:repository_owner:octo-org");
}

/// REST docs: `use_default: true` ignores include_claim_keys.
#[test]
fn use_default_ignores_keys() {
    let sim = one_job("name: push", WRITE_JOB, "subject:\n  use_default: true\n  include_claim_keys: [repository_owner]\n");
    assert_eq!(claim(run(&sim, "j"), "sub"), "repo:octo-org/octo-repo:ref:refs/heads/main");
}

/// CL-IMM / D-REF immutable subjects, default and in a custom template's
/// `repo` segment (OBS Azure/Azure-Landing-Zones#4223, research §3.2).
#[test]
fn immutable_subjects() {
    let plain = one_job("name: push", WRITE_JOB, "repository_id: \"456789\"\nrepository_owner_id: \"123456\"\nsubject:\n  immutable: true\n");
    assert_eq!(claim(run(&plain, "j"), "sub"), "repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main");

    let caller = "on: push\njobs:\n  plan:\n    permissions:\n      id-token: write\n    uses: richeney-org/alz-mgmt-templates/.github/workflows/ci-template.yaml@main\n";
    let called = "on: workflow_call\njobs:\n  plan:\n    environment: alz-mgmt-plan\n    steps: []\n";
    let extra = format!(
        "repository_id: \"1309247986\"\nrepository_owner_id: \"219859934\"\nsubject:\n  immutable: true\n  include_claim_keys: [repo, context, job_workflow_ref]\nreusable_workflows:\n  richeney-org/alz-mgmt-templates/.github/workflows/ci-template.yaml: |\n{}",
        indent(&indent(called))
    );
    let sim = sim(&scenario("richeney-org/alz-mgmt", "name: push", caller, &extra));
    assert_eq!(
        claim(run(&sim, "plan/plan"), "sub"),
        "repo:richeney-org@219859934/alz-mgmt@1309247986:environment:alz-mgmt-plan:job_workflow_ref:richeney-org/alz-mgmt-templates/.github/workflows/ci-template.yaml@refs/heads/main"
    );
}

/// Immutable subject without ids: a located error, never invented ids.
#[test]
fn immutable_without_ids_is_an_error() {
    let sim = one_job("name: push", WRITE_JOB, "subject:\n  immutable: true\n");
    let d = sim.diagnostics.iter().find(|d| d.severity == Severity::Error).unwrap();
    assert!(d.message.contains("repository_owner_id") && d.span.is_some());
    assert!(!run(&sim, "j").token.issued);
}

/// D-REF issuer/audience on GHES.
#[test]
fn ghes_issuer_and_audience() {
    let sim = one_job("name: push", WRITE_JOB, "issuer:\n  ghes_host: ghe.example.com\n");
    let r = run(&sim, "j");
    assert_eq!(claim(r, "iss"), "https://ghe.example.com/_services/token");
    assert_eq!(claim(r, "aud"), "https://ghe.example.com/octo-org");
    assert!(r.token.claims.get("check_run_id").is_none());
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
    let job = "if: ${{ secrets.DEPLOY == 'yes' }}\nenvironment: ${{ needs.plan.outputs.env }}\npermissions:\n  id-token: write\nsteps: []\n";
    let sim = one_job("name: push", job, "");
    assert_eq!(sim.diagnostics.iter().filter(|d| d.severity == Severity::Warning && d.span.is_some()).count(), 2, "{:?}", sim.diagnostics);
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
    let extra = format!("reusable_workflows:\n  octo-org/octo-repo/.github/workflows/reusable.yml: |\n{}", indent(&indent(called)));
    let sim = sim(&scenario("octo-org/octo-repo", "name: push\nref: refs/heads/dev", caller, &extra));
    let r = run(&sim, "call/deploy");
    assert_eq!(claim(r, "sub"), "repo:octo-org/octo-repo:environment:prod-eu");
    assert_eq!(claim(r, "workflow"), "CI");
    assert_eq!(claim(r, "workflow_ref"), "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/dev");
    assert_eq!(claim(r, "job_workflow_ref"), "octo-org/octo-repo/.github/workflows/reusable.yml@refs/heads/dev");
    assert_eq!(r.logins.len(), 1);
}

/// D-RWREF: the called workflow cannot raise the caller job's permissions.
#[test]
fn reusable_permissions_are_capped_by_the_caller() {
    let caller = "on: push\njobs:\n  call:\n    permissions:\n      contents: read\n    uses: ./.github/workflows/r.yml\n";
    let called = "on: workflow_call\npermissions:\n  id-token: write\njobs:\n  deploy:\n    steps: []\n";
    let extra = format!("reusable_workflows:\n  o/r/.github/workflows/r.yml: |\n{}", indent(&indent(called)));
    let sim = sim(&scenario("o/r", "name: push", caller, &extra));
    let r = run(&sim, "call/deploy");
    assert!(!r.token.issued);
    assert!(r.token.explanation[0].contains("only downgrade"));
}

#[test]
fn missing_reusable_text_gives_one_run() {
    let caller = "on: push\npermissions:\n  id-token: write\njobs:\n  call:\n    uses: other/repo/.github/workflows/x.yml@0123456789abcdef0123456789abcdef01234567\n";
    let sim = sim(&scenario("o/r", "name: push", caller, ""));
    assert!(sim.diagnostics.iter().any(|d| d.message.contains("not in the scenario")));
    let r = run(&sim, "call");
    assert_eq!(claim(r, "job_workflow_ref"), "other/repo/.github/workflows/x.yml@0123456789abcdef0123456789abcdef01234567");
    assert_eq!(claim(r, "job_workflow_sha"), "0123456789abcdef0123456789abcdef01234567");
    assert!(r.token.explanation.iter().any(|e| e.contains("is not given")));
}

#[test]
fn trigger_mismatch_is_a_warning_but_simulated() {
    let wf = "on:\n  push:\n    branches: [main]\njobs:\n  j:\n    permissions:\n      id-token: write\n    steps: []\n";
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

/// REST schema: keys are alphanumeric/underscore (error); DC32: `aud` is
/// unusable (warning).
#[test]
fn template_keys_are_checked() {
    let sim = one_job("name: push", WRITE_JOB, "subject:\n  include_claim_keys: [repo, \"bad-key\", aud]\n");
    assert!(sim.diagnostics.iter().any(|d| d.severity == Severity::Error && d.message.contains("`bad-key`") && d.span.is_some()));
    assert!(sim.diagnostics.iter().any(|d| d.severity == Severity::Warning && d.message.contains("`aud`")));
}

/// Matrix runs report a shared finding once.
#[test]
fn diagnostics_are_not_repeated_per_matrix_run() {
    let job = "strategy:\n  matrix:\n    n: [1, 2, 3]\nif: secrets.X\npermissions:\n  id-token: write\nsteps: []\n";
    let sim = one_job("name: push", job, "");
    assert_eq!(sim.runs.len(), 3);
    assert_eq!(sim.diagnostics.len(), 1, "{:?}", sim.diagnostics);
}

#[test]
fn called_workflow_without_workflow_call_is_flagged() {
    let caller = "on: push\npermissions:\n  id-token: write\njobs:\n  call:\n    uses: ./.github/workflows/r.yml\n";
    let extra = format!("reusable_workflows:\n  o/r/.github/workflows/r.yml: |\n{}", indent(&indent("on: push\njobs:\n  d:\n    steps: []\n")));
    let sim = sim(&scenario("o/r", "name: push", caller, &extra));
    let d = sim.diagnostics.iter().find(|d| d.message.contains("workflow_call")).unwrap();
    assert_eq!(d.span.map(|s| s.doc), Some(DocId::Reusable(0)));
    assert!(run(&sim, "call/d").token.issued);
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

/// CL-PROP: repository custom properties become `repo_property_*` string
/// claims and can be template keys (D-REF example).
#[test]
fn repo_properties() {
    let sim = one_job(
        "name: push",
        WRITE_JOB,
        "repo_properties:\n  workspace_id: ws-abc123\nsubject:\n  include_claim_keys: [repo_property_workspace_id]\n",
    );
    let r = run(&sim, "j");
    assert_eq!(claim(r, "repo_property_workspace_id"), "ws-abc123");
    assert_eq!(claim(r, "sub"), "repo_property_workspace_id:ws-abc123");
}

/// Login audiences may come from the matrix: one audience per run.
#[test]
fn matrix_audiences() {
    let job = "strategy:\n  matrix:\n    aud: [a1, a2]\npermissions:\n  id-token: write\nsteps:\n  - uses: aws-actions/configure-aws-credentials@v4\n    with:\n      role-to-assume: arn\n      audience: ${{ matrix.aud }}\n";
    let sim = one_job("name: push", job, "");
    assert_eq!(sim.runs.iter().map(|r| claim(r, "aud")).collect::<Vec<_>>(), ["a1", "a2"]);
    assert!(sim.runs.iter().all(|r| r.logins[0].audience_explicit));
}
