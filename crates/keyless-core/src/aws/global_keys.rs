//! AWS global condition keys (`aws:…`, and `sts:…` besides
//! `sts:RoleSessionName`) in the request context of an
//! `AssumeRoleWithWebIdentity` call from a GitHub runner: present with a
//! value Keyless cannot know, absent, or present with a known value. Each
//! row cites the "Availability" line of IAM's global condition keys page
//! (G: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)
//! or the STS API reference.
//!
//! `AssumeRoleWithWebIdentity` is unsigned: "Calling
//! AssumeRoleWithWebIdentity does not require the use of AWS security
//! credentials" (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html),
//! and the runner calls STS itself, not through another AWS service.

use crate::iam_condition::ContextLookup;

/// What one key holds in this request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    /// Documented as always in the request; its value (described) depends
    /// on the runner or the moment of the call.
    AlwaysUnknownValue(&'static str),
    /// In the request only in some set-ups Keyless cannot see (a VPC
    /// endpoint...), with a value it cannot know.
    MaybeUnknownValue(&'static str),
    /// Not in this request.
    Absent,
    /// Always in this request with this value.
    Known(&'static str),
}

/// One row: the key (a trailing `/` matches every `key/<name>`), what it
/// holds, and the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalKeyRule {
    pub key: &'static str,
    pub availability: Availability,
    pub source: &'static str,
}

use Availability::{Absent, AlwaysUnknownValue, Known, MaybeUnknownValue};

const fn rule(key: &'static str, availability: Availability, source: &'static str) -> GlobalKeyRule {
    GlobalKeyRule { key, availability, source }
}

/// The table ("IAM global condition keys" = G above).
pub const RULES: &[GlobalKeyRule] = &[
    rule(
        "aws:CurrentTime",
        AlwaysUnknownValue("the time of the call"),
        "IAM global condition keys #condition-keys-currenttime: \"This key is always included in the request context\"",
    ),
    rule(
        "aws:EpochTime",
        AlwaysUnknownValue("the time of the call"),
        "IAM global condition keys #condition-keys-epochtime: \"This key is always included in the request context\"",
    ),
    rule(
        "aws:RequestedRegion",
        AlwaysUnknownValue("the Region of the STS endpoint the login step calls"),
        "IAM global condition keys #condition-keys-requestedregion: \"This key is always included in the request context\"",
    ),
    rule(
        "aws:UserAgent",
        AlwaysUnknownValue("the runner's HTTP client"),
        "IAM global condition keys #condition-keys-useragent: \"This key is always included in the request context\"; the value \"is provided by the caller in an HTTP header\"",
    ),
    rule(
        "aws:SecureTransport",
        AlwaysUnknownValue("whether the runner's client called STS over TLS"),
        "IAM global condition keys #condition-keys-securetransport: \"This key is always included in the request context\"; the value is \"true or false\"",
    ),
    rule(
        "aws:SourceIp",
        MaybeUnknownValue("the runner's address"),
        "IAM global condition keys #condition-keys-sourceip: \"included in the request context, except when the requester uses a VPC endpoint\"",
    ),
    rule(
        "aws:VpcSourceIp",
        MaybeUnknownValue("the runner's address inside a VPC, present only through a VPC endpoint"),
        "IAM global condition keys #condition-keys-vpcsourceip: \"included in the request context only if the request is made using a VPC endpoint\"",
    ),
    rule(
        "aws:SourceVpc",
        MaybeUnknownValue("the runner's VPC, present only through a VPC endpoint"),
        "IAM global condition keys #condition-keys-sourcevpc: \"included in the request context only if the requester uses a VPC endpoint\"",
    ),
    rule(
        "aws:SourceVpce",
        MaybeUnknownValue("the VPC endpoint the runner uses, if any"),
        "IAM global condition keys #condition-keys-sourcevpce: \"included in the request context only if the requester uses a VPC endpoint\"",
    ),
    rule(
        "aws:ViaAWSService",
        Known("false"),
        "IAM global condition keys #condition-keys-viaawsservice: \"always included in the request context for most services\" (EC2, Glue, Lake Formation, OpsWorks excepted) and \"returns false when the principal makes the call directly\"",
    ),
    rule(
        "aws:CalledVia",
        Absent,
        "IAM global condition keys #condition-keys-calledvia: \"not present when the principal makes the call directly\"",
    ),
    rule(
        "aws:CalledViaFirst",
        Absent,
        "IAM global condition keys #condition-keys-calledviafirst: \"not present when the principal makes the call directly\"",
    ),
    rule(
        "aws:CalledViaLast",
        Absent,
        "IAM global condition keys #condition-keys-calledvialast: \"not present when the principal makes the call directly\"",
    ),
    rule(
        "aws:SourceAccount",
        Absent,
        "IAM global condition keys #condition-keys-sourceaccount: \"only if accessing a resource triggers an AWS service to call another service\"",
    ),
    rule(
        "aws:SourceArn",
        Absent,
        "IAM global condition keys #condition-keys-sourcearn: \"only if accessing a resource triggers an AWS service to call another service\"",
    ),
    rule(
        "aws:referer",
        Absent,
        "IAM global condition keys #condition-keys-referer: \"not included for programmatic requests\"",
    ),
    rule(
        "aws:TokenIssueTime",
        Absent,
        "IAM global condition keys #condition-keys-tokenissuetime: \"only when the principal uses temporary credentials\"; the call carries a web identity token, no AWS credentials",
    ),
    rule(
        "aws:MultiFactorAuthPresent",
        Absent,
        "IAM global condition keys #condition-keys-multifactorauthpresent: \"only when the principal uses temporary credentials\"; the call carries no AWS credentials",
    ),
    rule(
        "aws:MultiFactorAuthAge",
        Absent,
        "IAM global condition keys #condition-keys-multifactorauthage: \"only if the principal making the call was authenticated using MFA\"",
    ),
    rule(
        "aws:userid",
        Absent,
        "IAM global condition keys #condition-keys-userid: \"included in the request context for all signed requests. Anonymous requests do not include this key\"; the call is unsigned",
    ),
    rule(
        "aws:username",
        Absent,
        "IAM global condition keys #condition-keys-username: \"Anonymous requests and requests that are made using the AWS account root user or IAM roles do not include this key\"",
    ),
    rule(
        "aws:RequestTag/",
        Absent,
        "IAM global condition keys #condition-keys-requesttag: \"included in the request context when tags are passed in the request\"; web-identity session tags come only from the token's `https://aws.amazon.com/tags` claim (IAM session tags page, id_session-tags.html), which GitHub tokens do not carry",
    ),
    rule("sts:ExternalId", Absent, "the AssumeRoleWithWebIdentity API has no ExternalId parameter (STS API reference)"),
    rule(
        "sts:TransitiveTagKeys",
        Absent,
        "web-identity transitive tags come only from the token's `https://aws.amazon.com/tags` claim (IAM session tags page), which GitHub tokens do not carry",
    ),
];

/// Keys whose availability for a web-identity call the sources leave open
/// (the older page says "always included"; the call is unsigned and has no
/// IAM principal), so neither presence nor value is known.
const PRINCIPAL_KEYS: &[&str] = &[
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalType",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalServiceName",
];

/// Keys (a trailing `/` matches every `key/<name>`) that G documents but the
/// table leaves out (not modelled, or meaningless for this call): never a
/// typo, though some are one or two edits from a table key
/// (`aws:ResourceAccount`, `aws:SourceAccount`). The MCP keys: Agent
/// Toolkit for AWS, "Troubleshooting AWS MCP Server identity and access"
/// (https://docs.aws.amazon.com/agent-toolkit/latest/userguide/security_iam_troubleshoot.html).
const DOCUMENTED_OUTSIDE_THE_TABLE: &[&str] = &[
    "aws:PrincipalTag/",
    "aws:PrincipalServiceNamesList",
    "aws:AssumedRoot",
    "aws:FederatedProvider",
    "aws:ChatbotSourceArn",
    "aws:Ec2InstanceSourceVpc",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:SourceIdentity",
    "aws:SourceVpcArn",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:ResourceTag/",
    "aws:TagKeys",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:ViaAWSMCPService",
    "aws:CalledViaAWSMCP",
];

/// Whether `key` is `pattern`, or a `pattern<name>` when `pattern` ends in `/` (case-insensitive, A4).
fn key_matches(pattern: &str, key: &str) -> bool {
    if pattern.ends_with('/') {
        key.len() > pattern.len() && key.get(..pattern.len()).is_some_and(|k| k.eq_ignore_ascii_case(pattern))
    } else {
        pattern.eq_ignore_ascii_case(key)
    }
}

/// The rule for a key (case-insensitive, A4), if the table has one.
pub fn rule_for(key: &str) -> Option<&'static GlobalKeyRule> {
    RULES.iter().find(|r| key_matches(r.key, key))
}

/// The table's key `key` is one or two edits from, unless `key` is in the
/// table or documented (G) outside it.
fn typo_of(key: &str) -> Option<&'static str> {
    if rule_for(key).is_some() || PRINCIPAL_KEYS.iter().chain(DOCUMENTED_OUTSIDE_THE_TABLE).any(|k| key_matches(k, key))
    {
        return None;
    }
    crate::spelling::closest_key(key, RULES.iter().map(|r| r.key).chain(PRINCIPAL_KEYS.iter().copied()))
}

/// The table's key a key outside the table is probably a typo of
/// (`aws:SourceIpp` → `aws:SourceIp`); `None` for keys in the table.
pub fn misspelling_of(key: &str) -> Option<&'static str> {
    typo_of(key)
}

/// What the request context holds for a global key.
pub fn lookup(key: &str) -> ContextLookup {
    if let Some(r) = rule_for(key) {
        return match r.availability {
            AlwaysUnknownValue(what) => ContextLookup::unknowable(
                what,
                true,
                format!("`{key}` is in every request with a value Keyless cannot know ({})", r.source),
            ),
            MaybeUnknownValue(what) => ContextLookup::unknowable(
                what,
                false,
                format!("`{key}` may be in this request with a value Keyless cannot know ({})", r.source),
            ),
            Absent => ContextLookup::absent(format!(
                "`{key}` is absent from an AssumeRoleWithWebIdentity request ({})",
                r.source
            )),
            Known(v) => ContextLookup {
                note: Some(format!("`{key}` is \"{v}\" in this request ({})", r.source)),
                ..ContextLookup::single(v)
            },
        };
    }
    if PRINCIPAL_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
        return ContextLookup::unknowable(
            "the caller's principal properties",
            false,
            format!(
                "the sources leave open whether `{key}` is in an unsigned AssumeRoleWithWebIdentity request (an older IAM page says principal keys are \"always included\"; the call has no IAM principal)"
            ),
        );
    }
    let hint = typo_of(key).map(|k| format!("; did you mean `{k}`?")).unwrap_or_default();
    ContextLookup::unknowable(
        format!("a key Keyless's table does not cover{hint}"),
        false,
        format!(
            "`{key}` is not in Keyless's table of what STS puts in an AssumeRoleWithWebIdentity request: its presence and value are unknown{hint}"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // G: each row of the table, as the engine sees it.
    #[test]
    fn rows_give_the_documented_availability() {
        let cur = lookup("aws:currenttime");
        assert!(cur.unknowable.as_ref().is_some_and(|u| u.always_present), "G: CurrentTime always included: {cur:?}");
        let ip = lookup("aws:SourceIp");
        assert!(
            ip.unknowable.as_ref().is_some_and(|u| !u.always_present && u.what == "the runner's address"),
            "G: SourceIp absent via VPC endpoint: {ip:?}"
        );
        assert_eq!(lookup("aws:ViaAWSService").values, vec!["false".to_string()], "G: false when called directly");
        for absent in ["aws:TokenIssueTime", "aws:CalledVia", "aws:userid", "aws:RequestTag/team", "sts:ExternalId"] {
            let l = lookup(absent);
            assert!(l.values.is_empty() && l.unknowable.is_none(), "{absent}: {l:?}");
        }
        // A bare `aws:RequestTag/` is not a tag key: not covered by the row.
        assert!(lookup("aws:RequestTag/").unknowable.is_some());
        assert!(lookup("aws:PrincipalArn").unknowable.is_some());
        assert!(lookup("aws:NoSuchKey").unknowable.is_some());
    }

    #[test]
    fn every_row_cites_a_source() {
        for r in RULES {
            assert!(
                r.source.starts_with("IAM global condition keys #condition-keys-")
                    || r.source.contains("STS API")
                    || r.source.contains("session tags"),
                "{}",
                r.key
            );
        }
    }

    // A typo names a key no request carries; the hint names the table's key.
    #[test]
    fn a_key_close_to_a_known_one_says_which_was_meant() {
        let typo = lookup("aws:SourceIpp");
        assert!(typo.note.as_deref().is_some_and(|n| n.ends_with("; did you mean `aws:SourceIp`?")), "{typo:?}");
        assert!(typo.unknowable.is_some_and(|u| u.what.contains("did you mean `aws:SourceIp`")));
        let far = lookup("aws:NoSuchKey");
        assert!(!far.note.as_deref().unwrap_or_default().contains("did you mean"), "{far:?}");
    }

    // G documents these keys (outside the table: not in this request or not
    // modelled); each is within a few edits of a table key, yet none is a typo.
    #[test]
    fn documented_keys_outside_the_table_are_not_typos() {
        for key in [
            "aws:ResourceAccount",
            "aws:SourceVpcArn",
            "aws:VpceAccount",
            "aws:PrincipalServiceNamesList",
            "aws:PrincipalTag/team",
            "aws:ResourceTag/team",
            "aws:ViaAWSMCPService",
        ] {
            assert_eq!(misspelling_of(key), None, "{key}");
            assert!(!lookup(key).note.unwrap_or_default().contains("did you mean"), "{key}");
        }
        // "One or two edits": three edits is another key, not a typo.
        assert_eq!(misspelling_of("aws:SourceIpXYZ"), None);
        assert_eq!(misspelling_of("aws:SourceIpp"), Some("aws:SourceIp"));
    }

    // A hostile key (a megabyte of text) gets no hint, and fast: keys far
    // longer than every table key are no typo of one.
    #[test]
    fn a_huge_key_is_looked_up_without_quadratic_work() {
        let key = format!("aws:{}", "x".repeat(1 << 20));
        let start = std::time::Instant::now();
        assert_eq!(misspelling_of(&key), None);
        assert!(lookup(&key).unknowable.is_some());
        assert!(start.elapsed() < std::time::Duration::from_secs(2), "{:?}", start.elapsed());
    }
}
