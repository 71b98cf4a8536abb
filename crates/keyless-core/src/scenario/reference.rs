//! `from:` references: a party's section that names the file where the
//! trust configuration is kept instead of holding a copy of it
//! (docs/scenario.md, "Trust kept in other files"):
//!
//! ```yaml
//! aws:
//!   from: ../infra/iam.tf
//!   resource: aws_iam_role.deploy
//!   values:
//!     var.github_org: octo-org
//! ```
//!
//! The core reads no files (it runs in the browser too). A front end asks
//! [`wanted`] which files a scenario names, reads them as it can (the CLI,
//! relative to the scenario file and inside the repository), and hands
//! them back as [`LoadedFile`]s; the scenario's parser resolves each
//! reference from those, and the locator maps spans into them.
//!
//! A file is read as Terraform when its name ends in `.tf` (as Terraform
//! does, `crate::iac::terraform`), as a CloudFormation/SAM template when it
//! has an `AWS::IAM::Role` (`crate::iac::cloudformation`), and otherwise as
//! the party's own configuration, exactly as its editor would read it
//! (`aws iam get-role` output, a Vault role's JSON, …). A value the tool
//! computes (a variable, a parameter, another resource's attribute) must be
//! given under `values:`: a verdict on a guessed value would be a guess.

use crate::diagnostic::Diagnostic;
use crate::doc::Node;
use crate::span::{DocId, Spanned};

use crate::verdict::Cloud;

/// The keys of a reference.
pub const REFERENCE_KEYS: &[&str] = &["from", "resource", "values"];

/// A file a scenario's reference names, as written, and the party whose
/// section names it.
#[derive(Clone, Debug, PartialEq)]
pub struct Wanted {
    pub cloud: Cloud,
    pub path: Spanned<String>,
}

/// A file the front end read for a reference (or why it could not).
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedFile {
    pub cloud: Cloud,
    /// The path to show in messages (the CLI: relative to where it runs).
    pub path: String,
    pub text: Result<String, String>,
}

impl LoadedFile {
    /// Spans in the file carry the party's document id: a section is
    /// either written in the scenario or referenced, never both.
    pub fn doc(&self) -> DocId {
        self.cloud.doc()
    }
}

/// Whether a party's section is a reference.
pub fn is_reference(section: &Node) -> bool {
    section.get("from").is_some()
}

/// Reads a file a reference names: given the path as written, the path to
/// show in messages and the file's text, or why it could not be read. The
/// core reads no files; the CLI passes a reader, other front ends none.
pub type ReadReferenced<'r> = &'r dyn Fn(&str) -> (String, Result<String, String>);

/// Reads the files the scenario's references name with `read`, in party
/// order: what every front end that reads files hands the parser.
pub fn load(root: &Node, read: ReadReferenced) -> Vec<LoadedFile> {
    wanted(root)
        .into_iter()
        .map(|w| {
            let (path, text) = read(&w.path.value);
            LoadedFile { cloud: w.cloud, path, text }
        })
        .collect()
}

/// The files the scenario's references name, in party order.
pub fn wanted(root: &Node) -> Vec<Wanted> {
    Cloud::ALL
        .into_iter()
        .filter_map(|cloud| {
            let path = root.get(cloud.key())?.get("from")?.spanned_text()?;
            Some(Wanted { cloud, path })
        })
        .collect()
}

/// The configuration a reference names, as the party's `from_node` reads
/// it, with spans in the referenced file; notes say what was assumed.
#[cfg(any(feature = "terraform", feature = "cloudformation"))]
pub fn resolve(section: &Node, cloud: Cloud, files: &[LoadedFile]) -> Result<(Node, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    crate::spelling::check_keys(section, REFERENCE_KEYS, &format!("the `{}` reference", cloud.key()), &mut errors);
    let from = match section.get("from").map(|n| n.expect_scalar("`from` (a file's path)")) {
        Some(Ok(p)) => p,
        Some(Err(d)) => return Err(vec![d]),
        None => return Err(vec![Diagnostic::at("a reference needs `from:` (a file's path)", section.span)]),
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let Some(file) = files.iter().find(|f| f.cloud == cloud) else {
        return Err(vec![Diagnostic::at(format!("`{}` is not read here: {NOT_READ}", from.value), from.span)]);
    };
    match &file.text {
        Ok(text) => read_reference(section, cloud, file, text, &from),
        Err(e) => Err(vec![Diagnostic::at(format!("cannot read `{}`: {e}", file.path), from.span)]),
    }
}

/// Hosts that read no files (the playground, the JavaScript module) link
/// neither the Terraform and CloudFormation readers nor what resolves a
/// reference: a reference is this one error, at its `from:`.
#[cfg(not(any(feature = "terraform", feature = "cloudformation")))]
pub fn resolve(section: &Node, _: Cloud, _: &[LoadedFile]) -> Result<(Node, Vec<Diagnostic>), Vec<Diagnostic>> {
    let at = section.get("from").map_or(section.span, |n| n.span);
    Err(vec![Diagnostic::at(NOT_READ, at)])
}

const NOT_READ: &str =
    "only the command line reads the files a scenario references; paste the configuration into this section instead";

/// A reference's file read: the unit it names, or the whole file as the
/// party's configuration.
#[cfg(any(feature = "terraform", feature = "cloudformation"))]
fn read_reference(
    section: &Node,
    cloud: Cloud,
    file: &LoadedFile,
    text: &str,
    from: &Spanned<String>,
) -> Result<(Node, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let resource = match section.get("resource").filter(|n| !n.is_null()) {
        None => None,
        Some(n) => match n.expect_scalar("`resource` (a Terraform address or a template's logical id)") {
            Ok(r) => Some(r),
            Err(d) => return Err(vec![d]),
        },
    };
    let values = read_values(section, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    match read_file(file, text, &values) {
        Read::Trusts(t) => from_trusts(&t.map_err(|d| vec![d])?, cloud, resource.as_ref(), from, &file.path),
        Read::Config(root) => {
            let root = root.map_err(|d| vec![d])?;
            if let Some(r) = resource {
                return Err(vec![Diagnostic::at(
                    format!(
                        "`{}` is a {} configuration, not Terraform or a CloudFormation template: it has no resources to choose (remove `resource:`)",
                        file.path,
                        cloud.title()
                    ),
                    r.span,
                )]);
            }
            if !values.is_empty() {
                let at = section.get("values").map_or(from.span, |n| n.span);
                return Err(vec![Diagnostic::at(
                    "`values:` gives what Terraform or CloudFormation computes; this file is neither",
                    at,
                )]);
            }
            Ok((root, Vec::new()))
        }
    }
}

/// The configuration of the unit a reference names in a file kept as code,
/// with every value the tool computes either given or reported.
#[cfg(any(feature = "terraform", feature = "cloudformation"))]
fn from_trusts(
    trusts: &crate::iac::Trusts,
    cloud: Cloud,
    resource: Option<&Spanned<String>>,
    from: &Spanned<String>,
    path: &str,
) -> Result<(Node, Vec<Diagnostic>), Vec<Diagnostic>> {
    let unit = choose(trusts, cloud, resource, from, path)?;
    let mut notes = Vec::new();
    let mut errors = Vec::new();
    for u in trusts.unknowns.iter().filter(|u| unit.span.start <= u.span.start && u.span.end <= unit.span.end) {
        if u.principal && stands_in_for_github(&unit.node, u.span) {
            notes.push(Diagnostic::note(
                format!(
                    "`{}` is {}: judged as GitHub's OIDC provider, because the statement's conditions are on GitHub's keys; give its value under `values:` in the scenario to judge the principal too",
                    u.text, u.why
                ),
                Some(u.span),
            ));
        } else {
            errors.push(Diagnostic::at(
                format!(
                    "`{}` is {}: Keyless does not compute it, so give its value in the scenario's reference (`values: {{{}}}`)",
                    u.text,
                    u.why,
                    value_keys(&u.text)
                ),
                u.span,
            ));
        }
    }
    if errors.is_empty() { Ok((unit.node.clone(), notes)) } else { Err(errors) }
}

/// What a referenced file holds.
#[cfg(any(feature = "terraform", feature = "cloudformation"))]
enum Read {
    /// Trust configurations kept as code (Terraform, CloudFormation).
    Trusts(crate::diagnostic::Result<crate::iac::Trusts>),
    /// The party's own configuration, as its editor reads it.
    Config(crate::diagnostic::Result<Node>),
}

/// Reads the file as Terraform (by its name, as Terraform does), as a
/// template (by its content), or as the party's own configuration.
#[cfg(any(feature = "terraform", feature = "cloudformation"))]
fn read_file(file: &LoadedFile, text: &str, values: &crate::iac::Values) -> Read {
    let doc_id = file.doc();
    if file.path.to_ascii_lowercase().ends_with(".tf") {
        #[cfg(feature = "terraform")]
        return Read::Trusts(crate::iac::terraform::read_with(text, doc_id, values));
        #[cfg(not(feature = "terraform"))]
        return Read::Config(Err(Diagnostic::at(
            "this build of Keyless does not read Terraform files (the command line does)",
            crate::span::Span::new(doc_id, 0, 0),
        )));
    }
    let root = match crate::doc::parse(text, doc_id) {
        Ok(root) => root,
        Err(d) => return Read::Config(Err(d)),
    };
    #[cfg(feature = "cloudformation")]
    if crate::iac::cloudformation::is_template(&root) {
        return Read::Trusts(Ok(crate::iac::cloudformation::read_with(text, &root, values)));
    }
    let _ = values;
    Read::Config(Ok(root))
}

/// The unit the reference names: by `resource`, or the file's only one for
/// the party.
#[cfg(any(feature = "terraform", feature = "cloudformation"))]
fn choose<'t>(
    trusts: &'t crate::iac::Trusts,
    cloud: Cloud,
    resource: Option<&Spanned<String>>,
    from: &Spanned<String>,
    path: &str,
) -> Result<&'t crate::iac::Unit, Vec<Diagnostic>> {
    let candidates: Vec<&crate::iac::Unit> = trusts.units.iter().filter(|u| u.cloud == cloud).collect();
    let names = || {
        let list: Vec<&str> = candidates.iter().map(|u| u.address.as_str()).collect();
        if list.is_empty() { "none".to_string() } else { list.join(", ") }
    };
    match resource {
        Some(r) => candidates.iter().copied().find(|u| u.address == r.value).ok_or_else(|| {
            vec![Diagnostic::at(
                format!("`{path}` has no {} trust `{}` (it has: {})", cloud.title(), r.value, names()),
                r.span,
            )]
        }),
        None => match candidates.as_slice() {
            [only] => Ok(only),
            [] => {
                Err(vec![Diagnostic::at(format!("`{path}` holds no {} trust Keyless reads", cloud.title()), from.span)])
            }
            _ => Err(vec![Diagnostic::at(
                format!("`{path}` holds several {} trusts; say which with `resource:` ({})", cloud.title(), names()),
                from.span,
            )]),
        },
    }
}

/// `values:`: a mapping from an expression as written to its value.
#[cfg(any(feature = "terraform", feature = "cloudformation"))]
fn read_values(section: &Node, errors: &mut Vec<Diagnostic>) -> crate::iac::Values {
    let mut values = crate::iac::Values::new();
    let Some(n) = section.get("values").filter(|n| !n.is_null()) else { return values };
    match n.expect_map("`values` (expression: value)") {
        Ok(entries) => {
            for e in entries {
                match e.value.expect_scalar("a value") {
                    Ok(v) => {
                        values.insert(e.key.value.trim().to_string(), v.value);
                    }
                    Err(d) => errors.push(d),
                }
            }
        }
        Err(d) => errors.push(d),
    }
    values
}

#[cfg(any(feature = "terraform", feature = "cloudformation"))]
/// What to write under `values:` for an unknown: the references inside an
/// interpolated string (`"repo:${var.org}/*"`, `!Sub repo:${Repo}:*`), or
/// the reference itself (`var.org`, `!Ref Repo`).
fn value_keys(written: &str) -> String {
    let quote = |t: &str| if t.contains([' ', ':', '{', '}']) { format!("\"{t}\"") } else { t.to_string() };
    let inner: Vec<String> = written
        .split("${")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.trim()))
        .filter(|name| !name.starts_with('!'))
        .map(|name| format!("{}: …", quote(name)))
        .collect();
    if !inner.is_empty() {
        return inner.join(", ");
    }
    let t = written.trim().trim_matches('"');
    let t = t.strip_prefix("!Ref ").unwrap_or(t);
    format!("{}: …", quote(t))
}

#[cfg(any(feature = "terraform", feature = "cloudformation"))]
/// Whether the unknown at `span` was stood in for GitHub's provider
/// (`crate::iac` principal stand-in).
fn stands_in_for_github(node: &Node, span: crate::span::Span) -> bool {
    let mut found = false;
    visit(node, &mut |n| {
        if n.span == span
            && n.as_str().is_some_and(|t| t.contains(":oidc-provider/token.actions.githubusercontent.com"))
        {
            found = true;
        }
    });
    found
}

#[cfg(any(feature = "terraform", feature = "cloudformation"))]
fn visit(node: &Node, f: &mut dyn FnMut(&Node)) {
    f(node);
    if let Some(entries) = node.entries() {
        entries.iter().for_each(|e| visit(&e.value, f));
    } else if let Some(items) = node.items() {
        items.iter().for_each(|n| visit(n, f));
    }
}

#[cfg(test)]
#[cfg(all(feature = "terraform", feature = "cloudformation"))]
mod tests;
