//! Presets: the fixtures marked `preset: true`, each a complete scenario.
//! Only the default preset's text is in the wasm; the others are fetched
//! from the build's `fixtures/` folder (relative URL: works under any
//! sub-path, and offline through the service worker's precache).

use keyless_core::doc;
use keyless_core::draft::ScenarioDraft;
use keyless_core::span::DocId;

/// One preset button, as indexed at build time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PresetInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub source: &'static str,
    /// The fixture's file name in `tests/fixtures/` (and `fixtures/` of the build).
    pub file: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/presets_index.rs"));

impl PresetInfo {
    /// Whether the preset's text is embedded (no fetch needed).
    pub fn is_default(&self) -> bool {
        self.id == DEFAULT.0
    }

    /// The URL of the fixture file, relative to the page.
    pub fn url(&self) -> String {
        format!("fixtures/{}", self.file)
    }
}

/// The draft a first visit opens with.
pub fn default_draft() -> ScenarioDraft {
    draft(DEFAULT.1)
}

/// The `scenario:` of a fixture's text as an editable draft (its
/// `expect:` and `variants:` are ignored).
pub fn draft(text: &str) -> ScenarioDraft {
    let Ok(root) = doc::parse(text, DocId::Scenario) else { return ScenarioDraft::default() };
    match root.get("scenario") {
        Some(node) => ScenarioDraft::from_node(text, node).0,
        None => ScenarioDraft::default(),
    }
}
