//! `keyless lint FILES...`: findings for standalone files. Each file's kind
//! is recognised from its shape (workflow, AWS or Alibaba trust policy or
//! `aws iam get-role` output, Azure credential list, GCP provider, octo-sts
//! trust policy, CloudFormation template, scenario), or from its name for
//! Terraform (`.tf`); each trust resource of a Terraform file or template
//! is judged on its own (docs/terraform.md, docs/cloudformation.md);
//! a scenario file is evaluated and analysed in full, and locations inside
//! its embedded documents are mapped back into the scenario file.

use super::findings::{self, Finding, workflow};
use crate::diagnostic::Severity;
use crate::doc::{self, Node};
use crate::scenario::{LoadedFile, Scenario, reference};
use crate::span::{DocId, LineIndex, Span};
use crate::verdict::Cloud;
use crate::{alibaba, aws, azure, gcp};

/// What a linted file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Workflow,
    Scenario,
    Aws,
    Alibaba,
    Azure,
    Gcp,
    /// An octo-sts trust policy (`.github/chainguard/NAME.sts.yaml`).
    #[cfg(feature = "services")]
    OctoSts,
    /// A Terraform file (`.tf`) with a resource Keyless reads.
    #[cfg(feature = "terraform")]
    Terraform,
    /// A CloudFormation/SAM template with an `AWS::IAM::Role`.
    #[cfg(feature = "cloudformation")]
    CloudFormation,
    Unknown,
}

/// The fields only an octo-sts trust policy has (O2): an issuer and a
/// subject, exact or as patterns, with `permissions` or a pattern — and
/// none of an Entra credential's `name` and `audiences`, which it would
/// otherwise be read as.
#[cfg(feature = "services")]
fn is_octo_sts_policy(root: &Node) -> bool {
    let has = |k: &str| root.get(k).is_some();
    (has("issuer") || has("issuer_pattern"))
        && (has("subject") || has("subject_pattern"))
        && !has("audiences")
        && !has("name")
        && ["permissions", "issuer_pattern", "subject_pattern", "audience_pattern", "claim_pattern"]
            .iter()
            .any(|k| has(k))
}

/// Recognises a parsed document's kind from its top-level shape.
pub fn detect(root: &Node) -> FileKind {
    if root.get("jobs").is_some() && (root.get("on").is_some() || root.get("true").is_some()) {
        return FileKind::Workflow;
    }
    if root.get("repository").is_some() && root.get("workflow").is_some() {
        return FileKind::Scenario;
    }
    // A credential: Graph/CLI objects, or ARM/Bicep's `{name, type,
    // properties: {issuer, subject, audiences}}` (`az rest` on the ARM API,
    // `az resource show`), alone or in a `{value: [...]}` list.
    let credential = |n: &Node| {
        let fields = n.get("properties").filter(|p| p.entries().is_some()).unwrap_or(n);
        fields.get("issuer").is_some()
            && (fields.get("subject").is_some() || fields.get("claimsMatchingExpression").is_some())
    };
    #[cfg(feature = "services")]
    if is_octo_sts_policy(root) {
        return FileKind::OctoSts;
    }
    if let Some(items) = root.items().or_else(|| root.get("value").and_then(Node::items))
        && items
            .iter()
            .any(|i| credential(i) || i.get("issuer").is_some() || i.get("claimsMatchingExpression").is_some())
    {
        return FileKind::Azure;
    }
    if credential(root) {
        return FileKind::Azure;
    }
    // `gcloud iam workload-identity-pools providers list --format=json|yaml`:
    // a list of providers.
    if let Some(items) = root.items()
        && !items.is_empty()
        && items.iter().all(is_gcp_provider)
    {
        return FileKind::Gcp;
    }
    // A bare policy, `aws iam get-role` output, or a cloud section with
    // `trust_policy` (which may itself be get-role output or a string).
    let candidates = [
        Some(root),
        root.get("Role").and_then(|r| r.get("AssumeRolePolicyDocument")),
        root.get("AssumeRolePolicyDocument"),
        root.get("trust_policy"),
        root.get("trust_policy").and_then(|t| t.get("Role")).and_then(|r| r.get("AssumeRolePolicyDocument")),
    ];
    let policy = candidates.into_iter().flatten().find(|n| n.get_ci("Statement").is_some());
    if policy.is_some() || root.get("trust_policy").is_some() {
        let version_one = policy.and_then(|p| p.get_ci("Version")).and_then(Node::scalar_text).as_deref() == Some("1");
        let alibaba = version_one || root.any_text(&|t| t.contains("oidc:") || t.contains("acs:ram::"));
        return if alibaba { FileKind::Alibaba } else { FileKind::Aws };
    }
    if root.get("provider").is_some() || root.get("workloadIdentityPoolProvider").is_some() || is_gcp_provider(root) {
        return FileKind::Gcp;
    }
    #[cfg(feature = "cloudformation")]
    if crate::iac::cloudformation::is_template(root) {
        return FileKind::CloudFormation;
    }
    FileKind::Unknown
}

/// A workload identity pool provider as `gcloud … describe` prints it.
fn is_gcp_provider(n: &Node) -> bool {
    n.get("attributeCondition").is_some() || n.get("attributeMapping").is_some()
}

/// The kind of a file's text (`Unknown` when it does not parse): lets a
/// directory walk keep only the files `keyless lint` understands.
pub fn kind_of(text: &str) -> FileKind {
    doc::parse(text, DocId::File(0)).map_or(FileKind::Unknown, |root| detect(&root))
}

/// Whether a file name is a Terraform file's (`.tf`): HCL is recognised by
/// its name, as Terraform itself does (JSON and YAML by their content).
pub fn is_terraform_name(name: &str) -> bool {
    cfg!(feature = "terraform") && name.to_ascii_lowercase().ends_with(".tf")
}

/// [`kind_of`] for a named file: a `.tf` file is `Terraform` when it holds
/// a resource Keyless reads.
pub fn kind_of_file(name: &str, text: &str) -> FileKind {
    #[cfg(feature = "terraform")]
    if is_terraform_name(name) {
        return if crate::iac::terraform::has_trust(text) { FileKind::Terraform } else { FileKind::Unknown };
    }
    let _ = name;
    kind_of(text)
}

fn unreadable(message: String, span: Option<Span>) -> Finding {
    Finding::new("KL-INPUT-001", None, message, span)
}

/// An error in a file: the cloud's creation-time refusal (`KL-CREATE-001`,
/// for `cloud`) or input Keyless cannot read (`KL-INPUT-001`).
fn invalid(name: &str, d: &crate::Diagnostic, cloud: Option<Cloud>, span: Option<Span>) -> Finding {
    if d.is_refusal() {
        Finding::new("KL-CREATE-001", cloud, format!("{name}: {}", d.message), span)
    } else {
        unreadable(format!("{name}: {}", d.message), span)
    }
}

/// What `keyless lint` found in a set of files.
#[derive(Debug, Default)]
pub struct Linted {
    pub findings: Vec<Finding>,
    /// Indexes of the files that are invalid input: they (or a document
    /// embedded in them) do not parse, or the service would refuse them. A
    /// front end must not report such a run as clean.
    pub invalid: Vec<usize>,
}

/// Findings for each `(name, text)`; locations are in `DocId::File(index)`.
pub fn lint_documents(files: &[(String, String)]) -> Vec<Finding> {
    lint_files(files).findings
}

/// [`lint_documents`], saying which files are invalid input.
pub fn lint_files(files: &[(String, String)]) -> Linted {
    lint_files_reading(files, None)
}

/// Reads a file a scenario references: given the scenario's name and the
/// path as written, the path to show and the text, or why not
/// ([`crate::output::ReadReferenced`] for one scenario).
pub type ReadForScenario<'r> = &'r dyn Fn(&str, &str) -> (String, Result<String, String>);

/// [`lint_files`], reading the files scenarios reference with `read`
/// (without it, a reference is an error saying the host reads no files).
/// Findings inside a referenced file are placed at the scenario's `from:`;
/// `keyless lint` on the file itself places them on their lines.
pub fn lint_files_reading(files: &[(String, String)], read: Option<ReadForScenario>) -> Linted {
    let mut out = Linted::default();
    for (i, (name, text)) in files.iter().enumerate() {
        let doc_id = DocId::File(u16::try_from(i).unwrap_or(u16::MAX));
        let (findings, invalid) = lint_one(name, text, doc_id, read);
        out.findings.extend(findings);
        if invalid {
            out.invalid.push(i);
        }
    }
    out
}

/// A file's findings, and whether it is invalid input.
fn lint_one(name: &str, text: &str, doc_id: DocId, read: Option<ReadForScenario>) -> (Vec<Finding>, bool) {
    #[cfg(feature = "terraform")]
    if is_terraform_name(name) {
        return lint_terraform(name, text, doc_id);
    }
    // A host built without the HCL parser (the playground) says so rather
    // than reading HCL as YAML.
    #[cfg(not(feature = "terraform"))]
    if name.to_ascii_lowercase().ends_with(".tf") {
        let message =
            format!("{name}: Terraform files are read by the `keyless` CLI; this build does not link the HCL parser");
        return (vec![unreadable(message, Some(Span::new(doc_id, 0, 0)))], false);
    }
    let root = match doc::parse(text, doc_id) {
        Ok(r) => r,
        Err(d) => return (vec![unreadable(format!("{name}: {}", d.message), d.span)], true),
    };
    let config = |cloud: Cloud, r: Result<Vec<Finding>, crate::Diagnostic>| match r {
        Ok(f) => (f, false),
        Err(d) => (vec![invalid(name, &d, Some(cloud), d.span.filter(|s| s.doc == doc_id))], true),
    };
    match detect(&root) {
        FileKind::Workflow => {
            // The workflow's own errors (a duplicate key, too many jobs…):
            // GitHub would refuse the file.
            let mut diags = Vec::new();
            let parsed = crate::github::workflow::parse(text, doc_id, &mut diags);
            let errors: Vec<Finding> = diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| unreadable(format!("{name}: {}", d.message), d.span))
                .collect();
            let invalid = !errors.is_empty();
            let logins = parsed.filter(|_| !invalid).map(|w| workflow::logins_without_token(&w)).unwrap_or_default();
            (errors.into_iter().chain(workflow::check(&root)).chain(logins).collect(), invalid)
        }
        FileKind::Aws => config(Cloud::Aws, aws::AwsConfig::from_node(&root).map(|c| findings::check_aws(&c))),
        FileKind::Alibaba => {
            config(Cloud::Alibaba, alibaba::AlibabaConfig::from_node(&root).map(|c| findings::check_alibaba(&c)))
        }
        FileKind::Azure => {
            config(Cloud::Azure, azure::AzureConfig::from_node(&root).map(|c| findings::check_azure(&c)))
        }
        FileKind::Gcp => match root.items() {
            // `providers list`: each provider on its own, as `describe` prints it.
            Some(providers) => {
                let mut found = Vec::new();
                let mut invalid = false;
                for p in providers {
                    let (f, bad) = config(Cloud::Gcp, gcp::GcpConfig::from_node(p).map(|c| findings::check_gcp(&c)));
                    found.extend(f);
                    invalid |= bad;
                }
                (found, invalid)
            }
            None => config(Cloud::Gcp, gcp::GcpConfig::from_node(&root).map(|c| findings::check_gcp(&c))),
        },
        FileKind::Scenario => lint_scenario(name, text, &root, doc_id, read),
        #[cfg(feature = "services")]
        FileKind::OctoSts => config(
            Cloud::OctoSts,
            crate::octo_sts::OctoStsConfig::from_node(&root).map(|c| findings::check_octo_sts(&c)),
        ),
        #[cfg(feature = "terraform")]
        FileKind::Terraform => lint_terraform(name, text, doc_id),
        #[cfg(feature = "cloudformation")]
        FileKind::CloudFormation => lint_trusts(name, &crate::iac::cloudformation::read(text, &root), "CloudFormation"),
        FileKind::Unknown => (
            vec![unreadable(
                format!("{name}: not a workflow, trust configuration or scenario"),
                Some(Span::new(doc_id, 0, 0)),
            )],
            false,
        ),
    }
}

/// A Terraform file: each trust resource judged on its own, located in the
/// `.tf` file (docs/terraform.md).
#[cfg(feature = "terraform")]
fn lint_terraform(name: &str, text: &str, doc_id: DocId) -> (Vec<Finding>, bool) {
    let found = match crate::iac::terraform::read(text, doc_id) {
        Ok(t) => t,
        Err(d) => return (vec![unreadable(format!("{name}: {}", d.message), d.span)], true),
    };
    if found.units.is_empty() && found.unknowns.is_empty() {
        let types = crate::iac::terraform::RESOURCE_TYPES.join(", ");
        return (
            vec![unreadable(
                format!("{name}: no trust resource Keyless reads ({types})"),
                Some(Span::new(doc_id, 0, 0)),
            )],
            false,
        );
    }
    lint_trusts(name, &found, "Terraform")
}

/// The trust configurations kept as code in one file (Terraform,
/// CloudFormation), each judged on its own. Values `tool` computes are
/// reported (`KL-INPUT-002`), and any finding or error that touches one is
/// left out: it would judge the stand-in, not the value.
#[cfg(any(feature = "terraform", feature = "cloudformation"))]
fn lint_trusts(name: &str, found: &crate::iac::Trusts, tool: &str) -> (Vec<Finding>, bool) {
    let mut out: Vec<Finding> = found
        .unknowns
        .iter()
        .map(|u| {
            let effect = if u.principal {
                "whether it names GitHub's OIDC provider is not judged; findings about the conditions still apply"
            } else {
                "findings that depend on it are not reported (undetermined)"
            };
            Finding::new(
                "KL-INPUT-002",
                None,
                format!(
                    "`{}` is {}: Keyless does not run {tool}, so it cannot know its value; {effect}",
                    u.text, u.why
                ),
                Some(u.span),
            )
        })
        .collect();
    let mut bad = false;
    for unit in &found.units {
        let checked = match unit.cloud {
            Cloud::Aws => aws::AwsConfig::from_node(&unit.node).map(|c| findings::check_aws(&c)),
            Cloud::Alibaba => alibaba::AlibabaConfig::from_node(&unit.node).map(|c| findings::check_alibaba(&c)),
            Cloud::Azure => azure::AzureConfig::from_node(&unit.node).map(|c| findings::check_azure(&c)),
            Cloud::Gcp => gcp::GcpConfig::from_node(&unit.node).map(|c| findings::check_gcp(&c)),
            #[allow(unreachable_patterns)]
            _ => Ok(Vec::new()),
        };
        let known = |span: Option<Span>| !span.is_some_and(|s| found.depends_on_unknown(s));
        match checked {
            Ok(list) => out.extend(list.into_iter().filter(|f| known(f.location)).map(|mut f| {
                f.message = format!("{}: {}", unit.address, f.message);
                f
            })),
            // An error at a computed value is the stand-in's, not the
            // configuration's: the unknown is already reported.
            Err(d) if !known(d.span) => {}
            Err(d) => {
                bad = true;
                out.push(invalid(&format!("{name}: {}", unit.address), &d, Some(unit.cloud), d.span));
            }
        }
    }
    (out, bad)
}

fn lint_scenario(
    name: &str,
    text: &str,
    root: &Node,
    doc_id: DocId,
    read: Option<ReadForScenario>,
) -> (Vec<Finding>, bool) {
    let mapper = EmbeddedMapper::new(text, root);
    let files: Vec<LoadedFile> = match read {
        None => Vec::new(),
        Some(read) => reference::load(root, &|path| read(name, path)),
    };
    let scenario = match Scenario::from_node_with_files(root, &crate::clouds::Clouds::ALL, &files) {
        Ok(s) => s,
        Err(errors) => {
            let found = errors
                .into_iter()
                .map(|d| invalid(name, &d, cloud_of(&d), d.span.map(|s| mapper.map(s, doc_id))))
                .collect();
            return (found, true);
        }
    };
    let report = crate::engine::evaluate(&scenario);
    // An error in the workflow or an embedded document makes the scenario
    // unevaluable, as `keyless eval` says (status 2): report each, at its
    // line in the scenario file.
    let errors: Vec<Finding> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| invalid(name, d, cloud_of(d), d.span.map(|s| mapper.map(s, doc_id))))
        .collect();
    let invalid = !errors.is_empty();
    let analysis = super::analyze(&scenario, &report);
    let found = errors
        .into_iter()
        .chain(analysis.findings.into_iter().map(|mut f| {
            f.location = f.location.map(|s| mapper.map(s, doc_id));
            f
        }))
        .collect();
    (found, invalid)
}

/// The cloud whose section of a scenario a diagnostic is located in.
fn cloud_of(d: &crate::Diagnostic) -> Option<Cloud> {
    match d.span?.doc {
        DocId::Aws => Some(Cloud::Aws),
        DocId::Azure => Some(Cloud::Azure),
        DocId::Gcp => Some(Cloud::Gcp),
        DocId::Alibaba => Some(Cloud::Alibaba),
        _ => None,
    }
}

/// Maps spans of documents embedded as strings in a scenario file back to
/// the scenario file: line by line for block scalars (`|`), else to the
/// string's own span. Built from the file's tree alone, so it also places
/// the errors of a scenario that does not parse; each embedded text's line
/// index is built once.
struct EmbeddedMapper<'a> {
    text: &'a str,
    index: LineIndex,
    origins: Vec<(DocId, Span, String, LineIndex)>,
    references: Vec<(DocId, Span)>,
}

impl<'a> EmbeddedMapper<'a> {
    fn new(text: &'a str, root: &Node) -> EmbeddedMapper<'a> {
        let mut origins = Vec::new();
        let mut add = |d: DocId, n: &Node| {
            if let Some(inner) = n.as_str() {
                origins.push((d, n.span, inner.to_string(), LineIndex::new(inner)));
            }
        };
        let parties = crate::verdict::Cloud::ALL.map(|c| (c.key(), c.doc()));
        for (key, d) in std::iter::once(("workflow", DocId::Workflow)).chain(parties) {
            if let Some(n) = root.get(key) {
                add(d, n);
            }
        }
        // Numbered as `Scenario` numbers them: the text entries, in order.
        let reusable = root.get("reusable_workflows").and_then(Node::entries).unwrap_or_default();
        for (i, e) in reusable.iter().filter(|e| e.value.as_str().is_some()).enumerate() {
            add(DocId::Reusable(u16::try_from(i).unwrap_or(u16::MAX)), &e.value);
        }
        // A section that references a file: spans in that file are placed
        // at the reference's `from:`.
        let references = crate::verdict::Cloud::ALL
            .into_iter()
            .filter_map(|c| Some((c.doc(), root.get(c.key())?.get("from")?.span)))
            .collect();
        EmbeddedMapper { text, index: LineIndex::new(text), origins, references }
    }

    fn map(&self, span: Span, file: DocId) -> Span {
        if span.doc == DocId::Scenario || span.doc == file {
            return Span { doc: file, ..span };
        }
        if let Some((_, from)) = self.references.iter().find(|(d, _)| *d == span.doc) {
            return Span { doc: file, ..*from };
        }
        let Some((_, origin, inner, inner_index)) = self.origins.iter().find(|(d, ..)| *d == span.doc) else {
            return Span::new(file, 0, 0);
        };
        let start = origin.start as usize;
        // A block scalar (`key: |`): its content starts on the line after the
        // indicator, each line indented like the first.
        let before = self.text.get(..start).unwrap_or_default().trim_end();
        let indicator = before.rsplit('\n').next().and_then(|l| l.rsplit(':').next()).unwrap_or_default().trim();
        let block = indicator.starts_with('|') || indicator.starts_with('>');
        let first_line = self.index.line_col(self.text, origin.start).line;
        let indent = self.index.line_start(first_line).map_or(0, |ls| start.saturating_sub(ls));
        let at = |offset: u32| -> usize {
            if !block {
                return start;
            }
            let lc = inner_index.line_col(inner, offset);
            let Some(line_start) = self.index.line_start(first_line + lc.line - 1) else { return start };
            let col_bytes: usize =
                inner_index.line_start(lc.line).and_then(|s| inner.get(s..offset as usize)).map_or(0, str::len);
            (line_start + indent + col_bytes).min(self.text.len())
        };
        Span::new(file, at(span.start), at(span.end))
    }
}

#[cfg(test)]
mod tests;
