//! Reading the Alibaba section in the shapes users have at hand.

use super::{ALIBABA_STS_AUDIENCE, AlibabaConfig, IssMatch, OidcActionName, RamOidcProvider};
use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{Node, Value};
use crate::iam_condition::GivenContext;
use crate::iam_policy::{Dialect, TrustPolicy, first_error, parse_policy, unwrap_policy_document};
use crate::span::Spanned;
use crate::spelling::check_keys;

const SECTION_KEYS: &[&str] = &["trust_policy", "provider", "iss_match", "oidc_action", "request_context"];

pub(super) fn parse(node: &Node) -> Result<AlibabaConfig> {
    let is_section = node.entries().is_some_and(|es| es.iter().any(|e| SECTION_KEYS.contains(&e.key.value.as_str())));
    if !is_section {
        let doc = unwrap_policy_document(node)?;
        let (trust_policy, notes) = parse_policy(&doc, Dialect::Alibaba).map_err(|e| first_error(e, node.span))?;
        return Ok(AlibabaConfig {
            trust_policy,
            provider: None,
            iss_match: IssMatch::default(),
            oidc_action: OidcActionName::default(),
            notes,
            request_context: GivenContext::default(),
        });
    }
    let mut errors = Vec::new();
    check_keys(node, SECTION_KEYS, "the Alibaba section", &mut errors);
    let provider = match node.get("provider").filter(|n| !n.is_null()) {
        None => None,
        Some(p) => match parse_provider(p) {
            Ok(p) => Some(p),
            Err(d) => {
                errors.push(d);
                None
            }
        },
    };
    let iss_match = match node.get("iss_match").map(|n| (n, n.as_str())) {
        None => IssMatch::default(),
        Some((_, Some("exact"))) => IssMatch::Exact,
        Some((_, Some("host_or_url"))) => IssMatch::HostOrUrl,
        Some((n, _)) => {
            errors.push(Diagnostic::at("`iss_match` must be `exact` or `host_or_url`", n.span));
            IssMatch::default()
        }
    };
    let oidc_action = match node.get("oidc_action").map(|n| (n, n.as_str())) {
        None => OidcActionName::default(),
        Some((_, Some("assume_role_only"))) => OidcActionName::AssumeRoleOnly,
        Some((_, Some("also_assume_role_with_oidc"))) => OidcActionName::AlsoAssumeRoleWithOidc,
        Some((n, _)) => {
            errors.push(Diagnostic::at(
                "`oidc_action` must be `assume_role_only` or `also_assume_role_with_oidc`",
                n.span,
            ));
            OidcActionName::default()
        }
    };
    let request_context = match node.get("request_context").filter(|n| !n.is_null()) {
        None => GivenContext::default(),
        Some(n) => GivenContext::parse(n, &["acs:"], "the Alibaba section").unwrap_or_else(|d| {
            errors.push(d);
            GivenContext::default()
        }),
    };
    let policy = match node.get("trust_policy") {
        None => {
            errors.push(Diagnostic::at(
                "the Alibaba section needs `trust_policy` (the RAM role's trust policy)",
                node.span,
            ));
            None
        }
        Some(p) => {
            match unwrap_policy_document(p).map_err(|d| vec![d]).and_then(|d| parse_policy(&d, Dialect::Alibaba)) {
                Ok(x) => Some(x),
                Err(mut d) => {
                    errors.append(&mut d);
                    None
                }
            }
        }
    };
    match policy {
        Some((trust_policy, notes)) if errors.is_empty() => {
            Ok(AlibabaConfig { trust_policy, provider, iss_match, oidc_action, notes, request_context })
        }
        _ => Err(first_error(errors, node.span)),
    }
}

/// `{arn, issuer_url, client_ids}`, or `GetOIDCProvider` output
/// (`{"OIDCProvider": {"Arn", "IssuerUrl", "ClientIds": "a,b", …}}`, L3),
/// where `ClientIds` is one comma-separated string.
fn parse_provider(node: &Node) -> Result<RamOidcProvider> {
    if let Some(inner) = node.get("OIDCProvider") {
        return parse_provider(inner);
    }
    let mut errors = Vec::new();
    check_keys(
        node,
        &[
            "arn",
            "issuer_url",
            "client_ids",
            "fingerprints",
            "Arn",
            "IssuerUrl",
            "ClientIds",
            "Fingerprints",
            "OIDCProviderName",
            "Description",
            "CreateDate",
            "UpdateDate",
            "GmtCreate",
            "GmtModified",
            "IssuanceLimitTime",
            "RequestId",
        ],
        "an OIDC IdP",
        &mut errors,
    );
    if let Some(d) = errors.into_iter().next() {
        return Err(d);
    }
    let scalar = |a: &str, b: &str, what: &str| -> Result<Option<Spanned<String>>> {
        match node.get(a).or_else(|| node.get(b)) {
            Some(n) => n.expect_scalar(what).map(Some),
            None => Ok(None),
        }
    };
    let arn = scalar("arn", "Arn", "the IdP `arn`")?;
    let issuer_url = scalar("issuer_url", "IssuerUrl", "the IdP `issuer_url`")?;
    let client_ids = match node.get("client_ids").or_else(|| node.get("ClientIds")) {
        None => Vec::new(),
        Some(n) => match &n.value {
            Value::String(s) => s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Spanned::new(s.to_string(), n.span))
                .collect(),
            _ => n.string_or_list("a client ID")?,
        },
    };
    Ok(RamOidcProvider { arn, issuer_url, client_ids, span: node.span })
}

/// The IdP assumed when none is given: the first OIDC IdP ARN of the
/// policy, the token's own issuer, and GitHub's recommended client ID.
pub(super) fn assumed_provider(policy: &TrustPolicy, iss: &str) -> RamOidcProvider {
    let arn = policy
        .statements
        .iter()
        .filter_map(|s| s.principal.as_ref())
        .flat_map(|p| p.federated.iter())
        .find(|f| f.value.contains(":oidc-provider/"))
        .cloned();
    let span = arn.as_ref().map_or(policy.span, |a| a.span);
    RamOidcProvider {
        arn,
        issuer_url: Some(Spanned::new(iss.to_string(), span)),
        client_ids: vec![Spanned::new(ALIBABA_STS_AUDIENCE.to_string(), span)],
        span,
    }
}
