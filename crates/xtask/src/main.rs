//! Project automation in Rust (`cargo xtask <task>`), so the same steps run
//! on a laptop and in CI:
//!
//! - `setup`: install what is missing (idempotent: present tools are skipped)
//! - `dist`:  the production site in dist/ (crates/xtask/src/dist.rs: the
//!   one build; the budget is checked on it)
//! - `serve`: setup and dist, then serve dist/ on http://127.0.0.1:8080
//! - `test`:  setup, then every test: Rust (unit, fixtures, CEL
//!   conformance, CLI), clippy, rustfmt, zizmor on the GitHub workflows,
//!   dist (with its budget check) and the browser end-to-end tests on it
//! - `size`:  brotli size of dist/'s first load (and of what is loaded lazily)
//! - `version`: the version a build of this tree gets (`keyless_core::VERSION`)
//! - `bench`: engine benchmarks (release build); `bench-aws`: the
//!   comparison with iam-simulate of BENCHMARKS.md; `bench-web`: the
//!   browser timings of the site `dist` builds (bench.rs)
//! - `fuzz`:  the fuzz targets, briefly (`cargo xtask fuzz [--seconds N] [target…]`)

mod bench;
mod dist;
mod fuzz;
mod serve;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Must equal the `wasm-bindgen` crate pinned in crates/keyless-web.
const WASM_BINDGEN: &str = "0.2.130";
/// GitHub Actions static analysis, from PyPI, in its own virtualenv.
const ZIZMOR: &str = "1.32.0";
const APT_PACKAGES: &[(&str, &str)] =
    &[("chromium", "/usr/bin/chromium"), ("chromium-driver", "/usr/bin/chromedriver"), ("brotli", "/usr/bin/brotli")];
/// web: the build's pinned tools (binaryen's wasm-opt, terser).
const NPM_DIRS: &[&str] = &["web", "tests/e2e", "tests/cel"];
/// The first-load budget (HTML + JS + wasm + CSS, brotli; issue #3):
/// `dist` (so `cargo xtask test`) fails above it, so growth is a decision,
/// not an accident. Where the bytes go: docs/size.md.
const BUDGET_BYTES: u64 = 250 * 1024;

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "setup" => setup(),
        "dist" => setup().and_then(|()| dist::dist()).map(|_| ()),
        "serve" => {
            setup().and_then(|()| dist::dist()).and_then(|_| serve::serve(&root().join("dist"), "127.0.0.1:8080"))
        }
        "test" => setup().and_then(|()| test()),
        "size" => size().map(|_| ()),
        "fuzz" => fuzz::main(&std::env::args().skip(2).collect::<Vec<_>>()),
        "version" => {
            println!("{}", dist::version());
            Ok(())
        }
        "bench" => run(Command::new("cargo").args(["run", "--release", "-p", "keyless-cli", "--example", "bench"]))
            .and_then(|()| core_example("analyze_bench"))
            .and_then(|()| core_example("sources_bench"))
            .and_then(|()| bench::native()),
        "bench-aws" => bench::aws(),
        "bench-web" => setup().and_then(|()| dist::dist()).and_then(|_| bench::web()),
        _ => Err("usage: cargo xtask <setup|dist|serve|test|size|version|bench|bench-aws|bench-web|fuzz>".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, String>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_else(|_| PathBuf::from("."))
}

fn run(cmd: &mut Command) -> Result {
    eprintln!("xtask: $ {cmd:?}");
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(root());
    }
    let status = cmd.status().map_err(|e| format!("{cmd:?}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{cmd:?} failed: {status}")) }
}

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"));
    home.join("bin").join(name)
}

fn setup() -> Result {
    // wasm target
    let targets = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    // `test` runs clippy and rustfmt; a minimal rustup profile has neither.
    let components = output("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    // rust-src: the playground's std is built from it (`std_for_size`).
    for c in ["clippy", "rustfmt", "rust-src"] {
        if !components.lines().any(|l| l.starts_with(c)) {
            run(Command::new("rustup").args(["component", "add", c]))?;
        }
    }
    // Debian packages: browser + driver for e2e, brotli (size)
    // `CHROMIUM=/path/to/chrome` (the browser tests' override, e.g. the
    // Chrome of GitHub's Ubuntu runners, where `chromium` is a snap
    // stub): no Chromium from apt.
    let own_browser = std::env::var_os("CHROMIUM").is_some_and(|p| Path::new(&p).exists());
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .filter(|(p, bin)| !(Path::new(bin).exists() || own_browser && p.starts_with("chromium")))
        .map(|(p, _)| *p)
        .collect();
    if !missing.is_empty() {
        let sudo: &[&str] = if output("id", &["-u"]).is_some_and(|u| u.trim() == "0") { &[] } else { &["sudo"] };
        let apt = |args: &[&str]| {
            let mut full: Vec<&str> = sudo.to_vec();
            full.push("apt-get");
            full.extend_from_slice(args);
            let (head, tail) = full.split_first().map(|(h, t)| (*h, t.to_vec())).unwrap_or(("apt-get", vec![]));
            run(Command::new(head).args(tail).env("DEBIAN_FRONTEND", "noninteractive"))
        };
        apt(&["update", "-qq"])?;
        let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
        args.extend(missing.iter());
        apt(&args)?;
    }
    // wasm-bindgen-cli at exactly the crate's version (without --locked: a
    // locked dependency is missing from the registry mirror)
    let have = output(cargo_bin("wasm-bindgen").to_str().unwrap_or("wasm-bindgen"), &["--version"]).unwrap_or_default();
    if !have.contains(WASM_BINDGEN) {
        run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN, "--force"]))?;
    }
    let zizmor = zizmor_bin();
    let have = output(zizmor.to_str().unwrap_or("zizmor"), &["--version"]).unwrap_or_default();
    if !have.contains(ZIZMOR) {
        // A virtualenv of its own: pip may not install into a system Python
        // (PEP 668), and nothing else is touched.
        let venv = zizmor.parent().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
        run(Command::new(venv.join("bin/pip")).args(["install", "--quiet", &format!("zizmor=={ZIZMOR}")]))?;
    }
    for dir in NPM_DIRS {
        let d = root().join(dir);
        // npm's record of what it installed; older than the lockfile = a
        // dependency was added since (a pull, a merge): install again.
        let installed = std::fs::metadata(d.join("node_modules/.package-lock.json")).and_then(|m| m.modified()).ok();
        let wanted = std::fs::metadata(d.join("package-lock.json")).and_then(|m| m.modified()).ok();
        if d.join("package.json").exists() && (installed.is_none() || installed < wanted) {
            run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&d))?;
        }
    }
    Ok(())
}

/// zizmor's binary, in a virtualenv under target/ (cached with it in CI).
fn zizmor_bin() -> PathBuf {
    root().join("target/tools").join(format!("zizmor-{ZIZMOR}")).join("bin/zizmor")
}

fn test() -> Result {
    run(Command::new("cargo")
        .args([
            "test",
            "--workspace",
            "--exclude",
            "keyless-web",
            "--exclude",
            "keyless-hello",
            "--exclude",
            "keyless-cli",
        ])
        .env("KEYLESS_REQUIRE_CONFORMANCE", "1"))?;
    // The CLI's tests run its binary in the release profile, the one
    // .github/workflows/release.yml ships (which runs them too): what users
    // install is what was tested, not a debug build of the same source.
    run(Command::new("cargo").args(["test", "--release", "-p", "keyless-cli"]))?;
    // The core as the JS module and the analysis worker link it (no token
    // signatures, no Terraform or CloudFormation readers): the workspace run
    // above unifies every crate's features, so it never builds this one.
    run(Command::new("cargo").args(["test", "-p", "keyless-core", "--no-default-features", "--features", "services"]))?;
    let clippy =
        ["clippy", "-p", "keyless-core", "-p", "keyless-cli", "-p", "keyless-split", "-p", "xtask", "--all-targets"];
    run(Command::new("cargo").args(clippy).args(["--", "-D", "warnings"]))?;
    let wasm_clippy = [
        "clippy",
        "-p",
        "keyless-web",
        "-p",
        "keyless-worker",
        "-p",
        "keyless-js",
        "--target",
        "wasm32-unknown-unknown",
    ];
    run(Command::new("cargo").args(wasm_clippy).args(["--", "-D", "warnings"]))?;
    run(Command::new("cargo").args(["fmt", "--all", "--", "--check"]))?;
    zizmor()?;
    dist::dist()?;
    // What Pages uploads is this dist/, as the browser tests found it:
    // nothing after the build may change a byte of it.
    let built = fingerprint(&root().join("dist"))?;
    if root().join("tests/e2e/package.json").exists() {
        // The embed and module tests compare with that same release CLI.
        run(Command::new("node")
            .args(["--test", "--test-concurrency=1", "tests/e2e/"])
            .env("KEYLESS_BIN", root().join("target/release/keyless")))?;
    }
    fuzz::ci()?;
    if fingerprint(&root().join("dist"))? != built {
        return Err("dist/ changed after it was built and tested: what ships would not be what was tested".into());
    }
    Ok(())
}

/// Every file of `dir` (relative path, then its bytes), hashed.
fn fingerprint(dir: &Path) -> Result<u64> {
    use std::hash::{Hash, Hasher};
    let mut files = Vec::new();
    collect_files(dir, dir, &mut files)?;
    files.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for rel in &files {
        rel.hash(&mut h);
        std::fs::read(dir.join(rel)).map_err(|e| format!("{rel}: {e}"))?.hash(&mut h);
    }
    Ok(h.finish())
}

/// GitHub Actions static analysis of the project's workflows (and of the
/// action at the root, when there is one): any medium or high finding
/// fails. Offline: the audits that would query GitHub are skipped.
fn zizmor() -> Result {
    // The project's workflows, the action users run, and the organisation
    // scan users copy (docs/org-scan.md).
    let mut inputs = vec![".github/workflows"];
    for file in ["action.yml", "examples/org-scan/org-scan.yml"] {
        if root().join(file).exists() {
            inputs.push(file);
        }
    }
    run(Command::new(zizmor_bin()).args(["--offline", "--min-severity", "medium", "--no-progress"]).args(inputs))
}

/// Prints the brotli size of every first-load file in dist/ (those
/// `dist/index.html` references directly, among them the app's JS, wasm
/// and chunk loader, the HTML itself, and the wasm-bindgen snippets the
/// app's JS imports) and, separately, of the files loaded lazily, all in
/// `dist/lazy/` (the cloud chunks and the analysis worker); returns the
/// first-load total, which is what the budget applies to.
fn size() -> Result<u64> {
    let dist = root().join("dist");
    let html = std::fs::read_to_string(dist.join("index.html"))
        .map_err(|e| format!("{}: {e} (build first)", dist.display()))?;
    let mut files = Vec::new();
    collect_files(&dist, &dist, &mut files)?;
    files.sort();
    let (mut first, mut lazy) = (0, 0);
    for rel in &files {
        let ext = Path::new(rel).extension().and_then(|e| e.to_str()).unwrap_or_default();
        if !["wasm", "js", "css", "html"].contains(&ext) || rel == "sw.js" || rel == "service-worker.js" {
            continue;
        }
        let first_load = rel == "index.html" || rel.starts_with("snippets/") || html.contains(rel.as_str());
        let out = Command::new("brotli")
            .args(["-c", "-q", "11"])
            .arg(dist.join(rel))
            .output()
            .map_err(|e| format!("brotli: {e}"))?;
        let n = out.stdout.len() as u64;
        eprintln!("xtask: {:>8} B brotli  {:<10} {rel}", n, if first_load { "first-load" } else { "lazy" });
        if first_load { first += n } else { lazy += n }
    }
    eprintln!("xtask: first load {:.1} KB brotli (budget {} KB)", first as f64 / 1024.0, BUDGET_BYTES / 1024);
    eprintln!("xtask: loaded lazily (cloud chunks, analysis worker) {:.1} KB brotli", lazy as f64 / 1024.0);
    Ok(first)
}

/// Runs one of keyless-core's benchmark examples (release build).
fn core_example(name: &str) -> Result {
    run(Command::new("cargo").args(["run", "--release", "-p", "keyless-core", "--example", name]))
}

/// Every file under `dir`, as a `/`-separated path relative to `base`.
fn collect_files(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(base, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(base) {
            out.push(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
        }
    }
    Ok(())
}
