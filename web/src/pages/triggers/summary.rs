//! What a trigger rule's definition watches for, in one line for lists and pages
//! (`add_to_cart not followed by purchase within 1 h`).

use serde_json::{Value, json};

use super::definition::CONDITION_OPS;

/// An ISO 8601 duration as people read it (`PT1H30M`: `1 h 30 min`); as given when it
/// is not one.
pub(crate) fn duration_text(iso: &str) -> String {
    let Some(rest) = iso.trim().strip_prefix('P') else { return iso.to_owned() };
    let mut parts = Vec::new();
    let mut number = String::new();
    let mut in_time = false;
    for c in rest.chars() {
        match c {
            'T' if number.is_empty() => in_time = true,
            '0'..='9' | '.' => number.push(c),
            _ => {
                let unit = match (c, in_time) {
                    ('W', false) => "wk",
                    ('D', false) => "d",
                    ('H', true) => "h",
                    ('M', true) => "min",
                    ('S', true) => "s",
                    _ => return iso.to_owned(),
                };
                if number.is_empty() {
                    return iso.to_owned();
                }
                parts.push(format!("{} {unit}", std::mem::take(&mut number)));
            }
        }
    }
    if parts.is_empty() || !number.is_empty() { iso.to_owned() } else { parts.join(" ") }
}

/// A value as a summary writes it: text quoted, numbers and the rest as they are.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        Value::Array(items) => format!("({})", items.iter().map(value_text).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// One property condition in words (`total ≥ 100`).
fn condition_text(c: &Value) -> String {
    let property = c["property"].as_str().unwrap_or("?");
    let op = c["op"].as_str().unwrap_or("?");
    if op == "exists" {
        return if c["value"] == json!(false) { format!("no {property}") } else { format!("{property} exists") };
    }
    let symbol = CONDITION_OPS.iter().find(|(o, _)| *o == op).map_or(op, |(_, s)| s);
    format!("{property} {symbol} {}", value_text(&c["value"]))
}

fn conditions_text(v: &Value) -> String {
    match v.as_array() {
        Some(c) if !c.is_empty() => {
            format!(" where {}", c.iter().map(condition_text).collect::<Vec<_>>().join(" and "))
        }
        _ => String::new(),
    }
}

/// What a definition watches for, in one line (`add_to_cart not followed by purchase
/// within 1 h`); segments are named by `segment_name`.
pub(crate) fn summary(d: &Value, segment_name: impl Fn(&str) -> Option<String>) -> String {
    let text = |v: &Value| v.as_str().unwrap_or("?").to_owned();
    let window = |v: &Value| duration_text(v.as_str().unwrap_or("?"));
    if let Some(event) = d.get("event") {
        return format!("{}{}", text(event), conditions_text(&d["where"]));
    }
    if let Some(s) = d.get("sequence") {
        return format!(
            "{} not followed by {} within {}",
            text(&s["first"]),
            text(&s["notFollowedBy"]),
            window(&s["within"])
        );
    }
    if let Some(s) = d.get("threshold") {
        let c = json!({ "property": s["property"], "op": s["op"], "value": s["value"] });
        return format!("{} with {}", text(&s["event"]), condition_text(&c));
    }
    if let Some(s) = d.get("count") {
        let n = s["atLeast"].as_i64().map_or_else(|| "?".to_owned(), |n| n.to_string());
        return format!(
            "at least {n} {} within {}{}",
            text(&s["event"]),
            window(&s["within"]),
            conditions_text(&s["where"])
        );
    }
    if let Some(field) = d.get("attributeChanged") {
        let from = d.get("from").map(|v| format!(" from {}", value_text(v))).unwrap_or_default();
        let to = d.get("to").map(|v| format!(" to {}", value_text(v))).unwrap_or_default();
        return format!("{} changes{from}{to}", text(field));
    }
    for (key, verb) in [("segmentEntered", "enters"), ("segmentLeft", "leaves")] {
        if let Some(id) = d.get(key) {
            let name = segment_name(id.as_str().unwrap_or_default()).unwrap_or_else(|| "a removed segment".to_owned());
            return format!("{verb} {name}");
        }
    }
    d.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_read_as_one_line() {
        let none = |_: &str| None;
        assert_eq!(
            summary(
                &json!({ "sequence": { "first": "add_to_cart", "notFollowedBy": "purchase", "within": "PT1H" } }),
                none
            ),
            "add_to_cart not followed by purchase within 1 h"
        );
        assert_eq!(
            summary(
                &json!({ "event": "purchase", "where": [{ "property": "total", "op": "gte", "value": 100 }] }),
                none
            ),
            "purchase where total ≥ 100"
        );
        assert_eq!(
            summary(&json!({ "count": { "event": "page_view", "atLeast": 3, "within": "PT10M" } }), none),
            "at least 3 page_view within 10 min"
        );
        assert_eq!(summary(&json!({ "attributeChanged": "plan", "to": "Pro" }), none), "plan changes to \"Pro\"");
        assert_eq!(summary(&json!({ "segmentLeft": "s1" }), |_| Some("VIPs".into())), "leaves VIPs");
        assert_eq!(duration_text("P1DT2H30M"), "1 d 2 h 30 min");
        assert_eq!(duration_text("an hour"), "an hour");
        assert_eq!(duration_text("P"), "P");
    }
}
