//! The analysis panel: findings, the what-if matrix and verified
//! suggestions. The analysis is a separate wasm (crates/keyless-worker) run
//! in a Web Worker that is started only when the panel is first opened, so
//! it costs nothing on the first load. Its answers are read as
//! `serde_json::Value` (the protocol is documented in the worker crate):
//! linking the analysis types here would pull the analysis into this wasm.

use crate::analysis_worker::AnalysisWorker;
use crate::browser;
use crate::components::token_card::with_code;
use crate::state::{show_span, AppState};
use keyless_core::draft::ScenarioDraft;
use keyless_core::span::{DocId, Span};
use keyless_core::verdict::Cloud;
use leptos::prelude::*;
use serde_json::Value;
use std::time::Duration;

/// How long the draft must stay unchanged before it is analysed again.
const DEBOUNCE: Duration = Duration::from_millis(300);

#[component]
pub fn AnalysisPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let result = RwSignal::new(None::<Value>);
    let status = RwSignal::new(String::new());
    let worker = StoredValue::new_local(None::<AnalysisWorker>);
    let timer = StoredValue::new_local(None::<TimeoutHandle>);

    // While open, every draft change is analysed again (debounced).
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        let yaml = state.draft.with(ScenarioDraft::to_yaml);
        if let Some(t) = timer.get_value() {
            t.clear();
        }
        let run = move || {
            if worker.with_value(Option::is_none) {
                status.set("Loading the analysis…".into());
                let on_result = move |v: Value| {
                    match v.get("type").and_then(Value::as_str) {
                        Some("analysis") => {
                            state.finding_lines.set(finding_lines(&v));
                            result.set(Some(v));
                            status.set(String::new());
                        }
                        _ => status.set(v.get("message").and_then(Value::as_str).unwrap_or("the analysis failed").to_string()),
                    }
                };
                match AnalysisWorker::start(on_result) {
                    Ok(w) => worker.set_value(Some(w)),
                    Err(e) => {
                        status.set(e);
                        return;
                    }
                }
            }
            worker.update_value(|w| {
                if let Some(w) = w {
                    w.analyse(&yaml);
                }
            });
        };
        timer.set_value(set_timeout_with_handle(run, DEBOUNCE).ok());
    });

    let toggle = move |_| {
        open.update(|o| *o = !*o);
        if !open.get_untracked() {
            state.finding_lines.set(Vec::new());
        }
    };
    view! {
        <section class="panel analysis" aria-label="Analysis">
            <div class="panel-head">
                <h2>"Analysis"</h2>
                <span class="hint">"Findings, what-if runs, and least-privilege suggestions verified by the engine"</span>
                <button type="button" data-testid="analysis-toggle" aria-expanded=move || open.get().to_string()
                    on:click=toggle>{move || if open.get() { "Hide analysis" } else { "Run analysis" }}</button>
            </div>
            {move || open.get().then(|| view! {
                <div data-testid="analysis-panel" class="analysis-body">
                    <p class="status" role="status">{move || status.get()}</p>
                    {move || result.get().map(|v| view! {
                        <Findings v=v.clone()/>
                        <Matrix v=v.clone()/>
                        <Suggestions v=v/>
                    })}
                </div>
            })}
        </section>
    }
}

fn doc_of(key: &str) -> Option<DocId> {
    Some(match key {
        "workflow" => DocId::Workflow,
        "aws" => DocId::Aws,
        "azure" => DocId::Azure,
        "gcp" => DocId::Gcp,
        "alibaba" => DocId::Alibaba,
        _ => return None,
    })
}

fn cloud_of(key: &str) -> Option<Cloud> {
    Cloud::ALL.into_iter().find(|c| c.key() == key)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn num(v: &Value, key: &str) -> u32 {
    v.get(key).and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// (editor, line, title) of every located finding, for the editors' gutters.
fn finding_lines(v: &Value) -> Vec<(DocId, u32, String)> {
    list(v, "findings")
        .iter()
        .filter_map(|f| Some((doc_of(text(f, "doc"))?, f.get("line")?.as_u64().and_then(|n| u32::try_from(n).ok())?, format!("{}: {}", text(f, "id"), text(f, "title")))))
        .collect()
}

#[component]
fn Findings(v: Value) -> impl IntoView {
    let state = expect_context::<AppState>();
    let findings = list(&v, "findings").to_vec();
    let count = findings.len();
    view! {
        <h3>{format!("Findings ({count})")}</h3>
        {(count == 0).then(|| view! { <p class="muted">"No findings."</p> })}
        <ul class="findings">
            {findings.into_iter().map(|f| {
                let id = text(&f, "id").to_string();
                let sev = text(&f, "severity").to_string();
                let doc = text(&f, "doc").to_string();
                let line = f.get("line").and_then(Value::as_u64);
                let span = doc_of(&doc).filter(|_| line.is_some()).map(|d| Span::new(d, num(&f, "start") as usize, num(&f, "end") as usize));
                let place = line.map(|l| format!("{doc}:{l}:{}", num(&f, "col")));
                let cloud = text(&f, "cloud").to_string();
                view! {
                    <li class=format!("finding sev-{sev}") data-testid="finding" data-id=id.clone() data-doc=doc.clone()
                        data-line=line.map(|l| l.to_string()).unwrap_or_default()>
                        <span class=format!("badge sev-{sev}")>{sev.clone()}</span>
                        " " <code>{id.clone()}</code>
                        {(!cloud.is_empty()).then(|| view! { " " <span class="cloud">{cloud}</span> })}
                        " " <strong>{text(&f, "title").to_string()}</strong>
                        {span.zip(place).map(|(s, p)| view! {
                            " " <button type="button" class="link loc" title="Go to the line" on:click=move |_| show_span(&state, s)>{p}</button>
                        })}
                        <p>{with_code(text(&f, "message"))}</p>
                        <p class="fix">"Fix: " {with_code(text(&f, "fix"))}</p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Matrix(v: Value) -> impl IntoView {
    let matrix = v.get("matrix").cloned().unwrap_or(Value::Null);
    let clouds: Vec<String> = list(&matrix, "clouds").iter().filter_map(Value::as_str).map(str::to_string).collect();
    let unintended: Vec<String> = list(&matrix, "unintended_admits").iter().map(|u| text(u, "row").to_string()).collect();
    let rows = list(&matrix, "rows").to_vec();
    let head = clouds.clone();
    view! {
        <h3>"What if…"</h3>
        <p class="hint">{format!("{} other runs simulated; {} admitted that should not be.", rows.len(), unintended.len())}</p>
        <div class="matrix-scroll">
            <table class="matrix" data-testid="matrix">
                <thead><tr><th scope="col">"Run"</th>{head.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let id = text(&r, "id").to_string();
                        let bad = unintended.contains(&id);
                        let cells = r.get("cells").cloned().unwrap_or(Value::Null);
                        view! {
                            <tr data-testid="matrix-row" data-row=id data-unintended=bad.to_string()
                                class=format!("exp-{}{}", text(&r, "expectation"), if bad { " unintended" } else { "" })>
                                <th scope="row">
                                    {text(&r, "description").to_string()}
                                    {r.get("sub").and_then(Value::as_str).map(|s| view! { <br/><code class="sub">{s.to_string()}</code> })}
                                </th>
                                {clouds.iter().map(|c| match cells.get(c) {
                                    Some(cell) => {
                                        let admitted = cell.get("admitted").and_then(Value::as_bool).unwrap_or(false);
                                        view! {
                                            <td class=if admitted { "admit" } else { "reject" } title=text(cell, "decided_by").to_string()>
                                                {if admitted { "admitted" } else { "rejected" }} " " <code>{text(cell, "code").to_string()}</code>
                                            </td>
                                        }.into_any()
                                    }
                                    None => view! { <td class="na">"—"</td> }.into_any(),
                                }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Suggestions(v: Value) -> impl IntoView {
    let state = expect_context::<AppState>();
    let suggestions = list(&v, "suggestions").to_vec();
    view! {
        <h3>"Suggestions"</h3>
        {suggestions.into_iter().map(|s| {
            let cloud = text(&s, "cloud").to_string();
            let check = s.get("verified").cloned().unwrap_or(Value::Null);
            let verified = check.get("verified").and_then(Value::as_bool).unwrap_or(false);
            let verdict = if verified {
                format!("verified: admits the intended runs, rejects {} what-if runs", num(&s, "rejects_unintended_runs"))
            } else {
                let mut why = Vec::new();
                let flag = |k: &str| check.get(k).and_then(Value::as_bool).unwrap_or(false);
                if !flag("parsed") { why.push("the configuration did not parse".to_string()); }
                if !flag("admits_intended") { why.push("does not admit every intended run".to_string()); }
                if !flag("rejects_unintended") { why.push("admits unintended runs".to_string()); }
                why.extend(list(&check, "failures").iter().filter_map(Value::as_str).map(str::to_string));
                format!("not verified: {}", why.join("; "))
            };
            let indistinguishable: Vec<String> = list(&check, "indistinguishable").iter().filter_map(Value::as_str).map(str::to_string).collect();
            let config = text(&s, "config").to_string();
            let use_config = config.clone();
            let target = cloud_of(&cloud);
            view! {
                <article class="suggestion card" data-testid="suggestion" data-cloud=cloud.clone() data-verified=verified.to_string()>
                    <div class="panel-head">
                        <h4>{cloud.clone()}</h4>
                        <span class="hint">{text(&s, "summary").to_string()}</span>
                        <button type="button" data-testid="use-suggestion" title="Replace this cloud's editor text with the suggestion"
                            on:click=move |_| if let Some(c) = target { let t = use_config.clone(); state.edit(|d| *d.cloud_text_mut(c) = t); }>"Use this"</button>
                    </div>
                    <p class=if verified { "verified ok" } else { "verified no" }>{verdict}</p>
                    {(!indistinguishable.is_empty()).then(|| view! {
                        <p class="hint">{format!("Cannot be told apart by this cloud: {}", indistinguishable.join(", "))}</p>
                    })}
                    <ul class="notes">{list(&s, "notes").iter().filter_map(Value::as_str).map(|n| view! { <li>{with_code(n)}</li> }).collect_view()}</ul>
                    <Snippet title="Configuration".to_string() body=config/>
                    {list(&s, "snippets").iter().map(|sn| view! { <Snippet title=text(sn, "title").to_string() body=text(sn, "text").to_string()/> }).collect_view()}
                </article>
            }
        }).collect_view()}
    }
}

#[component]
fn Snippet(title: String, body: String) -> impl IntoView {
    let copy = body.clone();
    view! {
        <div class="snippet">
            <div class="snippet-head">
                <span>{title}</span>
                <button type="button" class="small ghost" on:click=move |_| browser::copy_text(&copy)>"Copy"</button>
            </div>
            <pre><code>{body}</code></pre>
        </div>
    }
}
