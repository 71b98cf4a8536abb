//! Whether a job may request an OIDC token (`id-token: write`), research
//! github-oidc-tokens.md §5 (D-TOK "How permissions are calculated",
//! D-REF "Setting permissions", D-RWREF).

use super::run::{Run, Visibility};
use super::workflow::{IdToken, Permissions};

/// The outcome, with the sentence explaining it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub id_token: IdToken,
    pub why: String,
}

/// Job-level `permissions` override workflow-level ones; with neither the
/// default is `none` (D-TOK: id-token default access is none in both the
/// permissive and restricted settings).
pub fn declared(workflow: Option<&Permissions>, job: Option<&Permissions>) -> Grant {
    match (job, workflow) {
        (Some(p), _) => Grant {
            id_token: p.id_token,
            why: format!("the job's `permissions` ({}) give id-token: {}", p.written, level(p.id_token)),
        },
        (None, Some(p)) => Grant {
            id_token: p.id_token,
            why: format!("the workflow's `permissions` ({}) give id-token: {}", p.written, level(p.id_token)),
        },
        (None, None) => Grant {
            id_token: IdToken::None,
            why: "no `permissions` are set, and id-token defaults to none (D-TOK)".into(),
        },
    }
}

fn level(l: IdToken) -> &'static str {
    match l {
        IdToken::Write => "write",
        IdToken::None => "none",
    }
}

/// A called workflow's permissions can only downgrade the caller job's
/// (D-RWREF): the grant is the lower of the two.
pub fn cap_by_caller(caller: &Grant, called: Option<Grant>) -> Grant {
    match called {
        None => Grant {
            id_token: caller.id_token,
            why: format!("the called workflow sets no `permissions`, so it inherits the caller's: {}", caller.why),
        },
        Some(c) if c.id_token > caller.id_token => Grant {
            id_token: caller.id_token,
            why: format!(
                "{}, but the caller job allows only id-token: {} ({}): called workflows can only downgrade (D-RWREF)",
                c.why,
                level(caller.id_token),
                caller.why
            ),
        },
        Some(c) => c,
    }
}

/// The final word after event rules: fork pull requests and Dependabot
/// runs lose id-token write (D-TOK; research §5), pull_request_target keeps it.
pub fn apply_event_rules(s: &Run, g: Grant) -> Grant {
    if g.id_token == IdToken::None {
        // Say it anyway: fixing `permissions` alone would not be enough.
        let removed = event_removal(s);
        return match removed {
            Some(also) => Grant { id_token: IdToken::None, why: format!("{}; also, {also}", g.why) },
            None => g,
        };
    }
    let event = s.event.name.value.as_str();
    let pr_like = matches!(event, "pull_request" | "pull_request_review" | "pull_request_review_comment");
    // Dependabot-initiated runs of these events get a read-only token
    // (D-TOK Dependabot note; docs "Troubleshooting Dependabot on GitHub
    // Actions", "Restrictions when Dependabot triggers events", which also
    // lists create/deployment/deployment_status, and pull_request_target
    // when Dependabot opened the pull request: the actor is taken to be
    // its author).
    let dependabot_events =
        ["push", "create", "deployment", "deployment_status", "pull_request_target"].contains(&event) || pr_like;
    if s.event.actor.eq_ignore_ascii_case("dependabot[bot]") && dependabot_events {
        return Grant {
            id_token: IdToken::None,
            why: format!(
                "`{event}` runs initiated by Dependabot get a read-only token, hence no id-token write (D-TOK Dependabot note; docs \"Restrictions when Dependabot triggers events\")"
            ),
        };
    }
    if pr_like && s.event.from_fork {
        // "Send write tokens to workflows from pull requests" exists for
        // private (and internal) repositories only (D-TOK).
        if s.options.fork_pr_write_tokens && s.visibility != Visibility::Public {
            return Grant {
                id_token: g.id_token,
                why: format!(
                    "{}; the pull request comes from a fork, and the repository setting \"Send write tokens to workflows from pull requests\" keeps id-token write (D-TOK)",
                    g.why
                ),
            };
        }
        return Grant {
            id_token: IdToken::None,
            why: "the pull request comes from a fork: GitHub gives fork pull_request runs no id-token write, even when the workflow asks for it (D-TOK)".into(),
        };
    }
    if event == "pull_request_target" && s.event.from_fork {
        return Grant {
            id_token: g.id_token,
            why: format!(
                "{}; pull_request_target runs in the base repository's context, so a fork's pull request still gets a token (D-TOK)",
                g.why
            ),
        };
    }
    g
}

/// Why the event alone would take id-token write away, if it does.
fn event_removal(s: &Run) -> Option<String> {
    let probe = Grant { id_token: IdToken::Write, why: String::new() };
    let after = apply_event_rules(s, probe);
    (after.id_token == IdToken::None).then_some(after.why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::{DocId, Span, Spanned};

    fn p(l: IdToken) -> Permissions {
        Permissions { id_token: l, written: "x".into(), span: Span::new(DocId::Workflow, 0, 0) }
    }

    // D-TOK: job overrides workflow; default none.
    #[test]
    fn job_overrides_workflow() {
        assert_eq!(declared(Some(&p(IdToken::Write)), Some(&p(IdToken::None))).id_token, IdToken::None);
        assert_eq!(declared(Some(&p(IdToken::None)), Some(&p(IdToken::Write))).id_token, IdToken::Write);
        assert_eq!(declared(Some(&p(IdToken::Write)), None).id_token, IdToken::Write);
        assert_eq!(declared(None, None).id_token, IdToken::None);
    }

    // D-RWREF: called workflows can only downgrade.
    #[test]
    fn reusable_capped_by_caller() {
        let none = Grant { id_token: IdToken::None, why: String::new() };
        let write = Grant { id_token: IdToken::Write, why: String::new() };
        assert_eq!(cap_by_caller(&none, Some(write.clone())).id_token, IdToken::None);
        assert_eq!(cap_by_caller(&write, None).id_token, IdToken::Write);
        assert_eq!(cap_by_caller(&write, Some(none)).id_token, IdToken::None);
    }

    fn scenario(event: &str, fork: bool, actor: &str) -> Run {
        let mut s = Run::new("o", "r");
        s.event.name = Spanned::new(event.into(), Span::new(DocId::Scenario, 0, 0));
        s.event.from_fork = fork;
        s.event.actor = actor.into();
        s
    }

    // D-TOK: forks and Dependabot lose the token; pull_request_target keeps it.
    #[test]
    fn event_rules() {
        let w = Grant { id_token: IdToken::Write, why: String::new() };
        let cases = [
            ("pull_request", true, "octocat", false, IdToken::None),
            ("pull_request", true, "octocat", true, IdToken::Write),
            ("pull_request_target", true, "octocat", false, IdToken::Write),
            ("pull_request", false, "octocat", false, IdToken::Write),
            ("push", false, "dependabot[bot]", false, IdToken::None),
            ("pull_request", false, "dependabot[bot]", true, IdToken::None),
            ("workflow_dispatch", false, "dependabot[bot]", false, IdToken::Write),
        ];
        for (event, fork, actor, setting, want) in cases {
            let mut s = scenario(event, fork, actor);
            s.options.fork_pr_write_tokens = setting;
            assert_eq!(
                apply_event_rules(&s, w.clone()).id_token,
                want,
                "{event} fork={fork} {actor} setting={setting}"
            );
        }
        // The setting does not exist for public repositories.
        let mut s = scenario("pull_request", true, "octocat");
        s.options.fork_pr_write_tokens = true;
        s.visibility = Visibility::Public;
        assert_eq!(apply_event_rules(&s, w).id_token, IdToken::None);
        // A missing permission on a fork PR mentions both causes.
        let none = Grant { id_token: IdToken::None, why: "no permissions".into() };
        let g = apply_event_rules(&scenario("pull_request", true, "octocat"), none);
        assert!(g.why.starts_with("no permissions; also, the pull request comes from a fork"), "{}", g.why);
    }
}
