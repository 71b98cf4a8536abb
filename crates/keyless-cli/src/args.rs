//! Command-line arguments, the clig.dev way: every command answers `--help`
//! (`-h`), options may be written `--name value` or `--name=value`, `--`
//! ends the options, `-` is standard input, an unknown option is an error,
//! and colour follows `--color`, then `NO_COLOR`, then whether stdout is a
//! terminal. Each command declares which options it takes.

use std::io::IsTerminal;

/// Output formats. Not every command writes every format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Text,
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
    /// Markdown tables (the action's job summary).
    Markdown,
}

impl Format {
    fn parse(v: &str) -> Option<Format> {
        Some(match v {
            "json" => Format::Json,
            "text" => Format::Text,
            "sarif" => Format::Sarif,
            "github" => Format::Github,
            "markdown" => Format::Markdown,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Text => "text",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Markdown => "markdown",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// A severity threshold: `None` never fails.
pub type FailOn = Option<keyless_core::analysis::FindingSeverity>;

/// What one command accepts.
pub struct Spec {
    pub formats: &'static [Format],
    pub default_format: Format,
    /// `--fail-on SEVERITY`.
    pub fail_on: bool,
    /// `--config FILE` (suppressions).
    pub config: bool,
}

/// Parsed arguments of one command.
#[derive(Debug)]
pub struct Args {
    pub format: Format,
    pub color: ColorChoice,
    pub fail_on: FailOn,
    pub config: Option<String>,
    pub help: bool,
    pub positional: Vec<String>,
}

/// Parses `--fail-on`'s value.
pub fn parse_fail_on(v: &str) -> Option<FailOn> {
    use keyless_core::analysis::FindingSeverity as S;
    Some(Some(match v {
        "critical" => S::Critical,
        "high" => S::High,
        "medium" => S::Medium,
        "low" => S::Low,
        "info" => S::Info,
        "never" => return Some(None),
        _ => return None,
    }))
}

pub fn parse(args: &[String], spec: &Spec) -> Result<Args, String> {
    let mut out = Args {
        format: spec.default_format,
        color: ColorChoice::Auto,
        fail_on: Some(keyless_core::analysis::FindingSeverity::High),
        config: None,
        help: false,
        positional: Vec::new(),
    };
    let mut it = args.iter();
    let mut options_done = false;
    while let Some(a) = it.next() {
        if options_done || a == "-" || !a.starts_with('-') {
            out.positional.push(a.clone());
            continue;
        }
        if a == "--" {
            options_done = true;
            continue;
        }
        if a == "--help" || a == "-h" {
            out.help = true;
            continue;
        }
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (a.as_str(), None),
        };
        let known = match name {
            "--format" | "-f" => true,
            "--color" => true,
            "--fail-on" => spec.fail_on,
            "--config" => spec.config,
            _ => false,
        };
        if !known {
            return Err(format!("unknown option `{name}`"));
        }
        let value = match inline {
            Some(v) => v,
            None => it.next().cloned().ok_or_else(|| format!("{name} needs a value"))?,
        };
        match name {
            "--format" | "-f" => {
                out.format = Format::parse(&value)
                    .filter(|f| spec.formats.contains(f))
                    .ok_or_else(|| format!("unknown format `{value}` (one of: {})", names(spec.formats)))?;
            }
            "--color" => {
                out.color = match value.as_str() {
                    "auto" => ColorChoice::Auto,
                    "always" => ColorChoice::Always,
                    "never" => ColorChoice::Never,
                    _ => return Err(format!("unknown --color `{value}` (auto, always or never)")),
                };
            }
            "--fail-on" => {
                out.fail_on = parse_fail_on(&value).ok_or_else(|| {
                    format!("unknown severity `{value}` (critical, high, medium, low, info or never)")
                })?;
            }
            _ => out.config = Some(value),
        }
    }
    Ok(out)
}

fn names(formats: &[Format]) -> String {
    formats.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
}

/// Whether to colour standard output: `--color always|never` wins; `auto`
/// colours a terminal unless `NO_COLOR` is set to a non-empty value
/// (<https://no-color.org>) or `TERM=dumb`.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            !no_color && !dumb && std::io::stdout().is_terminal()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec =
        Spec { formats: &[Format::Text, Format::Json], default_format: Format::Text, fail_on: true, config: false };

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_in_both_spellings_and_positionals_after_double_dash() {
        let a = parse(&args(&["a", "--format=json", "--fail-on", "never", "--", "--help", "-"]), &SPEC).unwrap();
        assert_eq!(a.format, Format::Json);
        assert_eq!(a.fail_on, None);
        assert!(!a.help);
        assert_eq!(a.positional, ["a", "--help", "-"]);
    }

    #[test]
    fn unknown_options_and_formats_are_errors() {
        assert!(parse(&args(&["--frmat", "json"]), &SPEC).unwrap_err().contains("--frmat"));
        assert!(parse(&args(&["--format", "sarif"]), &SPEC).unwrap_err().contains("text, json"));
        assert!(parse(&args(&["--config", "x"]), &SPEC).is_err());
        assert!(parse(&args(&["--color"]), &SPEC).unwrap_err().contains("needs a value"));
    }
}
