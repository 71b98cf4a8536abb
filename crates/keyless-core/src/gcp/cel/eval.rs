//! The CEL evaluator. Errors are values: every failure is an [`EvalError`]
//! located in the expression, and `&&`, `||`, `?:` absorb errors the way the
//! spec requires (https://github.com/google/cel-spec/blob/master/doc/langdef.md#logical-operators):
//! `false && error` is `false`, `true || error` is `true`, whichever side
//! the error is on.

use super::EvalError;
use super::functions;
use super::parser::{BinOp, Expr, ExprKind, MacroKind};
use super::value::{Value, cel_cmp, cel_eq};
use std::cmp::Ordering;

/// Largest string, bytes or list a single operation may build: repeated
/// doubling inside `map()` could otherwise exhaust memory.
pub const MAX_VALUE_SIZE: usize = 1 << 20;

/// Variables in scope, innermost last.
pub struct Evaluator {
    scope: Vec<(String, Value)>,
    /// Cost units left; see [`EVAL_BUDGET`].
    budget: u64,
}

/// Work one evaluation may do, in cost units: one per node evaluated, plus
/// the size of every value copied or compared. Nested `map()` macros could
/// otherwise run for hours in the playground; a real WIF condition costs a
/// few hundred units.
pub const EVAL_BUDGET: u64 = 2_000_000;

/// Size of a value in cost units (one per scalar, plus one per 64 bytes of
/// text), counted without recursion and only up to `cap`.
fn weight(v: &Value, cap: u64) -> u64 {
    let mut total = 0u64;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        total += 1;
        match v {
            Value::String(s) => total += s.len() as u64 / 64,
            Value::Bytes(b) => total += b.len() as u64 / 64,
            Value::List(items) => stack.extend(items),
            Value::Map(entries) => entries.iter().for_each(|(k, x)| stack.extend([k, x])),
            _ => {}
        }
        if total > cap {
            break;
        }
    }
    total
}

fn fail(e: &Expr, message: impl Into<String>) -> EvalError {
    EvalError { message: message.into(), start: e.start, end: e.end }
}

impl Evaluator {
    /// An evaluator with these top-level variables (e.g. `assertion`).
    pub fn new(vars: Vec<(String, Value)>) -> Evaluator {
        Evaluator { scope: vars, budget: EVAL_BUDGET }
    }

    /// Evaluates one expression. Each kind is evaluated out of line so this
    /// recursive frame stays small (deep `a + b + …` chains, 1 MiB wasm stack).
    pub fn eval(&mut self, e: &Expr) -> Result<Value, EvalError> {
        self.charge(e, 1)?;
        match &e.kind {
            ExprKind::Lit(v) => Ok(v.clone()),
            ExprKind::Ident(name) => self.ident(e, name),
            ExprKind::Select { operand, field, test } => self.select(e, operand, field, *test),
            ExprKind::Index(target, index) => self.index(e, target, index),
            ExprKind::Call { target, name, args } => self.call(e, target.as_deref(), name, args),
            ExprKind::Not(inner) | ExprKind::Neg(inner) => self.unary(e, inner),
            ExprKind::And(l, r) => self.logic(l, r, false),
            ExprKind::Or(l, r) => self.logic(l, r, true),
            ExprKind::Cond(c, a, b) => self.cond(c, a, b),
            ExprKind::Binary(op, l, r) => self.binary(e, *op, l, r),
            ExprKind::List(items) => self.list(items),
            ExprKind::Map(entries) => self.map(entries),
            ExprKind::Macro { kind, range, var, body, transform } => {
                self.comprehension(e, *kind, range, var, body, transform.as_deref())
            }
        }
    }

    /// Spends `units` of the budget, or fails once it is exhausted.
    #[inline(never)]
    fn charge(&mut self, e: &Expr, units: u64) -> Result<(), EvalError> {
        match self.budget.checked_sub(units) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => {
                self.budget = 0;
                Err(fail(e, format!("evaluation exceeded its cost budget of {EVAL_BUDGET} (runaway expression)")))
            }
        }
    }

    /// Spends the size of `v` (a copy or a traversal of it).
    fn charge_value(&mut self, e: &Expr, v: &Value) -> Result<(), EvalError> {
        let w = weight(v, self.budget);
        self.charge(e, w)
    }

    #[inline(never)]
    fn ident(&mut self, e: &Expr, name: &str) -> Result<Value, EvalError> {
        let v = self
            .scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| fail(e, format!("undeclared reference to '{name}'")))?;
        self.charge_value(e, &v)?;
        Ok(v)
    }

    #[inline(never)]
    fn select(&mut self, e: &Expr, operand: &Expr, field: &str, test: bool) -> Result<Value, EvalError> {
        let v = self.eval(operand)?;
        let Value::Map(entries) = v else {
            return Err(fail(e, format!("no such field '{field}' on a {} value", v.type_name())));
        };
        let found = Value::map_get(&entries, &Value::String(field.to_string()));
        match (found, test) {
            (Some(_), true) => Ok(Value::Bool(true)),
            (None, true) => Ok(Value::Bool(false)),
            (Some(v), false) => Ok(v.clone()),
            (None, false) => Err(fail(e, format!("no such key: {field}"))),
        }
    }

    #[inline(never)]
    fn index(&mut self, e: &Expr, target: &Expr, index: &Expr) -> Result<Value, EvalError> {
        let t = self.eval(target)?;
        let i = self.eval(index)?;
        index_value(e, t, &i)
    }

    #[inline(never)]
    fn call(&mut self, e: &Expr, target: Option<&Expr>, name: &str, args: &[Expr]) -> Result<Value, EvalError> {
        let mut vals = Vec::with_capacity(args.len() + 1);
        if let Some(t) = target {
            vals.push(self.eval(t)?);
        }
        for a in args {
            vals.push(self.eval(a)?);
        }
        for v in &vals {
            self.charge_value(e, v)?;
        }
        functions::call(name, target.is_some(), vals).map_err(|m| fail(e, m))
    }

    #[inline(never)]
    fn unary(&mut self, e: &Expr, inner: &Expr) -> Result<Value, EvalError> {
        let v = self.eval(inner)?;
        match (&e.kind, v) {
            (ExprKind::Not(_), Value::Bool(b)) => Ok(Value::Bool(!b)),
            (ExprKind::Neg(_), Value::Int(i)) => {
                i.checked_neg().map(Value::Int).ok_or_else(|| fail(e, "return error for overflow"))
            }
            (ExprKind::Neg(_), Value::Double(d)) => Ok(Value::Double(-d)),
            (k, v) => {
                let op = if matches!(k, ExprKind::Not(_)) { "!" } else { "-" };
                Err(fail(e, format!("no such overload: {op}{}", v.type_name())))
            }
        }
    }

    #[inline(never)]
    fn cond(&mut self, c: &Expr, a: &Expr, b: &Expr) -> Result<Value, EvalError> {
        match self.eval(c)? {
            Value::Bool(true) => self.eval(a),
            Value::Bool(false) => self.eval(b),
            v => Err(fail(c, format!("no such overload: {} ? _ : _", v.type_name()))),
        }
    }

    #[inline(never)]
    fn binary(&mut self, e: &Expr, op: BinOp, l: &Expr, r: &Expr) -> Result<Value, EvalError> {
        let a = self.eval(l)?;
        let b = self.eval(r)?;
        self.charge_value(e, &a)?;
        self.charge_value(e, &b)?;
        binary(e, op, a, b)
    }

    #[inline(never)]
    fn list(&mut self, items: &[Expr]) -> Result<Value, EvalError> {
        let vals = items.iter().map(|i| self.eval(i)).collect::<Result<Vec<_>, _>>()?;
        Ok(Value::List(vals))
    }

    #[inline(never)]
    fn map(&mut self, entries: &[(Expr, Expr)]) -> Result<Value, EvalError> {
        let mut out: Vec<(Value, Value)> = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let key = self.eval(k)?;
            if !matches!(key, Value::Int(_) | Value::Uint(_) | Value::Bool(_) | Value::String(_)) {
                return Err(fail(k, format!("unsupported map key type: {}", key.type_name())));
            }
            if Value::map_get(&out, &key).is_some() {
                return Err(fail(k, format!("Failed with repeated key: {key}")));
            }
            let val = self.eval(v)?;
            out.push((key, val));
        }
        Ok(Value::Map(out))
    }

    /// `&&` (`short = false`) and `||` (`short = true`): a side equal to
    /// `short` decides regardless of the other side's error.
    #[inline(never)]
    fn logic(&mut self, l: &Expr, r: &Expr, short: bool) -> Result<Value, EvalError> {
        let left = self.eval(l).and_then(|v| as_bool(l, v));
        if left == Ok(short) {
            return Ok(Value::Bool(short));
        }
        let right = self.eval(r).and_then(|v| as_bool(r, v));
        match (left, right) {
            (_, Ok(b)) if b == short => Ok(Value::Bool(short)),
            (Ok(_), Ok(_)) => Ok(Value::Bool(!short)),
            (Err(x), _) | (Ok(_), Err(x)) => Err(x),
        }
    }

    #[inline(never)]
    fn comprehension(
        &mut self,
        e: &Expr,
        kind: MacroKind,
        range: &Expr,
        var: &str,
        body: &Expr,
        transform: Option<&Expr>,
    ) -> Result<Value, EvalError> {
        let items = match self.eval(range)? {
            Value::List(items) => items,
            Value::Map(entries) => entries.into_iter().map(|(k, _)| k).collect(),
            v => {
                return Err(fail(range, format!("cannot iterate over a {} value", v.type_name())));
            }
        };
        let mut results = Vec::new();
        let mut count = 0usize;
        let mut first_err: Option<EvalError> = None;
        for item in items {
            self.scope.push((var.to_string(), item));
            let r = self.step(kind, body, transform, &mut results, &mut count, &mut first_err);
            self.scope.pop();
            if let Some(done) = r? {
                return Ok(done);
            }
        }
        match kind {
            MacroKind::All => first_err.map_or(Ok(Value::Bool(true)), Err),
            MacroKind::Exists => first_err.map_or(Ok(Value::Bool(false)), Err),
            MacroKind::ExistsOne => Ok(Value::Bool(count == 1)),
            MacroKind::Map | MacroKind::Filter => {
                if results.len() > MAX_VALUE_SIZE {
                    return Err(fail(e, "result too large"));
                }
                Ok(Value::List(results))
            }
        }
    }

    /// One iteration; `Some` ends the loop early with that result.
    fn step(
        &mut self,
        kind: MacroKind,
        body: &Expr,
        transform: Option<&Expr>,
        results: &mut Vec<Value>,
        count: &mut usize,
        first_err: &mut Option<EvalError>,
    ) -> Result<Option<Value>, EvalError> {
        match kind {
            MacroKind::All | MacroKind::Exists => {
                let decisive = kind == MacroKind::Exists;
                match self.eval(body).and_then(|v| as_bool(body, v)) {
                    Ok(b) if b == decisive => return Ok(Some(Value::Bool(decisive))),
                    Ok(_) => {}
                    Err(x) => {
                        first_err.get_or_insert(x);
                    }
                }
            }
            MacroKind::ExistsOne => {
                if as_bool(body, self.eval(body)?)? {
                    *count += 1;
                }
            }
            MacroKind::Filter => {
                if as_bool(body, self.eval(body)?)? {
                    let v = self.scope.last().map(|(_, v)| v.clone()).unwrap_or(Value::Null);
                    results.push(v);
                }
            }
            MacroKind::Map => match transform {
                Some(t) => {
                    if as_bool(body, self.eval(body)?)? {
                        results.push(self.eval(t)?);
                    }
                }
                None => results.push(self.eval(body)?),
            },
        }
        Ok(None)
    }
}

fn as_bool(e: &Expr, v: Value) -> Result<bool, EvalError> {
    match v {
        Value::Bool(b) => Ok(b),
        v => Err(fail(e, format!("no matching overload: expected bool, got {}", v.type_name()))),
    }
}

fn index_value(e: &Expr, target: Value, index: &Value) -> Result<Value, EvalError> {
    match target {
        Value::List(items) => {
            let i = match index {
                Value::Int(i) => *i,
                Value::Uint(u) => i64::try_from(*u).unwrap_or(i64::MAX),
                Value::Double(d) if d.fract() == 0.0 && d.abs() < 9.0e18 => *d as i64,
                v => {
                    return Err(fail(e, format!("no such overload: list[{}]", v.type_name())));
                }
            };
            usize::try_from(i)
                .ok()
                .and_then(|i| items.get(i))
                .cloned()
                .ok_or_else(|| fail(e, format!("index out of bounds: {i}")))
        }
        Value::Map(entries) => {
            if !matches!(index, Value::Int(_) | Value::Uint(_) | Value::Bool(_) | Value::String(_) | Value::Double(_)) {
                return Err(fail(e, format!("unsupported map key type: {}", index.type_name())));
            }
            Value::map_get(&entries, index).cloned().ok_or_else(|| {
                let key = match index {
                    Value::String(s) => s.clone(),
                    v => v.to_string(),
                };
                fail(e, format!("no such key: {key}"))
            })
        }
        v => Err(fail(e, format!("no such overload: {}[{}]", v.type_name(), index.type_name()))),
    }
}

fn binary(e: &Expr, op: BinOp, a: Value, b: Value) -> Result<Value, EvalError> {
    use Value as V;
    let no_overload = |a: &Value, b: &Value| {
        fail(e, format!("no such overload: {} {} {}", a.type_name(), op.symbol(), b.type_name()))
    };
    let ord = |want: fn(Ordering) -> bool| match cel_cmp(&a, &b) {
        Ok(Some(o)) => Ok(V::Bool(want(o))),
        Ok(None) => Ok(V::Bool(false)),
        Err(()) => Err(no_overload(&a, &b)),
    };
    match op {
        BinOp::Eq => Ok(V::Bool(cel_eq(&a, &b))),
        BinOp::Ne => Ok(V::Bool(!cel_eq(&a, &b))),
        BinOp::Lt => ord(|o| o == Ordering::Less),
        BinOp::Le => ord(|o| o != Ordering::Greater),
        BinOp::Gt => ord(|o| o == Ordering::Greater),
        BinOp::Ge => ord(|o| o != Ordering::Less),
        BinOp::In => match &b {
            V::List(items) => Ok(V::Bool(items.iter().any(|i| cel_eq(i, &a)))),
            V::Map(entries) => Ok(V::Bool(V::map_get(entries, &a).is_some())),
            _ => Err(no_overload(&a, &b)),
        },
        BinOp::Add => match (a, b) {
            (V::String(x), V::String(y)) => sized(e, x.len() + y.len()).map(|()| V::String(x + &y)),
            (V::Bytes(mut x), V::Bytes(y)) => sized(e, x.len() + y.len()).map(|()| {
                x.extend(y);
                V::Bytes(x)
            }),
            (V::List(mut x), V::List(y)) => sized(e, x.len() + y.len()).map(|()| {
                x.extend(y);
                V::List(x)
            }),
            (a, b) => arith(e, op, &a, &b).unwrap_or_else(|| Err(no_overload(&a, &b))),
        },
        _ => arith(e, op, &a, &b).unwrap_or_else(|| Err(no_overload(&a, &b))),
    }
}

fn sized(e: &Expr, n: usize) -> Result<(), EvalError> {
    if n > MAX_VALUE_SIZE {
        return Err(fail(e, "result too large"));
    }
    Ok(())
}

/// Same-type arithmetic only: CEL has no implicit numeric conversion.
fn arith(e: &Expr, op: BinOp, a: &Value, b: &Value) -> Option<Result<Value, EvalError>> {
    use Value as V;
    let overflow = || fail(e, "return error for overflow");
    Some(match (a, b) {
        (V::Int(x), V::Int(y)) => match op {
            BinOp::Add => x.checked_add(*y).map(V::Int).ok_or_else(overflow),
            BinOp::Sub => x.checked_sub(*y).map(V::Int).ok_or_else(overflow),
            BinOp::Mul => x.checked_mul(*y).map(V::Int).ok_or_else(overflow),
            BinOp::Div if *y == 0 => Err(fail(e, "division by zero")),
            BinOp::Rem if *y == 0 => Err(fail(e, "modulus by zero")),
            BinOp::Div => x.checked_div(*y).map(V::Int).ok_or_else(overflow),
            BinOp::Rem => x.checked_rem(*y).map(V::Int).ok_or_else(overflow),
            _ => return None,
        },
        (V::Uint(x), V::Uint(y)) => match op {
            BinOp::Add => x.checked_add(*y).map(V::Uint).ok_or_else(overflow),
            BinOp::Sub => x.checked_sub(*y).map(V::Uint).ok_or_else(overflow),
            BinOp::Mul => x.checked_mul(*y).map(V::Uint).ok_or_else(overflow),
            BinOp::Div if *y == 0 => Err(fail(e, "division by zero")),
            BinOp::Rem if *y == 0 => Err(fail(e, "modulus by zero")),
            BinOp::Div => Ok(V::Uint(x / y)),
            BinOp::Rem => Ok(V::Uint(x % y)),
            _ => return None,
        },
        (V::Double(x), V::Double(y)) => match op {
            BinOp::Add => Ok(V::Double(x + y)),
            BinOp::Sub => Ok(V::Double(x - y)),
            BinOp::Mul => Ok(V::Double(x * y)),
            BinOp::Div => Ok(V::Double(x / y)),
            _ => return None,
        },
        _ => return None,
    })
}
