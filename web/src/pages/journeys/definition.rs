//! A journey's definition both ways: the [`Draft`] the step builder holds, built into
//! the definition JSON the API checks (and read back from it to edit a journey), and
//! where the API's errors about its parts are shown.

use serde_json::{Map, Value, json};

use crate::pages::triggers::definition::{scalar_text, typed_scalar};

/// The step kinds, in the order the builder lists them, with how a marketer reads them.
pub(crate) const KINDS: [(&str, &str); 11] = [
    ("wait", "Wait"),
    ("waitFor", "Wait for an event"),
    ("branch", "Branch on a rule"),
    ("split", "Random split"),
    ("updateAttribute", "Set a contact field"),
    ("addToList", "Add to a list"),
    ("email", "Send an email"),
    ("notify", "Tell a team member"),
    ("lead", "Make or update a lead"),
    ("webhook", "Call a webhook"),
    ("exit", "Exit"),
];

/// What a branch may test of the last email a journey sent, with how a marketer reads
/// each (`{"lastResponse": "OPENED"}`).
pub(crate) const RESPONSES: [(&str, &str); 6] = [
    ("OPENED", "Opened"),
    ("CLICKED", "Clicked"),
    ("BOUNCED", "Bounced"),
    ("UNSUBSCRIBED", "Unsubscribed"),
    ("COMPLAINED", "Complained"),
    ("NONE", "No response"),
];

/// The label of step kind `kind` (`waitFor`: "Wait for an event").
pub(crate) fn kind_label(kind: &str) -> &str {
    KINDS.iter().find(|(k, _)| *k == kind).map_or(kind, |(_, l)| l)
}

/// One path of a random split as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PathDraft {
    pub percent: String,
    /// The step it leads to; empty for the end.
    pub next: String,
}

/// One step as typed: every kind's inputs at once, so switching kind keeps what was
/// typed. Next steps are step IDs, empty for the end of the journey.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct StepDraft {
    pub id: String,
    pub kind: String,
    pub next: String,
    /// How a wait step waits: `duration` or `until`.
    pub wait_by: String,
    pub duration: String,
    pub until: String,
    pub event: String,
    pub timeout: String,
    pub timeout_next: String,
    /// What a branch tests: `rule` (the segment rule in `condition`) or `response`
    /// (the last email's response in `response`).
    pub branch_on: String,
    /// A segment rule as JSON text.
    pub condition: String,
    /// The last email's response a branch tests (`OPENED`…).
    pub response: String,
    pub yes: String,
    pub no: String,
    pub paths: Vec<PathDraft>,
    pub field: String,
    pub value: String,
    pub list: String,
    /// The email template sent, by ID.
    pub template: String,
    /// The sending domain it goes out from, by ID.
    pub domain: String,
    pub from_address: String,
    pub from_name: String,
    /// The workspace member told, by user ID.
    pub user: String,
    /// What they are told.
    pub message: String,
    /// The points a lead step adds (or takes away, negative); empty for none.
    pub points: String,
    /// Why, as the lead's history says; empty for the server's default.
    pub reason: String,
    /// The address a webhook step posts to.
    pub url: String,
}

impl StepDraft {
    /// A new step of kind `wait` named `id`.
    pub(crate) fn new(id: String) -> Self {
        Self {
            id,
            kind: "wait".to_owned(),
            next: String::new(),
            wait_by: "duration".to_owned(),
            duration: "P1D".to_owned(),
            until: "09:00".to_owned(),
            event: String::new(),
            timeout: "P3D".to_owned(),
            timeout_next: String::new(),
            branch_on: "rule".to_owned(),
            condition: "{}".to_owned(),
            response: "OPENED".to_owned(),
            yes: String::new(),
            no: String::new(),
            paths: vec![
                PathDraft { percent: "50".to_owned(), next: String::new() },
                PathDraft { percent: "50".to_owned(), next: String::new() },
            ],
            field: String::new(),
            value: String::new(),
            list: String::new(),
            template: String::new(),
            domain: String::new(),
            from_address: String::new(),
            from_name: String::new(),
            user: String::new(),
            message: String::new(),
            points: String::new(),
            reason: String::new(),
            url: String::new(),
        }
    }

    /// The step as the definition writes it, or the field at fault and why (only what
    /// cannot be sent at all); `at` is its path (`definition.steps[2]`).
    fn to_json(&self, at: &str) -> Result<Value, (String, String)> {
        let t = |s: &String| s.trim().to_owned();
        let mut o = Map::new();
        o.insert("id".to_owned(), json!(t(&self.id)));
        o.insert("kind".to_owned(), json!(self.kind));
        let mut link = |key: &str, to: &String| {
            if !to.trim().is_empty() {
                o.insert(key.to_owned(), json!(to.trim()));
            }
        };
        match self.kind.as_str() {
            "wait" => {
                link("next", &self.next);
                if self.wait_by == "until" {
                    o.insert("until".to_owned(), json!(t(&self.until)));
                } else {
                    o.insert("duration".to_owned(), json!(t(&self.duration)));
                }
            }
            "waitFor" => {
                link("next", &self.next);
                link("timeoutNext", &self.timeout_next);
                o.insert("event".to_owned(), json!(t(&self.event)));
                o.insert("timeout".to_owned(), json!(t(&self.timeout)));
            }
            "branch" => {
                link("yes", &self.yes);
                link("no", &self.no);
                let condition = if self.branch_on == "response" {
                    json!({ "lastResponse": self.response })
                } else {
                    serde_json::from_str::<Value>(self.condition.trim())
                        .map_err(|_| (format!("{at}.condition"), "is a segment rule written as JSON".to_owned()))?
                };
                o.insert("condition".to_owned(), condition);
            }
            "split" => {
                let mut paths = Vec::new();
                for (j, p) in self.paths.iter().enumerate() {
                    let Ok(percent) = p.percent.trim().parse::<u32>() else {
                        return Err((format!("{at}.paths"), format!("path {} has no whole percentage", j + 1)));
                    };
                    let mut path = json!({ "percent": percent });
                    if !p.next.trim().is_empty() {
                        path["next"] = json!(p.next.trim());
                    }
                    paths.push(path);
                }
                o.insert("paths".to_owned(), Value::Array(paths));
            }
            "updateAttribute" => {
                link("next", &self.next);
                o.insert("field".to_owned(), json!(self.field));
                let value = if self.value.trim().is_empty() { Value::Null } else { typed_scalar(&self.value) };
                o.insert("value".to_owned(), value);
            }
            "addToList" => {
                link("next", &self.next);
                o.insert("list".to_owned(), json!(self.list));
            }
            "email" => {
                link("next", &self.next);
                o.insert("template".to_owned(), json!(self.template));
                o.insert("domain".to_owned(), json!(self.domain));
                o.insert("fromAddress".to_owned(), json!(t(&self.from_address)));
                if !self.from_name.trim().is_empty() {
                    o.insert("fromName".to_owned(), json!(t(&self.from_name)));
                }
            }
            "notify" => {
                link("next", &self.next);
                o.insert("user".to_owned(), json!(self.user));
                o.insert("message".to_owned(), json!(t(&self.message)));
            }
            "lead" => {
                link("next", &self.next);
                let points = self.points.trim();
                if !points.is_empty() {
                    let Ok(n) = points.parse::<i64>() else {
                        return Err((format!("{at}.points"), "is a whole number, like 10 or -5".to_owned()));
                    };
                    o.insert("points".to_owned(), json!(n));
                }
                if !self.reason.trim().is_empty() {
                    o.insert("reason".to_owned(), json!(t(&self.reason)));
                }
            }
            "webhook" => {
                link("next", &self.next);
                o.insert("url".to_owned(), json!(t(&self.url)));
            }
            _ => {}
        }
        Ok(Value::Object(o))
    }

    /// Step `v` of a definition as the builder edits it.
    fn of(v: &Value) -> Self {
        let text = |key: &str| v[key].as_str().unwrap_or_default().to_owned();
        let mut s = StepDraft::new(text("id"));
        s.kind = text("kind");
        s.next = text("next");
        if v.get("until").is_some() {
            s.wait_by = "until".to_owned();
            s.until = text("until");
        }
        if let Some(d) = v["duration"].as_str() {
            s.duration = d.to_owned();
        }
        s.event = text("event");
        if let Some(d) = v["timeout"].as_str() {
            s.timeout = d.to_owned();
        }
        s.timeout_next = text("timeoutNext");
        match v.get("condition") {
            Some(c) if c.get("lastResponse").is_some() => {
                s.branch_on = "response".to_owned();
                s.response = c["lastResponse"].as_str().unwrap_or_default().to_owned();
            }
            Some(c) => s.condition = c.to_string(),
            None => {}
        }
        s.yes = text("yes");
        s.no = text("no");
        if let Some(paths) = v["paths"].as_array() {
            s.paths = paths
                .iter()
                .map(|p| PathDraft {
                    percent: p["percent"].as_u64().map(|n| n.to_string()).unwrap_or_default(),
                    next: p["next"].as_str().unwrap_or_default().to_owned(),
                })
                .collect();
        }
        s.field = text("field");
        s.value = v.get("value").map(scalar_text).unwrap_or_default();
        s.list = text("list");
        s.template = text("template");
        s.domain = text("domain");
        s.from_address = text("fromAddress");
        s.from_name = text("fromName");
        s.user = text("user");
        s.message = text("message");
        s.points = match v.get("points") {
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(p)) => p.clone(),
            _ => String::new(),
        };
        s.reason = text("reason");
        s.url = text("url");
        s
    }
}

/// A journey as the builder holds it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Draft {
    pub name: String,
    /// What enrols contacts: `manual` (only people or the API), `trigger` or `segment`.
    pub entry: String,
    /// The trigger rule whose firings enrol contacts, by ID.
    pub trigger: String,
    /// The segment contacts enter to be enrolled, by ID.
    pub segment: String,
    /// `never`, `after` or `always`.
    pub reentry: String,
    pub reentry_days: String,
    /// The event that takes a contact out once tracked; empty for none.
    pub goal: String,
    pub start: String,
    pub steps: Vec<StepDraft>,
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            name: String::new(),
            entry: "manual".to_owned(),
            trigger: String::new(),
            segment: String::new(),
            reentry: "never".to_owned(),
            reentry_days: "30".to_owned(),
            goal: String::new(),
            start: "start".to_owned(),
            steps: vec![StepDraft::new("start".to_owned())],
        }
    }
}

impl Draft {
    /// The definition JSON, or the field at fault and why (only what cannot be sent at
    /// all; the server checks the rest and names the part).
    pub(crate) fn definition(&self) -> Result<Value, (String, String)> {
        let entry = match self.entry.as_str() {
            "trigger" => json!({ "trigger": self.trigger }),
            "segment" => json!({ "segment": self.segment }),
            _ => json!({ "manual": true }),
        };
        let reentry = match self.reentry.as_str() {
            "after" => {
                let Ok(days) = self.reentry_days.trim().parse::<i64>() else {
                    return Err(("definition.reentry.days".to_owned(), "is a whole number of days".to_owned()));
                };
                json!({ "mode": "after", "days": days })
            }
            mode => json!({ "mode": mode }),
        };
        let mut steps = Vec::with_capacity(self.steps.len());
        for (i, s) in self.steps.iter().enumerate() {
            steps.push(s.to_json(&format!("definition.steps[{i}]"))?);
        }
        let mut d = json!({ "entry": entry, "reentry": reentry, "start": self.start.trim(), "steps": steps });
        if !self.goal.trim().is_empty() {
            d["goal"] = json!({ "event": self.goal.trim() });
        }
        Ok(d)
    }

    /// Journey `name` with definition `d` as the builder edits it.
    pub(crate) fn of(name: &str, d: &Value) -> Self {
        let reentry = &d["reentry"];
        let entry = &d["entry"];
        let kind = if entry.get("trigger").is_some() {
            "trigger"
        } else if entry.get("segment").is_some() {
            "segment"
        } else {
            "manual"
        };
        Self {
            name: name.to_owned(),
            entry: kind.to_owned(),
            trigger: entry["trigger"].as_str().unwrap_or_default().to_owned(),
            segment: entry["segment"].as_str().unwrap_or_default().to_owned(),
            reentry: reentry["mode"].as_str().unwrap_or("never").to_owned(),
            reentry_days: reentry["days"].as_i64().map_or_else(|| "30".to_owned(), |n| n.to_string()),
            goal: d["goal"]["event"].as_str().unwrap_or_default().to_owned(),
            start: d["start"].as_str().unwrap_or_default().to_owned(),
            steps: d["steps"].as_array().map(|s| s.iter().map(StepDraft::of).collect()).unwrap_or_default(),
        }
    }
}

/// `text` cut to at most `most` characters, at a word's end where it can be, with "…"
/// when it was longer.
fn shortened(text: &str, most: usize) -> String {
    if text.chars().count() <= most {
        return text.to_owned();
    }
    let kept: String = text.chars().take(most).collect();
    let cut_mid_word = text.chars().nth(most).is_some_and(|c| !c.is_whitespace());
    let kept = match kept.rfind(char::is_whitespace) {
        Some(at) if cut_mid_word => &kept[..at],
        _ => kept.as_str(),
    };
    format!("{}…", kept.trim_end())
}

/// What steps name by ID, each as (ID, name): static lists, email templates and
/// workspace members.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Names {
    pub lists: Vec<(String, String)>,
    pub templates: Vec<(String, String)>,
    pub members: Vec<(String, String)>,
}

/// What a step's definition does, in one line (`purchase within 3 d`), the lists,
/// email templates and members it names found by ID in `names`.
pub(crate) fn step_summary(step: &Value, names: &Names) -> String {
    let Names { lists, templates, members } = names;
    use crate::pages::triggers::summary::duration_text;
    let text = |key: &str| step[key].as_str().unwrap_or("?").to_owned();
    let name_in = |all: &[(String, String)], key: &str| {
        let id = text(key);
        all.iter().find(|(x, _)| *x == id).map(|(_, n)| n.clone())
    };
    match step["kind"].as_str().unwrap_or_default() {
        "wait" => match step["until"].as_str() {
            Some(until) => format!("until {until}"),
            None => format!("for {}", duration_text(&text("duration"))),
        },
        "waitFor" => format!("{} within {}", text("event"), duration_text(&text("timeout"))),
        "branch" => match step["condition"]["lastResponse"].as_str() {
            Some(r) => format!("If the last email {}", response_text(r)),
            None => "on a segment rule".to_owned(),
        },
        "split" => {
            let shares = step["paths"].as_array().map(|p| {
                p.iter().map(|p| format!("{}%", p["percent"].as_u64().unwrap_or(0))).collect::<Vec<_>>().join(" / ")
            });
            shares.unwrap_or_default()
        }
        "updateAttribute" => {
            format!("{} = {}", text("field"), step.get("value").map_or_else(String::new, |v| v.to_string()))
        }
        "addToList" => name_in(lists, "list").unwrap_or_else(|| "a removed list".to_owned()),
        "email" => {
            let template = name_in(templates, "template")
                .map_or_else(|| "(a removed template)".to_owned(), |n| format!("\"{n}\""));
            format!("Email {template} from {}", text("fromAddress"))
        }
        "notify" => {
            let who = name_in(members, "user").unwrap_or_else(|| "a former member".to_owned());
            format!("Tell {who}: \"{}\"", shortened(step["message"].as_str().unwrap_or_default(), 40))
        }
        "lead" => {
            let points = step["points"].as_i64().map(|n| if n > 0 { format!(" +{n}") } else { format!(" {n}") });
            match (points, step["reason"].as_str().map(str::trim).filter(|r| !r.is_empty())) {
                (Some(p), Some(r)) => format!("Lead{p} ({})", shortened(r, 40)),
                (Some(p), None) => format!("Lead{p}"),
                (None, _) => "Lead".to_owned(),
            }
        }
        "webhook" => host_of(step["url"].as_str().unwrap_or_default()),
        "exit" => "leaves the journey".to_owned(),
        other => other.to_owned(),
    }
}

/// What the last email had back, after "If the last email" (`BOUNCED`: "bounced").
fn response_text(response: &str) -> String {
    match response {
        "OPENED" => "was opened".to_owned(),
        "CLICKED" => "was clicked".to_owned(),
        "BOUNCED" => "bounced".to_owned(),
        "UNSUBSCRIBED" => "led to an unsubscribe".to_owned(),
        "COMPLAINED" => "was marked as spam".to_owned(),
        "NONE" => "had no response".to_owned(),
        other => format!("had the response {other}"),
    }
}

/// The host a URL names (`https://hooks.example.com:8443/in?x=1`:
/// `hooks.example.com`), else the text as it is.
pub(crate) fn host_of(url: &str) -> String {
    let url = url.trim();
    let Some((_, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split_once(']').map_or(host_port, |(h, _)| h)
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    if host.is_empty() { url.to_owned() } else { host.to_lowercase() }
}

/// The parts of a step the server may name, each shown under its control.
const STEP_FIELDS: &[&str] = &[
    "id",
    "kind",
    "next",
    "duration",
    "until",
    "event",
    "timeout",
    "timeoutNext",
    "condition",
    "yes",
    "no",
    "paths",
    "field",
    "value",
    "list",
    "template",
    "domain",
    "fromAddress",
    "fromName",
    "user",
    "message",
    "points",
    "reason",
    "url",
];

/// The fields of the definition outside its steps the builder shows errors under.
const FIELDS: &[&str] = &[
    "name",
    "definition",
    "definition.entry",
    "definition.entry.trigger",
    "definition.entry.segment",
    "definition.reentry",
    "definition.reentry.mode",
    "definition.reentry.days",
    "definition.goal",
    "definition.goal.event",
    "definition.start",
    "definition.steps",
];

/// The control an error about `field` is shown under: a step's own input
/// (`definition.steps[2].next`), the step itself (`definition.steps[2]`) for what no
/// one input wrote, else the closest named field.
pub(crate) fn owner(field: &str) -> Option<String> {
    if let Some((at, rest)) = field.strip_prefix("definition.steps[").and_then(|r| r.split_once(']'))
        && at.parse::<usize>().is_ok()
    {
        let part = rest.strip_prefix('.').map(|r| r.split(['.', '[']).next().unwrap_or_default());
        return Some(match part.filter(|p| STEP_FIELDS.contains(p)) {
            Some(p) => format!("definition.steps[{at}].{p}"),
            None => format!("definition.steps[{at}]"),
        });
    }
    crate::pages::decisions::owner_field(field, FIELDS).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_builds_its_definition_and_reads_back() {
        let mut wait_for = StepDraft::new("bought".into());
        wait_for.kind = "waitFor".into();
        wait_for.event = "purchase".into();
        wait_for.next = "tag".into();
        let mut tag = StepDraft::new("tag".into());
        tag.kind = "updateAttribute".into();
        tag.field = "tier".into();
        tag.value = "gold".into();
        let draft = Draft {
            name: "Welcome".into(),
            goal: "purchase".into(),
            start: "bought".into(),
            steps: vec![wait_for, tag],
            ..Draft::default()
        };
        let d = draft.definition().unwrap();
        assert_eq!(
            d,
            json!({
                "entry": { "manual": true },
                "reentry": { "mode": "never" },
                "goal": { "event": "purchase" },
                "start": "bought",
                "steps": [
                    { "id": "bought", "kind": "waitFor", "event": "purchase", "timeout": "P3D", "next": "tag" },
                    { "id": "tag", "kind": "updateAttribute", "field": "tier", "value": "gold" },
                ],
            })
        );
        assert_eq!(Draft::of("Welcome", &d).definition().unwrap(), d);
    }

    #[test]
    fn an_email_step_builds_and_reads_back() {
        let mut mail = StepDraft::new("mail".into());
        mail.kind = "email".into();
        mail.template = "tpl1".into();
        mail.domain = "dom1".into();
        mail.from_address = " news@shop.example ".into();
        mail.from_name = "The shop".into();
        mail.next = "done".into();
        let mut done = StepDraft::new("done".into());
        done.kind = "exit".into();
        let draft = Draft { start: "mail".into(), steps: vec![mail, done], ..Draft::default() };
        let d = draft.definition().unwrap();
        assert_eq!(
            d["steps"],
            json!([
                { "id": "mail", "kind": "email", "template": "tpl1", "domain": "dom1",
                  "fromAddress": "news@shop.example", "fromName": "The shop", "next": "done" },
                { "id": "done", "kind": "exit" },
            ])
        );
        let back = Draft::of("", &d);
        assert_eq!(back.steps[0].template, "tpl1");
        assert_eq!(back.steps[0].domain, "dom1");
        assert_eq!(back.steps[0].from_address, "news@shop.example");
        assert_eq!(back.steps[0].from_name, "The shop");
        assert_eq!(back.definition().unwrap(), d);
        // Nothing chosen yet: sent as typed, for the server to name what is missing; no
        // From name, none written.
        let mut bare = StepDraft::new("mail".into());
        bare.kind = "email".into();
        let d = Draft { start: "mail".into(), steps: vec![bare], ..Draft::default() }.definition().unwrap();
        assert_eq!(
            d["steps"][0],
            json!({ "id": "mail", "kind": "email", "template": "", "domain": "", "fromAddress": "" })
        );
    }

    #[test]
    fn splits_and_branches_need_what_can_be_sent() {
        let mut split = StepDraft::new("s".into());
        split.kind = "split".into();
        split.paths[1].percent = "half".into();
        let draft = Draft { start: "s".into(), steps: vec![split], ..Draft::default() };
        assert_eq!(draft.definition().unwrap_err().0, "definition.steps[0].paths");
        let mut branch = StepDraft::new("b".into());
        branch.kind = "branch".into();
        branch.condition = "{not json".into();
        let draft = Draft { steps: vec![branch], ..Draft::default() };
        assert_eq!(draft.definition().unwrap_err().0, "definition.steps[0].condition");
        let after = Draft { reentry: "after".into(), reentry_days: "7".into(), ..Draft::default() };
        assert_eq!(after.definition().unwrap()["reentry"], json!({ "mode": "after", "days": 7 }));
    }

    #[test]
    fn errors_go_under_their_step() {
        assert_eq!(owner("definition.steps[2].next").as_deref(), Some("definition.steps[2].next"));
        assert_eq!(owner("definition.steps[2]").as_deref(), Some("definition.steps[2]"));
        assert_eq!(owner("definition.steps[0].paths[1].percent").as_deref(), Some("definition.steps[0].paths"));
        assert_eq!(owner("definition.steps[1].condition.all[0]").as_deref(), Some("definition.steps[1].condition"));
        assert_eq!(owner("definition.steps[3].extra").as_deref(), Some("definition.steps[3]"));
        for part in ["template", "domain", "fromAddress", "fromName"] {
            let field = format!("definition.steps[4].{part}");
            assert_eq!(owner(&field), Some(field));
        }
        assert_eq!(owner("definition.entry.trigger").as_deref(), Some("definition.entry.trigger"));
        assert_eq!(owner("definition.extra").as_deref(), Some("definition"));
        assert_eq!(owner("contactId"), None);
    }

    #[test]
    fn steps_read_as_one_line() {
        let summary = |step: &Value| step_summary(step, &Names::default());
        let wait_for = json!({ "kind": "waitFor", "event": "purchase", "timeout": "P3D" });
        assert_eq!(summary(&wait_for), "purchase within 3 d");
        assert_eq!(summary(&json!({ "kind": "wait", "until": "09:00" })), "until 09:00");
        let split = json!({ "kind": "split", "paths": [{ "percent": 30 }, { "percent": 70 }] });
        assert_eq!(summary(&split), "30% / 70%");
        let set = json!({ "kind": "updateAttribute", "field": "tier", "value": "gold" });
        assert_eq!(summary(&set), "tier = \"gold\"");
        let lists = [("l1".to_owned(), "Customers".to_owned())];
        let names = Names { lists: lists.to_vec(), ..Names::default() };
        assert_eq!(step_summary(&json!({ "kind": "addToList", "list": "l1" }), &names), "Customers");
        assert_eq!(summary(&json!({ "kind": "addToList", "list": "l1" })), "a removed list");
        let mail = json!({ "kind": "email", "template": "t1", "domain": "d1", "fromAddress": "news@shop.example" });
        let templates = [("t1".to_owned(), "Welcome mail".to_owned())];
        let names = Names { templates: templates.to_vec(), ..Names::default() };
        assert_eq!(step_summary(&mail, &names), "Email \"Welcome mail\" from news@shop.example");
        assert_eq!(summary(&mail), "Email (a removed template) from news@shop.example");
        assert_eq!(kind_label("waitFor"), "Wait for an event");
        assert_eq!(kind_label("email"), "Send an email");
        assert_eq!(kind_label("notify"), "Tell a team member");
    }

    #[test]
    fn notify_steps_name_the_member_and_shorten_the_message() {
        let members = [("u1".to_owned(), "Ann Owner".to_owned())];
        let names = Names { members: members.to_vec(), ..Names::default() };
        let short = json!({ "kind": "notify", "user": "u1", "message": "Say hello" });
        assert_eq!(step_summary(&short, &names), "Tell Ann Owner: \"Say hello\"");
        let long = json!({ "kind": "notify", "user": "u1",
            "message": "Say hello to this new customer and ask how the first order went" });
        assert_eq!(step_summary(&long, &names), "Tell Ann Owner: \"Say hello to this new customer and ask…\"");
        assert_eq!(step_summary(&short, &Names::default()), "Tell a former member: \"Say hello\"");
        assert_eq!(shortened(&"x".repeat(50), 40), format!("{}…", "x".repeat(40)));
    }

    #[test]
    fn a_notify_step_builds_and_reads_back() {
        let mut tell = StepDraft::new("tell".into());
        tell.kind = "notify".into();
        tell.user = "u1".into();
        tell.message = "  A new VIP: say hello. ".into();
        tell.next = "done".into();
        let mut done = StepDraft::new("done".into());
        done.kind = "exit".into();
        let draft = Draft { start: "tell".into(), steps: vec![tell, done], ..Draft::default() };
        let d = draft.definition().unwrap();
        assert_eq!(
            d["steps"][0],
            json!({ "id": "tell", "kind": "notify", "user": "u1", "message": "A new VIP: say hello.", "next": "done" })
        );
        let back = Draft::of("", &d);
        assert_eq!(back.steps[0].user, "u1");
        assert_eq!(back.steps[0].message, "A new VIP: say hello.");
        assert_eq!(back.definition().unwrap(), d);
        for part in ["user", "message"] {
            let field = format!("definition.steps[1].{part}");
            assert_eq!(owner(&field), Some(field));
        }
    }

    #[test]
    fn each_entry_builds_and_reads_back() {
        let by = |entry: &str| Draft {
            entry: entry.into(),
            trigger: "rule1".into(),
            segment: "seg1".into(),
            ..Draft::default()
        };
        for (entry, json) in [
            ("manual", json!({ "manual": true })),
            ("trigger", json!({ "trigger": "rule1" })),
            ("segment", json!({ "segment": "seg1" })),
        ] {
            let d = by(entry).definition().unwrap();
            assert_eq!(d["entry"], json);
            let back = Draft::of("", &d);
            assert_eq!(back.entry, entry);
            assert_eq!(back.definition().unwrap(), d);
        }
        assert_eq!(Draft::of("", &json!({ "entry": { "segment": "seg1" } })).segment, "seg1");
        assert_eq!(owner("definition.entry.segment").as_deref(), Some("definition.entry.segment"));
    }

    #[test]
    fn lead_and_webhook_steps_build_and_read_back() {
        let mut lead = StepDraft::new("lead".into());
        lead.kind = "lead".into();
        lead.points = " +12 ".into();
        lead.reason = " Finished onboarding ".into();
        lead.next = "hook".into();
        let mut hook = StepDraft::new("hook".into());
        hook.kind = "webhook".into();
        hook.url = " https://hooks.example.com/parley ".into();
        hook.next = "done".into();
        let mut done = StepDraft::new("done".into());
        done.kind = "exit".into();
        let draft = Draft { start: "lead".into(), steps: vec![lead, hook, done], ..Draft::default() };
        let d = draft.definition().unwrap();
        assert_eq!(
            d["steps"],
            json!([
                { "id": "lead", "kind": "lead", "points": 12, "reason": "Finished onboarding", "next": "hook" },
                { "id": "hook", "kind": "webhook", "url": "https://hooks.example.com/parley", "next": "done" },
                { "id": "done", "kind": "exit" },
            ])
        );
        let back = Draft::of("", &d);
        assert_eq!(back.steps[0].points, "12");
        assert_eq!(back.steps[0].reason, "Finished onboarding");
        assert_eq!(back.steps[1].url, "https://hooks.example.com/parley");
        assert_eq!(back.definition().unwrap(), d);
        // Neither points nor a reason: none written; points that are no whole number
        // are refused under their input.
        let mut bare = StepDraft::new("lead".into());
        bare.kind = "lead".into();
        let d = Draft { start: "lead".into(), steps: vec![bare.clone()], ..Draft::default() }.definition().unwrap();
        assert_eq!(d["steps"][0], json!({ "id": "lead", "kind": "lead" }));
        assert_eq!(Draft::of("", &d).definition().unwrap(), d);
        bare.points = "1.5".into();
        let draft = Draft { start: "lead".into(), steps: vec![bare], ..Draft::default() };
        assert_eq!(draft.definition().unwrap_err().0, "definition.steps[0].points");
        for part in ["points", "reason", "url"] {
            let field = format!("definition.steps[2].{part}");
            assert_eq!(owner(&field), Some(field));
        }
    }

    #[test]
    fn a_branch_on_the_last_response_builds_and_reads_back() {
        let mut branch = StepDraft::new("b".into());
        branch.kind = "branch".into();
        branch.branch_on = "response".into();
        branch.response = "CLICKED".into();
        // The rule typed before is kept, but not sent.
        branch.condition = "{not json".into();
        branch.yes = "done".into();
        let mut done = StepDraft::new("done".into());
        done.kind = "exit".into();
        let draft = Draft { start: "b".into(), steps: vec![branch, done], ..Draft::default() };
        let d = draft.definition().unwrap();
        assert_eq!(
            d["steps"][0],
            json!({ "id": "b", "kind": "branch", "condition": { "lastResponse": "CLICKED" }, "yes": "done" })
        );
        let back = Draft::of("", &d);
        assert_eq!(back.steps[0].branch_on, "response");
        assert_eq!(back.steps[0].response, "CLICKED");
        assert_eq!(back.definition().unwrap(), d);
        // A rule reads back as a rule.
        let rule =
            json!({ "id": "b", "kind": "branch", "condition": { "attribute": "tier", "op": "eq", "value": "gold" } });
        let back = StepDraft::of(&rule);
        assert_eq!(back.branch_on, "rule");
        assert_eq!(serde_json::from_str::<Value>(&back.condition).unwrap(), rule["condition"]);
        assert_eq!(
            owner("definition.steps[0].condition.lastResponse").as_deref(),
            Some("definition.steps[0].condition")
        );
        assert_eq!(RESPONSES.len(), 6);
    }

    #[test]
    fn new_kinds_read_as_one_line() {
        let summary = |step: &Value| step_summary(step, &Names::default());
        let lead = json!({ "kind": "lead", "points": 12, "reason": "Finished onboarding" });
        assert_eq!(summary(&lead), "Lead +12 (Finished onboarding)");
        assert_eq!(summary(&json!({ "kind": "lead", "points": -5 })), "Lead -5");
        assert_eq!(summary(&json!({ "kind": "lead" })), "Lead");
        let hook = json!({ "kind": "webhook", "url": "https://Hooks.Example.com:8443/in?x=1" });
        assert_eq!(summary(&hook), "hooks.example.com");
        assert_eq!(summary(&json!({ "kind": "webhook", "url": "https://user@crm.example/x" })), "crm.example");
        let opened = json!({ "kind": "branch", "condition": { "lastResponse": "OPENED" } });
        assert_eq!(summary(&opened), "If the last email was opened");
        let none = json!({ "kind": "branch", "condition": { "lastResponse": "NONE" } });
        assert_eq!(summary(&none), "If the last email had no response");
        let rule = json!({ "kind": "branch", "condition": { "attribute": "tier", "op": "eq", "value": "gold" } });
        assert_eq!(summary(&rule), "on a segment rule");
        assert_eq!(kind_label("lead"), "Make or update a lead");
        assert_eq!(kind_label("webhook"), "Call a webhook");
    }
}
