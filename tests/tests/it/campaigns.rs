//! Campaigns and email: a sending domain with its DKIM key, templates checked when
//! saved, a campaign launched by a verified owner, sent by the worker through a real
//! SMTP server (signed, personal, one message per contact, a control group held out,
//! suppressions with their reasons), the one-click unsubscribe, approvals, pausing,
//! bad input named, and another workspace that sees none of it.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::on_both;
use crate::smtp::Received;
use crate::support::*;

pub async fn run(app: &TestApp, who: &As, q: &str, vars: Value) -> Value {
    ok(app.gql(who, q, vars).await)
}

pub const DOMAIN: &str = "mutation($d: String!) { addSendingDomain(input: { domain: $d }) {
    id domain dkimSelector dkimRecordName dkimRecordValue } }";
pub const TEMPLATE: &str = "mutation($i: EmailTemplateInput!) { createEmailTemplate(input: $i) { id name subject } }";
pub const CREATE: &str = "mutation($i: CampaignInput!) { createCampaign(input: $i) { id status controlGroupPercent } }";
pub const LAUNCH: &str = "mutation($id: ID!) { launchCampaign(id: $id) { id status approvalId } }";
pub const CAMPAIGN: &str = "query($id: ID!) { campaign(id: $id) { id status startedAt completedAt
    progress { targeted controlGroup suppressed queued sending sent failed suppressedBy { reason count } } } }";
const SENDS: &str = "query($id: ID!, $s: SendStatus) { campaign(id: $id) { sends(status: $s, first: 100) {
    totalCount edges { node { id email status reason attempts messageId contactId } } } } }";

/// A newsletter in MJML, personalised.
pub const MJML: &str = r#"<mjml><mj-body><mj-section><mj-column>
<mj-text>Hello {{ contact.first_name | default("friend") }}, your plan is {{ contact.plan | default("none") }}.</mj-text>
<mj-button href="https://shop.example.com/offer?for={{ contact.email }}">See the offer</mj-button>
</mj-column></mj-section></mj-body></mjml>"#;

/// Verifies the sign-up address of `acc` by opening the emailed link with a plain GET.
pub async fn verify_owner(app: &TestApp, acc: &Account) {
    app.drive_jobs().await;
    let link = app.smtp.to(&acc.email).iter().find_map(|m| m.link("/verify-email")).expect("a verification link");
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = client.get(&link).send().await.unwrap();
    assert_eq!(res.status(), 303, "the GET itself verifies, then shows the result page");
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/email-verified?email="), "{to}");
    let me = run(app, &acc.auth(), "{ me { emailVerified } }", json!({})).await;
    assert_eq!(me["me"]["emailVerified"], true);
}

pub async fn sending_domain(app: &TestApp, who: &As, domain: &str) -> Value {
    run(app, who, DOMAIN, json!({ "d": domain })).await["addSendingDomain"].clone()
}

pub async fn template(app: &TestApp, who: &As, name: &str) -> String {
    let i =
        json!({ "i": { "name": name, "subject": "Hi {{ contact.first_name | default(\"there\") }}!", "mjml": MJML } });
    run(app, who, TEMPLATE, i).await["createEmailTemplate"]["id"].as_str().unwrap().to_owned()
}

/// A contact with an email address and the given email consent (None: none recorded).
pub async fn contact(app: &TestApp, who: &As, email: &str, first: &str, consent: Option<&str>) -> String {
    let mut i = json!({ "email": email, "firstName": first, "attributes": { "plan": "gold" } });
    if let Some(c) = consent {
        i["consents"] = json!([{ "channel": "EMAIL", "status": c }]);
    }
    let q = "mutation($i: ContactInput!) { createContact(input: $i) { id } }";
    run(app, who, q, json!({ "i": i })).await["createContact"]["id"].as_str().unwrap().to_owned()
}

pub async fn plan_field(app: &TestApp, who: &As) {
    let q = "mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { id } }";
    run(app, who, q, json!({ "i": { "key": "plan", "label": "Plan", "kind": "STRING" } })).await;
}

pub async fn segment(app: &TestApp, who: &As, name: &str, rule: Value) -> String {
    let q = "mutation($i: CreateSegmentInput!) { createSegment(input: $i) { id } }";
    run(app, who, q, json!({ "i": { "name": name, "rule": rule } })).await["createSegment"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Everyone whose address is at `domain`.
pub fn at(domain: &str) -> Value {
    json!({ "attribute": "email", "op": "contains", "value": format!("@{domain}") })
}

pub async fn campaign(app: &TestApp, who: &As, input: Value) -> String {
    run(app, who, CREATE, json!({ "i": input })).await["createCampaign"]["id"].as_str().unwrap().to_owned()
}

pub async fn progress(app: &TestApp, who: &As, id: &str) -> Value {
    run(app, who, CAMPAIGN, json!({ "id": id })).await["campaign"].clone()
}

/// A header of a raw message (unfolded), by name.
pub fn header(m: &Received, name: &str) -> Option<String> {
    let head = m.data.split("\r\n\r\n").next().unwrap_or_default();
    let mut out: Option<String> = None;
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some(o) = out.as_mut() {
                o.push(' ');
                o.push_str(line.trim());
            }
            continue;
        }
        if out.is_some() {
            return out;
        }
        if let Some((n, v)) = line.split_once(':')
            && n.eq_ignore_ascii_case(name)
        {
            out = Some(v.trim().to_owned());
        }
    }
    out
}

/// Whether dkimpy verifies `raw` against `record` published at `name`.
pub fn dkim_verifies(raw: &str, name: &str, record: &str) -> (bool, String) {
    let path = std::env::temp_dir().join(format!("parley-dkim-{}.eml", uuid::Uuid::now_v7().simple()));
    std::fs::write(&path, raw).unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/dkim-verify.py");
    let out = std::process::Command::new("/usr/bin/python3")
        .arg(script)
        .arg(&path)
        .arg(name)
        .arg(record)
        .output()
        .expect("python3 with python3-dkim (scripts/setup.sh --test installs it)");
    let _ = std::fs::remove_file(&path);
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), said)
}

async fn a_campaign_is_sent_signed_personal_and_once(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    plan_field(&app, &me).await;

    // A sending domain: Parley makes the key and shows the record to publish.
    let d = sending_domain(&app, &me, "News.Example.com.").await;
    let selector = d["dkimSelector"].as_str().unwrap().to_owned();
    assert_eq!(d["domain"], "news.example.com");
    assert_eq!(d["dkimRecordName"], format!("{selector}._domainkey.news.example.com"));
    let record = d["dkimRecordValue"].as_str().unwrap().to_owned();
    assert!(record.starts_with("v=DKIM1; k=rsa; p=MII"), "{record}");
    let dup = app.gql(&me, DOMAIN, json!({ "d": "news.example.com" })).await;
    assert_eq!(code(&dup).as_deref(), Some("CONFLICT"));
    for bad in ["", "localhost", "exa mple.com", "-bad.example.com", "1.2.3.4"] {
        let r = app.gql(&me, DOMAIN, json!({ "d": bad })).await;
        assert_eq!((code(&r).as_deref(), field(&r).as_deref()), (Some("BAD_USER_INPUT"), Some("domain")), "{bad}: {r}");
    }

    // Templates are checked when saved, each part named.
    let tpl = template(&app, &me, "Spring").await;
    for (i, bad_field) in [
        (json!({ "name": "x1", "subject": "Hi", "mjml": "<mjml><mj-body><mj-text>unclosed" }), "mjml"),
        (json!({ "name": "x2", "subject": "Hi", "mjml": "" }), "mjml"),
        (json!({ "name": "x3", "subject": "Hi {% if %}", "mjml": MJML }), "subject"),
        (json!({ "name": "x4", "subject": "Hi", "mjml": MJML.replace("default(\"none\")", "nosuchfilter") }), "mjml"),
        (json!({ "name": "x5", "subject": "Hi", "mjml": MJML, "text": "{{ contact.x | nosuchfilter }}" }), "text"),
        (json!({ "name": "Spring", "subject": "Hi", "mjml": MJML }), "name"),
    ] {
        let r = app.gql(&me, TEMPLATE, json!({ "i": i })).await;
        assert_eq!((code(&r).as_deref(), field(&r).as_deref()), (Some("BAD_USER_INPUT"), Some(bad_field)), "{r}");
    }

    // The audience: 30 who agreed, one who never said, one who said no, one suppressed
    // by hand, one excluded by a list, and someone at another domain.
    let mut granted = Vec::new();
    for i in 0..30 {
        let email = format!("reader{i}@mail.example.org");
        let id = contact(&app, &me, &email, &format!("Reader{i}"), Some("GRANTED")).await;
        granted.push((id, email));
    }
    contact(&app, &me, "silent@mail.example.org", "Silent", None).await;
    contact(&app, &me, "refused@mail.example.org", "Refused", Some("DENIED")).await;
    contact(&app, &me, "listed@mail.example.org", "Listed", Some("GRANTED")).await;
    let kept_out = contact(&app, &me, "excluded@mail.example.org", "Excluded", Some("GRANTED")).await;
    contact(&app, &me, "elsewhere@other.example.net", "Else", Some("GRANTED")).await;
    let q = "mutation($i: SuppressEmailInput!) { suppressEmail(input: $i) { email reason } }";
    let s = run(&app, &me, q, json!({ "i": { "email": "Listed@mail.example.org", "note": "asked by phone" } })).await;
    assert_eq!(s["suppressEmail"]["reason"], "MANUAL");
    let readers = segment(&app, &me, "Readers", at("mail.example.org")).await;
    let q = "mutation($i: CreateSegmentInput!) { createSegment(input: $i) { id } }";
    let list =
        run(&app, &me, q, json!({ "i": { "name": "Do not mail", "kind": "STATIC" } })).await["createSegment"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let add = "mutation($id: ID!, $c: [ID!]!) { addToSegment(id: $id, contactIds: $c) { count } }";
    run(&app, &me, add, json!({ "id": list, "c": [kept_out] })).await;

    // Bad campaigns are named field by field.
    let good = json!({
        "name": "Spring news", "segmentIds": [readers], "excludeSegmentIds": [list], "templateId": tpl,
        "sendingDomainId": d["id"], "fromAddress": "hello@news.example.com", "fromName": "Example News",
        "controlGroupPercent": 20,
    });
    for (patch, bad_field) in [
        (json!({ "segmentIds": [] }), "segmentIds"),
        (json!({ "fromAddress": "hello@elsewhere.example.com" }), "fromAddress"),
        (json!({ "fromAddress": "not an address" }), "fromAddress"),
        (json!({ "controlGroupPercent": 60 }), "controlGroupPercent"),
        (json!({ "localTime": "25:00" }), "localTime"),
        (json!({ "excludeSegmentIds": [readers] }), "excludeSegmentIds"),
        (json!({ "fromName": "Bad \"quote\"" }), "fromName"),
        (json!({ "templateId": "not-an-id" }), "templateId"),
    ] {
        let mut i = good.clone();
        i.as_object_mut().unwrap().extend(patch.as_object().unwrap().clone());
        let r = app.gql(&me, CREATE, json!({ "i": i })).await;
        assert_eq!((code(&r).as_deref(), field(&r).as_deref()), (Some("BAD_USER_INPUT"), Some(bad_field)), "{r}");
    }
    let id = campaign(&app, &me, good).await;

    // The preview is what one contact receives.
    let q = "query($t: ID!, $c: ID) { previewEmail(templateId: $t, contactId: $c) { subject html text } }";
    let p = run(&app, &me, q, json!({ "t": tpl, "c": granted[3].0 })).await["previewEmail"].clone();
    assert_eq!(p["subject"], "Hi Reader3!");
    assert!(p["html"].as_str().unwrap().contains("Hello Reader3, your plan is gold."), "{}", p["html"]);
    assert!(p["text"].as_str().unwrap().contains("Hello Reader3, your plan is gold."), "{}", p["text"]);

    // The editor's frame: unsaved content posted as a form, answered as the email's HTML
    // under a sandboxing policy; never to a post another site makes, nor to no one.
    let mjml = "<mjml><mj-body><mj-section><mj-column><mj-text>Unsaved {{ contact.first_name }}</mj-text>\
                </mj-column></mj-section></mj-body></mjml>";
    let form = [("subject", "Hi"), ("mjml", mjml), ("text", ""), ("contact", granted[3].0.as_str())];
    let res = post_preview(&app, Some(&me), &form, "same-origin").await;
    assert_eq!(res.status(), 200);
    let policy = header_of(&res, "content-security-policy");
    assert!(policy.starts_with("sandbox;") && policy.contains("style-src 'unsafe-inline'"), "{policy}");
    assert!(res.text().await.unwrap().contains("Unsaved Reader3"));
    assert_eq!(post_preview(&app, Some(&me), &form, "cross-site").await.status(), 403);
    assert_eq!(post_preview(&app, None, &form, "same-origin").await.status(), 401);
    let broken = [("subject", "Hi"), ("mjml", "<mjml><mj-body><mj-text>unclosed"), ("text", ""), ("contact", "")];
    let res = post_preview(&app, Some(&me), &broken, "same-origin").await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().starts_with("mjml "), "the error names the part");
    let res = post_preview(&app, Some(&me), &[("subject", "Hi"), ("contact", "x")], "same-origin").await;
    assert_eq!(res.status(), 422, "a form without its MJML");

    // A test send: marked, personalised, signed like the campaign's messages.
    let q = "mutation($i: SendTestEmailInput!) { sendTestEmail(input: $i) }";
    let t = json!({ "templateId": tpl, "sendingDomainId": d["id"], "fromAddress": "hello@news.example.com",
                    "to": ["me@review.example.org", "boss@review.example.org"], "contactId": granted[3].0 });
    for (patch, bad_field) in [
        (json!({ "to": [] }), "to"),
        (json!({ "to": ["not an address"] }), "to[0]"),
        (json!({ "fromAddress": "x@elsewhere.example.com" }), "fromAddress"),
    ] {
        let mut i = t.clone();
        i.as_object_mut().unwrap().extend(patch.as_object().unwrap().clone());
        let r = app.gql(&me, q, json!({ "i": i })).await;
        assert_eq!((code(&r).as_deref(), field(&r).as_deref()), (Some("BAD_USER_INPUT"), Some(bad_field)), "{r}");
    }
    assert_eq!(run(&app, &me, q, json!({ "i": t })).await["sendTestEmail"], true);
    app.drive_jobs().await;
    for to in ["me@review.example.org", "boss@review.example.org"] {
        let got = app.smtp.to(to);
        assert_eq!(got.len(), 1, "{to}");
        assert_eq!(header(&got[0], "Subject").as_deref(), Some("[Test] Hi Reader3!"));
        let (verified, said) = dkim_verifies(&got[0].data, &format!("{selector}._domainkey.news.example.com"), &record);
        assert!(verified, "{said}");
    }

    // Nothing goes out until an owner has verified their address.
    let r = app.gql(&me, LAUNCH, json!({ "id": id })).await;
    assert_eq!(code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("verif"), "{r}");
    verify_owner(&app, &owner).await;
    let before = app.smtp.messages().len();
    let l = run(&app, &me, LAUNCH, json!({ "id": id })).await;
    assert_eq!(l["launchCampaign"]["status"], "SCHEDULED", "no approval rule applies");
    let again = app.gql(&me, LAUNCH, json!({ "id": id })).await;
    assert_eq!(code(&again).as_deref(), Some("CONFLICT"));
    app.drive_jobs().await;

    let c = progress(&app, &me, &id).await;
    assert_eq!(c["status"], "COMPLETED", "{c}");
    let pr = &c["progress"];
    let n = |k: &str| pr[k].as_i64().unwrap();
    assert_eq!(n("targeted"), 33, "30 + silent + refused + listed (the excluded one is left out): {pr}");
    assert_eq!(n("suppressed"), 3);
    let mut reasons: Vec<(String, i64)> = pr["suppressedBy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["reason"].as_str().unwrap().to_owned(), r["count"].as_i64().unwrap()))
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        [("CONSENT_DENIED".into(), 1), ("MANUAL".into(), 1), ("NO_CONSENT".into(), 1)],
        "each suppressed contact says why"
    );
    assert!((1..=15).contains(&n("controlGroup")), "about 20% of 30 held out: {pr}");
    assert_eq!(n("sent") + n("controlGroup"), 30);
    assert_eq!((n("failed"), n("queued"), n("sending")), (0, 0, 0));

    // Exactly the treated contacts got one message each; nobody else got any.
    let mail: Vec<Received> = app.smtp.messages()[before..].to_vec();
    assert_eq!(mail.len() as i64, n("sent"));
    let mut per: HashMap<String, usize> = HashMap::new();
    for m in &mail {
        *per.entry(m.to[0].clone()).or_default() += 1;
    }
    assert!(per.values().all(|&k| k == 1), "one message per contact: {per:?}");
    for gone in ["silent", "refused", "listed", "excluded", "elsewhere"] {
        assert!(!per.keys().any(|k| k.starts_with(gone)), "{gone} got mail");
    }
    let control = run(&app, &me, SENDS, json!({ "id": id, "s": "CONTROL" })).await["campaign"]["sends"].clone();
    assert_eq!(control["totalCount"].as_i64(), Some(n("controlGroup")));
    for e in control["edges"].as_array().unwrap() {
        assert!(!per.contains_key(e["node"]["email"].as_str().unwrap()), "a control contact got mail");
    }

    // Each message: headers, personalisation, a signature a real verifier accepts.
    let sent =
        run(&app, &me, SENDS, json!({ "id": id, "s": "SENT" })).await["campaign"]["sends"]["edges"][0]["node"].clone();
    let to = sent["email"].as_str().unwrap();
    let m = mail.iter().find(|m| m.to[0] == to).unwrap();
    let i: usize = to.trim_start_matches("reader").split('@').next().unwrap().parse().unwrap();
    assert_eq!(header(m, "From").as_deref(), Some("\"Example News\" <hello@news.example.com>"));
    assert_eq!(header(m, "Subject").unwrap(), format!("Hi Reader{i}!"));
    assert_eq!(header(m, "Message-ID").unwrap(), format!("<{}>", sent["messageId"].as_str().unwrap()));
    let unsubscribe = header(m, "List-Unsubscribe").unwrap();
    assert!(unsubscribe.starts_with(&format!("<{}/u/", app.base)), "{unsubscribe}");
    assert_eq!(header(m, "List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    assert!(m.from.starts_with("bounces+") && m.from.ends_with("@news.example.com"), "VERP: {}", m.from);
    let others: Vec<&str> = mail.iter().map(|m| m.from.as_str()).collect();
    assert_eq!(others.iter().filter(|f| **f == m.from).count(), 1, "a return path per send");
    assert!(m.text().contains(&format!("Hello Reader{i}, your plan is gold.")), "{}", m.text());
    assert!(m.text().contains("multipart/alternative") && m.text().contains("text/plain"));
    let sig = header(m, "DKIM-Signature").expect("signed");
    assert!(sig.contains("d=news.example.com") && sig.contains(&format!("s={selector}")), "{sig}");
    let name = format!("{selector}._domainkey.news.example.com");
    let (verified, said) = dkim_verifies(&m.data, &name, &record);
    assert!(verified, "dkimpy: {said}");
    let (tampered, _) = dkim_verifies(&m.data.replace("See the offer", "See the trap"), &name, &record);
    assert!(!tampered, "a changed body does not verify");

    // The send is on the contact's timeline.
    let q = "query($id: ID!) { contact(id: $id) { events(first: 10) { edges { node { kind properties } } } } }";
    let who = granted.iter().find(|(_, e)| e == to).unwrap();
    let ev = run(&app, &me, q, json!({ "id": who.0 })).await;
    let kinds: Vec<&str> = ev["contact"]["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"email_sent"), "{kinds:?}");

    // One click unsubscribes (RFC 8058); a forged link does nothing.
    let url = unsubscribe.trim_matches(['<', '>']).to_owned();
    let mut forged = url.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let res = app.http.post(&forged).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(res.status(), 404, "a forged link");
    let page = app.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Unsubscribe"), "the page asks first");
    let res = app
        .http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let q = "query($e: String!) { contactByEmail(email: $e) { consents { channel status } emailSuppression { reason } softBounceCount } }";
    let c = run(&app, &me, q, json!({ "e": to })).await["contactByEmail"].clone();
    assert_eq!(c["emailSuppression"]["reason"], "UNSUBSCRIBED");
    assert!(c["consents"].as_array().unwrap().iter().any(|k| k["channel"] == "EMAIL" && k["status"] == "DENIED"));
    assert_eq!(c["softBounceCount"], 0);
    let again = app.http.post(&url).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(again.status(), 200, "twice is fine");
    let page = app.http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("data-testid=\"unsubscribed\""), "{page}");

    // The lifecycle is in the audit trail.
    let q = "{ auditLog(first: 100) { edges { node { action } } } }";
    let log = run(&app, &me, q, json!({})).await;
    let actions: Vec<&str> =
        log["auditLog"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["action"].as_str().unwrap()).collect();
    for a in ["campaign.created", "campaign.launched", "campaign.scheduled", "campaign.started", "campaign.completed"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

async fn approvals_pausing_and_other_workspaces(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    verify_owner(&app, &owner).await;
    plan_field(&app, &me).await;
    let (approver, _) = crate::operations::member(&app, &owner, "checks@example.com", "APPROVER").await;
    let d = sending_domain(&app, &me, "mail.example.com").await;
    let tpl = template(&app, &me, "Plain").await;
    for i in 0..3 {
        contact(&app, &me, &format!("p{i}@inbox.example.org"), "P", Some("GRANTED")).await;
    }
    let seg = segment(&app, &me, "Inbox", at("inbox.example.org")).await;
    let input = |name: &str| {
        json!({ "name": name, "segmentIds": [seg], "templateId": tpl, "sendingDomainId": d["id"],
                "fromAddress": "team@mail.example.com" })
    };

    // Each segment counts once, wherever it is repeated.
    let seg2 = segment(&app, &me, "Inbox too", at("inbox.example.org")).await;
    let mut twice = input("Twice");
    twice["segmentIds"] = json!([seg, seg2, seg]);
    let t = run(
        &app,
        &me,
        "mutation($i: CampaignInput!) { createCampaign(input: $i) { segmentIds } }",
        json!({ "i": twice }),
    )
    .await;
    assert_eq!(t["createCampaign"]["segmentIds"], json!([seg, seg2]));

    // A rule asks an approver: launching waits for them.
    let q = "mutation($i: CreateApprovalRuleInput!) { createApprovalRule(input: $i) { id } }";
    run(&app, &me, q, json!({ "i": { "objectType": "CAMPAIGN", "approverRole": "APPROVER" } })).await;
    let id = campaign(&app, &me, input("Needs a yes")).await;
    let l = run(&app, &me, LAUNCH, json!({ "id": id })).await["launchCampaign"].clone();
    assert_eq!(l["status"], "IN_APPROVAL");
    app.drive_jobs().await;
    assert_eq!(progress(&app, &me, &id).await["progress"]["sent"], 0, "nothing before the approval");
    let decide = "mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { state } }";
    let a = l["approvalId"].as_str().unwrap();
    run(&app, &approver, decide, json!({ "i": { "approvalId": a, "decision": "APPROVE" } })).await;
    assert_eq!(progress(&app, &me, &id).await["status"], "SCHEDULED");
    app.drive_jobs().await;
    let c = progress(&app, &me, &id).await;
    assert_eq!((c["status"].as_str(), c["progress"]["sent"].as_i64()), (Some("COMPLETED"), Some(3)), "{c}");

    // A rejection sends it back to draft.
    let id2 = campaign(&app, &me, input("Needs a no")).await;
    let l = run(&app, &me, LAUNCH, json!({ "id": id2 })).await["launchCampaign"].clone();
    let i = json!({ "i": { "approvalId": l["approvalId"], "decision": "REJECT", "comment": "not now" } });
    run(&app, &approver, decide, i).await;
    assert_eq!(progress(&app, &me, &id2).await["status"], "DRAFT");

    // Scheduled for later: it can be paused, resumed and cancelled; a finished one can't.
    let rules = run(&app, &me, "{ approvalRules(first: 10) { edges { node { id } } } }", json!({})).await;
    for r in rules["approvalRules"]["edges"].as_array().unwrap() {
        let q = "mutation($id: ID!) { deleteApprovalRule(id: $id) { id } }";
        run(&app, &me, q, json!({ "id": r["node"]["id"] })).await;
    }
    let mut later = input("Later");
    later["scheduleAt"] = json!((chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339());
    let id3 = campaign(&app, &me, later).await;
    assert_eq!(run(&app, &me, LAUNCH, json!({ "id": id3 })).await["launchCampaign"]["status"], "SCHEDULED");
    app.drive_jobs().await;
    assert_eq!(progress(&app, &me, &id3).await["progress"]["targeted"], 0, "not before its time");
    let pause = "mutation($id: ID!) { pauseCampaign(id: $id) { status } }";
    let resume = "mutation($id: ID!) { resumeCampaign(id: $id) { status } }";
    let cancel = "mutation($id: ID!) { cancelCampaign(id: $id) { status } }";
    assert_eq!(run(&app, &me, pause, json!({ "id": id3 })).await["pauseCampaign"]["status"], "PAUSED");
    assert_eq!(code(&app.gql(&me, pause, json!({ "id": id3 })).await).as_deref(), Some("CONFLICT"));
    assert_eq!(run(&app, &me, resume, json!({ "id": id3 })).await["resumeCampaign"]["status"], "SCHEDULED");
    assert_eq!(run(&app, &me, cancel, json!({ "id": id3 })).await["cancelCampaign"]["status"], "CANCELLED");
    assert_eq!(code(&app.gql(&me, resume, json!({ "id": id3 })).await).as_deref(), Some("CONFLICT"));
    assert_eq!(code(&app.gql(&me, cancel, json!({ "id": id })).await).as_deref(), Some("CONFLICT"), "completed");
    let upd = "mutation($id: ID!, $i: CampaignInput!) { updateCampaign(id: $id, input: $i) { id } }";
    let r = app.gql(&me, upd, json!({ "id": id, "i": input("Changed") })).await;
    assert_eq!(code(&r).as_deref(), Some("CONFLICT"), "only drafts change");

    // Contact policies: a frequency cap suppresses, quiet hours delay.
    let set = "mutation($i: ContactPolicyInput!) { setContactPolicy(input: $i) { emailMax emailWindowDays quietStart quietEnd } }";
    for (i, bad_field) in [
        (json!({ "emailMax": 1 }), "emailWindowDays"),
        (json!({ "allWindowDays": 3 }), "allMax"),
        (json!({ "emailMax": 0, "emailWindowDays": 7 }), "emailMax"),
        (json!({ "quietStart": "7pm", "quietEnd": "08:00" }), "quietStart"),
        (json!({ "quietStart": "21:00" }), "quietEnd"),
    ] {
        let r = app.gql(&me, set, json!({ "i": i })).await;
        assert_eq!((code(&r).as_deref(), field(&r).as_deref()), (Some("BAD_USER_INPUT"), Some(bad_field)), "{r}");
    }
    let pol = run(&app, &me, set, json!({ "i": { "emailMax": 1, "emailWindowDays": 7 } })).await;
    assert_eq!(pol["setContactPolicy"]["emailMax"], 1);
    let capped = campaign(&app, &me, input("Capped")).await;
    run(&app, &me, LAUNCH, json!({ "id": capped })).await;
    app.drive_jobs().await;
    let c = progress(&app, &me, &capped).await;
    assert_eq!(c["progress"]["suppressedBy"], json!([{ "reason": "FREQUENCY_CAP", "count": 3 }]), "{c}");
    assert_eq!(c["status"], "COMPLETED");
    let now = chrono::Utc::now();
    let (start, end) = (
        (now - chrono::Duration::hours(1)).format("%H:%M").to_string(),
        (now + chrono::Duration::hours(1)).format("%H:%M").to_string(),
    );
    run(&app, &me, set, json!({ "i": { "quietStart": start, "quietEnd": end } })).await;
    let quiet = campaign(&app, &me, input("Quiet")).await;
    run(&app, &me, LAUNCH, json!({ "id": quiet })).await;
    app.drive_jobs().await;
    let c = progress(&app, &me, &quiet).await;
    assert_eq!(
        (c["status"].as_str(), c["progress"]["queued"].as_i64()),
        (Some("RUNNING"), Some(3)),
        "waits out the quiet hours: {c}"
    );
    let q = "query($id: ID!) { campaign(id: $id) { sends(first: 10) { edges { node { notBefore } } } } }";
    let s = run(&app, &me, q, json!({ "id": quiet })).await;
    for e in s["campaign"]["sends"]["edges"].as_array().unwrap() {
        let at = chrono::DateTime::parse_from_rfc3339(e["node"]["notBefore"].as_str().unwrap()).unwrap();
        let wait = at.with_timezone(&chrono::Utc) - now;
        assert!(wait > chrono::Duration::minutes(55) && wait <= chrono::Duration::minutes(61), "{wait}");
    }
    run(&app, &me, cancel, json!({ "id": quiet })).await;
    let read = run(&app, &me, "{ contactPolicy { emailMax quietStart quietEnd } }", json!({})).await;
    assert_eq!(read["contactPolicy"], json!({ "emailMax": null, "quietStart": start, "quietEnd": end }));

    // Another workspace sees none of it, and can use none of it.
    let other = app.sign_up("BUSINESS").await;
    let them = other.auth();
    verify_owner(&app, &other).await;
    for (q, vars) in [
        (CAMPAIGN, json!({ "id": id })),
        (LAUNCH, json!({ "id": id2 })),
        (pause, json!({ "id": id })),
        ("query($id: ID!) { node(id: $id) { id } }", json!({ "id": tpl })),
        ("query($id: ID!) { node(id: $id) { id } }", json!({ "id": d["id"] })),
        ("query($t: ID!) { previewEmail(templateId: $t) { subject } }", json!({ "t": tpl })),
    ] {
        let r = app.gql(&them, q, vars).await;
        assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{q}: {r}");
    }
    let someone = run(&app, &me, "{ contacts(first: 1) { nodes { id } } }", json!({})).await;
    let mine = someone["contacts"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    let form = [("subject", "Hi"), ("mjml", "<mjml><mj-body></mj-body></mjml>"), ("contact", mine.as_str())];
    assert_eq!(post_preview(&app, Some(&them), &form, "same-origin").await.status(), 404, "another's contact");
    let sends = run(&app, &me, SENDS, json!({ "id": id, "s": "SENT" })).await;
    let send = sends["campaign"]["sends"]["edges"][0]["node"]["id"].as_str().unwrap().to_owned();
    let r = app.gql(&them, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": send })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "another workspace's send");
    let their_tpl = template(&app, &them, "Theirs").await;
    let their_d = sending_domain(&app, &them, "theirs.example.com").await;
    let stolen = json!({ "name": "Stolen", "segmentIds": [seg], "templateId": their_tpl,
        "sendingDomainId": their_d["id"], "fromAddress": "x@theirs.example.com" });
    let r = app.gql(&them, CREATE, json!({ "i": stolen })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "another workspace's segment: {r}");
    let list = run(&app, &them, "{ campaigns { totalCount } emailTemplates { totalCount } }", json!({})).await;
    assert_eq!(
        (list["campaigns"]["totalCount"].as_i64(), list["emailTemplates"]["totalCount"].as_i64()),
        (Some(0), Some(1))
    );
}

/// A delivery status notification (RFC 3464) sent back to `to` about `recipient`.
pub fn dsn(to: &str, recipient: &str, action: &str, status: &str, message_id: &str) -> String {
    format!(
        "From: MAILER-DAEMON@mx.example.org\r\nTo: <{to}>\r\nSubject: Undelivered Mail Returned to Sender\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B0\"\r\n\r\n\
         --B0\r\nContent-Type: text/plain\r\n\r\nThis is the mail system at mx.example.org.\r\n\r\n\
         --B0\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n\
         Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\n\
         Diagnostic-Code: smtp; {status} the mailbox said no\r\n\r\n\
         --B0\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{message_id}>\r\nSubject: Hi\r\n\r\n--B0--\r\n"
    )
}

/// A spam complaint (RFC 5965) naming only the original's Message-ID.
pub fn arf(recipient: &str, message_id: &str) -> String {
    format!(
        "From: feedback@isp.example.net\r\nTo: abuse@news.example.com\r\nSubject: Abuse report\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"F0\"\r\n\r\n\
         --F0\r\nContent-Type: text/plain\r\n\r\nA user marked this as spam.\r\n\r\n\
         --F0\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: Isp/1.0\r\n\
         Version: 1\r\nOriginal-Rcpt-To: <{recipient}>\r\n\r\n\
         --F0\r\nContent-Type: message/rfc822\r\n\r\nMessage-ID: <{message_id}>\r\nFrom: x@news.example.com\r\n\
         Subject: Hi\r\n\r\nHello\r\n--F0--\r\n"
    )
}

async fn post_raw(app: &TestApp, url: &str, body: String) -> u16 {
    app.http.post(url).header("content-type", "message/rfc822").body(body).send().await.unwrap().status().as_u16()
}

/// The sends of a campaign by address.
async fn sends_by_email(app: &TestApp, who: &As, id: &str) -> HashMap<String, Value> {
    let all = run(app, who, SENDS, json!({ "id": id, "s": null })).await;
    all["campaign"]["sends"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["node"]["email"].as_str().unwrap().to_owned(), e["node"].clone()))
        .collect()
}

async fn mail_that_fails_or_comes_back(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    verify_owner(&app, &owner).await;
    plan_field(&app, &me).await;
    let d = sending_domain(&app, &me, "news.example.com").await;
    let tpl = template(&app, &me, "Plain").await;
    let names = ["ok1", "ok2", "ok3", "hard", "temp"];
    for n in names {
        contact(&app, &me, &format!("{n}@rcpt.example.org"), n, Some("GRANTED")).await;
    }
    let seg = segment(&app, &me, "Rcpt", at("rcpt.example.org")).await;
    let input = |name: &str| {
        json!({ "name": name, "segmentIds": [seg], "templateId": tpl, "sendingDomainId": d["id"],
                "fromAddress": "team@news.example.com" })
    };
    app.smtp.refuse("hard@rcpt.example.org", "550 5.1.1 no such user");
    app.smtp.refuse("temp@rcpt.example.org", "451 4.7.1 greylisted, try later");

    // Refused for good: failed with the server's answer; refused for now: retried later.
    let first = campaign(&app, &me, input("First")).await;
    run(&app, &me, LAUNCH, json!({ "id": first })).await;
    app.drive_jobs().await;
    let c = progress(&app, &me, &first).await;
    assert_eq!(c["status"], "RUNNING", "one send waits for its retry: {c}");
    let p = &c["progress"];
    assert_eq!((p["sent"].as_i64(), p["failed"].as_i64(), p["queued"].as_i64()), (Some(3), Some(1), Some(1)), "{p}");
    let by = sends_by_email(&app, &me, &first).await;
    let hard = &by["hard@rcpt.example.org"];
    assert_eq!((hard["status"].as_str(), hard["reason"].as_str()), (Some("FAILED"), Some("SMTP_REFUSED")));
    let temp = &by["temp@rcpt.example.org"];
    assert_eq!((temp["status"].as_str(), temp["attempts"].as_i64()), (Some("QUEUED"), Some(1)), "{temp}");

    // The mail server down for a while: sending waits and goes on, nothing lost.
    app.smtp.stop();
    let before = app.smtp.messages().len();
    let second = campaign(&app, &me, input("Second")).await;
    run(&app, &me, LAUNCH, json!({ "id": second })).await;
    for _ in 0..3 {
        app.worker.try_execute_batch().await.unwrap();
    }
    let c = progress(&app, &me, &second).await;
    assert_eq!((c["status"].as_str(), c["progress"]["sent"].as_i64()), (Some("RUNNING"), Some(0)), "{c}");
    assert_eq!(c["progress"]["queued"].as_i64(), Some(5), "nothing lost while the server is down: {c}");
    // Batches of two: the batch claimed while the first was failing went back with it,
    // and neither counts as an attempt.
    let tries: Vec<i64> =
        sends_by_email(&app, &me, &second).await.values().map(|s| s["attempts"].as_i64().unwrap()).collect();
    assert_eq!(tries, [0; 5], "no attempt counted during the outage");
    app.smtp.restart().await;
    app.drive_jobs().await;
    let c = progress(&app, &me, &second).await;
    assert_eq!(c["progress"]["sent"].as_i64(), Some(3), "{c}");
    let after: Vec<String> = app.smtp.messages()[before..].iter().map(|m| m.to[0].clone()).collect();
    for n in ["ok1", "ok2", "ok3"] {
        let k = after.iter().filter(|t| t.starts_with(n)).count();
        assert_eq!(k, 1, "{n} got the second campaign once: {after:?}");
    }

    // What comes back: a hard bounce, a complaint matched by its Message-ID alone, soft
    // bounces counted once per send, unreadable or unmatched messages kept and ignored.
    let ws = run(&app, &me, "{ workspace { inboundEmailUrl } }", json!({})).await;
    let hook = ws["workspace"]["inboundEmailUrl"].as_str().unwrap().to_owned();
    assert!(hook.starts_with(&format!("{}/hooks/inbound-email/", app.base)), "{hook}");
    let mail: Vec<Received> = app.smtp.messages();
    let verp = |to: &str| mail.iter().find(|m| m.to[0] == to).unwrap().from.clone();
    let by = sends_by_email(&app, &me, &first).await;
    let mid = |to: &str| by[to]["messageId"].as_str().unwrap().to_owned();
    let ok1 = "ok1@rcpt.example.org";
    assert_eq!(post_raw(&app, &hook, dsn(&verp(ok1), ok1, "failed", "5.1.1", "x@y")).await, 202);
    assert_eq!(post_raw(&app, &hook, arf("ok2@rcpt.example.org", &mid("ok2@rcpt.example.org"))).await, 202);
    let ok3 = "ok3@rcpt.example.org";
    let soft = dsn(&verp(ok3), ok3, "delayed", "4.2.2", "x@y");
    assert_eq!(post_raw(&app, &hook, soft.clone()).await, 202);
    assert_eq!(post_raw(&app, &hook, soft).await, 202, "the same report twice");
    assert_eq!(post_raw(&app, &hook, "\u{0}\u{1} not mail at all".into()).await, 202);
    let forged = verp(ok3).replacen("bounces+", "bounces+0", 1);
    assert_eq!(post_raw(&app, &hook, dsn(&forged, ok3, "failed", "5.1.1", "nobody@x")).await, 202);
    assert_eq!(post_raw(&app, &format!("{hook}0"), dsn(&verp(ok3), ok3, "failed", "5.1.1", "x@y")).await, 404);

    let q = "query($e: String!) { contactByEmail(email: $e) { consents { channel status } emailSuppression { reason } softBounceCount } }";
    let look = |e: &'static str| {
        let app = &app;
        let me = me.clone();
        async move { run(app, &me, q, json!({ "e": e })).await["contactByEmail"].clone() }
    };
    assert_eq!(look("ok1@rcpt.example.org").await["emailSuppression"]["reason"], "HARD_BOUNCE");
    let ok2 = look("ok2@rcpt.example.org").await;
    assert_eq!(ok2["emailSuppression"]["reason"], "COMPLAINT");
    assert!(ok2["consents"].as_array().unwrap().iter().any(|k| k["channel"] == "EMAIL" && k["status"] == "DENIED"));
    let ok3c = look("ok3@rcpt.example.org").await;
    assert_eq!((ok3c["softBounceCount"].as_i64(), ok3c["emailSuppression"].is_null()), (Some(1), true), "{ok3c}");
    let by = sends_by_email(&app, &me, &first).await;
    assert_eq!(by[ok1]["status"], "SENT");

    // Soft bounces of three sends reach the threshold.
    let by2 = sends_by_email(&app, &me, &second).await;
    let second_verp = mail.iter().rev().find(|m| m.to[0] == ok3).unwrap().from.clone();
    assert_ne!(second_verp, verp(ok3));
    assert!(by2.contains_key(ok3));
    post_raw(&app, &hook, dsn(&second_verp, ok3, "failed", "4.4.1", "x@y")).await;
    let third = campaign(&app, &me, input("Third")).await;
    run(&app, &me, LAUNCH, json!({ "id": third })).await;
    app.drive_jobs().await;
    let by3 = sends_by_email(&app, &me, &third).await;
    assert_eq!(by3[ok1]["reason"], "HARD_BOUNCE", "suppressed addresses are skipped, with the reason");
    assert_eq!(by3["ok2@rcpt.example.org"]["reason"], "CONSENT_DENIED");
    let third_verp = app.smtp.messages().iter().rev().find(|m| m.to[0] == ok3).unwrap().from.clone();
    post_raw(&app, &hook, dsn(&third_verp, ok3, "delayed", "4.2.2", "x@y")).await;
    let ok3c = look("ok3@rcpt.example.org").await;
    assert_eq!(
        (ok3c["softBounceCount"].as_i64(), &ok3c["emailSuppression"]["reason"]),
        (Some(3), &json!("SOFT_BOUNCES"))
    );

    // Another workspace: its own list, its own hook; this workspace's reports match
    // nothing there.
    let other = app.sign_up("BUSINESS").await;
    let them = other.auth();
    plan_field(&app, &them).await;
    contact(&app, &them, ok1, "Same address", Some("GRANTED")).await;
    let theirs = run(&app, &them, "{ workspace { inboundEmailUrl } }", json!({})).await["workspace"]["inboundEmailUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(theirs, hook);
    assert_eq!(post_raw(&app, &theirs, dsn(&verp(ok3), ok3, "failed", "5.1.1", &mid(ok3))).await, 202);
    let q = "query($e: String!) { contactByEmail(email: $e) { emailSuppression { reason } } }";
    let there = run(&app, &them, q, json!({ "e": ok1 })).await;
    assert!(there["contactByEmail"]["emailSuppression"].is_null(), "a suppression stays in its workspace");
    assert_eq!(look("ok3@rcpt.example.org").await["emailSuppression"]["reason"], "SOFT_BOUNCES", "unchanged here");
    assert_eq!(code(&app.gql(&them, q, json!({ "e": ok3 })).await).as_deref(), Some("NOT_FOUND"));
}

/// A worker process killed with SIGKILL mid-campaign, then another started: every
/// treated contact gets the email, and only the batch that was in flight may get it
/// twice (its sends show more than one attempt).
async fn a_worker_killed_mid_campaign(backend: Backend) {
    use crate::faults::{parley_bin, wait_for, worker_with};
    let Some(bin) = parley_bin() else { return };
    let key = domain::sealed::Keys::generate("t1");
    let env = [("PARLEY_SECRETS_KEY", key.as_str()), ("PARLEY_EMAIL_BATCH", "10")];
    let Some(app) = TestApp::spawn_with(backend, &env).await else { return };
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    verify_owner(&app, &owner).await;
    plan_field(&app, &me).await;
    let d = sending_domain(&app, &me, "bulk.example.com").await;
    let tpl = template(&app, &me, "Bulk").await;
    for i in 0..120 {
        contact(&app, &me, &format!("c{i:03}@crowd.example.org"), "C", Some("GRANTED")).await;
    }
    let seg = segment(&app, &me, "Crowd", at("crowd.example.org")).await;
    let id = campaign(
        &app,
        &me,
        json!({ "name": "Crowd", "segmentIds": [seg], "templateId": tpl, "sendingDomainId": d["id"],
                "fromAddress": "crowd@bulk.example.com" }),
    )
    .await;
    app.smtp.slow_down(150);
    let before = app.smtp.messages().len();
    run(&app, &me, LAUNCH, json!({ "id": id })).await;
    let worker_env =
        [("PARLEY_SECRETS_KEY", key.as_str()), ("PARLEY_EMAIL_BATCH", "10"), ("PARLEY_PUBLIC_URL", app.base.as_str())];
    let mut w1 = worker_with(&bin, &app, &worker_env);
    wait_for("part of the campaign to be sent", 60, async || {
        progress(&app, &me, &id).await["progress"]["sent"].as_i64().unwrap_or(0) >= 30
    })
    .await;
    w1.kill().unwrap(); // SIGKILL: the batch in flight never reports
    w1.wait().unwrap();
    let cut = progress(&app, &me, &id).await;
    assert_eq!(cut["status"], "RUNNING", "{cut}");
    assert!(cut["progress"]["sent"].as_i64().unwrap() < 120, "killed part-way: {cut}");
    app.smtp.slow_down(0);
    let mut w2 = worker_with(&bin, &app, &worker_env);
    wait_for("the campaign to complete after the lease", 90, async || {
        progress(&app, &me, &id).await["status"] == "COMPLETED"
    })
    .await;
    w2.kill().unwrap();
    w2.wait().unwrap();
    let done = progress(&app, &me, &id).await;
    assert_eq!(done["progress"]["sent"], 120, "{done}");
    let mut per: HashMap<String, usize> = HashMap::new();
    for m in &app.smtp.messages()[before..] {
        *per.entry(m.to[0].clone()).or_default() += 1;
    }
    assert_eq!(per.len(), 120, "nobody skipped");
    let twice: Vec<&String> = per.iter().filter(|(_, k)| **k > 1).map(|(e, _)| e).collect();
    assert!(twice.len() <= 10, "at most the batch in flight again: {twice:?}");
    assert!(per.values().all(|k| *k <= 2));
    let retried: Vec<String> = all_sends(&app, &me, &id)
        .await
        .iter()
        .filter(|s| s["attempts"].as_i64().unwrap() > 1)
        .map(|s| s["email"].as_str().unwrap().to_owned())
        .collect();
    for e in &twice {
        assert!(retried.contains(e), "{e} got it twice, and its send shows it");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_campaign_sqlite() {
    a_worker_killed_mid_campaign(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_campaign_postgres() {
    a_worker_killed_mid_campaign(Backend::Postgres).await;
}

/// All sends of a campaign (up to 500), by status.
async fn all_sends(app: &TestApp, who: &As, id: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let q = "query($id: ID!, $a: String) { campaign(id: $id) { sends(first: 100, after: $a) {
            pageInfo { hasNextPage endCursor } edges { node { id email status contactId attempts } } } } }";
        let page = run(app, who, q, json!({ "id": id, "a": after })).await["campaign"]["sends"].clone();
        out.extend(page["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()));
        if page["pageInfo"]["hasNextPage"] != true || out.len() >= 500 {
            return out;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

async fn opens_clicks_and_what_the_campaign_caused(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    verify_owner(&app, &owner).await;
    plan_field(&app, &me).await;
    let d = sending_domain(&app, &me, "shop.example.com").await;
    let tpl = template(&app, &me, "Offer").await;
    for i in 0..100 {
        contact(&app, &me, &format!("b{i:03}@buyers.example.org"), "B", Some("GRANTED")).await;
    }
    let seg = segment(&app, &me, "Buyers", at("buyers.example.org")).await;
    let key = ok(app.gql(&me, "mutation { rotateTrackingKey { key } }", json!({})).await)["rotateTrackingKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let events = |list: Vec<Value>| {
        let body = json!({ "key": key, "events": list });
        let url = format!("{}/t/events", app.base);
        let http = app.http.clone();
        async move {
            let res = http.post(url).body(body.to_string()).send().await.unwrap();
            assert_eq!(res.status(), 200);
            let report: Value = res.json().await.unwrap();
            assert_eq!(report["rejected"], json!([]), "{report}");
        }
    };
    // A purchase from before the campaign never counts.
    let early = (chrono::Utc::now() - chrono::Duration::days(2)).to_rfc3339();
    events(
        (0..100)
            .map(|i| {
                json!({ "type": "purchase", "email": format!("b{i:03}@buyers.example.org"), "occurredAt": early,
                              "properties": { "amount": 5000, "currency": "EUR" } })
            })
            .collect(),
    )
    .await;
    use crate::operations::{line, plan, program, project};
    let pl = plan(&app, &me, 2027).await;
    let prog = program(&app, &me, &pl, "Retention").await;
    let proj = project(&app, &me, &prog, "Winback").await;
    let budget = line(&app, &me, &proj, "1000", "FORBID").await;
    let id = campaign(
        &app,
        &me,
        json!({ "name": "Offer", "segmentIds": [seg], "templateId": tpl, "sendingDomainId": d["id"],
                "fromAddress": "deals@shop.example.com", "controlGroupPercent": 50, "projectId": proj,
                "budgetLineId": budget }),
    )
    .await;
    run(&app, &me, LAUNCH, json!({ "id": id })).await;
    app.drive_jobs().await;
    let sends = all_sends(&app, &me, &id).await;
    let treated: Vec<&Value> = sends.iter().filter(|s| s["status"] == "SENT").collect();
    let control: Vec<&Value> = sends.iter().filter(|s| s["status"] == "CONTROL").collect();
    let (nt, nc) = (treated.len(), control.len());
    assert_eq!(nt + nc, 100);
    assert!((25..=75).contains(&nc), "about half held out: {nc}");

    // An open and a click, through the message's own links.
    let to = treated[0]["email"].as_str().unwrap();
    let m = app.smtp.to(to).pop().unwrap();
    let pixel = m.link("/t/o/").expect("an open pixel");
    let res = app.http.get(&pixel).send().await.unwrap();
    assert_eq!((res.status().as_u16(), header_of(&res, "content-type")), (200, "image/gif".to_owned()));
    let click = m.link("/t/c/").expect("a tracked link");
    let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = no_redirect.get(&click).send().await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(header_of(&res, "location"), format!("https://shop.example.com/offer?for={to}"));
    let forged = format!("{}?u=https%3A%2F%2Fevil.example.com%2F", click.split('?').next().unwrap());
    let res = no_redirect.get(&forged).send().await.unwrap();
    assert_eq!(res.status(), 404, "never an open redirect");
    let res = no_redirect.get(pixel.replace("/t/o/", "/t/o/x")).send().await.unwrap();
    assert_eq!(res.status(), 200, "a forged pixel still answers a picture, and records nothing");

    // Purchases after the campaign: 30 treated, 5 held out.
    let x1 = nt.min(30);
    let x2 = nc.min(5);
    let buys: Vec<Value> = treated[..x1]
        .iter()
        .chain(&control[..x2])
        .map(
            |s| json!({ "type": "purchase", "email": s["email"], "properties": { "amount": 1000, "currency": "EUR" } }),
        )
        .collect();
    events(buys).await;
    let q = "query($id: ID!) { campaign(id: $id) { results { attributionDays currency
        treated { contacts opened clicked converted conversionRate revenue { minorUnits currencyCode } }
        control { contacts converted conversionRate revenue { minorUnits } }
        conversion { treated control absolute relative low high pValue significant }
        revenuePerContact { absolute low high significant }
        incrementalConversions incrementalRevenue { minorUnits currencyCode } } } }";
    let r = run(&app, &me, q, json!({ "id": id })).await["campaign"]["results"].clone();
    assert_eq!((r["attributionDays"].as_i64(), r["currency"].as_str()), (Some(7), Some("EUR")));
    let t = &r["treated"];
    assert_eq!(
        (t["contacts"].as_u64(), t["opened"].as_i64(), t["clicked"].as_i64()),
        (Some(nt as u64), Some(1), Some(1))
    );
    assert_eq!(t["converted"].as_u64(), Some(x1 as u64));
    assert_eq!(t["revenue"]["minorUnits"], (x1 * 1000).to_string());
    assert_eq!(
        (r["control"]["contacts"].as_u64(), r["control"]["converted"].as_u64()),
        (Some(nc as u64), Some(x2 as u64))
    );
    let (p1, p2) = (x1 as f64 / nt as f64, x2 as f64 / nc as f64);
    let c = &r["conversion"];
    assert!((c["treated"].as_f64().unwrap() - p1).abs() < 1e-9 && (c["control"].as_f64().unwrap() - p2).abs() < 1e-9);
    assert!((c["absolute"].as_f64().unwrap() - (p1 - p2)).abs() < 1e-9);
    assert!((c["relative"].as_f64().unwrap() - (p1 - p2) / p2).abs() < 1e-9);
    assert!(c["low"].as_f64().unwrap() > 0.0 && c["high"].as_f64().unwrap() > c["absolute"].as_f64().unwrap());
    assert!(c["pValue"].as_f64().unwrap() < 0.01 && c["significant"] == true, "{c}");
    assert!((r["incrementalConversions"].as_f64().unwrap() - (p1 - p2) * nt as f64).abs() < 1e-6);
    let incremental = ((x1 as f64 * 1000.0 / nt as f64 - x2 as f64 * 1000.0 / nc as f64) * nt as f64).round() as i64;
    assert_eq!(r["incrementalRevenue"]["minorUnits"], incremental.to_string());
    assert_eq!(r["revenuePerContact"]["significant"], true);
    let bad = app
        .gql(
            &me,
            "query($id: ID!) { campaign(id: $id) { results(attributionDays: 0) { currency } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!((code(&bad).as_deref(), field(&bad).as_deref()), (Some("BAD_USER_INPUT"), Some("attributionDays")));

    // ROI: the purchase order raised for the campaign, beside the revenue it caused.
    let order = "mutation($i: CreatePurchaseOrderInput!) { createPurchaseOrder(input: $i) { id campaignId } }";
    let eur = |a: &str| json!({ "amount": a, "currencyCode": "EUR" });
    let i = json!({ "i": { "vendor": "Ads Inc", "campaignId": id,
        "lines": [{ "budgetLineId": budget, "amount": eur("10.00"), "description": "ads" }] } });
    let po = run(&app, &me, order, i.clone()).await["createPurchaseOrder"].clone();
    assert_eq!(po["campaignId"], id.as_str());
    let submit = "mutation($id: ID!) { submitPurchaseOrder(id: $id) { status } }";
    assert_eq!(run(&app, &me, submit, json!({ "id": po["id"] })).await["submitPurchaseOrder"]["status"], "APPROVED");
    let inv = "mutation($i: RecordInvoiceInput!) { recordInvoice(input: $i) { id } }";
    run(&app, &me, inv, json!({ "i": { "purchaseOrderId": po["id"], "amount": eur("5.00"), "reference": "I-1" } }))
        .await;
    let expected = (incremental - 500) as f64 / 500.0;
    let q = "query($id: ID!) { campaign(id: $id) { roi { campaigns currency roi
        costs { committed { minorUnits } invoiced { minorUnits } counted { minorUnits } } revenue { minorUnits currencyCode } } } }";
    let roi = run(&app, &me, q, json!({ "id": id })).await["campaign"]["roi"].clone();
    assert_eq!(
        roi["costs"],
        json!([{ "committed": { "minorUnits": "1000" }, "invoiced": { "minorUnits": "500" }, "counted": { "minorUnits": "500" } }])
    );
    assert_eq!(roi["revenue"], json!([{ "minorUnits": incremental.to_string(), "currencyCode": "EUR" }]));
    assert!((roi["roi"].as_f64().unwrap() - expected).abs() < 1e-9, "{roi}");
    for (arg, v) in [("projectId", &proj), ("programId", &prog)] {
        let q = format!("query($v: ID!) {{ campaignRoi({arg}: $v) {{ campaigns roi currency }} }}");
        let r = run(&app, &me, &q, json!({ "v": v })).await["campaignRoi"].clone();
        assert_eq!((r["campaigns"].as_i64(), r["currency"].as_str()), (Some(1), Some("EUR")), "{arg}: {r}");
        assert!((r["roi"].as_f64().unwrap() - expected).abs() < 1e-9);
    }
    let stranger = app.sign_up("BUSINESS").await.auth();
    let r = app.gql(&stranger, order, i).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "another workspace's campaign: {r}");

    // The open and the click are on the contact's timeline.
    let q = "query($id: ID!) { contact(id: $id) { events(first: 20) { edges { node { kind properties } } } } }";
    let ev = run(&app, &me, q, json!({ "id": treated[0]["contactId"] })).await;
    let kinds: Vec<&str> = ev["contact"]["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap())
        .collect();
    for k in ["email_sent", "email_opened", "email_clicked", "purchase"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
}

async fn an_ab_split_sends_each_variant_to_its_share(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    verify_owner(&app, &owner).await;
    plan_field(&app, &me).await;
    let d = sending_domain(&app, &me, "ab.example.com").await;
    let a = template(&app, &me, "A").await;
    let i = json!({ "i": { "name": "B", "subject": "Last chance, {{ contact.first_name }}", "mjml": MJML } });
    let b = run(&app, &me, TEMPLATE, i).await["createEmailTemplate"]["id"].as_str().unwrap().to_owned();
    for i in 0..40 {
        contact(&app, &me, &format!("ab{i:02}@split.example.org"), &format!("P{i}"), Some("GRANTED")).await;
    }
    let seg = segment(&app, &me, "Split", at("split.example.org")).await;
    let base =
        json!({ "name": "Split", "segmentIds": [seg], "sendingDomainId": d["id"], "fromAddress": "x@ab.example.com" });
    for (patch, bad_field) in [
        (json!({}), "templateId"),
        (json!({ "variants": [{ "templateId": a, "percent": 100 }] }), "variants"),
        (json!({ "variants": [{ "templateId": a, "percent": 50 }, { "templateId": b, "percent": 40 }] }), "variants"),
        (json!({ "variants": [{ "templateId": a, "percent": 120 }, { "templateId": b, "percent": -20 }] }), "variants"),
    ] {
        let mut i = base.clone();
        i.as_object_mut().unwrap().extend(patch.as_object().unwrap().clone());
        let r = app.gql(&me, CREATE, json!({ "i": i })).await;
        assert_eq!((code(&r).as_deref(), field(&r).as_deref()), (Some("BAD_USER_INPUT"), Some(bad_field)), "{r}");
    }
    let mut i = base.clone();
    i["variants"] = json!([{ "templateId": a, "percent": 50 }, { "templateId": b, "percent": 50 }]);
    let id = campaign(&app, &me, i).await;
    let v = run(
        &app,
        &me,
        "query($id: ID!) { campaign(id: $id) { variants { templateId percent } } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        v["campaign"]["variants"],
        json!([{ "templateId": a, "percent": 50.0 }, { "templateId": b, "percent": 50.0 }])
    );
    let before = app.smtp.messages().len();
    run(&app, &me, LAUNCH, json!({ "id": id })).await;
    app.drive_jobs().await;
    let q = "query($id: ID!) { campaign(id: $id) { status sends(first: 100) { edges { node { email variant } } }
        results { variants { variant treated { contacts } } } } }";
    let c = run(&app, &me, q, json!({ "id": id })).await["campaign"].clone();
    assert_eq!(c["status"], "COMPLETED");
    let mail = &app.smtp.messages()[before..];
    let mut counts = [0usize; 2];
    for e in c["sends"]["edges"].as_array().unwrap() {
        let variant = e["node"]["variant"].as_u64().unwrap() as usize;
        counts[variant] += 1;
        let m = mail.iter().find(|m| m.to[0] == e["node"]["email"].as_str().unwrap()).unwrap();
        let subject = header(m, "Subject").unwrap();
        assert_eq!(subject.starts_with("Last chance"), variant == 1, "variant {variant} got {subject}");
    }
    assert!(counts.iter().all(|n| (8..=32).contains(n)), "about half each: {counts:?}");
    let arms: Vec<(i64, i64)> = c["results"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["variant"].as_i64().unwrap(), v["treated"]["contacts"].as_i64().unwrap()))
        .collect();
    assert_eq!(arms, [(0, counts[0] as i64), (1, counts[1] as i64)]);
}

/// Posts the template editor's preview form as a browser would (`fetch_site` is what
/// it says of where the post comes from), with `who`'s credentials or none.
async fn post_preview(app: &TestApp, who: Option<&As>, form: &[(&str, &str)], fetch_site: &str) -> reqwest::Response {
    let mut req =
        app.http.post(format!("{}/files/email-preview", app.base)).form(form).header("sec-fetch-site", fetch_site);
    if let Some(who) = who {
        req = req.bearer_auth(who.bearer.as_deref().unwrap_or_default());
        if let Some(ws) = &who.workspace {
            req = req.header("x-parley-workspace", ws);
        }
    }
    req.send().await.unwrap()
}

fn header_of(res: &reqwest::Response, name: &str) -> String {
    res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// One object of each campaign node type, for the node registry story.
pub async fn samples(app: &TestApp, owner: &Account) -> Vec<(&'static str, Value)> {
    let me = owner.auth();
    verify_owner(app, owner).await;
    let d = sending_domain(app, &me, "samples.example.com").await;
    let tpl = template(app, &me, "Sample").await;
    contact(app, &me, "sample@sample.example.org", "Sam", Some("GRANTED")).await;
    let seg = segment(app, &me, "Samples", at("sample.example.org")).await;
    let id = campaign(
        app,
        &me,
        json!({ "name": "Sample", "segmentIds": [seg], "templateId": tpl, "sendingDomainId": d["id"],
                "fromAddress": "s@samples.example.com" }),
    )
    .await;
    run(app, &me, LAUNCH, json!({ "id": id })).await;
    app.drive_jobs().await;
    let sends = run(app, &me, SENDS, json!({ "id": id, "s": null })).await;
    let q = "mutation { suppressEmail(input: { email: \"gone@sample.example.org\" }) { id } }";
    let s = run(app, &me, q, json!({})).await;
    vec![
        ("SendingDomain", d["id"].clone()),
        ("EmailTemplate", json!(tpl)),
        ("Campaign", json!(id)),
        ("CampaignSend", sends["campaign"]["sends"]["edges"][0]["node"]["id"].clone()),
        ("EmailSuppression", s["suppressEmail"]["id"].clone()),
    ]
}

/// Batches smaller than the audience, so a batch is claimed while another is sent.
const SMALL_BATCHES: &[(&str, &str)] = &[("PARLEY_EMAIL_BATCH", "2")];

crate::on_both_with!(mail_that_fails_or_comes_back, super::SMALL_BATCHES);
on_both!(
    a_campaign_is_sent_signed_personal_and_once,
    approvals_pausing_and_other_workspaces,
    opens_clicks_and_what_the_campaign_caused,
    an_ab_split_sends_each_variant_to_its_share
);
