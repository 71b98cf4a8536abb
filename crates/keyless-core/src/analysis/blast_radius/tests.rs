//! What-if matrix tests on the seed scenarios (tests/fixtures, each citing
//! its seed document).

use super::*;
use crate::scenario::Scenario;

/// The `scenario:` of a fixture in `tests/fixtures/`.
pub(crate) fn fixture(name: &str) -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../tests/fixtures/{name}.yaml"));
    let text = std::fs::read_to_string(path).unwrap();
    let root = crate::doc::parse(&text, DocId::Scenario).unwrap();
    Scenario::from_node(root.get("scenario").unwrap()).unwrap()
}

fn cell<'a>(m: &'a WhatIfMatrix, row: &str, cloud: Cloud) -> &'a WhatIfCell {
    let r = m.rows.iter().find(|r| r.id == row).unwrap_or_else(|| panic!("no row {row}"));
    r.cells.get(&cloud).unwrap()
}

fn admitted_unintended(m: &WhatIfMatrix) -> Vec<&str> {
    m.unintended_admits.iter().map(|a| a.row.as_str()).collect()
}

/// Seed guide "Enterprise scenario": `repo:my-org/*:ref:refs/heads/main`
/// lets any repository's main assume the shared role (400 boundaries → 1);
/// research §1.8: the pattern no longer matches immutable subjects.
#[test]
fn org_wildcard_admits_every_repository_of_the_org() {
    let m = blast_radius(&fixture("aws-org-wildcard"));
    assert!(cell(&m, "as-given:deploy", Cloud::Aws).admitted);
    let bad = admitted_unintended(&m);
    for row in ["other-repo:deploy", "repo-name-prefix:deploy"] {
        assert!(bad.contains(&row), "{row} should be an unintended admit: {bad:?}");
    }
    for row in [
        "owner-lookalike:deploy",
        "owner-prefix:deploy",
        "other-branch:deploy",
        "tag:deploy",
        "pull-request:deploy",
        "ghes-issuer:deploy",
    ] {
        assert!(!bad.contains(&row), "{row} should be rejected: {bad:?}");
    }
    assert_eq!(cell(&m, "fork-pull-request:deploy", Cloud::Aws).code, "no_token");
    assert!(!cell(&m, "immutable:deploy", Cloud::Aws).admitted);
    // pull_request_target: under the `ref` option the sub equals a push to main.
    assert!(cell(&m, "pull-request-target-ref:deploy", Cloud::Aws).admitted);
    assert!(!cell(&m, "pull-request-target-pr:deploy", Cloud::Aws).admitted);
}

/// Seed guide §1/§6: pinned to main, the environment job never matches; the
/// same job without its environment is admitted.
#[test]
fn environment_drift_rejects_the_job_and_admits_it_without_environment() {
    let m = blast_radius(&fixture("aws-environment-drift"));
    assert_eq!(cell(&m, "as-given:deploy-prod", Cloud::Aws).code, "AccessDenied");
    assert!(admitted_unintended(&m).contains(&"no-environment:deploy-prod"));
    assert!(!cell(&m, "other-environment:deploy-prod", Cloud::Aws).admitted);
}

/// Seed guide §3: classic FIC for `environment:prod`; research §2.2 exact match.
#[test]
fn azure_environment_credential_rejects_other_environments() {
    let m = blast_radius(&fixture("azure-environment"));
    assert!(cell(&m, "as-given:deploy-azure", Cloud::Azure).admitted);
    assert_eq!(cell(&m, "other-environment:deploy-azure", Cloud::Azure).code, "AADSTS700213");
    assert_eq!(cell(&m, "no-environment:deploy-azure", Cloud::Azure).code, "AADSTS700213");
    assert_eq!(cell(&m, "other-repo:deploy-azure", Cloud::Azure).code, "AADSTS700213");
    assert!(m.notes.iter().any(|n| n.contains("environment protection")));
}

/// Seed guide §4: owner condition + principalSet on one repository. Other
/// repositories of the owner pass the condition but have no binding; other
/// owners are rejected by the condition; branches are not constrained at all.
#[test]
fn gcp_org_provider_matrix() {
    let m = blast_radius(&fixture("gcp-org-provider"));
    assert!(cell(&m, "as-given:deploy-gcp", Cloud::Gcp).admitted);
    assert_eq!(cell(&m, "other-repo:deploy-gcp", Cloud::Gcp).code, "PERMISSION_DENIED");
    assert_eq!(cell(&m, "owner-lookalike:deploy-gcp", Cloud::Gcp).code, "unauthorized_client");
    assert!(admitted_unintended(&m).contains(&"other-branch:deploy-gcp"));
}

/// Seed guide §5: pinning the central reusable workflow; another ref of it is rejected.
#[test]
fn reusable_workflow_pin_rejects_other_refs() {
    let m = blast_radius(&fixture("reusable-workflow-pin"));
    let row = m.rows.iter().find(|r| r.variant == "reusable-ref").expect("reusable-ref row");
    assert!(row.cells.values().all(|c| !c.admitted), "{row:?}");
}

#[test]
fn matrix_snapshot() {
    let m = blast_radius(&fixture("aws-org-wildcard"));
    let lines: Vec<String> = m
        .rows
        .iter()
        .map(|r| {
            let cells: Vec<String> = r.cells.iter().map(|(c, x)| format!("{c}={}", x.code)).collect();
            format!(
                "{:32} {:10} {:72} {}",
                r.id,
                format!("{:?}", r.expectation),
                r.sub.clone().unwrap_or_else(|| "(no token)".into()),
                cells.join(" ")
            )
        })
        .collect();
    insta::assert_snapshot!(format!(
        "{}\nsimulations={} evaluations={}",
        lines.join("\n"),
        m.simulations,
        m.evaluations
    ));
}

/// Usable live in the playground: one simulation per variant, one verdict
/// per cell (the < 50 ms target is measured by `cargo run --release
/// --example bench`; here only a generous debug-build bound).
#[test]
fn matrix_is_cheap() {
    let s = fixture("reusable-workflow-pin");
    let start = std::time::Instant::now();
    let m = blast_radius(&s);
    let elapsed = start.elapsed();
    let cells: usize = m.rows.iter().map(|r| r.cells.len()).sum();
    assert_eq!(m.evaluations, cells);
    assert!(m.simulations <= VARIANTS.len(), "{}", m.simulations);
    assert!(elapsed.as_millis() < 2000, "{elapsed:?}");
}

#[test]
fn rewrites_keep_the_workflow_valid() {
    let wf = "name: x\non:\n  push:\n    branches: [main]\npermissions:\n  id-token: write\njobs:\n  a:\n    if: github.ref == 'refs/heads/main'\n    runs-on: ubuntu-latest\n    environment:\n      name: prod\n      url: https://x\n    steps:\n      - run: echo\n  b:\n    uses: o/r/.github/workflows/d.yml@main\n";
    let out = rewrite_workflow(wf, Some("pull_request"), true).unwrap();
    let root = doc::parse(&out, DocId::Workflow).unwrap();
    assert_eq!(root.get("on").and_then(Node::as_str), Some("pull_request"));
    assert!(root.get("permissions").is_some());
    assert!(root.get("jobs").unwrap().get("a").unwrap().get("if").is_none());
    let renamed = rewrite_environments(wf, DocId::Workflow, EnvEdit::Rename);
    let root = doc::parse(&renamed, DocId::Workflow).unwrap();
    let env = root.get("jobs").unwrap().get("a").unwrap().get("environment").unwrap();
    assert_eq!(env.get("name").and_then(Node::as_str), Some(WHAT_IF_NAME));
    let removed = rewrite_environments(wf, DocId::Workflow, EnvEdit::Remove);
    let root = doc::parse(&removed, DocId::Workflow).unwrap();
    let a = root.get("jobs").unwrap().get("a").unwrap();
    assert!(a.get("environment").is_none() && a.get("steps").is_some());
    let refs = rewrite_reusable_refs(wf).unwrap();
    assert!(refs.contains("uses: o/r/.github/workflows/d.yml@refs/heads/keyless/what-if\n"));
}

/// Every row's variant is documented, with the expectation it is shown with.
#[test]
fn every_variant_is_documented() {
    for name in ["aws-org-wildcard", "aws-environment-drift", "reusable-workflow-pin"] {
        for r in blast_radius(&fixture(name)).rows {
            let def =
                VARIANTS.iter().find(|d| d.id == r.variant).unwrap_or_else(|| panic!("{} undocumented", r.variant));
            assert_eq!(def.expectation, r.expectation, "{}", r.variant);
            assert_eq!(def.summary, r.description, "{}", r.variant);
        }
    }
}

#[test]
fn no_configured_cloud_means_no_replays() {
    let mut s = fixture("aws-main-only");
    s.aws = None;
    let m = blast_radius(&s);
    assert!(m.rows.is_empty() && m.clouds.is_empty());
    assert_eq!((m.simulations, m.evaluations), (1, 0));
}

/// Research §1.8: `*` after the branch name also matches longer names.
#[test]
fn branch_prefix_catches_a_missing_terminator() {
    let mut s = fixture("aws-main-only");
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:my-org/my-repo:ref:refs/heads/main*"}}}]}"#;
    s.aws = Some(crate::aws::AwsConfig::from_text(text).unwrap());
    let m = blast_radius(&s);
    assert!(admitted_unintended(&m).contains(&"branch-prefix:deploy-aws"), "{:?}", admitted_unintended(&m));
    let exact = blast_radius(&fixture("aws-main-only"));
    assert!(!cell(&exact, "branch-prefix:deploy-aws", Cloud::Aws).admitted);
}

/// A manual run's rows elsewhere keep its inputs: the attacker's copy of
/// the workflow declares them, else GitHub would refuse the dispatch
/// ("Unexpected inputs provided", see github::inputs) and the row would
/// understate what another repository can get.
#[test]
fn dispatch_rows_keep_the_declared_inputs() {
    let mut s = fixture("github-dispatch-defaults-on-schedule");
    s.event.name.value = "workflow_dispatch".into();
    s.inputs.insert("env".into(), serde_json::json!("staging"));
    let m = blast_radius(&s);
    assert!(cell(&m, "as-given:deploy", Cloud::Aws).admitted);
    let other = cell(&m, "other-repo:deploy", Cloud::Aws);
    assert_eq!(other.code, "AccessDenied", "{other:?}");
    let row = m.rows.iter().find(|r| r.id == "other-repo:deploy").unwrap();
    assert_eq!(row.sub.as_deref(), Some("repo:my-org/keyless-what-if:environment:staging"), "{row:?}");
}
