//! Fidelity review: cross-cloud checks that every verdict's `decided_span`
//! and trace spans point at the text they claim to (the playground
//! highlights them), and that hostile input gives located errors, never a
//! panic. Sources are cited per test (research cloud-trust-evaluation.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use keyless_core::alibaba::{self, AlibabaConfig};
use keyless_core::aws::{self, AwsConfig};
use keyless_core::azure::{self, AzureConfig};
use keyless_core::gcp::{self, GcpConfig};
use keyless_core::{Claims, Span, Verdict};

const ISS: &str = "https://token.actions.githubusercontent.com";

/// A GitHub token (research github-oidc-tokens.md §1.4 shape).
fn token(aud: &str, sub: &str) -> Claims {
    let mut c = Claims::new();
    c.set("iss", ISS);
    c.set("aud", aud);
    c.set("sub", sub);
    c.set("repository", "my-org/my-repo");
    c.set("repository_owner", "my-org");
    c.set("repository_owner_id", "1001");
    c.set("repository_id", "2002");
    c.set("ref", "refs/heads/main");
    c.set("job_workflow_ref", "my-org/my-repo/.github/workflows/deploy.yml@refs/heads/main");
    c.set("event_name", "push");
    c
}

/// The source text a span covers.
fn slice(text: &str, span: Span) -> &str {
    text.get(span.start as usize..span.end as usize)
        .unwrap_or_else(|| panic!("span {span:?} is not a char range of a {}-byte text", text.len()))
}

/// Every span of a verdict lies inside the text, on char boundaries.
fn assert_spans_inside(text: &str, v: &Verdict) {
    if let Some(s) = v.decided_span {
        slice(text, s);
    }
    for step in &v.trace {
        if let Some(s) = step.span
            && s.doc == v.decided_span.map_or(s.doc, |d| d.doc)
        {
            slice(text, s);
        }
    }
}

mod aws_spans {
    use super::*;

    const POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "GitHub",
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/my-repo:ref:refs/heads/main"}
    }
  }]
}"#;

    #[test]
    fn implicit_deny_points_at_the_failing_condition() {
        let v = aws::evaluate(
            &AwsConfig::from_text(POLICY).unwrap(),
            &token("sts.amazonaws.com", "repo:my-org/my-repo:environment:prod"),
        );
        assert!(!v.allowed);
        assert_eq!(v.code, "AccessDenied");
        assert_eq!(
            slice(POLICY, v.decided_span.unwrap()),
            r#""token.actions.githubusercontent.com:sub": "repo:my-org/my-repo:ref:refs/heads/main""#
        );
        assert_spans_inside(POLICY, &v);
    }

    #[test]
    fn allow_points_at_the_statement() {
        let v = aws::evaluate(
            &AwsConfig::from_text(POLICY).unwrap(),
            &token("sts.amazonaws.com", "repo:my-org/my-repo:ref:refs/heads/main"),
        );
        assert!(v.allowed, "{v:#?}");
        let s = slice(POLICY, v.decided_span.unwrap());
        assert!(s.starts_with('{') && s.contains("\"Sid\": \"GitHub\""), "{s}");
        assert_spans_inside(POLICY, &v);
    }
}

mod spans {
    use super::*;

    const AZURE: &str = r#"[
  {"name": "gha-main", "issuer": "https://token.actions.githubusercontent.com",
   "subject": "repo:my-org/my-repo:ref:refs/heads/main", "audiences": ["api://AzureADTokenExchange"]},
  {"name": "gha-flex", "issuer": "https://token.actions.githubusercontent.com", "subject": null,
   "audiences": ["api://AzureADTokenExchange"],
   "claimsMatchingExpression": {"value": "claims['sub'] matches 'repo:my-org/my-repo:environment:*' and claims['repository_id'] eq '2002'", "languageVersion": 1}}
]"#;

    #[test]
    fn azure_decided_span_quotes_the_deciding_text() {
        let cfg = AzureConfig::from_text(AZURE).unwrap();
        let aud = "api://AzureADTokenExchange";
        // Classic subject matches.
        let v = azure::evaluate(&cfg, &token(aud, "repo:my-org/my-repo:ref:refs/heads/main"));
        assert!(v.allowed);
        assert_eq!(slice(AZURE, v.decided_span.unwrap()), "\"repo:my-org/my-repo:ref:refs/heads/main\"");
        // Flexible expression matches: the whole expression string.
        let v = azure::evaluate(&cfg, &token(aud, "repo:my-org/my-repo:environment:prod"));
        assert!(v.allowed);
        assert!(slice(AZURE, v.decided_span.unwrap()).starts_with("\"claims['sub'] matches"));
        // Nearest miss is the flexible credential's failing term (Z10: 7002131
        // when flexible credentials are involved).
        let mut t = token(aud, "repo:my-org/my-repo:environment:prod");
        t.set("repository_id", "9");
        let flex_text = AZURE.replacen("\"issuer\": \"https://token.actions.githubusercontent.com\",\n   \"subject\": \"repo:my-org/my-repo:ref:refs/heads/main\"", "\"issuer\": \"https://other.example\",\n   \"subject\": \"repo:my-org/my-repo:ref:refs/heads/main\"", 1);
        let flex_only = AzureConfig::from_text(&flex_text).unwrap();
        let v = azure::evaluate(&flex_only, &t);
        assert_eq!(v.code, "AADSTS7002131");
        assert_eq!(slice(&flex_text, v.decided_span.unwrap()), "claims['repository_id'] eq '2002'");
        assert_spans_inside(&flex_text, &v);
        // Wrong audience: the credential's audience (research §2.4, 700212).
        let v = azure::evaluate(&cfg, &token("sts.amazonaws.com", "repo:my-org/my-repo:ref:refs/heads/main"));
        assert_eq!(v.code, "AADSTS700212");
        assert_eq!(slice(AZURE, v.decided_span.unwrap()), "\"api://AzureADTokenExchange\"");
        assert_spans_inside(AZURE, &v);
    }

    fn gcp_config(condition: &str) -> String {
        format!(
            r#"provider:
  name: projects/123456789/locations/global/workloadIdentityPools/github-pool/providers/github-provider
  attributeMapping:
    google.subject: assertion.sub
    attribute.repository: assertion.repository
  attributeCondition: {condition}
  oidc:
    issuerUri: https://token.actions.githubusercontent.com
members:
  - principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github-pool/attribute.repository/my-org/my-repo
"#
        )
    }

    const GCP_AUD: &str = "https://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github-pool/providers/github-provider";

    #[test]
    fn gcp_decided_span_quotes_the_deciding_text() {
        // YAML plain scalars: spans inside a CEL expression are exact.
        let text = gcp_config("assertion.repository_owner == 'my-org'");
        let cfg = GcpConfig::from_text(&text).unwrap();
        let v = gcp::evaluate(&cfg, &token(GCP_AUD, "repo:my-org/my-repo:ref:refs/heads/main"));
        assert!(v.allowed, "{v:#?}");
        assert!(slice(&text, v.decided_span.unwrap()).starts_with("principalSet://"), "{v:#?}");
        assert_spans_inside(&text, &v);

        let text = gcp_config("assertion.repository_owner == 'other'");
        let v = gcp::evaluate(
            &GcpConfig::from_text(&text).unwrap(),
            &token(GCP_AUD, "repo:my-org/my-repo:ref:refs/heads/main"),
        );
        assert_eq!(v.code, "unauthorized_client");
        assert_eq!(slice(&text, v.decided_span.unwrap()), "assertion.repository_owner == 'other'");

        // A runtime error points at the failing sub-expression.
        let text = gcp_config("assertion.environment == 'prod'");
        let v = gcp::evaluate(
            &GcpConfig::from_text(&text).unwrap(),
            &token(GCP_AUD, "repo:my-org/my-repo:ref:refs/heads/main"),
        );
        assert_eq!(v.code, "unauthorized_client");
        assert_eq!(slice(&text, v.decided_span.unwrap()), "assertion.environment");
        assert_spans_inside(&text, &v);
    }

    const ALIBABA: &str = r#"{
  "Version": "1",
  "Statement": [{
    "Effect": "Allow",
    "Action": "sts:AssumeRole",
    "Principal": {"Federated": ["acs:ram::123456789012:oidc-provider/GitHubActions"]},
    "Condition": {
      "StringEquals": {"oidc:iss": "https://token.actions.githubusercontent.com", "oidc:aud": "sts.aliyuncs.com"},
      "StringLike": {"oidc:sub": "repo:my-org/my-repo:*"}
    }
  }]
}"#;

    #[test]
    fn alibaba_decided_span_quotes_the_deciding_text() {
        let cfg = AlibabaConfig::from_text(ALIBABA).unwrap();
        let v = alibaba::evaluate(&cfg, &token("sts.aliyuncs.com", "repo:other/repo:ref:refs/heads/main"));
        assert_eq!(v.code, "AuthenticationFail.NoPermission");
        assert_eq!(slice(ALIBABA, v.decided_span.unwrap()), r#""oidc:sub": "repo:my-org/my-repo:*""#);
        assert_spans_inside(ALIBABA, &v);
        let v = alibaba::evaluate(&cfg, &token("sts.aliyuncs.com", "repo:my-org/my-repo:ref:refs/heads/main"));
        assert!(v.allowed, "{v:#?}");
        assert_spans_inside(ALIBABA, &v);
    }
}

/// Hostile input: every cloud's reader and evaluator must answer with a
/// located diagnostic or a verdict, never a panic, and every span must lie
/// inside the text (the playground slices the editor text with it).
mod hostile {
    use super::*;
    use keyless_core::Diagnostic;
    use proptest::prelude::*;

    fn check_error(text: &str, d: &Diagnostic) {
        if let Some(s) = d.span {
            slice(text, s);
        }
        assert!(!d.message.is_empty());
    }

    fn all_clouds(text: &str, claims: &Claims) {
        match AwsConfig::from_text(text) {
            Ok(c) => assert_spans_inside(text, &aws::evaluate(&c, claims)),
            Err(d) => check_error(text, &d),
        }
        match AzureConfig::from_text(text) {
            Ok(c) => assert_spans_inside(text, &azure::evaluate(&c, claims)),
            Err(d) => check_error(text, &d),
        }
        match GcpConfig::from_text(text) {
            Ok(c) => assert_spans_inside(text, &gcp::evaluate(&c, claims)),
            Err(d) => check_error(text, &d),
        }
        match AlibabaConfig::from_text(text) {
            Ok(c) => assert_spans_inside(text, &alibaba::evaluate(&c, claims)),
            Err(d) => check_error(text, &d),
        }
    }

    fn json_value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("[]".to_string()),
            Just("{}".to_string()),
            Just("\"\"".to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            Just("1e999".to_string()),
            Just("-0.0".to_string()),
            "[a-z*?:/$@{}\u{e9}\u{1F600} '()=&|.]{0,16}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            Just("\"\\ud800\"".to_string()),
            Just("\"${*}${aws:username}${\"".to_string()),
            Just("\"claims['sub'] matches 'repo:*'\"".to_string()),
            Just("\"assertion.sub.startsWith('repo:')\"".to_string()),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..4).prop_map(|v| {
                    let fields: Vec<String> =
                        v.into_iter().map(|(k, x)| format!("{}:{x}", serde_json::to_string(k).unwrap())).collect();
                    format!("{{{}}}", fields.join(","))
                }),
            ]
        })
    }

    /// Field names the four readers look for, so random documents reach deep.
    const KEYS: &[&str] = &[
        "Version",
        "Statement",
        "Effect",
        "Principal",
        "Federated",
        "Action",
        "NotAction",
        "Condition",
        "StringLike",
        "StringNotEquals",
        "ForAllValues:StringEquals",
        "Null",
        "StringEqualsIfExists",
        "token.actions.githubusercontent.com:sub",
        "oidc:sub",
        "oidc:iss",
        "trust_policy",
        "provider",
        "providers",
        "url",
        "client_ids",
        "issuer",
        "subject",
        "audiences",
        "name",
        "claimsMatchingExpression",
        "value",
        "languageVersion",
        "attributeMapping",
        "google.subject",
        "attributeCondition",
        "oidc",
        "issuerUri",
        "allowedAudiences",
        "members",
        "policy",
        "bindings",
        "role",
        "access",
        "disabled",
    ];

    fn claims() -> Claims {
        token("sts.amazonaws.com", "repo:my-org/my-repo:ref:refs/heads/main")
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn random_documents_never_panic(doc in json_value()) {
            all_clouds(&doc, &claims());
        }

        #[test]
        fn random_conditions_in_a_real_policy_never_panic(cond in json_value(), value in json_value()) {
            let c = claims();
            // AWS / Alibaba: a real statement with a random Condition block.
            all_clouds(&format!(r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
              "Principal": {{"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"}},
              "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {cond}}}]}}"#), &c);
            all_clouds(&format!(r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Deny", "Principal": "*",
              "Action": "sts:*", "Condition": {{"StringNotLike": {{"token.actions.githubusercontent.com:sub": {value}}}}}}}]}}"#), &c);
            // Azure: a credential with a random field value.
            all_clouds(&format!(r#"[{{"name": "cred-x", "issuer": "https://token.actions.githubusercontent.com",
              "audiences": ["api://AzureADTokenExchange"], "claimsMatchingExpression": {{"value": {value}, "languageVersion": 1}}}}]"#), &c);
            // GCP: a provider with a random condition and mapping value.
            all_clouds(&format!(r#"{{"provider": {{"name": "projects/1/locations/global/workloadIdentityPools/p/providers/q",
              "attributeMapping": {{"google.subject": {value}}}, "attributeCondition": {value},
              "oidc": {{"issuerUri": "https://token.actions.githubusercontent.com"}}}}, "members": {cond}}}"#), &c);
        }

        #[test]
        fn cel_errors_in_yaml_point_inside_the_expression(expr in "(assertion|\\.|sub|é|\u{1F600}|'|\"|\\(|\\)|==|&&|\\[|\\]|1|x| ){1,12}") {
            // A plain YAML scalar: CEL error positions map exactly into it.
            let text = format!("provider:\n  name: projects/1/locations/global/workloadIdentityPools/p/providers/q\n  attributeMapping:\n    google.subject: assertion.sub\n  attributeCondition: \"{}\"\n", expr.replace('\\', "").replace('"', "'"));
            all_clouds(&text, &claims());
        }

        #[test]
        fn random_text_never_panics(text in "\\PC{0,120}") {
            all_clouds(&text, &claims());
        }

        #[test]
        fn hostile_claims_never_panic(sub in "\\PC{0,300}", aud in "\\PC{0,40}") {
            let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:*",
              "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "*${*}?*"}}}]}"#;
            let mut c = claims();
            c.set("sub", sub);
            c.set("aud", aud);
            all_clouds(text, &c);
        }
    }

    #[test]
    fn deep_nesting_and_huge_values_are_refused_or_evaluated() {
        let c = claims();
        for text in [
            "[".repeat(100_000),
            format!("{}{}", "{\"a\":".repeat(50_000), "1"),
            format!("{}1{}", "[".repeat(5_000), "]".repeat(5_000)),
            format!(
                r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": "*", "Action": "sts:*",
                 "Condition": {{"StringLike": {{"token.actions.githubusercontent.com:sub": "{}b"}}}}}}]}}"#,
                "*a".repeat(20_000)
            ),
        ] {
            all_clouds(&text, &c);
        }
        let mut long = claims();
        long.set("sub", "a".repeat(1 << 20));
        all_clouds(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:*",
              "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "*a*a*a*a*b"}}}]}"#,
            &long,
        );
    }
}

/// Research §0: immutable subjects are `repo:OWNER@OWNER_ID/REPO@REPO_ID:…`.
mod immutable_subjects {
    use keyless_core::claims::name_only_subject;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        assert_eq!(
            name_only_subject("repo:o@1/r@2:ref:refs/heads/main").as_deref(),
            Some("repo:o/r:ref:refs/heads/main")
        );
        assert_eq!(name_only_subject("repo:o@1/r@2").as_deref(), Some("repo:o/r"));
        assert_eq!(name_only_subject("repo:o/r:ref:refs/heads/main"), None);
        assert_eq!(name_only_subject("repo:o@x/r@2:ref:a"), None);
        assert_eq!(name_only_subject("repository_owner:o@1"), None);
    }

    proptest! {
        #[test]
        fn strips_only_the_ids(o in "[a-zA-Z0-9-]{1,12}", r in "[a-zA-Z0-9._-]{1,12}", a in 1u64..u64::MAX, b in 1u64..u64::MAX, tail in "[a-z:/@%]{0,20}") {
            let sub = format!("repo:{o}@{a}/{r}@{b}:{tail}");
            prop_assert_eq!(name_only_subject(&sub), Some(format!("repo:{o}/{r}:{tail}")));
        }
    }
}

/// Research §0: the issuer is github.com's unless an enterprise slug or GHES
/// changes it. Every cloud must treat a changed issuer the same way: the
/// trust configured for `https://token.actions.githubusercontent.com` does not
/// admit it, and each answers with its own issuer error.
mod cross_cloud_issuer {
    use super::*;

    const AWS: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/my-repo:*"}}}]}"#;
    const AZURE: &str = r#"[{"name": "gha-main", "issuer": "https://token.actions.githubusercontent.com",
  "subject": "repo:my-org/my-repo:ref:refs/heads/main", "audiences": ["api://AzureADTokenExchange"]}]"#;
    const GCP: &str = r#"{"provider": {"name": "projects/1/locations/global/workloadIdentityPools/p/providers/q",
  "attributeMapping": {"google.subject": "assertion.sub"}, "attributeCondition": "assertion.repository_owner == 'my-org'",
  "oidc": {"issuerUri": "https://token.actions.githubusercontent.com"}}}"#;
    const GCP_AUD: &str = "https://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q";
    const ALIBABA: &str = r#"{"trust_policy": {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
  "Principal": {"Federated": ["acs:ram::1:oidc-provider/GitHub"]},
  "Condition": {"StringEquals": {"oidc:iss": "https://token.actions.githubusercontent.com", "oidc:aud": "sts.aliyuncs.com"}}}]},
  "provider": {"arn": "acs:ram::1:oidc-provider/GitHub", "issuer_url": "https://token.actions.githubusercontent.com", "client_ids": ["sts.aliyuncs.com"]}}"#;

    fn verdicts(iss: &str) -> [Verdict; 4] {
        verdicts_for(iss, AWS, AZURE, GCP, ALIBABA)
    }

    fn verdicts_for(iss: &str, aws_text: &str, azure_text: &str, gcp_text: &str, alibaba_text: &str) -> [Verdict; 4] {
        let sub = "repo:my-org/my-repo:ref:refs/heads/main";
        let with = |aud: &str| {
            let mut c = token(aud, sub);
            c.set("iss", iss);
            c
        };
        [
            aws::evaluate(&AwsConfig::from_text(aws_text).unwrap(), &with("sts.amazonaws.com")),
            azure::evaluate(&AzureConfig::from_text(azure_text).unwrap(), &with("api://AzureADTokenExchange")),
            gcp::evaluate(&GcpConfig::from_text(gcp_text).unwrap(), &with(GCP_AUD)),
            alibaba::evaluate(&AlibabaConfig::from_text(alibaba_text).unwrap(), &with("sts.aliyuncs.com")),
        ]
    }

    #[test]
    fn the_configured_issuer_is_admitted_everywhere() {
        for v in verdicts(ISS) {
            assert!(v.allowed, "{v:#?}");
        }
    }

    #[test]
    fn enterprise_ghes_and_trailing_slash_issuers_are_refused_everywhere() {
        for iss in [
            "https://token.actions.githubusercontent.com/my-enterprise",
            "https://ghes.example.com/_services/token",
            "https://token.actions.githubusercontent.com/",
            "https://TOKEN.actions.githubusercontent.com",
        ] {
            let codes: Vec<String> = verdicts(iss)
                .iter()
                .map(|v| {
                    assert!(!v.allowed, "{iss}: {v:#?}");
                    v.code.clone()
                })
                .collect();
            assert_eq!(
                codes,
                ["InvalidIdentityToken", "AADSTS700211", "invalid_grant", "AuthenticationFail.NoPermission"],
                "{iss}"
            );
        }
    }

    #[test]
    fn trust_written_for_the_enterprise_issuer_admits_it_everywhere() {
        // Research §0, §1.2: the slug is part of the issuer, the AWS provider
        // ARN and the AWS condition-key prefix.
        let e = "token.actions.githubusercontent.com/my-enterprise";
        let swap = |t: &str| t.replace("token.actions.githubusercontent.com", e);
        let vs = verdicts_for(&format!("https://{e}"), &swap(AWS), &swap(AZURE), &swap(GCP), &swap(ALIBABA));
        for v in vs {
            assert!(v.allowed, "{v:#?}");
        }
    }

    #[test]
    fn githubs_default_audience_is_refused_everywhere_with_the_audience_error() {
        // Research §0: without a login action the token's aud is
        // `https://github.com/<owner>`; each cloud's audience check refuses it
        // (AWS §1.1 step 2, Azure §2.4 700212, GCP §3.1 step 2, Alibaba L7).
        let sub = "repo:my-org/my-repo:ref:refs/heads/main";
        let c = token("https://github.com/my-org", sub);
        let vs = [
            aws::evaluate(&AwsConfig::from_text(AWS).unwrap(), &c),
            azure::evaluate(&AzureConfig::from_text(AZURE).unwrap(), &c),
            gcp::evaluate(&GcpConfig::from_text(GCP).unwrap(), &c),
            alibaba::evaluate(&AlibabaConfig::from_text(ALIBABA).unwrap(), &c),
        ];
        let got: Vec<(&str, &str)> = vs.iter().map(|v| (v.code.as_str(), v.message.as_str())).collect();
        assert_eq!(got[0], ("InvalidIdentityToken", "Incorrect token audience"));
        assert_eq!(got[1].0, "AADSTS700212");
        assert_eq!(got[2], ("invalid_grant", "The audience in JWT does not match the expected values."));
        assert_eq!(got[3], ("AuthenticationFail.OIDCToken.AudienceNotMatch", "Invalid audience."));
    }
}
