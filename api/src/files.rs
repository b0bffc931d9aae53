//! File downloads: an import's error report and an export's CSV, with the same
//! credentials as the API (a bearer token, or the web app's session cookie: a link
//! in the app is a plain GET, which changes nothing and which another site cannot read).

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::TryStreamExt;

use crate::http::{AppState, cookie};

/// The download routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/files/imports/{id}/errors.csv", get(error_report))
        .route("/files/exports/{id}/contacts.csv", get(export))
        .with_state(state)
}

fn failure(e: domain::Error) -> Response {
    use domain::Error as E;
    let (status, msg) = match &e {
        E::NotFound => (StatusCode::NOT_FOUND, "not found".to_owned()),
        E::Unauthenticated(m) => (StatusCode::UNAUTHORIZED, m.clone()),
        E::Forbidden(m) => (StatusCode::FORBIDDEN, m.clone()),
        E::Conflict(m) => (StatusCode::CONFLICT, m.clone()),
        E::Invalid { field, message } => (StatusCode::BAD_REQUEST, format!("{field} {message}")),
        E::RateLimited(m) => (StatusCode::TOO_MANY_REQUESTS, m.clone()),
        E::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "try again".to_owned()),
        E::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned()),
    };
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], msg).into_response()
}

/// The request's tenant: `Authorization: Bearer …` or the session cookie, and the
/// workspace header or cookie.
async fn tenant(state: &AppState, headers: &HeaderMap) -> domain::Result<domain::TenantCtx> {
    let bearer = match headers.get(header::AUTHORIZATION).map(|v| v.to_str()) {
        Some(Ok(v)) => match v.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Some(token.trim().to_owned()),
            _ => None,
        },
        Some(Err(_)) => None,
        None => cookie(headers, "parley_at"),
    };
    let workspace = headers
        .get("x-parley-workspace")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| cookie(headers, "parley_ws"));
    crate::graphql::tenant_of(&state.parley, bearer.as_deref(), workspace.as_deref()).await
}

fn csv_response(name: &str, body: Body) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

async fn error_report(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let t = match tenant(&state, &headers).await {
        Ok(t) => t,
        Err(e) => return failure(e),
    };
    let run = async {
        let id = crate::graphql::id_in("ContactImport", "id", &id)?;
        domain::imports::error_report(&t, &state.parley, id.into()).await
    };
    match run.await {
        Ok((imp, stream)) => {
            let name = format!("errors-{}", imp.file_name);
            csv_response(&name, Body::from_stream(stream.map_err(|e| std::io::Error::other(e.to_string()))))
        }
        Err(e) => failure(e),
    }
}

async fn export(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let t = match tenant(&state, &headers).await {
        Ok(t) => t,
        Err(e) => return failure(e),
    };
    let run = async {
        let id = crate::graphql::id_in("ContactExport", "id", &id)?;
        domain::exports::download(&t, &state.parley, id.into()).await
    };
    match run.await {
        Ok((name, stream)) => csv_response(&name, Body::from_stream(stream)),
        Err(e) => failure(e),
    }
}
