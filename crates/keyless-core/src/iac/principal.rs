//! Unknown federated principals. Terraform names GitHub's provider by
//! reference (`aws_iam_openid_connect_provider.github.arn`) in nearly every
//! trust policy, so the ARN is unknown; but a statement whose conditions
//! are on `token.actions.githubusercontent.com:…` keys is written for that
//! provider, and those keys exist only in its tokens' requests (IAM's
//! web identity keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif).
//! The conditions are then judged as if the principal were that provider,
//! and nothing is said about the principal itself (its `region` covers the
//! whole `Principal` element, where findings are left out).

use super::{Trusts, Unit};
use crate::doc::{Node, Value};
use crate::span::Span;
use crate::verdict::Cloud;

/// Replaces each unknown `Federated` stand-in of an AWS statement that
/// conditions on a GitHub provider's keys by that provider's ARN, with the
/// account left unknown.
pub fn stand_in(found: &mut Trusts) {
    let Trusts { units, unknowns } = found;
    for unit in units.iter_mut().filter(|u| u.cloud == Cloud::Aws) {
        for_each_statement(unit, &mut |st: &mut Node| {
            let Some(provider) = github_provider_of_conditions(st) else { return };
            let Some(Value::Map(entries)) = st_principal(st).map(|p| &mut p.value) else { return };
            let principal_span = entries.first().map(|e| e.key.span);
            for e in entries.iter_mut().filter(|e| e.key.value == "Federated") {
                let values: Vec<&mut Node> = match &mut e.value.value {
                    Value::Seq(items) => items.iter_mut().collect(),
                    _ => vec![&mut e.value],
                };
                for v in values {
                    let Some(u) = unknowns.iter_mut().find(|u| u.principal && u.span == v.span) else { continue };
                    if let Some(region) = principal_span {
                        u.region = u.region.to(region);
                    }
                    // A stand-in that reads as a provider ARN keeps its
                    // literal provider URL; any other is replaced.
                    if !v.as_str().is_some_and(reads_as_provider_arn) {
                        // A new node: the stand-in is not written at `v.span`.
                        *v = Node::new(
                            Value::String(format!("arn:aws:iam::{{unknown}}:oidc-provider/{provider}")),
                            v.span,
                        );
                    }
                }
            }
        });
        // The region of each principal unknown: the whole `Principal` value.
        widen_regions(&unit.node, unknowns);
    }
}

fn st_principal(st: &mut Node) -> Option<&mut Node> {
    match &mut st.value {
        Value::Map(entries) => {
            entries.iter_mut().rev().find(|e| e.key.value.eq_ignore_ascii_case("Principal")).map(|e| &mut e.value)
        }
        _ => None,
    }
}

fn for_each_statement(unit: &mut Unit, f: &mut dyn FnMut(&mut Node)) {
    let Value::Map(entries) = &mut unit.node.value else { return };
    for e in entries.iter_mut().filter(|e| e.key.value.eq_ignore_ascii_case("Statement")) {
        match &mut e.value.value {
            Value::Seq(items) => items.iter_mut().for_each(&mut *f),
            Value::Map(_) => f(&mut e.value),
            _ => {}
        }
    }
}

/// The provider URL of the statement's first condition key written for a
/// GitHub provider (`token.actions.githubusercontent.com[/SLUG]:…`).
fn github_provider_of_conditions(st: &Node) -> Option<String> {
    let conditions = st.get_ci("Condition")?.entries()?;
    conditions.iter().filter_map(|op| op.value.entries()).flatten().find_map(|k| {
        let (provider, _) = k.key.value.rsplit_once(':')?;
        let host = provider.split('/').next()?;
        (host.eq_ignore_ascii_case("token.actions.githubusercontent.com")).then(|| provider.to_string())
    })
}

fn widen_regions(policy: &Node, unknowns: &mut [super::Unknown]) {
    let statements: Vec<&Node> = match policy.get_ci("Statement").map(|s| &s.value) {
        Some(Value::Seq(items)) => items.iter().collect(),
        Some(Value::Map(_)) => policy.get_ci("Statement").into_iter().collect(),
        _ => Vec::new(),
    };
    for st in statements {
        let Some(p) = st.get_ci("Principal") else { continue };
        let region: Span = p.span;
        for u in unknowns.iter_mut().filter(|u| u.principal && region.start <= u.span.start && u.span.end <= region.end)
        {
            u.region = u.region.to(region);
        }
    }
}

/// `arn:PARTITION:iam::ACCOUNT:oidc-provider/URL`, as IAM splits it (a
/// `${AWS::AccountId}` in the account has colons, so it does not).
fn reads_as_provider_arn(t: &str) -> bool {
    let parts: Vec<&str> = t.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", _, "iam", "", _, resource] if resource.starts_with("oidc-provider/"))
}
