//! Contacts: identities kept unique and normalised, typed fields, consent with its
//! history, upserts that change nothing the second time, merges that keep everything,
//! erasure that keeps nothing, and another workspace that sees none of it.

use serde_json::{Value, json};

use crate::on_both;
use crate::support::*;

const CONTACT: &str = "id email phone externalId firstName lastName displayName timeZone attributes tags \
                       consents { channel status source recordedAt } createdAt updatedAt";

fn create_q() -> String {
    format!("mutation($i: ContactInput!) {{ createContact(input: $i) {{ {CONTACT} }} }}")
}

async fn new_field(app: &TestApp, who: &As, input: Value) -> Value {
    let q = "mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { id key label kind options currency } }";
    app.gql(who, q, json!({ "i": input })).await
}

async fn key_with_role(app: &TestApp, owner: &Account, role: &str) -> As {
    let q = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }";
    let k = ok(app.gql(&owner.auth(), q, json!({ "i": { "name": role, "role": role } })).await);
    As::token(k["createApiKey"]["secret"].as_str().unwrap())
}

async fn count(app: &TestApp, who: &As) -> u64 {
    ok(app.gql(who, "{ contacts { totalCount } }", json!({})).await)["contacts"]["totalCount"].as_u64().unwrap()
}

async fn a_contact_keeps_its_identities_fields_consent_and_history(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    ok(new_field(
        &app,
        &me,
        json!({ "key": "tier", "label": "Loyalty tier", "kind": "ENUM", "options": ["Gold", "Silver"] }),
    )
    .await);
    ok(new_field(&app, &me, json!({ "key": "lifetime_spend", "label": "Spend", "kind": "MONEY", "currency": "eur" }))
        .await);
    ok(new_field(&app, &me, json!({ "key": "birthday", "label": "Birthday", "kind": "DATE" })).await);

    let input = json!({
        "email": "  Ann.Lee@Example.COM ", "phone": "+44 (0)1632 960-961", "firstName": "Ann", "lastName": "Lee",
        "timeZone": "Europe/London", "tags": ["vip", "VIP ", "beta"],
        "attributes": { "tier": "gold", "lifetime_spend": "1250.5", "birthday": "1990-04-01" }
    });
    let c = ok(app.gql(&me, &create_q(), json!({ "i": input })).await)["createContact"].clone();
    assert_eq!(c["email"], "ann.lee@example.com");
    assert_eq!(c["phone"], "+441632960961");
    assert_eq!(c["displayName"], "Ann Lee");
    assert_eq!(c["tags"], json!(["beta", "vip"]));
    assert_eq!(c["attributes"]["tier"], "Gold");
    assert_eq!(c["attributes"]["lifetime_spend"], json!({ "amount": 125050, "currency": "EUR" }));
    assert_eq!(c["attributes"]["birthday"], "1990-04-01");
    let id = c["id"].as_str().unwrap().to_owned();

    // Found again by any identity, written in any of its forms.
    let by = "query($e: String, $p: String) { contactByIdentity(email: $e, phone: $p) { id } }";
    assert_eq!(
        ok(app.gql(&me, by, json!({ "e": "ANN.LEE@example.com" })).await)["contactByIdentity"]["id"],
        id.as_str()
    );
    assert_eq!(ok(app.gql(&me, by, json!({ "p": "0044 1632 960961" })).await)["contactByIdentity"]["id"], id.as_str());

    // An update touches only what it names; null removes.
    let upd = format!("mutation($id: ID!, $i: ContactInput!) {{ updateContact(id: $id, input: $i) {{ {CONTACT} }} }}");
    let u = ok(app
        .gql(
            &me,
            &upd,
            json!({ "id": id, "i": { "phone": null, "attributes": { "birthday": null, "tier": "Silver" } } }),
        )
        .await)["updateContact"]
        .clone();
    assert_eq!(u["phone"], Value::Null);
    assert_eq!(u["email"], "ann.lee@example.com");
    assert_eq!(u["attributes"], json!({ "tier": "Silver", "lifetime_spend": { "amount": 125050, "currency": "EUR" } }));
    // The same update again changes nothing, not even the time.
    let again = ok(app.gql(&me, &upd, json!({ "id": id, "i": { "attributes": { "tier": "silver" } } })).await);
    assert_eq!(again["updateContact"]["updatedAt"], u["updatedAt"]);

    // Consent is recorded with its source and lands in the history.
    let consent = "mutation($i: SetConsentInput!) { setConsent(input: $i) { consents { channel status source } } }";
    let set = |status: &str| json!({ "i": { "contactId": id, "channel": "EMAIL", "status": status, "source": "signup form" } });
    ok(app.gql(&me, consent, set("GRANTED")).await);
    let s = ok(app.gql(&me, consent, set("DENIED")).await);
    assert_eq!(
        s["setConsent"]["consents"],
        json!([{ "channel": "EMAIL", "status": "DENIED", "source": "signup form" }])
    );
    ok(app.gql(&me, consent, set("DENIED")).await);
    let h = ok(app
        .gql(
            &me,
            "query($id: ID!) { contact(id: $id) { events { totalCount nodes { id kind properties } } } }",
            json!({ "id": id }),
        )
        .await);
    let events = &h["contact"]["events"];
    assert_eq!(events["totalCount"], 2, "the same status twice is one change: {h}");
    assert_eq!(events["nodes"][0]["kind"], "consent_changed");
    assert_eq!(events["nodes"][0]["properties"]["status"], "DENIED");
    assert_eq!(events["nodes"][1]["properties"]["status"], "GRANTED");
    let event_id = events["nodes"][0]["id"].clone();
    let n = ok(app.gql(&me, "query($id: ID!) { node(id: $id) { __typename id } }", json!({ "id": event_id })).await);
    assert_eq!(n["node"]["__typename"], "ContactEvent");

    // The trail says what changed about the contact, never who they are.
    let trail = ok(app.gql(&me, "{ auditLog(first: 50) { nodes { action objectType after } } }", json!({})).await);
    let actions: Vec<&str> =
        trail["auditLog"]["nodes"].as_array().unwrap().iter().filter_map(|l| l["action"].as_str()).collect();
    for a in ["contact.created", "contact.updated", "contact.consent_changed", "contact_field.created"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    assert!(!trail.to_string().contains("ann.lee") && !trail.to_string().contains("1632"), "no personal data: {trail}");

    // The shapes integrations use: consents given with the contact, fields defined by
    // their first value, found by email.
    let q = "mutation($i: ContactInput!) { createContact(input: $i) { id consents { channel status source } } }";
    let input = json!({ "email": "Bo@Example.com", "attributes": { "visit": 1, "plan": "pro", "beta": true },
                        "consents": [{ "channel": "EMAIL", "status": "GRANTED" }, { "channel": "SMS", "status": "DENIED", "source": "form" }] });
    let bo = ok(app.gql(&me, q, json!({ "i": input })).await)["createContact"].clone();
    assert_eq!(
        bo["consents"],
        json!([{ "channel": "EMAIL", "status": "GRANTED", "source": "api" }, { "channel": "SMS", "status": "DENIED", "source": "form" }])
    );
    let found = ok(app
        .gql(
            &me,
            "{ contactByEmail(email: \"bo@example.COM\") { id attributes tags events { totalCount } } }",
            json!({}),
        )
        .await);
    assert_eq!(found["contactByEmail"]["id"], bo["id"]);
    assert_eq!(found["contactByEmail"]["attributes"], json!({ "visit": 1, "plan": "pro", "beta": true }));
    assert_eq!(found["contactByEmail"]["events"]["totalCount"], 2, "each consent is in the history");
    let kinds = ok(app.gql(&me, "{ contactFields(first: 100) { nodes { key kind label } } }", json!({})).await);
    let kinds = &kinds["contactFields"]["nodes"];
    for (key, kind) in [("visit", "NUMBER"), ("plan", "STRING"), ("beta", "BOOLEAN")] {
        assert!(
            kinds.as_array().unwrap().iter().any(|f| f["key"] == key && f["kind"] == kind),
            "{key} {kind}: {kinds}"
        );
    }
    // A role that may not define fields cannot do it by writing a value.
    let sales = key_with_role(&app, &owner, "SALES").await;
    let res = app
        .gql(&sales, &create_q(), json!({ "i": { "email": "s@example.com", "attributes": { "region": "north" } } }))
        .await;
    assert_eq!(field(&res).as_deref(), Some("attributes.region"));
    ok(app.gql(&sales, &create_q(), json!({ "i": { "email": "s@example.com", "attributes": { "visit": 2 } } })).await);

    // Removing a field removes every contact's value for it.
    let fields = ok(app.gql(&me, "{ contactFields { nodes { id key } } }", json!({})).await);
    let tier =
        fields["contactFields"]["nodes"].as_array().unwrap().iter().find(|f| f["key"] == "tier").unwrap()["id"].clone();
    ok(app.gql(&me, "mutation($id: ID!) { deleteContactField(id: $id) { key } }", json!({ "id": tier })).await);
    let after = ok(app.gql(&me, "query($id: ID!) { contact(id: $id) { attributes } }", json!({ "id": id })).await);
    assert_eq!(after["contact"]["attributes"], json!({ "lifetime_spend": { "amount": 125050, "currency": "EUR" } }));
    // …and the key is free for a field of another type.
    ok(new_field(&app, &me, json!({ "key": "tier", "label": "Tier number", "kind": "NUMBER" })).await);
}

async fn bad_input_names_the_field_and_writes_nothing(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    ok(new_field(&app, &me, json!({ "key": "tier", "label": "Tier", "kind": "ENUM", "options": ["Gold"] })).await);
    ok(app.gql(&me, &create_q(), json!({ "i": { "email": "taken@example.com", "externalId": "crm-1" } })).await);
    for (input, want) in [
        (json!({ "firstName": "No identity" }), "email"),
        (json!({ "email": "not-an-email" }), "email"),
        (json!({ "phone": "612345678" }), "phone"),
        (json!({ "email": "TAKEN@example.com" }), "email"),
        (json!({ "email": "new@example.com", "externalId": " crm-1 " }), "externalId"),
        (json!({ "email": "new@example.com", "timeZone": "Mars/Olympus" }), "timeZone"),
        (json!({ "email": "new@example.com", "attributes": { "Shoe Size": 42 } }), "attributes.Shoe Size"),
        (json!({ "email": "new@example.com", "attributes": { "budget": { "amount": 5 } } }), "attributes.budget"),
        (
            json!({ "email": "new@example.com", "consents": [{ "channel": "SMS", "status": "GRANTED", "source": "" }] }),
            "consents.source",
        ),
        (json!({ "email": "new@example.com", "attributes": { "tier": "Bronze" } }), "attributes.tier"),
        (json!({ "email": "new@example.com", "tags": ["x".repeat(51)] }), "tags"),
        (json!({ "email": "new@example.com", "firstName": "a\u{7}b" }), "firstName"),
    ] {
        let res = app.gql(&me, &create_q(), json!({ "i": input })).await;
        assert_eq!(code(&res).as_deref(), Some("BAD_USER_INPUT"), "{input}: {res}");
        assert_eq!(field(&res).as_deref(), Some(want), "{input}: {res}");
    }
    assert_eq!(count(&app, &me).await, 1, "nothing half-written");
    for (input, want) in [
        (json!({ "key": "Tier 2", "label": "x", "kind": "STRING" }), "key"),
        (json!({ "key": "email", "label": "x", "kind": "STRING" }), "key"),
        (json!({ "key": "tier", "label": "x", "kind": "STRING" }), "key"),
        (json!({ "key": "colour", "label": "x", "kind": "ENUM" }), "options"),
        (json!({ "key": "colour", "label": "x", "kind": "STRING", "options": ["a"] }), "options"),
        (json!({ "key": "spend", "label": "x", "kind": "MONEY" }), "currency"),
        (json!({ "key": "spend", "label": "x", "kind": "MONEY", "currency": "EURO" }), "currency"),
        (json!({ "key": "spend", "label": "", "kind": "NUMBER" }), "label"),
    ] {
        let res = new_field(&app, &me, input.clone()).await;
        assert_eq!(field(&res).as_deref(), Some(want), "{input}: {res}");
    }
    let malformed = app.gql(&me, "query { contact(id: \"nope\") { id } }", json!({})).await;
    assert_eq!(field(&malformed).as_deref(), Some("id"));
    let two = app.gql(&me, "{ contactByIdentity(email: \"a@b.co\", phone: \"+4412345678\") { id } }", json!({})).await;
    assert_eq!(code(&two).as_deref(), Some("BAD_USER_INPUT"));
}

async fn upserts_change_nothing_twice_and_merges_keep_everything(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let up =
        format!("mutation($i: ContactInput!) {{ upsertContact(input: $i) {{ created contact {{ {CONTACT} }} }} }}");
    let row = json!({ "externalId": "crm-7", "email": "bo@example.com", "firstName": "Bo", "tags": ["lead"] });
    let first = ok(app.gql(&me, &up, json!({ "i": row })).await)["upsertContact"].clone();
    assert_eq!(first["created"], true);
    let second = ok(app.gql(&me, &up, json!({ "i": row })).await)["upsertContact"].clone();
    assert_eq!(second["created"], false);
    assert_eq!(second["contact"]["id"], first["contact"]["id"]);
    assert_eq!(second["contact"]["updatedAt"], first["contact"]["updatedAt"], "the same row twice changes nothing");
    let target = first["contact"]["id"].as_str().unwrap().to_owned();

    // A second record of the same person, under a phone number.
    let other = ok(app
        .gql(&me, &create_q(), json!({ "i": { "phone": "+33612345678", "lastName": "Berg", "tags": ["sms"] } }))
        .await)["createContact"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Identities of two different contacts in one upsert are refused, naming one.
    let clash = app.gql(&me, &up, json!({ "i": { "email": "bo@example.com", "phone": "+33 6 12 34 56 78" } })).await;
    assert_eq!(code(&clash).as_deref(), Some("BAD_USER_INPUT"), "{clash}");
    assert!(matches!(field(&clash).as_deref(), Some("email" | "phone")), "{clash}");

    let consent = "mutation($i: SetConsentInput!) { setConsent(input: $i) { id } }";
    let set =
        |c: &str, ch: &str, s: &str| json!({ "i": { "contactId": c, "channel": ch, "status": s, "source": "test" } });
    ok(app.gql(&me, consent, set(&target, "EMAIL", "GRANTED")).await);
    ok(app.gql(&me, consent, set(&other, "SMS", "GRANTED")).await);
    ok(app.gql(&me, consent, set(&other, "EMAIL", "DENIED")).await); // later: wins

    let merge = format!(
        "mutation($t: ID!, $s: ID!) {{ mergeContacts(input: {{ targetId: $t, sourceId: $s }}) {{ {CONTACT} events {{ totalCount nodes {{ kind }} }} }} }}"
    );
    let m = ok(app.gql(&me, &merge, json!({ "t": target, "s": other })).await)["mergeContacts"].clone();
    assert_eq!(m["email"], "bo@example.com");
    assert_eq!(m["phone"], "+33612345678");
    assert_eq!(m["displayName"], "Bo Berg");
    assert_eq!(m["tags"], json!(["lead", "sms"]));
    let consents: Vec<(String, String)> = m["consents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["channel"].as_str().unwrap().to_owned(), c["status"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(consents, [("EMAIL".to_owned(), "DENIED".to_owned()), ("SMS".to_owned(), "GRANTED".to_owned())]);
    assert_eq!(m["events"]["totalCount"], 4, "both histories and the merge itself: {m}");
    assert_eq!(m["events"]["nodes"][0]["kind"], "contact_merged");
    // The merged contact's ID still finds the person; lists show one contact.
    let via_old = ok(app.gql(&me, "query($id: ID!) { contact(id: $id) { id } }", json!({ "id": other })).await);
    assert_eq!(via_old["contact"]["id"], target.as_str());
    assert_eq!(count(&app, &me).await, 1);
    // The phone is the target's now: an upsert by it finds the target.
    let by_phone = ok(app.gql(&me, &up, json!({ "i": { "phone": "+33612345678" } })).await);
    assert_eq!(by_phone["upsertContact"]["contact"]["id"], target.as_str());
    // Merging into itself, or merging a merged contact again, is refused.
    let res = app.gql(&me, &merge, json!({ "t": target, "s": target })).await;
    assert_eq!(field(&res).as_deref(), Some("sourceId"));
    let res = app.gql(&me, &merge, json!({ "t": target, "s": other })).await;
    assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"));

    // Search by a name's start, an email's start or a phone's digits.
    for s in ["bo", "BO@EX", "6123", "crm-7"] {
        let found =
            ok(app.gql(&me, "query($s: String) { contacts(search: $s) { totalCount } }", json!({ "s": s })).await);
        assert_eq!(found["contacts"]["totalCount"], 1, "{s}");
    }
    let none = ok(app.gql(&me, "{ contacts(search: \"%\") { totalCount } }", json!({})).await);
    assert_eq!(none["contacts"]["totalCount"], 0, "LIKE wildcards are searched as text");
}

async fn erasing_a_contact_keeps_nothing_of_them(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let a =
        ok(app.gql(&me, &create_q(), json!({ "i": { "email": "erase.me@example.com" } })).await)["createContact"]["id"]
            .clone();
    let b = ok(app.gql(&me, &create_q(), json!({ "i": { "phone": "+4915112345678" } })).await)["createContact"]["id"]
        .clone();
    let merge = "mutation($t: ID!, $s: ID!) { mergeContacts(input: { targetId: $t, sourceId: $s }) { events { nodes { id } } } }";
    let events = ok(app.gql(&me, merge, json!({ "t": a, "s": b })).await);
    let event = events["mergeContacts"]["events"]["nodes"][0]["id"].clone();

    // A privacy request's export holds everything, the merged duplicate's history too.
    let doc =
        ok(app.gql(&me, "mutation($id: ID!) { exportContact(id: $id) }", json!({ "id": a })).await)["exportContact"]
            .clone();
    assert_eq!(doc["email"], "erase.me@example.com");
    assert_eq!(doc["phone"], "+4915112345678");
    assert_eq!(doc["mergedContactIds"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["events"][0]["type"], "contact_merged");
    let trail = ok(app.gql(&me, "{ auditLog(first: 1) { nodes { action } } }", json!({})).await);
    assert_eq!(trail["auditLog"]["nodes"][0]["action"], "contact.exported");

    let marketer = key_with_role(&app, &owner, "MARKETER").await;
    let erase = "mutation($id: ID!) { eraseContact(id: $id) { erasedContactId } }";
    assert_eq!(code(&app.gql(&marketer, erase, json!({ "id": a })).await).as_deref(), Some("FORBIDDEN"));
    let e = ok(app.gql(&me, erase, json!({ "id": a })).await);
    assert_eq!(e["eraseContact"]["erasedContactId"], a);
    for id in [&a, &b, &event] {
        let res = app.gql(&me, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
        assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"), "{id}");
    }
    assert_eq!(count(&app, &me).await, 0);
    // Both identities are free again.
    ok(app.gql(&me, &create_q(), json!({ "i": { "email": "erase.me@example.com", "phone": "+4915112345678" } })).await);
    let trail = ok(app.gql(&me, "{ auditLog(first: 50) { nodes { action before after } } }", json!({})).await);
    assert!(trail.to_string().contains("contact.erased"));
    assert!(!trail.to_string().contains("erase.me"), "{trail}");
    // Roles: a viewer reads contacts but changes nothing.
    let viewer = key_with_role(&app, &owner, "VIEWER").await;
    assert_eq!(count(&app, &viewer).await, 1);
    let res = app.gql(&viewer, &create_q(), json!({ "i": { "email": "v@example.com" } })).await;
    assert_eq!(code(&res).as_deref(), Some("FORBIDDEN"));
    let res = new_field(&app, &viewer, json!({ "key": "k", "label": "k", "kind": "STRING" })).await;
    assert_eq!(code(&res).as_deref(), Some("FORBIDDEN"));
}

async fn another_workspaces_contacts_are_invisible(app: TestApp) {
    let a = app.sign_up("BUSINESS").await;
    let b = app.sign_up("BUSINESS").await;
    let f = ok(new_field(&app, &a.auth(), json!({ "key": "tier", "label": "Tier", "kind": "STRING" })).await);
    let field_id = f["createContactField"]["id"].clone();
    let input = json!({ "i": { "email": "shared@example.com", "attributes": { "tier": "gold" } } });
    let c = ok(app.gql(&a.auth(), &create_q(), input.clone()).await)["createContact"]["id"].clone();
    let consent = "mutation($i: SetConsentInput!) { setConsent(input: $i) { events { nodes { id } } } }";
    let ev = ok(app
        .gql(
            &a.auth(),
            consent,
            json!({ "i": { "contactId": c, "channel": "SMS", "status": "PENDING", "source": "x" } }),
        )
        .await)["setConsent"]["events"]["nodes"][0]["id"]
        .clone();

    let other = b.auth();
    // The same email is a different person in another workspace.
    let mine = ok(app.gql(&other, &create_q(), json!({ "i": { "email": "shared@example.com" } })).await)["createContact"]["id"]
        .clone();
    for (what, q, vars) in [
        ("node", "query($id: ID!) { node(id: $id) { id } }", json!({ "id": c })),
        ("event node", "query($id: ID!) { node(id: $id) { id } }", json!({ "id": ev })),
        ("field node", "query($id: ID!) { node(id: $id) { id } }", json!({ "id": field_id })),
        ("contact", "query($id: ID!) { contact(id: $id) { id } }", json!({ "id": c })),
        (
            "update",
            "mutation($id: ID!) { updateContact(id: $id, input: { firstName: \"X\" }) { id } }",
            json!({ "id": c }),
        ),
        (
            "consent",
            "mutation($id: ID!) { setConsent(input: { contactId: $id, channel: EMAIL, status: GRANTED, source: \"x\" }) { id } }",
            json!({ "id": c }),
        ),
        (
            "merge in",
            "mutation($t: ID!, $s: ID!) { mergeContacts(input: { targetId: $t, sourceId: $s }) { id } }",
            json!({ "t": mine, "s": c }),
        ),
        ("erase", "mutation($id: ID!) { eraseContact(id: $id) { erasedContactId } }", json!({ "id": c })),
        (
            "field update",
            "mutation($id: ID!) { updateContactField(id: $id, input: { label: \"X\" }) { id } }",
            json!({ "id": field_id }),
        ),
        ("field delete", "mutation($id: ID!) { deleteContactField(id: $id) { id } }", json!({ "id": field_id })),
    ] {
        let res = app.gql(&other, q, vars).await;
        assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"), "{what}: {res}");
    }
    // A's field is not B's: B's first value for the key defines a field of B's own.
    ok(app
        .gql(
            &other,
            "mutation($id: ID!) { updateContact(id: $id, input: { attributes: { tier: 3 } }) { id } }",
            json!({ "id": mine }),
        )
        .await);
    let lists = ok(app
        .gql(
            &other,
            "{ contacts { totalCount nodes { id } } contactFields { totalCount nodes { id kind } } }",
            json!({}),
        )
        .await);
    assert_eq!(lists["contacts"]["totalCount"], 1);
    assert_eq!(lists["contacts"]["nodes"][0]["id"], mine);
    assert_eq!(lists["contactFields"]["totalCount"], 1);
    assert_ne!(lists["contactFields"]["nodes"][0]["id"], field_id);
    assert_eq!(lists["contactFields"]["nodes"][0]["kind"], "NUMBER");
    let theirs = ok(app.gql(&a.auth(), "{ contactFields { nodes { kind } } }", json!({})).await);
    assert_eq!(theirs["contactFields"]["nodes"], json!([{ "kind": "STRING" }]));
    // And nothing of A's changed.
    let still = ok(app
        .gql(
            &a.auth(),
            "query($id: ID!) { contact(id: $id) { email firstName attributes consents { status } } }",
            json!({ "id": c }),
        )
        .await);
    assert_eq!(
        still["contact"],
        json!({ "email": "shared@example.com", "firstName": null, "attributes": { "tier": "gold" }, "consents": [{ "status": "PENDING" }] })
    );
}

on_both!(
    a_contact_keeps_its_identities_fields_consent_and_history,
    bad_input_names_the_field_and_writes_nothing,
    upserts_change_nothing_twice_and_merges_keep_everything,
    erasing_a_contact_keeps_nothing_of_them,
    another_workspaces_contacts_are_invisible,
);
