//! A trigger rule's definition, as JSON and as checked:
//!
//! - `{"event": TYPE, "where": [{"property", "op", "value"}, …]}`: an event happened;
//! - `{"sequence": {"first": TYPE, "notFollowedBy": TYPE, "within": DURATION}}`: the
//!   first event was not followed by the second within the duration (abandoned cart);
//! - `{"threshold": {"event": TYPE, "property": NAME, "op": OP, "value": N}}`: an
//!   event's amount over (or under) a number;
//! - `{"count": {"event": TYPE, "atLeast": N, "within": DURATION}}`: N such events in
//!   the window (once per window);
//! - `{"attributeChanged": NAME, "from": V, "to": V}`: a contact field changed (from and
//!   to are optional);
//! - `{"segmentEntered": SEGMENT_ID}` / `{"segmentLeft": SEGMENT_ID}`: a contact came
//!   into (or left) a segment.
//!
//! Every error names the part at fault as a path (`definition.sequence.within`).

use serde_json::{Map, Value, json};

use crate::decisions::eligibility::{ContextTest, value_test};
use crate::{Error, Result, SegmentId, validate};

/// The event kind a firing appends to the contact's timeline; no rule may watch it.
pub const FIRED_EVENT: &str = "trigger_fired";
/// The event kind a watched attribute's change appends to the contact's timeline.
pub const ATTRIBUTE_EVENT: &str = "attribute_changed";
/// The longest window of a sequence or count (a year).
pub const MAX_WINDOW_SECS: i64 = 366 * 86_400;
/// Most property conditions in one rule.
pub const MAX_CONDITIONS: usize = 20;

/// A test of one property of an event.
#[derive(Debug, Clone)]
pub struct Condition {
    pub property: String,
    pub test: ContextTest,
}

impl Condition {
    pub fn holds(&self, properties: &Value) -> bool {
        self.test.holds(properties.get(self.property.as_str()))
    }
}

/// A definition as checked.
#[derive(Debug, Clone)]
pub enum Definition {
    Event { event: String, conditions: Vec<Condition> },
    Sequence { first: String, not_followed_by: String, within_secs: i64 },
    Threshold { event: String, condition: Condition },
    Count { event: String, at_least: i64, within_secs: i64, conditions: Vec<Condition> },
    Attribute { name: String, from: Option<Value>, to: Option<Value> },
    Segment { segment: SegmentId, entered: bool },
}

impl Definition {
    /// The kind stored beside the definition.
    pub fn kind(&self) -> &'static str {
        match self {
            Definition::Event { .. } => "EVENT",
            Definition::Sequence { .. } => "SEQUENCE",
            Definition::Threshold { .. } => "THRESHOLD",
            Definition::Count { .. } => "COUNT",
            Definition::Attribute { .. } => "ATTRIBUTE",
            Definition::Segment { entered: true, .. } => "SEGMENT_ENTERED",
            Definition::Segment { entered: false, .. } => "SEGMENT_LEFT",
        }
    }

    /// The event kinds it reads.
    pub fn watches(&self) -> Vec<&str> {
        match self {
            Definition::Event { event, .. } | Definition::Threshold { event, .. } | Definition::Count { event, .. } => {
                vec![event.as_str()]
            }
            Definition::Sequence { first, not_followed_by, .. } => vec![first.as_str(), not_followed_by.as_str()],
            Definition::Attribute { .. } => vec![ATTRIBUTE_EVENT],
            Definition::Segment { .. } => Vec::new(),
        }
    }

    /// Whether an event of `kind` with `properties` is one this rule fires on at once
    /// (event and threshold rules; attribute rules on their change events).
    pub fn fires_on(&self, kind: &str, properties: &Value) -> bool {
        match self {
            Definition::Event { event, conditions } => event == kind && conditions.iter().all(|c| c.holds(properties)),
            Definition::Threshold { event, condition } => event == kind && condition.holds(properties),
            Definition::Attribute { name, from, to } => {
                let same = |want: &Option<Value>, got: &Value| want.as_ref().is_none_or(|w| loose_eq(w, got));
                kind == ATTRIBUTE_EVENT
                    && properties["attribute"].as_str() == Some(name.as_str())
                    && same(from, &properties["from"])
                    && same(to, &properties["to"])
            }
            _ => false,
        }
    }
}

/// Equal as values a person means: numbers by value, else exactly.
fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn bad(path: &str, message: impl Into<String>) -> Error {
    Error::invalid(path, message)
}

pub(crate) fn object<'v>(v: Option<&'v Value>, path: &str, shape: &str) -> Result<&'v Map<String, Value>> {
    v.and_then(Value::as_object).ok_or_else(|| bad(path, format!("must be an object {shape}")))
}

pub(crate) fn only(o: &Map<String, Value>, path: &str, allowed: &[&str]) -> Result<()> {
    match o.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(bad(&format!("{path}.{k}"), format!("is not allowed here (only {})", allowed.join(", ")))),
        None => Ok(()),
    }
}

/// An event type a rule may watch.
pub(crate) fn event_type(v: Option<&Value>, path: &str) -> Result<String> {
    let t = v.and_then(Value::as_str).map(str::trim).unwrap_or_default();
    let ok = !t.is_empty() && t.len() <= 64 && t.chars().all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c));
    if !ok {
        return Err(bad(path, "must be an event type: 1 to 64 letters, digits and _ . : -"));
    }
    if t == FIRED_EVENT {
        return Err(bad(path, format!("{FIRED_EVENT} is written by rules firing; a rule may not watch it")));
    }
    Ok(t.to_owned())
}

fn window(v: Option<&Value>, path: &str) -> Result<i64> {
    let raw = v.and_then(Value::as_str).ok_or_else(|| bad(path, "is required: an ISO-8601 duration like PT1H"))?;
    let secs = validate::duration_secs(path, raw)?;
    if !(1..=MAX_WINDOW_SECS).contains(&secs) {
        return Err(bad(path, "is between a second (PT1S) and a year (P366D)"));
    }
    Ok(secs)
}

fn property(v: &Value, path: &str) -> Result<Condition> {
    let o = object(Some(v), path, "{\"property\": …, \"op\": …, \"value\": …}")?;
    only(o, path, &["property", "op", "value"])?;
    let name = o.get("property").and_then(Value::as_str).unwrap_or_default();
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return Err(bad(&format!("{path}.property"), "must be a property name: letters, digits and _, up to 64"));
    }
    Ok(Condition { property: name.to_owned(), test: value_test(o, path)? })
}

pub(crate) fn conditions(v: Option<&Value>, path: &str) -> Result<Vec<Condition>> {
    let items = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(bad(path, "must be a list of property conditions")),
    };
    if items.len() > MAX_CONDITIONS {
        return Err(bad(path, format!("holds at most {MAX_CONDITIONS} conditions")));
    }
    items.iter().enumerate().map(|(i, c)| property(c, &format!("{path}[{i}]"))).collect()
}

fn scalar(v: Option<&Value>, path: &str) -> Result<Option<Value>> {
    match v {
        None => Ok(None),
        Some(v @ (Value::Null | Value::String(_) | Value::Number(_) | Value::Bool(_))) => Ok(Some(v.clone())),
        Some(_) => Err(bad(path, "is text, a number, true/false or null")),
    }
}

/// Checks a definition (its form only: a segment's existence and an attribute's are
/// checked against the workspace by the caller).
pub fn parse(v: &Value) -> Result<Definition> {
    let root = "definition";
    let o = object(Some(v), root, "like {\"event\": \"purchase\"}")?;
    const KINDS: [&str; 7] =
        ["event", "sequence", "threshold", "count", "attributeChanged", "segmentEntered", "segmentLeft"];
    let Some(kind) = KINDS.iter().find(|k| o.contains_key(**k)) else {
        return Err(bad(root, format!("names what to watch: one of {}", KINDS.join(", "))));
    };
    let at = |k: &str| format!("{root}.{k}");
    Ok(match *kind {
        "event" => {
            only(o, root, &["event", "where"])?;
            Definition::Event {
                event: event_type(o.get("event"), &at("event"))?,
                conditions: conditions(o.get("where"), &at("where"))?,
            }
        }
        "sequence" => {
            only(o, root, &["sequence"])?;
            let p = at("sequence");
            let s = object(o.get("sequence"), &p, "{\"first\", \"notFollowedBy\", \"within\"}")?;
            only(s, &p, &["first", "notFollowedBy", "within"])?;
            let first = event_type(s.get("first"), &format!("{p}.first"))?;
            let then = event_type(s.get("notFollowedBy"), &format!("{p}.notFollowedBy"))?;
            if first == then {
                return Err(bad(&format!("{p}.notFollowedBy"), "must differ from first"));
            }
            Definition::Sequence {
                first,
                not_followed_by: then,
                within_secs: window(s.get("within"), &format!("{p}.within"))?,
            }
        }
        "threshold" => {
            only(o, root, &["threshold"])?;
            let p = at("threshold");
            let t = object(o.get("threshold"), &p, "{\"event\", \"property\", \"op\", \"value\"}")?;
            only(t, &p, &["event", "property", "op", "value"])?;
            let event = event_type(t.get("event"), &format!("{p}.event"))?;
            if !matches!(t.get("op").and_then(Value::as_str), Some("gt" | "gte" | "lt" | "lte" | "eq" | "ne")) {
                return Err(bad(&format!("{p}.op"), "is one of gt, gte, lt, lte, eq, ne"));
            }
            if !t.get("value").is_some_and(Value::is_number) {
                return Err(bad(&format!("{p}.value"), "is a number"));
            }
            let cond = json!({ "property": t.get("property"), "op": t.get("op"), "value": t.get("value") });
            Definition::Threshold { event, condition: property(&cond, &p)? }
        }
        "count" => {
            only(o, root, &["count"])?;
            let p = at("count");
            let c = object(o.get("count"), &p, "{\"event\", \"atLeast\", \"within\"}")?;
            only(c, &p, &["event", "atLeast", "within", "where"])?;
            let event = event_type(c.get("event"), &format!("{p}.event"))?;
            let at_least = c
                .get("atLeast")
                .and_then(Value::as_i64)
                .filter(|n| (2..=10_000).contains(n))
                .ok_or_else(|| bad(&format!("{p}.atLeast"), "is a whole number from 2 to 10000"))?;
            let within_secs = window(c.get("within"), &format!("{p}.within"))?;
            Definition::Count {
                event,
                at_least,
                within_secs,
                conditions: conditions(c.get("where"), &format!("{p}.where"))?,
            }
        }
        "attributeChanged" => {
            only(o, root, &["attributeChanged", "from", "to"])?;
            let p = at("attributeChanged");
            let name = o.get("attributeChanged").and_then(Value::as_str).unwrap_or_default();
            if !crate::segments::rule::is_key(name) {
                return Err(bad(&p, "names a contact field by its key (lowercase letters, digits and _)"));
            }
            Definition::Attribute {
                name: name.to_owned(),
                from: scalar(o.get("from"), &at("from"))?,
                to: scalar(o.get("to"), &at("to"))?,
            }
        }
        entered @ ("segmentEntered" | "segmentLeft") => {
            only(o, root, &[entered])?;
            let p = at(entered);
            let raw = o.get(entered).and_then(Value::as_str).unwrap_or_default();
            let segment = validate::id_ref::<SegmentId>(raw).ok_or_else(|| bad(&p, "is a segment's ID"))?;
            Definition::Segment { segment, entered: entered == "segmentEntered" }
        }
        _ => unreachable!("every kind is matched above"),
    })
}

/// The definition as stored and answered: as given, with a segment's ID global.
pub fn stored(d: &Definition, raw: &Value) -> Value {
    match d {
        Definition::Segment { segment, entered } => {
            let key = if *entered { "segmentEntered" } else { "segmentLeft" };
            json!({ key: validate::global_ref(*segment) })
        }
        _ => raw.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(v: Value) -> String {
        match parse(&v).unwrap_err() {
            Error::Invalid { field, .. } => field,
            other => other.to_string(),
        }
    }

    #[test]
    fn every_kind_parses_and_names_what_it_watches() {
        let e = parse(&json!({ "event": "purchase", "where": [{ "property": "total", "op": "gte", "value": 100 }] }))
            .unwrap();
        assert_eq!((e.kind(), e.watches()), ("EVENT", vec!["purchase"]));
        assert!(e.fires_on("purchase", &json!({ "total": 120 })));
        assert!(!e.fires_on("purchase", &json!({ "total": 80 })));
        assert!(!e.fires_on("page_view", &json!({ "total": 120 })));
        let s =
            parse(&json!({ "sequence": { "first": "add_to_cart", "notFollowedBy": "purchase", "within": "PT1H" } }))
                .unwrap();
        assert!(matches!(s, Definition::Sequence { within_secs: 3600, .. }));
        assert_eq!(s.watches(), vec!["add_to_cart", "purchase"]);
        let t = parse(&json!({ "threshold": { "event": "purchase", "property": "amount", "op": "gt", "value": 500 } }))
            .unwrap();
        assert!(t.fires_on("purchase", &json!({ "amount": 501.5 })));
        assert!(!t.fires_on("purchase", &json!({ "amount": 500 })));
        assert!(!t.fires_on("purchase", &json!({})));
        let c = parse(&json!({ "count": { "event": "page_view", "atLeast": 3, "within": "PT10M" } })).unwrap();
        assert!(matches!(c, Definition::Count { at_least: 3, within_secs: 600, .. }));
        let a = parse(&json!({ "attributeChanged": "plan", "from": "Free", "to": "Pro" })).unwrap();
        let change = |from: &str, to: &str| json!({ "attribute": "plan", "from": from, "to": to });
        assert!(a.fires_on(ATTRIBUTE_EVENT, &change("Free", "Pro")));
        assert!(!a.fires_on(ATTRIBUTE_EVENT, &change("Team", "Pro")));
        let any = parse(&json!({ "attributeChanged": "plan" })).unwrap();
        assert!(any.fires_on(ATTRIBUTE_EVENT, &change("Team", "Pro")));
        let id = uuid::Uuid::now_v7();
        let seg = parse(&json!({ "segmentLeft": id.to_string() })).unwrap();
        assert_eq!(seg.kind(), "SEGMENT_LEFT");
        assert!(seg.watches().is_empty());
    }

    #[test]
    fn bad_definitions_name_the_part_at_fault() {
        assert_eq!(field_of(json!("purchase")), "definition");
        assert_eq!(field_of(json!({ "nothing": 1 })), "definition");
        assert_eq!(field_of(json!({ "event": "" })), "definition.event");
        assert_eq!(field_of(json!({ "event": "trigger_fired" })), "definition.event");
        assert_eq!(field_of(json!({ "event": "a", "extra": 1 })), "definition.extra");
        assert_eq!(
            field_of(json!({ "event": "a", "where": [{ "property": "x", "op": "near", "value": 1 }] })),
            "definition.where[0].op"
        );
        let seq = |within: Value| json!({ "sequence": { "first": "a", "notFollowedBy": "b", "within": within } });
        assert_eq!(field_of(seq(json!("an hour"))), "definition.sequence.within");
        assert_eq!(field_of(seq(json!("P1M"))), "definition.sequence.within");
        assert_eq!(field_of(seq(json!("P400D"))), "definition.sequence.within");
        assert_eq!(
            field_of(json!({ "sequence": { "first": "a", "notFollowedBy": "a", "within": "PT1H" } })),
            "definition.sequence.notFollowedBy"
        );
        assert_eq!(
            field_of(json!({ "threshold": { "event": "a", "property": "x", "op": "gt", "value": "big" } })),
            "definition.threshold.value"
        );
        assert_eq!(
            field_of(json!({ "count": { "event": "a", "atLeast": 1, "within": "PT1H" } })),
            "definition.count.atLeast"
        );
        assert_eq!(field_of(json!({ "attributeChanged": "Plan!" })), "definition.attributeChanged");
        assert_eq!(field_of(json!({ "segmentEntered": "nope" })), "definition.segmentEntered");
    }
}
