//! `keyless token decode|verify|mint` and `keyless eval SCENARIO --token
//! FILE`: the token lab on the command line. Thin like the rest: decoding,
//! checks, verdicts and the diff are `keyless_core::token`.

use crate::args::Format;
use crate::{read_input, render, usage_error};
use keyless_core::diagnostic::Severity;
use keyless_core::engine::Report;
use keyless_core::output::Locator;
use keyless_core::span::DocId;
use keyless_core::token::crypto::{self, SigningKey};
use keyless_core::token::diff::DiffKind;
use keyless_core::token::times::{self, TimeStatus};
use keyless_core::token::{self, jwks, real};
use keyless_core::verdict::Cloud;
use keyless_core::{Scenario, doc};
use serde_json::json;
use std::io::IsTerminal;
use std::process::ExitCode;

pub const HELP: &str = "\
keyless token: the token lab (a real token next to the simulation)

USAGE:
    keyless token decode TOKEN|- [--at TIME] [--format text|json]
    keyless token verify TOKEN|- --jwks FILE [--issuer URL] [--at TIME] [--skew SECONDS]
    keyless token mint SCENARIO --job ID [--cloud CLOUD] [--key PEM] [--key-out PEM]
    keyless eval SCENARIO --token FILE [--job ID] [--at TIME] [--format text|json]

TOKEN is a JWT, the claims JSON a job printed, a file holding either, or -
for standard input. A pasted token is only read, never stored. Minted
tokens are signed by a key generated here and labelled as not GitHub's.

EXIT STATUS:
    0 done (verify: every check passed); 1 verify: a check failed;
    2 bad usage or invalid input";

/// `--format text|json` taken out of `args` (the token commands' only
/// formats); the rest returned in order.
fn parse_format(args: &[String], default: Format) -> Result<(Format, Vec<String>), String> {
    let mut format = default;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = if a == "--format" || a == "-f" {
            Some(it.next().cloned().ok_or("--format needs a value")?)
        } else {
            a.strip_prefix("--format=").map(str::to_string)
        };
        match value.as_deref() {
            Some("json") => format = Format::Json,
            Some("text") => format = Format::Text,
            Some(other) => return Err(format!("unknown format `{other}` (text or json)")),
            None => rest.push(a.clone()),
        }
    }
    Ok((format, rest))
}

/// `keyless token …`.
pub fn run(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        return crate::output::stdout(&format!("{HELP}\n")).err().unwrap_or(ExitCode::SUCCESS);
    }
    match args.first().map(String::as_str) {
        Some("decode") => decode(args.get(1..).unwrap_or_default()),
        Some("verify") => verify(args.get(1..).unwrap_or_default()),
        Some("mint") => mint(args.get(1..).unwrap_or_default()),
        _ => usage_error("token takes decode, verify or mint"),
    }
}

/// Whether `keyless eval` was given `--token` (then [`eval`] runs it).
pub fn wants_token(args: &[String]) -> bool {
    args.iter().any(|a| a == "--token" || a.starts_with("--token="))
}

/// Options with a value, removed from `args`.
struct Opts {
    rest: Vec<String>,
    values: Vec<(String, String)>,
}

impl Opts {
    fn take(args: &[String], names: &[&str]) -> Result<Opts, String> {
        let mut rest = Vec::new();
        let mut values = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if let Some(name) = names.iter().find(|n| a == *n) {
                let v = it.next().ok_or(format!("{name} needs a value"))?;
                values.push(((*name).to_string(), v.clone()));
            } else if let Some((name, v)) = names.iter().find_map(|n| a.strip_prefix(&format!("{n}=")).map(|v| (n, v)))
            {
                values.push(((*name).to_string(), v.to_string()));
            } else if a.starts_with("--") && a.len() > 2 {
                return Err(format!("unknown option `{a}`"));
            } else {
                rest.push(a.clone());
            }
        }
        Ok(Opts { rest, values })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// `--at TIME`, else now.
    fn at(&self) -> Result<i64, String> {
        match self.get("--at") {
            Some(t) => times::parse_instant(t),
            None => Ok(now()),
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A token argument: `-` (stdin), a file, or the token itself.
fn token_text(arg: &str) -> Result<String, String> {
    if arg == "-" || std::path::Path::new(arg).is_file() {
        return read_input(arg).map(|(_, t)| t);
    }
    Ok(arg.to_string())
}

fn fail(msg: &str) -> ExitCode {
    crate::output::stderr(&format!("keyless: {msg}"));
    ExitCode::from(2)
}

fn print(out: &str) -> ExitCode {
    crate::output::stdout(out).err().unwrap_or(ExitCode::SUCCESS)
}

fn json_out(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

fn read_token(arg: &str) -> Result<token::RealToken, String> {
    let text = token_text(arg)?;
    token::read(&text).map_err(|e| format!("{arg}: {e}"))
}

fn decode(args: &[String]) -> ExitCode {
    let (format, args) = match parse_format(args, Format::Text) {
        Ok(x) => x,
        Err(e) => return usage_error(&e),
    };
    let opts = match Opts::take(&args, &["--at"]) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    let [arg] = opts.rest.as_slice() else { return usage_error("token decode takes one TOKEN (or - for stdin)") };
    let at = match opts.at() {
        Ok(t) => t,
        Err(e) => return usage_error(&e),
    };
    let t = match read_token(arg) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let checks = times::check(&t.claims, at, 0);
    if format != Format::Text {
        return print(&json_out(&json!({
            "form": t.form, "header": t.header, "claims": t.claims,
            "types": token::types::rows(&t.claims), "notes": t.notes, "at": at, "times": checks,
        })));
    }
    let mut out = String::new();
    if let Some(h) = &t.header {
        out += &format!("header: alg {}", h.alg);
        for (k, v) in [("typ", &h.typ), ("kid", &h.kid), ("x5t", &h.x5t)] {
            if let Some(v) = v {
                out += &format!(", {k} {v}");
            }
        }
        out += "\n";
    } else {
        out += "claims only (no header or signature to check)\n";
    }
    out += "claims:\n";
    for r in token::types::rows(&t.claims) {
        let flag = if r.type_ok { "" } else { "  (not GitHub's type)" };
        out += &format!("  {:<22} {:<14} {}{flag}\n", r.name, r.github_type.as_str(), r.value);
    }
    for n in &t.notes {
        out += &format!("note: {n}\n");
    }
    out += &format!("times at {}:\n", times::format_instant(at));
    for c in &checks {
        out += &format!("  {:<4} {}: {}\n", status(c.status), c.claim, c.message);
    }
    print(&out)
}

fn status(s: TimeStatus) -> &'static str {
    match s {
        TimeStatus::Pass => "ok",
        TimeStatus::Fail => "FAIL",
        TimeStatus::Absent => "-",
    }
}

fn verify(args: &[String]) -> ExitCode {
    let (format, args) = match parse_format(args, Format::Text) {
        Ok(x) => x,
        Err(e) => return usage_error(&e),
    };
    let opts = match Opts::take(&args, &["--jwks", "--issuer", "--at", "--skew"]) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    let [arg] = opts.rest.as_slice() else { return usage_error("token verify takes one TOKEN (or - for stdin)") };
    let Some(jwks_path) = opts.get("--jwks") else {
        return usage_error(&format!("token verify needs --jwks FILE (github.com's keys: {})", jwks::GITHUB_JWKS_URL));
    };
    let (at, skew) = match (opts.at(), opts.get("--skew").map_or(Ok(0), |s| s.parse::<i64>())) {
        (Ok(a), Ok(s)) => (a, s),
        (Err(e), _) => return usage_error(&e),
        (_, Err(_)) => return usage_error("--skew takes a number of seconds"),
    };
    let t = match read_token(arg) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let keys = match read_input(jwks_path).and_then(|(n, text)| jwks::parse(&text).map_err(|e| format!("{n}: {e}"))) {
        Ok(k) => k,
        Err(e) => return fail(&e),
    };
    let issuer = opts.get("--issuer").unwrap_or(jwks::GITHUB_ISSUER);
    let v = crypto::verify(&t, &keys, issuer, at, skew);
    let out = if format == Format::Text {
        let mut out = format!("{} at {}\n", if v.valid { "valid" } else { "INVALID" }, times::format_instant(at));
        for c in &v.checks {
            out += &format!("  {:<4} {}: {}\n", if c.ok { "ok" } else { "FAIL" }, c.name, c.message);
        }
        out
    } else {
        json_out(&json!({ "valid": v.valid, "at": at, "issuer": issuer, "checks": v.checks }))
    };
    let code = print(&out);
    if code != ExitCode::SUCCESS || v.valid { code } else { ExitCode::from(1) }
}

/// Reads and simulates a scenario (a fixture file's `scenario:` too), the
/// way `keyless eval` does; errors are printed as `file:line:col`.
pub(crate) fn load_scenario(path: &str) -> Result<(Scenario, Report, String, String), ExitCode> {
    let (name, text) = read_input(path).map_err(|e| fail(&e))?;
    let read = crate::inputs::reference_reader(path);
    let loaded = keyless_core::output::load_file(&name, &text, &keyless_core::Clouds::ALL, Some(&read));
    let locator = loaded.locator;
    let scenario = loaded.scenario.map_err(|errors| {
        for d in &errors {
            crate::output::stderr(&locator.render(d));
        }
        ExitCode::from(2)
    })?;
    let report = keyless_core::evaluate(&scenario);
    let fatal: Vec<_> = report.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    if !fatal.is_empty() {
        for d in fatal {
            crate::output::stderr(&locator.render(d));
        }
        return Err(ExitCode::from(2));
    }
    Ok((scenario, report, name, text))
}

fn mint(args: &[String]) -> ExitCode {
    let (format, args) = match parse_format(args, Format::Text) {
        Ok(x) => x,
        Err(e) => return usage_error(&e),
    };
    let opts = match Opts::take(&args, &["--job", "--cloud", "--key", "--key-out"]) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    let [path] = opts.rest.as_slice() else { return usage_error("token mint takes one SCENARIO") };
    let (_, report, _, _) = match load_scenario(path) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let ids: Vec<&str> = report.jobs.iter().filter(|j| j.token.issued).map(|j| j.job.as_str()).collect();
    let Some(job_id) = opts.get("--job") else {
        return usage_error(&format!("token mint needs --job ID (jobs with a token: {})", ids.join(", ")));
    };
    let Some(job) = report.jobs.iter().find(|j| j.job == job_id) else {
        return fail(&format!("no job `{job_id}` in the simulated run (jobs with a token: {})", ids.join(", ")));
    };
    if !job.token.issued {
        return fail(&format!(
            "job `{job_id}` gets no token: {}",
            job.token.reason.as_deref().unwrap_or("GitHub mints none")
        ));
    }
    let cloud = match opts.get("--cloud") {
        None => None,
        Some(c) => match Cloud::ALL.into_iter().find(|x| x.key() == c) {
            Some(x) => Some(x),
            None => return usage_error(&format!("unknown cloud `{c}` (aws, azure, gcp or alibaba)")),
        },
    };
    let key = match opts.get("--key") {
        Some(p) => match read_input(p).and_then(|(n, t)| SigningKey::from_pem(&t).map_err(|e| format!("{n}: {e}"))) {
            Ok(k) => k,
            Err(e) => return fail(&e),
        },
        None => match SigningKey::generate() {
            Ok(k) => k,
            Err(e) => return fail(&e),
        },
    };
    if let Some(out) = opts.get("--key-out")
        && let Err(e) = std::fs::write(out, key.private_pem())
    {
        return fail(&format!("{out}: {e}"));
    }
    let claims = real::job_claims(job, cloud);
    let minted = match crypto::mint(&claims, &key) {
        Ok(m) => m,
        Err(e) => return fail(&e),
    };
    let label = "NOT a GitHub token: a sample signed by Keyless with its own key, for testing verifiers offline";
    if format != Format::Text {
        return print(&json_out(&json!({
            "note": label, "job": job.job, "aud": claims.aud(), "kid": minted.kid, "jwt": minted.jwt,
            "jwks": minted.jwks, "openid_configuration": minted.openid_configuration,
        })));
    }
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    print(&format!(
        "# {label}\n# job {} · aud {} · kid {}\n\n# JWT\n{}\n\n# JWKS (serve at {})\n{}\n\n# openid-configuration (serve at {}/.well-known/openid-configuration)\n{}\n",
        job.job,
        claims.aud(),
        minted.kid,
        minted.jwt,
        minted.openid_configuration["jwks_uri"].as_str().unwrap_or_default(),
        pretty(&minted.jwks),
        claims.iss().trim_end_matches('/'),
        pretty(&minted.openid_configuration),
    ))
}

/// `keyless eval SCENARIO --token FILE`: the scenario's clouds judged on
/// the real token's claims, beside the simulation, with the diff.
pub fn eval(args: &[String]) -> ExitCode {
    let (format, args) = match parse_format(args, Format::Text) {
        Ok(x) => x,
        Err(e) => return usage_error(&e),
    };
    let opts = match Opts::take(&args, &["--token", "--job", "--at"]) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    let [path] = opts.rest.as_slice() else { return usage_error("eval takes one SCENARIO file") };
    let Some(token_path) = opts.get("--token") else { return usage_error("--token needs a FILE") };
    let at = match opts.at() {
        Ok(t) => t,
        Err(e) => return usage_error(&e),
    };
    let t = match read_input(token_path).and_then(|(n, text)| token::read(&text).map_err(|e| format!("{n}: {e}"))) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let (scenario, report, name, text) = match load_scenario(path) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if let Some(j) = opts.get("--job")
        && !report.jobs.iter().any(|x| x.job == j)
    {
        return fail(&format!("no job `{j}` in the simulated run"));
    }
    let ev = real::evaluate(&scenario, &report, &t, opts.get("--job"), at, &keyless_core::Clouds::ALL);
    let root = doc::parse(&text, DocId::Scenario).ok().map(crate::scenario_root);
    let locator = Locator::new(&name, &text, root.as_ref());
    let analysis = keyless_core::analysis::analyze(&scenario, &report);
    if format == Format::Json {
        let mut value = keyless_core::output::report_json(&report, Some(&analysis), &locator);
        if let Some(obj) = value.as_object_mut() {
            obj.insert(
                "real_token".into(),
                json!({
                    "form": t.form, "header": t.header, "claims": t.claims, "notes": t.notes, "at": at,
                    "job": ev.job, "verdicts": ev.verdicts, "simulated_verdicts": ev.simulated,
                    "diff": ev.diff, "explanations": ev.explanations, "times": ev.times,
                    "filled_from_simulation": ev.filled_from_simulation,
                }),
            );
        }
        return print(&json_out(&value));
    }
    let mut out = render::report_text(&scenario, &report, &analysis, &locator, std::io::stdout().is_terminal());
    out += &real_text(&ev, &t, at);
    print(&out)
}

fn real_text(ev: &real::RealEvaluation, t: &token::RealToken, at: i64) -> String {
    let mut out = String::from("\nReal token\n");
    match &ev.job {
        Some(j) => out += &format!("  compared with job {} ({})\n", j.job, j.reason),
        None => out += "  no simulated job to compare with\n",
    }
    for n in &t.notes {
        out += &format!("  note: {n}\n");
    }
    if !ev.filled_from_simulation.is_empty() {
        out += &format!(
            "  note: the pasted claims lack {}; taken from the simulated job\n",
            ev.filled_from_simulation.join(", ")
        );
    }
    out += "  verdicts on the real claims (simulated in brackets):\n";
    for (cloud, v) in &ev.verdicts {
        let sim = ev.simulated.get(cloud).map_or("-".to_string(), |s| s.code.clone());
        let same = if ev.simulated.get(cloud).is_some_and(|s| s.code == v.code) { "" } else { "  ← differs" };
        out += &format!("    {:<8} {} [{sim}]{same}\n", cloud.key(), v.code);
        if !v.allowed {
            out += &format!("             {}\n", v.message);
        }
        if !v.decided_by.is_empty() {
            out += &format!("             decided by: {}\n", v.decided_by);
        }
    }
    out += &format!("  times at {}:\n", times::format_instant(at));
    for (cloud, checks) in &ev.times {
        let skew = times::cloud_skew(*cloud);
        let bad: Vec<&str> =
            checks.iter().filter(|c| c.status == TimeStatus::Fail).map(|c| c.message.as_str()).collect();
        let line = if checks.iter().all(|c| c.status == TimeStatus::Absent) {
            "no exp/nbf/iat in the pasted claims".to_string()
        } else if bad.is_empty() {
            "ok".to_string()
        } else {
            bad.join("; ")
        };
        out += &format!("    {:<8} {line} (skew: {})\n", cloud.key(), skew.source);
    }
    let differs: Vec<_> = ev.diff.iter().filter(|d| d.kind != DiffKind::Same && !d.per_run).collect();
    let per_run = ev.diff.iter().filter(|d| d.kind != DiffKind::Same && d.per_run).count();
    out += &format!("  claims that differ from the simulation: {}\n", differs.len());
    for d in differs {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(absent)".into());
        out += &format!("    {:<20} real {}\n    {:<20} sim  {}\n", d.claim, show(&d.real), "", show(&d.simulated));
    }
    if per_run > 0 {
        out += &format!("  ({per_run} per-run claims differ as expected: ids, times, placeholders)\n");
    }
    if !ev.explanations.is_empty() {
        out += "  why:\n";
        for e in &ev.explanations {
            out += &format!("    - {e}\n");
        }
    }
    out
}
