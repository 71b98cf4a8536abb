//! Output: the `keyless eval` JSON contract, and text for people.

use keyless_core::Scenario;
use keyless_core::analysis::{Analysis, Finding};
use keyless_core::engine::Report;
use keyless_core::output::Locator;
use keyless_core::sources::cited;
use keyless_core::verdict::render_step;
use std::fmt::Write;

/// One line per finding, as compilers print diagnostics.
pub fn finding_line(f: &Finding, locator: &Locator) -> String {
    let at = locator.location(f.location).map(|l| format!("{l}: ")).unwrap_or_default();
    let cloud = f.cloud.map(|c| format!(" [{}]", c.key())).unwrap_or_default();
    format!("{at}{} {}{cloud}: {}", f.severity.as_str(), f.id, f.message)
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
    fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    fn red(&self, t: &str) -> String {
        self.paint("31", t)
    }
    fn yellow(&self, t: &str) -> String {
        self.paint("33", t)
    }
    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
}

/// The report for people. Colours only when `color` (a terminal).
pub fn report_text(
    scenario: &Scenario,
    report: &Report,
    analysis: &Analysis,
    locator: &Locator,
    color: bool,
) -> String {
    let st = Style { on: color };
    let mut out = String::new();
    let event = &scenario.event;
    let _ = writeln!(
        out,
        "{} {} ({}{})",
        st.bold("Run:"),
        scenario.repository(),
        event.name.value,
        event.ref_.as_deref().map(|r| format!(" {r}")).unwrap_or_default()
    );
    for d in &report.diagnostics {
        let _ = writeln!(out, "{}", locator.render(d));
    }
    if report.jobs.is_empty() {
        let _ = writeln!(out, "no jobs in the workflow");
    }
    for job in &report.jobs {
        let matrix =
            job.matrix.as_ref().map(|m| format!(" {}", serde_json::Value::Object(m.clone()))).unwrap_or_default();
        let _ = writeln!(out, "\n{} {}{}", st.bold("job"), st.bold(&job.job), matrix);
        if job.token.issued {
            let _ = writeln!(out, "  sub  {}", job.token.claims.sub());
            let _ = writeln!(out, "  aud  {}", job.token.claims.aud());
            for why in &job.token.explanation {
                let _ = writeln!(out, "  {}", st.dim(&format!("why  {why}")));
            }
        } else {
            let reason = job.token.reason.as_deref().unwrap_or("no token");
            let at = locator.location(job.token.rule_span).map(|l| format!(" ({l})")).unwrap_or_default();
            let _ = writeln!(out, "  {} {reason}{at}", st.red("no token:"));
        }
        for (cloud, v) in &job.verdicts {
            let head = if v.allowed {
                st.green("✓ allowed")
            } else if v.is_undetermined() {
                st.yellow("? undetermined")
            } else {
                st.red(&format!("✗ {}", v.code))
            };
            // A key of 8 characters or more (`octo_sts`) keeps a space before the mark.
            let key = format!("{} ", cloud.key());
            let _ = writeln!(out, "  {key:<8}{head}  {}", st.dim(&format!("aud {}", v.audience)));
            if !v.allowed {
                let _ = writeln!(out, "          {}", v.message);
            }
            let at = locator.location(v.decided_span).map(|l| format!(" ({l})")).unwrap_or_default();
            let _ = writeln!(out, "          decided by: {}{at}", v.decided_by);
            for step in &v.trace {
                let _ = writeln!(out, "            {}", render_step(step));
            }
        }
    }
    if !analysis.findings.is_empty() {
        let _ = writeln!(out, "\n{}", st.bold("Findings"));
        for f in &analysis.findings {
            let _ = writeln!(out, "  {}", finding_line(f, locator));
            if !f.fix.is_empty() {
                let _ = writeln!(out, "    {}", st.dim(&format!("fix: {}", f.fix)));
            }
        }
    }
    let matrix = &analysis.matrix;
    if !matrix.unintended_admits.is_empty() {
        let _ = writeln!(out, "\n{}", st.bold("Runs admitted that are not the intended one"));
        for u in &matrix.unintended_admits {
            let at = locator.location(u.decided_span).map(|l| format!(" ({l})")).unwrap_or_default();
            let sub = u.sub.as_deref().map(|s| format!(" sub {s}")).unwrap_or_default();
            let _ = writeln!(out, "  {} {}: {}{sub}", st.red("admitted"), u.cloud.title(), u.description);
            let _ = writeln!(out, "    decided by: {}{at}", u.decided_by);
        }
    }
    for s in &analysis.suggestions {
        let verified = if s.verified.admits_intended && s.verified.rejects_unintended {
            st.green("verified")
        } else {
            st.red("not verified")
        };
        let _ = writeln!(out, "\n{} {} ({verified}): {}", st.bold("Suggested"), s.cloud.title(), s.summary);
        for note in &s.notes {
            let _ = writeln!(out, "  {}", st.dim(&format!("note: {note}")));
        }
        for line in s.config.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    let mut texts: Vec<&str> = report.diagnostics.iter().map(|d| d.message.as_str()).collect();
    for job in &report.jobs {
        texts.extend(job.token.reason.as_deref());
        texts.extend(job.token.explanation.iter().map(String::as_str));
        for v in job.verdicts.values() {
            texts.push(&v.message);
            texts.extend(v.trace.iter().map(|s| s.text.as_str()));
        }
    }
    texts.extend(analysis.findings.iter().flat_map(|f| [f.message.as_str(), f.fix.as_str()]));
    texts.extend(analysis.suggestions.iter().flat_map(|s| s.notes.iter().map(String::as_str)));
    out.push_str(&sources_footer(texts));
    out
}

/// "Sources:" and, one per line, each source tag the texts cite with its
/// URL (or what it is, when it has none): the tags resolve in docs/sources.md.
pub fn sources_footer<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let cites = cited(texts);
    let width = cites.iter().map(|c| c.text.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    if !cites.is_empty() {
        out.push_str("\nSources:\n");
    }
    for c in &cites {
        let _ = writeln!(out, "  {:<width$}  {}", c.text, c.url.unwrap_or(&c.title));
    }
    out
}
