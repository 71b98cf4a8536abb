//! base64url without padding (RFC 7515 §2, RFC 4648 §5), as JWS segments
//! are written, and standard base64 for PEM bodies. Strict: an error names
//! the byte offset of the first character that cannot be there.

const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Where and why a segment is not base64url.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Base64Error {
    /// Byte offset inside the decoded text.
    pub offset: usize,
    pub message: String,
}

fn sextet(b: u8, url: bool) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'-' if url => Some(62),
        b'_' if url => Some(63),
        b'+' if !url => Some(62),
        b'/' if !url => Some(63),
        _ => None,
    }
}

/// Decodes unpadded base64url. `=` padding is refused (JWS forbids it), so
/// are `+` and `/` (plain base64: a token mangled by a tool), with a hint.
pub fn decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    decode_with(text.as_bytes(), true)
}

/// Decodes standard base64 (PEM bodies); padding and line breaks allowed.
pub fn decode_standard(text: &str) -> Result<Vec<u8>, Base64Error> {
    let cleaned: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let body = cleaned.strip_suffix(b"==").or_else(|| cleaned.strip_suffix(b"=")).unwrap_or(&cleaned);
    decode_with(body, false)
}

fn decode_with(bytes: &[u8], url: bool) -> Result<Vec<u8>, Base64Error> {
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for (i, &b) in bytes.iter().enumerate() {
        let Some(v) = sextet(b, url) else {
            let message = match b {
                b'=' if url => {
                    "padding `=` is not allowed in a JWT segment (base64url without padding, RFC 7515 §2)".to_string()
                }
                b'+' | b'/' if url => {
                    format!("`{}` is plain base64, not base64url (which uses `-` and `_`)", b as char)
                }
                _ if b.is_ascii_graphic() => format!("`{}` is not a base64url character", b as char),
                _ => format!("byte 0x{b:02x} is not a base64url character"),
            };
            return Err(Base64Error { offset: i, message });
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    // 1 leftover character (6 bits) cannot encode a byte; leftover bits must be zero.
    if bytes.len() % 4 == 1 {
        return Err(Base64Error {
            offset: bytes.len().saturating_sub(1),
            message: "the length is not a valid base64url length (one character too many or too few)".into(),
        });
    }
    if bits > 0 && acc & ((1 << bits) - 1) != 0 {
        return Err(Base64Error {
            offset: bytes.len().saturating_sub(1),
            message: "the last character has bits set that encode nothing (not canonical base64url)".into(),
        });
    }
    Ok(out)
}

/// Encodes base64url without padding.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk.first().copied(), chunk.get(1).copied(), chunk.get(2).copied()];
        let n =
            (u32::from(b[0].unwrap_or(0)) << 16) | (u32::from(b[1].unwrap_or(0)) << 8) | u32::from(b[2].unwrap_or(0));
        let count = 1 + chunk.len();
        for k in 0..count {
            let idx = ((n >> (18 - 6 * k)) & 0x3f) as usize;
            if let Some(&c) = URL.get(idx) {
                out.push(c as char);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length() {
        let data: Vec<u8> = (0u8..=255).collect();
        for n in 0..40 {
            let part = data.get(..n).unwrap_or_default();
            assert_eq!(decode(&encode(part)).unwrap(), part, "{n}");
        }
        assert_eq!(encode(b"{\"alg\":\"RS256\"}"), "eyJhbGciOiJSUzI1NiJ9");
    }

    #[test]
    fn errors_name_the_offset() {
        let e = decode("eyJh=").unwrap_err();
        assert_eq!(e.offset, 4);
        assert!(e.message.contains("padding"), "{}", e.message);
        let e = decode("ab+c").unwrap_err();
        assert_eq!(e.offset, 2);
        assert!(e.message.contains("plain base64"));
        assert!(decode("abcde").unwrap_err().message.contains("length"));
        assert!(decode("ab\u{e9}").unwrap_err().message.contains("0xc3"));
        // `Rg` decodes to "F"; `Rh` sets bits that encode nothing.
        assert_eq!(decode("Rg").unwrap(), b"F");
        assert!(decode("Rh").unwrap_err().message.contains("canonical"));
    }

    #[test]
    fn standard_base64_for_pem() {
        assert_eq!(decode_standard("aGVs\nbG8=").unwrap(), b"hello");
        assert_eq!(decode_standard("+/8=").unwrap(), vec![0xfb, 0xff]);
    }
}
