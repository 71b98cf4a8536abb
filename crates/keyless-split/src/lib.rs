//! `keyless-split`: splits the playground's linked wasm at its
//! `#[wasm_split]` points (crates/keyless-web/src/clouds.rs) into a main
//! module and lazily loaded chunks. One step of `cargo xtask dist`
//! (crates/xtask/src/dist.rs), which runs wasm-bindgen and wasm-opt on the
//! parts afterwards.
//!
//! It does what `cargo leptos --split` does, with the same library
//! (`wasm_split_cli_support`, the splitter behind Leptos' `#[lazy]`): the
//! input keeps the linker's relocations (`--emit-relocs`, see
//! crates/keyless-web/build.rs), the main part still needs wasm-bindgen
//! (run with `--keep-lld-exports`: the chunks import the function table
//! from it), and a small JS module (the "loader") fetches and instantiates
//! a chunk the first time one of its functions is called.

use std::path::{Path, PathBuf};

/// Where the chunks live in the site, relative to the page: the budget
/// counts everything at the top of dist/ as first load, so what can wait
/// goes here.
pub const LAZY_DIR: &str = "lazy";

/// The parts of a split wasm, written into the work directory given to [`split`].
#[derive(Debug)]
pub struct Split {
    /// The main module, for wasm-bindgen (`<stem>.wasm` in the work directory).
    pub main_wasm: PathBuf,
    /// The loader module's name (`<stem>.split.js`): it goes next to the
    /// app's JS, which imports it.
    pub loader_name: String,
    /// The loader module's text, fetching each chunk from
    /// `lazy/<stem>-<chunk>.wasm`, relative to itself.
    pub loader_js: String,
    /// Each chunk: the file in the work directory and its name in `lazy/`.
    pub chunks: Vec<(PathBuf, String)>,
}

/// Splits `input` (a linked wasm with relocations) for an app whose
/// wasm-bindgen JS will be `./<stem>.js`, writing the parts into `work`.
/// `Ok(None)`: the wasm has no split points (then use it as it is).
pub fn split(input: &[u8], stem: &str, work: &Path) -> Result<Option<Split>, String> {
    let main_wasm = work.join(format!("{stem}.wasm"));
    let main_module = format!("./{stem}.js");
    let loader_name = format!("{stem}.split.js");
    let link_name = format!("./{loader_name}");
    let out = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(input);
        opts.output_dir = work;
        opts.main_out_path = &main_wasm;
        opts.link_name = &link_name;
        opts.main_module = &main_module;
        opts
    })
    .map_err(|e| format!("splitting the wasm: {e:?}"))?;
    if out.split_modules.is_empty() {
        return Ok(None);
    }
    let generated = work.join(&loader_name);
    let mut loader_js = std::fs::read_to_string(&generated).map_err(|e| format!("{}: {e}", generated.display()))?;
    let mut chunks = Vec::new();
    for module in &out.split_modules {
        let file = module.file_name().and_then(|f| f.to_str()).ok_or("a split module has no file name")?;
        let name = chunk_name(stem, file);
        loader_js = relocate_chunk(&loader_js, file, &name)?;
        chunks.push((module.clone(), name));
    }
    chunks.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(Some(Split { main_wasm, loader_name, loader_js, chunks }))
}

/// A chunk's name in `lazy/`: the app's stem keeps it unique to the build.
fn chunk_name(stem: &str, file: &str) -> String {
    format!("{stem}-{file}")
}

/// The loader with its fetch of `./<file>` pointed at `./lazy/<name>`.
fn relocate_chunk(loader_js: &str, file: &str, name: &str) -> Result<String, String> {
    let from = format!("new URL(\"./{file}\"");
    if !loader_js.contains(&from) {
        return Err(format!("the loader module does not fetch {file}"));
    }
    Ok(loader_js.replace(&from, &format!("new URL(\"./{LAZY_DIR}/{name}\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_fetched_from_lazy_under_the_apps_stem() {
        let js = "const a = fetch(new URL(\"./split_azure.wasm\", import.meta.url));";
        let name = chunk_name("keyless-web-0123", "split_azure.wasm");
        assert_eq!(name, "keyless-web-0123-split_azure.wasm");
        assert_eq!(
            relocate_chunk(js, "split_azure.wasm", &name).as_deref(),
            Ok("const a = fetch(new URL(\"./lazy/keyless-web-0123-split_azure.wasm\", import.meta.url));")
        );
        assert!(relocate_chunk(js, "split_gcp.wasm", "x").is_err());
    }

    #[test]
    fn a_wasm_that_is_not_one_is_an_error() {
        let dir = std::env::temp_dir().join(format!("keyless-split-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        assert!(split(b"not a wasm", "s", &dir).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
