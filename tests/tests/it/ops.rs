//! Health, readiness and metrics; a graceful shutdown.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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
}

/// Reads one HTTP/1.1 response (headers and a `Content-Length` body) off `sock`.
async fn read_response(sock: &mut tokio::net::TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().unwrap())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return String::from_utf8_lossy(&buf[..end + 4 + len]).into_owned();
            }
        }
        let n = sock.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the connection closed mid-response: {}", String::from_utf8_lossy(&buf));
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Stopping the server lets a request already on the wire finish, then refuses new ones.
async fn shutdown_finishes_requests_in_flight(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    let body = json!({ "query": "{ me { email } }" }).to_string();
    let head = |connection: &str| {
        format!(
            "POST /graphql HTTP/1.1\r\nHost: parley\r\nContent-Type: application/json\r\nAuthorization: Bearer {}\r\n\
             Content-Length: {}\r\nConnection: {connection}\r\n\r\n",
            acc.token,
            body.len()
        )
    };
    let addr = app.server.addr;
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    // One whole request first: the server has taken the connection.
    sock.write_all(format!("{}{body}", head("keep-alive")).as_bytes()).await.unwrap();
    assert!(read_response(&mut sock).await.starts_with("HTTP/1.1 200"));
    // Then half of the next one: the server is reading its body when the stop comes.
    sock.write_all(head("close").as_bytes()).await.unwrap();
    sock.write_all(&body.as_bytes()[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let TestApp { server, .. } = app;
    let stopping = tokio::spawn(server.stop());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!stopping.is_finished(), "the stop waits for the request in flight");
    sock.write_all(&body.as_bytes()[10..]).await.unwrap();
    let answer = read_response(&mut sock).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(&acc.email), "the request was answered in full: {answer}");
    tokio::time::timeout(Duration::from_secs(10), stopping).await.unwrap().unwrap().unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "no new connections after the stop");
}

on_both!(health_readiness_and_metrics_answer, shutdown_finishes_requests_in_flight);
