//! The results: problems found in the inputs, then one card per job run —
//! the token GitHub would mint (or why none), `sub` first with its
//! explanation, and each configured cloud's verdict in the cloud's own code
//! and words, what decided it and the trace.
//!
//! Everything here is read-only, so it is written as one HTML string
//! (`render`, with the core's escaping writer) rather than as views: the
//! cards cost the first load a fraction of what views cost. Buttons and
//! clickable steps carry `data-action` for the one delegated click handler
//! (`goto` a span in its editor, `copy` a text, `retry` a cloud's load), and
//! each `<details>` a `data-key` so its open state survives re-rendering.
//! Only the job filter, a control the user operates, is a view.

use crate::clouds::{self, Availability};
use crate::deferred::{Deferred, Later};
use crate::state::{AppState, Evaluation, doc_key, doc_title, show_span};
use crate::{actions, browser};
use keyless_core::claims::ClaimValue;
use keyless_core::engine::JobReport;
use keyless_core::html::Html;
use keyless_core::verdict::{Cloud, Verdict};
use leptos::prelude::*;
use std::collections::BTreeSet;

#[component]
pub fn Results() -> impl IntoView {
    let state = expect_context::<AppState>();
    let deferred = expect_context::<Deferred>();
    // Which parties' editors hold text, as a memo: a keystroke changes the
    // draft, rarely that, and must not re-render every result card.
    let configured = Memo::new(move |_| {
        state.draft.with(|d| {
            Cloud::ALL
                .into_iter()
                .filter(|c| !d.cloud_text(*c).trim().is_empty())
                .fold(0u32, |m, c| m | 1 << (c as u32))
        })
    });
    let html = move || {
        let configured = configured.get();
        let loading = state.clouds.with(|l| {
            Cloud::ALL
                .into_iter()
                .filter(|c| configured & 1 << (*c as u32) != 0)
                .map(|c| (c, l.availability(c)))
                .filter(|(_, a)| *a != Availability::Ready)
                .collect::<Vec<_>>()
        });
        let open = state.open.with_untracked(Clone::clone);
        // Tracked: an open trace or claims table is written once the
        // deferred chunk, which holds their writers, has arrived.
        let write = deferred.parts().map(|p| p.write_body);
        let started = js_sys::Date::now();
        let html = state.job_filter.with(|f| {
            state.evaluation.with(|e| {
                // A job that disappears from the report shows all again
                // rather than an empty list.
                let only = e.report.jobs.iter().any(|j| j.job == *f).then_some(f.as_str());
                render(e, &state, only, &loading, &open, write)
            })
        });
        state.add_render_cost(js_sys::Date::now() - started);
        html
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        // A source link inside a step is a link, not the step's action.
        if actions::closest(&ev, "a").is_some() {
            return;
        }
        if let Some(summary) = actions::closest(&ev, "summary") {
            remember_toggle(&state, deferred.parts_untracked().map(|p| p.write_body), &summary);
            return;
        }
        let Some(el) = actions::closest(&ev, "[data-action]") else { return };
        match actions::attr(&el, "data-action").as_str() {
            "goto" => {
                if let Some(span) = actions::span_of(&el) {
                    show_span(&state, span);
                }
            }
            "copy" => browser::copy_text(&actions::attr(&el, "data-copy")),
            "retry" => {
                if let Some(cloud) = Cloud::ALL.into_iter().find(|c| c.key() == actions::attr(&el, "data-cloud")) {
                    clouds::ensure(state.clouds, cloud);
                }
            }
            _ => {}
        }
    };
    let busy = move || state.pending.get().then_some("true");
    view! {
        <Later part=|p| p.job_filter/>
        <p class="updating" role="status" data-testid="updating" hidden=move || !state.pending.get()>
            "Updating when you pause typing…"
        </p>
        <div class="results-body" aria-busy=busy inner_html=html on:click=on_click></div>
    }
}

/// Keeps a `<details data-key>`'s open state (it toggles right after this
/// click), so re-rendered results show it as the user left it. Not a
/// reactive read: toggling must not re-render what the user is reading.
/// A closed trace or claims table is rendered without its body
/// (`data-lazy`, see [`details`]): it is written here, as it opens (or,
/// before the deferred chunk arrives, when the results are re-rendered
/// with it).
fn remember_toggle(state: &AppState, write: Option<WriteBody>, summary: &web_sys::Element) {
    let Some(details) = summary.parent_element() else { return };
    let Some(key) = details.get_attribute("data-key") else { return };
    let will_open = !details.has_attribute("open");
    if let Some(write) = write.filter(|_| will_open && details.has_attribute("data-lazy")) {
        let body = state.evaluation.with_untracked(|e| lazy_body(e, &details, write));
        if let Some(slot) = details.query_selector("[data-body]").ok().flatten() {
            slot.set_inner_html(&body);
        }
    }
    state.open.update_untracked(|o| {
        if will_open {
            o.insert(key);
        } else {
            o.remove(&key);
        }
    });
}

/// Writes what a closed `<details>` leaves out: a job's claims (no cloud)
/// or the trace of its verdict for a cloud. It lives in the deferred chunk
/// (`deferred::Parts::write_body`), out of the first load, as a first
/// verdict opens none.
pub type WriteBody = fn(&mut Html, &JobReport, Option<Cloud>);

/// The [`WriteBody`] of the results, for `deferred::Parts`.
pub fn write_body(h: &mut Html, job: &JobReport, cloud: Option<Cloud>) {
    match cloud {
        Some(c) => {
            if let Some(v) = job.verdicts.get(&c) {
                trace_body(h, v);
            }
        }
        None => claims_body(h, job),
    }
}

/// The body of a lazily rendered `<details>`, found again from its
/// `data-job` (an index into the report's jobs, which the rendered cards
/// always show) and `data-cloud`.
fn lazy_body(e: &Evaluation, details: &web_sys::Element, write: WriteBody) -> String {
    let job =
        details.get_attribute("data-job").and_then(|i| i.parse::<usize>().ok()).and_then(|i| e.report.jobs.get(i));
    let Some(job) = job else { return String::new() };
    let cloud = details.get_attribute("data-cloud").and_then(|key| Cloud::ALL.into_iter().find(|c| c.key() == key));
    let mut h = Html::default();
    write(&mut h, job, cloud);
    h.finish()
}

fn render(
    e: &Evaluation,
    state: &AppState,
    only: Option<&str>,
    loading: &[(Cloud, Availability)],
    open: &BTreeSet<String>,
    write: Option<WriteBody>,
) -> String {
    let mut h = Html::default();
    problems(&mut h, e, state);
    for (cloud, availability) in loading {
        h.open("p")
            .attr("class", "cloud-loading")
            .attr("data-testid", "cloud-loading")
            .attr("data-cloud", cloud.key())
            .attr("role", "status")
            .body();
        match availability {
            Availability::Failed => {
                h.text(cloud.title()).raw("'s evaluator could not be loaded (offline before it was cached?). ");
                h.open("button")
                    .attr("type", "button")
                    .attr("class", "small")
                    .attr("data-action", "retry")
                    .attr("data-cloud", cloud.key())
                    .body()
                    .raw("Retry</button>");
            }
            _ => {
                h.raw("Loading the ").text(cloud.title()).raw(" evaluator…");
            }
        }
        h.close("p");
    }
    if e.report.jobs.is_empty() {
        h.raw("<p class=\"empty-results\">No job runs yet. Paste a workflow (or pick a preset): each job that can mint an OIDC token gets a card here.</p>");
    }
    for (i, job) in e.report.jobs.iter().enumerate() {
        if only.is_none_or(|o| o == job.job) {
            job_card(&mut h, job, i, open, write);
        }
    }
    h.finish()
}

/// Problems found in the inputs, each with where it is (click to go there).
fn problems(h: &mut Html, e: &Evaluation, state: &AppState) {
    if e.diagnostics.is_empty() {
        return;
    }
    h.raw("<section class=\"panel diagnostics\" aria-label=\"Problems\" data-testid=\"diagnostics\"><ul>");
    for d in &e.diagnostics {
        let sev = d.severity.as_str();
        h.open("li").attr("class", sev).body().el("span", "sev", sev);
        if let Some(s) = d.span {
            let lc = state.line_col_untracked(s.doc, s.start);
            let label = format!("{} {}:{}", doc_title(s.doc), lc.line, lc.col);
            if doc_key(s.doc).is_some() {
                let button = h.open("button").attr("type", "button").attr("class", "link loc");
                actions::goto_attrs(button, s).body().text(&label).close("button");
            } else {
                h.el("span", "loc", &label);
            }
        }
        // A creation-time rule says so (`creation-time rule: …`).
        h.raw(" <span>").prose(&d.labelled_message()).raw("</span></li>");
    }
    h.raw("</ul></section>");
}

/// A collapsible part whose open state survives re-rendering, with its
/// body (the job's claims, or its trace for `cloud`): written now when it
/// is open (`write`, once the deferred chunk has it), else an empty slot
/// that `remember_toggle` fills as it opens, found again from `data-job`
/// (the job's index) and `data-cloud`. The large scenario's traces and claims were four fifths
/// of its results' 4 MB of HTML, rendered on every evaluation and almost
/// never opened.
fn details(
    h: &mut Html,
    key: &str,
    open: &BTreeSet<String>,
    summary: &str,
    (job, index): (&JobReport, usize),
    cloud: Option<Cloud>,
    write: Option<WriteBody>,
) {
    let write = write.filter(|_| open.contains(key));
    let tag = h.open("details").attr("data-key", key).flag("open", write.is_some());
    let tag = match (write, cloud) {
        (Some(_), _) => tag,
        (None, None) => tag.attr("data-lazy", "").attr("data-job", &index.to_string()),
        (None, Some(c)) => tag.attr("data-lazy", "").attr("data-job", &index.to_string()).attr("data-cloud", c.key()),
    };
    tag.body().raw("<summary>");
    h.text(summary).raw("</summary><div data-body>");
    if let Some(write) = write {
        write(h, job, cloud);
    }
    h.raw("</div></details>");
}

fn job_card(h: &mut Html, job: &JobReport, index: usize, open: &BTreeSet<String>, write: Option<WriteBody>) {
    let token = &job.token;
    let key = format!("{}#{index}", job.job);
    h.open("article")
        .attr("class", "card job")
        .attr("data-testid", "job")
        .attr("data-job", &job.job)
        .attr("data-issued", if token.issued { "true" } else { "false" })
        .body()
        .raw("<header class=\"job-head\"><h3>");
    match &job.name {
        Some(n) if n != &job.job => h.text(&job.job).raw(" — ").text(n),
        _ => h.text(&job.job),
    };
    h.raw("</h3>");
    if let Some(env) = &job.environment {
        h.raw("<span class=\"tag env\" title=\"GitHub environment\">environment: ").text(env).raw("</span>");
    }
    if let Some(m) = &job.matrix {
        let values: Vec<String> = m
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
            .collect();
        h.raw("<span class=\"tag\" data-testid=\"matrix\">matrix: ").text(&values.join(", ")).raw("</span>");
    }
    h.raw("</header>");
    if token.issued {
        let sub = token.claims.sub();
        h.raw("<div class=\"sub-row\"><span class=\"label\">sub</span><code class=\"sub\" data-testid=\"sub\">");
        h.text(&sub).raw("</code>");
        h.open("button")
            .attr("type", "button")
            .attr("class", "small")
            .attr("aria-label", "Copy sub")
            .attr("data-action", "copy")
            .attr("data-copy", &sub)
            .body()
            .raw("Copy</button></div>");
        explanation(h, &token.explanation);
        let summary = format!("All {} claims", token.claims.iter().count());
        details(h, &format!("{key}/claims"), open, &summary, (job, index), None, write);
    } else {
        h.raw("<p class=\"no-token\" data-testid=\"no-token\"><strong>No OIDC token. </strong>");
        h.text(token.reason.as_deref().unwrap_or("GitHub would not mint a token for this job.")).raw("</p>");
        explanation(h, &token.explanation);
    }
    if !job.logins.is_empty() {
        h.raw("<ul class=\"logins\">");
        for l in &job.logins {
            h.raw("<li>").el("code", "", &l.action).raw(" asks for aud ").el("code", "", &l.audience);
            if !l.audience_explicit {
                h.raw(" (the action's default)");
            }
            h.raw("</li>");
        }
        h.raw("</ul>");
    }
    h.raw("<div class=\"verdicts\">");
    for v in job.verdicts.values() {
        results_verdict(h, v, &key, open, (job, index), write);
    }
    h.raw("</div></article>");
}

/// A job's claims: a copy button and the table.
fn claims_body(h: &mut Html, job: &JobReport) {
    let claims: Vec<(&str, &ClaimValue)> = job.token.claims.iter().collect();
    h.raw("<div class=\"claims-actions\">");
    h.open("button")
        .attr("type", "button")
        .attr("class", "small")
        .attr("data-action", "copy")
        .attr("data-copy", &claims_json(&claims))
        .body()
        .raw("Copy claims (JSON)</button></div>");
    h.raw("<table class=\"claims\"><tbody>");
    for (k, v) in claims {
        h.raw("<tr><th scope=\"row\">").text(k).raw("</th><td><code>").text(&v.as_text()).raw("</code></td></tr>");
    }
    h.raw("</tbody></table>");
}

fn explanation(h: &mut Html, lines: &[String]) {
    h.raw("<ul class=\"explanation\">");
    for x in lines {
        h.raw("<li>").prose(x).raw("</li>");
    }
    h.raw("</ul>");
}

/// The claims as the JSON object GitHub's token carries.
fn claims_json(claims: &[(&str, &ClaimValue)]) -> String {
    let lines: Vec<String> = claims
        .iter()
        .map(|(k, v)| {
            let value = match v {
                ClaimValue::Str(s) => serde_json::to_string(s).unwrap_or_default(),
                ClaimValue::Num(n) => n.to_string(),
            };
            format!("  {}: {value}", serde_json::to_string(k).unwrap_or_default())
        })
        .collect();
    format!("{{\n{}\n}}", lines.join(",\n"))
}

/// One cloud's answer: Allowed / Denied in the cloud's own code and words
/// (or Undetermined when it hangs on a value Keyless cannot know), what
/// decided it and the trace. No accessible name, so not a landmark: one
/// "AWS verdict" region per job would give screen readers a list of
/// indistinguishable landmarks (axe landmark-unique); the cloud's heading
/// is how to reach it. Its trace follows (`results_verdict`, or the token
/// lab's own), then `</section>`.
pub(crate) fn verdict_head(h: &mut Html, v: &Verdict) {
    let unknown = v.is_undetermined();
    let (class, badge) = if v.allowed {
        ("verdict allowed", "✓ Allowed")
    } else if unknown {
        ("verdict undetermined", "? Undetermined")
    } else {
        ("verdict denied", "✗ Denied")
    };
    h.open("section")
        .attr("class", class)
        .attr("data-testid", &format!("verdict-{}", v.cloud.key()))
        .attr("data-allowed", if v.allowed { "true" } else { "false" })
        .attr("data-code", &v.code)
        .body();
    h.raw("<div class=\"verdict-head\"><h4>").text(v.cloud.title()).raw("</h4>");
    h.el("span", "badge", badge).el("code", "code", &v.code).raw("</div>");
    if !v.message.is_empty() {
        h.el("p", "message", &v.message);
    }
    h.raw("<p class=\"decided\"><span class=\"label\">decided by </span>").el("code", "", &v.decided_by);
    if let Some(s) = v.decided_span {
        let button = h.open("button").attr("type", "button").attr("class", "small ghost");
        actions::goto_attrs(button, s).body().raw("Show in editor</button>");
    }
    h.raw("</p>");
    if !v.audience.is_empty() {
        h.raw("<p class=\"aud\"><span class=\"label\">aud </span>").el("code", "", &v.audience).raw("</p>");
    }
}

/// A verdict with its trace written now (the token lab's few verdicts).
pub(crate) fn verdict_with_trace(h: &mut Html, v: &Verdict, job_key: &str, open: &BTreeSet<String>) {
    verdict_head(h, v);
    let key = format!("{job_key}/{}/trace", v.cloud.key());
    h.open("details").attr("data-key", &key).flag("open", open.contains(&key)).body().raw("<summary>");
    h.text(&format!("Trace ({} steps)", v.trace.len())).raw("</summary>");
    trace_body(h, v);
    h.raw("</details></section>");
}

/// A verdict in a job's card, its trace written when opened.
fn results_verdict(
    h: &mut Html,
    v: &Verdict,
    job_key: &str,
    open: &BTreeSet<String>,
    job: (&JobReport, usize),
    write: Option<WriteBody>,
) {
    verdict_head(h, v);
    let summary = format!("Trace ({} steps)", v.trace.len());
    let key = format!("{job_key}/{}/trace", v.cloud.key());
    details(h, &key, open, &summary, job, Some(v.cloud), write);
    h.raw("</section>");
}

/// A verdict's trace: one step per line, each a button to what it read.
fn trace_body(h: &mut Html, v: &Verdict) {
    h.raw("<ol class=\"trace\">");
    for step in &v.trace {
        let (class, mark) = match step.passed {
            Some(true) => ("pass", "✓"),
            Some(false) => ("fail", "✗"),
            None => ("info", "·"),
        };
        // The step's text may hold source links, which cannot sit inside a
        // button: the mark is the (keyboard) button, and a click anywhere
        // else on the step but a link does the same.
        let li = h.open("li");
        match step.span.filter(|s| doc_key(s.doc).is_some()) {
            Some(s) => {
                actions::goto_attrs(li.attr("class", &format!("{class} go")), s)
                    .body()
                    .raw("<button type=\"button\" class=\"link\" aria-label=\"Show in editor\">")
                    .raw(mark)
                    .raw("</button>");
            }
            None => {
                li.attr("class", class).body().raw(mark);
            }
        }
        h.raw(" <span>").prose_literal(&step.text).raw("</span></li>");
    }
    h.raw("</ol>");
}
