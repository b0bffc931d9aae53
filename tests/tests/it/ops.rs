//! Health, readiness and metrics.

use serde_json::json;

use crate::on_both;
use crate::support::*;

async fn health_readiness_and_metrics_answer(app: TestApp) {
    let get = |path: &str| app.http.get(format!("{}{path}", app.base)).send();
    let h = get("/healthz").await.unwrap();
    assert_eq!(h.status(), 200);
    assert!(h.headers().contains_key("x-request-id"));
    assert_eq!(get("/readyz").await.unwrap().status(), 200);
    app.sign_up("BUSINESS").await;
    let m = get("/metrics").await.unwrap().text().await.unwrap();
    assert!(m.contains("parley_http_requests_total"), "{m}");
    assert!(m.contains("route=\"/graphql\""), "{m}");
    assert!(m.contains("parley_jobs{state=\"queued\"} 1"), "the verification email waits: {m}");
    app.drive_jobs().await;
    let m = get("/metrics").await.unwrap().text().await.unwrap();
    assert!(m.contains("parley_jobs{state=\"done\"} 1"), "{m}");
    let _ = json!({});
}

on_both!(health_readiness_and_metrics_answer);
