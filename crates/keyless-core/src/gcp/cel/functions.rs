//! The CEL functions Keyless evaluates: the standard definitions
//! (https://github.com/google/cel-spec/blob/master/doc/langdef.md#list-of-standard-definitions),
//! the strings extension's `lowerAscii`, `upperAscii`, `split`, `join`,
//! `replace`, `trim` (cel-go `ext.Strings`), and Google Cloud's
//! `extract('{template}')` (https://cloud.google.com/iam/docs/conditions-attribute-reference#extract).
//! Anything else is an evaluation error naming the function.

use super::eval::MAX_VALUE_SIZE;
use super::value::{Value, format_double};

/// Calls `name`; with `receiver`, `args[0]` is the value before the dot.
pub fn call(name: &str, receiver: bool, args: Vec<Value>) -> Result<Value, String> {
    use Value as V;
    let sig = || {
        let types: Vec<&str> = args.iter().map(Value::type_name).collect();
        if receiver {
            let (t, rest) = types.split_first().map_or(("?", &[][..]), |(t, r)| (*t, r));
            format!("no matching overload for '{t}.{name}({})'", rest.join(", "))
        } else {
            format!("no matching overload for '{name}({})'", types.join(", "))
        }
    };
    match (name, args.as_slice()) {
        ("size", [V::String(s)]) => Ok(V::Int(count(s.chars().count()))),
        ("size", [V::Bytes(b)]) => Ok(V::Int(count(b.len()))),
        ("size", [V::List(l)]) => Ok(V::Int(count(l.len()))),
        ("size", [V::Map(m)]) => Ok(V::Int(count(m.len()))),
        ("startsWith", [V::String(s), V::String(p)]) if receiver => Ok(V::Bool(s.starts_with(p.as_str()))),
        ("endsWith", [V::String(s), V::String(p)]) if receiver => Ok(V::Bool(s.ends_with(p.as_str()))),
        ("contains", [V::String(s), V::String(p)]) if receiver => Ok(V::Bool(s.contains(p.as_str()))),
        ("matches", [V::String(s), V::String(re)]) => matches(s, re).map(V::Bool),
        ("int", [v]) if !receiver => to_int(v),
        ("uint", [v]) if !receiver => to_uint(v),
        ("double", [v]) if !receiver => to_double(v),
        ("string", [v]) if !receiver => to_string(v),
        ("bool", [v]) if !receiver => to_bool(v),
        ("bytes", [V::Bytes(b)]) if !receiver => Ok(V::Bytes(b.clone())),
        ("bytes", [V::String(s)]) if !receiver => Ok(V::Bytes(s.as_bytes().to_vec())),
        ("dyn", [v]) if !receiver => Ok(v.clone()),
        ("lowerAscii", [V::String(s)]) if receiver => Ok(V::String(s.to_ascii_lowercase())),
        ("upperAscii", [V::String(s)]) if receiver => Ok(V::String(s.to_ascii_uppercase())),
        ("trim", [V::String(s)]) if receiver => Ok(V::String(s.trim().to_string())),
        ("split", [V::String(s), V::String(sep)]) if receiver => Ok(split(s, sep, -1)),
        ("split", [V::String(s), V::String(sep), V::Int(n)]) if receiver => Ok(split(s, sep, *n)),
        ("join", [V::List(l)]) if receiver => join(l, ""),
        ("join", [V::List(l), V::String(sep)]) if receiver => join(l, sep),
        ("replace", [V::String(s), V::String(a), V::String(b)]) if receiver => replace(s, a, b, -1),
        ("replace", [V::String(s), V::String(a), V::String(b), V::Int(n)]) if receiver => replace(s, a, b, *n),
        ("extract", [V::String(s), V::String(t)]) if receiver => extract(s, t).map(V::String),
        _ => Err(if KNOWN.contains(&name) { sig() } else { format!("unsupported function '{name}'") }),
    }
}

/// Functions this evaluator implements (for "no overload" vs "unsupported").
pub const KNOWN: &[&str] = &[
    "size",
    "startsWith",
    "endsWith",
    "contains",
    "matches",
    "int",
    "uint",
    "double",
    "string",
    "bool",
    "bytes",
    "dyn",
    "lowerAscii",
    "upperAscii",
    "trim",
    "split",
    "join",
    "replace",
    "extract",
];

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Keyless's budgets for `matches()`. regex-lite is an RE2-style engine
/// (a Pike VM: no backtracking), so a search costs at most program size ×
/// text length; counted repetitions (`a{1000}`) are what make a short
/// pattern a large program. Google documents no figure for Workload Identity
/// conditions (RE2's own default program budget is larger); these keep one
/// call within a few million steps and are far above any identity pattern.
/// The compiled program's size, in bytes as regex-lite counts it.
pub const MAX_REGEX_PROGRAM_BYTES: usize = 16 * 1024;
/// The text a pattern may be run on, in bytes.
pub const MAX_REGEX_TEXT_BYTES: usize = 16 * 1024;

/// RE2 search (not anchored), via `regex-lite`. Constructs regex-lite lacks
/// (Unicode classes such as `\pL`) are reported, not guessed.
fn matches(s: &str, re: &str) -> Result<bool, String> {
    if s.len() > MAX_REGEX_TEXT_BYTES {
        return Err(format!(
            "matches(): the text is {} bytes; Keyless runs patterns on at most {MAX_REGEX_TEXT_BYTES} bytes",
            s.len()
        ));
    }
    let compiled = regex_lite::RegexBuilder::new(re)
        .size_limit(MAX_REGEX_PROGRAM_BYTES)
        .nest_limit(64)
        .build()
        .map_err(|e| match e.to_string() {
            m if m.contains("size limit") => format!(
                "matches(): the pattern compiles to more than {MAX_REGEX_PROGRAM_BYTES} bytes (Keyless's budget; counted repetitions such as `{{1000}}` multiply its size)"
            ),
            m => format!("invalid or unsupported RE2 pattern in matches(): {m}"),
        })?;
    Ok(compiled.is_match(s))
}

fn to_int(v: &Value) -> Result<Value, String> {
    match v {
        Value::Int(i) => Ok(Value::Int(*i)),
        Value::Uint(u) => i64::try_from(*u).map(Value::Int).map_err(|_| "range error".into()),
        Value::Double(d) => {
            if d.is_finite() && *d > -9.223_372_036_854_776e18 && *d < 9.223_372_036_854_776e18 {
                Ok(Value::Int(d.trunc() as i64))
            } else {
                Err("range error".into())
            }
        }
        Value::String(s) => s.parse::<i64>().map(Value::Int).map_err(|_| format!("cannot convert '{s}' to int")),
        v => Err(format!("no matching overload for 'int({})'", v.type_name())),
    }
}

fn to_uint(v: &Value) -> Result<Value, String> {
    match v {
        Value::Uint(u) => Ok(Value::Uint(*u)),
        Value::Int(i) => u64::try_from(*i).map(Value::Uint).map_err(|_| "range error".into()),
        Value::Double(d) => {
            if d.is_finite() && *d > -1.0 && *d < 1.844_674_407_370_955_2e19 {
                Ok(Value::Uint(d.trunc() as u64))
            } else {
                Err("range error".into())
            }
        }
        Value::String(s) => s.parse::<u64>().map(Value::Uint).map_err(|_| format!("cannot convert '{s}' to uint")),
        v => Err(format!("no matching overload for 'uint({})'", v.type_name())),
    }
}

fn to_double(v: &Value) -> Result<Value, String> {
    match v {
        Value::Double(d) => Ok(Value::Double(*d)),
        Value::Int(i) => Ok(Value::Double(*i as f64)),
        Value::Uint(u) => Ok(Value::Double(*u as f64)),
        Value::String(s) => parse_double(s).map(Value::Double).ok_or_else(|| format!("cannot convert '{s}' to double")),
        v => Err(format!("no matching overload for 'double({})'", v.type_name())),
    }
}

/// Go's `strconv.ParseFloat` spellings, which cel-go accepts.
fn parse_double(s: &str) -> Option<f64> {
    match s {
        "NaN" | "nan" => Some(f64::NAN),
        "Inf" | "+Inf" | "inf" | "+inf" | "Infinity" | "infinity" => Some(f64::INFINITY),
        "-Inf" | "-inf" | "-Infinity" | "-infinity" => Some(f64::NEG_INFINITY),
        _ if s.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')) => s.parse().ok(),
        _ => None,
    }
}

fn to_string(v: &Value) -> Result<Value, String> {
    Ok(Value::String(match v {
        Value::String(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Double(d) => format_double(*d),
        Value::Bool(b) => b.to_string(),
        Value::Bytes(b) => String::from_utf8(b.clone()).map_err(|_| "invalid UTF-8 in bytes".to_string())?,
        v => {
            return Err(format!("no matching overload for 'string({})'", v.type_name()));
        }
    }))
}

fn to_bool(v: &Value) -> Result<Value, String> {
    match v {
        Value::Bool(b) => Ok(Value::Bool(*b)),
        // cel-go accepts Go's strconv.ParseBool spellings.
        Value::String(s) => match s.as_str() {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(Value::Bool(true)),
            "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(Value::Bool(false)),
            _ => Err(format!("type conversion error from 'string' to 'bool': '{s}'")),
        },
        v => Err(format!("no matching overload for 'bool({})'", v.type_name())),
    }
}

/// strings extension `split`: `n < 0` all parts, `0` none, else at most `n`.
fn split(s: &str, sep: &str, n: i64) -> Value {
    let parts: Vec<Value> = match n {
        0 => Vec::new(),
        n if n < 0 => {
            if sep.is_empty() {
                s.chars().map(|c| Value::String(c.to_string())).collect()
            } else {
                s.split(sep).map(|p| Value::String(p.to_string())).collect()
            }
        }
        n => {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            if sep.is_empty() {
                let mut chars: Vec<Value> = Vec::new();
                let mut rest = s;
                while chars.len() + 1 < n {
                    let Some(c) = rest.chars().next() else { break };
                    chars.push(Value::String(c.to_string()));
                    rest = rest.get(c.len_utf8()..).unwrap_or("");
                }
                if !rest.is_empty() {
                    chars.push(Value::String(rest.to_string()));
                }
                chars
            } else {
                s.splitn(n, sep).map(|p| Value::String(p.to_string())).collect()
            }
        }
    };
    Value::List(parts)
}

fn join(items: &[Value], sep: &str) -> Result<Value, String> {
    let mut parts = Vec::with_capacity(items.len());
    for i in items {
        match i {
            Value::String(s) => parts.push(s.as_str()),
            v => {
                return Err(format!("join: list element is {}, not string", v.type_name()));
            }
        }
    }
    let out = parts.join(sep);
    if out.len() > MAX_VALUE_SIZE {
        return Err("result too large".into());
    }
    Ok(Value::String(out))
}

fn replace(s: &str, from: &str, to: &str, n: i64) -> Result<Value, String> {
    let out = if n < 0 { s.replace(from, to) } else { s.replacen(from, to, usize::try_from(n).unwrap_or(usize::MAX)) };
    if out.len() > MAX_VALUE_SIZE {
        return Err("result too large".into());
    }
    Ok(Value::String(out))
}

/// GCP `extract`: the template is `prefix{name}suffix`; the result is the
/// text after the first `prefix` up to the next `suffix` (or the end when
/// the suffix is empty), and the empty string when the prefix or suffix is
/// not found (https://cloud.google.com/iam/docs/conditions-attribute-reference#extract:
/// "If the template is not matched, the function returns an empty string").
fn extract(s: &str, template: &str) -> Result<String, String> {
    let open = template.find('{').ok_or("extract(): the template has no {placeholder}")?;
    let close_rel =
        template.get(open..).and_then(|t| t.find('}')).ok_or("extract(): the template has an unclosed '{'")?;
    let prefix = template.get(..open).unwrap_or("");
    let suffix = template.get(open + close_rel + 1..).unwrap_or("");
    if suffix.contains(['{', '}']) {
        return Err("extract(): the template must have exactly one {placeholder}".into());
    }
    let Some(p) = s.find(prefix) else {
        return Ok(String::new());
    };
    let after = s.get(p + prefix.len()..).unwrap_or("");
    if suffix.is_empty() {
        return Ok(after.to_string());
    }
    Ok(after.find(suffix).and_then(|q| after.get(..q)).unwrap_or("").to_string())
}
