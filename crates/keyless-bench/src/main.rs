//! `keyless-bench`: the inputs and native halves of BENCHMARKS.md.
//!
//! ```text
//! keyless-bench scenario [--lines N]      the large scenario (YAML) on stdout
//! keyless-bench native                    one re-evaluation of it, natively
//! keyless-bench lint-tree DIR [W T]       writes W workflows + T trust files under DIR
//! keyless-bench lint KEYLESS DIR          `KEYLESS lint` over every file under DIR, on one core: files/s
//! keyless-bench aws-cases                 AWS policies + request contexts (JSON) on stdout
//! keyless-bench aws-eval CASES.json [S]   Keyless's verdicts and throughput over them (JSON)
//! ```
//!
//! Everything generated is deterministic (`inputs`): the same command prints
//! the same bytes on every machine.

mod aws;
mod inputs;

use keyless_core::draft::ScenarioDraft;
use keyless_core::verdict_cache::VerdictCache;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    let result = match arg(0) {
        Some("scenario") => {
            let mut spec = inputs::LargeScenario::default();
            if let (Some("--lines"), Some(n)) = (arg(1), arg(2).and_then(|n| n.parse().ok())) {
                spec.workflow_lines = n;
            }
            print!("{}", spec.yaml());
            Ok(())
        }
        Some("native") => native(),
        Some("lint-tree") => lint_tree(arg(1), arg(2), arg(3)),
        Some("lint") => lint(arg(1), arg(2)),
        Some("aws-cases") => aws::cases(),
        Some("aws-eval") => aws::eval(arg(1), arg(2)),
        _ => Err("usage: keyless-bench <scenario [--lines N] | native | lint-tree DIR [WORKFLOWS TRUST] | lint KEYLESS DIR | aws-cases | aws-eval CASES.json [SECONDS]>".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("keyless-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// This thread's CPU time: unlike wall time, not inflated by other
/// processes on a shared machine.
pub fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0;
    if ok { Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32) } else { Duration::ZERO }
}

/// Medians (wall, CPU) of `runs` timings of `f` after `warmup` untimed runs.
pub fn median_of<F: FnMut()>(warmup: usize, runs: usize, mut f: F) -> Timing {
    for _ in 0..warmup {
        f();
    }
    let (mut wall, mut cpu): (Vec<Duration>, Vec<Duration>) = (0..runs.max(1))
        .map(|_| {
            let (start, start_cpu) = (Instant::now(), thread_cpu_time());
            f();
            (start.elapsed(), thread_cpu_time().saturating_sub(start_cpu))
        })
        .unzip();
    wall.sort();
    cpu.sort();
    let mid = |v: &Vec<Duration>| v.get(v.len() / 2).copied().unwrap_or_default();
    Timing { wall: mid(&wall), cpu: mid(&cpu) }
}

/// A median wall time and CPU time.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub wall: Duration,
    pub cpu: Duration,
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:>9.2} ms wall {:>9.2} ms CPU", self.wall.as_secs_f64() * 1e3, self.cpu.as_secs_f64() * 1e3)
    }
}

/// The large scenario, re-evaluated the way the playground does on a
/// keystroke (draft → scenario → every verdict), and the what-if matrix
/// the analysis worker computes next.
fn native() -> Result<(), String> {
    let spec = inputs::LargeScenario::default();
    let yaml = spec.yaml();
    let (draft, problems) = ScenarioDraft::from_yaml(&yaml);
    if !problems.is_empty() {
        return Err(format!("generated scenario does not load: {problems:?}"));
    }
    let (scenario, diagnostics) = draft.build();
    if let Some(d) = diagnostics.first() {
        return Err(format!("generated scenario has errors: {d:?}"));
    }
    let report = keyless_core::evaluate(&scenario);
    let verdicts: usize = report.jobs.iter().map(|j| j.verdicts.len()).sum();
    let allowed: usize = report.jobs.iter().flat_map(|j| j.verdicts.values()).filter(|v| v.allowed).count();
    println!(
        "large scenario: {} workflow lines, {} bytes, {} job runs, {verdicts} verdicts ({allowed} allowed)",
        draft.workflow.lines().count(),
        yaml.len(),
        report.jobs.len()
    );
    let reeval = median_of(3, 21, || {
        let (s, _) = draft.build();
        let _ = keyless_core::evaluate(&s);
    });
    let eval_only = median_of(3, 21, || {
        let _ = keyless_core::evaluate(&scenario);
    });
    // A keystroke in a `run:` script of the middle job: the playground's
    // path (draft → scenario → report through its verdict cache).
    let needle = "make deploy-10";
    let mut edited = draft.clone();
    edited.workflow = draft.workflow.replacen(needle, "make deploy-10x", 1);
    let mut cache = VerdictCache::default();
    let _ = cache.evaluate(&draft.build().0, &keyless_core::Clouds::ALL);
    let mut flip = false;
    let keystroke = median_of(3, 21, || {
        flip = !flip;
        let (s, _) = if flip { edited.build() } else { draft.build() };
        let _ = cache.evaluate(&s, &keyless_core::Clouds::ALL);
    });
    // A keystroke in the AWS policy: AWS's verdicts are computed again.
    let mut aws_edited = draft.clone();
    aws_edited.aws = draft.aws.replacen("\"Sid\": \"S50\"", "\"Sid\": \"S50x\"", 1);
    let aws_keystroke = median_of(3, 21, || {
        flip = !flip;
        let (s, _) = if flip { aws_edited.build() } else { draft.build() };
        let _ = cache.evaluate(&s, &keyless_core::Clouds::ALL);
    });
    let github_only = median_of(3, 21, || {
        let _ = keyless_core::engine::evaluate_with(&scenario, &keyless_core::Clouds::NONE);
    });
    let analysis = keyless_core::analysis::analyze(&scenario, &report);
    let what_if = median_of(1, 7, || {
        let _ = keyless_core::analysis::analyze(&scenario, &report);
    });
    println!("{:<44} {reeval}", "re-evaluation (parse + build + evaluate)");
    println!("{:<44} {eval_only}", "  of which evaluate");
    println!("{:<44} {github_only}", "    of which GitHub side (claims of every run)");
    println!("{:<44} {keystroke}", "keystroke in a run: script (verdict cache)");
    println!("{:<44} {aws_keystroke}", "keystroke in the AWS policy (verdict cache)");
    println!(
        "{:<44} {what_if}  ({} simulations, {} verdicts)",
        "what-if matrix + findings + suggestions", analysis.matrix.simulations, analysis.matrix.evaluations
    );
    Ok(())
}

fn lint_tree(dir: Option<&str>, workflows: Option<&str>, trust: Option<&str>) -> Result<(), String> {
    let dir = std::path::Path::new(dir.ok_or("lint-tree needs a directory")?);
    let n = |s: Option<&str>| s.and_then(|s| s.parse().ok()).unwrap_or(1000);
    let files = inputs::lint_tree(n(workflows), n(trust));
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    eprintln!("keyless-bench: wrote {} files ({bytes} bytes) under {}", files.len(), dir.display());
    Ok(())
}

/// Runs `keyless lint` once over every file under `dir`, pinned to one
/// core when `taskset` exists; prints files per second of wall time and of
/// the process's CPU time (what a shared machine does not inflate).
fn lint(keyless: Option<&str>, dir: Option<&str>) -> Result<(), String> {
    let keyless = keyless.ok_or("lint needs the keyless binary")?;
    let dir = std::path::Path::new(dir.ok_or("lint needs a directory")?);
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?.flatten() {
            let path = entry.path();
            if path.is_dir() { todo.push(path) } else { files.push(path) }
        }
    }
    files.sort();
    let pinned = std::path::Path::new("/usr/bin/taskset").exists();
    let mut cmd = if pinned {
        let mut c = std::process::Command::new("/usr/bin/taskset");
        c.args(["-c", "0", keyless]);
        c
    } else {
        std::process::Command::new(keyless)
    };
    cmd.args(["lint", "--fail-on", "never", "--format", "json"]).args(&files);
    cmd.stdout(std::process::Stdio::null());
    let before = children_cpu();
    let start = Instant::now();
    let status = cmd.status().map_err(|e| format!("{keyless}: {e}"))?;
    let wall = start.elapsed().as_secs_f64();
    let cpu = children_cpu().saturating_sub(before).as_secs_f64();
    if !status.success() {
        return Err(format!("{keyless} lint failed: {status}"));
    }
    let n = files.len() as f64;
    println!(
        "keyless lint: {} files{} in {wall:.2} s wall, {cpu:.2} s CPU: {:.0} files/s (wall), {:.0} files/s (CPU)",
        files.len(),
        if pinned { " on one core" } else { "" },
        n / wall,
        n / cpu.max(1e-9)
    );
    Ok(())
}

/// User + system CPU time of the waited-for children so far.
fn children_cpu() -> Duration {
    // SAFETY: an all-zero rusage is a valid value for getrusage to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage for the call's duration.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}
