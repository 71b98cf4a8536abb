//! Alibaba verdicts. Every condition block of the seed
//! oidc-in-alibaba-cloud.md is wrapped in the RAM trust policy shape of L1
//! (Version "1", Principal.Federated = the IdP ARN, Action sts:AssumeRole).

use super::*;

const ISS: &str = "https://token.actions.githubusercontent.com";
/// The provider ARN of the seed's workflow example.
const IDP: &str = "acs:ram::1464366000000000:oidc-provider/github";

fn token(sub: &str) -> Claims {
    let mut c = Claims::new();
    c.set("iss", ISS);
    c.set("aud", ALIBABA_STS_AUDIENCE);
    c.set("sub", sub);
    c.set("repository", "example/example-repo");
    c
}

fn policy(conditions: &str) -> String {
    format!(
        r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": "sts:AssumeRole",
  "Principal": {{"Federated": ["{IDP}"]}},
  "Condition": {conditions}}}]}}"#
    )
}

fn section(conditions: &str, options: &str) -> String {
    format!(
        r#"{{"trust_policy": {}, "provider": {{"arn": "{IDP}", "issuer_url": "{ISS}", "client_ids": ["sts.aliyuncs.com"]}}{options}}}"#,
        policy(conditions)
    )
}

fn verdict(text: &str, claims: &Claims) -> Verdict {
    evaluate(&AlibabaConfig::from_text(text).unwrap(), claims)
}

/// Seed: "allowing access to only specified branch".
const SEED_BRANCH: &str = r#"{"StringEquals": {"oidc:aud": ["sts.aliyuncs.com"],
  "oidc:iss": "token.actions.githubusercontent.com",
  "oidc:sub": "repo:example/example-repo:ref:refs/heads/main"}}"#;
/// Seed: "only allows access when the environment is set to Production".
const SEED_ENVIRONMENT: &str = r#"{"StringEquals": {"oidc:aud": ["sts.aliyuncs.com"],
  "oidc:iss": "token.actions.githubusercontent.com",
  "oidc:sub": "repo:example/example-repo:environment:Production"}}"#;
/// Seed: "any branch, pull request merge branch, or environment".
const SEED_WILDCARD: &str = r#"{"StringLike": {"oidc:sub": "repo:example/example-repo:*"},
  "StringEquals": {"oidc:aud": ["sts.aliyuncs.com"], "oidc:iss": "token.actions.githubusercontent.com"}}"#;

const HOST_OR_URL: &str = r#", "iss_match": "host_or_url""#;

// Seed examples under iss_match = host_or_url (GitHub's reading): each
// admits the runs it describes and rejects the others.
#[test]
fn seed_conditions_under_host_or_url() {
    let rows: &[(&str, &str, bool)] = &[
        (SEED_BRANCH, "repo:example/example-repo:ref:refs/heads/main", true),
        (SEED_BRANCH, "repo:example/example-repo:ref:refs/heads/dev", false),
        (SEED_BRANCH, "repo:example/example-repo:environment:Production", false),
        (SEED_ENVIRONMENT, "repo:example/example-repo:environment:Production", true),
        (SEED_ENVIRONMENT, "repo:example/example-repo:environment:production", false),
        (SEED_ENVIRONMENT, "repo:example/example-repo:ref:refs/heads/main", false),
        (SEED_WILDCARD, "repo:example/example-repo:ref:refs/heads/feature/x", true),
        (SEED_WILDCARD, "repo:example/example-repo:pull_request", true),
        (SEED_WILDCARD, "repo:example/example-repo:environment:Production", true),
        (SEED_WILDCARD, "repo:example/example-repo-fork:ref:refs/heads/main", false),
        (SEED_WILDCARD, "repo:other/example-repo:ref:refs/heads/main", false),
    ];
    for (conditions, sub, want) in rows {
        let v = verdict(&section(conditions, HOST_OR_URL), &token(sub));
        assert_eq!(v.allowed, *want, "{sub}: {}", v.decided_by);
        if !want {
            assert_eq!(
                (v.code.as_str(), v.message.as_str()),
                ("AuthenticationFail.NoPermission", "There is no permission")
            );
        }
    }
}

// Under the default iss_match = exact (Alibaba L1: the value is the issuer
// URL), the seed's scheme-less oidc:iss never matches, and the trace says
// which option would change that.
#[test]
fn seed_iss_without_scheme_under_exact() {
    let v = verdict(&section(SEED_BRANCH, ""), &token("repo:example/example-repo:ref:refs/heads/main"));
    assert!(!v.allowed);
    assert!(v.decided_by.contains("oidc:iss"), "{}", v.decided_by);
    assert!(v.trace.iter().any(|s| s.text.contains("iss_match = host_or_url")));
    // The L1 form (full URL) matches under exact.
    let l1 = SEED_BRANCH
        .replace("\"token.actions.githubusercontent.com\"", "\"https://token.actions.githubusercontent.com\"");
    assert!(verdict(&section(&l1, ""), &token("repo:example/example-repo:ref:refs/heads/main")).allowed);
}

// Research §4: the trust-policy action is sts:AssumeRole; sts:AssumeRoleWithOIDC
// is accepted only under the labelled option.
#[test]
fn assume_role_with_oidc_action_is_an_option() {
    let l1 = SEED_WILDCARD
        .replace("\"token.actions.githubusercontent.com\"", "\"https://token.actions.githubusercontent.com\"");
    let text = section(&l1, "").replace("\"sts:AssumeRole\"", "\"sts:AssumeRoleWithOIDC\"");
    let c = token("repo:example/example-repo:ref:refs/heads/main");
    let v = verdict(&text, &c);
    assert!(!v.allowed);
    assert!(v.trace.iter().any(|s| s.text.contains("oidc_action: also_assume_role_with_oidc")));
    let lenient = section(&l1, r#", "oidc_action": "also_assume_role_with_oidc""#)
        .replace("\"sts:AssumeRole\"", "\"sts:AssumeRoleWithOIDC\"");
    assert!(verdict(&lenient, &c).allowed);
}

// L7: audience mismatch → AuthenticationFail.OIDCToken.AudienceNotMatch.
#[test]
fn audience_must_be_a_client_id() {
    let mut c = token("repo:example/example-repo:ref:refs/heads/main");
    c.set("aud", "https://github.com/example");
    let v = verdict(&section(SEED_WILDCARD, HOST_OR_URL), &c);
    assert_eq!(
        (v.code.as_str(), v.message.as_str()),
        ("AuthenticationFail.OIDCToken.AudienceNotMatch", "Invalid audience.")
    );
}

// Issuer mismatch: labelled, closest documented error (L7).
#[test]
fn issuer_must_match_the_idp() {
    let text = section(SEED_WILDCARD, HOST_OR_URL).replace(
        &format!("\"issuer_url\": \"{ISS}\""),
        "\"issuer_url\": \"https://token.actions.githubusercontent.com/my-ent\"",
    );
    let v = verdict(&text, &token("repo:example/example-repo:ref:refs/heads/main"));
    assert_eq!(v.code, "AuthenticationFail.NoPermission");
    assert!(v.trace.iter().any(|s| s.text.starts_with("labelled:")));
}

// L3: GetOIDCProvider output, ClientIds as one comma-separated string.
#[test]
fn get_oidc_provider_shape() {
    let text = format!(
        r#"{{"trust_policy": {}, "iss_match": "host_or_url", "provider": {{"RequestId": "x", "OIDCProvider": {{"Arn": "{IDP}", "IssuerUrl": "{ISS}", "ClientIds": "abc,sts.aliyuncs.com", "Fingerprints": "902ef2deeb3c5b13ea4c3d5193629309e231ae55", "OIDCProviderName": "github"}}}}}}"#,
        policy(SEED_BRANCH)
    );
    let cfg = AlibabaConfig::from_text(&text).unwrap();
    assert_eq!(cfg.provider.as_ref().unwrap().client_ids.len(), 2);
    assert!(evaluate(&cfg, &token("repo:example/example-repo:ref:refs/heads/main")).allowed);
}

// A bare policy: the IdP is assumed (labelled), the Principal must name an
// OIDC IdP, and other IdPs' ARNs do not apply when the ARN is known.
#[test]
fn bare_policy_and_principal() {
    let l1 = SEED_BRANCH
        .replace("\"token.actions.githubusercontent.com\"", "\"https://token.actions.githubusercontent.com\"");
    let v = verdict(&policy(&l1), &token("repo:example/example-repo:ref:refs/heads/main"));
    assert!(v.allowed, "{}", v.decided_by);
    assert!(v.trace.iter().any(|s| s.text.starts_with("assumption: no provider given")));
    let other =
        section(&l1, "").replace(&format!("[\"{IDP}\"]"), "[\"acs:ram::1464366000000000:oidc-provider/other\"]");
    let v = verdict(&other, &token("repo:example/example-repo:ref:refs/heads/main"));
    assert!(!v.allowed && v.decided_by.contains("Principal.Federated is not"), "{}", v.decided_by);
}

#[test]
fn option_values_are_checked() {
    let e = AlibabaConfig::from_text(&section(SEED_BRANCH, r#", "iss_match": "hostname""#)).unwrap_err();
    assert!(e.message.contains("`iss_match` must be"), "{}", e.message);
}

#[test]
fn trace_snapshot() {
    let v = verdict(&section(SEED_ENVIRONMENT, HOST_OR_URL), &token("repo:example/example-repo:ref:refs/heads/main"));
    let mut out =
        format!("allowed: {}\ncode: {}\nmessage: {}\ndecided_by: {}\n", v.allowed, v.code, v.message, v.decided_by);
    for s in &v.trace {
        out.push_str(&crate::verdict::render_step(s));
        out.push('\n');
    }
    insta::assert_snapshot!("alibaba_seed_environment_denies_branch", out);
}

#[test]
fn issuer_url_with_a_trailing_slash_is_not_normalised_silently() {
    // Alibaba documents no normalisation of the IdP's issuer URL (L3); the
    // other clouds compare the issuer exactly (AWS: aws/aws-sam-cli#7432,
    // Azure: Z5, GCP: issuerUri). Keyless compares exactly and says why.
    let text =
        section(SEED_BRANCH, "").replace(&format!("\"issuer_url\": \"{ISS}\""), &format!("\"issuer_url\": \"{ISS}/\""));
    let v = verdict(&text, &token("repo:example/example-repo:ref:refs/heads/main"));
    assert!(!v.allowed);
    assert_eq!(v.code, "AuthenticationFail.NoPermission");
    assert!(v.trace.iter().any(|s| s.text.contains("trailing '/'")), "{v:#?}");
}

#[test]
fn aws_only_operator_forms_are_labelled_unverified() {
    // RAM's conditional-operator page
    // (https://www.alibabacloud.com/help/en/ram/conditional-operator) lists
    // string, number, date and time, Boolean and IP address operators only;
    // `Null`, `…IfExists` and `ForAnyValue:`/`ForAllValues:` are AWS forms
    // evaluated with AWS semantics, and the trace must say so.
    for conditions in [
        r#"{"StringEquals": {"oidc:iss": "https://token.actions.githubusercontent.com"}, "Null": {"oidc:sub": "false"}}"#,
        r#"{"StringEquals": {"oidc:iss": "https://token.actions.githubusercontent.com"}, "StringLikeIfExists": {"oidc:sub": "repo:example/*"}}"#,
        r#"{"StringEquals": {"oidc:iss": "https://token.actions.githubusercontent.com"}, "ForAllValues:StringLike": {"oidc:sub": "repo:example/*"}}"#,
    ] {
        let v = verdict(&section(conditions, ""), &token("repo:example/example-repo:ref:refs/heads/main"));
        assert!(v.allowed, "{conditions}: {v:#?}");
        assert!(
            v.trace.iter().any(|s| s.text.contains("conditional-operator") && s.text.contains("unverified")),
            "{conditions}: {v:#?}"
        );
    }
    // The documented operators get no remark.
    let v = verdict(
        &section(SEED_WILDCARD.replace("token.actions", "https://token.actions").as_str(), ""),
        &token("repo:example/example-repo:ref:refs/heads/main"),
    );
    assert!(v.allowed, "{v:#?}");
    assert!(v.trace.iter().all(|s| !s.text.contains("conditional-operator")), "{v:#?}");
}

#[test]
fn issuer_and_audience_both_wrong_names_the_undocumented_order() {
    // L2/L7 give the audience error ("Invalid audience.") but no order
    // between the issuer and audience checks: when both fail, the trace says
    // which code the other order would give.
    let text = section(SEED_WILDCARD, "")
        .replace(&format!(r#""issuer_url": "{ISS}""#), r#""issuer_url": "https://gitlab.com""#);
    let mut c = token("repo:example/example-repo:ref:refs/heads/main");
    c.set("aud", "https://github.com/example");
    let v = verdict(&text, &c);
    assert_eq!(v.code, "AuthenticationFail.NoPermission");
    assert!(
        v.trace.iter().any(
            |s| s.text.contains("AuthenticationFail.OIDCToken.AudienceNotMatch") && s.text.contains("not document")
        ),
        "{v:#?}"
    );
    // Only the issuer fails: no remark.
    let v = verdict(&text, &token("repo:example/example-repo:ref:refs/heads/main"));
    assert!(v.trace.iter().all(|s| !s.text.contains("AudienceNotMatch")), "{v:#?}");
}

// Alibaba's common condition keys (alibaba/global_keys.rs): acs:SourceIp is
// "The public IP address of the client that sends the request" (KMS policy
// condition keys page) and RAM documents no availability per request, so an
// `acs:SourceIp` condition gives `undetermined`, where Keyless used to treat
// the key as absent and deny.
#[test]
fn acs_source_ip_makes_the_verdict_undetermined() {
    let sub = "repo:example/example-repo:ref:refs/heads/main";
    let conditions = format!(
        r#"{{"StringEquals": {{"oidc:iss": "{ISS}", "oidc:aud": "sts.aliyuncs.com", "oidc:sub": "{sub}"}},
  "IpAddress": {{"acs:SourceIp": "203.0.113.0/24"}}}}"#
    );
    let v = verdict(&section(&conditions, ""), &token(sub));
    assert_eq!(v.code, "undetermined", "{:#?}", v.trace);
    assert!(v.message.contains("`acs:SourceIp` (the runner's public address)"), "{}", v.message);
    // The sub condition fails for another branch: denied whatever the address.
    let v = verdict(&section(&conditions, ""), &token("repo:example/example-repo:ref:refs/heads/dev"));
    assert_eq!(v.code, "AuthenticationFail.NoPermission");
}

// Labelled option `request_context` in the Alibaba section (acs: keys only).
#[test]
fn acs_request_context_decides_with_given_values() {
    let sub = "repo:example/example-repo:ref:refs/heads/main";
    let conditions = format!(
        r#"{{"StringEquals": {{"oidc:iss": "{ISS}", "oidc:aud": "sts.aliyuncs.com", "oidc:sub": "{sub}"}},
  "IpAddress": {{"acs:SourceIp": "203.0.113.0/24"}}}}"#
    );
    let v = verdict(&section(&conditions, r#", "request_context": {"acs:SourceIp": "203.0.113.9"}"#), &token(sub));
    assert!(v.allowed, "{:#?}", v.trace);
    let v = verdict(&section(&conditions, r#", "request_context": {"acs:SourceIp": "192.0.2.1"}"#), &token(sub));
    assert_eq!(v.code, "AuthenticationFail.NoPermission");
    assert!(AlibabaConfig::from_text(&section(&conditions, r#", "request_context": {"oidc:sub": "x"}"#)).is_err());
}

/// F2 (fuzz/regressions/alibaba_policy/, found by the fuzzer): a whole
/// policy text that is one plain scalar folded over CR or LF line breaks.
/// Its error is located at the whole string, on characters, as the fuzz
/// target asserts (the CLI prints the line of `span.start`).
#[test]
fn errors_in_a_folded_policy_string_are_located_on_characters() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/alibaba_policy");
    for name in ["folded-crlf-policy-string-span", "folded-policy-string-span-2"] {
        let text = String::from_utf8(std::fs::read(dir.join(name)).unwrap()).unwrap();
        let err = AlibabaConfig::from_text(&text).unwrap_err();
        let root = crate::doc::parse(&text, DocId::Alibaba).unwrap();
        assert_eq!(err.span, Some(root.span), "{name}: {err:?}");
        let (start, end) = (root.span.start as usize, root.span.end as usize);
        assert!(end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end), "{name}");
    }
}
