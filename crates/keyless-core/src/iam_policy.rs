//! The IAM policy grammar shared by AWS trust policies and Alibaba Cloud RAM
//! trust policies (same JSON shape: Version, Statement, Effect, Principal,
//! Action, Condition). PLACEHOLDER parse/eval: the AWS/Alibaba work fills
//! `parse_policy` and the condition evaluation.

use crate::span::{Span, Spanned};

#[derive(Clone, Debug, PartialEq)]
pub struct TrustPolicy {
    pub version: Option<Spanned<String>>,
    pub statements: Vec<Statement>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub sid: Option<Spanned<String>>,
    pub effect: Spanned<Effect>,
    pub principal: Option<Principal>,
    pub not_principal: Option<Principal>,
    pub actions: Vec<Spanned<String>>,
    pub not_actions: Vec<Spanned<String>>,
    pub conditions: Vec<Condition>,
    pub span: Span,
}

/// `Principal`: `"*"` or a map of principal types to one or more values.
#[derive(Clone, Debug, PartialEq)]
pub struct Principal {
    /// `"Principal": "*"`.
    pub wildcard: bool,
    pub federated: Vec<Spanned<String>>,
    /// Any other principal type (`AWS`, `Service`, `RAM`...), kept for findings.
    pub other: Vec<(Spanned<String>, Vec<Spanned<String>>)>,
    pub span: Span,
}

/// One key under one operator: `"StringLike": {"…:sub": ["a", "b"]}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub operator: Spanned<Operator>,
    pub key: Spanned<String>,
    pub values: Vec<Spanned<String>>,
    /// From the operator name to the end of the values.
    pub span: Span,
}

/// A parsed condition operator name such as `ForAllValues:StringLikeIfExists`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    pub base: BaseOperator,
    pub set: Option<SetQualifier>,
    pub if_exists: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    Null,
    Bool,
    /// Any other IAM operator (numeric, date, ARN, IP...), kept by name.
    Other(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetQualifier {
    ForAnyValue,
    ForAllValues,
}
