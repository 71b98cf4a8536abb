//! The flexible federated identity credential expression language ("FFL",
//! `languageVersion: 1`): `claims['<name>'] <op> '<comparand>'` terms joined
//! by ` and `.
//!
//! Grammar as Entra documents it (Z1, MicrosoftDocs/entra-docs
//! `workload-identities-flexible-federated-identity-credentials.md`, research
//! cloud-trust-evaluation.md §2.3):
//! - claim lookup: "must follow the pattern of `claims['<claimName>']`";
//! - operator: "must be just the operator name, separated from the claim lookup
//!   and comparand by a single space"; operators are `matches`, `eq`, and `and`
//!   to combine terms. There is no `or`, `not` or regex (Z1; research §2.3).
//! - comparand: "must be contained within single quotes"; "Single quotes are
//!   interpreted as escape characters" — read here as: `''` inside a comparand
//!   is one literal `'` [inference: the only reading consistent with both
//!   "escape character" and quoting; Entra gives no example].
//!
//! This module only parses: positions are byte offsets into the expression
//! text, mapped into the document by the caller.

use super::MatchOp;

/// A term as parsed, positions relative to the expression text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedTerm {
    /// The claim name between `claims['` and `']`.
    pub claim: String,
    pub claim_at: (usize, usize),
    pub op: MatchOp,
    pub op_at: (usize, usize),
    /// The comparand with `''` unescaped.
    pub comparand: String,
    /// Range of the comparand's text inside its quotes.
    pub comparand_at: (usize, usize),
    /// From `claims` to the closing quote.
    pub at: (usize, usize),
}

/// A parse error with the byte range it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub at: (usize, usize),
}

fn err<T>(message: impl Into<String>, start: usize, end: usize) -> Result<T, ParseError> {
    Err(ParseError { message: message.into(), at: (start, end.max(start)) })
}

/// Typographic quotes Entra's own docs once printed (`claims[‘sub’]`, Z1 at
/// commit 00ec9f5): copying them is a plausible mistake, so name it.
const TYPOGRAPHIC_QUOTES: [char; 4] = ['\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}'];

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    /// The range of the character at the cursor (empty at the end).
    fn here(&self) -> (usize, usize) {
        (self.pos, self.pos + self.peek().map_or(0, char::len_utf8))
    }

    /// Exactly one space, as Z1 requires between lookup, operator and
    /// comparand (and, by the same rule, around `and`).
    fn single_space(&mut self, after: &str) -> Result<(), ParseError> {
        let start = self.pos;
        let spaces = self.rest().chars().take_while(|c| c.is_whitespace()).collect::<String>();
        if spaces.is_empty() {
            let (s, e) = self.here();
            return match self.peek() {
                None => err(format!("expression ends after {after}; expected a space and more"), s, e),
                Some(c) => err(format!("expected a single space after {after}, found `{c}`"), s, e),
            };
        }
        if spaces != " " {
            let what = if spaces.chars().all(|c| c == ' ') {
                format!("{} spaces", spaces.len())
            } else {
                "whitespace other than one space".to_string()
            };
            return err(
                format!(
                    "exactly one space must separate the parts of a term (Z1: \"separated ... by a single space\"), found {what} after {after}"
                ),
                start,
                start + spaces.len(),
            );
        }
        self.pos += 1;
        Ok(())
    }

    /// A run of non-space characters (an operator or connective word).
    fn word(&mut self) -> (String, (usize, usize)) {
        let start = self.pos;
        let w: String = self.rest().chars().take_while(|c| !c.is_whitespace() && *c != '\'').collect();
        self.pos += w.len();
        (w, (start, self.pos))
    }
}

/// Parses a whole expression into its terms.
pub fn parse(text: &str) -> Result<Vec<ParsedTerm>, ParseError> {
    let mut c = Cursor { text, pos: 0 };
    if text.trim().is_empty() {
        return err(
            "the claims matching expression is empty; expected `claims['<name>'] matches|eq '<value>'`",
            0,
            text.len(),
        );
    }
    if text.starts_with(char::is_whitespace) {
        let n = text.len() - text.trim_start().len();
        return err(
            "the expression starts with whitespace; Entra's grammar (Z1) has none, so Keyless refuses it rather than guess whether Entra trims it",
            0,
            n,
        );
    }
    let mut terms = Vec::new();
    loop {
        terms.push(term(&mut c)?);
        if c.rest().is_empty() {
            return Ok(terms);
        }
        connective(&mut c)?;
    }
}

fn term(c: &mut Cursor<'_>) -> Result<ParsedTerm, ParseError> {
    let start = c.pos;
    if !c.eat("claims[") {
        let (w, (s, e)) = c.word();
        let e = if w.is_empty() { c.here().1 } else { e };
        if w.eq_ignore_ascii_case("not") || w == "!" {
            return err("FFL has no `not` (Z1 lists only `matches`, `eq` and `and`)", s, e);
        }
        if w.starts_with('(') {
            return err("FFL has no parentheses (Z1 lists only `matches`, `eq` and `and`)", s, s + 1);
        }
        return err(
            format!(
                "expected a claim lookup `claims['<name>']`, found `{}`",
                if w.is_empty() { c.rest().chars().take(12).collect() } else { w }
            ),
            s,
            e,
        );
    }
    let claim_quote = c.here();
    match c.peek() {
        Some('\'') => c.pos += 1,
        Some('"') => {
            return err(
                "the claim name must be in single quotes: `claims['sub']` (Z1: \"must follow the pattern of claims['<claimName>']\")",
                claim_quote.0,
                claim_quote.1,
            );
        }
        Some(q) if TYPOGRAPHIC_QUOTES.contains(&q) => {
            return err(
                format!("`{q}` is a typographic quote; use the ASCII single quote `'`"),
                claim_quote.0,
                claim_quote.1,
            );
        }
        _ => return err("expected `'` after `claims[`", claim_quote.0, claim_quote.1),
    }
    let name_start = c.pos;
    let Some(len) = c.rest().find('\'') else {
        return err("the claim name has no closing `'`", claim_quote.0, c.text.len());
    };
    let claim = c.rest().get(..len).unwrap_or("").to_string();
    c.pos += len;
    let name_end = c.pos;
    if claim.is_empty() {
        return err("the claim name is empty", claim_quote.0, name_end + 1);
    }
    if !c.eat("']") {
        let (s, e) = c.here();
        return err("expected `']` to close the claim lookup", s, e.max(s + 1).min(c.text.len()));
    }
    let lookup = format!("claims['{claim}']");
    c.single_space(&format!("`{lookup}`"))?;
    let (w, op_at) = c.word();
    let op = match w.as_str() {
        "matches" => MatchOp::Matches,
        "eq" => MatchOp::Eq,
        "" => {
            let (s, e) = c.here();
            return err("expected an operator, `matches` or `eq`", s, e);
        }
        other => {
            let hint = match other.to_ascii_lowercase().as_str() {
                "matches" | "eq" => format!(" (operators are lowercase in Z1: `{}`)", other.to_ascii_lowercase()),
                "==" | "=" | "equals" | "ne" | "!=" => " (equality is `eq`; there is no negation)".to_string(),
                "like" | "startswith" | "contains" | "regex" | "=~" | "in" => {
                    " (wildcards use `matches` with `*` and `?`)".to_string()
                }
                _ => String::new(),
            };
            return err(format!("unknown operator `{other}`; FFL has `matches` and `eq` (Z1){hint}"), op_at.0, op_at.1);
        }
    };
    c.single_space(&format!("`{w}`"))?;
    let open = c.here();
    match c.peek() {
        Some('\'') => c.pos += 1,
        Some('"') => {
            return err(
                "the comparand must be in single quotes (Z1: \"must be contained within single quotes\")",
                open.0,
                open.1,
            );
        }
        Some(q) if TYPOGRAPHIC_QUOTES.contains(&q) => {
            return err(format!("`{q}` is a typographic quote; use the ASCII single quote `'`"), open.0, open.1);
        }
        None => return err("expected a comparand in single quotes", open.0, open.1),
        Some(_) => {
            let (_, at) = c.word();
            return err(
                "the comparand must be in single quotes (Z1: \"must be contained within single quotes\")",
                at.0,
                at.1,
            );
        }
    }
    let value_start = c.pos;
    let mut comparand = String::new();
    loop {
        let Some(ch) = c.peek() else {
            return err("the comparand has no closing `'`", open.0, c.text.len());
        };
        c.pos += ch.len_utf8();
        if ch == '\'' {
            // `''` is an escaped quote [inference from Z1's "single quotes are
            // interpreted as escape characters"].
            if c.peek() == Some('\'') {
                c.pos += 1;
                comparand.push('\'');
                continue;
            }
            break;
        }
        comparand.push(ch);
    }
    let value_end = c.pos - 1;
    Ok(ParsedTerm {
        claim,
        claim_at: (name_start, name_end),
        op,
        op_at,
        comparand,
        comparand_at: (value_start, value_end),
        at: (start, c.pos),
    })
}

/// ` and ` between terms.
fn connective(c: &mut Cursor<'_>) -> Result<(), ParseError> {
    let ws_start = c.pos;
    if !c.peek().is_some_and(char::is_whitespace) {
        let (s, _) = c.here();
        let junk: String = c.rest().chars().take_while(|ch| !ch.is_whitespace()).collect();
        return err(
            format!("unexpected `{junk}` after the comparand's closing quote; terms are joined by ` and `"),
            s,
            s + junk.len(),
        );
    }
    let ws: String = c.rest().chars().take_while(|ch| ch.is_whitespace()).collect();
    if c.rest().len() == ws.len() {
        return err(
            "the expression ends with whitespace; Entra's grammar (Z1) has none, so Keyless refuses it rather than guess whether Entra trims it",
            ws_start,
            ws_start + ws.len(),
        );
    }
    c.single_space("the comparand")?;
    let (w, at) = c.word();
    match w.as_str() {
        "and" => {}
        "or" | "OR" | "Or" | "||" => {
            return err(
                "FFL has no `or` (Z1 lists only `matches`, `eq` and `and`); use one credential per alternative: any matching credential admits the token",
                at.0,
                at.1,
            );
        }
        "AND" | "And" | "&&" => {
            return err(format!("`{w}` is not a connective; FFL joins terms with lowercase `and` (Z1)"), at.0, at.1);
        }
        "" => {
            let (s, e) = c.here();
            return err("expected `and` between terms", s, e);
        }
        other => return err(format!("expected `and` between terms, found `{other}`"), at.0, at.1),
    }
    c.single_space("`and`")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, e: &ParseError) -> String {
        text.get(e.at.0..e.at.1).unwrap_or("<bad range>").to_string()
    }

    #[test]
    fn parses_the_documented_examples() {
        // Z1 / research §2.3 example.
        let t = parse("claims['sub'] matches 'repo:contoso/contoso-repo:ref:refs/heads/*' and claims['repository_id'] eq '456789'").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].claim, "sub");
        assert_eq!(t[0].op, MatchOp::Matches);
        assert_eq!(t[0].comparand, "repo:contoso/contoso-repo:ref:refs/heads/*");
        assert_eq!(t[1].claim, "repository_id");
        assert_eq!(t[1].op, MatchOp::Eq);
        assert_eq!(t[1].comparand, "456789");
    }

    #[test]
    fn positions_cover_the_written_text() {
        let text = "claims['sub'] eq 'a' and claims['job_workflow_ref'] matches 'o/r/*'";
        let t = parse(text).unwrap();
        assert_eq!(&text[t[0].claim_at.0..t[0].claim_at.1], "sub");
        assert_eq!(&text[t[0].op_at.0..t[0].op_at.1], "eq");
        assert_eq!(&text[t[0].comparand_at.0..t[0].comparand_at.1], "a");
        assert_eq!(&text[t[1].at.0..t[1].at.1], "claims['job_workflow_ref'] matches 'o/r/*'");
    }

    #[test]
    fn doubled_quote_is_one_quote() {
        // [inference] Z1: "Single quotes are interpreted as escape characters".
        let t = parse("claims['sub'] eq 'it''s'").unwrap();
        assert_eq!(t[0].comparand, "it's");
    }

    #[test]
    fn errors_point_at_the_fault() {
        // Each case: expression, the text the error must cover, a word in the message.
        let cases = [
            ("claims['sub'] matches 'repo:o/r:*", "'repo:o/r:*", "closing"),
            ("claims['sub'] matches 'a' or claims['sub'] eq 'b'", "or", "no `or`"),
            ("claims['sub']  matches 'a'", "  ", "2 spaces"),
            ("claims['sub'] like 'a'", "like", "unknown operator"),
            ("claims[\"sub\"] eq 'a'", "\"", "single quotes"),
            ("claims['sub'] eq \"a\"", "\"", "single quotes"),
            ("claims[\u{2018}sub\u{2019}] eq 'a'", "\u{2018}", "typographic"),
            ("claims['sub'] eq 'a'.", ".", "unexpected"),
            ("claims['sub'] eq 'a' AND claims['x'] eq 'b'", "AND", "lowercase"),
            ("claims['sub'] Matches 'a'", "Matches", "lowercase"),
            ("claims['sub'] eq 'a' ", " ", "ends with whitespace"),
            (" claims['sub'] eq 'a'", " ", "starts with whitespace"),
            ("claims['sub'] eq 'a'  and claims['x'] eq 'b'", "  ", "2 spaces"),
            ("sub eq 'a'", "sub", "claim lookup"),
            ("claims[''] eq 'a'", "''", "empty"),
            ("claims['sub'] eq a", "a", "single quotes"),
            ("claims['sub'] eq", "", "ends after"),
            ("not claims['sub'] eq 'a'", "not", "no `not`"),
        ];
        for (text, covered, word) in cases {
            let e = parse(text).expect_err(text);
            assert_eq!(at(text, &e), covered, "{text}: {e:?}");
            assert!(e.message.contains(word), "{text}: {}", e.message);
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_ranges_are_char_boundaries(s in "\\PC{0,80}") {
            match parse(&s) {
                Ok(terms) => for t in terms {
                    proptest::prop_assert!(s.get(t.at.0..t.at.1).is_some());
                    proptest::prop_assert!(s.get(t.comparand_at.0..t.comparand_at.1).is_some());
                },
                Err(e) => proptest::prop_assert!(s.get(e.at.0..e.at.1).is_some(), "{:?}", e),
            }
        }

        #[test]
        fn never_panics_on_near_miss_grammar(s in "(claims\\[|'|sub|\\]| |  |and|or|eq|matches|\"|\u{2018}|\\*|x){0,14}") {
            if let Err(e) = parse(&s) {
                proptest::prop_assert!(s.get(e.at.0..e.at.1).is_some(), "{:?}", e);
            }
        }
    }
}
