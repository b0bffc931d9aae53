//! Sign-up, log-in, refresh rotation, log-out, throttling, email verification.

use serde_json::json;

use crate::support::*;
use crate::{on_both, on_both_with};

const LOG_IN: &str = "mutation($i: LogInInput!) { logIn(input: $i) { accessToken refreshToken workspace { id } } }";
const SIGN_UP: &str = "mutation($i: SignUpInput!) { signUp(input: $i) { email } }";
const REFRESH: &str = "mutation($t: String) { refreshSession(refreshToken: $t) { accessToken refreshToken } }";

async fn sign_up_log_in_refresh_and_log_out(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    let me = ok(app
        .gql(
            &acc.auth(),
            "{ me { email name emailVerified memberships { role workspace { id name kind } } } }",
            json!({}),
        )
        .await);
    assert_eq!(me["me"]["email"], acc.email);
    assert_eq!(me["me"]["emailVerified"], false);
    assert_eq!(me["me"]["memberships"][0]["role"], "OWNER");
    assert_eq!(me["me"]["memberships"][0]["workspace"]["kind"], "BUSINESS");

    let login = ok(app
        .gql(&As::anon(), LOG_IN, json!({ "i": { "email": acc.email.to_uppercase(), "password": PASSWORD } }))
        .await);
    assert_eq!(login["logIn"]["workspace"]["id"], acc.workspace_id.as_str());

    // Rotation: each refresh token works once and yields a new one.
    let r1 = ok(app.gql(&As::anon(), REFRESH, json!({ "t": acc.refresh })).await);
    let second = r1["refreshSession"]["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(second, acc.refresh);
    let token = r1["refreshSession"]["accessToken"].as_str().unwrap();
    ok(app.gql(&As::token(token), "{ me { id } }", json!({})).await);

    // Reusing the spent token (past the leeway) revokes the family: the newer token
    // dies too.
    let reuse = app.gql(&As::anon(), REFRESH, json!({ "t": acc.refresh })).await;
    assert_eq!(code(&reuse).as_deref(), Some("UNAUTHENTICATED"));
    let after = app.gql(&As::anon(), REFRESH, json!({ "t": second })).await;
    assert_eq!(code(&after).as_deref(), Some("UNAUTHENTICATED"));

    // Log-out ends the session family of the log-in.
    let rt = login["logIn"]["refreshToken"].as_str().unwrap();
    let out = ok(app
        .gql(&As::anon(), "mutation($t: String) { logOut(refreshToken: $t) { loggedOut } }", json!({ "t": rt }))
        .await);
    assert_eq!(out["logOut"]["loggedOut"], true);
    let gone = app.gql(&As::anon(), REFRESH, json!({ "t": rt })).await;
    assert_eq!(code(&gone).as_deref(), Some("UNAUTHENTICATED"));
}

async fn bad_sign_ups_name_the_field_and_write_nothing(app: TestApp) {
    let taken = app.sign_up("BUSINESS").await;
    let long = "x".repeat(101);
    let cases = [
        (
            json!({ "email": "not-an-email", "password": PASSWORD, "name": "A", "workspaceName": "W" }),
            "BAD_USER_INPUT",
            Some("email"),
        ),
        (
            json!({ "email": "weak@example.com", "password": "short", "name": "A", "workspaceName": "W" }),
            "BAD_USER_INPUT",
            Some("password"),
        ),
        (
            json!({ "email": "weak2@example.com", "password": "aaaaaaaaaaaaaa", "name": "A", "workspaceName": "W" }),
            "BAD_USER_INPUT",
            Some("password"),
        ),
        (
            json!({ "email": "noname@example.com", "password": PASSWORD, "name": "   ", "workspaceName": "W" }),
            "BAD_USER_INPUT",
            Some("name"),
        ),
        (
            json!({ "email": "longws@example.com", "password": PASSWORD, "name": "A", "workspaceName": long }),
            "BAD_USER_INPUT",
            Some("workspaceName"),
        ),
        (
            json!({ "email": "client@example.com", "password": PASSWORD, "name": "A", "workspaceName": "W", "workspaceKind": "CLIENT" }),
            "BAD_USER_INPUT",
            Some("workspaceKind"),
        ),
    ];
    for (input, want, want_field) in cases {
        let res = app.gql(&As::anon(), SIGN_UP, json!({ "i": input })).await;
        assert_eq!(code(&res).as_deref(), Some(want), "{input} -> {res}");
        assert_eq!(field(&res).as_deref(), want_field, "{input} -> {res}");
        assert!(res["data"].is_null(), "nothing returned for {input}");
    }
    // None of the rejected sign-ups left an account behind.
    for email in ["weak@example.com", "noname@example.com", "longws@example.com", "client@example.com"] {
        let res = app.gql(&As::anon(), LOG_IN, json!({ "i": { "email": email, "password": PASSWORD } })).await;
        assert_eq!(code(&res).as_deref(), Some("UNAUTHENTICATED"), "{email}");
    }
    // The taken address still belongs to its first owner, unchanged.
    ok(app.gql(&As::anon(), LOG_IN, json!({ "i": { "email": taken.email, "password": PASSWORD } })).await);
}

/// An attacker probing which addresses have accounts learns nothing from sign-up: a
/// registered address answers like a new one, no session is opened for anyone, the
/// account is left as it was, and its owner is told by email (once a day at most).
async fn signing_up_with_a_registered_email_reveals_nothing(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    app.drive_jobs().await;
    let mails_before = app.smtp.to(&owner.email).len();

    let attempt = |email: String| {
        let app = &app;
        async move {
            let input = json!({ "email": email, "password": "Attacker-pass-99", "name": "Mallory", "workspaceName": "Probe", "workspaceKind": "AGENCY" });
            app.gql(&As::anon(), SIGN_UP, json!({ "i": input })).await
        }
    };
    let fresh = format!("{}@example.com", uuid::Uuid::now_v7().simple());
    let new_answer = attempt(fresh.clone()).await;
    let taken_answer = attempt(owner.email.to_uppercase()).await;
    assert!(
        new_answer.get("errors").is_none() && taken_answer.get("errors").is_none(),
        "{new_answer} / {taken_answer}"
    );
    assert_eq!(new_answer["data"]["signUp"], json!({ "email": fresh }));
    assert_eq!(
        taken_answer["data"]["signUp"],
        json!({ "email": owner.email }),
        "the same answer for a registered address"
    );

    // The attacker's password opens nothing; the owner's account is unchanged.
    let res =
        app.gql(&As::anon(), LOG_IN, json!({ "i": { "email": owner.email, "password": "Attacker-pass-99" } })).await;
    assert_eq!(code(&res).as_deref(), Some("UNAUTHENTICATED"), "{res}");
    let me = ok(app.gql(&owner.auth(), "{ me { name memberships { role workspace { id kind } } } }", json!({})).await);
    assert_eq!(me["me"]["name"], "Test Person");
    assert_eq!(me["me"]["memberships"].as_array().unwrap().len(), 1, "no workspace was added: {me}");
    assert_eq!(me["me"]["memberships"][0]["workspace"]["id"], owner.workspace_id.as_str());
    // The new address was signed up for real and logs in with its password.
    ok(app.gql(&As::anon(), LOG_IN, json!({ "i": { "email": fresh, "password": "Attacker-pass-99" } })).await);

    // Both addresses got one email: a verification link, and a notice to the owner.
    app.drive_jobs().await;
    let to_fresh = app.smtp.to(&fresh);
    assert_eq!(to_fresh.len(), 1);
    assert!(to_fresh[0].link("/verify-email").is_some(), "{}", to_fresh[0].text());
    let to_owner = app.smtp.to(&owner.email);
    assert_eq!(to_owner.len(), mails_before + 1, "one notice to the owner");
    let notice = to_owner.last().unwrap().text();
    assert!(notice.contains("tried to sign up"), "{notice}");
    assert!(!notice.contains("Attacker-pass-99"), "the notice holds no secret");

    // More probes the same day answer the same but do not flood the owner's inbox.
    for _ in 0..3 {
        let again = attempt(owner.email.clone()).await;
        assert_eq!(again["data"]["signUp"], json!({ "email": owner.email }), "{again}");
    }
    app.drive_jobs().await;
    assert_eq!(app.smtp.to(&owner.email).len(), mails_before + 1, "at most one notice a day");
}

async fn repeated_failed_log_ins_are_throttled(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    for _ in 0..5 {
        let res =
            app.gql(&As::anon(), LOG_IN, json!({ "i": { "email": acc.email, "password": "Wrong-password-1" } })).await;
        assert_eq!(code(&res).as_deref(), Some("UNAUTHENTICATED"));
    }
    // Even the right password waits now.
    let res = app.gql(&As::anon(), LOG_IN, json!({ "i": { "email": acc.email, "password": PASSWORD } })).await;
    assert_eq!(code(&res).as_deref(), Some("RATE_LIMITED"), "{res}");
    // Another account from the same office is not affected.
    let other = app.sign_up("BUSINESS").await;
    ok(app.gql(&As::anon(), LOG_IN, json!({ "i": { "email": other.email, "password": PASSWORD } })).await);
}

async fn email_is_verified_by_the_emailed_link_once(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    let report = app.drive_jobs().await;
    assert!(report.done >= 1, "{report:?}");
    let mails = app.smtp.to(&acc.email);
    assert_eq!(mails.len(), 1, "one verification email");
    assert_eq!(mails[0].from, "no-reply@parley.localhost");
    let link = mails[0].link("/verify-email").expect("a verification link");
    assert!(link.starts_with(&app.base), "{link}");
    let token = link.split("token=").nth(1).unwrap();
    let v = ok(app
        .gql(&As::anon(), "mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }", json!({ "t": token }))
        .await);
    assert_eq!(v["verifyEmail"]["emailVerified"], true);
    let again = app
        .gql(&As::anon(), "mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }", json!({ "t": token }))
        .await;
    assert_eq!(code(&again).as_deref(), Some("BAD_USER_INPUT"));
    assert_eq!(field(&again).as_deref(), Some("token"));
    let me = ok(app.gql(&acc.auth(), "{ me { emailVerified } }", json!({})).await);
    assert_eq!(me["me"]["emailVerified"], true);
}

async fn changing_the_password_ends_other_sessions(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    let weak = app
        .gql(
            &acc.auth(),
            "mutation { changePassword(input: {currentPassword: \"Correct-horse-42\", newPassword: \"abc\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(field(&weak).as_deref(), Some("newPassword"));
    let wrong = app
        .gql(&acc.auth(), "mutation { changePassword(input: {currentPassword: \"nope-nope-1\", newPassword: \"Another-horse-43\"}) { id } }", json!({}))
        .await;
    assert_eq!(field(&wrong).as_deref(), Some("currentPassword"));
    ok(app
        .gql(&acc.auth(), "mutation { changePassword(input: {currentPassword: \"Correct-horse-42\", newPassword: \"Another-horse-43\"}) { id } }", json!({}))
        .await);
    let res = app.gql(&As::anon(), REFRESH, json!({ "t": acc.refresh })).await;
    assert_eq!(code(&res).as_deref(), Some("UNAUTHENTICATED"));
    let old = app.gql(&As::anon(), LOG_IN, json!({ "i": { "email": acc.email, "password": PASSWORD } })).await;
    assert_eq!(code(&old).as_deref(), Some("UNAUTHENTICATED"));
    ok(app.gql(&As::anon(), LOG_IN, json!({ "i": { "email": acc.email, "password": "Another-horse-43" } })).await);
}

// Without the leeway for tabs refreshing at once, so a reuse is a reuse at once.
on_both_with!(sign_up_log_in_refresh_and_log_out, &[("PARLEY_REFRESH_LEEWAY_MS", "0")]);
on_both!(
    signing_up_with_a_registered_email_reveals_nothing,
    bad_sign_ups_name_the_field_and_write_nothing,
    repeated_failed_log_ins_are_throttled,
    email_is_verified_by_the_emailed_link_once,
    changing_the_password_ends_other_sessions,
);

async fn a_forgotten_password_is_reset_by_the_emailed_link(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    app.drive_jobs().await;
    let ask = "mutation($e: String!) { requestPasswordReset(email: $e) { requested } }";
    let r = ok(app.gql(&As::anon(), ask, json!({ "e": acc.email })).await);
    assert_eq!(r["requestPasswordReset"]["requested"], true);
    // Unknown addresses get the same answer and no email.
    let r = ok(app.gql(&As::anon(), ask, json!({ "e": "nobody@example.com" })).await);
    assert_eq!(r["requestPasswordReset"]["requested"], true);
    let bad = app.gql(&As::anon(), ask, json!({ "e": "not an email" })).await;
    assert_eq!(field(&bad).as_deref(), Some("email"));
    app.drive_jobs().await;
    assert!(app.smtp.to("nobody@example.com").is_empty());
    let mails = app.smtp.to(&acc.email);
    let link = mails.iter().rev().find_map(|m| m.link("/reset-password")).expect("a reset link");
    let token = link.split("token=").nth(1).unwrap().to_owned();

    let reset = "mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { email } }";
    let weak = app.gql(&As::anon(), reset, json!({ "i": { "token": token, "newPassword": "weak" } })).await;
    assert_eq!(field(&weak).as_deref(), Some("newPassword"));
    ok(app.gql(&As::anon(), reset, json!({ "i": { "token": token, "newPassword": "Brand-new-horse-7" } })).await);
    let again =
        app.gql(&As::anon(), reset, json!({ "i": { "token": token, "newPassword": "Other-new-horse-8" } })).await;
    assert_eq!(field(&again).as_deref(), Some("token"), "the link works once");
    // Every session ended; the new password logs in, the old one does not.
    let refresh = app.gql(&As::anon(), REFRESH, json!({ "t": acc.refresh })).await;
    assert_eq!(code(&refresh).as_deref(), Some("UNAUTHENTICATED"));
    let old = app.gql(&As::anon(), LOG_IN, json!({ "i": { "email": acc.email, "password": PASSWORD } })).await;
    assert_eq!(code(&old).as_deref(), Some("UNAUTHENTICATED"));
    ok(app.gql(&As::anon(), LOG_IN, json!({ "i": { "email": acc.email, "password": "Brand-new-horse-7" } })).await);
}

on_both!(a_forgotten_password_is_reset_by_the_emailed_link);
