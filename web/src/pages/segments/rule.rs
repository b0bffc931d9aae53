//! The builder's model of a segment rule: a tree of groups and conditions that turns
//! into the rule JSON the API takes (and back, to edit a saved one). Values travel as
//! text; the server reads them with each field's type and names the part it refuses.

use serde_json::{Value, json};

/// One part of a rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// All (or any) of its parts; `not` turns it around.
    Group { any: bool, not: bool, parts: Vec<Node> },
    /// A contact attribute compared with a value.
    Attribute { name: String, op: String, value: String },
    /// Events of a type within a window, counted.
    Event { kind: String, within: String, op: String, count: String },
    /// Consent granted on a channel.
    Consent { channel: String },
    /// Membership of another segment.
    InSegment { id: String },
}

/// The kinds of condition the builder adds, with their labels.
pub const KINDS: [(&str, &str); 4] =
    [("attribute", "Attribute"), ("event", "Event"), ("consent", "Consent"), ("segment", "In segment")];

/// Comparisons, with their labels.
pub const OPS: [(&str, &str); 9] = [
    ("eq", "is"),
    ("ne", "is not"),
    ("gt", "is more than"),
    ("gte", "is at least"),
    ("lt", "is less than"),
    ("lte", "is at most"),
    ("contains", "contains"),
    ("in", "is one of (comma-separated)"),
    ("exists", "has a value"),
];

impl Node {
    /// An empty group that matches all of its parts.
    pub fn all() -> Node {
        Node::Group { any: false, not: false, parts: Vec::new() }
    }

    /// A new condition of `kind` (see [`KINDS`]).
    pub fn new(kind: &str) -> Node {
        match kind {
            "event" => {
                Node::Event { kind: "purchase".into(), within: "P30D".into(), op: "gte".into(), count: "1".into() }
            }
            "consent" => Node::Consent { channel: "EMAIL".into() },
            "segment" => Node::InSegment { id: String::new() },
            "group" => Node::Group { any: true, not: false, parts: Vec::new() },
            _ => Node::Attribute { name: "email".into(), op: "exists".into(), value: String::new() },
        }
    }

    /// The rule JSON the API takes.
    pub fn to_json(&self) -> Value {
        match self {
            Node::Group { any, not, parts } => {
                let list: Vec<Value> = parts.iter().map(Node::to_json).collect();
                let group = if *any { json!({ "any": list }) } else { json!({ "all": list }) };
                if *not { json!({ "not": group }) } else { group }
            }
            Node::Attribute { name, op, value } => {
                let v = match op.as_str() {
                    "exists" => json!(true),
                    "in" => json!(value.split(',').map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>()),
                    _ => json!(value),
                };
                json!({ "attribute": name, "op": op, "value": v })
            }
            Node::Event { kind, within, op, count } => {
                let n: Value = count.trim().parse::<i64>().map_or_else(|_| json!(count), |n| json!(n));
                let mut e = json!({ "event": kind, "count": { "op": op, "value": n } });
                if !within.trim().is_empty() {
                    e["within"] = json!(within.trim());
                }
                e
            }
            Node::Consent { channel } => json!({ "consent": channel }),
            Node::InSegment { id } => json!({ "inSegment": id }),
        }
    }

    /// The builder's tree for a saved rule (a single condition becomes a group of one;
    /// what the builder cannot show is kept out).
    pub fn from_json(v: &Value) -> Node {
        match Node::read(v) {
            Some(g @ Node::Group { .. }) => g,
            Some(other) => Node::Group { any: false, not: false, parts: vec![other] },
            None => Node::all(),
        }
    }

    fn read(v: &Value) -> Option<Node> {
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Array(a) => {
                a.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned)).collect::<Vec<_>>().join(", ")
            }
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let o = v.as_object()?;
        if let Some(inner) = o.get("not") {
            return match Node::read(inner)? {
                Node::Group { any, not, parts } => Some(Node::Group { any, not: !not, parts }),
                one => Some(Node::Group { any: false, not: true, parts: vec![one] }),
            };
        }
        for (key, any) in [("all", false), ("any", true)] {
            if let Some(list) = o.get(key).and_then(Value::as_array) {
                return Some(Node::Group { any, not: false, parts: list.iter().filter_map(Node::read).collect() });
            }
        }
        if let Some(name) = o.get("attribute").and_then(Value::as_str) {
            let op = o.get("op").and_then(Value::as_str).unwrap_or("eq").to_owned();
            return Some(Node::Attribute {
                name: name.into(),
                value: text(o.get("value").unwrap_or(&Value::Null)),
                op,
            });
        }
        if let Some(kind) = o.get("event").and_then(Value::as_str) {
            let count = o.get("count");
            return Some(Node::Event {
                kind: kind.into(),
                within: o.get("within").map(text).unwrap_or_default(),
                op: count.and_then(|c| c.get("op")).and_then(Value::as_str).unwrap_or("gte").into(),
                count: count.and_then(|c| c.get("value")).map_or_else(|| "1".into(), text),
            });
        }
        if let Some(ch) = o.get("consent").and_then(Value::as_str) {
            return Some(Node::Consent { channel: ch.into() });
        }
        o.get("inSegment").map(|id| Node::InSegment { id: text(id) })
    }

    /// The part at `path` (child indexes from the root).
    pub fn at_mut(&mut self, path: &[usize]) -> Option<&mut Node> {
        match path.split_first() {
            None => Some(self),
            Some((i, rest)) => match self {
                Node::Group { parts, .. } => parts.get_mut(*i)?.at_mut(rest),
                _ => None,
            },
        }
    }

    /// Removes the part at `path` (not the root).
    pub fn remove(&mut self, path: &[usize]) {
        if let Some((last, parent)) = path.split_last()
            && let Some(Node::Group { parts, .. }) = self.at_mut(parent)
            && *last < parts.len()
        {
            parts.remove(*last);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_becomes_the_rule_and_back() {
        let tree = Node::Group {
            any: false,
            not: false,
            parts: vec![
                Node::Attribute { name: "visits".into(), op: "gte".into(), value: "5".into() },
                Node::Attribute { name: "tier".into(), op: "in".into(), value: "Gold, Silver".into() },
                Node::Group {
                    any: true,
                    not: true,
                    parts: vec![Node::Consent { channel: "SMS".into() }, Node::new("event")],
                },
            ],
        };
        let rule = tree.to_json();
        assert_eq!(
            rule,
            json!({ "all": [
                { "attribute": "visits", "op": "gte", "value": "5" },
                { "attribute": "tier", "op": "in", "value": ["Gold", "Silver"] },
                { "not": { "any": [
                    { "consent": "SMS" },
                    { "event": "purchase", "within": "P30D", "count": { "op": "gte", "value": 1 } },
                ] } },
            ] })
        );
        assert_eq!(Node::from_json(&rule), tree);
        let one = Node::from_json(&json!({ "attribute": "email", "op": "exists", "value": true }));
        assert_eq!(one.to_json(), json!({ "all": [{ "attribute": "email", "op": "exists", "value": true }] }));
    }

    #[test]
    fn parts_are_found_and_removed_by_path() {
        let mut tree = Node::all();
        if let Some(Node::Group { parts, .. }) = tree.at_mut(&[]) {
            parts.push(Node::new("group"));
        }
        if let Some(Node::Group { parts, .. }) = tree.at_mut(&[0]) {
            parts.push(Node::new("consent"));
        }
        assert_eq!(tree.at_mut(&[0, 0]).cloned(), Some(Node::Consent { channel: "EMAIL".into() }));
        tree.remove(&[0, 0]);
        assert_eq!(tree.at_mut(&[0, 0]), None);
    }
}
