//! The source tags that traces, verdict messages, token explanations and
//! findings cite — "(D-REF)", "(Z1)", "research §4.2" — resolved against
//! `docs/sources.md` (the table is generated from it at build time, see
//! `build.rs`), and a splitter that finds them in a text so each front end
//! can link them. Only tags of the table are recognised, at word
//! boundaries, never inside code spans, URLs or ARNs.

/// One row of `docs/sources.md`: a tag, its URL when it has (or certainly
/// maps to) one, and a short plain-text title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// The tag as cited, e.g. `D-REF`, `Z1`; `research` for the research notes.
    pub tag: &'static str,
    /// The first `https://` URL of the source, or a certain mapping of its path.
    pub url: Option<&'static str>,
    /// The source in plain text without its URL, shortened; may be empty.
    pub title: &'static str,
}

/// `docs/sources.md`'s tags, one `tag\turl\ttitle` line each (see build.rs).
static TABLE: &str = include_str!(concat!(env!("OUT_DIR"), "/sources.tsv"));

/// Every tag of `docs/sources.md`, in the document's order.
pub fn all() -> impl Iterator<Item = Source> {
    TABLE.lines().filter_map(row)
}

/// One `tag\turl\ttitle` line of the table.
fn row(line: &'static str) -> Option<Source> {
    let mut fields = line.split('\t');
    let (tag, url, title) = (fields.next()?, fields.next()?, fields.next()?);
    Some(Source { tag, url: (!url.is_empty()).then_some(url), title })
}

/// The source a tag names.
pub fn lookup(tag: &str) -> Option<Source> {
    all().find(|s| s.tag == tag)
}

/// A piece of a text as the front ends render it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Plain text.
    Text(&'a str),
    /// A `backticked` code span, without its backticks.
    Code(&'a str),
    /// A cited source.
    Cite(Cite<'a>),
}

/// A source cited in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cite<'a> {
    /// The citation as written: `Z1`, `research §4.2`.
    pub text: &'a str,
    /// Where the source can be read, if known.
    pub url: Option<&'static str>,
    /// What the source is, in plain text (a tooltip): never empty.
    pub title: String,
}

/// Splits a text into plain text, code spans and citations. Backticks
/// toggle code spans as the front ends always did (an unpaired one runs to
/// the end).
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            out.push(Segment::Code(part));
        } else {
            prose(part, &mut out);
        }
    }
    out
}

/// The table's lines, split once: a look-up compares the start of each
/// line with the tag instead of reading the table's text (the results of a
/// large scenario look up thousands of citations per rendering).
fn table_lines() -> &'static [&'static str] {
    static LINES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    LINES.get_or_init(|| TABLE.lines().collect())
}

/// The row of a tag.
fn row_of(tag: &str) -> Option<Source> {
    table_lines().iter().find(|line| line.strip_prefix(tag).is_some_and(|r| r.starts_with('\t'))).and_then(|l| row(l))
}

/// The distinct citations of some texts, in first-seen order.
pub fn cited<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<Cite<'a>> {
    // A set, not a search of `out`: a hostile text can cite thousands of
    // distinct "research §N" sections.
    let mut seen = std::collections::BTreeSet::new();
    let mut out: Vec<Cite<'a>> = Vec::new();
    for t in texts {
        for s in segments(t) {
            if let Segment::Cite(c) = s
                && seen.insert(c.text)
            {
                out.push(c);
            }
        }
    }
    out
}

/// A text as HTML, every part escaped: `backticked` spans as `<code>` (or
/// kept with their backticks when `!code`), citations as
/// `<a class="src" href target=_blank rel title>` or, without a URL,
/// `<abbr class="src" tabindex="0" title>`. One string for the front ends
/// that set `innerHTML`: the playground links no per-element view code for
/// it, the analysis worker builds its panel as a string.
pub fn to_html(text: &str, code: bool) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for seg in segments(text) {
        match seg {
            Segment::Text(t) => escape_into(&mut out, t),
            Segment::Code(c) => {
                out.push_str(if code { "<code>" } else { "`" });
                escape_into(&mut out, c);
                out.push_str(if code { "</code>" } else { "`" });
            }
            Segment::Cite(c) => {
                match c.url {
                    Some(url) => {
                        out.push_str("<a class=\"src\" href=\"");
                        escape_into(&mut out, url);
                        out.push_str("\" target=\"_blank\" rel=\"noopener noreferrer\" title=\"");
                    }
                    None => out.push_str("<abbr class=\"src\" tabindex=\"0\" title=\""),
                }
                escape_into(&mut out, &c.title);
                out.push_str("\">");
                escape_into(&mut out, c.text);
                out.push_str(if c.url.is_some() { "</a>" } else { "</abbr>" });
            }
        }
    }
    out
}

/// Escapes text for HTML content and quoted attributes. The characters
/// escaped are ASCII, so the text between them is copied in runs (the
/// results of a large scenario escape megabytes per rendering).
pub fn escape_into(out: &mut String, s: &str) {
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(s.get(from..i).unwrap_or_default());
        out.push_str(entity);
        from = i + 1;
    }
    out.push_str(s.get(from..).unwrap_or_default());
}

/// Whether `c`, right before a tag, makes it part of something else
/// (`foo-A1`, `role/A1`, `x=A1`, `Production:V1`, `'Z1'`).
fn glued_before(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(
            c,
            '-' | '_'
                | '/'
                | '.'
                | ':'
                | '@'
                | '#'
                | '='
                | '&'
                | '?'
                | '%'
                | '+'
                | '*'
                | '~'
                | '\\'
                | '$'
                | '<'
                | '>'
                | '\''
        )
}

/// Plain text and citations of a text outside code spans, in one pass over
/// its bytes: most positions are rejected by their byte (a citation starts
/// with `r`, `R` or an ASCII capital), and a candidate costs one look-up of
/// the word there, not one per tag of the table. Every byte a citation,
/// URL or ARN can start with is ASCII, so the scan never looks inside a
/// multi-byte character; tests.rs holds the splitter this one must equal.
fn prose<'a>(s: &'a str, out: &mut Vec<Segment<'a>>) {
    let bytes = s.as_bytes();
    let mut plain_from = 0;
    let mut last_cite_end = None;
    let mut i = 0;
    // Whether `i` starts a word (the text's start, or after whitespace).
    let mut word_start = true;
    while let Some(&b) = bytes.get(i) {
        // A URL or an ARN is one word: nothing inside it is a citation.
        if word_start && let Some(len) = s.get(i..).and_then(url_or_arn) {
            i += len;
            word_start = false;
            continue;
        }
        if (b.is_ascii_uppercase() || b == b'r')
            && let Some(cite) = cite_at(s, i, last_cite_end)
        {
            if let Some(t) = s.get(plain_from..i).filter(|t| !t.is_empty()) {
                out.push(Segment::Text(t));
            }
            // A citation never ends with whitespace.
            i += cite.text.len();
            plain_from = i;
            last_cite_end = Some(i);
            word_start = false;
            out.push(Segment::Cite(cite));
            continue;
        }
        if b.is_ascii() {
            word_start = is_ascii_space(b);
            i += 1;
        } else {
            let c = s.get(i..).and_then(|r| r.chars().next());
            word_start = c.is_some_and(char::is_whitespace);
            i += c.map_or(1, char::len_utf8);
        }
    }
    if let Some(t) = s.get(plain_from..).filter(|t| !t.is_empty()) {
        out.push(Segment::Text(t));
    }
}

/// `char::is_whitespace` on an ASCII byte.
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// The length of the word `rest` starts with, if that word is a URL or an
/// ARN (possibly after an opening bracket or quote).
fn url_or_arn(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut end = 0;
    while let Some(&b) = bytes.get(end) {
        if b.is_ascii() {
            if is_ascii_space(b) {
                break;
            }
            end += 1;
        } else {
            match rest.get(end..).and_then(|r| r.chars().next()) {
                Some(c) if !c.is_whitespace() => end += c.len_utf8(),
                _ => break,
            }
        }
    }
    let word = rest.get(..end)?;
    let url = word.as_bytes().windows(3).any(|w| w == b"://");
    (url || word.trim_start_matches(['(', '[', '"']).starts_with("arn:")).then_some(end)
}

/// The citation starting at byte `i` of `s`, if any.
fn cite_at(s: &str, i: usize, last_cite_end: Option<usize>) -> Option<Cite<'_>> {
    let (before, rest) = (s.get(..i)?, s.get(i..)?);
    let prev = before.chars().next_back();
    // "Z1..Z11", "Z1…Z11": the second end of a range of tags.
    let range_end = last_cite_end.is_some_and(|e| matches!(before.get(e..), Some(".." | "…")));
    if prev.is_some_and(glued_before) && !range_end {
        return None;
    }
    if rest.starts_with("research") || rest.starts_with("Research") {
        return research_at(rest, row_of("research")?);
    }
    if ["Appendix ", "appendix ", "Table ", "Figure "].iter().any(|w| before.ends_with(w)) {
        return None;
    }
    // Tags are `[A-Z][A-Z0-9-]*` (build.rs `is_tag`), and a tag must end a
    // word (`ends_word`), which a following `[A-Z0-9-]` never does: the only
    // tag that can be cited here is the whole run of those bytes, so the
    // longest match is found by one look-up of that run.
    let len = rest.bytes().take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'-').count();
    let (tag, after) = (rest.get(..len)?, rest.get(len..)?);
    // A tag that is also a word (GHES, TOOLKIT) only in "(GHES)", "[GHES, …".
    let word = !tag.contains(|c: char| c.is_ascii_digit() || c == '-');
    let cited = !word || (matches!(prev, Some('(' | '[')) && after.starts_with([')', ']', ',', ';']));
    if !tag.starts_with(|c: char| c.is_ascii_uppercase()) || !ends_word(after) || !cited {
        return None;
    }
    let source = row_of(tag)?;
    let title = if source.title.is_empty() { source.url.unwrap_or(source.tag) } else { source.title };
    Some(Cite { text: tag, url: source.url, title: title.to_string() })
}

/// Whether a tag ends here: not followed by a letter, digit or joiner, nor
/// by `.`/`:` that continue a word (`A1.2`, `A1:x`).
fn ends_word(after: &str) -> bool {
    let mut chars = after.chars();
    match chars.next() {
        None => true,
        Some(c) if c.is_alphanumeric() || matches!(c, '-' | '_' | '/' | '@' | '#') => false,
        Some('.' | ':') => !chars.next().is_some_and(char::is_alphanumeric),
        Some(_) => true,
    }
}

/// "research §4.2", "research: github-oidc-tokens.md §1.4", "research
/// seeds/keyless-deployments-aws-azure-gcp.md §5": a section of the team's
/// research notes or of the guides the product grew from (`docs/research/`),
/// as sources.md describes.
fn research_at(rest: &str, notes: Source) -> Option<Cite<'_>> {
    let after = rest.get("research".len()..)?;
    let after = after.strip_prefix(':').unwrap_or(after).strip_prefix(' ')?;
    let (file, after) = match after.split_once(' ') {
        Some((f, a))
            if f.ends_with(".md")
                && f.len() > 3
                && f.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-./".contains(c)) =>
        {
            (Some(f), a)
        }
        _ => (None, after),
    };
    let section = after.strip_prefix('§')?;
    let end = section.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(section.len());
    let number = section.get(..end)?.trim_end_matches('.');
    if !number.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let text = rest.get(..rest.len() - section.len() + number.len())?;
    let dir = if file.is_some() { "docs/research/" } else { "" };
    Some(Cite { text, url: None, title: format!("§{number} of {dir}{}", file.unwrap_or(notes.title)) })
}

#[cfg(test)]
mod tests;
