//! `keyless lint PATH...`: findings on workflows, trust configurations and
//! scenario files on their own; text, JSON, SARIF, GitHub annotations or a
//! Markdown summary; suppressions with a reason; a non-zero exit when an
//! unsuppressed finding reaches the chosen severity.

use crate::args::{self, Format, Spec};
use crate::inputs::{self, Input};
use keyless_core::Scenario;
use keyless_core::analysis::suppress::{self, Config, Suppression};
use keyless_core::analysis::{Finding, FindingSeverity, lint, sarif};
use keyless_core::span::DocId;
use std::fmt::Write as _;
use std::process::ExitCode;

pub const HELP: &str = "\
keyless lint: findings on workflows, trust configurations and scenarios

USAGE:
    keyless lint [PATH...] [OPTIONS]

PATH is a file, a directory (walked; .gitignore respected; files are
recognised by their content: GitHub workflows, AWS/Alibaba trust policies
and `aws iam get-role` output, Azure federated credentials (az CLI, Graph or
ARM output), GCP providers (`gcloud … describe` or `list` output), scenario
files), a glob such as 'infra/**/*.json', or - for standard input.
Default: the current directory. A file named explicitly that is none of
these is a high finding (KL-INPUT-001): it fails the run unless --fail-on
is critical or never.

OPTIONS:
    -f, --format FORMAT     text (default), json, sarif (GitHub code scanning),
                            github (workflow-command annotations) or markdown
                            (tables of findings and of the what-if matrix)
        --fail-on SEVERITY  exit 1 when an unsuppressed finding is at least
                            critical, high (default), medium, low or info;
                            never: always exit 0
        --config FILE       suppressions (default: .keyless.yml at the
                            repository root, if present)
        --color WHEN        auto (default; honours NO_COLOR), always, never
    -h, --help              this help

Suppress a reviewed finding with a reason, inline in YAML:
    # keyless: ignore[KL-SUB-005] sandbox role, no production access
or in .keyless.yml:
    ignore:
      - id: KL-SUB-005
        paths: [infra/sandbox/*]
        reason: sandbox role, no production access
Suppressed findings do not fail the run; SARIF keeps them as suppressed.

EXIT STATUS:
    0 no unsuppressed finding at or above --fail-on
    1 at least one
    2 bad usage, unreadable input, or an invalid configuration file (one
      that does not parse, or that the cloud refuses to create:
      KL-CREATE-001, 'creation-time rule')

Rules: docs/findings.md";

const SPEC: Spec = Spec {
    formats: &[Format::Text, Format::Json, Format::Sarif, Format::Github, Format::Markdown],
    default_format: Format::Text,
    fail_on: true,
    config: true,
};

/// One finding with its suppression.
struct Checked {
    finding: Finding,
    suppressed: Option<Suppression>,
}

pub fn run(raw: &[String]) -> ExitCode {
    let a = match args::parse(raw, &SPEC) {
        Ok(a) => a,
        Err(e) => return crate::usage_error_for(&e, "lint"),
    };
    if a.help {
        return crate::output::stdout(&format!("{HELP}\n")).err().unwrap_or(ExitCode::SUCCESS);
    }
    let paths = if a.positional.is_empty() { vec![".".to_string()] } else { a.positional.clone() };
    let inputs = match inputs::collect(&paths) {
        Ok(i) => i,
        Err(e) => {
            crate::output::stderr(&format!("keyless: {e}"));
            return ExitCode::from(2);
        }
    };
    let config = match load_config(a.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            crate::output::stderr(&e);
            return ExitCode::from(2);
        }
    };
    if inputs.is_empty() {
        crate::output::stderr(&format!(
            "keyless: no workflow, trust configuration or scenario found in {}",
            paths.join(", ")
        ));
    }
    let files: Vec<(String, String)> = inputs.iter().map(|i| (i.name.clone(), i.text.clone())).collect();
    let read = |scenario: &str, written: &str| {
        let scenario = if scenario == "<stdin>" { "-" } else { scenario };
        crate::inputs::reference_reader(scenario)(written)
    };
    let lint::Linted { findings, invalid } = lint::lint_files_reading(&files, Some(&read));
    let checked: Vec<Checked> = findings
        .into_iter()
        .map(|finding| {
            let suppressed = file_of(&finding, &inputs)
                .and_then(|i| suppress::suppression_for(&finding, &i.repo_path, &i.text, &config));
            Checked { finding, suppressed }
        })
        .collect();
    for (n, input) in inputs.iter().enumerate() {
        for d in suppress::problems(&input.text, DocId::File(u16::try_from(n).unwrap_or(u16::MAX))) {
            let at = location(d.span, &inputs).map(|l| format!("{l}: ")).unwrap_or_default();
            crate::output::stderr(&format!("{at}warning: {}", d.message));
        }
    }
    let color = args::use_color(a.color);
    let out = match a.format {
        Format::Sarif => {
            let repo_files: Vec<(String, String)> =
                inputs.iter().map(|i| (i.repo_path.clone(), i.text.clone())).collect();
            let findings: Vec<Finding> = checked.iter().map(|c| c.finding.clone()).collect();
            let suppressions: Vec<Option<Suppression>> = checked.iter().map(|c| c.suppressed.clone()).collect();
            let log = sarif::to_sarif_with(&findings, &suppressions, &repo_files);
            serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
        }
        Format::Json => {
            let pairs: Vec<_> = checked.iter().map(|c| (c.finding.clone(), c.suppressed.clone())).collect();
            let value = keyless_core::output::lint_json_of(&files, &pairs);
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
        Format::Github => github(&checked, &inputs),
        Format::Markdown => markdown(&checked, &inputs),
        Format::Text => text(&checked, &inputs, color),
    };
    if let Err(code) = crate::output::stdout(&out) {
        return code;
    }
    // Invalid input is never a clean run, whatever --fail-on says.
    if !invalid.is_empty() {
        return ExitCode::from(2);
    }
    let failing =
        a.fail_on.is_some_and(|min| checked.iter().any(|c| c.suppressed.is_none() && c.finding.severity <= min));
    if failing { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// The configuration file: `--config FILE`, else `.keyless.yml` at the
/// repository root when present.
fn load_config(explicit: Option<&str>) -> Result<Config, String> {
    let path = match explicit {
        Some(p) => std::path::PathBuf::from(p),
        None => {
            let p = inputs::repo_root().join(".keyless.yml");
            if !p.exists() {
                return Ok(Config::default());
            }
            p
        }
    };
    let name = path.to_string_lossy().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| format!("keyless: {name}: {e}"))?;
    suppress::parse_config(&text, DocId::Scenario).map_err(|errors| {
        let locator = keyless_core::output::Locator::new(&name, &text, None);
        errors.iter().map(|d| locator.render(d)).collect::<Vec<_>>().join("\n")
    })
}

fn file_of<'a>(f: &Finding, inputs: &'a [Input]) -> Option<&'a Input> {
    match f.location?.doc {
        DocId::File(i) => inputs.get(usize::from(i)),
        _ => None,
    }
}

/// `(name, line, col)` of a span located in `DocId::File(i)`.
fn position(span: Option<keyless_core::Span>, inputs: &[Input]) -> Option<(&str, u32, u32)> {
    let span = span?;
    let DocId::File(i) = span.doc else { return None };
    let input = inputs.get(usize::from(i))?;
    // The file's one line index, built once: rebuilding it per finding was
    // quadratic in the file's size.
    let lc = input.lines.line_col(&input.text, span.start);
    Some((input.name.as_str(), lc.line, lc.col))
}

/// `file:line:col` of a span located in `DocId::File(i)`.
fn location(span: Option<keyless_core::Span>, inputs: &[Input]) -> Option<String> {
    position(span, inputs).map(|(n, l, c)| format!("{n}:{l}:{c}"))
}

fn paint(on: bool, code: &str, text: &str) -> String {
    if on { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
}

fn severity_color(s: FindingSeverity) -> &'static str {
    match s {
        FindingSeverity::Critical | FindingSeverity::High => "1;31",
        FindingSeverity::Medium => "33",
        FindingSeverity::Low | FindingSeverity::Info => "36",
    }
}

fn text(checked: &[Checked], inputs: &[Input], color: bool) -> String {
    let mut s = String::new();
    for c in checked.iter().filter(|c| c.suppressed.is_none()) {
        let f = &c.finding;
        let at = location(f.location, inputs).map(|l| format!("{l}: ")).unwrap_or_default();
        let cloud = f.cloud.map(|c| format!(" [{}]", c.key())).unwrap_or_default();
        let sev = paint(color, severity_color(f.severity), f.severity.as_str());
        let _ = writeln!(s, "{at}{sev} {}{cloud}: {}", f.id, f.message);
        if !f.fix.is_empty() {
            let _ = writeln!(s, "    fix: {}", f.fix);
        }
    }
    let shown = checked.iter().filter(|c| c.suppressed.is_none()).count();
    let suppressed = checked.len() - shown;
    let _ = write!(s, "{shown} finding(s) in {} file(s)", inputs.len());
    if suppressed > 0 {
        let _ = write!(s, "; {suppressed} suppressed (with a reason; see --format json or sarif)");
    }
    s.push('\n');
    s.push_str(&crate::render::sources_footer(
        checked
            .iter()
            .filter(|c| c.suppressed.is_none())
            .flat_map(|c| [c.finding.message.as_str(), c.finding.fix.as_str()]),
    ));
    s
}

/// Workflow-command escaping: data escapes `%`, CR, LF; properties also `:`
/// and `,` (https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One `::error|warning|notice file=…,line=…,col=…,title=…::message` per
/// unsuppressed finding (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands).
fn github(checked: &[Checked], inputs: &[Input]) -> String {
    let mut s = String::new();
    for c in checked.iter().filter(|c| c.suppressed.is_none()) {
        let f = &c.finding;
        let level = match f.severity {
            FindingSeverity::Critical | FindingSeverity::High => "error",
            FindingSeverity::Medium => "warning",
            FindingSeverity::Low | FindingSeverity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some((_, line, col)) = position(f.location, inputs) {
            let path = file_of(f, inputs).map_or("", |i| i.repo_path.as_str());
            if path != inputs::STDIN {
                props.push(format!("file={}", escape_property(path)));
                props.push(format!("line={line}"));
                props.push(format!("col={col}"));
            }
        }
        props.push(format!("title={}", escape_property(&format!("{} {}", f.id, f.title))));
        let cloud = f.cloud.map(|c| format!("[{}] ", c.title())).unwrap_or_default();
        let message = format!("{cloud}{} (fix: {})", f.message, f.fix);
        let _ = writeln!(s, "::{level} {}::{}", props.join(","), escape_data(&message));
    }
    s
}

/// A Markdown table cell: one line, `|` escaped.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The job summary: findings, suppressed findings, and the what-if matrix
/// of each scenario file.
fn markdown(checked: &[Checked], inputs: &[Input]) -> String {
    let mut s = String::from("## Keyless\n\n");
    let shown: Vec<&Checked> = checked.iter().filter(|c| c.suppressed.is_none()).collect();
    let _ = writeln!(
        s,
        "{} finding(s) in {} file(s), {} suppressed. Rules: [docs/findings.md]({}/blob/main/docs/findings.md).\n",
        shown.len(),
        inputs.len(),
        checked.len() - shown.len(),
        sarif::REPOSITORY_URL
    );
    if !shown.is_empty() {
        s.push_str("### Findings\n\n| Severity | Rule | Location | Finding |\n|---|---|---|---|\n");
        for c in &shown {
            let f = &c.finding;
            let cloud = f.cloud.map(|c| format!("[{}] ", c.title())).unwrap_or_default();
            let _ = writeln!(
                s,
                "| {} | [{}]({}) | `{}` | {}{} |",
                f.severity.as_str(),
                f.id,
                sarif::help_uri(&f.id),
                cell(&location(f.location, inputs).unwrap_or_default()),
                cloud,
                cell(&f.message)
            );
        }
        s.push('\n');
    }
    let suppressed: Vec<&Checked> = checked.iter().filter(|c| c.suppressed.is_some()).collect();
    if !suppressed.is_empty() {
        s.push_str("### Suppressed\n\n| Rule | Location | Reason |\n|---|---|---|\n");
        for c in suppressed {
            let reason = c.suppressed.as_ref().map_or("", |x| x.justification.as_str());
            let _ = writeln!(
                s,
                "| {} | `{}` | {} |",
                c.finding.id,
                cell(&location(c.finding.location, inputs).unwrap_or_default()),
                cell(reason)
            );
        }
        s.push('\n');
    }
    for input in inputs.iter().filter(|i| lint::kind_of(&i.text) == lint::FileKind::Scenario) {
        let Ok(scenario) = Scenario::parse(&input.text) else { continue };
        let matrix = keyless_core::analysis::blast_radius(&scenario);
        if matrix.rows.is_empty() {
            continue;
        }
        let _ = writeln!(s, "### What-if matrix: `{}`\n", cell(&input.name));
        let clouds: Vec<&str> = matrix.clouds.iter().map(|c| c.title()).collect();
        let _ = writeln!(s, "| Run | Job | `sub` | {} |", clouds.join(" | "));
        let _ = writeln!(s, "|---|---|---|{}", "---|".repeat(clouds.len()));
        for row in &matrix.rows {
            let cells: Vec<String> = matrix
                .clouds
                .iter()
                .map(|c| match row.cells.get(c) {
                    None => "—".to_string(),
                    Some(x)
                        if x.admitted
                            && row.expectation == keyless_core::analysis::blast_radius::Expectation::Unintended =>
                    {
                        "⚠️ admitted".to_string()
                    }
                    Some(x) if x.admitted => "✅ admitted".to_string(),
                    Some(x) => format!("refused (`{}`)", cell(&x.code)),
                })
                .collect();
            let _ = writeln!(
                s,
                "| `{}` {} | {} | `{}` | {} |",
                row.variant,
                cell(&row.description),
                cell(&row.job),
                cell(row.sub.as_deref().unwrap_or("no token")),
                cells.join(" | ")
            );
        }
        s.push('\n');
    }
    s
}
