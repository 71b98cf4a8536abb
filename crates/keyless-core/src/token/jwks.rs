//! A JSON Web Key Set as a user pastes it (RFC 7517 §5): GitHub's
//! `https://token.actions.githubusercontent.com/.well-known/jwks`, a GHES or
//! enterprise issuer's, or one Keyless minted.

use super::decode::{MAX_TOKEN_BYTES, TokenError};
use crate::doc::{self, Node};
use crate::span::DocId;
use serde::Serialize;

/// GitHub's issuer on github.com (D-REF).
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// Where github.com publishes its keys (research github-oidc-tokens.md §1.3).
pub const GITHUB_JWKS_URL: &str = "https://token.actions.githubusercontent.com/.well-known/jwks";

/// One RSA public key (other key types are kept so that a `kid` lookup can
/// say what it found).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Jwk {
    pub kid: Option<String>,
    pub kty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Modulus and exponent, base64url (RSA keys).
    #[serde(skip)]
    pub n: Option<String>,
    #[serde(skip)]
    pub e: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

impl Jwks {
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }

    pub fn kids(&self) -> Vec<String> {
        self.keys.iter().filter_map(|k| k.kid.clone()).collect()
    }
}

/// Reads `{"keys": [...]}`; a single JWK object is accepted as a set of one.
pub fn parse(text: &str) -> Result<Jwks, TokenError> {
    if text.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::new(
            format!("the JWKS is {} bytes; the limit is {MAX_TOKEN_BYTES} bytes", text.len()),
            None,
            0,
            0,
        ));
    }
    let node = doc::parse_json(text, DocId::Scenario).map_err(|d| {
        let at = d.span.map_or(0, |s| s.start as usize);
        TokenError::new(format!("JWKS: {}", d.message), None, at, at + 1)
    })?;
    let at = |n: &Node| (n.span.start as usize, n.span.end as usize);
    let list: Vec<&Node> = match node.get("keys") {
        Some(keys) => match keys.items() {
            Some(items) => items.iter().collect(),
            None => {
                let (s, e) = at(keys);
                return Err(TokenError::new("JWKS: `keys` must be a list", None, s, e));
            }
        },
        None if node.get("kty").is_some() => vec![&node],
        None => {
            let (s, e) = at(&node);
            let hint = if node.get("jwks_uri").is_some() {
                " (this is the openid-configuration; open its jwks_uri and paste that)"
            } else {
                ""
            };
            return Err(TokenError::new(format!("JWKS: expected an object with `keys`{hint}"), None, s, e));
        }
    };
    let mut keys = Vec::new();
    for k in list {
        let field = |name: &str| k.get(name).and_then(Node::as_str).map(str::to_string);
        let Some(kty) = field("kty") else {
            let (s, e) = at(k);
            return Err(TokenError::new("JWKS: a key has no `kty`", None, s, e));
        };
        keys.push(Jwk { kid: field("kid"), kty, alg: field("alg"), n: field("n"), e: field("e") });
    }
    Ok(Jwks { keys })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sets_and_single_keys() {
        let s = parse(r#"{"keys":[{"kty":"RSA","kid":"A","alg":"RS256","n":"AQAB","e":"AQAB","use":"sig"}]}"#).unwrap();
        assert_eq!(s.kids(), vec!["A"]);
        assert!(s.find("A").is_some() && s.find("B").is_none());
        assert_eq!(parse(r#"{"kty":"RSA","kid":"B"}"#).unwrap().kids(), vec!["B"]);
        assert!(parse(r#"{"issuer":"x","jwks_uri":"y"}"#).unwrap_err().message.contains("openid-configuration"));
        assert!(parse(r#"{"keys":{}}"#).unwrap_err().message.contains("must be a list"));
        assert!(parse(r#"{"keys":[{"kid":"x"}]}"#).unwrap_err().message.contains("no `kty`"));
        assert!(parse("{").is_err());
    }
}
