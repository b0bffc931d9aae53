//! Browser hardening: the web client's session never reaches page scripts, every
//! response carries the browser protections, GraphiQL is served by Parley itself, and a
//! database outage answers UNAVAILABLE until the database is back.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::{Value, json};

use crate::on_both;
use crate::support::*;

const LOG_IN: &str = "mutation($i: LogInInput!) { logIn(input: $i) { accessToken refreshToken user { id } } }";
const REFRESH: &str = "mutation { refreshSession { accessToken refreshToken user { id } } }";
const SIGN_UP: &str = "mutation($i: SignUpInput!) { signUp(input: $i) { email } }";

/// The site directory `scripts/build-web.sh` fills (GraphiQL's vendored builds live there).
fn site_root() -> String {
    format!("{}/../site", env!("CARGO_MANIFEST_DIR"))
}

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
    // Signing up in the browser opens no session (it answers the same for a registered
    // address); logging in does, with cookies and no tokens in the answer.
    let email = format!("{}@example.com", uuid::Uuid::now_v7().simple());
    let mut browser = WebClient::new(&app);
    let (res, headers) = browser
        .gql(
            SIGN_UP,
            json!({ "i": { "email": email, "password": PASSWORD, "name": "Web Person", "workspaceName": "Web", "workspaceKind": "BUSINESS" } }),
        )
        .await;
    assert_eq!(ok(res)["signUp"], json!({ "email": email }));
    assert!(headers.get(SET_COOKIE).is_none(), "sign-up sets no cookie: {headers:?}");

    // Logging in in a fresh browser; the cookies alone authenticate it.
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

/// Checks the protections every answer carries.
fn assert_protected(what: &str, headers: &HeaderMap) {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let csp = get("content-security-policy");
    for directive in ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'"] {
        assert!(csp.contains(directive), "{what}: CSP has {directive}: {csp:?}");
    }
    let scripts = csp.split(';').find(|d| d.trim().starts_with("script-src")).unwrap_or_default();
    assert!(scripts.contains("'self'") && !scripts.contains("unsafe-inline"), "{what}: {scripts:?}");
    assert!(!csp.contains("http:") && !csp.contains("https:") && !csp.contains('*'), "{what}: only Parley: {csp}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert!(
        ["strict-origin-when-cross-origin", "no-referrer"].contains(&get("referrer-policy").as_str()),
        "{what}: {:?}",
        get("referrer-policy")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_browser_protections_and_hsts_only_over_https() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let page = app.http.get(format!("{}/graphql", app.base)).header("Accept", "text/html").send().await.unwrap();
    assert_protected("GraphiQL", page.headers());
    let api = app.http.post(format!("{}/graphql", app.base)).json(&json!({ "query": "{ __typename }" })).send().await;
    let api = api.unwrap();
    assert_protected("POST /graphql", api.headers());
    assert!(api.headers().get("strict-transport-security").is_none(), "no HSTS over http");
    assert_eq!(api.headers()["referrer-policy"], "strict-origin-when-cross-origin");
    let missing = app.http.get(format!("{}/no-such-page", app.base)).send().await.unwrap();
    assert_protected("a 404", missing.headers());
    // A link that carries a secret sends no referrer at all.
    let secret = app.http.get(format!("{}/healthz?token=abc", app.base)).send().await.unwrap();
    assert_eq!(secret.headers()["referrer-policy"], "no-referrer");

    let Some(https) =
        TestApp::spawn_with(Backend::Sqlite, &[("PARLEY_PUBLIC_URL", "https://parley.example.com")]).await
    else {
        return;
    };
    let res = https.http.post(format!("{}/graphql", https.base)).json(&json!({ "query": "{ __typename }" })).send();
    let res = res.await.unwrap();
    assert_protected("POST /graphql over https", res.headers());
    let hsts = res.headers().get("strict-transport-security").map(|v| v.to_str().unwrap().to_owned());
    assert!(hsts.as_deref().is_some_and(|h| h.contains("max-age=31536000")), "HSTS over https: {hsts:?}");
    let health = https.http.get(format!("{}/healthz", https.base)).send().await.unwrap();
    assert!(health.headers().get("strict-transport-security").is_some());
}

/// `parley serve` from the real binary (the web pages are part of it), on SQLite.
struct ServedBinary {
    child: Child,
    base: String,
}

impl Drop for ServedBinary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn serve_binary() -> Option<ServedBinary> {
    let bin = crate::faults::parley_bin()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let data = std::env::temp_dir().join(format!("parley-served-{}", uuid::Uuid::now_v7().simple()));
    let child = Command::new(bin)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PARLEY_DATA_DIR", &data)
        .env("PARLEY_JWT_SECRET", JWT_SECRET)
        .env("PARLEY_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("PARLEY_SITE_ROOT", site_root())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let served = ServedBinary { child, base: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(60);
    let http = reqwest::Client::new();
    while Instant::now() < deadline {
        if http.get(format!("{}/readyz", served.base)).send().await.is_ok_and(|r| r.status() == 200) {
            return Some(served);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("parley serve did not become ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_pages_allow_only_their_own_scripts_and_never_leak_a_link_token() {
    let Some(served) = serve_binary().await else { return };
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let root = http.get(format!("{}/", served.base)).send().await.unwrap();
    assert_protected("/", root.headers());
    let page = http.get(format!("{}/login", served.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_protected("/login", page.headers());
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("'wasm-unsafe-eval'"), "the page may compile its wasm: {csp}");
    let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("the page policy names a nonce");
    let html = page.text().await.unwrap();
    for tag in html.split("<script").skip(1).map(|s| s.split('>').next().unwrap()) {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "inline script without the nonce: <script{tag}>");
    }
    let reset = http.get(format!("{}/reset-password?token=secret-in-the-link", served.base)).send().await.unwrap();
    assert_eq!(reset.status(), 200);
    assert_protected("/reset-password", reset.headers());
    assert_eq!(reset.headers()["referrer-policy"], "no-referrer", "the token never leaves as a referrer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_is_served_by_parley_itself() {
    let root = site_root();
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, &[("PARLEY_SITE_ROOT", root.as_str())]).await else {
        return;
    };
    let page = app.http.get(format!("{}/graphql", app.base)).header("Accept", "text/html").send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"), "{html}");
    assert!(html.contains("<div id=\"graphiql\""), "{html}");
    // No inline script: every <script> names a file.
    let scripts: Vec<&str> = html.split("<script").skip(1).map(|s| s.split('>').next().unwrap()).collect();
    assert!(scripts.len() >= 4 && scripts.iter().all(|s| s.contains("src=\"/")), "{scripts:?}");

    let vendored_present = std::path::Path::new(&root).join("graphiql/graphiql.min.js").exists();
    if !vendored_present {
        assert!(std::env::var("CI").is_err(), "CI runs scripts/build-web.sh first");
        eprintln!("{root}/graphiql is not built (scripts/build-web.sh): vendored assets not checked");
    }
    let references: Vec<String> = html
        .split(['"', '\''])
        .filter(|s| s.starts_with('/') && (s.ends_with(".js") || s.ends_with(".css")))
        .map(str::to_owned)
        .collect();
    assert!(references.iter().any(|r| r.ends_with("graphiql.min.js")), "{references:?}");
    assert!(references.iter().any(|r| r.ends_with("react-dom.production.min.js")), "{references:?}");
    for path in &references {
        assert!(!path.starts_with("//"), "same origin only: {path}");
        let ours = path.contains("parley-graphiql");
        if !ours && !vendored_present {
            continue;
        }
        let res = app.http.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
        let want = if path.ends_with(".js") { "text/javascript" } else { "text/css" };
        assert!(kind.starts_with(want), "{path}: {kind}");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let body = res.text().await.unwrap();
        assert!(body.len() > 20, "{path} has content");
        if path.contains("react") {
            assert!(!body.contains("development"), "{path}: React's production build");
        }
    }
    // Nothing else under /graphiql/ is reachable.
    for probe in ["/graphiql/package.json", "/graphiql/..%2F..%2FCargo.toml", "/graphiql/graphiql.min.js.map"] {
        let res = app.http.get(format!("{}{probe}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{probe}");
    }
}

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
