//! A trigger rule's definition both ways: the [`Draft`] the form holds, built into the
//! definition JSON the API checks (and read back from it to edit a rule), and where the
//! API's errors about its parts are shown.

use serde_json::{Map, Value, json};

use crate::ops::triggers::TriggerKind;

/// The operators of a property condition, with how a summary writes them.
pub(crate) const CONDITION_OPS: [(&str, &str); 9] = [
    ("eq", "="),
    ("ne", "≠"),
    ("lt", "<"),
    ("lte", "≤"),
    ("gt", ">"),
    ("gte", "≥"),
    ("in", "in"),
    ("contains", "contains"),
    ("exists", "exists"),
];

/// The operators a threshold compares with (the first six of [`CONDITION_OPS`]).
pub(crate) const THRESHOLD_OPS: &[(&str, &str)] = CONDITION_OPS.split_at(6).0;

/// One property condition as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct CondDraft {
    pub property: String,
    pub op: String,
    pub value: String,
}

/// A rule as the form holds it: every kind's inputs at once, so switching kind keeps
/// what was typed. The event type and the window are shared by the kinds that have one.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Draft {
    pub name: String,
    pub kind: TriggerKind,
    /// The event of an event, threshold or count rule.
    pub event: String,
    /// The property conditions of an event or count rule.
    pub conditions: Vec<CondDraft>,
    pub first: String,
    pub then: String,
    /// The window of a sequence or count rule (ISO 8601).
    pub within: String,
    pub property: String,
    pub op: String,
    pub amount: String,
    pub at_least: String,
    pub attribute: String,
    pub from: String,
    pub to: String,
    pub segment: String,
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            name: String::new(),
            kind: TriggerKind::Event,
            event: String::new(),
            conditions: Vec::new(),
            first: String::new(),
            then: String::new(),
            within: "PT1H".to_owned(),
            property: String::new(),
            op: "gt".to_owned(),
            amount: String::new(),
            at_least: "3".to_owned(),
            attribute: String::new(),
            from: String::new(),
            to: String::new(),
            segment: String::new(),
        }
    }
}

/// A value typed in a box: a number, true/false, else text (quotes keep `"42"` text).
pub(crate) fn typed_scalar(typed: &str) -> Value {
    let t = typed.trim();
    if let Some(inner) = t.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return Value::String(inner.to_owned());
    }
    match t {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(n) = t.parse::<i64>() {
        return json!(n);
    }
    match t.parse::<f64>().ok().filter(|n| n.is_finite()).and_then(serde_json::Number::from_f64) {
        Some(n) => Value::Number(n),
        None => Value::String(t.to_owned()),
    }
}

/// A scalar as a box shows it: the inverse of [`typed_scalar`].
pub(crate) fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) if !matches!(typed_scalar(s), Value::String(ref t) if t == s) => format!("\"{s}\""),
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

impl CondDraft {
    fn to_json(&self) -> Value {
        let mut o = Map::new();
        o.insert("property".to_owned(), json!(self.property.trim()));
        o.insert("op".to_owned(), json!(self.op));
        let typed = self.value.trim();
        match self.op.as_str() {
            "exists" if typed.is_empty() => {}
            "in" => {
                let items = typed.split(',').map(str::trim).filter(|s| !s.is_empty()).map(typed_scalar);
                o.insert("value".to_owned(), Value::Array(items.collect()));
            }
            "contains" => {
                o.insert("value".to_owned(), json!(typed));
            }
            _ => {
                o.insert("value".to_owned(), typed_scalar(typed));
            }
        }
        Value::Object(o)
    }

    fn of(v: &Value) -> Self {
        Self {
            property: v["property"].as_str().unwrap_or_default().to_owned(),
            op: v["op"].as_str().unwrap_or("eq").to_owned(),
            value: v.get("value").map(scalar_text).unwrap_or_default(),
        }
    }
}

impl Draft {
    /// The definition JSON of the chosen kind, or the field at fault and why (only what
    /// cannot be sent at all; the server checks the rest and names the part).
    pub(crate) fn definition(&self) -> Result<Value, (String, String)> {
        let t = |s: &String| s.trim().to_owned();
        let conditions = || Value::Array(self.conditions.iter().map(CondDraft::to_json).collect());
        Ok(match self.kind {
            TriggerKind::Event | TriggerKind::Unknown => {
                let mut d = json!({ "event": t(&self.event) });
                if !self.conditions.is_empty() {
                    d["where"] = conditions();
                }
                d
            }
            TriggerKind::Sequence => {
                json!({ "sequence": { "first": t(&self.first), "notFollowedBy": t(&self.then), "within": t(&self.within) } })
            }
            TriggerKind::Threshold => {
                let Value::Number(value) = typed_scalar(&self.amount) else {
                    return Err(("definition.threshold.value".to_owned(), "is a number".to_owned()));
                };
                json!({ "threshold": {
                    "event": t(&self.event), "property": t(&self.property), "op": self.op, "value": value,
                } })
            }
            TriggerKind::Count => {
                let Ok(at_least) = self.at_least.trim().parse::<i64>() else {
                    return Err((
                        "definition.count.atLeast".to_owned(),
                        "is a whole number from 2 to 10000".to_owned(),
                    ));
                };
                let mut d =
                    json!({ "count": { "event": t(&self.event), "atLeast": at_least, "within": t(&self.within) } });
                if !self.conditions.is_empty() {
                    d["count"]["where"] = conditions();
                }
                d
            }
            TriggerKind::Attribute => {
                let mut d = json!({ "attributeChanged": self.attribute });
                for (key, typed) in [("from", &self.from), ("to", &self.to)] {
                    if !typed.trim().is_empty() {
                        d[key] = typed_scalar(typed);
                    }
                }
                d
            }
            TriggerKind::SegmentEntered => json!({ "segmentEntered": self.segment }),
            TriggerKind::SegmentLeft => json!({ "segmentLeft": self.segment }),
        })
    }

    /// Rule `name` with definition `d` as the form edits it.
    pub(crate) fn of(name: &str, kind: TriggerKind, d: &Value) -> Self {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let conditions = |v: &Value| v.as_array().map(|c| c.iter().map(CondDraft::of).collect()).unwrap_or_default();
        let mut draft = Draft { name: name.to_owned(), kind, ..Draft::default() };
        match kind {
            TriggerKind::Event | TriggerKind::Unknown => {
                draft.event = text(&d["event"]);
                draft.conditions = conditions(&d["where"]);
            }
            TriggerKind::Sequence => {
                let s = &d["sequence"];
                (draft.first, draft.then, draft.within) =
                    (text(&s["first"]), text(&s["notFollowedBy"]), text(&s["within"]));
            }
            TriggerKind::Threshold => {
                let s = &d["threshold"];
                (draft.event, draft.property, draft.op) = (text(&s["event"]), text(&s["property"]), text(&s["op"]));
                draft.amount = scalar_text(&s["value"]);
            }
            TriggerKind::Count => {
                let s = &d["count"];
                (draft.event, draft.within) = (text(&s["event"]), text(&s["within"]));
                draft.at_least = s["atLeast"].as_i64().map(|n| n.to_string()).unwrap_or_default();
                draft.conditions = conditions(&s["where"]);
            }
            TriggerKind::Attribute => {
                draft.attribute = text(&d["attributeChanged"]);
                draft.from = d.get("from").map(scalar_text).unwrap_or_default();
                draft.to = d.get("to").map(scalar_text).unwrap_or_default();
            }
            TriggerKind::SegmentEntered => draft.segment = text(&d["segmentEntered"]),
            TriggerKind::SegmentLeft => draft.segment = text(&d["segmentLeft"]),
        }
        draft
    }
}

/// The control an error about `field` (a path in the definition) is shown under: a
/// condition row's own (`definition.where[2]`), else the closest named one.
pub(crate) fn owner(field: &str) -> Option<String> {
    for prefix in ["definition.where[", "definition.count.where["] {
        let row = field.strip_prefix(prefix).and_then(|rest| rest.split_once(']')).map(|(at, _)| at);
        if let Some(at) = row.filter(|at| at.parse::<usize>().is_ok()) {
            return Some(format!("{prefix}{at}]"));
        }
    }
    crate::pages::decisions::owner_field(field, FIELDS).map(str::to_owned)
}

/// Every input field the server may name, each shown under its control.
pub(crate) const FIELDS: &[&str] = &[
    "name",
    "definition",
    "definition.event",
    "definition.where",
    "definition.sequence",
    "definition.sequence.first",
    "definition.sequence.notFollowedBy",
    "definition.sequence.within",
    "definition.threshold",
    "definition.threshold.event",
    "definition.threshold.property",
    "definition.threshold.op",
    "definition.threshold.value",
    "definition.count",
    "definition.count.event",
    "definition.count.atLeast",
    "definition.count.within",
    "definition.count.where",
    "definition.attributeChanged",
    "definition.from",
    "definition.to",
    "definition.segmentEntered",
    "definition.segmentLeft",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_build_each_kind_and_read_back() {
        let mut d = Draft { kind: TriggerKind::Event, event: " purchase ".to_owned(), ..Draft::default() };
        d.conditions.push(CondDraft { property: "total".to_owned(), op: "gte".to_owned(), value: "100".to_owned() });
        let built = d.definition().unwrap();
        assert_eq!(
            built,
            json!({ "event": "purchase", "where": [{ "property": "total", "op": "gte", "value": 100 }] })
        );
        assert_eq!(Draft::of("", TriggerKind::Event, &built).conditions, d.conditions);
        let seq = Draft { kind: TriggerKind::Sequence, first: "a".into(), then: "b".into(), ..Draft::default() };
        assert_eq!(seq.definition().unwrap()["sequence"]["within"], "PT1H");
        let count = Draft { kind: TriggerKind::Count, event: "x".into(), at_least: "1".into(), ..Draft::default() };
        assert_eq!(count.definition().unwrap()["count"]["atLeast"], 1);
        let bad = Draft { at_least: "many".into(), ..count };
        assert_eq!(bad.definition().unwrap_err().0, "definition.count.atLeast");
        let attr =
            Draft { kind: TriggerKind::Attribute, attribute: "plan".into(), to: "Pro".into(), ..Draft::default() };
        assert_eq!(attr.definition().unwrap(), json!({ "attributeChanged": "plan", "to": "Pro" }));
        let back = Draft::of("n", TriggerKind::Attribute, &json!({ "attributeChanged": "plan", "from": "42" }));
        assert_eq!((back.attribute.as_str(), back.from.as_str()), ("plan", "\"42\""));
    }

    #[test]
    fn values_typed_become_json_scalars() {
        assert_eq!(typed_scalar("100"), json!(100));
        assert_eq!(typed_scalar("2.5"), json!(2.5));
        assert_eq!(typed_scalar("true"), json!(true));
        assert_eq!(typed_scalar("\"100\""), json!("100"));
        assert_eq!(typed_scalar(" FR "), json!("FR"));
        assert_eq!(scalar_text(&json!("100")), "\"100\"");
        assert_eq!(scalar_text(&json!(["a", 2])), "a, 2");
    }

    #[test]
    fn errors_go_under_their_control() {
        assert_eq!(owner("definition.where[3].op").as_deref(), Some("definition.where[3]"));
        assert_eq!(owner("definition.count.where[0]").as_deref(), Some("definition.count.where[0]"));
        assert_eq!(owner("definition.sequence.within").as_deref(), Some("definition.sequence.within"));
        assert_eq!(owner("definition.extra").as_deref(), Some("definition"));
        assert_eq!(owner("input").as_deref(), None);
    }
}
