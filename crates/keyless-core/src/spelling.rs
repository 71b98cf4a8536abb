//! Unknown keys and "did you mean": the one home of the spelling help every
//! parser gives (scenario, workflow, IAM policies, cloud sections).
//!
//! A leaf module: it knows the document tree and diagnostics, nothing of
//! GitHub or of any cloud, so every layer may use it.

use crate::diagnostic::Diagnostic;
use crate::doc::{Entry, Node};

/// Reports (as errors) the keys of mapping `node` not in `known`,
/// suggesting the nearest known one.
pub fn check_keys(node: &Node, known: &[&str], what: &str, errors: &mut Vec<Diagnostic>) {
    for (e, hint) in unknown_keys(node, known) {
        errors.push(Diagnostic::at(format!("unknown field `{}` in {what}{hint}", e.key.value), e.key.span));
    }
}

/// [`check_keys`] for a section read all-or-nothing: its first unknown
/// key is the error.
pub fn only_known_keys(node: &Node, known: &[&str], what: &str) -> Result<(), Diagnostic> {
    match unknown_keys(node, known).next() {
        Some((e, hint)) => Err(Diagnostic::at(format!("unknown field `{}` in {what}{hint}", e.key.value), e.key.span)),
        None => Ok(()),
    }
}

/// [`check_keys`] for formats where an unknown key is ignored by the real
/// service (a workflow): a warning, not an error.
pub fn warn_unknown_keys(node: &Node, known: &[&str], what: &str, diags: &mut Vec<Diagnostic>) {
    for (e, hint) in unknown_keys(node, known) {
        diags.push(Diagnostic::warning(format!("unknown key `{}` in {what}{hint}", e.key.value), Some(e.key.span)));
    }
}

/// The entries of `node` whose key is not in `known`, each with its
/// " (did you mean `k`?)" hint (empty when nothing is close).
fn unknown_keys<'n>(node: &'n Node, known: &[&str]) -> impl Iterator<Item = (&'n Entry, String)> {
    let entries: &'n [Entry] = node.entries().unwrap_or_default();
    entries.iter().filter(|e| !known.contains(&e.key.value.as_str())).map(move |e| (e, hint(&e.key.value, known)))
}

/// " (did you mean `k`?)" for the nearest of `known`, or "".
pub fn hint(word: &str, known: &[&str]) -> String {
    nearest(word, known).map(|k| format!(" (did you mean `{k}`?)")).unwrap_or_default()
}

/// The known word closest to `word` by edit distance, if close enough.
/// `known` is compared as written; `word` is lowercased first.
pub fn nearest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let word_len = word.chars().count();
    // The distance is at least the length difference: skipping those keeps a
    // hostile megabyte-long word from costing length × length per known word.
    let close_enough = |k: &str| word_len.abs_diff(k.chars().count()) <= 2.max(k.len() / 4);
    let lower = word.to_ascii_lowercase();
    known
        .iter()
        .filter(|k| close_enough(k))
        .map(|k| (edit_distance(&lower, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// [`nearest`] for mixed-case names (`StringEquals`, `aws:SourceIp`):
/// compared ignoring ASCII case, returned as written in `known`.
pub fn nearest_ignoring_case<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower: Vec<String> = known.iter().map(|k| k.to_ascii_lowercase()).collect();
    let lower_refs: Vec<&str> = lower.iter().map(String::as_str).collect();
    let hit = nearest(word, &lower_refs)?;
    known.iter().copied().find(|k| k.eq_ignore_ascii_case(hit))
}

/// The key of `known` one or two edits from `key` (case-insensitive): a
/// typo, not merely a similar long name.
pub fn closest_key<'a>(key: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let known: Vec<&str> = known.collect();
    let hit = nearest_ignoring_case(key, &known)?;
    // `nearest` allows a quarter of a long word's length (6 edits for
    // `aws:PrincipalIsAWSService`): further than a typo, and far enough to
    // reach other documented keys.
    if edit_distance(&key.to_ascii_lowercase(), &hit.to_ascii_lowercase()) > 2 {
        return None;
    }
    Some(hit)
}

/// "; did you mean `aws:SourceIp`?" when a key outside a cloud's table is
/// one or two edits from a key in it: a typo makes a key that no request
/// carries, which the cloud treats as absent, so say which one was meant.
pub fn did_you_mean<'a>(key: &str, known: impl Iterator<Item = &'a str>) -> String {
    closest_key(key, known).map(|k| format!("; did you mean `{k}`?")).unwrap_or_default()
}

/// Levenshtein distance in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_and_refuses_strangers() {
        assert_eq!(nearest("evnt", &["event", "inputs"]), Some("event"));
        assert_eq!(nearest("Event", &["event"]), Some("event"));
        assert_eq!(nearest("zzzzzz", &["event"]), None);
    }

    #[test]
    fn ignoring_case_returns_the_known_spelling() {
        assert_eq!(nearest_ignoring_case("stringequal", &["StringEquals"]), Some("StringEquals"));
        assert_eq!(closest_key("aws:sourceip", ["aws:SourceIp"].into_iter()), Some("aws:SourceIp"));
        // Within `nearest`'s quarter-length allowance but not a typo.
        assert_eq!(closest_key("aws:PrincipalIsAWSServ", ["aws:PrincipalIsAWSService"].into_iter()), None);
        assert_eq!(did_you_mean("aws:SourceIP2", ["aws:SourceIp"].into_iter()), "; did you mean `aws:SourceIp`?");
    }

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("é", "e"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
