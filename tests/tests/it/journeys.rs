//! Journeys (EXE-5): a draft published as immutable versions (refused with the step
//! named when it leads nowhere, cannot be reached or loops without a wait), contacts
//! enrolled by a trigger rule's firings (once per entry, however many events) or by
//! hand, moved by the workers through waits, waits for an event with a timeout,
//! branches, random splits, field writes and lists, with their path visible and
//! per-step counts; the goal takes them out, re-entry follows the journey's rule,
//! pausing holds everyone, an explicit migration moves contacts to the latest version;
//! deadlines that pass while every worker is down are kept when one comes back;
//! another workspace's journeys are NOT_FOUND and its events move nobody here.

use serde_json::{Value, json};

use crate::campaigns::{plan_field, run, segment};
use crate::on_both;
use crate::support::*;
use crate::tracking::issue_key;
use crate::triggers::{contact_id, rule, set_plan, track};

const CREATE: &str = "mutation($i: JourneyInput!) { createJourney(input: $i) { id name status version } }";
const UPDATE: &str = "mutation($id: ID!, $i: JourneyInput!) { updateJourney(id: $id, input: $i) { id version } }";
pub const PUBLISH: &str = "mutation($id: ID!) { publishJourney(id: $id) { id status version hasUnpublishedChanges } }";
const JOURNEY: &str = "query($id: ID!) { journey(id: $id) { id name status version entryKind
    steps { id kind next entered waiting completed exited } } }";
const OF_CONTACT: &str = "query($c: ID!) { contactJourneys(contactId: $c) { id status step version exitReason
    wakeAt journey { id } path { step note outcome leftAt } } }";
pub const ENROL: &str = "mutation($j: ID!, $c: ID!) { enrolContact(journeyId: $j, contactId: $c) { id status step } }";

pub async fn journey(app: &TestApp, who: &As, name: &str, definition: Value) -> String {
    let r = run(app, who, CREATE, json!({ "i": { "name": name, "definition": definition } })).await;
    r["createJourney"]["id"].as_str().unwrap().to_owned()
}

async fn static_list(app: &TestApp, who: &As, name: &str) -> String {
    let q = "mutation($i: CreateSegmentInput!) { createSegment(input: $i) { id } }";
    run(app, who, q, json!({ "i": { "name": name, "kind": "STATIC" } })).await["createSegment"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn list_emails(app: &TestApp, who: &As, id: &str) -> Vec<String> {
    let q = "query($id: ID!) { segment(id: $id) { contacts(first: 100) { nodes { email } } } }";
    let r = run(app, who, q, json!({ "id": id })).await;
    let mut all: Vec<String> = r["segment"]["contacts"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["email"].as_str().unwrap().to_owned())
        .collect();
    all.sort();
    all
}

/// A contact's enrolments, newest first.
async fn enrolments(app: &TestApp, who: &As, contact: &str) -> Vec<Value> {
    run(app, who, OF_CONTACT, json!({ "c": contact })).await["contactJourneys"].as_array().unwrap().clone()
}

/// Each step's (entered, waiting, completed, exited), by step ID.
async fn counts(app: &TestApp, who: &As, id: &str) -> Vec<(String, [i64; 4])> {
    let r = run(app, who, JOURNEY, json!({ "id": id })).await;
    r["journey"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let n = |k: &str| s[k].as_i64().unwrap();
            (s["id"].as_str().unwrap().to_owned(), [n("entered"), n("waiting"), n("completed"), n("exited")])
        })
        .collect()
}

fn steps(e: &Value) -> Vec<&str> {
    e["path"].as_array().unwrap().iter().map(|v| v["step"].as_str().unwrap()).collect()
}

fn bad(r: &Value) -> (Option<String>, Option<String>) {
    (code(r), field(r))
}

async fn plan_of(app: &TestApp, who: &As, email: &str) -> Value {
    let q = "query($e: String!) { contactByEmail(email: $e) { attributes } }";
    run(app, who, q, json!({ "e": email })).await["contactByEmail"]["attributes"]["plan"].clone()
}

async fn a_trigger_moves_contacts_through_waits_branches_and_lists(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    plan_field(&app, &me).await;
    let key = issue_key(&app, &me).await;
    let signup = rule(&app, &me, "Signed up", json!({ "event": "signup" })).await;
    let buyers = static_list(&app, &me, "Buyers").await;
    let mut steps_v1 = json!([
        { "id": "welcome", "kind": "updateAttribute", "field": "plan", "value": "trial", "next": "bought" },
        { "id": "bought", "kind": "waitFor", "event": "purchase", "timeout": "PT1H", "next": "buyers",
          "timeoutNext": "pro" },
        { "id": "pro", "kind": "branch", "condition": { "attribute": "plan", "op": "eq", "value": "pro" },
          "yes": "buyers", "no": "bye" },
        { "id": "buyers", "kind": "addToList", "list": buyers },
        { "id": "bye", "kind": "exit" },
        { "id": "orphan", "kind": "exit" },
    ]);
    let def = |steps: &Value| json!({ "entry": { "trigger": signup }, "start": "welcome", "steps": steps });
    let id = journey(&app, &me, "Onboarding", def(&steps_v1)).await;
    let j = run(&app, &me, JOURNEY, json!({ "id": id })).await;
    assert_eq!((j["journey"]["status"].as_str(), j["journey"]["version"].as_i64()), (Some("DRAFT"), Some(0)));
    assert_eq!(j["journey"]["steps"], json!([]), "nothing published yet");

    // A step nothing leads to is refused at publish, by name; the draft is kept.
    let r = app.gql(&me, PUBLISH, json!({ "id": id })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("definition.steps[5]".into())), "{r}");
    assert!(r.to_string().contains("step \\\"orphan\\\" cannot be reached"), "{r}");
    steps_v1.as_array_mut().unwrap().pop();
    run(&app, &me, UPDATE, json!({ "id": id, "i": { "name": "Onboarding", "definition": def(&steps_v1) } })).await;
    let p = run(&app, &me, PUBLISH, json!({ "id": id })).await["publishJourney"].clone();
    assert_eq!(p, json!({ "id": id, "status": "ACTIVE", "version": 1, "hasUnpublishedChanges": false }));
    let r = app.gql(&me, PUBLISH, json!({ "id": id })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("id".into())), "nothing new to publish: {r}");

    // Three sign up; Ann three times over: one enrolment each (a step runs once per
    // contact per entry, not once per event).
    let signups: Vec<Value> = ["ann", "ann", "ann", "bob", "carl"]
        .iter()
        .map(|n| json!({ "type": "signup", "email": format!("{n}@journey.example") }))
        .collect();
    track(&app, &key, json!(signups)).await;
    app.drive_jobs().await;
    let ann = contact_id(&app, &me, "ann@journey.example").await;
    let carl = contact_id(&app, &me, "carl@journey.example").await;
    let e = enrolments(&app, &me, &ann).await;
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0]["status"].as_str(), e[0]["step"].as_str()), (Some("WAITING"), Some("bought")));
    assert_eq!(e[0]["journey"]["id"], json!(id));
    assert_eq!(steps(&e[0]), ["welcome", "bought"]);
    assert_eq!(e[0]["path"][0]["note"], "plan = \"trial\"");
    for n in ["ann", "bob", "carl"] {
        assert_eq!(plan_of(&app, &me, &format!("{n}@journey.example")).await, "trial", "{n}");
    }
    let c = counts(&app, &me, &id).await;
    assert_eq!(c[0], ("welcome".into(), [3, 0, 3, 0]));
    assert_eq!(c[1], ("bought".into(), [3, 3, 0, 0]));
    assert_eq!(c[2].1, [0, 0, 0, 0]);

    // Ann buys: the event moves her on at once, to the list, and she is done.
    set_plan(&app, &me, &carl, "pro").await;
    track(&app, &key, json!([{ "type": "purchase", "email": "ann@journey.example" }])).await;
    app.drive_jobs().await;
    let e = enrolments(&app, &me, &ann).await;
    assert_eq!((e[0]["status"].as_str(), e[0]["step"].as_str()), (Some("COMPLETED"), Some("buyers")));
    assert_eq!(steps(&e[0]), ["welcome", "bought", "buyers"]);
    assert_eq!(e[0]["path"][1]["note"], "purchase came");
    assert_eq!(e[0]["path"][2]["note"], "added to Buyers");
    assert_eq!(list_emails(&app, &me, &buyers).await, ["ann@journey.example"]);

    // Every worker is down while the hour passes; the first run back (its clock two
    // hours on) times out Bob and Carl: Carl is on the pro plan, Bob leaves.
    let later = app.server.parley.with_clock_skew(chrono::Duration::hours(2));
    let tenant = uuid_of(&owner.workspace_id).into();
    let back = domain::journeys::advance::run(&later, tenant, std::time::Duration::from_secs(5)).await.unwrap();
    assert_eq!((back.moved, back.finished), (2, 2), "{back:?}");
    let bob = enrolments(&app, &me, &contact_id(&app, &me, "bob@journey.example").await).await;
    assert_eq!(
        (bob[0]["status"].as_str(), bob[0]["step"].as_str(), bob[0]["exitReason"].as_str()),
        (Some("EXITED"), Some("bye"), Some("exit step"))
    );
    assert_eq!(steps(&bob[0]), ["welcome", "bought", "pro", "bye"]);
    assert_eq!(bob[0]["path"][1]["note"], "no purchase in time");
    assert_eq!(bob[0]["path"][2]["note"], "no");
    let c = enrolments(&app, &me, &carl).await;
    assert_eq!(steps(&c[0]), ["welcome", "bought", "pro", "buyers"]);
    assert_eq!(c[0]["path"][2]["note"], "yes");
    assert_eq!(list_emails(&app, &me, &buyers).await, ["ann@journey.example", "carl@journey.example"]);
    let again = domain::journeys::advance::run(&later, tenant, std::time::Duration::from_secs(5)).await.unwrap();
    assert_eq!(again.moved, 0, "nothing twice: {again:?}");
    // (Carl joining the list asked for a detection pass on the skewed clock, hours
    // ahead; a pass now stands in for the one that would run by then.)
    domain::triggers::detect::run(&app.server.parley, tenant, std::time::Duration::from_secs(1)).await.unwrap();
    assert_eq!(
        counts(&app, &me, &id).await,
        [
            ("welcome".to_owned(), [3, 0, 3, 0]),
            ("bought".to_owned(), [3, 0, 3, 0]),
            ("pro".to_owned(), [2, 0, 2, 0]),
            ("buyers".to_owned(), [2, 0, 2, 0]),
            ("bye".to_owned(), [1, 0, 0, 1]),
        ]
    );

    // Entered once: Ann signing up again enrols her no more.
    track(&app, &key, json!([{ "type": "signup", "email": "ann@journey.example" }])).await;
    app.drive_jobs().await;
    assert_eq!(enrolments(&app, &me, &ann).await.len(), 1);

    // Paused, it enrols nobody; resumed, it does again.
    let pause = "mutation($id: ID!) { pauseJourney(id: $id) { id status } }";
    let resume = "mutation($id: ID!) { resumeJourney(id: $id) { id status } }";
    assert_eq!(run(&app, &me, pause, json!({ "id": id })).await["pauseJourney"]["status"], "PAUSED");
    track(&app, &key, json!([{ "type": "signup", "email": "dan@journey.example" }])).await;
    app.drive_jobs().await;
    let dan = contact_id(&app, &me, "dan@journey.example").await;
    assert_eq!(enrolments(&app, &me, &dan).await.len(), 0);
    let r = app.gql(&me, ENROL, json!({ "j": id, "c": dan })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("journeyId".into())), "{r}");
    assert_eq!(run(&app, &me, resume, json!({ "id": id })).await["resumeJourney"]["status"], "ACTIVE");
    track(&app, &key, json!([{ "type": "signup", "email": "fay@journey.example" }])).await;
    app.drive_jobs().await;
    let fay = contact_id(&app, &me, "fay@journey.example").await;
    assert_eq!(enrolments(&app, &me, &fay).await[0]["version"], 1);

    // Version 2 (a longer wait): Fay stays on version 1 until moved; newcomers take 2.
    steps_v1[1]["timeout"] = json!("PT2H");
    run(&app, &me, UPDATE, json!({ "id": id, "i": { "name": "Onboarding", "definition": def(&steps_v1) } })).await;
    let p = run(&app, &me, PUBLISH, json!({ "id": id })).await["publishJourney"].clone();
    assert_eq!(p["version"], 2);
    let versions =
        run(&app, &me, "query($id: ID!) { journey(id: $id) { versions { version definition } } }", json!({ "id": id }))
            .await;
    assert_eq!(versions["journey"]["versions"][1]["definition"]["steps"][1]["timeout"], "PT1H", "v1 as it was");
    track(&app, &key, json!([{ "type": "signup", "email": "gus@journey.example" }])).await;
    app.drive_jobs().await;
    let gus = contact_id(&app, &me, "gus@journey.example").await;
    assert_eq!(enrolments(&app, &me, &gus).await[0]["version"], 2);
    assert_eq!(enrolments(&app, &me, &fay).await[0]["version"], 1);
    let migrate = "mutation($id: ID!, $v: Int!) { migrateJourneyContacts(id: $id, fromVersion: $v) { moved left } }";
    let r = app.gql(&me, migrate, json!({ "id": id, "v": 2 })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("fromVersion".into())), "{r}");
    let m = run(&app, &me, migrate, json!({ "id": id, "v": 1 })).await;
    assert_eq!(m["migrateJourneyContacts"], json!({ "moved": 1, "left": 0 }));
    let f = enrolments(&app, &me, &fay).await;
    assert_eq!((f[0]["version"].as_i64(), f[0]["step"].as_str()), (Some(2), Some("bought")));
    let c = counts(&app, &me, &id).await;
    assert_eq!(c[1], ("bought".into(), [2, 2, 0, 0]), "Fay and Gus wait at version 2's step");

    // The trail records the journey's life.
    let trail = run(&app, &me, "{ auditLog(first: 100) { nodes { action } } }", json!({})).await;
    let actions: Vec<&str> =
        trail["auditLog"]["nodes"].as_array().unwrap().iter().map(|n| n["action"].as_str().unwrap()).collect();
    for a in [
        "journey.created",
        "journey.updated",
        "journey.published",
        "journey.paused",
        "journey.resumed",
        "journey.migrated",
    ] {
        assert!(actions.contains(&a), "{a}: {actions:?}");
    }
}

async fn manual_journeys_split_meet_goals_and_follow_reentry(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    plan_field(&app, &me).await;
    let key = issue_key(&app, &me).await;
    let id = journey(
        &app,
        &me,
        "Trial test",
        json!({
            "entry": { "manual": true }, "reentry": { "mode": "always" }, "goal": { "event": "purchase" },
            "start": "split",
            "steps": [
                { "id": "split", "kind": "split", "paths": [{ "percent": 50, "next": "a" }, { "percent": 50, "next": "b" }] },
                { "id": "a", "kind": "updateAttribute", "field": "plan", "value": "A", "next": "hold" },
                { "id": "b", "kind": "updateAttribute", "field": "plan", "value": "B", "next": "hold" },
                { "id": "hold", "kind": "wait", "duration": "P1D" },
            ]
        }),
    )
    .await;
    let r = app.gql(&me, ENROL, json!({ "j": id, "c": contact_id_or_new(&app, &me, "x@split.example").await })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("journeyId".into())), "a draft enrols nobody: {r}");
    run(&app, &me, PUBLISH, json!({ "id": id })).await;
    let mut people = Vec::new();
    for i in 0..20 {
        let email = format!("p{i}@split.example");
        let c = contact_id_or_new(&app, &me, &email).await;
        let e = run(&app, &me, ENROL, json!({ "j": id, "c": c })).await;
        assert_eq!(e["enrolContact"]["step"], "split");
        people.push((email, c));
    }
    let r = app.gql(&me, ENROL, json!({ "j": id, "c": people[0].1 })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("contactId".into())), "in it now: {r}");
    app.drive_jobs().await;
    let c = counts(&app, &me, &id).await;
    assert_eq!(c[0], ("split".into(), [20, 0, 20, 0]));
    let (a, b) = (c[1].1, c[2].1);
    assert_eq!(a[0] + b[0], 20);
    assert!(a[0] > 0 && b[0] > 0, "both paths taken: {c:?}");
    assert_eq!(c[3], ("hold".into(), [20, 20, 0, 0]));
    // Each contact's field says the path its split took.
    for (email, contact) in people.iter().take(4) {
        let e = &enrolments(&app, &me, contact).await[0];
        let path = steps(e);
        let want = if path[1] == "a" { "A" } else { "B" };
        assert_eq!(plan_of(&app, &me, email).await, want, "{e}");
        assert_eq!(e["path"][0]["note"], if want == "A" { "path 1" } else { "path 2" });
        assert_eq!(e["status"], "WAITING");
    }

    // The goal, tracked, takes p0 out at once; re-entry "always" lets p0 in again.
    track(&app, &key, json!([{ "type": "purchase", "email": "p0@split.example" }])).await;
    app.drive_jobs().await;
    let e = enrolments(&app, &me, &people[0].1).await;
    assert_eq!((e[0]["status"].as_str(), e[0]["exitReason"].as_str()), (Some("EXITED"), Some("goal met")));
    run(&app, &me, ENROL, json!({ "j": id, "c": people[0].1 })).await;
    assert_eq!(enrolments(&app, &me, &people[0].1).await.len(), 2);

    // Taken out by hand, once.
    let p1 = enrolments(&app, &me, &people[1].1).await[0]["id"].clone();
    let remove = "mutation($id: ID!) { removeFromJourney(id: $id) { status exitReason } }";
    let r = run(&app, &me, remove, json!({ "id": p1 })).await;
    assert_eq!(r["removeFromJourney"], json!({ "status": "EXITED", "exitReason": "removed by hand" }));
    let r = app.gql(&me, remove, json!({ "id": p1 })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("id".into())), "{r}");

    // A day on, everyone still holding completes.
    let later = app.server.parley.with_clock_skew(chrono::Duration::hours(25));
    let tenant = uuid_of(&owner.workspace_id).into();
    domain::journeys::advance::run(&later, tenant, std::time::Duration::from_secs(5)).await.unwrap();
    let c = counts(&app, &me, &id).await;
    // p0 met the goal and p1 was removed there; p0 came in again (moved by the run a
    // day on, so it waits its own day from then).
    assert_eq!(c[3], ("hold".into(), [21, 1, 18, 2]), "{c:?}");

    // Re-entry after N days; a wait until a time of day in the contact's zone.
    let tokyo = run(
        &app,
        &me,
        "mutation($i: ContactInput!) { createContact(input: $i) { id } }",
        json!({ "i": { "email": "kenji@tokyo.example", "timeZone": "Asia/Tokyo" } }),
    )
    .await["createContact"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let morning = journey(
        &app,
        &me,
        "Morning",
        json!({ "entry": { "manual": true }, "reentry": { "mode": "after", "days": 30 }, "start": "nine",
                "steps": [{ "id": "nine", "kind": "wait", "until": "09:00" }] }),
    )
    .await;
    run(&app, &me, PUBLISH, json!({ "id": morning })).await;
    run(&app, &me, ENROL, json!({ "j": morning, "c": tokyo })).await;
    app.drive_jobs().await;
    let e = enrolments(&app, &me, &tokyo).await;
    let wake: chrono::DateTime<chrono::Utc> = e[0]["wakeAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(wake.format("%H:%M:%S").to_string(), "00:00:00", "09:00 in Tokyo: {e:?}");
    assert!(wake > chrono::Utc::now() && wake <= chrono::Utc::now() + chrono::Duration::hours(24), "{wake}");
    let r = app.gql(&me, "mutation($id: ID!) { removeFromJourney(id: $id) { id } }", json!({ "id": e[0]["id"] })).await;
    ok(r);
    let r = app.gql(&me, ENROL, json!({ "j": morning, "c": tokyo })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("contactId".into())), "within 30 days: {r}");
    assert!(r.to_string().contains("less than 30 days ago"), "{r}");
}

/// The contact with `email`, made when there is none.
pub async fn contact_id_or_new(app: &TestApp, who: &As, email: &str) -> String {
    let q = "mutation($i: ContactInput!) { upsertContact(input: $i) { contact { id } } }";
    run(app, who, q, json!({ "i": { "email": email } })).await["upsertContact"]["contact"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn bad_journeys_are_named_and_other_workspaces_see_nothing(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let other = app.sign_up("BUSINESS").await;
    let them = other.auth();
    plan_field(&app, &me).await;
    let dynamic = segment(&app, &me, "Everyone", json!({ "attribute": "email", "op": "contains", "value": "@" })).await;
    let their_rule = rule(&app, &them, "Theirs", json!({ "event": "signup" })).await;
    let manual = |steps: Value| json!({ "entry": { "manual": true }, "start": "a", "steps": steps });
    let wait = |id: &str, next: &str| json!({ "id": id, "kind": "wait", "duration": "PT1M", "next": next });
    let set = |id: &str, next: &str| json!({ "id": id, "kind": "updateAttribute", "field": "plan", "value": "x", "next": next });
    // Refused as written.
    for (definition, want) in [
        (json!("steps"), "definition"),
        (json!({ "start": "a", "steps": [wait("a", "a")] }), "definition.entry"),
        (
            json!({ "entry": { "trigger": "nope" }, "start": "a", "steps": [wait("a", "a")] }),
            "definition.entry.trigger",
        ),
        (manual(json!([])), "definition.steps"),
        (manual(json!([{ "id": "a", "kind": "teleport" }])), "definition.steps[0].kind"),
        (manual(json!([{ "id": "a", "kind": "wait", "duration": "soon" }])), "definition.steps[0].duration"),
        (manual(json!([{ "id": "a", "kind": "waitFor", "event": "purchase" }])), "definition.steps[0].timeout"),
        (manual(json!([wait("a", "b"), wait("a", "b")])), "definition.steps[1].id"),
        (
            json!({ "entry": { "manual": true }, "start": "a", "steps": [wait("a", "a")], "colour": "red" }),
            "definition.colour",
        ),
    ] {
        let r = app.gql(&me, CREATE, json!({ "i": { "name": "Bad", "definition": definition } })).await;
        assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some(want.into())), "{definition}: {r}");
    }
    assert_eq!(run(&app, &me, "{ journeys(first: 10) { totalCount } }", json!({})).await["journeys"]["totalCount"], 0);
    // Refused at publish, the step named.
    let cases = [
        (manual(json!([set("a", "b"), set("b", "a")])), "definition.steps[0]", "loop with no wait"),
        (manual(json!([wait("a", "zz")])), "definition.steps[0].next", "\\\"zz\\\", which is no step"),
        (manual(json!([{ "id": "a", "kind": "addToList", "list": dynamic }])), "definition.steps[0].list", "dynamic"),
        (
            manual(json!([{ "id": "a", "kind": "updateAttribute", "field": "shoe", "value": 1 }])),
            "definition.steps[0].field",
            "shoe",
        ),
        (
            json!({ "entry": { "trigger": their_rule }, "start": "a", "steps": [wait("a", "a")] }),
            "definition.entry.trigger",
            "not a trigger rule",
        ),
        (
            manual(
                json!([{ "id": "a", "kind": "branch", "condition": { "attribute": "shoe", "op": "eq", "value": 1 } }]),
            ),
            "definition.steps[0].condition",
            "step \\\"a\\\"",
        ),
    ];
    for (i, (definition, want, says)) in cases.into_iter().enumerate() {
        let id = journey(&app, &me, &format!("Draft {i}"), definition.clone()).await;
        let r = app.gql(&me, PUBLISH, json!({ "id": id })).await;
        assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some(want.into())), "{definition}: {r}");
        assert!(r.to_string().contains(says), "{says}: {r}");
        let j = run(&app, &me, JOURNEY, json!({ "id": id })).await;
        assert_eq!((j["journey"]["status"].as_str(), j["journey"]["version"].as_i64()), (Some("DRAFT"), Some(0)));
    }
    let r = app
        .gql(&me, CREATE, json!({ "i": { "name": "Draft 0", "definition": manual(json!([wait("a", "a")])) } }))
        .await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("name".into())), "{r}");

    // The same address in both workspaces, in a journey waiting for a purchase in each.
    let waits = json!({ "entry": { "manual": true }, "start": "a",
        "steps": [{ "id": "a", "kind": "waitFor", "event": "purchase", "timeout": "P1D", "next": "b" },
                  { "id": "b", "kind": "exit" }] });
    let mine = journey(&app, &me, "Mine", waits.clone()).await;
    let theirs = journey(&app, &them, "Theirs", waits).await;
    run(&app, &me, PUBLISH, json!({ "id": mine })).await;
    run(&app, &them, PUBLISH, json!({ "id": theirs })).await;
    let my_sam = contact_id_or_new(&app, &me, "sam@both.example").await;
    let their_sam = contact_id_or_new(&app, &them, "sam@both.example").await;
    run(&app, &me, ENROL, json!({ "j": mine, "c": my_sam })).await;
    run(&app, &them, ENROL, json!({ "j": theirs, "c": their_sam })).await;
    app.drive_jobs().await;
    let their_key = issue_key(&app, &them).await;
    track(&app, &their_key, json!([{ "type": "purchase", "email": "sam@both.example" }])).await;
    app.drive_jobs().await;
    assert_eq!(enrolments(&app, &them, &their_sam).await[0]["status"], "EXITED", "their Sam bought");
    assert_eq!(enrolments(&app, &me, &my_sam).await[0]["status"], "WAITING", "mine did not");

    // Their journeys, enrolments and contacts are NOT_FOUND here.
    let their_enrolment = enrolments(&app, &them, &their_sam).await[0]["id"].clone();
    for (q, vars) in [
        (JOURNEY, json!({ "id": theirs })),
        (PUBLISH, json!({ "id": theirs })),
        ("mutation($id: ID!) { pauseJourney(id: $id) { id } }", json!({ "id": theirs })),
        ("mutation($id: ID!) { deleteJourney(id: $id) }", json!({ "id": theirs })),
        (UPDATE, json!({ "id": theirs, "i": { "name": "Mine now", "definition": manual(json!([wait("a", "a")])) } })),
        (ENROL, json!({ "j": theirs, "c": my_sam })),
        (ENROL, json!({ "j": mine, "c": their_sam })),
        (OF_CONTACT, json!({ "c": their_sam })),
        ("mutation($id: ID!) { removeFromJourney(id: $id) { id } }", json!({ "id": their_enrolment })),
        ("query($id: ID!) { node(id: $id) { id } }", json!({ "id": their_enrolment })),
        ("mutation($id: ID!) { migrateJourneyContacts(id: $id, fromVersion: 1) { moved } }", json!({ "id": theirs })),
    ] {
        let r = app.gql(&me, q, vars.clone()).await;
        assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{q} {vars}: {r}");
    }
    let list = run(&app, &me, "{ journeys(first: 50) { nodes { name } } }", json!({})).await;
    assert!(!list.to_string().contains("Theirs"), "{list}");
    let j = run(&app, &them, JOURNEY, json!({ "id": theirs })).await;
    assert_eq!(j["journey"]["name"], "Theirs", "untouched");

    // Deleting a journey takes its enrolments with it.
    run(&app, &me, "mutation($id: ID!) { deleteJourney(id: $id) }", json!({ "id": mine })).await;
    assert_eq!(enrolments(&app, &me, &my_sam).await.len(), 0);
    let r = app.gql(&me, JOURNEY, json!({ "id": mine })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
}

/// The email step sends through the campaigns' pipeline: consent and suppressions
/// decide, the worker delivers it (signed, with the template rendered for the contact),
/// once per entry however often the move runs; the step's campaign is not listed with
/// the workspace's own.
async fn an_email_step_sends_once_per_entry_through_the_campaign_pipeline(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    plan_field(&app, &me).await;
    let domain = crate::campaigns::sending_domain(&app, &me, "news.journey.example").await["id"].clone();
    let tpl = crate::campaigns::template(&app, &me, "Welcome mail").await;
    let ann = crate::campaigns::contact(&app, &me, "ann@mail.journey.example", "Ann", Some("GRANTED")).await;
    let bob = crate::campaigns::contact(&app, &me, "bob@mail.journey.example", "Bob", None).await;
    let my_id = run(&app, &me, "{ me { id } }", json!({})).await["me"]["id"].clone();
    let stranger = app.sign_up("BUSINESS").await;
    let their_id = run(&app, &stranger.auth(), "{ me { id } }", json!({})).await["me"]["id"].clone();
    let steps = |from: &str, tell: &Value| {
        json!([{ "id": "mail", "kind": "email", "template": tpl, "domain": domain, "fromAddress": from,
                 "fromName": "The shop", "next": "tell" },
               { "id": "tell", "kind": "notify", "user": tell, "message": "Say hello in person.", "next": "wait" },
               { "id": "wait", "kind": "wait", "duration": "P1D", "next": "opened" },
               { "id": "opened", "kind": "branch", "condition": { "lastResponse": "OPENED" }, "yes": "keen" },
               { "id": "keen", "kind": "updateAttribute", "field": "plan", "value": "keen" }])
    };
    let def = |from: &str| json!({ "entry": { "manual": true }, "start": "mail", "steps": steps(from, &my_id) });
    // Only a member of the workspace can be told.
    let stray = journey(
        &app,
        &me,
        "Stray",
        json!({ "entry": { "manual": true }, "start": "mail",
        "steps": steps("hello@news.journey.example", &their_id) }),
    )
    .await;
    let r = app.gql(&me, PUBLISH, json!({ "id": stray })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("definition.steps[1].user".into())), "{r}");
    let id = journey(&app, &me, "Welcome", def("hello@elsewhere.example")).await;
    let r = app.gql(&me, PUBLISH, json!({ "id": id })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("definition.steps[0].fromAddress".into())), "{r}");
    let r = app
        .gql(
            &me,
            CREATE,
            json!({ "i": { "name": "No template", "definition": {
        "entry": { "manual": true }, "start": "mail", "steps": [{ "id": "mail", "kind": "email", "template": "x",
        "domain": domain, "fromAddress": "hello@news.journey.example" }] } } }),
        )
        .await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("definition.steps[0].template".into())), "{r}");
    run(
        &app,
        &me,
        UPDATE,
        json!({ "id": id, "i": { "name": "Welcome", "definition": def("hello@news.journey.example") } }),
    )
    .await;
    run(&app, &me, PUBLISH, json!({ "id": id })).await;
    for c in [&ann, &bob] {
        run(&app, &me, ENROL, json!({ "j": id, "c": c })).await;
    }
    app.drive_jobs().await;
    let a = enrolments(&app, &me, &ann).await;
    assert_eq!(a[0]["path"][0]["note"], "email queued", "{a:?}");
    assert_eq!((a[0]["status"].as_str(), a[0]["step"].as_str()), (Some("WAITING"), Some("wait")));
    let b = enrolments(&app, &me, &bob).await;
    assert_eq!(b[0]["path"][0]["note"], "not sent: NO_CONSENT", "{b:?}");
    let got = app.smtp.to("ann@mail.journey.example");
    assert_eq!(got.len(), 1, "one message");
    assert!(got[0].data.contains("Hi Ann!"), "the template rendered for Ann");
    assert!(got[0].data.contains("DKIM-Signature"), "signed");
    assert!(got[0].data.contains("List-Unsubscribe"), "with its unsubscribe link");
    assert!(app.smtp.to("bob@mail.journey.example").is_empty());
    assert_eq!(a[0]["path"][1]["note"], "notice queued");
    let told: Vec<_> =
        app.smtp.to(&owner.email).into_iter().filter(|m| m.data.contains("Say hello in person.")).collect();
    assert_eq!(told.len(), 2, "the owner hears of Ann and of Bob");
    assert!(told.iter().any(|m| m.data.contains("Ann reached a step")), "names the contact");
    // Ann's timeline has the send, as a campaign's would.
    let q = "query($e: String!) { contactByEmail(email: $e) { events(first: 20) { nodes { kind } } } }";
    let t = run(&app, &me, q, json!({ "e": "ann@mail.journey.example" })).await;
    assert!(t.to_string().contains("email_sent"), "{t}");
    // The step's campaign is the journey's: not among the workspace's campaigns.
    let list = run(&app, &me, "{ campaigns(first: 20) { totalCount } }", json!({})).await;
    assert_eq!(list["campaigns"]["totalCount"], 0);

    // Ann opens her mail; a branch on the last response sends her one way, Bob (sent
    // nothing) the other, once the day has passed.
    let pixel = got[0].link("/t/o/").expect("an open pixel");
    assert_eq!(app.http.get(&pixel).send().await.unwrap().status(), 200);
    let r = app
        .gql(
            &me,
            CREATE,
            json!({ "i": { "name": "Bad branch", "definition": { "entry": { "manual": true },
            "start": "b", "steps": [{ "id": "b", "kind": "branch", "condition": { "lastResponse": "LIKED" } }] } } }),
        )
        .await;
    assert_eq!(
        bad(&r),
        (Some("BAD_USER_INPUT".into()), Some("definition.steps[0].condition.lastResponse".into())),
        "{r}"
    );

    // Runs again (the day passing) send nothing more; a second entry sends again.
    let later = app.server.parley.with_clock_skew(chrono::Duration::hours(25));
    let tenant = uuid_of(&owner.workspace_id).into();
    domain::journeys::advance::run(&later, tenant, std::time::Duration::from_secs(5)).await.unwrap();
    app.drive_jobs().await;
    assert_eq!(app.smtp.to("ann@mail.journey.example").len(), 1);
    let a = enrolments(&app, &me, &ann).await;
    assert_eq!(a[0]["status"], "COMPLETED");
    assert_eq!(self::steps(&a[0]), ["mail", "tell", "wait", "opened", "keen"]);
    assert_eq!(a[0]["path"][3]["note"], "yes (opened)");
    assert_eq!(plan_of(&app, &me, "ann@mail.journey.example").await, "keen");
    let b = enrolments(&app, &me, &bob).await;
    assert_eq!(self::steps(&b[0]), ["mail", "tell", "wait", "opened"]);
    assert_eq!(b[0]["path"][3]["note"], "no (opened)");
}

/// A journey entered by a segment enrols the contacts who come into it (those in it
/// already when it is published do not enter), through a trigger rule on its entries
/// made at publish and shared by every journey on that segment.
async fn a_segment_entry_enrols_contacts_as_they_come_in(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    plan_field(&app, &me).await;
    let gold = segment(&app, &me, "Gold", json!({ "attribute": "plan", "op": "eq", "value": "gold" })).await;
    let already = crate::campaigns::contact(&app, &me, "early@seg.example", "Early", None).await;
    let later = contact_id_or_new(&app, &me, "later@seg.example").await;
    let def = json!({ "entry": { "segment": gold }, "start": "hold",
                      "steps": [{ "id": "hold", "kind": "wait", "duration": "P1D" }] });
    let r = app
        .gql(
            &me,
            CREATE,
            json!({ "i": { "name": "Bad", "definition": { "entry": { "segment": "x" },
        "start": "hold", "steps": [{ "id": "hold", "kind": "exit" }] } } }),
        )
        .await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("definition.entry.segment".into())), "{r}");
    let a = journey(&app, &me, "Gold welcome", def.clone()).await;
    let b = journey(&app, &me, "Gold survey", def).await;
    for id in [&a, &b] {
        let p = run(&app, &me, PUBLISH, json!({ "id": id })).await;
        assert_eq!(p["publishJourney"]["status"], "ACTIVE");
    }
    let j = run(&app, &me, JOURNEY, json!({ "id": a })).await;
    assert_eq!(j["journey"]["entryKind"], "SEGMENT");
    let rules = run(&app, &me, "{ triggerRules(first: 10) { nodes { name kind } } }", json!({})).await;
    assert_eq!(
        rules["triggerRules"]["nodes"],
        json!([{ "name": "Entered Gold", "kind": "SEGMENT_ENTERED" }]),
        "one rule for both journeys"
    );
    app.drive_jobs().await;
    set_plan(&app, &me, &later, "gold").await;
    app.drive_jobs().await;
    let e = enrolments(&app, &me, &later).await;
    let mut names: Vec<String> = Vec::new();
    for x in &e {
        let q = "query($id: ID!) { journey(id: $id) { name } }";
        names.push(
            run(&app, &me, q, json!({ "id": x["journey"]["id"] })).await["journey"]["name"].as_str().unwrap().into(),
        );
    }
    names.sort();
    assert_eq!(names, ["Gold survey", "Gold welcome"], "{e:?}");
    assert_eq!(enrolments(&app, &me, &already).await.len(), 0, "in the segment before: not entered");
}

/// A journey and one of its enrolments, for the node registry's story.
pub async fn samples(app: &TestApp, owner: &Account) -> Vec<(&'static str, Value)> {
    let me = owner.auth();
    let id = journey(
        app,
        &me,
        "Sample journey",
        json!({ "entry": { "manual": true }, "start": "a", "steps": [{ "id": "a", "kind": "wait", "duration": "PT1H" }] }),
    )
    .await;
    run(app, &me, PUBLISH, json!({ "id": id })).await;
    let c = contact_id_or_new(app, &me, "sample@journeys.example").await;
    let e = run(app, &me, ENROL, json!({ "j": id, "c": c })).await;
    vec![("Journey", json!(id)), ("JourneyEnrolment", e["enrolContact"]["id"].clone())]
}

/// A decide step asks the decisioning engine for the contact's best offer (by a job),
/// the contact waiting for the answer; the offer's code lands in a field, the decision
/// in the contact's history; a point or field not of the workspace is refused by name.
async fn a_decide_step_asks_the_engine_and_waits_for_its_answer(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    plan_field(&app, &me).await;
    let gold = crate::decisions::offer(&app, &me, "GOLD", &["WEB"]).await;
    let pt = crate::decisions::point(&app, &me, "Journey picks", "WEB").await;
    run(&app, &me, crate::decisions::RULE, json!({ "i": { "pointId": pt, "offerIds": [gold] } })).await;
    let def = |point: &str, field: &str| {
        json!({ "entry": { "manual": true }, "start": "pick", "steps": [
            { "id": "pick", "kind": "decide", "point": point, "saveTo": field, "next": "done" },
            { "id": "done", "kind": "wait", "duration": "P1D" }] })
    };
    let r = app.gql(&me, CREATE, json!({ "i": { "name": "No point", "definition": def("x", "plan") } })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("definition.steps[0].point".into())), "{r}");
    let stray = journey(&app, &me, "Stray field", def(&pt, "nosuch")).await;
    let r = app.gql(&me, PUBLISH, json!({ "id": stray })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("definition.steps[0].saveTo".into())), "{r}");
    let other = app.sign_up("BUSINESS").await;
    let their_pt = crate::decisions::point(&app, &other.auth(), "Theirs", "WEB").await;
    let theirs = journey(&app, &me, "Their point", def(&their_pt, "plan")).await;
    let r = app.gql(&me, PUBLISH, json!({ "id": theirs })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("definition.steps[0].point".into())), "{r}");

    let id = journey(&app, &me, "Pick an offer", def(&pt, "plan")).await;
    run(&app, &me, PUBLISH, json!({ "id": id })).await;
    let ann = contact_id_or_new(&app, &me, "ann@decide.example").await;
    run(&app, &me, ENROL, json!({ "j": id, "c": ann })).await;
    app.drive_jobs().await;
    let e = enrolments(&app, &me, &ann).await;
    assert_eq!((e[0]["status"].as_str(), e[0]["step"].as_str()), (Some("WAITING"), Some("done")), "{e:?}");
    assert_eq!(steps(&e[0]), ["pick", "done"]);
    assert_eq!(e[0]["path"][0]["note"], "decided");
    let q = "query($id: ID!) { contact(id: $id) { events(first: 20) { nodes { kind properties } } } }";
    let t = run(&app, &me, q, json!({ "id": ann })).await;
    let decided: Vec<&Value> =
        t["contact"]["events"]["nodes"].as_array().unwrap().iter().filter(|n| n["kind"] == "journey_decided").collect();
    assert_eq!(decided.len(), 1, "{t}");
    assert_eq!(decided[0]["properties"]["offer"], "GOLD");
    assert!(decided[0]["properties"]["decision"].is_string(), "{t}");
    assert_eq!(plan_of(&app, &me, "ann@decide.example").await, "GOLD", "the offer's code, in the step's field");
}

on_both!(
    a_decide_step_asks_the_engine_and_waits_for_its_answer,
    a_trigger_moves_contacts_through_waits_branches_and_lists,
    manual_journeys_split_meet_goals_and_follow_reentry,
    bad_journeys_are_named_and_other_workspaces_see_nothing,
    an_email_step_sends_once_per_entry_through_the_campaign_pipeline,
    a_segment_entry_enrols_contacts_as_they_come_in,
);
