//! What IAM checks about a trust policy as a whole before storing it: its
//! size. (Keys written twice are judged where each element is read: a
//! duplicate element is an error, a duplicate operator block a labelled
//! warning; see `unknown_elements` and `parse_conditions`.)

use super::Dialect;
use crate::diagnostic::Diagnostic;
use crate::doc::Node;

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

/// Counts the characters of the UTF-8 written to it (serde_json writes
/// valid UTF-8): the bytes that start a character, without keeping them.
struct CharCounter(usize);

impl std::io::Write for CharCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // A continuation byte is 0b10xx_xxxx.
        self.0 += buf.iter().filter(|b| (**b as i8) >= -0x40).count();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The policy's length as IAM counts it: its JSON without white space.
fn size(node: &Node, errors: &mut Vec<Diagnostic>, notes: &mut Vec<Diagnostic>) {
    let mut counter = CharCounter(0);
    let chars = serde_json::to_writer(&mut counter, &node.to_json()).map_or(0, |()| counter.0);
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
