//! Analysis timing: `cargo run --release -p keyless-core --example
//! analyze_bench [SCENARIO...]`. Prints, per fixture, the median time of
//! `analysis::analyze` (what-if matrix + findings + verified suggestions)
//! and how many simulations and cloud verdicts it took; the playground
//! target is < 50 ms. Scenario files given are read as the `scenario` fuzz
//! target reads them (parsed, evaluated, then analysed even when the
//! evaluation has errors, which `keyless eval` stops at) and analysed once,
//! so the process's CPU time (`time`) is the fuzz target's work.

use keyless_core::Scenario;
use keyless_core::analysis;
use keyless_core::doc;
use keyless_core::span::DocId;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let given: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let (scenarios, rounds) = if given.is_empty() { (fixtures(), 15) } else { (files(&given), 1) };
    println!("{:<36} {:>11} {:>10} {:>6} {:>6}", "scenario", "evaluate ms", "analyze ms", "sims", "evals");
    for (name, scenario) in scenarios {
        let start = Instant::now();
        let report = keyless_core::evaluate(&scenario);
        let evaluate = start.elapsed();
        let mut samples: Vec<Duration> = Vec::new();
        let mut last = None;
        for _ in 0..rounds {
            let start = Instant::now();
            last = Some(analysis::analyze(&scenario, &report));
            samples.push(start.elapsed());
        }
        samples.sort();
        let median = samples.get(samples.len() / 2).copied().unwrap_or_default();
        let (sims, evals) = last.map_or((0, 0), |a| (a.matrix.simulations, a.matrix.evaluations));
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!("{name:<36} {:>11.2} {:>10.2} {sims:>6} {evals:>6}", ms(evaluate), ms(median));
    }
}

/// The first case of every fixture (tests/fixtures/*.yaml).
fn fixtures() -> Vec<(String, Scenario)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut paths: Vec<_> = std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect();
    paths.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let Ok(root) = doc::parse(&text, DocId::Scenario) else { continue };
        let Some(Ok(scenario)) = root.get("scenario").map(Scenario::from_node) else { continue };
        out.push((stem(&path), scenario));
    }
    out
}

/// Scenario files (YAML or JSON, as `keyless eval` reads them).
fn files(paths: &[PathBuf]) -> Vec<(String, Scenario)> {
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        match Scenario::parse(&text) {
            Ok(scenario) => out.push((stem(path), scenario)),
            Err(errors) => eprintln!("{}: {} error(s), skipped", path.display(), errors.len()),
        }
    }
    out
}

fn stem(path: &std::path::Path) -> String {
    path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string()
}
