//! Signatures: verify a token against a pasted JWKS the way a relying party
//! does, and mint sample tokens with a fresh RS256 key. `jsonwebtoken` with
//! its RustCrypto backend (`rsa`, `sha2`): pure Rust, builds for
//! wasm32-unknown-unknown; the playground loads it in a lazy chunk
//! (docs/size.md "Token lab").
//!
//! GitHub signs with RS256 only (`id_token_signing_alg_values_supported:
//! [RS256]`, research github-oidc-tokens.md §1.2–1.3); everything else is
//! refused with the reason a relying party has.

use super::decode::{Form, RealToken};
use super::jwks::Jwks;
use super::times::{self, TimeStatus};
use crate::claims::Claims;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{Generate, PrivateKey};
use serde::Serialize;

/// One check of a verification, in the order a relying party makes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `algorithm`, `key`, `signature`, `issuer`, `exp`, `nbf`, `iat`.
    pub name: &'static str,
    pub ok: bool,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Every check passed.
    pub valid: bool,
    pub checks: Vec<Check>,
}

impl Verification {
    /// The first failed check's message.
    pub fn reason(&self) -> Option<&str> {
        self.checks.iter().find(|c| !c.ok).map(|c| c.message.as_str())
    }
}

/// Verifies `token` against `jwks`, whose issuer is `issuer`, at `at`
/// (seconds since the epoch) with `skew` seconds of clock skew.
pub fn verify(token: &RealToken, jwks: &Jwks, issuer: &str, at: i64, skew: i64) -> Verification {
    let mut checks = Vec::new();
    let mut push = |name: &'static str, ok: bool, message: String| checks.push(Check { name, ok, message });
    let header = match (&token.form, &token.header) {
        (Form::Jwt, Some(h)) => h,
        _ => {
            push("signature", false, "claims alone carry no signature: paste the whole JWT to verify it".into());
            return Verification { valid: false, checks };
        }
    };
    let alg_ok = header.alg == "RS256";
    let alg_msg = match header.alg.as_str() {
        "RS256" => "RS256, as GitHub signs".to_string(),
        a if a.eq_ignore_ascii_case("none") => {
            "alg `none` (an unsigned token) is refused: GitHub signs with RS256 only".to_string()
        }
        a if a.starts_with("HS") => format!(
            "alg `{a}` with an RSA key is refused: a verifier that used the public key as an HMAC secret would accept a forged token (algorithm confusion); GitHub signs with RS256 only"
        ),
        a => format!("alg `{a}` is refused: GitHub signs with RS256 only (id_token_signing_alg_values_supported)"),
    };
    push("algorithm", alg_ok, alg_msg);
    let key = match header.kid.as_deref() {
        None => {
            push("key", false, "the header has no `kid`: GitHub's tokens name the key that signed them".into());
            None
        }
        Some(kid) => match jwks.find(kid) {
            None => {
                let have = jwks.kids();
                let have = if have.is_empty() { "none".to_string() } else { have.join(", ") };
                push("key", false, format!("unknown kid `{kid}`: no key in the JWKS has it (it has: {have})"));
                None
            }
            Some(k) if k.kty != "RSA" => {
                push("key", false, format!("key `{kid}` is a `{}` key, not RSA", k.kty));
                None
            }
            Some(k) => match (&k.n, &k.e) {
                (Some(n), Some(e)) => match DecodingKey::from_rsa_components(n, e) {
                    Ok(dk) => {
                        push("key", true, format!("key `{kid}` found in the JWKS"));
                        Some((kid, dk))
                    }
                    Err(err) => {
                        push("key", false, format!("key `{kid}` is not a valid RSA key: {err}"));
                        None
                    }
                },
                _ => {
                    push("key", false, format!("key `{kid}` has no `n` and `e`"));
                    None
                }
            },
        },
    };
    match (alg_ok, key) {
        (true, Some((kid, dk))) => {
            let ok =
                jsonwebtoken::crypto::verify(&token.signature, token.signing_input.as_bytes(), &dk, Algorithm::RS256)
                    .unwrap_or(false);
            let msg = if ok {
                format!("signature verified with key `{kid}`")
            } else {
                format!(
                    "the signature does not match key `{kid}`: the header or the claims were changed after signing, or another key signed it"
                )
            };
            push("signature", ok, msg);
        }
        _ => push("signature", false, "not checked: the algorithm or the key was refused".into()),
    }
    let iss = token.claims.iss();
    if iss == issuer {
        push("issuer", true, format!("iss is the JWKS's issuer `{issuer}`"));
    } else {
        push(
            "issuer",
            false,
            format!(
                "wrong iss `{iss}` for this JWKS (issuer `{issuer}`): a relying party takes keys from the token's issuer, so these keys cannot vouch for it"
            ),
        );
    }
    for t in times::check(&token.claims, at, skew) {
        match t.status {
            TimeStatus::Absent => push(t.claim, false, format!("{}: GitHub's tokens always carry it", t.message)),
            s => push(t.claim, s == TimeStatus::Pass, t.message),
        }
    }
    let valid = checks.iter().all(|c| c.ok);
    Verification { valid, checks }
}

/// An RS256 signing key. Never persisted by Keyless: the CLI writes it only
/// where `--key-out` says, the playground keeps it in memory.
#[derive(Clone)]
pub struct SigningKey {
    /// PKCS#1 DER of the private key.
    der: Vec<u8>,
    /// Modulus and exponent, base64url.
    n: String,
    e: String,
    pub kid: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey {{ kid: {:?} }}", self.kid)
    }
}

impl SigningKey {
    /// A fresh key from the operating system's (or browser's) RNG. Size:
    /// `rsa`'s default, 3072 bits (GitHub's keys are 2048; any RS256 key
    /// of 2048 bits or more verifies the same way).
    pub fn generate() -> Result<SigningKey, String> {
        let key = PrivateKey::try_generate().map_err(|e| format!("cannot generate an RSA key: {e:?}"))?;
        SigningKey::from_private(&key)
    }

    /// A PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`) PEM.
    pub fn from_pem(text: &str) -> Result<SigningKey, String> {
        let (label, body) = pem_body(text)?;
        let der = super::base64url::decode_standard(&body)
            .map_err(|e| format!("the PEM body is not base64: {}", e.message))?;
        let key = match label.as_str() {
            "RSA PRIVATE KEY" => PrivateKey::from_pkcs1_der(&der).map_err(|e| format!("not a PKCS#1 RSA key: {e}"))?,
            "PRIVATE KEY" => PrivateKey::from_pkcs8_der(&der).map_err(|e| format!("not a PKCS#8 RSA key: {e}"))?,
            other => {
                return Err(format!(
                    "a `{other}` PEM is not an RSA private key (expected BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)"
                ));
            }
        };
        SigningKey::from_private(&key)
    }

    fn from_private(key: &PrivateKey) -> Result<SigningKey, String> {
        let der = key.to_pkcs1_der().map_err(|e| format!("cannot encode the key: {e}"))?.as_bytes().to_vec();
        let n = super::base64url::encode(&key.n_bytes());
        let e = super::base64url::encode(&key.e_bytes());
        // RFC 7638 thumbprint: the same key always gets the same kid; the
        // prefix says whose it is.
        let jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&EncodingKey::from_rsa_der(&der), Algorithm::RS256)
            .map_err(|e| e.to_string())?;
        let thumb = jwk.thumbprint(jsonwebtoken::jwk::ThumbprintHash::SHA256).map_err(|e| e.to_string())?;
        Ok(SigningKey { der, n, e, kid: format!("keyless-sample-{}", thumb.chars().take(16).collect::<String>()) })
    }

    /// The public key as a JWKS, as an issuer publishes it.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [{
            "kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid, "n": self.n, "e": self.e,
        }]})
    }

    /// The private key as a PKCS#1 PEM (for `keyless token mint --key`).
    pub fn private_pem(&self) -> String {
        let b64: String = super::base64url::encode(&self.der)
            .chars()
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                c => c,
            })
            .collect();
        let pad = "=".repeat((4 - b64.len() % 4) % 4);
        let all = format!("{b64}{pad}");
        let lines: Vec<String> = all.as_bytes().chunks(64).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n", lines.join("\n"))
    }
}

fn pem_body(text: &str) -> Result<(String, String), String> {
    let begin = text.find("-----BEGIN ").ok_or("not a PEM: no `-----BEGIN` line")?;
    let rest = text.get(begin + 11..).unwrap_or_default();
    let (label, after) = rest.split_once("-----").ok_or("not a PEM: the BEGIN line is not closed")?;
    let end = after.find("-----END ").ok_or("not a PEM: no `-----END` line")?;
    Ok((label.to_string(), after.get(..end).unwrap_or_default().to_string()))
}

/// A minted sample token and what a verifier needs to check it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Minted {
    pub jwt: String,
    pub jwks: serde_json::Value,
    pub openid_configuration: serde_json::Value,
    pub kid: String,
}

/// Signs `claims` (a simulated job's, `iss` included) with `key`. The
/// token is labelled as not GitHub's by its `kid` (`keyless-sample-…`);
/// the claims are the simulation's so that a verifier or STS mock sees
/// what GitHub would send.
pub fn mint(claims: &Claims, key: &SigningKey) -> Result<Minted, String> {
    let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
    header.kid = Some(key.kid.clone());
    let jwt = jsonwebtoken::encode(&header, claims, &EncodingKey::from_rsa_der(&key.der)).map_err(|e| e.to_string())?;
    let iss = claims.iss();
    let names: Vec<&str> = claims.iter().map(|(k, _)| k).collect();
    // The shape of github.com's discovery document (research §1.3).
    let openid_configuration = serde_json::json!({
        "issuer": iss,
        "jwks_uri": format!("{}/.well-known/jwks", iss.trim_end_matches('/')),
        "subject_types_supported": ["public", "pairwise"],
        "response_types_supported": ["id_token"],
        "claims_supported": names,
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid"],
    });
    Ok(Minted { jwt, jwks: key.jwks(), openid_configuration, kid: key.kid.clone() })
}
