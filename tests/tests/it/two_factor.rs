//! Two-factor log-in: set up with an authenticator app, log in with its codes (each
//! once), recovery codes (each once), wrong codes throttled, turned off with the password.

use serde_json::{Value, json};

use crate::on_both;
use crate::support::*;

/// Six digits the app shows at no time near now (so never accepted).
fn wrong_code(secret: &str) -> String {
    let near: Vec<String> = (-3..=3).map(|s| app_code(secret, s)).collect();
    (0..).map(|n: u32| format!("{n:06}")).find(|c| !near.contains(c)).unwrap()
}

/// The codes of a `RecoveryCodes` answer.
fn recovery_codes(answer: &Value) -> Vec<String> {
    answer["recoveryCodes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect()
}

async fn log_in(app: &TestApp, email: &str, password: &str, code: Option<&str>) -> Value {
    app.gql(
        &As::anon(),
        "mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }",
        json!({ "i": { "email": email, "password": password, "totpCode": code } }),
    )
    .await
}

/// Turns two-factor log-in on; returns the secret, the code that confirmed it, and the
/// recovery codes.
async fn turn_on(app: &TestApp, acc: &Account) -> (String, String, Vec<String>) {
    turn_on_with(app, acc, 0).await
}

/// [`turn_on`], confirming with the code of `steps` 30-second steps from now.
async fn turn_on_with(app: &TestApp, acc: &Account, steps: i64) -> (String, String, Vec<String>) {
    let setup = ok(app
        .gql(
            &acc.auth(),
            "mutation($p: String!) { startTwoFactorSetup(password: $p) { secret otpauthUri } }",
            json!({ "p": PASSWORD }),
        )
        .await);
    let secret = setup["startTwoFactorSetup"]["secret"].as_str().unwrap().to_owned();
    let uri = setup["startTwoFactorSetup"]["otpauthUri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Parley%3A"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}")) && uri.contains("issuer=Parley"), "{uri}");
    let first = app_code(&secret, steps);
    let confirmed = ok(app
        .gql(
            &acc.auth(),
            "mutation($c: String!) { confirmTwoFactorSetup(code: $c) { recoveryCodes } }",
            json!({ "c": first }),
        )
        .await);
    let codes = recovery_codes(&confirmed["confirmTwoFactorSetup"]);
    (secret, first, codes)
}

async fn an_authenticator_app_guards_the_log_in(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    let me = ok(app.gql(&acc.auth(), "{ me { twoFactorEnabled recoveryCodesLeft } }", json!({})).await);
    assert_eq!(me["me"]["twoFactorEnabled"], false);

    // Confirming before starting, or with a wrong code, changes nothing.
    let early =
        app.gql(&acc.auth(), "mutation { confirmTwoFactorSetup(code: \"123456\") { recoveryCodes } }", json!({})).await;
    assert_eq!((code(&early).as_deref(), field(&early).as_deref()), (Some("BAD_USER_INPUT"), Some("code")));
    let setup = ok(app
        .gql(
            &acc.auth(),
            "mutation($p: String!) { startTwoFactorSetup(password: $p) { secret } }",
            json!({ "p": PASSWORD }),
        )
        .await);
    let pending = setup["startTwoFactorSetup"]["secret"].as_str().unwrap();
    let wrong = wrong_code(pending);
    let res = app
        .gql(
            &acc.auth(),
            "mutation($c: String!) { confirmTwoFactorSetup(code: $c) { recoveryCodes } }",
            json!({ "c": wrong }),
        )
        .await;
    assert_eq!(field(&res).as_deref(), Some("code"), "{res}");
    ok(log_in(&app, &acc.email, PASSWORD, None).await); // still off

    // On: a fresh secret (the pending one is replaced), ten recovery codes.
    let (secret, first, recovery) = turn_on(&app, &acc).await;
    assert_ne!(secret, pending);
    assert_eq!(recovery.len(), 10);
    let me = ok(app.gql(&acc.auth(), "{ me { twoFactorEnabled recoveryCodesLeft } }", json!({})).await);
    assert_eq!(me["me"], json!({ "twoFactorEnabled": true, "recoveryCodesLeft": 10 }));
    let again = app
        .gql(
            &acc.auth(),
            "mutation($p: String!) { startTwoFactorSetup(password: $p) { secret } }",
            json!({ "p": PASSWORD }),
        )
        .await;
    assert_eq!(code(&again).as_deref(), Some("CONFLICT"), "{again}");

    // The password alone is no longer enough, and the answer says what is missing.
    let res = log_in(&app, &acc.email, PASSWORD, None).await;
    assert_eq!((code(&res).as_deref(), field(&res).as_deref()), (Some("BAD_USER_INPUT"), Some("totpCode")), "{res}");
    assert!(res["data"].is_null() || res["data"]["logIn"].is_null());
    // A wrong password with a code is still just a wrong password.
    let res = log_in(&app, &acc.email, "Wrong-password-42", Some(&app_code(&secret, 1))).await;
    assert_eq!(code(&res).as_deref(), Some("UNAUTHENTICATED"));

    // The next code works once; the setup's code was already spent.
    let res = log_in(&app, &acc.email, PASSWORD, Some(&first)).await;
    assert_eq!(field(&res).as_deref(), Some("totpCode"), "the code that confirmed the set-up is spent: {res}");
    let next = app_code(&secret, 1);
    let d = ok(log_in(&app, &acc.email, PASSWORD, Some(&next)).await);
    let token = d["logIn"]["accessToken"].as_str().unwrap().to_owned();
    ok(app.gql(&As::token(&token), "{ me { id } }", json!({})).await);
    let res = log_in(&app, &acc.email, PASSWORD, Some(&next)).await;
    assert_eq!(field(&res).as_deref(), Some("totpCode"), "a code works once: {res}");

    // A recovery code works once, typed however the user likes.
    let typed = format!("  {}  ", recovery[3].to_uppercase());
    ok(log_in(&app, &acc.email, PASSWORD, Some(&typed)).await);
    let res = log_in(&app, &acc.email, PASSWORD, Some(&recovery[3])).await;
    assert_eq!(field(&res).as_deref(), Some("totpCode"), "{res}");
    let me = ok(app.gql(&acc.auth(), "{ me { recoveryCodesLeft } }", json!({})).await);
    assert_eq!(me["me"]["recoveryCodesLeft"], 9);
    let res = app
        .gql(
            &acc.auth(),
            "mutation($p: String!) { regenerateRecoveryCodes(password: $p, code: \"x\") { recoveryCodes } }",
            json!({ "p": PASSWORD }),
        )
        .await;
    assert_eq!(field(&res).as_deref(), Some("code"), "{res}");

    // Turning it off takes the password.
    let res = app.gql(&acc.auth(), "mutation { disableTwoFactor(password: \"nope\") { id } }", json!({})).await;
    assert_eq!(field(&res).as_deref(), Some("password"));
    ok(app
        .gql(&acc.auth(), "mutation($p: String!) { disableTwoFactor(password: $p) { id } }", json!({ "p": PASSWORD }))
        .await);
    ok(log_in(&app, &acc.email, PASSWORD, None).await);
    let res = log_in(&app, &acc.email, PASSWORD, Some(&recovery[0])).await;
    assert!(res.get("errors").is_none(), "with it off, a code is simply not needed: {res}");
}

async fn recovery_codes_are_replaced_with_a_fresh_code(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    // Confirmed with the previous step's code, so the current one is still unspent.
    let (secret, _, recovery) = turn_on_with(&app, &acc, -1).await;
    let q = "mutation($c: String!, $p: String!) { regenerateRecoveryCodes(password: $p, code: $c) { recoveryCodes } }";
    let res = app.gql(&acc.auth(), q, json!({ "c": wrong_code(&secret), "p": PASSWORD })).await;
    assert_eq!(field(&res).as_deref(), Some("code"), "{res}");
    let now = app_code(&secret, 0);
    let fresh = ok(app.gql(&acc.auth(), q, json!({ "c": now, "p": PASSWORD })).await);
    let fresh = recovery_codes(&fresh["regenerateRecoveryCodes"]);
    assert_eq!(fresh.len(), 10);
    assert!(fresh.iter().all(|c| !recovery.contains(c)));
    let res = app.gql(&acc.auth(), q, json!({ "c": now, "p": PASSWORD })).await;
    assert_eq!(field(&res).as_deref(), Some("code"), "a code works once: {res}");
    let res = log_in(&app, &acc.email, PASSWORD, Some(&recovery[5])).await;
    assert_eq!(field(&res).as_deref(), Some("totpCode"), "the old recovery codes are gone: {res}");
    ok(log_in(&app, &acc.email, PASSWORD, Some(&fresh[0])).await);
    // With two-factor log-in off there is nothing to replace.
    ok(app
        .gql(&acc.auth(), "mutation($p: String!) { disableTwoFactor(password: $p) { id } }", json!({ "p": PASSWORD }))
        .await);
    let res = app.gql(&acc.auth(), q, json!({ "c": app_code(&secret, 0), "p": PASSWORD })).await;
    assert_eq!(code(&res).as_deref(), Some("CONFLICT"), "{res}");
}

async fn guessing_codes_is_throttled(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    let (secret, _, _) = turn_on(&app, &acc).await;
    let wrong = wrong_code(&secret);
    let mut limited = false;
    for _ in 0..8 {
        let res = log_in(&app, &acc.email, PASSWORD, Some(&wrong)).await;
        match code(&res).as_deref() {
            Some("RATE_LIMITED") => {
                limited = true;
                break;
            }
            other => assert_eq!((other, field(&res).as_deref()), (Some("BAD_USER_INPUT"), Some("totpCode")), "{res}"),
        }
    }
    assert!(limited, "wrong codes count as failed log-ins");
    // Even the right code waits out the lock.
    let res = log_in(&app, &acc.email, PASSWORD, Some(&app_code(&secret, 1))).await;
    assert_eq!(code(&res).as_deref(), Some("RATE_LIMITED"));
}

async fn only_the_person_manages_their_second_factor(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let key = ok(app
        .gql(&owner.auth(), "mutation { createApiKey(input: {name: \"k\", role: ADMIN}) { secret } }", json!({}))
        .await)["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    for q in [
        "mutation { startTwoFactorSetup(password: \"x\") { secret } }",
        "mutation { confirmTwoFactorSetup(code: \"123456\") { recoveryCodes } }",
        "mutation { disableTwoFactor(password: \"x\") { id } }",
    ] {
        let res = app.gql(&As::token(&key), q, json!({})).await;
        assert_eq!(code(&res).as_deref(), Some("FORBIDDEN"), "an API key has no person behind it: {res}");
        let res = app.gql(&As::anon(), q, json!({})).await;
        assert_eq!(code(&res).as_deref(), Some("UNAUTHENTICATED"));
    }
    // Another member sees nothing of someone else's second factor.
    turn_on(&app, &owner).await;
    let token = app.invite(&owner.auth(), "colleague@example.com", "ADMIN").await;
    let joined = ok(app.accept(&token).await);
    let colleague = As::token(joined["acceptInvitation"]["accessToken"].as_str().unwrap());
    let members = ok(app
        .gql(&colleague, "{ members { nodes { user { email twoFactorEnabled recoveryCodesLeft } } } }", json!({}))
        .await);
    let owner_row = members["members"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["user"]["email"] == owner.email.as_str())
        .unwrap()
        .clone();
    assert_eq!(owner_row["user"]["twoFactorEnabled"], Value::Null);
    assert_eq!(owner_row["user"]["recoveryCodesLeft"], Value::Null);
}

on_both!(
    an_authenticator_app_guards_the_log_in,
    recovery_codes_are_replaced_with_a_fresh_code,
    guessing_codes_is_throttled,
    only_the_person_manages_their_second_factor
);
