//! `keyless-split`: the playground build's last Rust step, run by Trunk's
//! post-build hook (`web/post-build.sh`).
//!
//! Trunk 0.21 cannot split a wasm (trunk-rs/trunk#1022), so this does what
//! `cargo leptos --split` does, after Trunk has staged the build:
//!
//! 1. split the app's linked wasm (kept with `--emit-relocs`, see
//!    crates/keyless-web/build.rs) at its `#[wasm_split]` points with
//!    `wasm_split_cli_support`, the splitter behind Leptos' `#[lazy]`;
//! 2. run wasm-bindgen on the main part, as Trunk does, keeping the
//!    linker's exports (the chunks import the function table from it);
//! 3. optimise every part with wasm-opt and minify the JS (release builds);
//! 4. replace Trunk's staged JS and wasm with the split ones (same hashed
//!    names: Trunk's hash already changes with every change of the app),
//!    put the chunks in `lazy/` (not first load: fetched when a split
//!    function is first called) and the small JS module that loads them
//!    next to the app's JS, and update index.html's integrity hashes.
//!
//! A wasm without split points is left as Trunk staged it.

use base64::Engine as _;
use sha2::{Digest, Sha384};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: keyless-split --wasm <linked app wasm> --staging <Trunk staging dir> --name <app name> \
                     [--wasm-opt <flags, space separated>] [--minify-js <command>]";

struct Args {
    wasm: PathBuf,
    staging: PathBuf,
    name: String,
    /// wasm-opt's flags; none = no optimisation (debug builds).
    wasm_opt: Option<Vec<String>>,
    /// A command that minifies the JS files given as its last arguments in
    /// place (web/minify.mjs); none = leave them as they are.
    minify_js: Option<Vec<String>>,
}

fn main() -> ExitCode {
    match parse_args(std::env::args().skip(1)).and_then(|a| run(&a)) {
        Ok(summary) => {
            eprintln!("keyless-split: {summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("keyless-split: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut wasm, mut staging, mut name, mut wasm_opt, mut minify_js) = (None, None, None, None, None);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--wasm" => wasm = Some(PathBuf::from(value)),
            "--staging" => staging = Some(PathBuf::from(value)),
            "--name" => name = Some(value),
            "--wasm-opt" => wasm_opt = Some(value.split_whitespace().map(str::to_string).collect()),
            "--minify-js" => minify_js = Some(value.split_whitespace().map(str::to_string).collect()),
            _ => return Err(format!("unknown argument {flag}\n{USAGE}")),
        }
    }
    match (wasm, staging, name) {
        (Some(wasm), Some(staging), Some(name)) => Ok(Args { wasm, staging, name, wasm_opt, minify_js }),
        _ => Err(USAGE.into()),
    }
}

fn run(args: &Args) -> Result<String, String> {
    let html_path = args.staging.join("index.html");
    let mut html = read_text(&html_path)?;
    let stem = staged_stem(&html, &args.name)
        .ok_or_else(|| format!("{} does not load {}-<hash>.js", html_path.display(), args.name))?;
    let input = std::fs::read(&args.wasm).map_err(|e| format!("{}: {e}", args.wasm.display()))?;

    let work = WorkDir::new()?;
    let work = work.path();
    let main_wasm = work.join(format!("{stem}.wasm"));
    let main_module = format!("./{stem}.js");
    let link_module = format!("{stem}.split.js");
    let link_name = format!("./{link_module}");
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&input);
        opts.output_dir = work;
        opts.main_out_path = &main_wasm;
        opts.link_name = &link_name;
        opts.main_module = &main_module;
        opts
    })
    .map_err(|e| format!("splitting {}: {e:?}", args.wasm.display()))?;
    if split.split_modules.is_empty() {
        return Ok(format!("{} has no split points: left as Trunk built it", args.wasm.display()));
    }

    let bindgen_out = work.join("bindgen");
    run_tool(
        Command::new(tool("wasm-bindgen", "WASM_BINDGEN"))
            .arg("--target=web")
            .arg(format!("--out-dir={}", bindgen_out.display()))
            .arg(format!("--out-name={stem}"))
            .arg("--no-typescript")
            // The chunks import `__indirect_function_table`, which
            // wasm-bindgen drops unless told to keep the linker's exports.
            .arg("--keep-lld-exports")
            .arg(&main_wasm),
    )?;

    let staged_js = args.staging.join(format!("{stem}.js"));
    let staged_wasm = args.staging.join(format!("{stem}_bg.wasm"));
    let old_js_sri = sri_of_file(&staged_js)?;
    let old_wasm_sri = sri_of_file(&staged_wasm)?;
    optimise(args, &bindgen_out.join(format!("{stem}_bg.wasm")), &staged_wasm)?;
    copy(&bindgen_out.join(format!("{stem}.js")), &staged_js)?;

    let lazy = args.staging.join("lazy");
    std::fs::create_dir_all(&lazy).map_err(|e| format!("{}: {e}", lazy.display()))?;
    let mut link_js = read_text(&work.join(&link_module))?;
    let mut chunks = Vec::new();
    for module in &split.split_modules {
        let file = module.file_name().and_then(|f| f.to_str()).ok_or("a split module has no file name")?;
        let staged_name = format!("{stem}-{file}");
        let from = format!("new URL(\"./{file}\"");
        if !link_js.contains(&from) {
            return Err(format!("the loader module does not fetch {file}"));
        }
        link_js = link_js.replace(&from, &format!("new URL(\"./lazy/{staged_name}\""));
        optimise(args, module, &lazy.join(&staged_name))?;
        chunks.push(staged_name);
    }
    let link_path = args.staging.join(&link_module);
    write(&link_path, &link_js)?;
    // wasm-bindgen's snippets, as Trunk staged them (index.html preloads
    // them with their integrity hash).
    let mut snippets = Vec::new();
    js_files(&args.staging.join("snippets"), &mut snippets);
    let old_snippet_sris = snippets.iter().map(|s| sri_of_file(s)).collect::<Result<Vec<_>, _>>()?;
    if let Some(minifier) = &args.minify_js {
        let (program, rest) = minifier.split_first().ok_or("--minify-js is empty")?;
        run_tool(Command::new(program).args(rest).arg(&staged_js).arg(&link_path).args(&snippets))?;
    }
    let link_js = read_text(&link_path)?;

    html = html.replace(&old_js_sri, &sri_of_file(&staged_js)?).replace(&old_wasm_sri, &sri_of_file(&staged_wasm)?);
    for (file, old) in snippets.iter().zip(old_snippet_sris) {
        html = html.replace(&old, &sri_of_file(file)?);
    }
    html = with_modulepreload(&html, &stem, &link_module, &sri(link_js.as_bytes()));
    write(&html_path, &html)?;
    chunks.sort();
    Ok(format!("{stem}: {} lazy chunks ({}), loaded by {link_module}", chunks.len(), chunks.join(", ")))
}

/// A scratch directory, removed however the run ends.
struct WorkDir(PathBuf);

impl WorkDir {
    fn new() -> Result<WorkDir, String> {
        let dir = std::env::temp_dir().join(format!("keyless-split-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(WorkDir(dir))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `<name>-<hash>` of the app's JS that Trunk wrote into index.html.
fn staged_stem(html: &str, name: &str) -> Option<String> {
    let prefix = format!("{name}-");
    html.match_indices(&prefix).find_map(|(at, _)| {
        let rest = html.get(at..)?;
        let end = rest.find(['\'', '"'])?;
        rest.get(..end)?.strip_suffix(".js").filter(|s| !s.contains('/')).map(str::to_string)
    })
}

/// index.html with a `modulepreload` of the loader module after the app's
/// own, so the browser fetches it alongside rather than after the app's JS.
fn with_modulepreload(html: &str, stem: &str, link_module: &str, integrity: &str) -> String {
    let tag = format!(
        "<link rel=\"modulepreload\" href=\"./{link_module}\" crossorigin=\"anonymous\" integrity=\"{integrity}\">"
    );
    let anchor = format!("href=\"./{stem}.js\"");
    let Some(at) = html.find(&anchor) else { return html.replacen("</head>", &format!("{tag}</head>"), 1) };
    match html.get(at..).and_then(|rest| rest.find('>')).map(|end| at + end + 1) {
        Some(end) => format!("{}{tag}{}", html.get(..end).unwrap_or(html), html.get(end..).unwrap_or_default()),
        None => html.to_string(),
    }
}

/// Every `.js` file under `dir` (none when it does not exist).
fn js_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            js_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "js") {
            out.push(path);
        }
    }
}

/// wasm-opt `from` into `to` with the build's flags, or a plain copy.
fn optimise(args: &Args, from: &Path, to: &Path) -> Result<(), String> {
    match &args.wasm_opt {
        Some(flags) => run_tool(Command::new(tool("wasm-opt", "WASM_OPT")).args(flags).arg(from).arg("-o").arg(to)),
        None => copy(from, to),
    }
}

/// A tool from `$VAR`, else the one cargo installed, else `PATH`'s.
fn tool(name: &str, var: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(var) {
        return PathBuf::from(p);
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    match cargo_home.map(|h| h.join("bin").join(name)) {
        Some(p) if p.exists() => p,
        _ => PathBuf::from(name),
    }
}

fn run_tool(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{:?}: {e}", cmd.get_program()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed ({}):\n{}", out.status, String::from_utf8_lossy(&out.stderr)))
    }
}

fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to).map(|_| ()).map_err(|e| format!("{} -> {}: {e}", from.display(), to.display()))
}

/// Subresource integrity value, as Trunk writes it.
fn sri(bytes: &[u8]) -> String {
    format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes)))
}

fn sri_of_file(path: &Path) -> Result<String, String> {
    std::fs::read(path).map(|b| sri(&b)).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HTML: &str = "<script type=\"module\">import init, * as bindings from './keyless-web-0123abcd.js';\n\
        const wasm = await init({ module_or_path: './keyless-web-0123abcd_bg.wasm' });</script>\n\
        <link rel=\"modulepreload\" href=\"./keyless-web-0123abcd.js\" crossorigin=\"anonymous\" integrity=\"sha384-x\"></head>";

    #[test]
    fn finds_the_stem_trunk_staged() {
        assert_eq!(staged_stem(HTML, "keyless-web").as_deref(), Some("keyless-web-0123abcd"));
        assert_eq!(staged_stem("<p>keyless-web-x/y.js</p>", "keyless-web"), None);
        assert_eq!(staged_stem(HTML, "other"), None);
    }

    #[test]
    fn preloads_the_loader_right_after_the_app() {
        let out = with_modulepreload(HTML, "keyless-web-0123abcd", "keyless-web-0123abcd.split.js", "sha384-y");
        let app = out.find("href=\"./keyless-web-0123abcd.js\"").unwrap_or(usize::MAX);
        let loader = out.find("href=\"./keyless-web-0123abcd.split.js\"").unwrap_or(0);
        assert!(app < loader && loader < out.find("</head>").unwrap_or(0), "{out}");
        // Without the app's preload tag, it still goes in the head.
        let bare = with_modulepreload("<head></head>", "s", "s.split.js", "sha384-y");
        assert!(bare.contains("s.split.js\" crossorigin"), "{bare}");
    }

    #[test]
    fn sri_is_sha384_base64() {
        // printf abc | openssl dgst -sha384 -binary | base64
        assert_eq!(sri(b"abc"), "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn");
    }

    #[test]
    fn arguments_are_checked() {
        let args = |a: &[&str]| parse_args(a.iter().map(|s| s.to_string()));
        assert!(args(&["--wasm", "a", "--staging", "b"]).is_err());
        assert!(args(&["--wasm"]).is_err());
        assert!(args(&["--bogus", "x"]).is_err());
        let ok = args(&["--wasm", "a", "--staging", "b", "--name", "n", "--wasm-opt", "-Oz --x"]);
        assert_eq!(ok.ok().and_then(|a| a.wasm_opt), Some(vec!["-Oz".to_string(), "--x".to_string()]));
    }
}
