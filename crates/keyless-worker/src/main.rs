//! The playground's analysis as a Web Worker (built by `cargo xtask dist`
//! into dist/lazy/, a classic worker script): findings, what-if matrix and verified suggestions
//! run here, off the main thread, and this wasm is fetched only when the
//! user opens the analysis panel, so the first load stays within budget.

mod protocol;
mod render;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
        let Some(request) = ev.data().as_string() else { return };
        let _ = reply_to.post_message(&JsValue::from(protocol::handle(&request)));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from(protocol::ready()));
}
