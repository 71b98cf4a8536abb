//! The one glob matcher shared by AWS and Alibaba `StringLike` and Azure
//! flexible `matches`: `*` matches any run of characters (including none,
//! crossing `/` and `:`), `?` exactly one character; case-sensitive.
//! Sources: AWS IAM condition operators (research cloud-trust-evaluation.md
//! §1.4, A1: "`*` crosses `:` and `/`"); Entra flexible FIC (§2.3, Z1).

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
        Glob::from_tokens(
            pattern
                .chars()
                .map(|c| match c {
                    '*' => Token::AnyRun,
                    '?' => Token::AnyOne,
                    c => Token::Literal(c),
                })
                .collect(),
        )
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

    /// Linear-time match (greedy with single backtrack point), so hostile
    /// patterns like `*a*a*a*b` cannot blow up.
    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let (mut p, mut t) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match (self.tokens.get(p), text.get(t)) {
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
        self.tokens.iter().skip(p).all(|t| *t == Token::AnyRun)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
