//! `cargo xtask dist`: the production site in `dist/`, the one build that
//! `cargo xtask test`, the browser tests, `cargo xtask serve` and the Pages
//! workflow use. [`STEPS`] is the whole pipeline, in order; each step is a
//! function below. Every tool is pinned: cargo with the toolchain's own
//! std source (`std_for_size`), wasm-bindgen-cli at the crate's version
//! (`cargo xtask setup`), binaryen's wasm-opt and terser from
//! `web/package.json`.

use crate::{Result, cargo_bin, collect_files, output, root, run};
use base64::Engine as _;
use sha2::{Digest, Sha256, Sha384};
use std::path::{Path, PathBuf};
use std::process::Command;

mod js_module;

/// The production build, in order. A step adds files to `dist/`; a new
/// artifact (a JS module, another page) is one more line before
/// `minify_js`, so its JS is minified, its files precached by the service
/// worker and, when index.html loads them, given integrity hashes (the JS
/// module is last on purpose: see its line).
pub const STEPS: &[(&str, Step)] = &[
    ("the app: compile (std for size), split into lazy chunks, wasm-bindgen, wasm-opt", app),
    ("the analysis worker: compile, wasm-bindgen, wasm-opt, loader", analysis_worker),
    ("the stylesheet: minify, hash its name", stylesheet),
    ("static files: manifest, icons", static_files),
    ("the presets' fixtures", preset_fixtures),
    ("minify the JS (terser)", minify_js),
    ("index.html from its template: hashed names, integrity, CSP", index_html),
    ("the service worker: precache every file", service_worker),
    // After the service worker: the playground never loads the module, so
    // its visitors should not download it on install.
    ("the JS module (dist/module/): compile, wasm-bindgen, wasm-opt, npm files", js_module::js_module),
];

/// One step of the build: it adds files to dist/ and says what index.html loads.
pub type Step = fn(&mut Build) -> Result;

/// wasm-opt's flags, for every wasm of the site (the app, its chunks, the
/// analysis worker): size first, and the features the Rust toolchain's
/// wasm32 output uses. `--low-memory-unused`: the app never touches the
/// first 1 KB of memory, so wasm-opt may fold constant offsets into loads
/// and stores. Measured: docs/size.md.
pub const WASM_OPT_FLAGS: &[&str] = &[
    "-Oz",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
    "--low-memory-unused",
];

const TARGET: &str = "wasm32-unknown-unknown";
/// The playground's cargo profile (the workspace Cargo.toml: size first).
const PROFILE: &str = "wasm-release";
/// The analysis worker's loader: the page starts the worker from this
/// fixed name (`LOADER` in crates/keyless-web/src/analysis_worker.rs), and
/// it loads the worker's hashed files.
const WORKER_LOADER: &str = "keyless-worker_loader.js";

/// What the steps share: where things go, and what index.html must load.
pub struct Build {
    root: PathBuf,
    pub dist: PathBuf,
    /// Scratch space (target/dist-work), emptied at the start of a build.
    work: PathBuf,
    /// `keyless_core::VERSION` for this build (see [`version`]).
    version: String,
    /// What index.html loads before the first verdict, in order.
    first_load: Vec<FirstLoad>,
    /// The app's JS module and wasm, which index.html's start script runs.
    entry: Option<(String, String)>,
    /// JS files to minify (relative to dist/), and whether each is an ES module.
    js: Vec<(String, bool)>,
}

/// A file index.html references (relative to dist/).
enum FirstLoad {
    Module(String),
    Wasm(String),
    Stylesheet(String),
}

/// Builds the site into dist/ (emptied first) and checks the first-load
/// budget on it; returns the first load in bytes (brotli).
pub fn dist() -> Result<u64> {
    let root = root();
    let dist = root.join("dist");
    let work = target_dir().join("dist-work");
    for dir in [&dist, &work] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        mkdir(dir)?;
    }
    let mut build = Build { root, dist, work, version: version(), first_load: Vec::new(), entry: None, js: Vec::new() };
    eprintln!("xtask dist: Keyless {}", build.version);
    for (i, (name, step)) in STEPS.iter().enumerate() {
        eprintln!("xtask dist: [{}/{}] {name}", i + 1, STEPS.len());
        step(&mut build)?;
    }
    let total = crate::size()?;
    if total > crate::BUDGET_BYTES {
        return Err(format!(
            "first load is {total} bytes brotli, over the {} KB budget (docs/size.md)",
            crate::BUDGET_BYTES / 1024
        ));
    }
    Ok(total)
}

/// `keyless_core::VERSION` for a build of this tree: `$KEYLESS_VERSION`
/// when set, else the crate version and the short commit (`0.1.0+1a2b3c4`),
/// else (no git, no repository) the crate version alone. xtask is a member
/// of the same workspace, so its package version is the core's.
pub fn version() -> String {
    if let Some(v) = std::env::var("KEYLESS_VERSION").ok().filter(|v| !v.trim().is_empty()) {
        return v.trim().to_string();
    }
    let package = env!("CARGO_PKG_VERSION");
    let dir = root();
    let commit = output("git", &["-C", &dir.to_string_lossy(), "rev-parse", "--short", "HEAD"]).unwrap_or_default();
    match commit.trim() {
        "" => package.to_string(),
        c => format!("{package}+{c}"),
    }
}

fn app(b: &mut Build) -> Result {
    let linked = compile_wasm(b, "keyless-web")?;
    let input = read(&linked)?;
    let stem = format!("keyless-web-{}", short_hash(&input));
    let work = b.work.join("app");
    mkdir(&work)?;
    let mut optimise = Vec::new();
    let (main_wasm, keep_lld_exports) = match keyless_split::split(&input, &stem, &work)? {
        Some(split) => {
            let lazy = b.dist.join(keyless_split::LAZY_DIR);
            mkdir(&lazy)?;
            for (file, name) in split.chunks {
                optimise.push((file, lazy.join(name)));
            }
            write(&b.dist.join(&split.loader_name), &split.loader_js)?;
            b.first_load.push(FirstLoad::Module(split.loader_name.clone()));
            b.js.push((split.loader_name, true));
            (split.main_wasm, true)
        }
        None => (linked, false),
    };
    let bindgen = work.join("bindgen");
    // The chunks import `__indirect_function_table`, which wasm-bindgen
    // drops unless told to keep the linker's exports.
    wasm_bindgen(&main_wasm, &bindgen, &stem, "web", if keep_lld_exports { &["--keep-lld-exports"] } else { &[] })?;
    let (js, wasm) = (format!("{stem}.js"), format!("{stem}_bg.wasm"));
    copy(&bindgen.join(&js), &b.dist.join(&js))?;
    optimise.push((bindgen.join(&wasm), b.dist.join(&wasm)));
    wasm_opt(&optimise)?;
    // wasm-bindgen's snippets (`inline_js`), which the app's JS imports.
    let mut snippets = Vec::new();
    if bindgen.join("snippets").is_dir() {
        collect_files(&bindgen, &bindgen.join("snippets"), &mut snippets)?;
    }
    snippets.sort();
    for s in snippets {
        let to = b.dist.join(&s);
        if let Some(dir) = to.parent() {
            mkdir(dir)?;
        }
        copy(&bindgen.join(&s), &to)?;
        b.js.push((s.clone(), true));
        b.first_load.push(FirstLoad::Module(s));
    }
    b.first_load.insert(0, FirstLoad::Module(js.clone()));
    b.first_load.push(FirstLoad::Wasm(wasm.clone()));
    b.js.push((js.clone(), true));
    b.entry = Some((js, wasm));
    Ok(())
}

fn analysis_worker(b: &mut Build) -> Result {
    let linked = compile_wasm(b, "keyless-worker")?;
    let stem = format!("keyless-worker-{}", short_hash(&read(&linked)?));
    let bindgen = b.work.join("worker");
    // A classic worker script (the page starts it with `new Worker(url)`).
    wasm_bindgen(&linked, &bindgen, &stem, "no-modules", &[])?;
    let lazy = b.dist.join(keyless_split::LAZY_DIR);
    mkdir(&lazy)?;
    let (js, wasm) = (format!("{stem}.js"), format!("{stem}_bg.wasm"));
    copy(&bindgen.join(&js), &lazy.join(&js))?;
    wasm_opt(&[(bindgen.join(&wasm), lazy.join(&wasm))])?;
    // URLs in a worker resolve from the worker script's own URL (lazy/).
    let loader = format!("importScripts(\"./{js}\");wasm_bindgen({{module_or_path:\"./{wasm}\"}});\n");
    write(&lazy.join(WORKER_LOADER), &loader)?;
    b.js.push((format!("{}/{js}", keyless_split::LAZY_DIR), false));
    Ok(())
}

fn stylesheet(b: &mut Build) -> Result {
    let css = minify_css(&read_text(&b.root.join("web/style.css"))?);
    let name = format!("style-{}.css", short_hash(css.as_bytes()));
    write(&b.dist.join(&name), &css)?;
    b.first_load.push(FirstLoad::Stylesheet(name));
    Ok(())
}

fn static_files(b: &mut Build) -> Result {
    copy(&b.root.join("web/manifest.webmanifest"), &b.dist.join("manifest.webmanifest"))?;
    copy_dir(&b.root.join("web/icons"), &b.dist.join("icons"), |_| true)
}

/// The presets other than the default are fetched from `fixtures/` when
/// clicked (crates/keyless-web/src/presets.rs).
fn preset_fixtures(b: &mut Build) -> Result {
    copy_dir(&b.root.join("tests/fixtures"), &b.dist.join("fixtures"), |p| p.extension().is_some_and(|e| e == "yaml"))
}

fn minify_js(b: &mut Build) -> Result {
    let mut cmd = Command::new("node");
    cmd.arg(b.root.join("web/minify.mjs"));
    let modules = b.js.iter().filter(|(_, m)| *m).map(|(f, _)| f);
    let scripts = b.js.iter().filter(|(_, m)| !*m).map(|(f, _)| f);
    cmd.args(modules.map(|f| b.dist.join(f)));
    cmd.arg("--script").args(scripts.map(|f| b.dist.join(f)));
    run(&mut cmd)
}

fn index_html(b: &mut Build) -> Result {
    let (js, wasm) = b.entry.as_ref().ok_or("index.html: the app was not built")?;
    let mut assets = String::new();
    for item in &b.first_load {
        let tag = match item {
            FirstLoad::Module(f) => {
                format!(
                    "<link rel=\"modulepreload\" href=\"./{f}\" crossorigin=\"anonymous\" integrity=\"{}\">",
                    sri_of(&b.dist.join(f))?
                )
            }
            FirstLoad::Wasm(f) => format!(
                "<link rel=\"preload\" href=\"./{f}\" as=\"fetch\" type=\"application/wasm\" crossorigin=\"anonymous\" integrity=\"{}\">",
                sri_of(&b.dist.join(f))?
            ),
            FirstLoad::Stylesheet(f) => {
                format!(
                    "<link rel=\"stylesheet\" href=\"./{f}\" crossorigin=\"anonymous\" integrity=\"{}\">",
                    sri_of(&b.dist.join(f))?
                )
            }
        };
        assets.push_str(&tag);
        assets.push('\n');
    }
    // The app's wasm is fetched with its integrity hash (the preload above
    // is used for it); its JS is checked by the modulepreload.
    assets.push_str(&format!(
        "<script type=\"module\">import init from\"./{js}\";init({{module_or_path:fetch(\"./{wasm}\",{{integrity:\"{}\"}})}});</script>",
        sri_of(&b.dist.join(wasm))?
    ));
    let template = read_text(&b.root.join("index.html"))?;
    let html = fill_page(&template, &assets)?;
    write(&b.dist.join("index.html"), &html)
}

fn service_worker(b: &mut Build) -> Result {
    let mut files = Vec::new();
    collect_files(&b.dist, &b.dist, &mut files)?;
    files.retain(|f| f != "sw.js");
    files.sort();
    let mut digest = Sha256::new();
    let mut precache = vec!["\"./\"".to_string()];
    for f in &files {
        digest.update(f.as_bytes());
        digest.update(read(&b.dist.join(f))?);
        precache.push(format!("\"./{f}\""));
    }
    let version = hex(&digest.finalize()).chars().take(16).collect::<String>();
    let template = read_text(&b.root.join("web/sw.template.js"))?;
    let sw = fill(&template, &[("__PRECACHE__", &format!("[{}]", precache.join(","))), ("__VERSION__", &version)])?;
    write(&b.dist.join("sw.js"), &sw)?;
    eprintln!("xtask dist: sw.js precaches {} files (cache version {version})", files.len());
    Ok(())
}

/// The page from its template: comments dropped, `{{assets}}` replaced by
/// `assets`, and `{{inline-script-hashes}}` (in the CSP) by the hash of
/// every inline script, so the policy allows exactly those.
pub fn fill_page(template: &str, assets: &str) -> Result<String> {
    let html = fill(&minify_html(template), &[("{{assets}}", assets)])?;
    let hashes: Vec<String> = inline_scripts(&html)
        .iter()
        .map(|s| format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s))))
        .collect();
    fill(&html, &[("{{inline-script-hashes}}", &hashes.join(" "))])
}

/// `text` with each placeholder replaced; each must appear exactly once.
fn fill(text: &str, values: &[(&str, &str)]) -> Result<String> {
    let mut out = text.to_string();
    for (key, value) in values {
        match out.matches(key).count() {
            1 => out = out.replace(key, value),
            n => return Err(format!("template: {key} appears {n} times, not once")),
        }
    }
    Ok(out)
}

/// The text of every `<script>` without `src` (what a CSP hash covers).
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<script") {
        let Some(tag_end) = rest[at..].find('>').map(|i| at + i + 1) else { break };
        let Some(close) = rest[tag_end..].find("</script>").map(|i| tag_end + i) else { break };
        if !rest[at..tag_end].contains(" src=") {
            out.push(&rest[tag_end..close]);
        }
        rest = &rest[close..];
    }
    out
}

/// HTML without comments and with each line trimmed (inline scripts are
/// kept as written: their text is what the CSP hash covers).
pub fn minify_html(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    loop {
        let comment = rest.find("<!--");
        let script = rest.find("<script");
        match (comment, script) {
            (Some(c), s) if s.is_none_or(|s| c < s) => {
                push_text(&mut out, &rest[..c]);
                let end = rest[c..].find("-->").map_or(rest.len(), |i| c + i + 3);
                rest = &rest[end..];
            }
            (_, Some(s)) => {
                push_text(&mut out, &rest[..s]);
                let end = rest[s..].find("</script>").map_or(rest.len(), |i| s + i + "</script>".len());
                out.push_str(&rest[s..end]);
                rest = &rest[end..];
            }
            _ => {
                push_text(&mut out, rest);
                return out;
            }
        }
    }
}

/// Appends `text` with each line trimmed and empty lines dropped: where
/// there was whitespace, one space, or none between a tag's end and the
/// next tag.
fn push_text(out: &mut String, text: &str) {
    let mut separated = text.starts_with(char::is_whitespace);
    for line in text.lines().map(str::trim) {
        if !line.is_empty() {
            let tags_meet = out.ends_with('>') && line.starts_with('<');
            if separated && !out.is_empty() && !out.ends_with(' ') && !tags_meet {
                out.push(' ');
            }
            out.push_str(line);
        }
        separated = true;
    }
    if text.ends_with(char::is_whitespace) && !out.is_empty() && !out.ends_with(['>', ' ']) {
        out.push(' ');
    }
}

/// CSS without comments and without the whitespace that carries no
/// meaning: around `{`, `}`, `;`, `,` and after a declaration's `:`.
/// Strings are kept as written; a space before `:` is kept (in a selector
/// it is the descendant combinator: `a :hover` is not `a:hover`).
pub fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for d in chars.by_ref() {
                    if prev == '*' && d == '/' {
                        break;
                    }
                    prev = d;
                }
                pending_space = true;
            }
            '"' | '\'' => {
                flush_space(&mut out, &mut pending_space, c);
                out.push(c);
                let mut escaped = false;
                for d in chars.by_ref() {
                    out.push(d);
                    if escaped {
                        escaped = false;
                    } else if d == '\\' {
                        escaped = true;
                    } else if d == c {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => pending_space = true,
            '{' | '}' | ';' | ',' | ':' => {
                // `: ` after a property name loses its space; a space before `:`
                // is kept (flush_space decides), one after it is dropped.
                if c == ':' {
                    flush_space(&mut out, &mut pending_space, c);
                } else {
                    pending_space = false;
                    if c == '}' && out.ends_with(';') {
                        out.pop();
                    }
                }
                out.push(c);
                if c != ':' || in_declaration(&out) {
                    skip_whitespace(&mut chars);
                }
            }
            c => {
                flush_space(&mut out, &mut pending_space, c);
                out.push(c);
            }
        }
    }
    out.trim().to_string()
}

/// Writes a pending space unless the output is at a point where none is needed.
fn flush_space(out: &mut String, pending: &mut bool, next: char) {
    if *pending && !out.is_empty() && !out.ends_with(['{', '}', ';', ',']) && next != ',' {
        out.push(' ');
    }
    *pending = false;
}

/// Whether the `:` just written ends a property name (inside a block, no
/// selector text after the last `{`, `;`), not a pseudo-class.
fn in_declaration(out: &str) -> bool {
    let last_open = out.rfind('{');
    let last_close = out.rfind('}');
    let Some(open) = last_open else { return false };
    if last_close.is_some_and(|c| c > open) {
        return false;
    }
    // Inside a block: a nested rule's selector (`&:hover {`) has no `;` or `{`
    // before the next `{`; a declaration's name is a plain identifier.
    let start = out.rfind([';', '{']).map_or(0, |i| i + 1);
    let name = out[start..out.len() - 1].trim();
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn skip_whitespace(chars: &mut std::iter::Peekable<std::str::Chars>) {
    while chars.peek().is_some_and(|c| c.is_whitespace()) {
        chars.next();
    }
}

/// Builds a wasm crate of the workspace for the browser, as it ships.
fn compile_wasm(b: &Build, package: &str) -> Result<PathBuf> {
    compile_wasm_versioned(&b.version, package)
}

fn compile_wasm_versioned(version: &str, package: &str) -> Result<PathBuf> {
    let mut cmd = Command::new("cargo");
    cmd.args(["build", "--profile", PROFILE, "--target", TARGET, "-p", package]).env("KEYLESS_VERSION", version);
    run(std_for_size(&mut cmd))?;
    Ok(target_dir().join(TARGET).join(PROFILE).join(format!("{package}.wasm")))
}

/// The minimal Leptos page BENCHMARKS.md compares the playground's load
/// with (crates/keyless-hello), built the way [`app`] builds the
/// playground (profile, std for size, wasm-bindgen, wasm-opt), into `out`
/// with an `index.html` that starts it as the playground's page does.
pub fn hello_page(out: &Path) -> Result {
    let wasm = compile_wasm_versioned(&version(), "keyless-hello")?;
    let _ = std::fs::remove_dir_all(out);
    mkdir(out)?;
    let bindgen = target_dir().join("bench-hello-bindgen");
    wasm_bindgen(&wasm, &bindgen, "hello", "web", &[])?;
    copy(&bindgen.join("hello.js"), &out.join("hello.js"))?;
    wasm_opt(&[(bindgen.join("hello_bg.wasm"), out.join("hello_bg.wasm"))])?;
    write(
        &out.join("index.html"),
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Hello</title>\
         <link rel=\"modulepreload\" href=\"hello.js\"><link rel=\"preload\" href=\"hello_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin=\"anonymous\">\
         <script type=\"module\">import init from './hello.js'; init({ module_or_path: fetch('./hello_bg.wasm') });</script>\
         </head><body></body></html>\n",
    )
}

/// The playground's wasm is built with std recompiled from the toolchain's
/// own source for size (`optimize_for_size`, panics that trap without
/// formatting a message): -18 KB brotli of the first load, measured
/// (docs/size.md, "std built for size"). These cargo/rustc options are
/// unstable, so they are enabled with RUSTC_BOOTSTRAP, for this cargo
/// command and the wasm target only.
fn std_for_size(cmd: &mut Command) -> &mut Command {
    cmd.env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size")
        // Replaces .cargo/config.toml's wasm rustflags: keep its cfg.
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "--cfg erase_components -Zunstable-options -Cpanic=immediate-abort",
        )
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

fn wasm_bindgen(wasm: &Path, out: &Path, name: &str, target: &str, extra: &[&str]) -> Result {
    run(Command::new(cargo_bin("wasm-bindgen"))
        .arg(format!("--target={target}"))
        .arg("--out-dir")
        .arg(out)
        .arg(format!("--out-name={name}"))
        .arg("--no-typescript")
        .args(extra)
        .arg(wasm))
}

/// wasm-opt (web/package.json's binaryen) with [`WASM_OPT_FLAGS`] on each
/// `(from, to)`, all at once (each is single-threaded).
fn wasm_opt(jobs: &[(PathBuf, PathBuf)]) -> Result {
    let tool = root().join("web/node_modules/.bin/wasm-opt");
    if !tool.exists() {
        return Err(format!("{} is missing: run `cargo xtask setup`", tool.display()));
    }
    let mut children = Vec::new();
    for (from, to) in jobs {
        let mut cmd = Command::new(&tool);
        cmd.args(WASM_OPT_FLAGS).arg(from).arg("-o").arg(to);
        eprintln!("xtask: $ {cmd:?}");
        children.push((cmd.spawn().map_err(|e| format!("{}: {e}", tool.display()))?, from));
    }
    let mut failed = Vec::new();
    for (mut child, from) in children {
        let status = child.wait().map_err(|e| format!("wasm-opt: {e}"))?;
        if !status.success() {
            failed.push(format!("{} ({status})", from.display()));
        }
    }
    if failed.is_empty() { Ok(()) } else { Err(format!("wasm-opt failed on {}", failed.join(", "))) }
}

/// Subresource integrity value (sha384, as browsers and Trunk write it).
pub fn sri(bytes: &[u8]) -> String {
    format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes)))
}

fn sri_of(path: &Path) -> Result<String> {
    Ok(sri(&read(path)?))
}

/// 16 hex digits of the content's SHA-256: a file name that changes with
/// the content, so browsers and the service worker may cache it forever.
fn short_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes)).chars().take(16).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn copy_dir(from: &Path, to: &Path, keep: impl Fn(&Path) -> bool) -> Result {
    let mut files = Vec::new();
    collect_files(from, from, &mut files)?;
    for f in files.iter().filter(|f| keep(Path::new(f))) {
        let dest = to.join(f);
        if let Some(dir) = dest.parent() {
            mkdir(dir)?;
        }
        copy(&from.join(f), &dest)?;
    }
    Ok(())
}

fn mkdir(dir: &Path) -> Result {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result {
    std::fs::copy(from, to).map(|_| ()).map_err(|e| format!("{} -> {}: {e}", from.display(), to.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_loses_comments_and_meaningless_space_only() {
        let css = "/* head */\n.a, .b {\n  color: red;\n  margin: 0 auto;\n}\n\
                   a :hover { x: 1 }\n.c::after { content: \" : ; { \"; }\n\
                   @media (max-width: 700px) {\n  .d { width: calc(100% - 2px); }\n}\n";
        assert_eq!(
            minify_css(css),
            ".a,.b{color:red;margin:0 auto}a :hover{x:1}.c::after{content:\" : ; { \"}\
             @media (max-width: 700px){.d{width:calc(100% - 2px)}}"
        );
    }

    #[test]
    fn css_keeps_selectors_and_values_apart() {
        assert_eq!(minify_css("a > b ~ c + d { font: 12px/1.5 a, b }"), "a > b ~ c + d{font:12px/1.5 a,b}");
        assert_eq!(
            minify_css("details[open] > summary:focus-visible { outline: 2px solid var(--x) }"),
            "details[open] > summary:focus-visible{outline:2px solid var(--x)}"
        );
        assert_eq!(minify_css(".x { color: a } /* c */ .y { }"), ".x{color:a}.y{}");
    }

    #[test]
    fn the_page_template_is_filled_and_its_inline_scripts_hashed() {
        let template = "<!DOCTYPE html>\n<head>\n  <!-- a comment with {{assets}} -->\n  \
            <meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self' {{inline-script-hashes}}\">\n  \
            {{assets}}\n  <script>\n    // kept as written\n    go();\n  </script>\n</head>\n";
        let page = fill_page(template, "<script type=\"module\">start()</script>").unwrap_or_default();
        assert!(!page.contains("comment") && !page.contains("{{"), "{page}");
        assert!(page.contains("<script>\n    // kept as written\n    go();\n  </script>"), "{page}");
        let hashes: Vec<String> = ["start()", "\n    // kept as written\n    go();\n  "]
            .iter()
            .map(|s| format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s))))
            .collect();
        assert!(page.contains(&format!("script-src 'self' {}\"", hashes.join(" "))), "{page}");
        // Scripts with a src have no hash.
        assert!(inline_scripts("<script src=\"a.js\"></script><script>b</script>") == vec!["b"]);
    }

    #[test]
    fn a_placeholder_must_appear_once() {
        assert!(fill("a {{x}} {{x}}", &[("{{x}}", "y")]).is_err());
        assert!(fill("a", &[("{{x}}", "y")]).is_err());
        assert_eq!(fill("a {{x}}", &[("{{x}}", "y")]).as_deref(), Ok("a y"));
    }

    #[test]
    fn html_lines_are_trimmed_and_joined() {
        assert_eq!(minify_html("<p>\n  a\n  b\n</p>\n<!-- x -->\n<i>c</i>\n"), "<p> a b </p><i>c</i>");
        assert_eq!(minify_html("<p>a <!-- x --> b\nc</p>"), "<p>a b c</p>");
        assert_eq!(minify_html("<p>a\n<!-- x -->\nb</p>"), "<p>a b</p>");
    }

    #[test]
    fn sri_is_sha384_base64() {
        // printf abc | openssl dgst -sha384 -binary | base64
        assert_eq!(sri(b"abc"), "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn");
    }
}
