//! AWS IAM `sts:AssumeRoleWithWebIdentity`: the checks STS makes, in the
//! documented order (research cloud-trust-evaluation.md §1.1): provider for
//! the issuer, audience in the client-ID list, signature/time (a simulated
//! token is valid), then the role's trust policy.

mod config;
mod context;
pub mod global_keys;
mod sub_guard;

pub use sub_guard::SubGuard;

pub use context::{ACTION, CONFLICTING_KEYS, KEYS_2026};

/// Whether AWS STS puts this GitHub claim in the request context as
/// `<provider>:<claim>`: `aud`, `sub`, `amr` (A7) and the 2026 keys (A9).
pub fn supports_claim(claim: &str) -> bool {
    matches!(claim, "aud" | "sub" | "amr") || KEYS_2026.contains(&claim)
}

pub use config::{AWS_STS_AUDIENCE, has_wildcard, provider_of_arn};

use crate::claims::Claims;
use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Node};
use crate::iam_condition::{GivenContext, OutcomeWords, ValueSyntax, evaluate_policy, outcome_verdict};
use crate::iam_policy::TrustPolicy;
use crate::span::{DocId, Span, Spanned};
use crate::verdict::{Cloud, TraceStep, Verdict};
use context::AwsRequest;

/// The AWS section: the role's trust policy and the account's IAM OIDC
/// provider(s).
#[derive(Clone, Debug, PartialEq)]
pub struct AwsConfig {
    pub trust_policy: TrustPolicy,
    /// Empty when not given: a provider is then assumed from the statement's
    /// `Principal.Federated` ARN, and the assumption is shown in the trace.
    pub providers: Vec<OidcProvider>,
    /// Non-fatal findings from parsing (version remarks, ignored fields),
    /// repeated at the top of every trace.
    pub notes: Vec<Diagnostic>,
    /// Labelled option `request_context`: values for global keys Keyless
    /// cannot know (`aws:SourceIp`, `aws:CurrentTime`...), supplied by the
    /// user to get a verdict instead of `undetermined`.
    pub request_context: GivenContext,
    /// Labelled option `sub_guard`: which reading of IAM's creation-time
    /// guard on GitHub-trusting roles applies (see [`SubGuard`]); its
    /// diagnostics are in `notes`.
    pub sub_guard: SubGuard,
}

/// An IAM OIDC identity provider.
#[derive(Clone, Debug, PartialEq)]
pub struct OidcProvider {
    /// As IAM stores it: host and path, no scheme
    /// (`token.actions.githubusercontent.com`).
    pub url: Spanned<String>,
    pub client_ids: Vec<Spanned<String>>,
    pub span: Span,
    /// The provider's ARN when known (given, or the Principal it was
    /// assumed from).
    pub arn: Option<Spanned<String>>,
}

impl AwsConfig {
    /// Accepts the AWS section (`trust_policy` + `provider`/`providers`), a
    /// bare trust policy, `aws iam get-role` output, or the policy as a JSON
    /// or URL-encoded string.
    pub fn from_node(node: &Node) -> Result<AwsConfig> {
        config::parse(node)
    }

    /// Parses the text of the AWS editor / file (JSON or YAML).
    pub fn from_text(text: &str) -> Result<AwsConfig> {
        Self::from_node(&doc::parse(text, DocId::Aws)?)
    }
}

/// STS's message for a trust-policy denial; it never says which condition
/// failed (§1.1 step 4, A13 aws-sdk-net#1522).
pub const ACCESS_DENIED_MESSAGE: &str = "Not authorized to perform sts:AssumeRoleWithWebIdentity";

/// AWS's parser and evaluator, for [`crate::clouds::Clouds`].
impl crate::cloud_module::TrustConfig for AwsConfig {
    fn notes(&self) -> &[Diagnostic] {
        &self.notes
    }
}

pub static MODULE: crate::cloud_module::CloudModule<AwsConfig> =
    crate::cloud_module::CloudModule { from_node: AwsConfig::from_node, from_text: AwsConfig::from_text, evaluate };

/// What the user can do about an undetermined verdict.
const HOW_TO_DECIDE: &str = "To evaluate it with your value, set it in the AWS section, e.g. `request_context: {\"aws:SourceIp\": \"203.0.113.7\"}` (next to `trust_policy`).";

/// The verdict AWS STS would give for a token with these claims.
pub fn evaluate(config: &AwsConfig, claims: &Claims) -> Verdict {
    let mut trace: Vec<TraceStep> =
        config.notes.iter().map(|d| TraceStep::info(d.labelled_message(), d.span)).collect();
    let iss = claims.iss();
    let token_url = context::provider_url_of(&iss);
    let aud = claims.aud();
    let deny = |code: &str, message: String, by: String, span: Option<Span>, trace: Vec<TraceStep>| Verdict {
        cloud: Cloud::Aws,
        allowed: false,
        audience: aud.clone(),
        code: code.into(),
        message,
        decided_by: by,
        decided_span: span,
        trace,
    };

    // §1.1 step 1: an IAM OIDC provider whose URL is the token's issuer.
    let providers: std::borrow::Cow<[OidcProvider]> = if config.providers.is_empty() {
        let assumed = config::assumed_providers(&config.trust_policy);
        for p in &assumed {
            trace.push(TraceStep::info(
                format!(
                    "assumption: no provider given, so the IAM OIDC provider {} is assumed to exist with ClientIDList [\"{AWS_STS_AUDIENCE}\"] (what `aws iam create-open-id-connect-provider` is run with, A18)",
                    p.url.value
                ),
                Some(p.span),
            ));
        }
        assumed.into()
    } else {
        (&config.providers[..]).into()
    };
    let Some(provider) = providers.iter().find(|p| p.url.value == token_url) else {
        let known: Vec<String> = providers.iter().map(|p| p.url.value.clone()).collect();
        let wildcard_arn = config
            .trust_policy
            .statements
            .iter()
            .filter_map(|s| s.principal.as_ref())
            .flat_map(|p| p.federated.iter())
            .find(|f| config::has_wildcard(&f.value) && provider_of_arn(&f.value).is_some());
        if let Some(f) = wildcard_arn.filter(|_| config.providers.is_empty()) {
            trace.push(TraceStep::info(
                format!("no provider is assumed from \"{}\": it has a wildcard, and IAM \"cannot use a wildcard to match part of a principal name or ARN\"", f.value),
                Some(f.span),
            ));
        }
        if let Some(p) = providers.iter().find(|p| p.url.value.trim_end_matches('/') == token_url.trim_end_matches('/'))
        {
            trace.push(TraceStep::info(
                format!("provider {} differs from the issuer only by a trailing '/': IAM compares provider URLs exactly (aws/aws-sam-cli#7432)", p.url.value),
                Some(p.url.span),
            ));
        }
        trace.push(TraceStep::fail(
            format!(
                "no IAM OIDC provider for the token's issuer {iss} (providers: {})",
                if known.is_empty() { "none".into() } else { known.join(", ") }
            ),
            providers.first().map(|p| p.span),
        ));
        return deny(
            "InvalidIdentityToken",
            format!("No OpenIDConnect provider found in your account for https://{token_url}"),
            format!("no IAM OIDC provider with URL {token_url}"),
            providers.first().map(|p| p.span),
            trace,
        );
    };
    trace.push(TraceStep::pass(
        format!("IAM OIDC provider {} matches the token's issuer {iss}", provider.url.value),
        Some(provider.url.span),
    ));

    // §1.1 step 2: `aud` must be one of the provider's client IDs.
    match provider.client_ids.iter().find(|c| c.value == aud) {
        Some(c) => {
            trace.push(TraceStep::pass(format!("token aud \"{aud}\" is in the provider's ClientIDList"), Some(c.span)))
        }
        None => {
            let ids: Vec<&str> = provider.client_ids.iter().map(|c| c.value.as_str()).collect();
            let by = format!(
                "provider {} ClientIDList {ids:?} does not contain the token's aud \"{aud}\"",
                provider.url.value
            );
            trace.push(TraceStep::fail(by.clone(), Some(provider.span)));
            return deny("InvalidIdentityToken", "Incorrect token audience".into(), by, Some(provider.span), trace);
        }
    }
    // §1.1 step 3 (A10/A11): thumbprints are ignored; the simulated token is
    // signed by GitHub and fresh.
    trace.push(TraceStep::info(
        "signature and expiry: the simulated token is valid (thumbprints are not used, A10)",
        None,
    ));

    // §1.7's creation-time guard is a parse-time diagnostic (`sub_guard`),
    // at the top of this trace with the other notes: existing roles are not
    // re-checked, so it does not change the runtime verdict.

    // §1.1 step 4: the trust policy.
    let syntax =
        ValueSyntax { variables: config.trust_policy.version.as_ref().is_some_and(|v| v.value == "2012-10-17") };
    let request = AwsRequest {
        token_url: &token_url,
        provider_arn: provider.arn.as_ref(),
        claims,
        given: &config.request_context,
    };
    let mut outcome = evaluate_policy(&config.trust_policy, &request, syntax);
    trace.append(&mut outcome.trace);
    let words = OutcomeWords {
        cloud: Cloud::Aws,
        allowed_message: "sts:AssumeRoleWithWebIdentity succeeded",
        deny_code: "AccessDenied",
        deny_message: ACCESS_DENIED_MESSAGE,
        deny_note: None,
        how_to_decide: HOW_TO_DECIDE,
    };
    outcome_verdict(outcome, aud, trace, &words)
}

#[cfg(test)]
mod tests;
