//! Reading the AWS section in the shapes users have at hand.

use super::context::provider_url_of;
use super::sub_guard::{self, SubGuard};
use super::{AwsConfig, OidcProvider};
use crate::diagnostic::{Diagnostic, Result};
use crate::doc::Node;
use crate::iam_condition::GivenContext;
use crate::iam_policy::{Dialect, TrustPolicy, first_error, parse_policy, policy_document};
use crate::span::Spanned;
use crate::spelling::check_keys;

/// The audience `aws-actions/configure-aws-credentials` asks for, and the
/// client ID AWS's and GitHub's guides register (A18, research §0).
pub const AWS_STS_AUDIENCE: &str = "sts.amazonaws.com";

const SECTION_KEYS: &[&str] = &["trust_policy", "provider", "providers", "request_context", "sub_guard"];

pub(super) fn parse(node: &Node) -> Result<AwsConfig> {
    let is_section = node.entries().is_some_and(|es| es.iter().any(|e| SECTION_KEYS.contains(&e.key.value.as_str())));
    if is_section {
        let mut errors = Vec::new();
        check_keys(node, SECTION_KEYS, "the AWS section", &mut errors);
        let mut providers = Vec::new();
        if let Some(p) = node.get("provider").filter(|n| !n.is_null()) {
            match parse_provider(p) {
                Ok(p) => providers.push(p),
                Err(d) => errors.push(d),
            }
        }
        if let Some(list) = node.get("providers").filter(|n| !n.is_null()) {
            match list.expect_seq("`providers`") {
                Ok(items) => {
                    for item in items {
                        match parse_provider(item) {
                            Ok(p) => providers.push(p),
                            Err(d) => errors.push(d),
                        }
                    }
                }
                Err(d) => errors.push(d),
            }
        }
        let request_context = match node.get("request_context").filter(|n| !n.is_null()) {
            None => GivenContext::default(),
            Some(n) => GivenContext::parse(n, &["aws:", "sts:"], "the AWS section").unwrap_or_else(|d| {
                errors.push(d);
                GivenContext::default()
            }),
        };
        let sub_guard = match node.get("sub_guard").map(|n| (n, n.as_str().and_then(SubGuard::parse))) {
            None => SubGuard::default(),
            Some((_, Some(g))) => g,
            Some((n, None)) => {
                errors.push(Diagnostic::at("`sub_guard` must be `documented` or `first_value`", n.span));
                SubGuard::default()
            }
        };
        let policy = match node.get("trust_policy") {
            None => {
                errors
                    .push(Diagnostic::at("the AWS section needs `trust_policy` (the role's trust policy)", node.span));
                None
            }
            Some(p) => match policy_of(p) {
                Ok(x) => Some(x),
                Err(mut d) => {
                    errors.append(&mut d);
                    None
                }
            },
        };
        return match policy {
            Some((trust_policy, mut notes)) if errors.is_empty() => {
                notes.extend(sub_guard::check(&trust_policy, sub_guard));
                Ok(AwsConfig { trust_policy, providers, notes, request_context, sub_guard })
            }
            _ => Err(first_error(errors, node.span)),
        };
    }
    if node.get("Url").is_some() && node.get("ClientIDList").is_some() {
        return Err(Diagnostic::at(
            "this is an OIDC provider (`aws iam get-open-id-connect-provider` output); put it under `provider:` next to `trust_policy:`",
            node.span,
        ));
    }
    let (trust_policy, mut notes) = policy_of(node).map_err(|e| first_error(e, node.span))?;
    let sub_guard = SubGuard::default();
    notes.extend(sub_guard::check(&trust_policy, sub_guard));
    Ok(AwsConfig { trust_policy, providers: Vec::new(), notes, request_context: GivenContext::default(), sub_guard })
}

fn policy_of(node: &Node) -> std::result::Result<(TrustPolicy, Vec<Diagnostic>), Vec<Diagnostic>> {
    let doc = policy_document(node).map_err(|d| vec![d])?;
    parse_policy(&doc, Dialect::Aws)
}

/// `{url, client_ids}` or `aws iam get-open-id-connect-provider` output
/// (`Url`, `ClientIDList`; `ThumbprintList` is ignored, A10).
fn parse_provider(node: &Node) -> Result<OidcProvider> {
    let mut errors = Vec::new();
    check_keys(
        node,
        &[
            "url",
            "client_ids",
            "thumbprints",
            "arn",
            "Url",
            "ClientIDList",
            "ThumbprintList",
            "CreateDate",
            "Tags",
            "OpenIDConnectProviderArn",
        ],
        "an OIDC provider",
        &mut errors,
    );
    if let Some(d) = errors.into_iter().next() {
        return Err(d);
    }
    let url_node = node.get("url").or_else(|| node.get("Url")).ok_or_else(|| {
        Diagnostic::at("the provider needs `url` (e.g. token.actions.githubusercontent.com)", node.span)
    })?;
    let url = url_node.expect_scalar("the provider `url`")?;
    let client_ids = match node.get("client_ids").or_else(|| node.get("ClientIDList")) {
        Some(n) => n.string_or_list("a client ID")?,
        None => {
            return Err(Diagnostic::at(
                format!("the provider needs `client_ids` (IAM's ClientIDList, usually [\"{AWS_STS_AUDIENCE}\"])"),
                node.span,
            ));
        }
    };
    let arn = match node.get("arn").or_else(|| node.get("OpenIDConnectProviderArn")) {
        Some(n) => Some(n.expect_scalar("the provider `arn`")?),
        None => None,
    };
    Ok(OidcProvider { url: Spanned::new(provider_url_of(&url.value), url.span), client_ids, span: node.span, arn })
}

/// `arn:<partition>:iam::<account>:oidc-provider/<url>` → (account, url).
pub fn provider_of_arn(arn: &str) -> Option<(String, String)> {
    split_provider_arn(arn).map(|(account, url)| (account.to_string(), url.to_string()))
}

/// [`provider_of_arn`], borrowing from `arn` (evaluation compares it for
/// every statement of every request).
pub(super) fn split_provider_arn(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some("iam"), Some(""), Some(account), Some(resource)) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let url = resource.strip_prefix("oidc-provider/")?;
    Some((account, url))
}

/// IAM Principal element ("All principals"): "You cannot use a wildcard to
/// match part of a principal name or ARN", so an ARN with `*` or `?` names
/// no principal.
pub fn has_wildcard(arn: &str) -> bool {
    arn.contains(['*', '?'])
}

/// Providers assumed from the policy's `Principal.Federated` ARNs, with
/// IAM's usual ClientIDList (labelled as an assumption in the trace).
pub(super) fn assumed_providers(policy: &TrustPolicy) -> Vec<OidcProvider> {
    let mut out: Vec<OidcProvider> = Vec::new();
    let federated = policy.statements.iter().filter_map(|s| s.principal.as_ref()).flat_map(|p| p.federated.iter());
    for f in federated {
        if let Some((_, url)) = split_provider_arn(&f.value)
            && !has_wildcard(url)
            && !out.iter().any(|p| p.url.value == url)
        {
            out.push(OidcProvider {
                url: Spanned::new(url.to_string(), f.span),
                client_ids: vec![Spanned::new(AWS_STS_AUDIENCE.to_string(), f.span)],
                span: f.span,
                // A wildcard ARN names no provider (it never matches, see
                // `has_wildcard`): the provider's own ARN is then unknown.
                arn: (!has_wildcard(&f.value)).then(|| f.clone()),
            });
        }
    }
    out
}
