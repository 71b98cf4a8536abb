//! The run to simulate: the event and its refs, quick picks for the runs
//! that matter for trust (branch, tag, pull request from a fork, ...), the
//! dispatch inputs the workflow declares, and what the run contains (jobs,
//! environments, matrix values) as the engine found it.

use crate::facts;
use crate::state::AppState;
use keyless_core::draft::{EventDraft, ScenarioDraft};
use leptos::prelude::*;

const EVENTS: &[&str] = &[
    "push",
    "pull_request",
    "pull_request_target",
    "workflow_dispatch",
    "schedule",
    "release",
    "merge_group",
    "deployment",
    "workflow_run",
    "repository_dispatch",
];

/// A quick pick: label and the event it sets (default branch filled in).
fn quick_picks(default_branch: &str) -> Vec<(&'static str, EventDraft)> {
    let base = EventDraft { ref_: String::new(), ..EventDraft::default() };
    let main = format!("refs/heads/{default_branch}");
    vec![
        ("Push to default branch", EventDraft { ref_: main.clone(), ..base.clone() }),
        ("Push to feature/x", EventDraft { ref_: "refs/heads/feature/x".into(), ..base.clone() }),
        ("Push tag v1.0.0", EventDraft { ref_: "refs/tags/v1.0.0".into(), ..base.clone() }),
        (
            "Pull request",
            EventDraft {
                name: "pull_request".into(),
                base_ref: default_branch.into(),
                head_ref: "feature/x".into(),
                pr_number: Some(42),
                ..base.clone()
            },
        ),
        (
            "Pull request from a fork",
            EventDraft {
                name: "pull_request".into(),
                base_ref: default_branch.into(),
                head_ref: "patch-1".into(),
                pr_number: Some(43),
                from_fork: true,
                actor: "outside-contributor".into(),
                ..base.clone()
            },
        ),
        (
            "pull_request_target (fork)",
            EventDraft {
                name: "pull_request_target".into(),
                base_ref: default_branch.into(),
                head_ref: "patch-1".into(),
                pr_number: Some(44),
                from_fork: true,
                actor: "outside-contributor".into(),
                ..base.clone()
            },
        ),
        ("workflow_dispatch", EventDraft { name: "workflow_dispatch".into(), ref_: main.clone(), ..base.clone() }),
        ("schedule", EventDraft { name: "schedule".into(), ..base.clone() }),
        ("release v1.0.0", EventDraft { name: "release".into(), ref_: "refs/tags/v1.0.0".into(), ..base.clone() }),
        (
            "merge_group",
            EventDraft {
                name: "merge_group".into(),
                ref_: format!("refs/heads/gh-readonly-queue/{default_branch}/pr-42-0123abcd"),
                base_ref: default_branch.into(),
                ..base.clone()
            },
        ),
        ("deployment", EventDraft { name: "deployment".into(), ref_: main, ..base }),
    ]
}

/// A labelled text input bound to one event field.
#[component]
fn EventField(
    label: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
    placeholder: &'static str,
    get: fn(&EventDraft) -> String,
    set: fn(&mut EventDraft, String),
) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <label class="field">
            <span>{label}</span>
            <input type="text" spellcheck="false" autocomplete="off" placeholder=placeholder data-testid=testid
                prop:value=move || state.draft.with(|d| get(&d.event))
                on:input=move |ev| { let v = event_target_value(&ev); state.edit(|d| set(&mut d.event, v)); }/>
        </label>
    }
}

#[component]
pub fn EventPicker() -> impl IntoView {
    let state = expect_context::<AppState>();
    let facts = Memo::new(move |_| state.draft.with(|d| facts::read(&d.workflow)));
    let current = move || state.draft.with(|d| d.event.name.clone());
    // A new event starts from its typical run (a stale `ref` from the
    // previous event would silently change `sub`); the actor is kept.
    let on_event = move |ev| {
        let name = event_target_value(&ev);
        state.edit(|d| {
            let typical = quick_picks(&d.default_branch).into_iter().map(|(_, e)| e).find(|e| e.name == name);
            let actor = d.event.actor.clone();
            d.event = typical.unwrap_or_else(|| EventDraft { name, ref_: String::new(), ..EventDraft::default() });
            d.event.actor = actor;
        });
    };
    let picks = move || {
        let branch = state.draft.with(|d| d.default_branch.clone());
        quick_picks(&branch)
            .into_iter()
            .map(|(label, event)| {
                let pressed = {
                    let event = event.clone();
                    move || state.draft.with(|d| same_run(&d.event, &event))
                };
                view! {
                    <button type="button" class="chip" aria-pressed=move || pressed().to_string()
                        on:click=move |_| state.edit(|d| d.event = event.clone())>{label}</button>
                }
            })
            .collect_view()
    };
    let dispatch_inputs = move || {
        let f = facts.get();
        (current() == "workflow_dispatch" && !f.dispatch_inputs.is_empty()).then(|| {
            view! {
                <fieldset class="inputs-set">
                    <legend>"workflow_dispatch inputs (declared by the workflow)"</legend>
                    <div class="grid">
                        {f.dispatch_inputs.into_iter().map(|input| {
                            let name = input.name.clone();
                            let name_get = name.clone();
                            let default = input.default.clone().unwrap_or_default();
                            let value = move || state.draft.with(|d| input_text(d, &name_get).unwrap_or_else(|| default.clone()));
                            let list = format!("dispatch-{name}-options");
                            view! {
                                <label class="field">
                                    <span>{name.clone()}</span>
                                    <input type="text" list=list.clone() prop:value=value
                                        on:input=move |ev| {
                                            let v = event_target_value(&ev);
                                            let k = name.clone();
                                            state.edit(|d| { d.inputs.insert(k, serde_json::Value::String(v)); });
                                        }/>
                                    <datalist id=list>
                                        {input.options.into_iter().map(|o| view! { <option value=o/> }).collect_view()}
                                    </datalist>
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
            }
        })
    };
    let is_pr = move || matches!(current().as_str(), "pull_request" | "pull_request_target");
    let run_summary = move || {
        state.evaluation.with(|e| {
            let jobs = e.report.jobs.len();
            let mut envs: Vec<String> = e.report.jobs.iter().filter_map(|j| j.environment.clone()).collect();
            envs.dedup();
            let matrices = e.report.jobs.iter().filter(|j| j.matrix.is_some()).count();
            let mut s = format!("{jobs} job run{}", if jobs == 1 { "" } else { "s" });
            if !envs.is_empty() {
                s.push_str(&format!(" · environments: {}", envs.join(", ")));
            }
            if matrices > 0 {
                s.push_str(&format!(" · {matrices} matrix combination{}", if matrices == 1 { "" } else { "s" }));
            }
            s
        })
    };
    view! {
        <section class="panel event" aria-labelledby="event-title">
            <div class="panel-head">
                <h2 id="event-title">"Run"</h2>
                <span class="hint">{run_summary}</span>
            </div>
            <div class="chips" role="group" aria-label="Quick picks">{picks}</div>
            <div class="grid">
                <label class="field">
                    <span>"Event"</span>
                    <select data-testid="event-name" on:change=on_event>
                        {move || {
                            let declared = facts.get().events;
                            let cur = current();
                            let mut names: Vec<String> = EVENTS.iter().map(|s| s.to_string()).collect();
                            if !cur.is_empty() && !names.contains(&cur) {
                                names.push(cur.clone());
                            }
                            names.into_iter().map(|n| {
                                let label = if declared.contains(&n) { format!("{n} (in workflow)") } else { n.clone() };
                                let selected = n == cur;
                                view! { <option value=n prop:selected=selected>{label}</option> }
                            }).collect_view()
                        }}
                    </select>
                </label>
                <EventField label="Ref" testid="event-ref" placeholder="derived from the event"
                    get=|e| e.ref_.clone() set=|e, v| e.ref_ = v/>
                <EventField label="Actor" placeholder="octocat" get=|e| e.actor.clone() set=|e, v| e.actor = v/>
                <Show when=is_pr>
                    <EventField label="Base branch" testid="event-base-ref" placeholder="main"
                        get=|e| e.base_ref.clone() set=|e, v| e.base_ref = v/>
                    <EventField label="Head branch" testid="event-head-ref" placeholder="feature/x"
                        get=|e| e.head_ref.clone() set=|e, v| e.head_ref = v/>
                    <EventField label="PR number" placeholder="42"
                        get=|e| e.pr_number.map(|n| n.to_string()).unwrap_or_default()
                        set=|e, v| e.pr_number = v.trim().parse().ok()/>
                    <label class="check">
                        <input type="checkbox" data-testid="event-from-fork"
                            prop:checked=move || state.draft.with(|d| d.event.from_fork)
                            on:change=move |ev| { let v = event_target_checked(&ev); state.edit(|d| d.event.from_fork = v); }/>
                        <span>"From a fork"</span>
                    </label>
                </Show>
            </div>
            {dispatch_inputs}
        </section>
    }
}

fn same_run(a: &EventDraft, b: &EventDraft) -> bool {
    a.name == b.name && a.ref_ == b.ref_ && a.from_fork == b.from_fork && a.head_ref == b.head_ref
}

fn input_text(d: &ScenarioDraft, name: &str) -> Option<String> {
    d.inputs.get(name).map(|v| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}
