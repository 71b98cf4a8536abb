//! Azure tests. Each names its source: the seed deployment guide
//! (`/work/docs/research/seeds/keyless-deployments-aws-azure-gcp.md`, "seed"), the
//! research notes (cloud-trust-evaluation.md §n), or the Z1..Z11 sources.

use super::*;
use crate::claims::Claims;
use crate::diagnostic::Severity;
use crate::verdict::{Verdict, render_step};

const GH: &str = "https://token.actions.githubusercontent.com";
const AZ_AUD: &str = "api://AzureADTokenExchange";

/// A GitHub token as azure/login requests it (aud `api://AzureADTokenExchange`).
fn token(sub: &str) -> Claims {
    let mut c = Claims::new();
    c.set("iss", GH);
    c.set("aud", AZ_AUD);
    c.set("sub", sub);
    c.set("repository", "my-org/my-repo");
    c.set("repository_id", "456789");
    c.set("repository_owner_id", "123456");
    c.set("job_workflow_ref", "my-org/my-repo/.github/workflows/deploy.yml@refs/heads/main");
    c
}

/// Seed §3: `az identity federated-credential create --name gha-main-prod ...
/// --subject "repo:my-org/my-repo:environment:prod"`, as `az identity
/// federated-credential list` prints it.
const SEED_CLASSIC: &str = r#"[
  {
    "audiences": ["api://AzureADTokenExchange"],
    "id": "/subscriptions/0000/resourcegroups/rg-platform/providers/Microsoft.ManagedIdentity/userAssignedIdentities/gha-deploy/federatedIdentityCredentials/gha-main-prod",
    "issuer": "https://token.actions.githubusercontent.com",
    "name": "gha-main-prod",
    "resourceGroup": "rg-platform",
    "subject": "repo:my-org/my-repo:environment:prod",
    "systemData": null,
    "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"
  }
]"#;

/// Seed §3: the flexible credential `gha-flex-branches`, with the seed's
/// regex-looking comparand, as Microsoft Graph returns it.
const SEED_FLEX: &str = r#"{
  "name": "gha-flex-branches",
  "issuer": "https://token.actions.githubusercontent.com",
  "subject": null,
  "audiences": ["api://AzureADTokenExchange"],
  "claimsMatchingExpression": {"value": "claims['sub'] matches 'repo:my-org/my-repo:ref:refs/heads/release/.*'", "languageVersion": 1}
}"#;

/// Research §2.3 example (from Z1/Z2).
const RESEARCH_FLEX: &str = r#"{"issuer":"https://token.actions.githubusercontent.com","audiences":["api://AzureADTokenExchange"],
 "name":"gh-flex","claimsMatchingExpression":{"languageVersion":1,
 "value":"claims['sub'] matches 'repo:contoso/contoso-repo:ref:refs/heads/*' and claims['repository_id'] eq '456789'"}}"#;

fn config(text: &str) -> AzureConfig {
    AzureConfig::from_text(text).unwrap_or_else(|e| panic!("{}", e.render(text)))
}

fn spanned(text: &str, span: Option<Span>) -> &str {
    let s = span.expect("a span");
    &text[s.start as usize..s.end as usize]
}

#[test]
fn seed_classic_admits_the_prod_environment_job() {
    // Seed §3: the deploy-azure job declares `environment: prod`, so its sub
    // is `repo:my-org/my-repo:environment:prod` (research §0).
    let v = evaluate(&config(SEED_CLASSIC), &token("repo:my-org/my-repo:environment:prod"));
    assert!(v.allowed, "{:#?}", v.trace);
    assert_eq!(v.code, "allowed");
    assert_eq!(v.decided_by, "`gha-main-prod` subject 'repo:my-org/my-repo:environment:prod'");
    assert_eq!(spanned(SEED_CLASSIC, v.decided_span), "\"repo:my-org/my-repo:environment:prod\"");
}

#[test]
fn seed_classic_rejects_a_branch_push_with_700213() {
    // Seed "Negative test": a branch push must fail with AADSTS700213.
    let sub = "repo:my-org/my-repo:ref:refs/heads/feature/x";
    let v = evaluate(&config(SEED_CLASSIC), &token(sub));
    assert!(!v.allowed);
    assert_eq!(v.code, "AADSTS700213");
    assert_eq!(
        v.message,
        format!(
            "AADSTS700213: No matching federated identity record found for presented assertion subject '{sub}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
        )
    );
    assert_eq!(v.decided_by, "`gha-main-prod` subject 'repo:my-org/my-repo:environment:prod'");
}

#[test]
fn case_only_subject_mismatch_is_7002138() {
    // Z6 (Azure/login#515): `environment:Production` vs a lower-case FIC.
    let text = SEED_CLASSIC.replace("environment:prod", "environment:Prod");
    let v = evaluate(&config(&text), &token("repo:my-org/my-repo:environment:prod"));
    assert_eq!(v.code, "AADSTS7002138");
    assert_eq!(
        v.message,
        "AADSTS7002138: No matching federated identity record found for presented assertion subject 'repo:my-org/my-repo:environment:prod'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. See documentation at: https://learn.microsoft.com/entra/workload-id/workload-identity-federation. See breaking change notification and remediation at: https://learn.microsoft.com/en-us/entra/identity-platform/reference-breaking-changes#august-2024."
    );
    assert_eq!(spanned(&text, v.decided_span), "\"repo:my-org/my-repo:environment:Prod\"");
}

#[test]
fn wrong_audience_is_700212() {
    // Research §0: without azure/login the token's aud is GitHub's default
    // `https://github.com/<owner>`; research §2.4 / Z10: AADSTS700212.
    let mut t = token("repo:my-org/my-repo:environment:prod");
    t.set("aud", "https://github.com/my-org");
    let v = evaluate(&config(SEED_CLASSIC), &t);
    assert_eq!(v.code, "AADSTS700212");
    assert!(v.message.starts_with("AADSTS700212: No matching federated identity record found for presented assertion audience 'https://github.com/my-org'. Please check your federated identity credential Subject, Audience and Issuer"));
    assert_eq!(spanned(SEED_CLASSIC, v.decided_span), "\"api://AzureADTokenExchange\"");
}

#[test]
fn trailing_slash_issuer_is_700211() {
    // research github-oidc-tokens.md §4.1: trailing-slash issuers fail in Entra;
    // cloud-trust-evaluation.md §2.4: AADSTS700211 for no issuer match.
    let text = SEED_CLASSIC.replace("githubusercontent.com\"", "githubusercontent.com/\"");
    let v = evaluate(&config(&text), &token("repo:my-org/my-repo:environment:prod"));
    assert_eq!(v.code, "AADSTS700211");
    assert_eq!(
        v.message,
        "AADSTS700211: No matching federated identity record found for presented assertion issuer 'https://token.actions.githubusercontent.com'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation"
    );
    assert!(v.trace.iter().any(|s| s.passed == Some(false) && s.text.contains("trailing '/'")), "{:#?}", v.trace);
    assert_eq!(spanned(&text, v.decided_span), "\"https://token.actions.githubusercontent.com/\"");
}

#[test]
fn enterprise_issuer_token_is_700211() {
    // Research §0: `include_enterprise_slug` changes iss; the FIC is exact (Z5).
    let mut t = token("repo:my-org/my-repo:environment:prod");
    t.set("iss", "https://token.actions.githubusercontent.com/octocat-inc");
    assert_eq!(evaluate(&config(SEED_CLASSIC), &t).code, "AADSTS700211");
}

#[test]
fn no_credentials_is_70021() {
    // Z4 / research §2.4: AADSTS70021, generic "no matching record".
    let v = evaluate(&config("credentials: []"), &token("repo:o/r:ref:refs/heads/main"));
    assert_eq!(v.code, "AADSTS70021");
    assert_eq!(
        v.message,
        "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'. Assertion Subject: 'repo:o/r:ref:refs/heads/main'. Assertion Audience: 'api://AzureADTokenExchange'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation"
    );
}

#[test]
fn seed_flexible_regex_comparand_denies_release_1_0() {
    // Seed §3 writes `release/.*` under `matches`, a wildcard operator (Z1):
    // `.` is literal, so `release/1.0` does not match.
    let c = config(SEED_FLEX);
    let v = evaluate(&c, &token("repo:my-org/my-repo:ref:refs/heads/release/1.0"));
    assert!(!v.allowed);
    assert_eq!(v.code, "AADSTS7002131");
    assert!(v.message.starts_with("AADSTS7002131: No matching federated identity record found for presented assertion subject 'repo:my-org/my-repo:ref:refs/heads/release/1.0' or no federated identity credential expression matched. Please check your federated identity credential Subject, Expression, Audience and Issuer"));
    let failing = v
        .trace
        .iter()
        .find(|s| s.passed == Some(false) && s.text.starts_with("claims['sub']"))
        .expect("a failing term");
    assert!(failing.text.contains(evaluate::WILDCARD_NOT_REGEX), "{}", failing.text);
    assert_eq!(
        spanned(SEED_FLEX, v.decided_span),
        "claims['sub'] matches 'repo:my-org/my-repo:ref:refs/heads/release/.*'"
    );
    // Z2 (Aug 2026): the seed's sub-only expression would be refused at create time.
    let create = c
        .diagnostics
        .iter()
        .find(|d| d.message.contains("InvalidFederatedIdentityCredentialValue"))
        .expect("create-time warning");
    assert_eq!(create.severity, Severity::Warning);
    assert!(create.message.contains("Expression configured for issuer 'https://token.actions.githubusercontent.com' either lacks all required claims or contains unallowed claims"));
    assert!(c.diagnostics.iter().any(|d| d.message.contains("looks like a regular expression")));
}

#[test]
fn seed_flexible_admits_a_branch_literally_named_release_dot() {
    // Under glob semantics `.*` is a literal '.' followed by any run (Z1).
    let v = evaluate(&config(SEED_FLEX), &token("repo:my-org/my-repo:ref:refs/heads/release/.x"));
    assert!(v.allowed, "{:#?}", v.trace);
    assert_eq!(
        v.decided_by,
        "`gha-flex-branches` claimsMatchingExpression \"claims['sub'] matches 'repo:my-org/my-repo:ref:refs/heads/release/.*'\""
    );
}

#[test]
fn research_example_needs_both_terms() {
    // Research §2.3 example; Z2's required repository_id is present, so no
    // create-time warning.
    let c = config(RESEARCH_FLEX);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let mut t = token("repo:contoso/contoso-repo:ref:refs/heads/feature/a/b");
    assert!(evaluate(&c, &t).allowed, "`*` crosses '/' (glob.rs, research §2.3)");
    t.set("repository_id", "999");
    let v = evaluate(&c, &t);
    assert_eq!(v.code, "AADSTS7002131");
    assert_eq!(v.decided_by, "`gh-flex` term `claims['repository_id'] eq '456789'`");
    assert_eq!(spanned(RESEARCH_FLEX, v.decided_span), "claims['repository_id'] eq '456789'");
    t.remove("repository_id");
    let v = evaluate(&c, &t);
    assert!(
        v.trace.iter().any(|s| s.text.contains("the token has no `repository_id` claim")),
        "research §8: missing claim → term false"
    );
}

#[test]
fn flexible_comparisons_are_case_sensitive_by_assumption() {
    // [inference] research §2.3: case sensitivity of FFL is not documented.
    let v = evaluate(&config(RESEARCH_FLEX), &token("repo:Contoso/contoso-repo:ref:refs/heads/main"));
    assert!(!v.allowed);
}

#[test]
fn any_matching_credential_admits() {
    // Research §2.2: no deny concept; credentials are alternatives.
    let text =
        format!("credentials:\n  - {}\n  - {}\n", SEED_FLEX.replace('\n', " "), RESEARCH_FLEX.replace('\n', " "));
    let c = config(&text);
    assert_eq!(c.credentials.len(), 2);
    let v = evaluate(&c, &token("repo:contoso/contoso-repo:ref:refs/heads/main"));
    assert!(v.allowed);
    assert!(v.decided_by.starts_with("`gh-flex`"));
}

#[test]
fn mixed_classic_and_flexible_misses_report_7002131() {
    // [inference] research §2.4: 7002131 "returned when flexible FICs are involved".
    let text = format!("[{}, {}]", SEED_CLASSIC.trim().trim_start_matches('[').trim_end_matches(']'), RESEARCH_FLEX);
    let v = evaluate(&config(&text), &token("repo:my-org/my-repo:ref:refs/heads/main"));
    assert_eq!(v.code, "AADSTS7002131");
    // Nearest miss: the classic subject shares the `repo:my-org/my-repo:` prefix.
    assert_eq!(v.decided_by, "`gha-main-prod` subject 'repo:my-org/my-repo:environment:prod'");
}

#[test]
fn immutable_subject_breaks_name_only_credentials() {
    // Research §0 / §9.5: repositories created after 2026-07-15 present
    // `repo:owner@id/repo@id:...`; a name-only classic subject no longer matches.
    let v = evaluate(&config(SEED_CLASSIC), &token("repo:my-org@123456/my-repo@456789:environment:prod"));
    assert_eq!(v.code, "AADSTS700213");
    assert!(v.trace.iter().any(|s| s.text.contains("immutable subject")), "{:#?}", v.trace);
    // Same for a flexible `sub` term.
    let v = evaluate(&config(RESEARCH_FLEX), &token("repo:contoso@1/contoso-repo@2:ref:refs/heads/main"));
    assert_eq!(v.code, "AADSTS7002131");
    assert!(v.trace.iter().any(|s| s.text.contains("immutable subject")), "{:#?}", v.trace);
}

#[test]
fn classic_subject_wildcard_is_literal() {
    // Research §2.1 (Z3): no wildcards in classic credentials.
    let text = SEED_CLASSIC.replace("environment:prod", "environment:*");
    let c = config(&text);
    assert!(c.diagnostics.iter().any(|d| d.message.contains("no wildcards")), "{:?}", c.diagnostics);
    assert_eq!(evaluate(&c, &token("repo:my-org/my-repo:environment:prod")).code, "AADSTS700213");
    assert!(evaluate(&c, &token("repo:my-org/my-repo:environment:*")).allowed);
}

#[test]
fn eq_with_a_star_is_exact() {
    // Z1: `eq` "used for explicitly matching"; wildcards belong to `matches`.
    let text = format!(
        r#"{{"name":"fic-1","issuer":"{GH}","audiences":["{AZ_AUD}"],"claimsMatchingExpression":{{"value":"claims['sub'] eq 'repo:o/r:*' and claims['repository_id'] eq '456789'","languageVersion":1}}}}"#
    );
    let v = evaluate(&config(&text), &token("repo:o/r:ref:refs/heads/main"));
    assert!(!v.allowed);
    assert!(v.trace.iter().any(|s| s.text.contains("`eq` is exact")), "{:#?}", v.trace);
}

// ---- input forms ----------------------------------------------------------

/// The same classic credential in every accepted form.
#[test]
fn every_input_form_reads_the_same_credential() {
    let forms = [
        ("az identity federated-credential list", SEED_CLASSIC.to_string()),
        (
            "az ad app federated-credential list (Graph objects)",
            r#"[{"audiences":["api://AzureADTokenExchange"],"claimsMatchingExpression":null,"description":"","id":"1b6c2b4e-0000","issuer":"https://token.actions.githubusercontent.com","name":"gha-main-prod","subject":"repo:my-org/my-repo:environment:prod"}]"#.to_string(),
        ),
        (
            "Graph list response",
            r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#applications('x')/federatedIdentityCredentials","value":[{"audiences":["api://AzureADTokenExchange"],"issuer":"https://token.actions.githubusercontent.com","name":"gha-main-prod","subject":"repo:my-org/my-repo:environment:prod"}]}"#.to_string(),
        ),
        (
            "single Graph object",
            r#"{"@odata.context":"x","audiences":["api://AzureADTokenExchange"],"issuer":"https://token.actions.githubusercontent.com","name":"gha-main-prod","subject":"repo:my-org/my-repo:environment:prod"}"#.to_string(),
        ),
        (
            "ARM resource with properties",
            r#"{"id":"/subscriptions/x","name":"gha-main-prod","type":"Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials","properties":{"issuer":"https://token.actions.githubusercontent.com","subject":"repo:my-org/my-repo:environment:prod","audiences":["api://AzureADTokenExchange"]}}"#.to_string(),
        ),
        (
            "Terraform-ish snake_case",
            "display_name: gha-main-prod\nissuer: https://token.actions.githubusercontent.com\nsubject: repo:my-org/my-repo:environment:prod\naudience: api://AzureADTokenExchange\n".to_string(),
        ),
        (
            "scenario section",
            "credentials:\n  - name: gha-main-prod\n    issuer: https://token.actions.githubusercontent.com\n    subject: repo:my-org/my-repo:environment:prod\n    audiences: [api://AzureADTokenExchange]\n".to_string(),
        ),
    ];
    for (form, text) in forms {
        let c = AzureConfig::from_text(&text).unwrap_or_else(|e| panic!("{form}: {}", e.render(&text)));
        assert!(c.diagnostics.is_empty(), "{form}: {:?}", c.diagnostics);
        let [cred] = c.credentials.as_slice() else { panic!("{form}: {:?}", c.credentials) };
        assert_eq!(cred.name.as_ref().map(|n| n.value.as_str()), Some("gha-main-prod"), "{form}");
        assert_eq!(cred.issuer.value, GH, "{form}");
        assert_eq!(
            cred.subject.as_ref().map(|s| s.value.as_str()),
            Some("repo:my-org/my-repo:environment:prod"),
            "{form}"
        );
        assert_eq!(cred.audiences.iter().map(|a| a.value.as_str()).collect::<Vec<_>>(), [AZ_AUD], "{form}");
        assert!(evaluate(&c, &token("repo:my-org/my-repo:environment:prod")).allowed, "{form}");
    }
}

#[test]
fn flexible_expression_as_plain_string() {
    // Terraform's azuread_application_flexible_federated_identity_credential
    // (Z7) takes `claims_matching_expression` as a string.
    let text = "display_name: flex\nissuer: https://token.actions.githubusercontent.com\naudience: api://AzureADTokenExchange\nclaims_matching_expression: claims['sub'] matches 'repo:o/r:*' and claims['repository_owner_id'] eq '123456'\n";
    let c = config(text);
    let e = c.credentials[0].expression.as_ref().unwrap();
    assert_eq!(e.terms.len(), 2);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    // Plain YAML scalar: positions are exact.
    assert_eq!(spanned(text, Some(e.terms[1].claim.span)), "repository_owner_id");
}

// ---- validation (Z3, Z4) --------------------------------------------------

fn error_of(text: &str) -> (String, String) {
    let e = AzureConfig::from_text(text).expect_err(text);
    let at = e.span.map(|s| text[s.start as usize..s.end as usize].to_string()).unwrap_or_default();
    (e.message, at)
}

#[test]
fn validation_errors_are_located() {
    let one = |extra: &str| {
        format!(
            r#"{{"name":"fic-1","issuer":"{GH}","subject":"repo:o/r:ref:refs/heads/main","audiences":["{AZ_AUD}"]{extra}}}"#
        )
    };
    // Research §2.1 / Z3: exactly one audience.
    let text = format!(r#"{{"name":"fic-1","issuer":"{GH}","subject":"s","audiences":["{AZ_AUD}","b"]}}"#);
    let (m, at) = error_of(&text);
    assert!(m.starts_with("Federated identity credentials must have exactly one audience."), "{m}");
    assert_eq!(at, format!(r#"["{AZ_AUD}","b"]"#));
    let text = format!(r#"{{"name":"fic-1","issuer":"{GH}","subject":"s","audiences":[]}}"#);
    assert!(error_of(&text).0.starts_with("Federated identity credentials must have exactly one audience."));
    // Z1: subject and claimsMatchingExpression are mutually exclusive.
    let text = one(r#","claimsMatchingExpression":{"value":"claims['sub'] eq 'x'","languageVersion":1}"#);
    let (m, at) = error_of(&text);
    assert!(m.contains("mutually exclusive"), "{m}");
    assert_eq!(at, "\"claims['sub'] eq 'x'\"");
    // Z3: issuer and subject are at most 600 characters.
    let long = "x".repeat(601);
    let text = format!(r#"{{"name":"fic-1","issuer":"{GH}","subject":"{long}","audiences":["{AZ_AUD}"]}}"#);
    assert!(error_of(&text).0.contains("limit is 600"));
    // Z3: names have 3-120 characters.
    let text = format!(r#"{{"name":"ab","issuer":"{GH}","subject":"s","audiences":["{AZ_AUD}"]}}"#);
    assert_eq!(error_of(&text).1, "\"ab\"");
    // Type errors are located.
    let text = format!(r#"{{"name":"fic-1","issuer":"{GH}","subject":"s","audiences":{{"a":1}}}}"#);
    let (m, at) = error_of(&text);
    assert!(m.contains("must be a string"), "{m}");
    assert_eq!(at, "{\"a\":1}");
    // Graph federatedIdentityExpression: languageVersion "should always be set to 1".
    let text = format!(
        r#"{{"name":"fic-1","issuer":"{GH}","audiences":["{AZ_AUD}"],"claimsMatchingExpression":{{"value":"claims['sub'] eq 'x'","languageVersion":2}}}}"#
    );
    assert_eq!(error_of(&text).1, "2");
    // Neither subject nor expression.
    let text = format!(r#"{{"name":"fic-1","issuer":"{GH}","audiences":["{AZ_AUD}"]}}"#);
    assert!(error_of(&text).0.contains("needs a `subject` or a `claimsMatchingExpression`"));
}

#[test]
fn at_most_twenty_credentials() {
    // Z3: at most 20 federated identity credentials per app or identity.
    let item = |i: usize| {
        format!(
            r#"{{"name":"fic-{i}","issuer":"{GH}","subject":"repo:o/r:environment:e{i}","audiences":["{AZ_AUD}"]}}"#
        )
    };
    let twenty: Vec<String> = (0..20).map(item).collect();
    assert_eq!(config(&format!("[{}]", twenty.join(","))).credentials.len(), 20);
    let text = format!("[{},{}]", twenty.join(","), item(20));
    let (m, at) = error_of(&text);
    assert!(m.contains("at most 20"), "{m}");
    assert_eq!(at, item(20));
}

#[test]
fn issuer_subject_pairs_are_unique() {
    // Z3: "The combination of issuer and subject must be unique on the app."
    let item = |n: &str| {
        format!(r#"{{"name":"{n}","issuer":"{GH}","subject":"repo:o/r:environment:e","audiences":["{AZ_AUD}"]}}"#)
    };
    let (m, _) = error_of(&format!("[{},{}]", item("one"), item("two")));
    assert!(m.contains("`one` already has this pair"), "{m}");
}

#[test]
fn unknown_fields_are_warnings_with_a_hint() {
    let text =
        format!(r#"{{"name":"fic-1","issuer":"{GH}","subject":"s","audiences":["{AZ_AUD}"],"audiances":["x"]}}"#);
    let c = config(&text);
    let [d] = c.diagnostics.as_slice() else { panic!("{:?}", c.diagnostics) };
    assert_eq!(d.severity, Severity::Warning);
    assert!(d.message.contains("did you mean `audiences`"), "{}", d.message);
    assert_eq!(spanned(&text, d.span), "\"audiances\"");
    let text = text.replace("audiances", "claims_matching_expresion");
    let c = config(&text);
    assert!(
        c.diagnostics[0].message.contains("did you mean `claimsMatchingExpression`"),
        "{}",
        c.diagnostics[0].message
    );
}

#[test]
fn create_time_rule_flags_unallowed_claims() {
    // Community-verified (research §2.3, Z7): `event_name` is refused.
    let text = format!(
        r#"{{"name":"fic-1","issuer":"{GH}","audiences":["{AZ_AUD}"],"claimsMatchingExpression":{{"value":"claims['sub'] matches 'repo:o/r:*' and claims['repository_id'] eq '1' and claims['event_name'] eq 'push'","languageVersion":1}}}}"#
    );
    let c = config(&text);
    let d =
        c.diagnostics.iter().find(|d| d.message.contains("InvalidFederatedIdentityCredentialValue")).expect("warning");
    assert!(d.message.contains("`event_name` not among the claims"), "{}", d.message);
    assert_eq!(spanned(&text, d.span), "event_name");
}

#[test]
fn flexible_on_a_managed_identity_is_read_like_an_applications() {
    // Seed §3 creates the flexible credential with `az identity
    // federated-credential create`. Z2's set-up page said managed identities
    // lacked flexible support; its current version covers "an application or
    // user-assigned managed identity" (ARM, Z9), so no warning any more (the
    // test asserted the old warning).
    let text = r#"[{"name":"gha-flex-branches","issuer":"https://token.actions.githubusercontent.com","audiences":["api://AzureADTokenExchange"],
      "claimsMatchingExpression":{"value":"claims['sub'] matches 'repo:my-org/my-repo:ref:refs/heads/release/*' and claims['repository_id'] eq '456789'","languageVersion":1},
      "resourceGroup":"rg-platform","type":"Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"}]"#;
    let c = config(text);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert!(evaluate(&c, &token("repo:my-org/my-repo:ref:refs/heads/release/1.0")).allowed);
}

#[test]
fn flexible_issuer_outside_z1_is_flagged() {
    // Z1: flexible credentials support GitHub, GitLab and Terraform Cloud issuers only.
    let text = r#"{"name":"f-1","issuer":"https://token.actions.githubusercontent.com/octocat-inc","audiences":["api://AzureADTokenExchange"],"claimsMatchingExpression":{"value":"claims['sub'] eq 'x'","languageVersion":1}}"#;
    let c = config(text);
    let [d] = c.diagnostics.as_slice() else { panic!("{:?}", c.diagnostics) };
    assert!(d.message.contains("support only GitHub"), "{}", d.message);
    let gitlab = text.replace("https://token.actions.githubusercontent.com/octocat-inc", "https://gitlab.example.com");
    assert!(config(&gitlab).diagnostics.is_empty());
}

// ---- expression error positions --------------------------------------------

#[test]
fn expression_errors_point_into_the_document() {
    // Z1 grammar; each case: expression, the document text the error covers.
    let cases = [
        ("claims['sub'] matches 'repo:o/r:*", "'repo:o/r:*"),
        ("claims['sub'] eq 'a' or claims['sub'] eq 'b'", "or"),
        ("claims['sub']  eq 'a'", "  "),
        ("claims['sub'] like 'a'", "like"),
        ("claims[\u{2018}sub\u{2019}] eq 'a'", "\u{2018}"),
        ("claims[\\\"sub\\\"] eq 'a'", "\"claims[\\\"sub\\\"] eq 'a'\""),
    ];
    for (expr, covered) in cases {
        let text = format!(
            r#"{{"name":"fic-1","issuer":"{GH}","audiences":["{AZ_AUD}"],"claimsMatchingExpression":{{"value":"{expr}","languageVersion":1}}}}"#
        );
        let (m, at) = error_of(&text);
        assert!(m.starts_with("invalid claims matching expression"), "{m}");
        // With a JSON escape in the string, positions fall back to the whole string.
        assert_eq!(at, covered, "{expr}: {m}");
    }
    // YAML double-quoted and plain scalars map exactly too.
    for text in [
        "issuer: https://token.actions.githubusercontent.com\naudiences: [api://AzureADTokenExchange]\nclaimsMatchingExpression:\n  value: \"claims['sub'] eq 'a' or claims['x'] eq 'b'\"\n  languageVersion: 1\n",
        "issuer: https://token.actions.githubusercontent.com\naudiences: [api://AzureADTokenExchange]\nclaimsMatchingExpression:\n  value: claims['sub'] eq 'a' or claims['x'] eq 'b'\n  languageVersion: 1\n",
    ] {
        assert_eq!(error_of(text).1, "or", "{text}");
        // Without the text, the length heuristic gives the same answer.
        let node = crate::doc::parse(text, DocId::Azure).unwrap();
        let e = AzureConfig::from_node(&node).unwrap_err();
        let s = e.span.unwrap();
        assert_eq!(&text[s.start as usize..s.end as usize], "or");
    }
}

// ---- snapshots of whole verdicts --------------------------------------------

fn render(v: &Verdict) -> String {
    let mut out =
        format!("allowed: {}\ncode: {}\nmessage: {}\ndecided_by: {}\n", v.allowed, v.code, v.message, v.decided_by);
    for s in &v.trace {
        out.push_str(&render_step(s));
        out.push('\n');
    }
    out
}

#[test]
fn snapshot_seed_classic_branch_push() {
    let v = evaluate(&config(SEED_CLASSIC), &token("repo:my-org/my-repo:ref:refs/heads/main"));
    insta::assert_snapshot!(render(&v));
}

#[test]
fn snapshot_seed_flexible_release_1_0() {
    let v = evaluate(&config(SEED_FLEX), &token("repo:my-org/my-repo:ref:refs/heads/release/1.0"));
    insta::assert_snapshot!(render(&v));
}

#[test]
fn snapshot_research_example_allowed() {
    let v = evaluate(&config(RESEARCH_FLEX), &token("repo:contoso/contoso-repo:ref:refs/heads/main"));
    insta::assert_snapshot!(render(&v));
}

proptest::proptest! {
    #[test]
    fn reading_and_evaluating_never_panic(expr in "\\PC{0,60}", sub in "\\PC{0,30}") {
        let text = serde_json::json!({
            "issuer": GH, "audiences": [AZ_AUD], "name": "fic",
            "claimsMatchingExpression": {"value": expr, "languageVersion": 1}
        }).to_string();
        if let Ok(c) = AzureConfig::from_text(&text) {
            let _ = evaluate(&c, &token(&sub));
        }
        let _ = AzureConfig::from_text(&expr);
    }
}

#[test]
fn environment_job_against_a_ref_subject_is_explained() {
    // Research §9.10; seed §1: the environment form replaces the ref form.
    let text = SEED_CLASSIC.replace("repo:my-org/my-repo:environment:prod", "repo:my-org/my-repo:ref:refs/heads/main");
    let v = evaluate(&AzureConfig::from_text(&text).unwrap(), &token("repo:my-org/my-repo:environment:prod"));
    assert_eq!(v.code, "AADSTS700213");
    assert!(v.trace.iter().any(|s| s.text.contains("environment `prod`")), "{v:#?}");
}

#[test]
fn audience_versus_subject_order_is_labelled_when_it_matters() {
    // Research §2.4 names 700212 (audience) and 700213 (subject) but no
    // source says which Entra checks first. When the other order would give
    // the other code, the trace must say so.
    let two = r#"[
  {"name": "right-aud", "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:my-org/my-repo:ref:refs/heads/dev", "audiences": ["api://AzureADTokenExchange"]},
  {"name": "right-sub", "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:my-org/my-repo:ref:refs/heads/main", "audiences": ["api://other"]}
]"#;
    let v = evaluate(&AzureConfig::from_text(two).unwrap(), &token("repo:my-org/my-repo:ref:refs/heads/main"));
    assert_eq!(v.code, "AADSTS700213");
    assert!(v.trace.iter().any(|s| s.text.contains("AADSTS700212") && s.text.contains("not documented")), "{v:#?}");
    // Both orders agree: no remark.
    let one = r#"[{"name": "right-sub", "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:my-org/my-repo:ref:refs/heads/main", "audiences": ["api://other"]}]"#;
    let v = evaluate(&AzureConfig::from_text(one).unwrap(), &token("repo:my-org/my-repo:ref:refs/heads/main"));
    assert_eq!(v.code, "AADSTS700212");
    assert!(v.trace.iter().all(|s| !s.text.contains("not documented")), "{v:#?}");
}

#[test]
fn repeated_credential_field_is_an_error() {
    // Graph (OData) refuses duplicate property names; Keyless used the last
    // one silently.
    let text = r#"[{"name": "gha-main", "issuer": "https://token.actions.githubusercontent.com",
  "subject": "repo:my-org/my-repo:ref:refs/heads/main", "subject": "repo:my-org/my-repo:ref:refs/heads/dev",
  "audiences": ["api://AzureADTokenExchange"]}]"#;
    let d = AzureConfig::from_text(text).unwrap_err();
    assert!(d.message.contains("twice"), "{}", d.message);
}

#[test]
fn which_flexible_credentials_make_7002131_is_labelled_when_it_matters() {
    // Research §2.4 (Z10): 7002131 is "returned when flexible FICs are
    // involved", without saying which: Keyless reads it as a flexible
    // credential among those with the token's issuer and audience. When only
    // a flexible credential with another audience exists, the other reading
    // gives 7002131, and the trace must say so.
    let text = r#"[
  {"name": "classic-main", "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:my-org/my-repo:ref:refs/heads/main", "audiences": ["api://AzureADTokenExchange"]},
  {"name": "flex-other-aud", "issuer": "https://token.actions.githubusercontent.com", "audiences": ["api://other"],
   "claimsMatchingExpression": {"value": "claims['sub'] matches 'repo:my-org/my-repo:*' and claims['repository_id'] eq '456789'", "languageVersion": 1}}
]"#;
    let v = evaluate(&config(text), &token("repo:my-org/my-repo:ref:refs/heads/dev"));
    assert_eq!(v.code, "AADSTS700213");
    assert!(v.trace.iter().any(|s| s.text.contains("AADSTS7002131") && s.text.contains("not documented")), "{v:#?}");
    // No flexible credential at all: both readings agree, no remark.
    let v = evaluate(&config(SEED_CLASSIC), &token("repo:my-org/my-repo:ref:refs/heads/dev"));
    assert_eq!(v.code, "AADSTS700213");
    assert!(v.trace.iter().all(|s| !s.text.contains("AADSTS7002131")), "{v:#?}");
}

#[test]
fn both_credential_name_rules_are_refusals() {
    // Z3 (federated-credential-configuration-considerations.md): the name has
    // "3-120 characters and must be URL friendly. Alphanumeric, dash, or
    // underscore characters are supported, the first character must be
    // alphanumeric only". Z4's errors table gives one 400 for all of it:
    // "Federated Identity Credential name '{ficName}' is invalid." So the two
    // rules agree: each is a creation-time refusal that stops evaluation
    // (such a credential cannot exist), quoting Entra's message.
    for name in ["gha main.prod", "ab", "-gha", "gha/prod", "gh\u{e4}"] {
        let text = format!(
            r#"[{{"name":"{name}","issuer":"{GH}","subject":"repo:o/r:environment:prod","audiences":["{AZ_AUD}"]}}]"#
        );
        let e = AzureConfig::from_text(&text).expect_err(name);
        assert!(e.is_refusal(), "{name}: {e:?}");
        assert!(e.message.contains("Federated Identity Credential name '"), "{name}: {}", e.message);
        assert!(e.render(&text).contains("creation-time rule: "), "{name}");
    }
    // The seed's names are fine.
    assert!(config(SEED_CLASSIC).diagnostics.is_empty());
}

#[test]
fn creation_rules_are_labelled_as_the_clouds() {
    use crate::diagnostic::Stage;
    // Z3/Z4: what Entra refuses to create is at the creation stage, with its
    // own message where Z4's errors table gives one; reading problems
    // (a type error, an unknown field) are Keyless's.
    let refused = [
        format!(r#"{{"name":"fic-1","issuer":"{GH}","subject":"s","audiences":["{AZ_AUD}","b"]}}"#),
        format!(r#"{{"name":"fic-1","subject":"s","audiences":["{AZ_AUD}"]}}"#),
        format!(r#"{{"name":"fic-1","issuer":"{GH}","audiences":["{AZ_AUD}"]}}"#),
    ];
    for text in &refused {
        let e = AzureConfig::from_text(text).expect_err(text);
        assert_eq!(e.stage, Stage::Creation, "{text}: {e:?}");
    }
    let e = AzureConfig::from_text(&refused[1]).expect_err("no issuer");
    assert!(e.message.contains("Federated Identity Credential from HTTP body has empty properties"), "{}", e.message);
    let item = |n: &str| {
        format!(r#"{{"name":"{n}","issuer":"{GH}","subject":"repo:o/r:environment:e","audiences":["{AZ_AUD}"]}}"#)
    };
    let e = AzureConfig::from_text(&format!("[{},{}]", item("one"), item("two"))).expect_err("duplicate");
    assert!(e.is_refusal());
    assert!(e.message.contains("Issuer and subject combination already exists"), "{}", e.message);
    let typed = format!(r#"{{"name":"fic-1","issuer":"{GH}","subject":"s","audiences":{{"a":1}}}}"#);
    assert_eq!(AzureConfig::from_text(&typed).expect_err("type").stage, Stage::Input);
    let unknown =
        format!(r#"{{"name":"fic-1","issuer":"{GH}","subject":"s","audiences":["{AZ_AUD}"],"audiances":["x"]}}"#);
    assert!(config(&unknown).diagnostics.iter().all(|d| d.stage == Stage::Input));
    // The Aug 2026 rule: Entra refuses a new one, an older one still works,
    // so a creation-stage warning and a verdict.
    let c = config(&format!(
        r#"{{"name":"fic","issuer":"{GH}","audiences":["{AZ_AUD}"],"claimsMatchingExpression":{{"value":"claims['sub'] eq 'repo:o/r:ref:refs/heads/main'","languageVersion":1}}}}"#
    ));
    let [d] = c.diagnostics.as_slice() else { panic!("{:?}", c.diagnostics) };
    assert_eq!((d.severity, d.stage), (Severity::Warning, Stage::Creation));
    assert!(evaluate(&c, &token("repo:o/r:ref:refs/heads/main")).allowed);
}

#[test]
fn matches_on_an_immutable_id_claim_is_a_labelled_possible_refusal() {
    use crate::diagnostic::Stage;
    // Z1's GitHub tab: "Claim `sub` supports operators `eq` and `matches`",
    // same for `job_workflow_ref`; Z2 requires `repository_id` or
    // `repository_owner_id` but lists no operators for them. `matches` there
    // is flagged with the ambiguity stated, and still evaluated.
    let text = format!(
        r#"{{"name":"fic","issuer":"{GH}","audiences":["{AZ_AUD}"],"claimsMatchingExpression":{{"value":"claims['sub'] matches 'repo:o/r:*' and claims['repository_owner_id'] matches '12*'","languageVersion":1}}}}"#
    );
    let c = config(&text);
    let [d] = c.diagnostics.as_slice() else { panic!("{:?}", c.diagnostics) };
    assert_eq!((d.severity, d.stage), (Severity::Warning, Stage::Creation));
    assert!(d.message.contains("without its operators (Z2)"), "{}", d.message);
    assert_eq!(spanned(&text, d.span), "matches");
    // `eq` on the id, `matches` on `sub` and `job_workflow_ref`: nothing to say.
    let fine = text.replace("'] matches '12*'", "'] eq '12'").replace(
        "'repo:o/r:*'",
        "'repo:o/r:*' and claims['job_workflow_ref'] matches 'o/r/.github/workflows/*@refs/heads/main'",
    );
    assert!(config(&fine).diagnostics.is_empty(), "{:?}", config(&fine).diagnostics);
}
