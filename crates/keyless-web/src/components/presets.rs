//! One click loads a complete, vendor-documented scenario. The default
//! preset is embedded; the others are fetched on click (see `presets`), so
//! each button shows while it loads (`aria-busy`) and when its file could
//! not be read (`data-failed`, with the reason in its title). Those are
//! set on the element directly: signals for them would cost more wasm.

use crate::browser;
use crate::presets::{self, PresetInfo};
use crate::state::AppState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

#[component]
pub fn PresetBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The latest click wins: a slow fetch from an earlier click must not
    // replace the preset chosen after it.
    let latest = StoredValue::new(0u32);
    view! {
        <nav class="presets" aria-label="Presets">
            <span class="presets-label">"Try a preset:"</span>
            {presets::PRESETS.iter().map(|&p| view! {
                <button type="button" class="chip" data-testid=format!("preset-{}", p.id) title=p.source
                    on:click=move |ev| load(p, state, latest, ev.current_target().and_then(|t| t.dyn_into().ok()))>
                    {p.title}
                </button>
            }).collect_view()}
        </nav>
    }
}

fn load(p: PresetInfo, state: AppState, latest: StoredValue<u32>, button: Option<web_sys::Element>) {
    let ticket = latest.get_value().wrapping_add(1);
    latest.set_value(ticket);
    if p.is_default() {
        state.focus.set(None);
        state.draft.set(presets::default_draft());
        return;
    }
    let mark = move |name: &str, value: Option<&str>| {
        if let Some(b) = &button {
            let _ = match value {
                Some(v) => b.set_attribute(name, v),
                None => b.remove_attribute(name),
            };
        }
    };
    mark("aria-busy", Some("true"));
    spawn_local(async move {
        let text = browser::fetch_text(&p.url()).await.as_string();
        mark("aria-busy", None);
        match text {
            Some(text) => {
                mark("data-failed", None);
                mark("title", Some(p.source));
                if latest.get_value() == ticket {
                    state.focus.set(None);
                    state.draft.set(presets::draft(&text));
                }
            }
            None => {
                mark("data-failed", Some("true"));
                mark("title", Some("Could not load this preset (offline?): click to retry."));
            }
        }
    });
}
