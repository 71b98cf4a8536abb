//! The one HTML writer of the playground's read-only output: the result
//! cards (crates/keyless-web) and the analysis panel (crates/keyless-worker).
//! Output that the user only reads is cheaper as a string the page inserts
//! than as framework views (measured: several KB of the first load per
//! panel), and one writer keeps it safe everywhere.
//!
//! Safe by construction: markup only enters as `&'static str` (tag and
//! attribute names, fixed fragments written in the source); every text
//! and attribute value goes through [`escape_into`], or [`to_html`] for
//! prose, which escapes with it. A value cannot open a tag or leave an
//! attribute, whatever it holds.

use crate::sources::{escape_into, to_html};

#[derive(Default)]
pub struct Html {
    out: String,
}

impl Html {
    /// Markup fixed in the source; never a value.
    pub fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    /// Escaped text (safe in content and in quoted attributes).
    pub fn text(&mut self, s: &str) -> &mut Self {
        escape_into(&mut self.out, s);
        self
    }

    /// `<tag`, then its attributes, then [`StartTag::body`] ends the start
    /// tag: the only way to write one, so no call site writes `>` itself.
    pub fn open(&mut self, tag: &'static str) -> StartTag<'_> {
        self.raw("<").raw(tag);
        StartTag { h: self }
    }

    /// `</tag>`.
    pub fn close(&mut self, tag: &'static str) -> &mut Self {
        self.raw("</").raw(tag).raw(">")
    }

    /// Escaped prose with `backticked` parts as `<code>` and source tags
    /// ("(Z1)", "research §4.2") as links to their source.
    pub fn prose(&mut self, s: &str) -> &mut Self {
        self.out.push_str(&to_html(s, true));
        self
    }

    /// [`Html::prose`] keeping the backticks as written (monospace text).
    pub fn prose_literal(&mut self, s: &str) -> &mut Self {
        self.out.push_str(&to_html(s, false));
        self
    }

    /// `<tag class="class">text</tag>`: `code` holds the text as is, any
    /// other tag as prose.
    pub fn el(&mut self, tag: &'static str, class: &str, text: &str) -> &mut Self {
        self.open(tag).attr("class", class).body();
        if tag == "code" {
            self.text(text);
        } else {
            self.prose(text);
        }
        self.close(tag)
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// A start tag being written: attributes, then [`StartTag::body`].
#[must_use = "end the start tag with .body()"]
pub struct StartTag<'a> {
    h: &'a mut Html,
}

impl<'a> StartTag<'a> {
    /// ` name="value"`, the value escaped.
    pub fn attr(self, name: &'static str, value: &str) -> Self {
        self.h.raw(" ").raw(name).raw("=\"").text(value).raw("\"");
        self
    }

    /// ` name` when `on` (a boolean attribute).
    pub fn flag(self, name: &'static str, on: bool) -> Self {
        if on {
            self.h.raw(" ").raw(name);
        }
        self
    }

    /// `>`: the start tag ends, the element's content follows.
    pub fn body(self) -> &'a mut Html {
        self.h.raw(">")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_in_text_and_attributes() {
        let mut h = Html::default();
        let evil = "\"><script>alert('x')</script>&";
        h.open("p").attr("title", evil).flag("hidden", true).flag("open", false).body().text(evil).close("p");
        h.el("span", evil, evil).el("code", "c", "<b>");
        let out = h.finish();
        assert!(!out.contains("<script>") && !out.contains("\"><"), "{out}");
        assert!(out.starts_with("<p title=\"&quot;&gt;&lt;script&gt;"), "{out}");
        assert!(out.contains(" hidden>") && !out.contains(" open"), "{out}");
        assert!(out.ends_with("<code class=\"c\">&lt;b&gt;</code>"), "{out}");
    }

    #[test]
    fn prose_links_sources_and_marks_code() {
        let mut h = Html::default();
        h.prose("uses `sub` (D-REF)");
        let out = h.finish();
        assert!(out.contains("<code>sub</code>") && out.contains("<a "), "{out}");
        let mut h = Html::default();
        h.prose_literal("uses `sub`");
        assert_eq!(h.finish(), "uses `sub`");
    }
}
