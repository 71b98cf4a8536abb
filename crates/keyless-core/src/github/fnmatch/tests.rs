//! Cases from the Ruby `File.fnmatch` documentation (D-FNM: the examples
//! block of `File.fnmatch`, read with FNM_PATHNAME as GitHub sets it) and
//! from GitHub's pattern examples (D-ENV deployment branches and tags, D-BPR
//! branch protection rules); properties against a regex oracle.

use super::fnmatch;
use proptest::prelude::*;

fn m(pattern: &str, name: &str) -> bool {
    fnmatch(pattern, name).unwrap_or_else(|_| panic!("budget exceeded for {pattern:?} {name:?}"))
}

/// D-FNM examples, with FNM_PATHNAME (the flag GitHub states, D-BPR).
#[test]
fn ruby_documentation_examples_with_fnm_pathname() {
    let cases: &[(&str, &str, bool)] = &[
        ("cat", "cat", true),                // match entire string
        ("cat", "category", false),          // only match partial string
        ("c{at,ub}s", "cats", false),        // { } isn't supported by default
        ("c{at,ub}s", "c{at,ub}s", true),    // ... so braces are literal text
        ("c?t", "cat", true),                // '?' match only 1 character
        ("c??t", "cat", false),              // ditto
        ("c*", "cats", true),                // '*' match 0 or more characters
        ("c*t", "c/a/b/t", false),           // ... but not '/' on FNM_PATHNAME
        ("ca[a-z]", "cat", true),            // inclusive bracket expression
        ("ca[^t]", "cat", false),            // exclusive bracket expression ('^' or '!')
        ("ca[!t]", "cab", true),             // ditto
        ("cat", "CAT", false),               // case sensitive
        ("?", "/", false),                   // wildcard doesn't match '/' on FNM_PATHNAME
        ("*", "/", false),                   // ditto
        ("[/]", "/", false),                 // ditto
        ("\\?", "?", true),                  // escaped wildcard becomes ordinary
        ("\\?", "a", false),                 // ditto
        ("\\a", "a", true),                  // escaped ordinary remains ordinary
        ("[\\?]", "?", true),                // can escape inside bracket expression
        ("*", ".profile", false),            // wildcard doesn't match leading period
        (".*", ".profile", true),            // ... a literal one does
        ("*/*", "dave/.profile", false),     // ... in any segment on FNM_PATHNAME
        ("**/foo", "a/b/c/foo", true),       // recursive matching
        ("**/foo", "/a/b/c/foo", true),      // ditto
        ("**/foo", "c:/a/b/c/foo", true),    // ditto
        ("**/foo", "a/.b/c/foo", false),     // ... not through a hidden segment
        ("**/foo", "foo", true),             // zero segments
        ("lib/**/*.rb", "lib/a.rb", true),   // ruby test_fnmatch_double_star
        ("lib/**/*.rb", "lib/a/b.rb", true), // ditto
        ("**/b/**/*", "c/a/b/c/t", true),
        ("c/**/b/**/*", "c/a/b/c/t", true),
        ("c**/**/b/**/*", "c/a/b/c/t", true),
        ("h**o/**/b/**/*", "hello/a/b/c/t", true),
        ("h**o/**/b/**", "hello/a/b/c/t", false), // `**` not followed by `/` is `*`
        ("**", "hello", true),
        ("foo?boo", "foo/boo", false),
        ("foo*", "foo/boo", false),
    ];
    for (pattern, name, want) in cases {
        assert_eq!(m(pattern, name), *want, "fnmatch({pattern:?}, {name:?})");
    }
}

/// D-ENV "Deployment branches and tags": "Wildcard characters will not
/// match `/`, to match branches or tags that begin with `release/` and
/// contain an additional single slash, use `release/*/*`"; "Adding another
/// branch rule for `refs/pull/*/merge` would also allow workflows triggered
/// by `pull_request` events". D-BPR: "`qa/*` will match all branches
/// beginning with `qa/` and containing a single slash, but will not match
/// `qa/foo/bar`", "`qa/**/*` … would match `qa/foo/bar/foobar/hello-world`",
/// "`*release*`" protects "any branches containing the word `release`".
#[test]
fn github_documented_patterns() {
    let cases: &[(&str, &str, bool)] = &[
        ("releases/*", "releases/1.0", true),
        ("releases/*", "releases/1.0/hotfix", false),
        ("releases/*", "main", false),
        ("release/*/*", "release/a/b", true),
        ("release/*/*", "release/a", false),
        ("main", "main", true),
        ("main", "main2", false),
        ("refs/pull/*/merge", "refs/pull/5/merge", true),
        ("refs/pull/*/merge", "refs/pull/5/head", false),
        ("qa/*", "qa/x", true),
        ("qa/*", "qa/foo/bar", false),
        ("qa/**/*", "qa/foo/bar/foobar/hello-world", true),
        ("qa**/**/*", "qa-extra/foo/bar", true),
        ("*release*", "my-release-branch", true),
        ("*release*", "feature/release", false),
        ("v*", "v1.2.3", true),
        ("v*.*.*", "v1.2", false),
    ];
    for (pattern, name, want) in cases {
        assert_eq!(m(pattern, name), *want, "fnmatch({pattern:?}, {name:?})");
    }
}

/// Bracket corner cases as Ruby's `bracket()` reads them (D-FNM: "Behaves
/// exactly like character sets in Regexp"): an unclosed `[` matches
/// nothing, `-` before `]` is literal, a reversed range still admits its ends.
#[test]
fn bracket_corner_cases() {
    assert!(!m("[a", "a"));
    assert!(!m("[a", "[a"));
    assert!(m("[a-]", "-"));
    assert!(m("[a-]", "a"));
    assert!(m("[z-a]", "z"));
    assert!(!m("[z-a]", "m"));
    assert!(m("[\\]]", "]"));
    assert!(!m("[]", "a"));
}

/// Translation of a pattern without brackets, escapes or `**` into a
/// regex: the oracle for the properties below.
fn oracle(pattern: &str) -> regex_lite::Regex {
    let mut re = String::from("^");
    for c in pattern.chars() {
        match c {
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            c => re.push_str(&regex_lite::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex_lite::Regex::new(&re).unwrap()
}

proptest! {
    /// Without `**`, brackets, escapes and leading dots, the matcher agrees
    /// with `*` = `[^/]*` and `?` = `[^/]` (FNM_PATHNAME).
    #[test]
    fn agrees_with_regex_oracle(pattern in "[ab/*?]{0,10}", name in "[ab/]{0,10}") {
        prop_assume!(!pattern.contains("**"));
        prop_assert_eq!(m(&pattern, &name), oracle(&pattern).is_match(&name), "{:?} {:?}", pattern, name);
    }

    /// A name matches itself, and every character escaped.
    #[test]
    fn a_literal_name_matches_itself(name in "[a-z0-9._/-]{0,24}") {
        let is_literal = !name.chars().any(|c| matches!(c, '*' | '?' | '[' | '\\'));
        prop_assume!(is_literal);
        prop_assert!(m(&name, &name));
        let escaped: String = name.chars().flat_map(|c| ['\\', c]).collect();
        prop_assert!(m(&escaped, &name));
    }

    /// `**/` admits any number of leading segments before what follows.
    #[test]
    fn double_star_slash_admits_any_prefix(prefix in "([a-z]{1,4}/){0,4}", last in "[a-z]{1,6}") {
        let name = format!("{prefix}{last}");
        let pattern = format!("**/{last}");
        prop_assert!(m(&pattern, &name));
    }

    /// Hostile text never panics and stays within the step budget or
    /// reports it.
    #[test]
    fn never_panics(pattern in "[ab/*?\\[\\]!^\\\\.-]{0,40}", name in "[ab/.\\[\\]-]{0,40}") {
        let _ = fnmatch(&pattern, &name);
    }
}

#[test]
fn huge_input_is_bounded() {
    let pattern = "*a".repeat(5000) + "b";
    let name = "a".repeat(20000);
    // Either an answer or `TooExpensive`, quickly; never a hang.
    let _ = fnmatch(&pattern, &name);
}
