//! Generates the source-tag table (`sources::all`) from `sources.md` (this
//! crate's; `docs/sources.md` is a copy a test keeps identical), so that the
//! crate builds from its own files alone (`cargo install`, `cargo package`),
//! so a tag shown in a trace links to the document it cites and the table
//! cannot drift from the docs. It ships in the playground's first load (see
//! README "Size budget"), so it keeps only the tags the engine's code cites,
//! each with its URL, or a short title when it has none.
//! A missing or malformed file degrades to an empty table with a warning.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const SOURCES_MD: &str = "sources.md";
/// Titles are tooltips for tags without a URL (a link's title is its URL):
/// enough to say what the source is, short enough for the first load.
const MAX_TITLE: usize = 96;
/// The paragraph of sources.md that explains "research §N".
const RESEARCH_PARAGRAPH: &str = "Research sections cited as";

fn main() {
    println!("cargo:rerun-if-changed={SOURCES_MD}");
    println!("cargo:rerun-if-changed=build.rs");
    let out = std::env::var_os("OUT_DIR").map(PathBuf::from).unwrap_or_default();
    let mut rows = match std::fs::read_to_string(SOURCES_MD) {
        Ok(md) => parse(&md),
        Err(e) => {
            println!("cargo:warning=keyless-core: cannot read {SOURCES_MD} ({e}); source tags will not be linked");
            Vec::new()
        }
    };
    if rows.is_empty() {
        println!("cargo:warning=keyless-core: no source tags found in {SOURCES_MD}");
    }
    // Only the tags the engine's code cites can appear in its texts: the
    // others would cost the playground's first load for nothing.
    println!("cargo:rerun-if-changed=src");
    let mut code = String::new();
    engine_code(Path::new("src"), &mut code);
    if code.is_empty() {
        println!("cargo:warning=keyless-core: cannot read src/; keeping every source tag");
    } else {
        rows.retain(|r| r.tag == "research" || mentions(&code, &r.tag));
    }
    // One line per tag, `tag\turl\ttitle`: a string compresses far better
    // in the wasm than an array of (pointer, length) fields.
    let mut table = String::new();
    for r in &rows {
        let clean = |s: &str| s.replace(['\t', '\n'], " ");
        let _ =
            writeln!(table, "{}\t{}\t{}", clean(&r.tag), clean(r.url.as_deref().unwrap_or_default()), clean(&r.title));
    }
    let target = Path::new(&out).join("sources.tsv");
    if let Err(e) = std::fs::write(&target, table) {
        println!("cargo:warning=keyless-core: cannot write {}: {e}", target.display());
    }
    for (name, map) in [("case_upper.bin", simple_upper as fn(char) -> Option<char>), ("case_lower.bin", simple_lower)]
    {
        let target = Path::new(&out).join(name);
        if let Err(e) = std::fs::write(&target, case_runs(map)) {
            println!("cargo:warning=keyless-core: cannot write {}: {e}", target.display());
        }
    }
}

/// `c`'s uppercase when it is one other character (the simple mapping that
/// per-character comparisons use), from this toolchain's Unicode tables.
fn simple_upper(c: char) -> Option<char> {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) if u != c => Some(u),
        _ => None,
    }
}

fn simple_lower(c: char) -> Option<char> {
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) if l != c => Some(l),
        _ => None,
    }
}

/// The mapping as runs for `case` (src/case.rs): characters `start`,
/// `start + stride`, … (`count` of them) map to themselves plus `delta`.
/// Eight bytes a run: start (3, little-endian), count, stride, delta (3,
/// two's complement). About 190 runs cover Unicode's ~1,400 mappings.
fn case_runs(map: fn(char) -> Option<char>) -> Vec<u8> {
    let pairs: Vec<(u32, i32)> = (0..=0x10FFFFu32)
        .filter_map(char::from_u32)
        .filter_map(|c| map(c).map(|m| (c as u32, m as i32 - c as i32)))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&(start, delta)) = pairs.get(i) {
        let stride = match pairs.get(i + 1) {
            Some(&(next, d)) if d == delta && (next - start == 1 || next - start == 2) => next - start,
            _ => 1,
        };
        let mut count = 1;
        while count < 255 {
            match (pairs.get(i + count - 1), pairs.get(i + count)) {
                (Some(&(prev, _)), Some(&(next, d))) if d == delta && next - prev == stride => count += 1,
                _ => break,
            }
        }
        out.extend_from_slice(&start.to_le_bytes()[..3]);
        out.push(count as u8);
        out.push(stride as u8);
        out.extend_from_slice(&delta.to_le_bytes()[..3]);
        i += count;
    }
    out
}

/// The code of every `.rs` file under `dir`, without its comment lines,
/// nor the `sources` module (its tests write tags to test the splitter).
fn engine_code(dir: &Path, out: &mut String) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.ends_with("sources") {
            continue;
        }
        if path.is_dir() {
            engine_code(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            for line in std::fs::read_to_string(&path).unwrap_or_default().lines() {
                if !line.trim_start().starts_with("//") {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
    }
}

/// Whether `code` contains `tag` as a word.
fn mentions(code: &str, tag: &str) -> bool {
    let joins = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    code.match_indices(tag).any(|(i, _)| {
        !joins(code.get(..i).and_then(|b| b.chars().next_back()))
            && !joins(code.get(i + tag.len()..).and_then(|a| a.chars().next()))
    })
}

struct Row {
    tag: String,
    url: Option<String>,
    title: String,
}

/// Rows of every `| Tag | Source |` table, plus the research paragraph as
/// the pseudo-tag `research`. The first row of a tag wins.
fn parse(md: &str) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let mut in_table = false;
    for line in md.lines() {
        let line = line.trim();
        if !line.starts_with('|') {
            in_table = false;
            if line.starts_with(RESEARCH_PARAGRAPH) {
                // The paragraph may wrap: take the rest of it.
                let rest: Vec<&str> = md
                    .lines()
                    .skip_while(|l| !l.trim().starts_with(RESEARCH_PARAGRAPH))
                    .take_while(|l| !l.trim().is_empty())
                    .collect();
                // "… refer to X or Y in …": the title is what they refer to.
                let text = plain(&rest.join(" "));
                let text = text.split_once(" refer to ").map_or(text.as_str(), |(_, t)| t);
                let text = text.split(';').next().unwrap_or(text);
                rows.push(Row { tag: "research".into(), url: None, title: shorten(text, 2 * MAX_TITLE) });
            }
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let (Some(tag), Some(rest)) = (cells.first(), cells.get(1..)) else { continue };
        if tag.eq_ignore_ascii_case("tag") {
            in_table = true;
            continue;
        }
        if !in_table || tag.starts_with('-') || !is_tag(tag) {
            continue;
        }
        if rows.iter().any(|r| r.tag == *tag) {
            println!("cargo:warning=keyless-core: source tag {tag} is defined twice in {SOURCES_MD}; the first wins");
            continue;
        }
        let source = rest.join("; ");
        let url = url_of(&source);
        let mut title = plain(&source);
        if let Some(u) = &url {
            title = title.replace(u.as_str(), " ").replace(u.trim_start_matches("https://"), " ");
        }
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        let title =
            title.trim_end_matches([' ', '=', ',', ';', ':', '(', '+']).trim_start_matches([' ', '=', ',', ';']);
        let title = title
            .strip_prefix('(')
            .and_then(|t| t.strip_suffix(')'))
            .filter(|t| !t.contains(['(', ')']))
            .unwrap_or(title);
        let title = if url.is_some() { String::new() } else { shorten(&compact_paths(title), MAX_TITLE) };
        rows.push(Row { tag: (*tag).to_string(), url, title });
    }
    rows
}

/// `a/b/c/file.md` → `…/file.md` (the file names the source; sources.md
/// has the full path). `owner/repo` and URLs stay.
fn compact_paths(s: &str) -> String {
    let words: Vec<String> = s
        .split(' ')
        .map(|w| match w.rsplit_once('/') {
            Some((dir, file)) if dir.contains('/') && !w.contains("://") && file.contains('.') => format!("…/{file}"),
            _ => w.to_string(),
        })
        .collect();
    words.join(" ").replace("github/docs ", "GitHub docs ")
}

fn is_tag(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

/// Markdown to plain text: code spans and links keep their text.
fn plain(md: &str) -> String {
    let mut out = String::new();
    let mut rest = md;
    while let Some(open) = rest.find('[') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let link = after.find("](").and_then(|mid| after.get(mid..)?.find(')').map(|close| (mid, mid + close)));
        match link {
            Some((mid, close)) => {
                out.push_str(after.get(1..mid).unwrap_or_default());
                rest = after.get(close + 1..).unwrap_or_default();
            }
            None => {
                out.push('[');
                rest = after.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out.replace("**", "").replace('`', "")
}

/// At most `max` characters, cut at a space, with "…".
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = cut.rfind(' ').filter(|i| *i > cut.len() / 2).and_then(|i| cut.get(..i)).unwrap_or(&cut);
    format!("{}…", cut.trim_end_matches([',', ';', ' ', '(']))
}

/// The source's URL: its first `https://` URL outside code spans; else a
/// URL derived only where the mapping is certain: github/docs
/// `content/X.md` → docs.github.com/en/X, a scheme-less `host.tld/path`,
/// `owner/repo#N` → the GitHub issue (GitHub redirects to a pull request).
fn url_of(source: &str) -> Option<String> {
    let outside_code: String = source.split('`').step_by(2).collect::<Vec<_>>().join(" ");
    let words = || outside_code.split_whitespace();
    if let Some(u) = words().find_map(|w| w.find("https://").and_then(|i| w.get(i..))) {
        return Some(trim_url(u));
    }
    if source.contains("github/docs") {
        let code_spans = source.split('`').skip(1).step_by(2);
        if let Some(path) =
            code_spans.clone().next().and_then(|p| p.strip_prefix("content/")).and_then(|p| p.strip_suffix(".md"))
        {
            let path = path.strip_suffix("/index").unwrap_or(path);
            if path.chars().all(|c| c.is_ascii_alphanumeric() || "-_/".contains(c)) {
                return Some(format!("https://docs.github.com/en/{path}"));
            }
        }
    }
    for w in words() {
        let w = w.trim_start_matches('(');
        let Some((host, path)) = w.split_once('/') else { continue };
        let labels: Vec<&str> = host.split('.').collect();
        let is_host = labels.len() >= 2
            && labels
                .iter()
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
            && labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_lowercase()));
        if is_host && !path.is_empty() {
            return Some(trim_url(&format!("https://{w}")));
        }
        if let Some((repo, issue)) = w.split_once('#') {
            let issue = issue.trim_end_matches([',', ';', ')', '.']);
            let (owner, name) = repo.split_once('/').unwrap_or_default();
            let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            if ident(owner) && ident(name) && !issue.is_empty() && issue.chars().all(|c| c.is_ascii_digit()) {
                return Some(format!("https://github.com/{owner}/{name}/issues/{issue}"));
            }
        }
    }
    None
}

/// Drops trailing punctuation and an unbalanced closing parenthesis.
fn trim_url(u: &str) -> String {
    let mut u = u.trim_end_matches([',', ';', '.', ':']);
    while u.ends_with(')') && u.matches('(').count() < u.matches(')').count() {
        u = u.get(..u.len() - 1).unwrap_or_default().trim_end_matches([',', ';', '.']);
    }
    u.to_string()
}
