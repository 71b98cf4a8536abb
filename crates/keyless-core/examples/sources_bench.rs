//! Citation splitter timing: `cargo run --release -p keyless-core --example
//! sources_bench`. Prints the median time of `sources::segments` on 1 MB
//! texts: engine-like prose with citations, a text dense with tags, one
//! dense with tag-like words that are not tags, and one without any.

use keyless_core::sources::{Segment, segments};
use std::time::{Duration, Instant};

/// `unit` repeated to 1 MB.
fn mb(unit: &str) -> String {
    unit.repeat((1 << 20) / unit.len() + 1)
}

fn main() {
    let texts = [
        (
            "prose",
            mb("`StringLike` matches `repo:octo/*` against sub (A1; research §4.2), see \
                https://example.com/A1 and arn:aws:iam::1:role/Z1 (D-REF, Z1..Z9). "),
        ),
        ("dense tags", mb("(A13, Z1; D-REF) [GHES] L7 ")),
        ("not tags", mb("(X1, A22; KL-SUB-003) B7 ")),
        ("no tags", mb("the subject claim of the token is compared with every pattern of the condition ")),
    ];
    println!("{:<12} {:>10} {:>9}", "1 MB text", "median ms", "cites");
    for (name, text) in &texts {
        let mut samples: Vec<Duration> = Vec::new();
        let mut cites = 0;
        for _ in 0..5 {
            let start = Instant::now();
            let s = segments(text);
            samples.push(start.elapsed());
            cites = s.iter().filter(|s| matches!(s, Segment::Cite(_))).count();
        }
        samples.sort();
        let median = samples.get(samples.len() / 2).copied().unwrap_or_default();
        println!("{name:<12} {:>10.1} {cites:>9}", median.as_secs_f64() * 1e3);
    }
}
