//! Bytes to text, with a located error: Keyless reads UTF-8 (YAML 1.2 and
//! JSON both allow it, GitHub requires it for workflows). Front ends that
//! read files (the CLI) decode here; the playground's text is already a
//! string.

use crate::diagnostic::Diagnostic;
use crate::span::{DocId, Span};

/// The text of `bytes` (a UTF-8 byte-order mark is kept: the parsers skip
/// it). A UTF-16 or UTF-32 byte-order mark, a UTF-16 text without one, and
/// the first invalid UTF-8 sequence are errors located at their byte offset.
/// The text before that offset is valid UTF-8, so a caller can turn the
/// offset into a line and column with it.
pub fn decode(bytes: &[u8], doc: DocId) -> Result<&str, Diagnostic> {
    let bom = |name: &str, len: usize| {
        Diagnostic::at(
            format!(
                "the file is {name} (it starts with a {name} byte-order mark); Keyless reads UTF-8: convert it first (e.g. `iconv -f {name} -t UTF-8`)"
            ),
            Span::new(doc, 0, len),
        )
    };
    // UTF-32 first: its little-endian mark starts like UTF-16's.
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) {
        return Err(bom("UTF-32LE", 4));
    }
    if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Err(bom("UTF-32BE", 4));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return Err(bom("UTF-16LE", 2));
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(bom("UTF-16BE", 2));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            // UTF-16 without a mark decodes as UTF-8 when its text is ASCII,
            // with a NUL after (or before) every character.
            if let Some(nul) = text.find('\0')
                && looks_like_utf16(bytes)
            {
                return Err(Diagnostic::at(
                    "the file looks like UTF-16 without a byte-order mark (every other byte is NUL); Keyless reads UTF-8: convert it first (e.g. `iconv -f UTF-16 -t UTF-8`)",
                    Span::new(doc, nul, nul + 1),
                ));
            }
            Ok(text)
        }
        Err(e) => {
            let at = e.valid_up_to();
            let len = e.error_len().unwrap_or(bytes.len() - at);
            let shown: Vec<String> =
                bytes.get(at..at + len.min(4)).unwrap_or_default().iter().map(|b| format!("{b:#04x}")).collect();
            Err(Diagnostic::at(
                format!(
                    "invalid UTF-8 at byte offset {at} ({}{}); Keyless reads UTF-8 text",
                    shown.join(" "),
                    if e.error_len().is_none() { ", cut short at the end of the file" } else { "" }
                ),
                Span::new(doc, at, at + len),
            ))
        }
    }
}

fn looks_like_utf16(bytes: &[u8]) -> bool {
    let sample = bytes.get(..bytes.len().min(64)).unwrap_or_default();
    let (even, odd) = sample.iter().enumerate().fold((0, 0), |(e, o), (i, b)| match (*b == 0, i % 2) {
        (true, 0) => (e + 1, o),
        (true, _) => (e, o + 1),
        _ => (e, o),
    });
    sample.len() >= 4 && (even * 2 >= sample.len() / 2 || odd * 2 >= sample.len() / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_and_bad_bytes_are_located() {
        assert_eq!(decode("a: é\n".as_bytes(), DocId::Scenario).ok(), Some("a: é\n"));
        let e = decode(b"a: b\nc: \xff\xfe", DocId::Scenario).unwrap_err();
        assert_eq!(e.span.map(|s| (s.start, s.end)), Some((8, 9)), "{e}");
        assert!(e.message.contains("byte offset 8") && e.message.contains("0xff"), "{e}");
        // A multi-byte sequence cut by the end of the file.
        let e = decode(b"k: \xe2\x82", DocId::Scenario).unwrap_err();
        assert_eq!(e.span.map(|s| (s.start, s.end)), Some((3, 5)), "{e}");
        assert!(e.message.contains("cut short"), "{e}");
    }

    #[test]
    fn utf16_is_named() {
        let le: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("on: push".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert!(decode(&le, DocId::Workflow).unwrap_err().message.contains("UTF-16LE"));
        let be: Vec<u8> =
            [0xFE, 0xFF].into_iter().chain("on: push".encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert!(decode(&be, DocId::Workflow).unwrap_err().message.contains("UTF-16BE"));
        let bare: Vec<u8> = "on: push\njobs: {}\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let e = decode(&bare, DocId::Workflow).unwrap_err();
        assert!(e.message.contains("UTF-16 without a byte-order mark"), "{e}");
        assert_eq!(e.span.map(|s| s.start), Some(1));
        assert!(decode(&[0xFF, 0xFE, 0, 0], DocId::Workflow).unwrap_err().message.contains("UTF-32LE"));
    }
}
