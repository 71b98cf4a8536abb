//! Small conversions between the core's byte spans and what the page shows.

use keyless_core::span::{LineCol, LineIndex};

/// 1-based line and column of a byte offset in `text`.
pub fn line_col(text: &str, offset: u32) -> LineCol {
    LineIndex::new(text).line_col(text, offset)
}

/// A byte offset of `text` as the UTF-16 index a textarea uses.
pub fn utf16_offset(text: &str, byte: u32) -> u32 {
    let byte = (byte as usize).min(text.len());
    let mut b = byte;
    while b > 0 && !text.is_char_boundary(b) {
        b -= 1;
    }
    let n = text.get(..b).map_or(0, |s| s.encode_utf16().count());
    u32::try_from(n).unwrap_or(u32::MAX)
}
