//! Patching a draft with a partial scenario: what an embedding page sends
//! to change some fields and keep the others (docs/embed.md,
//! `patch-scenario`).

use super::{PROTECTION_KEYS, ScenarioDraft};
use crate::diagnostic::Diagnostic;
use crate::doc;
use crate::span::DocId;
use crate::verdict::Cloud;

impl ScenarioDraft {
    /// Replaces the top-level fields `text` (a partial scenario, YAML or
    /// JSON) gives and keeps the others. A field is replaced as a whole
    /// (`event: {name: pull_request}` resets the event's other fields to
    /// their defaults); `null` clears it; `environments` and
    /// `protected_branches` are one editor, so giving either replaces both.
    /// Returns the problems found in `text`; nothing is changed when it is
    /// not a mapping.
    pub fn patch(&mut self, text: &str) -> Vec<Diagnostic> {
        let root = match doc::parse(text, DocId::Scenario) {
            Ok(root) => root,
            Err(d) => return vec![d],
        };
        if let Err(e) = root.expect_map("the patch") {
            return vec![e];
        }
        let (given, problems) = ScenarioDraft::from_node(text, &root);
        let defaults = ScenarioDraft::default();
        for entry in root.entries().unwrap_or_default() {
            // `key: null` clears the field: the default draft's value.
            let from = if entry.value.is_null() { &defaults } else { &given };
            let key = entry.key.value.as_str();
            match key {
                "repository" => self.repository.clone_from(&from.repository),
                "repository_id" => self.repository_id.clone_from(&from.repository_id),
                "repository_owner_id" => self.repository_owner_id.clone_from(&from.repository_owner_id),
                "visibility" => self.visibility = from.visibility,
                "default_branch" => self.default_branch.clone_from(&from.default_branch),
                "workflow_path" => self.workflow_path.clone_from(&from.workflow_path),
                "workflow" => self.workflow.clone_from(&from.workflow),
                "event" => self.event.clone_from(&from.event),
                "inputs" => self.inputs.clone_from(&from.inputs),
                "vars" => self.vars.clone_from(&from.vars),
                "subject" => {
                    self.subject_use_default = from.subject_use_default;
                    self.subject_immutable = from.subject_immutable;
                    self.include_claim_keys.clone_from(&from.include_claim_keys);
                }
                "issuer" => {
                    self.enterprise_slug.clone_from(&from.enterprise_slug);
                    self.ghes_host.clone_from(&from.ghes_host);
                    self.ghe_subdomain.clone_from(&from.ghe_subdomain);
                }
                "options" => {
                    self.pull_request_target_subject = from.pull_request_target_subject;
                    self.fork_pr_write_tokens = from.fork_pr_write_tokens;
                    self.issued_at = from.issued_at;
                }
                k if PROTECTION_KEYS.contains(&k) => {
                    self.environment_protection.clone_from(&from.environment_protection)
                }
                k => match Cloud::ALL.into_iter().find(|c| c.key() == k) {
                    Some(cloud) => self.cloud_text_mut(cloud).clone_from(&from.cloud_text(cloud).to_string()),
                    None => {
                        // Any other scenario field the settings carry as text.
                        self.extra.retain(|(name, _)| name != k);
                        if let Some(extra) = from.extra.iter().find(|(name, _)| name == k) {
                            self.extra.push(extra.clone());
                        }
                    }
                },
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ScenarioDraft {
        let (d, problems) = ScenarioDraft::from_yaml(
            "repository: o/r\nworkflow: 'on: push'\nevent: {name: push, ref: refs/heads/dev}\naws: '{}'\nref_protected: true\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        d
    }

    #[test]
    fn a_patch_replaces_the_fields_it_gives_and_keeps_the_others() {
        let mut d = base();
        let problems = d.patch(r#"{"gcp": "provider: x", "event": {"name": "pull_request", "pr_number": 4}}"#);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(d.gcp, "provider: x");
        assert_eq!(d.event.name, "pull_request");
        assert_eq!(d.event.ref_, "", "the event is replaced as a whole");
        assert_eq!((d.repository.as_str(), d.workflow.as_str(), d.aws.as_str()), ("o/r", "on: push", "{}"));
        assert!(d.extra.iter().any(|(k, _)| k == "ref_protected"));
    }

    #[test]
    fn null_clears_and_extra_fields_are_replaced() {
        let mut d = base();
        let problems = d.patch("aws: null\nref_protected: false\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(d.aws, "");
        assert_eq!(d.extra.iter().filter(|(k, _)| k == "ref_protected").count(), 1);
        assert!(d.extra.iter().any(|(k, v)| k == "ref_protected" && v.contains("false")), "{:?}", d.extra);
    }

    #[test]
    fn a_patch_that_is_not_a_mapping_changes_nothing() {
        let mut d = base();
        let before = d.clone();
        assert!(!d.patch("[1, 2]").is_empty());
        assert!(!d.patch("{unclosed").is_empty());
        assert_eq!(d, before);
    }
}
