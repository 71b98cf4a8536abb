//! The page: header (presets, share), inputs on the left, live results on
//! the right. `?embed=1` is the embed mode for documentation iframes
//! (`embed`); `?preset=NAME` opens a preset. What the first verdict does
//! not need is rendered from a lazily loaded chunk (`deferred`).

use crate::browser;
use crate::components::{editor::CloudEditors, editor::WorkflowEditor, results::Results};
use crate::deferred::{Deferred, DeferredNotice, Later};
use crate::embed;
use crate::presets;
use crate::state::AppState;
use keyless_core::build_info::{self, VERSION};
use keyless_core::draft::ScenarioDraft;
use leptos::prelude::*;
use leptos::task::spawn_local;

const STORAGE_KEY: &str = "keyless.draft";
/// The URL fragment prefix of a permalink.
pub const PERMALINK_PREFIX: &str = "s=";

fn initial_draft(embed: bool) -> ScenarioDraft {
    // An embed has no storage: it never shows (or overwrites) the user's draft.
    if let Some(yaml) = browser::storage_get(STORAGE_KEY).filter(|_| !embed) {
        let (d, _) = ScenarioDraft::from_yaml(&yaml);
        return d;
    }
    presets::default_draft()
}

/// Which Keyless made a permalink's scenario, when it is not this build.
fn other_version(yaml: &str) -> Option<String> {
    match build_info::stamped_version(yaml) {
        Some(v) if v == VERSION => None,
        Some(v) => Some(format!("Keyless {v}")),
        None => Some("an earlier Keyless, which recorded no version".to_string()),
    }
}

#[component]
pub fn App() -> impl IntoView {
    let embed = embed::options().embed;
    let state = AppState::new(initial_draft(embed));
    provide_context(state);

    // A permalink wins over the stored draft.
    let hash = browser::hash();
    let from_link = RwSignal::new(None::<String>);
    // The version that made the permalink, when it is not this one.
    let link_version = RwSignal::new(None::<String>);
    if let Some(data) = hash.strip_prefix(PERMALINK_PREFIX).map(str::to_string) {
        spawn_local(async move {
            if let Some(yaml) = browser::unpack(&data).await.as_string() {
                link_version.set(other_version(&yaml));
                let (d, _) = ScenarioDraft::from_yaml(&yaml);
                from_link.set(Some(d.to_yaml()));
                state.draft.set(d);
            }
        });
    } else if let Some(id) = embed::preset_param() {
        crate::components::presets::load_by_id(&id, state);
    }
    // Keep the last draft; a permalink in the address bar that no longer
    // matches the edited draft is dropped, so a reload never loses edits.
    // Writing a large draft out is itself work a keystroke should not pay:
    // it follows the evaluation (each keystroke for a typical draft, the
    // pause in typing for a large one, `state.rs`), and the page's last
    // moment (`pagehide`: reload, navigation, closing) writes what is left.
    let save = move || {
        let yaml = state.draft.with_untracked(ScenarioDraft::to_yaml);
        if !embed {
            browser::storage_set(STORAGE_KEY, &yaml);
        }
        let stale = from_link.with_untracked(|l| l.as_deref().is_some_and(|l| l != yaml));
        if stale {
            from_link.set(None);
            browser::set_hash("");
        }
    };
    Effect::new(move |_| {
        state.evaluation.track();
        save();
    });
    let _ = window_event_listener_untyped("pagehide", move |_| {
        if state.pending.get_untracked() {
            save();
        }
    });

    Deferred::provide(state, embed);
    view! {
        <div class="app" class:embed=embed class:readonly=embed::options().readonly>
            {embed.then(|| view! { <Later part=|p| p.embed_bar/> })}
            <header class="top">
                <div class="brand">
                    <img src="icons/icon.svg" alt="" width="28" height="28"/>
                    <div>
                        <h1>"Keyless"</h1>
                        <p class="tagline">"GitHub Actions OIDC tokens and the verdict of each cloud, simulated in your browser."</p>
                    </div>
                </div>
                <Later part=|p| p.share/>
            </header>
            <DeferredNotice/>
            <Later part=|p| p.presets/>
            {move || link_version.get().map(|made_by| view! {
                <p class="version-notice" role="status" data-testid="version-notice">
                    {format!("This link was made with {made_by}; this is Keyless {VERSION}: its verdicts may differ from the ones its author saw.")}
                </p>
            })}
            <main class="layout">
                <section class="inputs" aria-label="Inputs">
                    <Later part=|p| p.settings/>
                    <Later part=|p| p.event_picker/>
                    <WorkflowEditor/>
                    <CloudEditors/>
                </section>
                // Not a live region: every keystroke re-renders the cards, and
                // a screen reader would read them all out while the user types.
                // Short messages (share, analysis) have their own role="status".
                <section class="results" aria-label="Results">
                    <Results/>
                    <Later part=|p| p.analysis/>
                    <Later part=|p| p.token/>
                </section>
            </main>
            <footer class="bottom">
                <p>
                    "Nothing you type leaves this page: the engine is Rust compiled to WebAssembly. "
                    "The same engine ships as the "<code>"keyless"</code>" CLI. "
                    <span class="version" data-testid="version">"Keyless "{VERSION}</span>
                </p>
            </footer>
        </div>
    }
}
