//! The verdict: GCP STS `token` exchange checks in order (research §3.1),
//! then IAM member matching.

use super::cel::{self, Evaluator, Value};
use super::members::{MemberKind, PoolRef, parse_member, parse_provider_name};
use super::{AccessRoute, GcpConfig, Member, WorkloadIdentityProvider};
use crate::claims::Claims;
use crate::doc::Text;
use crate::span::Span;
use crate::verdict::{Cloud, TraceStep, Verdict};

/// P1: "google.subject … Cannot exceed 127 bytes."
pub const MAX_SUBJECT_BYTES: usize = 127;

/// P1 attributeMapping: "When evaluated, the total size of all mapped
/// attributes must not exceed 8KB." Whether names count and whether a KB is
/// 1000 or 1024 bytes is not said: Keyless rejects only what exceeds the
/// limit under every reading (values alone over 8192 bytes) and labels the
/// readings in between.
pub const MAX_MAPPED_BYTES: usize = 8192;
/// The strictest reading of "8KB" (names and values, 1000-byte KB).
const MAX_MAPPED_BYTES_STRICT: usize = 8000;

/// Roles that carry `iam.serviceAccounts.getAccessToken` on a service
/// account: workloadIdentityUser is the documented one (P3 README); the
/// token creator role carries the same permission (IAM roles reference),
/// which is an inference for federated principals.
const IMPERSONATION_ROLES: &[(&str, &str)] = &[
    ("roles/iam.workloadIdentityUser", "documented for workload identity federation (P3)"),
    (
        "roles/iam.serviceAccountTokenCreator",
        "carries iam.serviceAccounts.getAccessToken (inference for federated principals)",
    ),
];

const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The federated identity produced by the mapping.
struct Identity {
    subject: String,
    groups: Vec<String>,
    /// `attribute.<name>` values in mapping order; lists stay lists.
    attributes: Vec<(String, Value)>,
}

struct Ctx {
    v: Verdict,
}

impl Ctx {
    fn pass(&mut self, text: impl Into<String>, span: Option<Span>) {
        self.v.trace.push(TraceStep::pass(text, span));
    }
    fn info(&mut self, text: impl Into<String>, span: Option<Span>) {
        self.v.trace.push(TraceStep::info(text, span));
    }
    /// Ends the verdict with the cloud's own code and message.
    fn deny(mut self, step: impl Into<String>, code: &str, message: &str, by: &str, span: Option<Span>) -> Verdict {
        self.v.trace.push(TraceStep::fail(step, span));
        self.v.allowed = false;
        self.v.code = code.into();
        self.v.message = message.into();
        self.v.decided_by = by.into();
        self.v.decided_span = span;
        self.v
    }
}

/// The verdict Google Cloud would give a token with these claims.
pub fn evaluate(config: &GcpConfig, claims: &Claims) -> Verdict {
    let p = &config.provider;
    let mut cx = Ctx {
        v: Verdict {
            cloud: Cloud::Gcp,
            allowed: false,
            audience: claims.aud(),
            code: String::new(),
            message: String::new(),
            decided_by: String::new(),
            decided_span: None,
            trace: Vec::new(),
        },
    };
    let pool = p.name.as_ref().and_then(|n| parse_provider_name(&n.value));
    let provider_label = p.name.as_ref().map_or("the provider".to_string(), |n| format!("`{}`", n.value));

    // §3.1 step 1: STS validates its `audience` parameter before anything
    // else; with a project ID instead of the number it answers 400
    // `invalid_request` (P3; google-github-actions/auth#269, wording P7 #60).
    if let Some(project) = project_id_in_sts_audience(&claims.aud()) {
        let by = claims.aud();
        return cx.deny(
            format!(
                "the token's aud `{by}` (google-github-actions/auth derives it from workload_identity_provider, P3) names project `{project}`: STS needs the project number, not the project ID"
            ),
            "invalid_request",
            "Invalid value for \"audience\". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.",
            &by,
            p.name.as_ref().map(|n| n.span),
        );
    }

    // §3.1 step 1 (P7 #370): a disabled or deleted provider fails the exchange.
    let deleted = p.state.as_ref().filter(|s| s.value == "DELETED");
    if p.disabled || deleted.is_some() {
        let why = if p.disabled { "disabled" } else { "deleted (state DELETED)" };
        let span = deleted.map(|s| s.span).or(Some(p.span));
        return cx.deny(
            format!("provider {provider_label} is {why}"),
            "invalid_target",
            "The target service indicated by the \"audience\" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist.",
            &format!("provider {provider_label} ({why})"),
            span,
        );
    }
    cx.pass(format!("provider {provider_label} is active"), p.name.as_ref().map(|n| n.span));

    if let Some(iss) = &p.issuer_uri {
        // JWT validation (§3.1 step 2): the token must come from the provider's
        // issuer. The text is Google's as google-github-actions/auth's
        // troubleshooting guide quotes it (P10), with the token's `iss` and
        // the issuerUri as written (its example keeps a trailing `/`). The
        // guide gives no error code: `invalid_grant`, the code of the other
        // JWT checks (audience, P7 #29), is an inference.
        if iss.value != claims.iss() {
            return cx.deny(
                format!(
                    "token iss `{}` is not the provider's issuerUri `{}` (P10; error code inferred)",
                    claims.iss(),
                    iss.value
                ),
                "invalid_grant",
                &issuer_mismatch(&claims.iss(), &iss.value),
                &format!("issuerUri: {}", iss.value),
                Some(iss.span),
            );
        }
        cx.pass(format!("token iss matches issuerUri `{}`", iss.value), Some(iss.span));
    }

    if let Err(v) = check_audience(&mut cx, p, claims) {
        return *v;
    }
    let assertion = cel::claims_value(claims);
    let identity = match map_attributes(&mut cx, p, &assertion) {
        Ok(i) => i,
        Err(v) => return *v,
    };
    if let Err(v) = check_condition(&mut cx, p, &assertion, &identity, claims) {
        return *v;
    }
    match_members(cx, config, pool.as_ref(), &identity)
}

type Step<T> = Result<T, Box<Verdict>>;

/// The project segment of an aud in provider-name form
/// (`https://iam.googleapis.com/projects/P/…/providers/X`, what
/// google-github-actions/auth requests by default, P3) when it is not a
/// project number. Other audiences (custom ones) say nothing about STS's
/// `audience` parameter.
fn project_id_in_sts_audience(aud: &str) -> Option<String> {
    let name = aud.strip_prefix("https:").unwrap_or(aud).strip_prefix("//iam.googleapis.com/")?;
    let pool = parse_provider_name(name)?;
    (!pool.project.chars().all(|c| c.is_ascii_digit())).then_some(pool.project)
}

/// §3.1 step 2 (P1 `allowedAudiences`; P7 #29 message).
fn check_audience(cx: &mut Ctx, p: &WorkloadIdentityProvider, claims: &Claims) -> Step<()> {
    let aud = claims.aud();
    const MESSAGE: &str = "The audience in JWT does not match the expected values.";
    if !p.allowed_audiences.is_empty() {
        if let Some(a) = p.allowed_audiences.iter().find(|a| a.value == aud) {
            cx.pass(format!("aud `{aud}` is in allowedAudiences"), Some(a.span));
            return Ok(());
        }
        let span =
            p.allowed_audiences.first().map(|a| a.span.to(p.allowed_audiences.last().map_or(a.span, |l| l.span)));
        let list: Vec<&str> = p.allowed_audiences.iter().map(|a| a.value.as_str()).collect();
        return Err(deny_boxed(
            cx,
            format!("aud `{aud}` is not in allowedAudiences [{}]", list.join(", ")),
            "invalid_grant",
            MESSAGE,
            "allowedAudiences",
            span,
        ));
    }
    // P1: with no allowedAudiences, the audience must be the provider's
    // full resource name, with or without the `https:` prefix.
    let Some(name) = &p.name else {
        cx.info(
            format!(
                "allowedAudiences is empty and the provider name is not given: aud `{aud}` is not checked (assumption)"
            ),
            None,
        );
        return Ok(());
    };
    let bare = format!("//iam.googleapis.com/{}", name.value.trim_start_matches("//iam.googleapis.com/"));
    let https = format!("https:{bare}");
    if aud == bare || aud == https {
        cx.pass(format!("aud `{aud}` is the provider's own name (allowedAudiences is empty)"), Some(name.span));
        return Ok(());
    }
    Err(deny_boxed(
        cx,
        format!(
            "aud `{aud}` is neither `{https}` nor `{bare}` (allowedAudiences is empty, so only the provider name is accepted)"
        ),
        "invalid_grant",
        MESSAGE,
        "the provider name (default audience)",
        Some(name.span),
    ))
}

/// Ends the verdict from a step that only borrows the context.
fn deny_boxed(cx: &mut Ctx, step: String, code: &str, message: &str, by: &str, span: Option<Span>) -> Box<Verdict> {
    let ctx = Ctx { v: std::mem::replace(&mut cx.v, Verdict::no_token(Cloud::Gcp, "")) };
    Box::new(ctx.deny(step, code, message, by, span))
}

/// Evaluates a mapping or condition with errors located in the document,
/// noting functions whose WIF support is unverified.
fn eval_located(cx: &mut Ctx, expr: &Text, vars: Vec<(String, Value)>) -> Result<Value, (String, Span)> {
    let ast =
        cel::parse(&expr.value).map_err(|e| (format!("invalid CEL: {}", e.message), expr.span_of(e.start, e.end)))?;
    let unverified: Vec<String> = cel::called_functions(&ast)
        .into_iter()
        .filter(|f| cel::UNVERIFIED_IN_WIF.contains(f))
        .map(|f| format!("{f}()"))
        .collect();
    if !unverified.is_empty() {
        cx.info(
            format!(
                "`{}` uses {}: CEL strings-extension functions Google does not document for workload identity federation; evaluated with cel-go semantics (unverified, research §3.3)",
                expr.value,
                unverified.join(", ")
            ),
            Some(expr.span),
        );
    }
    Evaluator::new(vars).eval(&ast).map_err(|e| (e.message, expr.span_of(e.start, e.end)))
}

/// §3.1 step 3: the attribute mapping (P1).
fn map_attributes(cx: &mut Ctx, p: &WorkloadIdentityProvider, assertion: &Value) -> Step<Identity> {
    let mut id = Identity { subject: String::new(), groups: Vec::new(), attributes: Vec::new() };
    let mut subject_seen = false;
    for (key, expr) in &p.attribute_mapping {
        let result = eval_located(cx, expr, vec![("assertion".into(), assertion.clone())]);
        let by = format!("{}={}", key.value, expr.value);
        match (key.value.as_str(), result) {
            ("google.subject", Ok(Value::String(s))) => {
                // Troubleshooting page (docs.cloud.google.com/iam/docs/troubleshooting-workload-identity-federation).
                if s.len() > MAX_SUBJECT_BYTES {
                    return Err(deny_boxed(
                        cx,
                        format!("google.subject `{s}` is {} bytes; the limit is {MAX_SUBJECT_BYTES}", s.len()),
                        "invalid_request",
                        "The size of mapped attribute google.subject exceeds the 127 bytes limit. Either modify your attribute mapping or the incoming assertion to produce a mapped attribute that is less than 127 bytes.",
                        &by,
                        Some(expr.span),
                    ));
                }
                if s.is_empty() {
                    return Err(deny_boxed(
                        cx,
                        "google.subject is empty".into(),
                        "invalid_request",
                        "(Keyless) google.subject mapped to an empty string; Google's exact wording for this case is not documented.",
                        &by,
                        Some(expr.span),
                    ));
                }
                cx.pass(format!("google.subject = '{s}' ({} bytes ≤ {MAX_SUBJECT_BYTES})", s.len()), Some(expr.span));
                id.subject = s;
                subject_seen = true;
            }
            ("google.subject", Ok(other)) => {
                // P9: a boolean mapping (`assertion.sub=='…'` written as the
                // subject) is refused at the exchange with this code and text.
                return Err(deny_boxed(
                    cx,
                    format!("google.subject mapped to {other} ({}), not a string (P9)", other.type_name()),
                    "unauthorized_client",
                    SUBJECT_NOT_STRING,
                    &by,
                    Some(expr.span),
                ));
            }
            ("google.subject", Err((msg, span))) => {
                // Research §3.1.4: runtime CEL errors are undocumented; a
                // subject that cannot be computed is a rejection (inference).
                return Err(deny_boxed(
                    cx,
                    format!("google.subject mapping failed: {msg} (rejection inferred; Google documents no behaviour)"),
                    "invalid_request",
                    &format!(
                        "(Keyless) the google.subject mapping failed: {msg}. Google's exact wording for this case is not documented."
                    ),
                    &by,
                    Some(span),
                ));
            }
            (k, Ok(v)) => {
                let shown = v.to_string();
                let textual = match &v {
                    Value::String(_) => true,
                    Value::List(items) => items.iter().all(|i| matches!(i, Value::String(_))),
                    _ => false,
                };
                if !textual {
                    // P1 describes mapped attributes as text (principal-set
                    // paths, group names); the handling of other types is
                    // not documented, so Keyless keeps the value as is.
                    cx.info(
                        format!(
                            "{k} mapped to a {} value, not a string: what Google does with it (reject the token, or convert it to text) is not documented; Keyless keeps the {} as is, so members and conditions see it untouched",
                            v.type_name(),
                            v.type_name()
                        ),
                        Some(expr.span),
                    );
                }
                if k == "google.groups" {
                    id.groups = match &v {
                        Value::List(items) => items.iter().filter_map(string_of).collect(),
                        other => string_of(other).into_iter().collect(),
                    };
                } else if let Some(name) = k.strip_prefix("attribute.") {
                    id.attributes.push((name.to_string(), v));
                }
                cx.info(format!("{k} = {shown}"), Some(expr.span));
            }
            (k, Err((msg, span))) => {
                // A claim the token lacks (e.g. `environment` outside an
                // environment job): the attribute is left unset. Inference;
                // a condition or member that needs it then fails.
                cx.info(format!("{k} is unset: {msg} (attribute left unset — inference)"), Some(span));
            }
        }
    }
    if subject_seen {
        check_mapped_size(cx, p, &id)?;
    }
    if !subject_seen {
        return Err(deny_boxed(
            cx,
            "the attribute mapping has no google.subject".into(),
            "invalid_request",
            "(Keyless) the provider maps no google.subject (required for OIDC providers, P1).",
            "attributeMapping",
            Some(p.span),
        ));
    }
    Ok(id)
}

/// Bytes of a mapped value: its UTF-8 text (each element for a list).
fn mapped_bytes(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len(),
        Value::List(items) => items.iter().map(mapped_bytes).sum(),
        other => other.to_string().len(),
    }
}

/// P1's 8KB limit on all mapped attributes together (see [`MAX_MAPPED_BYTES`]).
fn check_mapped_size(cx: &mut Ctx, p: &WorkloadIdentityProvider, id: &Identity) -> Step<()> {
    let values = id.subject.len()
        + id.groups.iter().map(String::len).sum::<usize>()
        + id.attributes.iter().map(|(_, v)| mapped_bytes(v)).sum::<usize>();
    let names = "google.subject".len()
        + if id.groups.is_empty() { 0 } else { "google.groups".len() }
        + id.attributes.iter().map(|(n, _)| "attribute.".len() + n.len()).sum::<usize>();
    let span = p
        .attribute_mapping
        .first()
        .map(|(k, v)| k.span.to(v.span))
        .map(|first| p.attribute_mapping.last().map_or(first, |(k, v)| first.to(k.span).to(v.span)));
    if values > MAX_MAPPED_BYTES {
        return Err(deny_boxed(
            cx,
            format!("the mapped attributes total {values} bytes; P1 limits all mapped attributes together to 8KB"),
            "invalid_request",
            &format!(
                "(Keyless) the mapped attributes total {values} bytes, over the 8KB limit on all mapped attributes (P1). Google's exact wording for this case is not documented."
            ),
            "attributeMapping",
            span,
        ));
    }
    if values + names > MAX_MAPPED_BYTES_STRICT {
        cx.info(
            format!(
                "the mapped attributes total {values} bytes ({} with their names): near P1's 8KB limit on all mapped attributes. Whether names count and whether a KB is 1000 or 1024 bytes is not documented; Keyless admits unless the values alone exceed 8192 bytes",
                values + names
            ),
            span,
        );
    }
    Ok(())
}

fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// §3.1 step 4: the attribute condition (P1; message P6).
fn check_condition(
    cx: &mut Ctx,
    p: &WorkloadIdentityProvider,
    assertion: &Value,
    id: &Identity,
    claims: &Claims,
) -> Step<()> {
    const REJECTED: &str = "The given credential is rejected by the attribute condition.";
    let Some(cond) = &p.attribute_condition else {
        // §3.2: creating a GitHub provider without a condition fails since
        // 2024 (P5); providers created earlier keep working.
        if claims.iss().starts_with(GITHUB_ISSUER) {
            cx.info(
                "no attribute condition: every GitHub repository's tokens pass this step. Google refuses to create such a GitHub provider since late 2024 (\"The attribute condition must reference one of the provider's claims.\", P5); older ones still work",
                Some(p.span),
            );
        } else {
            cx.info("no attribute condition", Some(p.span));
        }
        return Ok(());
    };
    let google = Value::Map(vec![
        (Value::String("subject".into()), Value::String(id.subject.clone())),
        (Value::String("groups".into()), Value::List(id.groups.iter().cloned().map(Value::String).collect())),
    ]);
    let attribute = Value::Map(id.attributes.iter().map(|(k, v)| (Value::String(k.clone()), v.clone())).collect());
    let vars =
        vec![("assertion".into(), assertion.clone()), ("google".into(), google), ("attribute".into(), attribute)];
    match eval_located(cx, cond, vars) {
        Ok(Value::Bool(true)) => {
            cx.pass(format!("attribute condition `{}` is true", cond.value), Some(cond.span));
            Ok(())
        }
        Ok(Value::Bool(false)) => Err(deny_boxed(
            cx,
            format!("attribute condition `{}` is false", cond.value),
            "unauthorized_client",
            REJECTED,
            &cond.value,
            Some(cond.span),
        )),
        Ok(other) => Err(deny_boxed(
            cx,
            format!("attribute condition returned {other}, not a boolean (rejection inferred)"),
            "unauthorized_client",
            REJECTED,
            &cond.value,
            Some(cond.span),
        )),
        // Research §3.1.4: behaviour on a CEL runtime error is not documented;
        // simulated as a rejection with the condition's message (inference).
        Err((msg, span)) => Err(deny_boxed(
            cx,
            format!(
                "attribute condition failed to evaluate: {msg} (treated as a rejection — inference, research §3.1.4)"
            ),
            "unauthorized_client",
            REJECTED,
            &cond.value,
            Some(span),
        )),
    }
}

/// §3.1 steps 5–7: which members the federated identity is, and whether a
/// member with a counting role names it (P3, P4).
fn match_members(mut cx: Ctx, config: &GcpConfig, pool: Option<&PoolRef>, id: &Identity) -> Verdict {
    let principal = pool.map_or_else(
        || format!("principal://iam.googleapis.com/…/subject/{}", id.subject),
        |p| {
            format!(
                "principal://iam.googleapis.com/projects/{}/locations/{}/workloadIdentityPools/{}/subject/{}",
                p.project, p.location, p.pool, id.subject
            )
        },
    );
    cx.info(format!("federated identity: {principal}"), None);
    if !config.members_given {
        cx.info("no IAM members given: the verdict covers the STS token exchange only, not authorization", None);
        cx.v.allowed = true;
        cx.v.code = "allowed".into();
        cx.v.message = "STS token exchange succeeds (authorization not checked: no members given)".into();
        cx.v.decided_by = config.provider.name.as_ref().map_or("the provider".into(), |n| n.value.clone());
        cx.v.decided_span = Some(config.provider.span);
        return cx.v;
    }
    if pool.is_none() {
        cx.info("provider name not given or not a workload identity provider name: members' project and pool are not checked (assumption)", config.provider.name.as_ref().map(|n| n.span));
    }
    for m in &config.members {
        let role_note = match role_counts(config.access, m) {
            Ok(note) => note,
            Err(why) => {
                cx.info(why, m.role.as_ref().map(|r| r.span));
                continue;
            }
        };
        match member_matches(m, pool, id) {
            Ok(()) => {
                let role = m.role.as_ref().map(|r| format!(" ({}: {role_note})", r.value)).unwrap_or_default();
                cx.pass(format!("member {}{role} matches", m.text.value), Some(m.text.span));
                if let Some(c) = &m.condition {
                    // IAM conditions (cloud.google.com/iam/docs/conditions-overview)
                    // restrict a binding; Keyless does not model their attributes.
                    cx.info(
                        format!("the binding has the IAM condition `{}`, not evaluated by Keyless: the grant is assumed to hold", c.value),
                        Some(c.span),
                    );
                }
                cx.v.allowed = true;
                cx.v.code = "allowed".into();
                cx.v.message = match config.access {
                    AccessRoute::ServiceAccount => "The federated identity can impersonate the service account.".into(),
                    AccessRoute::Direct => "The federated identity is granted access on the resource.".into(),
                };
                cx.v.decided_by = m.text.value.clone();
                cx.v.decided_span = Some(m.text.span);
                return cx.v;
            }
            Err(why) => cx.v.trace.push(TraceStep::fail(format!("member {}: {why}", m.text.value), Some(m.text.span))),
        }
    }
    let (code, message) = match config.access {
        // google-github-actions/auth#340 (403 from generateAccessToken).
        AccessRoute::ServiceAccount => (
            "PERMISSION_DENIED",
            "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
        ),
        // P7 #77: the resource API's 403.
        AccessRoute::Direct => ("PERMISSION_DENIED", "The caller does not have permission"),
    };
    let members_span =
        config.members.first().map(|f| config.members.iter().fold(f.text.span, |s, m| s.to(m.text.span)));
    cx.deny("no IAM member names this federated identity", code, message, "the IAM members", members_span)
}

/// Whether a member's binding role grants the access route; `Ok` carries
/// why it counts, for the trace.
fn role_counts(access: AccessRoute, m: &Member) -> Result<&'static str, String> {
    let Some(role) = &m.role else {
        return Ok("no role given");
    };
    if access == AccessRoute::Direct {
        return Ok("direct resource access: any role on the resource grants its permissions (P3)");
    }
    if let Some((_, why)) = IMPERSONATION_ROLES.iter().find(|(r, _)| *r == role.value) {
        return Ok(why);
    }
    Err(format!(
        "binding {} → {} not counted: the role does not carry iam.serviceAccounts.getAccessToken (only {} count for service-account impersonation)",
        role.value,
        m.text.value,
        IMPERSONATION_ROLES.iter().map(|(r, _)| *r).collect::<Vec<_>>().join(" and ")
    ))
}

fn member_matches(m: &Member, pool: Option<&PoolRef>, id: &Identity) -> Result<(), String> {
    let parsed = match parse_member(&m.text.value) {
        Ok(Some(p)) => p,
        Ok(None) => return Err("not a workload identity pool member".into()),
        Err(e) => return Err(format!("malformed: {e}")),
    };
    if let Some(pool) = pool {
        if parsed.project != pool.project {
            let hint = if parsed.project.chars().all(|c| c.is_ascii_digit()) {
                String::new()
            } else {
                " (members use the project number, not the project ID — P3)".into()
            };
            return Err(format!("project `{}` is not the provider's project `{}`{hint}", parsed.project, pool.project));
        }
        if parsed.pool != pool.pool || parsed.location != pool.location {
            return Err(format!("pool `{}` is not the provider's pool `{}`", parsed.pool, pool.pool));
        }
    }
    match &parsed.kind {
        MemberKind::All => Ok(()),
        MemberKind::Subject(s) if *s == id.subject => Ok(()),
        MemberKind::Subject(s) => {
            // Research §9.5: a member written for the name-only subject.
            let hint = if crate::claims::name_only_subject(&id.subject).as_deref() == Some(s.as_str()) {
                " — the token uses GitHub's immutable subject (`owner@id/repo@id`); the member was written for the name-only form"
            } else {
                ""
            };
            Err(format!("subject `{s}` ≠ google.subject `{}`{hint}", id.subject))
        }
        MemberKind::Group(g) if id.groups.contains(g) => Ok(()),
        MemberKind::Group(g) => Err(format!("group `{g}` is not in google.groups {:?}", id.groups)),
        MemberKind::Attribute { name, value } => {
            match id.attributes.iter().rev().find(|(n, _)| n == name) {
                None => Err(format!("attribute.{name} is not mapped (or unset for this token)")),
                Some((_, Value::String(s))) if s == value => Ok(()),
                // A list-valued attribute matches any element (inference).
                Some((_, Value::List(items))) if items.iter().any(|i| string_of(i).as_deref() == Some(value)) => Ok(()),
                Some((_, v)) => Err(format!("attribute.{name} is {v}, not '{value}' (exact, case-sensitive)")),
            }
        }
    }
}

/// P9: Google's `error_description` for a `google.subject` mapping that
/// yields no string.
pub const SUBJECT_NOT_STRING: &str = "The mapped attribute 'google.subject' must be of type STRING.";

/// P10: Google's text when the token's issuer is not the provider's
/// `issuerUri` (quoted by google-github-actions/auth's troubleshooting guide).
pub fn issuer_mismatch(token_iss: &str, issuer_uri: &str) -> String {
    format!("The issuer in ID Token {token_iss} does not match the expected ones: {issuer_uri}")
}
