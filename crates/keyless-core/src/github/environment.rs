//! Environment deployment protection rules: which branches and tags may
//! deploy to an environment, and whether a reviewer must approve (D-ENV,
//! "Deployment protection rules"). A job that names an environment gets
//! `sub` `…:environment:NAME` whatever its ref, so a trust on that subject
//! is only as narrow as these rules; GitHub fails a job whose run's ref
//! they refuse before it starts, and it then requests no token.
//!
//! The scenario states the rules (`environments:`), and the repository's
//! branch protection rules when a policy needs them (`protected_branches:`).
//! An environment the scenario does not list has unknown rules: Keyless then
//! refuses nothing and says so.

use super::fnmatch::{TooExpensive, fnmatch};
use super::run::Run;
use crate::diagnostic::Diagnostic;
use crate::doc::{Node, Value};
use crate::span::{Span, Spanned};
use crate::spelling::{check_keys, nearest};

/// "Deployment branches and tags" of an environment (D-ENV). REST:
/// `deployment_branch_policy` null (all), `{protected_branches: true}`
/// (protected) or `{custom_branch_policies: true}` with name patterns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeploymentBranches {
    /// "No restriction".
    All,
    /// "Protected branches only".
    Protected,
    /// "Selected branches and tags": the branch name patterns.
    Selected(Vec<Spanned<String>>),
}

/// The protection rules the scenario gives for one environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvironmentRules {
    /// The environment's name as the scenario writes it (names are not
    /// case sensitive, D-ENVMGR).
    pub name: Spanned<String>,
    pub deployment_branches: DeploymentBranches,
    /// Tag name patterns ("Selected branches and tags" with `type: tag`).
    pub deployment_tags: Vec<Spanned<String>>,
    /// A reviewer must approve each job that references the environment.
    pub required_reviewers: bool,
    /// Where the policy is written (the `deployment_branches` value, else
    /// the environment's key), for highlighting.
    pub span: Span,
}

/// Keys of one environment's entry.
pub const ENVIRONMENT_KEYS: &[&str] = &["deployment_branches", "deployment_tags", "required_reviewers"];

/// "An environment name may not exceed 255 characters" (D-ENVMGR).
const MAX_NAME_CHARS: usize = 255;

/// The scenario's keys that give protection rules; the playground edits
/// them in an editor of their own.
pub const PROTECTION_KEYS: &[&str] = &["protected_branches", "environments"];

/// Reads `environments:` and `protected_branches:` of mapping `root` into
/// `run`: the one reading of both the scenario file and the playground's
/// protection editor.
pub fn read_protection(root: &Node, run: &mut Run, errors: &mut Vec<Diagnostic>) {
    if let Some(n) = root.get("environments").filter(|n| !n.is_null()) {
        match parse_environments(n) {
            Ok(v) => run.environments = v,
            Err(mut d) => errors.append(&mut d),
        }
    }
    if let Some(n) = root.get("protected_branches").filter(|n| !n.is_null()) {
        match parse_protected_branches(n) {
            Ok(v) => run.protected_branches = Some(v),
            Err(d) => errors.push(d),
        }
    }
}

/// Reads the scenario's `environments:` mapping.
pub fn parse_environments(n: &Node) -> Result<Vec<EnvironmentRules>, Vec<Diagnostic>> {
    let entries = n.expect_map("`environments`").map_err(|d| vec![d])?;
    let mut errors = Vec::new();
    let mut out: Vec<EnvironmentRules> = Vec::new();
    // Lower-cased names seen (a set keeps a hostile map linear).
    let mut seen = std::collections::BTreeSet::new();
    for e in entries {
        let name = &e.key;
        if name.value.trim().is_empty() || name.value.chars().count() > MAX_NAME_CHARS {
            errors.push(Diagnostic::at(
                "an environment name must be 1 to 255 characters (D-ENVMGR)".to_string(),
                name.span,
            ));
        }
        if !seen.insert(name.value.to_ascii_lowercase()) {
            errors.push(Diagnostic::at(
                format!(
                    "environment `{}` is listed twice: environment names are not case sensitive (D-ENVMGR)",
                    name.value
                ),
                name.span,
            ));
            continue;
        }
        match parse_rules(name, &e.value) {
            Ok(r) => out.push(r),
            Err(mut d) => errors.append(&mut d),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn parse_rules(name: &Spanned<String>, n: &Node) -> Result<EnvironmentRules, Vec<Diagnostic>> {
    let mut rules = EnvironmentRules {
        name: name.clone(),
        deployment_branches: DeploymentBranches::All,
        deployment_tags: Vec::new(),
        required_reviewers: false,
        span: name.span,
    };
    // `prod:` with nothing under it: known to have no rules.
    if n.is_null() {
        return Ok(rules);
    }
    let what = format!("environment `{}`", name.value);
    n.expect_map(&format!("the rules of {what}")).map_err(|d| vec![d])?;
    let mut errors = Vec::new();
    check_keys(n, ENVIRONMENT_KEYS, &what, &mut errors);
    if let Some(v) = n.get("deployment_branches").filter(|v| !v.is_null()) {
        rules.span = v.span;
        match &v.value {
            Value::String(s) if s == "all" => {}
            Value::String(s) if s == "protected" => rules.deployment_branches = DeploymentBranches::Protected,
            Value::Seq(_) => match patterns(v, "a deployment branch rule") {
                Ok(p) => rules.deployment_branches = DeploymentBranches::Selected(p),
                Err(d) => errors.push(d),
            },
            _ => {
                let hint = v
                    .as_str()
                    .and_then(|s| nearest(s, &["all", "protected"]))
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                errors.push(Diagnostic::at(
                    format!("`deployment_branches` of {what} must be `all`, `protected` or a list of branch name patterns{hint}"),
                    v.span,
                ));
            }
        }
    }
    if let Some(entry) = n.entry("deployment_tags").filter(|e| !e.value.is_null()) {
        match patterns(&entry.value, "a deployment tag rule") {
            Ok(p) if matches!(rules.deployment_branches, DeploymentBranches::Selected(_)) => rules.deployment_tags = p,
            Ok(_) => errors.push(Diagnostic::at(
                format!(
                    "`deployment_tags` of {what} needs `deployment_branches` to be a list of patterns (GitHub's \"Selected branches and tags\"); write `deployment_branches: []` to let only tags deploy"
                ),
                entry.key.span,
            )),
            Err(d) => errors.push(d),
        }
    }
    if let Some(v) = n.get("required_reviewers").filter(|v| !v.is_null()) {
        match v.value {
            Value::Bool(b) => rules.required_reviewers = b,
            _ => errors.push(v.type_error("`required_reviewers`", "true or false")),
        }
    }
    if errors.is_empty() { Ok(rules) } else { Err(errors) }
}

/// A list of name patterns (one string is a list of one).
fn patterns(n: &Node, what: &str) -> Result<Vec<Spanned<String>>, Diagnostic> {
    let list = n.string_or_list(what)?;
    match list.iter().find(|p| p.value.is_empty()) {
        Some(empty) => Err(Diagnostic::at(format!("{what} must not be empty"), empty.span)),
        None => Ok(list),
    }
}

/// Reads the scenario's `protected_branches:` (branch protection rule
/// name patterns, D-BPR).
pub fn parse_protected_branches(n: &Node) -> Result<Spanned<Vec<Spanned<String>>>, Diagnostic> {
    let list = match n.value {
        Value::Seq(_) => patterns(n, "a branch protection rule")?,
        _ => return Err(n.type_error("`protected_branches`", "a list of branch name patterns (`[]` for none)")),
    };
    Ok(Spanned::new(list, n.span))
}

/// The rules the scenario gives for `environment`, matched without regard
/// to case ("Environment names are not case sensitive", D-ENVMGR).
pub fn find<'a>(rules: &'a [EnvironmentRules], environment: &str) -> Option<&'a EnvironmentRules> {
    rules.iter().find(|r| r.name.value.eq_ignore_ascii_case(environment))
}

/// What the run's ref is, as deployment rules see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RefName<'a> {
    Branch(&'a str),
    Tag(&'a str),
    /// A deployment created from a commit: `GITHUB_REF` is empty (D-EVT).
    Commit,
}

/// "The deployment branch or tag rule is matched against the `GITHUB_REF`
/// of the workflow run" (D-ENV): a branch or tag by its name; any other
/// ref (`refs/pull/5/merge`) by its full text, as a branch — D-ENV's own
/// example admits pull requests with the branch rule `refs/pull/*/merge`.
fn ref_name(git_ref: &str) -> RefName<'_> {
    if git_ref.is_empty() {
        RefName::Commit
    } else if let Some(b) = git_ref.strip_prefix("refs/heads/") {
        RefName::Branch(b)
    } else if let Some(t) = git_ref.strip_prefix("refs/tags/") {
        RefName::Tag(t)
    } else {
        RefName::Branch(git_ref)
    }
}

/// What the checks need to know about the run.
#[derive(Clone, Copy, Debug)]
pub struct RunContext<'a> {
    /// `GITHUB_REF` of the run.
    pub git_ref: &'a str,
    pub event: &'a str,
    /// A `pull_request` closed by merging (its ref is then the base branch).
    pub merged: bool,
    pub ghes: bool,
    /// The scenario's `protected_branches`, if given.
    pub protected_branches: Option<&'a [Spanned<String>]>,
    /// The scenario's `ref_protected`.
    pub ref_protected: bool,
}

/// Whether GitHub lets the job deploy to its environment, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// GitHub's error when the rules refuse the run's ref (the job fails
    /// before it starts).
    pub refused: Option<String>,
    /// Sentences for the token explanation.
    pub notes: Vec<String>,
    /// The rules that decided, when the scenario gives them.
    pub span: Option<Span>,
}

/// Checks the environment's rules (if the scenario gives them) against the
/// run's ref.
pub fn check(rules: Option<&EnvironmentRules>, environment: &str, run: &RunContext<'_>) -> Decision {
    let Some(rules) = rules else {
        return Decision {
            refused: None,
            notes: vec![format!(
                "The scenario gives no protection rules for environment `{environment}` (`environments:`): Keyless assumes none stop this job (D-ENV); a missing environment is created by the run without rules (D-ENVMGR)."
            )],
            span: None,
        };
    };
    let mut notes = Vec::new();
    let name = ref_name(run.git_ref);
    let verdict = match (&rules.deployment_branches, name) {
        (DeploymentBranches::All, _) => Ok(format!(
            "Environment `{environment}` lets every branch and tag deploy (`deployment_branches: all`, \"No restriction\", D-ENV)."
        )),
        (_, RefName::Commit) => Ok(format!(
            "The run's ref is empty (a deployment created from a commit): GitHub's docs do not say how environment `{environment}`'s branch and tag rules treat it; Keyless assumes they let it deploy [INF]."
        )),
        (DeploymentBranches::Protected, RefName::Tag(t)) => Err((
            refused_error("Tag", t, environment),
            format!(
                "Environment `{environment}` lets only protected branches deploy (`deployment_branches: protected`): a tag never can, even one named like a protected branch (D-ENV)."
            ),
        )),
        (DeploymentBranches::Protected, RefName::Branch(b)) => protected_branch(environment, b, run),
        (DeploymentBranches::Selected(branches), RefName::Branch(b)) => {
            selected(environment, "Branch", "branch", b, branches, &mut notes)
        }
        (DeploymentBranches::Selected(_), RefName::Tag(t)) => {
            selected(environment, "Tag", "tag", t, &rules.deployment_tags, &mut notes)
        }
    };
    if !matches!(rules.deployment_branches, DeploymentBranches::All) {
        notes.extend(ref_notes(run));
    }
    match verdict {
        Ok(why) => {
            notes.insert(0, why);
            if rules.required_reviewers {
                notes.push(format!(
                    "Environment `{environment}` requires a reviewer: the job waits until one of its required reviewers approves it (or an administrator bypasses the rule, unless the environment disallows that), and only then runs and requests its token; Keyless assumes it is approved (D-ENV)."
                ));
            }
            Decision { refused: None, notes, span: Some(rules.span) }
        }
        Err((error, why)) => {
            notes.insert(0, why);
            Decision { refused: Some(error), notes, span: Some(rules.span) }
        }
    }
}

/// `Ok(why)` when admitted, `Err((GitHub's error, why))` when refused.
type Verdict = Result<String, (String, String)>;

fn refused_error(kind: &str, name: &str, environment: &str) -> String {
    // The observed annotation (E1).
    format!("{kind} \"{name}\" is not allowed to deploy to {environment} due to environment protection rules.")
}

/// "Selected branches and tags": the name must match a rule of its kind
/// ("Name patterns must be configured for branches or tags individually",
/// D-ENV).
fn selected(
    environment: &str,
    kind: &str,
    kind_lower: &str,
    name: &str,
    patterns: &[Spanned<String>],
    notes: &mut Vec<String>,
) -> Verdict {
    if patterns.iter().any(|p| p.value.contains('{')) {
        notes.push(
            "`{…}` in a rule is literal text: GitHub names `File.fnmatch` without the FNM_EXTGLOB flag that would make it an alternative (D-ENV, D-FNM) [INF].".into(),
        );
    }
    let listed = || {
        if patterns.is_empty() {
            format!("no {kind_lower} rule")
        } else {
            let quoted: Vec<String> = patterns.iter().map(|p| format!("`{}`", p.value)).collect();
            let plural = if kind_lower == "branch" { "branches" } else { "tags" };
            format!("only {plural} matching {}", quoted.join(", "))
        }
    };
    match first_match(patterns, name) {
        Ok(Some(p)) => Ok(format!(
            "Environment `{environment}` admits {kind_lower} `{name}`: it matches the deployment {kind_lower} rule `{}` (Ruby `File.fnmatch` with FNM_PATHNAME: `*` does not match `/`; D-ENV, D-FNM).",
            p.value
        )),
        Ok(None) => Err((
            refused_error(kind, name, environment),
            format!(
                "Environment `{environment}` admits {} (\"Selected branches and tags\"; `*` does not match `/`; D-ENV): `{name}` matches none, so GitHub fails the job before it starts and it requests no token.",
                listed()
            ),
        )),
        Err(TooExpensive) => Ok(format!(
            "Keyless could not match `{name}` against environment `{environment}`'s {kind_lower} rules (too long to match); it assumes they let it deploy [INF]."
        )),
    }
}

/// "Protected branches only: Only branches with branch protection rules
/// enabled can deploy to the environment. If no branch protection rules are
/// defined for any branch in the repository, then all branches can deploy"
/// (D-ENV).
fn protected_branch(environment: &str, branch: &str, run: &RunContext<'_>) -> Verdict {
    let refuse = |why: String| Err((refused_error("Branch", branch, environment), why));
    let Some(rules) = run.protected_branches else {
        // Unknown: the scenario's `ref_protected` (what the token's claim
        // says about this ref) is the only statement of it.
        let why = format!(
            "Environment `{environment}` lets only protected branches deploy (D-ENV). The scenario does not list `protected_branches`: Keyless takes `ref_protected: {}` as whether `{branch}` is protected, and assumes the repository protects some branch (with none, every branch may deploy, D-ENV).",
            run.ref_protected
        );
        return if run.ref_protected { Ok(why) } else { refuse(why) };
    };
    if rules.is_empty() {
        return Ok(format!(
            "Environment `{environment}` lets only protected branches deploy, and the repository has no branch protection rules (`protected_branches: []`): then every branch can deploy (D-ENV)."
        ));
    }
    if !run.git_ref.starts_with("refs/heads/") {
        return refuse(format!(
            "Environment `{environment}` lets only protected branches deploy (D-ENV): `{}` is not a branch of the repository, so no branch protection rule covers it [INF].",
            run.git_ref
        ));
    }
    // D-ENV names branch protection rules; whether a ruleset targeting the
    // branch counts is not documented.
    let rulesets = "(`protected_branches` stands for the branch protection rules; whether a branch ruleset counts as protection here is not documented [INF])";
    match first_match(rules, branch) {
        Ok(Some(p)) => Ok(format!(
            "Environment `{environment}` lets only protected branches deploy, and `{branch}` is protected by the rule `{}` (`protected_branches`; D-ENV, D-BPR) {rulesets}.",
            p.value
        )),
        Ok(None) => refuse(format!(
            "Environment `{environment}` lets only protected branches deploy (`deployment_branches: protected`, D-ENV), and no rule of `protected_branches` covers `{branch}` (D-BPR), so GitHub fails the job before it starts and it requests no token {rulesets}."
        )),
        Err(TooExpensive) => Ok(format!(
            "Keyless could not match `{branch}` against `protected_branches` (too long to match); it assumes the branch is protected [INF]."
        )),
    }
}

/// The first pattern that admits `name`.
fn first_match<'a>(patterns: &'a [Spanned<String>], name: &str) -> Result<Option<&'a Spanned<String>>, TooExpensive> {
    for p in patterns {
        if fnmatch(&p.value, name)? {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// Whether `protected_branches` covers the branch `git_ref` names (`None`
/// for a ref that is not a branch, or a match too long to decide).
pub fn is_protected(rules: &[Spanned<String>], git_ref: &str) -> Option<bool> {
    let branch = git_ref.strip_prefix("refs/heads/")?;
    first_match(rules, branch).ok().map(|m| m.is_some())
}

/// Which ref the rules saw, when the event makes it surprising.
fn ref_notes(run: &RunContext<'_>) -> Vec<String> {
    let mut notes = Vec::new();
    match run.event {
        "pull_request" | "pull_request_review" | "pull_request_review_comment" if !run.merged => {
            notes.push(format!(
                "For `{}` the rules see the run's `GITHUB_REF`, the merge ref `{}`, not the head branch (D-ENV; CL-PRT, since 2025-12-08): a branch rule `refs/pull/*/merge` admits every pull request, from forks too.",
                run.event, run.git_ref
            ));
            if run.ghes {
                notes.push("GHES versions without the 2025-12-08 change matched these rules against the pull request's head branch (CL-PRT); Keyless does not model the GHES version.".into());
            }
        }
        "pull_request_target" => notes.push(format!(
            "`pull_request_target` runs on the default branch, so the rules see `{}` (CL-PRT): rules that admit the default branch admit this event, whoever opened the pull request.",
            run.git_ref
        )),
        "merge_group" => notes.push(format!(
            "A merge queue run's `GITHUB_REF` is its temporary branch `{}` (D-EVT), which the rules see: a rule naming only the target branch does not admit it.",
            run.git_ref
        )),
        _ => {}
    }
    notes
}

#[cfg(test)]
mod tests;
