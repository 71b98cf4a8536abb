//! CEL tokens, following the lexical grammar of the CEL language definition
//! (https://github.com/google/cel-spec/blob/master/doc/langdef.md#syntax):
//! decimal and hex ints, `u`-suffixed uints, doubles, all quote forms (single,
//! double, triple, raw `r`, bytes `b`), escapes, `//` comments.

use super::ParseError;

/// A token and its byte range in the expression text.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
}

/// Token kinds. Int literals keep their magnitude unsigned so the parser can
/// fold a leading `-` into `-9223372036854775808` (langdef: "INT_LIT").
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Int(u64),
    Uint(u64),
    Double(f64),
    Str(String),
    Bytes(Vec<u8>),
    Ident(String),
    /// A backquoted field name (`` a.`content-type` ``, cel-spec v0.24).
    Quoted(String),
    Punct(&'static str),
    Eof,
}

/// Operators and punctuation, longest first so `<=` wins over `<`.
const PUNCTS: &[&str] = &[
    "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", ".", ",", "(", ")", "[", "]",
    "{", "}",
];

/// Splits an expression into tokens, ending with `Eof`.
pub fn tokenize(src: &str) -> Result<Vec<Token>, ParseError> {
    let mut lx = Lexer { src, pos: 0 };
    let mut out = Vec::new();
    loop {
        let t = lx.next_token()?;
        let eof = t.kind == Tok::Eof;
        out.push(t);
        if eof {
            return Ok(out);
        }
    }
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

fn err(message: impl Into<String>, start: usize, end: usize) -> ParseError {
    ParseError { message: message.into(), start, end }
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.rest().chars().nth(n)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_trivia(&mut self) {
        loop {
            match self.peek() {
                // langdef WHITESPACE: space, tab, newline, form feed, carriage return.
                Some(' ' | '\t' | '\n' | '\r' | '\u{c}') => {
                    self.pos += 1;
                }
                Some('/') if self.peek_at(1) == Some('/') => {
                    while let Some(c) = self.bump() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                _ => return,
            }
        }
    }

    fn next_token(&mut self) -> Result<Token, ParseError> {
        self.skip_trivia();
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Ok(Token { kind: Tok::Eof, start, end: start });
        };
        let kind = if c.is_ascii_digit() || (c == '.' && self.peek_at(1).is_some_and(|d| d.is_ascii_digit())) {
            self.number()?
        } else if c == '\'' || c == '"' {
            Tok::Str(self.string(false, false)?.into_string(start, self.pos)?)
        } else if c.is_ascii_alphabetic() || c == '_' {
            // String prefixes: r, R, b, B and their combinations.
            let mut raw = false;
            let mut bytes = false;
            let mut look = 0;
            while let Some(p) = self.peek_at(look) {
                match p {
                    'r' | 'R' if !raw => raw = true,
                    'b' | 'B' if !bytes => bytes = true,
                    _ => break,
                }
                look += 1;
            }
            if look > 0 && matches!(self.peek_at(look), Some('\'' | '"')) {
                self.pos += look;
                let s = self.string(raw, bytes)?;
                if bytes { Tok::Bytes(s.0) } else { Tok::Str(s.into_string(start, self.pos)?) }
            } else {
                while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    self.pos += 1;
                }
                Tok::Ident(self.src.get(start..self.pos).unwrap_or("").to_string())
            }
        } else if c == '`' {
            self.pos += 1;
            let body_start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/' | ' ')) {
                self.pos += 1;
            }
            let name = self.src.get(body_start..self.pos).unwrap_or("").to_string();
            if self.peek() != Some('`') || name.is_empty() {
                return Err(err("invalid backquoted field name", start, self.pos));
            }
            self.pos += 1;
            Tok::Quoted(name)
        } else if let Some(p) = PUNCTS.iter().find(|p| self.rest().starts_with(**p)) {
            self.pos += p.len();
            Tok::Punct(p)
        } else {
            self.bump();
            return Err(err(format!("unexpected character '{c}'"), start, self.pos));
        };
        Ok(Token { kind, start, end: self.pos })
    }

    fn number(&mut self) -> Result<Tok, ParseError> {
        let start = self.pos;
        let rest = self.rest();
        if rest.starts_with("0x") || rest.starts_with("0X") {
            self.pos += 2;
            let ds = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                self.pos += 1;
            }
            let digits = self.src.get(ds..self.pos).unwrap_or("");
            let v = u64::from_str_radix(digits, 16).map_err(|_| err("invalid hex integer literal", start, self.pos))?;
            return Ok(self.int_suffix(v));
        }
        let mut is_double = false;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.peek() == Some('.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            is_double = true;
            self.pos += 1;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let sign = usize::from(matches!(self.peek_at(1), Some('+' | '-')));
            if self.peek_at(1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                is_double = true;
                self.pos += 1 + sign;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1;
                }
            }
        }
        let text = self.src.get(start..self.pos).unwrap_or("");
        if is_double {
            let v: f64 = text.parse().map_err(|_| err("invalid double literal", start, self.pos))?;
            return Ok(Tok::Double(v));
        }
        let v: u64 = text.parse().map_err(|_| err("integer literal out of range", start, self.pos))?;
        Ok(self.int_suffix(v))
    }

    fn int_suffix(&mut self, v: u64) -> Tok {
        if matches!(self.peek(), Some('u' | 'U')) {
            self.pos += 1;
            Tok::Uint(v)
        } else {
            Tok::Int(v)
        }
    }

    /// Reads a quoted literal at `self.pos` (after any prefix) into bytes.
    fn string(&mut self, raw: bool, bytes: bool) -> Result<Raw, ParseError> {
        let start = self.pos;
        let Some(q) = self.bump() else {
            return Err(err("expected a quote", start, start));
        };
        let triple = self.peek() == Some(q) && self.peek_at(1) == Some(q);
        let close: String = if triple {
            self.pos += 2;
            std::iter::repeat_n(q, 3).collect()
        } else {
            q.to_string()
        };
        let mut out: Vec<u8> = Vec::new();
        loop {
            if self.rest().starts_with(close.as_str()) {
                self.pos += close.len();
                return Ok(Raw(out));
            }
            let at = self.pos;
            let Some(c) = self.bump() else {
                return Err(err("unterminated string literal", start, self.pos));
            };
            if (c == '\n' || c == '\r') && !triple {
                return Err(err("newline in a single-quoted string literal", start, at));
            }
            if c != '\\' || raw {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                continue;
            }
            self.escape(at, bytes, &mut out)?;
        }
    }

    /// One escape sequence after `\` (langdef "ESC_SEQ"). In strings, `\x`
    /// and octal escapes are code points; in bytes they are raw octets.
    fn escape(&mut self, at: usize, bytes: bool, out: &mut Vec<u8>) -> Result<(), ParseError> {
        let Some(e) = self.bump() else {
            return Err(err("unterminated escape sequence", at, self.pos));
        };
        let simple = match e {
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\u{b}'),
            '\\' | '\'' | '"' | '`' | '?' => Some(e),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c as u8);
            return Ok(());
        }
        let (radix, len) = match e {
            'x' | 'X' => (16, 2),
            'u' if !bytes => (16, 4),
            'U' if !bytes => (16, 8),
            '0'..='3' => {
                self.pos -= 1;
                (8, 3)
            }
            _ => {
                return Err(err(format!("invalid escape sequence '\\{e}'"), at, self.pos));
            }
        };
        let ds = self.pos;
        let digits = self.src.get(ds..ds + len).filter(|d| d.chars().all(|c| c.is_digit(radix)));
        let Some(digits) = digits else {
            // The error covers the `len` characters where the digits belong
            // (not `len` bytes: found by fuzzing, a multi-byte character
            // there was cut in two).
            let rest = self.src.get(ds..).unwrap_or_default();
            let end = ds + rest.char_indices().nth(len).map_or(rest.len(), |(i, _)| i);
            return Err(err(format!("invalid escape sequence '\\{e}'"), at, end));
        };
        self.pos += len;
        let code = u32::from_str_radix(digits, radix).map_err(|_| err("invalid escape", at, self.pos))?;
        if bytes {
            out.push(u8::try_from(code).map_err(|_| err("escape out of range", at, self.pos))?);
            return Ok(());
        }
        let c = char::from_u32(code).ok_or_else(|| err("invalid Unicode code point in escape", at, self.pos))?;
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        Ok(())
    }
}

/// Literal content before deciding string (UTF-8 required) or bytes.
struct Raw(Vec<u8>);

impl Raw {
    fn into_string(self, start: usize, end: usize) -> Result<String, ParseError> {
        String::from_utf8(self.0).map_err(|_| err("string literal is not valid UTF-8", start, end))
    }
}
