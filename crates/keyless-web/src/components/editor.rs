//! Text editors: a textarea over a backdrop that paints highlights (the
//! statement that decided a verdict, the step the user clicked), with a
//! line-number gutter and located error markers. The three layers share one
//! scroll container, so they cannot drift apart.

use crate::actions;
use crate::state::{AppState, show_span};
use crate::util::line_col;
use keyless_core::diagnostic::Diagnostic;
use keyless_core::html::Html;
use keyless_core::sources::escape_into;
use keyless_core::span::{DocId, Span};
use keyless_core::verdict::Cloud;
use leptos::prelude::*;

/// A highlight: byte range and CSS class.
type Highlight = (u32, u32, &'static str);

#[component]
pub fn WorkflowEditor() -> impl IntoView {
    view! {
        <Editor
            doc=DocId::Workflow
            title="Workflow"
            hint=".github/workflows/*.yml — the workflow under test"
            placeholder="on: push\npermissions:\n  id-token: write\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4"
        />
    }
}

/// One editor per relying party, in the parties' order.
#[component]
pub fn CloudEditors() -> impl IntoView {
    Cloud::ALL
        .into_iter()
        .map(|cloud| {
            let (hint, placeholder) = guide(cloud);
            view! { <Editor doc=cloud.doc() title=cloud.title() hint=hint placeholder=placeholder/> }
        })
        .collect_view()
}

/// What a party's editor takes (its hint) and an example (its placeholder).
fn guide(cloud: Cloud) -> (&'static str, &'static str) {
    match cloud {
        Cloud::Aws => (
            "IAM role trust policy (JSON), optionally with the OIDC provider",
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ ... ]\n}",
        ),
        Cloud::Azure => (
            "Federated identity credentials (JSON or YAML, a list or one)",
            "[{ \"issuer\": \"https://token.actions.githubusercontent.com\",\n   \"subject\": \"repo:my-org/my-repo:environment:prod\",\n   \"audiences\": [\"api://AzureADTokenExchange\"] }]",
        ),
        Cloud::Gcp => (
            "Workload identity provider and the service account's members",
            "provider:\n  attributeMapping: { google.subject: assertion.sub }\n  attributeCondition: assertion.repository_owner == 'my-org'",
        ),
        Cloud::Alibaba => (
            "RAM role trust policy (JSON), optionally with the OIDC provider",
            "{\n  \"Version\": \"1\",\n  \"Statement\": [ ... ]\n}",
        ),
        Cloud::Vault => (
            "JWT auth role (vault read auth/jwt/role/NAME -format=json), optionally with the mount's config",
            "name: my-role\nrole:\n  role_type: jwt\n  user_claim: actor\n  bound_audiences: [\"https://github.com/my-org\"]\n  bound_claims: { repository: my-org/my-repo }",
        ),
        Cloud::Pypi => (
            "The project's GitHub trusted publishers",
            "project: my-project\npublishers:\n  - owner: my-org\n    repository: my-repo\n    workflow_filename: release.yml\n    environment: pypi",
        ),
        Cloud::OctoSts => (
            "Trust policy (.github/chainguard/NAME.sts.yaml)",
            "issuer: https://token.actions.githubusercontent.com\nsubject: repo:my-org/my-repo:ref:refs/heads/main\npermissions: { contents: read }",
        ),
        Cloud::CratesIo => (
            "The crate's trusted publishing configurations",
            "crate: my-crate\nconfigs:\n  - repository_owner: my-org\n    repository_name: my-repo\n    workflow_filename: release.yml",
        ),
        Cloud::Npm => (
            "The package's trusted publisher",
            "package: my-package\nowner: my-org\nrepository: my-repo\nworkflow_filename: publish.yml",
        ),
    }
}

fn cloud_of(doc: DocId) -> Option<Cloud> {
    Cloud::of_doc(doc)
}

/// Sets an editor's text; `typed` when a keystroke did (a slow draft then
/// waits for a pause in typing, `AppState::type_into`).
fn set_text(state: &AppState, doc: DocId, text: String, typed: bool) {
    let set = |d: &mut keyless_core::draft::ScenarioDraft| match cloud_of(doc) {
        Some(c) => *d.cloud_text_mut(c) = text,
        None => d.workflow = text,
    };
    if typed { state.type_into(set) } else { state.edit(set) }
}

#[component]
fn Editor(doc: DocId, title: &'static str, hint: &'static str, placeholder: &'static str) -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = crate::state::editor_id(doc).unwrap_or("editor");
    let text = Memo::new(move |_| state.text_of(doc));
    let errors = Memo::new(move |_| {
        state.evaluation.with(|e| {
            e.diagnostics.iter().filter(|d| d.span.is_some_and(|s| s.doc == doc)).cloned().collect::<Vec<Diagnostic>>()
        })
    });
    // What decided each verdict in this editor, and what the user clicked.
    let highlights = Memo::new(move |_| {
        let mut hl: Vec<Highlight> = Vec::new();
        if let Some(cloud) = cloud_of(doc) {
            state.evaluation.with(|e| {
                for job in &e.report.jobs {
                    if let Some(v) = job.verdicts.get(&cloud)
                        && let Some(s) = v.decided_span.filter(|s| s.doc == doc)
                    {
                        hl.push((s.start, s.end, if v.allowed { "hl-allow" } else { "hl-deny" }));
                    }
                }
            });
        }
        for e in errors.get() {
            if let Some(s) = e.span {
                hl.push((s.start, s.end.max(s.start + 1), "hl-error"));
            }
        }
        if let Some(s) = state.focus.get().filter(|s| s.doc == doc) {
            hl.push((s.start, s.end, "hl-focus"));
        }
        hl
    });
    // The backdrop (the marks, and the text that sizes the editor) follows
    // the evaluation: for a large draft, repainting thousands of lines on
    // each keystroke is what made typing lag (state.rs).
    let backdrop = move || {
        state.evaluation.track();
        text.with_untracked(|t| paint(t, &highlights.get()))
    };
    // The gutter as a memo: a keystroke that adds no line and moves no
    // marker leaves a 5,000-line gutter's DOM alone.
    let gutter = Memo::new(move |_| {
        // One line index for all the errors (not one per error).
        let error_lines: Vec<u32> = text.with(|t| {
            let index = keyless_core::span::LineIndex::new(t);
            errors.get().iter().filter_map(|e| e.span).map(|s| index.line_col(t, s.start).line).collect()
        });
        let lines = text.with(|t| t.split('\n').count()).max(1);
        let found: Vec<(u32, String)> = state.finding_lines.with(|m| {
            crate::components::analysis::finding_lines(m)
                .filter(|(d, _, _)| *d == doc)
                .map(|(_, l, id)| (l, id.to_string()))
                .collect()
        });
        let mut html = String::new();
        for n in 1..=lines {
            let n32 = u32::try_from(n).unwrap_or(u32::MAX);
            if error_lines.contains(&n32) {
                html.push_str(&format!("<span class=\"err\">{n}</span>\n"));
            } else if let Some((_, title)) = found.iter().find(|(l, _)| *l == n32) {
                html.push_str("<span class=\"finding-line\" title=\"");
                escape_into(&mut html, title);
                html.push_str(&format!("\">{n}</span>\n"));
            } else {
                html.push_str(&format!("{n}\n"));
            }
        }
        html
    });
    let rows = move || text.with(|t| t.split('\n').count()).max(4);
    // The textarea shows the draft's text; after a keystroke it already
    // does, and writing 400 KB back into it would cost a relayout.
    let area = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |_| {
        text.with(|t| {
            if let Some(el) = area.get()
                && el.value() != *t
            {
                el.set_value(t);
            }
        })
    });
    let label_id = format!("{id}-label");
    let described = format!("{id}-errors");
    let keys_hint = format!("{id}-keys");
    let is_cloud = cloud_of(doc).is_some();
    let configured = move || !text.with(|t| t.trim().is_empty());
    // The problems under the editor: one button each (data-action="goto"),
    // written as HTML with one click handler for them all.
    let error_list = move || {
        text.with(|t| {
            let mut h = Html::default();
            for e in errors.get() {
                let span = e.span.unwrap_or(Span::new(doc, 0, 0));
                let lc = line_col(t, span.start);
                let button = h
                    .open("li")
                    .body()
                    .open("button")
                    .attr("type", "button")
                    .attr("class", &format!("marker {}", e.severity.as_str()))
                    .attr("data-testid", "editor-error")
                    .attr("data-line", &lc.line.to_string())
                    .attr("data-col", &lc.col.to_string());
                actions::goto_attrs(button, span)
                    .body()
                    .raw("<span class=\"loc\">")
                    .text(&format!("{}:{}", lc.line, lc.col))
                    .raw("</span> ");
                h.text(&e.message).raw("</button></li>");
            }
            h.finish()
        })
    };
    let on_error_click = move |ev: leptos::ev::MouseEvent| {
        if let Some(span) = actions::closest(&ev, "[data-action]").and_then(|b| actions::span_of(&b)) {
            show_span(&state, span);
        }
    };
    view! {
        <section class="panel editor-panel" class:empty=move || is_cloud && !configured()>
            <div class="panel-head">
                <h2 id=label_id.clone()>{title}</h2>
                <span class="hint">{hint}</span>
                {is_cloud.then(|| view! {
                    <button type="button" class="small ghost" aria-label=format!("Clear the {title} editor")
                        hidden=move || !configured() || crate::embed::options().readonly
                        on:click=move |_| set_text(&state, doc, String::new(), false)>"Clear"</button>
                })}
            </div>
            <div class="editor-scroll">
                <pre class="gutter" aria-hidden="true" inner_html=move || gutter.get()></pre>
                <div class="editor-stack">
                    <pre class="backdrop" aria-hidden="true" inner_html=backdrop></pre>
                    <textarea
                        id=id
                        data-testid=id
                        aria-labelledby=label_id
                        aria-describedby=format!("{described} {keys_hint}")
                        spellcheck="false"
                        autocapitalize="off"
                        autocomplete="off"
                        wrap="off"
                        rows=rows
                        placeholder=placeholder
                        readonly=crate::embed::options().readonly
                        node_ref=area
                        on:input=move |ev| set_text(&state, doc, event_target_value(&ev), true)
                        on:keydown=move |ev| indent_on_tab(&ev, &state, doc)
                    ></textarea>
                </div>
            </div>
            <p class="visually-hidden" id=keys_hint>"Tab indents by two spaces; press Escape, then Tab, to leave the editor."</p>
            <ul class="editor-errors" id=described inner_html=error_list on:click=on_error_click></ul>
        </section>
    }
}

/// Tab inserts two spaces (YAML forbids tabs for indentation); Escape then
/// Tab still leaves the editor, so keyboard users are never trapped.
fn indent_on_tab(ev: &leptos::ev::KeyboardEvent, state: &AppState, doc: DocId) {
    use wasm_bindgen::JsCast;
    if ev.key() == "Escape" {
        if let Some(area) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok()) {
            let _ = area.set_attribute("data-tab-exit", "");
        }
        return;
    }
    if ev.key() != "Tab" || ev.shift_key() || ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
        return;
    }
    let Some(area) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok()) else { return };
    if area.get_attribute("data-tab-exit").is_some() {
        let _ = area.remove_attribute("data-tab-exit");
        return;
    }
    ev.prevent_default();
    let value = area.value();
    let start = area.selection_start().ok().flatten().unwrap_or(0) as usize;
    let end = area.selection_end().ok().flatten().unwrap_or(0) as usize;
    let units: Vec<u16> = value.encode_utf16().collect();
    let before = String::from_utf16_lossy(units.get(..start).unwrap_or_default());
    let after = String::from_utf16_lossy(units.get(end.min(units.len())..).unwrap_or_default());
    let new = format!("{before}  {after}");
    area.set_value(&new);
    let caret = u32::try_from(start + 2).unwrap_or(0);
    let _ = area.set_selection_range(caret, caret);
    set_text(state, doc, new, true);
}

/// The backdrop's HTML: the text with `<mark>`s. Overlapping highlights are
/// painted in order; a later one wins where they overlap.
fn paint(text: &str, highlights: &[Highlight]) -> String {
    let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
    // Boundaries where the class changes, kept sorted and unique by
    // inserting in place (a handful of highlights: less wasm than a sort).
    let mut cuts: Vec<u32> = Vec::new();
    let mut add = |cut: u32| {
        if let Err(at) = cuts.binary_search(&cut) {
            cuts.insert(at, cut);
        }
    };
    let snap = |mut i: u32| {
        i = i.min(len);
        while i > 0 && !text.is_char_boundary(i as usize) {
            i -= 1;
        }
        i
    };
    add(0);
    add(len);
    for (s, e, _) in highlights {
        add(snap(*s));
        add(snap(*e));
    }
    let mut out = String::new();
    for pair in cuts.windows(2) {
        let (Some(&a), Some(&b)) = (pair.first(), pair.get(1)) else { continue };
        let Some(piece) = text.get(a as usize..b as usize) else { continue };
        let class = highlights.iter().rev().find(|(s, e, _)| *s <= a && b <= *e).map(|(_, _, c)| *c);
        match class {
            Some(c) => {
                out.push_str("<mark class=\"");
                out.push_str(c);
                out.push_str("\">");
                escape_into(&mut out, piece);
                out.push_str("</mark>");
            }
            None => escape_into(&mut out, piece),
        }
    }
    // A trailing newline needs a character after it to take up a line.
    out.push(' ');
    out
}
