//! The app's state: the draft being edited and its evaluation. A typical
//! scenario re-evaluates within milliseconds, so it is evaluated live on
//! every keystroke. The large benchmark scenario (80 job runs) takes
//! ~110 ms in Chromium to evaluate and render (BENCHMARKS.md "Browser"): evaluating it on every
//! keystroke would hold the main thread for ten frames per character, so a
//! large draft ([`LIVE_MAX_BYTES`], [`LIVE_MAX_VERDICTS`]) or one whose last
//! evaluation and rendering did not fit [`LIVE_BUDGET_MS`] is evaluated
//! once typing pauses ([`PAUSE`]), and the results say they are updating
//! meanwhile (`pending`, `aria-busy`). Only typing waits ([`AppState::type_into`]):
//! a preset, an import or a permalink is evaluated at once.

use crate::clouds::{self, LoadedClouds};
use keyless_core::diagnostic::Diagnostic;
use keyless_core::draft::ScenarioDraft;
use keyless_core::engine::{self, Report};
use keyless_core::span::{DocId, Span};
use keyless_core::verdict::Cloud;
use leptos::prelude::*;
use std::collections::BTreeSet;
use std::time::Duration;

/// An evaluation and its results' rendering that took longer than this
/// make the next keystrokes wait for a pause in typing. Three frames at
/// 60 Hz: up to it, re-evaluating on each keystroke still reads as live;
/// the large scenario's ~110 ms would stall every character.
const LIVE_BUDGET_MS: f64 = 50.0;

/// Drafts larger than this (the texts, in bytes) or reports with more
/// verdicts wait for a pause in typing whatever the clock says: the rule
/// that decides a large draft does not depend on how busy the machine is.
/// A preset is a few KB and a few verdicts; the large benchmark scenario
/// 422 KB and 240 verdicts.
const LIVE_MAX_BYTES: usize = 128 * 1024;
const LIVE_MAX_VERDICTS: usize = 96;

/// The pause in typing after which a slow draft is evaluated.
const PAUSE: Duration = Duration::from_millis(250);

/// A draft's verdicts and every problem found in its inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub report: Report,
    pub diagnostics: Vec<Diagnostic>,
}

/// Shared through context by every panel.
#[derive(Clone, Copy)]
pub struct AppState {
    pub draft: RwSignal<ScenarioDraft>,
    pub evaluation: Memo<Evaluation>,
    /// The draft changed and its evaluation waits for a pause in typing:
    /// the results shown are the previous draft's.
    pub pending: ReadSignal<bool>,
    /// The cloud evaluators loaded so far (see `clouds`).
    pub clouds: RwSignal<LoadedClouds>,
    /// The span the user asked to see (a trace step, a decided_by).
    pub focus: RwSignal<Option<Span>>,
    /// Which collapsible panels are open, by key, so re-rendered results
    /// keep them open while the user types.
    pub open: RwSignal<BTreeSet<String>>,
    /// Lines the analysis panel found something on, as the worker's
    /// `marks` (see `components::analysis::finding_lines`), marked in the
    /// editors' gutters. Empty while the panel is closed.
    pub finding_lines: RwSignal<String>,
    /// The job whose cards the results show ("" = all; the job filter).
    pub job_filter: RwSignal<String>,
    /// The last draft change was typed in an editor (may wait for a pause).
    typed: StoredValue<bool>,
    /// What the last evaluation and its rendering cost, in ms.
    cost_ms: StoredValue<f64>,
}

impl AppState {
    pub fn new(initial: ScenarioDraft) -> AppState {
        let draft = RwSignal::new(initial);
        let loaded = RwSignal::new(LoadedClouds::first_load());
        // A party's evaluator is fetched when its editor first holds text
        // (`ensure` does nothing for one that is loaded, like AWS).
        Effect::new(move |_| {
            draft.with(|d| {
                for cloud in Cloud::ALL {
                    if !d.cloud_text(cloud).trim().is_empty() {
                        clouds::ensure(loaded, cloud);
                    }
                }
            })
        });
        // The evaluation follows `settled`, which follows the draft at once
        // while evaluating is cheap and after a pause once it is not.
        let settled = RwSignal::new(0u32);
        let (pending, set_pending) = signal(false);
        let cost_ms = StoredValue::new(0.0f64);
        // Always "changed": comparing two reports costs more code and time than
        // re-rendering the results.
        let large = StoredValue::new(false);
        let evaluation = Memo::new_owning(move |_| {
            settled.track();
            let with = loaded.with(|l| l.clouds);
            let started = js_sys::Date::now();
            let (e, bytes) = draft.with_untracked(|d| {
                let bytes = d.workflow.len() + Cloud::ALL.iter().map(|c| d.cloud_text(*c).len()).sum::<usize>();
                (evaluate(d, &with), bytes)
            });
            cost_ms.set_value(js_sys::Date::now() - started);
            let verdicts: usize = e.report.jobs.iter().map(|j| j.verdicts.len()).sum();
            large.set_value(bytes > LIVE_MAX_BYTES || verdicts > LIVE_MAX_VERDICTS);
            set_pending.set(false);
            (e, true)
        });
        let timer = StoredValue::new(None::<TimeoutHandle>);
        let typed = StoredValue::new(false);
        Effect::new(move |first: Option<()>| {
            draft.track();
            // The first run only subscribes: the evaluation read the draft.
            if first.is_none() {
                return;
            }
            if let Some(t) = timer.try_update_value(Option::take).flatten() {
                t.clear();
            }
            let typed = typed.try_update_value(std::mem::take).unwrap_or(false);
            if !typed || (!large.get_value() && cost_ms.get_value() <= LIVE_BUDGET_MS) {
                settled.update(|n| *n = n.wrapping_add(1));
            } else {
                set_pending.set(true);
                let handle = set_timeout_with_handle(move || settled.update(|n| *n = n.wrapping_add(1)), PAUSE);
                timer.set_value(handle.ok());
            }
        });
        AppState {
            draft,
            evaluation,
            pending,
            clouds: loaded,
            focus: RwSignal::new(None),
            open: RwSignal::new(BTreeSet::new()),
            finding_lines: RwSignal::new(String::new()),
            job_filter: RwSignal::new(String::new()),
            typed,
            cost_ms,
        }
    }

    /// Edits the draft in place.
    pub fn edit(&self, f: impl FnOnce(&mut ScenarioDraft)) {
        self.draft.update(f);
    }

    /// Counts rendering the results into the last evaluation's cost (the
    /// results panel times itself).
    pub fn add_render_cost(&self, ms: f64) {
        self.cost_ms.update_value(|c| *c += ms);
    }

    /// A keystroke in an editor: like [`AppState::edit`], but a slow draft
    /// is evaluated once typing pauses.
    pub fn type_into(&self, f: impl FnOnce(&mut ScenarioDraft)) {
        self.typed.set_value(true);
        self.draft.update(f);
    }

    /// The text of the editor showing `doc`.
    pub fn text_of(&self, doc: DocId) -> String {
        self.draft.with(|d| match doc {
            DocId::Workflow => d.workflow.clone(),
            party => Cloud::of_doc(party).map_or_else(String::new, |c| d.cloud_text(c).to_string()),
        })
    }

    /// Where `offset` is in the editor showing `doc`, read without
    /// subscribing to the draft: results place their locations with it and
    /// re-render when the evaluation changes, not on every keystroke (and
    /// without copying a 400 KB workflow per location).
    pub fn line_col_untracked(&self, doc: DocId, offset: u32) -> keyless_core::span::LineCol {
        self.draft.with_untracked(|d| {
            let text = match doc {
                DocId::Workflow => d.workflow.as_str(),
                party => Cloud::of_doc(party).map_or("", |c| d.cloud_text(c)),
            };
            crate::util::line_col(text, offset)
        })
    }
}

fn evaluate(draft: &ScenarioDraft, clouds: &keyless_core::Clouds) -> Evaluation {
    let (scenario, mut diagnostics) = draft.build_with(clouds);
    let report = engine::evaluate_with(&scenario, clouds);
    diagnostics.extend(report.diagnostics.iter().cloned());
    Evaluation { report, diagnostics }
}

/// The editor element id for a document (for focusing a location).
pub fn editor_id(doc: DocId) -> Option<&'static str> {
    Some(match doc {
        DocId::Workflow => "editor-workflow",
        DocId::Aws => "editor-aws",
        DocId::Azure => "editor-azure",
        DocId::Gcp => "editor-gcp",
        DocId::Alibaba => "editor-alibaba",
        DocId::Vault => "editor-vault",
        DocId::Pypi => "editor-pypi",
        DocId::OctoSts => "editor-octo_sts",
        DocId::CratesIo => "editor-crates_io",
        DocId::Npm => "editor-npm",
        _ => return None,
    })
}

/// The short name of an editor's document in `data-doc` attributes (the
/// results' and the analysis panel's "goto" buttons).
pub fn doc_key(doc: DocId) -> Option<&'static str> {
    match doc {
        DocId::Workflow => Some("workflow"),
        party => Cloud::of_doc(party).map(Cloud::key),
    }
}

/// The inverse of [`doc_key`].
pub fn doc_of(key: &str) -> Option<DocId> {
    match key {
        "workflow" => Some(DocId::Workflow),
        party => Cloud::from_key(party).map(Cloud::doc),
    }
}

/// A human name for where a span points.
pub fn doc_title(doc: DocId) -> &'static str {
    match doc {
        DocId::Workflow => "workflow",
        DocId::Scenario => "settings",
        DocId::Reusable(_) => "reusable workflow",
        DocId::File(_) => "file",
        party => Cloud::of_doc(party).map_or("file", Cloud::title),
    }
}

/// Moves the caret to a span in its editor and highlights it.
pub fn show_span(state: &AppState, span: Span) {
    state.focus.set(Some(span));
    if let Some(id) = editor_id(span.doc) {
        let text = state.text_of(span.doc);
        let start = crate::util::utf16_offset(&text, span.start);
        let end = crate::util::utf16_offset(&text, span.end);
        crate::browser::focus_at(id, start, end);
    }
}
