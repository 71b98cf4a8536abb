//! Azure: one federated identity credential per intended subject (classic:
//! exact, case-sensitive), or a flexible credential (`sub eq` +
//! `repository_id eq` + `job_workflow_ref eq`) when an unintended run shares
//! the subject. Source: research cloud-trust-evaluation.md §2.1-§2.3 (at
//! most 20 credentials; flexible expressions must name `sub` and
//! `repository_id`/`repository_owner_id` since Aug 2026; `and` only).

use super::{Draft, Snippet, pretty, sh, terraform};
use crate::claims::Claims;
use crate::scenario::Scenario;
use serde_json::{Value, json};

/// One credential to create: classic (`subject`) or flexible (`expression`).
pub(super) struct Credential {
    pub name: String,
    pub issuer: String,
    pub audience: String,
    pub subject: Option<String>,
    pub expression: Option<String>,
}

fn quote(v: &str) -> String {
    // Single quotes inside a comparand are doubled (research §2.3: "single
    // quotes are interpreted as escape characters").
    format!("'{}'", v.replace('\'', "''"))
}

pub(super) fn draft(scenario: &Scenario, intended: &[Claims], unintended: &[Claims]) -> Draft {
    let mut creds: Vec<Credential> = Vec::new();
    let key = |c: &Claims| (c.text("iss"), c.text("aud"), c.text("sub"));
    let mut notes = Vec::new();
    for c in intended {
        let (Some(iss), Some(aud), Some(sub)) = key(c) else { continue };
        let shared = unintended.iter().any(|u| key(u) == key(c));
        let id_term = match (c.text("repository_id"), c.text("repository_owner_id")) {
            (Some(id), _) => Some(format!("claims['repository_id'] eq {}", quote(&id))),
            (None, Some(id)) => Some(format!("claims['repository_owner_id'] eq {}", quote(&id))),
            _ => None,
        };
        let (subject, expression) = match (shared, id_term) {
            (true, Some(id_term)) => {
                let mut terms = vec![format!("claims['sub'] eq {}", quote(&sub)), id_term];
                if let Some(w) = c.text("job_workflow_ref") {
                    terms.push(format!("claims['job_workflow_ref'] eq {}", quote(&w)));
                }
                (None, Some(terms.join(" and ")))
            }
            _ => (Some(sub.clone()), None),
        };
        if creds
            .iter()
            .any(|x| x.issuer == iss && x.audience == aud && x.subject == subject && x.expression == expression)
        {
            continue;
        }
        let name = format!("github-{}-{}", scenario.name.to_ascii_lowercase(), creds.len() + 1)
            .chars()
            .map(|ch| if ch.is_ascii_alphanumeric() || ch == '-' { ch } else { '-' })
            .take(120)
            .collect();
        creds.push(Credential { name, issuer: iss, audience: aud, subject, expression });
    }
    if creds.len() > 20 {
        notes.push(format!("{} credentials: Entra allows at most 20 per identity.", creds.len()));
    }
    if creds.iter().any(|c| c.expression.is_some()) {
        notes.push("Flexible credentials: a classic subject cannot tell these runs from other runs with the same `sub` (e.g. another workflow file on the same branch), so the expression also pins `repository_id` and `job_workflow_ref`. Microsoft's docs conflict on flexible credentials for user-assigned managed identities (research §2.3); on an app registration they are supported.".into());
    }
    let list: Vec<Value> = creds
        .iter()
        .map(|c| match (&c.subject, &c.expression) {
            (_, Some(e)) => json!({
                "name": c.name, "issuer": c.issuer, "audiences": [c.audience],
                "claimsMatchingExpression": {"value": e, "languageVersion": 1}
            }),
            (s, None) => json!({"name": c.name, "issuer": c.issuer, "subject": s, "audiences": [c.audience]}),
        })
        .collect();
    let config = pretty(&Value::Array(list));
    let mut cli = Vec::new();
    for c in &creds {
        match (&c.subject, &c.expression) {
            (_, Some(e)) => {
                cli.push(format!(
                    "az identity federated-credential create \\\n  --name {} --identity-name gha-deploy --resource-group rg-platform \\\n  --issuer {} \\\n  --claims-matching-expression-value {} \\\n  --claims-matching-expression-version 1 \\\n  --audiences {}",
                    sh(&c.name), sh(&c.issuer), sh(e), sh(&c.audience)
                ));
            }
            (Some(s), None) => {
                cli.push(format!(
                    "az identity federated-credential create \\\n  --name {} --identity-name gha-deploy --resource-group rg-platform \\\n  --issuer {} \\\n  --subject {} \\\n  --audiences {}",
                    sh(&c.name), sh(&c.issuer), sh(s), sh(&c.audience)
                ));
            }
            (None, None) => {}
        }
    }
    let flexible = creds.iter().filter(|c| c.expression.is_some()).count();
    Draft {
        summary: format!("{} federated credential(s), {} flexible", creds.len(), flexible),
        snippets: vec![
            Snippet { format: "json", title: "federated identity credentials".into(), text: config.clone() },
            Snippet { format: "shell", title: "az cli".into(), text: cli.join("\n\n") },
            Snippet { format: "hcl", title: "terraform".into(), text: terraform::azure_credentials(&creds) },
        ],
        config,
        notes,
    }
}
