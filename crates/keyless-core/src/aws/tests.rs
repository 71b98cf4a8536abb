//! AWS verdicts. Claims are built directly (GitHub token shape: research
//! github-oidc-tokens.md §1.4; string values only).

use super::*;

const ISS: &str = "https://token.actions.githubusercontent.com";
const FEDERATED: &str = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";

/// A GitHub token for `repo` with this `sub`, the AWS audience, and the
/// usual custom claims (overridable through `extra`).
fn token(repo: &str, sub: &str, extra: &[(&str, &str)]) -> Claims {
    let mut c = Claims::new();
    c.set("iss", ISS);
    c.set("aud", AWS_STS_AUDIENCE);
    c.set("sub", sub);
    c.set("repository", repo);
    c.set("repository_owner", repo.split('/').next().unwrap());
    c.set("repository_owner_id", "1001");
    c.set("repository_id", "2002");
    c.set("ref", "refs/heads/main");
    c.set("event_name", "push");
    c.set("actor", "octocat");
    c.set("runner_environment", "github-hosted");
    for (k, v) in extra {
        c.set(k, *v);
    }
    c
}

fn policy_with(conditions: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "GitHub", "Effect": "Allow",
  "Principal": {{"Federated": "{FEDERATED}"}},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {conditions}}}]}}"#
    )
}

fn verdict(policy: &str, claims: &Claims) -> Verdict {
    evaluate(&AwsConfig::from_text(policy).unwrap(), claims)
}

fn allowed(policy: &str, claims: &Claims) -> bool {
    verdict(policy, claims).allowed
}

/// Seed keyless-deployments-aws-azure-gcp.md §2: the main-only role.
const SEED_MAIN_ONLY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {
      "Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
    },
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"
      },
      "StringLike": {
        "token.actions.githubusercontent.com:sub": "repo:my-org/my-repo:ref:refs/heads/main"
      }
    }
  }]
}"#;

// Seed §2 and its "Negative test" (Verify 3): main admits; a feature branch,
// an environment job and a PR are refused with AccessDenied.
#[test]
fn seed_main_only_role() {
    let r = "my-org/my-repo";
    assert!(allowed(SEED_MAIN_ONLY, &token(r, "repo:my-org/my-repo:ref:refs/heads/main", &[])));
    for sub in [
        "repo:my-org/my-repo:ref:refs/heads/feature/x",
        "repo:my-org/my-repo:environment:prod",
        "repo:my-org/my-repo:pull_request",
        "repo:my-org/other:ref:refs/heads/main",
    ] {
        let v = verdict(SEED_MAIN_ONLY, &token(r, sub, &[]));
        assert!(!v.allowed, "{sub}");
        assert_eq!(v.code, "AccessDenied");
        assert_eq!(v.message, "Not authorized to perform sts:AssumeRoleWithWebIdentity");
    }
    // Seed "Always pin aud": a token for another audience never reaches the
    // policy (§1.1 step 2).
    let v = verdict(
        SEED_MAIN_ONLY,
        &token(r, "repo:my-org/my-repo:ref:refs/heads/main", &[("aud", "https://github.com/my-org")]),
    );
    assert_eq!((v.code.as_str(), v.message.as_str()), ("InvalidIdentityToken", "Incorrect token audience"));
}

// Seed "Enterprise scenario": StringLike on a customised sub that embeds
// job_workflow_ref.
#[test]
fn seed_enterprise_job_workflow_ref_role() {
    let policy = policy_with(
        r#"{"StringLike": {"token.actions.githubusercontent.com:sub":
    "repository:my-org/*:job_workflow_ref:my-org/.github/.github/workflows/deploy.yml@refs/heads/main"}}"#,
    );
    let admit = [
        "repository:my-org/app:job_workflow_ref:my-org/.github/.github/workflows/deploy.yml@refs/heads/main",
        "repository:my-org/tools:job_workflow_ref:my-org/.github/.github/workflows/deploy.yml@refs/heads/main",
    ];
    let reject = [
        // The central workflow on another branch.
        "repository:my-org/app:job_workflow_ref:my-org/.github/.github/workflows/deploy.yml@refs/heads/dev",
        // A hand-rolled workflow in the product repo.
        "repository:my-org/app:job_workflow_ref:my-org/app/.github/workflows/deploy.yml@refs/heads/main",
        // Another org calling the same workflow.
        "repository:evil/app:job_workflow_ref:my-org/.github/.github/workflows/deploy.yml@refs/heads/main",
        // The org never customised sub: the default template.
        "repo:my-org/app:ref:refs/heads/main",
    ];
    for sub in admit {
        assert!(allowed(&policy, &token("my-org/app", sub, &[])), "{sub}");
    }
    for sub in reject {
        assert!(!allowed(&policy, &token("my-org/app", sub, &[])), "{sub}");
    }
}

// Research §1.8: every worked example, data-driven.
#[test]
fn research_worked_examples() {
    let rows: &[(&str, &str, bool, &str)] = &[
        (
            r#"{"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main"}}"#,
            "repo:o/r:environment:prod",
            false,
            "environment replaces the ref in sub",
        ),
        (
            r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:*"}}"#,
            "repo:o/r:pull_request",
            true,
            "`*` matches pull_request",
        ),
        (
            r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r*"}}"#,
            "repo:o/r-evil:ref:refs/heads/main",
            true,
            "missing `:` before `*`",
        ),
        (
            r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/*"}}"#,
            "repo:o@123/r@456:ref:refs/heads/main",
            false,
            "immutable sub has o@123/",
        ),
        (
            r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o*"}}"#,
            "repo:o@123/r@456:ref:refs/heads/main",
            true,
            "prefix glob too broad",
        ),
        (
            r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o*"}}"#,
            "repo:o-evil/x:ref:refs/heads/main",
            true,
            "prefix glob too broad",
        ),
        (
            r#"{"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:Octo/r:ref:refs/heads/main"}}"#,
            "repo:octo/r:ref:refs/heads/main",
            false,
            "case-sensitive, A13 #1100",
        ),
        (
            r#"{"ForAllValues:StringEquals": {"token.actions.githubusercontent.com:sub2": "x"}}"#,
            "repo:any/thing:ref:refs/heads/x",
            true,
            "typo + ForAllValues: absent key → true",
        ),
        (
            r#"{"StringEquals": {"token.actions.githubusercontent.com:repository_owner": "o"}}"#,
            "repo:o/r:ref:refs/heads/main",
            false,
            "unsupported key → absent",
        ),
    ];
    for (conditions, sub, want, why) in rows {
        let repo = "o/r";
        assert_eq!(
            allowed(&policy_with(conditions), &token(repo, sub, &[("repository_owner", "o")])),
            *want,
            "{conditions} vs {sub}: {why}"
        );
    }
}

// Research §1.6 / §9.8: Deny + StringNotEquals on an unsupported key is
// always true, so it denies everything, including runs the Allow admits.
#[test]
fn deny_string_not_equals_on_unsupported_key_denies_all() {
    let policy = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
  {{"Effect": "Allow", "Principal": {{"Federated": "{FEDERATED}"}}, "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {{"StringLike": {{"token.actions.githubusercontent.com:sub": "repo:o/r:*"}}}}}},
  {{"Sid": "OnlyMyOrg", "Effect": "Deny", "Principal": {{"Federated": "{FEDERATED}"}}, "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {{"StringNotEquals": {{"token.actions.githubusercontent.com:repository_owner": "o"}}}}}}]}}"#
    );
    let v = verdict(&policy, &token("o/r", "repo:o/r:ref:refs/heads/main", &[]));
    assert!(!v.allowed);
    assert!(v.decided_by.starts_with("Statement[1] (Sid \"OnlyMyOrg\") (Deny) matched"), "{}", v.decided_by);
    assert!(v.trace.iter().any(|s| s.text.contains("not an AWS condition key")));
}

// §1.5: explicit Deny wins over a matching Allow (A1 family).
#[test]
fn explicit_deny_wins() {
    let policy = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
  {{"Effect": "Allow", "Principal": {{"Federated": "{FEDERATED}"}}, "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {{"StringLike": {{"token.actions.githubusercontent.com:sub": "repo:o/r:*"}}}}}},
  {{"Effect": "Deny", "Principal": {{"Federated": "{FEDERATED}"}}, "Action": "sts:*",
    "Condition": {{"StringEquals": {{"token.actions.githubusercontent.com:sub": "repo:o/r:pull_request"}}}}}}]}}"#
    );
    assert!(allowed(&policy, &token("o/r", "repo:o/r:ref:refs/heads/main", &[])));
    let v = verdict(&policy, &token("o/r", "repo:o/r:pull_request", &[]));
    assert_eq!((v.allowed, v.code.as_str()), (false, "AccessDenied"));
}

// A1: StringEqualsIgnoreCase; A4: key names are case-insensitive.
#[test]
fn ignore_case_operator_and_case_insensitive_keys() {
    let p = policy_with(
        r#"{"StringEqualsIgnoreCase": {"token.actions.githubusercontent.com:sub": "REPO:O/R:REF:REFS/HEADS/MAIN"}}"#,
    );
    assert!(allowed(&p, &token("o/r", "repo:o/r:ref:refs/heads/main", &[])));
    let p =
        policy_with(r#"{"StringEquals": {"Token.Actions.GitHubUserContent.com:SUB": "repo:o/r:ref:refs/heads/main"}}"#);
    assert!(allowed(&p, &token("o/r", "repo:o/r:ref:refs/heads/main", &[])));
    // Values stay case-sensitive.
    let p =
        policy_with(r#"{"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:O/r:ref:refs/heads/main"}}"#);
    assert!(!allowed(&p, &token("o/r", "repo:o/r:ref:refs/heads/main", &[])));
}

// A5/A6: `${*}` is a literal `*` under 2012-10-17; under 2008-10-17 it is
// the text `${*}`.
#[test]
fn escapes_by_version() {
    let cond = r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/tags/v${*}"}}"#;
    let p2012 = policy_with(cond);
    assert!(allowed(&p2012, &token("o/r", "repo:o/r:ref:refs/tags/v*", &[])));
    assert!(!allowed(&p2012, &token("o/r", "repo:o/r:ref:refs/tags/v1.0", &[])));
    let p2008 = p2012.replace("2012-10-17", "2008-10-17");
    assert!(!allowed(&p2008, &token("o/r", "repo:o/r:ref:refs/tags/v*", &[])));
    assert!(allowed(&p2008, &token("o/r", "repo:o/r:ref:refs/tags/v${*}", &[])));
}

// A5: a policy variable resolves from the request context.
#[test]
fn policy_variable_from_claim_key() {
    let p = policy_with(
        r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:${token.actions.githubusercontent.com:repository}:*"}}"#,
    );
    assert!(allowed(&p, &token("o/r", "repo:o/r:ref:refs/heads/main", &[])));
    assert!(!allowed(&p, &token("o/r", "repo:o/x:ref:refs/heads/main", &[])));
}

// A9 (research §1.3): the 2026 keys are in the context; `environment` is
// absent for a job without one; Null tests presence.
#[test]
fn claim_keys_2026() {
    let p = policy_with(
        r#"{"StringEquals": {"token.actions.githubusercontent.com:repository": "o/r",
                              "token.actions.githubusercontent.com:environment": "prod"}}"#,
    );
    assert!(allowed(&p, &token("o/r", "repo:o/r:environment:prod", &[("environment", "prod")])));
    assert!(!allowed(&p, &token("o/r", "repo:o/r:ref:refs/heads/main", &[])));
    let null = policy_with(r#"{"Null": {"token.actions.githubusercontent.com:environment": "false"}}"#);
    assert!(allowed(&null, &token("o/r", "repo:o/r:environment:prod", &[("environment", "prod")])));
    assert!(!allowed(&null, &token("o/r", "repo:o/r:ref:refs/heads/main", &[])));
    let if_exists =
        policy_with(r#"{"StringEqualsIfExists": {"token.actions.githubusercontent.com:environment": "prod"}}"#);
    assert!(allowed(&if_exists, &token("o/r", "repo:o/r:ref:refs/heads/main", &[])));
}

// Research §1.3: repository_owner_id / runner_environment have conflicting
// sources and are treated as unsupported, and the trace says so.
#[test]
fn conflicting_keys_are_unsupported() {
    let p =
        policy_with(r#"{"StringEquals": {"token.actions.githubusercontent.com:runner_environment": "github-hosted"}}"#);
    let v = verdict(&p, &token("o/r", "repo:o/r:ref:refs/heads/main", &[]));
    assert!(!v.allowed);
    assert!(v.trace.iter().any(|s| s.text.contains("sources conflict")), "{:#?}", v.trace);
}

// Research §1.1 step 1: no provider for the token's issuer.
#[test]
fn provider_must_exist_for_the_issuer() {
    let enterprise =
        token("o/r", "repo:o/r:ref:refs/heads/main", &[("iss", "https://token.actions.githubusercontent.com/my-ent")]);
    let v = verdict(SEED_MAIN_ONLY, &enterprise);
    assert_eq!(v.code, "InvalidIdentityToken");
    assert_eq!(
        v.message,
        "No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com/my-ent"
    );
}

// Research §1.2: enterprise issuer → provider path and key prefix carry the slug.
#[test]
fn enterprise_issuer_prefix() {
    let p = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com/my-ent"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringLike": {"token.actions.githubusercontent.com/my-ent:sub": "repo:o/*"}}}]}"#;
    let c =
        token("o/r", "repo:o/r:ref:refs/heads/main", &[("iss", "https://token.actions.githubusercontent.com/my-ent")]);
    assert!(allowed(p, &c));
    // The default issuer's key prefix is absent for an enterprise token.
    let wrong = p.replace("token.actions.githubusercontent.com/my-ent:sub", "token.actions.githubusercontent.com:sub");
    assert!(!allowed(&wrong, &c));
}

// Research §1.2: statement applicability by Principal and Action (A15).
#[test]
fn principal_and_action_applicability() {
    let base = policy_with(r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:*"}}"#);
    let c = token("o/r", "repo:o/r:ref:refs/heads/main", &[]);
    for action in ["sts:assumerolewithwebidentity", "sts:*", "*"] {
        assert!(allowed(&base.replace("\"sts:AssumeRoleWithWebIdentity\"", &format!("\"{action}\"")), &c), "{action}");
    }
    let v = verdict(&base.replace("\"sts:AssumeRoleWithWebIdentity\"", "\"sts:AssumeRole\""), &c);
    assert!(!v.allowed);
    assert!(v.decided_by.contains("does not cover sts:AssumeRoleWithWebIdentity"), "{}", v.decided_by);
    let not_action = base.replace("\"Action\": \"sts:AssumeRoleWithWebIdentity\"", "\"NotAction\": \"sts:TagSession\"");
    assert!(allowed(&not_action, &c));
    let other_provider = base.replace("oidc-provider/token.actions.githubusercontent.com", "oidc-provider/gitlab.com");
    let cfg = format!(
        r#"{{"trust_policy": {other_provider}, "provider": {{"Url": "token.actions.githubusercontent.com", "ClientIDList": ["sts.amazonaws.com"]}}}}"#
    );
    let v = evaluate(&AwsConfig::from_text(&cfg).unwrap(), &c);
    assert!(!v.allowed && v.decided_by.contains("Principal is not the token's provider"), "{}", v.decided_by);
}

// The forms users paste: section with get-open-id-connect-provider output
// (A10: ThumbprintList ignored), providers list, get-role output.
#[test]
fn section_forms() {
    let c = token("my-org/my-repo", "repo:my-org/my-repo:ref:refs/heads/main", &[]);
    let provider = r#"{"Url": "token.actions.githubusercontent.com", "ClientIDList": ["sts.amazonaws.com"], "ThumbprintList": ["6938fd4d98bab03faadb97b34396831e3780aea1"]}"#;
    let section = format!(r#"{{"trust_policy": {SEED_MAIN_ONLY}, "provider": {provider}}}"#);
    assert!(evaluate(&AwsConfig::from_text(&section).unwrap(), &c).allowed);
    let list = format!(
        r#"{{"trust_policy": {{"Role": {{"AssumeRolePolicyDocument": {SEED_MAIN_ONLY}}}}}, "providers": [{{"url": "https://token.actions.githubusercontent.com", "client_ids": ["other"]}}]}}"#
    );
    let v = evaluate(&AwsConfig::from_text(&list).unwrap(), &c);
    assert_eq!(v.message, "Incorrect token audience");
    let yaml = format!(
        "trust_policy: {}\nprovider:\n  url: token.actions.githubusercontent.com\n  client_ids: [sts.amazonaws.com]\n",
        SEED_MAIN_ONLY.replace('\n', " ")
    );
    assert!(evaluate(&AwsConfig::from_text(&yaml).unwrap(), &c).allowed);
    let e = AwsConfig::from_text(r#"{"trust_policy": {}, "provder": {}}"#).unwrap_err();
    assert!(e.message.contains("did you mean `provider`"), "{}", e.message);
    let e = AwsConfig::from_text(provider).unwrap_err();
    assert!(e.message.contains("put it under `provider:`"), "{}", e.message);
}

// Without a provider, it is assumed from Principal.Federated and labelled.
#[test]
fn assumed_provider_is_labelled() {
    let v = verdict(SEED_MAIN_ONLY, &token("my-org/my-repo", "repo:my-org/my-repo:ref:refs/heads/main", &[]));
    assert!(v.trace.iter().any(|s| s.text.starts_with("assumption: no provider given")));
}

// Brief: decided_by quotes the failing condition, decided_span covers it.
#[test]
fn decided_by_quotes_the_failing_condition() {
    let p =
        policy_with(r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main"}}"#);
    let v = verdict(&p, &token("o/r", "repo:o/r:environment:prod", &[("environment", "prod")]));
    assert_eq!(
        v.decided_by,
        r#"Statement[0] (Sid "GitHub") condition StringLike token.actions.githubusercontent.com:sub = "repo:o/r:ref:refs/heads/main" did not match "repo:o/r:environment:prod""#
    );
    let span = v.decided_span.unwrap();
    assert_eq!(
        &p[span.start as usize..span.end as usize],
        r#""token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main""#
    );
}

fn rendered(v: &Verdict) -> String {
    let mut out =
        format!("allowed: {}\ncode: {}\nmessage: {}\ndecided_by: {}\n", v.allowed, v.code, v.message, v.decided_by);
    for s in &v.trace {
        out.push_str(&crate::verdict::render_step(s));
        out.push('\n');
    }
    out
}

// Snapshots of full explanations (seed policy; Deny on unsupported key;
// ForAllValues typo).
#[test]
fn trace_snapshots() {
    let main = token("my-org/my-repo", "repo:my-org/my-repo:ref:refs/heads/main", &[]);
    let env = token("my-org/my-repo", "repo:my-org/my-repo:environment:prod", &[("environment", "prod")]);
    insta::assert_snapshot!("aws_seed_main_allows_main", rendered(&verdict(SEED_MAIN_ONLY, &main)));
    insta::assert_snapshot!("aws_seed_main_denies_environment", rendered(&verdict(SEED_MAIN_ONLY, &env)));
    let typo = policy_with(r#"{"ForAllValues:StringEquals": {"token.actions.githubusercontent.com:sub2": "x"}}"#);
    insta::assert_snapshot!("aws_forallvalues_typo_allows", rendered(&verdict(&typo, &env)));
}

proptest::proptest! {
    // Hostile or random JSON never panics: it parses to a located error or
    // evaluates.
    #[test]
    fn never_panics_on_arbitrary_json(v in arb_json()) {
        let text = v.to_string();
        if let Ok(cfg) = AwsConfig::from_text(&text) {
            let _ = evaluate(&cfg, &token("o/r", "repo:o/r:ref:refs/heads/main", &[]));
        }
    }

    #[test]
    fn never_panics_on_policy_shaped_json(
        effect in "(Allow|Deny|allow|x)",
        op in "(ForAllValues:|ForAnyValue:)?(StringLike|StringNotEquals|Null|Bool|NumericLessThan|StringLke)(IfExists)?",
        key in "(token.actions.githubusercontent.com:|aws:|)(sub|aud|environment|x)",
        value in "[a-z:/*?${}]{0,12}",
    ) {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Principal":{{"Federated":"{FEDERATED}"}},"Action":"sts:*","Condition":{{"{op}":{{"{key}":["{value}"]}}}}}}]}}"#
        );
        if let Ok(cfg) = AwsConfig::from_text(&text) {
            let _ = evaluate(&cfg, &token("o/r", "repo:o/r:ref:refs/heads/main", &[]));
        }
    }
}

fn arb_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        "(Version|Statement|Effect|Allow|Deny|Principal|Federated|Action|Condition|StringLike|\\*|2012-10-17|[a-z:]{0,6})"
            .prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            proptest::collection::vec(
                ("(Version|Statement|Effect|Principal|Federated|Action|NotAction|Condition|StringLike|Null|Role|AssumeRolePolicyDocument|trust_policy|provider)", inner),
                0..4
            )
            .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}

// §1.2 applicability: `"Principal": "*"` covers any provider; NotPrincipal
// naming the token's provider excludes it.
#[test]
fn wildcard_principal_and_not_principal() {
    let c = token("o/r", "repo:o/r:ref:refs/heads/main", &[]);
    let base = policy_with(r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:*"}}"#);
    let with_provider = |policy: &str| {
        format!(
            r#"{{"trust_policy": {policy}, "provider": {{"url": "token.actions.githubusercontent.com", "client_ids": ["sts.amazonaws.com"]}}}}"#
        )
    };
    let star = base.replace(&format!(r#"{{"Federated": "{FEDERATED}"}}"#), r#""*""#);
    // With no provider given and no Federated ARN, no provider can be assumed.
    assert_eq!(verdict(&star, &c).code, "InvalidIdentityToken");
    assert!(evaluate(&AwsConfig::from_text(&with_provider(&star)).unwrap(), &c).allowed);
    let not = base.replace("\"Principal\"", "\"NotPrincipal\"");
    let v = evaluate(&AwsConfig::from_text(&with_provider(&not)).unwrap(), &c);
    assert!(!v.allowed && v.decided_by.contains("NotPrincipal"), "{}", v.decided_by);
}

// A3: set operators on single-valued keys are flagged in the trace.
#[test]
fn set_operator_on_single_valued_key_is_flagged() {
    let p = policy_with(r#"{"ForAllValues:StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:*"}}"#);
    let v = verdict(&p, &token("o/r", "repo:o/r:ref:refs/heads/main", &[]));
    assert!(v.allowed);
    assert!(v.trace.iter().any(|s| s.text.contains("advises against ForAnyValue/ForAllValues")));
}

#[test]
fn provider_url_with_a_trailing_slash_is_another_provider() {
    // IAM does not normalise provider URLs: aws/aws-sam-cli#7432 — a provider
    // created as `own-gitlab.com/` made STS answer "No OpenIDConnect provider
    // found in your account for …" for the issuer without the slash.
    let config = format!(
        r#"{{"trust_policy": {}, "provider": {{"url": "https://token.actions.githubusercontent.com/", "client_ids": ["sts.amazonaws.com"]}}}}"#,
        SEED_MAIN_ONLY
    );
    let v = evaluate(
        &AwsConfig::from_text(&config).unwrap(),
        &token("my-org/my-repo", "repo:my-org/my-repo:ref:refs/heads/main", &[]),
    );
    assert_eq!(v.code, "InvalidIdentityToken", "{v:#?}");
    assert_eq!(
        v.message,
        "No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com"
    );
    assert!(v.trace.iter().any(|s| s.text.contains("trailing")), "{v:#?}");
}

#[test]
fn immutable_subject_mismatch_is_explained() {
    // Research §0, §1.8, §9.5: the immutable `sub` (`repo:o@123/r@456:…`)
    // breaks patterns written for `repo:o/…`. The verdict is a deny; the
    // trace must say why, as Azure's does.
    let policy = policy_with(r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}}"#);
    let v = verdict(&policy, &token("my-org/my-repo", "repo:my-org@1001/my-repo@2002:ref:refs/heads/main", &[]));
    assert!(!v.allowed);
    assert!(v.trace.iter().any(|s| s.text.contains("immutable")), "{v:#?}");
    // A pattern that fails for another reason gets no such hint.
    let policy = policy_with(r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:other/*"}}"#);
    let v = verdict(&policy, &token("my-org/my-repo", "repo:my-org@1001/my-repo@2002:ref:refs/heads/main", &[]));
    assert!(v.trace.iter().all(|s| !s.text.contains("immutable")), "{v:#?}");
}

#[test]
fn environment_job_against_a_ref_pattern_is_explained() {
    // Research §1.8 row 1 and §9.10: a job with `environment:` gets
    // `repo:o/r:environment:NAME`, never the ref form; the seed calls it "the
    // most common trust-policy bug". The trace must name the cause.
    let v = verdict(SEED_MAIN_ONLY, &token("my-org/my-repo", "repo:my-org/my-repo:environment:prod", &[]));
    assert!(!v.allowed);
    assert!(v.trace.iter().any(|s| s.text.contains("environment `prod`")), "{v:#?}");
}

#[test]
fn role_session_name_is_the_actions_default_labelled() {
    // Research §1.3: `sts:RoleSessionName` is usable in web-identity trust
    // policies; aws-actions/configure-aws-credentials action.yml:
    // "Role session name (default: GitHubActions)". Keyless does not read the
    // step's input, so it assumes the default and says so.
    let policy = policy_with(r#"{"StringLike": {"sts:RoleSessionName": "GitHubActions*"}}"#);
    let v = verdict(&policy, &token("my-org/my-repo", "repo:my-org/my-repo:ref:refs/heads/main", &[]));
    assert!(v.allowed, "{v:#?}");
    assert!(v.trace.iter().any(|s| s.text.contains("assumption") && s.text.contains("GitHubActions")), "{v:#?}");
    let policy = policy_with(r#"{"StringEquals": {"sts:rolesessionname": "deploy"}}"#);
    assert!(!allowed(&policy, &token("my-org/my-repo", "repo:my-org/my-repo:ref:refs/heads/main", &[])));
}

#[test]
fn for_all_values_on_an_empty_ref_claim_holds() {
    // A3 (multi-value conditions): an empty string is an empty data set, so
    // ForAllValues holds and ForAnyValue fails. GitHub's `ref` is empty for a
    // deployment created from a commit SHA (D-EVT `deployment`).
    let sub = "repo:o/r:environment:prod";
    let sha_deploy = token("o/r", sub, &[("ref", "")]);
    let all =
        policy_with(r#"{"ForAllValues:StringEquals": {"token.actions.githubusercontent.com:ref": "refs/heads/main"}}"#);
    assert!(allowed(&all, &sha_deploy));
    assert!(!allowed(&all, &token("o/r", sub, &[("ref", "refs/heads/dev")])));
    let any = policy_with(r#"{"ForAnyValue:StringLike": {"token.actions.githubusercontent.com:ref": "*"}}"#);
    assert!(!allowed(&any, &sha_deploy));
}

#[test]
fn wildcard_inside_a_federated_arn_matches_nothing() {
    // IAM Principal element (reference_policies_elements_principal.md,
    // "All principals"): "You cannot use a wildcard to match part of a
    // principal name or ARN."
    let c = token("o/r", "repo:o/r:ref:refs/heads/main", &[]);
    let base = policy_with(r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:*"}}"#);
    for arn in [
        "arn:aws:iam::*:oidc-provider/token.actions.githubusercontent.com",
        "arn:aws:iam::111122223333:oidc-provider/*",
        "arn:aws:iam::11112222333?:oidc-provider/token.actions.githubusercontent.com",
    ] {
        let p = base.replace(FEDERATED, arn);
        let v = verdict(&p, &c);
        assert!(!v.allowed, "{arn}: {v:#?}");
        assert!(v.trace.iter().any(|s| s.text.contains("wildcard")), "{arn}: {v:#?}");
        // Also when the provider is given explicitly.
        let section = format!(
            r#"{{"trust_policy": {p}, "provider": {{"url": "token.actions.githubusercontent.com", "client_ids": ["sts.amazonaws.com"]}}}}"#
        );
        assert!(!evaluate(&AwsConfig::from_text(&section).unwrap(), &c).allowed, "{arn}");
    }
}

#[test]
fn aws_star_principal_is_not_assumed_to_cover_web_identity_and_says_so() {
    // IAM Principal element: "For anonymous users, the following elements are
    // equivalent: "Principal": "*" / "Principal" : { "AWS" : "*" }" — nothing
    // says `{"AWS": "*"}` covers a web-identity caller, so Keyless does not
    // apply the statement and the trace names the ambiguity.
    let c = token("o/r", "repo:o/r:ref:refs/heads/main", &[]);
    let base = policy_with(r#"{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:*"}}"#);
    let p = base.replace(&format!(r#"{{"Federated": "{FEDERATED}"}}"#), r#"{"AWS": "*"}"#);
    let section = format!(
        r#"{{"trust_policy": {p}, "provider": {{"url": "token.actions.githubusercontent.com", "client_ids": ["sts.amazonaws.com"]}}}}"#
    );
    let v = evaluate(&AwsConfig::from_text(&section).unwrap(), &c);
    assert!(!v.allowed);
    assert!(v.trace.iter().any(|s| s.text.contains("anonymous") && s.text.contains("not documented")), "{v:#?}");
}

// ---- Global condition keys (aws/global_keys.rs) ----------------------------
// IAM's global condition keys page (reference_policies_condition-keys.html):
// aws:SourceIp "is included in the request context, except when the
// requester uses a VPC endpoint"; aws:CurrentTime "is always included".
// Their values are the runner's address and the time of the call, which
// Keyless cannot know: the verdict is undetermined, not "Denied".
const SUB_MAIN: &str = "repo:o/r:ref:refs/heads/main";

fn sub_and(extra: &str) -> String {
    policy_with(&format!(r#"{{"StringEquals": {{"token.actions.githubusercontent.com:sub": "{SUB_MAIN}"}}, {extra}}}"#))
}

#[test]
fn source_ip_and_current_time_make_the_verdict_undetermined() {
    let c = token("o/r", SUB_MAIN, &[]);
    for (extra, key, what) in [
        (r#""IpAddress": {"aws:SourceIp": "203.0.113.0/24"}"#, "aws:SourceIp", "the runner's address"),
        (r#""DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}"#, "aws:CurrentTime", "the time of the call"),
        (
            r#""StringEquals": {"aws:RequestedRegion": "eu-west-1"}"#,
            "aws:RequestedRegion",
            "the Region of the STS endpoint",
        ),
        (r#""IpAddressIfExists": {"aws:SourceIp": "203.0.113.0/24"}"#, "aws:SourceIp", "the runner's address"),
    ] {
        let v = verdict(&sub_and(extra), &c);
        assert_eq!(v.code, "undetermined", "{extra}: {}", rendered(&v));
        assert!(!v.allowed);
        assert!(v.message.contains(&format!("`{key}`")) && v.message.contains(what), "{}", v.message);
        assert!(
            v.trace
                .iter()
                .any(|s| s.passed.is_none()
                    && s.text.contains(&format!("depends on `{key}`, which Keyless cannot know"))),
            "{}",
            rendered(&v)
        );
        assert_eq!(v.audience, AWS_STS_AUDIENCE);
    }
}

#[test]
fn unknown_keys_do_not_hide_a_known_outcome() {
    let c = token("o/r", SUB_MAIN, &[]);
    let other = token("o/r", "repo:o/r:ref:refs/heads/dev", &[]);
    // The sub condition fails: denied whatever the address (AND of conditions).
    let v = verdict(&sub_and(r#""IpAddress": {"aws:SourceIp": "203.0.113.0/24"}"#), &other);
    assert_eq!(v.code, "AccessDenied", "{}", rendered(&v));
    // A Deny on the address can only turn a deny into a deny.
    let deny_ip = format!(
        r#"{{"Version": "2012-10-17", "Statement": [
  {{"Effect": "Allow", "Principal": {{"Federated": "{FEDERATED}"}}, "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {{"StringEquals": {{"token.actions.githubusercontent.com:sub": "{SUB_MAIN}"}}}}}},
  {{"Effect": "Deny", "Principal": {{"Federated": "{FEDERATED}"}}, "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {{"NotIpAddress": {{"aws:SourceIp": "203.0.113.0/24"}}}}}}]}}"#
    );
    assert_eq!(verdict(&deny_ip, &other).code, "AccessDenied");
    // ...but may override an Allow: undetermined.
    let v = verdict(&deny_ip, &c);
    assert_eq!(v.code, "undetermined", "{}", rendered(&v));
    assert!(v.decided_by.contains("NotIpAddress aws:SourceIp"), "{}", v.decided_by);
}

#[test]
fn documented_absent_and_known_global_keys_decide() {
    let c = token("o/r", SUB_MAIN, &[]);
    // G #condition-keys-viaawsservice: false when the principal calls directly.
    assert!(allowed(&sub_and(r#""Bool": {"aws:ViaAWSService": "false"}"#), &c));
    // G #condition-keys-multifactorauthpresent: only with temporary
    // credentials, so absent: BoolIfExists holds, Bool does not.
    assert!(allowed(&sub_and(r#""BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}"#), &c));
    assert_eq!(verdict(&sub_and(r#""Bool": {"aws:MultiFactorAuthPresent": "true"}"#), &c).code, "AccessDenied");
    // G #condition-keys-currenttime: always included, so `Null: false` holds.
    assert!(allowed(&sub_and(r#""Null": {"aws:CurrentTime": "false"}"#), &c));
    // G #condition-keys-tokenissuetime: absent for this call.
    assert!(allowed(&sub_and(r#""Null": {"aws:TokenIssueTime": "true"}"#), &c));
}

#[test]
fn undetermined_source_ip_explanation() {
    let c = token("o/r", SUB_MAIN, &[]);
    insta::assert_snapshot!(
        "aws_source_ip_undetermined",
        rendered(&verdict(&sub_and(r#""IpAddress": {"aws:SourceIp": "203.0.113.0/24"}"#), &c))
    );
}

// Labelled option `request_context`: the user supplies what Keyless cannot
// know, and the IP / date operators (IAM condition operators page, A1) then
// decide. The trace says the value was given, not observed.
#[test]
fn request_context_decides_with_given_values() {
    let c = token("o/r", SUB_MAIN, &[]);
    let section =
        |extra: &str, given: &str| format!(r#"{{"trust_policy": {}, "request_context": {given}}}"#, sub_and(extra));
    let ip = r#""IpAddress": {"aws:SourceIp": "203.0.113.0/24"}"#;
    let inside = verdict(&section(ip, r#"{"aws:SourceIp": "203.0.113.7"}"#), &c);
    assert!(inside.allowed, "{}", rendered(&inside));
    assert!(inside.trace.iter().any(|s| s.text.contains("as given in request_context")), "{}", rendered(&inside));
    assert_eq!(verdict(&section(ip, r#"{"aws:SourceIp": "198.51.100.1"}"#), &c).code, "AccessDenied");
    let date = r#""DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}"#;
    assert!(allowed(&section(date, r#"{"aws:currenttime": "2026-11-24T12:00:00Z"}"#), &c));
    assert_eq!(verdict(&section(date, r#"{"aws:CurrentTime": "2027-06-01T00:00:00Z"}"#), &c).code, "AccessDenied");
    // Another unknown key stays unknown.
    assert_eq!(verdict(&section(ip, r#"{"aws:CurrentTime": "2026-11-24T12:00:00Z"}"#), &c).code, "undetermined");
    // Token claims are not settable; unknown section fields are refused.
    let err = AwsConfig::from_text(&section(ip, r#"{"token.actions.githubusercontent.com:sub": "x"}"#)).unwrap_err();
    assert!(err.message.contains("comes from the token"), "{}", err.message);
    let err =
        AwsConfig::from_text(&format!(r#"{{"trust_policy": {}, "request_contxt": {{}}}}"#, sub_and(ip))).unwrap_err();
    assert!(err.message.contains("request_context"), "{}", err.message);
    // The undetermined message says how to set it.
    assert!(verdict(&sub_and(ip), &c).message.contains("request_context"));
}

/// F2 (fuzz/regressions/aws_policy/): a policy given as a string folded
/// over two lines is located as a whole string (on characters), not one
/// byte into it; written on one line, at its bytes.
#[test]
fn a_policy_string_is_located_at_its_bytes_only_when_written_verbatim() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/aws_policy");
    let found = std::fs::read_to_string(dir.join("folded-policy-string-span.yaml")).unwrap();
    let one_line = found.replace("é\n  x", "é x");
    for (text, located) in [(found.as_str(), "é\n  x"), (one_line.as_str(), "é x")] {
        let err = AwsConfig::from_text(text).unwrap_err();
        assert!(err.message.contains("must be a mapping, found a string"), "{err:?}");
        let span = err.span.unwrap();
        assert_eq!(text.get(span.start as usize..span.end as usize), Some(located), "{text}");
    }
    // Inside a verbatim policy string, errors point at the bytes at fault.
    let text = "AssumeRolePolicyDocument: '{\"Version\": \"2012-10-17\", \"Statement\": [\"é\"]}'\n";
    let err = AwsConfig::from_text(text).unwrap_err();
    let span = err.span.unwrap();
    assert_eq!(text.get(span.start as usize..span.end as usize), Some("\"é\""), "{err:?}");
}

/// The AWS section with this policy and `sub_guard` option (`None`: unset).
fn guarded(conditions: &str, guard: Option<&str>) -> AwsConfig {
    let option = guard.map(|g| format!(r#", "sub_guard": "{g}""#)).unwrap_or_default();
    AwsConfig::from_text(&format!(r#"{{"trust_policy": {}{option}}}"#, policy_with(conditions))).unwrap()
}

fn creation_notes(c: &AwsConfig) -> Vec<(crate::diagnostic::Severity, &str)> {
    use crate::diagnostic::Stage;
    c.notes.iter().filter(|d| d.stage == Stage::Creation).map(|d| (d.severity, d.message.as_str())).collect()
}

#[test]
fn iam_sub_guard_documented_is_the_default_and_keeps_the_verdict() {
    use crate::diagnostic::Severity;
    // A8: a GitHub-trusting policy that evaluates no `…:sub` is refused at
    // creation or update; existing ones are not evaluated, so a warning and
    // still a verdict (here: the aud-only policy admits any repository).
    let aud_only = r#"{"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}"#;
    for c in [guarded(aud_only, None), guarded(aud_only, Some("documented"))] {
        let notes = creation_notes(&c);
        let [(Severity::Warning, message)] = notes.as_slice() else { panic!("{notes:?}") };
        assert!(message.contains("option `sub_guard: documented`, the default"), "{message}");
        assert!(message.contains("evaluates no `token.actions.githubusercontent.com:sub` condition"), "{message}");
        let v = evaluate(&c, &token("someone/else", "repo:someone/else:ref:refs/heads/main", &[]));
        assert!(v.allowed);
        assert!(v.trace[0].text.starts_with("creation-time rule: IAM would refuse"), "{:?}", v.trace[0]);
    }
    // Also a bare policy (no section): the default applies.
    let bare = AwsConfig::from_text(&policy_with(aud_only)).unwrap();
    assert_eq!(creation_notes(&bare).len(), 1);
    // A8-GH: no value may be only `*`/`?` or empty, wherever it is in the
    // list; where only this reading refuses, the warning says so.
    for values in [r#"["*"]"#, r#""?*""#, r#""""#, r#"["repo:o/r:*", "*"]"#] {
        let c = guarded(&format!(r#"{{"StringLike": {{"token.actions.githubusercontent.com:sub": {values}}}}}"#), None);
        let notes = creation_notes(&c);
        let [(Severity::Warning, message)] = notes.as_slice() else { panic!("{values}: {notes:?}") };
        assert!(message.contains("(* and ?) or null"), "{message}");
    }
    let tight_then_star = r#"{"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:o/r:*", "*"]}}"#;
    let c = guarded(tight_then_star, None);
    assert!(c.notes[0].message.contains("under which alone it is refused: `sub_guard: first_value` creates it"));
    // Any operator counts here (nothing narrower is documented); the trace
    // says the other option would refuse it.
    let set_op =
        r#"{"ForAllValues:StringEquals": {"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main"}}"#;
    let c = guarded(set_op, None);
    let notes = creation_notes(&c);
    let [(Severity::Note, message)] = notes.as_slice() else { panic!("{notes:?}") };
    assert!(message.contains("under `sub_guard: first_value` it would refuse it"), "{message}");
    let exact = r#"{"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main"}}"#;
    assert!(creation_notes(&guarded(exact, None)).is_empty());
}

#[test]
fn iam_sub_guard_first_value_follows_the_probe() {
    use crate::diagnostic::Severity;
    // A-PROBE: `["*"]` and `["*", "repo:acme/x"]` refused, `["repo:acme/x", "*"]`
    // created; IAM's message names the operators and `job_workflow_ref`.
    let refused = |conditions: &str| {
        let c = guarded(conditions, Some("first_value"));
        let notes = creation_notes(&c);
        matches!(notes.as_slice(), [(Severity::Warning, m)] if m.contains("option `sub_guard: first_value`") && m.contains("not scoped to all"))
    };
    let sub =
        |op: &str, values: &str| format!(r#"{{"{op}": {{"token.actions.githubusercontent.com:sub": {values}}}}}"#);
    assert!(refused(&sub("StringLike", r#"["*"]"#)));
    assert!(refused(&sub("StringLike", r#"["*", "repo:acme/x"]"#)));
    assert!(!refused(&sub("StringLike", r#"["repo:acme/x", "*"]"#)));
    assert!(!refused(&sub("StringEquals", r#""repo:acme/x:ref:refs/heads/main""#)));
    assert!(!refused(&sub("StringEqualsIgnoreCase", r#""repo:acme/x:ref:refs/heads/main""#)));
    // Operators IAM's message does not name.
    assert!(refused(&sub("ForAllValues:StringEquals", r#""repo:acme/x:ref:refs/heads/main""#)));
    assert!(refused(&sub("StringLikeIfExists", r#""repo:acme/x:*""#)));
    assert!(refused(r#"{"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}"#));
    // `job_workflow_ref` satisfies this reading, not the documented one.
    let jwr = r#"{"StringLike": {"token.actions.githubusercontent.com:job_workflow_ref": "acme/x/.github/workflows/deploy.yml@*"}}"#;
    assert!(!refused(jwr));
    let c = guarded(jwr, None);
    let notes = creation_notes(&c);
    let [(Severity::Warning, message)] = notes.as_slice() else { panic!("{notes:?}") };
    assert!(message.contains("under which alone it is refused: `sub_guard: first_value` creates it"), "{message}");
    // The refusal points at the `*` IAM objects to.
    let text = format!(
        r#"{{"trust_policy": {}, "sub_guard": "first_value"}}"#,
        policy_with(&sub("StringLike", r#"["*", "repo:acme/x"]"#))
    );
    let c = AwsConfig::from_text(&text).unwrap();
    let span = c.notes.iter().find(|d| d.severity == Severity::Warning).and_then(|d| d.span).unwrap();
    assert_eq!(&text[span.start as usize..span.end as usize], r#""*""#);
}

#[test]
fn iam_sub_guard_concerns_only_the_shared_provider_and_is_a_known_option() {
    // A8's table lists `token.actions.githubusercontent.com`; an enterprise's
    // issuer path is its own provider.
    let enterprise = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com/acme"},
      "Action": "sts:AssumeRoleWithWebIdentity"}]}"#;
    assert!(creation_notes(&AwsConfig::from_text(enterprise).unwrap()).is_empty());
    let e = AwsConfig::from_text(&format!(r#"{{"trust_policy": {enterprise}, "sub_guard": "first"}}"#)).unwrap_err();
    assert!(e.message.contains("`sub_guard` must be `documented` or `first_value`"), "{}", e.message);
}
