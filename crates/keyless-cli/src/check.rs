//! `keyless check SCENARIO...`: evaluates each scenario's `expect:` (runs
//! each cloud must admit or refuse, `forbid_unintended`) and exits non-zero
//! with a readable diff when one does not hold. The logic is
//! `keyless_core::analysis::expectations`; this prints.

use crate::args::{self, Format, Spec};
use keyless_core::analysis::expectations::{self, CheckReport, Want};
use keyless_core::output::{Loaded, Locator};
use std::fmt::Write as _;
use std::process::ExitCode;

pub const HELP: &str = "\
keyless check: a scenario's expectations as a CI gate

USAGE:
    keyless check SCENARIO... [OPTIONS]

Each SCENARIO (a YAML or JSON scenario file, a fixture, or - for standard
input) declares the runs each cloud must admit and refuse:

    expect:
      aws:
        admit: [push main]
        refuse: [pull_request, push feature/*, other repository]
      refuse: [pull_request from fork]   # every configured cloud
      forbid_unintended: true            # no what-if run may be admitted
                                         # unless an `admit` names its row

Runs: as given | push BRANCH | push tag NAME | pull_request [from fork] |
pull_request_target | EVENT [BRANCH] | a what-if row id (other-branch,
owner-lookalike, ...), then `; environment NAME`, `; no environment`,
`; repository OWNER/NAME`, `; other repository`, `; workflow PATH`.
See docs/check.md.

OPTIONS:
    -f, --format FORMAT   text (default) or json
        --color WHEN      auto (default; honours NO_COLOR), always, never
    -h, --help            this help

EXIT STATUS:
    0 every expectation holds
    1 at least one does not (the diff says which, and why)
    2 invalid input, or a scenario without `expect:`";

const SPEC: Spec =
    Spec { formats: &[Format::Text, Format::Json], default_format: Format::Text, fail_on: false, config: false };

pub fn run(raw: &[String]) -> ExitCode {
    let a = match args::parse(raw, &SPEC) {
        Ok(a) => a,
        Err(e) => return crate::usage_error_for(&e, "check"),
    };
    if a.help {
        return crate::output::stdout(&format!("{HELP}\n")).err().unwrap_or(ExitCode::SUCCESS);
    }
    if a.positional.is_empty() {
        return crate::usage_error_for("check takes one or more SCENARIO files", "check");
    }
    let color = args::use_color(a.color);
    let mut failed = false;
    let mut out = String::new();
    let mut json_reports = Vec::new();
    for path in &a.positional {
        let (name, text) = match crate::read_input(path) {
            Ok(x) => x,
            Err(e) => {
                crate::output::stderr(&format!("keyless: {e}"));
                return ExitCode::from(2);
            }
        };
        let read = crate::inputs::reference_reader(path);
        let loaded = keyless_core::output::load_file(&name, &text, &keyless_core::Clouds::ALL, Some(&read));
        let report = match evaluate(&name, &loaded) {
            Ok(r) => r,
            Err(errors) => {
                crate::output::stderr(&errors);
                return ExitCode::from(2);
            }
        };
        let locator = loaded.locator;
        failed |= !report.passed();
        match a.format {
            Format::Json => {
                let mut v = serde_json::to_value(&report).unwrap_or_default();
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("file".into(), name.clone().into());
                    obj.insert("passed".into(), report.passed().into());
                }
                json_reports.push(v);
            }
            _ => out.push_str(&text_report(&name, &report, &locator, color)),
        }
    }
    if a.format == Format::Json {
        let v = serde_json::json!({ "version": keyless_core::VERSION, "scenarios": json_reports });
        out = serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
    }
    if let Err(code) = crate::output::stdout(&out) {
        return code;
    }
    if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// Checks the expectations of a read scenario. Errors come back rendered
/// (`file:line:col: message`).
fn evaluate(name: &str, loaded: &Loaded) -> Result<CheckReport, String> {
    let render = |errors: &[keyless_core::Diagnostic]| {
        errors.iter().map(|d| loaded.locator.render(d)).collect::<Vec<_>>().join("\n")
    };
    let scenario = loaded.scenario.as_ref().map_err(|e| render(e))?;
    let Some(root) = &loaded.root else { return Err(format!("{name}: not a scenario")) };
    let expectations = match expectations::parse(root) {
        Ok(Some(e)) => e,
        Ok(None) => return Err(format!("{name}: no `expect:` in this scenario (see keyless check --help)")),
        Err(e) => return Err(render(&e)),
    };
    Ok(expectations::check(scenario, &expectations))
}

fn paint(on: bool, code: &str, text: &str) -> String {
    if on { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
}

fn want_text(admitted: bool) -> &'static str {
    if admitted { "admitted" } else { "refused" }
}

/// One line per expectation; each failure with a `-expected` / `+actual`
/// diff, what was simulated, and the verdict of each job.
fn text_report(name: &str, r: &CheckReport, locator: &Locator, color: bool) -> String {
    let mut s = String::new();
    let total = r.outcomes.len() + usize::from(r.forbid_unintended) + r.unconfigured.len();
    let failed =
        r.outcomes.iter().filter(|o| !o.passed).count() + usize::from(!r.unintended.is_empty()) + r.unconfigured.len();
    let verdict = if failed == 0 { paint(color, "32", "ok") } else { paint(color, "1;31", "FAILED") };
    let _ = writeln!(s, "{name}: {verdict}: {} of {total} expectation(s) hold", total - failed);
    for o in &r.outcomes {
        let want = match o.want {
            Want::Admit => "admit",
            Want::Refuse => "refuse",
        };
        let at = locator.location(Some(o.span)).map(|l| format!(" ({l})")).unwrap_or_default();
        if o.passed {
            let _ = writeln!(
                s,
                "  {} {} must {want} `{}`: {}",
                paint(color, "32", "✓"),
                o.cloud.key(),
                o.run,
                want_text(o.admitted)
            );
            continue;
        }
        let _ = writeln!(s, "  {} {} must {want} `{}`{at}", paint(color, "31", "✗"), o.cloud.key(), o.run);
        let _ = writeln!(s, "    {}", paint(color, "32", &format!("- expected: {}", want_text(o.want == Want::Admit))));
        let _ = writeln!(s, "    {}", paint(color, "31", &format!("+ actual:   {}", want_text(o.admitted))));
        for c in &o.changed {
            let _ = writeln!(s, "      simulated: {c}");
        }
        if o.jobs.is_empty() {
            let _ = writeln!(s, "      no job of the run is judged by {} (no token, or no job)", o.cloud.title());
        }
        for j in &o.jobs {
            let sub = j.sub.as_deref().map(|x| format!(" sub {x}")).unwrap_or_else(|| " (no token)".into());
            let dat = locator.location(j.decided_span).map(|l| format!(" ({l})")).unwrap_or_default();
            let _ = writeln!(s, "      job {}{sub}: {} — decided by: {}{dat}", j.job, j.code, j.decided_by);
        }
    }
    for (cloud, run, span) in &r.unconfigured {
        let at = locator.location(Some(*span)).map(|l| format!(" ({l})")).unwrap_or_default();
        let _ = writeln!(
            s,
            "  {} {}: `{run}`{at}: the scenario configures no {} trust to check",
            paint(color, "31", "✗"),
            cloud.key(),
            cloud.title()
        );
    }
    if r.forbid_unintended {
        if r.unintended.is_empty() {
            let _ = writeln!(s, "  {} forbid_unintended: no what-if run is admitted", paint(color, "32", "✓"));
        } else {
            let _ = writeln!(
                s,
                "  {} forbid_unintended: {} what-if run(s) admitted that no `admit` names",
                paint(color, "31", "✗"),
                r.unintended.len()
            );
            for u in &r.unintended {
                let sub = u.sub.as_deref().map(|x| format!(" sub {x}")).unwrap_or_default();
                let dat = locator.location(u.decided_span).map(|l| format!(" ({l})")).unwrap_or_default();
                let _ = writeln!(
                    s,
                    "    {} {} [{}]: {}{sub}",
                    paint(color, "31", "+ admitted"),
                    u.cloud.key(),
                    u.row,
                    u.description
                );
                let _ = writeln!(s, "      decided by: {}{dat}", u.decided_by);
            }
        }
    }
    s
}
