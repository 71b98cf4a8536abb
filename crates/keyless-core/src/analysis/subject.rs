//! What a `sub` pattern admits, by shape. Shared by every cloud that matches
//! `sub` with a glob (AWS/Alibaba `StringLike`, Entra `matches`) or exactly.
//!
//! Unlike Checkov's classifier (peers-and-anchors.md §B.2), immutable
//! subjects `repo:OWNER@ID/REPO@ID:…` are understood (no false positive), and
//! every value of a condition is checked, not only the first.

/// The risk of one `sub` pattern (glob semantics: `*` any run, `?` one char).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectRisk {
    /// `*`, `repo:*…`, `*:ref:…`: any owner (KL-SUB-001).
    AnyOwner,
    /// `repo:my-org*`: owner as a prefix (KL-SUB-002).
    OwnerPrefix,
    /// `repo:my-org/*…` or `repo:my-org/app-*:…`: many repositories of the owner (KL-SUB-003).
    AnyRepoOfOwner,
    /// `repo:my-org/my-repo*`: no `:` before the wildcard (KL-SUB-004).
    RepoNamePrefix,
    /// `repo:my-org/my-repo:*`: any context (KL-SUB-005).
    AnyContext,
    /// A customized subject that names no owner (KL-SUB-006).
    NoOwnerPin,
    /// No `sub` GitHub mints can match it (KL-SUB-007): an empty owner or
    /// repository (`repo::*`), white space at an end or a line break (a
    /// shell line continuation pasted with the value), an audience written
    /// as the subject.
    NeverMatches,
}

impl SubjectRisk {
    /// The catalogue id of this risk.
    pub fn finding_id(self) -> &'static str {
        match self {
            SubjectRisk::AnyOwner => "KL-SUB-001",
            SubjectRisk::OwnerPrefix => "KL-SUB-002",
            SubjectRisk::AnyRepoOfOwner => "KL-SUB-003",
            SubjectRisk::RepoNamePrefix => "KL-SUB-004",
            SubjectRisk::AnyContext => "KL-SUB-005",
            SubjectRisk::NoOwnerPin => "KL-SUB-006",
            SubjectRisk::NeverMatches => "KL-SUB-007",
        }
    }
}

/// Claims whose value names (or numbers) the owner in a customized `sub`.
/// `repo`, `repository`, `job_workflow_ref`, `workflow_ref` values are
/// `OWNER/…`; the id claims are exact numbers (github-oidc-tokens.md §3.2).
const OWNER_PATH_KEYS: &[&str] = &["repo", "repository", "job_workflow_ref", "workflow_ref"];
const OWNER_ID_KEYS: &[&str] = &["repository_owner", "repository_owner_id", "repository_id"];

fn is_wild(c: char) -> bool {
    c == '*' || c == '?'
}

/// Classifies a `sub` pattern. `glob` says whether `*`/`?` are wildcards
/// (StringLike, `matches`) or literal characters (StringEquals, `eq`,
/// classic FIC subjects, CEL `==`).
pub fn classify(pattern: &str, glob: bool) -> Option<SubjectRisk> {
    let first_wild = if glob { pattern.find(is_wild) } else { None };
    if never_matches(pattern, first_wild) {
        return Some(SubjectRisk::NeverMatches);
    }
    if glob && !pattern.is_empty() && pattern.chars().all(is_wild) {
        return Some(SubjectRisk::AnyOwner);
    }
    if let Some(rest) = pattern.strip_prefix("repo:") {
        let w = first_wild?.checked_sub(5)?;
        return classify_repo_form(rest, w);
    }
    if first_wild == Some(0) && !pins_owner(pattern, glob) {
        return Some(SubjectRisk::AnyOwner);
    }
    if pins_owner(pattern, glob) { None } else { Some(SubjectRisk::NoOwnerPin) }
}

/// Why no GitHub `sub` can match `pattern` (`first_wild`: the byte offset
/// of its first wildcard, `None` when it has none or they are literal).
/// GitHub builds `sub` from `repo:OWNER/REPO` (owner and repository never
/// empty), `context` and `key:value` pairs (D-REF, `github::subject`): no
/// line break or tab, no white space at either end, and never an audience.
fn never_matches(pattern: &str, first_wild: Option<usize>) -> bool {
    if pattern.chars().any(char::is_control) || pattern.trim() != pattern {
        return true;
    }
    let audience = crate::verdict::Cloud::ALL
        .iter()
        .filter_map(|c| crate::github::login::default_audience(*c))
        .any(|a| a == pattern)
        || pattern.starts_with("https://iam.googleapis.com/")
        || pattern.starts_with("//iam.googleapis.com/");
    if audience {
        return true;
    }
    // The literal text before any wildcard.
    let literal = &pattern[..first_wild.unwrap_or(pattern.len())];
    let Some(rest) = literal.strip_prefix("repo:") else { return false };
    if rest.starts_with([':', '/']) {
        return true;
    }
    rest.split_once('/').is_some_and(|(_, repo)| repo.starts_with(':'))
}

/// `rest` is the pattern after `repo:`, `w` the byte offset of its first
/// wildcard.
fn classify_repo_form(rest: &str, w: usize) -> Option<SubjectRisk> {
    let slash = rest.find('/');
    match slash {
        None => return Some(if w == 0 { SubjectRisk::AnyOwner } else { SubjectRisk::OwnerPrefix }),
        Some(s) if w < s => return Some(if w == 0 { SubjectRisk::AnyOwner } else { SubjectRisk::OwnerPrefix }),
        Some(_) => {}
    }
    let s = slash?;
    let after = rest.get(s + 1..)?;
    let wn = w.checked_sub(s + 1)?;
    let colon = after.find(':');
    match colon {
        Some(c) if wn > c => {
            // The wildcard is in the context: only a bare `:*` admits every context.
            if wn == c + 1 { Some(SubjectRisk::AnyContext) } else { None }
        }
        _ if wn == 0 => Some(SubjectRisk::AnyRepoOfOwner),
        None => Some(SubjectRisk::RepoNamePrefix),
        Some(_) => Some(SubjectRisk::AnyRepoOfOwner),
    }
}

/// Whether a customized subject contains a `key:value` pair that pins the
/// owner: a path-valued key whose literal part reaches past `OWNER/`, or an
/// id/owner key with a fully literal value.
fn pins_owner(pattern: &str, glob: bool) -> bool {
    let parts: Vec<&str> = pattern.split(':').collect();
    parts.windows(2).any(|pair| match pair {
        [key, value] => {
            let key = key.trim_start_matches(['*', '?']);
            let literal: &str = if glob { value.split(is_wild).next().unwrap_or_default() } else { value };
            if OWNER_PATH_KEYS.contains(&key) {
                literal.split_once('/').is_some_and(|(owner, _)| !owner.is_empty())
            } else if OWNER_ID_KEYS.contains(&key) {
                !literal.is_empty() && literal.len() == value.len()
            } else {
                false
            }
        }
        _ => false,
    })
}

/// AWS/Alibaba policy-variable escapes (`${*}`, `${?}`, `${$}`) are literal
/// characters (research §1.4): replace them by a non-wildcard stand-in so
/// the shape analysis does not see wildcards that are not there.
pub fn without_iam_escapes(value: &str) -> String {
    value.replace("${*}", "_").replace("${?}", "_").replace("${$}", "_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubjectRisk::*;

    /// Source: research cloud-trust-evaluation.md §1.8 (worked examples) and
    /// peers-and-anchors.md §B.2 (the Checkov table, including its false
    /// positive on immutable subjects).
    #[test]
    fn classifies_the_documented_shapes() {
        let cases: &[(&str, Option<SubjectRisk>)] = &[
            ("*", Some(AnyOwner)),
            ("repo:*", Some(AnyOwner)),
            ("repo:*/*:ref:refs/heads/main", Some(AnyOwner)),
            ("repo:o*", Some(OwnerPrefix)),
            ("repo:my-org*:ref:refs/heads/main", Some(OwnerPrefix)),
            ("repo:octo-org/*", Some(AnyRepoOfOwner)),
            ("repo:my-org/*:ref:refs/heads/main", Some(AnyRepoOfOwner)),
            ("repo:my-org/app-*:ref:refs/heads/main", Some(AnyRepoOfOwner)),
            ("repo:o/r*", Some(RepoNamePrefix)),
            ("repo:octo-org/octo-repo:*", Some(AnyContext)),
            ("repo:o@1/r@2:*", Some(AnyContext)),
            ("repo:o@1/*", Some(AnyRepoOfOwner)),
            ("repo:o/r:ref:refs/heads/release/*", None),
            ("repo:o/r:ref:refs/tags/v*", None),
            ("repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main", None),
            ("repo:octo-org-123456/octo-repo-456789:ref:refs/heads/main", None),
            ("repository_owner_id:123:repository_id:456:ref:refs/heads/main", None),
            ("job_workflow_ref:octo-org/x/.github/workflows/d.yml@refs/heads/main", None),
            ("repository:my-org/*:job_workflow_ref:my-org/.github/.github/workflows/deploy.yml@refs/heads/main", None),
            ("environment:prod", Some(NoOwnerPin)),
            ("workflow:deploy:ref:refs/heads/main", Some(NoOwnerPin)),
            ("repository_owner_id:*", Some(NoOwnerPin)),
            ("*:environment:prod", Some(AnyOwner)),
            // Nothing GitHub mints (KL-SUB-007): not "look-alikes".
            ("repo::*", Some(NeverMatches)),
            ("repo:/my-repo:*", Some(NeverMatches)),
            ("repo:my-org/:ref:refs/heads/main", Some(NeverMatches)),
            ("repo:my-org/my-repo:ref:refs/heads/main \\\n", Some(NeverMatches)),
            (" repo:my-org/my-repo:*", Some(NeverMatches)),
            ("sts.amazonaws.com", Some(NeverMatches)),
            ("api://AzureADTokenExchange", Some(NeverMatches)),
            // A wildcard may stand for the owner: not "never".
            ("repo:*:ref:refs/heads/main", Some(AnyOwner)),
        ];
        for (pattern, want) in cases {
            assert_eq!(classify(pattern, true), *want, "{pattern}");
        }
    }

    #[test]
    fn equality_patterns_have_no_wildcards() {
        // StringEquals "repo:o/r:*" is a literal star (research §1.4): not "any context".
        assert_eq!(classify("repo:o/r:*", false), None);
        assert_eq!(classify("environment:prod", false), Some(NoOwnerPin));
        assert_eq!(classify("repo:o/r${*}", true).map(|_| ()), Some(()));
        assert_eq!(classify(&without_iam_escapes("repo:o/r:ref:${*}"), true), None);
    }
}
