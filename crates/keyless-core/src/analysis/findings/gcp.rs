//! Google Cloud workload identity provider rules. Sources: research
//! cloud-trust-evaluation.md §3 (condition required for GitHub since 2024,
//! `google.subject` ≤ 127 bytes, string ids), Checkov CKV_GCP_118/125 and
//! Trivy AVD-GCP-0068 (peers-and-anchors.md §B.1).

use super::Finding;
use crate::gcp::GcpConfig;
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
    out.extend(default_audience_refused(config));
    match p.attribute_condition.as_ref().filter(|c| !c.value.trim().is_empty()) {
        None => out.push(Finding::new(
            "KL-GCP-001",
            CLOUD,
            "no attribute condition: every GitHub repository's token is accepted by this provider",
            Some(p.span),
        )),
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
