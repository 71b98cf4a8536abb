//! Google Cloud workload identity provider rules. Sources: research
//! cloud-trust-evaluation.md §3 (condition required for GitHub since 2024,
//! `google.subject` ≤ 127 bytes, string ids), Checkov CKV_GCP_118/125 and
//! Trivy AVD-GCP-0068 (peers-and-anchors.md §B.1).

use super::Finding;
use crate::doc::Text;
use crate::gcp::GcpConfig;
use crate::gcp::cel::{self, Value, partial};
use crate::verdict::Cloud;
use regex_lite::Regex;

const CLOUD: Option<Cloud> = Some(Cloud::Gcp);

/// Condition fragments that pin the owner: equality (or `in` list) on an
/// owner/repository claim or mapped attribute, `sub` equality or prefix with
/// `repo:OWNER/` (names or immutable `OWNER@ID/`), or the workflow path of
/// an owner. CEL string literals use either quote.
const OWNER_PINS: &[&str] = &[
    r#"(assertion|attribute)\.(repository_owner_id|repository_owner|repository_id|repository)\s*(==\s*['"][^'"*]+['"]|in\s*\[)"#,
    r#"['"][^'"*]+['"]\s*==\s*(assertion|attribute)\.(repository_owner_id|repository_owner|repository_id|repository)\b"#,
    r#"assertion\.sub\s*(==\s*|\.startsWith\(\s*)['"](repo:)?[^'"*:/]+/"#,
    r#"assertion\.sub\s*==\s*['"](repository_owner_id|repository_id|repository_owner):[^'"*:]+"#,
    r#"assertion\.(job_workflow_ref|workflow_ref)\s*(==\s*|\.startsWith\(\s*)['"][^'"*/]+/"#,
];

/// Whether the condition text pins the repository owner.
pub fn condition_pins_owner(condition: &str) -> bool {
    OWNER_PINS.iter().any(|p| Regex::new(p).is_ok_and(|re| re.is_match(condition)))
}

/// `assertion.repository_id == 123`: ids compared as numbers.
fn numeric_id_comparison(condition: &str) -> Option<String> {
    let re = Regex::new(r"(assertion|attribute)\.([a-z_]*_id)\s*==\s*[0-9]+").ok()?;
    re.find(condition).map(|m| m.as_str().to_string())
}

/// `assertion.sub.startsWith('X')` is the glob `X*`; `assertion.sub == 'X'`
/// is exact: both go through the shared `sub` shape classifier.
fn subject_shapes(condition: &str, span: crate::span::Span) -> Vec<Finding> {
    let mut out = Vec::new();
    let forms = [
        (r#"assertion\.sub\.startsWith\(\s*['"]([^'"]*)['"]"#, true),
        (r#"assertion\.sub\s*==\s*['"]([^'"]*)['"]"#, false),
    ];
    for (pattern, prefix) in forms {
        let Ok(re) = Regex::new(pattern) else { continue };
        for m in re.captures_iter(condition).filter_map(|c| c.get(1)) {
            let text = if prefix { format!("{}*", m.as_str()) } else { m.as_str().to_string() };
            if let Some(risk) = crate::analysis::subject::classify(&text, prefix) {
                out.push(super::iam::subject_finding(risk, CLOUD, &text, span));
            }
        }
    }
    out
}

/// Static findings for a workload identity provider and its members.
pub fn check(config: &GcpConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    let p = &config.provider;
    let github = p
        .issuer_uri
        .as_ref()
        .is_none_or(|i| i.value.contains("token.actions.") || i.value.contains("/_services/token"));
    if !github {
        return out;
    }
    // A disabled or deleted provider admits nothing (the evaluator's first
    // step answers `invalid_target`): no finding about what it admits.
    if probe(config, "").code == "invalid_target" {
        return out;
    }
    out.extend(issuer_with_trailing_slash(config));
    out.extend(default_audience_refused(config));
    out.extend(constant_mappings(config));
    out.extend(placeholders(config));
    match p.attribute_condition.as_ref().filter(|c| !c.value.trim().is_empty()) {
        None => out.push(Finding::new(
            "KL-GCP-001",
            CLOUD,
            "no attribute condition: every GitHub repository's token is accepted by this provider",
            Some(p.span),
        )),
        Some(cond) if let Some(constant) = constant_condition(config, cond) => out.push(constant),
        Some(cond) => {
            if !condition_pins_owner(&cond.value) {
                out.push(Finding::new(
                    "KL-GCP-002",
                    CLOUD,
                    format!("`{}` does not pin the repository owner", cond.value),
                    Some(cond.span),
                ));
            }
            out.extend(subject_shapes(&cond.value, cond.span));
            if let Some(found) = numeric_id_comparison(&cond.value) {
                out.push(Finding::new(
                    "KL-GCP-005",
                    CLOUD,
                    format!("`{found}` compares a string claim with a number"),
                    Some(cond.span),
                ));
            }
        }
    }
    if !p.attribute_mapping.iter().any(|(k, _)| k.value == "google.subject") {
        out.push(Finding::new("KL-GCP-006", CLOUD, "the attribute mapping has no `google.subject`", Some(p.span)));
    }
    for m in &config.members {
        // The evaluator's own member reading: a malformed member (a
        // provider's path, a missing `attribute.NAME/VALUE`) is no identity.
        if let Err(why) = crate::gcp::members::parse_member(&m.text.value) {
            out.push(Finding::new(
                "KL-GCP-011",
                CLOUD,
                format!("`{}` names no identity of the pool, so it admits no token: {why}", m.text.value),
                Some(m.text.span),
            ));
            continue;
        }
        if m.text.value.ends_with("/*") {
            out.push(Finding::new(
                "KL-GCP-004",
                CLOUD,
                format!("`{}` grants every identity of the pool", m.text.value),
                Some(m.text.span),
            ));
        }
    }
    out
}

/// Keyless's Google evaluator on a GitHub token with audience `aud` (and the
/// provider's issuer): the verdict's code and deciding step say which check
/// a login with that audience stops at.
fn probe(config: &GcpConfig, aud: &str) -> crate::verdict::Verdict {
    let mut claims = crate::claims::Claims::new();
    let issuer =
        config.provider.issuer_uri.as_ref().map_or("https://token.actions.githubusercontent.com", |i| &i.value);
    claims.set("iss", issuer);
    claims.set("aud", aud);
    claims.set("sub", "repo:keyless/probe:ref:refs/heads/main");
    crate::gcp::evaluate(config, &claims)
}

/// KL-GCP-007: with `allowedAudiences` set, the audience
/// google-github-actions/auth requests by default
/// (`https://iam.googleapis.com/<provider name>`) is refused by the
/// evaluator's audience step.
fn default_audience_refused(config: &GcpConfig) -> Option<Finding> {
    let p = &config.provider;
    let name = p.name.as_ref()?;
    let first = p.allowed_audiences.first()?;
    let aud = crate::github::login::gcp_default_audience(name.value.trim_start_matches("//iam.googleapis.com/"));
    let verdict = probe(config, &aud);
    (verdict.code == "invalid_grant" && verdict.decided_by == "allowedAudiences").then(|| {
        let span = p.allowed_audiences.last().map_or(first.span, |l| first.span.to(l.span));
        Finding::new(
            "KL-GCP-007",
            CLOUD,
            format!(
                "allowedAudiences does not list `{aud}`, the audience google-github-actions/auth requests unless its `audience` input is set: a default login is refused (\"The audience in JWT does not match the expected values.\")"
            ),
            Some(span),
        )
    })
}

/// The `attribute.NAME`s the provider maps.
fn mapped_attributes(config: &GcpConfig) -> Vec<String> {
    let mapping = &config.provider.attribute_mapping;
    mapping.iter().filter_map(|(k, _)| k.value.strip_prefix("attribute.").map(str::to_string)).collect()
}

/// KL-GCP-008 / KL-GCP-009: the condition's value for every token, by
/// partial evaluation of its CEL (`gcp::cel::partial`): always true
/// restricts nothing; never true (false, an error for every token: an
/// undeclared name, an attribute the mapping never sets, a contradiction)
/// admits nothing. Either way the other condition findings do not apply.
fn constant_condition(config: &GcpConfig, cond: &Text) -> Option<Finding> {
    let expr = cel::parse(&cond.value).ok()?;
    let mapped = mapped_attributes(config);
    let at = |start: usize, end: usize| cond.span_of(start, end);
    match partial::outcome(&expr, &partial::Env { mapped_attributes: Some(&mapped) }) {
        partial::Outcome::Depends => None,
        partial::Outcome::Constant(Value::Bool(true)) => Some(Finding::new(
            "KL-GCP-008",
            CLOUD,
            format!("`{}` is true for every token (whenever it can be evaluated): it restricts nothing", cond.value),
            Some(cond.span),
        )),
        partial::Outcome::Constant(v) => Some(Finding::new(
            "KL-GCP-009",
            CLOUD,
            format!("`{}` is {v} for every token: no token is admitted", cond.value),
            Some(cond.span),
        )),
        partial::Outcome::Error { why, start, end } => {
            let hint = if why.starts_with("undeclared reference") {
                " (CEL declares only `assertion`, `google` and `attribute`: quote the value, e.g. `== 'my-org'`)"
            } else {
                ""
            };
            Some(Finding::new(
                "KL-GCP-009",
                CLOUD,
                format!("`{}` fails for every token: {why}{hint}; no token is admitted", cond.value),
                Some(at(start, end)),
            ))
        }
    }
}

/// KL-GCP-010: a mapping whose value is the same for every token (partial
/// evaluation, as for the condition): every token gets that subject or
/// attribute, so a member naming it admits every token the condition lets
/// through.
fn constant_mappings(config: &GcpConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    for (key, value) in &config.provider.attribute_mapping {
        let Ok(expr) = cel::parse(&value.value) else { continue };
        // `attribute` is not available to a mapping (P1: mappings read `assertion`).
        if let partial::Outcome::Constant(v) = partial::outcome(&expr, &partial::Env { mapped_attributes: None }) {
            out.push(Finding::new(
                "KL-GCP-010",
                CLOUD,
                format!("`{}` maps every token to {v}: it tells no token from another", key.value),
                Some(value.span),
            ));
        }
    }
    out
}

/// KL-CFG-001 in the provider's name, audiences and members, and in the
/// string literals of its condition (not its operators).
fn placeholders(config: &GcpConfig) -> Vec<Finding> {
    let p = &config.provider;
    let texts = p.name.iter().chain(&p.allowed_audiences).chain(config.members.iter().map(|m| &m.text));
    let mut out: Vec<Finding> = texts.filter_map(|v| super::placeholder::check(v, CLOUD, "the value")).collect();
    if let Some(cond) = &p.attribute_condition
        && let Ok(expr) = cel::parse(&cond.value)
    {
        let mut stack = vec![&expr];
        while let Some(e) = stack.pop() {
            if let cel::ExprKind::Lit(Value::String(text)) = &e.kind
                && let Some((a, b)) = super::placeholder::find(text)
            {
                out.push(Finding::new(
                    "KL-CFG-001",
                    CLOUD,
                    format!("the condition compares with `{text}`, which still holds the placeholder `{}`: it matches no real token", &text[a..b]),
                    Some(cond.span_of(e.start, e.end)),
                ));
                break;
            }
            stack.extend(children(e));
        }
    }
    out
}

/// The sub-expressions of a CEL node.
fn children(e: &cel::Expr) -> Vec<&cel::Expr> {
    use cel::ExprKind as K;
    match &e.kind {
        K::Lit(_) | K::Ident(_) => Vec::new(),
        K::Select { operand, .. } => vec![operand],
        K::Index(a, b) | K::Binary(_, a, b) | K::And(a, b) | K::Or(a, b) => vec![a, b],
        K::Call { target, args, .. } => target.iter().map(|t| &**t).chain(args).collect(),
        K::Not(a) | K::Neg(a) => vec![a],
        K::Cond(a, b, c) => vec![a, b, c],
        K::List(items) => items.iter().collect(),
        K::Map(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
        K::Macro { range, body, transform, .. } => {
            [&**range, &**body].into_iter().chain(transform.iter().map(|t| &**t)).collect()
        }
    }
}

/// KL-ISS-001: an issuerUri that is GitHub's but for a trailing `/`. The
/// evaluator, given a github.com token, stops at the issuer step (P10:
/// "The issuer in ID Token … does not match the expected ones: …/").
fn issuer_with_trailing_slash(config: &GcpConfig) -> Option<Finding> {
    let iss = config.provider.issuer_uri.as_ref()?;
    let github = iss.value.trim_end_matches('/');
    if github == iss.value || !super::iam::is_github_issuer(github) {
        return None;
    }
    let mut claims = crate::claims::Claims::new();
    claims.set("iss", github);
    claims.set("aud", "");
    claims.set("sub", "repo:keyless/probe:ref:refs/heads/main");
    let verdict = crate::gcp::evaluate(config, &claims);
    (verdict.code == "invalid_grant" && verdict.decided_by.starts_with("issuerUri")).then(|| {
        Finding::new(
            "KL-ISS-001",
            CLOUD,
            format!("issuerUri `{}` is GitHub's issuer with a trailing `/`: a token's `iss` `{github}` does not match it (\"{}\")", iss.value, verdict.message),
            Some(iss.span),
        )
    })
}
