//! The one glob matcher shared by AWS and Alibaba `StringLike` and Azure
//! flexible `matches`: `*` matches any run of characters (including none,
//! crossing `/` and `:`), `?` exactly one character; case-sensitive.
//! Sources: AWS IAM condition operators (research cloud-trust-evaluation.md
//! §1.4, A1: "`*` crosses `:` and `/`"); Entra flexible FIC (§2.3, Z1).

use std::collections::HashMap;

/// One element of a compiled pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    Literal(char),
    /// `*`: any run of characters.
    AnyRun,
    /// `?`: exactly one character.
    AnyOne,
}

/// A compiled glob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    tokens: Vec<Token>,
}

impl Glob {
    /// `*` and `?` are wildcards; every other character is literal.
    pub fn new(pattern: &str) -> Glob {
        // Sized once: collecting `chars()` would grow the vector from a
        // quarter of the length (AWS compiles a glob per value and request).
        let mut tokens = Vec::with_capacity(pattern.len());
        tokens.extend(pattern.chars().map(|c| match c {
            '*' => Token::AnyRun,
            '?' => Token::AnyOne,
            c => Token::Literal(c),
        }));
        Glob::from_tokens(tokens)
    }

    /// Builds from tokens (callers with their own escape syntax, such as
    /// AWS's `${*}`, tokenize first).
    pub fn from_tokens(tokens: Vec<Token>) -> Glob {
        Glob { tokens }
    }

    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// Whether the pattern has any wildcard.
    pub fn has_wildcard(&self) -> bool {
        self.tokens.iter().any(|t| !matches!(t, Token::Literal(_)))
    }

    /// The literal text before the first wildcard.
    pub fn literal_prefix(&self) -> String {
        self.tokens
            .iter()
            .map_while(|t| match t {
                Token::Literal(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    /// Whether the whole text matches.
    pub fn matches(&self, text: &str) -> bool {
        self.matches_counting(text).0
    }

    /// [`Glob::matches`], with the work it did: word operations of the
    /// segment searches plus characters compared at the anchored ends. The
    /// hostile-input tests bound this number.
    ///
    /// Linear by construction. The pattern is split at each `*` into
    /// segments of literals and `?`, each of fixed length. The first segment
    /// must match at the start, the last at the end, and each middle one is
    /// placed at its leftmost occurrence after the previous one: with only
    /// `*` between them, leftmost placement leaves the most room to the
    /// rest, so it finds a match whenever one exists. A segment is searched
    /// with the bit-parallel Shift-And algorithm (a `?` position accepts any
    /// character), and each search resumes where the previous one ended: the
    /// text is read once, at ⌈segment length / 64⌉ word operations per
    /// character. (The previous greedy matcher with one backtrack point was
    /// O(pattern × text) on patterns like `*aaaa…b`.)
    pub fn matches_counting(&self, text: &str) -> (bool, u64) {
        let mut chars = Vec::with_capacity(text.len());
        chars.extend(text.chars());
        let text = chars;
        let segments: Vec<&[Token]> = self.tokens.split(|t| *t == Token::AnyRun).collect();
        let mut steps = 0u64;
        let [first, middle @ .., last] = segments.as_slice() else {
            // No `*`: one segment, the whole text.
            let only = segments.first().copied().unwrap_or_default();
            let ok = only.len() == text.len() && segment_at(only, &text, 0, &mut steps);
            return (ok, steps);
        };
        if text.len() < first.len() + last.len()
            || !segment_at(first, &text, 0, &mut steps)
            || !segment_at(last, &text, text.len() - last.len(), &mut steps)
        {
            return (false, steps);
        }
        let (mut pos, end) = (first.len(), text.len() - last.len());
        for seg in middle {
            match find_segment(seg, text.get(pos..end).unwrap_or_default(), &mut steps) {
                Some(at) => pos += at + seg.len(),
                None => return (false, steps),
            }
        }
        (true, steps)
    }
}

/// [`find_segment`] for a segment of one machine word (every real
/// pattern's): the masks of ASCII characters in an array, no allocation
/// unless the segment has other characters.
fn find_short_segment(seg: &[Token], text: &[char], steps: &mut u64) -> Option<usize> {
    let mut ascii = [0u64; 128];
    let mut other: Vec<(char, u64)> = Vec::new();
    let mut any = 0u64;
    for (i, t) in seg.iter().enumerate() {
        let bit = 1u64 << i;
        match t {
            Token::Literal(c) => match ascii.get_mut(*c as usize) {
                Some(m) => *m |= bit,
                None => match other.iter_mut().find(|(o, _)| o == c) {
                    Some((_, m)) => *m |= bit,
                    None => other.push((*c, bit)),
                },
            },
            Token::AnyOne | Token::AnyRun => any |= bit,
        }
    }
    let last = 1u64 << (seg.len() - 1);
    let mut state = 0u64;
    for (i, c) in text.iter().enumerate() {
        let mask = match ascii.get(*c as usize) {
            Some(m) => *m,
            None => other.iter().find(|(o, _)| o == c).map_or(0, |(_, m)| *m),
        };
        state = ((state << 1) | 1) & (mask | any);
        *steps += 1;
        if state & last != 0 {
            return Some(i + 1 - seg.len());
        }
    }
    None
}

/// Whether `seg` (literals and `?`) matches `text` at `at`.
fn segment_at(seg: &[Token], text: &[char], at: usize, steps: &mut u64) -> bool {
    let Some(window) = text.get(at..at + seg.len()) else { return false };
    *steps += seg.len() as u64;
    seg.iter().zip(window).all(|(t, c)| match t {
        Token::Literal(l) => l == c,
        Token::AnyOne | Token::AnyRun => true,
    })
}

/// The start of the leftmost occurrence of `seg` in `text` (Shift-And:
/// bit i of the state is set when the first i+1 tokens match the text
/// ending here).
fn find_segment(seg: &[Token], text: &[char], steps: &mut u64) -> Option<usize> {
    if seg.is_empty() {
        return Some(0);
    }
    if seg.len() <= 64 {
        return find_short_segment(seg, text, steps);
    }
    let words = seg.len().div_ceil(64);
    // Positions where any character is accepted (`?`), and per literal
    // character the positions it may fill.
    let mut any = vec![0u64; words];
    let mut masks: HashMap<char, Vec<u64>> = HashMap::new();
    for (i, t) in seg.iter().enumerate() {
        let (w, bit) = (i / 64, 1u64 << (i % 64));
        let slot = match t {
            Token::Literal(c) => masks.entry(*c).or_insert_with(|| vec![0; words]).get_mut(w),
            Token::AnyOne | Token::AnyRun => any.get_mut(w),
        };
        if let Some(slot) = slot {
            *slot |= bit;
        }
    }
    let last = seg.len() - 1;
    let (last_word, last_bit) = (last / 64, 1u64 << (last % 64));
    let mut state = vec![0u64; words];
    for (i, c) in text.iter().enumerate() {
        let mask = masks.get(c);
        let mut carry = 1u64;
        for (w, d) in state.iter_mut().enumerate() {
            let accept = mask.and_then(|m| m.get(w)).copied().unwrap_or(0) | any.get(w).copied().unwrap_or(0);
            let shifted = (*d << 1) | carry;
            carry = *d >> 63;
            *d = shifted & accept;
        }
        *steps += words as u64;
        if state.get(last_word).is_some_and(|d| d & last_bit != 0) {
            return Some(i + 1 - seg.len());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matcher this module used before (greedy, one backtrack point):
    /// correct but O(pattern × text). The oracle for the linear one.
    fn backtracking(tokens: &[Token], text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let (mut p, mut t) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match (tokens.get(p), text.get(t)) {
                (Some(Token::AnyRun), _) => {
                    star = Some((p, t));
                    p += 1;
                }
                (Some(Token::AnyOne), Some(_)) => {
                    p += 1;
                    t += 1;
                }
                (Some(Token::Literal(a)), Some(b)) if a == b => {
                    p += 1;
                    t += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        p = sp + 1;
                        t = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        tokens.iter().skip(p).all(|t| *t == Token::AnyRun)
    }

    #[test]
    fn work_is_linear_in_the_text_on_the_classic_worst_case() {
        // `*aaaa…ab` over `aaaa…a`: the backtracking matcher compares
        // pattern × text characters; this one reads the text once.
        let pattern = format!("*{}b", "a".repeat(5_000));
        let text = "a".repeat(20_000);
        let (ok, steps) = Glob::new(&pattern).matches_counting(&text);
        assert!(!ok);
        // One segment search over the text, ⌈5001/64⌉ = 79 words a character.
        assert!(steps <= 20_000 * 79 + 10_000, "{steps}");
        let many = format!("{}b", "*a".repeat(2_500));
        let (ok, steps) = Glob::new(&many).matches_counting(&text);
        assert!(!ok);
        assert!(steps <= 20_000 * 2 + 10_000, "{steps}");
    }

    #[test]
    fn star_crosses_separators() {
        // AWS docs: StringLike `*` matched `us-east-2:999999999999:store/abc:`.
        assert!(Glob::new("repo:o/r:*").matches("repo:o/r:ref:refs/heads/feature/x"));
        assert!(Glob::new("repo:o/r*").matches("repo:o/r-evil:ref:refs/heads/main"));
        assert!(!Glob::new("repo:o/*").matches("repo:o@1/r@2:ref:refs/heads/main"));
        assert!(Glob::new("*").matches(""));
        assert!(Glob::new("a?c").matches("abc"));
        assert!(!Glob::new("a?c").matches("ac"));
        assert!(!Glob::new("Repo:*").matches("repo:x"));
    }

    proptest::proptest! {
        #[test]
        fn literal_pattern_matches_only_itself(s in "[a-z:/]{0,12}", t in "[a-z:/]{0,12}") {
            proptest::prop_assert_eq!(Glob::new(&s).matches(&t), s == t);
        }

        #[test]
        fn star_suffix_is_prefix_test(s in "[a-z:/]{0,8}", t in "[a-z:/]{0,12}") {
            proptest::prop_assert_eq!(Glob::new(&format!("{s}*")).matches(&t), t.starts_with(&s));
        }

        #[test]
        fn agrees_with_the_backtracking_matcher_it_replaced(p in "[ab*?é]{0,9}", t in "[abé]{0,14}") {
            proptest::prop_assert_eq!(Glob::new(&p).matches(&t), backtracking(Glob::new(&p).tokens(), &t));
        }

        #[test]
        fn long_segments_agree_too(p in "[ab?*]{60,140}", t in "[ab]{0,300}") {
            proptest::prop_assert_eq!(Glob::new(&p).matches(&t), backtracking(Glob::new(&p).tokens(), &t));
        }

        #[test]
        fn agrees_with_a_naive_matcher(p in "[ab*?]{0,7}", t in "[ab]{0,9}") {
            fn naive(p: &[char], t: &[char]) -> bool {
                match p.split_first() {
                    None => t.is_empty(),
                    Some(('*', rest)) => (0..=t.len()).any(|i| naive(rest, &t[i..])),
                    Some(('?', rest)) => !t.is_empty() && naive(rest, &t[1..]),
                    Some((c, rest)) => t.first() == Some(c) && naive(rest, &t[1..]),
                }
            }
            let pc: Vec<char> = p.chars().collect();
            let tc: Vec<char> = t.chars().collect();
            proptest::prop_assert_eq!(Glob::new(&p).matches(&t), naive(&pc, &tc));
        }
    }
}
