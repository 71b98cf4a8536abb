//! Least-privilege configurations for the relying parties beyond the
//! clouds, built from the intended runs' claims and verified against the
//! what-if matrix like the clouds' (`super::verify`): a Vault JWT role
//! (docs/relying-parties.md; V1 role fields), PyPI trusted publishers (Y3:
//! matched on `job_workflow_ref`, the called workflow), crates.io trusted
//! publishing (C1: matched on `workflow_ref`, the caller) and npm trusted
//! publishing (N1: the calling workflow). Each service's own rules decide
//! which claims it can pin; the notes say what it cannot tell apart.

use super::{Draft, Snippet, distinct, one_or_many, pretty};
use crate::claims::Claims;
use crate::scenario::Scenario;
use serde_json::{Map, Value, json};

/// `owner/repo/.github/workflows/file.yml@ref` → (owner, repo, file).
fn workflow_parts(reference: &str) -> Option<(String, String, String)> {
    let (path, _) = reference.split_once('@')?;
    let mut parts = path.splitn(3, '/');
    let (owner, repo, rest) = (parts.next()?, parts.next()?, parts.next()?);
    let file = rest.strip_prefix(".github/workflows/")?;
    (!owner.is_empty() && !repo.is_empty() && !file.is_empty() && !file.contains('/'))
        .then(|| (owner.to_string(), repo.to_string(), file.to_string()))
}

/// The intended runs' environment when every one has the same; `None`
/// when none has one (an environment that only some runs have cannot be
/// required of all).
fn common_environment(intended: &[Claims]) -> Option<String> {
    let envs = distinct(intended, "environment");
    let every = intended.iter().all(|c| c.text("environment").is_some());
    envs.first().filter(|_| envs.len() == 1 && every).cloned()
}

/// `object[key] = value` (the JSON built here is always an object).
fn set(object: &mut Value, key: &str, value: Value) {
    if let Some(o) = object.as_object_mut() {
        o.insert(key.into(), value);
    }
}

/// One publisher per distinct workflow (from `claim`) of the intended runs.
fn publishers(intended: &[Claims], claim: &str) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    for r in distinct(intended, claim) {
        if let Some(p) = workflow_parts(&r)
            && !out.contains(&p)
        {
            out.push(p);
        }
    }
    out
}

pub(super) fn vault(scenario: &Scenario, intended: &[Claims]) -> Draft {
    let mut bound = Map::new();
    bound.insert("sub".into(), one_or_many(&distinct(intended, "sub")));
    let ids = distinct(intended, "repository_id");
    if !ids.is_empty() {
        bound.insert("repository_id".into(), one_or_many(&ids));
    }
    let refs = distinct(intended, "job_workflow_ref");
    if !refs.is_empty() {
        bound.insert("job_workflow_ref".into(), one_or_many(&refs));
    }
    let role = json!({
        "role_type": "jwt",
        "user_claim": "sub",
        "bound_audiences": distinct(intended, "aud"),
        "bound_claims_type": "string",
        "bound_claims": Value::Object(bound),
        "token_policies": ["REPLACE-WITH-YOUR-POLICY"],
        "token_ttl": "10m",
    });
    let issuers = distinct(intended, "iss");
    let name = scenario.vault.as_ref().and_then(|v| v.name.as_ref()).map_or("github-actions", |n| n.value.as_str());
    let config = pretty(&json!({
        "name": name,
        "config": {"bound_issuer": issuers.first().cloned().unwrap_or_default(), "oidc_discovery_url": issuers.first().cloned().unwrap_or_default()},
        "role": role,
    }));
    let write = format!(
        "vault write auth/jwt/role/{name} role_type=jwt user_claim=sub bound_claims_type=string \\\n  bound_audiences={} \\\n  bound_claims=@bound_claims.json token_policies=REPLACE-WITH-YOUR-POLICY token_ttl=10m",
        distinct(intended, "aud").join(",")
    );
    Draft {
        summary: format!(
            "a JWT role bound to the exact `sub` ({}), the repository id and the workflow, with the audience pinned",
            distinct(intended, "sub").join(", ")
        ),
        config,
        snippets: vec![
            Snippet { format: "json", title: "role and mount config".into(), text: pretty(&role) },
            Snippet {
                format: "shell",
                title: "vault write (bound_claims.json holds `bound_claims`)".into(),
                text: write,
            },
        ],
        notes: vec![
            "`token_policies` is a placeholder: name the Vault policies this role grants.".into(),
            "`bound_claims` values are exact strings (`bound_claims_type: string`); a list admits any of them.".into(),
        ],
    }
}

pub(super) fn pypi(scenario: &Scenario, intended: &[Claims]) -> Draft {
    let env = common_environment(intended);
    let list: Vec<Value> = publishers(intended, "job_workflow_ref")
        .into_iter()
        .map(|(owner, repository, file)| {
            let mut p = json!({"owner": owner, "repository": repository, "workflow_filename": file});
            if let Some(e) = &env {
                set(&mut p, "environment", json!(e));
            }
            p
        })
        .collect();
    let project = scenario.pypi.as_ref().and_then(|c| c.project.as_ref()).map(|p| p.value.clone());
    let mut config = json!({"publishers": list});
    if let Some(p) = &project {
        set(&mut config, "project", json!(p));
    }
    let text = pretty(&config);
    let mut notes = vec!["PyPI matches the workflow that runs the publishing job (`job_workflow_ref`): a reusable workflow's file, not its caller's (Y3).".to_string()];
    if env.is_none() {
        notes.push("The intended runs share no environment, so none is required: any run of that workflow file can publish (KL-PUBLISH-001). Run the publishing job in a protected environment and add it here.".into());
    }
    Draft {
        summary:
            "trusted publisher(s) pinned to the owner, repository, workflow file and environment of the intended runs"
                .into(),
        config: text.clone(),
        snippets: vec![Snippet { format: "json", title: "trusted publishers (PyPI project settings)".into(), text }],
        notes,
    }
}

pub(super) fn crates_io(scenario: &Scenario, intended: &[Claims]) -> Draft {
    let env = common_environment(intended);
    let configs: Vec<Value> = publishers(intended, "workflow_ref")
        .into_iter()
        .map(|(owner, repository, file)| {
            let mut c = json!({"repository_owner": owner, "repository_name": repository, "workflow_filename": file});
            if let Some(e) = &env {
                set(&mut c, "environment", json!(e));
            }
            c
        })
        .collect();
    let krate = scenario.crates_io.as_ref().and_then(|c| c.krate.as_ref()).map(|k| k.value.clone());
    let mut config = json!({"configs": configs});
    if let Some(k) = &krate {
        set(&mut config, "crate", json!(k));
    }
    let text = pretty(&config);
    let mut notes = vec!["crates.io matches the calling workflow (`workflow_ref`), so a reusable workflow is configured by its caller's file (C1).".to_string()];
    if env.is_none() {
        notes.push("No environment is shared by the intended runs, so none is required: consider publishing from a protected environment.".into());
    }
    Draft {
        summary: "trusted publishing configuration(s) pinned to the owner, repository, workflow file and environment of the intended runs".into(),
        config: text.clone(),
        snippets: vec![Snippet { format: "json", title: "trusted publishing (crate settings)".into(), text }],
        notes,
    }
}

pub(super) fn npm(scenario: &Scenario, intended: &[Claims]) -> Draft {
    let env = common_environment(intended);
    let found = publishers(intended, "workflow_ref");
    let mut notes = vec!["npm matches the calling workflow's file, on GitHub-hosted runners only (N1).".to_string()];
    if found.len() > 1 {
        notes.push("npm takes one trusted publisher per package: the intended runs come from several workflow files, only the first is configured.".into());
    }
    let (owner, repository, file) = found.into_iter().next().unwrap_or_default();
    let mut config = json!({"owner": owner, "repository": repository, "workflow_filename": file});
    if let Some(p) = scenario.npm.as_ref().and_then(|n| n.package.as_ref()) {
        set(&mut config, "package", json!(p.value));
    }
    if let Some(e) = &env {
        set(&mut config, "environment", json!(e));
    } else {
        notes.push("No environment is shared by the intended runs, so none is required: consider publishing from a protected environment.".into());
    }
    let text = pretty(&config);
    Draft {
        summary:
            "the trusted publisher pinned to the owner, repository, workflow file and environment of the intended runs"
                .into(),
        config: text.clone(),
        snippets: vec![Snippet { format: "json", title: "trusted publisher (npm package settings)".into(), text }],
        notes,
    }
}

/// `text` as an RE2 pattern matching exactly it (octo-sts anchors every
/// pattern itself, O2).
fn literal_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) fn octo_sts(scenario: &Scenario, intended: &[Claims]) -> Draft {
    let subs = distinct(intended, "sub");
    let mut policy = json!({"issuer": distinct(intended, "iss").first().cloned().unwrap_or_default()});
    match subs.as_slice() {
        [one] => set(&mut policy, "subject", json!(one)),
        many => set(
            &mut policy,
            "subject_pattern",
            json!(format!("({})", many.iter().map(|s| literal_pattern(s)).collect::<Vec<_>>().join("|"))),
        ),
    }
    // `claim_pattern` pins the workflow and the event: a pull_request_target
    // run has a push's `sub` and `job_workflow_ref` (default branch).
    let mut claims = Map::new();
    for claim in ["job_workflow_ref", "event_name"] {
        let values = distinct(intended, claim);
        let pattern = match values.as_slice() {
            [] => continue,
            [one] => literal_pattern(one),
            many => format!("({})", many.iter().map(|v| literal_pattern(v)).collect::<Vec<_>>().join("|")),
        };
        claims.insert(claim.into(), json!(pattern));
    }
    if !claims.is_empty() {
        set(&mut policy, "claim_pattern", Value::Object(claims));
    }
    set(&mut policy, "permissions", json!({"contents": "read"}));
    let identity = scenario.octo_sts.as_ref().map_or_else(|| "deploy".to_string(), |c| c.identity.clone());
    let domain = scenario.octo_sts.as_ref().map(|c| c.domain.clone());
    let mut section = json!({"identity": identity, "policy": policy});
    if let Some(d) = domain {
        set(&mut section, "domain", json!(d));
    }
    let config = pretty(&section);
    Draft {
        summary: "a trust policy with the exact `sub`, `job_workflow_ref` and event (patterns grouped, so no alternative escapes the anchors)".into(),
        config,
        snippets: vec![Snippet {
            format: "yaml",
            title: format!(".github/chainguard/{identity}.sts.yaml"),
            text: pretty(&policy),
        }],
        notes: vec!["`permissions` is a placeholder (`contents: read`): list what the job needs; octo-sts grants exactly those.".into()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_references_split_into_owner_repository_and_file() {
        assert_eq!(
            workflow_parts("octo-org/pkg/.github/workflows/release.yml@refs/tags/v1"),
            Some(("octo-org".into(), "pkg".into(), "release.yml".into()))
        );
        assert_eq!(workflow_parts("octo-org/pkg/ci/release.yml@refs/heads/main"), None);
        assert_eq!(workflow_parts("no-ref"), None);
    }

    #[test]
    fn literal_patterns_escape_every_metacharacter() {
        assert_eq!(literal_pattern("o/r/.github/x.yml@refs/heads/main"), "o/r/\\.github/x\\.yml@refs/heads/main");
        assert_eq!(literal_pattern("a|b(c)*+?[]{}^$\\"), "a\\|b\\(c\\)\\*\\+\\?\\[\\]\\{\\}\\^\\$\\\\");
    }
}
