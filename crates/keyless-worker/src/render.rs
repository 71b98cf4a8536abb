//! The analysis panel's HTML, written here rather than in the page: the
//! page then links no rendering code for findings, matrix and suggestions
//! (about 7 KB brotli of its first load, measured). Every text is escaped; buttons
//! carry `data-action` (`goto`, `copy`, `use`) for the page's one click
//! handler, and the test hooks (`data-testid`) the browser tests use.

use keyless_core::sources::to_html;
use serde_json::Value;

/// Renders an analysis response (see `protocol`) as the panel's HTML.
pub fn panel(v: &Value) -> String {
    let mut out = Html::default();
    out.findings(v);
    out.matrix(v);
    out.suggestions(v);
    out.html
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

/// The panel's HTML being written.
#[derive(Default)]
pub struct Html {
    pub html: String,
}

impl Html {
    fn push(&mut self, s: &str) {
        self.html.push_str(s);
    }

    /// Escaped text (safe in content and in double-quoted attributes).
    fn text(&mut self, s: &str) {
        for c in s.chars() {
            match c {
                '&' => self.push("&amp;"),
                '<' => self.push("&lt;"),
                '>' => self.push("&gt;"),
                '"' => self.push("&quot;"),
                _ => self.html.push(c),
            }
        }
    }

    /// Escaped text with `backticked` parts as `<code>` and source tags
    /// ("(Z1)", "research §4.2") as links to their source (an `<abbr>` with
    /// the source as title when it has no URL).
    fn prose(&mut self, s: &str) {
        self.push(&to_html(s, true));
    }

    /// `<tag class="class">text</tag>`.
    fn el(&mut self, tag: &str, class: &str, text: &str) {
        self.push(&format!("<{tag} class=\"{class}\">"));
        if tag == "code" {
            self.text(text);
        } else {
            self.prose(text);
        }
        self.push(&format!("</{tag}>"));
    }

    /// A button the page acts on (`data-action`, see the panel's handler).
    fn button(&mut self, action: &str, attrs: &str, label: &str) {
        self.push(&format!(
            "<button type=\"button\" class=\"small ghost\" data-action=\"{action}\" {attrs}>{label}</button>"
        ));
    }

    /// The findings list.
    pub fn findings(&mut self, v: &Value) {
        let findings = list(v, "findings");
        self.push(&format!("<h3>Findings ({})</h3>", findings.len()));
        if findings.is_empty() {
            self.el("p", "muted", "No findings.");
        }
        self.push("<ul class=\"findings\">");
        for f in findings {
            let (id, sev, doc) = (text(f, "id"), text(f, "severity"), text(f, "doc"));
            let line = f.get("line").and_then(Value::as_u64);
            self.push(&format!("<li class=\"finding sev-{sev}\" data-testid=\"finding\" data-id=\""));
            self.text(id);
            self.push(&format!(
                "\" data-doc=\"{doc}\" data-line=\"{}\">",
                line.map(|l| l.to_string()).unwrap_or_default()
            ));
            self.el("span", &format!("badge sev-{sev}"), sev);
            self.push(" ");
            self.el("code", "id", id);
            self.push(" ");
            self.el("span", "cloud", text(f, "cloud"));
            self.push(" ");
            self.el("strong", "title", text(f, "title"));
            if let (Some(l), true) = (line, doc != "scenario") {
                self.push(&format!(
                    " <button type=\"button\" class=\"link loc\" title=\"Go to the line\" data-action=\"goto\" data-doc=\"{doc}\" data-start=\"{}\" data-end=\"{}\">{doc}:{l}:{}</button>",
                    num(f, "start"), num(f, "end"), num(f, "col")
                ));
            }
            self.el("p", "message", text(f, "message"));
            self.el("p", "fix", &format!("Fix: {}", text(f, "fix")));
            self.push("</li>");
        }
        self.push("</ul>");
    }

    /// The what-if matrix table.
    pub fn matrix(&mut self, v: &Value) {
        let Some(matrix) = v.get("matrix") else { return };
        let clouds: Vec<&str> = list(matrix, "clouds").iter().filter_map(Value::as_str).collect();
        let unintended: Vec<&str> = list(matrix, "unintended_admits").iter().map(|u| text(u, "row")).collect();
        let rows = list(matrix, "rows");
        self.push("<h3>What if…</h3>");
        self.el(
            "p",
            "hint",
            &format!("{} runs simulated; {} admitted that should not be.", rows.len(), unintended.len()),
        );
        // Scrolls sideways when the window is narrow: focusable for the keyboard.
        self.push("<div class=\"matrix-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"What-if runs\"><table class=\"matrix\" data-testid=\"matrix\"><thead><tr><th scope=\"col\">Run</th>");
        for c in &clouds {
            self.el("th", "cloud", c);
        }
        self.push("</tr></thead><tbody>");
        for r in rows {
            let id = text(r, "id");
            let bad = unintended.contains(&id);
            self.push(&format!(
                "<tr data-testid=\"matrix-row\" data-unintended=\"{bad}\" class=\"exp-{}{}\" data-row=\"",
                text(r, "expectation"),
                if bad { " unintended" } else { "" }
            ));
            self.text(id);
            self.push("\"><th scope=\"row\">");
            self.text(text(r, "description"));
            if let Some(sub) = r.get("sub").and_then(Value::as_str) {
                self.push("<br>");
                self.el("code", "sub", sub);
            }
            self.push("</th>");
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
                        self.push(&format!("<td class=\"{class}\" title=\""));
                        self.text(text(cell, "decided_by"));
                        self.push("\">");
                        self.push(word);
                        self.el("code", "code", text(cell, "code"));
                        self.push("</td>");
                    }
                    None => self.push("<td class=\"na\">—</td>"),
                }
            }
            self.push("</tr>");
        }
        self.push("</tbody></table></div>");
    }

    /// One card per suggestion.
    pub fn suggestions(&mut self, v: &Value) {
        self.push("<h3>Suggestions</h3>");
        for s in list(v, "suggestions") {
            let cloud = text(s, "cloud");
            let check = s.get("verified").unwrap_or(&Value::Null);
            let flag = |k: &str| check.get(k).and_then(Value::as_bool).unwrap_or(false);
            let verified = flag("verified");
            self.push(&format!("<article class=\"suggestion card\" data-testid=\"suggestion\" data-cloud=\"{cloud}\" data-verified=\"{verified}\"><div class=\"panel-head\">"));
            self.el("h4", "cloud", cloud);
            self.el("span", "hint", text(s, "summary"));
            let config = text(s, "config");
            self.button("use", &format!("data-testid=\"use-suggestion\" data-cloud=\"{cloud}\" title=\"Replace this cloud's editor text with the suggestion\""), "Use this");
            self.push("</div>");
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
            self.push("<ul class=\"notes\">");
            for n in list(s, "notes").iter().filter_map(Value::as_str) {
                self.el("li", "note", n);
            }
            self.push("</ul>");
            self.snippet("Configuration", config, true);
            for sn in list(s, "snippets") {
                self.snippet(text(sn, "title"), text(sn, "text"), false);
            }
            self.push("</article>");
        }
    }

    /// A titled text with a copy button; `config` marks the text "Use
    /// this" puts in the editor.
    fn snippet(&mut self, title: &str, body: &str, config: bool) {
        self.push("<div class=\"snippet\"><div class=\"snippet-head\">");
        self.el("span", "title", title);
        let mut name = Html::default();
        name.text(title);
        self.button("copy", &format!("aria-label=\"Copy {}\"", name.html), "Copy");
        // A text wider or taller than its box scrolls: focusable, so the
        // keyboard can scroll it too (WCAG 2.1.1; axe scrollable-region-focusable).
        self.push(if config {
            "</div><pre tabindex=\"0\"><code data-config>"
        } else {
            "</div><pre tabindex=\"0\"><code>"
        });
        self.text(body);
        self.push("</code></pre></div>");
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
