//! What IAM checks about a trust policy as a whole before storing it: its
//! size. (Keys written twice are judged where each element is read: a
//! duplicate element is an error, a duplicate operator block a labelled
//! warning; see `unknown_elements` and `parse_conditions`.)

use super::Dialect;
use crate::diagnostic::Diagnostic;
use crate::doc::{Node, Value};

/// "Role trust policy length: 2,048 characters", raisable by a quota
/// increase to 4,096; "IAM doesn't count white space when calculating the
/// size of a policy" (AWS IAM User Guide, IAM and AWS STS quotas,
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html;
/// research cloud-trust-evaluation.md A16).
pub const AWS_TRUST_POLICY_DEFAULT_CHARS: usize = 2_048;
/// The most the quota can be raised to (same source).
pub const AWS_TRUST_POLICY_MAX_CHARS: usize = 4_096;

pub(super) fn check(node: &Node, dialect: Dialect, errors: &mut Vec<Diagnostic>, notes: &mut Vec<Diagnostic>) {
    if dialect == Dialect::Aws {
        size(node, errors, notes);
    }
}

/// The policy's length as IAM counts it: its JSON without white space.
fn size(node: &Node, errors: &mut Vec<Diagnostic>, notes: &mut Vec<Diagnostic>) {
    let chars = json_chars(node);
    if chars > AWS_TRUST_POLICY_MAX_CHARS {
        errors.push(Diagnostic::refused(
            format!(
                "the trust policy is {chars} characters without white space; IAM refuses more than {AWS_TRUST_POLICY_MAX_CHARS} even with a raised quota (LimitExceeded: Cannot exceed quota for ACLSizePerRole)"
            ),
            node.span,
        ));
    } else if chars > AWS_TRUST_POLICY_DEFAULT_CHARS {
        notes.push(Diagnostic::warning(
            format!(
                "the trust policy is {chars} characters without white space: over IAM's default quota of {AWS_TRUST_POLICY_DEFAULT_CHARS} (ACLSizePerRole); IAM stores it only if the account's quota was raised (up to {AWS_TRUST_POLICY_MAX_CHARS})"
            ),
            Some(node.span),
        ));
    }
}

/// The characters of `serde_json::to_string(&node.to_json())` (the policy
/// as compact JSON), counted without building either: every parse of an
/// AWS policy measures it. The tests check the two agree.
fn json_chars(node: &Node) -> usize {
    match &node.value {
        Value::Null => "null".len(),
        Value::Bool(b) => {
            if *b {
                "true".len()
            } else {
                "false".len()
            }
        }
        // Written back as `to_json` reads it (an integer, a float or a
        // string): rare in a policy, so simply serialised.
        Value::Number(_) => serde_json::to_string(&node.to_json()).map_or(0, |t| t.chars().count()),
        Value::String(s) => string_chars(s),
        Value::Seq(items) => 2 + items.iter().map(json_chars).sum::<usize>() + items.len().saturating_sub(1),
        Value::Map(entries) => {
            // `to_json` keeps one entry per key, with the last value. A
            // policy's maps are small: a set of keys only for large ones
            // (linear either way).
            let mut seen = (entries.len() > 16).then(std::collections::HashSet::new);
            let (mut chars, mut kept) = (2, 0usize);
            for (i, e) in entries.iter().enumerate().rev() {
                let last = match seen.as_mut() {
                    Some(seen) => seen.insert(e.key.value.as_str()),
                    None => entries.get(i + 1..).unwrap_or_default().iter().all(|l| l.key.value != e.key.value),
                };
                if last {
                    chars += string_chars(&e.key.value) + 1 + json_chars(&e.value);
                    kept += 1;
                }
            }
            chars + kept.saturating_sub(1)
        }
    }
}

/// A JSON string's characters as serde_json writes it: quoted, `"` and `\`
/// escaped, control characters as `\n`-style or `\u00XX` escapes.
fn string_chars(s: &str) -> usize {
    // By bytes: every escaped character is ASCII, and a character is the
    // byte that starts it (continuation bytes are 0b10xx_xxxx).
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | 0x08 | 0x0c | b'\n' | b'\r' | b'\t' => 2,
            0x00..=0x1f => 6,
            0x80..=0xbf => 0,
            _ => 1,
        })
        .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::json_chars;
    use crate::doc::{self, Node};
    use crate::span::DocId;
    use proptest::prelude::*;

    fn serialised(node: &Node) -> usize {
        serde_json::to_string(&node.to_json()).map_or(0, |t| t.chars().count())
    }

    #[test]
    fn counts_what_serde_json_writes() {
        for text in [
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/x"}}]}"#,
            r#"{"a": "q\"uote \\ back\u0001\b\f\n\r\t\u001f\u007f é 😀", "n": [1, -0, 1.50, 1e3, 12345678901234567890, null, true, false]}"#,
            r#"{"k": 1, "k": [2, 3], "j": {}, "l": []}"#,
            "Statement:\n  - Effect: Allow\n    Sid: 007\n",
        ] {
            let node = doc::parse(text, DocId::Aws).expect(text);
            assert_eq!(json_chars(&node), serialised(&node), "{text}");
        }
        // A large map (the set of keys), with repeated keys.
        let keys: Vec<String> = (0..40).map(|i| format!("\"k{}\": {i}", i % 25)).collect();
        let text = format!("{{{}}}", keys.join(", "));
        let node = doc::parse(&text, DocId::Aws).expect("a map");
        assert_eq!(json_chars(&node), serialised(&node), "{text}");
    }

    proptest! {
        #[test]
        fn agrees_with_serde_json_on_any_strings(key in any::<String>(), value in any::<String>(), other in any::<String>()) {
            let text = serde_json::json!({ key.clone(): [value.clone(), 1, {"x": other}], "x": value, "dup": 1 }).to_string();
            let text = text.replacen('{', &format!("{{{}: 2, ", serde_json::to_string(&key).unwrap_or_default()), 1);
            if let Ok(node) = doc::parse(&text, DocId::Aws) {
                prop_assert_eq!(json_chars(&node), serialised(&node));
            }
        }
    }
}
