//! RAM's request context for `AssumeRoleWithOIDC` and statement
//! applicability (research §4, L1).

use super::{IssMatch, OidcActionName, RamOidcProvider};
use crate::claims::Claims;
use crate::iam_condition::{
    Applicability, ContextLookup, GivenContext, PolicyHost, action_pattern_matches, check_action,
};
use crate::iam_policy::{Principal, Statement};
use crate::verdict::TraceStep;

/// The trust-policy action in every Alibaba example (L1, L5).
pub const ACTION: &str = "sts:AssumeRole";
/// The API's name, accepted only under [`OidcActionName::AlsoAssumeRoleWithOidc`].
pub const API_ACTION: &str = "sts:AssumeRoleWithOIDC";

pub(super) struct RamRequest<'a> {
    pub provider: &'a RamOidcProvider,
    pub claims: &'a Claims,
    pub iss_match: IssMatch,
    pub oidc_action: OidcActionName,
    /// The section's `request_context` option.
    pub given: &'a GivenContext,
}

impl RamRequest<'_> {
    fn principal_covers(&self, p: &Principal) -> Option<String> {
        if p.wildcard {
            return Some("\"*\"".into());
        }
        p.federated
            .iter()
            .find(|f| match &self.provider.arn {
                Some(arn) => f.value == arn.value,
                // No ARN known: any OIDC IdP ARN is taken to be the job's
                // `oidc-provider-arn` (the assumption is in the trace).
                None => f.value.contains(":oidc-provider/"),
            })
            .map(|f| format!("\"{}\"", f.value))
    }
}

impl PolicyHost for RamRequest<'_> {
    fn lookup(&self, key: &str) -> ContextLookup {
        // Key names compared ignoring case, as in AWS (A4; assumed for RAM).
        match key.to_ascii_lowercase().as_str() {
            "oidc:iss" => {
                let iss = self.claims.iss();
                match self.iss_match {
                    IssMatch::Exact => ContextLookup {
                        values: vec![iss],
                        note: Some(
                            "iss_match = exact: compared with the token's iss as is (Alibaba L1: \"the URL of the issuer\"); GitHub's guide writes it without https://, which matches only under iss_match = host_or_url"
                                .into(),
                        ),
                        unknowable: None,
                    },
                    IssMatch::HostOrUrl => {
                        let host = iss.strip_prefix("https://").unwrap_or(&iss).to_string();
                        ContextLookup {
                            values: vec![iss, host],
                            note: Some("iss_match = host_or_url: the issuer URL and the URL without https:// both match (GitHub's guide)".into()),
                            unknowable: None,
                        }
                    }
                }
            }
            "oidc:aud" => ContextLookup::single(self.claims.aud()),
            "oidc:sub" => ContextLookup::single(self.claims.sub()),
            k if k.starts_with("acs:") => self.given.lookup(key).unwrap_or_else(|| super::global_keys::lookup(key)),
            _ => ContextLookup::absent(format!(
                "`{key}` is not an OIDC condition key of RAM (L1 lists oidc:iss, oidc:aud, oidc:sub): absent"
            )),
        }
    }

    fn applies(&self, st: &Statement, label: &str) -> Applicability {
        let mut steps = Vec::new();
        if let Some(p) = &st.principal {
            match self.principal_covers(p) {
                Some(v) => steps.push(TraceStep::pass(format!("{label} Principal {v} is the OIDC IdP"), Some(p.span))),
                None => {
                    let want = self.provider.arn.as_ref().map_or("an OIDC IdP ARN", |a| a.value.as_str());
                    let why = format!("Principal.Federated is not {want}");
                    steps.push(TraceStep::fail(format!("{label} {why}"), Some(p.span)));
                    return Applicability { applies: false, steps, reason: Some((why, Some(p.span))) };
                }
            }
        }
        let wanted: &[&str] = match self.oidc_action {
            OidcActionName::AssumeRoleOnly => &[ACTION],
            OidcActionName::AlsoAssumeRoleWithOidc => &[ACTION, API_ACTION],
        };
        let (ok, step, reason) = check_action(st, label, wanted);
        steps.push(step);
        if !ok
            && self.oidc_action == OidcActionName::AssumeRoleOnly
            && st.actions.iter().any(|a| action_pattern_matches(&a.value, API_ACTION))
        {
            steps.push(TraceStep::info(
                format!(
                    "{label}: `{API_ACTION}` is the API's name; Alibaba's trust policies use `{ACTION}` (research §4, L1). Whether RAM also accepts it is unverified (a community guide uses it, L8): set oidc_action: also_assume_role_with_oidc to evaluate it as accepted"
                ),
                st.actions.first().map(|a| a.span),
            ));
        }
        Applicability { applies: ok, steps, reason }
    }
}
