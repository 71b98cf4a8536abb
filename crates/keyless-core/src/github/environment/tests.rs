//! The scenario's `environments:` / `protected_branches:` fields and the
//! decision table of D-ENV "Deployment branches and tags".

use super::*;
use crate::scenario::Scenario;

const BASE: &str = "repository: o/r\nevent: push\nworkflow: \"\"\n";

fn parse(extra: &str) -> Result<Scenario, Vec<Diagnostic>> {
    Scenario::parse(&format!("{BASE}{extra}"))
}

fn errors(extra: &str) -> Vec<String> {
    match parse(extra) {
        Ok(_) => panic!("expected errors for {extra:?}"),
        Err(d) => d.into_iter().map(|d| d.message).collect(),
    }
}

#[test]
fn parses_the_three_policies_and_reviewers() {
    let s = parse(
        "environments:\n  prod:\n    deployment_branches: protected\n    required_reviewers: true\n  staging:\n    deployment_branches: [main, 'release/*']\n    deployment_tags: ['v*']\n  dev:\n    deployment_branches: all\n  preview:\nprotected_branches: [main]\n",
    )
    .unwrap();
    let names: Vec<&str> = s.environments.iter().map(|e| e.name.value.as_str()).collect();
    assert_eq!(names, ["prod", "staging", "dev", "preview"]);
    assert_eq!(s.environments[0].deployment_branches, DeploymentBranches::Protected);
    assert!(s.environments[0].required_reviewers);
    match &s.environments[1].deployment_branches {
        DeploymentBranches::Selected(p) => {
            assert_eq!(p.iter().map(|p| p.value.as_str()).collect::<Vec<_>>(), ["main", "release/*"])
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.environments[1].deployment_tags[0].value, "v*");
    assert_eq!(s.environments[2].deployment_branches, DeploymentBranches::All);
    // An entry without rules is known to have none.
    assert_eq!(s.environments[3].deployment_branches, DeploymentBranches::All);
    assert!(!s.environments[3].required_reviewers);
    assert_eq!(s.run.protected_branches.unwrap().value[0].value, "main");
}

/// Unknown keys are located errors with a did-you-mean (scenario contract).
#[test]
fn unknown_keys_are_located_errors_with_a_hint() {
    let text = format!("{BASE}environments:\n  prod:\n    deployment_branch: protected\n");
    let errs = Scenario::parse(&text).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].message.contains("unknown field `deployment_branch` in environment `prod`"), "{}", errs[0].message);
    assert!(errs[0].message.contains("did you mean `deployment_branches`?"), "{}", errs[0].message);
    let span = errs[0].span.unwrap();
    assert_eq!(&text[span.start as usize..span.end as usize], "deployment_branch");
    // Top level too.
    let errs = errors("environment:\n  prod:\n");
    assert!(errs[0].contains("did you mean `environments`?"), "{errs:?}");
    let errs = errors("protected_branch: [main]\n");
    assert!(errs[0].contains("did you mean `protected_branches`?"), "{errs:?}");
}

#[test]
fn bad_values_are_reported() {
    let errs = errors("environments:\n  prod:\n    deployment_branches: protcted\n");
    assert!(
        errs[0].contains("must be `all`, `protected` or a list") && errs[0].contains("did you mean `protected`?"),
        "{errs:?}"
    );
    let errs = errors("environments:\n  prod:\n    deployment_branches: protected\n    deployment_tags: ['v*']\n");
    assert!(
        errs[0].contains("`deployment_tags` of environment `prod` needs `deployment_branches` to be a list"),
        "{errs:?}"
    );
    let errs = errors("environments:\n  prod:\n    required_reviewers: yes please\n");
    assert!(errs[0].contains("`required_reviewers` must be true or false"), "{errs:?}");
    let errs = errors("environments: [prod]\n");
    assert!(errs[0].contains("`environments` must be a mapping"), "{errs:?}");
    let errs = errors("protected_branches: main\n");
    assert!(errs[0].contains("`protected_branches` must be a list"), "{errs:?}");
    let errs = errors("environments:\n  prod:\n    deployment_branches: ['']\n");
    assert!(errs[0].contains("must not be empty"), "{errs:?}");
}

/// "Environment names are not case sensitive" (D-ENVMGR): two entries that
/// differ in case are one environment, and lookups ignore case.
#[test]
fn environment_names_are_not_case_sensitive() {
    let errs = errors("environments:\n  Prod:\n  prod:\n");
    assert!(errs[0].contains("not case sensitive"), "{errs:?}");
    let s = parse("environments:\n  Prod:\n    deployment_branches: protected\n").unwrap();
    assert_eq!(find(&s.environments, "PROD").map(|e| e.name.value.as_str()), Some("Prod"));
    assert!(find(&s.environments, "staging").is_none());
}

fn rules(policy: &str) -> EnvironmentRules {
    let s = parse(&format!("environments:\n  prod:\n{policy}")).unwrap();
    s.run.environments.into_iter().next().unwrap()
}

fn run<'a>(git_ref: &'a str, event: &'a str, protected: Option<&'a [Spanned<String>]>) -> RunContext<'a> {
    RunContext { git_ref, event, merged: false, ghes: false, protected_branches: protected, ref_protected: false }
}

fn refused(rules: &EnvironmentRules, ctx: &RunContext<'_>) -> Option<String> {
    check(Some(rules), "prod", ctx).refused
}

fn pats(list: &[&str]) -> Vec<Spanned<String>> {
    list.iter().map(|p| Spanned::new(p.to_string(), Span::new(crate::span::DocId::Scenario, 0, 0))).collect()
}

/// D-ENV "Selected branches and tags": "matched against the `GITHUB_REF`
/// of the workflow run"; "Wildcard characters will not match `/`"; "Name
/// patterns must be configured for branches or tags individually"; a
/// branch rule `refs/pull/*/merge` admits `pull_request` runs. The error
/// text is GitHub's annotation (E1).
#[test]
fn selected_branches_and_tags() {
    let r = rules("    deployment_branches: [main, 'releases/*']\n    deployment_tags: ['v*']\n");
    assert_eq!(refused(&r, &run("refs/heads/main", "push", None)), None);
    assert_eq!(refused(&r, &run("refs/heads/releases/1.0", "push", None)), None);
    assert_eq!(
        refused(&r, &run("refs/heads/releases/1.0/hotfix", "push", None)).as_deref(),
        Some("Branch \"releases/1.0/hotfix\" is not allowed to deploy to prod due to environment protection rules.")
    );
    assert_eq!(
        refused(&r, &run("refs/heads/feature", "push", None)).as_deref(),
        Some("Branch \"feature\" is not allowed to deploy to prod due to environment protection rules.")
    );
    assert_eq!(refused(&r, &run("refs/tags/v1.2.0", "push", None)), None);
    // A branch rule does not admit a tag of the same name, nor the reverse.
    assert_eq!(
        refused(&r, &run("refs/tags/main", "push", None)).as_deref(),
        Some("Tag \"main\" is not allowed to deploy to prod due to environment protection rules.")
    );
    assert!(refused(&r, &run("refs/heads/v1", "push", None)).is_some());
    // pull_request: the merge ref, as a branch named by the full ref.
    let d = check(Some(&r), "prod", &run("refs/pull/7/merge", "pull_request", None));
    assert_eq!(
        d.refused.as_deref(),
        Some("Branch \"refs/pull/7/merge\" is not allowed to deploy to prod due to environment protection rules.")
    );
    assert!(d.notes.iter().any(|n| n.contains("not the head branch")), "{:?}", d.notes);
    let pr = rules("    deployment_branches: ['refs/pull/*/merge']\n");
    assert_eq!(refused(&pr, &run("refs/pull/7/merge", "pull_request", None)), None);
    // Tags only.
    let tags = rules("    deployment_branches: []\n    deployment_tags: ['v*']\n");
    assert!(refused(&tags, &run("refs/heads/main", "push", None)).is_some());
    assert_eq!(refused(&tags, &run("refs/tags/v2", "release", None)), None);
}

/// D-ENV "Protected branches only: Only branches with branch protection
/// rules enabled can deploy to the environment. If no branch protection
/// rules are defined for any branch in the repository, then all branches
/// can deploy"; "Deployment workflow runs triggered by tags with the same
/// name as a protected branch … cannot deploy".
#[test]
fn protected_branches_only() {
    let r = rules("    deployment_branches: protected\n");
    let main = pats(&["main", "release/*"]);
    assert_eq!(refused(&r, &run("refs/heads/main", "push", Some(&main))), None);
    assert_eq!(refused(&r, &run("refs/heads/release/2", "push", Some(&main))), None);
    assert!(refused(&r, &run("refs/heads/feature", "push", Some(&main))).is_some());
    assert_eq!(
        refused(&r, &run("refs/tags/main", "push", Some(&main))).as_deref(),
        Some("Tag \"main\" is not allowed to deploy to prod due to environment protection rules.")
    );
    assert!(refused(&r, &run("refs/pull/3/merge", "pull_request", Some(&pats(&["**/*"])))).is_some());
    // No rules in the repository: every branch can deploy.
    assert_eq!(refused(&r, &run("refs/heads/feature", "push", Some(&[]))), None);
    // Unknown rules: `ref_protected` decides, and the note says so.
    let d = check(Some(&r), "prod", &run("refs/heads/main", "push", None));
    assert!(d.refused.is_some());
    assert!(d.notes[0].contains("does not list `protected_branches`") && d.notes[0].contains("ref_protected: false"));
    let mut ctx = run("refs/heads/main", "push", None);
    ctx.ref_protected = true;
    assert_eq!(refused(&r, &ctx), None);
}

/// Required reviewers delay the job, they do not refuse it (D-ENV
/// "Required reviewers"); unlisted environments have unknown rules.
#[test]
fn reviewers_and_unknown_rules_are_notes() {
    let r = rules("    required_reviewers: true\n");
    let d = check(Some(&r), "prod", &run("refs/heads/feature", "push", None));
    assert_eq!(d.refused, None);
    assert!(d.notes.iter().any(|n| n.contains("requires a reviewer") && n.contains("assumes it is approved")));
    let d = check(None, "prod", &run("refs/heads/feature", "push", None));
    assert_eq!(d.refused, None);
    assert!(d.notes[0].contains("gives no protection rules for environment `prod`"));
    assert_eq!(d.span, None);
}

/// A deployment created from a commit has no ref (D-EVT): undocumented,
/// labelled.
#[test]
fn an_empty_ref_is_a_labelled_assumption() {
    let r = rules("    deployment_branches: [main]\n");
    let d = check(Some(&r), "prod", &run("", "deployment", None));
    assert_eq!(d.refused, None);
    assert!(d.notes[0].contains("[INF]"), "{:?}", d.notes);
}

/// Hostile input stays linear: many environments, long patterns, long refs.
#[test]
fn hostile_rules_are_bounded() {
    let mut text = String::from("environments:\n");
    for i in 0..20_000 {
        text.push_str(&format!("  e{i}:\n"));
    }
    text.push_str("  E1:\n");
    let errs = errors(&text);
    assert_eq!(errs.len(), 1, "{errs:?}");
    let long = "*a".repeat(3000);
    let r = rules(&format!("    deployment_branches: ['{long}']\n"));
    let name = format!("refs/heads/{}", "a".repeat(20_000));
    let d = check(Some(&r), "prod", &run(&name, "push", None));
    // It matches (or is too long to decide, which is admitted and labelled).
    assert!(d.refused.is_none(), "{:?}", d.notes);
}
