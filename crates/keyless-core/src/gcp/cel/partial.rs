//! Partial evaluation: what a mapping or condition is worth for every token.
//!
//! The token's variables (`assertion`, `google`, `attribute`) are unknown;
//! every part that does not read them is evaluated by the real
//! [`Evaluator`], and `&&`, `||`, `!` and `?:` combine the results with
//! CEL's own rules (langdef "Logical operators": `false && x` is false and
//! `true || x` is true whatever `x` is, even an error). Two more facts hold
//! for every token: an expression equals itself (`x == x`, when `x` can be
//! read at all), and one value cannot equal two different literals
//! (`a == 'x' && a == 'y'`). An `attribute.NAME` the mapping never sets is an
//! error for every token (no such key), and so is a name CEL does not
//! declare (`assertion.repository_owner == my-org` reads `my` and `org`).

use super::eval::Evaluator;
use super::parser::{BinOp, Expr, ExprKind};
use super::value::Value;

/// What an expression is for every token.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The same value for every token.
    Constant(Value),
    /// An error for every token: `why`, and where in the expression.
    Error { why: String, start: usize, end: usize },
    /// It depends on the token.
    Depends,
}

/// The variables of a WIF expression, and which `attribute.*` are mapped.
pub struct Env<'a> {
    /// `attribute.NAME`s the mapping sets; `None` when reading a mapping
    /// (where `attribute` is not available) or when unknown.
    pub mapped_attributes: Option<&'a [String]>,
}

const TOKEN_VARIABLES: [&str; 3] = ["assertion", "google", "attribute"];

/// Partially evaluates `e` for every token.
pub fn outcome(e: &Expr, env: &Env) -> Outcome {
    Partial { env, bound: Vec::new() }.eval(e)
}

struct Partial<'a> {
    env: &'a Env<'a>,
    /// Comprehension variables in scope (their values depend on the range).
    bound: Vec<String>,
}

impl Partial<'_> {
    fn eval(&mut self, e: &Expr) -> Outcome {
        if let Some(error) = self.undeclared_or_unmapped(e) {
            return error;
        }
        if !self.reads_token(e) {
            return match Evaluator::new(Vec::new()).eval(e) {
                Ok(v) => Outcome::Constant(v),
                Err(err) => Outcome::Error { why: err.message, start: err.start, end: err.end },
            };
        }
        match &e.kind {
            ExprKind::And(l, r) => {
                if contradicts(e) {
                    return Outcome::Constant(Value::Bool(false));
                }
                self.logical(l, r, false)
            }
            ExprKind::Or(l, r) => self.logical(l, r, true),
            ExprKind::Not(inner) => match self.eval(inner) {
                Outcome::Constant(Value::Bool(b)) => Outcome::Constant(Value::Bool(!b)),
                other @ Outcome::Error { .. } => other,
                _ => Outcome::Depends,
            },
            ExprKind::Cond(c, a, b) => match self.eval(c) {
                Outcome::Constant(Value::Bool(true)) => self.eval(a),
                Outcome::Constant(Value::Bool(false)) => self.eval(b),
                other @ Outcome::Error { .. } => other,
                _ => {
                    let (a, b) = (self.eval(a), self.eval(b));
                    if a == b && matches!(a, Outcome::Constant(_)) { a } else { Outcome::Depends }
                }
            },
            ExprKind::Binary(op @ (BinOp::Eq | BinOp::Ne), l, r) if same(l, r) => {
                Outcome::Constant(Value::Bool(*op == BinOp::Eq))
            }
            _ => Outcome::Depends,
        }
    }

    /// `l && r` (`absorbing` false) or `l || r` (`absorbing` true): an
    /// absorbing operand decides, whatever the other is.
    fn logical(&mut self, l: &Expr, r: &Expr, absorbing: bool) -> Outcome {
        let (a, b) = (self.eval(l), self.eval(r));
        let decides = |o: &Outcome| *o == Outcome::Constant(Value::Bool(absorbing));
        if decides(&a) || decides(&b) {
            return Outcome::Constant(Value::Bool(absorbing));
        }
        match (a, b) {
            (Outcome::Constant(Value::Bool(_)), other) | (other, Outcome::Constant(Value::Bool(_))) => other,
            (err @ Outcome::Error { .. }, Outcome::Error { .. }) => err,
            _ => Outcome::Depends,
        }
    }

    /// Whether `e` reads a token variable (not shadowed by a comprehension).
    fn reads_token(&mut self, e: &Expr) -> bool {
        let mut found = false;
        self.walk(e, &mut |kind, bound| {
            if let ExprKind::Ident(name) = kind
                && TOKEN_VARIABLES.contains(&name.as_str())
                && !bound.contains(name)
            {
                found = true;
            }
        });
        found
    }

    /// The first name CEL does not declare, or `attribute.NAME` the mapping
    /// does not set: an error for every token.
    fn undeclared_or_unmapped(&mut self, e: &Expr) -> Option<Outcome> {
        let mapped = self.env.mapped_attributes;
        let mut error = None;
        let mut visit = |x: &Expr, bound: &[String]| {
            if error.is_some() {
                return;
            }
            match &x.kind {
                ExprKind::Ident(name) if !bound.contains(name) && !TOKEN_VARIABLES.contains(&name.as_str()) => {
                    error = Some(Outcome::Error {
                        why: format!("undeclared reference to '{name}'"),
                        start: x.start,
                        end: x.end,
                    });
                }
                ExprKind::Select { operand, field, test: false }
                    if matches!(&operand.kind, ExprKind::Ident(v) if v == "attribute" && !bound.contains(v))
                        && mapped.is_some_and(|m| !m.iter().any(|a| a == field)) =>
                {
                    error = Some(Outcome::Error {
                        why: format!("the mapping sets no `attribute.{field}` (no such key)"),
                        start: x.start,
                        end: x.end,
                    });
                }
                _ => {}
            }
        };
        // Only the part outside `||`/`&&`/`?:` is an error for sure; inside
        // them the logical rules decide, so look at leaves only.
        match &e.kind {
            ExprKind::And(..) | ExprKind::Or(..) | ExprKind::Cond(..) | ExprKind::Not(_) => None,
            _ => {
                self.walk_nodes(e, &mut visit);
                error
            }
        }
    }

    fn walk(&mut self, e: &Expr, f: &mut dyn FnMut(&ExprKind, &[String])) {
        self.walk_nodes(e, &mut |x, bound| f(&x.kind, bound));
    }

    /// Visits every node with the comprehension variables bound there.
    fn walk_nodes(&mut self, e: &Expr, f: &mut dyn FnMut(&Expr, &[String])) {
        f(e, &self.bound);
        match &e.kind {
            ExprKind::Lit(_) | ExprKind::Ident(_) => {}
            ExprKind::Select { operand, .. } => self.walk_nodes(operand, f),
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) | ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                self.walk_nodes(a, f);
                self.walk_nodes(b, f);
            }
            ExprKind::Call { target, args, .. } => {
                if let Some(t) = target {
                    self.walk_nodes(t, f);
                }
                args.iter().for_each(|a| self.walk_nodes(a, f));
            }
            ExprKind::Not(a) | ExprKind::Neg(a) => self.walk_nodes(a, f),
            ExprKind::Cond(a, b, c) => {
                self.walk_nodes(a, f);
                self.walk_nodes(b, f);
                self.walk_nodes(c, f);
            }
            ExprKind::List(items) => items.iter().for_each(|i| self.walk_nodes(i, f)),
            ExprKind::Map(entries) => entries.iter().for_each(|(k, v)| {
                self.walk_nodes(k, f);
                self.walk_nodes(v, f);
            }),
            ExprKind::Macro { range, var, body, transform, .. } => {
                self.walk_nodes(range, f);
                self.bound.push(var.clone());
                self.walk_nodes(body, f);
                if let Some(t) = transform {
                    self.walk_nodes(t, f);
                }
                self.bound.pop();
            }
        }
    }
}

/// `a == 'x' && … && a == 'y'`: one path compared for equality with two
/// different literals in one conjunction.
fn contradicts(e: &Expr) -> bool {
    let mut conjuncts = Vec::new();
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        match &x.kind {
            ExprKind::And(l, r) => stack.extend([l.as_ref(), r.as_ref()]),
            _ => conjuncts.push(x),
        }
    }
    let pinned: Vec<(&Expr, &Value)> = conjuncts
        .iter()
        .filter_map(|c| match &c.kind {
            ExprKind::Binary(BinOp::Eq, l, r) => match (&l.kind, &r.kind) {
                (_, ExprKind::Lit(v)) if !matches!(l.kind, ExprKind::Lit(_)) => Some((l.as_ref(), v)),
                (ExprKind::Lit(v), _) if !matches!(r.kind, ExprKind::Lit(_)) => Some((r.as_ref(), v)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    pinned.iter().enumerate().any(|(i, (path, value))| {
        pinned.iter().skip(i + 1).any(|(other, v)| same(path, other) && literal_differs(value, v))
    })
}

/// Two literals of one type that differ (across types CEL may still compare
/// numbers equal, so only like with like counts).
fn literal_differs(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b) && a != b
}

/// The same expression, whatever its position in the text.
fn same(a: &Expr, b: &Expr) -> bool {
    let pair = |x: &Expr, y: &Expr| same(x, y);
    match (&a.kind, &b.kind) {
        (ExprKind::Lit(x), ExprKind::Lit(y)) => x == y,
        (ExprKind::Ident(x), ExprKind::Ident(y)) => x == y,
        (
            ExprKind::Select { operand: o1, field: f1, test: t1 },
            ExprKind::Select { operand: o2, field: f2, test: t2 },
        ) => f1 == f2 && t1 == t2 && pair(o1, o2),
        (ExprKind::Index(a1, b1), ExprKind::Index(a2, b2))
        | (ExprKind::And(a1, b1), ExprKind::And(a2, b2))
        | (ExprKind::Or(a1, b1), ExprKind::Or(a2, b2)) => pair(a1, a2) && pair(b1, b2),
        (ExprKind::Binary(o1, a1, b1), ExprKind::Binary(o2, a2, b2)) => o1 == o2 && pair(a1, a2) && pair(b1, b2),
        (ExprKind::Not(x), ExprKind::Not(y)) | (ExprKind::Neg(x), ExprKind::Neg(y)) => pair(x, y),
        (ExprKind::Call { target: t1, name: n1, args: a1 }, ExprKind::Call { target: t2, name: n2, args: a2 }) => {
            n1 == n2
                && a1.len() == a2.len()
                && a1.iter().zip(a2).all(|(x, y)| same(x, y))
                && match (t1, t2) {
                    (Some(x), Some(y)) => same(x, y),
                    (None, None) => true,
                    _ => false,
                }
        }
        (ExprKind::List(x), ExprKind::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        // Maps, macros and `?:` are never compared (false is the safe side:
        // no finding).
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gcp::cel::parse;

    fn of(src: &str, mapped: Option<&[String]>) -> Outcome {
        outcome(&parse(src).unwrap(), &Env { mapped_attributes: mapped })
    }

    #[test]
    fn constant_conditions() {
        let t = Outcome::Constant(Value::Bool(true));
        let f = Outcome::Constant(Value::Bool(false));
        assert_eq!(of("assertion.repository_owner == 'my-org' || true", None), t);
        assert_eq!(of("true || assertion.missing.field", None), t);
        assert_eq!(of("assertion.sub == assertion.sub", None), t);
        assert_eq!(of("assertion.sub != assertion.sub", None), f);
        assert_eq!(of("assertion.repository == 'a/b' && assertion.repository == 'a/c'", None), f);
        assert_eq!(
            of("'a/b' == assertion.repository && assertion.ref == 'x' && assertion.repository == 'a/c'", None),
            f
        );
        assert_eq!(of("assertion.ref == 'x' && false", None), f);
        assert_eq!(of("!(1 == 1) || assertion.a == 'b' && 2 > 3", None), f);
        assert_eq!(of("'x'", None), Outcome::Constant(Value::String("x".into())));
        // Depends on the token: no finding.
        for depends in [
            "assertion.repository_owner == 'my-org'",
            "assertion.repository == 'a/b' || assertion.repository == 'a/c'",
            "assertion.repository == 'a/b' && assertion.repository == 'a/b'",
            "assertion.ref.startsWith('refs/heads/') && true",
            "assertion.sub == assertion.repository",
            "[1, 2].exists(x, x == assertion.run_number)",
        ] {
            assert_eq!(of(depends, None), Outcome::Depends, "{depends}");
        }
    }

    #[test]
    fn undeclared_names_and_unmapped_attributes_fail_for_every_token() {
        let Outcome::Error { why, start, end } = of("assertion.repository_owner==my-org", None) else {
            panic!("an unquoted owner reads undeclared names")
        };
        assert_eq!(
            (why.as_str(), &"assertion.repository_owner==my-org"[start..end]),
            ("undeclared reference to 'my'", "my")
        );
        let mapped = ["repository".to_string()];
        assert!(matches!(of("attribute.owner == 'o'", Some(&mapped)), Outcome::Error { .. }));
        assert_eq!(of("attribute.repository == 'o/r'", Some(&mapped)), Outcome::Depends);
        // `||` with an alternative that can hold: not an error for every token.
        assert_eq!(of("attribute.owner == 'o' || assertion.sub == 's'", Some(&mapped)), Outcome::Depends);
        // A comprehension variable is declared.
        assert_eq!(of("['a'].exists(r, r == assertion.repository)", None), Outcome::Depends);
    }
}
