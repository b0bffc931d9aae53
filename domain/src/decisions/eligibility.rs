//! Eligibility expressions of treatment rules (DEC-3): the segment rule language over the
//! contact (`{"attribute": "plan", "op": "eq", "value": "gold"}`, events, consent,
//! membership; combined with `all`, `any`, `not`), plus tests of the decision request's
//! context by `context.<name>` (`{"attribute": "context.page", "op": "eq", "value":
//! "/cart"}`). The contact's tests run in the database beside the contact's read; the
//! context's run here, on the request.

use serde_json::{Map, Value};

use crate::segments::rule::{self, Rule};
use crate::{ContactField, Error, Result};

/// How deep `all`, `any` and `not` may nest.
pub const MAX_DEPTH: usize = 10;
/// The most tests one expression holds.
pub const MAX_TESTS: usize = 200;
/// The most values of an `in` list.
pub const MAX_IN: usize = 100;

/// A checked eligibility expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Eligibility {
    All(Vec<Eligibility>),
    Any(Vec<Eligibility>),
    Not(Box<Eligibility>),
    /// A test of one value of the request's context.
    Context {
        name: String,
        test: ContextTest,
    },
    /// A test of the contact, in the segment rule language (checked, and as written).
    Contact {
        rule: Rule,
        raw: Value,
    },
}

/// What a context test asks of its value.
#[derive(Debug, Clone, PartialEq)]
pub enum ContextTest {
    Eq(Value),
    Ne(Value),
    Lt(Value),
    Lte(Value),
    Gt(Value),
    Gte(Value),
    In(Vec<Value>),
    /// Text holding this (without case), or a list holding it.
    Contains(String),
    /// Has a value (true) or none (false).
    Exists(bool),
}

fn bad(path: &str, message: impl Into<String>) -> Error {
    Error::invalid(path, message)
}

/// Checks `v` against the workspace's contact `fields`; errors name the part as a path
/// from `path` (`eligibility.all[1].value`).
pub fn parse(v: &Value, fields: &[ContactField], path: &str) -> Result<Eligibility> {
    let mut tests = 0;
    node(v, fields, path, 1, &mut tests)
}

fn node(v: &Value, fields: &[ContactField], path: &str, depth: usize, tests: &mut usize) -> Result<Eligibility> {
    if depth > MAX_DEPTH {
        return Err(bad(path, format!("may nest all, any and not at most {MAX_DEPTH} deep")));
    }
    *tests += 1;
    if *tests > MAX_TESTS {
        return Err(bad(path, format!("holds more than {MAX_TESTS} tests")));
    }
    let Some(o) = v.as_object() else { return Err(bad(path, "is not a JSON object")) };
    for (key, make) in [("all", Eligibility::All as fn(Vec<Eligibility>) -> Eligibility), ("any", Eligibility::Any)] {
        if let Some(list) = o.get(key) {
            only(o, path, key)?;
            let Some(items) = list.as_array().filter(|a| !a.is_empty()) else {
                return Err(bad(&format!("{path}.{key}"), "is a non-empty list of rules"));
            };
            let parts = items
                .iter()
                .enumerate()
                .map(|(i, item)| node(item, fields, &format!("{path}.{key}[{i}]"), depth + 1, tests))
                .collect::<Result<Vec<_>>>()?;
            return Ok(make(parts));
        }
    }
    if let Some(inner) = o.get("not") {
        only(o, path, "not")?;
        return Ok(Eligibility::Not(Box::new(node(inner, fields, &format!("{path}.not"), depth + 1, tests)?)));
    }
    if let Some(name) = o.get("attribute").and_then(Value::as_str).and_then(|a| a.strip_prefix("context.")) {
        return context(o, name, path);
    }
    // The contact's tests are the segment rule language's own.
    rule::parse(v, fields).map(|rule| Eligibility::Contact { rule, raw: v.clone() }).map_err(|e| match e {
        Error::Invalid { field, message } => {
            let rest = field.strip_prefix("rule").unwrap_or(&field);
            Error::invalid(&format!("{path}{rest}"), message)
        }
        e => e,
    })
}

fn only(o: &Map<String, Value>, path: &str, key: &str) -> Result<()> {
    match o.keys().find(|k| k.as_str() != key) {
        Some(k) => Err(bad(&format!("{path}.{k}"), format!("is not allowed beside {key}"))),
        None => Ok(()),
    }
}

fn context(o: &Map<String, Value>, name: &str, path: &str) -> Result<Eligibility> {
    if let Some(k) = o.keys().find(|k| !["attribute", "op", "value"].contains(&k.as_str())) {
        return Err(bad(&format!("{path}.{k}"), "is not a key of a test (attribute, op, value)"));
    }
    let valid =
        !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    if !valid {
        return Err(bad(
            &format!("{path}.attribute"),
            "names a context value: context. and 1 to 64 of A-Z a-z 0-9 _ - .",
        ));
    }
    Ok(Eligibility::Context { name: name.to_owned(), test: value_test(o, path)? })
}

/// The test `{"op": …, "value": …}` in `o` (at `path`) of one JSON value: a context's,
/// an event property's.
pub(crate) fn value_test(o: &Map<String, Value>, path: &str) -> Result<ContextTest> {
    let op = o.get("op").and_then(Value::as_str).unwrap_or("");
    let value = o.get("value");
    let vpath = format!("{path}.value");
    let scalar = |v: Option<&Value>| -> Result<Value> {
        match v {
            Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => Ok(v.clone()),
            _ => Err(bad(&vpath, "is text, a number or true/false")),
        }
    };
    let test = match op {
        "eq" => ContextTest::Eq(scalar(value)?),
        "ne" => ContextTest::Ne(scalar(value)?),
        "lt" | "lte" | "gt" | "gte" => {
            let v = match value {
                Some(v @ (Value::String(_) | Value::Number(_))) => v.clone(),
                _ => return Err(bad(&vpath, "is text or a number to compare with")),
            };
            match op {
                "lt" => ContextTest::Lt(v),
                "lte" => ContextTest::Lte(v),
                "gt" => ContextTest::Gt(v),
                _ => ContextTest::Gte(v),
            }
        }
        "in" => {
            let Some(items) = value.and_then(Value::as_array).filter(|a| !a.is_empty() && a.len() <= MAX_IN) else {
                return Err(bad(&vpath, format!("is a list of 1 to {MAX_IN} values")));
            };
            ContextTest::In(items.iter().map(|i| scalar(Some(i))).collect::<Result<_>>()?)
        }
        "contains" => match value.and_then(Value::as_str) {
            Some(s) if !s.is_empty() => ContextTest::Contains(s.to_lowercase()),
            _ => return Err(bad(&vpath, "is the text to look for")),
        },
        "exists" => match value {
            None => ContextTest::Exists(true),
            Some(Value::Bool(b)) => ContextTest::Exists(*b),
            Some(_) => return Err(bad(&vpath, "is true or false")),
        },
        _ => return Err(bad(&format!("{path}.op"), "is one of eq, ne, lt, lte, gt, gte, in, contains, exists")),
    };
    Ok(test)
}

/// Compares two JSON scalars: numbers as numbers, text as text, else unordered.
fn order(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn same(a: &Value, b: &Value) -> bool {
    order(a, b).map_or(a == b, |o| o == std::cmp::Ordering::Equal)
}

impl ContextTest {
    /// Whether `v` (None: the context has no such value) passes.
    pub fn holds(&self, v: Option<&Value>) -> bool {
        use std::cmp::Ordering::*;
        let v = v.filter(|v| !v.is_null());
        match (self, v) {
            (ContextTest::Exists(want), v) => v.is_some() == *want,
            (_, None) => matches!(self, ContextTest::Ne(_)),
            (ContextTest::Eq(w), Some(v)) => same(v, w),
            (ContextTest::Ne(w), Some(v)) => !same(v, w),
            (ContextTest::Lt(w), Some(v)) => order(v, w) == Some(Less),
            (ContextTest::Lte(w), Some(v)) => matches!(order(v, w), Some(Less | Equal)),
            (ContextTest::Gt(w), Some(v)) => order(v, w) == Some(Greater),
            (ContextTest::Gte(w), Some(v)) => matches!(order(v, w), Some(Greater | Equal)),
            (ContextTest::In(ws), Some(v)) => ws.iter().any(|w| same(v, w)),
            (ContextTest::Contains(s), Some(Value::String(t))) => t.to_lowercase().contains(s.as_str()),
            (ContextTest::Contains(s), Some(Value::Array(items))) => {
                items.iter().any(|i| i.as_str().is_some_and(|t| t.to_lowercase() == *s))
            }
            (ContextTest::Contains(_), Some(_)) => false,
        }
    }
}

impl Eligibility {
    /// Whether the expression holds for a request's `context`, given `contact(raw)`,
    /// the answer of each of the contact's tests (an anonymous visitor fails them all).
    pub fn holds(&self, context: &Value, contact: &mut impl FnMut(&Value) -> bool) -> bool {
        match self {
            Eligibility::All(parts) => parts.iter().all(|p| p.holds(context, contact)),
            Eligibility::Any(parts) => parts.iter().any(|p| p.holds(context, contact)),
            Eligibility::Not(inner) => !inner.holds(context, contact),
            Eligibility::Context { name, test } => test.holds(context.get(name.as_str())),
            Eligibility::Contact { raw, .. } => contact(raw),
        }
    }

    /// The contact tests inside, as written, in order.
    pub fn contact_rules(&self) -> Vec<&Value> {
        match self {
            Eligibility::All(parts) | Eligibility::Any(parts) => {
                parts.iter().flat_map(Eligibility::contact_rules).collect()
            }
            Eligibility::Not(inner) => inner.contact_rules(),
            Eligibility::Context { .. } => Vec::new(),
            Eligibility::Contact { raw, .. } => vec![raw],
        }
    }
}
