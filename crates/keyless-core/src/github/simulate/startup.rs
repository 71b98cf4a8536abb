//! Checks GitHub makes before any job runs: the `needs` graph, protected
//! refs, the immutable subject's ids; and folding repeated diagnostics.

use super::*;

/// A cycle of `needs` (job ids, the first repeated at the end), if any.
/// An iterative depth-first search, linear in jobs + needs: no recursion
/// (the playground's wasm stack is small) and no size above which the check
/// is skipped.
pub(super) fn needs_cycle(wf: &Workflow) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let index: HashMap<&str, usize> = wf.jobs.iter().enumerate().map(|(i, j)| (j.id.value.as_str(), i)).collect();
    let needs_of = |i: usize| wf.jobs.get(i).map(|j| j.needs.as_slice()).unwrap_or_default();
    let mut mark = vec![Mark::New; wf.jobs.len()];
    for root in 0..wf.jobs.len() {
        if mark.get(root) != Some(&Mark::New) {
            continue;
        }
        // (job, index of the next need to follow)
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        if let Some(m) = mark.get_mut(root) {
            *m = Mark::OnPath;
        }
        while let Some(top) = path.last_mut() {
            let job = top.0;
            let Some(need) = needs_of(job).get(top.1) else {
                if let Some(m) = mark.get_mut(job) {
                    *m = Mark::Done;
                }
                path.pop();
                continue;
            };
            top.1 += 1;
            let Some(&target) = index.get(need.as_str()) else { continue };
            match mark.get(target) {
                Some(Mark::New) => {
                    if let Some(m) = mark.get_mut(target) {
                        *m = Mark::OnPath;
                    }
                    path.push((target, 0));
                }
                Some(Mark::OnPath) => {
                    let at = path.iter().position(|(j, _)| *j == target).unwrap_or(0);
                    let name = |i: usize| wf.jobs.get(i).map(|j| j.id.value.clone()).unwrap_or_default();
                    let mut cycle: Vec<String> = path.iter().skip(at).map(|(j, _)| name(*j)).collect();
                    cycle.push(name(target));
                    return Some(cycle);
                }
                _ => {}
            }
        }
    }
    None
}

/// Matrix runs repeat the same finding; report each once.
pub(super) fn dedupe(diags: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| seen.insert((d.severity as u8, d.message.clone(), d.span)));
}

/// `protected_branches` and `ref_protected` both describe the run's branch:
/// say so when they disagree, since the token's `ref_protected` claim
/// follows the latter and environment rules the former.
pub(super) fn check_ref_protected(s: &Run, git_ref: &str, diags: &mut Vec<Diagnostic>) {
    let Some(rules) = &s.protected_branches else { return };
    let Some(protected) = crate::github::environment::is_protected(&rules.value, git_ref) else { return };
    if protected != s.ref_protected {
        diags.push(Diagnostic::warning(
            format!(
                "`protected_branches` {} `{git_ref}`, but `ref_protected` is {}: the token's `ref_protected` claim follows `ref_protected` (set it to {protected} to match)",
                if protected { "protects" } else { "does not protect" },
                s.ref_protected
            ),
            Some(rules.span),
        ));
    }
}

/// Whether the immutable prefix applies, reporting what prevents it.
pub(super) fn immutable_subject(s: &Run, diags: &mut Vec<Diagnostic>) -> Result<bool, String> {
    if !s.subject.immutable {
        return Ok(false);
    }
    // github.com / GHEC only, not GHES (D-REF "Immutable subject claims").
    if s.issuer.ghes_host.is_some() {
        diags.push(Diagnostic::warning(
            "immutable subjects exist on github.com and GHE.com only, not on GHES: the legacy `repo:owner/name` form is used",
            s.repository_span,
        ));
        return Ok(false);
    }
    let mut missing = Vec::new();
    if s.repository_owner_id.is_none() {
        missing.push("`repository_owner_id`");
    }
    if s.repository_id.is_none() {
        missing.push("`repository_id`");
    }
    if missing.is_empty() {
        return Ok(true);
    }
    let msg = format!(
        "the immutable subject `repo:owner@OWNER_ID/name@REPO_ID` needs {} in the scenario; Keyless will not invent ids that trust policies compare",
        missing.join(" and ")
    );
    diags.push(Diagnostic::error(msg.clone(), s.repository_span));
    Err(msg)
}
