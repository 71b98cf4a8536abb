//! Cloud login steps and the audience each asks GitHub for (research
//! github-oidc-tokens.md §4.2), and the error each prints when the job
//! has no token (research §5).

use super::expr::{self, Contexts};
use super::workflow::Step;
use crate::diagnostic::Diagnostic;
use crate::verdict::Cloud;

/// A login action Keyless knows, with its audience rule.
struct Action {
    cloud: Cloud,
    /// `owner/repo`, compared ignoring case (GitHub names are case-insensitive).
    repo: &'static str,
    default_audience: &'static str,
    /// The input that switches the action to OIDC; without it the action
    /// uses stored keys and never asks for a token.
    oidc_input: OidcWhen,
}

enum OidcWhen {
    /// aws-actions/configure-aws-credentials: OIDC when `role-to-assume` is
    /// set without static keys or a web identity token file (action README).
    AwsRoleWithoutKeys,
    /// azure/login: OIDC unless `creds` (a service principal secret) is given.
    AzureWithoutCreds,
    /// google-github-actions/auth: OIDC with `workload_identity_provider`.
    GcpProvider,
    /// aliyun/configure-aliyun-credentials-action: OIDC with `oidc-provider-arn`.
    AliyunProvider,
    /// hashicorp/vault-action: OIDC with `method: jwt`; the audience is the
    /// `jwtGithubAudience` input, else GitHub's default.
    #[cfg(feature = "services")]
    VaultJwt,
    /// pypa/gh-action-pypi-publish: trusted publishing unless a `password`
    /// (an API token) is given; the audience comes from the index.
    #[cfg(feature = "services")]
    PypiWithoutPassword,
    /// octo-sts/action: always OIDC; the audience is the `domain` input.
    #[cfg(feature = "services")]
    OctoSts,
    /// rust-lang/crates-io-auth-action: always OIDC; the audience is the
    /// host of its `url` input (default `https://crates.io`).
    #[cfg(feature = "services")]
    CratesIo,
}

const ACTIONS: &[Action] = &[
    // action.yml input `audience`, default `sts.amazonaws.com` (research §4.2).
    Action {
        cloud: Cloud::Aws,
        repo: "aws-actions/configure-aws-credentials",
        default_audience: "sts.amazonaws.com",
        oidc_input: OidcWhen::AwsRoleWithoutKeys,
    },
    // Azure/login action.yml `audience` default `api://AzureADTokenExchange` (research §4.2).
    Action {
        cloud: Cloud::Azure,
        repo: "azure/login",
        default_audience: "api://AzureADTokenExchange",
        oidc_input: OidcWhen::AzureWithoutCreds,
    },
    // src/main.ts: `getInput('audience') || https://iam.googleapis.com/${workload_identity_provider}`.
    Action {
        cloud: Cloud::Gcp,
        repo: "google-github-actions/auth",
        default_audience: "",
        oidc_input: OidcWhen::GcpProvider,
    },
    // aliyun/configure-aliyun-credentials-action action.yml (v1.0.7, since
    // commit e61b629 2023-09-05 "change default audience to sts.aliyuncs.com"):
    // input `audience`, default `sts.aliyuncs.com`; index.js passes
    // `core.getInput('audience')` to `core.getIDToken`. The README's
    // `audience: 'github-actions'` is an explicit example, not the default
    // (checked in the action's repository; research §4.2 read it as the default).
    Action {
        cloud: Cloud::Alibaba,
        repo: "aliyun/configure-aliyun-credentials-action",
        default_audience: "sts.aliyuncs.com",
        oidc_input: OidcWhen::AliyunProvider,
    },
    // hashicorp/vault-action action.yml @4c06c5c: `method` (default `token`),
    // `jwtGithubAudience` without a default; src/auth.js passes it to
    // `core.getIDToken`, which then asks for GitHub's default audience.
    #[cfg(feature = "services")]
    Action {
        cloud: Cloud::Vault,
        repo: "hashicorp/vault-action",
        default_audience: "https://github.com/${{ github.repository_owner }}",
        oidc_input: OidcWhen::VaultJwt,
    },
    // pypa/gh-action-pypi-publish oidc-exchange.py @81e9d93: the audience is
    // what `https://{index}/_/oidc/audience` returns, `pypi` on pypi.org (Y5);
    // `testpypi` for a `repository-url` on test.pypi.org.
    #[cfg(feature = "services")]
    Action {
        cloud: Cloud::Pypi,
        repo: "pypa/gh-action-pypi-publish",
        default_audience: "pypi",
        oidc_input: OidcWhen::PypiWithoutPassword,
    },
    // octo-sts/action action.yml and index.js @7a6ea3b: input `domain`
    // (default `octo-sts.dev`) is the audience it asks GitHub for (O3).
    #[cfg(feature = "services")]
    Action {
        cloud: Cloud::OctoSts,
        repo: "octo-sts/action",
        default_audience: "octo-sts.dev",
        oidc_input: OidcWhen::OctoSts,
    },
    // rust-lang/crates-io-auth-action src/main.ts: `getAudienceFromUrl` of the
    // `url` input (default https://crates.io), passed to `core.getIDToken` (C3).
    #[cfg(feature = "services")]
    Action {
        cloud: Cloud::CratesIo,
        repo: "rust-lang/crates-io-auth-action",
        default_audience: "crates.io",
        oidc_input: OidcWhen::CratesIo,
    },
];

/// The audience a cloud's official login action requests when its
/// `audience` input is not set, when it is a fixed value (Google's depends
/// on the provider: `https://iam.googleapis.com/<provider>`, so `None`).
pub fn default_audience(cloud: Cloud) -> Option<&'static str> {
    ACTIONS.iter().find(|a| a.cloud == cloud).map(|a| a.default_audience).filter(|a| !a.is_empty())
}

/// The audience google-github-actions/auth requests by default for its
/// `workload_identity_provider` input, as written
/// (`projects/N/locations/global/workloadIdentityPools/P/providers/X`):
/// src/main.ts, see `ACTIONS`.
pub fn gcp_default_audience(provider: &str) -> String {
    format!("https://iam.googleapis.com/{provider}")
}

/// A recognised login step, before it becomes a `LoginStep`.
#[derive(Clone, Debug, PartialEq)]
pub struct FoundLogin {
    pub cloud: Cloud,
    pub action: String,
    /// `None` when the audience depends on an unknown value.
    pub audience: Option<String>,
    pub audience_explicit: bool,
    pub span: crate::span::Span,
}

fn input_text(step: &Step, name: &str, ctx: &Contexts, diags: &mut Vec<Diagnostic>) -> Option<Result<String, ()>> {
    let (_, node) = step.with.iter().rev().find(|(k, _)| k == name)?;
    let raw = node.scalar_text()?;
    Some(match expr::eval_template(&raw, ctx) {
        Ok(v) => Ok(expr::stringify(&v)),
        Err(e) => {
            diags.push(Diagnostic::warning(format!("input `{name}`: {}", e.describe(&raw)), Some(node.span)));
            Err(())
        }
    })
}

fn has_input(step: &Step, name: &str) -> bool {
    step.with.iter().any(|(k, v)| k == name && !v.is_null() && v.scalar_text().is_some_and(|t| !t.is_empty()))
}

/// Whether a known login step is configured for OIDC (rather than stored keys).
fn requests_oidc(action: &Action, step: &Step) -> bool {
    match action.oidc_input {
        OidcWhen::AwsRoleWithoutKeys => {
            has_input(step, "role-to-assume")
                && !has_input(step, "aws-access-key-id")
                && !has_input(step, "web-identity-token-file")
        }
        // `auth-type: IDENTITY` logs in with the runner's managed identity.
        OidcWhen::AzureWithoutCreds => {
            !has_input(step, "creds")
                && !step
                    .with
                    .iter()
                    .any(|(k, v)| k == "auth-type" && v.as_str().is_some_and(|t| t.eq_ignore_ascii_case("identity")))
        }
        OidcWhen::GcpProvider => has_input(step, "workload_identity_provider"),
        OidcWhen::AliyunProvider => has_input(step, "oidc-provider-arn"),
        #[cfg(feature = "services")]
        OidcWhen::VaultJwt => {
            step.with.iter().any(|(k, v)| k == "method" && v.as_str().is_some_and(|m| m.eq_ignore_ascii_case("jwt")))
        }
        #[cfg(feature = "services")]
        OidcWhen::PypiWithoutPassword => !has_input(step, "password"),
        #[cfg(feature = "services")]
        OidcWhen::OctoSts | OidcWhen::CratesIo => true,
    }
}

/// The cloud a step logs in to with OIDC, whatever its `if:` (a step that
/// may run is a login step); `None` for other steps and stored-key logins.
pub fn login_cloud(step: &Step) -> Option<Cloud> {
    let repo = step.uses.value.split('@').next().unwrap_or_default();
    ACTIONS.iter().find(|a| a.repo.eq_ignore_ascii_case(repo)).filter(|a| requests_oidc(a, step)).map(|a| a.cloud)
}

/// The login steps of a job, in order, with their audiences evaluated in
/// the job's context.
pub fn find_logins(
    steps: &[Step],
    ctx: &Contexts,
    diags: &mut Vec<Diagnostic>,
    notes: &mut Vec<String>,
) -> Vec<FoundLogin> {
    let mut out = Vec::new();
    for step in steps {
        let uses = step.uses.value.as_str();
        let repo = uses.split('@').next().unwrap_or_default();
        let Some(action) = ACTIONS.iter().find(|a| a.repo.eq_ignore_ascii_case(repo)) else {
            continue;
        };
        // A step whose `if:` is false does not run, so it asks for no token
        // (workflow syntax `jobs.<job_id>.steps[*].if`; expressions without
        // `${{ }}` are allowed there, as for jobs).
        if let Some(cond) = &step.condition {
            match expr::eval_condition(&cond.value, ctx) {
                Ok(true) => {}
                Ok(false) => {
                    notes.push(format!(
                        "The step `{uses}` is skipped (its `if: {}` is false): it requests no token.",
                        cond.value
                    ));
                    continue;
                }
                Err(e) => {
                    diags.push(Diagnostic::warning(
                        format!("step `{uses}` `if:`: {}", e.describe(&cond.value)),
                        Some(cond.span),
                    ));
                    notes.push(format!(
                        "The `if:` of the step `{uses}` cannot be evaluated; the step is simulated as if it runs."
                    ));
                }
            }
        }
        let oidc = requests_oidc(action, step);
        if !oidc {
            notes.push(format!(
                "`{uses}` is configured with stored credentials, not OIDC: it does not request a token."
            ));
            continue;
        }
        let audience_input = match action.oidc_input {
            #[cfg(feature = "services")]
            OidcWhen::VaultJwt => "jwtGithubAudience",
            #[cfg(feature = "services")]
            OidcWhen::OctoSts => "domain",
            _ => "audience",
        };
        let (audience, explicit) = match input_text(step, audience_input, ctx, diags) {
            Some(Ok(a)) if !a.is_empty() => (Some(a), true),
            Some(Err(())) => (None, true),
            _ => match action.oidc_input {
                OidcWhen::GcpProvider => match input_text(step, "workload_identity_provider", ctx, diags) {
                    Some(Ok(p)) => (Some(gcp_default_audience(&p)), false),
                    _ => (None, false),
                },
                #[cfg(feature = "services")]
                OidcWhen::PypiWithoutPassword
                    if input_text(step, "repository-url", ctx, diags)
                        .is_some_and(|u| u.is_ok_and(|u| u.contains("test.pypi.org"))) =>
                {
                    (Some("testpypi".to_string()), false)
                }
                #[cfg(feature = "services")]
                OidcWhen::CratesIo if has_input(step, "url") => match input_text(step, "url", ctx, diags) {
                    Some(Ok(url)) => {
                        let host = url.split("://").nth(1).unwrap_or(&url);
                        (Some(host.split(['/', ':', '?']).next().unwrap_or_default().to_string()), false)
                    }
                    _ => (None, false),
                },
                _ => match expr::eval_template(action.default_audience, ctx) {
                    Ok(v) => (Some(expr::stringify(&v)), false),
                    Err(_) => (None, false),
                },
            },
        };
        out.push(FoundLogin {
            cloud: action.cloud,
            action: uses.to_string(),
            audience,
            audience_explicit: explicit,
            span: step.span,
        });
    }
    out
}

/// What the job's first login step prints when GitHub gave the job no
/// token (research §5: TOOLKIT, aws-actions, Azure/login, google auth).
pub fn missing_token_error(cloud: Option<Cloud>) -> String {
    match cloud {
        Some(Cloud::Aws) => "It looks like you might be trying to authenticate with OIDC. Did you mean to set the `id-token` permission? Credentials could not be loaded, please check your action inputs: Could not load credentials from any providers".into(),
        Some(Cloud::Azure) => "Please make sure to give write permissions to id-token in the workflow.".into(),
        Some(Cloud::Gcp) => "GitHub Actions did not inject $ACTIONS_ID_TOKEN_REQUEST_TOKEN or $ACTIONS_ID_TOKEN_REQUEST_URL into this job. This most likely means the GitHub Actions workflow permissions are incorrect, or this job is being run from a fork.".into(),
        // rust-lang/crates-io-auth-action checks the request URL first (C3).
        #[cfg(feature = "services")]
        Some(Cloud::CratesIo) => "Please ensure the 'id-token' permission is set to 'write' in your workflow. For more information, see: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#adding-permissions-settings".into(),
        // The Alibaba action calls the toolkit's getIDToken directly, and so
        // does hashicorp/vault-action (src/auth.js, `core.getIDToken`).
        _ => "Error message: Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::DocId;

    fn steps(yaml: &str) -> Vec<Step> {
        let mut d = Vec::new();
        let w = super::super::workflow::parse(
            &format!("on: push\njobs:\n  j:\n    steps:\n{yaml}"),
            DocId::Workflow,
            &mut d,
        )
        .unwrap();
        w.jobs[0].steps.clone()
    }

    // Research §4.2 audience table.
    #[test]
    fn default_and_explicit_audiences() {
        let s = steps(
            "      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn\n      - uses: azure/login@v2\n        with:\n          client-id: x\n      - uses: google-github-actions/auth@v2\n        with:\n          workload_identity_provider: projects/1/locations/global/workloadIdentityPools/p/providers/q\n      - uses: aliyun/configure-aliyun-credentials-action@v1\n        with:\n          oidc-provider-arn: arn\n      - uses: Azure/login@v1\n        with:\n          audience: custom\n",
        );
        let mut d = Vec::new();
        let mut notes = Vec::new();
        let l = find_logins(&s, &Contexts::new(), &mut d, &mut notes);
        let got: Vec<(Cloud, &str, bool)> =
            l.iter().map(|l| (l.cloud, l.audience.as_deref().unwrap(), l.audience_explicit)).collect();
        assert_eq!(
            got,
            vec![
                (Cloud::Aws, "sts.amazonaws.com", false),
                (Cloud::Azure, "api://AzureADTokenExchange", false),
                (
                    Cloud::Gcp,
                    "https://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q",
                    false
                ),
                (Cloud::Alibaba, "sts.aliyuncs.com", false),
                (Cloud::Azure, "custom", true),
            ]
        );
    }

    #[test]
    fn stored_key_logins_do_not_request_tokens() {
        let s = steps(
            "      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          aws-access-key-id: x\n          role-to-assume: y\n      - uses: azure/login@v2\n        with:\n          creds: x\n      - uses: azure/login@v2\n        with:\n          auth-type: IDENTITY\n",
        );
        let mut notes = Vec::new();
        assert!(find_logins(&s, &Contexts::new(), &mut Vec::new(), &mut notes).is_empty());
        assert_eq!(notes.len(), 3);
    }

    /// The services' login actions and the inputs that set their audience:
    /// hashicorp/vault-action `jwtGithubAudience` (V2), pypa/gh-action-pypi-publish
    /// (Y5: the index's audience; no `password`), octo-sts/action `domain` (O3),
    /// rust-lang/crates-io-auth-action `url`'s host (C3).
    #[cfg(feature = "services")]
    #[test]
    fn the_services_login_actions_and_their_audiences() {
        let s = steps(
            "      - uses: hashicorp/vault-action@v3\n        with:\n          method: jwt\n          jwtGithubAudience: vault.example.com\n      - uses: hashicorp/vault-action@v3\n        with:\n          method: token\n      - uses: pypa/gh-action-pypi-publish@release/v1\n      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          repository-url: https://test.pypi.org/legacy/\n      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: x\n      - uses: octo-sts/action@v1\n        with:\n          domain: sts.example.com\n      - uses: rust-lang/crates-io-auth-action@v1\n      - uses: rust-lang/crates-io-auth-action@v1\n        with:\n          url: https://staging.crates.io\n",
        );
        let mut notes = Vec::new();
        let l = find_logins(&s, &Contexts::new(), &mut Vec::new(), &mut notes);
        let got: Vec<(Cloud, &str)> = l.iter().map(|l| (l.cloud, l.audience.as_deref().unwrap_or("?"))).collect();
        assert_eq!(
            got,
            vec![
                (Cloud::Vault, "vault.example.com"),
                (Cloud::Pypi, "pypi"),
                (Cloud::Pypi, "testpypi"),
                (Cloud::OctoSts, "sts.example.com"),
                (Cloud::CratesIo, "crates.io"),
                (Cloud::CratesIo, "staging.crates.io"),
            ]
        );
        assert_eq!(notes.len(), 2, "vault-action with a token and pypi-publish with a password ask for none");
    }

    #[test]
    fn unknown_audience_is_reported_not_guessed() {
        let s = steps("      - uses: azure/login@v2\n        with:\n          audience: ${{ secrets.AUD }}\n");
        let mut d = Vec::new();
        let l = find_logins(&s, &Contexts::new(), &mut d, &mut Vec::new());
        assert_eq!(l[0].audience, None);
        assert!(d[0].message.contains("secrets.AUD"));
    }
}

#[cfg(test)]
mod step_condition_tests {
    use super::*;
    use crate::github::expr::{Completeness, from_json};
    use crate::span::DocId;

    // Workflow syntax `steps[*].if`: a skipped login step asks for no token;
    // an unknown condition is reported and the step kept.
    #[test]
    fn skipped_login_steps_request_no_token() {
        let mut d = Vec::new();
        let w = super::super::workflow::parse(
            "on: push\njobs:\n  j:\n    steps:\n      - uses: azure/login@v2\n        if: github.ref == 'refs/heads/main'\n        with:\n          client-id: x\n      - uses: aws-actions/configure-aws-credentials@v4\n        if: ${{ steps.check.outputs.ok == 'true' }}\n        with:\n          role-to-assume: arn\n",
            DocId::Workflow,
            &mut d,
        )
        .unwrap();
        let mut ctx = Contexts::new();
        ctx.set("github", from_json(&serde_json::json!({"ref": "refs/heads/dev"})), Completeness::Partial);
        let mut notes = Vec::new();
        let found = find_logins(&w.jobs[0].steps, &ctx, &mut d, &mut notes);
        assert_eq!(found.iter().map(|l| l.cloud).collect::<Vec<_>>(), vec![Cloud::Aws]);
        assert!(notes.iter().any(|n| n.contains("skipped")));
        assert!(d.iter().any(|d| d.message.contains("steps.check.outputs.ok") && d.span.is_some()));
    }
}
