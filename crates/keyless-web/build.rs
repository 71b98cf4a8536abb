//! Embeds every fixture of `tests/fixtures/` so the playground offers those
//! marked `preset: true` (the list is read at build time: a new fixture
//! needs no code change).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "yaml")).collect())
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("/// Fixture files (name, text without expectations), sorted by name.\npub const FIXTURE_FILES: &[(&str, &str)] = &[\n");
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let _ = writeln!(out, "    ({name:?}, {:?}),", preset_part(&text));
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("fixture_files.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
    }
}

/// The fixture without its top-level `expect:` and `variants:` (the
/// playground loads only the scenario; the tests read the full files).
fn preset_part(text: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        let top_level = line.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if top_level {
            skipping = line.starts_with("expect:") || line.starts_with("variants:");
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
