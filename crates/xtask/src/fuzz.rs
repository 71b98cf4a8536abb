//! `cargo xtask fuzz [--seconds N | --runs N] [--keep-going] [target…]`: the coverage-guided fuzz
//! targets of fuzz/ (cargo-fuzz, libFuzzer), each run briefly, after
//! replaying the inputs of fuzz/regressions/. `cargo xtask test` runs it
//! with [`CI_RUNS`] inputs per target. How to fuzz longer, the targets and what
//! was found: docs/fuzzing.md.
//!
//! libFuzzer needs nightly compiler flags (`-Cpasses=sancov-module`,
//! `-Zsanitizer`); like the playground's std (`std_for_size` in main.rs)
//! they are enabled on the stable toolchain with `RUSTC_BOOTSTRAP=1`, here
//! for the fuzz workspace only. No sanitizer: keyless-core has no `unsafe`,
//! and without one twice as many inputs run per CPU second; panics,
//! overflows (debug assertions are on), stack overflows, timeouts and
//! memory limits are caught all the same.

use crate::{Result, cargo_bin, output, root, run};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Seconds per target of `cargo xtask fuzz` without `--seconds`.
pub const CI_SECONDS: u64 = 10;
/// Inputs per target in `cargo xtask test`: a count, not a duration, so
/// the CI run (with `-seed=1`) tries the same inputs on any machine and
/// cannot pass or fail by the machine's speed.
const CI_RUNS: u64 = 10_000;
/// The property's bounds: one input must end within this many seconds...
const TIMEOUT_SECONDS: u64 = 5;
/// ...and this much memory (a single allocation above it is a crash too).
const RSS_LIMIT_MB: u64 = 2048;
/// The longest input libFuzzer builds (the fixtures are up to 5 KB).
const MAX_LEN: usize = 16 * 1024;
const CARGO_FUZZ: &str = "0.13";

/// Where the seed inputs of a target come from: sections of the fixtures
/// (tests/fixtures/*.yaml), found by key (see [`section`]).
#[derive(Clone, Copy)]
enum Seed {
    /// The text under `key:` at this indentation (a block scalar's text or
    /// a nested mapping), dedented.
    Section(&'static str, usize),
    /// Like `Section`, with a first byte selecting the document target's
    /// reader (0: YAML, 1: JSON).
    Document(&'static str, usize, u8),
    /// The `${{ … }}` markers and `if:` values of the fixtures' workflows.
    Expressions,
    /// The values of `key:` lines inside `section` (at indent 2).
    Values(&'static str, &'static str),
    /// A GCP provider's condition, then its `google.subject` mapping.
    GcpCel,
}

/// One fuzz target: its name (a `[[bin]]` of fuzz/Cargo.toml), where its
/// seeds come from (besides fuzz/seeds/<name>/), and its libFuzzer
/// dictionary in fuzz/dicts/.
pub struct Target {
    pub name: &'static str,
    seeds: &'static [Seed],
    dict: &'static str,
}

/// Every target. A new parser (JWT, Terraform) adds a line here, a file in
/// fuzz/fuzz_targets/ and a `[[bin]]` (fuzz/src/lib.rs says how).
pub const TARGETS: &[Target] = &[
    Target { name: "scenario", seeds: &[Seed::Section("scenario", 0)], dict: "yaml.dict" },
    Target { name: "permalink", seeds: &[Seed::Section("scenario", 0)], dict: "yaml.dict" },
    // Seeds: fuzz/seeds/references/ (a scenario, then the files it references).
    Target { name: "references", seeds: &[], dict: "yaml.dict" },
    Target {
        name: "document",
        seeds: &[Seed::Document("scenario", 0, 0), Seed::Document("aws", 2, 1)],
        dict: "yaml.dict",
    },
    Target { name: "workflow", seeds: &[Seed::Section("workflow", 2)], dict: "yaml.dict" },
    Target {
        name: "lint",
        seeds: &[
            Seed::Section("workflow", 2),
            Seed::Section("aws", 2),
            Seed::Section("azure", 2),
            Seed::Section("gcp", 2),
            Seed::Section("alibaba", 2),
        ],
        dict: "yaml.dict",
    },
    Target { name: "expression", seeds: &[Seed::Expressions], dict: "expr.dict" },
    Target { name: "aws_policy", seeds: &[Seed::Section("aws", 2)], dict: "policy.dict" },
    Target { name: "alibaba_policy", seeds: &[Seed::Section("alibaba", 2)], dict: "policy.dict" },
    Target { name: "azure_credentials", seeds: &[Seed::Section("azure", 2)], dict: "azure.dict" },
    Target { name: "azure_flexible", seeds: &[Seed::Values("azure", "value")], dict: "azure.dict" },
    Target { name: "gcp_provider", seeds: &[Seed::Section("gcp", 2)], dict: "cel.dict" },
    Target {
        name: "services",
        seeds: &[
            Seed::Section("vault", 2),
            Seed::Section("pypi", 2),
            Seed::Section("octo_sts", 2),
            Seed::Section("crates_io", 2),
            Seed::Section("npm", 2),
        ],
        dict: "yaml.dict",
    },
    // Seeds: the Terraform fixtures of the core's tests (FILE_SEEDS).
    Target { name: "terraform", seeds: &[], dict: "yaml.dict" },
    // Seeds: tests/fixtures/tokens (FILE_SEEDS) and fuzz/seeds/token/.
    Target { name: "token", seeds: &[], dict: "yaml.dict" },
    Target {
        name: "cel",
        seeds: &[Seed::Values("gcp", "attributeCondition"), Seed::Values("gcp", "google.subject")],
        dict: "cel.dict",
    },
    Target { name: "gcp_cel", seeds: &[Seed::GcpCel], dict: "cel.dict" },
];

/// The run of `cargo xtask test`: every target for [`CI_RUNS`] inputs.
pub fn ci() -> Result {
    let all: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
    fuzz(&all, Budget::Runs(CI_RUNS), false)
}

/// How long each target is fuzzed.
#[derive(Clone, Copy)]
pub enum Budget {
    Seconds(u64),
    Runs(u64),
}

impl Budget {
    fn flag(self) -> String {
        match self {
            Budget::Seconds(s) => format!("-max_total_time={s}"),
            Budget::Runs(n) => format!("-runs={n}"),
        }
    }
}

/// `cargo xtask fuzz [--seconds N | --runs N] [--keep-going] [target…]`
/// (`--runs 10000` is exactly what `cargo xtask test` runs).
pub fn main(args: &[String]) -> Result {
    let mut budget = Budget::Seconds(CI_SECONDS);
    let mut keep_going = false;
    let mut names = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--keep-going" {
            keep_going = true;
        } else if a == "--seconds" || a == "--runs" {
            let n = it.next().ok_or(format!("{a} needs a number"))?;
            let n: u64 = n.parse().map_err(|_| format!("{a} {n}: not a number"))?;
            budget = if a == "--runs" { Budget::Runs(n) } else { Budget::Seconds(n) };
        } else if TARGETS.iter().any(|t| t.name == a) {
            names.push(a.as_str());
        } else {
            let all: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
            return Err(format!("unknown fuzz target `{a}`; the targets: {}", all.join(", ")));
        }
    }
    if names.is_empty() {
        names = TARGETS.iter().map(|t| t.name).collect();
    }
    fuzz(&names, budget, keep_going)
}

/// Installs what is missing, builds the targets, replays the regressions
/// and fuzzes each of `names` within `budget` from the seeds. With
/// `keep_going` (a campaign), a target goes on after a crash, timeout or
/// out-of-memory (each saved in fuzz/artifacts/<target>/) and the run does
/// not fail: the findings are triaged afterwards.
pub fn fuzz(names: &[&str], budget: Budget, keep_going: bool) -> Result {
    check_seeds()?;
    install()?;
    run(cargo_fuzz().args(["build", "-s", "none"]))?;
    for name in names {
        let target = TARGETS.iter().find(|t| t.name == *name).ok_or(format!("no fuzz target `{name}`"))?;
        replay(target)?;
        let corpus = write_seeds(target)?;
        let dict = root().join("fuzz/dicts").join(target.dict);
        run(cargo_fuzz()
            .args(["run", "-s", "none", target.name])
            .arg(&corpus)
            .arg("--")
            .args(bounds())
            .arg(budget.flag())
            .arg(format!("-dict={}", dict.display()))
            .args(["-seed=1", "-print_final_stats=1"])
            .args(if keep_going { CAMPAIGN } else { &[] }))?;
    }
    Ok(())
}

/// libFuzzer's options for going on past failures (each input still in
/// its own bounds; the failing ones are written to fuzz/artifacts/).
const CAMPAIGN: &[&str] = &["-fork=1", "-ignore_crashes=1", "-ignore_timeouts=1", "-ignore_ooms=1"];

/// The property's bounds, as libFuzzer options.
fn bounds() -> Vec<String> {
    vec![format!("-timeout={TIMEOUT_SECONDS}"), format!("-rss_limit_mb={RSS_LIMIT_MB}"), format!("-max_len={MAX_LEN}")]
}

fn cargo_fuzz() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("fuzz").env("RUSTC_BOOTSTRAP", "1");
    cmd
}

/// cargo-fuzz from crates.io, and the C++ compiler libfuzzer-sys builds
/// libFuzzer with; both skipped when present.
fn install() -> Result {
    let have = output(cargo_bin("cargo-fuzz").to_str().unwrap_or("cargo-fuzz"), &["--version"]).unwrap_or_default();
    if !have.contains(&format!("cargo-fuzz {CARGO_FUZZ}")) {
        run(Command::new("cargo").args(["install", "cargo-fuzz", "--version", &format!("~{CARGO_FUZZ}"), "--force"]))?;
    }
    if output("c++", &["--version"]).is_none() {
        let sudo = output("id", &["-u"]).is_none_or(|u| u.trim() != "0");
        let apt = |args: &[&str]| {
            let mut cmd = Command::new(if sudo { "sudo" } else { "apt-get" });
            if sudo {
                cmd.arg("apt-get");
            }
            run(cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive"))
        };
        apt(&["update", "-qq"])?;
        apt(&["install", "-y", "-qq", "--no-install-recommends", "g++"])?;
    }
    Ok(())
}

/// Runs each input of fuzz/regressions/<target>/ once (libFuzzer given
/// files runs them and exits): inputs that once crashed stay fixed.
fn replay(target: &Target) -> Result {
    let dir = root().join("fuzz/regressions").join(target.name);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect(),
        Err(_) => return Ok(()),
    };
    if files.is_empty() {
        return Ok(());
    }
    files.sort();
    run(cargo_fuzz().args(["run", "-s", "none", target.name]).args(&files).arg("--").args(bounds()))
}

/// Test inputs that are whole files, used as seeds where they are rather
/// than copied: target, folder of the repository.
const FILE_SEEDS: &[(&str, &str)] = &[
    ("terraform", "crates/keyless-core/tests/fixtures/terraform"),
    ("lint", "crates/keyless-core/tests/fixtures/cloudformation"),
    ("token", "tests/fixtures/tokens"),
];

/// Fills fuzz/corpus/<target>/ (not committed) with the target's seeds:
/// the hand-written ones of fuzz/seeds/<target>/ and those taken from the
/// fixtures. Returns the corpus directory. Idempotent: a seed is a file
/// named after its source, rewritten each time; what libFuzzer added stays.
fn write_seeds(target: &Target) -> Result<PathBuf> {
    let corpus = root().join("fuzz/corpus").join(target.name);
    std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    let write = |name: &str, bytes: &[u8]| {
        let path = corpus.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))
    };
    let hand = root().join("fuzz/seeds").join(target.name);
    let test_files = FILE_SEEDS.iter().filter(|(t, _)| *t == target.name).map(|(_, dir)| root().join(dir));
    for dir in std::iter::once(hand).chain(test_files) {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if !entry.path().is_file() {
                continue;
            }
            let bytes = std::fs::read(entry.path()).map_err(|e| format!("{}: {e}", entry.path().display()))?;
            write(&format!("hand-{}", entry.file_name().to_string_lossy()), &bytes)?;
        }
    }
    for (fixture, text) in fixtures()? {
        for (i, seed) in seeds_of(&text, target.seeds).into_iter().enumerate() {
            write(&format!("fixture-{fixture}-{i}"), &seed)?;
        }
    }
    Ok(corpus)
}

/// Every fixture: its file stem and text.
fn fixtures() -> Result<Vec<(String, String)>> {
    let dir = root().join("tests/fixtures");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            out.push((path.file_stem().unwrap_or_default().to_string_lossy().into_owned(), text));
        }
    }
    out.sort();
    Ok(out)
}

/// The seed inputs `kinds` take from one fixture's text.
fn seeds_of(text: &str, kinds: &[Seed]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for kind in kinds {
        match *kind {
            Seed::Section(key, indent) => out.extend(sections(text, key, indent).into_iter().map(String::into_bytes)),
            Seed::Document(key, indent, mode) => out.extend(sections(text, key, indent).into_iter().map(|s| {
                let mut b = vec![mode];
                b.extend(s.into_bytes());
                b
            })),
            Seed::Expressions => {
                for workflow in sections(text, "workflow", 2) {
                    out.extend(expressions(&workflow).into_iter().map(String::into_bytes));
                }
            }
            Seed::Values(within, key) => {
                for s in sections(text, within, 2) {
                    out.extend(values(&s, key).into_iter().map(String::into_bytes));
                }
            }
            Seed::GcpCel => {
                for s in sections(text, "gcp", 2) {
                    for cond in values(&s, "attributeCondition") {
                        for mapping in values(&s, "google.subject") {
                            out.push(format!("{cond}\n{mapping}").into_bytes());
                        }
                    }
                }
            }
        }
    }
    out
}

/// The text under each `key:` line at exactly `indent` spaces: the inline
/// value, or the following more-indented lines, dedented (a block scalar's
/// text or a nested mapping). Enough YAML for the fixtures' layout; a
/// fixture written otherwise only gives fewer seeds.
fn sections(text: &str, key: &str, indent: usize) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix(&" ".repeat(indent)) else { continue };
        let Some(after) = rest.strip_prefix(key).and_then(|r| r.strip_prefix(':')) else { continue };
        let after = after.trim();
        if !after.is_empty() && !after.starts_with(['|', '>']) {
            out.push(unquote(after).to_string());
            continue;
        }
        let body: Vec<&str> =
            lines.iter().skip(i + 1).take_while(|l| l.trim().is_empty() || indentation(l) > indent).copied().collect();
        let cut = body.iter().filter(|l| !l.trim().is_empty()).map(|l| indentation(l)).min().unwrap_or(0);
        let mut s: String = body.iter().map(|l| format!("{}\n", l.get(cut..).unwrap_or(""))).collect();
        while s.ends_with("\n\n") {
            s.pop();
        }
        if !s.trim().is_empty() {
            out.push(s);
        }
    }
    out
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The values of every `key: value` line (any indentation; the key may be
/// quoted, as in JSON).
fn values(text: &str, key: &str) -> Vec<String> {
    let quoted = format!("\"{key}\"");
    text.lines()
        .filter_map(|l| {
            let l = l.trim_start().trim_start_matches("- ");
            l.strip_prefix(key).or_else(|| l.strip_prefix(quoted.as_str()))?.strip_prefix(':')
        })
        .map(|v| unquote(v.trim().trim_end_matches(',')).to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

/// The `${{ … }}` markers of a workflow, and its `if:` values.
fn expressions(workflow: &str) -> Vec<String> {
    let mut out = values(workflow, "if");
    let mut rest = workflow;
    while let Some(start) = rest.find("${{") {
        let tail = rest.get(start..).unwrap_or_default();
        let Some(end) = tail.find("}}") else { break };
        out.push(tail.get(..end + 2).unwrap_or_default().to_string());
        rest = tail.get(end + 2..).unwrap_or_default();
    }
    out
}

/// The fixtures give every target at least one seed (a fixture reworded
/// so that a section is no longer found would starve a target silently).
fn check_seeds() -> Result {
    let fixtures = fixtures()?;
    for t in TARGETS {
        let n: usize = fixtures.iter().map(|(_, text)| seeds_of(text, t.seeds).len()).sum();
        let hand = Path::new(&root()).join("fuzz/seeds").join(t.name);
        let files = FILE_SEEDS.iter().filter(|(name, _)| *name == t.name).map(|(_, dir)| root().join(dir));
        let hand_n: usize =
            std::iter::once(hand).chain(files).map(|d| std::fs::read_dir(d).map(|d| d.count()).unwrap_or(0)).sum();
        if n + hand_n == 0 {
            return Err(format!("fuzz target `{}` has no seeds (tests/fixtures, fuzz/seeds, FILE_SEEDS)", t.name));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = "id: x\nscenario:\n  repository: a/b\n  workflow: |\n    on: push\n    jobs:\n      j:\n        if: github.ref == 'refs/heads/main'\n        steps:\n          - run: echo ${{ github.sha }}\n\n  gcp: |\n    provider:\n      attributeMapping:\n        google.subject: assertion.sub\n      attributeCondition: \"assertion.repository_owner == 'a'\"\nexpect: []\n";

    #[test]
    fn a_block_scalar_section_is_dedented() {
        let w = sections(FIXTURE, "workflow", 2);
        assert_eq!(w.len(), 1);
        assert!(w[0].starts_with("on: push\njobs:\n  j:\n"), "{}", w[0]);
    }

    #[test]
    fn a_mapping_section_stops_at_the_next_key() {
        let s = sections(FIXTURE, "scenario", 0);
        assert_eq!(s.len(), 1);
        assert!(s[0].starts_with("repository: a/b\nworkflow: |\n"), "{}", s[0]);
        assert!(!s[0].contains("expect"));
    }

    #[test]
    fn expressions_and_cel_are_found() {
        let got = seeds_of(FIXTURE, &[Seed::Expressions]);
        assert_eq!(got, vec![b"github.ref == 'refs/heads/main'".to_vec(), b"${{ github.sha }}".to_vec()]);
        let cel = seeds_of(FIXTURE, &[Seed::GcpCel]);
        assert_eq!(cel, vec![b"assertion.repository_owner == 'a'\nassertion.sub".to_vec()]);
    }

    #[test]
    fn every_target_has_seeds_from_the_repository() {
        check_seeds().unwrap();
    }
}
