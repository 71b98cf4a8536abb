//! The delegated handlers' shared parts: read-only regions are written as
//! HTML (`keyless_core::html`), and the elements a user can act on in them
//! carry their action in `data-*` attributes that one click handler per
//! region reads. `goto` spans are written by [`goto_attrs`] here and by the
//! analysis worker (same attribute names).

use crate::state::{doc_key, doc_of};
use keyless_core::html::StartTag;
use keyless_core::span::Span;
use wasm_bindgen::JsCast;

/// The element matching `selector` that an event landed in (the target or
/// its closest ancestor).
pub fn closest(ev: &web_sys::Event, selector: &str) -> Option<web_sys::Element> {
    ev.target()?.dyn_into::<web_sys::Element>().ok()?.closest(selector).ok().flatten()
}

/// An attribute's value, empty when absent.
pub fn attr(el: &web_sys::Element, name: &str) -> String {
    el.get_attribute(name).unwrap_or_default()
}

/// ` data-action="goto" data-doc=… data-start=… data-end=…`: a span to show
/// in its editor.
pub fn goto_attrs(tag: StartTag<'_>, s: Span) -> StartTag<'_> {
    tag.attr("data-action", "goto")
        .attr("data-doc", doc_key(s.doc).unwrap_or_default())
        .attr("data-start", &s.start.to_string())
        .attr("data-end", &s.end.to_string())
}

/// The span a `goto` element points at.
pub fn span_of(el: &web_sys::Element) -> Option<Span> {
    let n = |k: &str| attr(el, k).parse::<usize>().unwrap_or(0);
    Some(Span::new(doc_of(&attr(el, "data-doc"))?, n("data-start"), n("data-end")))
}
