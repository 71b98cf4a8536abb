//! What the event picker offers, read from the workflow through the core's
//! spanned document tree: the events the workflow listens to and the inputs
//! `workflow_dispatch` declares.

use keyless_core::doc::{self, Node};
use keyless_core::span::DocId;

/// One declared `workflow_dispatch` input.
#[derive(Clone, Debug, PartialEq)]
pub struct DispatchInput {
    pub name: String,
    pub default: Option<String>,
    pub options: Vec<String>,
}

/// What the workflow declares about its triggers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkflowFacts {
    pub events: Vec<String>,
    pub dispatch_inputs: Vec<DispatchInput>,
}

pub fn read(workflow: &str) -> WorkflowFacts {
    let Ok(root) = doc::parse(workflow, DocId::Workflow) else { return WorkflowFacts::default() };
    // `on` may be read as the key "on" (YAML 1.2 core schema); accept `true`
    // too in case a YAML 1.1 reader turned it into a boolean.
    let Some(on) = root.get("on").or_else(|| root.get("true")) else { return WorkflowFacts::default() };
    let mut facts = WorkflowFacts::default();
    match &on.value {
        doc::Value::String(s) => facts.events.push(s.clone()),
        doc::Value::Seq(items) => facts.events.extend(items.iter().filter_map(Node::scalar_text)),
        doc::Value::Map(entries) => facts.events.extend(entries.iter().map(|e| e.key.value.clone())),
        _ => {}
    }
    let inputs = on.get("workflow_dispatch").and_then(|d| d.get("inputs")).and_then(Node::entries).unwrap_or_default();
    for e in inputs {
        facts.dispatch_inputs.push(DispatchInput {
            name: e.key.value.clone(),
            default: e.value.get("default").and_then(Node::scalar_text),
            options: e.value.get("options").and_then(Node::items).unwrap_or_default().iter().filter_map(Node::scalar_text).collect(),
        });
    }
    facts
}
