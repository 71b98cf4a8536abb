//! The analysis panel: findings, the what-if matrix and verified
//! suggestions. The analysis is a separate wasm (crates/keyless-worker) run
//! in a Web Worker that is started only when the panel is first opened, so
//! it costs nothing on the first load. Its answers are read as
//! a few fields of JSON (the protocol is documented in the worker crate):
//! linking the analysis types here would pull the analysis into this wasm.
//! The worker also renders the panel's HTML, which is shown as is with one
//! delegated click handler (`data-action` on its buttons). Measured: the
//! whole panel adds about 6 KB brotli to the first load; rendering the same
//! tables with Leptos views here added 7 KB more.

use crate::actions;
use crate::analysis_worker::{AnalysisWorker, Answer};
use crate::browser;
use crate::state::{AppState, doc_of, show_span};
use keyless_core::draft::ScenarioDraft;
use keyless_core::span::DocId;
use keyless_core::verdict::Cloud;
use leptos::prelude::*;
use std::time::Duration;

/// How long the draft must stay unchanged before it is analysed again.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// The panel's non-reactive parts. A plain thread-local rather than a
/// `StoredValue`: the page has one panel, and each stored type costs the
/// first load generic code.
#[derive(Default)]
struct Panel {
    worker: Option<AnalysisWorker>,
    timer: Option<TimeoutHandle>,
}

thread_local! {
    static PANEL: std::cell::RefCell<Panel> = std::cell::RefCell::new(Panel::default());
}

fn with_panel<T>(f: impl FnOnce(&mut Panel) -> T) -> T {
    PANEL.with(|p| f(&mut p.borrow_mut()))
}

#[component]
pub fn AnalysisPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let html = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());

    // While open, every draft change is analysed again (debounced).
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        let yaml = state.draft.with(ScenarioDraft::to_yaml);
        if let Some(t) = with_panel(|p| p.timer) {
            t.clear();
        }
        let run = move || {
            if with_panel(|p| p.worker.is_none()) {
                status.set("Loading the analysis…".into());
                let on_result = move |answer: Answer| match answer {
                    Answer::Analysis { html: h, marks } => {
                        state.finding_lines.set(marks);
                        html.set(h);
                        status.set(String::new());
                    }
                    Answer::Error(e) => status.set(format!("The analysis failed: {e}")),
                };
                match AnalysisWorker::start(on_result) {
                    Ok(w) => with_panel(|p| p.worker = Some(w)),
                    Err(e) => {
                        status.set(e);
                        return;
                    }
                }
            }
            with_panel(|p| {
                if let Some(w) = &p.worker {
                    w.analyse(&yaml);
                }
            });
        };
        let timer = set_timeout_with_handle(run, DEBOUNCE).ok();
        with_panel(|p| p.timer = timer);
    });

    let toggle = move |_| {
        open.update(|o| *o = !*o);
        if !open.get_untracked() {
            state.finding_lines.set(String::new());
        }
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(button) = actions::closest(&ev, "[data-action]") else { return };
        let attr = |k: &str| actions::attr(&button, k);
        // The text a copy or use button acts on is the one shown next to it.
        let shown = |container: &str, code: &str| {
            button
                .closest(container)
                .ok()
                .flatten()
                .and_then(|c| c.query_selector(code).ok().flatten())
                .and_then(|c| c.text_content())
        };
        match attr("data-action").as_str() {
            "goto" => {
                if let Some(span) = actions::span_of(&button) {
                    show_span(&state, span);
                }
            }
            "copy" => {
                if let Some(t) = shown(".snippet", "code") {
                    browser::copy_text(&t);
                }
            }
            "use" => {
                if let (Some(cloud), Some(config)) = (cloud_of(&attr("data-cloud")), shown("article", "[data-config]"))
                {
                    state.edit(|d| *d.cloud_text_mut(cloud) = config);
                }
            }
            _ => {}
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
                    <div inner_html=move || html.get() on:click=on_click></div>
                </div>
            })}
        </section>
    }
}

fn cloud_of(key: &str) -> Option<Cloud> {
    Cloud::ALL.into_iter().find(|c| c.key() == key)
}

/// (editor, 1-based line, finding id) of each of the worker's `marks`
/// (`doc:line:id`, space separated).
pub fn finding_lines(marks: &str) -> impl Iterator<Item = (DocId, u32, &str)> {
    marks.split_whitespace().filter_map(|m| {
        let mut parts = m.splitn(3, ':');
        Some((doc_of(parts.next()?)?, parts.next()?.parse().ok()?, parts.next()?))
    })
}
