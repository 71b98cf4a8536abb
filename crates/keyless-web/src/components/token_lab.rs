//! The "Real token" panel: paste the token a job really got, see its
//! claims with GitHub's types, its times, its signature checked against a
//! pasted JWKS, every configured cloud's verdict on its claims beside the
//! simulated ones, and the diff with what would explain it; mint sample
//! tokens. Everything but the panel's head is in a lazily loaded chunk of
//! this wasm (`token_lab`, a `#[wasm_split]` point like the clouds'): the
//! JWT and RSA code (jsonwebtoken, rsa) never reaches the first load.
//!
//! Privacy: the pasted token, the JWKS and minted keys live in this
//! panel's signals only. Nothing here writes to local storage, the
//! draft (so not to the permalink or the exported scenario) or the
//! network; a reload forgets them. The page fetches nothing: it links to
//! the JWKS for the user to open and paste.

use crate::actions;
use crate::browser;
use crate::components::results::verdict_with_trace;
use crate::state::AppState;
use keyless_core::html::Html;
use keyless_core::token::crypto::{self, SigningKey};
use keyless_core::token::diff::DiffKind;
use keyless_core::token::times::{self, TimeStatus};
use keyless_core::token::{self, jwks, real};
use leptos::prelude::*;
use std::collections::BTreeSet;
use wasm_split_helpers::{SplitLoaderError, wasm_split};

/// The split point: everything only `lab_view` reaches moves to the chunk.
#[wasm_split(token, fallible)]
fn token_lab() -> Result<fn() -> AnyView, SplitLoaderError> {
    Ok(lab_view)
}

/// The panel's head, in the first load: a button that fetches the chunk.
#[component]
pub fn TokenPanel() -> impl IntoView {
    let open = RwSignal::new(false);
    let lab = RwSignal::new(None::<fn() -> AnyView>);
    let status = RwSignal::new(String::new());
    let toggle = move |_| {
        open.update(|o| *o = !*o);
        if open.get_untracked() && lab.get_untracked().is_none() {
            status.set("Loading the token lab…".into());
            leptos::task::spawn_local(async move {
                match token_lab().await {
                    Ok(f) => {
                        lab.set(Some(f));
                        status.set(String::new());
                    }
                    Err(_) => status.set("The token lab could not be loaded (offline?); try again.".into()),
                }
            });
        }
    };
    view! {
        <section class="panel token-lab" aria-label="Real token">
            <div class="panel-head">
                <h2>"Real token"</h2>
                <span class="hint">"Check the token a job really got against the simulation and every cloud"</span>
                <button type="button" data-testid="token-toggle" aria-expanded=move || open.get().to_string()
                    on:click=toggle>{move || if open.get() { "Hide token lab" } else { "Open token lab" }}</button>
            </div>
            <p class="status" role="status">{move || status.get()}</p>
            {move || open.get().then(|| lab.get().map(|f| f()))}
        </section>
    }
}

fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

fn lab_view() -> AnyView {
    view! { <TokenLab/> }.into_any()
}

#[component]
fn TokenLab() -> impl IntoView {
    let state = expect_context::<AppState>();
    let pasted = RwSignal::new(String::new());
    let jwks_text = RwSignal::new(String::new());
    let issuer = RwSignal::new(jwks::GITHUB_ISSUER.to_string());
    let at_text = RwSignal::new(String::new());
    let job = RwSignal::new(String::new());
    let mint_job = RwSignal::new(String::new());
    let minted = RwSignal::new(None::<crypto::Minted>);
    let mint_status = RwSignal::new(String::new());
    let open = RwSignal::new(BTreeSet::<String>::new());

    let jobs = Memo::new(move |_| {
        state
            .evaluation
            .with(|e| e.report.jobs.iter().filter(|j| j.token.issued).map(|j| j.job.clone()).collect::<Vec<_>>())
    });
    let job_options = move |with_guess: bool, chosen: String| {
        let mut h = Html::default();
        if with_guess {
            h.open("option")
                .attr("value", "")
                .flag("selected", chosen.is_empty())
                .body()
                .raw("Guess from the claims</option>");
        }
        for id in jobs.get() {
            h.open("option").attr("value", &id).flag("selected", id == chosen).body().text(&id).close("option");
        }
        h.finish()
    };
    let at = move || {
        let t = at_text.get();
        if t.trim().is_empty() { Ok(now()) } else { times::parse_instant(&t) }
    };
    let output = move || {
        let text = pasted.get();
        if text.trim().is_empty() {
            return String::new();
        }
        let mut h = Html::default();
        let at = match at() {
            Ok(a) => a,
            Err(e) => {
                h.el("p", "error", &e);
                return h.finish();
            }
        };
        let t = match token::read(&text) {
            Ok(t) => t,
            Err(e) => {
                h.open("p").attr("class", "error").attr("data-testid", "token-error").body().text(&e.to_string());
                h.raw("</p>");
                return h.finish();
            }
        };
        let clouds = state.clouds.with(|l| l.clouds);
        let (scenario, _) = state.draft.with(|d| d.build_with(&clouds));
        let chosen = job.get();
        let ev = state.evaluation.with(|e| {
            real::evaluate(&scenario, &e.report, &t, (!chosen.is_empty()).then_some(chosen.as_str()), at, &clouds)
        });
        render(&mut h, &t, &ev, at, &open.get());
        h.finish()
    };
    let verification = move || {
        let (text, keys) = (pasted.get(), jwks_text.get());
        if text.trim().is_empty() || keys.trim().is_empty() {
            return String::new();
        }
        let mut h = Html::default();
        let parsed = token::read(&text).and_then(|t| jwks::parse(&keys).map(|k| (t, k)));
        match (parsed, at()) {
            (Err(e), _) => {
                h.el("p", "error", &e.to_string());
            }
            (_, Err(e)) => {
                h.el("p", "error", &e);
            }
            (Ok((t, k)), Ok(at)) => {
                let v = crypto::verify(&t, &k, issuer.get().trim(), at, 0);
                h.open("p")
                    .attr("class", if v.valid { "valid" } else { "invalid" })
                    .attr("data-testid", "token-valid")
                    .attr("data-valid", if v.valid { "true" } else { "false" })
                    .body()
                    .text(if v.valid { "✓ Valid signature and times" } else { "✗ Not valid" })
                    .raw("</p><ul class=\"checks\">");
                for c in &v.checks {
                    h.open("li").attr("class", if c.ok { "pass" } else { "fail" }).attr("data-check", c.name).body();
                    h.text(if c.ok { "✓ " } else { "✗ " })
                        .el("strong", "", c.name)
                        .raw(": ")
                        .text(&c.message)
                        .raw("</li>");
                }
                h.raw("</ul>");
            }
        }
        h.finish()
    };
    let mint = move |_| {
        let id = mint_job.get_untracked();
        let id = if id.is_empty() { jobs.with_untracked(|j| j.first().cloned().unwrap_or_default()) } else { id };
        mint_status.set("Generating an RSA key in this tab…".into());
        minted.set(None);
        // Let the status paint before the (seconds-long) key generation.
        set_timeout(
            move || {
                let claims = state.evaluation.with_untracked(|e| {
                    e.report.jobs.iter().find(|j| j.job == id && j.token.issued).map(|j| real::job_claims(j, None))
                });
                let Some(claims) = claims else {
                    mint_status.set("No job with a token to mint for.".into());
                    return;
                };
                // The key lives in this closure only: dropped after signing.
                match SigningKey::generate().and_then(|k| crypto::mint(&claims, &k)) {
                    Ok(m) => {
                        mint_status
                            .set(format!("Minted for job {id}. Not a GitHub token: signed by a key made in this tab."));
                        minted.set(Some(m));
                    }
                    Err(e) => mint_status.set(format!("Minting failed: {e}")),
                }
            },
            std::time::Duration::from_millis(30),
        );
    };
    let use_minted = move |_| {
        if let Some(m) = minted.get_untracked() {
            pasted.set(m.jwt.clone());
            jwks_text.set(m.jwks.to_string());
            let iss = m.openid_configuration["issuer"].as_str().unwrap_or_default().to_string();
            issuer.set(iss);
            // A minted token carries the scenario's instant: check it then.
            let iat = token::read(&m.jwt).ok().and_then(|t| t.claims.text("iat")).and_then(|s| s.parse::<i64>().ok());
            if let Some(iat) = iat {
                at_text.set(times::format_instant(iat + 60));
            }
        }
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(el) = actions::closest(&ev, "[data-action]") else { return };
        match actions::attr(&el, "data-action").as_str() {
            "copy" => browser::copy_text(&actions::attr(&el, "data-copy")),
            "toggle" => {
                let key = actions::attr(&el, "data-key");
                open.update(|o| {
                    if !o.remove(&key) {
                        o.insert(key);
                    }
                });
            }
            _ => {}
        }
    };
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    view! {
        <div class="token-body" data-testid="token-lab">
            <p class="privacy" data-testid="token-privacy">
                "A pasted token stays in this tab's memory only: it is never stored (not in local storage, "
                "the permalink, the exported scenario or the offline cache) and is gone when you reload."
            </p>
            <label for="token-input">"Token: the whole JWT, the token endpoint's response, or the claims JSON a debug step printed"</label>
            <textarea id="token-input" data-testid="token-input" rows="4" spellcheck="false" autocomplete="off"
                placeholder="eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIs…"
                prop:value=move || pasted.get() on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
            <div class="token-options">
                <label>"Job " <select data-testid="token-job" inner_html=move || job_options(true, job.get())
                    on:change=move |ev| job.set(event_target_value(&ev))></select></label>
                <label>"Check times at " <input type="text" data-testid="token-at" placeholder="now (or 2026-11-24T00:01:00Z)"
                    prop:value=move || at_text.get() on:input=move |ev| at_text.set(event_target_value(&ev))/></label>
            </div>
            <div class="token-output" data-testid="token-output" inner_html=output on:click=on_click></div>
            <h3>"Signature"</h3>
            <p class="hint">"Open "
                <a href=jwks::GITHUB_JWKS_URL target="_blank" rel="noopener noreferrer">{jwks::GITHUB_JWKS_URL}</a>
                " (or your GHES / enterprise issuer's) and paste it here. This page fetches nothing."</p>
            <label for="token-jwks">"JWKS"</label>
            <textarea id="token-jwks" data-testid="token-jwks" rows="3" spellcheck="false" autocomplete="off"
                placeholder="{\"keys\": [ … ]}"
                prop:value=move || jwks_text.get() on:input=move |ev| jwks_text.set(event_target_value(&ev))></textarea>
            <label>"Issuer of these keys " <input type="text" data-testid="token-issuer" size="48"
                prop:value=move || issuer.get() on:input=move |ev| issuer.set(event_target_value(&ev))/></label>
            <div data-testid="token-verify" inner_html=verification></div>
            <h3>"Mint a sample token"</h3>
            <p class="hint">"An RS256 key pair made in this tab (kept in memory, never stored), the signed token for a simulated job, its JWKS and openid-configuration: for testing your own verifiers and STS mocks offline."</p>
            <div class="token-options">
                <label>"Job " <select data-testid="mint-job" inner_html=move || job_options(false, mint_job.get())
                    on:change=move |ev| mint_job.set(event_target_value(&ev))></select></label>
                <button type="button" data-testid="token-mint" on:click=mint>"Mint"</button>
                <span class="status" role="status" data-testid="mint-status">{move || mint_status.get()}</span>
            </div>
            {move || minted.get().map(|m| {
                let (jwt, keys, config) = (m.jwt.clone(), pretty(&m.jwks), pretty(&m.openid_configuration));
                let (c1, c2, c3) = (jwt.clone(), keys.clone(), config.clone());
                view! {
                    <div class="minted" data-testid="minted">
                        <p class="tag">"NOT a GitHub token · kid " <code>{m.kid.clone()}</code></p>
                        <label>"JWT " <button type="button" class="small" data-testid="copy-minted-jwt" on:click=move |_| browser::copy_text(&c1)>"Copy"</button></label>
                        <textarea readonly rows="3" data-testid="minted-jwt" prop:value=jwt></textarea>
                        <label>"JWKS " <button type="button" class="small" on:click=move |_| browser::copy_text(&c2)>"Copy"</button></label>
                        <textarea readonly rows="4" data-testid="minted-jwks" prop:value=keys></textarea>
                        <label>"openid-configuration " <button type="button" class="small" on:click=move |_| browser::copy_text(&c3)>"Copy"</button></label>
                        <textarea readonly rows="4" data-testid="minted-config" prop:value=config></textarea>
                        <button type="button" data-testid="use-minted" on:click=use_minted>"Check it in the lab above"</button>
                    </div>
                }
            })}
        </div>
    }
}

/// The read-only part: claims, times, diff, verdicts.
fn render(h: &mut Html, t: &token::RealToken, ev: &real::RealEvaluation, at: i64, open: &BTreeSet<String>) {
    h.raw("<div class=\"token-summary\">");
    match &t.header {
        Some(hd) => {
            h.raw("<p>JWT · alg ").el("code", "", &hd.alg);
            if let Some(k) = &hd.kid {
                h.raw(" · kid ").el("code", "", k);
            }
            h.raw("</p>");
        }
        None => {
            h.raw("<p>Claims only: nothing to verify.</p>");
        }
    }
    match &ev.job {
        Some(j) => {
            h.open("p").attr("data-testid", "token-job-choice").body().raw("Compared with job ").el("code", "", &j.job);
            h.raw(" (").text(&j.reason).raw(")</p>");
        }
        None => {
            h.raw("<p>No simulated job gets a token to compare with.</p>");
        }
    }
    h.raw("</div>");
    let mut notes = t.notes.clone();
    if !ev.filled_from_simulation.is_empty() {
        notes.push(format!(
            "the pasted claims lack {}; taken from the simulated job",
            ev.filled_from_simulation.join(", ")
        ));
    }
    if !notes.is_empty() {
        h.raw("<ul class=\"notes\">");
        for n in &notes {
            h.raw("<li>").prose(n).raw("</li>");
        }
        h.raw("</ul>");
    }
    // The diff and its explanation first: the answer to "why".
    let differs: Vec<_> = ev.diff.iter().filter(|d| d.kind != DiffKind::Same && !d.per_run).collect();
    h.raw("<h3>Real against simulated</h3>");
    h.open("div").attr("data-testid", "token-diff").attr("data-differs", &differs.len().to_string()).body();
    if differs.is_empty() {
        h.raw("<p>Every claim that matters is the simulation's.</p>");
    } else {
        h.raw(
            "<table class=\"claims diff\"><thead><tr><th>claim</th><th>real</th><th>simulated</th></tr></thead><tbody>",
        );
        for d in &differs {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(absent)".into());
            h.open("tr")
                .attr("data-claim", &d.claim)
                .body()
                .raw("<th scope=\"row\">")
                .text(&d.claim)
                .raw("</th><td><code>");
            h.text(&show(&d.real)).raw("</code></td><td><code>").text(&show(&d.simulated)).raw("</code></td></tr>");
        }
        h.raw("</tbody></table>");
    }
    let per_run = ev.diff.iter().filter(|d| d.kind != DiffKind::Same && d.per_run).count();
    if per_run > 0 {
        h.raw("<p class=\"hint\">")
            .text(&per_run.to_string())
            .raw(" per-run claims (ids, times, placeholders) differ as expected.</p>");
    }
    h.raw("</div>");
    if !ev.explanations.is_empty() {
        h.raw("<ul class=\"explanation\" data-testid=\"token-why\">");
        for e in &ev.explanations {
            h.raw("<li>").prose(e).raw("</li>");
        }
        h.raw("</ul>");
    }
    h.raw("<div class=\"token-verdicts\"><div data-testid=\"token-real-verdicts\"><h3>On the real claims</h3>");
    for v in ev.verdicts.values() {
        verdict_with_trace(h, v, "token-real", open);
    }
    h.raw("</div><div data-testid=\"token-sim-verdicts\"><h3>Simulated</h3>");
    for v in ev.simulated.values() {
        verdict_with_trace(h, v, "token-sim", open);
    }
    h.raw("</div></div>");
    h.raw("<h3>Times at ")
        .text(&times::format_instant(at))
        .raw("</h3><ul class=\"checks\" data-testid=\"token-times\">");
    for (cloud, checks) in &ev.times {
        let skew = times::cloud_skew(*cloud);
        for c in checks {
            let (class, mark) = match c.status {
                TimeStatus::Pass => ("pass", "✓ "),
                TimeStatus::Fail => ("fail", "✗ "),
                TimeStatus::Absent => ("info", "· "),
            };
            h.open("li").attr("class", class).body().text(mark).el("strong", "", cloud.title()).raw(" ");
            h.el("code", "", c.claim)
                .raw(": ")
                .text(&c.message)
                .raw(" <span class=\"hint\">(skew: ")
                .prose(skew.source)
                .raw(")</span></li>");
        }
    }
    h.raw("</ul><h3>Claims</h3><table class=\"claims\" data-testid=\"token-claims\"><thead><tr><th>claim</th><th>value</th><th>GitHub's type</th></tr></thead><tbody>");
    for r in token::types::rows(&t.claims) {
        h.open("tr")
            .attr("data-claim", &r.name)
            .flag("data-bad-type", !r.type_ok)
            .body()
            .raw("<th scope=\"row\">")
            .text(&r.name);
        h.raw("</th><td><code>").text(&r.value).raw("</code></td><td>").text(r.github_type.as_str());
        if !r.type_ok {
            h.raw(" ✗");
        }
        if let Some(m) = r.meaning {
            h.raw(" <span class=\"hint\">").text(m).raw("</span>");
        }
        h.raw("</td></tr>");
    }
    h.raw("</tbody></table>");
}
