//! One click loads a complete, vendor-documented scenario. The default
//! preset is embedded; the others are fetched on click (see `presets`), so
//! each button shows while it loads (`aria-busy`) and when its file could
//! not be read (`data-failed`, with the reason in its title). Those are
//! set on the element directly: signals for them would cost more wasm.
//! The buttons are fixed, so they are written once as HTML with one click
//! handler (`data-preset` = index in `PRESETS`).

use crate::browser;
use crate::presets::{self, PresetInfo};
use crate::state::AppState;
use keyless_core::html::Html;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn PresetBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The latest click wins: a slow fetch from an earlier click must not
    // replace the preset chosen after it.
    let latest = StoredValue::new(0u32);
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let button = crate::actions::closest(&ev, "[data-preset]");
        let preset = button
            .as_ref()
            .and_then(|b| b.get_attribute("data-preset"))
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| presets::PRESETS.get(i));
        if let Some(&p) = preset {
            load(p, state, latest, button);
        }
    };
    let mut buttons = Html::default();
    for (i, p) in presets::PRESETS.iter().enumerate() {
        buttons
            .open("button")
            .attr("type", "button")
            .attr("class", "chip")
            .attr("data-testid", &format!("preset-{}", p.id))
            .attr("data-preset", &i.to_string())
            .attr("title", p.source)
            .body()
            .text(p.title)
            .close("button");
    }
    view! {
        <nav class="presets" aria-label="Presets" on:click=on_click>
            <span class="presets-label">"Try a preset:"</span>
            <span class="preset-list" inner_html=buttons.finish()></span>
        </nav>
    }
}

/// Opens the preset with this id (`?preset=`); an unknown id is ignored
/// (the page keeps the draft it opened with).
pub fn load_by_id(id: &str, state: AppState) {
    if let Some(&p) = presets::PRESETS.iter().find(|p| p.id == id) {
        load(p, state, StoredValue::new(0), None);
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
