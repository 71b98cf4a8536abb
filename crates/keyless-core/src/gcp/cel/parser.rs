//! Recursive-descent CEL parser with byte spans on every node. Precedence
//! and associativity follow the CEL grammar
//! (https://github.com/google/cel-spec/blob/master/doc/langdef.md#syntax):
//! `?:` < `||` < `&&` < relations < `+ -` < `* / %` < unary < member.

use super::ParseError;
use super::lexer::{Tok, Token, tokenize};
use super::value::Value;

/// Deepest expression tree accepted: protects the evaluator's stack on
/// hostile input (the cel-spec `parse` conformance section nests at most 32 deep).
pub const MAX_DEPTH: usize = 64;

/// Deepest tree accepted, counting left-nested chains such as `a || b || c`
/// (the evaluator recurses once per level). A 4096-character GCP condition
/// of `||` alternatives stays well below this unless each is under 16 chars.
pub const MAX_TREE_DEPTH: usize = 256;

/// A parsed expression with its byte range in the expression text.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub start: usize,
    pub end: usize,
}

/// Binary operators other than `&&`, `||` (which have their own semantics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
        }
    }
}

/// The comprehension macros of the CEL spec ("Macros" in langdef).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MacroKind {
    All,
    Exists,
    ExistsOne,
    Map,
    Filter,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Lit(Value),
    Ident(String),
    /// `operand.field`; `test` is true inside `has(...)`.
    Select {
        operand: Box<Expr>,
        field: String,
        test: bool,
    },
    Index(Box<Expr>, Box<Expr>),
    Call {
        target: Option<Box<Expr>>,
        name: String,
        args: Vec<Expr>,
    },
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    /// `range.all(var, body)` and friends; `transform` is the third argument
    /// of the three-argument `map(x, filter, transform)`.
    Macro {
        kind: MacroKind,
        range: Box<Expr>,
        var: String,
        body: Box<Expr>,
        transform: Option<Box<Expr>>,
    },
}

/// langdef "Reserved words": refused as identifiers.
const RESERVED: &[&str] = &[
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

/// Parses a whole expression.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let tokens = tokenize(src)?;
    let mut p = Parser { tokens, pos: 0, depth: 0 };
    let e = p.expr()?;
    if tree_depth(&e) > MAX_TREE_DEPTH {
        return Err(ParseError {
            message: format!("expression is more than {MAX_TREE_DEPTH} operators deep"),
            start: e.start,
            end: e.end,
        });
    }
    let t = p.peek();
    if t.kind != Tok::Eof {
        return Err(ParseError { message: format!("unexpected {}", describe(&t.kind)), start: t.start, end: t.end });
    }
    Ok(e)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Eof => "end of expression".into(),
        Tok::Punct(p) => format!("'{p}'"),
        Tok::Ident(i) => format!("'{i}'"),
        _ => "literal".into(),
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

fn node(kind: ExprKind, start: usize, end: usize) -> Expr {
    Expr { kind, start, end }
}

impl Parser {
    fn peek(&self) -> Token {
        self.tokens.get(self.pos).or(self.tokens.last()).cloned().unwrap_or(Token { kind: Tok::Eof, start: 0, end: 0 })
    }

    fn is(&self, p: &str) -> bool {
        matches!(self.peek().kind, Tok::Punct(q) if q == p)
    }

    fn eat(&mut self, p: &str) -> Option<Token> {
        if self.is(p) {
            let t = self.peek();
            self.pos += 1;
            Some(t)
        } else {
            None
        }
    }

    fn expect(&mut self, p: &str) -> Result<Token, ParseError> {
        self.eat(p).ok_or_else(|| {
            let t = self.peek();
            ParseError { message: format!("expected '{p}', found {}", describe(&t.kind)), start: t.start, end: t.end }
        })
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let t = self.peek();
            return Err(ParseError {
                message: format!("expression nested more than {MAX_DEPTH} levels deep"),
                start: t.start,
                end: t.end,
            });
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.enter()?;
        let r = self.conditional();
        self.depth -= 1;
        r
    }

    fn conditional(&mut self) -> Result<Expr, ParseError> {
        let c = self.or()?;
        if self.eat("?").is_none() {
            return Ok(c);
        }
        let a = self.or()?;
        self.expect(":")?;
        let b = self.expr()?;
        let (s, e) = (c.start, b.end);
        Ok(node(ExprKind::Cond(Box::new(c), Box::new(a), Box::new(b)), s, e))
    }

    /// Left-nested chains (`a || b || c`) are built by loops, not recursion;
    /// [`tree_depth`] bounds them after parsing.
    fn chain(&mut self, lhs: Expr, _depth: &mut usize) -> Result<Expr, ParseError> {
        Ok(lhs)
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut l = self.and()?;
        let mut d = 0;
        while self.eat("||").is_some() {
            let r = self.and()?;
            let (s, e) = (l.start, r.end);
            l = self.chain(node(ExprKind::Or(Box::new(l), Box::new(r)), s, e), &mut d)?;
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut l = self.relation()?;
        let mut d = 0;
        while self.eat("&&").is_some() {
            let r = self.relation()?;
            let (s, e) = (l.start, r.end);
            l = self.chain(node(ExprKind::And(Box::new(l), Box::new(r)), s, e), &mut d)?;
        }
        Ok(l)
    }

    fn relation(&mut self) -> Result<Expr, ParseError> {
        let mut l = self.addition()?;
        let mut d = 0;
        loop {
            let op = match self.peek().kind {
                Tok::Punct("==") => BinOp::Eq,
                Tok::Punct("!=") => BinOp::Ne,
                Tok::Punct("<") => BinOp::Lt,
                Tok::Punct("<=") => BinOp::Le,
                Tok::Punct(">") => BinOp::Gt,
                Tok::Punct(">=") => BinOp::Ge,
                Tok::Ident(ref i) if i == "in" => BinOp::In,
                _ => return Ok(l),
            };
            self.pos += 1;
            let r = self.addition()?;
            let (s, e) = (l.start, r.end);
            l = self.chain(node(ExprKind::Binary(op, Box::new(l), Box::new(r)), s, e), &mut d)?;
        }
    }

    fn addition(&mut self) -> Result<Expr, ParseError> {
        let mut l = self.multiplication()?;
        let mut d = 0;
        loop {
            let op = match self.peek().kind {
                Tok::Punct("+") => BinOp::Add,
                Tok::Punct("-") => BinOp::Sub,
                _ => return Ok(l),
            };
            self.pos += 1;
            let r = self.multiplication()?;
            let (s, e) = (l.start, r.end);
            l = self.chain(node(ExprKind::Binary(op, Box::new(l), Box::new(r)), s, e), &mut d)?;
        }
    }

    fn multiplication(&mut self) -> Result<Expr, ParseError> {
        let mut l = self.unary()?;
        let mut d = 0;
        loop {
            let op = match self.peek().kind {
                Tok::Punct("*") => BinOp::Mul,
                Tok::Punct("/") => BinOp::Div,
                Tok::Punct("%") => BinOp::Rem,
                _ => return Ok(l),
            };
            self.pos += 1;
            let r = self.unary()?;
            let (s, e) = (l.start, r.end);
            l = self.chain(node(ExprKind::Binary(op, Box::new(l), Box::new(r)), s, e), &mut d)?;
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        let t = self.peek();
        if self.eat("!").is_some() {
            self.enter()?;
            let e = self.unary();
            self.depth -= 1;
            let e = e?;
            let end = e.end;
            return Ok(node(ExprKind::Not(Box::new(e)), t.start, end));
        }
        if self.eat("-").is_some() {
            // `-9223372036854775808` is one literal: fold the sign into an
            // int literal that directly follows (as cel-go's parser does).
            let n = self.peek();
            let next_is_member = self.tokens.get(self.pos + 1).is_some_and(|t| matches!(t.kind, Tok::Punct("." | "[")));
            if let (Tok::Int(m), false) = (&n.kind, next_is_member) {
                let v = if *m == 1u64 << 63 {
                    i64::MIN
                } else {
                    let i = i64::try_from(*m).map_err(|_| ParseError {
                        message: "integer literal out of range".into(),
                        start: t.start,
                        end: n.end,
                    })?;
                    -i
                };
                self.pos += 1;
                return self.member(node(ExprKind::Lit(Value::Int(v)), t.start, n.end));
            }
            self.enter()?;
            let e = self.unary();
            self.depth -= 1;
            let e = e?;
            let end = e.end;
            return Ok(node(ExprKind::Neg(Box::new(e)), t.start, end));
        }
        let p = self.primary()?;
        self.member(p)
    }

    fn member(&mut self, mut e: Expr) -> Result<Expr, ParseError> {
        let mut d = 0;
        loop {
            if self.eat(".").is_some() {
                let t = self.peek();
                let quoted = matches!(t.kind, Tok::Quoted(_));
                let (Tok::Ident(name) | Tok::Quoted(name)) = t.kind else {
                    return Err(ParseError {
                        message: format!("expected a field name after '.', found {}", describe(&t.kind)),
                        start: t.start,
                        end: t.end,
                    });
                };
                self.pos += 1;
                if self.is("(") && !quoted {
                    let (args, end) = self.args()?;
                    e = self.receiver_call(e, name, args, end)?;
                } else {
                    let s = e.start;
                    e = node(ExprKind::Select { operand: Box::new(e), field: name, test: false }, s, t.end);
                }
            } else if self.eat("[").is_some() {
                let i = self.expr()?;
                let close = self.expect("]")?;
                let s = e.start;
                e = node(ExprKind::Index(Box::new(e), Box::new(i)), s, close.end);
            } else {
                return Ok(e);
            }
            e = self.chain(e, &mut d)?;
        }
    }

    fn args(&mut self) -> Result<(Vec<Expr>, usize), ParseError> {
        self.expect("(")?;
        let mut args = Vec::new();
        if let Some(t) = self.eat(")") {
            return Ok((args, t.end));
        }
        loop {
            args.push(self.expr()?);
            if let Some(t) = self.eat(")") {
                return Ok((args, t.end));
            }
            self.expect(",")?;
        }
    }

    fn receiver_call(&mut self, target: Expr, name: String, args: Vec<Expr>, end: usize) -> Result<Expr, ParseError> {
        let start = target.start;
        let kind = match name.as_str() {
            "all" => Some(MacroKind::All),
            "exists" => Some(MacroKind::Exists),
            "exists_one" => Some(MacroKind::ExistsOne),
            "map" => Some(MacroKind::Map),
            "filter" => Some(MacroKind::Filter),
            _ => None,
        };
        let Some(kind) = kind else {
            return Ok(node(ExprKind::Call { target: Some(Box::new(target)), name, args }, start, end));
        };
        let arity_ok = args.len() == 2 || (kind == MacroKind::Map && args.len() == 3);
        if !arity_ok {
            return Ok(node(ExprKind::Call { target: Some(Box::new(target)), name, args }, start, end));
        }
        let mut it = args.into_iter();
        let (Some(v), Some(body)) = (it.next(), it.next()) else {
            return Err(ParseError { message: "macro needs arguments".into(), start, end });
        };
        let ExprKind::Ident(var) = v.kind else {
            return Err(ParseError {
                message: format!("argument 1 of {name}() must be a simple name"),
                start: v.start,
                end: v.end,
            });
        };
        let transform = it.next().map(Box::new);
        Ok(node(ExprKind::Macro { kind, range: Box::new(target), var, body: Box::new(body), transform }, start, end))
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let t = self.peek();
        let (s, e) = (t.start, t.end);
        let lit = |v| Ok(node(ExprKind::Lit(v), s, e));
        match t.kind {
            Tok::Int(m) => {
                self.pos += 1;
                let v = i64::try_from(m).map_err(|_| ParseError {
                    message: "integer literal out of range".into(),
                    start: s,
                    end: e,
                })?;
                lit(Value::Int(v))
            }
            Tok::Uint(m) => {
                self.pos += 1;
                lit(Value::Uint(m))
            }
            Tok::Double(d) => {
                self.pos += 1;
                lit(Value::Double(d))
            }
            Tok::Str(ref v) => {
                self.pos += 1;
                lit(Value::String(v.clone()))
            }
            Tok::Bytes(ref b) => {
                self.pos += 1;
                lit(Value::Bytes(b.clone()))
            }
            Tok::Ident(ref name) => {
                self.pos += 1;
                match name.as_str() {
                    "true" => return lit(Value::Bool(true)),
                    "false" => return lit(Value::Bool(false)),
                    "null" => return lit(Value::Null),
                    "in" => {
                        return Err(ParseError { message: "unexpected 'in'".into(), start: s, end: e });
                    }
                    n if RESERVED.contains(&n) => {
                        return Err(ParseError { message: format!("reserved identifier '{n}'"), start: s, end: e });
                    }
                    _ => {}
                }
                if self.is("(") {
                    let (args, end) = self.args()?;
                    if name == "has" {
                        return has_macro(args, s, end);
                    }
                    return Ok(node(ExprKind::Call { target: None, name: name.clone(), args }, s, end));
                }
                if self.is("{") {
                    return Err(ParseError {
                        message: "message construction (`Type{...}`) is not supported".into(),
                        start: s,
                        end: self.peek().end,
                    });
                }
                Ok(node(ExprKind::Ident(name.clone()), s, e))
            }
            Tok::Punct("(") => {
                self.pos += 1;
                let inner = self.expr()?;
                self.expect(")")?;
                Ok(inner)
            }
            Tok::Punct("[") => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    if let Some(c) = self.eat("]") {
                        return Ok(node(ExprKind::List(items), s, c.end));
                    }
                    items.push(self.expr()?);
                    if let Some(c) = self.eat("]") {
                        return Ok(node(ExprKind::List(items), s, c.end));
                    }
                    self.expect(",")?;
                }
            }
            Tok::Punct("{") => {
                self.pos += 1;
                let mut entries = Vec::new();
                loop {
                    if let Some(c) = self.eat("}") {
                        return Ok(node(ExprKind::Map(entries), s, c.end));
                    }
                    let k = self.expr()?;
                    self.expect(":")?;
                    let v = self.expr()?;
                    entries.push((k, v));
                    if let Some(c) = self.eat("}") {
                        return Ok(node(ExprKind::Map(entries), s, c.end));
                    }
                    self.expect(",")?;
                }
            }
            Tok::Punct(".") => Err(ParseError {
                message: "leading-dot (root-scoped) names are not supported".into(),
                start: s,
                end: e,
            }),
            ref k => Err(ParseError { message: format!("unexpected {}", describe(k)), start: s, end: e }),
        }
    }
}

/// `has(a.b)`: the only form the spec allows is a field selection.
fn has_macro(mut args: Vec<Expr>, start: usize, end: usize) -> Result<Expr, ParseError> {
    match args.pop() {
        Some(Expr { kind: ExprKind::Select { operand, field, .. }, .. }) if args.is_empty() => {
            Ok(node(ExprKind::Select { operand, field, test: true }, start, end))
        }
        _ => Err(ParseError { message: "invalid argument to has() macro".into(), start, end }),
    }
}

/// The direct subexpressions of `e`.
fn children(e: &Expr) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = Vec::new();
    match &e.kind {
        ExprKind::Lit(_) | ExprKind::Ident(_) => {}
        ExprKind::Select { operand, .. } => out.push(operand),
        ExprKind::Not(a) | ExprKind::Neg(a) => out.push(a),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) | ExprKind::And(a, b) | ExprKind::Or(a, b) => {
            out.push(a);
            out.push(b);
        }
        ExprKind::Cond(a, b, c) => out.extend([&**a, &**b, &**c]),
        ExprKind::Call { target, args, .. } => {
            out.extend(target.as_deref());
            out.extend(args);
        }
        ExprKind::List(items) => out.extend(items),
        ExprKind::Map(entries) => entries.iter().for_each(|(k, v)| out.extend([k, v])),
        ExprKind::Macro { range, body, transform, .. } => {
            out.extend([&**range, &**body]);
            out.extend(transform.as_deref());
        }
    }
    out
}

/// Depth of the tree, measured without recursion (the tree may be hostile).
fn tree_depth(root: &Expr) -> usize {
    let mut max = 0;
    let mut stack: Vec<(&Expr, usize)> = vec![(root, 1usize)];
    while let Some((e, d)) = stack.pop() {
        max = max.max(d);
        stack.extend(children(e).into_iter().map(|c| (c, d + 1)));
    }
    max
}

/// Names of the functions an expression calls, in first-use order.
pub fn called_functions(root: &Expr) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    let mut stack = vec![root];
    while let Some(e) = stack.pop() {
        if let ExprKind::Call { name, .. } = &e.kind
            && !names.contains(&name.as_str())
        {
            names.push(name);
        }
        stack.extend(children(e).into_iter().rev());
    }
    names
}
