//! One cloud's answer: Allowed / Denied in the cloud's own code and words
//! (or Undetermined when it hangs on a value Keyless cannot know),
//! what decided it (click to see it in the editor), and the trace.

use crate::components::token_card::{Keep, rich, with_code};
use crate::state::{AppState, show_span};
use keyless_core::verdict::Verdict;
use leptos::prelude::*;

#[component]
pub fn VerdictCard(verdict: Verdict, job_key: String) -> impl IntoView {
    let state = expect_context::<AppState>();
    let cloud = verdict.cloud;
    let testid = format!("verdict-{}", cloud.key());
    let decided_span = verdict.decided_span;
    let steps = verdict.trace.clone();
    let unknown = verdict.is_undetermined();
    let badge = if verdict.allowed {
        "✓ Allowed"
    } else if unknown {
        "? Undetermined"
    } else {
        "✗ Denied"
    };
    // No accessible name, so not a landmark: one "AWS verdict" region per
    // job would give screen readers a list of indistinguishable landmarks
    // (axe landmark-unique); the cloud's heading is how to reach it.
    view! {
        <section class="verdict" class:allowed=verdict.allowed class:denied=!verdict.allowed && !unknown class:undetermined=unknown
            data-testid=testid data-allowed=verdict.allowed.to_string() data-code=verdict.code.clone()>
            <div class="verdict-head">
                <h4>{cloud.title()}</h4>
                <span class="badge">{badge}</span>
                <code class="code">{verdict.code.clone()}</code>
            </div>
            {(!verdict.message.is_empty()).then(|| view! { <p class="message">{with_code(&verdict.message)}</p> })}
            <p class="decided">
                <span class="label">"decided by "</span>
                <code>{verdict.decided_by.clone()}</code>
                {decided_span.map(|s| view! {
                    <button type="button" class="small ghost" on:click=move |_| show_span(&state, s)>"Show in editor"</button>
                })}
            </p>
            {(!verdict.audience.is_empty()).then(|| view! { <p class="aud"><span class="label">"aud "</span><code>{verdict.audience.clone()}</code></p> })}
            <Keep key=format!("{job_key}/{}/trace", cloud.key()) summary=format!("Trace ({} steps)", steps.len())>
                <ol class="trace">
                    {steps.into_iter().map(|step| {
                        let (class, mark) = match step.passed { Some(true) => ("pass", "✓"), Some(false) => ("fail", "✗"), None => ("info", "·") };
                        let text = rich(&step.text, false);
                        // The step's text may hold source links, which cannot sit
                        // inside a button: the mark is the (keyboard) button and a
                        // click anywhere else on the step but a link does the same.
                        let span = step.span;
                        let mark = match span {
                            Some(_) => view! { <button type="button" class="link" aria-label="Show in editor">{mark}</button> }.into_any(),
                            None => mark.into_any(),
                        };
                        view! {
                            <li class=class class:go=span.is_some() on:click=move |ev| {
                                use wasm_bindgen::JsCast;
                                let on_link = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|e| e.tag_name() == "A");
                                if let (Some(s), false) = (span, on_link) { show_span(&state, s) }
                            }>{mark}" "{text}</li>
                        }
                    }).collect_view()}
                </ol>
            </Keep>
        </section>
    }
}
