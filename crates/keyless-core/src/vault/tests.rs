//! Vault's rules, each against its source (V1 the plugin's code @2e68bba,
//! V4 hashicorp/cap `jwt.go`).

use super::*;
use crate::claims::Claims;

fn claims(sub: &str, aud: &str) -> Claims {
    let mut c = Claims::new();
    c.set("iss", "https://token.actions.githubusercontent.com");
    c.set("aud", aud);
    c.set("sub", sub);
    c.set("repository", "my-org/my-repo");
    c.set("repository_owner", "my-org");
    c.set("repository_id", "123456");
    c.set("ref", "refs/heads/main");
    c.set("actor", "octocat");
    c.set_num("iat", 1_700_000_000);
    c
}

const MAIN: &str = "repo:my-org/my-repo:ref:refs/heads/main";

fn role(json: &str) -> VaultConfig {
    match VaultConfig::from_text(json) {
        Ok(c) => c,
        Err(d) => panic!("{}", d.message),
    }
}

fn refused(json: &str) -> String {
    match VaultConfig::from_text(json) {
        Ok(_) => panic!("Vault would refuse to write this role"),
        Err(d) => d.message,
    }
}

/// GitHub's guide (V2) with the audience PR #295 (V1) makes necessary.
const GUIDE: &str = r#"{"role_type": "jwt", "user_claim": "actor", "bound_audiences": ["https://github.com/my-org"],
  "bound_claims": {"repository": "my-org/my-repo", "ref": "refs/heads/main"}, "policies": ["ci"], "ttl": "10m"}"#;

#[test]
fn the_guides_role_admits_main_and_refuses_another_branch() {
    let c = role(GUIDE);
    let v = evaluate(&c, &claims(MAIN, "https://github.com/my-org"));
    assert!(v.allowed, "{:?}", v.trace);
    let mut other = claims("repo:my-org/my-repo:ref:refs/heads/dev", "https://github.com/my-org");
    other.set("ref", "refs/heads/dev");
    let v = evaluate(&c, &other);
    assert_eq!((v.allowed, v.code.as_str()), (false, "400"));
    assert_eq!(v.message, "error validating claims: claim \"ref\" does not match any associated bound claim values");
}

#[test]
fn a_role_without_audiences_refuses_every_github_token() {
    // V1 path_login.go (PR #295): GitHub tokens always carry `aud`.
    let c = role(
        r#"{"role_type": "jwt", "user_claim": "actor", "bound_subject": "repo:my-org/my-repo:ref:refs/heads/main"}"#,
    );
    let v = evaluate(&c, &claims(MAIN, "https://github.com/my-org"));
    assert!(!v.allowed);
    assert_eq!(v.message, "audience claim found in JWT but no audiences bound to the role");
}

#[test]
fn subject_issuer_and_audience_use_caps_messages_in_its_order() {
    // V4 jwt.Validate: issuer, then subject, then audience.
    let c = role(
        r#"{"role": {"role_type": "jwt", "user_claim": "sub", "bound_subject": "repo:my-org/my-repo:ref:refs/heads/main",
            "bound_audiences": "vault, sigstore"},
           "config": {"bound_issuer": "https://token.actions.githubusercontent.com"}}"#,
    );
    assert_eq!(c.role.bound_audiences.iter().map(|a| a.value.as_str()).collect::<Vec<_>>(), ["vault", "sigstore"]);
    assert!(evaluate(&c, &claims(MAIN, "sigstore")).allowed);
    let v = evaluate(&c, &claims(MAIN, "https://github.com/my-org"));
    assert_eq!(
        v.message,
        "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience"
    );
    let v = evaluate(&c, &claims("repo:My-Org/my-repo:ref:refs/heads/main", "other"));
    assert_eq!(v.message, "error validating token: invalid subject (sub) claim", "exact, case-sensitive, before aud");
    let mut enterprise = claims(MAIN, "vault");
    enterprise.set("iss", "https://token.actions.githubusercontent.com/my-enterprise");
    assert_eq!(evaluate(&c, &enterprise).message, "error validating token: invalid issuer (iss) claim");
}

#[test]
fn glob_is_star_only_and_crosses_slashes_string_is_literal() {
    // V1 claims.go: go-glob in `glob` mode, typed equality in `string` mode.
    let glob = r#"{"role_type": "jwt", "user_claim": "actor", "bound_audiences": "vault", "bound_claims_type": "glob",
        "bound_claims": {"sub": "repo:my-org/*"}}"#;
    assert!(evaluate(&role(glob), &claims(MAIN, "vault")).allowed, "`*` crosses `/` and `:`");
    let question = glob.replace("repo:my-org/*", "repo:my-org/my-rep?:*");
    assert!(!evaluate(&role(&question), &claims(MAIN, "vault")).allowed, "`?` is literal in go-glob");
    let literal = glob.replace(r#""bound_claims_type": "glob","#, "");
    let v = evaluate(&role(&literal), &claims(MAIN, "vault"));
    assert!(!v.allowed);
    assert!(v.trace.iter().any(|s| s.text.contains("`*` is literal unless")), "{:?}", v.trace);
}

#[test]
fn a_number_never_equals_githubs_string_claims() {
    // V1 matchFound: `actVal != expVal` compares Go types; repository_id is a string claim.
    let c = role(
        r#"{"role_type": "jwt", "user_claim": "actor", "bound_audiences": "vault", "bound_claims": {"repository_id": 123456}}"#,
    );
    assert!(!evaluate(&c, &claims(MAIN, "vault")).allowed);
    let quoted = role(
        r#"{"role_type": "jwt", "user_claim": "actor", "bound_audiences": "vault", "bound_claims": {"repository_id": ["1", "123456"]}}"#,
    );
    assert!(evaluate(&quoted, &claims(MAIN, "vault")).allowed, "a list is an OR");
}

#[test]
fn missing_claims_user_claim_and_mappings_use_the_plugins_words() {
    let base = r#"{"role_type": "jwt", "user_claim": "USER", "bound_audiences": "vault", "bound_claims": {"environment": "prod"}}"#;
    let v = evaluate(&role(&base.replace("USER", "actor")), &claims(MAIN, "vault"));
    assert_eq!(v.message, "error validating claims: claim \"environment\" is missing");
    let v = evaluate(&role(&base.replace("USER", "email")), &claims(MAIN, "vault"));
    assert_eq!(v.message, "claim \"email\" not found in token");
    let v = evaluate(&role(&base.replace("USER", "iat")), &claims(MAIN, "vault"));
    assert_eq!(v.message, "claim \"iat\" could not be converted to string");
    let mapped = r#"{"role_type": "jwt", "user_claim": "/actor", "user_claim_json_pointer": true, "bound_audiences": "vault",
        "claim_mappings": {"iat": "issued"}}"#;
    let v = evaluate(&role(mapped), &claims(MAIN, "vault"));
    assert_eq!(v.message, "error converting claim 'iat' to string");
}

#[test]
fn vault_read_output_is_read_through_its_data_envelope() {
    let out = r#"{"request_id": "7a1b", "lease_id": "", "lease_duration": 0, "renewable": false, "warnings": null,
      "data": {"role_type": "jwt", "user_claim": "actor", "bound_audiences": ["vault"], "bound_claims_type": "string",
        "bound_claims": {"repository": "my-org/my-repo"}, "bound_subject": "", "claim_mappings": null,
        "token_policies": ["ci"], "token_bound_cidrs": [], "token_ttl": 600, "expiration_leeway": 150}}"#;
    let c = role(out);
    assert!(c.role.bound_subject.is_none(), "an empty bound_subject binds nothing");
    assert!(evaluate(&c, &claims(MAIN, "vault")).allowed);
}

#[test]
fn roles_vault_refuses_to_write_are_located_errors_in_its_words() {
    // V1 path_role.go pathRoleCreateUpdate.
    assert_eq!(
        refused(r#"{"role_type": "jwt", "user_claim": "actor"}"#),
        "must have at least one bound constraint when creating/updating a role"
    );
    assert_eq!(
        refused(r#"{"role_type": "jwt", "bound_audiences": "vault"}"#),
        "a user claim must be defined on the role"
    );
    assert_eq!(
        refused(r#"{"user_claim": "actor", "bound_audiences": "vault"}"#),
        "'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified."
    );
    assert_eq!(refused(r#"{"role_type": "JWT", "user_claim": "a"}"#), "invalid 'role_type': JWT");
    assert_eq!(
        refused(r#"{"role_type": "jwt", "user_claim": "a", "bound_claims_type": "regex", "bound_audiences": "v"}"#),
        "invalid 'bound_claims_type': regex"
    );
    assert_eq!(
        refused(r#"{"role_type": "jwt", "user_claim": "a", "bound_claims_type": "glob", "bound_claims": {"x": 1}}"#),
        "claim is not a string: 1"
    );
    assert_eq!(
        refused(r#"{"role_type": "jwt", "user_claim": "a", "bound_audiences": "v", "claim_mappings": {"x": "role"}}"#),
        "metadata key \"role\" is reserved and may not be a mapping destination"
    );
    let text = r#"{"role_type": "jwt", "user_claim": "a", "bound_audiences": "v", "claims_mappings": {}}"#;
    let d = VaultConfig::from_text(text).err().map(|d| (d.message, d.span.map(|s| s.start as usize)));
    let at = text.find("\"claims_mappings\"");
    assert_eq!(
        d,
        Some(("unknown field `claims_mappings` in the Vault role (did you mean `claim_mappings`?)".into(), at))
    );
}

#[test]
fn oidc_roles_are_refused_at_login_and_cidrs_are_undetermined() {
    let oidc = role(
        r#"{"role_type": "oidc", "user_claim": "sub", "allowed_redirect_uris": ["https://vault/ui"], "bound_audiences": "v"}"#,
    );
    assert_eq!(evaluate(&oidc, &claims(MAIN, "v")).message, "role with oidc role_type is not allowed");
    let cidr = role(r#"{"role_type": "jwt", "user_claim": "sub", "token_bound_cidrs": ["10.0.0.0/8"]}"#);
    let v = evaluate(&cidr, &claims(MAIN, "v"));
    assert!(v.is_undetermined() && v.decided_by == "token_bound_cidrs", "{v:?}");
}

/// A comma-separated list (`TypeCommaStringSlice`) locates each item at its
/// bytes when the string is written verbatim, plain or quoted, and at the
/// whole string when it is folded over lines (its bytes are not its value).
#[test]
fn comma_list_items_are_located_at_their_bytes_only_when_verbatim() {
    let at = |text: &str| -> Vec<String> {
        let c = role(text);
        c.role
            .bound_audiences
            .iter()
            .map(|a| text.get(a.span.start as usize..a.span.end as usize).unwrap_or("?").to_string())
            .collect()
    };
    let plain = "role_type: jwt\nuser_claim: actor\nbound_audiences: é, vault\n";
    assert_eq!(at(plain), ["é", "vault"]);
    let quoted = "role_type: jwt\nuser_claim: actor\nbound_audiences: 'é, vault'\n";
    assert_eq!(at(quoted), ["é", "vault"]);
    let folded = "role_type: jwt\nuser_claim: actor\nbound_audiences: é,\n  vault\n";
    assert_eq!(at(folded), ["é,\n  vault", "é,\n  vault"]);
}
