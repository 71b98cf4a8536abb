//! Case-insensitive comparison, character by character, with Unicode's
//! simple case mappings, for IAM's `…IgnoreCase` operators and action names
//! (A1, A15: case-insensitive; AWS does not say how beyond ASCII, and a
//! per-character comparison is what case-insensitive string equality
//! means in the runtimes IAM is documented for).
//!
//! Why not `str::to_lowercase`: it applies the full mappings (a final `Σ`
//! becomes `ς`, `İ` two characters), which per-character comparisons do
//! not, and its tables cost the playground's first load about 2 KB brotli
//! (std's uppercase tables stay: GitHub's expression comparisons need
//! the full uppercase mapping, see `github::expr`). The mappings are
//! generated at build time from this toolchain's own Unicode tables
//! (build.rs: every character whose `to_lowercase` is one other
//! character), as runs of eight bytes.

static LOWER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/case_lower.bin"));

/// One run: characters `start + k * stride` (`k < count`) map to `+ delta`.
fn run(table: &[u8], i: usize) -> Option<(u32, u32, u32, i32)> {
    let r = table.get(i * 8..i * 8 + 8)?;
    let b = |k: usize| r.get(k).copied().unwrap_or(0);
    let start = u32::from_le_bytes([b(0), b(1), b(2), 0]);
    // Sign-extend the 24-bit delta.
    let delta = i32::from_le_bytes([b(5), b(6), b(7), if b(7) & 0x80 != 0 { 0xff } else { 0 }]);
    Some((start, u32::from(b(3)), u32::from(b(4)), delta))
}

fn map(table: &[u8], c: char) -> char {
    let code = c as u32;
    // The last run starting at or before `c`.
    let (mut lo, mut hi) = (0, table.len() / 8);
    while lo < hi {
        let mid = (lo + hi) / 2;
        match run(table, mid) {
            Some((start, ..)) if start <= code => lo = mid + 1,
            _ => hi = mid,
        }
    }
    let Some((start, count, stride, delta)) = lo.checked_sub(1).and_then(|i| run(table, i)) else { return c };
    let offset = code - start;
    if stride == 0 || !offset.is_multiple_of(stride) || offset / stride >= count {
        return c;
    }
    code.checked_add_signed(delta).and_then(char::from_u32).unwrap_or(c)
}

/// `c`'s simple lowercase mapping (itself when it has none).
pub fn lower(c: char) -> char {
    // ASCII, the usual case, without the table search: the table maps
    // exactly `A`–`Z` there (the test below checks every character).
    if c.is_ascii() { c.to_ascii_lowercase() } else { map(LOWER, c) }
}

/// `s` with each character lower-cased by its simple mapping.
pub fn to_lower(s: &str) -> String {
    s.chars().map(lower).collect()
}

/// `to_lower(a) == to_lower(b)`, without building either.
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.chars().map(lower).eq(b.chars().map(lower))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character: the table gives exactly std's mapping where that
    /// mapping is one character, and leaves the others alone.
    #[test]
    fn table_matches_std_single_character_mappings() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let mut full = c.to_lowercase();
            let want = match (full.next(), full.next()) {
                (Some(l), None) => l,
                _ => c,
            };
            assert_eq!(lower(c), want, "lower {c:?} U+{:04X}", c as u32);
        }
    }

    #[test]
    fn per_character_not_full_mappings() {
        assert_eq!(to_lower("ΟΔΟΣ"), "οδοσ");
        assert_eq!(to_lower("Refs/Heads/Main"), "refs/heads/main");
        // A character whose full mapping is several characters keeps
        // itself (Unicode's simple mapping of U+0130 is `i`; std does not
        // expose simple mappings, and Turkish dotted I in a branch name or
        // a policy value is not worth a hand-kept table).
        assert_eq!(to_lower("İ"), "İ");
        assert!(LOWER.len().is_multiple_of(8) && LOWER.len() / 8 < 400, "{} bytes", LOWER.len());
    }
}
