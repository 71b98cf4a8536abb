//! Alibaba Cloud common condition keys (`acs:…`) in an `AssumeRoleWithOIDC`
//! request. RAM documents what each key means but not in which requests it
//! is present, so every `acs:` key is taken as possibly present with a value
//! Keyless cannot know: conditions on them are unknown, never guessed.

use crate::iam_condition::ContextLookup;

/// One row: the key, what its value is, and the source that defines it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommonKeyRule {
    pub key: &'static str,
    pub what: &'static str,
    pub source: &'static str,
}

const fn rule(key: &'static str, what: &'static str, source: &'static str) -> CommonKeyRule {
    CommonKeyRule { key, what, source }
}

/// The documented common keys.
pub const RULES: &[CommonKeyRule] = &[
    rule(
        "acs:SourceIp",
        "the runner's public address",
        "KMS policy condition keys, https://www.alibabacloud.com/help/en/kms/security-and-compliance/condition-key: \"The public IP address of the client that sends the request\"",
    ),
    rule(
        "acs:SourceVpc",
        "the runner's VPC, if it calls from an Alibaba Cloud VPC",
        "same page: the key is valid \"only when the request comes from an Alibaba Cloud VPC\"",
    ),
    rule(
        "acs:CurrentTime",
        "the time of the call",
        "RAM, https://www.alibabacloud.com/help/en/ram/access-alibaba-cloud-in-a-specified-period-of-time (DateLessThan on acs:CurrentTime)",
    ),
    rule(
        "acs:SecureTransport",
        "whether the runner's client called STS over HTTPS",
        "RAM, https://www.alibabacloud.com/help/en/ram/access-alibaba-cloud-by-using-a-specified-method: \"You can set the acs:SecureTransport condition key to true or false\"",
    ),
];

/// The table's key an `acs:` key outside the table is probably a typo of
/// (`acs:SourceIP` is the same key: names are case-insensitive).
pub fn misspelling_of(key: &str) -> Option<&'static str> {
    if RULES.iter().any(|r| r.key.eq_ignore_ascii_case(key)) {
        return None;
    }
    crate::spelling::closest_key(key, RULES.iter().map(|r| r.key))
}

/// What the request context holds for an `acs:` key.
pub fn lookup(key: &str) -> ContextLookup {
    match RULES.iter().find(|r| r.key.eq_ignore_ascii_case(key)) {
        Some(r) => ContextLookup::unknowable(
            r.what,
            false,
            format!(
                "`{key}` is a common condition key ({}); RAM does not document whether AssumeRoleWithOIDC requests carry it, and its value is the runner's",
                r.source
            ),
        ),
        None => {
            let hint = crate::spelling::did_you_mean(key, RULES.iter().map(|r| r.key));
            ContextLookup::unknowable(
                format!("a key Keyless's table does not cover{hint}"),
                false,
                format!(
                    "`{key}` is not in Keyless's table of Alibaba Cloud common condition keys: its presence and value are unknown{hint}"
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The KMS condition-key page defines acs:SourceIp as the client's public
    // address: Keyless cannot know it, nor whether RAM's STS sets it.
    #[test]
    fn common_keys_are_unknowable() {
        let ip = lookup("ACS:sourceip");
        assert!(
            ip.unknowable.as_ref().is_some_and(|u| !u.always_present && u.what == "the runner's public address"),
            "{ip:?}"
        );
        assert!(lookup("acs:Other").unknowable.is_some());
    }
}
