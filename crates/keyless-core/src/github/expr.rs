//! `${{ }}` expressions where they decide a token's identity (environment,
//! job `if:`, matrix values, login `with:` inputs). Parsing is zizmor's
//! `github-actions-expressions`; evaluation is ours, over its AST, with
//! GitHub's truthiness and coercion (`Evaluation::sema`).
//!
//! A value Keyless cannot know (secrets, step outputs, an event payload
//! field the scenario does not give) is never guessed: it evaluates to
//! [`EvalError::Unknown`], naming what was missing.
//! Source: https://docs.github.com/en/actions/reference/workflows-and-actions/expressions

use github_actions_expressions::call::Function;
use github_actions_expressions::literal::Literal;
use github_actions_expressions::op::{BinOp, UnOp};
use github_actions_expressions::{Evaluation, Expr, SpannedExpr};
use std::collections::HashMap;

/// Why an expression has no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    /// Depends on something the simulation does not know (named).
    Unknown(String),
    /// The expression is invalid (GitHub would fail the workflow).
    Invalid(String),
}

impl EvalError {
    /// A message for a diagnostic about `raw` (the expression text).
    pub fn describe(&self, raw: &str) -> String {
        match self {
            EvalError::Unknown(what) => {
                format!("`{raw}` depends on `{what}`, which the scenario does not give; Keyless does not guess it")
            }
            EvalError::Invalid(why) => format!("invalid expression `{raw}`: {why}"),
        }
    }
}

type Eval = Result<Evaluation, EvalError>;

/// GitHub's limit on one expression: the runner refuses longer ones with
/// "Exceeded max expression length 21000" (actions/runner
/// src/Sdk/DTExpressions2/Expressions2/ExpressionConstants.cs, `MaxLength =
/// 21000`; a `run:` or other string holding `${{ }}` is one template and
/// counts whole). Counted in characters, as .NET strings are.
pub const MAX_EXPRESSION_CHARS: usize = 21_000;

/// Keyless's own budget for any string an expression builds (`format()`,
/// `join()`, `toJSON()`): GitHub's evaluator also caps the memory an
/// expression may use ("The maximum allowed memory size was exceeded while
/// evaluating the following expression", actions/languageservices
/// expressions `MemoryCounter`) without documenting the figure. 1 MiB is far
/// above any identity value a token can carry.
pub const MAX_RESULT_BYTES: usize = 1 << 20;

fn too_long(text: &str) -> Option<EvalError> {
    // Bytes bound characters from above: count only when it could matter.
    (text.len() > MAX_EXPRESSION_CHARS && text.chars().count() > MAX_EXPRESSION_CHARS)
        .then(|| EvalError::Invalid(format!("Exceeded max expression length {MAX_EXPRESSION_CHARS}")))
}

fn memory_exceeded(what: &str) -> EvalError {
    EvalError::Invalid(format!(
        "The maximum allowed memory size was exceeded while evaluating {what} (Keyless's budget: {MAX_RESULT_BYTES} bytes)"
    ))
}

/// Whether an invalid expression makes GitHub reject the whole workflow
/// (rather than fail at run time).
pub fn rejects_workflow(why: &str) -> bool {
    why.starts_with("Unrecognized named-value") || why.starts_with("Exceeded max expression")
}

/// Parses with GitHub's length limit. The parser bounds its own recursion
/// (GitHub's depth of 50), but a chain `a && b && c …` is a left-deep tree
/// as deep as it is long: everything below walks it without recursion.
fn parse_bounded(src: &str) -> Result<SpannedExpr<'_>, EvalError> {
    if let Some(e) = too_long(src) {
        return Err(e);
    }
    Expr::parse(src.trim()).map_err(|e| EvalError::Invalid(e.to_string()))
}

/// Drops a tree without recursion (the derived drop recurses once per level
/// of a left-deep chain).
fn dispose(e: SpannedExpr<'_>) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e.inner {
            Expr::BinExpr(b) => {
                let github_actions_expressions::op::BinExpr { lhs, rhs, .. } = b;
                stack.push(*lhs);
                stack.push(*rhs);
            }
            Expr::UnExpr { expr, .. } | Expr::Index(expr) => stack.push(*expr),
            Expr::Call(call) => stack.extend(call.args),
            Expr::Context(ctx) => stack.extend(ctx.parts),
            Expr::Literal(_) | Expr::Star | Expr::Identifier(_) => {}
        }
    }
}

/// How much of a context the simulation knows: a missing property of a
/// complete context is `null` (as in GitHub), of a partial one unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completeness {
    Complete,
    Partial,
}

/// The named contexts visible to an expression. Contexts not listed
/// (`secrets`, `needs`, `steps`, `env`, `runner`, `job`...) are unknown.
#[derive(Clone, Debug, Default)]
pub struct Contexts {
    roots: Vec<(String, Evaluation, Completeness)>,
    /// Contexts GitHub does not offer where the expression is written
    /// (docs "Contexts reference", context availability).
    unavailable: Vec<String>,
    /// A job this one needs was skipped: `success()` is then false.
    needs_skipped: bool,
}

impl Contexts {
    /// No contexts: every reference is unknown.
    pub fn new() -> Contexts {
        Contexts::default()
    }

    /// Adds (or replaces) a context such as `github`, `inputs`, `matrix`.
    pub fn set(&mut self, name: &str, value: Evaluation, completeness: Completeness) {
        self.roots.retain(|(n, _, _)| !n.eq_ignore_ascii_case(name));
        self.roots.push((name.to_string(), value, completeness));
    }

    /// The same contexts, with `name` unavailable: GitHub refuses it
    /// ("Unrecognized named-value"), e.g. `matrix` in a job's `if:`.
    pub fn without(&self, name: &str) -> Contexts {
        let mut c = self.clone();
        c.roots.retain(|(n, _, _)| !n.eq_ignore_ascii_case(name));
        c.unavailable.push(name.to_string());
        c
    }

    /// The same contexts, for a job one of whose `needs` was skipped: its
    /// status functions see a dependency that did not succeed.
    pub fn with_skipped_needs(&self) -> Contexts {
        let mut c = self.clone();
        c.needs_skipped = true;
        c
    }

    fn root(&self, name: &str) -> Option<(&Evaluation, Completeness)> {
        self.roots.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(name)).map(|(_, v, c)| (v, *c))
    }
}

/// JSON to an expression value (numbers that do not fit f64 become strings).
pub fn from_json(v: &serde_json::Value) -> Evaluation {
    match v {
        serde_json::Value::Null => Evaluation::Null,
        serde_json::Value::Bool(b) => Evaluation::Boolean(*b),
        serde_json::Value::Number(n) => {
            n.as_f64().map_or_else(|| Evaluation::String(n.to_string()), Evaluation::Number)
        }
        serde_json::Value::String(s) => Evaluation::String(s.clone()),
        serde_json::Value::Array(a) => Evaluation::Array(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Evaluation::Object(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect::<HashMap<_, _>>())
        }
    }
}

/// An expression value to JSON, for matrix combinations and `toJSON`.
pub fn to_json(v: &Evaluation) -> serde_json::Value {
    match v {
        Evaluation::Null => serde_json::Value::Null,
        Evaluation::Boolean(b) => serde_json::Value::Bool(*b),
        Evaluation::Number(n) => {
            if n.fract() == 0.0 && n.abs() < 9.0e15 {
                serde_json::Value::from(*n as i64)
            } else {
                serde_json::Number::from_f64(*n).map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
        }
        Evaluation::String(s) => serde_json::Value::String(s.clone()),
        Evaluation::Array(a) => serde_json::Value::Array(a.iter().map(to_json).collect()),
        Evaluation::Object(o) => {
            // HashMap order is random; `serde_json::Map` is a BTreeMap, so
            // inserting one by one keeps keys sorted without a sort (and its
            // code) for each element type.
            let mut map = serde_json::Map::new();
            for (k, v) in o {
                map.insert(k.clone(), to_json(v));
            }
            serde_json::Value::Object(map)
        }
    }
}

/// The text GitHub substitutes for a value inside a string.
pub fn stringify(v: &Evaluation) -> String {
    v.sema().to_string()
}

/// One `${{ … }}` found in a text, with byte offsets of the whole marker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placeholder {
    pub start: usize,
    pub end: usize,
    pub inner: String,
}

/// Finds the `${{ … }}` markers of a string; `}}` inside a quoted string
/// literal does not close one. An unclosed marker is an error.
pub fn placeholders(text: &str) -> Result<Vec<Placeholder>, EvalError> {
    let mut found = Vec::new();
    let mut rest_start = 0;
    while let Some(rel) = text.get(rest_start..).and_then(|t| t.find("${{")) {
        let start = rest_start + rel;
        let body_start = start + 3;
        let mut in_quote = false;
        let mut end = None;
        let bytes = text.as_bytes();
        let mut i = body_start;
        while i < bytes.len() {
            match bytes.get(i) {
                Some(b'\'') => in_quote = !in_quote,
                Some(b'}') if !in_quote && bytes.get(i + 1) == Some(&b'}') => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        let Some(close) = end else {
            return Err(EvalError::Invalid("`${{` without a closing `}}`".into()));
        };
        let inner = text.get(body_start..close).unwrap_or_default().to_string();
        found.push(Placeholder { start, end: close + 2, inner });
        rest_start = close + 2;
    }
    Ok(found)
}

/// Whether a condition calls a status function; without one GitHub
/// implies `success() &&` (docs: expressions, status check functions).
pub fn uses_status_function(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["success(", "failure(", "always(", "cancelled("].iter().any(|f| {
        lower.match_indices(f).any(|(i, _)| {
            // A function name, not the tail of another identifier.
            lower
                .get(..i)
                .and_then(|p| p.chars().last())
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
        })
    })
}

/// Whether the expression(s) of `text` (a condition: markers optional)
/// refer to the context `name`, wherever it sits (GitHub validates context
/// availability when it parses the workflow, before evaluating anything).
pub fn names_context(text: &str, name: &str) -> bool {
    let sources: Vec<String> = if has_expression(text) {
        placeholders(text).map(|marks| marks.into_iter().map(|m| m.inner).collect()).unwrap_or_default()
    } else {
        vec![text.to_string()]
    };
    if too_long(text).is_some() {
        return false;
    }
    sources.iter().any(|src| {
        parse_bounded(src).is_ok_and(|e| {
            let found = refers_to(&e, name);
            dispose(e);
            found
        })
    })
}

/// Whether `name` is the root of a context anywhere in the tree, or the
/// whole expression. Iterative: the tree may be as deep as it is long.
fn refers_to(e: &SpannedExpr<'_>, name: &str) -> bool {
    let is_name =
        |e: &SpannedExpr<'_>| matches!(&e.inner, Expr::Identifier(i) if i.as_str().eq_ignore_ascii_case(name));
    if is_name(e) {
        return true;
    }
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match &e.inner {
            Expr::Context(ctx) => {
                if ctx.parts.first().is_some_and(is_name) {
                    return true;
                }
                stack.extend(ctx.parts.iter());
            }
            Expr::BinExpr(b) => {
                stack.push(&b.lhs);
                stack.push(&b.rhs);
            }
            Expr::UnExpr { expr, .. } | Expr::Index(expr) => stack.push(expr),
            Expr::Call(call) => stack.extend(call.args.iter()),
            Expr::Literal(_) | Expr::Star | Expr::Identifier(_) => {}
        }
    }
    false
}

/// Whether a text contains an expression marker.
pub fn has_expression(text: &str) -> bool {
    text.contains("${{")
}

/// Whether the text is exactly one `${{ … }}` (surrounding whitespace allowed).
pub fn is_single_expression(text: &str) -> bool {
    match placeholders(text).as_deref() {
        Ok([only]) => {
            text.get(..only.start).is_some_and(|p| p.trim().is_empty())
                && text.get(only.end..).is_some_and(|s| s.trim().is_empty())
        }
        _ => false,
    }
}

/// Evaluates a YAML string value: a text that is exactly one `${{ x }}`
/// (surrounding whitespace allowed) yields x's value (arrays stay arrays);
/// otherwise each marker is replaced by its text.
pub fn eval_template(text: &str, ctx: &Contexts) -> Eval {
    if let Some(e) = too_long(text) {
        return Err(e);
    }
    let marks = placeholders(text)?;
    if let [only] = marks.as_slice()
        && text.get(..only.start).is_some_and(|p| p.trim().is_empty())
        && text.get(only.end..).is_some_and(|s| s.trim().is_empty())
    {
        return eval_str(&only.inner, ctx);
    }
    let mut out = String::new();
    let mut pos = 0;
    for m in &marks {
        out.push_str(text.get(pos..m.start).unwrap_or_default());
        out.push_str(&stringify(&eval_str(&m.inner, ctx)?));
        if out.len() > MAX_RESULT_BYTES {
            return Err(memory_exceeded("the template"));
        }
        pos = m.end;
    }
    out.push_str(text.get(pos..).unwrap_or_default());
    Ok(Evaluation::String(out))
}

/// Evaluates a job `if:`: without markers the whole text is an expression
/// (GitHub wraps it). Docs: "jobs.<job_id>.if ... you can omit the
/// expression syntax".
pub fn eval_condition(text: &str, ctx: &Contexts) -> Result<bool, EvalError> {
    let v = if has_expression(text) { eval_template(text, ctx)? } else { eval_str(text, ctx)? };
    Ok(v.as_boolean())
}

/// Parses and evaluates one expression (the inside of `${{ }}`).
pub fn eval_str(src: &str, ctx: &Contexts) -> Eval {
    let parsed = parse_bounded(src)?;
    let value = eval(&parsed, ctx);
    dispose(parsed);
    value
}

/// Evaluates a tree. A left-deep chain of binary operators (`a && b && c
/// …`, all operators are left-associative) is walked in a loop; recursion
/// only enters right operands, arguments and parentheses, whose nesting the
/// parser bounds.
fn eval(e: &SpannedExpr<'_>, ctx: &Contexts) -> Eval {
    let mut spine = Vec::new();
    let mut leftmost = e;
    while let Expr::BinExpr(b) = &leftmost.inner {
        spine.push(b);
        leftmost = &b.lhs;
    }
    let mut acc = eval_leaf(leftmost, ctx);
    for b in spine.into_iter().rev() {
        acc = binary(acc, &b.op, &b.rhs, ctx);
    }
    acc
}

fn binary(lhs: Eval, op: &BinOp, rhs: &SpannedExpr<'_>, ctx: &Contexts) -> Eval {
    // && and || short-circuit, so `false && secrets.X` is known.
    match op {
        BinOp::And => match lhs {
            Ok(l) if !l.as_boolean() => Ok(l),
            Ok(_) => eval(rhs, ctx),
            Err(err) => match eval(rhs, ctx) {
                // Falsy either way; only its truthiness is known.
                Ok(r) if !r.as_boolean() => Ok(Evaluation::Boolean(false)),
                _ => Err(err),
            },
        },
        BinOp::Or => match lhs {
            Ok(l) if l.as_boolean() => Ok(l),
            Ok(_) => eval(rhs, ctx),
            Err(err) => Err(err),
        },
        _ => {
            let l = lhs?;
            let r = eval(rhs, ctx)?;
            let (l, r) = (l.sema(), r.sema());
            Ok(Evaluation::Boolean(match op {
                BinOp::Eq => l == r,
                BinOp::Neq => l != r,
                BinOp::Gt => l > r,
                BinOp::Ge => l >= r,
                BinOp::Lt => l < r,
                BinOp::Le => l <= r,
                BinOp::And | BinOp::Or => false,
            }))
        }
    }
}

fn eval_leaf(e: &SpannedExpr<'_>, ctx: &Contexts) -> Eval {
    match &e.inner {
        Expr::Literal(l) => Ok(literal(l)),
        Expr::Star => Err(EvalError::Unknown(format!("`{}` (object filters are not simulated)", e.origin.raw))),
        Expr::Identifier(i) => lookup_root(i.as_str(), ctx).map(|(v, _)| v.clone()),
        Expr::Index(inner) => eval(inner, ctx),
        Expr::Context(c) => eval_context(&c.parts, e.origin.raw, ctx),
        Expr::Call(call) => eval_call(call.func, &call.args, ctx),
        Expr::BinExpr(_) => eval(e, ctx),
        Expr::UnExpr { op: UnOp::Not, expr } => Ok(Evaluation::Boolean(!eval(expr, ctx)?.as_boolean())),
    }
}

fn literal(l: &Literal<'_>) -> Evaluation {
    match l {
        Literal::Number(n) => Evaluation::Number(*n),
        Literal::String(s) => Evaluation::String(s.to_string()),
        Literal::Boolean(b) => Evaluation::Boolean(*b),
        Literal::Null => Evaluation::Null,
    }
}

fn lookup_root<'c>(name: &str, ctx: &'c Contexts) -> Result<(&'c Evaluation, Completeness), EvalError> {
    if ctx.unavailable.iter().any(|n| n.eq_ignore_ascii_case(name)) {
        return Err(EvalError::Invalid(format!("Unrecognized named-value: '{name}'")));
    }
    ctx.root(name).ok_or_else(|| EvalError::Unknown(name.to_string()))
}

fn eval_context(parts: &[SpannedExpr<'_>], raw: &str, ctx: &Contexts) -> Eval {
    let Some((head, rest)) = parts.split_first() else {
        return Err(EvalError::Invalid("empty context".into()));
    };
    let (mut cur, mut completeness) = match &head.inner {
        Expr::Identifier(i) => {
            let (v, c) = lookup_root(i.as_str(), ctx).map_err(|e| match e {
                EvalError::Unknown(_) => EvalError::Unknown(raw.to_string()),
                invalid => invalid,
            })?;
            (v.clone(), c)
        }
        // `fromJSON(...).x`: the head is a value we computed entirely.
        _ => (eval(head, ctx)?, Completeness::Complete),
    };
    let mut path = head.origin.raw.to_string();
    for part in rest {
        let key = match &part.inner {
            Expr::Identifier(i) => Evaluation::String(i.as_str().to_string()),
            Expr::Index(inner) => eval(inner, ctx)?,
            _ => return Err(EvalError::Unknown(format!("{raw} (object filters are not simulated)"))),
        };
        path.push('.');
        path.push_str(&stringify(&key));
        // `github.event` is the payload: only partly simulated.
        if path.eq_ignore_ascii_case("github.event") {
            completeness = Completeness::Partial;
        }
        let next = match (&cur, &key) {
            (Evaluation::Object(map), _) => {
                let k = stringify(&key);
                map.iter().find(|(name, _)| name.eq_ignore_ascii_case(&k)).map(|(_, v)| v.clone())
            }
            (Evaluation::Array(items), Evaluation::Number(n)) if *n >= 0.0 && n.fract() == 0.0 => {
                items.get(*n as usize).cloned().or(Some(Evaluation::Null))
            }
            (Evaluation::Array(_), _) => Some(Evaluation::Null),
            _ => Some(Evaluation::Null),
        };
        cur = match next {
            Some(v) => v,
            None if completeness == Completeness::Complete => Evaluation::Null,
            None => return Err(EvalError::Unknown(path)),
        };
    }
    Ok(cur)
}

fn eval_call(func: Function, args: &[SpannedExpr<'_>], ctx: &Contexts) -> Eval {
    // Status functions at job level: the simulated run has all needed jobs
    // succeeding (docs: status check functions).
    match func {
        // A skipped dependency is not a success, nor a failure or a
        // cancellation (docs "Using conditions to control job execution").
        Function::Success => return Ok(Evaluation::Boolean(!ctx.needs_skipped)),
        Function::Always => return Ok(Evaluation::Boolean(true)),
        Function::Failure | Function::Cancelled => return Ok(Evaluation::Boolean(false)),
        Function::HashFiles => return Err(EvalError::Unknown("hashFiles(...) (the repository's files)".into())),
        _ => {}
    }
    let vals = args.iter().map(|a| eval(a, ctx)).collect::<Result<Vec<_>, _>>()?;
    let arg = |i: usize| vals.get(i).cloned().unwrap_or(Evaluation::Null);
    let text = |i: usize| stringify(&arg(i));
    match func {
        Function::Contains => Ok(Evaluation::Boolean(match arg(0) {
            Evaluation::Array(items) => items.iter().any(|x| x.sema() == arg(1).sema()),
            other => upper(&stringify(&other)).contains(&upper(&text(1))),
        })),
        Function::StartsWith => Ok(Evaluation::Boolean(upper(&text(0)).starts_with(&upper(&text(1))))),
        Function::EndsWith => Ok(Evaluation::Boolean(upper(&text(0)).ends_with(&upper(&text(1))))),
        Function::Format => format(&vals),
        Function::Join => {
            let sep = if vals.len() > 1 { text(1) } else { ",".into() };
            let joined = match arg(0) {
                Evaluation::Array(items) => {
                    let mut out = String::new();
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push_str(&sep);
                        }
                        out.push_str(&stringify(item));
                        if out.len() > MAX_RESULT_BYTES {
                            return Err(memory_exceeded("join()"));
                        }
                    }
                    out
                }
                Evaluation::Object(_) => String::new(),
                other => stringify(&other),
            };
            Ok(Evaluation::String(joined))
        }
        Function::ToJSON => {
            let json = serde_json::to_string_pretty(&to_json(&arg(0))).unwrap_or_default();
            if json.len() > MAX_RESULT_BYTES {
                return Err(memory_exceeded("toJSON()"));
            }
            Ok(Evaluation::String(json))
        }
        Function::FromJSON => {
            let t = text(0);
            // The engine's own strict JSON parser (RFC 8259, as the
            // runner's): a later duplicate key wins, as in `JObject.Parse`.
            match crate::doc::parse_json(t.trim(), crate::span::DocId::Workflow) {
                Ok(node) => Ok(from_json(&node.to_json())),
                Err(d) => Err(EvalError::Invalid(format!("fromJSON: {}", d.message))),
            }
        }
        Function::Case => {
            let mut i = 0;
            while i + 1 < vals.len() {
                match vals.get(i) {
                    Some(Evaluation::Boolean(true)) => return Ok(arg(i + 1)),
                    Some(Evaluation::Boolean(false)) => {}
                    _ => return Err(EvalError::Invalid("case(): predicates must be booleans".into())),
                }
                i += 2;
            }
            Ok(vals.last().cloned().unwrap_or(Evaluation::Null))
        }
        Function::Success | Function::Always | Function::Failure | Function::Cancelled | Function::HashFiles => {
            Ok(Evaluation::Null)
        }
    }
}

/// GitHub compares strings ignoring case, as `==` does (the expression
/// crate's `EvaluationSema`): upper-cased, except the dotless `ı`, which
/// GitHub keeps as is (actions/languageservices `toUpperSpecial`).
fn upper(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == 'ı' {
            out.push(c);
        } else {
            out.extend(c.to_uppercase());
        }
    }
    out
}

/// `format('{0} {1}', a, b)` with `{{`/`}}` escapes; bad specs are errors.
fn format(vals: &[Evaluation]) -> Eval {
    let template: Vec<char> = vals.first().map(stringify).unwrap_or_default().chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while let Some(&c) = template.get(i) {
        match c {
            '{' if template.get(i + 1) == Some(&'{') => {
                out.push('{');
                i += 2;
            }
            '}' if template.get(i + 1) == Some(&'}') => {
                out.push('}');
                i += 2;
            }
            '{' => {
                let mut j = i + 1;
                let mut digits = String::new();
                while let Some(d) = template.get(j).filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    j += 1;
                }
                if template.get(j) != Some(&'}') || digits.is_empty() {
                    return Err(EvalError::Invalid("format(): invalid placeholder".into()));
                }
                let idx: usize = digits.parse().map_err(|_| EvalError::Invalid("format(): index too large".into()))?;
                match vals.get(idx + 1) {
                    Some(v) => {
                        out.push_str(&stringify(v));
                        if out.len() > MAX_RESULT_BYTES {
                            return Err(memory_exceeded("format()"));
                        }
                    }
                    None => return Err(EvalError::Invalid(format!("format(): no argument {{{idx}}}"))),
                }
                i = j + 1;
            }
            '}' => return Err(EvalError::Invalid("format(): unescaped `}`".into())),
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    Ok(Evaluation::String(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> Contexts {
        let mut c = Contexts::new();
        c.set(
            "github",
            from_json(&json!({"event_name": "push", "ref": "refs/heads/main", "event": {"ref": "refs/heads/main"}})),
            Completeness::Partial,
        );
        c.set("inputs", from_json(&json!({"env": "prod", "n": 3})), Completeness::Complete);
        c.set("matrix", from_json(&json!({"os": "linux"})), Completeness::Complete);
        c
    }

    fn s(v: &str) -> Evaluation {
        Evaluation::String(v.into())
    }

    // Docs (expressions): string comparison ignores case; && / || return operands.
    #[test]
    fn operators_follow_github_semantics() {
        let c = ctx();
        let cases = [
            ("github.ref == 'REFS/HEADS/MAIN'", Evaluation::Boolean(true)),
            ("inputs.env || 'dev'", s("prod")),
            ("inputs.missing || 'dev'", s("dev")),
            ("!inputs.missing", Evaluation::Boolean(true)),
            ("inputs.n > 2", Evaluation::Boolean(true)),
            ("'3' == inputs.n", Evaluation::Boolean(true)),
            ("matrix['os']", s("linux")),
        ];
        for (src, want) in cases {
            assert_eq!(eval_str(src, &c), Ok(want), "{src}");
        }
    }

    // Docs (expressions, functions).
    #[test]
    fn functions() {
        let c = ctx();
        let cases = [
            ("contains('Hello world', 'WORLD')", Evaluation::Boolean(true)),
            ("contains(fromJSON('[\"a\",\"b\"]'), 'b')", Evaluation::Boolean(true)),
            ("startsWith(github.ref, 'refs/heads/')", Evaluation::Boolean(true)),
            ("endsWith(github.ref, '/MAIN')", Evaluation::Boolean(true)),
            ("format('{0}-{{x}}-{1}', 'a', 2)", s("a-{x}-2")),
            ("join(fromJSON('[1,2]'), '+')", s("1+2")),
            ("fromJSON('{\"a\":{\"b\":true}}').a.b", Evaluation::Boolean(true)),
            ("success()", Evaluation::Boolean(true)),
            ("failure()", Evaluation::Boolean(false)),
            ("case(false, 'a', true, 'b', 'c')", s("b")),
        ];
        for (src, want) in cases {
            assert_eq!(eval_str(src, &c), Ok(want), "{src}");
        }
        assert_eq!(eval_str("toJSON(fromJSON('[1]'))", &c), Ok(s("[\n  1\n]")));
    }

    // Docs (expressions, fromJSON): any JSON value; the runner parses with
    // Newtonsoft, where a later duplicate property wins.
    #[test]
    fn from_json_reads_any_json_value() {
        let c = ctx();
        let cases = [
            ("fromJSON('true')", Evaluation::Boolean(true)),
            ("fromJSON('null')", Evaluation::Null),
            ("fromJSON(' 2.5e1 ')", Evaluation::Number(25.0)),
            ("fromJSON('\"a\\u00e9\"')", s("a\u{e9}")),
            ("fromJSON('{\"a\":1,\"a\":2}').a", Evaluation::Number(2.0)),
            ("fromJSON('[[1],{\"k\":[\"v\"]}]')[1].k[0]", s("v")),
        ];
        for (src, want) in cases {
            assert_eq!(eval_str(src, &c), Ok(want), "{src}");
        }
        for bad in ["fromJSON('{')", "fromJSON('[1,]')", "fromJSON('{a:1}')", "fromJSON('1 2')", "fromJSON('')"] {
            match eval_str(bad, &c) {
                Err(EvalError::Invalid(m)) => assert!(m.starts_with("fromJSON: invalid JSON"), "{bad}: {m}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    // Docs (expressions): comparisons ignore case. Like GitHub's
    // expression library (actions/languageservices `toUpperSpecial`, which
    // the expression crate follows for `==`), both sides are upper-cased
    // except the dotless `ı`; `contains`/`startsWith`/`endsWith` the same.
    #[test]
    fn case_is_ignored_as_githubs_expression_library_does() {
        let c = ctx();
        let cases = [
            ("'Straße' == 'STRASSE'", true),
            ("'ÉTÉ' == 'été'", true),
            ("'ı' == 'I'", false),
            ("contains('Résumé', 'SUMÉ')", true),
            ("contains('straße', 'SS')", true),
            ("startsWith('ıx', 'I')", false),
        ];
        for (src, want) in cases {
            assert_eq!(eval_str(src, &c), Ok(Evaluation::Boolean(want)), "{src}");
        }
    }

    // Never guessed: secrets/steps/needs and missing payload fields are unknown.
    #[test]
    fn unknowns_are_reported() {
        let c = ctx();
        for src in ["secrets.TOKEN", "needs.build.outputs.env", "github.event.pull_request.number", "vars.X"] {
            assert!(matches!(eval_str(src, &c), Err(EvalError::Unknown(_))), "{src}");
        }
        // Short-circuit makes some unknowns irrelevant.
        assert_eq!(eval_str("false && secrets.X", &c), Ok(Evaluation::Boolean(false)));
        assert_eq!(eval_str("true || secrets.X", &c), Ok(Evaluation::Boolean(true)));
        assert_eq!(eval_str("secrets.X && false", &c), Ok(Evaluation::Boolean(false)));
        assert!(matches!(eval_str("fromJSON('{')", &c), Err(EvalError::Invalid(_))));
        assert!(matches!(eval_str("nope(", &c), Err(EvalError::Invalid(_))));
    }

    #[test]
    fn githubs_length_limit_and_long_chains() {
        let c = ctx();
        // 4,200 `&&` in 21,000 characters: evaluated, and the context
        // search finds a name at the far end of the chain.
        let chain = format!("{}true", "1 && ".repeat((MAX_EXPRESSION_CHARS - 4) / 5));
        assert!(chain.len() <= MAX_EXPRESSION_CHARS);
        assert_eq!(eval_str(&chain, &c), Ok(Evaluation::Boolean(true)));
        let named = format!("{}secrets.X", "1 && ".repeat(4_000));
        assert!(names_context(&named, "secrets"));
        assert!(!names_context(&named, "matrix"));
        // One character more than GitHub allows, with the runner's message.
        let over = format!("{} {chain}", " ".repeat(MAX_EXPRESSION_CHARS - chain.len()));
        assert_eq!(eval_str(&over, &c), Err(EvalError::Invalid("Exceeded max expression length 21000".into())));
        assert!(rejects_workflow("Exceeded max expression length 21000"));
        assert!(eval_template(&format!("${{{{ {chain} }}}}{}", "x".repeat(30)), &c).is_err());
    }

    #[test]
    fn built_strings_have_a_budget() {
        let c = ctx();
        let mut e = "'0123456789abcdef'".to_string();
        for _ in 0..8 {
            e = format!("format('{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}', {e})");
        }
        // 16 × 8^8 bytes: far over 1 MiB.
        match eval_str(&e, &c) {
            Err(EvalError::Invalid(why)) => assert!(why.contains("maximum allowed memory"), "{why}"),
            other => panic!("{other:?}"),
        }
        // 16 × 8^5 = 512 KiB: within it.
        let mut ok = "'0123456789abcdef'".to_string();
        for _ in 0..5 {
            ok = format!("format('{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}', {ok})");
        }
        assert!(matches!(eval_str(&ok, &c), Ok(Evaluation::String(s)) if s.len() == 16 << 15));
        let join = format!("join(fromJSON(format('[{{0}}]', join(fromJSON('[{}1]'), ','))), {ok})", "1,".repeat(8));
        assert!(eval_str(&join, &c).is_err());
    }

    #[test]
    fn templates() {
        let c = ctx();
        assert_eq!(eval_template("${{ inputs.env }}", &c), Ok(s("prod")));
        assert_eq!(eval_template(" ${{ fromJSON('[1]') }} ", &c), Ok(Evaluation::Array(vec![Evaluation::Number(1.0)])));
        assert_eq!(eval_template("deploy-${{ inputs.env }}-${{ matrix.os }}", &c), Ok(s("deploy-prod-linux")));
        assert_eq!(eval_template("x ${{ '}}' }}", &c), Ok(s("x }}")));
        assert!(eval_template("${{ inputs.env", &c).is_err());
        assert_eq!(eval_condition("github.event_name == 'push'", &c), Ok(true));
        assert_eq!(eval_condition("${{ github.event_name == 'pull_request' }}", &c), Ok(false));
        // A template mixed with text is a non-empty string: true.
        assert_eq!(eval_condition("${{ false }} && true", &c), Ok(true));
        assert!(!is_single_expression("${{ false }} && true"));
        assert!(is_single_expression(" ${{ false }} "));
    }

    /// Constant expressions from a small grammar.
    fn const_expr() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = prop::sample::select(vec![
            "'abc'", "'ABC'", "''", "'1'", "' 2 '", "0", "1", "2.5", "-1", "true", "false", "null", "'a:b'",
        ])
        .prop_map(str::to_string);
        leaf.prop_recursive(4, 32, 3, |inner| {
            prop_oneof![
                (
                    inner.clone(),
                    prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">=", "&&", "||"]),
                    inner.clone()
                )
                    .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
                inner.clone().prop_map(|a| format!("!{a}")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("contains({a}, {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("startsWith({a}, {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("endsWith({a}, {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("format('{{0}}-{{1}}', {a}, {b})")),
                inner.clone().prop_map(|a| format!("join({a}, ',')")),
            ]
        })
    }

    proptest::proptest! {
        /// Differential check against the parser crate's own constant
        /// folding (which encodes GitHub's semantics): on constant
        /// expressions both must agree.
        #[test]
        fn agrees_with_consteval(src in const_expr()) {
            let parsed = Expr::parse(&src).unwrap();
            if let Some(want) = parsed.consteval() {
                let got = eval_str(&src, &Contexts::new()).unwrap();
                proptest::prop_assert_eq!(got.sema().to_string(), want.sema().to_string(), "{}", src);
                proptest::prop_assert_eq!(got.as_boolean(), want.as_boolean(), "{}", src);
            }
        }
    }
}
