//! Infrastructure as code: the files where trust configurations are kept
//! (Terraform, CloudFormation/SAM), read into the same spanned [`Node`]
//! trees the clouds' parsers take (`aws::AwsConfig::from_node`, …), so
//! every finding runs unchanged and points at the line in the file.
//!
//! These files are not evaluated. A value that Terraform or CloudFormation
//! computes (a variable, a parameter, another resource's attribute, an
//! interpolation, an intrinsic function) is recorded as an [`Unknown`] at
//! its location and never guessed; docs/terraform.md and
//! docs/cloudformation.md say what that does to findings.

#[cfg(feature = "cloudformation")]
pub mod cloudformation;
mod principal;
#[cfg(feature = "terraform")]
pub mod terraform;

use crate::doc::Node;
use crate::span::Span;
use crate::verdict::Cloud;

/// Values given for what the tool would compute, by the expression as
/// written (`var.github_org`, `aws_iam_openid_connect_provider.github.arn`,
/// a CloudFormation parameter's name): a scenario's `from:` reference
/// supplies them, as `terraform plan -var` or a stack's parameters would.
pub type Values = std::collections::BTreeMap<String, String>;

/// One trust configuration found in a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// Terraform's address (`aws_iam_role.deploy`,
    /// `data.aws_iam_policy_document.trust`) or the template's logical id.
    pub address: String,
    pub cloud: Cloud,
    /// The configuration as the cloud's `from_node` reads it, spans in the
    /// file.
    pub node: Node,
    /// The resource.
    pub span: Span,
}

/// A value Keyless cannot know without running the tool that computes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Unknown {
    /// The expression as written (`var.github_org`, `"repo:${var.org}/*"`,
    /// `!Ref ProviderArn`).
    pub text: String,
    pub span: Span,
    /// What kind of expression it is, for the message.
    pub why: &'static str,
    /// Whether it is (part of) a principal: an unknown provider ARN is how
    /// nearly every trust policy kept as code names GitHub's provider, and
    /// it decides no condition, so findings about the conditions stand.
    pub principal: bool,
    /// Where findings would judge it: the value itself, or for a principal
    /// the whole `Principal` element.
    pub region: Span,
}

/// The trust configurations of one file and the values it leaves unknown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trusts {
    pub units: Vec<Unit>,
    pub unknowns: Vec<Unknown>,
}

impl Trusts {
    /// Whether `span` touches a value Keyless cannot know (for a principal:
    /// lies inside its `Principal` element): a finding or error there would
    /// judge the stand-in text, not the real value.
    pub fn depends_on_unknown(&self, span: Span) -> bool {
        let end = span.end.max(span.start + 1);
        self.unknowns.iter().any(|u| {
            if u.principal {
                // About the principal itself, not the statement holding it.
                u.region.start <= span.start && end <= u.region.end.max(u.region.start + 1)
            } else {
                u.region.start < end && span.start < u.region.end
            }
        })
    }

    /// Finishes a reading: unknown GitHub principals stand in as GitHub's
    /// provider where the conditions say so ([`principal::stand_in`]).
    pub(crate) fn finish(mut self) -> Trusts {
        principal::stand_in(&mut self);
        self
    }
}
