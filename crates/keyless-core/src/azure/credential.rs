//! Input forms for federated identity credentials, and the create-time rules
//! Entra enforces on them.
//!
//! Accepted forms (all JSON or YAML):
//! - a list of credentials: `az identity federated-credential list` (ARM,
//!   flattened: `name`, `issuer`, `subject`, `audiences`, `id`,
//!   `resourceGroup`, `type`, `systemData`...) and `az ad app
//!   federated-credential list` (Graph objects);
//! - a Graph list response `{"@odata.context": ..., "value": [...]}`;
//! - a single credential (Graph / ARM object, or ARM's nested `properties`);
//! - the scenario's section `{credentials: [...]}`;
//! - Terraform-ish snake_case (`display_name`, `audience`,
//!   `claims_matching_expression` as a plain string).
//!
//! Field names are matched ignoring case, `_` and `-`, so `claimsMatchingExpression`,
//! `claims_matching_expression` and `claims-matching-expression` are one field.

use super::aadsts;
use super::flexible::{self, ParsedTerm};
use super::{AzureConfig, FederatedCredential, FlexibleExpression, Term};
use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{Node, Text, Value};
use crate::span::{Span, Spanned};
use crate::spelling::nearest;

/// At most 20 FICs per app registration or user-assigned managed identity
/// (Z3: "You can add a maximum of 20 federated identity credentials").
pub const MAX_CREDENTIALS: usize = 20;
/// Z3: issuer, subject and audience are limited to 600 characters each.
pub const MAX_FIELD_CHARS: usize = 600;
/// Z3: "name ... 3-120 characters".
pub const NAME_CHARS: std::ops::RangeInclusive<usize> = 3..=120;

/// The GitHub issuer that Z1 lists for flexible credentials.
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// Claims Entra accepts in a GitHub flexible expression: `sub` and
/// `job_workflow_ref` (Z1), plus the immutable ids required since Aug 2026
/// (Z2, ms.date 08/14/2026; research §2.3).
pub const GITHUB_ALLOWED_CLAIMS: [&str; 4] = ["sub", "job_workflow_ref", "repository_id", "repository_owner_id"];
/// Z2: a GitHub expression must include `sub` and one of these.
pub const GITHUB_REQUIRED_ID_CLAIMS: [&str; 2] = ["repository_id", "repository_owner_id"];
/// The claims Z1 gives no operators for (only `sub` and `job_workflow_ref`
/// "support operators `eq` and `matches`"): `matches` on them is flagged as
/// a possible refusal, labelled as such.
const GITHUB_ID_CLAIMS_EQ_ONLY: [&str; 2] = GITHUB_REQUIRED_ID_CLAIMS;

/// Canonical fields of a credential: normalised key, and as Graph spells it.
const FIELDS: [(&str, &str); 6] = [
    ("name", "name"),
    ("issuer", "issuer"),
    ("subject", "subject"),
    ("audiences", "audiences"),
    ("claimsmatchingexpression", "claimsMatchingExpression"),
    ("description", "description"),
];

/// Fields the tools print that say nothing about matching.
const METADATA: &[&str] = &[
    "id",
    "type",
    "resourcegroup",
    "resourcegroupname",
    "systemdata",
    "parentid",
    "applicationid",
    "applicationobjectid",
    "objectid",
    "credentialid",
    "identityname",
    "etag",
    "location",
    "tags",
];

fn norm(key: &str) -> String {
    key.chars().filter(|c| *c != '_' && *c != '-').flat_map(char::to_lowercase).collect()
}

/// Reads the Azure section in any of its forms.
pub fn read_config(node: &Node) -> Result<AzureConfig> {
    let mut reader = Reader { diagnostics: Vec::new() };
    let items = credential_nodes(node, &mut reader.diagnostics)?;
    let mut credentials = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if i == MAX_CREDENTIALS {
            return Err(Diagnostic::refused(
                format!(
                    "at most {MAX_CREDENTIALS} federated identity credentials can be added to an application or user-assigned managed identity (Z3); this is number {}",
                    i + 1
                ),
                item.span,
            ));
        }
        credentials.push(reader.credential(item)?);
    }
    unique_issuer_subject(&credentials)?;
    Ok(AzureConfig { credentials, diagnostics: reader.diagnostics })
}

/// The credential objects of whichever form was given.
fn credential_nodes<'a>(node: &'a Node, diagnostics: &mut Vec<Diagnostic>) -> Result<Vec<&'a Node>> {
    if let Some(items) = node.items() {
        return Ok(items.iter().collect());
    }
    let entries = node.expect_map("the Azure section")?;
    for (key, what) in [("credentials", "the Azure section"), ("value", "a Microsoft Graph list")] {
        let Some(list) = node.get(key) else { continue };
        if key == "value" && !matches!(list.value, Value::Seq(_)) {
            continue;
        }
        for e in entries {
            if e.key.value != key && !e.key.value.starts_with("@odata") {
                diagnostics.push(Diagnostic::warning(
                    format!("`{}` is ignored in {what} (only `{key}` is read)", e.key.value),
                    Some(e.key.span),
                ));
            }
        }
        if list.is_null() {
            return Ok(Vec::new());
        }
        return Ok(list.expect_seq(&format!("`{key}`"))?.iter().collect());
    }
    Ok(vec![node])
}

struct Reader {
    diagnostics: Vec<Diagnostic>,
}

/// The fields of one credential, found by canonical name.
#[derive(Default)]
struct Fields<'a> {
    name: Option<&'a Node>,
    issuer: Option<&'a Node>,
    subject: Option<&'a Node>,
    audiences: Option<&'a Node>,
    expression: Option<&'a Node>,
    expression_version: Option<&'a Node>,
    arm_type: Option<&'a Node>,
}

impl Reader {
    fn credential(&mut self, node: &Node) -> Result<FederatedCredential> {
        node.expect_map("a federated identity credential")?;
        let mut f = Fields::default();
        self.collect_fields(node, &mut f)?;
        // ARM's REST shape nests the matching fields under `properties`.
        if let Some(props) = node.entries().and_then(|es| es.iter().find(|e| norm(&e.key.value) == "properties")) {
            props.value.expect_map("`properties`")?;
            self.collect_fields(&props.value, &mut f)?;
        }
        let issuer = match f.issuer.filter(|n| !n.is_null()) {
            Some(n) => n.expect_scalar("`issuer`")?,
            None => {
                return Err(Diagnostic::refused(
                    format!(
                        "a federated identity credential needs an `issuer` (Z3): \"{EMPTY_PROPERTIES}\" (Z4 errors table)"
                    ),
                    node.span,
                ));
            }
        };
        check_len(&issuer, "issuer")?;
        let name = f.name.filter(|n| !n.is_null()).map(|n| n.expect_text("`name`")).transpose()?;
        let arm = f
            .arm_type
            .and_then(Node::as_str)
            .is_some_and(|t| t.to_ascii_lowercase().ends_with("/federatedidentitycredentials"));
        let name = match name {
            // An ARM template's expression (`[concat(…, '/fic01')]`,
            // `[format(…)]`): its value is not known here, so no name rule.
            Some(n) if arm && n.value.starts_with('[') && n.value.ends_with(']') => {
                self.diagnostics.push(Diagnostic::note(
                    format!("`{}` is an ARM template expression: the credential's name is not checked", n.value),
                    Some(n.span),
                ));
                None
            }
            // ARM names a child resource `identity/credential`; the
            // credential's own name is the last segment.
            Some(n) if arm && n.value.contains('/') => {
                let cut = n.value.rfind('/').map_or(0, |i| i + 1);
                Some(n.part(cut, n.value.len()).to_spanned())
            }
            other => other.map(|n| n.to_spanned()),
        };
        if let Some(n) = &name {
            check_name(n)?;
        }
        let subject = f.subject.filter(|n| !n.is_null()).map(|n| n.expect_scalar("`subject`")).transpose()?;
        if let Some(s) = &subject {
            check_len(s, "subject")?;
            if s.value.contains('*') {
                self.diagnostics.push(Diagnostic::warning(
                    "classic credentials have no wildcards (research §2.1 from Z3): `*` here is a literal character; use a flexible `claimsMatchingExpression` with `matches`",
                    Some(s.span),
                ));
            }
        }
        let audiences = match f.audiences.filter(|n| !n.is_null()) {
            Some(n) => {
                let list = n.string_or_list("`audiences`")?;
                if list.len() != 1 {
                    return Err(Diagnostic::refused(
                        format!("{} (found {}; research §2.1, Z3)", aadsts::EXACTLY_ONE_AUDIENCE, list.len()),
                        n.span,
                    ));
                }
                list
            }
            None => {
                return Err(Diagnostic::refused(
                    format!("a federated identity credential needs `audiences`: {} (Z3)", aadsts::EXACTLY_ONE_AUDIENCE),
                    node.span,
                ));
            }
        };
        for a in &audiences {
            check_len(a, "audience")?;
        }
        let expression = match f.expression.filter(|n| !n.is_null()) {
            Some(n) => Some(self.expression(n, f.expression_version, &issuer)?),
            None => None,
        };
        match (&subject, &expression) {
            (Some(_), Some(e)) => {
                return Err(Diagnostic::refused(
                    "`subject` and `claimsMatchingExpression` are mutually exclusive: a credential defines one, the other must be null (Z1, Z9)",
                    e.text.span,
                ));
            }
            (None, None) => {
                return Err(Diagnostic::refused(
                    "a federated identity credential needs a `subject` or a `claimsMatchingExpression` (Z1, Z3)",
                    node.span,
                ));
            }
            _ => {}
        }
        // Flexible credentials on a user-assigned managed identity: the
        // set-up page once said "not yet available for managed identities";
        // its current version (Z2, re-read 2026-12-07) sets them up "for an
        // application or user-assigned managed identity" (ARM for the
        // latter, Z9), so they are read like an application's.
        Ok(FederatedCredential { name, issuer, subject, audiences, expression, span: node.span })
    }

    fn collect_fields<'a>(&mut self, node: &'a Node, f: &mut Fields<'a>) -> Result<()> {
        for e in node.entries().unwrap_or_default() {
            let key = norm(&e.key.value);
            let slot = match key.as_str() {
                "name" | "displayname" => &mut f.name,
                "issuer" => &mut f.issuer,
                "subject" => &mut f.subject,
                "audiences" | "audience" => &mut f.audiences,
                "claimsmatchingexpression" | "claimsmatchingexpressionvalue" => &mut f.expression,
                "claimsmatchingexpressionversion" | "claimsmatchingexpressionlanguageversion" => {
                    &mut f.expression_version
                }
                "type" => &mut f.arm_type,
                "description" => {
                    if let Some(d) = e.value.spanned_text() {
                        check_len(&d, "description")?;
                    }
                    continue;
                }
                "properties" => continue,
                k if METADATA.contains(&k) || k.starts_with("@odata") => continue,
                _ => {
                    let hint = nearest(&key, &FIELDS.map(|(k, _)| k))
                        .and_then(|k| FIELDS.iter().find(|(n, _)| *n == k))
                        .map(|(_, shown)| format!(" (did you mean `{shown}`?)"))
                        .unwrap_or_default();
                    self.diagnostics.push(Diagnostic::warning(
                        format!("unknown field `{}` in a federated identity credential is ignored{hint}", e.key.value),
                        Some(e.key.span),
                    ));
                    continue;
                }
            };
            if slot.is_some() {
                // Graph (OData) refuses duplicate property names; which one
                // another input form keeps is not documented.
                return Err(Diagnostic::at(
                    format!(
                        "`{}` appears twice in this federated identity credential (or under two spellings); keep one",
                        e.key.value
                    ),
                    e.key.span,
                ));
            }
            *slot = Some(&e.value);
        }
        Ok(())
    }

    /// `claimsMatchingExpression` as Graph's `{value, languageVersion}` or as
    /// a plain string (Terraform's `claims_matching_expression`, the CLI's
    /// `--claims-matching-expression-value`).
    fn expression(
        &mut self,
        node: &Node,
        version_field: Option<&Node>,
        issuer: &Spanned<String>,
    ) -> Result<FlexibleExpression> {
        let (value_node, version) = match &node.value {
            Value::Map(_) => {
                let mut value = None;
                let mut version = None;
                for e in node.entries().unwrap_or_default() {
                    match norm(&e.key.value).as_str() {
                        "value" => value = Some(&e.value),
                        "languageversion" => version = Some(&e.value),
                        "@odata.type" => {}
                        _ => self.diagnostics.push(Diagnostic::warning(
                            format!("unknown field `{}` in `claimsMatchingExpression` is ignored (it has `value` and `languageVersion`)", e.key.value),
                            Some(e.key.span),
                        )),
                    }
                }
                let Some(value) = value.filter(|v| !v.is_null()) else {
                    return Err(Diagnostic::at(
                        "`claimsMatchingExpression` needs a `value` (Graph federatedIdentityExpression)",
                        node.span,
                    ));
                };
                if version.is_none_or(Node::is_null) {
                    self.diagnostics.push(Diagnostic::warning(
                        "`claimsMatchingExpression.languageVersion` is missing; Graph marks it required and says it \"should always be set to 1\"; Keyless reads the expression as version 1",
                        Some(node.span),
                    ));
                }
                (value, version)
            }
            _ => (node, version_field),
        };
        // A string (a number is not an expression), with where its bytes
        // are: the parser's positions become spans through it.
        value_node.expect_str("`claimsMatchingExpression.value`")?;
        let written = value_node.expect_text("`claimsMatchingExpression.value`")?;
        let text = written.to_spanned();
        let language_version =
            version.filter(|v| !v.is_null()).map(|v| v.expect_scalar("`languageVersion`")).transpose()?;
        if let Some(v) = &language_version
            && v.value != "1"
        {
            return Err(Diagnostic::refused(
                format!(
                    "`languageVersion` must be 1 (Graph federatedIdentityExpression: \"Should always be set to 1\"), found `{}`",
                    v.value
                ),
                v.span,
            ));
        }
        let parsed = flexible::parse(&text.value).map_err(|e| {
            Diagnostic::at(format!("invalid claims matching expression: {}", e.message), span_in(&written, e.at))
        })?;
        let terms: Vec<Term> = parsed.iter().map(|t| term(t, &written)).collect();
        self.create_time_rules(&terms, &text, issuer);
        Ok(FlexibleExpression { text, language_version, terms })
    }

    /// Rules Entra applies when the credential is created, not when a token
    /// is exchanged: reported at [`Stage::Creation`](crate::diagnostic::Stage)
    /// as warnings, and the credential is still evaluated (it may predate the
    /// rule, as GitHub's Aug 2026 requirement shows).
    fn create_time_rules(&mut self, terms: &[Term], text: &Spanned<String>, issuer: &Spanned<String>) {
        if issuer.value == GITHUB_ISSUER {
            let has = |c: &str| terms.iter().any(|t| t.claim.value == c);
            let unallowed: Vec<&Term> =
                terms.iter().filter(|t| !GITHUB_ALLOWED_CLAIMS.contains(&t.claim.value.as_str())).collect();
            let missing_required = !has("sub") || !GITHUB_REQUIRED_ID_CLAIMS.iter().any(|c| has(c));
            if missing_required || !unallowed.is_empty() {
                let why = if missing_required {
                    "since Aug 2026 a GitHub expression must include `sub` and `repository_id` or `repository_owner_id` (Z2)".to_string()
                } else {
                    let names: Vec<String> = unallowed.iter().map(|t| format!("`{}`", t.claim.value)).collect();
                    format!(
                        "{} not among the claims Entra allows for GitHub: {} (Z1, Z2)",
                        names.join(", "),
                        GITHUB_ALLOWED_CLAIMS.join(", ")
                    )
                };
                let span = unallowed.first().map_or(text.span, |t| t.claim.span);
                self.diagnostics.push(
                    Diagnostic::warning(
                        format!(
                            "Entra would refuse to create this credential ({why}): {} — Keyless still evaluates it, as a credential created before the rule",
                            aadsts::invalid_expression(&issuer.value, &text.value)
                        ),
                        Some(span),
                    )
                    .at_creation(),
                );
            }
            for t in terms.iter().filter(|t| t.op.value == super::MatchOp::Matches) {
                if GITHUB_ID_CLAIMS_EQ_ONLY.contains(&t.claim.value.as_str()) {
                    // Z1's GitHub tab lists operators only for `sub` and
                    // `job_workflow_ref` ("supports operators `eq` and
                    // `matches`"); Z2 adds the id claims as required without
                    // an operator list. Labelled, not guessed.
                    self.diagnostics.push(
                        Diagnostic::warning(
                            format!(
                                "`matches` on `{}`: Entra's GitHub claim list gives `eq` and `matches` only for `sub` and `job_workflow_ref` (Z1) and names `{}` as a required immutable claim without its operators (Z2); if Entra allows only `eq` here it refuses this credential. The id is a number written as text: compare it with `eq`",
                                t.claim.value, t.claim.value
                            ),
                            Some(t.op.span),
                        )
                        .at_creation(),
                    );
                }
            }
        } else if !flexible_issuer_supported(&issuer.value) {
            self.diagnostics.push(
                Diagnostic::warning(
                    format!(
                        "flexible credentials support only GitHub (`{GITHUB_ISSUER}`), GitLab and Terraform Cloud issuers (Z1, research §2.3); Entra would refuse `{}`",
                        issuer.value
                    ),
                    Some(issuer.span),
                )
                .at_creation(),
            );
        }
        for t in terms {
            if t.op.value == super::MatchOp::Matches && looks_like_regex(&t.operand.value) {
                self.diagnostics.push(Diagnostic::warning(
                    format!(
                        "`{}` looks like a regular expression, but {}",
                        t.operand.value,
                        super::evaluate::WILDCARD_NOT_REGEX
                    ),
                    Some(t.operand.span),
                ));
            }
        }
    }
}

/// GitLab `https://gitlab.com` / `https://gitlab.<x>.com|.ca`, Terraform Cloud
/// `https://app.terraform.io` / `https://app.eu.terraform.io` (Z1).
fn flexible_issuer_supported(issuer: &str) -> bool {
    if matches!(
        issuer,
        GITHUB_ISSUER | "https://gitlab.com" | "https://app.terraform.io" | "https://app.eu.terraform.io"
    ) {
        return true;
    }
    issuer
        .strip_prefix("https://gitlab.")
        .and_then(|h| h.strip_suffix(".com").or_else(|| h.strip_suffix(".ca")))
        .is_some_and(|mid| !mid.is_empty() && !mid.contains('/'))
}

/// Regex idioms that mean something else under wildcard matching.
pub fn looks_like_regex(s: &str) -> bool {
    s.contains(".*")
        || s.contains(".+")
        || s.contains('\\')
        || s.starts_with('^')
        || s.ends_with('$')
        || s.contains("[0-9]")
}

fn term(t: &ParsedTerm, expression: &Text) -> Term {
    Term {
        claim: Spanned::new(t.claim.clone(), span_in(expression, t.claim_at)),
        op: Spanned::new(t.op, span_in(expression, t.op_at)),
        operand: Spanned::new(t.comparand.clone(), span_in(expression, t.comparand_at)),
        span: span_in(expression, t.at),
    }
}

/// The span of the parser's `(start, end)` inside the expression: exact
/// when the expression is written verbatim, else the whole string.
fn span_in(expression: &Text, (start, end): (usize, usize)) -> Span {
    expression.span_of(start, end)
}

fn check_len(v: &Spanned<String>, what: &str) -> Result<()> {
    let n = v.value.chars().count();
    if n > MAX_FIELD_CHARS {
        return Err(Diagnostic::refused(
            format!("the {what} is {n} characters; Entra's limit is {MAX_FIELD_CHARS} (Z3)"),
            v.span,
        ));
    }
    Ok(())
}

/// Z3: the name "has a character limit of 3-120 characters and must be URL
/// friendly. Alphanumeric, dash, or underscore characters are supported, the
/// first character must be alphanumeric only". Entra refuses each with one
/// message (Z4 errors table: "Federated Identity Credential name '{ficName}'
/// is invalid."), so each stops evaluation alike: such a credential cannot
/// exist, whatever the rest of it would match.
fn check_name(n: &Spanned<String>) -> Result<()> {
    let len = n.value.chars().count();
    let why = if !NAME_CHARS.contains(&len) {
        format!("a credential name has 3 to 120 characters (Z3), `{}` has {len}", n.value)
    } else if !n.value.chars().next().is_some_and(|c| c.is_ascii_alphanumeric()) {
        format!("a credential name starts with a letter or digit (Z3), `{}` does not", n.value)
    } else if let Some(bad) = n.value.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        format!(
            "credential name `{}` has `{bad}`: names are \"URL friendly. Alphanumeric, dash, or underscore characters are supported\" (Z3)",
            n.value
        )
    } else {
        return Ok(());
    };
    Err(Diagnostic::refused(
        format!(
            "{why}; Entra refuses it: \"Federated Identity Credential name '{}' is invalid.\" (Z4 errors table)",
            n.value
        ),
        n.span,
    ))
}

/// Z4 errors table: "All federated identity credential properties are
/// mandatory."
const EMPTY_PROPERTIES: &str = "Federated Identity Credential from HTTP body has empty properties";

/// Z3: "The combination of issuer and subject must be unique on the app."
fn unique_issuer_subject(credentials: &[FederatedCredential]) -> Result<()> {
    for (i, c) in credentials.iter().enumerate() {
        let Some(s) = &c.subject else { continue };
        let earlier = credentials
            .iter()
            .take(i)
            .find(|o| o.issuer.value == c.issuer.value && o.subject.as_ref().is_some_and(|os| os.value == s.value));
        if let Some(o) = earlier {
            return Err(Diagnostic::refused(
                format!(
                    "issuer and subject must be unique per application (Z3); {} already has this pair: \"Issuer and subject combination already exists for this Managed Identity.\" (Z4 errors table)",
                    o.label()
                ),
                s.span,
            ));
        }
    }
    Ok(())
}
