//! The request context STS builds for a GitHub token, and which statements
//! apply to it (research cloud-trust-evaluation.md §1.2, §1.3).

use super::config::{has_wildcard, split_provider_arn};
use crate::claims::Claims;
use crate::iam_condition::{Applicability, ContextLookup, GivenContext, PolicyHost, check_action, concat};
use crate::iam_policy::{Principal, Statement};
use crate::span::Spanned;
use crate::verdict::TraceStep;

/// The action a GitHub job's login asks for.
pub const ACTION: &str = "sts:AssumeRoleWithWebIdentity";

/// Claims AWS STS exposes as `<provider>:<claim>` keys since 2026-01
/// (research §1.3, A9), besides `aud` and `sub` (A7).
pub const KEYS_2026: &[&str] = &[
    "actor",
    "actor_id",
    "job_workflow_ref",
    "repository",
    "repository_id",
    "workflow",
    "ref",
    "environment",
    "enterprise_id",
];

/// Keys one blog lists and AWS's own tables do not (§1.3): unsupported.
pub const CONFLICTING_KEYS: &[&str] = &["repository_owner_id", "runner_environment"];

/// IAM stores a provider URL without scheme: `https://HOST/path` →
/// `HOST/path` (A18). Nothing else is normalised: a trailing `/` makes
/// another provider (aws/aws-sam-cli#7432: provider `own-gitlab.com/` →
/// "No OpenIDConnect provider found" for `https://own-gitlab.com`).
pub fn provider_url_of(iss: &str) -> String {
    iss.strip_prefix("https://").unwrap_or(iss).to_string()
}

pub(super) struct AwsRequest<'a> {
    pub token_url: &'a str,
    pub provider_arn: Option<&'a Spanned<String>>,
    pub claims: &'a Claims,
    /// The section's `request_context` option.
    pub given: &'a GivenContext,
}

impl AwsRequest<'_> {
    fn principal_matches(&self, value: &str) -> bool {
        if value == "*" {
            return true;
        }
        if has_wildcard(value) {
            return false;
        }
        match self.provider_arn {
            Some(arn) => value == arn.value,
            None => split_provider_arn(value).is_some_and(|(_, url)| url == self.token_url),
        }
    }

    fn principal_covers(&self, p: &Principal) -> Option<String> {
        if p.wildcard {
            return Some("\"*\"".into());
        }
        p.federated.iter().find(|f| self.principal_matches(&f.value)).map(|f| concat(&["\"", &f.value, "\""]))
    }

    fn expected_principal(&self) -> String {
        match self.provider_arn {
            Some(a) => a.value.clone(),
            None => format!("arn:aws:iam::<account>:oidc-provider/{}", self.token_url),
        }
    }
}

impl PolicyHost for AwsRequest<'_> {
    fn lookup(&self, key: &str) -> ContextLookup {
        // A4: condition key names are case-insensitive.
        let Some((prefix, name)) = key.rsplit_once(':') else {
            return ContextLookup::absent("not a condition key of the form <provider>:<claim>");
        };
        let name = name.to_ascii_lowercase();
        if key.eq_ignore_ascii_case("sts:RoleSessionName") {
            // Research §1.3: usable in web-identity trust policies. The value
            // is the login step's `role-session-name`, which Keyless does not
            // read: configure-aws-credentials' default is assumed (action.yml:
            // "Role session name (default: GitHubActions)").
            return ContextLookup {
                values: vec!["GitHubActions".into()],
                note: Some("assumption: the session name is configure-aws-credentials' default `GitHubActions`; a `role-session-name:` input on the step would change it".into()),
                unknowable: None,
            };
        }
        if prefix.eq_ignore_ascii_case("aws") || prefix.eq_ignore_ascii_case("sts") {
            return self.given.lookup(key).unwrap_or_else(|| super::global_keys::lookup(key));
        }
        if !prefix.eq_ignore_ascii_case(self.token_url) {
            return ContextLookup::absent(format!(
                "this key belongs to provider `{prefix}`; the token comes from `{}`, so the key is absent",
                self.token_url
            ));
        }
        match name.as_str() {
            // A7: GitHub tokens have no `azp`, so `aud` is the token's aud.
            "aud" | "sub" => ContextLookup::single(self.claims.text(&name).unwrap_or_default()),
            "amr" => ContextLookup::absent("GitHub tokens carry no `amr` claim (A7)"),
            n if KEYS_2026.contains(&n) => {
                let mut found = match self.claims.text(n) {
                    Some(v) => ContextLookup::single(v),
                    None => ContextLookup::absent(format!("the token has no `{n}` claim")),
                };
                if self.token_url != "token.actions.githubusercontent.com" {
                    found.note = Some(format!(
                        "assumption: AWS's 2026 claim keys are taken to apply to the issuer {} too (research §10 leaves this open)",
                        self.token_url
                    ));
                }
                found
            }
            n if CONFLICTING_KEYS.contains(&n) => ContextLookup::absent(format!(
                "sources conflict on `{n}` (a blog lists it, the tables from AWS's 2026-01 announcement do not; research §1.3): treated as unsupported, so absent"
            )),
            n if self.claims.get(n).is_some() => ContextLookup::absent(format!(
                "`{n}` is a GitHub claim but not an AWS condition key: absent from the request context (research §1.3, A13 #306)"
            )),
            n => ContextLookup::absent(format!("`{n}` is not a condition key of this provider")),
        }
    }

    fn applies(&self, st: &Statement, label: &str) -> Applicability {
        let mut steps = Vec::new();
        if let Some(p) = &st.principal {
            match self.principal_covers(p) {
                Some(v) => steps.push(TraceStep::pass(
                    concat(&[label, " Principal ", &v, " is the token's provider"]),
                    Some(p.span),
                )),
                None => {
                    let wildcard = p.federated.iter().find(|f| has_wildcard(&f.value)).map(|f| {
                        format!(
                            " (\"{}\" has a wildcard: IAM \"cannot use a wildcard to match part of a principal name or ARN\")",
                            f.value
                        )
                    });
                    // The Principal element page makes `{"AWS": "*"}` equal to
                    // `"*"` only "for anonymous users".
                    let aws_star = p
                        .other
                        .iter()
                        .any(|(k, vs)| k.value == "AWS" && vs.iter().any(|v| v.value == "*"))
                        .then_some(" ({\"AWS\": \"*\"} names AWS principals; IAM documents it as equivalent to \"*\" \"for anonymous users\", and whether it covers a web-identity caller is not documented: Keyless does not apply it)");
                    let why = format!(
                        "Principal is not the token's provider {}{}{}",
                        self.expected_principal(),
                        wildcard.unwrap_or_default(),
                        aws_star.unwrap_or_default()
                    );
                    steps.push(TraceStep::fail(format!("{label} {why}"), Some(p.span)));
                    return Applicability { applies: false, steps, reason: Some((why, Some(p.span))) };
                }
            }
        }
        if let Some(np) = &st.not_principal
            && let Some(v) = self.principal_covers(np)
        {
            let why = format!("NotPrincipal {v} excludes the token's provider");
            steps.push(TraceStep::fail(format!("{label} {why}"), Some(np.span)));
            return Applicability { applies: false, steps, reason: Some((why, Some(np.span))) };
        }
        let (ok, step, reason) = check_action(st, label, &[ACTION]);
        steps.push(step);
        Applicability { applies: ok, steps, reason }
    }
}
