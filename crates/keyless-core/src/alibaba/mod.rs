//! Alibaba Cloud RAM `AssumeRoleWithOIDC` (research cloud-trust-evaluation.md
//! §4). The trust policy is evaluated by the shared IAM condition engine
//! ([`crate::iam_condition`]); this module supplies RAM's context keys
//! (`oidc:iss`, `oidc:aud`, `oidc:sub`, L1), its action name and its errors.
//!
//! Sources added by this module:
//! - L7: STS error codes, https://help.aliyun.com/zh/ram/developer-reference/api-sts-2015-04-01-errorcodes
//!   (`AuthenticationFail.NoPermission` "There is no permission" / "No such
//!   OIDC Provider registered.", `AuthenticationFail.OIDCToken.AudienceNotMatch`
//!   "Invalid audience.").
//! - L8: Serverless-Devs/agentrun-sdk-python `docs/e2e-oidc-setup.md` (and a
//!   second community README): trust policies with
//!   `"Action": "sts:AssumeRoleWithOIDC"` presented as working. [2nd]
//! - L9: community deployment guides (Terraform and README trust policies
//!   found by code search) write `"oidc:iss": "https://token.actions.githubusercontent.com"`,
//!   and one reports that an `oidc:sub` mismatch makes STS answer
//!   `AuthenticationFail.NoPermission`. [2nd]

mod config;
mod context;
pub mod global_keys;

use crate::claims::Claims;
use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Node};
use crate::iam_condition::{GivenContext, OutcomeWords, ValueSyntax, evaluate_policy, outcome_verdict};
use crate::iam_policy::{BaseOperator, TrustPolicy};
use crate::span::{DocId, Span, Spanned};
use crate::verdict::{Cloud, TraceStep, Verdict};
use context::RamRequest;
pub use context::{ACTION, API_ACTION};

/// The client ID GitHub's guide recommends (seed oidc-in-alibaba-cloud.md)
/// and the default audience of `aliyun/configure-aliyun-credentials-action`.
pub const ALIBABA_STS_AUDIENCE: &str = "sts.aliyuncs.com";

/// The Alibaba section: the RAM role's trust policy and the OIDC IdP.
#[derive(Clone, Debug, PartialEq)]
pub struct AlibabaConfig {
    pub trust_policy: TrustPolicy,
    pub provider: Option<RamOidcProvider>,
    /// How `oidc:iss` conditions compare (vendors disagree; see [`IssMatch`]).
    pub iss_match: IssMatch,
    /// Whether `sts:AssumeRoleWithOIDC` is accepted as the trust-policy
    /// action (unverified; see [`OidcActionName`]).
    pub oidc_action: OidcActionName,
    /// Non-fatal findings from parsing, repeated at the top of every trace.
    pub notes: Vec<Diagnostic>,
    /// Labelled option `request_context`: values for `acs:` keys Keyless
    /// cannot know (`acs:SourceIp`, `acs:CurrentTime`...), supplied by the
    /// user to get a verdict instead of `undetermined`.
    pub request_context: GivenContext,
}

/// How the `oidc:iss` condition key compares. Alibaba's RAM guide (L1) says
/// the value "must be the URL of the issuer" (example `https://dev-xxxxxx.okta.com`);
/// GitHub's Alibaba guide (seed oidc-in-alibaba-cloud.md) writes
/// `token.actions.githubusercontent.com` with no scheme. Unresolved by the
/// sources, so it is an option, shown in the trace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IssMatch {
    /// The context value is the token's `iss` as is (`https://…`): the
    /// vendor's own documentation (L1) and what deployed policies write (L9),
    /// so the default.
    #[default]
    Exact,
    /// Either the URL or the URL without `https://` matches (GitHub's doc).
    HostOrUrl,
}

impl IssMatch {
    /// The option's spelling in the Alibaba section.
    pub fn key(self) -> &'static str {
        match self {
            IssMatch::Exact => "exact",
            IssMatch::HostOrUrl => "host_or_url",
        }
    }
}

/// Which trust-policy action names cover `AssumeRoleWithOIDC`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OidcActionName {
    /// Only `sts:AssumeRole` (every Alibaba example, L1, L5): the default.
    #[default]
    AssumeRoleOnly,
    /// Also `sts:AssumeRoleWithOIDC`, as a community setup guide writes it
    /// (L8) and Volcengine uses (L6); not confirmed by Alibaba's docs.
    AlsoAssumeRoleWithOidc,
}

impl OidcActionName {
    /// The option's spelling in the Alibaba section.
    pub fn key(self) -> &'static str {
        match self {
            OidcActionName::AssumeRoleOnly => "assume_role_only",
            OidcActionName::AlsoAssumeRoleWithOidc => "also_assume_role_with_oidc",
        }
    }
}

/// A RAM OIDC identity provider.
#[derive(Clone, Debug, PartialEq)]
pub struct RamOidcProvider {
    /// `acs:ram::<uid>:oidc-provider/<name>`.
    pub arn: Option<Spanned<String>>,
    pub issuer_url: Option<Spanned<String>>,
    pub client_ids: Vec<Spanned<String>>,
    pub span: Span,
}

impl AlibabaConfig {
    /// Accepts the Alibaba section (`trust_policy`, `provider`, options), a
    /// bare RAM trust policy, or the policy as a JSON string. The provider
    /// may be `{arn, issuer_url, client_ids}` or `GetOIDCProvider` output.
    pub fn from_node(node: &Node) -> Result<AlibabaConfig> {
        config::parse(node)
    }

    /// Parses the text of the Alibaba editor / file (JSON or YAML).
    pub fn from_text(text: &str) -> Result<AlibabaConfig> {
        Self::from_node(&doc::parse(text, DocId::Alibaba)?)
    }
}

/// Alibaba Cloud's parser and evaluator, for [`crate::clouds::Clouds`].
impl crate::cloud_module::TrustConfig for AlibabaConfig {
    fn notes(&self) -> &[crate::diagnostic::Diagnostic] {
        &self.notes
    }
}

pub static MODULE: crate::cloud_module::CloudModule<AlibabaConfig> = crate::cloud_module::CloudModule {
    from_node: AlibabaConfig::from_node,
    from_text: AlibabaConfig::from_text,
    evaluate,
};

/// What the user can do about an undetermined verdict.
const HOW_TO_DECIDE: &str = "To evaluate it with your value, set it in the Alibaba section, e.g. `request_context: {\"acs:SourceIp\": \"203.0.113.7\"}` (next to `trust_policy`).";

/// The verdict Alibaba Cloud STS would give for a token with these claims.
pub fn evaluate(config: &AlibabaConfig, claims: &Claims) -> Verdict {
    let mut trace: Vec<TraceStep> = config.notes.iter().map(|d| TraceStep::info(d.message.clone(), d.span)).collect();
    trace.push(TraceStep::info(
        format!(
            "options: iss_match = {}, oidc_action = {} (both vendor-ambiguous; see the Alibaba options)",
            config.iss_match.key(),
            config.oidc_action.key()
        ),
        None,
    ));
    let iss = claims.iss();
    let aud = claims.aud();
    let deny = |code: &str, message: &str, by: String, span: Option<Span>, trace: Vec<TraceStep>| Verdict {
        cloud: Cloud::Alibaba,
        allowed: false,
        audience: aud.clone(),
        code: code.into(),
        message: message.into(),
        decided_by: by,
        decided_span: span,
        trace,
    };

    let provider = match &config.provider {
        Some(p) => p.clone(),
        None => {
            let p = config::assumed_provider(&config.trust_policy, &iss);
            trace.push(TraceStep::info(
                format!(
                    "assumption: no provider given, so the OIDC IdP {} is assumed to have issuer URL {iss} and client IDs [\"{ALIBABA_STS_AUDIENCE}\"] (GitHub's recommended client ID)",
                    p.arn.as_ref().map_or("<from the job's oidc-provider-arn>", |a| a.value.as_str())
                ),
                Some(p.span),
            ));
            p
        }
    };

    // Issuer: the IdP's issuer URL must be the token's `iss`. L7 has no row
    // for an issuer mismatch; the closest documented error is used, labelled.
    let issuer = provider.issuer_url.as_ref().map_or(iss.clone(), |u| u.value.clone());
    // Compared exactly: Alibaba documents no normalisation (L3), and AWS,
    // Azure and GCP all compare the issuer exactly (aws/aws-sam-cli#7432, Z5).
    if issuer != iss {
        let by = format!("the OIDC IdP's issuer URL \"{issuer}\" is not the token's iss \"{iss}\"");
        trace.push(TraceStep::fail(by.clone(), provider.issuer_url.as_ref().map(|u| u.span)));
        if issuer.trim_end_matches('/') == iss.trim_end_matches('/') {
            trace.push(TraceStep::info(
                "only a trailing '/' differs: Alibaba does not document whether it ignores it, so Keyless compares exactly, as AWS, Azure and Google Cloud do",
                provider.issuer_url.as_ref().map(|u| u.span),
            ));
        }
        trace.push(TraceStep::info(
            "labelled: Alibaba documents no error row for an issuer mismatch; Keyless reports the documented \"No such OIDC Provider registered.\" (L7)",
            None,
        ));
        if !provider.client_ids.iter().any(|c| c.value == aud) {
            trace.push(TraceStep::info(
                format!(
                    "the token's aud \"{aud}\" is not one of the IdP's client IDs either; Alibaba does not document which check STS makes first: checking the audience first would give AuthenticationFail.OIDCToken.AudienceNotMatch \"Invalid audience.\" (L7)"
                ),
                Some(provider.span),
            ));
        }
        return deny(
            "AuthenticationFail.NoPermission",
            "No such OIDC Provider registered.",
            by,
            provider.issuer_url.as_ref().map(|u| u.span).or(Some(provider.span)),
            trace,
        );
    }
    trace.push(TraceStep::pass(
        format!("OIDC IdP issuer URL matches the token's iss {iss}"),
        provider.issuer_url.as_ref().map(|u| u.span),
    ));

    // Audience: must be one of the IdP's client IDs (L2, L7, L4 #21).
    match provider.client_ids.iter().find(|c| c.value == aud) {
        Some(c) => {
            trace.push(TraceStep::pass(format!("token aud \"{aud}\" is one of the IdP's client IDs"), Some(c.span)))
        }
        None => {
            let ids: Vec<&str> = provider.client_ids.iter().map(|c| c.value.as_str()).collect();
            let by = format!("the OIDC IdP's client IDs {ids:?} do not contain the token's aud \"{aud}\"");
            trace.push(TraceStep::fail(by.clone(), Some(provider.span)));
            return deny(
                "AuthenticationFail.OIDCToken.AudienceNotMatch",
                "Invalid audience.",
                by,
                Some(provider.span),
                trace,
            );
        }
    }
    trace.push(TraceStep::info("signature and expiry: the simulated token is valid", None));

    if !requires_iss(&config.trust_policy) {
        trace.push(TraceStep::info(
            "RAM requires an `oidc:iss` StringEquals condition (L1: \"Required: Yes\"); the console would not save this policy",
            Some(config.trust_policy.span),
        ));
    }

    let mut labelled: Vec<Span> = Vec::new();
    for c in config.trust_policy.statements.iter().flat_map(|s| s.conditions.iter()) {
        let op = &c.operator.value;
        if (op.base == BaseOperator::Null || op.if_exists || op.set.is_some()) && !labelled.contains(&c.operator.span) {
            labelled.push(c.operator.span);
            trace.push(TraceStep::info(
                format!(
                    "`{}`: RAM's conditional-operator page (https://www.alibabacloud.com/help/en/ram/conditional-operator) lists string, number, date and time, Boolean and IP address operators; this AWS form is evaluated with AWS semantics (unverified for RAM)",
                    op.display()
                ),
                Some(c.operator.span),
            ));
        }
    }

    let request = RamRequest {
        provider: &provider,
        claims,
        iss_match: config.iss_match,
        oidc_action: config.oidc_action,
        given: &config.request_context,
    };
    // RAM policies are Version "1": AWS's `${…}` variables are not known to
    // apply, so values are literal text.
    let mut outcome = evaluate_policy(&config.trust_policy, &request, ValueSyntax { variables: false });
    trace.append(&mut outcome.trace);
    let words = OutcomeWords {
        cloud: Cloud::Alibaba,
        allowed_message: "AssumeRoleWithOIDC succeeded",
        deny_code: "AuthenticationFail.NoPermission",
        deny_message: "There is no permission",
        deny_note: Some(
            "labelled: STS's error table (L7) lists AuthenticationFail.NoPermission \"There is no permission\", and a practitioner reports that code for an oidc:sub mismatch (L9); Alibaba does not document the code per cause (AssumeRole's analogue is NoPermission \"You are not authorized to do this action. You should be authorized by RAM.\")",
        ),
        how_to_decide: HOW_TO_DECIDE,
    };
    outcome_verdict(outcome, aud, trace, &words)
}

fn requires_iss(policy: &TrustPolicy) -> bool {
    policy
        .statements
        .iter()
        .flat_map(|s| s.conditions.iter())
        .any(|c| c.key.value.eq_ignore_ascii_case("oidc:iss") && c.operator.value.base == BaseOperator::StringEquals)
}

#[cfg(test)]
mod tests;
