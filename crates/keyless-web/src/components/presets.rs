//! One click loads a complete, vendor-documented scenario.

use crate::presets;
use crate::state::AppState;
use leptos::prelude::*;

#[component]
pub fn PresetBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let all = presets::all();
    view! {
        <nav class="presets" aria-label="Presets">
            <span class="presets-label">"Try a preset:"</span>
            {all.into_iter().map(|p| {
                let testid = format!("preset-{}", p.id);
                let title = p.title.clone();
                let source = p.source.clone();
                view! {
                    <button type="button" class="chip" data-testid=testid title=source
                        on:click=move |_| { state.focus.set(None); state.draft.set(p.draft()); }>
                        {title}
                    </button>
                }
            }).collect_view()}
        </nav>
    }
}
