//! The parts of the page a first verdict does not need — sharing, presets,
//! the event picker, the job filter, settings, the analysis and token
//! panels, and the embed's bar and protocol — live in one lazily loaded
//! chunk of this wasm (split point `deferred`), fetched once the first
//! verdict is painted. The first load (the budget in docs/size.md: every
//! file fetched before the first verdict) then holds what computes and
//! shows that verdict: the engine, the editors and the results. Until the
//! chunk arrives each part's place stays empty; if it cannot be fetched
//! (offline before it was ever cached), a notice offers to try again.

use crate::components::results::{self, WriteBody};
use crate::components::{
    analysis::AnalysisPanel, event_picker::EventPicker, job_filter::JobFilter, presets::PresetBar, settings::Settings,
    share::ShareBar, token_lab::TokenPanel,
};
use crate::embed::{self, EmbedBar};
use crate::state::AppState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use wasm_split_helpers::{SplitLoaderError, wasm_split};

/// The deferred parts, each as the function that renders it.
pub struct Parts {
    pub presets: fn() -> AnyView,
    pub share: fn() -> AnyView,
    pub settings: fn() -> AnyView,
    pub event_picker: fn() -> AnyView,
    pub job_filter: fn() -> AnyView,
    pub analysis: fn() -> AnyView,
    pub token: fn() -> AnyView,
    pub embed_bar: fn() -> AnyView,
    /// Starts the embed's `postMessage` protocol (embed mode only).
    pub embed_start: fn(AppState),
    /// Writes the bodies of the results' traces and claims tables.
    pub write_body: WriteBody,
}

static PARTS: Parts = Parts {
    presets: || view! { <PresetBar/> }.into_any(),
    share: || view! { <ShareBar/> }.into_any(),
    settings: || view! { <Settings/> }.into_any(),
    event_picker: || view! { <EventPicker/> }.into_any(),
    job_filter: || view! { <JobFilter/> }.into_any(),
    analysis: || view! { <AnalysisPanel/> }.into_any(),
    token: || view! { <TokenPanel/> }.into_any(),
    embed_bar: || view! { <EmbedBar/> }.into_any(),
    embed_start: embed::start,
    write_body: results::write_body,
};

#[wasm_split(deferred, fallible)]
fn load_parts() -> Result<&'static Parts, SplitLoaderError> {
    Ok(&PARTS)
}

/// Where the deferred parts are: `None` until the chunk is loaded.
#[derive(Clone, Copy)]
pub struct Deferred {
    parts: RwSignal<Option<&'static Parts>>,
    failed: RwSignal<bool>,
}

impl Deferred {
    /// The parts, once loaded (a tracked read).
    pub fn parts(self) -> Option<&'static Parts> {
        self.parts.get()
    }

    /// The parts, once loaded, without subscribing.
    pub fn parts_untracked(self) -> Option<&'static Parts> {
        self.parts.get_untracked()
    }

    /// Provides the (not yet loaded) parts to the page, and fetches them
    /// once the current render — the first verdict — is done. In embed
    /// mode, starts the embed protocol when they arrive.
    pub fn provide(state: AppState, embed: bool) -> Deferred {
        let d = Deferred { parts: RwSignal::new(None), failed: RwSignal::new(false) };
        provide_context(d);
        let owner = Owner::current();
        // An effect runs after the render that created it; the fetch waits
        // one frame more, until the first verdict is painted: fetching and
        // compiling the chunk before that paint took the cores the paint
        // needed (BENCHMARKS.md, "Load"). Not in an embed: one below the
        // host page's fold gets no frames until it is scrolled to, and its
        // protocol (in the chunk) must answer the host at once.
        Effect::new(move |_| {
            let owner = owner.clone();
            let load = move || d.load(state, embed, owner);
            if embed {
                load();
            } else {
                request_animation_frame(move || set_timeout(load, Duration::ZERO));
            }
        });
        d
    }

    fn load(self, state: AppState, embed: bool, owner: Option<Owner>) {
        self.failed.set(false);
        spawn_local(async move {
            match load_parts().await {
                Ok(parts) => {
                    self.parts.set(Some(parts));
                    if embed {
                        match &owner {
                            Some(o) => o.with(|| (parts.embed_start)(state)),
                            None => (parts.embed_start)(state),
                        }
                    }
                }
                Err(_) => self.failed.set(true),
            }
        });
    }
}

/// The place of one deferred part: empty until the chunk has arrived.
#[component]
pub fn Later(part: fn(&'static Parts) -> fn() -> AnyView) -> impl IntoView {
    let d = expect_context::<Deferred>();
    move || d.parts.get().map(|p| part(p)())
}

/// Shown only when the deferred parts could not be fetched.
#[component]
pub fn DeferredNotice() -> impl IntoView {
    let d = expect_context::<Deferred>();
    let state = expect_context::<AppState>();
    let retry = move |_| d.load(state, false, Owner::current());
    view! {
        <p class="deferred-notice" role="status" hidden=move || !d.failed.get()>
            "Some controls (presets, sharing, event picker, settings, analysis) could not be loaded (offline?). "
            <button type="button" class="small" on:click=retry>"Retry"</button>
        </p>
    }
}
