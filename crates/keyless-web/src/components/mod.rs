//! One component per panel.

pub mod analysis;
pub mod diagnostics;
pub mod editor;
pub mod event_picker;
pub mod presets;
pub mod settings;
pub mod share;
pub mod token_card;
pub mod verdict_card;
