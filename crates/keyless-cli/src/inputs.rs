//! The files a command reads: `-` (standard input), files, directories
//! (walked, `.gitignore` respected, hidden directories such as `.github`
//! included, `.git` skipped) and globs (`infra/**/*.json`). A file named
//! explicitly is always read; a file found by a walk or a glob is kept only
//! when it is a YAML or JSON document Keyless recognises by its content
//! (a workflow, a trust configuration or a scenario), so `keyless lint .`
//! skips unrelated YAML such as Helm charts.

use keyless_core::analysis::lint::{FileKind, kind_of_file};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Files bigger than this found by a walk are skipped (trust files and
/// workflows are kilobytes; a multi-megabyte YAML is generated data).
const MAX_WALKED_BYTES: u64 = 4 << 20;

/// One file to check.
pub struct Input {
    /// As the user sees it: the path as written, or below the directory given.
    pub name: String,
    /// The path relative to the repository root (`/` separators), or the
    /// name for standard input.
    pub repo_path: String,
    pub text: String,
    /// The text's line index, built once per file.
    pub lines: keyless_core::span::LineIndex,
}

impl Input {
    fn new(name: String, repo_path: String, text: String) -> Input {
        let lines = keyless_core::span::LineIndex::new(&text);
        Input { name, repo_path, text, lines }
    }
}

pub const STDIN: &str = "<stdin>";

fn is_glob(arg: &str) -> bool {
    arg.contains(['*', '?', '[', '{'])
}

fn display(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// The repository root: the nearest ancestor of the working directory with
/// a `.git`, else the working directory.
pub fn repo_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    cwd.ancestors().find(|d| d.join(".git").exists()).map_or(cwd.clone(), Path::to_path_buf)
}

/// `path` relative to `root`, with `/` separators (as given when outside).
fn relative_to(root: &Path, path: &Path) -> String {
    let abs = std::fs::canonicalize(path).ok();
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    match abs.as_deref().and_then(|a| a.strip_prefix(&root).ok()) {
        Some(rel) => rel.to_string_lossy().replace('\\', "/"),
        None => display(path),
    }
}

/// Reads standard input.
pub fn read_stdin() -> Result<String, String> {
    crate::read_input("-").map(|(_, text)| text)
}

/// Walks `dir` (gitignore-aware), yielding files in a stable order.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker.flatten() {
        if entry.file_type().is_some_and(|t| t.is_file()) {
            out.push(entry.into_path());
        }
    }
    out
}

/// Whether a walked file may be a document Keyless reads.
fn candidate(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    matches!(ext.as_str(), "yml" | "yaml" | "json" | "tf")
        && std::fs::metadata(path).is_ok_and(|m| m.len() <= MAX_WALKED_BYTES)
}

/// Expands the arguments into files. An unreadable explicit file, a missing
/// path, or a glob that matches nothing is an error.
pub fn collect(args: &[String]) -> Result<Vec<Input>, String> {
    let root = repo_root();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for arg in args {
        if arg == "-" {
            out.push(Input::new(STDIN.into(), STDIN.into(), read_stdin()?));
            continue;
        }
        let path = Path::new(arg);
        let (found, explicit): (Vec<PathBuf>, bool) = if path.is_dir() {
            (walk(path), false)
        } else if path.exists() || !is_glob(arg) {
            (vec![path.to_path_buf()], true)
        } else {
            let matched = glob(arg)?;
            if matched.is_empty() {
                return Err(format!("{arg}: no file matches this pattern"));
            }
            (matched, false)
        };
        for p in found {
            if !seen.insert(std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone())) {
                continue;
            }
            if explicit {
                // Named explicitly: bad bytes are an error at their position.
                let (_, text) = crate::read_input(&p.to_string_lossy())?;
                out.push(Input::new(display(&p), relative_to(&root, &p), text));
                continue;
            }
            if !candidate(&p) {
                continue;
            }
            // Unreadable or non-UTF-8 files found by a walk are not ours.
            let Ok(text) = std::fs::read_to_string(&p) else { continue };
            if kind_of_file(&p.to_string_lossy(), &text) == FileKind::Unknown {
                continue;
            }
            out.push(Input::new(display(&p), relative_to(&root, &p), text));
        }
    }
    Ok(out)
}

/// Files matching a glob (`*` within a name, `**` across directories),
/// searched from the pattern's literal leading directories.
fn glob(pattern: &str) -> Result<Vec<PathBuf>, String> {
    let pattern = pattern.replace('\\', "/");
    let pattern = pattern.strip_prefix("./").unwrap_or(&pattern).to_string();
    let matcher = globset::GlobBuilder::new(&pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("{pattern}: {e}"))?
        .compile_matcher();
    let literal: Vec<&str> = pattern.split('/').take_while(|c| !is_glob(c)).collect();
    let base = if literal.is_empty() { ".".to_string() } else { literal.join("/") };
    let base_path = Path::new(&base);
    if !base_path.is_dir() {
        return Ok(Vec::new());
    }
    Ok(walk(base_path)
        .into_iter()
        .filter(|p| {
            let d = display(p);
            matcher.is_match(d.strip_prefix("./").unwrap_or(&d))
        })
        .collect())
}

/// Reads the files a scenario's sections reference (`from:`,
/// docs/scenario.md): relative to the scenario file's directory, and only
/// inside its repository (the nearest ancestor with a `.git`; without one,
/// the scenario's own directory), so a scenario from a pull request cannot
/// make the CLI read, and quote in its errors, a file from elsewhere.
pub fn reference_reader(scenario: &str) -> impl Fn(&str) -> (String, Result<String, String>) {
    let dir = if scenario == "-" {
        PathBuf::from(".")
    } else {
        Path::new(scenario).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
    move |written: &str| {
        let path = dir.join(written);
        let shown = display(&lexically_normal(&path));
        (shown, read_referenced(&dir, written, &path))
    }
}

fn read_referenced(dir: &Path, written: &str, path: &Path) -> Result<String, String> {
    if Path::new(written).is_absolute() || written.starts_with('/') || written.starts_with('\\') {
        return Err("a reference's path is relative to the scenario file".into());
    }
    let base = std::fs::canonicalize(dir).map_err(|e| e.to_string())?;
    let boundary = base.ancestors().find(|d| d.join(".git").exists()).unwrap_or(&base).to_path_buf();
    let real = std::fs::canonicalize(path).map_err(|e| e.to_string())?;
    if !real.starts_with(&boundary) {
        return Err(format!(
            "it is outside {} (a scenario references files of its own repository only)",
            display(&boundary)
        ));
    }
    let len = std::fs::metadata(&real).map_err(|e| e.to_string())?.len();
    if len > keyless_core::doc::MAX_INPUT_BYTES as u64 {
        return Err(format!("it is {len} bytes; the limit is {} bytes", keyless_core::doc::MAX_INPUT_BYTES));
    }
    let bytes = std::fs::read(&real).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| format!("it is not UTF-8 (byte {})", e.utf8_error().valid_up_to()))
}

/// `path` with `.` and `dir/..` removed, without touching the file system
/// (for messages: `tests/../infra/iam.tf` is shown as `infra/iam.tf`).
fn lexically_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.is_empty() { PathBuf::from(".") } else { out.iter().collect() }
}
