//! Problems found in the inputs, each with where it is; click to go there.

use crate::components::token_card::with_code;
use crate::state::{AppState, doc_title, show_span};
use crate::util::line_col;
use keyless_core::diagnostic::Severity;
use leptos::prelude::*;

#[component]
pub fn Diagnostics() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let items = state.evaluation.with(|e| e.diagnostics.clone());
        (!items.is_empty()).then(|| {
            view! {
                <section class="panel diagnostics" aria-label="Problems" data-testid="diagnostics">
                    <ul>
                        {items.into_iter().map(|d| {
                            let sev = match d.severity { Severity::Error => "error", Severity::Warning => "warning", Severity::Note => "note" };
                            let place = d.span.map(|s| {
                                let lc = line_col(&state.text_of(s.doc), s.start);
                                (format!("{} {}:{}", doc_title(s.doc), lc.line, lc.col), s)
                            });
                            view! {
                                <li class=sev>
                                    <span class="sev">{sev}</span>
                                    {place.map(|(label, s)| view! {
                                        <button type="button" class="link loc" on:click=move |_| show_span(&state, s)>{label}</button>
                                    })}
                                    " " {with_code(&d.message)}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}
