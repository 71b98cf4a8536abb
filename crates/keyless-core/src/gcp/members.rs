//! Workload identity federation principal identifiers
//! (https://cloud.google.com/iam/docs/principal-identifiers, research P4):
//!
//! - `principal://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/POOL/subject/SUBJECT`
//! - `principalSet://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/POOL/group/GROUP`
//! - `principalSet://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/POOL/attribute.NAME/VALUE`
//! - `principalSet://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/POOL/*`
//!
//! Matching is exact and case-sensitive; the only wildcard is the whole-pool
//! `/*` (research §3.1 step 7, P4, P8).

/// What a federated member names inside its pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberKind {
    /// One identity: `google.subject` equals this.
    Subject(String),
    /// Identities whose `google.groups` contains this.
    Group(String),
    /// Identities whose `attribute.<name>` equals (or, for a list, contains) this.
    Attribute { name: String, value: String },
    /// Every identity of the pool.
    All,
}

/// A parsed `principal://` / `principalSet://` workload identity member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalRef {
    pub project: String,
    pub location: String,
    pub pool: String,
    pub kind: MemberKind,
}

const PRINCIPAL: &str = "principal://iam.googleapis.com/";
const PRINCIPAL_SET: &str = "principalSet://iam.googleapis.com/";

/// Parses a workload identity member. `Ok(None)` for members of other kinds
/// (`serviceAccount:`, `user:`, workforce pools…), which never match a
/// workload identity; `Err` for a malformed workload identity member.
pub fn parse_member(text: &str) -> Result<Option<PrincipalRef>, String> {
    let (set, rest) = if let Some(r) = text.strip_prefix(PRINCIPAL) {
        (false, r)
    } else if let Some(r) = text.strip_prefix(PRINCIPAL_SET) {
        (true, r)
    } else {
        return Ok(None);
    };
    let mut parts = rest.splitn(7, '/');
    let mut next = || parts.next().unwrap_or("");
    let (p, project, l, location, w, pool) = (next(), next(), next(), next(), next(), next());
    let tail = next();
    if p != "projects" || l != "locations" {
        return Ok(None);
    }
    if w != "workloadIdentityPools" {
        // Workforce pools and other principal sets are not workload identities.
        return Ok(None);
    }
    if project.is_empty() || pool.is_empty() {
        return Err("expected …/projects/NUMBER/locations/global/workloadIdentityPools/POOL/…".into());
    }
    // Principal identifiers name the pool (P4): `…/workloadIdentityPools/POOL/
    // attribute.NAME/VALUE`; a provider's path (what the auth action's
    // `workload_identity_provider` input holds) is not an identity, so such a
    // member matches no token.
    if let Some(rest) = tail.strip_prefix("providers/") {
        let after = rest.split_once('/').map_or("", |(_, a)| a);
        return Err(format!(
            "a member names the pool, not a provider (P4): drop `providers/{}/` to write …/workloadIdentityPools/{pool}/{}",
            rest.split('/').next().unwrap_or_default(),
            if after.is_empty() { "attribute.NAME/VALUE" } else { after }
        ));
    }
    let kind = if set {
        if tail == "*" {
            MemberKind::All
        } else if let Some(g) = tail.strip_prefix("group/") {
            MemberKind::Group(g.to_string())
        } else if let Some(a) = tail.strip_prefix("attribute.") {
            let Some((name, value)) = a.split_once('/') else {
                return Err("expected …/attribute.NAME/VALUE".into());
            };
            MemberKind::Attribute { name: name.to_string(), value: value.to_string() }
        } else {
            return Err("a principalSet:// member ends with /group/G, /attribute.NAME/VALUE or /*".into());
        }
    } else if let Some(s) = tail.strip_prefix("subject/") {
        MemberKind::Subject(s.to_string())
    } else {
        return Err("a principal:// member ends with /subject/SUBJECT".into());
    };
    Ok(Some(PrincipalRef {
        project: project.to_string(),
        location: location.to_string(),
        pool: pool.to_string(),
        kind,
    }))
}

/// The pool part of a provider name
/// (`projects/N/locations/L/workloadIdentityPools/POOL/providers/P`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolRef {
    pub project: String,
    pub location: String,
    pub pool: String,
}

/// Parses a provider resource name; `None` when it has another shape.
pub fn parse_provider_name(name: &str) -> Option<PoolRef> {
    let parts: Vec<&str> = name.trim_start_matches("//iam.googleapis.com/").split('/').collect();
    match parts.as_slice() {
        ["projects", project, "locations", location, "workloadIdentityPools", pool, "providers", provider]
            if !project.is_empty() && !pool.is_empty() && !provider.is_empty() =>
        {
            Some(PoolRef { project: project.to_string(), location: location.to_string(), pool: pool.to_string() })
        }
        _ => None,
    }
}
