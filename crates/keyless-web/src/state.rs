//! The app's state: the draft being edited and its evaluation, derived
//! live on every keystroke, without a debounce. A typical scenario
//! re-evaluates within milliseconds; the large benchmark scenario (80 job
//! runs) does not fit a frame yet (~160 ms in Chromium, BENCHMARKS.md
//! "Browser").

use crate::clouds::{self, LoadedClouds};
use keyless_core::diagnostic::Diagnostic;
use keyless_core::draft::ScenarioDraft;
use keyless_core::engine::{self, Report};
use keyless_core::span::{DocId, Span};
use keyless_core::verdict::Cloud;
use leptos::prelude::*;
use std::collections::BTreeSet;

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
        // Always "changed": comparing two reports costs more code and time than
        // re-rendering the results.
        let evaluation = Memo::new_owning(move |_| {
            let with = loaded.with(|l| l.clouds);
            (draft.with(|d| evaluate(d, &with)), true)
        });
        AppState {
            draft,
            evaluation,
            clouds: loaded,
            focus: RwSignal::new(None),
            open: RwSignal::new(BTreeSet::new()),
            finding_lines: RwSignal::new(String::new()),
        }
    }

    /// Edits the draft in place.
    pub fn edit(&self, f: impl FnOnce(&mut ScenarioDraft)) {
        self.draft.update(f);
    }

    /// The text of the editor showing `doc`.
    pub fn text_of(&self, doc: DocId) -> String {
        self.draft.with(|d| match doc {
            DocId::Workflow => d.workflow.clone(),
            party => Cloud::of_doc(party).map_or_else(String::new, |c| d.cloud_text(c).to_string()),
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
