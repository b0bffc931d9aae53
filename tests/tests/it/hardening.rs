//! Browser hardening: the web client's session never reaches page scripts, every
//! response carries the browser protections, GraphiQL is served by Parley itself, and a
//! database outage answers UNAVAILABLE until the database is back.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::*;

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
