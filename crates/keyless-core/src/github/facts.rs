//! What a workflow declares, for a "simulate a run" form: the events it
//! listens to, the `workflow_dispatch` inputs, its jobs (environment,
//! matrix, reusable call, login steps) and its environments. Read from the
//! same model the simulation uses (`workflow::parse`), so the UI never
//! re-derives it. Nothing is evaluated here: values are as written.
//! Source: workflow syntax, https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax

use super::expr;
use super::login;
use super::matrix;
use super::workflow::{self, Job, Trigger};
use crate::doc::{Node, Value};
use crate::span::DocId;
use crate::verdict::Cloud;

pub use super::workflow::DispatchInput;

/// Everything a run form can offer from the workflow itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkflowFacts {
    /// `name:` as written.
    pub name: Option<String>,
    /// The events of `on:`, in the order written.
    pub events: Vec<EventFacts>,
    /// `on.workflow_dispatch.inputs`, in the order written.
    pub dispatch_inputs: Vec<DispatchInput>,
    pub jobs: Vec<JobFacts>,
    /// The distinct literal environment names of the jobs, first use first
    /// (environments given by an expression are on their job only).
    pub environments: Vec<String>,
}

impl WorkflowFacts {
    /// Whether the workflow listens to `event`.
    pub fn listens_to(&self, event: &str) -> bool {
        self.events.iter().any(|e| e.name == event)
    }
}

/// One event of `on:` with its filters as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventFacts {
    pub name: String,
    pub branches: Option<Vec<String>>,
    pub branches_ignore: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    pub tags_ignore: Option<Vec<String>>,
    /// `paths` / `paths-ignore` present (changed files are not simulated).
    pub has_path_filter: bool,
}

/// A job's `environment`, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvironmentRef {
    /// A plain name (`environment: prod`).
    Literal(String),
    /// A name holding `${{ }}` (`environment: ${{ inputs.env }}`), known
    /// only for a given run.
    Expression(String),
}

impl EnvironmentRef {
    /// The text as written.
    pub fn text(&self) -> &str {
        match self {
            EnvironmentRef::Literal(t) | EnvironmentRef::Expression(t) => t,
        }
    }
}

/// One job (`jobs.<id>`).
#[derive(Clone, Debug, PartialEq)]
pub struct JobFacts {
    pub id: String,
    pub name: Option<String>,
    /// The reusable workflow it calls (`jobs.<id>.uses`).
    pub calls: Option<String>,
    pub environment: Option<EnvironmentRef>,
    pub matrix: Option<MatrixFacts>,
    /// The clouds its steps log in to with OIDC, in step order (a step's
    /// `if:` is not evaluated: a step that may run counts).
    pub logins: Vec<Cloud>,
    pub needs: Vec<String>,
}

impl JobFacts {
    /// Whether the job has a cloud login step that asks for a token.
    pub fn has_login(&self) -> bool {
        !self.logins.is_empty()
    }
}

/// `strategy.matrix`, as written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MatrixFacts {
    /// The whole matrix when it is one expression (`${{ fromJSON(..) }}`).
    pub expression: Option<String>,
    pub axes: Vec<MatrixAxis>,
    /// `include` entries as `(key, value)` pairs.
    pub include: Vec<Vec<(String, String)>>,
    /// `exclude` entries as `(key, value)` pairs.
    pub exclude: Vec<Vec<(String, String)>>,
    /// How many jobs the matrix makes, when it is fully literal and GitHub
    /// would accept it (same expansion as the simulation).
    pub combinations: Option<usize>,
}

/// One axis of a matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixAxis {
    pub name: String,
    /// The axis values as text, in the order written.
    pub values: Vec<String>,
    /// The axis (or one of its values) is an expression: `values` holds the
    /// text as written and the run decides.
    pub has_expression: bool,
}

/// The facts of a workflow; broken or non-workflow text gives what could be
/// read (possibly nothing), never an error: the editor already reports it.
pub fn workflow_facts(text: &str) -> WorkflowFacts {
    let Some(wf) = workflow::parse(text, DocId::Workflow, &mut Vec::new()) else {
        return WorkflowFacts::default();
    };
    let jobs: Vec<JobFacts> = wf.jobs.iter().map(job_facts).collect();
    let mut environments: Vec<String> = Vec::new();
    for j in &jobs {
        if let Some(EnvironmentRef::Literal(name)) = &j.environment
            && !environments.contains(name)
        {
            environments.push(name.clone());
        }
    }
    WorkflowFacts {
        name: wf.name,
        events: wf.triggers.iter().map(event_facts).collect(),
        dispatch_inputs: wf.dispatch_inputs,
        jobs,
        environments,
    }
}

fn event_facts(t: &Trigger) -> EventFacts {
    EventFacts {
        name: t.event.value.clone(),
        branches: t.branches.clone(),
        branches_ignore: t.branches_ignore.clone(),
        tags: t.tags.clone(),
        tags_ignore: t.tags_ignore.clone(),
        has_path_filter: t.has_path_filter,
    }
}

fn job_facts(j: &Job) -> JobFacts {
    JobFacts {
        id: j.id.value.clone(),
        name: j.name.clone(),
        calls: j.uses.as_ref().map(|u| u.value.clone()),
        environment: j.environment.as_ref().map(|e| {
            if expr::has_expression(&e.value) {
                EnvironmentRef::Expression(e.value.clone())
            } else {
                EnvironmentRef::Literal(e.value.clone())
            }
        }),
        matrix: j.matrix.as_ref().map(matrix_facts),
        logins: j.steps.iter().filter_map(login::login_cloud).collect(),
        needs: j.needs.clone(),
    }
}

/// A scalar as text; lists and mappings as compact JSON.
fn text_of(n: &Node) -> String {
    n.scalar_text().unwrap_or_else(|| n.to_json().to_string())
}

fn pairs(n: &Node) -> Vec<Vec<(String, String)>> {
    n.items()
        .unwrap_or_default()
        .iter()
        .map(|entry| {
            entry.entries().unwrap_or_default().iter().map(|e| (e.key.value.clone(), text_of(&e.value))).collect()
        })
        .collect()
}

fn matrix_facts(n: &Node) -> MatrixFacts {
    if let Value::String(s) = &n.value {
        return MatrixFacts { expression: Some(s.clone()), ..MatrixFacts::default() };
    }
    let mut facts = MatrixFacts::default();
    for e in n.entries().unwrap_or_default() {
        match e.key.value.as_str() {
            "include" => facts.include = pairs(&e.value),
            "exclude" => facts.exclude = pairs(&e.value),
            name => {
                let values: Vec<String> = match e.value.items() {
                    Some(items) => items.iter().map(text_of).collect(),
                    None => vec![text_of(&e.value)],
                };
                let has_expression = e.value.any_text(&|t: &str| expr::has_expression(t));
                facts.axes.push(MatrixAxis { name: name.to_string(), values, has_expression });
            }
        }
    }
    if !n.any_text(&|t: &str| expr::has_expression(t)) {
        facts.combinations = matrix::expand(&n.to_json(), &matrix::axis_order(n)).ok().map(|c| c.len());
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    // The seed doc's deploy workflow (keyless-deployments-aws-azure-gcp.md,
    // "Verify" section), with a dispatch form added.
    const SEED: &str = "name: deploy
on:
  push:
    branches: [main]
    tags: ['v*']
  workflow_dispatch:
    inputs:
      environment:
        description: Where to deploy
        type: choice
        options: [staging, prod]
        default: staging
        required: true
      dry-run:
        type: boolean
      note: {}
permissions:
  id-token: write
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
  deploy-prod:
    runs-on: ubuntu-latest
    needs: build
    environment:
      name: prod
      url: https://app.example.com
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111122223333:role/gha-deploy-prod
          aws-region: us-east-1
  deploy-chosen:
    runs-on: ubuntu-latest
    environment: ${{ inputs.environment }}
    steps:
      - uses: azure/login@v2
        if: github.ref == 'refs/heads/main'
        with:
          client-id: x
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: stored
          role-to-assume: y
  again-prod:
    runs-on: ubuntu-latest
    environment: prod
";

    #[test]
    fn seed_like_workflow() {
        let f = workflow_facts(SEED);
        assert_eq!(f.name.as_deref(), Some("deploy"));
        assert_eq!(f.events.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["push", "workflow_dispatch"]);
        assert_eq!(f.events[0].branches, Some(vec!["main".to_string()]));
        assert_eq!(f.events[0].tags, Some(vec!["v*".to_string()]));
        assert_eq!(f.events[1].branches, None);
        assert!(f.listens_to("workflow_dispatch") && !f.listens_to("pull_request"));

        let inputs: Vec<(&str, &str, bool)> =
            f.dispatch_inputs.iter().map(|i| (i.name.as_str(), i.kind.as_str(), i.required)).collect();
        assert_eq!(inputs, [("environment", "choice", true), ("dry-run", "boolean", false), ("note", "string", false)]);
        let env = &f.dispatch_inputs[0];
        assert_eq!(env.options, ["staging", "prod"]);
        assert_eq!(env.default, Some(serde_json::json!("staging")));
        assert_eq!(env.description.as_deref(), Some("Where to deploy"));
        assert_eq!(f.dispatch_inputs[1].default, None);

        let ids: Vec<&str> = f.jobs.iter().map(|j| j.id.as_str()).collect();
        assert_eq!(ids, ["build", "deploy-prod", "deploy-chosen", "again-prod"]);
        assert!(!f.jobs[0].has_login());
        assert_eq!(f.jobs[1].environment, Some(EnvironmentRef::Literal("prod".into())));
        assert_eq!(f.jobs[1].logins, [Cloud::Aws]);
        assert_eq!(f.jobs[1].needs, ["build"]);
        // A login behind an `if:` still counts; a stored-key login does not
        // (login.rs, OidcWhen::AwsRoleWithoutKeys).
        assert_eq!(f.jobs[2].logins, [Cloud::Azure]);
        assert_eq!(f.jobs[2].environment, Some(EnvironmentRef::Expression("${{ inputs.environment }}".into())));
        assert_eq!(f.environments, ["prod"]);
    }

    // Docs "Running variations of jobs": include / exclude.
    #[test]
    fn matrix_with_include_and_exclude() {
        let f = workflow_facts(
            "on: push
jobs:
  test:
    runs-on: ubuntu-latest
    environment: ${{ matrix.env }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
        version: [12, 14]
        env: [staging, prod]
        exclude:
          - os: windows-latest
            version: 12
        include:
          - os: macos-latest
            version: 16
            env: prod
  dynamic:
    runs-on: x
    strategy:
      matrix: ${{ fromJSON(vars.MATRIX) }}
  half:
    runs-on: x
    strategy:
      matrix:
        region: ${{ fromJSON(vars.REGIONS) }}
        tier: [a, b]
",
        );
        let m = f.jobs[0].matrix.as_ref().unwrap();
        let axes: Vec<(&str, Vec<&str>)> =
            m.axes.iter().map(|a| (a.name.as_str(), a.values.iter().map(String::as_str).collect())).collect();
        assert_eq!(
            axes,
            [
                ("os", vec!["ubuntu-latest", "windows-latest"]),
                ("version", vec!["12", "14"]),
                ("env", vec!["staging", "prod"])
            ]
        );
        assert_eq!(
            m.exclude,
            [vec![("os".to_string(), "windows-latest".to_string()), ("version".to_string(), "12".to_string())]]
        );
        assert_eq!(m.include.len(), 1);
        assert_eq!(m.include[0].len(), 3);
        // 8 - 2 excluded + 1 new from include.
        assert_eq!(m.combinations, Some(7));
        assert_eq!(m.expression, None);
        assert!(f.environments.is_empty());

        let dynamic = f.jobs[1].matrix.as_ref().unwrap();
        assert_eq!(dynamic.expression.as_deref(), Some("${{ fromJSON(vars.MATRIX) }}"));
        assert_eq!(dynamic.combinations, None);
        let half = f.jobs[2].matrix.as_ref().unwrap();
        assert!(half.axes[0].has_expression && !half.axes[1].has_expression);
        assert_eq!(half.combinations, None);
    }

    #[test]
    fn reusable_caller() {
        let f = workflow_facts(
            "on:
  pull_request:
    branches-ignore: ['dependabot/**']
    paths: ['src/**']
jobs:
  call:
    uses: my-org/shared/.github/workflows/deploy.yml@main
    with:
      env: prod
  local:
    uses: ./.github/workflows/r.yml
",
        );
        assert_eq!(f.events[0].branches_ignore, Some(vec!["dependabot/**".to_string()]));
        assert!(f.events[0].has_path_filter);
        assert_eq!(f.jobs[0].calls.as_deref(), Some("my-org/shared/.github/workflows/deploy.yml@main"));
        assert_eq!(f.jobs[1].calls.as_deref(), Some("./.github/workflows/r.yml"));
        assert!(f.jobs.iter().all(|j| j.logins.is_empty() && j.matrix.is_none()));
    }

    #[test]
    fn broken_text_gives_empty_facts() {
        for text in ["", "on: [push\njobs: {", "- a\n- b\n", "42", "\t{{{", "on:\n  push:\n    branches: 3\njobs: 7\n"]
        {
            let f = workflow_facts(text);
            assert!(f.jobs.is_empty(), "{text:?}");
            assert!(f.dispatch_inputs.is_empty(), "{text:?}");
        }
        assert_eq!(workflow_facts("on: [push\njobs: {"), WorkflowFacts::default());
    }
}
