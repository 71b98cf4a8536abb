//! Embed mode (`?embed=1`, docs/embed.md): the playground in a host page's
//! `<iframe>`. Compact layout, optional read-only editors (`&readonly=1`),
//! no persistence (an embed never reads or writes the user's saved draft),
//! an "Open in Keyless" link carrying the scenario as a permalink, the
//! page height posted to the host, and the `postMessage` protocol.
//!
//! The protocol's parsing, the scenario requests and the verdicts' JSON are
//! `keyless_core::embed`; they sit behind a split point (`embed`), so their
//! code (the JSON parser, the report's serialisation) is fetched only by an
//! embed, never by the playground's first load. This module moves strings.
//!
//! Origins: a message is read only from the parent frame and only when its
//! origin is the embed's own or one named by a `host=` parameter; messages
//! to the host are posted to those origins only (never `*`), because a
//! reader may type their own trust policy into an embed and its verdicts
//! must not be readable by any page that frames it.

use crate::clouds::Availability;
use crate::state::AppState;
use keyless_core::clouds::Clouds;
use keyless_core::draft::ScenarioDraft;
use keyless_core::embed::{self as protocol, Inbound};
use keyless_core::verdict::Cloud;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_split_helpers::{SplitLoaderError, wasm_split};

#[wasm_bindgen(inline_js = r#"
let allowed = null;
const origins = () => {
  if (!allowed) {
    allowed = [location.origin];
    for (const h of new URLSearchParams(location.search).getAll('host')) {
      try { const o = new URL(h).origin; if (o !== 'null' && o === h.replace(/\/$/, '')) allowed.push(o); } catch (e) {}
    }
  }
  return allowed;
};
export function embed_param(name) { return new URLSearchParams(location.search).get(name); }
export function embed_post(json) {
  if (parent === window) return;
  const msg = JSON.parse(json);
  for (const o of origins()) parent.postMessage(msg, o);
}
export function embed_listen(handler, version) {
  addEventListener('message', (ev) => {
    if (parent === window || ev.source !== parent || !origins().includes(ev.origin)) return;
    let text;
    try { text = JSON.stringify(ev.data); } catch (e) { text = 'null'; }
    handler(text === undefined ? 'null' : text);
  });
  let last = -1;
  new ResizeObserver(() => {
    const h = Math.ceil(document.body.getBoundingClientRect().height);
    if (h !== last) { last = h; embed_post(JSON.stringify({ keyless: version, type: 'height', height: h })); }
  }).observe(document.body);
}
export function playground_url(hash) { return location.origin + location.pathname + (hash ? '#' + hash : ''); }
"#)]
extern "C" {
    /// A query parameter, if given.
    fn embed_param(name: &str) -> Option<String>;
    /// Posts a JSON message (parsed, so the host gets an object) to the
    /// parent frame, addressed to each allowed origin.
    fn embed_post(json: &str);
    /// Calls `handler` with the JSON of each allowed message, and posts the
    /// page's height whenever it changes.
    fn embed_listen(handler: &Closure<dyn Fn(String)>, version: u32);
    /// This page without its query (the full playground), with a fragment.
    fn playground_url(hash: &str) -> String;
}

/// What the URL asks of the page.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// `?embed=1`
    pub embed: bool,
    /// `&readonly=1` (only with `embed=1`): the editors cannot be edited;
    /// the event picker stays usable, so a reader can still try other runs.
    pub readonly: bool,
}

thread_local! {
    static OPTIONS: Options = {
        let embed = embed_param("embed").as_deref() == Some("1");
        Options { embed, readonly: embed && embed_param("readonly").as_deref() == Some("1") }
    };
}

pub fn options() -> Options {
    OPTIONS.with(|o| *o)
}

/// `?preset=NAME`: the id of a preset (a fixture of tests/fixtures).
pub fn preset_param() -> Option<String> {
    embed_param("preset").filter(|p| !p.is_empty())
}

/// The protocol's code, fetched on first use (an embed only).
struct Protocol {
    parse: fn(&str) -> Result<Inbound, String>,
    apply: fn(&mut ScenarioDraft, &Inbound) -> Vec<String>,
    verdicts: fn(&str, &Clouds) -> String,
    error: fn(&str) -> String,
    ready: fn() -> String,
}

static PROTOCOL: Protocol = Protocol {
    parse: protocol::parse_inbound,
    apply: protocol::apply,
    verdicts: protocol::verdicts_message,
    error: protocol::error_message,
    ready: protocol::ready_message,
};

#[wasm_split(embed, fallible)]
fn load_protocol() -> Result<&'static Protocol, SplitLoaderError> {
    Ok(&PROTOCOL)
}

/// The verdicts message for the current draft, or None while a configured
/// cloud's evaluator is still loading (its verdict would be missing).
fn verdicts(p: &Protocol, state: &AppState) -> Option<String> {
    let loaded = state.clouds.get();
    let draft = state.draft.get();
    for cloud in Cloud::ALL {
        if draft.cloud_text(cloud).trim().is_empty() {
            continue;
        }
        match loaded.availability(cloud) {
            Availability::Ready => {}
            Availability::Loading => return None,
            Availability::Failed => {
                return Some((p.error)(&format!("the {} evaluator could not be loaded", cloud.key())));
            }
        }
    }
    Some((p.verdicts)(&draft.to_yaml(), &loaded.clouds))
}

/// Listens to the host and posts `ready`, then the verdicts whenever they
/// change, and the height. Call once, in embed mode.
pub fn start(state: AppState) {
    let owner = Owner::current();
    spawn_local(async move {
        let Ok(p) = load_protocol().await else {
            embed_post(r#"{"keyless":1,"type":"error","message":"the embed protocol could not be loaded"}"#);
            return;
        };
        let last = Rc::new(RefCell::new(String::new()));
        let sent = last.clone();
        let post_verdicts = move |force: bool| {
            if let Some(message) = verdicts(p, &state)
                && (force || *sent.borrow() != message)
            {
                embed_post(&message);
                *sent.borrow_mut() = message;
            }
        };
        let post = post_verdicts.clone();
        let on_message = Closure::<dyn Fn(String)>::new(move |json: String| match (p.parse)(&json) {
            Ok(Inbound::GetVerdicts) => untrack(|| post(true)),
            Ok(request) => {
                let mut problems = Vec::new();
                state.draft.update(|d| problems = (p.apply)(d, &request));
                if !problems.is_empty() {
                    embed_post(&(p.error)(&format!("applied with problems: {}", problems.join("; "))));
                }
            }
            Err(e) => embed_post(&(p.error)(&e)),
        });
        embed_listen(&on_message, protocol::VERSION as u32);
        // The handler lives as long as the page.
        on_message.forget();
        embed_post(&(p.ready)());
        let effect = move || Effect::new(move |_| post_verdicts(false));
        match owner {
            Some(o) => o.with(effect),
            None => effect(),
        };
    });
}

/// "Open in Keyless": the full playground with this scenario as a permalink.
#[component]
pub fn EmbedBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let href = RwSignal::new(playground_url(""));
    Effect::new(move |_| {
        let yaml = state.draft.with(ScenarioDraft::to_yaml);
        spawn_local(async move {
            if let Some(data) = crate::browser::pack(&yaml).await.as_string() {
                href.set(playground_url(&format!("{}{data}", crate::app::PERMALINK_PREFIX)));
            }
        });
    });
    view! {
        <div class="embed-bar">
            <span class="embed-brand">"Keyless"</span>
            <a data-testid="open-in-keyless" href=move || href.get() target="_blank" rel="noopener">
                "Open in Keyless"
            </a>
        </div>
    }
}
