//! Engine benchmarks: `cargo xtask bench` (release build). Reports the
//! median wall time per evaluation of every fixture scenario, so that the
//! live-as-you-type goal of the playground is measured, not assumed.

use keyless_core::Scenario;
use keyless_core::fixture::Fixture;
use std::path::Path;
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn time<F: FnMut()>(mut f: F) -> Duration {
    // Warm up, then take the median of batches.
    for _ in 0..10 {
        f();
    }
    let mut samples = Vec::new();
    for _ in 0..30 {
        let start = Instant::now();
        for _ in 0..20 {
            f();
        }
        samples.push(start.elapsed() / 20);
    }
    median(samples)
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut files: Vec<_> = std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();
    println!("{:<28} {:>12} {:>12}", "fixture", "parse µs", "evaluate µs");
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let Ok(fixture) = Fixture::parse(&text) else { continue };
        let Some(case) = fixture.cases.first() else { continue };
        let Ok(scenario) = Scenario::from_node(&case.scenario) else { continue };
        let parse = time(|| {
            let _ = Scenario::from_node(&case.scenario);
        });
        let eval = time(|| {
            let _ = keyless_core::evaluate(&scenario);
        });
        println!("{:<28} {:>12.1} {:>12.1}", fixture.id, parse.as_secs_f64() * 1e6, eval.as_secs_f64() * 1e6);
    }
}
