//! Indexes the fixtures of `tests/fixtures/` marked `preset: true` (id,
//! title, source, file name: a new fixture needs no code change) and embeds
//! the scenario text of the default preset only. The other presets' files
//! are copied into the build (`index.html`, `copy-dir`) and fetched when
//! clicked, so their text is not part of the first load.

use keyless_core::fixture::Fixture;
use std::fmt::Write as _;
use std::path::Path;

/// The preset a first visit opens with.
const DEFAULT_PRESET: &str = "aws-main-only";

fn main() {
    // The wasm keeps its relocations so that crates/keyless-split can move
    // the split points' code (src/clouds.rs) into chunks after the build.
    if std::env::var("TARGET").is_ok_and(|t| t.starts_with("wasm32")) {
        println!("cargo:rustc-link-arg-bins=--emit-relocs");
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "yaml")).collect())
        .unwrap_or_default();
    files.sort();
    let mut index = String::from(
        "/// Every fixture with `preset: true` (id, title, source, file name), sorted by file name.\npub const PRESETS: &[PresetInfo] = &[\n",
    );
    let mut default_text = None;
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let Ok(fixture) = Fixture::parse(&text) else { continue };
        if !fixture.preset {
            continue;
        }
        let _ = writeln!(
            index,
            "    PresetInfo {{ id: {:?}, title: {:?}, source: {:?}, file: {name:?} }},",
            fixture.id, fixture.title, fixture.source
        );
        if fixture.id == DEFAULT_PRESET || default_text.is_none() {
            default_text = Some((fixture.id.clone(), preset_part(&text)));
        }
    }
    index.push_str("];\n");
    let (id, text) = default_text.unwrap_or_default();
    let _ = writeln!(
        index,
        "/// The preset of a first visit, and its text without expectations.\npub const DEFAULT: (&str, &str) = ({id:?}, {text:?});"
    );
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("presets_index.rs");
    if let Err(e) = std::fs::write(&dest, index) {
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
