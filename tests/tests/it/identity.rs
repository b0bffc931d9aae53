//! Identity under attack: invitations that would skip two-factor log-in, bursts that
//! would outrun the throttle, forged client addresses, racing refreshes, sensitive
//! changes with a stolen token, and the memory a flood of password checks may take.

use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::support::*;
use crate::{on_both, on_both_with};

/// Turns two-factor log-in on, confirmed with the previous step's code (so the
/// current and next codes stay unspent); returns the secret.
async fn two_factor_on(app: &TestApp, acc: &Account) -> String {
    let setup = ok(app
        .gql(
            &acc.auth(),
            "mutation($p: String!) { startTwoFactorSetup(password: $p) { secret } }",
            json!({ "p": PASSWORD }),
        )
        .await);
    let secret = setup["startTwoFactorSetup"]["secret"].as_str().unwrap().to_owned();
    ok(app
        .gql(
            &acc.auth(),
            "mutation($c: String!) { confirmTwoFactorSetup(code: $c) { recoveryCodes } }",
            json!({ "c": app_code(&secret, -1) }),
        )
        .await);
    secret
}

const ACCEPT: &str = "mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { accessToken user { email } workspace { id } } }";
const LOG_IN: &str = "mutation($i: LogInInput!) { logIn(input: $i) { accessToken refreshToken } }";

/// Posts a GraphQL operation as if it came through a proxy that says the client is
/// `forwarded_for` (what a client could also write itself).
async fn gql_via(app: &TestApp, forwarded_for: &str, query: &str, variables: Value) -> Value {
    app.http
        .post(format!("{}/graphql", app.base))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn log_in_vars(email: &str, password: &str) -> Value {
    json!({ "i": { "email": email, "password": password } })
}

async fn an_invitation_does_not_skip_the_second_factor(app: TestApp) {
    let victim = app.sign_up("BUSINESS").await;
    let secret = two_factor_on(&app, &victim).await;
    let stranger = app.sign_up("BUSINESS").await;
    let token = app.invite(&stranger.auth(), &victim.email, "VIEWER").await;

    // The password alone, as before, must not give a session of the victim's account.
    let res = app.gql(&As::anon(), ACCEPT, json!({ "i": { "token": token, "password": PASSWORD } })).await;
    assert_eq!((code(&res).as_deref(), field(&res).as_deref()), (Some("BAD_USER_INPUT"), Some("totpCode")), "{res}");
    assert!(res["data"].is_null() || res["data"]["acceptInvitation"].is_null(), "{res}");
    let res = app
        .gql(&As::anon(), ACCEPT, json!({ "i": { "token": token, "password": PASSWORD, "totpCode": "000000" } }))
        .await;
    assert_eq!(field(&res).as_deref(), Some("totpCode"), "{res}");
    let res = app.gql(&As::anon(), ACCEPT, json!({ "i": { "token": token } })).await;
    assert_eq!(field(&res).as_deref(), Some("password"), "{res}");
    // The invitation is still pending: nothing was half-accepted.
    let members = ok(app.gql(&stranger.auth(), "{ members { totalCount } }", json!({})).await);
    assert_eq!(members["members"]["totalCount"], 1);

    // With the code from the victim's app, as at log-in, it works.
    let d = ok(app
        .gql(
            &As::anon(),
            ACCEPT,
            json!({ "i": { "token": token, "password": PASSWORD, "totpCode": app_code(&secret, 0) } }),
        )
        .await);
    assert_eq!(d["acceptInvitation"]["user"]["email"], victim.email.as_str());
    assert_eq!(d["acceptInvitation"]["workspace"]["id"], stranger.workspace_id.as_str());

    // Signed in as the invited account, no password is needed.
    let other = app.sign_up("BUSINESS").await;
    let token = app.invite(&other.auth(), &victim.email, "VIEWER").await;
    let session = ok(app
        .gql(
            &As::anon(),
            LOG_IN,
            json!({ "i": { "email": victim.email, "password": PASSWORD, "totpCode": app_code(&secret, 1) } }),
        )
        .await);
    let bearer = As::token(session["logIn"]["accessToken"].as_str().unwrap());
    let d = ok(app.gql(&bearer, ACCEPT, json!({ "i": { "token": token } })).await);
    assert_eq!(d["acceptInvitation"]["workspace"]["id"], other.workspace_id.as_str());
}

async fn a_burst_of_guesses_gets_only_the_budget(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    let anon = As::anon();
    let answers = futures::future::join_all(
        (0..30).map(|_| app.gql(&anon, LOG_IN, log_in_vars(&acc.email, "Wrong-password-42"))),
    )
    .await;
    let codes: Vec<String> = answers.iter().map(|r| code(r).unwrap_or_default()).collect();
    let tried = codes.iter().filter(|c| *c == "UNAUTHENTICATED").count();
    let refused = codes.iter().filter(|c| *c == "RATE_LIMITED").count();
    assert_eq!((tried, refused), (5, 25), "exactly the budget is checked, however many arrive at once: {codes:?}");
    // Every other password check shares the budget: a signed-in token cannot guess on.
    let res = app
        .gql(
            &acc.auth(),
            "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { id } }",
            json!({ "i": { "currentPassword": PASSWORD, "newPassword": "Another-horse-43" } }),
        )
        .await;
    assert_eq!(code(&res).as_deref(), Some("RATE_LIMITED"), "{res}");
}

async fn forged_forwarding_headers_buy_no_fresh_budget(app: TestApp) {
    // No trusted proxies: X-Forwarded-For is whatever the client wrote, and ignored.
    let acc = app.sign_up("BUSINESS").await;
    for i in 0..5 {
        let res = gql_via(&app, &format!("198.51.100.{i}"), LOG_IN, log_in_vars(&acc.email, "Wrong-password-42")).await;
        assert_eq!(code(&res).as_deref(), Some("UNAUTHENTICATED"), "{res}");
    }
    let res = gql_via(&app, "198.51.100.99", LOG_IN, log_in_vars(&acc.email, PASSWORD)).await;
    assert_eq!(code(&res).as_deref(), Some("RATE_LIMITED"), "{res}");
}

async fn behind_a_proxy_a_stranger_cannot_keep_the_owner_out(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let home = "203.0.113.10";
    ok(gql_via(&app, home, LOG_IN, log_in_vars(&owner.email, PASSWORD)).await);

    // A stranger guesses from many addresses: each address is locked on its own, and
    // the account-wide wait (a minute here, doubling) grows for addresses the owner
    // never used.
    let mut limited = 0;
    for i in 0..4 {
        for _ in 0..6 {
            let res =
                gql_via(&app, &format!("192.0.2.{i}"), LOG_IN, log_in_vars(&owner.email, "Wrong-password-42")).await;
            if code(&res).as_deref() == Some("RATE_LIMITED") {
                limited += 1;
            }
        }
    }
    // Per address the sixth try is refused; account-wide, 10 tries are free and the
    // eleventh starts the wait, so of the 20 tries that passed their address's budget
    // at most 11 were checked.
    assert!(limited >= 4 + 9, "the stranger was slowed: {limited} of 24 refused");
    // A new address for the account waits too, even with the right password.
    let res = gql_via(&app, "203.0.113.99", LOG_IN, log_in_vars(&owner.email, PASSWORD)).await;
    assert_eq!(code(&res).as_deref(), Some("RATE_LIMITED"), "{res}");
    // The client is the right-most address the proxy did not add itself: a client
    // writing its own header in front gains nothing.
    let res = gql_via(&app, &format!("{home}, 192.0.2.0"), LOG_IN, log_in_vars(&owner.email, PASSWORD)).await;
    assert_eq!(code(&res).as_deref(), Some("RATE_LIMITED"), "{res}");
    // The owner, at an address they have used, is not kept out; the proxy itself is not
    // the client, so its address is not what got locked.
    let d = ok(gql_via(&app, home, LOG_IN, log_in_vars(&owner.email, PASSWORD)).await);
    assert!(d["logIn"]["accessToken"].is_string());
}

async fn two_tabs_refreshing_at_once_stay_signed_in(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    let q = "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }";
    let anon = As::anon();
    let answers = futures::future::join_all((0..2).map(|_| app.gql(&anon, q, json!({ "t": acc.refresh })))).await;
    for a in &answers {
        let d = ok(a.clone());
        let token = d["refreshSession"]["accessToken"].as_str().unwrap();
        ok(app.gql(&As::token(token), "{ me { id } }", json!({})).await);
        // Each tab goes on refreshing with what it got.
        let next = d["refreshSession"]["refreshToken"].as_str().unwrap();
        ok(app.gql(&As::anon(), q, json!({ "t": next })).await);
    }
}

async fn a_reused_refresh_token_after_the_leeway_ends_the_family(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    let q = "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }";
    let anon = As::anon();
    let answers = futures::future::join_all((0..4).map(|_| app.gql(&anon, q, json!({ "t": acc.refresh })))).await;
    let won: Vec<&Value> = answers.iter().filter(|a| code(a).is_none()).collect();
    assert!(won.len() <= 1, "a token is spent once: {answers:?}");
    assert!(answers.iter().any(|a| code(a).as_deref() == Some("UNAUTHENTICATED")), "the reuse is noticed");
    for w in won {
        let next = w["data"]["refreshSession"]["refreshToken"].as_str().unwrap();
        let res = app.gql(&As::anon(), q, json!({ "t": next })).await;
        assert_eq!(code(&res).as_deref(), Some("UNAUTHENTICATED"), "the whole family ended: {res}");
    }
}

async fn a_stolen_token_cannot_change_how_the_account_is_protected(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    let thief = acc.auth();
    for (q, f) in [
        ("mutation { startTwoFactorSetup(password: \"guess-1234567\") { secret } }", "password"),
        (
            "mutation { changeEmail(input: {newEmail: \"thief@example.com\", currentPassword: \"guess-1234567\"}) { id } }",
            "currentPassword",
        ),
        (
            "mutation { changePassword(input: {currentPassword: \"guess-1234567\", newPassword: \"Thief-horse-4242\"}) { id } }",
            "currentPassword",
        ),
    ] {
        let res = app.gql(&thief, q, json!({})).await;
        assert_eq!((code(&res).as_deref(), field(&res).as_deref()), (Some("BAD_USER_INPUT"), Some(f)), "{res}");
    }
    let me = ok(app.gql(&thief, "{ me { email twoFactorEnabled } }", json!({})).await);
    assert_eq!(me["me"], json!({ "email": acc.email, "twoFactorEnabled": false }));

    // With the password the owner moves the login; the new address must be confirmed,
    // and the old one is told.
    let new_email = format!("moved-{}", acc.email);
    let d = ok(app
        .gql(
            &thief,
            "mutation($i: ChangeEmailInput!) { changeEmail(input: $i) { email emailVerified } }",
            json!({ "i": { "newEmail": new_email, "currentPassword": PASSWORD } }),
        )
        .await);
    assert_eq!(d["changeEmail"], json!({ "email": new_email, "emailVerified": false }));
    let res = app
        .gql(
            &thief,
            "mutation($i: ChangeEmailInput!) { changeEmail(input: $i) { email } }",
            json!({ "i": { "newEmail": "not an email", "currentPassword": PASSWORD } }),
        )
        .await;
    assert_eq!(field(&res).as_deref(), Some("newEmail"), "{res}");
    app.drive_jobs().await;
    assert!(app.smtp.to(&new_email).iter().any(|m| m.link("/verify-email").is_some()), "the new address is verified");
    let told = app.smtp.to(&acc.email);
    assert!(told.iter().any(|m| m.text().contains(&format!("changed to {new_email}"))), "the old address is told");
    ok(app.gql(&As::anon(), LOG_IN, log_in_vars(&new_email, PASSWORD)).await);
}

async fn security_changes_are_emailed_to_the_account(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    let secret = two_factor_on(&app, &acc).await;
    ok(app
        .gql(&acc.auth(), "mutation { createApiKey(input: {name: \"Zapier\", role: VIEWER}) { secret } }", json!({}))
        .await);
    let codes = ok(app
        .gql(
            &acc.auth(),
            "mutation($p: String!, $c: String!) { regenerateRecoveryCodes(password: $p, code: $c) { recoveryCodes } }",
            json!({ "p": PASSWORD, "c": app_code(&secret, 0) }),
        )
        .await);
    let recovery = codes["regenerateRecoveryCodes"]["recoveryCodes"][0].as_str().unwrap().to_owned();
    ok(app
        .gql(&As::anon(), LOG_IN, json!({ "i": { "email": acc.email, "password": PASSWORD, "totpCode": recovery } }))
        .await);
    ok(app
        .gql(&acc.auth(), "mutation($p: String!) { disableTwoFactor(password: $p) { id } }", json!({ "p": PASSWORD }))
        .await);
    ok(app
        .gql(
            &acc.auth(),
            "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { id } }",
            json!({ "i": { "currentPassword": PASSWORD, "newPassword": "Another-horse-43" } }),
        )
        .await);
    app.drive_jobs().await;
    let subjects: Vec<String> =
        app.smtp.to(&acc.email).iter().map(|m| m.text()).filter(|t| t.contains("let you know")).collect();
    for what in [
        "two-factor log-in was turned on",
        "you created the API key \"Zapier\"",
        "new recovery codes replaced your old ones",
        "a recovery code was used to log in (9 left)",
        "two-factor log-in was turned off",
        "your password was changed",
    ] {
        assert!(subjects.iter().any(|t| t.contains(what)), "a notice says {what:?}: {subjects:#?}");
    }
}

async fn a_batch_is_capped(app: TestApp) {
    let post = |n: usize| {
        let ops: Vec<Value> = (0..n).map(|_| json!({ "query": "{ __typename }" })).collect();
        app.http.post(format!("{}/graphql", app.base)).json(&ops).send()
    };
    let res = post(200).await.unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(code(&body).as_deref(), Some("BAD_USER_INPUT"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("at most 10"), "{body}");
    let res = post(10).await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body.as_array().map(Vec::len), Some(10), "{body}");
}

/// The stored TOTP secret of the account `email`, as the database holds it.
async fn stored_secret(app: &TestApp, email: &str) -> String {
    use sea_orm::ConnectionTrait;
    let db = sea_orm::Database::connect(app.database_url.as_str()).await.unwrap();
    let backend = db.get_database_backend();
    let sql = "SELECT t.secret AS secret FROM user_totps t JOIN users u ON u.id = t.user_id WHERE u.email = $1";
    let sql = if backend == sea_orm::DbBackend::Sqlite { sql.replace("$1", "?") } else { sql.to_owned() };
    let row =
        db.query_one_raw(sea_orm::Statement::from_sql_and_values(backend, sql, [email.into()])).await.unwrap().unwrap();
    let secret: String = row.try_get("", "secret").unwrap();
    db.close().await.unwrap();
    secret
}

async fn the_authenticator_secret_is_sealed_at_rest(app: TestApp) {
    use sea_orm::ConnectionTrait;
    let acc = app.sign_up("BUSINESS").await;
    let secret = two_factor_on(&app, &acc).await;
    let stored = stored_secret(&app, &acc.email).await;
    assert!(stored.starts_with("sealed:v1:"), "{stored}");
    assert!(!stored.contains(&secret), "the database never holds the secret itself");

    // A secret stored in the clear (before sealing existed) is sealed at start and
    // keeps working.
    let db = sea_orm::Database::connect(app.database_url.as_str()).await.unwrap();
    db.execute_unprepared(&format!("UPDATE user_totps SET secret = '{secret}'")).await.unwrap();
    db.close().await.unwrap();
    assert_eq!(domain::identity::two_factor::reseal_secrets(&app.server.parley).await.unwrap(), 1);
    let stored = stored_secret(&app, &acc.email).await;
    assert!(stored.starts_with("sealed:v1:") && !stored.contains(&secret), "{stored}");
    ok(app
        .gql(
            &As::anon(),
            LOG_IN,
            json!({ "i": { "email": acc.email, "password": PASSWORD, "totpCode": app_code(&secret, 0) } }),
        )
        .await);
    assert_eq!(
        domain::identity::two_factor::reseal_secrets(&app.server.parley).await.unwrap(),
        0,
        "nothing left to seal"
    );
}

on_both!(
    the_authenticator_secret_is_sealed_at_rest,
    an_invitation_does_not_skip_the_second_factor,
    a_burst_of_guesses_gets_only_the_budget,
    forged_forwarding_headers_buy_no_fresh_budget,
    two_tabs_refreshing_at_once_stay_signed_in,
    a_stolen_token_cannot_change_how_the_account_is_protected,
    security_changes_are_emailed_to_the_account,
    a_batch_is_capped,
);
on_both_with!(
    behind_a_proxy_a_stranger_cannot_keep_the_owner_out,
    &[("PARLEY_TRUSTED_PROXIES", "127.0.0.1/32"), ("PARLEY_LOGIN_ACCOUNT_DELAY_MS", "60000")]
);
on_both_with!(a_reused_refresh_token_after_the_leeway_ends_the_family, &[("PARLEY_REFRESH_LEEWAY_MS", "0")]);

/// Resident memory of a process, in KiB: (now, peak).
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap()
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Fifty anonymous requests that each make the server check a password, all at once,
/// against the real binary: the hashing runs on one thread per core, so the server's
/// peak resident memory grows by less than a few hashes' worth (each takes ~19 MiB).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_password_checks_stays_within_a_fixed_memory_bound() {
    let Some(bin) = crate::faults::parley_bin() else { return };
    let dir = std::env::temp_dir().join(format!("parley-mem-{}", uuid::Uuid::now_v7().simple()));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(bin)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PARLEY_DATA_DIR", &dir)
        .env("PARLEY_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("PARLEY_SITE_ROOT", dir.join("no-site"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..600 {
        if http.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(ready, "parley serve became ready");
    // One check first, so the lazily built parts (the throwaway hash, pools) exist.
    let one = |i: usize| {
        let http = http.clone();
        let url = format!("{base}/graphql");
        async move {
            let body = json!({ "query": LOG_IN, "variables": log_in_vars(&format!("nobody-{i}@example.com"), "Some-password-42") });
            http.post(url).json(&body).send().await.unwrap().json::<Value>().await.unwrap()
        }
    };
    let warm = one(0).await;
    assert_eq!(code(&warm).as_deref(), Some("UNAUTHENTICATED"), "{warm}");
    let (before, _) = memory_kib(child.id());
    let answers = futures::future::join_all((1..=50).map(one)).await;
    let (_, peak) = memory_kib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(answers.iter().all(|a| code(a).as_deref() == Some("UNAUTHENTICATED")), "{answers:?}");
    let grew_mib = peak.saturating_sub(before) / 1024;
    eprintln!("resident before {} MiB, peak {} MiB (+{grew_mib} MiB)", before / 1024, peak / 1024);
    // The warm-up gave one hashing thread its 19 MiB; the flood gives the other its
    // share and nothing more. Unbounded, fifty hashes at once took ~950 MiB.
    assert!(grew_mib < 48, "fifty concurrent password checks grew the server by {grew_mib} MiB");
}
