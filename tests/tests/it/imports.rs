//! Imports and exports: a CSV upload checked against its header before anything is
//! stored, rows upserted on one identity by a job, every rejected row in the error
//! report with its line, column and reason, the same file twice changing nothing,
//! files split over many chunks and batches, exports downloadable with the same
//! credentials, and another workspace that sees none of it.

use serde_json::{Value, json};

use crate::on_both_with;
use crate::support::*;

/// Uploads stay below 3 MiB here, so a larger file shows the limit.
const LIMIT: &[(&str, &str)] = &[("PARLEY_IMPORT_MAX_MIB", "3")];

const IMPORT: &str = "id status fileName rowsRead rowsImported rowsUpdated rowsUnchanged rowsRejected \
                      sizeBytes bytesRead progress errorReportUrl error";

const START: &str = "mutation($file: Upload!, $o: ContactImportOptions!) { \
                     startContactImport(file: $file, options: $o) { id status fileName } }";

async fn start(app: &TestApp, who: &As, name: &str, file: &[u8], options: Value) -> Value {
    let (ct, body) = multipart(START, json!({ "o": options }), name, file);
    let res = app.post_multipart(who, &ct, body).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn import(app: &TestApp, who: &As, id: &str) -> Value {
    let q = format!("query($id: ID!) {{ contactImport(id: $id) {{ {IMPORT} }} }}");
    ok(app.gql(who, &q, json!({ "id": id })).await)["contactImport"].clone()
}

/// Starts an import, runs the jobs, and answers the finished import.
async fn run_import(app: &TestApp, who: &As, name: &str, file: &[u8], options: Value) -> Value {
    let started = ok(start(app, who, name, file, options).await)["startContactImport"].clone();
    assert_eq!(started["status"], "QUEUED");
    app.drive_jobs().await;
    import(app, who, started["id"].as_str().unwrap()).await
}

async fn get(app: &TestApp, who: &As, url: &str) -> (u16, String) {
    let mut req = app.http.get(url);
    if let Some(b) = &who.bearer {
        req = req.bearer_auth(b);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn counts(i: &Value) -> [i64; 5] {
    ["rowsRead", "rowsImported", "rowsUpdated", "rowsUnchanged", "rowsRejected"].map(|k| i[k].as_i64().unwrap())
}

const FILE: &[u8] = b"\xEF\xBB\xBFEmail,First name,Visits,Tier,Joined,Note,Tags\r\n\
ann@example.com,Ann,1,gold,2024-01-05,\"likes\nboats\",vip;beta\r\n\
BOB@example.com,Bob,3,,,,\r\n\
not-an-email,Cy,2,,,,\r\n\
dee@example.com,Dee,many,Bronze,2024-02-30,,\r\n\
ann@example.com,Ann again,5,,,,\r\n\
eve@example.com,Eve\r\n\
\r\n\
fay@example.com,Fay,,silver,,,\r\n";

fn options() -> Value {
    json!({
        "identityColumn": "email", "identityKind": "EMAIL",
        "columns": [
            { "column": "First name", "attribute": "firstName", "type": "STRING" },
            { "column": "Visits", "attribute": "visits", "type": "NUMBER" },
            { "column": "Tier", "attribute": "tier", "type": "ENUM" },
            { "column": "Joined", "attribute": "joined", "type": "DATE" },
            { "column": "Note", "attribute": "note", "type": "STRING" },
            { "column": "Tags", "attribute": "tags", "type": "LIST" },
        ],
        "consents": [{ "channel": "EMAIL", "status": "GRANTED" }],
    })
}

async fn an_import_upserts_rows_reports_rejections_and_changes_nothing_twice(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let field = "mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { id } }";
    let tier = json!({ "key": "tier", "label": "Tier", "kind": "ENUM", "options": ["Gold", "Silver"] });
    ok(app.gql(&me, field, json!({ "i": tier })).await);
    let bob = "mutation { createContact(input: {email: \"bob@example.com\", firstName: \"Robert\"}) { id } }";
    let bob_id = ok(app.gql(&me, bob, json!({})).await)["createContact"]["id"].clone();

    let done = run_import(&app, &me, "C:\\Users\\ann\\contacts.csv", FILE, options()).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    assert_eq!(done["fileName"], "contacts.csv");
    // ann, bob, cy, dee, ann again, eve, fay: the blank line is no row.
    assert_eq!(counts(&done), [7, 2, 1, 0, 4], "{done}");
    assert_eq!(done["progress"], 1.0);
    assert_eq!(done["sizeBytes"], FILE.len() as f64);

    let q = "query($e: String!) { contactByEmail(email: $e) { id firstName attributes tags consents { channel status source } } }";
    let ann = ok(app.gql(&me, q, json!({ "e": "ann@example.com" })).await)["contactByEmail"].clone();
    assert_eq!(ann["firstName"], "Ann");
    assert_eq!(
        ann["attributes"],
        json!({ "visits": 1, "tier": "Gold", "joined": "2024-01-05", "note": "likes\nboats" }),
        "a quoted newline stays in its cell"
    );
    assert_eq!(ann["tags"], json!(["beta", "vip"]));
    assert_eq!(ann["consents"], json!([{ "channel": "EMAIL", "status": "GRANTED", "source": "import contacts.csv" }]));
    let bob = ok(app.gql(&me, q, json!({ "e": "bob@example.com" })).await)["contactByEmail"].clone();
    assert_eq!((&bob["id"], &bob["firstName"]), (&bob_id, &json!("Bob")), "matched on the email in any case");
    assert_eq!(bob["attributes"], json!({ "visits": 3 }), "empty cells leave the contact as it was");
    let fay = ok(app.gql(&me, q, json!({ "e": "fay@example.com" })).await)["contactByEmail"].clone();
    assert_eq!(fay["attributes"], json!({ "tier": "Silver" }));
    for missing in ["dee@example.com", "eve@example.com"] {
        let r = app.gql(&me, q, json!({ "e": missing })).await;
        assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{missing} was rejected");
    }
    // The fields the mapping named were defined with their types.
    let fields = ok(app.gql(&me, "{ contactFields { edges { node { key kind } } } }", json!({})).await);
    let kinds: Vec<(String, String)> = fields["contactFields"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["node"]["key"].as_str().unwrap().to_owned(), e["node"]["kind"].as_str().unwrap().to_owned()))
        .collect();
    for (k, t) in [("visits", "NUMBER"), ("joined", "DATE"), ("note", "STRING"), ("tier", "ENUM")] {
        assert!(kinds.contains(&(k.to_owned(), t.to_owned())), "{k} {t} in {kinds:?}");
    }

    // The error report: every rejected cell, in file order, lines as the file counts them.
    let url = done["errorReportUrl"].as_str().unwrap();
    let (status, report) = get(&app, &me, url).await;
    assert_eq!(status, 200);
    let lines: Vec<Vec<String>> = csv_rows(&report);
    assert_eq!(lines[0], ["line", "column", "reason"]);
    let where_: Vec<(&str, &str)> = lines[1..].iter().map(|l| (l[0].as_str(), l[1].as_str())).collect();
    assert_eq!(
        where_,
        [("5", "Email"), ("6", "Visits"), ("6", "Tier"), ("6", "Joined"), ("7", "Email"), ("8", "")],
        "{report}"
    );
    assert!(lines[2][2].contains("number"), "{:?}", lines[2]);
    assert!(lines[3][2].contains("Gold, Silver"), "{:?}", lines[3]);
    assert!(lines[5][2].contains("line 2"), "{:?}", lines[5]);
    assert!(lines[6][2].contains("2 fields"), "{:?}", lines[6]);
    assert_eq!(get(&app, &As::anon(), url).await.0, 401, "the report needs credentials");
    let rejections = "query($id: ID!) { contactImport(id: $id) { rejections(first: 10) { totalCount edges { node { line column reason } } } } }";
    let r = ok(app.gql(&me, rejections, json!({ "id": done["id"] })).await);
    assert_eq!(r["contactImport"]["rejections"]["totalCount"], 6);

    // The same file again changes nothing.
    let before = ok(app.gql(&me, "{ contacts { totalCount edges { node { updatedAt } } } }", json!({})).await);
    let again = run_import(&app, &me, "contacts.csv", FILE, options()).await;
    assert_eq!(counts(&again), [7, 0, 0, 3, 4], "{again}");
    let after = ok(app.gql(&me, "{ contacts { totalCount edges { node { updatedAt } } } }", json!({})).await);
    assert_eq!(before, after);
    let history = "query($id: ID!) { contact(id: $id) { events { totalCount } } }";
    let events = ok(app.gql(&me, history, json!({ "id": ann["id"] })).await);
    assert_eq!(events["contact"]["events"]["totalCount"], 1, "one consent change, recorded once");
}

/// Parses CSV text (quoted cells, CRLF) into rows.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

async fn bad_options_and_files_are_refused_naming_what_is_wrong(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let define = "mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { id } }";
    ok(app
        .gql(&me, define, json!({ "i": { "key": "tier", "label": "Tier", "kind": "ENUM", "options": ["Gold"] } }))
        .await);
    let email_only = json!({ "identityColumn": "email", "identityKind": "EMAIL", "columns": [] });
    let cases: Vec<(&str, Vec<u8>, Value, &str, &str)> = vec![
        (
            "semicolons",
            b"email;name\nann@example.com;Ann\n".to_vec(),
            email_only.clone(),
            "options.identityColumn",
            "delimiter",
        ),
        (
            "unknown column",
            b"email,name\n".to_vec(),
            json!({ "identityColumn": "email", "identityKind": "EMAIL",
                    "columns": [{ "column": "surname", "attribute": "lastName", "type": "STRING" }] }),
            "options.columns[0].column",
            "surname",
        ),
        (
            "type of an existing field",
            b"email,tier\n".to_vec(),
            json!({ "identityColumn": "email", "identityKind": "EMAIL",
                    "columns": [{ "column": "tier", "attribute": "tier", "type": "NUMBER" }] }),
            "options.columns[0].type",
            "ENUM",
        ),
        ("utf-16", b"\xFF\xFEe\0m\0a\0i\0l\0".to_vec(), email_only.clone(), "file", "UTF-16"),
        ("latin-1", b"email\nren\xe9@example.com\n".to_vec(), email_only.clone(), "file", "line 2"),
        ("empty", Vec::new(), email_only.clone(), "file", "empty"),
        (
            "delimiter",
            b"email\n".to_vec(),
            json!({ "identityColumn": "email", "identityKind": "EMAIL", "columns": [], "delimiter": ";;" }),
            "options.delimiter",
            "one character",
        ),
    ];
    for (what, file, opts, want_field, says) in cases {
        let r = start(&app, &me, "bad.csv", &file, opts).await;
        assert_eq!(code(&r).as_deref(), Some("BAD_USER_INPUT"), "{what}: {r}");
        assert_eq!(field(&r).as_deref(), Some(want_field), "{what}: {r}");
        let msg = r["errors"][0]["message"].as_str().unwrap();
        assert!(msg.contains(says), "{what}: {msg}");
    }

    // Larger than the limit: refused before the resolver runs, nothing stored.
    let mut big = b"email,note\n".to_vec();
    while big.len() < 4 << 20 {
        big.extend_from_slice(
            format!("{}@example.com,{}\n", uuid::Uuid::now_v7().simple(), "x".repeat(200)).as_bytes(),
        );
    }
    let (ct, body) = multipart(START, json!({ "o": email_only }), "big.csv", &big);
    // The answer is read unless the server's close races the rest of the body: try again.
    let mut answer = None;
    for _ in 0..5 {
        if let Ok(res) = app.try_post_multipart(&me, &ct, body.clone()).await {
            answer = Some(res);
            break;
        }
    }
    let res = answer.expect("the oversized upload is answered");
    assert_eq!(res.status(), 413);
    let body: Value = res.json().await.unwrap();
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("3 MiB"), "{body}");

    // An upload cut off halfway: a clear error, nothing stored.
    let (ct, body) = multipart(START, json!({ "o": email_only }), "cut.csv", b"email\nann@example.com\n");
    let cut = body[..body.len() - 40].to_vec();
    let res = app.post_multipart(&me, &ct, cut).await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");

    // A role that cannot edit contacts cannot import.
    let q = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }";
    let k = ok(app.gql(&me, q, json!({ "i": { "name": "viewer", "role": "VIEWER" } })).await);
    let viewer = As::token(k["createApiKey"]["secret"].as_str().unwrap());
    let r = start(&app, &viewer, "ok.csv", b"email\nann@example.com\n", email_only.clone()).await;
    assert_eq!(code(&r).as_deref(), Some("FORBIDDEN"), "{r}");

    let imports = ok(app.gql(&me, "{ contactImports { totalCount } contacts { totalCount } }", json!({})).await);
    assert_eq!(imports, json!({ "contactImports": { "totalCount": 0 }, "contacts": { "totalCount": 0 } }));
}

async fn large_files_span_chunks_and_batches_and_identities_conflicts_are_rejected(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let taken = "mutation { createContact(input: {email: \"taken@example.com\"}) { id } }";
    ok(app.gql(&me, taken, json!({})).await);
    // 2,600 rows of ~600 bytes: three chunks of the stored file and three batches, with
    // quoted cells (and one newline in a cell) across the chunk boundaries.
    let mut file = b"crm_id,email,bio\n".to_vec();
    let n = 2_600;
    for i in 0..n {
        let email = match i {
            1_500 => "taken@example.com".to_owned(),
            2_000 => "row1999@example.com".to_owned(),
            _ => format!("row{i}@example.com"),
        };
        let bio = format!("\"{} \"\"{i}\"\"\n{}\"", "a".repeat(280), "b".repeat(280));
        file.extend_from_slice(format!("C-{i},{email},{bio}\n").as_bytes());
    }
    assert!(file.len() > 1 << 20);
    let opts = json!({
        "identityColumn": "crm_id", "identityKind": "EXTERNAL_ID",
        "columns": [
            { "column": "email", "attribute": "email", "type": "STRING" },
            { "column": "bio", "attribute": "bio", "type": "STRING" },
        ],
    });
    let done = run_import(&app, &me, "crm.csv", &file, opts.clone()).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    assert_eq!(counts(&done), [n, n - 2, 0, 0, 2], "{done}");
    let (_, report) = get(&app, &me, done["errorReportUrl"].as_str().unwrap()).await;
    let rows = csv_rows(&report);
    // Row i starts at line 2 + 2i: each row's bio holds one newline.
    assert_eq!(rows[1][..2], ["3002", "email"], "{report}");
    assert_eq!(rows[2][..2], ["4002", "email"], "{report}");
    assert!(rows[1][2].contains("another contact"), "{:?}", rows[1]);
    let q = "query($x: String!) { contactByIdentity(externalId: $x) { email attributes } }";
    let last = ok(app.gql(&me, q, json!({ "x": format!("C-{}", n - 1) })).await)["contactByIdentity"].clone();
    assert_eq!(last["email"], format!("row{}@example.com", n - 1));
    let bio = last["attributes"]["bio"].as_str().unwrap();
    assert!(bio.starts_with('a') && bio.contains(&format!("\"{}\"\n", n - 1)) && bio.ends_with('b'), "{bio}");

    let again = run_import(&app, &me, "crm.csv", &file, opts).await;
    assert_eq!(counts(&again), [n, 0, 0, n - 2, 2], "{again}");
}

async fn exports_write_every_contact_to_a_file_of_the_workspace(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let opts = json!({ "identityColumn": "email", "identityKind": "EMAIL",
                       "columns": [{ "column": "spend", "attribute": "visits", "type": "NUMBER" }],
                       "consents": [{ "channel": "SMS", "status": "DENIED" }] });
    let mut file = b"email,spend\n".to_vec();
    for i in 0..2_100 {
        file.extend_from_slice(format!("x{i}@example.com,{i}\n").as_bytes());
    }
    let done = run_import(&app, &me, "list.csv", &file, opts).await;
    assert_eq!(done["rowsImported"], 2_100);

    let started = ok(app.gql(&me, "mutation { startContactExport { id status downloadUrl } }", json!({})).await);
    let id = started["startContactExport"]["id"].as_str().unwrap().to_owned();
    assert_eq!(started["startContactExport"]["downloadUrl"], Value::Null);
    app.drive_jobs().await;
    let q = "query($id: ID!) { contactExport(id: $id) { status rowsWritten rowsTotal downloadUrl } }";
    let exp = ok(app.gql(&me, q, json!({ "id": id })).await)["contactExport"].clone();
    assert_eq!(
        (&exp["status"], &exp["rowsWritten"], &exp["rowsTotal"]),
        (&json!("COMPLETED"), &json!(2100), &json!(2100))
    );
    let url = exp["downloadUrl"].as_str().unwrap();
    let (status, text) = get(&app, &me, url).await;
    assert_eq!(status, 200);
    let rows = csv_rows(&text);
    assert_eq!(rows.len(), 2_101);
    assert_eq!(rows[0][..3], ["id", "email", "phone"]);
    let visits = rows[0].iter().position(|h| h == "visits").unwrap();
    let sms = rows[0].iter().position(|h| h == "consent_sms").unwrap();
    let x7 = rows.iter().find(|r| r[1] == "x7@example.com").unwrap();
    assert_eq!((x7[visits].as_str(), x7[sms].as_str()), ("7", "DENIED"));

    // One segment's contacts: the rule decides, the same way as for its count.
    let seg = "mutation { createSegment(input: {name: \"Few visits\", rule: {attribute: \"visits\", op: \"lt\", value: 10}}) { id } }";
    let seg_id = ok(app.gql(&me, seg, json!({})).await)["createSegment"]["id"].clone();
    let start_seg = "mutation($s: ID!) { startContactExport(segmentId: $s) { id segmentId } }";
    let started = ok(app.gql(&me, start_seg, json!({ "s": seg_id })).await)["startContactExport"].clone();
    assert_eq!(started["segmentId"], seg_id);
    app.drive_jobs().await;
    let seg_exp = ok(app.gql(&me, q, json!({ "id": started["id"] })).await)["contactExport"].clone();
    assert_eq!((&seg_exp["rowsWritten"], &seg_exp["rowsTotal"]), (&json!(10), &json!(10)));
    let (_, text) = get(&app, &me, seg_exp["downloadUrl"].as_str().unwrap()).await;
    let mut emails: Vec<String> = csv_rows(&text)[1..].iter().map(|r| r[1].clone()).collect();
    emails.sort();
    let mut want: Vec<String> = (0..10).map(|i| format!("x{i}@example.com")).collect();
    want.sort();
    assert_eq!(emails, want);

    // Another workspace sees neither the export, the import, the segment nor the file.
    let other = app.sign_up("BUSINESS").await;
    let r = app.gql(&other.auth(), start_seg, json!({ "s": seg_id })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    let r = app.gql(&other.auth(), q, json!({ "id": id })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"));
    let iq = format!("query($id: ID!) {{ contactImport(id: $id) {{ {IMPORT} }} }}");
    let r = app.gql(&other.auth(), &iq, json!({ "id": done["id"] })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"));
    let r = app.gql(&other.auth(), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": done["id"] })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"));
    assert_eq!(get(&app, &other.auth(), url).await.0, 404);
    assert_eq!(get(&app, &other.auth(), done["errorReportUrl"].as_str().unwrap()).await.0, 404);
    let theirs =
        ok(app.gql(&other.auth(), "{ contacts { totalCount } contactImports { totalCount } }", json!({})).await);
    assert_eq!(theirs, json!({ "contacts": { "totalCount": 0 }, "contactImports": { "totalCount": 0 } }));
    // The other's import of the same addresses makes their own contacts; ours stay as they were.
    let theirs_file = b"email,spend\nx7@example.com,99\n";
    let opts = json!({ "identityColumn": "email", "identityKind": "EMAIL",
                       "columns": [{ "column": "spend", "attribute": "visits", "type": "NUMBER" }] });
    let theirs = run_import(&app, &other.auth(), "theirs.csv", theirs_file, opts).await;
    assert_eq!(counts(&theirs), [1, 1, 0, 0, 0], "{theirs}");
    let q7 = "{ contactByEmail(email: \"x7@example.com\") { attributes } }";
    assert_eq!(ok(app.gql(&me, q7, json!({})).await)["contactByEmail"]["attributes"], json!({ "visits": 7 }));
    assert_eq!(
        ok(app.gql(&other.auth(), q7, json!({})).await)["contactByEmail"]["attributes"],
        json!({ "visits": 99 })
    );
    let analyst = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }";
    let k = ok(app.gql(&me, analyst, json!({ "i": { "name": "v", "role": "VIEWER" } })).await);
    let viewer = As::token(k["createApiKey"]["secret"].as_str().unwrap());
    let r = app.gql(&viewer, "mutation { startContactExport { id } }", json!({})).await;
    assert_eq!(code(&r).as_deref(), Some("FORBIDDEN"), "exporting every contact is not for every role");
}

on_both_with!(an_import_upserts_rows_reports_rejections_and_changes_nothing_twice, super::LIMIT);
on_both_with!(bad_options_and_files_are_refused_naming_what_is_wrong, super::LIMIT);
on_both_with!(large_files_span_chunks_and_batches_and_identities_conflicts_are_rejected, super::LIMIT);
on_both_with!(exports_write_every_contact_to_a_file_of_the_workspace, super::LIMIT);

/// A worker process killed with SIGKILL part-way through an import: what was committed
/// stays (and is consistent: every contact counted is there), the next worker goes on
/// from the last committed batch, the batch in flight is done once, and a duplicate of
/// an identity from before the kill is still caught. In the end the figures are those
/// of one clean run.
async fn a_worker_killed_mid_import_loses_and_repeats_nothing(backend: Backend) {
    use crate::faults::{parley_bin, wait_for, worker_with};
    let Some(bin) = parley_bin() else { return };
    let Some(app) = TestApp::spawn(backend).await else { return };
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    app.drive_jobs().await; // the sign-up's email, before the drill
    let n = 2_400_i64;
    let mut file = b"email,visits\n".to_vec();
    for i in 0..n {
        let (email, visits) = match i {
            // A repeat, far after the kill, of an identity committed before it.
            2_200 => ("row10@example.com".to_owned(), "1".to_owned()),
            1_200 => (format!("row{i}@example.com"), "lots".to_owned()),
            _ => (format!("row{i}@example.com"), (i % 7).to_string()),
        };
        file.extend_from_slice(format!("{email},{visits}\n").as_bytes());
    }
    let opts = json!({
        "identityColumn": "email", "identityKind": "EMAIL",
        "columns": [{ "column": "visits", "attribute": "visits", "type": "NUMBER" }],
        "consents": [{ "channel": "EMAIL", "status": "GRANTED" }],
    });
    let id =
        ok(start(&app, &me, "big.csv", &file, opts).await)["startContactImport"]["id"].as_str().unwrap().to_owned();
    let batch = [("PARLEY_IMPORT_BATCH_ROWS", "40")];
    let mut w1 = worker_with(&bin, &app, &batch);
    wait_for("a few batches committed", 60, async || import(&app, &me, &id).await["rowsRead"].as_i64() >= Some(200))
        .await;
    w1.kill().unwrap(); // SIGKILL: the batch in flight is never committed
    w1.wait().unwrap();
    let cut = import(&app, &me, &id).await;
    assert_eq!(cut["status"], "RUNNING", "killed part-way: {cut}");
    let read = cut["rowsRead"].as_i64().unwrap();
    assert!(read < n && read % 40 == 0, "whole batches only: {cut}");
    let held = ok(app.gql(&me, "{ contacts { totalCount } }", json!({})).await)["contacts"]["totalCount"].clone();
    assert_eq!(held, cut["rowsImported"], "what is counted is there, and nothing more: {cut}");

    let mut w2 = worker_with(&bin, &app, &batch);
    wait_for("the import to finish", 120, async || import(&app, &me, &id).await["status"] == "COMPLETED").await;
    w2.kill().unwrap();
    w2.wait().unwrap();
    let done = import(&app, &me, &id).await;
    assert_eq!(counts(&done), [n, n - 2, 0, 0, 2], "{done}");
    let (_, report) = get(&app, &me, done["errorReportUrl"].as_str().unwrap()).await;
    let rows = csv_rows(&report);
    assert_eq!(rows.len(), 3, "two rejections, each once: {report}");
    assert_eq!(rows[1][..2], ["1202", "visits"], "{report}");
    assert_eq!(rows[2][..2], ["2202", "email"], "{report}");
    assert!(rows[2][2].contains("line 12"), "names the first line: {:?}", rows[2]);
    let all = ok(app.gql(&me, "{ contacts { totalCount } }", json!({})).await);
    assert_eq!(all["contacts"]["totalCount"], n - 2);
    // Each contact's consent was recorded once, the redone batch's included.
    let count = "query($r: JSON!) { previewSegment(rule: $r) { count } }";
    let once = json!({ "event": "consent_changed", "count": { "op": "eq", "value": 1 } });
    let twice = json!({ "event": "consent_changed", "count": { "op": "gt", "value": 1 } });
    assert_eq!(ok(app.gql(&me, count, json!({ "r": once })).await)["previewSegment"]["count"], n - 2);
    assert_eq!(ok(app.gql(&me, count, json!({ "r": twice })).await)["previewSegment"]["count"], 0);
    let q = "query($e: String!) { contactByEmail(email: $e) { attributes } }";
    let last = ok(app.gql(&me, q, json!({ "e": "row2399@example.com" })).await);
    assert_eq!(last["contactByEmail"]["attributes"]["visits"], json!(2399 % 7));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_import_loses_and_repeats_nothing_sqlite() {
    a_worker_killed_mid_import_loses_and_repeats_nothing(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_import_loses_and_repeats_nothing_postgres() {
    a_worker_killed_mid_import_loses_and_repeats_nothing(Backend::Postgres).await;
}
