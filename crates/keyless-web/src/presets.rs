//! Presets: the fixtures marked `preset: true`, each a complete scenario.

use keyless_core::doc;
use keyless_core::draft::ScenarioDraft;
use keyless_core::fixture::Fixture;
use keyless_core::span::DocId;

include!(concat!(env!("OUT_DIR"), "/fixture_files.rs"));

/// One preset button.
#[derive(Clone, Debug, PartialEq)]
pub struct Preset {
    pub id: String,
    pub title: String,
    pub source: String,
    text: &'static str,
}

impl Preset {
    /// The preset's scenario as an editable draft.
    pub fn draft(&self) -> ScenarioDraft {
        let Ok(root) = doc::parse(self.text, DocId::Scenario) else { return ScenarioDraft::default() };
        match root.get("scenario") {
            Some(node) => ScenarioDraft::from_node(self.text, node).0,
            None => ScenarioDraft::default(),
        }
    }
}

/// Every fixture with `preset: true`, in file-name order.
pub fn all() -> Vec<Preset> {
    FIXTURE_FILES
        .iter()
        .filter_map(|(_, text)| {
            let f = Fixture::parse(text).ok()?;
            f.preset.then_some(Preset { id: f.id, title: f.title, source: f.source, text })
        })
        .collect()
}
