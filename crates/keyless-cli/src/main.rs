//! `keyless`: the Keyless engine on the command line. Thin: parsing,
//! simulation and verdicts all live in `keyless-core`; this crate reads
//! files, maps locations back to them, and prints.

mod lint;
mod locate;
mod output;
mod render;

use keyless_core::Scenario;
use keyless_core::diagnostic::Severity;
use keyless_core::doc;
use keyless_core::span::DocId;
use locate::Locator;
pub(crate) use parse_format as parse_format_args;
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

const USAGE: &str = "\
keyless: simulate GitHub Actions OIDC tokens and the verdict of each cloud's trust configuration

USAGE:
    keyless eval SCENARIO [--format json|text]
    keyless lint FILE... [--format text|json|sarif] [--fail-on critical|high|medium|low|info|never]
    keyless --help | --version

SCENARIO is a YAML or JSON scenario file (see README), or - for standard input.
lint checks workflows, trust configurations (AWS, Azure, GCP, Alibaba) and
scenario files on their own; --format sarif writes SARIF 2.1.0 for GitHub code
scanning.

Exit status: eval: 0 when the scenario was evaluated (whatever the verdicts),
2 on invalid input (errors printed as file:line:col: message).
lint: 1 when a finding reaches the --fail-on severity (default high), else 0;
2 on unreadable or invalid files (one that does not parse or that GitHub or
the cloud would refuse, including a document embedded in a scenario), or
bad usage. Output to a closed pipe ends quietly with 0.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("eval") => eval(args.get(1..).unwrap_or_default()),
        Some("lint") => lint::run(args.get(1..).unwrap_or_default()),
        Some("--version" | "-V") => {
            output::stdout(&format!("keyless {}\n", keyless_core::VERSION)).err().unwrap_or(ExitCode::SUCCESS)
        }
        Some("--help" | "-h" | "help") => output::stdout(&format!("{USAGE}\n")).err().unwrap_or(ExitCode::SUCCESS),
        _ => usage_error("expected a command"),
    }
}

pub(crate) fn usage_error(msg: &str) -> ExitCode {
    output::stderr(&format!("keyless: {msg}\n\n{USAGE}"));
    ExitCode::from(2)
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Json,
    Text,
    Sarif,
}

fn parse_format(args: &[String], default: Format) -> Result<(Format, Vec<String>), String> {
    let mut format = default;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = if a == "--format" {
            Some(it.next().cloned().ok_or("--format needs a value")?)
        } else {
            a.strip_prefix("--format=").map(str::to_string)
        };
        match value.as_deref() {
            Some("json") => format = Format::Json,
            Some("text") => format = Format::Text,
            Some("sarif") => format = Format::Sarif,
            Some(other) => return Err(format!("unknown format `{other}` (json or text)")),
            None => rest.push(a.clone()),
        }
    }
    Ok((format, rest))
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
    let (format, rest) = match parse_format(args, Format::Text) {
        Ok((Format::Sarif, _)) => return usage_error("eval writes json or text; sarif is for lint"),
        Ok(x) => x,
        Err(e) => return usage_error(&e),
    };
    let [path] = rest.as_slice() else {
        return usage_error("eval takes one SCENARIO file");
    };
    let (name, text) = match read_input(path) {
        Ok(x) => x,
        Err(e) => {
            output::stderr(&format!("keyless: {e}"));
            return ExitCode::from(2);
        }
    };
    let root = match doc::parse(&text, DocId::Scenario) {
        Ok(root) => root,
        Err(d) => {
            let locator = Locator::new(&name, &text, None);
            output::stderr(&locator.render(&d));
            return ExitCode::from(2);
        }
    };
    // A fixture file (tests/fixtures) holds its scenario under `scenario:`.
    let root = match root.get("scenario") {
        Some(inner) if root.get("repository").is_none() && inner.entries().is_some() => inner.clone(),
        _ => root,
    };
    let locator = Locator::new(&name, &text, Some(&root));
    let scenario = match Scenario::from_node(&root) {
        Ok(s) => s,
        Err(errors) => {
            for d in &errors {
                output::stderr(&locator.render(d));
            }
            return ExitCode::from(2);
        }
    };
    let report = keyless_core::evaluate(&scenario);
    // Errors in the workflow (or an embedded document) make the scenario
    // unevaluable; warnings and notes are part of the report.
    let fatal: Vec<_> = report.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    if !fatal.is_empty() {
        for d in fatal {
            output::stderr(&locator.render(d));
        }
        return ExitCode::from(2);
    }
    let analysis = keyless_core::analysis::analyze(&scenario, &report);
    let out = match format {
        Format::Json | Format::Sarif => {
            let value = render::report_json(&report, &analysis, &locator);
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
        Format::Text => render::report_text(&scenario, &report, &analysis, &locator, std::io::stdout().is_terminal()),
    };
    output::stdout(&out).err().unwrap_or(ExitCode::SUCCESS)
}
