//! The layers of `keyless-core`, as a check (rust-analyzer's `tidy` is the
//! model): this test reads the crate's own source, collects which top-level
//! module each non-test file imports (`crate::x`, `use crate::{x, …}`,
//! `super::` reaching the crate root), and fails when an import is not in
//! the table below. ARCHITECTURE.md describes the same table in prose; the
//! table is the one that is true.
//!
//! What it enforces:
//! - every top-level module is classified (a new module must be placed);
//! - a module imports only the modules its row allows;
//! - the allowed graph itself has no cycle, so neither has the code;
//! - the GitHub side sees no cloud, no trust configuration, no scenario;
//! - a cloud sees only the token model, the document tree, the shared
//!   matchers, the cloud interface and leaf helpers.
//!
//! Test code (`tests.rs`, `tests/`, `testutil.rs`, and everything from a
//! `#[cfg(test)]` module on) is not read: tests may build a whole scenario.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Leaf helpers every layer may use.
const LEAF: &[&str] = &["parties", "span", "diagnostic", "doc", "spelling", "case", "claims", "build_info", "calendar"];

/// The relying parties (the four clouds and the services of
/// `crate::parties`): each is one module that implements
/// `cloud_module::CloudModule`.
const CLOUDS: &[&str] = &["aws", "azure", "gcp", "alibaba", "vault", "pypi", "octo_sts", "crates_io", "npm"];

/// Module → the top-level modules it may import, besides [`LEAF`] (which
/// leaf modules may import among themselves as listed in [`LEAF_ORDER`]).
/// Lower rows come first; a row names only rows above it.
const LAYERS: &[(&str, &[&str])] = &[
    // Shared vocabulary: the verdict and the cloud identifiers, source tags,
    // the HTML writer.
    ("verdict", &[]),
    ("sources", &[]),
    ("html", &["sources", "verdict"]),
    // Shared matchers.
    ("glob", &[]),
    ("iam_policy", &["glob", "verdict"]),
    ("iam_condition", &["iam_policy", "glob", "verdict"]),
    // The interface every relying party implements.
    ("cloud_module", &["verdict"]),
    // The GitHub side: the run in, tokens out. No cloud, no trust
    // configuration, no scenario.
    ("github", &["verdict", "glob"]),
    // Relying parties.
    ("aws", &["cloud_module", "verdict", "glob", "iam_condition", "iam_policy", "sources"]),
    ("alibaba", &["cloud_module", "verdict", "glob", "iam_condition", "iam_policy", "sources"]),
    ("azure", &["cloud_module", "verdict", "glob", "sources"]),
    ("gcp", &["cloud_module", "verdict", "glob", "sources"]),
    ("vault", &["cloud_module", "verdict", "glob", "sources"]),
    ("pypi", &["cloud_module", "verdict", "sources"]),
    ("octo_sts", &["cloud_module", "verdict", "sources"]),
    ("crates_io", &["cloud_module", "verdict", "sources"]),
    ("npm", &["cloud_module", "verdict", "sources"]),
    // Infrastructure as code (Terraform, CloudFormation): read into the
    // document tree the clouds parse; no cloud imported.
    ("iac", &["verdict"]),
    // The set of relying parties a host links.
    ("clouds", &["cloud_module", "verdict", "aws", "azure", "gcp", "alibaba"]),
    // The input format: the run plus the trust configurations.
    ("scenario", &["github", "clouds", "cloud_module", "verdict", "aws", "azure", "gcp", "alibaba", "iac"]),
    ("draft", &["scenario", "github", "clouds", "cloud_module", "verdict", "aws", "azure", "gcp", "alibaba"]),
    ("engine", &["scenario", "github", "clouds", "cloud_module", "verdict", "aws", "azure", "gcp", "alibaba"]),
    ("fixture", &["engine", "scenario", "github", "verdict"]),
    // Reuses a cloud's verdicts while its configuration and the claims hold.
    (
        "verdict_cache",
        &[
            "engine",
            "scenario",
            "github",
            "clouds",
            "cloud_module",
            "verdict",
            "aws",
            "azure",
            "gcp",
            "alibaba",
            "fixture",
        ],
    ),
    // The token lab: a real token's claims, judged through the engine.
    ("token", &["engine", "scenario", "clouds", "github", "verdict"]),
    // Findings, what-if matrix, suggestions, lint, SARIF: may read everything.
    (
        "analysis",
        &[
            "engine",
            "verdict_cache",
            "scenario",
            "draft",
            "github",
            "clouds",
            "cloud_module",
            "verdict",
            "sources",
            "html",
            "glob",
            "iam_condition",
            "iam_policy",
            "aws",
            "azure",
            "gcp",
            "alibaba",
            "vault",
            "pypi",
            "octo_sts",
            "iac",
        ],
    ),
    // The machine-readable contracts (eval/lint JSON, `file:line:col`): the
    // CLI prints them, the JS module returns them, the embed posts them.
    ("output", &["analysis", "engine", "scenario", "clouds", "verdict"]),
    // The embed's versioned postMessage protocol.
    ("embed", &["output", "draft", "clouds"]),
];

/// What each leaf module may import (leaf modules only).
const LEAF_ORDER: &[(&str, &[&str])] = &[
    // The one list of relying parties, as a macro: it names them, imports none.
    ("parties", &[]),
    ("span", &["parties"]),
    ("case", &[]),
    ("claims", &[]),
    ("build_info", &[]),
    ("calendar", &[]),
    ("diagnostic", &["span"]),
    ("doc", &["span", "diagnostic"]),
    ("spelling", &["span", "diagnostic", "doc"]),
];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, test files left out.
fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "tests" {
                source_files(&path, out);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" && name != "testutil.rs" {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to and how deep its module is
/// (`aws.rs`, `aws/mod.rs` → 1; `aws/config.rs` → 2), or `None` for the
/// crate root.
fn module_of(path: &Path) -> Option<(String, usize)> {
    let rel = path.strip_prefix(src_dir()).unwrap();
    let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let first = parts.first()?.trim_end_matches(".rs").to_string();
    if first == "lib" {
        return None;
    }
    let last = parts.last().unwrap();
    let depth = if last == "mod.rs" { parts.len() - 1 } else { parts.len() };
    Some((first, depth))
}

/// The source without comments and without the trailing `#[cfg(test)]`
/// module (test code may use anything).
fn code_of(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        // A trailing `// …` comment; `//` inside a string ("https://…") is
        // rare in paths we look for, and a false import would be seen.
        let code = match line.find(" //") {
            Some(i) => &line[..i],
            None => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

fn ident_at(s: &str) -> String {
    s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

/// The top-level modules named by `crate::` paths (and `super::` paths that
/// climb to the crate root) in `code`.
fn imports(code: &str, depth: usize) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        let rest = &code[i..];
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let after = if boundary && rest.starts_with("crate::") {
            Some(&rest["crate::".len()..])
        } else if boundary && rest.starts_with("super::") {
            let mut r = rest;
            let mut supers = 0;
            while let Some(tail) = r.strip_prefix("super::") {
                supers += 1;
                r = tail;
            }
            let skip = rest.len() - r.len();
            if supers >= depth {
                Some(r)
            } else {
                i += skip;
                continue;
            }
        } else {
            None
        };
        match after {
            Some(after) => {
                if let Some(group) = after.strip_prefix('{') {
                    // `use crate::{a::x, b, c::{y, z}}`: the first name of each
                    // top-level item.
                    let mut level = 0;
                    let mut item_start = true;
                    for (j, c) in group.char_indices() {
                        match c {
                            '{' => level += 1,
                            '}' if level == 0 => break,
                            '}' => level -= 1,
                            ',' if level == 0 => item_start = true,
                            c if item_start && !c.is_whitespace() => {
                                let name = ident_at(&group[j..]);
                                if !name.is_empty() && name != "self" {
                                    found.insert(name);
                                }
                                item_start = false;
                            }
                            _ => {}
                        }
                    }
                } else {
                    let name = ident_at(after);
                    if !name.is_empty() {
                        found.insert(name);
                    }
                }
                i += 1;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    found
}

/// The names lib.rs re-exports (`pub use engine::{Report, evaluate};`) →
/// the module they come from, so `crate::Report` counts as `engine`.
fn root_reexports() -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string(src_dir().join("lib.rs")).unwrap();
    let mut names = BTreeMap::new();
    for line in lib.lines() {
        let Some(path) = line.trim().strip_prefix("pub use ").and_then(|r| r.strip_suffix(';')) else { continue };
        let Some((module, items)) = path.split_once("::") else { continue };
        for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
            names.insert(item.trim().to_string(), module.to_string());
        }
    }
    names
}

/// Top-level module → (module it imports → a file that does).
fn import_graph() -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let reexports = root_reexports();
    let mut files = Vec::new();
    source_files(&src_dir(), &mut files);
    let mut graph: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for path in files {
        let Some((module, depth)) = module_of(&path) else { continue };
        let text = std::fs::read_to_string(&path).unwrap();
        let entry = graph.entry(module.clone()).or_default();
        for name in imports(&code_of(&text), depth) {
            let target = reexports.get(&name).cloned().unwrap_or(name);
            if target != module {
                entry.entry(target).or_insert_with(|| path.clone());
            }
        }
    }
    graph
}

/// The modules `module` may import.
fn allowed(module: &str) -> Option<BTreeSet<&'static str>> {
    if let Some((_, deps)) = LEAF_ORDER.iter().find(|(m, _)| *m == module) {
        return Some(deps.iter().copied().collect());
    }
    let (_, deps) = LAYERS.iter().find(|(m, _)| *m == module)?;
    Some(deps.iter().chain(LEAF).copied().collect())
}

#[test]
fn every_module_imports_only_what_its_layer_allows() {
    let graph = import_graph();
    let mut problems = Vec::new();
    for (module, targets) in &graph {
        let Some(allowed) = allowed(module) else {
            problems.push(format!("`{module}` is not in the layer table of tests/architecture.rs: place it"));
            continue;
        };
        for (target, file) in targets {
            if !allowed.contains(target.as_str()) {
                let file = file.strip_prefix(src_dir()).unwrap().display();
                problems.push(format!("`{module}` imports `{target}` (src/{file}); its layer allows {allowed:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "layer violations:\n{}", problems.join("\n"));
}

#[test]
fn the_layer_table_has_no_cycle_and_names_only_lower_rows() {
    let rows: Vec<&str> = LEAF_ORDER.iter().chain(LAYERS).map(|(m, _)| *m).collect();
    for (i, (module, deps)) in LEAF_ORDER.iter().chain(LAYERS).enumerate() {
        for dep in *deps {
            let at = rows.iter().position(|r| r == dep);
            assert!(at.is_some_and(|at| at < i), "`{module}` may import `{dep}`, which is not a row above it");
        }
    }
    for leaf in LEAF {
        assert!(LEAF_ORDER.iter().any(|(m, _)| m == leaf), "leaf `{leaf}` has no row in LEAF_ORDER");
    }
}

#[test]
fn the_github_side_sees_no_cloud_and_no_trust_configuration() {
    let allowed = allowed("github").unwrap();
    for forbidden in CLOUDS.iter().chain(&["clouds", "cloud_module", "scenario", "draft", "engine", "iam_policy"]) {
        assert!(!allowed.contains(forbidden), "the GitHub layer must not allow `{forbidden}`");
    }
}

#[test]
fn a_cloud_sees_only_the_token_model_the_tree_the_matchers_and_leaves() {
    let shared: BTreeSet<&str> = LEAF
        .iter()
        .chain(&["verdict", "sources", "glob", "iam_condition", "iam_policy", "cloud_module"])
        .copied()
        .collect();
    for cloud in CLOUDS {
        let allowed = allowed(cloud).unwrap();
        let extra: Vec<_> = allowed.difference(&shared).collect();
        assert!(extra.is_empty(), "`{cloud}` may import {extra:?}: a cloud imports only shared modules");
    }
}

#[test]
fn every_module_of_lib_rs_has_a_row() {
    let lib = std::fs::read_to_string(src_dir().join("lib.rs")).unwrap();
    for line in lib.lines() {
        if let Some(name) = line.trim().strip_prefix("pub mod ").and_then(|r| r.strip_suffix(';')) {
            assert!(allowed(name).is_some(), "`{name}` (lib.rs) is not in the layer table of tests/architecture.rs");
        }
    }
}

#[test]
fn the_reader_sees_imports_in_every_form() {
    let code = "use crate::a::x;\nuse crate::{b::y, c, d::{e, f}};\nlet v = crate::g::h();\nuse super::super::k::z;\n";
    let found: Vec<String> = imports(code, 2).into_iter().collect();
    assert_eq!(found, ["a", "b", "c", "d", "g", "k"]);
    // One `super::` from a depth-2 file stays inside its module.
    assert!(imports("use super::q;", 2).is_empty());
    assert!(code_of("use crate::a;\n#[cfg(test)]\nmod tests { use crate::b; }\n").contains("crate::a"));
    assert!(!code_of("use crate::a;\n#[cfg(test)]\nmod tests { use crate::b; }\n").contains("crate::b"));
}

/// The core is pure: it reads no file, environment variable, process or
/// network. A front end reads what a scenario references and hands it in
/// (`scenario::reference`); the browser has no files at all.
#[test]
fn the_core_reads_no_files_environment_processes_or_network() {
    let mut files = Vec::new();
    source_files(&src_dir(), &mut files);
    assert!(files.len() > 50, "{}", files.len());
    let mut problems = Vec::new();
    for path in files {
        let code = code_of(&std::fs::read_to_string(&path).unwrap());
        // `std::net`'s address types are pure parsing (IAM's `IpAddress`).
        for forbidden in ["std::fs", "std::env", "std::process", "TcpStream", "UdpSocket", "TcpListener", "File::open"]
        {
            if code.contains(forbidden) {
                problems.push(format!("src/{}: {forbidden}", path.strip_prefix(src_dir()).unwrap().display()));
            }
        }
    }
    assert!(problems.is_empty(), "the core must not do I/O:\n{}", problems.join("\n"));
}
