//! A journey's definition, as JSON:
//!
//! ```json
//! {"entry": {"trigger": RULE_ID} | {"segment": SEGMENT_ID} | {"manual": true},
//!  "reentry": {"mode": "never"} | {"mode": "after", "days": 30} | {"mode": "always"},
//!  "goal": {"event": "purchase"},
//!  "start": "welcome",
//!  "steps": [
//!    {"id": "welcome", "kind": "wait", "duration": "PT1H", "next": "bought"},
//!    {"id": "morning", "kind": "wait", "until": "09:00", "next": "bought"},
//!    {"id": "bought", "kind": "waitFor", "event": "purchase", "timeout": "P3D",
//!     "next": "vip", "timeoutNext": "split"},
//!    {"id": "vip", "kind": "branch", "condition": SEGMENT_RULE, "yes": "tag", "no": "done"},
//!    {"id": "split", "kind": "split", "paths": [{"percent": 50, "next": "tag"}, {"percent": 50}]},
//!    {"id": "tag", "kind": "updateAttribute", "field": "tier", "value": "gold", "next": "list"},
//!    {"id": "list", "kind": "addToList", "list": LIST_ID, "next": "mail"},
//!    {"id": "mail", "kind": "email", "template": TEMPLATE_ID, "domain": SENDING_DOMAIN_ID,
//!     "fromAddress": "news@shop.example", "fromName": "The shop"},
//!    {"id": "done", "kind": "exit"}]}
//! ```
//!
//! A step with no next step ends the journey there (the contact completes it); an
//! `exit` step takes the contact out. [`parse`] checks the form (each error names its
//! path); [`check_graph`] what publishing needs besides: every step named exists and
//! is reachable from the start, and no loop runs without a wait.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use crate::{
    EmailTemplateId, Error, InteractionPointId, Result, SegmentId, SendingDomainId, TriggerRuleId, UserId, validate,
};

/// What enrols contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Each firing of a trigger rule.
    Trigger(TriggerRuleId),
    /// Each contact coming into a segment (through a trigger rule on its entries, made
    /// when the journey is published).
    Segment(SegmentId),
    /// Only `enrolContact` (a person or the API).
    Manual,
}

impl Entry {
    pub fn kind(&self) -> &'static str {
        match self {
            Entry::Trigger(_) => "TRIGGER",
            Entry::Segment(_) => "SEGMENT",
            Entry::Manual => "MANUAL",
        }
    }
}

/// Whether a contact may enter again after an earlier entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reentry {
    /// Once only.
    Never,
    /// Again once this many days passed since its last entry.
    AfterDays(i64),
    /// Again whenever its last entry is finished.
    Always,
}

/// The event a decide step's job appends to the contact's timeline once the engine
/// answered: what wakes the contact waiting at the step.
pub const DECIDED_EVENT: &str = "journey_decided";
/// How long a contact waits at a decide step for the answer.
pub const DECIDE_TIMEOUT_SECS: i64 = 60;

/// What the last email of a journey may have had back (`branch` on
/// `{"lastResponse": …}`): `NONE` is sent and neither opened nor clicked, or not sent.
pub const RESPONSES: [&str; 6] = ["OPENED", "CLICKED", "BOUNCED", "UNSUBSCRIBED", "COMPLAINED", "NONE"];

/// The response a branch on the last email asks for, if it is one.
pub fn last_response(condition: &Value) -> Option<&str> {
    condition.get("lastResponse").and_then(Value::as_str)
}

/// What a step does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Waits a duration, or until the next time of day (hour, minute) in the contact's
    /// zone.
    Wait { secs: Option<i64>, until: Option<(u32, u32)> },
    /// Waits for an event: `next` when it comes, `timeout_next` when `timeout_secs`
    /// passed without it.
    WaitFor { event: String, timeout_secs: i64, timeout_next: Option<String> },
    /// `yes` when the contact matches the segment rule `condition`, else `no`.
    Branch { condition: Value, yes: Option<String>, no: Option<String> },
    /// A random path, by percentages summing to 100.
    Split { paths: Vec<(u32, Option<String>)> },
    /// Writes a contact field.
    UpdateAttribute { field: String, value: Value },
    /// Puts the contact on a static list.
    AddToList { list: SegmentId },
    /// Sends an email template through the step's own campaign (the campaigns' consent,
    /// suppressions, caps, quiet hours and delivery apply).
    Email { template: EmailTemplateId, domain: SendingDomainId, from: String, from_name: String },
    /// Tells a workspace member by email (`message` with the contact and the journey).
    Notify { user: UserId, message: String },
    /// Asks the decisioning engine for the contact's best offer at an interaction point
    /// (by a job written with the move; the contact waits for the answer, a minute at
    /// most), writing the offer's code to the contact field `save_to` when given.
    Decide { point: InteractionPointId, save_to: Option<String> },
    /// Posts the contact and the step to `url` (signed with the journey's secret), by a
    /// job written with the move.
    Webhook { url: String },
    /// Captures the contact as a lead (or finds its open one), adding `points` to its
    /// behaviour score when given.
    Lead { points: Option<i64>, reason: String },
    /// Takes the contact out of the journey.
    Exit,
}

impl Action {
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Wait { .. } => "wait",
            Action::WaitFor { .. } => "waitFor",
            Action::Branch { .. } => "branch",
            Action::Split { .. } => "split",
            Action::UpdateAttribute { .. } => "updateAttribute",
            Action::AddToList { .. } => "addToList",
            Action::Email { .. } => "email",
            Action::Notify { .. } => "notify",
            Action::Lead { .. } => "lead",
            Action::Webhook { .. } => "webhook",
            Action::Decide { .. } => "decide",
            Action::Exit => "exit",
        }
    }

    /// Whether contacts stay at it a while (a loop through it is no busy loop).
    pub fn waits(&self) -> bool {
        matches!(self, Action::Wait { .. } | Action::WaitFor { .. } | Action::Decide { .. })
    }
}

/// One step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub id: String,
    pub action: Action,
    /// The step after it (for a wait for an event: when the event came).
    pub next: Option<String>,
}

impl Step {
    /// Every step it may lead to, each with the field that names it.
    pub fn successors(&self) -> Vec<(&'static str, &str)> {
        let mut out: Vec<(&'static str, &str)> = Vec::new();
        match &self.action {
            Action::Branch { yes, no, .. } => {
                out.extend(yes.as_deref().map(|s| ("yes", s)));
                out.extend(no.as_deref().map(|s| ("no", s)));
            }
            Action::Split { paths } => out.extend(paths.iter().filter_map(|(_, n)| n.as_deref().map(|s| ("paths", s)))),
            Action::WaitFor { timeout_next, .. } => {
                out.extend(self.next.as_deref().map(|s| ("next", s)));
                out.extend(timeout_next.as_deref().map(|s| ("timeoutNext", s)));
            }
            Action::Exit => {}
            _ => out.extend(self.next.as_deref().map(|s| ("next", s))),
        }
        out
    }
}

/// A checked definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub entry: Entry,
    pub reentry: Reentry,
    /// The event that, once tracked for a contact in the journey, takes it out (met).
    pub goal: Option<String>,
    pub start: String,
    pub steps: Vec<Step>,
}

impl Definition {
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// The event kinds contacts in it wait for or take as the goal.
    pub fn watches(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .steps
            .iter()
            .filter_map(|s| match &s.action {
                Action::WaitFor { event, .. } => Some(event.clone()),
                Action::Decide { .. } => Some(DECIDED_EVENT.to_owned()),
                _ => None,
            })
            .chain(self.goal.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// The step kinds there are, as a refusal lists them.
pub const KINDS: &[&str] = &[
    "wait",
    "waitFor",
    "branch",
    "split",
    "updateAttribute",
    "addToList",
    "email",
    "notify",
    "lead",
    "webhook",
    "decide",
    "exit",
];

/// The longest a step waits (a year).
pub const MAX_WAIT_SECS: i64 = 366 * 86_400;

/// The most steps in a journey.
pub const MAX_STEPS: usize = 200;

fn bad(field: &str, msg: impl Into<String>) -> Error {
    Error::invalid(field, msg)
}

fn object<'a>(v: &'a Value, field: &str) -> Result<&'a Map<String, Value>> {
    v.as_object().ok_or_else(|| bad(field, "is a JSON object"))
}

fn string(o: &Map<String, Value>, key: &str, at: &str) -> Result<Option<String>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() && s.len() <= 200 => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(bad(&format!("{at}.{key}"), "is a text of 1 to 200 characters")),
    }
}

fn required(o: &Map<String, Value>, key: &str, at: &str) -> Result<String> {
    string(o, key, at)?.ok_or_else(|| bad(&format!("{at}.{key}"), "is required"))
}

fn wait_secs(o: &Map<String, Value>, key: &str, at: &str) -> Result<i64> {
    let field = format!("{at}.{key}");
    let raw = o.get(key).and_then(Value::as_str).ok_or_else(|| bad(&field, "is an ISO-8601 duration like PT1H"))?;
    let secs = validate::duration_secs(&field, raw)?;
    if secs <= 0 || secs > MAX_WAIT_SECS {
        return Err(bad(&field, "is more than nothing and at most a year"));
    }
    Ok(secs)
}

/// Checks a definition's form. Each error names its path (`definition.steps[2].next`).
pub fn parse(raw: &Value) -> Result<Definition> {
    let root = "definition";
    let o = object(raw, root)?;
    for key in o.keys() {
        if !["entry", "reentry", "goal", "start", "steps"].contains(&key.as_str()) {
            return Err(bad(&format!("{root}.{key}"), "is not part of a journey's definition"));
        }
    }
    let entry = match o.get("entry") {
        None | Some(Value::Null) => {
            return Err(bad(
                "definition.entry",
                "is required: {\"trigger\": ID}, {\"segment\": ID} or {\"manual\": true}",
            ));
        }
        Some(e) => {
            let e = object(e, "definition.entry")?;
            if let Some(raw) = e.get("trigger") {
                let rule = raw
                    .as_str()
                    .and_then(validate::id_ref::<TriggerRuleId>)
                    .ok_or_else(|| bad("definition.entry.trigger", "is a trigger rule's ID"))?;
                Entry::Trigger(rule)
            } else if let Some(raw) = e.get("segment") {
                let segment = raw
                    .as_str()
                    .and_then(validate::id_ref::<SegmentId>)
                    .ok_or_else(|| bad("definition.entry.segment", "is a segment's ID"))?;
                Entry::Segment(segment)
            } else if e.get("manual") == Some(&Value::Bool(true)) {
                Entry::Manual
            } else {
                return Err(bad("definition.entry", "is {\"trigger\": ID}, {\"segment\": ID} or {\"manual\": true}"));
            }
        }
    };
    let reentry = match o.get("reentry") {
        None | Some(Value::Null) => Reentry::Never,
        Some(r) => {
            let r = object(r, "definition.reentry")?;
            match r.get("mode").and_then(Value::as_str) {
                Some("never") => Reentry::Never,
                Some("always") => Reentry::Always,
                Some("after") => {
                    let days = r.get("days").and_then(Value::as_i64).filter(|d| (1..=3_650).contains(d));
                    Reentry::AfterDays(
                        days.ok_or_else(|| bad("definition.reentry.days", "is a whole number of days from 1 to 3650"))?,
                    )
                }
                _ => return Err(bad("definition.reentry.mode", "is never, after or always")),
            }
        }
    };
    let goal = match o.get("goal") {
        None | Some(Value::Null) => None,
        Some(g) => Some(event_kind(object(g, "definition.goal")?, "event", "definition.goal")?),
    };
    let start = required(o, "start", root)?;
    let list = o.get("steps").and_then(Value::as_array).ok_or_else(|| bad("definition.steps", "is a list of steps"))?;
    if list.is_empty() || list.len() > MAX_STEPS {
        return Err(bad("definition.steps", format!("has 1 to {MAX_STEPS} steps")));
    }
    let mut steps = Vec::with_capacity(list.len());
    let mut ids = HashSet::new();
    for (i, s) in list.iter().enumerate() {
        let at = format!("definition.steps[{i}]");
        let step = parse_step(s, &at)?;
        if !ids.insert(step.id.clone()) {
            return Err(bad(&format!("{at}.id"), format!("\"{}\" is the ID of an earlier step", step.id)));
        }
        steps.push(step);
    }
    Ok(Definition { entry, reentry, goal, start, steps })
}

fn event_kind(o: &Map<String, Value>, key: &str, at: &str) -> Result<String> {
    let kind = required(o, key, at)?;
    if kind == crate::triggers::definition::FIRED_EVENT {
        return Err(bad(&format!("{at}.{key}"), "cannot be a trigger's own firing"));
    }
    Ok(kind)
}

fn parse_step(raw: &Value, at: &str) -> Result<Step> {
    let o = object(raw, at)?;
    let id = required(o, "id", at)?;
    let kind = required(o, "kind", at)?;
    let next = string(o, "next", at)?;
    let action = match kind.as_str() {
        "wait" => {
            let secs = if o.contains_key("duration") { Some(wait_secs(o, "duration", at)?) } else { None };
            let until = match string(o, "until", at)? {
                None => None,
                Some(t) => {
                    Some(time_of_day(&t).ok_or_else(|| bad(&format!("{at}.until"), "is a time of day like 09:00"))?)
                }
            };
            if secs.is_some() == until.is_some() {
                return Err(bad(at, "waits for a duration or until a time of day: one of the two"));
            }
            Action::Wait { secs, until }
        }
        "waitFor" => Action::WaitFor {
            event: event_kind(o, "event", at)?,
            timeout_secs: wait_secs(o, "timeout", at)?,
            timeout_next: string(o, "timeoutNext", at)?,
        },
        "branch" => {
            let condition = o.get("condition").cloned().unwrap_or(Value::Null);
            if !condition.is_object() {
                return Err(bad(&format!("{at}.condition"), "is a segment rule, or {\"lastResponse\": …}"));
            }
            if let Some(r) = condition.get("lastResponse") {
                let known = r.as_str().is_some_and(|r| RESPONSES.contains(&r));
                if !known || condition.as_object().is_some_and(|o| o.len() != 1) {
                    return Err(bad(
                        &format!("{at}.condition.lastResponse"),
                        format!("is one of {} (alone)", RESPONSES.join(", ")),
                    ));
                }
            }
            Action::Branch { condition, yes: string(o, "yes", at)?, no: string(o, "no", at)? }
        }
        "split" => {
            let list = o
                .get("paths")
                .and_then(Value::as_array)
                .ok_or_else(|| bad(&format!("{at}.paths"), "is a list of paths"))?;
            if !(2..=10).contains(&list.len()) {
                return Err(bad(&format!("{at}.paths"), "has 2 to 10 paths"));
            }
            let mut paths = Vec::new();
            for (j, p) in list.iter().enumerate() {
                let pat = format!("{at}.paths[{j}]");
                let po = object(p, &pat)?;
                let percent = po
                    .get("percent")
                    .and_then(Value::as_u64)
                    .filter(|n| (1..=100).contains(n))
                    .ok_or_else(|| bad(&format!("{pat}.percent"), "is a whole number from 1 to 100"))?;
                paths.push((percent as u32, string(po, "next", &pat)?));
            }
            if paths.iter().map(|(p, _)| p).sum::<u32>() != 100 {
                return Err(bad(&format!("{at}.paths"), "has percentages that sum to 100"));
            }
            Action::Split { paths }
        }
        "updateAttribute" => {
            let field = required(o, "field", at)?;
            let value =
                o.get("value").cloned().ok_or_else(|| bad(&format!("{at}.value"), "is required (null clears)"))?;
            Action::UpdateAttribute { field, value }
        }
        "addToList" => {
            let list = o
                .get("list")
                .and_then(Value::as_str)
                .and_then(validate::id_ref::<SegmentId>)
                .ok_or_else(|| bad(&format!("{at}.list"), "is a static list's ID"))?;
            Action::AddToList { list }
        }
        "email" => {
            let template = o
                .get("template")
                .and_then(Value::as_str)
                .and_then(validate::id_ref::<EmailTemplateId>)
                .ok_or_else(|| bad(&format!("{at}.template"), "is an email template's ID"))?;
            let domain = o
                .get("domain")
                .and_then(Value::as_str)
                .and_then(validate::id_ref::<SendingDomainId>)
                .ok_or_else(|| bad(&format!("{at}.domain"), "is a sending domain's ID"))?;
            let from = validate::Email::parse(&format!("{at}.fromAddress"), &required(o, "fromAddress", at)?)?
                .as_str()
                .to_owned();
            let from_name = string(o, "fromName", at)?.unwrap_or_default();
            if from_name.chars().any(|c| c.is_control() || c == '"') {
                return Err(bad(&format!("{at}.fromName"), "may not hold quotes or control characters"));
            }
            Action::Email { template, domain, from, from_name }
        }
        "notify" => {
            let user = o
                .get("user")
                .and_then(Value::as_str)
                .and_then(validate::id_ref::<UserId>)
                .ok_or_else(|| bad(&format!("{at}.user"), "is a workspace member's user ID"))?;
            let message = match o.get("message") {
                Some(Value::String(m)) if !m.trim().is_empty() && m.chars().count() <= 500 => m.trim().to_owned(),
                _ => return Err(bad(&format!("{at}.message"), "is a text of 1 to 500 characters")),
            };
            Action::Notify { user, message }
        }
        "decide" => {
            let point = o
                .get("point")
                .and_then(Value::as_str)
                .and_then(validate::id_ref::<InteractionPointId>)
                .ok_or_else(|| bad(&format!("{at}.point"), "is an interaction point's ID"))?;
            let save_to = string(o, "saveTo", at)?;
            Action::Decide { point, save_to }
        }
        "webhook" => {
            let raw = o.get("url").and_then(Value::as_str).unwrap_or_default();
            let url = crate::leads::webhook::url(raw).map_err(|e| match e {
                crate::Error::Invalid { message, .. } => bad(&format!("{at}.url"), message),
                other => other,
            })?;
            Action::Webhook { url }
        }
        "lead" => {
            let points =
                match o.get("points") {
                    None | Some(Value::Null) => None,
                    Some(v) => Some(v.as_i64().filter(|n| *n != 0 && n.abs() <= 1_000).ok_or_else(|| {
                        bad(&format!("{at}.points"), "is a whole number between -1000 and 1000, not 0")
                    })?),
                };
            let reason = match o.get("reason") {
                None | Some(Value::Null) => "Journey step".to_owned(),
                Some(Value::String(r)) if !r.trim().is_empty() && r.chars().count() <= 200 => r.trim().to_owned(),
                _ => return Err(bad(&format!("{at}.reason"), "is a text of 1 to 200 characters")),
            };
            Action::Lead { points, reason }
        }
        "exit" => Action::Exit,
        _ => return Err(bad(&format!("{at}.kind"), format!("is one of {}", KINDS.join(", ")))),
    };
    Ok(Step { id, action, next })
}

fn time_of_day(t: &str) -> Option<(u32, u32)> {
    let (h, m) = t.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && t.len() == 5).then_some((h, m))
}

/// What publishing needs besides the form: the start and every step named exist, every
/// step is reachable from the start, and no loop runs without a wait step on it.
pub fn check_graph(d: &Definition) -> Result<()> {
    let index: HashMap<&str, usize> = d.steps.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let Some(&first) = index.get(d.start.as_str()) else {
        return Err(bad("definition.start", format!("names no step (\"{}\")", d.start)));
    };
    for (i, s) in d.steps.iter().enumerate() {
        if matches!(s.action, Action::Exit) && s.next.is_some() {
            return Err(bad(
                &format!("definition.steps[{i}].next"),
                format!("step \"{}\" exits: nothing follows it", s.id),
            ));
        }
        for (field, to) in s.successors() {
            if !index.contains_key(to) {
                return Err(bad(
                    &format!("definition.steps[{i}].{field}"),
                    format!("step \"{}\" leads to \"{to}\", which is no step", s.id),
                ));
            }
        }
    }
    // Reachable from the start.
    let mut seen = vec![false; d.steps.len()];
    let mut stack = vec![first];
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        stack.extend(d.steps[i].successors().into_iter().filter_map(|(_, to)| index.get(to).copied()));
    }
    if let Some(i) = seen.iter().position(|s| !s) {
        return Err(bad(
            &format!("definition.steps[{i}]"),
            format!("step \"{}\" cannot be reached from the start", d.steps[i].id),
        ));
    }
    // A loop through steps that do not wait would run without end: a depth-first search
    // over the steps that do not wait finds one by an edge back to a step on the path.
    let mut state = vec![0u8; d.steps.len()]; // 0 new, 1 on the path, 2 done
    for root in 0..d.steps.len() {
        if state[root] != 0 || d.steps[root].action.waits() {
            continue;
        }
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (i, ref mut k)) = path.last_mut() {
            let next: Vec<usize> = d.steps[i]
                .successors()
                .into_iter()
                .filter_map(|(_, to)| index.get(to).copied())
                .filter(|j| !d.steps[*j].action.waits())
                .collect();
            if let Some(&j) = next.get(*k) {
                *k += 1;
                match state[j] {
                    0 => {
                        state[j] = 1;
                        path.push((j, 0));
                    }
                    1 => {
                        return Err(bad(
                            &format!("definition.steps[{j}]"),
                            format!("step \"{}\" is on a loop with no wait step", d.steps[j].id),
                        ));
                    }
                    _ => {}
                }
            } else {
                state[i] = 2;
                path.pop();
            }
        }
    }
    Ok(())
}

/// The definition as stored and answered: as given, with IDs global.
pub fn stored(d: &Definition, raw: &Value) -> Value {
    let mut out = raw.clone();
    match d.entry {
        Entry::Trigger(rule) => out["entry"] = json!({ "trigger": validate::global_ref(rule) }),
        Entry::Segment(segment) => out["entry"] = json!({ "segment": validate::global_ref(segment) }),
        Entry::Manual => {}
    }
    if let Some(steps) = out.get_mut("steps").and_then(Value::as_array_mut) {
        for (s, parsed) in steps.iter_mut().zip(&d.steps) {
            match &parsed.action {
                Action::AddToList { list } => s["list"] = json!(validate::global_ref(*list)),
                Action::Notify { user, .. } => s["user"] = json!(validate::global_ref(*user)),
                Action::Decide { point, .. } => s["point"] = json!(validate::global_ref(*point)),
                Action::Email { template, domain, .. } => {
                    s["template"] = json!(validate::global_ref(*template));
                    s["domain"] = json!(validate::global_ref(*domain));
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(v: Value) -> String {
        match parse(&v).and_then(|d| check_graph(&d)) {
            Err(Error::Invalid { field, .. }) => field,
            other => format!("{v}: {other:?}"),
        }
    }

    fn journey(steps: Value) -> Value {
        json!({ "entry": { "manual": true }, "start": "a", "steps": steps })
    }

    #[test]
    fn a_definition_reads_every_kind_and_its_paths() {
        let d = parse(&json!({
            "entry": { "manual": true }, "reentry": { "mode": "after", "days": 30 }, "goal": { "event": "purchase" },
            "start": "a",
            "steps": [
                { "id": "a", "kind": "wait", "duration": "PT1H", "next": "b" },
                { "id": "b", "kind": "waitFor", "event": "purchase", "timeout": "P1D", "next": "c", "timeoutNext": "d" },
                { "id": "c", "kind": "branch", "condition": { "attribute": "tier", "op": "eq", "value": "gold" },
                  "yes": "e", "no": "f" },
                { "id": "d", "kind": "split", "paths": [{ "percent": 30, "next": "e" }, { "percent": 70 }] },
                { "id": "e", "kind": "updateAttribute", "field": "tier", "value": "gold", "next": "f" },
                { "id": "f", "kind": "exit" },
            ]
        }))
        .unwrap();
        check_graph(&d).unwrap();
        assert_eq!(d.reentry, Reentry::AfterDays(30));
        assert_eq!(d.watches(), ["purchase"]);
        assert_eq!(d.step("b").unwrap().successors(), [("next", "c"), ("timeoutNext", "d")]);
        assert_eq!(d.step("d").unwrap().action, Action::Split { paths: vec![(30, Some("e".into())), (70, None)] });
    }

    #[test]
    fn refusals_name_the_path_and_the_step() {
        let wait = |id: &str, next: &str| json!({ "id": id, "kind": "wait", "duration": "PT1M", "next": next });
        let set = |id: &str, next: &str| json!({ "id": id, "kind": "updateAttribute", "field": "x", "value": 1, "next": next });
        assert_eq!(field_of(json!({ "start": "a", "steps": [] })), "definition.entry");
        assert_eq!(field_of(journey(json!([]))), "definition.steps");
        assert_eq!(field_of(journey(json!([{ "id": "a", "kind": "teleport" }]))), "definition.steps[0].kind");
        assert_eq!(field_of(journey(json!([{ "id": "a", "kind": "email" }]))), "definition.steps[0].template");
        assert_eq!(field_of(journey(json!([{ "id": "a", "kind": "wait" }]))), "definition.steps[0]");
        assert_eq!(
            field_of(journey(json!([{ "id": "a", "kind": "wait", "until": "25:00" }]))),
            "definition.steps[0].until"
        );
        assert_eq!(
            field_of(journey(json!([{ "id": "a", "kind": "wait", "duration": "P2Y" }]))),
            "definition.steps[0].duration"
        );
        assert_eq!(field_of(journey(json!([wait("a", "b"), wait("a", "b")]))), "definition.steps[1].id");
        assert_eq!(field_of(journey(json!([wait("a", "zz")]))), "definition.steps[0].next");
        assert_eq!(field_of(journey(json!([wait("b", "b")]))), "definition.start");
        assert_eq!(field_of(journey(json!([wait("a", "a"), wait("c", "a")]))), "definition.steps[1]");
        assert_eq!(field_of(journey(json!([set("a", "b"), set("b", "a")]))), "definition.steps[0]");
        // A loop with a wait on it is a journey that repeats, not a busy loop.
        check_graph(&parse(&journey(json!([set("a", "b"), wait("b", "a")]))).unwrap()).unwrap();
        let split = json!([{ "id": "a", "kind": "split", "paths": [{ "percent": 50 }, { "percent": 40 }] }]);
        assert_eq!(field_of(journey(split)), "definition.steps[0].paths");
        let err = parse(&journey(json!([set("a", "b"), set("b", "a")]))).and_then(|d| check_graph(&d)).unwrap_err();
        assert!(err.to_string().contains("step \"a\" is on a loop with no wait step"), "{err}");
        assert_eq!(
            field_of(json!({ "entry": { "trigger": "nope" }, "start": "a", "steps": [wait("a", "a")] })),
            "definition.entry.trigger"
        );
        assert_eq!(
            field_of(json!({ "entry": { "manual": true }, "reentry": { "mode": "after" }, "start": "a",
            "steps": [wait("a", "a")] })),
            "definition.reentry.days"
        );
    }
}
