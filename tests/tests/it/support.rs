//! Starting the real Parley on a free port against a fresh database, a real SMTP
//! server, and a small GraphQL client for the stories.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::smtp::SmtpServer;

/// Which database a story runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The signing key the tests configure (they forge tokens with it).
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
/// A password that passes the strength rules.
pub const PASSWORD: &str = "Correct-horse-42";

/// A fresh database for one test: a temporary SQLite file, or a new PostgreSQL
/// database made from `TEST_DATABASE_URL`.
pub async fn fresh_database(backend: Backend) -> Option<String> {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("parley-test-{}", uuid::Uuid::now_v7().simple()));
            std::fs::create_dir_all(&dir).unwrap();
            Some(format!("sqlite://{}?mode=rwc", dir.join("parley.db").display()))
        }
        Backend::Postgres => {
            let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
                eprintln!("TEST_DATABASE_URL is not set: PostgreSQL story skipped (CI always sets it)");
                return None;
            };
            use sea_orm::ConnectionTrait;
            let name = format!("parley_t_{}", uuid::Uuid::now_v7().simple());
            let admin = sea_orm::Database::connect(base.as_str()).await.expect("TEST_DATABASE_URL must be reachable");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
            admin.close().await.unwrap();
            let mut url = reqwest::Url::parse(&base).unwrap();
            url.set_path(&format!("/{name}"));
            Some(url.to_string())
        }
    }
}

/// A running Parley with its SMTP server; the worker is driven by hand.
pub struct TestApp {
    pub base: String,
    pub server: api::Server,
    pub smtp: Arc<SmtpServer>,
    pub http: reqwest::Client,
    pub worker: workers::Runtime,
    pub database_url: String,
}

/// Who calls: a bearer credential and an optional workspace header.
#[derive(Debug, Clone, Default)]
pub struct As {
    pub bearer: Option<String>,
    pub workspace: Option<String>,
}

impl As {
    pub fn anon() -> As {
        As::default()
    }
    pub fn token(t: &str) -> As {
        As { bearer: Some(t.to_owned()), workspace: None }
    }
    pub fn in_ws(mut self, ws: &str) -> As {
        self.workspace = Some(ws.to_owned());
        self
    }
}

/// A signed-up user and their first workspace.
#[derive(Debug, Clone)]
pub struct Account {
    pub email: String,
    pub token: String,
    pub refresh: String,
    pub user_id: String,
    pub workspace_id: String,
}

impl Account {
    pub fn auth(&self) -> As {
        As::token(&self.token)
    }
}

/// The UUID inside a global ID.
pub fn uuid_of(global: &str) -> uuid::Uuid {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(global).unwrap();
    let text = String::from_utf8(raw).unwrap();
    uuid::Uuid::parse_str(text.split_once(':').unwrap().1).unwrap()
}

/// The code of the first error of a response.
pub fn code(res: &Value) -> Option<String> {
    res["errors"][0]["extensions"]["code"].as_str().map(str::to_owned)
}

/// The field named by the first error of a response.
pub fn field(res: &Value) -> Option<String> {
    res["errors"][0]["extensions"]["field"].as_str().map(str::to_owned)
}

/// Fails the test unless the response has no errors; returns `data`.
pub fn ok(res: Value) -> Value {
    assert!(res.get("errors").is_none() || res["errors"].is_null(), "unexpected errors: {res}");
    res["data"].clone()
}

impl TestApp {
    /// Starts Parley on `backend` (None: PostgreSQL is not configured here).
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, &[]).await
    }

    /// Starts Parley with extra environment settings.
    pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> Option<TestApp> {
        let database_url = fresh_database(backend).await?;
        Some(Self::spawn_on(database_url, extra, false).await)
    }

    /// Starts Parley on the database at `database_url`; with `background_worker`, a job
    /// worker runs inside it as in `parley serve` (else jobs are driven by hand).
    pub async fn spawn_on(database_url: String, extra: &[(&str, &str)], background_worker: bool) -> TestApp {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let smtp = SmtpServer::start().await;
        let dir = std::env::temp_dir().join(format!("parley-data-{}", uuid::Uuid::now_v7().simple()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut env: HashMap<String, String> = HashMap::from([
            ("PARLEY_DATABASE_URL".into(), database_url.clone()),
            ("PARLEY_DATA_DIR".into(), dir.display().to_string()),
            ("PARLEY_JWT_SECRET".into(), JWT_SECRET.into()),
            ("PARLEY_SMTP_URL".into(), smtp.url()),
            ("PARLEY_PUBLIC_URL".into(), format!("http://{addr}")),
            ("PARLEY_HTTP_ADDR".into(), addr.to_string()),
            ("PARLEY_JOB_BACKOFF_MS".into(), "1".into()),
            ("PARLEY_SIGNUPS_PER_IP".into(), "1000".into()),
            // One writer at a time: detection may read up to the present.
            ("PARLEY_DETECTION_LAG_MS".into(), "0".into()),
        ]);
        for (k, v) in extra {
            env.insert((*k).to_owned(), (*v).to_owned());
        }
        let cfg = api::Config::from_env_fn(|k| env.get(k).cloned()).unwrap();
        let roles = api::Roles { migrate: true, api: true, worker: background_worker };
        let server = api::start(&cfg, roles, listener).await.unwrap();
        let worker =
            workers::Runtime::new(server.parley.clone(), server.mailer.clone(), workers::RuntimeConfig::default());
        TestApp { base: format!("http://{addr}"), server, smtp, http: reqwest::Client::new(), worker, database_url }
    }

    /// Posts a GraphQL operation and returns the whole JSON response.
    pub async fn gql(&self, who: &As, query: &str, variables: Value) -> Value {
        let mut req =
            self.http.post(format!("{}/graphql", self.base)).json(&json!({ "query": query, "variables": variables }));
        if let Some(b) = &who.bearer {
            req = req.bearer_auth(b);
        }
        if let Some(w) = &who.workspace {
            req = req.header("X-Parley-Workspace", w);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200, "GraphQL answers 200");
        res.json().await.unwrap()
    }

    /// Signs up a new account with a workspace of `kind` (`BUSINESS` or `AGENCY`).
    pub async fn sign_up(&self, kind: &str) -> Account {
        let email = format!("{}@example.com", uuid::Uuid::now_v7().simple());
        self.sign_up_as(&email, kind).await
    }

    /// Signs up `email`, then logs in (sign-up opens no session).
    pub async fn sign_up_as(&self, email: &str, kind: &str) -> Account {
        let res = self
            .gql(
                &As::anon(),
                "mutation($i: SignUpInput!) { signUp(input: $i) { email } }",
                json!({ "i": { "email": email, "password": PASSWORD, "name": "Test Person", "workspaceName": "Test Workspace", "workspaceKind": kind } }),
            )
            .await;
        assert_eq!(ok(res)["signUp"]["email"], email.to_lowercase(), "signUp answers the address");
        self.log_in(email, PASSWORD).await
    }

    /// Logs in with email and password (no second factor).
    pub async fn log_in(&self, email: &str, password: &str) -> Account {
        let res = self
            .gql(
                &As::anon(),
                "mutation($i: LogInInput!) { logIn(input: $i) { accessToken refreshToken user { id email } workspace { id kind } } }",
                json!({ "i": { "email": email, "password": password } }),
            )
            .await;
        let d = ok(res);
        let s = &d["logIn"];
        Account {
            email: email.to_owned(),
            token: s["accessToken"].as_str().unwrap().to_owned(),
            refresh: s["refreshToken"].as_str().unwrap().to_owned(),
            user_id: s["user"]["id"].as_str().unwrap().to_owned(),
            workspace_id: s["workspace"]["id"].as_str().unwrap().to_owned(),
        }
    }

    /// Runs the job queue until nothing is due. After a failed attempt it looks once
    /// more, a moment later, so a retry due after the tests' 1 ms backoff runs too.
    pub async fn drive_jobs(&self) -> workers::BatchReport {
        let mut total = workers::BatchReport::default();
        let mut just_retried = false;
        for _ in 0..100 {
            let r = self.worker.try_execute_batch().await.unwrap();
            if r.claimed == 0 {
                if !just_retried {
                    break;
                }
                just_retried = false;
                tokio::time::sleep(std::time::Duration::from_millis(30)).await;
                continue;
            }
            just_retried = r.retried > 0;
            total.claimed += r.claimed;
            total.done += r.done;
            total.retried += r.retried;
            total.dead += r.dead;
        }
        total
    }

    /// Invites `email` into the caller's workspace, sends the email, and returns the
    /// invitation token from the link that arrived.
    pub async fn invite(&self, who: &As, email: &str, role: &str) -> String {
        ok(self
            .gql(
                who,
                "mutation($i: InviteMemberInput!) { inviteMember(input: $i) { id } }",
                json!({ "i": { "email": email, "role": role } }),
            )
            .await);
        self.drive_jobs().await;
        let msgs = self.smtp.to(email);
        // The newest invitation (the verification email may arrive after it).
        let Some(link) = msgs.iter().rev().find_map(|m| m.link("/accept-invitation")) else {
            let jobs = domain::jobs::counts(&self.server.parley).await;
            panic!("no invitation email with a link to {email}; jobs by state: {jobs:?}");
        };
        link.split("token=").nth(1).unwrap().to_owned()
    }

    /// Accepts an invitation as a new person.
    pub async fn accept(&self, token: &str) -> Value {
        self.gql(
            &As::anon(),
            "mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { accessToken refreshToken user { id email } workspace { id name kind } } }",
            json!({ "i": { "token": token, "password": PASSWORD, "name": "Invited Person" } }),
        )
        .await
    }
}

/// A GraphQL multipart request (the spec async-graphql implements) with one file.
pub fn multipart(query: &str, variables: Value, name: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = format!("parley{}", uuid::Uuid::now_v7().simple());
    let mut vars = variables;
    vars["file"] = Value::Null;
    let ops = json!({ "query": query, "variables": vars });
    let mut body = Vec::new();
    let mut part = |headers: &str, content: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    };
    part("Content-Disposition: form-data; name=\"operations\"", ops.to_string().as_bytes());
    part("Content-Disposition: form-data; name=\"map\"", br#"{"0": ["variables.file"]}"#);
    part(&format!("Content-Disposition: form-data; name=\"0\"; filename=\"{name}\"\r\nContent-Type: text/csv"), file);
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    /// Posts a GraphQL multipart request (see [`multipart`]) on a connection of its own:
    /// a server that refuses an upload part-way closes that connection, which must not
    /// be handed to the next request.
    pub async fn post_multipart(&self, who: &As, content_type: &str, body: Vec<u8>) -> reqwest::Response {
        self.try_post_multipart(who, content_type, body).await.unwrap()
    }

    /// [`TestApp::post_multipart`], answering a transport error as it is (a server that
    /// refuses an oversized upload may close the connection while the body is still
    /// being sent, before its answer is read).
    pub async fn try_post_multipart(
        &self,
        who: &As,
        content_type: &str,
        body: Vec<u8>,
    ) -> reqwest::Result<reqwest::Response> {
        let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
        let mut req = client.post(format!("{}/graphql", self.base)).header("content-type", content_type).body(body);
        if let Some(b) = &who.bearer {
            req = req.bearer_auth(b);
        }
        if let Some(w) = &who.workspace {
            req = req.header("X-Parley-Workspace", w);
        }
        req.send().await
    }
}

/// Runs a story on SQLite and on PostgreSQL with extra settings, as two tests.
#[macro_export]
macro_rules! on_both_with {
    ($story:ident, $env:expr) => {
        mod $story {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = $crate::support::TestApp::spawn_with($crate::support::Backend::Sqlite, $env).await {
                    super::$story(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::support::TestApp::spawn_with($crate::support::Backend::Postgres, $env).await
                {
                    super::$story(app).await;
                }
            }
        }
    };
}

/// Runs a story on SQLite and on PostgreSQL, as two tests.
#[macro_export]
macro_rules! on_both {
    ($($story:ident),* $(,)?) => {$(
        mod $story {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = $crate::support::TestApp::spawn($crate::support::Backend::Sqlite).await {
                    super::$story(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::support::TestApp::spawn($crate::support::Backend::Postgres).await {
                    super::$story(app).await;
                }
            }
        }
    )*};
}

/// What an authenticator app shows for `secret`, `steps` 30-second steps from now.
pub fn app_code(secret: &str, steps: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    let totp = totp_rs::Builder::new().with_secret(secret).build().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    totp.generate(now.checked_add_signed(30 * steps).unwrap()).to_string()
}
