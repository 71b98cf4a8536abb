//! The token lab end to end: GitHub's documented example token and the
//! seed's claims dump (tests/fixtures/tokens/README.md cites each), keys
//! generated here for every signature case, and mint → verify → evaluate
//! against the simulation for every fixture scenario.

// Minting and verifying need the `crypto` feature; a build without it
// (`--no-default-features`) has no token lab signatures to test.
#![cfg(feature = "crypto")]
// Test helpers outside #[test] functions panic on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

#[path = "../src/testutil.rs"]
mod testutil;

use keyless_core::clouds::Clouds;
use keyless_core::fixture::Fixture;
use keyless_core::scenario::Scenario;
use keyless_core::token::base64url;
use keyless_core::token::crypto::{self, SigningKey};
use keyless_core::token::diff::DiffKind;
use keyless_core::token::jwks;
use keyless_core::token::real;
use keyless_core::token::times::TimeStatus;
use keyless_core::token::{self, Form};
use keyless_core::{Claims, engine};
use std::path::PathBuf;
use std::sync::OnceLock;

fn fixtures() -> PathBuf {
    testutil::repo_root().join(testutil::FIXTURES)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixtures().join("tokens").join(name)).unwrap()
}

/// Two keys, generated once for the whole file (RSA generation is slow).
fn keys() -> &'static (SigningKey, SigningKey) {
    static KEYS: OnceLock<(SigningKey, SigningKey)> = OnceLock::new();
    KEYS.get_or_init(|| (SigningKey::generate().unwrap(), SigningKey::generate().unwrap()))
}

fn docs_claims() -> Claims {
    token::read(&read("github-docs-example.json")).unwrap().claims
}

const ISS: &str = "https://token.actions.githubusercontent.com";
/// Inside the docs example's lifetime (iat 1632493567).
const AT: i64 = 1_632_493_600;

fn jwks_of(key: &SigningKey) -> jwks::Jwks {
    jwks::parse(&key.jwks().to_string()).unwrap()
}

fn verify(jwt: &str, key: &SigningKey, at: i64) -> crypto::Verification {
    crypto::verify(&token::read(jwt).unwrap(), &jwks_of(key), ISS, at, 0)
}

fn failed(v: &crypto::Verification, check: &str) -> String {
    v.checks.iter().find(|c| c.name == check && !c.ok).map(|c| c.message.clone()).unwrap_or_else(|| {
        panic!("expected check `{check}` to fail: {:#?}", v.checks);
    })
}

#[test]
fn github_docs_example_decodes_with_githubs_types() {
    let header = read("github-docs-example.header.json");
    let claims = read("github-docs-example.json");
    // The page shows header and claims; put them together as GitHub sends them.
    let jwt = format!("{}.{}.c2lnbmF0dXJl", base64url::encode(header.as_bytes()), base64url::encode(claims.as_bytes()));
    let t = token::read(&jwt).unwrap();
    assert_eq!(t.form, Form::Jwt);
    let h = t.header.as_ref().unwrap();
    assert_eq!(
        (h.alg.as_str(), h.kid.as_deref(), h.x5t.as_deref()),
        ("RS256", Some("example-key-id"), Some("example-thumbprint"))
    );
    assert!(t.notes.is_empty(), "{:?}", t.notes);
    assert_eq!(t.claims.sub(), "repo:octo-org/octo-repo:environment:prod");
    let rows = token::types::rows(&t.claims);
    assert_eq!(rows.len(), 27);
    assert!(rows.iter().all(|r| r.type_ok), "{rows:#?}");
    // Times: valid at its own instant, expired now.
    let at_iat = token::times::check(&t.claims, AT, 0);
    assert!(at_iat.iter().all(|c| c.status == TimeStatus::Pass), "{at_iat:?}");
    let later = token::times::check(&t.claims, 1_800_000_000, 0);
    assert!(later.first().unwrap().message.starts_with("expired: exp 2021-09-24T14:31:07Z"), "{later:?}");
}

#[test]
fn seed_claims_dump_is_read_as_claims_and_diffed() {
    let dump = token::read(&read("seed-claims-dump.json")).unwrap();
    assert_eq!(dump.form, Form::Claims);
    assert!(dump.header.is_none());
    let none = token::read(&read("seed-claims-dump-no-environment.json")).unwrap();
    assert!(none.claims.get("environment").is_none());
    assert!(none.notes.iter().any(|n| n.contains("jq prints null")));
    // Against the seed's "classic mistake" scenario: the dump explains the
    // reusable workflow the scenario does not call.
    let text = std::fs::read_to_string(fixtures().join("aws-environment-drift.yaml")).unwrap();
    let fx = Fixture::parse(&text).unwrap();
    let scenario = Scenario::from_node(&fx.cases.first().unwrap().scenario).unwrap();
    let report = engine::evaluate(&scenario);
    let ev = real::evaluate(&scenario, &report, &dump, None, AT, &Clouds::ALL);
    assert_eq!(ev.job.as_ref().unwrap().job, "deploy-prod");
    assert!(ev.job.as_ref().unwrap().reason.contains("sub"), "{:?}", ev.job);
    // Same sub: AWS denies both (the policy pins main).
    let cloud = keyless_core::Cloud::Aws;
    assert_eq!(ev.verdicts[&cloud].code, "AccessDenied");
    assert_eq!(ev.simulated[&cloud].code, "AccessDenied");
    // The dump has six claims; the others (iss first) come from the job.
    assert!(ev.filled_from_simulation.iter().any(|c| c == "iss"), "{:?}", ev.filled_from_simulation);
    assert!(!ev.filled_from_simulation.iter().any(|c| c == "sub"));
    // aud is the login step's audience: the same.
    assert!(ev.diff.iter().any(|d| d.claim == "aud" && d.kind == DiffKind::Same));
    assert!(ev.diff.iter().any(|d| d.claim == "job_workflow_ref" && d.kind == DiffKind::Differs));
    assert!(ev.explanations.iter().any(|e| e.contains("reusable workflow")), "{:?}", ev.explanations);
    // The branch-form dump is the job without its environment.
    let ev = real::evaluate(&scenario, &report, &none, None, AT, &Clouds::ALL);
    assert!(
        ev.explanations.iter().any(|e| e.contains("the simulated job runs in environment `prod`")),
        "{:?}",
        ev.explanations
    );
    assert_eq!(ev.verdicts[&cloud].code, "allowed", "{:?}", ev.verdicts[&cloud]);
}

#[test]
fn signatures_valid_tampered_wrong_key_unknown_kid() {
    let (key, other) = keys();
    let minted = crypto::mint(&docs_claims(), key).unwrap();
    assert!(minted.kid.starts_with("keyless-sample-"));
    let ok = verify(&minted.jwt, key, AT);
    assert!(ok.valid, "{:#?}", ok.checks);
    assert!(
        ok.checks
            .iter()
            .any(|c| c.name == "signature" && c.message.starts_with("signature verified with key `keyless-sample-"))
    );

    let parts: Vec<&str> = minted.jwt.split('.').collect();
    let (h, p, s) = (parts[0], parts[1], parts[2]);
    // Tampered payload: another sub, same signature.
    let forged =
        String::from_utf8(base64url::decode(p).unwrap()).unwrap().replace("environment:prod", "environment:dev");
    let v = verify(&format!("{h}.{}.{s}", base64url::encode(forged.as_bytes())), key, AT);
    assert!(failed(&v, "signature").starts_with("the signature does not match key"));
    // Tampered header: a changed typ changes the signed bytes.
    let hdr = String::from_utf8(base64url::decode(h).unwrap()).unwrap().replace("\"JWT\"", "\"jwt\"");
    let v = verify(&format!("{}.{p}.{s}", base64url::encode(hdr.as_bytes())), key, AT);
    assert!(failed(&v, "signature").starts_with("the signature does not match key"));
    // Wrong key: the other key's JWKS, under the same kid.
    let mut wrong = other.jwks();
    wrong["keys"][0]["kid"] = serde_json::json!(key.kid);
    let v = crypto::verify(&token::read(&minted.jwt).unwrap(), &jwks::parse(&wrong.to_string()).unwrap(), ISS, AT, 0);
    assert!(failed(&v, "signature").contains("another key signed it"));
    // Unknown kid.
    let v = verify(&minted.jwt, other, AT);
    assert_eq!(
        failed(&v, "key"),
        format!("unknown kid `{}`: no key in the JWKS has it (it has: {})", key.kid, other.kid)
    );
    assert_eq!(v.reason(), Some(failed(&v, "key").as_str()));
}

#[test]
fn refused_algorithms_issuer_and_times() {
    let (key, _) = keys();
    let claims = base64url::encode(read("github-docs-example.json").as_bytes());
    let header = |alg: &str| {
        base64url::encode(format!("{{\"alg\":\"{alg}\",\"typ\":\"JWT\",\"kid\":\"{}\"}}", key.kid).as_bytes())
    };
    // alg none: no signature at all.
    let v = verify(&format!("{}.{claims}.", header("none")), key, AT);
    assert_eq!(failed(&v, "algorithm"), "alg `none` (an unsigned token) is refused: GitHub signs with RS256 only");
    assert_eq!(failed(&v, "signature"), "not checked: the algorithm or the key was refused");
    // HS256 confusion: an HMAC over the token with the public key's bytes as
    // the secret is what a confused verifier would accept.
    let v = verify(&format!("{}.{claims}.AAAA", header("HS256")), key, AT);
    assert!(failed(&v, "algorithm").starts_with("alg `HS256` with an RSA key is refused"), "{v:?}");
    let v = verify(&format!("{}.{claims}.AAAA", header("ES256")), key, AT);
    assert!(failed(&v, "algorithm").contains("RS256 only"));
    // Wrong iss for the JWKS.
    let mut c = docs_claims();
    c.set("iss", "https://evil.example.com");
    let v = verify(&crypto::mint(&c, key).unwrap().jwt, key, AT);
    assert!(failed(&v, "issuer").starts_with("wrong iss `https://evil.example.com` for this JWKS"));
    assert!(v.checks.iter().any(|c| c.name == "signature" && c.ok));
    // Expired and not yet valid.
    let jwt = crypto::mint(&docs_claims(), key).unwrap().jwt;
    let v = verify(&jwt, key, 1_632_493_867);
    assert!(failed(&v, "exp").starts_with("expired: exp 2021-09-24T14:31:07Z is 0 s before"));
    let v = verify(&jwt, key, 1_632_492_000);
    assert!(failed(&v, "nbf").starts_with("not yet valid: nbf 2021-09-24T14:16:07Z is"));
    // Claims alone cannot be verified.
    let v = crypto::verify(&token::read(&read("seed-claims-dump.json")).unwrap(), &jwks_of(key), ISS, AT, 0);
    assert!(!v.valid && v.reason().unwrap().contains("paste the whole JWT"));
}

#[test]
fn keys_round_trip_through_pem() {
    let (key, _) = keys();
    let again = SigningKey::from_pem(&key.private_pem()).unwrap();
    assert_eq!(again.kid, key.kid);
    assert_eq!(again.jwks(), key.jwks());
    assert!(
        SigningKey::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
            .unwrap_err()
            .contains("not an RSA private key")
    );
    assert!(SigningKey::from_pem("hello").is_err());
}

/// mint → verify → evaluate gives the simulation's verdicts, for every
/// job of every fixture scenario and variant, for every configured cloud.
#[test]
fn round_trip_matches_the_simulation_for_every_fixture() {
    let (key, _) = keys();
    let mut compared = 0;
    for (_, text) in testutil::corpus(testutil::FIXTURES) {
        let fx = Fixture::parse(&text).unwrap();
        for case in &fx.cases {
            let scenario = Scenario::from_node(&case.scenario).unwrap();
            let report = engine::evaluate(&scenario);
            for job in report.jobs.iter().filter(|j| j.token.issued) {
                for (cloud, simulated) in &job.verdicts {
                    if simulated.code == "undetermined" {
                        continue;
                    }
                    let claims = real::job_claims(job, Some(*cloud));
                    let minted = crypto::mint(&claims, key).unwrap();
                    let t = token::read(&minted.jwt).unwrap();
                    let iss = claims.iss();
                    let at = scenario.options.issued_at;
                    let v = crypto::verify(&t, &jwks::parse(&minted.jwks.to_string()).unwrap(), &iss, at, 0);
                    assert!(v.valid, "{} / {} / {}: {:?}", fx.id, case.name, job.job, v.reason());
                    assert_eq!(t.claims, claims);
                    let ev = real::evaluate(&scenario, &report, &t, Some(&job.job), at, &Clouds::ALL);
                    let got = &ev.verdicts[cloud];
                    let what = format!("{} / {} / {} / {cloud:?}", fx.id, case.name, job.job);
                    assert_eq!(
                        (got.allowed, &got.code, &got.decided_by),
                        (simulated.allowed, &simulated.code, &simulated.decided_by),
                        "{what}"
                    );
                    assert_eq!(got.message, simulated.message, "{what}");
                    // Nothing but per-run claims differ from the job's own token.
                    let real_diffs: Vec<_> =
                        ev.diff.iter().filter(|d| d.kind != DiffKind::Same && !d.per_run).collect();
                    assert!(real_diffs.is_empty(), "{what}: {real_diffs:?}");
                    compared += 1;
                }
            }
        }
    }
    assert!(compared >= 20, "compared only {compared} verdicts");
}
