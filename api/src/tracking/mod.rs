//! `GET /t/snippet.js` and `POST /t/events`: the tracking snippet and the endpoint the snippet and integrations send batches of
//! events to, authenticated by the workspace's publishable key. It answers any origin
//! (the snippet runs on customers' sites) and takes any content type, so a browser can
//! send it with `navigator.sendBeacon` without a preflight request.

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::http::AppState;

mod decisions;
mod leads;

/// Largest request: a full batch of events at their largest properties, and some.
pub const MAX_EVENTS_BODY: usize = 1024 * 1024;

/// The snippet, served as it is written (a few kilobytes; no build step).
const SNIPPET: &str = include_str!("snippet.js");

/// The tracking routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/t/events", post(events).options(preflight))
        .route("/t/decide", post(decisions::decide).options(preflight))
        .route("/t/respond", post(decisions::respond).options(preflight))
        .route("/t/leads", post(leads::capture).options(preflight))
        .route("/f/{key}", get(leads::hosted))
        .route("/t/snippet.js", get(snippet))
        .with_state(state)
}

async fn snippet() -> Response {
    let mut res = SNIPPET.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/javascript; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    // Loaded by customers' pages from another origin.
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("cross-origin"));
    res
}

#[derive(Deserialize)]
struct KeyParam {
    key: Option<String>,
}

fn cors(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, OPTIONS"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type, x-parley-key"));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
    res
}

async fn preflight() -> Response {
    cors(StatusCode::NO_CONTENT.into_response())
}

fn refuse(status: StatusCode, message: &str, field: Option<&str>) -> Response {
    cors((status, Json(json!({ "error": message, "field": field }))).into_response())
}

async fn events(State(state): State<AppState>, Query(q): Query<KeyParam>, headers: HeaderMap, body: Body) -> Response {
    let bytes = match axum::body::to_bytes(body, MAX_EVENTS_BODY).await {
        Ok(b) => b,
        Err(_) => return refuse(StatusCode::PAYLOAD_TOO_LARGE, "the request body is larger than 1 MiB", None),
    };
    let body: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, &format!("the body is not JSON: {e}"), None),
    };
    let key = headers
        .get("x-parley-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(q.key)
        .or_else(|| body.get("key").and_then(Value::as_str).map(str::to_owned));
    let Some(key) = key else {
        return refuse(StatusCode::UNAUTHORIZED, "send the workspace's publishable key (key)", Some("key"));
    };
    let Some(batch) = body.get("events").and_then(Value::as_array) else {
        return refuse(StatusCode::BAD_REQUEST, "send {\"events\": [...]}", Some("events"));
    };
    match domain::tracking::ingest(&state.parley, &key, batch).await {
        Ok(report) => cors((StatusCode::OK, Json(report)).into_response()),
        Err(domain::Error::Unauthenticated(m)) => refuse(StatusCode::UNAUTHORIZED, &m, Some("key")),
        Err(domain::Error::Invalid { field, message }) => refuse(StatusCode::BAD_REQUEST, &message, Some(&field)),
        Err(e @ domain::Error::Unavailable(_)) => refuse(StatusCode::SERVICE_UNAVAILABLE, &e.to_string(), None),
        Err(e) => {
            tracing::error!(error = %e, "tracking batch failed");
            refuse(StatusCode::INTERNAL_SERVER_ERROR, "internal error", None)
        }
    }
}
