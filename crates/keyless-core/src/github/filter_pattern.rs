//! GitHub's filter patterns for `on.<event>.branches`/`tags` (and their
//! `-ignore` lists), which are neither the clouds' glob nor the
//! `File.fnmatch` of environment rules. The syntax, from the workflow
//! syntax's "Filter pattern cheat sheet" (D-EVT):
//! - `*` zero or more characters except `/`; `**` zero or more of any;
//! - `?` zero or one of the preceding character, `+` one or more of it;
//! - `[…]` one character of the set: listed characters and ranges such as
//!   `a-z`, `0-9` (a leading `^` negates, as in the regular expressions the
//!   cheat sheet is written in terms of);
//! - `\x` is the character `x`; the name matches as a whole, case-sensitively.
//!
//! A pattern that has no meaning (a quantifier with nothing before it, an
//! empty or reversed `[]`) matches nothing; a quantifier after a quantifier
//! repeats the repetition (`a?+` is `a*`), as in those regular expressions. Keyless used to
//! translate patterns into a regular expression; the property test below
//! keeps that translation as the oracle, and this matcher agrees with it
//! on every pattern while needing no regex engine in the playground's
//! first load.
//!
//! Matching runs the name once per pattern element over the set of
//! positions reached so far, so it is linear in the name for each element:
//! no backtracking, whatever a hostile pattern holds.

/// What one element of a pattern matches once.
#[derive(Clone, Debug, PartialEq)]
enum Atom {
    Char(char),
    /// `[…]`: inclusive ranges (a listed character is a range of one).
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    /// `*`
    AnyButSlash,
    /// `**`
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Repeat {
    One,
    ZeroOrOne,
    OneOrMore,
    ZeroOrMore,
}

#[derive(Clone, Debug, PartialEq)]
struct Element {
    atom: Atom,
    repeat: Repeat,
    /// The last token was a quantifier, so a `?` now makes it lazy (which
    /// matches the same whole names) rather than repeating it again.
    lazy_next: bool,
}

impl Atom {
    fn admits(&self, c: char) -> bool {
        match self {
            Atom::Char(x) => *x == c,
            Atom::Class { negated, ranges } => ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated,
            Atom::AnyButSlash => c != '/',
            Atom::Any => true,
        }
    }
}

/// The elements of `pattern`, or `None` when it has no meaning.
fn compile(pattern: &str) -> Option<Vec<Element>> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out: Vec<Element> = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let atom = match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 1;
                Some(Atom::Any)
            }
            '*' => Some(Atom::AnyButSlash),
            '?' | '+' => {
                let last = out.last_mut()?;
                if c == '?' && last.lazy_next {
                    last.lazy_next = false;
                } else {
                    // A quantifier after a quantifier repeats the repetition.
                    last.repeat = match (c, last.repeat) {
                        ('?', Repeat::One) => Repeat::ZeroOrOne,
                        ('+', Repeat::One) => Repeat::OneOrMore,
                        ('?', Repeat::OneOrMore) | ('+', Repeat::ZeroOrOne) => Repeat::ZeroOrMore,
                        (_, r) => r,
                    };
                    last.lazy_next = true;
                }
                None
            }
            '[' => match chars.iter().skip(i + 1).position(|&x| x == ']') {
                Some(len) => {
                    let set = chars.get(i + 1..i + 1 + len).unwrap_or_default();
                    i += len + 1;
                    Some(class(set)?)
                }
                None => Some(Atom::Char('[')),
            },
            '\\' => {
                i += 1;
                chars.get(i).map(|&n| Atom::Char(n))
            }
            other => Some(Atom::Char(other)),
        };
        if let Some(atom) = atom {
            let star = matches!(atom, Atom::Any | Atom::AnyButSlash);
            let repeat = if star { Repeat::ZeroOrMore } else { Repeat::One };
            out.push(Element { atom, repeat, lazy_next: star });
        }
        i += 1;
    }
    Some(out)
}

/// The atom of a `[set]`'s inside, or `None` for an empty set.
fn class(set: &[char]) -> Option<Atom> {
    let (negated, set) = match set.split_first() {
        Some(('^', rest)) => (true, rest),
        _ => (false, set),
    };
    let mut ranges = Vec::new();
    let mut i = 0;
    // A leading `-` is a character of its own in those regular
    // expressions, never a range's start (`[--[]` is `-`, then a `[`).
    if set.first() == Some(&'-') {
        ranges.push(('-', '-'));
        i = 1;
    }
    while let Some(&lo) = set.get(i) {
        // A `[` that starts an item opens a nested class in the regular
        // expressions the cheat sheet is written in terms of, which the
        // set's first `]` leaves unclosed (as a range's end it is literal).
        if lo == '[' {
            return None;
        }
        match (set.get(i + 1), set.get(i + 2)) {
            // `--` after an item is their class difference operator, which
            // has no meaning in a filter (`[+--]`, `[a--b]`).
            (Some('-'), Some('-')) => return None,
            (Some('-'), Some(&hi)) if lo <= hi => {
                ranges.push((lo, hi));
                i += 3;
            }
            // A reversed range (`z-a`) is invalid in the regular
            // expressions the cheat sheet is written in terms of.
            (Some('-'), Some(_)) => return None,
            _ => {
                ranges.push((lo, lo));
                i += 1;
            }
        }
    }
    (!ranges.is_empty()).then_some(Atom::Class { negated, ranges })
}

/// Whether `name` matches the filter `pattern` as a whole (D-EVT).
pub fn filter_matches(pattern: &str, name: &str) -> bool {
    let Some(elements) = compile(pattern) else { return false };
    let name: Vec<char> = name.chars().collect();
    // reached[p]: the elements so far can match exactly name[..p].
    let mut reached = vec![false; name.len() + 1];
    if let Some(first) = reached.first_mut() {
        *first = true;
    }
    for e in &elements {
        let mut next = vec![false; reached.len()];
        for p in 0..reached.len() {
            if !reached.get(p).copied().unwrap_or(false) {
                continue;
            }
            if matches!(e.repeat, Repeat::ZeroOrOne | Repeat::ZeroOrMore)
                && let Some(n) = next.get_mut(p)
            {
                *n = true;
            }
            let many = matches!(e.repeat, Repeat::OneOrMore | Repeat::ZeroOrMore);
            let mut q = p;
            while let Some(&c) = name.get(q) {
                if !e.atom.admits(c) {
                    break;
                }
                q += 1;
                // Positions already reached by a repetition are not walked
                // again: each position is extended at most once per element.
                match next.get_mut(q) {
                    Some(n) if many && *n => break,
                    Some(n) => *n = true,
                    None => break,
                }
                if !many {
                    break;
                }
            }
        }
        reached = next;
    }
    reached.last().copied().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The translation Keyless used before this matcher: the oracle.
    fn regex_oracle(pattern: &str, name: &str) -> bool {
        let mut re = String::from("^");
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            match c {
                '*' if chars.get(i + 1) == Some(&'*') => {
                    re.push_str(".*");
                    i += 1;
                }
                '*' => re.push_str("[^/]*"),
                '?' | '+' => re.push(c),
                '[' => match chars.iter().skip(i).position(|&x| x == ']') {
                    Some(len) => {
                        let class: String = chars.iter().skip(i + 1).take(len.saturating_sub(1)).collect();
                        re.push('[');
                        re.push_str(&class.replace('\\', "\\\\"));
                        re.push(']');
                        i += len;
                    }
                    None => re.push_str("\\["),
                },
                '\\' => {
                    if let Some(n) = chars.get(i + 1) {
                        re.push_str(&regex_lite::escape(&n.to_string()));
                        i += 1;
                    }
                }
                other => re.push_str(&regex_lite::escape(&other.to_string())),
            }
            i += 1;
        }
        re.push('$');
        regex_lite::Regex::new(&re).is_ok_and(|r| r.is_match(name))
    }

    // D-EVT filter pattern cheat sheet, its examples.
    #[test]
    fn cheat_sheet_examples() {
        let cases = [
            ("feature/*", "feature/my-branch", true),
            ("feature/*", "feature/your/branch", false),
            ("feature/**", "feature/your/branch", true),
            ("feature/**", "feature/mona/the/octocat", true),
            ("main", "main", true),
            ("main", "mainline", false),
            ("releases/mona-the-octocat", "releases/mona-the-octocat", true),
            ("*", "main", true),
            ("*", "releases/v2", false),
            ("**", "all/the/branches", true),
            ("**", "every/tag", true),
            ("*feature", "mona-feature", true),
            ("*feature", "feature", true),
            ("*feature", "ver-10-feature", true),
            ("v2*", "v2", true),
            ("v2*", "v2.0", true),
            ("v2*", "v2.9", true),
            ("v2*", "v1.0", false),
            ("v[12].[0-9]+.[0-9]+", "v1.10.1", true),
            ("v[12].[0-9]+.[0-9]+", "v2.0.0", true),
            ("v[12].[0-9]+.[0-9]+", "v3.0.0", false),
            ("v[12].[0-9]+.[0-9]+", "v1.x.0", false),
            // `?`: zero or one of the preceding character.
            ("ab?c", "ac", true),
            ("ab?c", "abc", true),
            ("ab?c", "abbc", false),
            ("ab+c", "ac", false),
            ("ab+c", "abbbc", true),
            ("[CB]at", "Cat", true),
            ("[CB]at", "Bat", true),
            ("[CB]at", "cat", false),
            ("[1-2]00", "100", true),
            ("[1-2]00", "300", false),
            ("\\*", "*", true),
            ("\\*", "a", false),
        ];
        for (p, n, want) in cases {
            assert_eq!(filter_matches(p, n), want, "{p} vs {n}");
            assert_eq!(regex_oracle(p, n), want, "oracle: {p} vs {n}");
        }
    }

    #[test]
    fn meaningless_patterns_match_nothing() {
        for p in ["+a", "?", "[]", "a[z-a]"] {
            assert!(!filter_matches(p, "a"), "{p}");
            assert!(!filter_matches(p, ""), "{p}");
        }
        assert!(
            filter_matches("a?+", "aaa")
                && filter_matches("a?+", "")
                && filter_matches("a*+", "ab")
                && filter_matches("a++", "aa")
        );
        // `+?` is a lazy `+`; a further `?` makes it optional.
        assert!(filter_matches("[+??", "") && !filter_matches("a+?", "") && filter_matches("a+??", ""));
        // An unclosed bracket is a literal `[`.
        assert!(filter_matches("a[", "a["));
        // Found by the property test: a leading `-` is not a range's start,
        // and `--` after an item is the regular expressions' difference.
        assert!(!filter_matches("**[--[]", "-") && !filter_matches("[+--]", "-") && !filter_matches("[a--b]", "a"));
        assert!(filter_matches("[--a]", "-") && filter_matches("[--a]", "a") && filter_matches("[---]", "-"));
    }

    #[test]
    fn hostile_input_is_linear() {
        let pattern = "*a".repeat(2_000) + "b";
        let name = "a".repeat(20_000);
        assert!(!filter_matches(&pattern, &name));
        let pattern = "a?".repeat(5_000) + &"a".repeat(5_000);
        assert!(filter_matches(&pattern, &"a".repeat(5_000)));
    }

    fn pattern_strategy() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("*".to_string()),
                Just("**".to_string()),
                Just("?".to_string()),
                Just("+".to_string()),
                Just("/".to_string()),
                Just("\\".to_string()),
                Just("[".to_string()),
                Just("]".to_string()),
                Just("-".to_string()),
                Just("^".to_string()),
                Just(".".to_string()),
                "[abv0-2]",
                // Sets as the cheat sheet defines them: characters and
                // ranges of letters and digits (a-z, A-Z, 0-9).
                "\\[\\^?([abv0-2*/.]|[a-c]-[a-c]|[0-2]-[0-2]){0,3}\\]",
            ],
            0..8,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn agrees_with_the_regex_translation(pattern in pattern_strategy(), name in "[abv012/.\\-\\[\\]*+?^\\\\]{0,8}") {
            // A leading quantifier repeated the translation's `^` anchor,
            // an accident with no meaning in GitHub's syntax.
            let pattern = pattern.trim_start_matches(['?', '+']);
            prop_assert_eq!(filter_matches(pattern, &name), regex_oracle(pattern, &name), "{} vs {}", pattern, name);
        }
    }
}
