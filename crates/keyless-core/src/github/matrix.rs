//! `strategy.matrix` expansion: axes, `exclude`, then `include`, with
//! `${{ }}` values resolved first. Source: docs "Running variations of jobs
//! in a workflow" (https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations).

use super::expr::{self, Contexts, EvalError};
use crate::doc::{Node, Value};
use serde_json::{Map, Value as J};

/// GitHub's limit: "A matrix can generate a maximum of 256 jobs per workflow run".
pub const MAX_COMBINATIONS: usize = 256;

/// One matrix combination.
pub type Combination = Map<String, J>;

/// Resolves expressions inside the matrix node (e.g. `${{ fromJSON(inputs.x) }}`).
pub fn resolve(node: &Node, ctx: &Contexts) -> Result<J, (EvalError, String, crate::span::Span)> {
    match &node.value {
        Value::String(s) if expr::has_expression(s) => match expr::eval_template(s, ctx) {
            Ok(v) => Ok(expr::to_json(&v)),
            Err(e) => Err((e, s.clone(), node.span)),
        },
        Value::Seq(items) => items.iter().map(|i| resolve(i, ctx)).collect::<Result<Vec<_>, _>>().map(J::Array),
        Value::Map(entries) => {
            let mut m = Map::new();
            for e in entries {
                m.insert(e.key.value.clone(), resolve(&e.value, ctx)?);
            }
            Ok(J::Object(m))
        }
        _ => Ok(node.to_json()),
    }
}

/// The axis names in the order written (JSON maps here are sorted, and the
/// product order follows the written order).
pub fn axis_order(node: &Node) -> Vec<String> {
    node.entries().unwrap_or_default().iter().map(|e| e.key.value.clone()).collect()
}

/// Expands a resolved matrix; `order` lists axes as written (others follow
/// sorted). Errors are GitHub's refusals.
pub fn expand(matrix: &J, order: &[String]) -> Result<Vec<Combination>, String> {
    let Some(obj) = matrix.as_object() else {
        return Err("`strategy.matrix` must be a mapping".into());
    };
    let mut keys: Vec<&String> = order.iter().filter(|k| obj.contains_key(*k)).collect();
    keys.extend(obj.keys().filter(|k| !order.contains(k)));
    let mut axes: Vec<(&String, Vec<J>)> = Vec::new();
    for k in keys {
        if k == "include" || k == "exclude" {
            continue;
        }
        let Some(v) = obj.get(k) else { continue };
        match v {
            J::Array(items) => axes.push((k, items.clone())),
            _ => return Err(format!("matrix axis `{k}` must be a list")),
        }
    }
    let list = |key: &str| -> Result<Vec<Combination>, String> {
        match obj.get(key) {
            None | Some(J::Null) => Ok(Vec::new()),
            Some(J::Array(items)) => items
                .iter()
                .map(|i| i.as_object().cloned().ok_or_else(|| format!("each `{key}` entry must be a mapping")))
                .collect(),
            Some(_) => Err(format!("`{key}` must be a list of mappings")),
        }
    };
    let include = list("include")?;
    let exclude = list("exclude")?;
    if include.len() > MAX_COMBINATIONS || exclude.len() > MAX_COMBINATIONS * 4 {
        return Err(format!("the matrix lists more entries than GitHub's {MAX_COMBINATIONS}-job limit allows"));
    }

    // Cartesian product, first axis outermost.
    let mut combos: Vec<Combination> = if axes.is_empty() { Vec::new() } else { vec![Map::new()] };
    for (name, values) in &axes {
        let mut next = Vec::new();
        for c in &combos {
            for v in values {
                let mut c = c.clone();
                c.insert((*name).clone(), v.clone());
                next.push(c);
                if next.len() > MAX_COMBINATIONS * 4 {
                    return Err(format!("the matrix has more than {MAX_COMBINATIONS} combinations (GitHub's limit)"));
                }
            }
        }
        combos = next;
    }
    // Exclude: an entry removes the combinations it fully matches (partial
    // entries match every combination with those values).
    combos.retain(|c| !exclude.iter().any(|x| x.iter().all(|(k, v)| c.get(k) == Some(v))));
    // Include: added to every original combination whose original values it
    // does not overwrite; else it becomes a new combination. Added values
    // can be overwritten by later includes.
    let original_keys: Vec<&String> = axes.iter().map(|(k, _)| *k).collect();
    let originals = combos.len();
    for inc in include {
        let mut matched = false;
        for c in combos.iter_mut().take(originals) {
            let compatible = inc.iter().all(|(k, v)| !original_keys.contains(&k) || c.get(k) == Some(v));
            if compatible {
                for (k, v) in &inc {
                    c.insert(k.clone(), v.clone());
                }
                matched = true;
            }
        }
        if !matched {
            combos.push(inc);
        }
    }
    if combos.is_empty() {
        return Err("the matrix produces no job (GitHub: \"Matrix vector does not contain any values\")".into());
    }
    if combos.len() > MAX_COMBINATIONS {
        return Err(format!("the matrix has {} combinations; GitHub's limit is {MAX_COMBINATIONS}", combos.len()));
    }
    Ok(combos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(c: &[Combination]) -> Vec<String> {
        c.iter().map(|c| serde_json::to_string(c).unwrap()).collect()
    }

    // Docs example "Expanding or adding matrix configurations".
    #[test]
    fn docs_include_example() {
        let m = json!({
            "fruit": ["apple", "pear"],
            "animal": ["cat", "dog"],
            "include": [
                {"color": "green"},
                {"color": "pink", "animal": "cat"},
                {"fruit": "apple", "shape": "circle"},
                {"fruit": "banana"},
                {"fruit": "banana", "animal": "cat"}
            ]
        });
        let got = names(&expand(&m, &["fruit".into(), "animal".into()]).unwrap());
        assert_eq!(
            got,
            vec![
                r#"{"animal":"cat","color":"pink","fruit":"apple","shape":"circle"}"#,
                r#"{"animal":"dog","color":"green","fruit":"apple","shape":"circle"}"#,
                r#"{"animal":"cat","color":"pink","fruit":"pear"}"#,
                r#"{"animal":"dog","color":"green","fruit":"pear"}"#,
                r#"{"fruit":"banana"}"#,
                r#"{"animal":"cat","fruit":"banana"}"#,
            ]
        );
    }

    // Docs example "Excluding matrix configurations".
    #[test]
    fn docs_exclude_example() {
        let m = json!({
            "os": ["macos-latest", "windows-latest"],
            "version": [12, 14, 16],
            "environment": ["staging", "production"],
            "exclude": [
                {"os": "macos-latest", "version": 12, "environment": "production"},
                {"os": "windows-latest", "version": 16}
            ]
        });
        assert_eq!(expand(&m, &[]).unwrap().len(), 12 - 1 - 2);
    }

    #[test]
    fn refusals() {
        assert!(expand(&json!({"os": []}), &[]).is_err());
        assert!(expand(&json!({"os": "x"}), &[]).is_err());
        assert!(expand(&json!({"a": (0..20).collect::<Vec<_>>(), "b": (0..20).collect::<Vec<_>>()}), &[]).is_err());
        assert_eq!(expand(&json!({"include": [{"a": 1}]}), &[]).unwrap().len(), 1);
    }
}
