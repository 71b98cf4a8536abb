//! The run to simulate: the event and its refs, quick picks for the runs
//! that matter for trust (branch, tag, pull request from a fork, ...), the
//! dispatch inputs the workflow declares, and what the run contains (jobs,
//! environments, matrix values) as the engine found it.

use crate::state::AppState;
use keyless_core::draft::EventDraft;
use keyless_core::github::facts::{DispatchInput, EventFacts, JobFacts, WorkflowFacts};
use keyless_core::github::workflow_facts;
use keyless_core::html::Html;
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

/// A quick pick, as data (one constructor below costs far less wasm than
/// a struct literal per pick). `{b}` in `ref_` is the default branch.
struct Pick {
    label: &'static str,
    name: &'static str,
    ref_: &'static str,
    /// `base_ref` is the default branch (otherwise empty).
    base_is_default: bool,
    head_ref: &'static str,
    pr_number: Option<u64>,
    /// From a fork, by an outside contributor.
    from_fork: bool,
}

const fn pick(label: &'static str, name: &'static str, ref_: &'static str) -> Pick {
    Pick { label, name, ref_, base_is_default: false, head_ref: "", pr_number: None, from_fork: false }
}

const fn pr(label: &'static str, name: &'static str, head_ref: &'static str, number: u64, from_fork: bool) -> Pick {
    Pick { label, name, ref_: "", base_is_default: true, head_ref, pr_number: Some(number), from_fork }
}

const PICKS: &[Pick] = &[
    pick("Push to default branch", "push", "refs/heads/{b}"),
    pick("Push to feature/x", "push", "refs/heads/feature/x"),
    pick("Push tag v1.0.0", "push", "refs/tags/v1.0.0"),
    pr("Pull request", "pull_request", "feature/x", 42, false),
    pr("Pull request from a fork", "pull_request", "patch-1", 43, true),
    pr("pull_request_target (fork)", "pull_request_target", "patch-1", 44, true),
    pick("workflow_dispatch", "workflow_dispatch", "refs/heads/{b}"),
    pick("schedule", "schedule", ""),
    pick("release v1.0.0", "release", "refs/tags/v1.0.0"),
    Pick {
        base_is_default: true,
        ..pick("merge_group", "merge_group", "refs/heads/gh-readonly-queue/{b}/pr-42-0123abcd")
    },
    pick("deployment", "deployment", "refs/heads/{b}"),
];

/// A quick pick: label and the event it sets (default branch filled in).
fn quick_picks(default_branch: &str) -> Vec<(&'static str, EventDraft)> {
    PICKS
        .iter()
        .map(|p| {
            let mut e = EventDraft {
                name: p.name.into(),
                ref_: p.ref_.replace("{b}", default_branch),
                head_ref: p.head_ref.into(),
                pr_number: p.pr_number,
                from_fork: p.from_fork,
                ..EventDraft::default()
            };
            if p.base_is_default {
                e.base_ref = default_branch.into();
            }
            if p.from_fork {
                e.actor = "outside-contributor".into();
            }
            (p.label, e)
        })
        .collect()
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
    // Parsing the workflow again is an evaluation's worth of work on a large
    // one: the facts follow the evaluation (which waits for a pause in
    // typing when it is slow, `state.rs`), not each keystroke.
    let facts = Memo::new(move |_| {
        state.evaluation.track();
        state.draft.with_untracked(|d| workflow_facts(&d.workflow))
    });
    // A memo, so what depends on the event alone (its option list, the
    // pull request fields, the dispatch inputs) is not redone on every
    // keystroke elsewhere in the draft.
    let current = Memo::new(move |_| state.draft.with(|d| d.event.name.clone()));
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
    // Which quick pick matches the run: each button's `aria-pressed` is
    // derived from it (the buttons themselves are fixed, so a click never
    // replaces the button it landed on).
    let pressed = Memo::new(move |_| {
        state
            .draft
            .with(|d| quick_picks(&d.default_branch).iter().map(|(_, e)| same_run(&d.event, e)).collect::<Vec<_>>())
    });
    let chips = PICKS
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let on = move || pressed.with(|v| v.get(i).copied().unwrap_or(false)).to_string();
            view! { <button type="button" class="chip" data-pick=i.to_string() aria-pressed=on>{p.label}</button> }
        })
        .collect_view();
    let on_pick = move |ev: leptos::ev::MouseEvent| {
        let pick = crate::actions::closest(&ev, "[data-pick]")
            .and_then(|b| b.get_attribute("data-pick"))
            .and_then(|i| i.parse::<usize>().ok());
        if let Some(i) = pick {
            state.edit(|d| {
                if let Some((_, e)) = quick_picks(&d.default_branch).into_iter().nth(i) {
                    d.event = e;
                }
            });
        }
    };
    // The declared dispatch inputs while the event is workflow_dispatch:
    // one control per declared input, rebuilt only when the declaration
    // changes (so typing never replaces the control typed in); each
    // control's value is derived from the draft, so a value set elsewhere
    // (a preset, an import) shows at once.
    let declared = Memo::new(move |_| {
        if current.with(|c| c == "workflow_dispatch") { facts.with(|f| f.dispatch_inputs.clone()) } else { Vec::new() }
    });
    // GitHub's run form always sends a boolean (its checkbox) and a choice
    // (its select shows an option); the API and `gh` send only what is
    // given, and the engine refuses a required one that is missing. The
    // picker stands for the form, so the value it shows is the value the
    // simulation gets.
    Effect::new(move |_| {
        let missing: Vec<(String, serde_json::Value)> = declared.with(|inputs| {
            state.draft.with(|d| {
                inputs
                    .iter()
                    .filter(|i| !d.inputs.contains_key(&i.name))
                    .filter_map(|i| Some((i.name.clone(), form_value(i)?)))
                    .collect()
            })
        });
        if !missing.is_empty() {
            state.edit(|d| d.inputs.extend(missing));
        }
    });
    let inputs_view = move || {
        let inputs = declared.get();
        (!inputs.is_empty()).then(|| {
            let controls = inputs.into_iter().map(|input| dispatch_input(input, state)).collect_view();
            view! {
                <fieldset class="inputs-set">
                    <legend>"workflow_dispatch inputs (declared by the workflow)"</legend>
                    <div class="grid">{controls}</div>
                </fieldset>
            }
        })
    };
    let is_pr = move || current.with(|c| matches!(c.as_str(), "pull_request" | "pull_request_target"));
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
            <div class="chips" role="group" aria-label="Quick picks" on:click=on_pick>{chips}</div>
            <div class="grid">
                <label class="field">
                    <span>"Event"</span>
                    <select data-testid="event-name" on:change=on_event
                        inner_html=move || current.with(|c| facts.with(|f| event_options(f, c)))></select>
                </label>
                <EventField label="Ref" testid="event-ref" placeholder="derived from the event"
                    get=|e| e.ref_.clone() set=|e, v| e.ref_ = v/>
                <EventField label="Actor" placeholder="octocat" get=|e| e.actor.clone() set=|e, v| e.actor = v/>
                // Shown for pull request events only; `display: contents`
                // keeps them items of the grid.
                <div class="pr-fields" hidden=move || !is_pr()>
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
                </div>
            </div>
            <div>{inputs_view}</div>
            <div inner_html=move || facts.with(workflow_summary)></div>
        </section>
    }
}

/// The event list: the events the workflow listens to first (with their
/// filters as written), then the others; the current one selected.
fn event_options(f: &WorkflowFacts, current: &str) -> String {
    let listened: Vec<&str> = f.events.iter().map(|e| e.name.as_str()).collect();
    let mut others: Vec<&str> = EVENTS.iter().copied().filter(|n| !listened.contains(n)).collect();
    if !current.is_empty() && !listened.contains(&current) && !others.contains(&current) {
        others.push(current);
    }
    let mut h = Html::default();
    let option = |h: &mut Html, name: &str, label: &str| {
        h.open("option").attr("value", name).flag("selected", name == current).body().text(label).close("option");
    };
    if !listened.is_empty() {
        h.raw("<optgroup label=\"In the workflow\">");
    }
    for e in &f.events {
        option(&mut h, &e.name, &event_label(e));
    }
    if !listened.is_empty() {
        h.raw("</optgroup><optgroup label=\"Other events\">");
    }
    for n in others {
        option(&mut h, n, n);
    }
    if !listened.is_empty() {
        h.raw("</optgroup>");
    }
    h.finish()
}

fn same_run(a: &EventDraft, b: &EventDraft) -> bool {
    a.name == b.name && a.ref_ == b.ref_ && a.from_fork == b.from_fork && a.head_ref == b.head_ref
}

/// An event as the workflow lists it, with its filters as written.
fn event_label(e: &EventFacts) -> String {
    let mut filters = Vec::new();
    for (key, list) in [
        ("branches", &e.branches),
        ("branches-ignore", &e.branches_ignore),
        ("tags", &e.tags),
        ("tags-ignore", &e.tags_ignore),
    ] {
        if let Some(list) = list {
            filters.push(format!("{key}: {}", list.join(", ")));
        }
    }
    if e.has_path_filter {
        filters.push("paths (not simulated)".into());
    }
    if filters.is_empty() { e.name.clone() } else { format!("{} ({})", e.name, filters.join("; ")) }
}

/// One declared dispatch input as a control whose value is the draft's
/// (or the declared default), and whose edits go to the draft.
fn dispatch_input(input: DispatchInput, state: AppState) -> AnyView {
    let default = input.default.as_ref().map(json_text).unwrap_or_default();
    let name = input.name.clone();
    let value = {
        let (name, default) = (name.clone(), default.clone());
        move || state.draft.with(|d| d.inputs.get(&name).map(json_text).unwrap_or_else(|| default.clone()))
    };
    let set = {
        let name = name.clone();
        move |v: serde_json::Value| {
            state.edit(|d| {
                d.inputs.insert(name.clone(), v);
            })
        }
    };
    let label = format!("{}{}", input.name, if input.required { " *" } else { "" });
    let title = input.description.clone().unwrap_or_default();
    match input.kind.as_str() {
        "choice" => {
            let options = input
                .options
                .iter()
                .map(|o| {
                    let (o, value) = (o.clone(), value.clone());
                    let selected = {
                        let o = o.clone();
                        move || value() == o
                    };
                    let attr = o.clone();
                    view! { <option value=attr selected=selected>{o}</option> }
                })
                .collect_view();
            view! {
                <label class="field" title=title><span>{label}</span>
                    <select data-testid="dispatch-input" data-name=name.clone()
                        prop:value=value
                        on:change=move |ev| set(serde_json::Value::String(event_target_value(&ev)))>{options}</select>
                </label>
            }
            .into_any()
        }
        "boolean" => view! {
            <label class="check" title=title><span>{label}</span>
                <input type="checkbox" data-testid="dispatch-input" data-name=name.clone()
                    prop:checked=move || value().eq_ignore_ascii_case("true")
                    on:change=move |ev| set(serde_json::Value::Bool(event_target_checked(&ev)))/>
            </label>
        }
        .into_any(),
        kind => view! {
            <label class="field" title=title><span>{label}</span>
                <input type=if kind == "number" { "number" } else { "text" } data-testid="dispatch-input"
                    data-name=name.clone() spellcheck="false" autocomplete="off" placeholder=default
                    prop:value=value
                    on:input=move |ev| set(serde_json::Value::String(event_target_value(&ev)))/>
            </label>
        }
        .into_any(),
    }
}

/// The value GitHub's run form sends for an input the user leaves alone:
/// a boolean's checkbox, a choice's shown option; none for text.
fn form_value(input: &DispatchInput) -> Option<serde_json::Value> {
    let default = input.default.as_ref().map(json_text).unwrap_or_default();
    match input.kind.as_str() {
        "boolean" => Some(serde_json::Value::Bool(default.eq_ignore_ascii_case("true"))),
        "choice" => input
            .options
            .iter()
            .find(|o| **o == default)
            .or_else(|| input.options.first())
            .map(|o| serde_json::Value::String(o.clone())),
        _ => None,
    }
}

/// The workflow's environments and jobs (with matrix axes), as written.
fn workflow_summary(f: &WorkflowFacts) -> String {
    let mut h = Html::default();
    if f.jobs.is_empty() {
        return h.finish();
    }
    let count = f.jobs.len();
    h.raw("<div class=\"workflow-summary\" data-testid=\"workflow-summary\"><p class=\"hint\">The workflow's ");
    h.text(&format!("{count} job{}", if count == 1 { "" } else { "s" }));
    if !f.environments.is_empty() {
        h.raw(" · environments: ");
        for e in &f.environments {
            h.el("code", "", e).raw(" ");
        }
    }
    h.raw("</p><ul class=\"explanation\">");
    for j in &f.jobs {
        h.open("li").attr("data-testid", "workflow-job").attr("data-job", &j.id).body().el("code", "", &j.id);
        h.text(&job_line(j)).raw("</li>");
    }
    h.raw("</ul></div>");
    h.finish()
}

/// What the summary says of a job after its id.
fn job_line(j: &JobFacts) -> String {
    let mut parts = Vec::new();
    if let Some(name) = j.name.as_ref().filter(|n| **n != j.id) {
        parts.push(format!("“{name}”"));
    }
    if let Some(called) = &j.calls {
        parts.push(format!("calls {called}"));
    }
    if let Some(env) = &j.environment {
        parts.push(format!("environment: {}", env.text()));
    }
    if let Some(m) = &j.matrix {
        match &m.expression {
            Some(e) => parts.push(format!("matrix: {e}")),
            None => {
                let axes: Vec<String> =
                    m.axes.iter().map(|a| format!("{} [{}]", a.name, a.values.join(", "))).collect();
                let mut text = format!("matrix: {}", axes.join(" × "));
                if !m.include.is_empty() {
                    text.push_str(&format!(" + {} include", m.include.len()));
                }
                if !m.exclude.is_empty() {
                    text.push_str(&format!(" − {} exclude", m.exclude.len()));
                }
                if let Some(n) = m.combinations {
                    text.push_str(&format!(" → {n} job{}", if n == 1 { "" } else { "s" }));
                }
                parts.push(text);
            }
        }
    }
    if j.has_login() {
        let clouds: Vec<&str> = j.logins.iter().map(|c| c.title()).collect();
        parts.push(format!("logs in to {}", clouds.join(", ")));
    } else if j.calls.is_none() {
        parts.push("no cloud login".into());
    }
    if parts.is_empty() { String::new() } else { format!(" — {}", parts.join(" · ")) }
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
