//! A strict JSON parser (RFC 8259) that keeps spans. Errors name the line and
//! column through their span; the parser never indexes past the input.

use super::node::{Entry, Node, Value};
use super::{MAX_DEPTH, MAX_NODES};
use crate::diagnostic::{Diagnostic, Result};
use crate::span::{DocId, Span, Spanned};

pub(super) fn parse(text: &str, doc: DocId) -> Result<Node> {
    let mut p = Parser { text, bytes: text.as_bytes(), pos: 0, doc, nodes: 0 };
    // A leading byte-order mark is tolerated: editors on Windows add one.
    if text.starts_with('\u{feff}') {
        p.pos = 3;
    }
    p.ws();
    let node = p.value(0)?;
    p.ws();
    if p.pos < p.bytes.len() {
        return Err(p.err_here("unexpected text after the JSON value"));
    }
    Ok(node)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    doc: DocId,
    nodes: usize,
}

impl Parser<'_> {
    fn span(&self, start: usize) -> Span {
        Span::new(self.doc, start, self.pos)
    }

    fn err_here(&self, msg: &str) -> Diagnostic {
        let end =
            self.text.get(self.pos..).and_then(|s| s.chars().next()).map_or(self.pos, |c| self.pos + c.len_utf8());
        Diagnostic::at(format!("invalid JSON: {msg}"), Span::new(self.doc, self.pos, end))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node> {
        if depth > MAX_DEPTH {
            return Err(self.err_here("nesting is too deep"));
        }
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(self.err_here("document has too many values"));
        }
        let start = self.pos;
        match self.peek() {
            None => Err(self.err_here("unexpected end of input, expected a value")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let s = self.string()?;
                Ok(Node::scalar(Value::String(s), self.span(start), self.text))
            }
            Some(b't') => self.keyword("true", Value::Bool(true)),
            Some(b'f') => self.keyword("false", Value::Bool(false)),
            Some(b'n') => self.keyword("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'\'') => Err(self.err_here("strings must use double quotes")),
            Some(_) => Err(self.err_here("expected a value")),
        }
    }

    fn keyword(&mut self, word: &str, value: Value) -> Result<Node> {
        let start = self.pos;
        if self.text.get(self.pos..).is_some_and(|rest| rest.starts_with(word)) {
            self.pos += word.len();
            Ok(Node::new(value, self.span(start)))
        } else {
            Err(self.err_here("expected a value"))
        }
    }

    fn number(&mut self) -> Result<Node> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while let Some(b'0'..=b'9') = p.peek() {
                p.pos += 1;
            }
            p.pos > s
        };
        if !digits(self) {
            return Err(self.err_here("expected digits"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                return Err(self.err_here("expected digits after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(self.err_here("expected exponent digits"));
            }
        }
        let raw = self.text.get(start..self.pos).unwrap_or_default().to_string();
        Ok(Node::scalar(Value::Number(raw), self.span(start), self.text))
    }

    fn string(&mut self) -> Result<String> {
        // At the opening quote.
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(self.text.get(run_start..self.pos).unwrap_or_default());
            match self.peek() {
                None => return Err(self.err_here("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let esc = self.peek().ok_or_else(|| self.err_here("unterminated escape"))?;
                    self.pos += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let c = self.unicode_escape()?;
                            out.push(c);
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.err_here("invalid escape sequence"));
                        }
                    }
                }
                Some(b'\n') => return Err(self.err_here("unterminated string (line break inside a string)")),
                Some(_) => return Err(self.err_here("control character inside a string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let hex = self.text.get(self.pos..self.pos + 4).ok_or_else(|| self.err_here("short \\u escape"))?;
        let v = u32::from_str_radix(hex, 16).map_err(|_| self.err_here("invalid \\u escape"))?;
        self.pos += 4;
        Ok(v)
    }

    fn unicode_escape(&mut self) -> Result<char> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) {
            if self.text.get(self.pos..).is_some_and(|r| r.starts_with("\\u")) {
                self.pos += 2;
                let lo = self.hex4()?;
                if (0xDC00..0xE000).contains(&lo) {
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    return char::from_u32(c).ok_or_else(|| self.err_here("invalid surrogate pair"));
                }
            }
            return Err(self.err_here("unpaired surrogate in \\u escape"));
        }
        char::from_u32(hi).ok_or_else(|| self.err_here("invalid \\u escape"))
    }

    fn object(&mut self, depth: usize) -> Result<Node> {
        let start = self.pos;
        self.pos += 1;
        let mut entries = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Node::new(Value::Map(entries), self.span(start)));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.err_here(if self.peek() == Some(b'}') {
                    "trailing comma before '}'"
                } else {
                    "expected a double-quoted key"
                }));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key = Spanned::new(key, self.span(key_start));
            self.ws();
            if self.peek() != Some(b':') {
                return Err(self.err_here("expected ':' after the key"));
            }
            self.pos += 1;
            self.ws();
            let value = self.value(depth + 1)?;
            entries.push(Entry { key, value });
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Node::new(Value::Map(entries), self.span(start)));
                }
                _ => return Err(self.err_here("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Node> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Node::new(Value::Seq(items), self.span(start)));
        }
        loop {
            self.ws();
            if self.peek() == Some(b']') {
                return Err(self.err_here("trailing comma before ']'"));
            }
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node::new(Value::Seq(items), self.span(start)));
                }
                _ => return Err(self.err_here("expected ',' or ']'")),
            }
        }
    }
}
