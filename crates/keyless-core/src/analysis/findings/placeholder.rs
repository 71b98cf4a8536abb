//! Placeholders left in a trust configuration: the documentation's and
//! templates' stand-ins (`YOUR_GITHUB_ORG`, `<CREDENTIAL-NAME>`,
//! `OIDC_PROVIDER_ARN`) pasted without being replaced. A placeholder is text
//! by nature, so this rule reads text, and only string values (never CEL
//! operators, where `<` and `>` compare).

use super::Finding;
use crate::span::{Span, Spanned};
use crate::verdict::Cloud;
use regex_lite::Regex;
use std::sync::OnceLock;

/// The stand-ins GitHub's, AWS's, Microsoft's and Google's guides write:
/// `<NAME>`, `YOUR_…`, `your-org`-style words, and the upper-case names AWS and GitHub
/// examples use for an ARN, account, project or repository.
const PATTERNS: &str = concat!(
    r"<[A-Za-z][A-Za-z0-9 _.-]*>",
    r"|\bYOUR_[A-Z0-9_]+\b",
    // A whole path segment (`repo:your-org/your-repo:*`), not a word in a
    // real name (`know-your-customer`, `your-repo-tools`).
    r"|(?:^|[:/@])your-(?:org|organization|owner|user|username|repo|repository|account-id|project|branch)(?:$|[:/@*])",
    r"|\b(?:OIDC_PROVIDER_ARN|PROVIDER_ARN|ROLE_ARN|AWS_ACCOUNT_ID|ACCOUNT_ID|PROJECT_NUMBER|PROJECT_ID|POOL_ID|PROVIDER_ID|GITHUB_ORG|GITHUB_REPO|ORG_NAME|REPO_NAME|OWNER_NAME|BRANCH_NAME|TENANT_ID|CLIENT_ID)\b",
);

fn regex() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(PATTERNS).ok()).as_ref()
}

/// The first placeholder in `text`: its byte range.
pub fn find(text: &str) -> Option<(usize, usize)> {
    regex()?.find(text).map(|m| (m.start(), m.end()))
}

/// KL-CFG-001 for a string value holding a placeholder, located at the
/// placeholder when the value is written as-is (else the whole value).
pub fn check(value: &Spanned<String>, cloud: Option<Cloud>, what: &str) -> Option<Finding> {
    let (start, end) = find(&value.value)?;
    let placeholder = &value.value[start..end];
    Some(Finding::new(
        "KL-CFG-001",
        cloud,
        format!("{what} `{}` still holds the placeholder `{placeholder}`: it matches no real token", value.value),
        Some(within(value.span, value.value.len(), start, end)),
    ))
}

/// The span of bytes `start..end` of a value of `len` bytes written at
/// `span` as-is or between quotes; the whole span otherwise.
pub fn within(span: Span, len: usize, start: usize, end: usize) -> Span {
    match (span.end - span.start) as usize {
        n if n == len => span.sub(start, end),
        n if n == len + 2 => span.sub(start + 1, end + 1),
        _ => span,
    }
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn documentation_placeholders_and_not_real_values() {
        for text in [
            "repo:YOUR_GITHUB_ORG/YOUR_REPO:*",
            "repo:your-org/your-repo:ref:refs/heads/main",
            "<CREDENTIAL-NAME>",
            "arn:aws:iam::ACCOUNT_ID:oidc-provider/token.actions.githubusercontent.com",
            "OIDC_PROVIDER_ARN",
            "principalSet://iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/p/*",
            "repo:<owner>/<repo>:environment:prod",
        ] {
            assert!(find(text).is_some(), "{text}");
        }
        for text in [
            "repo:my-org/my-repo:ref:refs/heads/main",
            "repo:octo-org/octo-repo:environment:Production",
            "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
            "repo:my-org/yourself-app:*",
            "repo:acme/know-your-customer:*",
            "repo:acme/your-repos-app:*",
            "repo:acme/your-repo-tools:*",
            "sts.amazonaws.com",
            "repo:o/r:ref:refs/heads/FEATURE_ACCOUNT_IDS",
        ] {
            assert!(find(text).is_none(), "{text}");
        }
    }
}
