//! One component per panel.

pub mod analysis;
pub mod editor;
pub mod event_picker;
pub mod job_filter;
pub mod presets;
pub mod results;
pub mod settings;
pub mod share;
pub mod token_lab;
