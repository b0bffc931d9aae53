//! The HTTP surface: `/graphql`, health, readiness, metrics, and the web app.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::graphql::{ParleySchema, RequestAuth, WEB_CLIENT_HEADER};
use crate::metrics::Metrics;

/// Largest request body accepted (413 beyond).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Shared state of the HTTP handlers.
#[derive(Clone)]
pub struct AppState {
    /// The domain.
    pub parley: domain::Parley,
    /// The GraphQL schema.
    pub schema: ParleySchema,
    /// Metrics registry.
    pub metrics: Arc<Metrics>,
    /// The built web assets (`site/`), where GraphiQL's vendored builds live too.
    pub site_root: PathBuf,
    /// Who may name the client, and how big a batch may be.
    pub edge: Arc<Edge>,
}

/// Request-level limits and the proxies trusted to name the client.
#[derive(Debug, Clone)]
pub struct Edge {
    /// Proxies whose forwarding headers are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Most operations one GraphQL batch may hold.
    pub max_batch: usize,
}

impl Default for Edge {
    fn default() -> Self {
        Edge { trusted_proxies: Vec::new(), max_batch: 10 }
    }
}

impl Edge {
    /// The client's address: the socket's, unless the socket is a trusted proxy; then
    /// the nearest address in `Forwarded` / `X-Forwarded-For` that is not itself a
    /// trusted proxy (read from the right, since a client can write anything on the
    /// left).
    pub fn client_ip(&self, socket: Option<std::net::IpAddr>, headers: &HeaderMap) -> Option<std::net::IpAddr> {
        let socket = socket?;
        let trusted = |ip: &std::net::IpAddr| self.trusted_proxies.iter().any(|n| n.contains(ip));
        if !trusted(&socket) {
            return Some(socket);
        }
        let mut hops: Vec<std::net::IpAddr> = Vec::new();
        let forwarded: Vec<&str> = headers.get_all("forwarded").iter().filter_map(|v| v.to_str().ok()).collect();
        if !forwarded.is_empty() {
            for element in forwarded.iter().flat_map(|v| v.split(',')) {
                for pair in element.split(';') {
                    if let Some((k, v)) = pair.trim().split_once('=')
                        && k.trim().eq_ignore_ascii_case("for")
                        && let Some(ip) = forwarded_node(v.trim())
                    {
                        hops.push(ip);
                    }
                }
            }
        } else {
            for v in headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()) {
                hops.extend(v.split(',').filter_map(|h| forwarded_node(h.trim())));
            }
        }
        Some(hops.into_iter().rev().find(|ip| !trusted(ip)).unwrap_or(socket))
    }
}

/// An address from a forwarding header: `1.2.3.4`, `1.2.3.4:5`, `"[::1]:5"`, `[::1]`.
fn forwarded_node(raw: &str) -> Option<std::net::IpAddr> {
    let v = raw.trim_matches('"');
    if let Ok(ip) = v.parse() {
        return Some(ip);
    }
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    v.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok())
}

/// Routes every process serves: health, readiness, metrics.
pub fn ops_router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// The API: GraphQL plus the operational routes.
pub fn api_router(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/graphql/schema.graphql", get(sdl))
        .with_state(state.clone())
        .merge(crate::tracking::router(state.clone()))
        .merge(crate::files::router(state.clone()))
        .merge(crate::email::router(state.clone()))
        .merge(crate::graphiql::router(state.site_root.clone()))
        .merge(ops_router(state))
}

/// The policy for everything that sets none of its own (the web pages and GraphiQL
/// do): nothing but Parley's own files, never inside another site's frame.
pub const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/// HSTS for a deployment served over https: a year, subdomains included.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Adds the browser protections every response carries; `https` (the public URL is
/// https) adds `Strict-Transport-Security`, which over plain http would be ignored at
/// best and would lock a local install out of itself at worst.
pub fn secured(router: Router, https: bool) -> Router {
    let router = router
        .layer(middleware::from_fn(no_referrer_for_secret_links))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        // Only an asset's file, shown inside Parley's own pages, says otherwise.
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")));
    if https {
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ))
    } else {
        router
    }
}

/// Pages opened from an emailed link (`?token=…`: password reset, invitation, email
/// check) send no `Referer` at all, so the secret in their URL never reaches another
/// site, not even as an origin.
async fn no_referrer_for_secret_links(req: Request, next: Next) -> Response {
    let secret_link = req.uri().query().is_some_and(|q| q.split('&').any(|kv| kv.split('=').next() == Some("token")));
    let mut res = next.run(req).await;
    if secret_link {
        res.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    res
}

/// Wraps a router with request IDs, tracing, metrics, panic safety and the browser
/// protections of [`secured`] (`https`: the public URL is https).
pub fn layered(router: Router, metrics: Arc<Metrics>, https: bool) -> Router {
    let header_name = HeaderName::from_static("x-request-id");
    let router = router
        .layer(middleware::from_fn_with_state(metrics, observe))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(PropagateRequestIdLayer::new(header_name.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req
                .extensions()
                .get::<RequestId>()
                .and_then(|r| r.header_value().to_str().ok())
                .unwrap_or("-")
                .to_owned();
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(header_name, MakeRequestUuid));
    // Outermost, so even a caught panic's 500 carries them.
    secured(router, https)
}

async fn observe(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_else(|| "other".into());
    let res = next.run(req).await;
    metrics.observe(&method, &route, res.status().as_u16(), started.elapsed().as_secs_f64());
    res
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.parley.db().ready().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {e}")).into_response(),
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    if let Ok(counts) = domain::jobs::counts(&state.parley).await {
        state.metrics.set_jobs(&counts);
    }
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], state.metrics.render())
        .into_response()
}

async fn graphiql() -> Response {
    crate::graphiql::page()
}

async fn sdl() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], crate::graphql::sdl())
}

pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

fn request_auth(headers: &HeaderMap, ip: Option<String>, request_id: String) -> RequestAuth {
    let web_client = headers.contains_key(WEB_CLIENT_HEADER);
    let mut a = RequestAuth { ip, request_id, web_client, ..Default::default() };
    match headers.get(header::AUTHORIZATION).map(|v| v.to_str()) {
        Some(Ok(v)) => match v.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
                a.bearer = Some(token.trim().to_owned());
            }
            _ => a.malformed_authorization = true,
        },
        Some(Err(_)) => a.malformed_authorization = true,
        // Cookies count only with the header a cross-site form cannot send.
        None if web_client => a.bearer = cookie(headers, "parley_at"),
        None => {}
    }
    if web_client {
        a.refresh_cookie = cookie(headers, "parley_rt");
    }
    a.workspace = headers
        .get("x-parley-workspace")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| if web_client { cookie(headers, "parley_ws") } else { None });
    a
}

fn bad_request(status: StatusCode, message: String) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": "BAD_USER_INPUT" } }] });
    (status, Json(body)).into_response()
}

async fn graphql(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let socket = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip = state.edge.client_ip(socket, &parts.headers).map(|ip| ip.to_string());
    let request_id =
        parts.extensions.get::<RequestId>().and_then(|r| r.header_value().to_str().ok()).unwrap_or("-").to_owned();
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let batch = match content_type.as_deref() {
        Some(ct) if ct.to_ascii_lowercase().starts_with("multipart/form-data") => {
            match multipart(ct, body, state.parley.settings().import_max_bytes).await {
                Ok(b) => b,
                Err(res) => return res,
            }
        }
        _ => {
            let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
                Ok(b) => b,
                Err(_) => {
                    return bad_request(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
                    );
                }
            };
            match serde_json::from_slice(&bytes) {
                Ok(b) => b,
                Err(e) => {
                    return bad_request(StatusCode::BAD_REQUEST, format!("the body is not a GraphQL request: {e}"));
                }
            }
        }
    };
    if let async_graphql::BatchRequest::Batch(rs) = &batch
        && rs.len() > state.edge.max_batch
    {
        // Every operation may hash a password or touch the database; a batch is a
        // convenience, not a way around the per-request budget.
        return bad_request(
            StatusCode::BAD_REQUEST,
            format!("a batch may hold at most {} operations; this one has {}", state.edge.max_batch, rs.len()),
        );
    }
    let deepest = match &batch {
        async_graphql::BatchRequest::Single(r) => crate::graphql::nesting(&r.query),
        async_graphql::BatchRequest::Batch(rs) => {
            rs.iter().map(|r| crate::graphql::nesting(&r.query)).max().unwrap_or(0)
        }
    };
    if deepest > crate::graphql::MAX_NESTING {
        // Refused before the parser descends into it (see `MAX_NESTING`).
        let max = crate::graphql::MAX_NESTING;
        return bad_request(
            StatusCode::BAD_REQUEST,
            format!("the query nests {deepest} levels deep; at most {max} (send deep values as variables)"),
        );
    }
    let auth = request_auth(&parts.headers, ip, request_id);
    let batch = match batch {
        async_graphql::BatchRequest::Single(r) => async_graphql::BatchRequest::Single(r.data(take_auth(&auth))),
        async_graphql::BatchRequest::Batch(rs) => {
            async_graphql::BatchRequest::Batch(rs.into_iter().map(|r| r.data(take_auth(&auth))).collect())
        }
    };
    let mut res = state.schema.execute_batch(batch).await;
    let mut headers = HeaderMap::new();
    let responses: Vec<&mut async_graphql::Response> = match &mut res {
        async_graphql::BatchResponse::Single(r) => vec![r],
        async_graphql::BatchResponse::Batch(rs) => rs.iter_mut().collect(),
    };
    for r in responses {
        for e in &mut r.errors {
            let ext = e.extensions.get_or_insert_with(Default::default);
            if ext.get("code").is_none() {
                ext.set("code", "BAD_USER_INPUT");
            }
        }
        for (k, v) in r.http_headers.iter() {
            headers.append(k.clone(), v.clone());
        }
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let body = match serde_json::to_vec(&res) {
        Ok(b) => b,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    (StatusCode::OK, headers, Body::from(body)).into_response()
}

/// A GraphQL multipart request (an upload): the file parts are spooled to temporary
/// files as they arrive, never held in memory, and bounded by `max_file` bytes each.
async fn multipart(content_type: &str, body: Body, max_file: u64) -> Result<async_graphql::BatchRequest, Response> {
    use futures::TryStreamExt;
    let reader = body.into_data_stream().map_err(std::io::Error::other).into_async_read();
    let opts = async_graphql::http::MultipartOptions::default()
        .max_file_size(usize::try_from(max_file).unwrap_or(usize::MAX))
        .max_num_files(1);
    async_graphql::http::receive_batch_body(Some(content_type), reader, opts).await.map_err(|e| match e {
        async_graphql::ParseRequestError::PayloadTooLarge => bad_request(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the file is larger than the {} MiB an upload may hold", max_file >> 20),
        ),
        e => bad_request(StatusCode::BAD_REQUEST, format!("the upload could not be read: {e}")),
    })
}

/// Each request of a batch gets its own lazily authenticated copy.
fn take_auth(a: &RequestAuth) -> RequestAuth {
    RequestAuth {
        bearer: a.bearer.clone(),
        workspace: a.workspace.clone(),
        refresh_cookie: a.refresh_cookie.clone(),
        web_client: a.web_client,
        malformed_authorization: a.malformed_authorization,
        ip: a.ip.clone(),
        request_id: a.request_id.clone(),
        ..Default::default()
    }
}
