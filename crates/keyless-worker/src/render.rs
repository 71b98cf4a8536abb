//! The analysis panel's HTML, written here rather than in the page: the
//! page then links no rendering code for findings, matrix and suggestions
//! (about 7 KB brotli of its first load, measured). Buttons carry
//! `data-action` (`goto`, `copy`, `use`) for the page's one click handler,
//! and the test hooks (`data-testid`) the browser tests use.
//!
//! Written with the core's one HTML writer ([`Html`]): markup only as
//! `&'static str`, every value from the analysis escaped.

use keyless_core::html::{Html, StartTag};
use serde_json::Value;

/// Renders an analysis response (see `protocol`) as the panel's HTML.
pub fn panel(v: &Value) -> String {
    let mut out = Html::default();
    out.findings(v);
    out.matrix(v);
    out.suggestions(v);
    out.finish()
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn num(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or(0)
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// The panel's parts, written with the core's one HTML writer.
trait Panel {
    fn button(&mut self, action: &'static str, attrs: impl FnOnce(StartTag<'_>) -> StartTag<'_>, label: &'static str);
    fn findings(&mut self, v: &Value);
    fn matrix(&mut self, v: &Value);
    fn suggestions(&mut self, v: &Value);
    fn snippet(&mut self, title: &str, body: &str, config: bool);
}

impl Panel for Html {
    /// A button the page acts on (`data-action`, see the panel's handler);
    /// its other attributes are written by `attrs`.
    fn button(&mut self, action: &'static str, attrs: impl FnOnce(StartTag<'_>) -> StartTag<'_>, label: &'static str) {
        let tag = self.open("button").attr("type", "button").attr("class", "small ghost").attr("data-action", action);
        attrs(tag).body().raw(label).raw("</button>");
    }

    /// The findings list.
    fn findings(&mut self, v: &Value) {
        let findings = list(v, "findings");
        self.raw("<h3>").text(&format!("Findings ({})", findings.len())).raw("</h3>");
        if findings.is_empty() {
            self.el("p", "muted", "No findings.");
        }
        self.raw("<ul class=\"findings\">");
        for f in findings {
            let (id, sev, doc) = (text(f, "id"), text(f, "severity"), text(f, "doc"));
            let line = f.get("line").and_then(Value::as_u64);
            self.open("li")
                .attr("class", &format!("finding sev-{sev}"))
                .attr("data-testid", "finding")
                .attr("data-id", id)
                .attr("data-doc", doc)
                .attr("data-line", &line.map(|l| l.to_string()).unwrap_or_default())
                .body();
            self.el("span", &format!("badge sev-{sev}"), sev).raw(" ");
            self.el("code", "id", id).raw(" ");
            self.el("span", "cloud", text(f, "cloud")).raw(" ");
            self.el("strong", "title", text(f, "title"));
            if let (Some(l), true) = (line, doc != "scenario") {
                self.raw(" ")
                    .open("button")
                    .attr("type", "button")
                    .attr("class", "link loc")
                    .attr("title", "Go to the line")
                    .attr("data-action", "goto")
                    .attr("data-doc", doc)
                    .attr("data-start", &num(f, "start").to_string())
                    .attr("data-end", &num(f, "end").to_string())
                    .body()
                    .text(&format!("{doc}:{l}:{}", num(f, "col")))
                    .raw("</button>");
            }
            self.el("p", "message", text(f, "message"));
            self.el("p", "fix", &format!("Fix: {}", text(f, "fix")));
            self.raw("</li>");
        }
        self.raw("</ul>");
    }

    /// The what-if matrix table.
    fn matrix(&mut self, v: &Value) {
        let Some(matrix) = v.get("matrix") else { return };
        let clouds: Vec<&str> = list(matrix, "clouds").iter().filter_map(Value::as_str).collect();
        let unintended: Vec<&str> = list(matrix, "unintended_admits").iter().map(|u| text(u, "row")).collect();
        let rows = list(matrix, "rows");
        self.raw("<h3>What if…</h3>");
        self.el(
            "p",
            "hint",
            &format!("{} runs simulated; {} admitted that should not be.", rows.len(), unintended.len()),
        );
        // Scrolls sideways when the window is narrow: focusable for the keyboard.
        self.raw("<div class=\"matrix-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"What-if runs\"><table class=\"matrix\" data-testid=\"matrix\"><thead><tr><th scope=\"col\">Run</th>");
        for c in &clouds {
            self.el("th", "cloud", c);
        }
        self.raw("</tr></thead><tbody>");
        for r in rows {
            let id = text(r, "id");
            let bad = unintended.contains(&id);
            self.open("tr")
                .attr("data-testid", "matrix-row")
                .attr("data-unintended", if bad { "true" } else { "false" })
                .attr("class", &format!("exp-{}{}", text(r, "expectation"), if bad { " unintended" } else { "" }))
                .attr("data-row", id)
                .body()
                .raw("<th scope=\"row\">")
                .text(text(r, "description"));
            if let Some(sub) = r.get("sub").and_then(Value::as_str) {
                self.raw("<br>");
                self.el("code", "sub", sub);
            }
            self.raw("</th>");
            for c in &clouds {
                match r.get("cells").and_then(|cells| cells.get(*c)) {
                    Some(cell) => {
                        let admitted = cell.get("admitted").and_then(Value::as_bool).unwrap_or(false);
                        // Not a rejection: the cloud's answer hangs on a value
                        // Keyless cannot know (the runner's IP, the time).
                        let unknown = text(cell, "code") == "undetermined";
                        let (class, word) = match (admitted, unknown) {
                            (true, _) => ("admit", "admitted "),
                            (false, true) => ("unknown", "undetermined "),
                            (false, false) => ("reject", "rejected "),
                        };
                        self.open("td").attr("class", class).attr("title", text(cell, "decided_by")).body().raw(word);
                        self.el("code", "code", text(cell, "code")).raw("</td>");
                    }
                    None => {
                        self.raw("<td class=\"na\">—</td>");
                    }
                }
            }
            self.raw("</tr>");
        }
        self.raw("</tbody></table></div>");
    }

    /// One card per suggestion.
    fn suggestions(&mut self, v: &Value) {
        self.raw("<h3>Suggestions</h3>");
        for s in list(v, "suggestions") {
            let cloud = text(s, "cloud");
            let check = s.get("verified").unwrap_or(&Value::Null);
            let flag = |k: &str| check.get(k).and_then(Value::as_bool).unwrap_or(false);
            let verified = flag("verified");
            self.open("article")
                .attr("class", "suggestion card")
                .attr("data-testid", "suggestion")
                .attr("data-cloud", cloud)
                .attr("data-verified", if verified { "true" } else { "false" })
                .body()
                .raw("<div class=\"panel-head\">");
            self.el("h4", "cloud", cloud);
            self.el("span", "hint", text(s, "summary"));
            let config = text(s, "config");
            self.button(
                "use",
                |t| {
                    t.attr("data-testid", "use-suggestion")
                        .attr("data-cloud", cloud)
                        .attr("title", "Replace this cloud's editor text with the suggestion")
                },
                "Use this",
            );
            self.raw("</div>");
            if verified {
                self.el(
                    "p",
                    "verified ok",
                    &format!(
                        "verified: admits the intended runs, rejects {} what-if runs",
                        num(s, "rejects_unintended_runs")
                    ),
                );
            } else {
                let mut why: Vec<&str> = Vec::new();
                if !flag("parsed") {
                    why.push("the configuration did not parse");
                }
                if !flag("admits_intended") {
                    why.push("does not admit every intended run");
                }
                if !flag("rejects_unintended") {
                    why.push("admits unintended runs");
                }
                why.extend(list(check, "failures").iter().filter_map(Value::as_str));
                self.el("p", "verified no", &format!("not verified: {}", why.join("; ")));
            }
            let indistinguishable: Vec<&str> =
                list(check, "indistinguishable").iter().filter_map(Value::as_str).collect();
            if !indistinguishable.is_empty() {
                self.el("p", "hint", &format!("Cannot be told apart by this cloud: {}", indistinguishable.join(", ")));
            }
            self.raw("<ul class=\"notes\">");
            for n in list(s, "notes").iter().filter_map(Value::as_str) {
                self.el("li", "note", n);
            }
            self.raw("</ul>");
            self.snippet("Configuration", config, true);
            for sn in list(s, "snippets") {
                self.snippet(text(sn, "title"), text(sn, "text"), false);
            }
            self.raw("</article>");
        }
    }

    /// A titled text with a copy button; `config` marks the text "Use
    /// this" puts in the editor.
    fn snippet(&mut self, title: &str, body: &str, config: bool) {
        self.raw("<div class=\"snippet\"><div class=\"snippet-head\">");
        self.el("span", "title", title);
        self.button("copy", |t| t.attr("aria-label", &format!("Copy {title}")), "Copy");
        // A text wider or taller than its box scrolls: focusable, so the
        // keyboard can scroll it too (WCAG 2.1.1; axe scrollable-region-focusable).
        self.raw(if config {
            "</div><pre tabindex=\"0\"><code data-config>"
        } else {
            "</div><pre tabindex=\"0\"><code>"
        });
        self.text(body).raw("</code></pre></div>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn finding(message: &str) -> String {
        panel(&json!({ "findings": [{ "id": "KL-AZ-001", "severity": "high", "cloud": "azure", "doc": "azure",
            "title": "t <b>", "message": message, "fix": "see (D-REF)" }] }))
    }

    #[test]
    fn source_tags_are_links_or_abbrs_and_everything_is_escaped() {
        let html = finding("`eq` is exact \"<x>\" (A1; Z1, research §2.3)");
        assert!(html.contains("<code>eq</code> is exact &quot;&lt;x&gt;&quot; ("), "{html}");
        assert!(html.contains(
            "<a class=\"src\" href=\"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html\" target=\"_blank\" rel=\"noopener noreferrer\" title=\""
        ), "{html}");
        assert!(
            html.contains(">A1</a>; <abbr class=\"src\" tabindex=\"0\" title=\"MicrosoftDocs/entra-docs"),
            "{html}"
        );
        assert!(html.contains(">research §2.3</abbr>)"), "{html}");
        assert!(
            html.contains(
                "Fix: see (<a class=\"src\" href=\"https://docs.github.com/en/actions/reference/security/oidc\""
            ),
            "{html}"
        );
        assert!(html.contains("t &lt;b&gt;"), "{html}");
        // A title with quotes is escaped inside the attribute.
        let research = finding("(research §1)");
        let title = research.split("title=\"").nth(1).unwrap().split('"').next().unwrap();
        assert!(!title.contains('<') && title.contains("§1 of"), "{title}");
    }

    #[test]
    fn ids_and_code_are_not_linked() {
        let html = finding("`(A1)` role/A1 arn:aws:iam::1:role/Z1");
        let message = html.split("<p class=\"message\">").nth(1).unwrap().split("</p>").next().unwrap();
        assert_eq!(message, "<code>(A1)</code> role/A1 arn:aws:iam::1:role/Z1");
        assert!(html.contains("<code class=\"id\">KL-AZ-001</code>"), "{html}");
    }

    /// A response whose every string (ids, enum names, texts, cloud keys)
    /// is `v`, reaching every branch of the renderer that writes a value.
    fn every_field(v: &str) -> Value {
        json!({
            "findings": [{ "id": v, "severity": v, "cloud": v, "doc": v, "title": v, "message": v, "fix": v,
                "line": 3, "col": 4, "start": 10, "end": 12 }],
            "matrix": { "clouds": [v], "unintended_admits": [{ "row": v }], "rows": [
                { "id": v, "expectation": v, "description": v, "sub": v,
                  "cells": { v: { "admitted": false, "code": v, "decided_by": v } } }
            ] },
            "suggestions": [{ "cloud": v, "summary": v, "config": v, "rejects_unintended_runs": 1,
                "notes": [v], "snippets": [{ "title": v, "text": v }],
                "verified": { "verified": false, "failures": [v], "indistinguishable": [v] } }],
        })
    }

    const HOSTILE: &str = "x\"<>&'y";
    const ESCAPED: &str = "x&quot;&lt;&gt;&amp;&#39;y";

    #[test]
    fn every_value_is_escaped_in_text_and_attributes() {
        let plain = panel(&every_field("VALUE"));
        let hostile = panel(&every_field(HOSTILE));
        // Values only ever appear escaped: put back in place of the escaped
        // form, the markup is exactly that of a harmless value. A value
        // written unescaped anywhere (text, attribute, class) would stay.
        assert_eq!(hostile.replace(ESCAPED, "VALUE"), plain);
        assert!(plain.matches("VALUE").count() > 25, "every field was rendered: {plain}");
        // Attribute contexts, spelled out: no value closes its quotes.
        for attr in [
            "class=\"finding sev-",
            "data-id=\"",
            "data-doc=\"",
            "class=\"badge sev-",
            "class=\"exp-",
            "data-row=\"",
            "class=\"reject\" title=\"",
            "data-cloud=\"",
        ] {
            let at = hostile.find(attr).unwrap_or_else(|| panic!("{attr} in {hostile}"));
            let value = hostile[at + attr.len()..].split('"').next().unwrap();
            assert_eq!(value.trim_end_matches(" unintended"), ESCAPED, "{attr}");
        }
        assert!(hostile.contains(">x&quot;&lt;&gt;&amp;&#39;y:3:4</button>"), "{hostile}");
    }

    #[test]
    fn markup_is_unchanged_for_ordinary_values() {
        let html = panel(&every_field("azure"));
        assert!(html.starts_with("<h3>Findings (1)</h3><ul class=\"findings\"><li class=\"finding sev-azure\" data-testid=\"finding\" data-id=\"azure\" data-doc=\"azure\" data-line=\"3\"><span class=\"badge sev-azure\">azure</span> <code class=\"id\">azure</code>"), "{html}");
        assert!(html.contains(" <button type=\"button\" class=\"link loc\" title=\"Go to the line\" data-action=\"goto\" data-doc=\"azure\" data-start=\"10\" data-end=\"12\">azure:3:4</button>"), "{html}");
        assert!(html.contains("<tr data-testid=\"matrix-row\" data-unintended=\"true\" class=\"exp-azure unintended\" data-row=\"azure\"><th scope=\"row\">azure<br><code class=\"sub\">azure</code></th>"), "{html}");
        assert!(html.contains("<article class=\"suggestion card\" data-testid=\"suggestion\" data-cloud=\"azure\" data-verified=\"false\">"), "{html}");
        assert!(html.contains("<button type=\"button\" class=\"small ghost\" data-action=\"use\" data-testid=\"use-suggestion\" data-cloud=\"azure\" title=\"Replace this cloud&#39;s editor text with the suggestion\">Use this</button>"), "{html}");
        assert!(html.contains("<button type=\"button\" class=\"small ghost\" data-action=\"copy\" aria-label=\"Copy Configuration\">Copy</button></div><pre tabindex=\"0\"><code data-config>azure</code></pre>"), "{html}");
    }

    #[test]
    fn undetermined_cells_are_neither_admitted_nor_rejected() {
        let cell = |admitted: bool, code: &str| json!({ "admitted": admitted, "code": code, "decided_by": "d" });
        let html = panel(&json!({ "matrix": { "clouds": ["aws", "azure", "gcp"], "unintended_admits": [], "rows": [
            { "id": "r", "expectation": "admit", "description": "run", "cells": {
                "aws": cell(false, "undetermined"), "azure": cell(false, "AADSTS700213"), "gcp": cell(true, "allowed") } }
        ] } }));
        assert!(
            html.contains("<td class=\"unknown\" title=\"d\">undetermined <code class=\"code\">undetermined</code>"),
            "{html}"
        );
        assert!(html.contains("<td class=\"reject\" title=\"d\">rejected "), "{html}");
        assert!(html.contains("<td class=\"admit\" title=\"d\">admitted "), "{html}");
    }

    #[test]
    fn scrolling_boxes_are_focusable_and_copy_buttons_say_what_they_copy() {
        let html = panel(&json!({ "matrix": { "clouds": [], "unintended_admits": [], "rows": [] },
            "suggestions": [{ "cloud": "aws", "config": "{}", "snippets": [{ "title": "CLI \"x\"", "text": "aws iam" }] }] }));
        assert!(
            html.contains("<div class=\"matrix-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"What-if runs\">"),
            "{html}"
        );
        assert_eq!(html.matches("<pre tabindex=\"0\">").count(), 2, "{html}");
        assert!(html.contains("aria-label=\"Copy Configuration\">Copy</button>"), "{html}");
        assert!(html.contains("aria-label=\"Copy CLI &quot;x&quot;\">Copy</button>"), "{html}");
    }
}
