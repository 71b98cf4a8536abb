//! Vault's answer at `auth/jwt/login` (V1 `pathLogin`), check by check in
//! the plugin's order. Every refusal is an HTTP 400 whose `errors` hold the
//! message below (`logical.ErrorResponse`); the verdict's code is that
//! status, its message Vault's text.
//!
//! 1. `role_type` must be `jwt` ("role with oidc role_type is not allowed").
//! 2. `token_bound_cidrs`: the runner's address is not in the token, so a
//!    role with CIDRs gets `undetermined`.
//! 3. `hashicorp/cap` `jwt.Validate` (V4): the mount's `bound_issuer`, the
//!    role's `bound_subject` (exact), `bound_audiences` (any one in `aud`),
//!    each wrapped as "error validating token: …".
//! 4. A role without `bound_audiences` refuses a token that has an `aud`
//!    (since plugin PR #295, V1), which every GitHub token has.
//! 5. The alias: `user_claim` must be a string claim, each `claim_mappings`
//!    claim that is present must be a string, and `groups_claim` must be
//!    present (V1 `createIdentity`).
//! 6. `bound_claims` (V1 `validateBoundClaims`): every claim present and
//!    matching one of its values; `string` compares typed values (GitHub's
//!    claims are strings, so a number never matches), `glob` uses
//!    `ryanuber/go-glob` (`*` only, any run of characters).

use super::{BoundClaim, BoundValue, ClaimsType, VaultConfig};
use crate::claims::{ClaimValue, Claims};
use crate::glob::{Glob, Token};
use crate::span::Span;
use crate::verdict::{Cloud, TraceStep, Verdict};

/// The status of every refusal (`logical.ErrorResponse`).
const REFUSED: &str = "400";

/// The verdict Vault would give a token with these claims.
pub fn evaluate(config: &VaultConfig, claims: &Claims) -> Verdict {
    let mut trace: Vec<TraceStep> = config.notes.iter().map(|n| TraceStep::info(n.message.clone(), n.span)).collect();
    let role = &config.role;
    let deny = |trace: Vec<TraceStep>, message: String, decided_by: &str, span: Option<Span>| Verdict {
        cloud: Cloud::Vault,
        allowed: false,
        audience: claims.aud(),
        code: REFUSED.into(),
        message,
        decided_by: decided_by.into(),
        decided_span: span,
        trace,
    };

    if role.role_type.value != "jwt" {
        let m = "role with oidc role_type is not allowed".to_string();
        trace.push(TraceStep::fail(
            format!("`role_type` is `{}`: {m} (V1)", role.role_type.value),
            Some(role.role_type.span),
        ));
        return deny(trace, m, "role_type", Some(role.role_type.span));
    }
    trace.push(TraceStep::pass("`role_type` is `jwt` (V1)", Some(role.role_type.span)));

    if let Some(first) = role.token_bound_cidrs.first() {
        let list: Vec<&str> = role.token_bound_cidrs.iter().map(|c| c.value.as_str()).collect();
        let why = format!(
            "the role allows login only from {} (`token_bound_cidrs`); the runner's address is not in the token, so Keyless cannot know whether Vault admits it (otherwise Vault answers 403 permission denied, V1)",
            list.join(", ")
        );
        let mut v = Verdict::undetermined(Cloud::Vault, why);
        v.decided_by = "token_bound_cidrs".into();
        v.decided_span = Some(first.span);
        return v;
    }

    // 3. jwt.Validate (V4): issuer, subject, audience, in that order.
    let iss = claims.iss();
    match &config.bound_issuer {
        Some(bound) if bound.value != iss => {
            let m = "error validating token: invalid issuer (iss) claim".to_string();
            trace.push(TraceStep::fail(
                format!("the mount's `bound_issuer` is `{}`, the token's `iss` is `{iss}`: {m} (V4)", bound.value),
                Some(bound.span),
            ));
            return deny(trace, m, "bound_issuer", Some(bound.span));
        }
        Some(bound) => trace.push(TraceStep::pass(format!("`iss` equals `bound_issuer` `{iss}` (V4)"), Some(bound.span))),
        None if config.config_given => trace.push(TraceStep::info(
            "the mount has no `bound_issuer`: any issuer whose signature verifies is accepted (V3)",
            None,
        )),
        None => trace.push(TraceStep::info(
            "the auth method's configuration is not given (`config:` with `bound_issuer`): its issuer check is assumed to pass",
            None,
        )),
    }
    if let Some(source) = &config.key_source {
        let base = source.value.trim_end_matches('/');
        let keys_of_issuer = base == iss.trim_end_matches('/')
            || base.strip_suffix("/.well-known/jwks").is_some_and(|b| b == iss.trim_end_matches('/'));
        if !keys_of_issuer {
            let m = "error validating token: error verifying token signature".to_string();
            trace.push(TraceStep::fail(
                format!(
                    "the mount verifies signatures with the keys of `{}`, the token was signed by `{iss}`: its signature cannot verify (Keyless's reading of V4; Vault appends the key library's reason)",
                    source.value
                ),
                Some(source.span),
            ));
            return deny(trace, m, "oidc_discovery_url", Some(source.span));
        }
    }
    let sub = claims.sub();
    if let Some(bound) = &role.bound_subject {
        if bound.value != sub {
            let m = "error validating token: invalid subject (sub) claim".to_string();
            trace.push(TraceStep::fail(
                format!(
                    "`bound_subject` `{}` is not the token's `sub` `{sub}` (exact, case-sensitive): {m} (V4)",
                    bound.value
                ),
                Some(bound.span),
            ));
            return deny(trace, m, "bound_subject", Some(bound.span));
        }
        trace.push(TraceStep::pass(format!("`sub` equals `bound_subject` `{sub}` (V4)"), Some(bound.span)));
    }
    let aud = claims.aud();
    if !role.bound_audiences.is_empty() {
        match role.bound_audiences.iter().find(|a| a.value == aud) {
            Some(a) => trace.push(TraceStep::pass(format!("`aud` `{aud}` is in `bound_audiences` (V4)"), Some(a.span))),
            None => {
                let m = "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience".to_string();
                let list: Vec<&str> = role.bound_audiences.iter().map(|a| a.value.as_str()).collect();
                let span = role.bound_audiences.first().map(|a| a.span);
                trace.push(TraceStep::fail(
                    format!("the token's `aud` `{aud}` is none of `bound_audiences` [{}]: {m} (V4)", list.join(", ")),
                    span,
                ));
                return deny(trace, m, "bound_audiences", span);
            }
        }
    } else if !aud.is_empty() {
        // 4. Plugin PR #295 (V1): a role with no audiences refuses any `aud`.
        let m = "audience claim found in JWT but no audiences bound to the role".to_string();
        trace.push(TraceStep::fail(
            format!(
                "the role has no `bound_audiences` and the token's `aud` is `{aud}` (GitHub always sets one): {m} (V1)"
            ),
            Some(role.span),
        ));
        return deny(trace, m, "bound_audiences (none)", Some(role.span));
    }

    // 5. createIdentity (V1): the alias name, metadata, groups.
    let user = &role.user_claim;
    let user_value =
        if role.user_claim_json_pointer { by_pointer(claims, &user.value) } else { claims.get(&user.value).cloned() };
    match user_value {
        None => {
            let m = format!("claim {:?} not found in token", user.value);
            trace.push(TraceStep::fail(format!("`user_claim`: {m} (V1)"), Some(user.span)));
            return deny(trace, m, "user_claim", Some(user.span));
        }
        Some(ClaimValue::Num(_)) => {
            let m = format!("claim {:?} could not be converted to string", user.value);
            trace.push(TraceStep::fail(format!("`user_claim`: {m} (V1)"), Some(user.span)));
            return deny(trace, m, "user_claim", Some(user.span));
        }
        Some(ClaimValue::Str(name)) => trace.push(TraceStep::pass(
            format!("`user_claim` `{}` gives the entity alias `{name}` (V1)", user.value),
            Some(user.span),
        )),
    }
    for (claim, target) in &role.claim_mappings {
        match by_name_or_pointer(claims, &claim.value) {
            Some(ClaimValue::Num(_)) => {
                let m = format!("error converting claim '{}' to string", claim.value);
                trace.push(TraceStep::fail(format!("`claim_mappings`: {m} (V1)"), Some(claim.span)));
                return deny(trace, m, "claim_mappings", Some(claim.span));
            }
            Some(ClaimValue::Str(v)) => trace.push(TraceStep::info(
                format!("`claim_mappings`: metadata `{}` = `{v}` (from `{}`)", target.value, claim.value),
                Some(claim.span),
            )),
            None => trace.push(TraceStep::info(
                format!("`claim_mappings`: the token has no `{}`; `{}` is left unset (V1)", claim.value, target.value),
                Some(claim.span),
            )),
        }
    }
    if let Some(groups) = &role.groups_claim
        && by_name_or_pointer(claims, &groups.value).is_none()
    {
        let m = format!("failed to fetch groups: {:?} claim not found in token", groups.value);
        trace.push(TraceStep::fail(format!("`groups_claim`: {m} (V1)"), Some(groups.span)));
        return deny(trace, m, "groups_claim", Some(groups.span));
    }

    // 6. bound_claims (V1 `validateBoundClaims`). Vault walks a Go map
    // (unordered); Keyless checks in document order, so with two failing
    // claims Vault may name the other one.
    for bound in &role.bound_claims {
        let Some(actual) = by_name_or_pointer(claims, &bound.claim.value) else {
            let m = format!("error validating claims: claim {:?} is missing", bound.claim.value);
            trace.push(TraceStep::fail(format!("`bound_claims`: {m} (V1)"), Some(bound.claim.span)));
            return deny(trace, m, &format!("bound_claims.{}", bound.claim.value), Some(bound.claim.span));
        };
        match matching_value(bound, &actual, role.bound_claims_type) {
            Some(span) => trace.push(TraceStep::pass(
                format!("`bound_claims`: `{}` = `{}` matches (V1)", bound.claim.value, actual.as_text()),
                Some(span),
            )),
            None => {
                let m = format!(
                    "error validating claims: claim {:?} does not match any associated bound claim values",
                    bound.claim.value
                );
                let values: Vec<String> = bound.values.iter().map(|v| v.value.to_string()).collect();
                let mut text = format!(
                    "`bound_claims`: the token's `{}` is `{}`, not {} ({} comparison): {m} (V1)",
                    bound.claim.value,
                    actual.as_text(),
                    values.join(" or "),
                    match role.bound_claims_type {
                        ClaimsType::String => "typed `string`",
                        ClaimsType::Glob => "`glob`",
                    }
                );
                if role.bound_claims_type == ClaimsType::String
                    && bound.values.iter().any(|v| matches!(&v.value, BoundValue::Str(s) if s.contains('*')))
                {
                    text.push_str("; `*` is literal unless `bound_claims_type` is `glob`");
                }
                if bound.values.iter().any(|v| !matches!(v.value, BoundValue::Str(_))) {
                    text.push_str("; GitHub's claims are strings, so a number or boolean never equals one");
                }
                trace.push(TraceStep::fail(text, Some(bound.claim.span)));
                return deny(trace, m, &format!("bound_claims.{}", bound.claim.value), Some(bound.claim.span));
            }
        }
    }
    if role.bound_subject.is_none() && role.bound_claims.is_empty() {
        trace.push(TraceStep::info(
            "the role binds no `bound_subject` and no `bound_claims`: any repository's workflow that can request this audience logs in",
            Some(role.span),
        ));
    }

    Verdict {
        cloud: Cloud::Vault,
        allowed: true,
        audience: aud,
        code: "allowed".into(),
        message: format!(
            "Vault issues a token for role `{}`",
            config.name.as_ref().map_or("(unnamed)", |n| n.value.as_str())
        ),
        decided_by: "role".into(),
        decided_span: Some(role.span),
        trace,
    }
}

/// The span of the first bound value the claim matches.
fn matching_value(bound: &BoundClaim, actual: &ClaimValue, kind: ClaimsType) -> Option<Span> {
    bound.values.iter().find(|v| value_matches(&v.value, actual, kind)).map(|v| v.span)
}

/// V1 `matchFound`: `glob` compares strings with go-glob (a non-string
/// claim never matches); `string` compares typed values (`actVal != expVal`
/// in Go: a string never equals a `json.Number` or a bool). Numeric claims
/// (`iat`, `exp`, `nbf`) arrive as `json.Number` (V1 `getClaim`), compared
/// as their text.
fn value_matches(expected: &BoundValue, actual: &ClaimValue, kind: ClaimsType) -> bool {
    match (kind, expected, actual) {
        (ClaimsType::Glob, BoundValue::Str(p), ClaimValue::Str(a)) => go_glob(p).matches(a),
        (ClaimsType::Glob, _, _) => false,
        (ClaimsType::String, BoundValue::Str(e), ClaimValue::Str(a)) => e == a,
        (ClaimsType::String, BoundValue::Num(e), ClaimValue::Num(a)) => *e == a.to_string(),
        _ => false,
    }
}

/// `ryanuber/go-glob`: `*` is the only wildcard (any run, crossing `/` and
/// `:`), everything else literal, case-sensitive; the shared matcher with
/// `*` as its only wildcard token.
fn go_glob(pattern: &str) -> Glob {
    Glob::from_tokens(pattern.chars().map(|c| if c == '*' { Token::AnyRun } else { Token::Literal(c) }).collect())
}

/// V1 `getClaim`: a name starting with `/` is a JSON pointer.
fn by_name_or_pointer(claims: &Claims, name: &str) -> Option<ClaimValue> {
    if name.starts_with('/') { by_pointer(claims, name) } else { claims.get(name).cloned() }
}

/// A JSON pointer (RFC 6901) into GitHub's claims, which are one flat
/// object: `/name` (with `~1` for `/` and `~0` for `~`) names a claim;
/// a longer pointer reaches into a string and finds nothing.
fn by_pointer(claims: &Claims, pointer: &str) -> Option<ClaimValue> {
    let rest = pointer.strip_prefix('/')?;
    if rest.contains('/') {
        return None;
    }
    claims.get(&rest.replace("~1", "/").replace("~0", "~")).cloned()
}
