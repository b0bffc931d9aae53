//! The segment rule language: JSON as clients write it, checked into a typed [`Rule`].
//!
//! ```text
//! rule := {"all": [rule, …]} | {"any": [rule, …]} | {"not": rule}
//!       | {"attribute": NAME, "op": OP, "value": V}
//!       | {"event": TYPE, "within": ISO-8601 duration, "count": {"op": OP, "value": N},
//!          "where": [{"property": NAME, "op": OP, "value": V}, …]}
//!       | {"consent": CHANNEL} | {"inSegment": SEGMENT_ID}
//! ```
//!
//! Every error names the part of the rule that is wrong as a path from `rule`
//! (`rule.all[1].op`). Rules arrive already parsed (a GraphQL `JSON` value), so the
//! walk checks the depth before it descends: a rule nested a thousand deep is refused
//! at level [`MAX_DEPTH`], never by running out of stack.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

use crate::contacts::{Channel, fields, identity};
use crate::{AttributeKind, ContactField, Error, Result, SegmentId};

/// Deepest nesting of rules accepted.
pub const MAX_DEPTH: usize = 20;
/// Most conditions (every rule object counts) in one rule.
pub const MAX_NODES: usize = 500;
/// Most values an `in` list holds.
pub const MAX_IN: usize = 100;

/// A checked rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Every rule holds.
    All(Vec<Rule>),
    /// At least one rule holds.
    Any(Vec<Rule>),
    /// The rule does not hold.
    Not(Box<Rule>),
    /// A test of one of the contact's fields.
    Attribute(AttributeRule),
    /// How many events of a type the contact had.
    Event(EventRule),
    /// The contact's consent on the channel is granted.
    Consent(Channel),
    /// The contact is in another saved segment.
    InSegment(SegmentRef),
}

/// A segment a rule refers to, with where in the rule it is named (for errors found
/// once the segment is read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRef {
    pub id: SegmentId,
    pub path: String,
}

/// A test of one field of the contact.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeRule {
    pub field: Field,
    pub test: Test,
}

/// A field rules can test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// One of the contact's own text fields.
    Own(OwnText),
    /// When the contact was added.
    CreatedAt,
    /// The contact's tags.
    Tags,
    /// A custom field (its key is `[a-z][a-z0-9_]*`) of the given type.
    Custom { key: String, kind: AttributeKind },
}

/// The contact's own text fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnText {
    Email,
    Phone,
    ExternalId,
    FirstName,
    LastName,
    TimeZone,
}

/// What a field is compared as, which decides the operators it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Text,
    Choice,
    Number,
    Money,
    Date,
    Time,
    Bool,
    List,
}

impl Field {
    /// How the field compares.
    pub fn shape(&self) -> Shape {
        use AttributeKind as K;
        match self {
            Field::Own(_) => Shape::Text,
            Field::CreatedAt => Shape::Time,
            Field::Tags => Shape::List,
            Field::Custom { kind, .. } => match kind {
                K::String => Shape::Text,
                K::Enum => Shape::Choice,
                K::Number => Shape::Number,
                K::Money => Shape::Money,
                K::Date => Shape::Date,
                K::Boolean => Shape::Bool,
                K::List => Shape::List,
            },
        }
    }
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
}

/// An operator as written in a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Cmp(Cmp),
    In,
    Contains,
    Exists,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "eq" => Op::Cmp(Cmp::Eq),
            "ne" => Op::Cmp(Cmp::Ne),
            "lt" => Op::Cmp(Cmp::Lt),
            "lte" => Op::Cmp(Cmp::Lte),
            "gt" => Op::Cmp(Cmp::Gt),
            "gte" => Op::Cmp(Cmp::Gte),
            "in" => Op::In,
            "contains" => Op::Contains,
            "exists" => Op::Exists,
            _ => return None,
        })
    }
}

/// What a test asks of a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// Compared with this value.
    Cmp(Cmp, Scalar),
    /// One of these values.
    In(Vec<Scalar>),
    /// Text holding this (without case), or a list holding this item (without case).
    Contains(String),
    /// Has a value (or has none).
    Exists(bool),
}

/// A value a field is compared with, in the form the database compares.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Time(DateTime<Utc>),
}

/// How many events of a type, in a window, with property conditions.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRule {
    pub kind: String,
    /// Only events this long before now (none: all time).
    pub within: Option<Period>,
    /// The count compared with a number (default: at least one).
    pub count: (Cmp, i64),
    pub conditions: Vec<PropertyTest>,
}

/// A test of one property of an event.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyTest {
    /// `[A-Za-z_][A-Za-z0-9_]*`, at most 64 characters.
    pub name: String,
    pub test: Test,
}

/// An ISO-8601 duration: calendar months (years are twelve), then days and seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub months: u32,
    pub days: u32,
    pub seconds: u32,
}

impl Period {
    /// The time this long before `now` (the earliest time when it reaches too far).
    pub fn before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let t = now.checked_sub_months(chrono::Months::new(self.months)).unwrap_or(DateTime::<Utc>::MIN_UTC);
        let back = chrono::Duration::days(i64::from(self.days)) + chrono::Duration::seconds(i64::from(self.seconds));
        t.checked_sub_signed(back).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

impl Rule {
    /// The segments the rule refers to.
    pub fn segments(&self) -> Vec<&SegmentRef> {
        let mut out = Vec::new();
        let mut todo = vec![self];
        while let Some(r) = todo.pop() {
            match r {
                Rule::All(rs) | Rule::Any(rs) => todo.extend(rs),
                Rule::Not(r) => todo.push(r),
                Rule::InSegment(s) => out.push(s),
                _ => {}
            }
        }
        out
    }

    /// How many rule objects it holds.
    pub fn size(&self) -> usize {
        match self {
            Rule::All(rs) | Rule::Any(rs) => 1 + rs.iter().map(Rule::size).sum::<usize>(),
            Rule::Not(r) => 1 + r.size(),
            _ => 1,
        }
    }
}

/// A segment named in a rule: by its ID as the API shows it (the opaque global ID of a
/// `Segment`) or by its bare UUID. Rules are stored as written, and the web app and
/// API clients hold global IDs, so both forms are read.
pub fn segment_ref(raw: &str) -> Option<SegmentId> {
    crate::validate::id_ref(raw)
}

/// Checks `rule` against the workspace's contact `fields`. Errors are `Invalid` naming
/// the wrong part as a path from `rule`.
pub fn parse(rule: &Value, fields: &[ContactField]) -> Result<Rule> {
    let mut p = Parser { fields, nodes: 0 };
    p.rule(rule, "rule", 1)
}

struct Parser<'a> {
    fields: &'a [ContactField],
    nodes: usize,
}

/// The names that choose a rule's form.
const FORMS: [&str; 7] = ["all", "any", "not", "attribute", "event", "consent", "inSegment"];

fn bad(path: &str, message: impl Into<String>) -> Error {
    Error::invalid(path, message)
}

/// The keys of `o` other than `allowed` are refused, naming the first.
fn only(o: &Map<String, Value>, path: &str, allowed: &[&str]) -> Result<()> {
    match o.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => {
            Err(bad(&format!("{path}.{k}"), format!("unknown key {k} (this rule takes {})", allowed.join(", "))))
        }
        None => Ok(()),
    }
}

fn text<'v>(v: Option<&'v Value>, path: &str) -> Result<&'v str> {
    match v.and_then(Value::as_str).map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s),
        Some(_) => Err(bad(path, "must not be empty")),
        None => Err(bad(path, "must be text")),
    }
}

impl Parser<'_> {
    fn rule(&mut self, v: &Value, path: &str, depth: usize) -> Result<Rule> {
        if depth > MAX_DEPTH {
            return Err(bad(path, format!("rules may be nested at most {MAX_DEPTH} deep")));
        }
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(bad(path, format!("a rule holds at most {MAX_NODES} conditions")));
        }
        let Some(o) = v.as_object() else {
            return Err(bad(
                path,
                "must be an object, like {\"all\": [...]} or {\"attribute\": ..., \"op\": ..., \"value\": ...}",
            ));
        };
        let forms: Vec<&str> = FORMS.into_iter().filter(|f| o.contains_key(*f)).collect();
        match forms.as_slice() {
            ["all"] => self.group(o, "all", path, depth).map(Rule::All),
            ["any"] => self.group(o, "any", path, depth).map(Rule::Any),
            ["not"] => {
                only(o, path, &["not"])?;
                let inner = o.get("not").unwrap_or(&Value::Null);
                Ok(Rule::Not(Box::new(self.rule(inner, &format!("{path}.not"), depth + 1)?)))
            }
            ["attribute"] => self.attribute(o, path).map(Rule::Attribute),
            ["event"] => self.event(o, path).map(Rule::Event),
            ["consent"] => {
                only(o, path, &["consent"])?;
                let p = format!("{path}.consent");
                let c = text(o.get("consent"), &p)?.to_uppercase();
                let ch = Channel::CONSENTED.into_iter().find(|ch| ch.as_str() == c);
                ch.map(Rule::Consent)
                    .ok_or_else(|| bad(&p, format!("unknown channel {c} (EMAIL, SMS, MAIL, PHONE, MESSAGING)")))
            }
            ["inSegment"] => {
                only(o, path, &["inSegment"])?;
                let p = format!("{path}.inSegment");
                let id = segment_ref(text(o.get("inSegment"), &p)?).ok_or_else(|| bad(&p, "is not a segment ID"))?;
                Ok(Rule::InSegment(SegmentRef { id, path: p }))
            }
            [] => match o.keys().next() {
                Some(k) => {
                    Err(bad(&format!("{path}.{k}"), format!("unknown key {k} (a rule is one of {})", FORMS.join(", "))))
                }
                None => Err(bad(path, format!("must be one of {}", FORMS.join(", ")))),
            },
            many => Err(bad(path, format!("give one of {}, not several", many.join(", ")))),
        }
    }

    fn group(&mut self, o: &Map<String, Value>, key: &str, path: &str, depth: usize) -> Result<Vec<Rule>> {
        only(o, path, &[key])?;
        let p = format!("{path}.{key}");
        let items = o.get(key).and_then(Value::as_array).ok_or_else(|| bad(&p, "must be a list of rules"))?;
        if items.is_empty() {
            return Err(bad(&p, "must hold at least one rule"));
        }
        items.iter().enumerate().map(|(i, r)| self.rule(r, &format!("{p}[{i}]"), depth + 1)).collect()
    }

    fn field(&self, name: &str, path: &str) -> Result<Field> {
        Ok(match name {
            "email" => Field::Own(OwnText::Email),
            "phone" => Field::Own(OwnText::Phone),
            "externalId" => Field::Own(OwnText::ExternalId),
            "firstName" => Field::Own(OwnText::FirstName),
            "lastName" => Field::Own(OwnText::LastName),
            "timeZone" => Field::Own(OwnText::TimeZone),
            "createdAt" => Field::CreatedAt,
            "tags" => Field::Tags,
            key => match self.fields.iter().find(|d| d.key == key).filter(|_| is_key(key)) {
                Some(d) => Field::Custom { key: d.key.clone(), kind: d.kind },
                None => return Err(bad(path, format!("unknown attribute {key}"))),
            },
        })
    }

    fn attribute(&self, o: &Map<String, Value>, path: &str) -> Result<AttributeRule> {
        only(o, path, &["attribute", "op", "value"])?;
        let field =
            self.field(text(o.get("attribute"), &format!("{path}.attribute"))?, &format!("{path}.attribute"))?;
        let op_path = format!("{path}.op");
        let op_name = text(o.get("op"), &op_path)?;
        let op = Op::parse(op_name).ok_or_else(|| bad(&op_path, format!("unknown op {op_name}")))?;
        let shape = field.shape();
        let allowed = ops_for(shape);
        if !allowed.contains(&op_name) {
            return Err(bad(
                &op_path,
                format!("{op_name} does not apply to {} (use {})", shape_name(&field), allowed.join(", ")),
            ));
        }
        let vp = format!("{path}.value");
        let value = o.get("value");
        let test = match op {
            Op::Exists => Test::Exists(exists(value, &vp)?),
            Op::Contains => Test::Contains(contains(&field, value, &vp)?),
            Op::Cmp(c) => Test::Cmp(c, self.scalar(&field, value.unwrap_or(&Value::Null), &vp)?),
            Op::In => {
                let items = in_list(value, &vp)?;
                Test::In(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| self.scalar(&field, v, &format!("{vp}[{i}]")))
                        .collect::<Result<_>>()?,
                )
            }
        };
        Ok(AttributeRule { field, test })
    }

    /// The value `v` given for `field`, in the form the database compares.
    fn scalar(&self, field: &Field, v: &Value, path: &str) -> Result<Scalar> {
        if v.is_null() {
            return Err(bad(path, "is missing"));
        }
        match field {
            Field::Own(own) => {
                let s = text(Some(v), path)?;
                Ok(Scalar::Text(match own {
                    OwnText::Email => identity::email(path, s)?,
                    OwnText::Phone => identity::phone(path, s)?,
                    _ => s.to_owned(),
                }))
            }
            Field::CreatedAt => time(v, path).map(Scalar::Time),
            Field::Tags => Err(bad(path, "tags are tested with contains")),
            Field::Custom { key, .. } => {
                let def = self.fields.iter().find(|d| &d.key == key).ok_or_else(|| bad(path, "unknown attribute"))?;
                let stored = fields::value(def, v).map_err(|m| bad(path, m))?;
                stored_scalar(def.kind, &stored).ok_or_else(|| bad(path, "cannot be compared"))
            }
        }
    }

    fn event(&mut self, o: &Map<String, Value>, path: &str) -> Result<EventRule> {
        only(o, path, &["event", "within", "count", "where"])?;
        let kp = format!("{path}.event");
        let kind = text(o.get("event"), &kp)?;
        let kind_ok = kind.len() <= 64 && kind.chars().all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c));
        if !kind_ok {
            return Err(bad(&kp, "must be an event type: up to 64 letters, digits and _ . : -"));
        }
        let within = match o.get("within") {
            None | Some(Value::Null) => None,
            Some(w) => {
                let wp = format!("{path}.within");
                Some(
                    period(text(Some(w), &wp)?)
                        .ok_or_else(|| bad(&wp, "must be an ISO-8601 duration like P30D, PT12H or P1W"))?,
                )
            }
        };
        let count = match o.get("count") {
            None | Some(Value::Null) => (Cmp::Gte, 1),
            Some(c) => count(c, &format!("{path}.count"))?,
        };
        let conditions = match o.get("where") {
            None | Some(Value::Null) => Vec::new(),
            Some(w) => {
                let wp = format!("{path}.where");
                let items = w.as_array().ok_or_else(|| bad(&wp, "must be a list of property conditions"))?;
                if items.len() > 50 {
                    return Err(bad(&wp, "holds at most 50 conditions"));
                }
                self.nodes += items.len();
                if self.nodes > MAX_NODES {
                    return Err(bad(&wp, format!("a rule holds at most {MAX_NODES} conditions")));
                }
                items.iter().enumerate().map(|(i, c)| property(c, &format!("{wp}[{i}]"))).collect::<Result<_>>()?
            }
        };
        Ok(EventRule { kind: kind.to_owned(), within, count, conditions })
    }
}

/// Whether `k` is a custom field key, safe to write into a JSON path.
pub(crate) fn is_key(k: &str) -> bool {
    k.len() <= 63
        && k.starts_with(|c: char| c.is_ascii_lowercase())
        && k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Whether `k` is an event property name rules may test, safe to write into a JSON path.
pub(crate) fn is_property(k: &str) -> bool {
    k.len() <= 64
        && k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn ops_for(shape: Shape) -> &'static [&'static str] {
    match shape {
        Shape::Text => &["eq", "ne", "in", "contains", "exists"],
        Shape::Choice => &["eq", "ne", "in", "exists"],
        Shape::Number | Shape::Money | Shape::Date => &["eq", "ne", "lt", "lte", "gt", "gte", "in", "exists"],
        Shape::Time => &["lt", "lte", "gt", "gte", "exists"],
        Shape::Bool => &["eq", "ne", "exists"],
        Shape::List => &["contains", "exists"],
    }
}

fn shape_name(f: &Field) -> String {
    match f {
        Field::Own(_) => "text".into(),
        Field::CreatedAt => "a time".into(),
        Field::Tags => "tags".into(),
        Field::Custom { kind, .. } => {
            serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
        }
    }
}

fn exists(v: Option<&Value>, path: &str) -> Result<bool> {
    match v {
        None | Some(Value::Null) => Ok(true),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(bad(path, "must be true or false")),
    }
}

fn contains(field: &Field, v: Option<&Value>, path: &str) -> Result<String> {
    let s = text(v, path)?;
    if s.chars().count() > 200 {
        return Err(bad(path, "must be at most 200 characters"));
    }
    match field {
        Field::Tags => Ok(identity::tags(path, &[s.to_owned()])?.concat()),
        _ => Ok(s.to_owned()),
    }
}

fn in_list<'v>(v: Option<&'v Value>, path: &str) -> Result<&'v Vec<Value>> {
    let items = v.and_then(Value::as_array).ok_or_else(|| bad(path, "must be a list of values"))?;
    match items.len() {
        0 => Err(bad(path, "must hold at least one value")),
        n if n > MAX_IN => Err(bad(path, format!("holds at most {MAX_IN} values"))),
        _ => Ok(items),
    }
}

/// A time given as RFC 3339 or a date (its midnight UTC).
fn time(v: &Value, path: &str) -> Result<DateTime<Utc>> {
    let s = text(Some(v), path)?;
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| bad(path, "must be a time (RFC 3339) or a date (YYYY-MM-DD)"))
}

/// The comparable part of a stored value of a field of `kind`.
fn stored_scalar(kind: AttributeKind, v: &Value) -> Option<Scalar> {
    use AttributeKind as K;
    match kind {
        K::Number => number(v),
        K::Money => v.get("amount").and_then(Value::as_i64).map(Scalar::Int),
        K::Boolean => v.as_bool().map(Scalar::Bool),
        K::String | K::Enum | K::Date => v.as_str().map(|s| Scalar::Text(s.to_owned())),
        K::List => None,
    }
}

fn number(v: &Value) -> Option<Scalar> {
    match v.as_i64() {
        Some(i) => Some(Scalar::Int(i)),
        None => v.as_f64().filter(|f| f.is_finite()).map(Scalar::Float),
    }
}

fn count(v: &Value, path: &str) -> Result<(Cmp, i64)> {
    let o = v.as_object().ok_or_else(|| bad(path, "must be {\"op\": ..., \"value\": N}"))?;
    only(o, path, &["op", "value"])?;
    let op_path = format!("{path}.op");
    let op = match Op::parse(text(o.get("op"), &op_path)?) {
        Some(Op::Cmp(c)) => c,
        _ => return Err(bad(&op_path, "must be one of eq, ne, lt, lte, gt, gte")),
    };
    let vp = format!("{path}.value");
    let n = o.get("value").and_then(Value::as_i64).filter(|n| (0..=1_000_000).contains(n));
    Ok((op, n.ok_or_else(|| bad(&vp, "must be a whole number from 0 to 1000000"))?))
}

fn property(v: &Value, path: &str) -> Result<PropertyTest> {
    let o = v.as_object().ok_or_else(|| bad(path, "must be {\"property\": ..., \"op\": ..., \"value\": ...}"))?;
    only(o, path, &["property", "op", "value"])?;
    let np = format!("{path}.property");
    let name = text(o.get("property"), &np)?;
    if !is_property(name) {
        return Err(bad(&np, "must be a property name: letters, digits and _, up to 64"));
    }
    let op_path = format!("{path}.op");
    let op_name = text(o.get("op"), &op_path)?;
    let op = Op::parse(op_name).ok_or_else(|| bad(&op_path, format!("unknown op {op_name}")))?;
    let vp = format!("{path}.value");
    let value = o.get("value");
    let test = match op {
        Op::Exists => Test::Exists(exists(value, &vp)?),
        Op::Contains => Test::Contains(text(value, &vp)?.to_owned()),
        Op::Cmp(c) => {
            let s = property_value(value.unwrap_or(&Value::Null), &vp)?;
            if matches!(s, Scalar::Bool(_)) && !matches!(c, Cmp::Eq | Cmp::Ne) {
                return Err(bad(&op_path, format!("{op_name} does not apply to true or false (use eq, ne)")));
            }
            Test::Cmp(c, s)
        }
        Op::In => {
            let items = in_list(value, &vp)?;
            let all: Vec<Scalar> = items
                .iter()
                .enumerate()
                .map(|(i, v)| property_value(v, &format!("{vp}[{i}]")))
                .collect::<Result<_>>()?;
            let same = all.iter().all(|s| std::mem::discriminant(s) == std::mem::discriminant(&all[0]))
                || all.iter().all(|s| matches!(s, Scalar::Int(_) | Scalar::Float(_)));
            if !same {
                return Err(bad(&vp, "values must all be texts, all numbers or all true/false"));
            }
            Test::In(all)
        }
    };
    Ok(PropertyTest { name: name.to_owned(), test })
}

/// A property value: its JSON type decides how the property is compared.
fn property_value(v: &Value, path: &str) -> Result<Scalar> {
    match v {
        Value::String(s) => Ok(Scalar::Text(s.clone())),
        Value::Bool(b) => Ok(Scalar::Bool(*b)),
        Value::Number(_) => number(v).ok_or_else(|| bad(path, "must be a finite number")),
        _ => Err(bad(path, "must be text, a number or true/false")),
    }
}

/// An ISO-8601 duration (`P30D`, `PT1H`, `P1W`, `P1Y2M3DT4H5M6S`), whole numbers only.
pub fn period(s: &str) -> Option<Period> {
    let rest = s.trim().strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut p = Period { months: 0, days: 0, seconds: 0 };
    let mut any = false;
    for (n, unit) in units(date)? {
        any = true;
        match unit {
            'Y' => p.months = p.months.checked_add(n.checked_mul(12)?)?,
            'M' => p.months = p.months.checked_add(n)?,
            'W' => p.days = p.days.checked_add(n.checked_mul(7)?)?,
            'D' => p.days = p.days.checked_add(n)?,
            _ => return None,
        }
    }
    for (n, unit) in units(time.unwrap_or(""))? {
        any = true;
        let secs = match unit {
            'H' => n.checked_mul(3600)?,
            'M' => n.checked_mul(60)?,
            'S' => n,
            _ => return None,
        };
        p.seconds = p.seconds.checked_add(secs)?;
    }
    // A hundred years reaches past any history; more is a typo.
    let fits = p.months <= 1200 && p.days <= 36_600 && p.seconds <= 36_600 * 86_400 / 10;
    (any && fits).then_some(p)
}

/// `12D3H` → [(12, 'D'), (3, 'H')]; `None` when malformed.
fn units(s: &str) -> Option<Vec<(u32, char)>> {
    let mut out = Vec::new();
    let mut n = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            n.push(c);
        } else {
            if n.is_empty() || n.len() > 9 {
                return None;
            }
            out.push((n.parse().ok()?, c));
            n.clear();
        }
    }
    n.is_empty().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn field(key: &str, kind: AttributeKind) -> ContactField {
        ContactField {
            tenant_id: uuid::Uuid::nil().into(),
            id: uuid::Uuid::nil().into(),
            key: key.into(),
            label: key.into(),
            kind,
            options: json!(["Gold", "Silver"]),
            currency: Some("EUR".into()),
            created_at: crate::now(),
        }
    }

    fn defs() -> Vec<ContactField> {
        use AttributeKind as K;
        vec![
            field("visit", K::Number),
            field("vip", K::Boolean),
            field("spend", K::Money),
            field("birthday", K::Date),
            field("tier", K::Enum),
            field("city", K::String),
            field("likes", K::List),
        ]
    }

    fn err_field(rule: Value) -> String {
        match parse(&rule, &defs()) {
            Err(Error::Invalid { field, .. }) => field,
            other => format!("{rule} was not refused with a path: {other:?}"),
        }
    }

    fn custom(key: &str, kind: AttributeKind, test: Test) -> Rule {
        Rule::Attribute(AttributeRule { field: Field::Custom { key: key.into(), kind }, test })
    }

    #[test]
    fn values_are_read_with_the_fields_type() {
        use AttributeKind as K;
        let parsed = |v: Value| parse(&v, &defs()).unwrap();
        assert_eq!(
            parsed(json!({"attribute": "visit", "op": "eq", "value": "1"})),
            custom("visit", K::Number, Test::Cmp(Cmp::Eq, Scalar::Int(1)))
        );
        assert_eq!(
            parsed(json!({"attribute": "spend", "op": "gte", "value": "12.50"})),
            custom("spend", K::Money, Test::Cmp(Cmp::Gte, Scalar::Int(1250)))
        );
        assert_eq!(
            parsed(json!({"attribute": "email", "op": "in", "value": ["A@Example.com"]})),
            Rule::Attribute(AttributeRule {
                field: Field::Own(OwnText::Email),
                test: Test::In(vec![Scalar::Text("a@example.com".into())])
            })
        );
        assert_eq!(
            parsed(json!({"event": "purchase", "within": "P1W", "count": {"op": "eq", "value": 0}})),
            Rule::Event(EventRule {
                kind: "purchase".into(),
                within: Some(Period { months: 0, days: 7, seconds: 0 }),
                count: (Cmp::Eq, 0),
                conditions: vec![],
            })
        );
    }

    #[test]
    fn errors_name_the_wrong_part_as_a_path() {
        let ok = json!({"attribute": "visit", "op": "eq", "value": 1});
        for (rule, want) in [
            (json!({"any": [{"attribute": "nope", "op": "eq", "value": 1}]}), "rule.any[0].attribute"),
            (json!({"all": [ok, {"attribute": "vip", "op": "lt", "value": true}]}), "rule.all[1].op"),
            (json!({"all": [ok, {"attribute": "visit", "op": "bigger", "value": 1}]}), "rule.all[1].op"),
            (json!({"not": {"attribute": "birthday", "op": "gt", "value": "2023-02-30"}}), "rule.not.value"),
            (json!({"attribute": "tier", "op": "in", "value": ["Gold", "Bronze"]}), "rule.value[1]"),
            (json!({"all": []}), "rule.all"),
            (json!({"all": [ok], "colour": 1}), "rule.colour"),
            (json!({"colour": 1}), "rule.colour"),
            (json!({"all": [ok], "any": [ok]}), "rule"),
            (json!([ok]), "rule"),
            (json!({"consent": "FAX"}), "rule.consent"),
            (json!({"event": "x", "within": "30 days"}), "rule.within"),
            (json!({"event": "x", "count": {"op": "gte", "value": -1}}), "rule.count.value"),
            (json!({"event": "x", "where": [{"property": "a.b", "op": "eq", "value": 1}]}), "rule.where[0].property"),
            (json!({"event": "x", "where": [{"property": "ok", "op": "gt", "value": true}]}), "rule.where[0].op"),
            (json!({"inSegment": "nope"}), "rule.inSegment"),
            (json!({"attribute": "likes", "op": "eq", "value": "x"}), "rule.op"),
            (json!({"attribute": "createdAt", "op": "gte", "value": "yesterday"}), "rule.value"),
        ] {
            assert_eq!(err_field(rule.clone()), want, "{rule}");
        }
    }

    #[test]
    fn deep_and_wide_rules_are_refused_before_they_are_walked() {
        let mut deep = json!({"attribute": "visit", "op": "exists"});
        for _ in 0..1_000 {
            deep = json!({ "not": deep });
        }
        let want = format!("rule{}", ".not".repeat(MAX_DEPTH));
        assert_eq!(err_field(deep), want);
        let mut all = json!({"attribute": "visit", "op": "exists"});
        for _ in 0..1_000 {
            all = json!({ "all": [all] });
        }
        assert!(err_field(all).starts_with("rule.all[0].all[0]"));
        let wide = json!({ "any": vec![json!({"consent": "EMAIL"}); MAX_NODES + 1] });
        assert_eq!(err_field(wide), format!("rule.any[{}]", MAX_NODES - 1));
    }

    #[test]
    fn durations_and_segment_ids_are_read() {
        assert_eq!(period("P30D"), Some(Period { months: 0, days: 30, seconds: 0 }));
        assert_eq!(period("PT1H30M"), Some(Period { months: 0, days: 0, seconds: 5400 }));
        assert_eq!(period("P1Y2M"), Some(Period { months: 14, days: 0, seconds: 0 }));
        for bad in ["", "P", "PT", "30D", "P1.5D", "P-1D", "P1X", "P999999999999D", "P1DT"] {
            assert_eq!(period(bad), None, "{bad}");
        }
        let u = uuid::Uuid::now_v7();
        use base64::Engine;
        let global = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("Segment:{u}"));
        assert_eq!(segment_ref(&global), Some(u.into()));
        assert_eq!(segment_ref(&u.to_string()), Some(u.into()));
        let contact = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("Contact:{u}"));
        assert_eq!(segment_ref(&contact), None);
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let names = prop_oneof![
            Just("all"),
            Just("any"),
            Just("not"),
            Just("attribute"),
            Just("op"),
            Just("value"),
            Just("event"),
            Just("within"),
            Just("count"),
            Just("where"),
            Just("property"),
            Just("consent"),
            Just("inSegment"),
            Just("visit"),
            Just("vip"),
            Just("spend"),
            Just("tags"),
            Just("email"),
            Just("eq"),
            Just("lt"),
            Just("in"),
            Just("contains"),
            Just("exists"),
            Just("P1D"),
            Just("EMAIL"),
            Just("zzz")
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            names.clone().prop_map(|s| json!(s)),
            ".{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(24, 256, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((names.clone(), inner), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
            ]
        })
    }

    proptest! {
        /// Any JSON either parses into a rule no bigger than the limits or is refused
        /// with a path from `rule`; nothing panics.
        #[test]
        fn random_rules_parse_or_are_refused(v in any_json()) {
            match parse(&v, &defs()) {
                Ok(r) => prop_assert!(r.size() <= MAX_NODES),
                Err(Error::Invalid { field, .. }) => prop_assert!(field.starts_with("rule"), "{}", field),
                Err(e) => prop_assert!(false, "{e:?}"),
            }
        }
    }
}
