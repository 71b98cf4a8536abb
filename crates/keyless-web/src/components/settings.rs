//! Repository settings that shape the token: names and ids, visibility,
//! issuer, the `sub` template, the labelled options where GitHub's
//! behaviour is ambiguous, and environments' deployment protection rules.

use crate::state::AppState;
use keyless_core::draft::ScenarioDraft;
use keyless_core::scenario::{PullRequestTargetSubject, Visibility};
use leptos::prelude::*;

/// A labelled text input bound to one draft field.
#[component]
fn TextField(
    label: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
    #[prop(optional)] placeholder: &'static str,
    get: fn(&ScenarioDraft) -> String,
    set: fn(&mut ScenarioDraft, String),
    /// Commit on change (blur / Enter) rather than on each keystroke, for
    /// fields whose text is normalised when read back (lists).
    #[prop(optional)]
    lazy: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let commit = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        state.edit(|d| set(d, v));
    };
    view! {
        <label class="field">
            <span>{label}</span>
            <input type="text" spellcheck="false" autocomplete="off" placeholder=placeholder data-testid=testid
                prop:value=move || state.draft.with(get)
                on:input=move |ev| if !lazy { commit(ev) }
                on:change=move |ev| if lazy { commit(ev) }/>
        </label>
    }
}

/// A labelled checkbox bound to one draft field.
#[component]
fn CheckField(
    label: &'static str,
    get: fn(&ScenarioDraft) -> bool,
    set: fn(&mut ScenarioDraft, bool),
) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <label class="check">
            <input type="checkbox" prop:checked=move || state.draft.with(get)
                on:change=move |ev| { let v = event_target_checked(&ev); state.edit(|d| set(d, v)); }/>
            <span>{label}</span>
        </label>
    }
}

#[component]
pub fn Settings() -> impl IntoView {
    let state = expect_context::<AppState>();
    let visibility = move |ev| {
        let v = match event_target_value(&ev).as_str() {
            "public" => Visibility::Public,
            "internal" => Visibility::Internal,
            _ => Visibility::Private,
        };
        state.edit(|d| d.visibility = v);
    };
    let prt = move |ev| {
        let v = match event_target_value(&ev).as_str() {
            "pull_request" => PullRequestTargetSubject::PullRequest,
            _ => PullRequestTargetSubject::Ref,
        };
        state.edit(|d| d.pull_request_target_subject = v);
    };
    view! {
        <section class="panel settings" aria-labelledby="settings-title">
            <div class="panel-head"><h2 id="settings-title">"Repository"</h2></div>
            <div class="grid">
                <TextField label="Repository (owner/name)" testid="repository" placeholder="my-org/my-repo"
                    get=|d| d.repository.clone() set=|d, v| d.repository = v/>
                <label class="field">
                    <span>"Visibility"</span>
                    <select data-testid="visibility" on:change=visibility
                        prop:value=move || state.draft.with(|d| d.visibility.as_str())>
                        <option value="public">"public"</option>
                        <option value="private">"private"</option>
                        <option value="internal">"internal"</option>
                    </select>
                </label>
                <TextField label="Default branch" get=|d| d.default_branch.clone() set=|d, v| d.default_branch = v/>
                <TextField label="Workflow path" get=|d| d.workflow_path.clone() set=|d, v| d.workflow_path = v/>
            </div>
            <details class="more">
                <summary>"Ids, issuer, sub template, options"</summary>
                <div class="grid">
                    <TextField label="Repository id" placeholder="e.g. 123456789 (needed for immutable sub)"
                        get=|d| d.repository_id.clone() set=|d, v| d.repository_id = v/>
                    <TextField label="Owner id" placeholder="e.g. 987654"
                        get=|d| d.repository_owner_id.clone() set=|d, v| d.repository_owner_id = v/>
                    <TextField label="Enterprise slug (GHEC unique issuer)" placeholder="none"
                        get=|d| d.enterprise_slug.clone() set=|d, v| d.enterprise_slug = v/>
                    <TextField label="GHES host" placeholder="none"
                        get=|d| d.ghes_host.clone() set=|d, v| d.ghes_host = v/>
                    <TextField label="sub template: include_claim_keys (comma separated)" placeholder="default template" lazy=true
                        get=|d| d.include_claim_keys.join(", ")
                        set=|d, v| d.include_claim_keys = v.split(',').map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect()/>
                    <div class="checks">
                        <CheckField label="use_default (ignore the template)"
                            get=|d| d.subject_use_default set=|d, v| d.subject_use_default = v/>
                        <CheckField label="immutable sub (repo:owner@ID/name@ID)"
                            get=|d| d.subject_immutable set=|d, v| d.subject_immutable = v/>
                        <CheckField label="Send write tokens to fork pull requests (private repos)"
                            get=|d| d.fork_pr_write_tokens set=|d, v| d.fork_pr_write_tokens = v/>
                    </div>
                    <label class="field wide">
                        <span>"pull_request_target sub (GitHub's docs are silent; observations differ)"</span>
                        <select on:change=prt prop:value=move || state.draft.with(|d| match d.pull_request_target_subject {
                            PullRequestTargetSubject::Ref => "ref",
                            PullRequestTargetSubject::PullRequest => "pull_request",
                        })>
                            <option value="ref">"ref:refs/heads/<default branch> (observed 2026)"</option>
                            <option value="pull_request">"pull_request (observed 2024)"</option>
                        </select>
                    </label>
                </div>
            </details>
            <details class="more">
                <summary>"Environment protection rules"</summary>
                <label class="field wide">
                    <span>"Environment protection (YAML: environments, protected_branches)"</span>
                    <textarea class="protection" rows="6" spellcheck="false" data-testid="environments"
                        placeholder=PROTECTION_PLACEHOLDER
                        prop:value=move || state.draft.with(|d| d.environment_protection.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); state.edit(|d| d.environment_protection = v); }>
                    </textarea>
                </label>
            </details>
        </section>
    }
}

/// What the environment protection field takes (the scenario file's
/// `environments:` and `protected_branches:`).
const PROTECTION_PLACEHOLDER: &str = "environments:\n  prod:\n    deployment_branches: [main]  # all | protected | [patterns]\n    deployment_tags: ['v*']\n    required_reviewers: true\nprotected_branches: [main]";
