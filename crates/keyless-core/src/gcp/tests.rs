//! GCP verdicts for the seed deployments and the documented edge cases.
//! Claims are built directly (the GitHub simulation is tested elsewhere).

use super::*;
use crate::claims::Claims;
use crate::verdict::render_step;
use proptest::prelude::*;

const PROVIDER: &str =
    "projects/123456789/locations/global/workloadIdentityPools/github-pool/providers/github-provider";
const POOL: &str =
    "principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github-pool";
/// The audience google-github-actions/auth requests by default (P3).
const DEFAULT_AUD: &str = "https://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github-pool/providers/github-provider";

/// A push token for `owner/repo` on `refs/heads/<branch>` (github-oidc-tokens.md §1).
fn token(owner: &str, repo: &str, branch: &str) -> Claims {
    let mut c = Claims::new();
    c.set("iss", "https://token.actions.githubusercontent.com");
    c.set("aud", DEFAULT_AUD);
    c.set("sub", format!("repo:{owner}/{repo}:ref:refs/heads/{branch}"));
    c.set("ref", format!("refs/heads/{branch}"));
    c.set("repository", format!("{owner}/{repo}"));
    c.set("repository_owner", owner);
    c.set("repository_id", "260064828");
    c.set("repository_owner_id", "1342004");
    c.set("job_workflow_ref", format!("{owner}/{repo}/.github/workflows/deploy.yml@refs/heads/{branch}"));
    c.set_num("iat", 1_763_000_000);
    c
}

/// Seed doc §4: the org-scoped provider and the principalSet binding for
/// my-org/my-repo on the service account, as describe / get-iam-policy print them.
fn seed_config(condition: &str) -> String {
    format!(
        r#"{{
  "provider": {{
    "name": "{PROVIDER}",
    "state": "ACTIVE",
    "attributeMapping": {{
      "google.subject": "assertion.sub",
      "attribute.repository": "assertion.repository",
      "attribute.repository_owner": "assertion.repository_owner",
      "attribute.ref": "assertion.ref"
    }},
    "attributeCondition": "{condition}",
    "oidc": {{ "issuerUri": "https://token.actions.githubusercontent.com" }}
  }},
  "policy": {{
    "bindings": [
      {{ "role": "roles/iam.workloadIdentityUser",
         "members": ["{POOL}/attribute.repository/my-org/my-repo"] }}
    ]
  }}
}}"#
    )
}

fn verdict(config: &str, claims: &Claims) -> crate::verdict::Verdict {
    let c = GcpConfig::from_text(config).unwrap_or_else(|e| panic!("{}", e.render(config)));
    evaluate(&c, claims)
}

fn explain(v: &crate::verdict::Verdict) -> String {
    let mut s =
        format!("allowed: {}\ncode: {}\nmessage: {}\ndecided_by: {}\n", v.allowed, v.code, v.message, v.decided_by);
    for step in &v.trace {
        s.push_str(&render_step(step));
        s.push('\n');
    }
    s
}

const ORG_CONDITION: &str = "assertion.repository_owner == 'my-org'";

#[test]
fn seed_provider_admits_only_my_org_my_repo() {
    // Seed §4 + research §3.1: condition passes for my-org; the binding names my-repo only.
    let cfg = seed_config(ORG_CONDITION);
    let v = verdict(&cfg, &token("my-org", "my-repo", "main"));
    assert!(v.allowed, "{}", explain(&v));
    assert_eq!(v.decided_by, format!("{POOL}/attribute.repository/my-org/my-repo"));
    let span = v.decided_span.unwrap();
    assert_eq!(&cfg[span.start as usize..span.end as usize], format!("\"{POOL}/attribute.repository/my-org/my-repo\""));

    // Same org, other repo: passes the condition, no member → 403 (P7, auth#340).
    let v = verdict(&cfg, &token("my-org", "other", "main"));
    assert!(!v.allowed);
    assert_eq!(v.code, "PERMISSION_DENIED");
    assert_eq!(v.message, "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).");

    // Other org: the condition rejects it at STS (P1, P6).
    let v = verdict(&cfg, &token("other-org", "my-repo", "main"));
    assert_eq!(v.code, "unauthorized_client");
    assert_eq!(v.message, "The given credential is rejected by the attribute condition.");
    assert_eq!(v.decided_by, ORG_CONDITION);
}

#[test]
fn principal_set_match_is_case_sensitive() {
    // Research §3.1 step 7: exact, case-sensitive (P4; P3 TROUBLESHOOTING).
    let v = verdict(&seed_config("assertion.repository_owner == 'My-Org'"), &token("My-Org", "My-Repo", "main"));
    assert_eq!(v.code, "PERMISSION_DENIED", "{}", explain(&v));
}

#[test]
fn seed_job_workflow_ref_condition() {
    // Seed §5 "Pinning the reusable-workflow caller".
    let cond = "assertion.repository_owner == 'my-org' && assertion.job_workflow_ref == 'my-org/.github/.github/workflows/deploy.yml@refs/heads/main'";
    let cfg = seed_config(cond).replace("/attribute.repository/my-org/my-repo", "/*");
    let mut c = token("my-org", "product-a", "main");
    c.set("job_workflow_ref", "my-org/.github/.github/workflows/deploy.yml@refs/heads/main");
    let v = verdict(&cfg, &c);
    assert!(v.allowed, "{}", explain(&v));
    assert_eq!(v.decided_by, format!("{POOL}/*"));

    // A hand-rolled workflow in a product repo: its job_workflow_ref differs.
    let v = verdict(&cfg, &token("my-org", "product-a", "main"));
    assert_eq!(v.code, "unauthorized_client", "{}", explain(&v));
    // The caller pinned to a feature branch of the central workflow.
    c.set("job_workflow_ref", "my-org/.github/.github/workflows/deploy.yml@refs/heads/feature");
    assert_eq!(verdict(&cfg, &c).code, "unauthorized_client");
}

#[test]
fn recommended_id_condition() {
    // P3 SECURITY_CONSIDERATIONS: ids are strings, compared with quotes.
    let cfg = seed_config("assertion.repository_owner_id == '1342004' && assertion.repository_id == '260064828'");
    assert!(verdict(&cfg, &token("my-org", "my-repo", "main")).allowed);
    // A repository deleted and re-created under the same name gets a new id.
    let mut c = token("my-org", "my-repo", "main");
    c.set("repository_id", "999");
    assert_eq!(verdict(&cfg, &c).code, "unauthorized_client");
    // Unquoted ids compare a string with an int: false, not an error (cel-spec equality).
    let cfg = seed_config("assertion.repository_owner_id == 1342004");
    let v = verdict(&cfg, &token("my-org", "my-repo", "main"));
    assert_eq!(v.code, "unauthorized_client");
    assert!(v.trace.iter().any(|s| s.text.contains("is false")), "{}", explain(&v));
}

#[test]
fn audience_rules() {
    // P1: empty allowedAudiences accepts the provider name with or without https:.
    let cfg = seed_config(ORG_CONDITION);
    let mut c = token("my-org", "my-repo", "main");
    assert!(verdict(&cfg, &c).allowed);
    c.set("aud", format!("//iam.googleapis.com/{PROVIDER}"));
    assert!(verdict(&cfg, &c).allowed);
    c.set("aud", "https://github.com/my-org");
    let v = verdict(&cfg, &c);
    assert_eq!(
        (v.code.as_str(), v.message.as_str()),
        ("invalid_grant", "The audience in JWT does not match the expected values.")
    );
    // With allowedAudiences, only those values (P1), even the provider name is refused.
    let cfg = cfg.replace(
        r#""issuerUri": "https://token.actions.githubusercontent.com""#,
        r#""issuerUri": "https://token.actions.githubusercontent.com", "allowedAudiences": ["my-aud"]"#,
    );
    c.set("aud", "my-aud");
    assert!(verdict(&cfg, &c).allowed);
    c.set("aud", DEFAULT_AUD);
    assert_eq!(verdict(&cfg, &c).code, "invalid_grant");
}

#[test]
fn long_merge_group_subject_exceeds_127_bytes() {
    // GCP troubleshooting page; P3 TROUBLESHOOTING "Subject exceeds the 127 byte limit".
    // A merge queue branch (`gh-readonly-queue/<base>/pr-<n>-<sha>`) in a long-named repository.
    let (org, repo) = ("my-organization", "my-infrastructure-repository");
    let cfg = seed_config("assertion.repository_owner == 'my-organization'")
        .replace("my-org/my-repo", &format!("{org}/{repo}"));
    let c = token(org, repo, "gh-readonly-queue/main/pr-12345-0123456789abcdef0123456789abcdef01234567");
    assert!(c.sub().len() > 127, "{}", c.sub().len());
    let v = verdict(&cfg, &c);
    assert_eq!(v.code, "invalid_request");
    assert!(v.message.starts_with("The size of mapped attribute google.subject exceeds the 127 bytes limit."));
    // The documented fix: map a shorter subject (auth#423).
    let cfg = cfg.replace(r#""google.subject": "assertion.sub""#, r#""google.subject": "assertion.repository""#);
    assert!(verdict(&cfg, &c).allowed);
}

#[test]
fn principal_subject_member_and_pool_mismatch() {
    // P4: principal://…/subject/SUBJECT is the one identity with that google.subject.
    let subject = "principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github-pool/subject/repo:my-org/my-repo:ref:refs/heads/main";
    let cfg = format!(
        r#"{{"provider": {{"name": "{PROVIDER}", "attributeMapping": {{"google.subject": "assertion.sub"}},
             "attributeCondition": "{ORG_CONDITION}"}},
            "members": ["{subject}"]}}"#
    );
    assert!(verdict(&cfg, &token("my-org", "my-repo", "main")).allowed);
    assert_eq!(verdict(&cfg, &token("my-org", "my-repo", "dev")).code, "PERMISSION_DENIED");
    // Same member text but another pool: never matches (research §3.1 step 7).
    let other_pool =
        cfg.replace("workloadIdentityPools/github-pool/subject", "workloadIdentityPools/other-pool/subject");
    let v = verdict(&other_pool, &token("my-org", "my-repo", "main"));
    assert_eq!(v.code, "PERMISSION_DENIED");
    assert!(
        v.trace.iter().any(|s| s.text.contains("pool `other-pool` is not the provider's pool `github-pool`")),
        "{}",
        explain(&v)
    );
    // Project ID instead of number (P3).
    let by_id = cfg.replace(
        "/projects/123456789/locations/global/workloadIdentityPools/github-pool/subject",
        "/projects/my-project/locations/global/workloadIdentityPools/github-pool/subject",
    );
    let v = verdict(&by_id, &token("my-org", "my-repo", "main"));
    assert!(v.trace.iter().any(|s| s.text.contains("project number")), "{}", explain(&v));
}

#[test]
fn describe_and_get_iam_policy_yaml_as_gcloud_prints_them() {
    // Output shapes quoted in google-github-actions/auth#242.
    let yaml = format!(
        "provider:
  attributeMapping:
    attribute.actor: assertion.actor
    attribute.repository: assertion.repository
    google.subject: assertion.sub
  attributeCondition: assertion.repository_owner == 'my-org'
  displayName: github
  name: {PROVIDER}
  oidc:
    issuerUri: https://token.actions.githubusercontent.com
  state: ACTIVE
policy:
  bindings:
  - members:
    - serviceAccount:deployer@my-project.iam.gserviceaccount.com
    role: roles/editor
  - members:
    - {POOL}/attribute.repository/my-org/my-repo
    role: roles/iam.workloadIdentityUser
  etag: BwXyz=
  version: 1
"
    );
    let mut c = token("my-org", "my-repo", "main");
    c.set("actor", "octocat");
    let v = verdict(&yaml, &c);
    assert!(v.allowed, "{}", explain(&v));
    assert!(v.trace.iter().any(|s| s.text.contains("roles/editor") && s.text.contains("not counted")));
    let span = v.decided_span.unwrap();
    assert_eq!(&yaml[span.start as usize..span.end as usize], format!("{POOL}/attribute.repository/my-org/my-repo"));
}

#[test]
fn member_identifiers_parse_per_p4() {
    use members::{MemberKind as K, parse_member};
    let p = "projects/1/locations/global/workloadIdentityPools/pool";
    let cases: &[(&str, Option<K>)] = &[
        (
            &format!("principal://iam.googleapis.com/{p}/subject/repo:o/r:ref:refs/heads/main"),
            Some(K::Subject("repo:o/r:ref:refs/heads/main".into())),
        ),
        (&format!("principalSet://iam.googleapis.com/{p}/group/admins"), Some(K::Group("admins".into()))),
        (
            &format!("principalSet://iam.googleapis.com/{p}/attribute.repository/o/r"),
            Some(K::Attribute { name: "repository".into(), value: "o/r".into() }),
        ),
        (&format!("principalSet://iam.googleapis.com/{p}/*"), Some(K::All)),
        ("serviceAccount:sa@p.iam.gserviceaccount.com", None),
        ("principalSet://iam.googleapis.com/locations/global/workforcePools/wf/*", None),
    ];
    for (text, want) in cases {
        let got = parse_member(text).unwrap().map(|m| m.kind);
        assert_eq!(&got, want, "{text}");
    }
    assert!(parse_member(&format!("principalSet://iam.googleapis.com/{p}/attribute.repository")).is_err());
    assert!(parse_member(&format!("principal://iam.googleapis.com/{p}/group/x")).is_err());
}

#[test]
fn enterprise_issuer_does_not_match_the_default_issuer_uri() {
    // Research §0: an enterprise can switch iss to …/<enterpriseSlug>; the
    // provider's issuerUri must then say so (JWT validation, §3.1 step 2).
    let mut c = token("my-org", "my-repo", "main");
    c.set("iss", "https://token.actions.githubusercontent.com/my-enterprise");
    let v = verdict(&seed_config(ORG_CONDITION), &c);
    assert_eq!(v.code, "invalid_grant", "{}", explain(&v));
}

#[test]
fn issuer_mismatch_has_googles_wording() {
    // P10 (google-github-actions/auth docs/TROUBLESHOOTING.md): "The issuer in
    // ID Token … does not match the expected ones: …", the issuerUri as
    // written (a trailing `/` is kept, as in the guide's example).
    let cfg = seed_config(ORG_CONDITION).replace(
        r#""issuerUri": "https://token.actions.githubusercontent.com""#,
        r#""issuerUri": "https://token.actions.githubusercontent.com/""#,
    );
    let v = verdict(&cfg, &token("my-org", "my-repo", "main"));
    assert_eq!(v.code, "invalid_grant", "{}", explain(&v));
    assert_eq!(
        v.message,
        "The issuer in ID Token https://token.actions.githubusercontent.com does not match the expected ones: https://token.actions.githubusercontent.com/"
    );
}

#[test]
fn non_string_subject_is_unauthorized_client_with_googles_text() {
    // P9 (google-github-actions/auth#378): a condition pasted as the subject
    // mapping yields a boolean: `unauthorized_client`, "The mapped attribute
    // 'google.subject' must be of type STRING."
    let cfg = seed_config(ORG_CONDITION).replace(
        r#""google.subject": "assertion.sub""#,
        r#""google.subject": "assertion.sub=='repo:my-org/my-repo:ref:refs/heads/main'""#,
    );
    let v = verdict(&cfg, &token("my-org", "my-repo", "main"));
    assert_eq!(v.code, "unauthorized_client", "{}", explain(&v));
    assert_eq!(v.message, "The mapped attribute 'google.subject' must be of type STRING.");
}

#[test]
fn strings_extension_use_is_labelled_unverified() {
    // auth#423 suggests `assertion.sub.split(':')[1]` as google.subject.
    let cfg = seed_config(ORG_CONDITION)
        .replace(r#""google.subject": "assertion.sub""#, r#""google.subject": "assertion.sub.split(':')[1]""#);
    let v = verdict(&cfg, &token("my-org", "my-repo", "main"));
    assert!(v.allowed);
    assert!(v.trace.iter().any(|s| s.text.contains("split()") && s.text.contains("unverified")), "{}", explain(&v));
}

#[test]
fn disabled_provider_is_invalid_target() {
    // P7 #370.
    let cfg = seed_config(ORG_CONDITION).replace(r#""state": "ACTIVE","#, r#""state": "ACTIVE", "disabled": true,"#);
    let v = verdict(&cfg, &token("my-org", "my-repo", "main"));
    assert_eq!(v.code, "invalid_target");
    assert!(v.message.contains("disabled or deleted"));
}

#[test]
fn condition_runtime_error_rejects_and_says_it_is_inferred() {
    // Research §3.1 step 4: undocumented; simulated as a rejection.
    let cfg = seed_config("assertion.environment == 'prod'");
    let v = verdict(&cfg, &token("my-org", "my-repo", "main"));
    assert_eq!(v.code, "unauthorized_client");
    assert!(v.trace.iter().any(|s| s.text.contains("no such key: environment") && s.text.contains("inference")));
    let span = v.decided_span.unwrap();
    assert_eq!(&cfg[span.start as usize..span.end as usize], "assertion.environment");
}

#[test]
fn roles_that_do_not_grant_impersonation_are_not_counted() {
    let cfg = seed_config(ORG_CONDITION).replace("roles/iam.workloadIdentityUser", "roles/iam.serviceAccountUser");
    let v = verdict(&cfg, &token("my-org", "my-repo", "main"));
    assert_eq!(v.code, "PERMISSION_DENIED");
    assert!(v.trace.iter().any(|s| s.text.contains("not counted")));
    // Direct resource access: any role on the resource counts (P3 README).
    let direct = cfg.replacen("\"policy\"", "\"access\": \"direct\", \"policy\"", 1);
    assert!(verdict(&direct, &token("my-org", "my-repo", "main")).allowed);
}

#[test]
fn bare_describe_output_in_yaml_with_gcloud_flag_mapping() {
    // `gcloud … describe --format=yaml` shape; mapping in the seed's flag form.
    let yaml = format!(
        "name: {PROVIDER}\nstate: ACTIVE\nattributeMapping: google.subject=assertion.sub,attribute.repository=assertion.repository\nattributeCondition: {ORG_CONDITION}\noidc:\n  issuerUri: https://token.actions.githubusercontent.com\n"
    );
    let c = GcpConfig::from_text(&yaml).unwrap();
    assert!(!c.members_given);
    assert_eq!(c.provider.attribute_mapping.len(), 2);
    let (k, v) = &c.provider.attribute_mapping[1];
    assert_eq!((k.value.as_str(), v.value.as_str()), ("attribute.repository", "assertion.repository"));
    assert_eq!(&yaml[v.span.start as usize..v.span.end as usize], "assertion.repository");
    let v = evaluate(&c, &token("my-org", "x", "main"));
    assert!(v.allowed && v.message.contains("authorization not checked"));
}

#[test]
fn cel_syntax_errors_are_located_in_the_document() {
    let json = seed_config("assertion.repository_owner == 'my-org' &&");
    let e = GcpConfig::from_text(&json).unwrap_err();
    assert!(e.message.contains("invalid CEL in the attribute condition"), "{e}");
    let at = e.span.unwrap().start as usize;
    assert_eq!(&json[at - 2..at], "&&");
    let yaml = "name: x\nattributeMapping:\n  google.subject: assertion.sub +\n";
    let e = GcpConfig::from_text(yaml).unwrap_err();
    assert!(e.message.contains("the mapping for `google.subject`"), "{e}");
    assert_eq!(e.render(yaml).split(':').take(2).collect::<Vec<_>>(), ["3", "34"]);
    // An escaped JSON string cannot be mapped character by character: the
    // error covers the whole string.
    let escaped = seed_config("assertion.repository_owner == \\u0027my-org");
    let e = GcpConfig::from_text(&escaped).unwrap_err();
    let span = e.span.unwrap();
    assert_eq!(&escaped[span.start as usize..span.end as usize], r#""assertion.repository_owner == \u0027my-org""#);
    // Length limit (P1).
    let long = seed_config(&format!("{ORG_CONDITION} && '{}' != ''", "x".repeat(4096)));
    assert!(GcpConfig::from_text(&long).unwrap_err().message.contains("the limit is 4096"));
    // google.subject is required (P1).
    let e = GcpConfig::from_text("attributeMapping: {attribute.a: assertion.sub}").unwrap_err();
    assert!(e.message.contains("google.subject"), "{e}");
}

#[test]
fn snapshot_traces() {
    let cfg = seed_config(ORG_CONDITION);
    insta::assert_snapshot!("allowed_seed", explain(&verdict(&cfg, &token("my-org", "my-repo", "main"))));
    insta::assert_snapshot!(
        "condition_rejects_other_org",
        explain(&verdict(&cfg, &token("other-org", "my-repo", "main")))
    );
    insta::assert_snapshot!("no_member_for_other_repo", explain(&verdict(&cfg, &token("my-org", "other", "main"))));
}

proptest! {
    #[test]
    fn cel_parser_never_panics(src in "\\PC{0,80}") {
        if let Ok(e) = cel::parse(&src) {
            let _ = cel::Evaluator::new(vec![]).eval(&e);
        }
    }

    #[test]
    fn cel_parser_never_panics_on_cel_like_text(src in "[a-z0-9_.'\"\\\\ ()\\[\\]{}<>=!&|?:+*/%,-]{0,60}") {
        if let Ok(e) = cel::parse(&src) {
            let _ = cel::Evaluator::new(vec![("a".into(), cel::Value::Map(vec![]))]).eval(&e);
        }
    }
}

#[test]
fn project_id_in_the_provider_name_is_an_invalid_sts_audience() {
    // P3 / google-github-actions/auth#269: `workload_identity_provider` must
    // use the project number; a project ID "will result in 400 errors due to
    // invalid audience" (STS `invalid_request`, wording P7 #60). The auth
    // action derives the token's default aud from that input (P3 README:
    // `https://iam.googleapis.com/${workload_identity_provider}`), so the aud
    // shows what STS was asked for.
    let cfg = seed_config(ORG_CONDITION);
    let mut c = token("my-org", "my-repo", "main");
    c.set("aud", DEFAULT_AUD.replace("123456789", "my-project"));
    let v = verdict(&cfg, &c);
    assert_eq!(v.code, "invalid_request", "{}", explain(&v));
    assert!(v.message.starts_with(
        "Invalid value for \"audience\". This value should be the full resource name of the Identity Provider."
    ));
    // A custom audience (auth's `audience:` input) says nothing about the
    // provider name: the JWT audience check decides as before.
    c.set("aud", "https://github.com/my-org");
    assert_eq!(verdict(&cfg, &c).code, "invalid_grant");
}

#[test]
fn immutable_subject_member_mismatch_is_explained() {
    // Research §9.5: a principal:// member written for `repo:o/r:…` does not
    // name the immutable subject `repo:o@id/r@id:…`.
    let cfg = seed_config(ORG_CONDITION).replace(
        &format!("{POOL}/attribute.repository/my-org/my-repo"),
        "principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github-pool/subject/repo:my-org/my-repo:ref:refs/heads/main",
    );
    let mut c = token("my-org", "my-repo", "main");
    c.set("sub", "repo:my-org@1342004/my-repo@260064828:ref:refs/heads/main");
    let v = verdict(&cfg, &c);
    assert!(!v.allowed);
    assert!(v.trace.iter().any(|s| s.text.contains("immutable")), "{}", explain(&v));
}

#[test]
fn repeated_provider_field_is_an_error() {
    // Which of two `attributeCondition`s Google would keep is undocumented;
    // Keyless used the first one silently.
    let cfg = seed_config(ORG_CONDITION)
        .replace(r#""attributeCondition":"#, r#""attributeCondition": "true", "attributeCondition":"#);
    let e = GcpConfig::from_text(&cfg).unwrap_err();
    assert!(e.message.contains("twice"), "{}", e.message);
}

#[test]
fn attribute_mapped_twice_is_an_error() {
    // P1: attributeMapping is a map; gcloud's flag form can repeat a key.
    let cfg = seed_config(ORG_CONDITION).replace(
        r#""google.subject": "assertion.sub","#,
        r#""google.subject": "assertion.sub", "google.subject": "assertion.repository","#,
    );
    let e = GcpConfig::from_text(&cfg).unwrap_err();
    assert!(e.message.contains("twice"), "{}", e.message);
}

#[test]
fn conditional_binding_is_labelled_not_silently_granted() {
    // IAM bindings may carry a `condition` (IAM Policy JSON,
    // https://cloud.google.com/iam/docs/conditions-overview); its grant holds
    // only when the condition is true. Keyless does not evaluate IAM
    // conditions: the trace must say the binding was taken as granting.
    let cfg = seed_config(ORG_CONDITION).replace(
        r#""role": "roles/iam.workloadIdentityUser","#,
        r#""role": "roles/iam.workloadIdentityUser", "condition": {"title": "until 2020", "expression": "request.time < timestamp('2020-01-01T00:00:00Z')"},"#,
    );
    let v = verdict(&cfg, &token("my-org", "my-repo", "main"));
    assert!(
        v.trace.iter().any(|s| s.text.contains("request.time < timestamp") && s.text.contains("not evaluated")),
        "{}",
        explain(&v)
    );
}

/// A provider mapping `n` custom attributes, each the token's
/// `job_workflow_ref` repeated `times` times.
fn bulky_mapping_config(n: usize, times: usize) -> String {
    let expr = vec!["assertion.job_workflow_ref"; times].join(" + ");
    let attrs: String = (0..n).map(|i| format!(r#", "attribute.a{i}": "{expr}""#)).collect();
    seed_config("assertion.repository_owner == 'my-org'")
        .replace(r#""google.subject": "assertion.sub","#, &format!(r#""google.subject": "assertion.sub"{attrs},"#))
}

#[test]
fn mapped_attributes_over_8kb_in_total_are_rejected() {
    // P1 WorkloadIdentityPoolProvider.attributeMapping: "When evaluated, the
    // total size of all mapped attributes must not exceed 8KB." Google's error
    // text for it is undocumented, so the message is labelled.
    let c = token("my-org", "my-repo", "main");
    let per_attr = c.text("job_workflow_ref").unwrap().len() * 10;
    let n = 8192 / per_attr + 1;
    let v = verdict(&bulky_mapping_config(n, 10), &c);
    assert!(!v.allowed, "{}", explain(&v));
    assert_eq!(v.code, "invalid_request");
    assert!(v.message.contains("8KB") && v.message.starts_with("(Keyless)"), "{}", v.message);
    assert!(v.trace.iter().any(|s| s.text.contains("bytes") && s.text.contains("8KB")), "{}", explain(&v));
    // Well under the limit: admitted as before.
    assert!(verdict(&bulky_mapping_config(2, 10), &c).allowed);
}

#[test]
fn mapped_attributes_near_8kb_are_labelled_not_rejected() {
    // P1 says "8KB" without saying whether attribute names count or whether
    // a KB is 1000 or 1024 bytes: between those readings Keyless admits and
    // says so.
    let c = token("my-org", "my-repo", "main");
    let t = |k: &str| c.text(k).unwrap().len();
    // The seed mapping: google.subject, attribute.repository, .repository_owner, .ref.
    let base_values = t("sub") + t("repository") + t("repository_owner") + t("ref");
    let base_names = "google.subjectattribute.repositoryattribute.repository_ownerattribute.ref".len();
    let totals = |n: usize, times: usize| {
        let names = base_names + (0..n).map(|i| format!("attribute.a{i}").len()).sum::<usize>();
        (base_values + n * times * t("job_workflow_ref"), names)
    };
    let (n, times) = (1..=40)
        .flat_map(|n| (1..=20).map(move |times| (n, times)))
        .find(|(n, times)| {
            let (values, names) = totals(*n, *times);
            values + names > 8000 && values <= 8192
        })
        .unwrap();
    let v = verdict(&bulky_mapping_config(n, times), &c);
    assert!(v.allowed, "{}", explain(&v));
    assert!(v.trace.iter().any(|s| s.text.contains("8KB") && s.text.contains("not documented")), "{}", explain(&v));
}

#[test]
fn non_string_attribute_value_is_labelled() {
    // P1 attributeMapping: mapped attributes name principal sets
    // (`…/attribute.{custom_attribute}/{value}`) and google.groups holds group
    // names; what Google does with a mapping that yields a bool or a number
    // (reject, or convert to text) is not documented: the trace says so.
    let cfg = seed_config("attribute.main").replace(
        r#""attribute.ref": "assertion.ref""#,
        r#""attribute.ref": "assertion.ref", "attribute.main": "assertion.ref == 'refs/heads/main'""#,
    );
    let v = verdict(&cfg, &token("my-org", "my-repo", "main"));
    assert!(
        v.trace
            .iter()
            .any(|s| s.text.contains("attribute.main") && s.text.contains("bool") && s.text.contains("not documented")),
        "{}",
        explain(&v)
    );
    // String-valued attributes get no remark.
    let v = verdict(&seed_config("assertion.repository_owner == 'my-org'"), &token("my-org", "my-repo", "main"));
    assert!(v.trace.iter().all(|s| !s.text.contains("not documented")), "{}", explain(&v));
}

#[test]
fn empty_attribute_condition_is_no_condition() {
    // P1 attributeCondition: "If unspecified, all valid authentication
    // credential are accepted." The field is a proto3 string, whose default
    // is "" (protobuf language guide, "Default Values"): an empty condition
    // is an unspecified one, not a CEL syntax error.
    let cfg = seed_config("");
    let v = verdict(&cfg, &token("other-org", "my-repo", "main"));
    assert!(v.trace.iter().any(|s| s.text.contains("no attribute condition")), "{}", explain(&v));
    // Whitespace is not empty: the API parses it as CEL and refuses it.
    assert!(GcpConfig::from_text(&seed_config("  ")).is_err());
}

#[test]
fn provider_rules_google_checks_on_create_are_creation_refusals() {
    use crate::diagnostic::Stage;
    // P1: google.subject is required for OIDC providers, attribute names are
    // [a-z0-9_]{1,100}, a mapping is at most 2048 characters and the
    // condition 4096, and both must be valid CEL: Google refuses the provider
    // (creation stage); a key written twice is a reading problem (Keyless's).
    let refused = [
        seed_config(ORG_CONDITION).replace(r#""google.subject": "assertion.sub","#, ""),
        seed_config(ORG_CONDITION).replace("attribute.repository_owner", "attribute.Repository-Owner"),
        seed_config(ORG_CONDITION).replace(ORG_CONDITION, "assertion.repository_owner == "),
        seed_config(ORG_CONDITION).replace(ORG_CONDITION, &format!("'{}' == ''", "x".repeat(4100))),
    ];
    for cfg in &refused {
        let e = GcpConfig::from_text(cfg).expect_err(cfg);
        assert!(e.is_refusal(), "{}: {e:?}", e.message);
        assert!(e.render(cfg).contains("creation-time rule: "), "{}", e.message);
    }
    let twice = seed_config(ORG_CONDITION).replace(
        r#""google.subject": "assertion.sub","#,
        r#""google.subject": "assertion.sub", "google.subject": "assertion.sub","#,
    );
    let e = GcpConfig::from_text(&twice).expect_err("twice");
    assert_eq!(e.stage, Stage::Input, "{}", e.message);
}

/// F2 (fuzz/regressions/gcp_provider/): a condition folded over two lines
/// is two bytes longer than its value, without quotes; its CEL error is
/// located at the whole condition (on characters), not one byte to the
/// right. On one line, plain or quoted, it points at the character.
#[test]
fn cel_errors_point_inside_a_condition_only_when_it_is_written_verbatim() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/gcp_provider");
    let found = std::fs::read_to_string(dir.join("folded-plain-scalar-span.yaml")).unwrap();
    let one_line = found.replace("é ==\n  1", "é == 1");
    let quoted = found.replace("é ==\n  1", "\"é == 1\"");
    for (text, located) in [(&found, "é ==\n  1"), (&one_line, "é"), (&quoted, "é")] {
        let err = GcpConfig::from_text(text).unwrap_err();
        assert!(err.message.contains("invalid CEL"), "{err:?}");
        let span = err.span.unwrap();
        assert_eq!(text.get(span.start as usize..span.end as usize), Some(located), "{text}");
    }
}
