//! Share and keep: a permalink holding the whole draft (deflated, base64url,
//! in the URL fragment, which browsers never send to a server), and the
//! scenario file for `keyless eval`, exported or imported.

use crate::app::PERMALINK_PREFIX;
use crate::browser;
use crate::state::AppState;
use keyless_core::build_info;
use keyless_core::draft::ScenarioDraft;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The draft as a scenario file, first line saying which Keyless made it
/// (`keyless_core::build_info`): permalinks and exports carry it.
fn stamped(state: &AppState) -> String {
    build_info::scenario_stamp() + &state.draft.with(ScenarioDraft::to_yaml)
}

#[component]
pub fn ShareBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let link = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let file_input = NodeRef::<html::Input>::new();

    let permalink = move |_| {
        let yaml = stamped(&state);
        spawn_local(async move {
            if let Some(data) = browser::pack(&yaml).await.as_string() {
                browser::set_hash(&format!("{PERMALINK_PREFIX}{data}"));
                let url = browser::page_url();
                browser::copy_text(&url);
                link.set(url);
                status.set("Permalink copied".into());
            }
        });
    };
    let export = move |_| {
        let yaml = stamped(&state);
        browser::download("scenario.yaml", &yaml);
        status.set("Exported scenario.yaml (run it with: keyless eval scenario.yaml)".into());
    };
    let import = move |_| {
        let Some(input) = file_input.get() else { return };
        spawn_local(async move {
            if let Some(text) = browser::read_file(&input).await.as_string() {
                let (d, problems) = ScenarioDraft::from_yaml(&text);
                state.focus.set(None);
                state.draft.set(d);
                let made_by = match build_info::stamped_version(&text) {
                    Some(v) if v != build_info::VERSION => {
                        format!(" (made with Keyless {v}, this is {})", build_info::VERSION)
                    }
                    _ => String::new(),
                };
                status.set(match problems.first() {
                    None => format!("Imported{made_by}"),
                    Some(p) => format!("Imported{made_by} with problems: {}", p.message),
                });
            }
        });
    };
    view! {
        <div class="share" role="group" aria-label="Share and keep">
            <button type="button" data-testid="permalink" on:click=permalink
                title="Put the whole scenario in the link (nothing is uploaded)">"Copy permalink"</button>
            <button type="button" data-testid="export" on:click=export>"Export YAML"</button>
            <button type="button" data-testid="import-button" on:click=move |_| { if let Some(i) = file_input.get() { i.click(); } }>"Import YAML"</button>
            <input type="file" id="import-file" class="visually-hidden" tabindex="-1" aria-hidden="true" data-testid="import"
                accept=".yaml,.yml,.json,application/yaml,application/json" node_ref=file_input on:change=import/>
            <input type="text" readonly class="permalink-url" data-testid="permalink-url" aria-label="Permalink"
                prop:value=move || link.get() hidden=move || link.with(String::is_empty)/>
            <span class="status" role="status">{move || status.get()}</span>
        </div>
    }
}
