//! `keyless`: the Keyless engine on the command line. Thin: parsing,
//! simulation and verdicts all live in `keyless-core`; this crate reads
//! files, maps locations back to them, and prints.

mod args;
mod check;
mod inputs;
mod lint;
mod output;
mod render;
mod token;

use args::{Format, Spec};
use keyless_core::doc;
use keyless_core::output::Locator;
use keyless_core::span::DocId;
use std::io::Read;
use std::process::ExitCode;

const USAGE: &str = "\
keyless: simulate GitHub Actions OIDC tokens and the verdict of each cloud's trust configuration

USAGE:
    keyless eval SCENARIO [--format text|json] [--color auto|always|never]
    keyless lint [PATH...] [--format text|json|sarif|github|markdown] [--fail-on SEVERITY] [--config FILE]
    keyless check SCENARIO... [--format text|json]
    keyless token decode TOKEN|- [--at TIME] [--format text|json]
    keyless token verify TOKEN|- --jwks FILE [--issuer URL] [--at TIME] [--skew SECONDS]
    keyless token mint SCENARIO --job ID [--cloud CLOUD] [--key PEM] [--key-out PEM]
    keyless eval SCENARIO --token FILE [--job ID] [--at TIME] [--format text|json]
    keyless help [COMMAND] | --help | --version

COMMANDS:
    eval    simulate a scenario: token claims, each cloud's verdict and why,
            findings, the what-if matrix, verified least-privilege fixes
    lint    findings on workflows, trust configurations and scenarios
            (files, directories, globs); SARIF for code scanning
    check   a scenario's expected admits and refusals, as a CI gate
    token   a real token: decode it, verify it against a JWKS, or mint a
            labelled sample; `eval --token` judges the scenario's clouds on it

`keyless COMMAND --help` says more. Colour: --color, or NO_COLOR=1.
Exit status: 0 success; 1 findings at --fail-on (lint) or a failed
expectation (check); 2 bad usage or invalid input (printed as
file:line:col: message).";

const EVAL_HELP: &str = "\
keyless eval: simulate a scenario

USAGE:
    keyless eval SCENARIO [OPTIONS]

SCENARIO is a YAML or JSON scenario file (see README), a fixture, or - for
standard input. Prints each job's token claims, each cloud's verdict with
its code and the condition that decided it, findings, the what-if matrix
and verified least-privilege suggestions.

OPTIONS:
    -f, --format FORMAT   text (default) or json (the versioned contract)
        --color WHEN      auto (default; honours NO_COLOR), always, never
    -h, --help            this help

EXIT STATUS:
    0 the scenario was evaluated (whatever the verdicts)
    2 invalid input (errors printed as file:line:col: message)";

const EVAL_SPEC: Spec =
    Spec { formats: &[Format::Text, Format::Json], default_format: Format::Text, fail_on: false, config: false };

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("eval") if token::wants_token(&args) => token::eval(args.get(1..).unwrap_or_default()),
        Some("eval") => eval(args.get(1..).unwrap_or_default()),
        Some("token") => token::run(args.get(1..).unwrap_or_default()),
        Some("lint") => lint::run(args.get(1..).unwrap_or_default()),
        Some("check") => check::run(args.get(1..).unwrap_or_default()),
        Some("--version" | "-V" | "version") => {
            output::stdout(&format!("keyless {}\n", keyless_core::VERSION)).err().unwrap_or(ExitCode::SUCCESS)
        }
        Some("--help" | "-h" | "help") => {
            let text = match args.get(1).map(String::as_str) {
                None => USAGE,
                Some(command) => match help_of(command) {
                    Some(h) => h,
                    None => return usage_error(&format!("no command `{command}`")),
                },
            };
            output::stdout(&format!("{text}\n")).err().unwrap_or(ExitCode::SUCCESS)
        }
        Some(other) if !other.starts_with('-') => usage_error(&format!("no command `{other}`")),
        Some(other) => usage_error(&format!("unknown option `{other}` (options follow the command)")),
        None => usage_error("expected a command"),
    }
}

/// A command's `--help` text.
fn help_of(command: &str) -> Option<&'static str> {
    match command {
        "eval" => Some(EVAL_HELP),
        "lint" => Some(lint::HELP),
        "check" => Some(check::HELP),
        "token" => Some(token::HELP),
        _ => None,
    }
}

/// Bad usage of one command: the message and where to read more.
pub(crate) fn usage_error_for(msg: &str, command: &str) -> ExitCode {
    output::stderr(&format!("keyless {command}: {msg}\n(see keyless {command} --help)"));
    ExitCode::from(2)
}

/// A fixture file (tests/fixtures) holds its scenario under `scenario:`.
pub(crate) use keyless_core::output::scenario_root;

pub(crate) fn usage_error(msg: &str) -> ExitCode {
    output::stderr(&format!("keyless: {msg}\n\n{USAGE}"));
    ExitCode::from(2)
}

/// Reads a file, or standard input for `-`, as UTF-8. A file that is not
/// UTF-8 is an error at the first bad byte (`file:line:col: error: …`).
pub(crate) fn read_input(path: &str) -> Result<(String, String), String> {
    let (name, bytes) = if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| format!("<stdin>: {e}"))?;
        ("<stdin>".to_string(), bytes)
    } else {
        (path.to_string(), std::fs::read(path).map_err(|e| format!("{path}: {e}"))?)
    };
    match doc::decode(&bytes, DocId::Scenario) {
        Ok(text) => Ok((name, text.to_string())),
        Err(d) => {
            // The text before the bad byte is valid: it places the error.
            let at = d.span.map_or(0, |s| s.start as usize);
            let before = bytes.get(..at).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or_default();
            let located = Locator::new(&name, before, None).render(&keyless_core::Diagnostic {
                span: d.span.map(|s| keyless_core::span::Span::new(DocId::Scenario, at, s.end as usize)),
                ..d
            });
            Err(located)
        }
    }
}

fn eval(args: &[String]) -> ExitCode {
    let a = match args::parse(args, &EVAL_SPEC) {
        Ok(a) => a,
        Err(e) => return usage_error_for(&e, "eval"),
    };
    if a.help {
        return output::stdout(&format!("{EVAL_HELP}\n")).err().unwrap_or(ExitCode::SUCCESS);
    }
    let format = a.format;
    let [path] = a.positional.as_slice() else {
        return usage_error_for("eval takes one SCENARIO file", "eval");
    };
    let (name, text) = match read_input(path) {
        Ok(x) => x,
        Err(e) => {
            output::stderr(&format!("keyless: {e}"));
            return ExitCode::from(2);
        }
    };
    let read = inputs::reference_reader(path);
    let evaluated = keyless_core::output::evaluate_file_reading(&name, &text, &keyless_core::Clouds::ALL, Some(&read));
    let locator = evaluated.locator;
    let (scenario, report) = match evaluated.result {
        Ok(x) => x,
        Err(errors) => {
            for d in &errors {
                output::stderr(&locator.render(d));
            }
            return ExitCode::from(2);
        }
    };
    let analysis = keyless_core::analysis::analyze(&scenario, &report);
    let out = match format {
        Format::Json => {
            let value = keyless_core::output::report_json(&report, Some(&analysis), &locator);
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
        _ => render::report_text(&scenario, &report, &analysis, &locator, args::use_color(a.color)),
    };
    output::stdout(&out).err().unwrap_or(ExitCode::SUCCESS)
}
