//! CEL runtime values and the spec's equality and ordering
//! (https://github.com/google/cel-spec/blob/master/doc/langdef.md#equality):
//! numbers compare across int/uint/double by value, other mixed types are
//! simply unequal (no error), lists and maps compare element-wise.

use std::cmp::Ordering;
use std::fmt;

/// A CEL value. Maps keep insertion order (for display); lookups are by
/// CEL equality.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Double(f64),
    String(String),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    Map(Vec<(Value, Value)>),
}

impl Value {
    /// The CEL type name, as error messages print it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null_type",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Uint(_) => "uint",
            Value::Double(_) => "double",
            Value::String(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Map(_) => "map",
        }
    }

    /// Looks a key up in a map value by CEL equality.
    pub fn map_get<'a>(entries: &'a [(Value, Value)], key: &Value) -> Option<&'a Value> {
        entries.iter().find(|(k, _)| cel_eq(k, key)).map(|(_, v)| v)
    }
}

/// CEL `==`: heterogeneous equality, numeric cross-type comparison.
pub fn cel_eq(a: &Value, b: &Value) -> bool {
    use Value as V;
    match (a, b) {
        (V::Null, V::Null) => true,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::String(x), V::String(y)) => x == y,
        (V::Bytes(x), V::Bytes(y)) => x == y,
        (V::List(x), V::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| cel_eq(p, q)),
        (V::Map(x), V::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| Value::map_get(y, k).is_some_and(|w| cel_eq(v, w)))
        }
        _ => num_cmp(a, b) == Some(Ordering::Equal),
    }
}

/// Orders two numbers of any numeric types (integers exactly against each
/// other). `None` for NaN or non-numbers.
pub fn num_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    use Value as V;
    match (a, b) {
        (V::Int(x), V::Int(y)) => Some(x.cmp(y)),
        (V::Uint(x), V::Uint(y)) => Some(x.cmp(y)),
        (V::Int(x), V::Uint(y)) => Some(if *x < 0 { Ordering::Less } else { (*x as u64).cmp(y) }),
        (V::Uint(_), V::Int(_)) => num_cmp(b, a).map(Ordering::reverse),
        (V::Double(x), V::Double(y)) => x.partial_cmp(y),
        // cel-go converts the integer to double (lossy above 2^53); the
        // conformance data pins that (`dyn(9223372036854775807) >= 9223372036854775808.0`).
        (V::Int(x), V::Double(y)) => (*x as f64).partial_cmp(y),
        (V::Uint(x), V::Double(y)) => (*x as f64).partial_cmp(y),
        (V::Double(_), V::Int(_) | V::Uint(_)) => num_cmp(b, a).map(Ordering::reverse),
        _ => None,
    }
}

/// CEL `<` and friends: same-kind values or numbers of any kind.
pub fn cel_cmp(a: &Value, b: &Value) -> Result<Option<Ordering>, ()> {
    use Value as V;
    match (a, b) {
        (V::Bool(x), V::Bool(y)) => Ok(Some(x.cmp(y))),
        (V::String(x), V::String(y)) => Ok(Some(x.cmp(y))),
        (V::Bytes(x), V::Bytes(y)) => Ok(Some(x.cmp(y))),
        (V::Int(_) | V::Uint(_) | V::Double(_), V::Int(_) | V::Uint(_) | V::Double(_)) => Ok(num_cmp(a, b)),
        _ => Err(()),
    }
}

/// Go's `strconv.FormatFloat(d, 'g', -1, 64)`, which cel-go's `string(double)`
/// uses: shortest digits, exponent form when the exponent is < -4 or >= 21.
pub fn format_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let sci = format!("{:e}", d.abs());
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let sign = if d < 0.0 { "-" } else { "" };
    if !(-4..21).contains(&exp) {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let frac = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.abs());
    }
    let n = digits.len() as i32;
    let body = if exp < 0 {
        format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
    } else if exp + 1 >= n {
        format!("{digits}{}", "0".repeat((exp + 1 - n) as usize))
    } else {
        let (a, b) = digits.split_at((exp + 1) as usize);
        format!("{a}.{b}")
    };
    format!("{sign}{body}")
}

impl fmt::Display for Value {
    /// CEL literal syntax, for traces (`'my-org'`, `[1, 2]`, `{'a': true}`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Uint(u) => write!(f, "{u}u"),
            Value::Double(d) => {
                let s = format_double(*d);
                if s.contains(['.', 'e', 'N', 'I']) { f.write_str(&s) } else { write!(f, "{s}.0") }
            }
            Value::String(s) => write!(f, "'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            Value::Bytes(b) => write!(f, "b'{}'", b.escape_ascii()),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}
