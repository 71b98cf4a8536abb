//! Analysis timing: `cargo run --release -p keyless-core --example
//! analyze_bench`. Prints, per fixture, the median time of
//! `analysis::analyze` (what-if matrix + findings + verified suggestions)
//! and how many simulations and cloud verdicts it took; the playground
//! target is < 50 ms.

use keyless_core::Scenario;
use keyless_core::analysis;
use keyless_core::doc;
use keyless_core::span::DocId;
use std::time::{Duration, Instant};

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut files: Vec<_> = std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();
    println!("{:<28} {:>10} {:>6} {:>6}", "fixture", "analyze ms", "sims", "evals");
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let Ok(root) = doc::parse(&text, DocId::Scenario) else { continue };
        let Some(Ok(scenario)) = root.get("scenario").map(Scenario::from_node) else { continue };
        let report = keyless_core::evaluate(&scenario);
        let mut samples: Vec<Duration> = Vec::new();
        let mut last = None;
        for _ in 0..15 {
            let start = Instant::now();
            last = Some(analysis::analyze(&scenario, &report));
            samples.push(start.elapsed());
        }
        samples.sort();
        let median = samples.get(samples.len() / 2).copied().unwrap_or_default();
        let (sims, evals) = last.map_or((0, 0), |a| (a.matrix.simulations, a.matrix.evaluations));
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        println!("{name:<28} {:>10.2} {sims:>6} {evals:>6}", median.as_secs_f64() * 1e3);
    }
}
