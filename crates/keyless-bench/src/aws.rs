//! The Keyless half of the AWS throughput comparison with
//! `@cloud-copilot/iam-simulate` (tests/bench/aws-vs-iam-simulate.mjs runs
//! both): the cases (trust policies and the request contexts STS builds
//! from GitHub tokens) and Keyless's verdicts and throughput over them.

use crate::inputs;
use keyless_core::aws::{self, AwsConfig};
use keyless_core::claims::{ClaimValue, Claims};
use keyless_core::doc;
use keyless_core::fixture::Fixture;
use keyless_core::iam_policy::unwrap_policy_document;
use keyless_core::span::DocId;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// One policy and the token claims to evaluate it against. `claims` holds
/// only what STS exposes as `<provider>:<claim>` keys (plus `iss`).
fn case(source: String, policy: String, contexts: Vec<Vec<(String, String)>>) -> Value {
    json!({ "source": source, "policy": policy, "contexts": contexts })
}

/// Cases from every fixture (each case and variant: the jobs' simulated
/// claims against the fixture's trust policy) and from generated policies.
pub fn cases() -> Result<(), String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut paths: Vec<_> =
        std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?.flatten().map(|e| e.path()).collect();
    paths.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let Ok(fixture) = Fixture::parse(&text) else { continue };
        for c in &fixture.cases {
            let Some(policy) = policy_json(&c.scenario) else { continue };
            let Ok(scenario) = keyless_core::Scenario::from_node(&c.scenario) else { continue };
            let report = keyless_core::evaluate(&scenario);
            let contexts: Vec<_> =
                report.jobs.iter().filter(|j| j.token.issued).map(|j| sts_claims(&j.token.claims)).collect();
            if !contexts.is_empty() {
                out.push(case(format!("fixture {} / {}", fixture.id, c.name), policy, contexts));
            }
        }
    }
    // Only sizes IAM stores: a larger policy is refused at creation (IAM's
    // 4,096-character maximum), Keyless gives it no verdict, and timing its
    // refusal against iam-simulate's full evaluation would flatter Keyless.
    for (i, statements) in [1usize, 3, 5, 8, inputs::AWS_STATEMENTS_IAM_ACCEPTS].into_iter().enumerate() {
        let policy = inputs::aws_policy(statements, 100 + i as u64);
        out.push(case(
            format!("generated {statements}-statement policy"),
            policy,
            inputs::aws_claims(60, 200 + i as u64),
        ));
    }
    println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    Ok(())
}

/// The fixture's trust policy as JSON text, if its AWS section has one.
fn policy_json(scenario: &doc::Node) -> Option<String> {
    let text = scenario.get("aws")?.as_str()?.to_string();
    let root = doc::parse(&text, DocId::Aws).ok()?;
    let section = root.get("trust_policy").cloned().unwrap_or(root);
    let policy = unwrap_policy_document(&section).ok()?;
    serde_json::to_string_pretty(&policy.to_json()).ok()
}

/// The claims STS puts in the request context (`aws::supports_claim`), and
/// `iss`, which selects the provider.
fn sts_claims(claims: &Claims) -> Vec<(String, String)> {
    claims
        .iter()
        .filter(|(k, _)| *k == "iss" || aws::supports_claim(k))
        .map(|(k, v)| {
            let v = match v {
                ClaimValue::Str(s) => s.clone(),
                ClaimValue::Num(n) => n.to_string(),
            };
            (k.to_string(), v)
        })
        .collect()
}

fn claims_of(context: &Value) -> Claims {
    let mut claims = Claims::new();
    for pair in context.as_array().into_iter().flatten() {
        if let (Some(k), Some(v)) = (pair.get(0).and_then(Value::as_str), pair.get(1).and_then(Value::as_str)) {
            claims.set(k, v);
        }
    }
    claims
}

/// Evaluates every case for about `seconds` in each of two modes, and
/// prints the verdicts of the first pass and both throughputs as JSON:
///
/// - `per_sec`: the policy parsed from its text for every request
///   (`AwsConfig::from_text` + `aws::evaluate`), as iam-simulate's side
///   parses and loads it for every request;
/// - `per_sec_policy_parsed_once`: each policy parsed once and evaluated
///   against every request context (a reused role, the playground's what-if
///   matrix), as iam-simulate's side then loads it once.
///
/// Each is given per second of wall time and per second of the thread's
/// CPU time.
///
/// Every evaluation builds the full verdict, trace text included: that is
/// what a user is shown. A policy Keyless refuses (IAM would not store it)
/// is an error here, never a cheap "evaluation".
pub fn eval(path: Option<&str>, seconds: Option<&str>) -> Result<(), String> {
    let path = path.ok_or("aws-eval needs the cases file")?;
    let budget = Duration::from_secs_f64(seconds.and_then(|s| s.parse().ok()).unwrap_or(2.0));
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let cases: Vec<Value> = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    let mut prepared: Vec<(String, AwsConfig, Vec<Claims>)> = Vec::new();
    for c in &cases {
        let policy = c.get("policy").and_then(Value::as_str).unwrap_or_default().to_string();
        let config = AwsConfig::from_text(&policy).map_err(|d| {
            let source = c.get("source").and_then(Value::as_str).unwrap_or_default();
            format!("{source}: Keyless refuses the policy ({}), so it cannot be timed", d.message)
        })?;
        let contexts = c.get("contexts").and_then(Value::as_array).into_iter().flatten().map(claims_of).collect();
        prepared.push((policy, config, contexts));
    }
    let code = |v: keyless_core::verdict::Verdict| if v.allowed { "allowed".to_string() } else { v.code };
    let verdicts: Vec<Vec<String>> = prepared
        .iter()
        .map(|(_, config, contexts)| contexts.iter().map(|c| code(aws::evaluate(config, c))).collect())
        .collect();
    let per_pass: usize = prepared.iter().map(|(_, _, c)| c.len()).sum();
    // Evaluations per second of wall time and of this thread's CPU time
    // (which other processes on a shared machine inflate much less).
    let rate = |evaluate: &dyn Fn(&str, &AwsConfig, &Claims)| {
        let (mut evaluations, start, cpu) = (0usize, Instant::now(), crate::thread_cpu_time());
        while start.elapsed() < budget {
            for (policy, config, contexts) in &prepared {
                for c in contexts {
                    evaluate(std::hint::black_box(policy), config, c);
                }
            }
            evaluations += per_pass;
        }
        let cpu = (crate::thread_cpu_time() - cpu).as_secs_f64();
        (evaluations as f64 / start.elapsed().as_secs_f64(), evaluations as f64 / cpu)
    };
    let per_sec = rate(&|policy, _, claims| {
        // Parsed above: a parse error here is impossible, and timed as one.
        if let Ok(config) = AwsConfig::from_text(policy) {
            std::hint::black_box(aws::evaluate(&config, claims));
        }
    });
    let per_sec_policy_parsed_once = rate(&|_, config, claims| {
        std::hint::black_box(aws::evaluate(config, claims));
    });
    println!(
        "{}",
        json!({
            "verdicts": verdicts,
            "per_sec": per_sec.0,
            "per_sec_policy_parsed_once": per_sec_policy_parsed_once.0,
            "per_cpu_sec": per_sec.1,
            "per_cpu_sec_policy_parsed_once": per_sec_policy_parsed_once.1,
        })
    );
    Ok(())
}
