//! Reading what a user pastes: a whole JWT, the token endpoint's response
//! (`{"value": "<jwt>"}`), or a claims object (the seed's claims-dump step
//! prints `{sub, aud, repository, ref, environment, job_workflow_ref}`).
//! Every error names the segment and the byte offset in the pasted text.

use super::base64url;
use crate::claims::Claims;
use crate::doc::{self, Node, Value};
use crate::span::DocId;
use serde::Serialize;
use std::fmt;

/// Pasted text larger than this is refused before any decoding. A GitHub
/// token is about 1.2 KB (~30 claims); a JWKS a few KB.
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// The three parts of a JWS compact serialization (RFC 7515 §7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    Header,
    Payload,
    Signature,
}

impl Segment {
    pub fn describe(self) -> &'static str {
        match self {
            Segment::Header => "header (segment 1)",
            Segment::Payload => "payload (segment 2)",
            Segment::Signature => "signature (segment 3)",
        }
    }
}

/// Why the pasted text is not a token: the segment and the byte range in
/// the pasted text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenError {
    pub message: String,
    pub segment: Option<Segment>,
    pub start: usize,
    pub end: usize,
}

impl TokenError {
    pub fn new(message: impl Into<String>, segment: Option<Segment>, start: usize, end: usize) -> TokenError {
        TokenError { message: message.into(), segment, start, end: end.max(start) }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.segment {
            Some(s) => write!(f, "{}, byte {}: {}", s.describe(), self.start, self.message),
            None => write!(f, "byte {}: {}", self.start, self.message),
        }
    }
}

impl std::error::Error for TokenError {}

/// The JOSE header fields a relying party looks at (research
/// github-oidc-tokens.md §1.2: `{"typ":"JWT","alg":"RS256","x5t":…,"kid":…}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Header {
    pub alg: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x5t: Option<String>,
}

/// What was pasted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// A signed JWT: header, claims and signature.
    Jwt,
    /// Claims only (a claims dump): nothing to verify.
    Claims,
}

/// A decoded token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RealToken {
    pub form: Form,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<Header>,
    pub claims: Claims,
    /// Values read in a type GitHub does not send them in, claims a claims
    /// dump printed as `null`, duplicates: what the user should know.
    pub notes: Vec<String>,
    /// Claims given as `null`: the token does not have them (a claims dump
    /// says so for a missing key).
    pub null_claims: Vec<String>,
    /// `header.payload` as pasted: what the signature covers.
    #[serde(skip)]
    pub signing_input: String,
    /// The signature segment (base64url) as pasted.
    #[serde(skip)]
    pub signature: String,
}

/// Reads a JWT, a token response or a claims object.
pub fn read(text: &str) -> Result<RealToken, TokenError> {
    if text.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::new(
            format!("the pasted text is {} bytes; a token is at most {MAX_TOKEN_BYTES} bytes", text.len()),
            None,
            0,
            0,
        ));
    }
    let lead = text.len() - text.trim_start().len();
    let body = text.trim();
    if body.is_empty() {
        return Err(TokenError::new("nothing to read: paste a JWT or its claims JSON", None, 0, 0));
    }
    if body.starts_with('{') {
        let node = json(body, lead, None)?;
        // The token endpoint's response: {"value": "<jwt>", "count": …} (research §1.1).
        if node.get("sub").is_none()
            && let Some(v) = node.get("value")
            && let Some(jwt) = v.as_str()
        {
            return read_jwt(jwt, lead + v.span.start as usize + 1);
        }
        let (claims, notes, null_claims) = claims_from(&node, lead, None)?;
        return Ok(RealToken {
            form: Form::Claims,
            header: None,
            claims,
            notes,
            null_claims,
            signing_input: String::new(),
            signature: String::new(),
        });
    }
    read_jwt(body, lead)
}

/// `base` is the byte offset of `jwt` in the pasted text.
fn read_jwt(jwt: &str, base: usize) -> Result<RealToken, TokenError> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [h, p, s] = parts.as_slice() else {
        let n = parts.len();
        let hint = match n {
            1 => " (no `.` at all: is this the token, or something else?)",
            5 => " (five segments is an encrypted JWE; GitHub's tokens are signed JWS)",
            _ => "",
        };
        return Err(TokenError::new(
            format!("a JWT has 3 segments separated by `.` (header.payload.signature); this has {n}{hint}"),
            None,
            base,
            base + jwt.len(),
        ));
    };
    let h_at = base;
    let p_at = h_at + h.len() + 1;
    let s_at = p_at + p.len() + 1;
    let header_node = segment_json(h, h_at, Segment::Header)?;
    let payload_node = segment_json(p, p_at, Segment::Payload)?;
    if let Err(e) = base64url::decode(s) {
        return Err(base64_error(e, s, Segment::Signature, s_at));
    }
    let header = header_from(&header_node, h_at)?;
    let (claims, notes, null_claims) = claims_from(&payload_node, p_at, Some(Segment::Payload))?;
    Ok(RealToken {
        form: Form::Jwt,
        header: Some(header),
        claims,
        notes,
        null_claims,
        signing_input: format!("{h}.{p}"),
        signature: (*s).to_string(),
    })
}

fn segment_json(seg: &str, at: usize, which: Segment) -> Result<Node, TokenError> {
    if seg.is_empty() {
        return Err(TokenError::new("the segment is empty", Some(which), at, at));
    }
    let bytes = base64url::decode(seg).map_err(|e| base64_error(e, seg, which, at))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        TokenError::new(
            format!("decodes to bytes that are not UTF-8 (at decoded byte {})", e.utf8_error().valid_up_to()),
            Some(which),
            at,
            at + seg.len(),
        )
    })?;
    // Offsets inside decoded JSON do not map to one pasted byte: the error
    // covers the segment and says where in the decoded JSON it is.
    json(&text, at, Some((which, seg.len())))
}

/// A base64url error located on the whole character it found (a pasted
/// `é` is two bytes, and a range must not cut it), named as a character.
fn base64_error(e: base64url::Base64Error, seg: &str, which: Segment, at: usize) -> TokenError {
    match seg.get(e.offset..).and_then(|rest| rest.chars().next()) {
        Some(c) if !c.is_ascii() => TokenError::new(
            format!("`{c}` is not a base64url character"),
            Some(which),
            at + e.offset,
            at + e.offset + c.len_utf8(),
        ),
        _ => TokenError::new(e.message, Some(which), at + e.offset, at + (e.offset + 1).min(seg.len())),
    }
}

/// Parses with the core's strict, bounded JSON parser (depth and node
/// budgets: doc::MAX_DEPTH, doc::MAX_NODES). `decoded` = the text came from
/// a base64url segment of that length.
fn json(text: &str, at: usize, decoded: Option<(Segment, usize)>) -> Result<Node, TokenError> {
    let node = doc::parse_json(text, DocId::Scenario).map_err(|d| {
        let off = d.span.map_or(0, |s| s.start as usize).min(text.len());
        match decoded {
            Some((seg, len)) => {
                TokenError::new(format!("{} (at byte {off} of the decoded JSON)", d.message), Some(seg), at, at + len)
            }
            None => {
                // The parser's span, kept inside the text; at least the
                // character it starts at (none at the end of the text).
                let end = d.span.map_or(off, |s| s.end as usize).clamp(off, text.len());
                let end = if end > off { end } else { text[off..].chars().next().map_or(off, |c| off + c.len_utf8()) };
                TokenError::new(d.message, None, at + off, at + end)
            }
        }
    })?;
    if node.entries().is_none() {
        let (seg, end) = decoded.map_or((None, at + text.len()), |(s, len)| (Some(s), at + len));
        return Err(TokenError::new(format!("expected a JSON object, found {}", node.kind()), seg, at, end));
    }
    Ok(node)
}

fn header_from(node: &Node, at: usize) -> Result<Header, TokenError> {
    let field = |k: &str| node.get(k).and_then(Node::as_str).map(str::to_string);
    let Some(alg) = field("alg") else {
        return Err(TokenError::new(
            "the header has no `alg` string (RFC 7515 §4.1.1 requires one)",
            Some(Segment::Header),
            at,
            at,
        ));
    };
    Ok(Header { alg, typ: field("typ"), kid: field("kid"), x5t: field("x5t") })
}

/// The claims in GitHub's types: strings stay strings, integers become
/// numbers (`iat`, `nbf`, `exp`), anything else is kept as its JSON text
/// with a note. A duplicated claim name is refused (RFC 7519 §4: a parser
/// must reject or take the last; two readers taking different ones is how
/// claim smuggling works).
fn claims_from(node: &Node, at: usize, seg: Option<Segment>) -> Result<(Claims, Vec<String>, Vec<String>), TokenError> {
    let mut claims = Claims::new();
    let mut notes = Vec::new();
    let mut nulls = Vec::new();
    let entries = node.entries().unwrap_or_default();
    for (i, e) in entries.iter().enumerate() {
        let name = e.key.value.as_str();
        if entries.iter().take(i).any(|prev| prev.key.value == name) {
            let (start, end) = match seg {
                Some(_) => (at, at),
                None => (at + e.key.span.start as usize, at + e.key.span.end as usize),
            };
            return Err(TokenError::new(format!("the claim `{name}` appears twice"), seg, start, end));
        }
        match &e.value.value {
            Value::String(s) => claims.set(name, s.clone()),
            Value::Number(n) => match n.parse::<i64>() {
                Ok(v) => claims.set_num(name, v),
                Err(_) => {
                    notes.push(format!("`{name}` is the number {n}, kept as text"));
                    claims.set(name, n.clone());
                }
            },
            Value::Null => {
                nulls.push(name.to_string());
                notes.push(format!(
                    "`{name}` is null: the token does not have this claim (jq prints null for a missing key)"
                ));
            }
            Value::Bool(b) => {
                notes.push(format!("`{name}` is a boolean; GitHub sends booleans as strings (\"{b}\")"));
                claims.set(name, b.to_string());
            }
            Value::Seq(_) | Value::Map(_) => {
                let text = e.value.to_json().to_string();
                notes.push(format!(
                    "`{name}` is {}; GitHub's claims are strings, kept as its JSON text",
                    e.value.kind()
                ));
                claims.set(name, text);
            }
        }
    }
    notes.extend(super::types::type_notes(&claims));
    Ok((claims, notes, nulls))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::ClaimValue;

    fn jwt(header: &str, payload: &str) -> String {
        format!("{}.{}.c2ln", base64url::encode(header.as_bytes()), base64url::encode(payload.as_bytes()))
    }

    #[test]
    fn reads_a_jwt_a_response_and_a_claims_dump() {
        let t = jwt(r#"{"typ":"JWT","alg":"RS256","kid":"K"}"#, r#"{"sub":"repo:o/r:ref:refs/heads/main","iat":5}"#);
        let r = read(&format!("  {t}\n")).unwrap();
        assert_eq!(r.form, Form::Jwt);
        assert_eq!(r.header.as_ref().unwrap().kid.as_deref(), Some("K"));
        assert_eq!(r.claims.get("iat"), Some(&ClaimValue::Num(5)));
        assert_eq!(r.signature, "c2ln");
        let resp = read(&format!("{{\"count\": 1, \"value\": \"{t}\"}}")).unwrap();
        assert_eq!(resp.claims, r.claims);
        let dump = read(r#"{"sub":"repo:o/r:ref:refs/heads/main","environment":null}"#).unwrap();
        assert_eq!(dump.form, Form::Claims);
        assert!(dump.claims.get("environment").is_none());
        assert!(dump.notes.iter().any(|n| n.contains("jq prints null")), "{:?}", dump.notes);
    }

    #[test]
    fn errors_name_segment_and_offset() {
        let e = read("abc.def").unwrap_err();
        assert!(e.message.contains("3 segments") && e.message.contains("has 2"), "{e}");
        let e = read("a.b.c.d.e").unwrap_err();
        assert!(e.message.contains("JWE"), "{e}");
        // Bad base64url in the payload: offset counts from the pasted text.
        let h = base64url::encode(br#"{"alg":"RS256"}"#);
        let e = read(&format!("{h}.ab!c.sig")).unwrap_err();
        assert_eq!(e.segment, Some(Segment::Payload));
        assert_eq!(e.start, h.len() + 1 + 2);
        assert_eq!(
            e.to_string(),
            format!("payload (segment 2), byte {}: `!` is not a base64url character", h.len() + 3)
        );
        // Bad JSON in the header.
        let e = read(&jwt("{\"alg\":", "{}")).unwrap_err();
        assert_eq!(e.segment, Some(Segment::Header));
        assert!(e.message.contains("invalid JSON") && e.message.contains("decoded JSON"), "{e}");
        // Not an object, no alg, empty segment, signature.
        assert!(read(&jwt("[1]", "{}")).unwrap_err().message.contains("expected a JSON object"));
        assert!(read(&jwt("{}", "{}")).unwrap_err().message.contains("no `alg`"));
        assert_eq!(read(&format!(".{h}.x")).unwrap_err().message, "the segment is empty");
        let e = read(&format!("{h}.{h}.a=")).unwrap_err();
        assert_eq!(e.segment, Some(Segment::Signature));
        // Duplicate claims are refused.
        let e = read(&jwt(r#"{"alg":"RS256"}"#, r#"{"sub":"a","sub":"b"}"#)).unwrap_err();
        assert!(e.message.contains("`sub` appears twice"), "{e}");
        // A character outside base64url is located whole and named.
        let e = read(&format!("{h}.abé.sig")).unwrap_err();
        assert_eq!((e.start, e.end), (h.len() + 3, h.len() + 5), "{e:?}");
        assert!(e.message.contains("`é` is not a base64url character"), "{e}");
        // A claims dump cut short is located at its end, inside the text
        // (found by the `token` fuzz target).
        let cut = "{\n  \"sub\": \"repo:o/r:ref:refs/heads/main\",\n  \"ref\"";
        let e = read(cut).unwrap_err();
        assert!(e.start <= e.end && e.end <= cut.len(), "{e:?}");
        let e = read("{\"é\" 1}").unwrap_err();
        assert!("{\"é\" 1}".is_char_boundary(e.end), "{e:?}");
        // Claims JSON errors are located in the pasted text.
        let e = read("\n{\"sub\": tru}").unwrap_err();
        assert_eq!(e.segment, None);
        assert_eq!(e.start, 9);
        // Not UTF-8.
        let bad = base64url::encode(&[0x7b, 0xff, 0x7d]);
        assert!(read(&format!("{bad}.{h}.x")).unwrap_err().message.contains("not UTF-8"));
    }

    #[test]
    fn hostile_input_is_refused_not_panicked_on() {
        assert!(read(&"a".repeat(MAX_TOKEN_BYTES + 1)).unwrap_err().message.contains("at most"));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let e = read(&jwt(r#"{"alg":"RS256"}"#, &format!("{{\"a\":{deep}}}"))).unwrap_err();
        assert!(e.message.contains("too deep"), "{e}");
        assert!(read("").is_err());
        assert!(read("...").is_err());
        assert!(read("{").is_err());
    }

    #[test]
    fn odd_types_are_noted() {
        let r = read(r#"{"run_number": 10, "ref_protected": false, "aud": ["a","b"], "x": 1.5}"#).unwrap();
        assert_eq!(r.claims.text("ref_protected").as_deref(), Some("false"));
        assert_eq!(r.claims.text("aud").as_deref(), Some(r#"["a","b"]"#));
        assert_eq!(r.claims.text("x").as_deref(), Some("1.5"));
        let all = r.notes.join("\n");
        assert!(all.contains("`run_number` is a number here"), "{all}");
        assert!(all.contains("`ref_protected` is a boolean"), "{all}");
        assert!(all.contains("`aud` is a list"), "{all}");
    }
}
