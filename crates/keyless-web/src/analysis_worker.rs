//! The page's side of the analysis worker (crates/keyless-worker; protocol
//! in its `protocol` module): starts it, waits for its `ready` message,
//! and sends only the latest draft (older answers are dropped by id).
//! Answers are parsed by the browser (`JSON.parse`) and only the fields the
//! panel shows are read: no JSON parser is linked into the first load.

use js_sys::Reflect;
use serde_json::json;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

/// The protocol version this page speaks.
const VERSION: u64 = 1;
/// The worker's loader, written by `cargo xtask dist` (`WORKER_LOADER` in
/// crates/xtask/src/dist.rs): a stable name that loads the hashed JS and
/// wasm of the build.
const LOADER: &str = "lazy/keyless-worker_loader.js";

#[derive(Default)]
struct Channel {
    ready: bool,
    /// The request waiting for `ready`.
    pending: Option<String>,
    /// The id of the latest request; answers to older ones are stale.
    latest: u64,
}

/// What the panel shows of one answer.
pub enum Answer {
    /// The panel's HTML (rendered by the worker) and the gutter marks
    /// (`doc:line:id`, space separated).
    Analysis {
        html: String,
        marks: String,
    },
    Error(String),
}

fn field(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn string(v: &JsValue, key: &str) -> String {
    field(v, key).as_string().unwrap_or_default()
}

/// A running analysis worker.
pub struct AnalysisWorker {
    worker: Worker,
    channel: Rc<RefCell<Channel>>,
}

impl AnalysisWorker {
    /// Starts the worker; `on_answer` gets each current answer (or error).
    pub fn start(on_answer: impl Fn(Answer) + 'static) -> Result<AnalysisWorker, String> {
        let worker = Worker::new(LOADER).map_err(|e| format!("cannot start the analysis: {e:?}"))?;
        let channel = Rc::new(RefCell::new(Channel::default()));
        let (ch, w) = (channel.clone(), worker.clone());
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
            let Some(text) = ev.data().as_string() else { return };
            let Ok(v) = js_sys::JSON::parse(&text) else { return };
            if field(&v, "v").as_f64() != Some(VERSION as f64) {
                on_answer(Answer::Error("the analysis worker speaks another protocol version: reload the page".into()));
                return;
            }
            let kind = string(&v, "type");
            if kind == "ready" {
                let pending = {
                    let mut c = ch.borrow_mut();
                    c.ready = true;
                    c.pending.take()
                };
                if let Some(p) = pending {
                    let _ = w.post_message(&JsValue::from(p));
                }
                return;
            }
            if field(&v, "id").as_f64() != Some(ch.borrow().latest as f64) {
                return;
            }
            on_answer(if kind == "analysis" {
                Answer::Analysis { html: string(&v, "html"), marks: string(&v, "marks") }
            } else {
                Answer::Error(string(&v, "message"))
            });
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // Lives as long as the page's only analysis worker.
        on_message.forget();
        Ok(AnalysisWorker { worker, channel })
    }

    /// Asks for the analysis of a scenario (`ScenarioDraft::to_yaml`).
    pub fn analyse(&self, scenario_yaml: &str) {
        let mut c = self.channel.borrow_mut();
        c.latest += 1;
        let request = json!({ "v": VERSION, "id": c.latest, "scenario": scenario_yaml }).to_string();
        if c.ready {
            let _ = self.worker.post_message(&JsValue::from(request));
        } else {
            c.pending = Some(request);
        }
    }
}
