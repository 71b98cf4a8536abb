//! The table is docs/sources.md's; citations are found where the engine
//! writes them and nowhere else.

use super::*;
use std::path::Path;

/// (text, the citations found, as `text→url-or-title-start`).
fn cites(text: &str) -> Vec<String> {
    segments(text)
        .into_iter()
        .filter_map(|s| match s {
            Segment::Cite(c) => Some(format!("{}→{}", c.text, c.url.unwrap_or("-"))),
            _ => None,
        })
        .collect()
}

#[test]
fn table_comes_from_sources_md() {
    let md = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.md")).unwrap();
    assert!(all().count() > 30, "the tags the engine cites");
    for s in all() {
        assert!(md.contains(&format!("| {} |", s.tag)) || s.tag == "research", "{}", s.tag);
        assert!(s.url.is_none_or(|u| u.starts_with("https://") && !u.contains(char::is_whitespace)), "{s:?}");
        assert!(s.title.chars().count() <= 230, "short titles: {s:?}");
    }
    // Rows no code cites are left out (A20: a repost.aws question).
    let a20 = format!("A{}", 20);
    assert!(md.contains(&format!("| {a20} |")) && lookup(&a20).is_none());
}

#[test]
fn urls_are_the_first_https_url_or_a_certain_mapping() {
    let url = |t: &str| lookup(t).unwrap().url;
    // Written out.
    assert_eq!(url("D-REF"), Some("https://docs.github.com/en/actions/reference/security/oidc"));
    assert_eq!(url("L7"), Some("https://help.aliyun.com/zh/ram/developer-reference/api-sts-2015-04-01-errorcodes"));
    // github/docs `content/X.md` → docs.github.com/en/X.
    assert_eq!(
        url("A18"),
        Some("https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws")
    );
    // A scheme-less host/path.
    assert_eq!(
        url("A1"),
        Some("https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html")
    );
    // owner/repo#N (the first of a list).
    assert_eq!(url("P5"), Some("https://github.com/chainguard-dev/terraform-infra-common/issues/672"));
    // Not certain: "…/x" (relative to an unstated base), a non-content
    // github/docs path, a placeholder URL in a code span, a repo path.
    for t in ["A2", "D-TOK", "GHES", "Z1", "L8"] {
        assert_eq!(url(t), None, "{t}");
    }
    assert!(lookup("Z1").unwrap().title.contains("flexible-federated-identity-credentials.md"));
    // A link's title is its URL: only sources without one keep a text.
    assert_eq!(lookup("L7").unwrap().title, "");
    assert_eq!(lookup("A4").unwrap().title, "awsdocs doc_source/reference_policies_elements_condition.md");
}

#[test]
fn segments_keep_code_spans_and_find_tags() {
    let s = segments("`eq` is exact; wildcards only with `matches` (Z1).");
    assert_eq!(s.len(), 6);
    assert_eq!(s[0], Segment::Code("eq"));
    assert_eq!(s[1], Segment::Text(" is exact; wildcards only with "));
    assert_eq!(s[2], Segment::Code("matches"));
    assert_eq!(s[3], Segment::Text(" ("));
    let Segment::Cite(c) = &s[4] else { panic!("{s:?}") };
    assert_eq!((c.text, c.url), ("Z1", None));
    assert!(c.title.contains("entra-docs"), "{}", c.title);
    assert_eq!(s[5], Segment::Text(")."));
    // Joined back, the text is unchanged (backticks aside).
    let text = "a (D-REF, research §2.3) b `c` A1";
    let back: String = segments(text)
        .iter()
        .map(|s| match s {
            Segment::Text(t) => t.to_string(),
            Segment::Code(c) => format!("`{c}`"),
            Segment::Cite(c) => c.text.to_string(),
        })
        .collect();
    assert_eq!(back, text);
}

#[test]
fn citations_in_their_usual_forms() {
    let cases: &[(&str, &[&str])] = &[
        ("(D-REF)", &["D-REF→https://docs.github.com/en/actions/reference/security/oidc"]),
        (
            "matches (A1)",
            &[
                "A1→https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html",
            ],
        ),
        (
            "A18 says",
            &[
                "A18→https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws",
            ],
        ),
        (
            "(Z1, Z9)",
            &["Z1→-", "Z9→https://learn.microsoft.com/javascript/api/@azure/arm-msi/claimsmatchingexpression"],
        ),
        ("(P1; P3 TROUBLESHOOTING)", &["P1→-", "P3→-"]),
        ("(Z1: \"separated ... by a single space\")", &["Z1→-"]),
        ("[INF] (L7).", &["L7→https://help.aliyun.com/zh/ram/developer-reference/api-sts-2015-04-01-errorcodes"]),
        ("(research §1.3, A13 #306)", &["research §1.3→-", "A13→-"]),
        // A range: both ends.
        (
            "(Z1..Z9)",
            &["Z1→-", "Z9→https://learn.microsoft.com/javascript/api/@azure/arm-msi/claimsmatchingexpression"],
        ),
        (
            "(Z1…Z5)",
            &["Z1→-", "Z5→https://learn.microsoft.com/graph/api/resources/federatedidentitycredentials-overview"],
        ),
        // Only the tags the engine cites are in the table.
        ("(Z1..Z11)", &["Z1→-"]),
        // A tag that is also a word only as a citation.
        ("(GHES)", &["GHES→-"]),
        ("[GHES, D-REF]", &["GHES→-", "D-REF→https://docs.github.com/en/actions/reference/security/oidc"]),
    ];
    for (text, want) in cases {
        assert_eq!(cites(text), *want, "{text}");
    }
}

#[test]
fn research_sections() {
    let one = |text: &str| match segments(text)
        .into_iter()
        .find_map(|s| if let Segment::Cite(c) = s { Some(c) } else { None })
    {
        Some(c) => (c.text.to_string(), c.title),
        None => (String::new(), String::new()),
    };
    let (text, title) = one("the default audience (research §4.2).");
    assert_eq!(text, "research §4.2");
    assert!(title.starts_with("§4.2 of github-oidc-tokens.md"), "{title}");
    assert!(title.contains("cloud-trust-evaluation.md"), "{title}");
    let (text, title) = one("exactly (research github-oidc-tokens.md §4.1)");
    assert_eq!(text, "research github-oidc-tokens.md §4.1");
    assert_eq!(title, "§4.1 of docs/research/github-oidc-tokens.md");
    assert_eq!(one("(research: github-oidc-tokens.md §1.4)").0, "research: github-oidc-tokens.md §1.4");
    assert_eq!(one("Research §0: an enterprise").0, "Research §0");
    assert_eq!(one("research §6.6, Appendix A2").0, "research §6.6");
    assert_eq!(one("research §4. Then").0, "research §4", "a full stop is not part of the section");
    // No section: not a citation.
    assert_eq!(one("the research notes say"), (String::new(), String::new()));
    assert_eq!(one("research § x"), (String::new(), String::new()));
}

#[test]
fn no_false_positives() {
    for text in [
        "KL-A1 and XA1 and A1x and A1_b and A1-b",
        "arn:aws:iam::111122223333:role/A1",
        "(arn:aws:iam::111122223333:role/Z1)",
        "https://example.com/A1?x=Z1#D-REF, then more",
        "see `(A1)` and `D-REF`",
        "version A1.2 and key A1:x",
        "environment: Production:V1",
        "GHES before 3.20; not on GHES: legacy form; TOOLKIT here",
        "research §6.6 / Appendix A2",
        "a 'Z1' literal, an e-mail x@A1, a path dir/A1",
        "KL-SUB-003, AADSTS700212, RE2, DC32, A999",
        "Z12 and A22 are not in the table",
        "research notes, § alone",
    ] {
        let found: Vec<String> = cites(text).into_iter().filter(|c| !c.starts_with("research §6.6")).collect();
        assert!(found.is_empty(), "{text}: {found:?}");
    }
    // The longest tag wins: A13 is not A1 followed by "3".
    assert_eq!(cites("(A13)"), ["A13→-"]);
}

#[test]
fn unpaired_backtick_runs_to_the_end_as_before() {
    assert_eq!(segments("a (A1) `b (Z1)"), segments("a (A1) `b (Z1)`"));
    assert!(matches!(segments("x `b (Z1)").last(), Some(Segment::Code("b (Z1)"))));
}

#[test]
fn cited_lists_each_source_once_in_order() {
    let c = cited(["x (Z1, A1)", "y (A1; research §2.3)", "`Z3`"]);
    let texts: Vec<&str> = c.iter().map(|c| c.text).collect();
    assert_eq!(texts, ["Z1", "A1", "research §2.3"]);
    assert!(c.iter().all(|c| !c.title.is_empty()));
}

#[test]
fn hostile_text_does_not_panic() {
    for text in [
        "",
        "`",
        "``",
        "research",
        "research ",
        "research §",
        "research §.",
        "(Z1..",
        "Z1..",
        "…",
        "é(A1)é",
        "A1\u{301}",
        "§§§research §9.9.9.9",
    ] {
        let _ = segments(text);
    }
}

#[test]
fn html_escapes_everything_and_links_citations() {
    assert_eq!(
        to_html("<b a=\"x\">&'` <i>`</b> (L7)", true),
        "&lt;b a=&quot;x&quot;&gt;&amp;&#39;<code> &lt;i&gt;</code>&lt;/b&gt; (<a class=\"src\" href=\"https://help.aliyun.com/zh/ram/developer-reference/api-sts-2015-04-01-errorcodes\" target=\"_blank\" rel=\"noopener noreferrer\" title=\"https://help.aliyun.com/zh/ram/developer-reference/api-sts-2015-04-01-errorcodes\">L7</a>)"
    );
    assert_eq!(
        to_html("`x` (research §1)", false).split(" title").next(),
        Some("`x` (<abbr class=\"src\" tabindex=\"0\"")
    );
    // Titles go through the same escaping (sources.md has quotes in them).
    let t = to_html("(D-TOK)", true);
    assert!(t.contains("title=\"GitHub docs &quot;GITHUB_TOKEN reference&quot;"), "{t}");
    assert_eq!(to_html("plain", true), "plain");
}

/// The string literals of a Rust source file (plain and raw strings; not
/// comments, chars or lifetimes).
fn string_literals(src: &str) -> Vec<String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\'') or a lifetime ('a).
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if c == 'r'
            && matches!(next, Some('"' | '#'))
            && !chars.get(i.wrapping_sub(1)).is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                i += 1;
                continue;
            }
            let start = j + 1;
            let mut k = start;
            while k < chars.len() && !(chars[k] == '"' && (0..hashes).all(|h| chars.get(k + 1 + h) == Some(&'#'))) {
                k += 1;
            }
            out.push(chars[start..k.min(chars.len())].iter().collect());
            i = k + 1 + hashes;
        } else if c == '"' {
            let mut k = i + 1;
            let mut s = String::new();
            while k < chars.len() && chars[k] != '"' {
                if chars[k] == '\\' {
                    k += 1;
                }
                if let Some(ch) = chars.get(k) {
                    s.push(*ch);
                }
                k += 1;
            }
            out.push(s);
            i = k + 1;
        } else {
            i += 1;
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every tag-like token (`A1`, `Z11`, `D-REF`, `CL-PRT`) in a string literal
/// of the engine — traces, messages, explanations, findings, and the tests'
/// citations — is a tag of docs/sources.md.
#[test]
fn every_tag_the_engine_cites_is_in_sources_md() {
    let tag_like = regex_lite::Regex::new(
        r"(?:^|[^A-Za-z0-9_/.:@#=&?%+*~$'\\-])((?:D|CL)-[A-Z0-9]+|[A-Z][0-9]{1,2})(?:$|[^A-Za-z0-9_/@#-])",
    )
    .unwrap();
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    // This module's own tests write non-tags on purpose.
    files.retain(|f| !f.ends_with("sources/tests.rs"));
    files.sort();
    assert!(files.len() > 20);
    let mut unknown = Vec::new();
    let mut seen = 0;
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        for lit in string_literals(&src) {
            for line in lit.lines() {
                // Overlapping matches: scan from each hit's tag end.
                let mut at = 0;
                while let Some(m) = line.get(at..).and_then(|l| tag_like.captures(l)) {
                    let tag = m.get(1).unwrap();
                    let tag_str = tag.as_str();
                    seen += 1;
                    // "Appendix A2" is the research note's appendix, not A2.
                    if lookup(tag_str).is_none() && !line[..at + tag.start()].ends_with("Appendix ") {
                        unknown.push(format!(
                            "{}: {tag_str} in {line:?}",
                            f.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(f).display()
                        ));
                    }
                    at += tag.end();
                }
            }
        }
    }
    assert!(seen > 50, "the scan finds the engine's citations ({seen})");
    assert!(unknown.is_empty(), "tags cited in the engine but missing from docs/sources.md:\n{}", unknown.join("\n"));
}

/// The splitter as it was before it became one pass (every tag of the
/// table tried at every position of the text), kept as the oracle the
/// one-pass splitter must equal.
fn oracle_segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            out.push(Segment::Code(part));
        } else {
            oracle_prose(part, &mut out);
        }
    }
    out
}

fn oracle_prose<'a>(s: &'a str, out: &mut Vec<Segment<'a>>) {
    let mut plain_from = 0;
    let mut last_cite_end = None;
    let mut i = 0;
    while let Some(rest) = s.get(i..).filter(|r| !r.is_empty()) {
        let word_start = s.get(..i).is_none_or(|b| b.is_empty() || b.ends_with(char::is_whitespace));
        if word_start {
            let word = rest.split(char::is_whitespace).next().unwrap_or_default();
            if word.contains("://") || word.trim_start_matches(['(', '[', '"']).starts_with("arn:") {
                i += word.len().max(1);
                continue;
            }
        }
        if let Some(cite) = oracle_cite_at(s, i, last_cite_end) {
            if let Some(t) = s.get(plain_from..i).filter(|t| !t.is_empty()) {
                out.push(Segment::Text(t));
            }
            i += cite.text.len();
            plain_from = i;
            last_cite_end = Some(i);
            out.push(Segment::Cite(cite));
            continue;
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    if let Some(t) = s.get(plain_from..).filter(|t| !t.is_empty()) {
        out.push(Segment::Text(t));
    }
}

fn oracle_cite_at(s: &str, i: usize, last_cite_end: Option<usize>) -> Option<Cite<'_>> {
    let (before, rest) = (s.get(..i)?, s.get(i..)?);
    let prev = before.chars().next_back();
    let range_end = last_cite_end.is_some_and(|e| matches!(before.get(e..), Some(".." | "…")));
    if prev.is_some_and(glued_before) && !range_end {
        return None;
    }
    if rest.starts_with("research") || rest.starts_with("Research") {
        return research_at(rest, lookup("research")?);
    }
    if ["Appendix ", "appendix ", "Table ", "Figure "].iter().any(|w| before.ends_with(w)) {
        return None;
    }
    let mut best: Option<Source> = None;
    for src in all() {
        let Some(after) = rest.strip_prefix(src.tag) else { continue };
        let word = !src.tag.contains(|c: char| c.is_ascii_digit() || c == '-');
        let cited = !word || (matches!(prev, Some('(' | '[')) && after.starts_with([')', ']', ',', ';']));
        if src.tag.starts_with(|c: char| c.is_ascii_uppercase())
            && ends_word(after)
            && cited
            && best.is_none_or(|b| b.tag.len() < src.tag.len())
        {
            best = Some(src);
        }
    }
    let source = best?;
    let title = if source.title.is_empty() { source.url.unwrap_or(source.tag) } else { source.title };
    Some(Cite { text: rest.get(..source.tag.len())?, url: source.url, title: title.to_string() })
}

/// The one-pass splitter looks up only the whole `[A-Z0-9-]` run at a
/// candidate: right only while every tag is one such run (build.rs `is_tag`).
#[test]
fn every_tag_is_a_run_of_capitals_digits_and_hyphens() {
    for s in all().filter(|s| s.tag != "research") {
        assert!(s.tag.starts_with(|c: char| c.is_ascii_uppercase()), "{s:?}");
        assert!(s.tag.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'), "{s:?}");
    }
}

/// Pieces of the texts the splitter meets, and of the ones it must
/// refuse, separated by `|`.
const PIECES: &str = "A1|A13|A18|A2|A20|Z1|Z9|Z11|D-REF|D-|CL-PRT|GHES|TOOLKIT|L7|P3|V1|X1|A|Z|D|research|Research|\
    research |§|§4.2|§1.|4|github-oidc-tokens.md |: |(|)|[|]|,|;| |\n|\t|..|…|.|:|-|_|/|'|\"|`|://|https://x.io/|arn:|\
    Appendix |appendix |Table |Figure |x|é|\u{301}|Ä|@|#|=|&|a1|\u{a0}";

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1500))]

    #[test]
    fn one_pass_equals_the_oracle_on_tag_like_text(
        pieces in proptest::collection::vec(proptest::sample::select(PIECES.split('|').collect::<Vec<_>>()), 0..40)
    ) {
        let text = pieces.concat();
        proptest::prop_assert_eq!(segments(&text), oracle_segments(&text), "{:?}", text);
    }

    #[test]
    fn one_pass_equals_the_oracle_on_any_text(text in "\\PC{0,80}") {
        proptest::prop_assert_eq!(segments(&text), oracle_segments(&text), "{:?}", text);
    }
}

/// Every string literal of the engine (its traces, messages and findings)
/// splits as it did.
#[test]
fn one_pass_equals_the_oracle_on_the_engines_texts() {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    let mut texts = 0;
    for f in &files {
        for lit in string_literals(&std::fs::read_to_string(f).unwrap()) {
            assert_eq!(segments(&lit), oracle_segments(&lit), "{lit:?} in {}", f.display());
            texts += 1;
        }
    }
    assert!(texts > 1000, "{texts}");
}

/// One home for the sources table: this crate's `sources.md` (the build
/// reads it, so the published crate needs nothing outside itself);
/// `docs/sources.md` is its copy for readers. KEYLESS_BLESS=1 rewrites it.
#[test]
fn docs_sources_md_is_the_crates_table() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let home = std::fs::read_to_string(dir.join("sources.md")).unwrap();
    let docs = dir.join("../../docs/sources.md");
    if std::env::var_os("KEYLESS_BLESS").is_some() {
        std::fs::write(&docs, &home).unwrap();
    }
    let copy = std::fs::read_to_string(&docs).unwrap_or_default();
    assert!(
        copy == home,
        "docs/sources.md differs from crates/keyless-core/sources.md (the home: edit it, then KEYLESS_BLESS=1 cargo test -p keyless-core docs_sources_md)"
    );
}

/// Whether `file` (under docs/research/) has a section numbered `number`:
/// a Markdown heading (`## 2.`, `### 2.2 …`, `## A.1`), in the guides
/// (plain text) a line opening with `2. `, or item `k` of the numbered
/// list under heading `N` for `N.k` ("research §6.6": pitfall 6 of §6).
fn has_section(file: &str, number: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(research_dir().join(file)) else { return false };
    let opens = |line: &str, n: &str| {
        let heading = line.trim_start_matches('#');
        let body = if heading.len() < line.len() { heading.trim_start() } else { line };
        body.strip_prefix(n).is_some_and(|rest| rest.starts_with(['.', ' ']) || rest.is_empty())
    };
    let lines: Vec<&str> = text.lines().collect();
    if lines.iter().any(|l| opens(l, number)) {
        return true;
    }
    let Some((parent, item)) = number.rsplit_once('.') else { return false };
    let Some(start) = lines.iter().position(|l| l.starts_with('#') && opens(l, parent)) else { return false };
    lines[start + 1..]
        .iter()
        .take_while(|l| !l.starts_with('#'))
        .any(|l| l.strip_prefix(item).is_some_and(|rest| rest.starts_with(". ")))
}

#[test]
fn sections_are_found_by_number() {
    assert!(has_section("github-oidc-tokens.md", "2.2"));
    assert!(has_section("github-oidc-tokens.md", "5"));
    assert!(has_section("seeds/keyless-deployments-aws-azure-gcp.md", "6"));
    assert!(has_section("peers-and-anchors.md", "A.1"));
    assert!(has_section("github-oidc-tokens.md", "6.6"), "pitfall 6 of §6");
    assert!(!has_section("github-oidc-tokens.md", "6.99"));
    assert!(!has_section("github-oidc-tokens.md", "9.9"));
    assert!(!has_section("no-such-notes.md", "1"));
}

fn research_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/research")
}

/// Every reference a user can see — in the engine's texts (traces,
/// messages, findings, what-if rows), the fixtures (the playground's
/// presets) and the docs — resolves to a file of this repository (and a
/// section that file has) or is a source tag of sources.md: nothing points
/// at notes outside the repository.
#[test]
fn every_reference_a_user_can_see_resolves() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut texts: Vec<(String, String)> = Vec::new();
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    files.retain(|f| !f.ends_with("sources/tests.rs"));
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        let name = f.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(f).display().to_string();
        texts.extend(string_literals(&src).into_iter().map(|l| (name.clone(), l)));
    }
    let mut docs = vec![root.join("README.md"), root.join("ARCHITECTURE.md")];
    for dir in ["docs", "tests/fixtures", "tests/github"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "md" || x == "yaml") {
                docs.push(p);
            }
        }
    }
    for p in &docs {
        texts.push((p.strip_prefix(&root).unwrap_or(p).display().to_string(), std::fs::read_to_string(p).unwrap()));
    }
    let outside = regex_lite::Regex::new(r"shared/(seeds|research)|\.\./shared/|seed guide|seed document").unwrap();
    let path_ref = regex_lite::Regex::new(r"docs/research/([a-z0-9./-]+\.md)").unwrap();
    let mut bad = Vec::new();
    let mut checked = 0;
    for (name, text) in &texts {
        // sarif.rs lists these phrases to keep them out of help texts.
        if outside.find(text).is_some_and(|m| m.as_str() == text.as_str()) {
            continue;
        }
        for m in outside.find_iter(text) {
            bad.push(format!("{name}: `{}` points outside the repository", m.as_str()));
        }
        for c in path_ref.captures_iter(text) {
            checked += 1;
            if !research_dir().join(&c[1]).exists() {
                bad.push(format!("{name}: docs/research/{} does not exist", &c[1]));
            }
        }
        for line in text.lines() {
            for seg in segments(line) {
                let Segment::Cite(c) = seg else { continue };
                let Some(rest) = c.text.strip_prefix("research").or_else(|| c.text.strip_prefix("Research")) else {
                    continue;
                };
                checked += 1;
                let rest = rest.trim_start_matches(':').trim();
                let (file, number) = match rest.split_once(" §") {
                    Some((f, n)) => (Some(f), n),
                    None => (None, rest.trim_start_matches('§')),
                };
                let found = match file {
                    Some(f) => has_section(f, number),
                    None => {
                        ["github-oidc-tokens.md", "cloud-trust-evaluation.md"].iter().any(|f| has_section(f, number))
                    }
                };
                if !found {
                    bad.push(format!(
                        "{name}: `{}`: no section {number} in {}",
                        c.text,
                        file.unwrap_or("the research notes")
                    ));
                }
            }
        }
    }
    assert!(checked > 40, "the scan finds the references ({checked})");
    assert!(bad.is_empty(), "references a user cannot follow:\n{}", bad.join("\n"));
}
