//! Browser hardening: the web client's session never reaches page scripts, every
//! response carries the browser protections, GraphiQL is served by Parley itself, and a
//! database outage answers UNAVAILABLE until the database is back.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::{Value, json};

use crate::on_both;
use crate::support::*;

const LOG_IN: &str = "mutation($i: LogInInput!) { logIn(input: $i) { accessToken refreshToken user { id } } }";
const REFRESH: &str = "mutation { refreshSession { accessToken refreshToken user { id } } }";
const SIGN_UP: &str = "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken refreshToken workspace { id } } }";
/// A browser-like caller: sends `X-Parley-CSRF` and keeps the cookies it is given.
struct WebClient<'a> {
    app: &'a TestApp,
    cookies: Vec<(String, String)>,
}

impl<'a> WebClient<'a> {
    fn new(app: &'a TestApp) -> Self {
        WebClient { app, cookies: Vec::new() }
    }

    /// Posts an operation as the web client; returns the answer and its headers.
    async fn gql(&mut self, query: &str, variables: Value) -> (Value, HeaderMap) {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let mut req = self
            .app
            .http
            .post(format!("{}/graphql", self.app.base))
            .header("X-Parley-CSRF", "1")
            .json(&json!({ "query": query, "variables": variables }));
        if !cookie.is_empty() {
            req = req.header("Cookie", cookie);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200);
        let headers = res.headers().clone();
        for set in headers.get_all(SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
        (res.json().await.unwrap(), headers)
    }
}

/// The session cookies an answer set, checked to be out of scripts' reach.
fn session_cookies(headers: &HeaderMap) {
    let cookies: Vec<String> = headers.get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    for name in ["parley_at=", "parley_rt="] {
        let c = cookies.iter().find(|c| c.starts_with(name)).unwrap_or_else(|| panic!("{name} set: {cookies:?}"));
        assert!(c.contains("HttpOnly"), "{c}");
    }
}

fn assert_no_tokens(answer: &Value, what: &str) {
    assert!(answer["accessToken"].is_null(), "{what}: no access token for page scripts: {answer}");
    assert!(answer["refreshToken"].is_null(), "{what}: no refresh token for page scripts: {answer}");
}

async fn the_web_client_gets_its_session_only_as_cookies(app: TestApp) {
    // Signing up in the browser: cookies, no tokens in the answer.
    let email = format!("{}@example.com", uuid::Uuid::now_v7().simple());
    let mut browser = WebClient::new(&app);
    let (res, headers) = browser
        .gql(
            SIGN_UP,
            json!({ "i": { "email": email, "password": PASSWORD, "name": "Web Person", "workspaceName": "Web", "workspaceKind": "BUSINESS" } }),
        )
        .await;
    assert_no_tokens(&ok(res)["signUp"], "signUp");
    session_cookies(&headers);

    // Logging in again in a fresh browser; the cookies alone authenticate it.
    let mut browser = WebClient::new(&app);
    let (res, headers) = browser.gql(LOG_IN, json!({ "i": { "email": email, "password": PASSWORD } })).await;
    let login = ok(res);
    assert_no_tokens(&login["logIn"], "logIn");
    session_cookies(&headers);
    let (me, _) = browser.gql("{ me { id email } }", json!({})).await;
    assert_eq!(ok(me)["me"]["email"], email.as_str());

    // Refreshing by cookie rotates the cookies and still shows no token.
    let before = browser.cookies.clone();
    let (res, headers) = browser.gql(REFRESH, json!({})).await;
    assert_no_tokens(&ok(res)["refreshSession"], "refreshSession");
    session_cookies(&headers);
    assert_ne!(before, browser.cookies, "the refresh cookie rotated");
    let (me, _) = browser.gql("{ me { id } }", json!({})).await;
    ok(me);

    // Accepting an invitation in the browser: the same.
    let owner = app.sign_up("BUSINESS").await;
    let invitee = format!("{}@example.com", uuid::Uuid::now_v7().simple());
    let token = app.invite(&owner.auth(), &invitee, "VIEWER").await;
    let mut browser = WebClient::new(&app);
    let (res, headers) = browser
        .gql(
            "mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { accessToken refreshToken workspace { id } } }",
            json!({ "i": { "token": token, "password": PASSWORD, "name": "Invited Person" } }),
        )
        .await;
    assert_no_tokens(&ok(res)["acceptInvitation"], "acceptInvitation");
    session_cookies(&headers);

    // An API client (no web-client header) still gets both tokens, and no cookies.
    let res = app
        .http
        .post(format!("{}/graphql", app.base))
        .json(&json!({ "query": LOG_IN, "variables": { "i": { "email": email, "password": PASSWORD } } }))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get(SET_COOKIE).is_none(), "API clients get no cookies");
    let api = ok(res.json().await.unwrap());
    let access = api["logIn"]["accessToken"].as_str().expect("API clients get the access token");
    assert!(api["logIn"]["refreshToken"].as_str().is_some_and(|t| !t.is_empty()), "{api}");
    ok(app.gql(&As::token(access), "{ me { id } }", json!({})).await);
}

on_both!(the_web_client_gets_its_session_only_as_cookies);
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_database_answers_unavailable_until_it_returns() {
    use sea_orm::ConnectionTrait;

    let Some(cluster) = crate::pg_cluster::PgCluster::start() else { return };
    let admin = sea_orm::Database::connect(cluster.url("postgres").as_str()).await.unwrap();
    admin.execute_unprepared("CREATE DATABASE parley").await.unwrap();
    admin.close().await.unwrap();
    let app = TestApp::spawn_on(cluster.url("parley"), &[], false).await;
    let owner = app.sign_up("BUSINESS").await;
    let who = owner.auth().in_ws(&owner.workspace_id);
    ok(app.gql(&who, "{ me { id } workspace { id } }", json!({})).await);

    tokio::task::block_in_place(|| cluster.stop());
    // A user's own query and a tenant query, side by side, and the readiness probe.
    let (me, workspace, ready) = tokio::join!(
        app.gql(&who, "{ me { id } }", json!({})),
        app.gql(&who, "{ workspace { id name } }", json!({})),
        app.http.get(format!("{}/readyz", app.base)).send(),
    );
    for (what, res) in [("me", &me), ("workspace", &workspace)] {
        assert_eq!(code(res).as_deref(), Some("UNAVAILABLE"), "{what}: {res}");
        assert_eq!(res["errors"][0]["extensions"]["retryable"], true, "{what}: {res}");
        let text = res.to_string();
        assert!(!text.contains("connect") && !text.contains("refused"), "{what}: no internals: {res}");
    }
    assert_eq!(ready.unwrap().status(), 503, "not ready while the database is down");

    tokio::task::block_in_place(|| cluster.start_again());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let res = app.gql(&who, "{ me { id } workspace { id } }", json!({})).await;
        if res.get("errors").is_none() {
            break;
        }
        assert_eq!(code(&res).as_deref(), Some("UNAVAILABLE"), "{res}");
        assert!(Instant::now() < deadline, "the service came back by itself");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ready = app.http.get(format!("{}/readyz", app.base)).send().await.unwrap();
    assert_eq!(ready.status(), 200);
}
