//! One card per job run: the token GitHub would mint (or why none), `sub`
//! first with its explanation, and each configured cloud's verdict.

use crate::browser;
use crate::components::verdict_card::VerdictCard;
use crate::state::AppState;
use keyless_core::claims::ClaimValue;
use keyless_core::engine::JobReport;
use keyless_core::sources::to_html;
use leptos::prelude::*;

#[component]
pub fn JobCards() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The job id to show ("" = all); a job that disappears from the report
    // shows all again rather than an empty list.
    let filter = RwSignal::new(String::new());
    let ids = Memo::new(move |_| {
        state.evaluation.with(|e| {
            let mut ids: Vec<String> = Vec::new();
            for j in &e.report.jobs {
                if !ids.contains(&j.job) {
                    ids.push(j.job.clone());
                }
            }
            ids
        })
    });
    let active = move || {
        let f = filter.get();
        ids.with(|ids| ids.contains(&f)).then_some(f)
    };
    let picker = move || {
        let ids = ids.get();
        (ids.len() > 1).then(|| {
            let chosen = active().unwrap_or_default();
            view! {
                <label class="field job-filter">
                    <span>"Show"</span>
                    <select data-testid="job-filter" on:change=move |ev| filter.set(event_target_value(&ev))>
                        <option value="" prop:selected=chosen.is_empty()>"All jobs"</option>
                        {ids.into_iter().map(|id| {
                            let selected = id == chosen;
                            view! { <option value=id.clone() prop:selected=selected>{id.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
            }
        })
    };
    let cards = move || {
        let only = active();
        state.evaluation.with(|e| {
            if e.report.jobs.is_empty() {
                return view! {
                    <p class="empty-results">
                        "No job runs yet. Paste a workflow (or pick a preset): each job that can mint an OIDC token gets a card here."
                    </p>
                }
                .into_any();
            }
            e.report
                .jobs
                .iter()
                .enumerate()
                .filter(|(_, j)| only.as_ref().is_none_or(|o| *o == j.job))
                .map(|(i, j)| view! { <JobCard job=j.clone() index=i/> })
                .collect_view()
                .into_any()
        })
    };
    view! { {picker}{cards} }
}

/// A collapsible section whose open state survives re-rendering.
#[component]
pub fn Keep(key: String, summary: String, children: Children) -> impl IntoView {
    let state = expect_context::<AppState>();
    let k = key.clone();
    let open = state.open.with_untracked(|o| o.contains(&key));
    view! {
        <details open=open on:toggle=move |ev| {
            use wasm_bindgen::JsCast;
            let is_open = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()).is_some_and(|d| d.open());
            state.open.update(|o| { if is_open { o.insert(k.clone()); } else { o.remove(&k); } });
        }>
            <summary>{summary}</summary>
            {children()}
        </details>
    }
}

#[component]
fn JobCard(job: JobReport, index: usize) -> impl IntoView {
    let title = match (&job.name, &job.matrix) {
        (Some(n), _) if n != &job.job => format!("{} — {n}", job.job),
        _ => job.job.clone(),
    };
    let matrix = job.matrix.as_ref().map(|m| {
        m.iter()
            .map(|(k, v)| format!("{k}: {}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
            .collect::<Vec<_>>()
            .join(", ")
    });
    let token = job.token.clone();
    let sub = token.claims.sub();
    let claims_json = {
        let mut lines = Vec::new();
        for (k, v) in token.claims.iter() {
            let value = match v {
                ClaimValue::Str(s) => serde_json::to_string(s).unwrap_or_default(),
                ClaimValue::Num(n) => n.to_string(),
            };
            lines.push(format!("  {}: {value}", serde_json::to_string(k).unwrap_or_default()));
        }
        format!("{{\n{}\n}}", lines.join(",\n"))
    };
    let claim_rows: Vec<(String, String)> = token.claims.iter().map(|(k, v)| (k.to_string(), v.as_text())).collect();
    let logins = job.logins.clone();
    let verdicts: Vec<_> = job.verdicts.values().cloned().collect();
    let job_key = format!("{}#{index}", job.job);
    let sub_copy = sub.clone();
    view! {
        <article class="card job" data-testid="job" data-job=job.job.clone() data-issued=token.issued.to_string()>
            <header class="job-head">
                <h3>{title}</h3>
                {job.environment.clone().map(|e| view! { <span class="tag env" title="GitHub environment">"environment: " {e}</span> })}
                {matrix.map(|m| view! { <span class="tag" data-testid="matrix">"matrix: " {m}</span> })}
            </header>
            {if token.issued {
                view! {
                    <div class="sub-row">
                        <span class="label">"sub"</span>
                        <code class="sub" data-testid="sub">{sub.clone()}</code>
                        <button type="button" class="small" aria-label="Copy sub" on:click=move |_| browser::copy_text(&sub_copy)>"Copy"</button>
                    </div>
                    <ul class="explanation">
                        {token.explanation.iter().map(|x| view! { <li>{with_code(x)}</li> }).collect_view()}
                    </ul>
                    <Keep key=format!("{job_key}/claims") summary=format!("All {} claims", claim_rows.len())>
                        <div class="claims-actions">
                            <button type="button" class="small" on:click=move |_| browser::copy_text(&claims_json)>"Copy claims (JSON)"</button>
                        </div>
                        <table class="claims">
                            <tbody>
                                {claim_rows.into_iter().map(|(k, v)| view! { <tr><th scope="row">{k}</th><td><code>{v}</code></td></tr> }).collect_view()}
                            </tbody>
                        </table>
                    </Keep>
                }.into_any()
            } else {
                view! {
                    <p class="no-token" data-testid="no-token">
                        <strong>"No OIDC token. "</strong>
                        {token.reason.clone().unwrap_or_else(|| "GitHub would not mint a token for this job.".into())}
                    </p>
                    <ul class="explanation">
                        {token.explanation.iter().map(|x| view! { <li>{with_code(x)}</li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!logins.is_empty()).then(|| view! {
                <ul class="logins">
                    {logins.into_iter().map(|l| view! {
                        <li>
                            <code>{l.action.clone()}</code>
                            " asks for aud "<code>{l.audience.clone()}</code>
                            {(!l.audience_explicit).then_some(" (the action's default)")}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            <div class="verdicts">
                {verdicts.into_iter().map(|v| view! { <VerdictCard verdict=v job_key=job_key.clone()/> }).collect_view()}
            </div>
        </article>
    }
}

/// Text with its `backticked` parts as code and its source tags ("(Z1)",
/// "research §4.2") as links to docs/sources.md's sources.
pub fn with_code(text: &str) -> impl IntoView + use<> {
    rich(text, true)
}

/// `with_code`, or with the backticks kept as written (`code: false`, for
/// the monospace trace). One escaped HTML string (`sources::to_html`): a
/// view per link would cost the first load several KB.
pub fn rich(text: &str, code: bool) -> impl IntoView + use<> {
    view! { <span inner_html=to_html(text, code)></span> }
}
