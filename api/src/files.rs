//! File downloads: an import's error report, an export's CSV, an optimization run's
//! chosen proposals and an asset version's
//! file, with the same credentials as the API (a bearer token, or the web app's session cookie: a link
//! in the app is a plain GET, which changes nothing and which another site cannot read).
//! And one rendered page: the template editor's preview of an email, posted by the
//! editor into its sandboxed frame so the email is shown under its own policy (inline
//! styles, pictures from anywhere) rather than the app's.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::TryStreamExt;

use crate::http::{AppState, cookie};

/// The download routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/files/imports/{id}/errors.csv", get(error_report))
        .route("/files/exports/{id}/contacts.csv", get(export))
        .route("/files/optimizations/{id}/chosen.csv", get(optimization))
        .route("/files/assets/{id}", get(asset_version))
        .route("/files/email-preview", post(email_preview))
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

/// `Content-Disposition` naming `name` in plain ASCII (anything else becomes `_`).
fn disposition(how: &str, name: &str) -> Option<HeaderValue> {
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    HeaderValue::from_str(&format!("{how}; filename=\"{safe}\"")).ok()
}

fn csv_response(name: &str, body: Body) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Some(v) = disposition("attachment", name) {
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
    stored_csv(&state, &headers, "ContactExport", &id, |t, p, id| async move {
        domain::exports::download(&t, &p, id.into()).await
    })
    .await
}

async fn optimization(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    stored_csv(&state, &headers, "OptimizationRun", &id, |t, p, id| async move {
        domain::decisions::optimization::download(&t, &p, id.into()).await
    })
    .await
}

/// A stored CSV file the request's workspace may read: `read` finds it from the ID of
/// a `kind` object (another workspace's is not found).
async fn stored_csv<F, Fut, S>(state: &AppState, headers: &HeaderMap, kind: &str, id: &str, read: F) -> Response
where
    F: FnOnce(domain::TenantCtx, domain::Parley, uuid::Uuid) -> Fut,
    Fut: std::future::Future<Output = domain::Result<(String, S)>>,
    S: futures::Stream<Item = std::io::Result<axum::body::Bytes>> + Send + 'static,
{
    let t = match tenant(state, headers).await {
        Ok(t) => t,
        Err(e) => return failure(e),
    };
    let found = match crate::graphql::id_in(kind, "id", id) {
        Ok(id) => read(t, state.parley.clone(), id).await,
        Err(e) => Err(e),
    };
    match found {
        Ok((name, stream)) => csv_response(&name, Body::from_stream(stream)),
        Err(e) => failure(e),
    }
}

/// The policy of HTML shown in a frame (an HTML asset, an email's preview): no script,
/// no form, an opaque origin; styles and pictures as a mail app would load them.
const SANDBOXED_HTML: &str = "sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline' *; font-src * data:; frame-ancestors 'self'";

/// What a version's file may do where it is shown: HTML and SVG are sandboxed (no
/// script, no form, no same-origin access; pictures and styles from anywhere, as an
/// email client would show them); every kind may be framed by Parley's own pages only.
fn asset_policy(kind: domain::AssetKind, content_type: &str) -> &'static str {
    match kind {
        domain::AssetKind::Html => SANDBOXED_HTML,
        domain::AssetKind::Image if content_type.starts_with("image/svg") => {
            "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
        }
        domain::AssetKind::Image | domain::AssetKind::Pdf => "frame-ancestors 'self'",
    }
}

#[derive(serde::Deserialize)]
struct AssetQuery {
    /// Set to download rather than show.
    download: Option<String>,
}

async fn asset_version(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AssetQuery>,
    headers: HeaderMap,
) -> Response {
    let t = match tenant(&state, &headers).await {
        Ok(t) => t,
        Err(e) => return failure(e),
    };
    let run = async {
        let id = crate::graphql::id_in("AssetVersion", "id", &id)?;
        domain::assets::content(&t, &state.parley, id.into()).await
    };
    let (v, stream) = match run.await {
        Ok(found) => found,
        Err(e) => return failure(e),
    };
    let mut res = (StatusCode::OK, Body::from_stream(stream)).into_response();
    let h = res.headers_mut();
    if let Ok(ct) = HeaderValue::from_str(&v.content_type) {
        h.insert(header::CONTENT_TYPE, ct);
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(v.size_bytes.max(0) as u64));
    // A version never changes once uploaded.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400, immutable"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(asset_policy(v.kind, &v.content_type)));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    if let Some(d) = disposition(if q.download.is_some() { "attachment" } else { "inline" }, &v.file_name) {
        h.insert(header::CONTENT_DISPOSITION, d);
    }
    res
}

/// What the editor posts to preview unsaved content: the template's parts and, by ID,
/// whose data to fill in (none: every tag shows its default).
#[derive(serde::Deserialize)]
struct PreviewForm {
    subject: String,
    mjml: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    contact: Option<String>,
}

/// `POST /files/email-preview`: the HTML of unsaved template content as a contact
/// would receive it. Only the app's own pages post here: the session cookie is
/// `SameSite=Lax` (no cookie on a post from another site), and a browser that says the
/// post came from elsewhere is refused outright.
async fn email_preview(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Form(form): axum::extract::Form<PreviewForm>,
) -> Response {
    if headers.get("sec-fetch-site").is_some_and(|v| v.as_bytes() != b"same-origin") {
        return failure(domain::Error::Forbidden("an email preview is posted by Parley's own pages".into()));
    }
    let t = match tenant(&state, &headers).await {
        Ok(t) => t,
        Err(e) => return failure(e),
    };
    let run = async {
        let contact = match form.contact.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(crate::graphql::id_in("Contact", "contactId", c)?.into()),
            None => None,
        };
        let input = domain::campaigns::templates::TemplateInput {
            name: "Preview".to_owned(),
            subject: form.subject,
            mjml: form.mjml,
            text: form.text,
        };
        domain::campaigns::templates::preview_input(&t, &state.parley, input, contact).await
    };
    match run.await {
        Ok(rendered) => {
            let mut res = (StatusCode::OK, rendered.html).into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(SANDBOXED_HTML));
            h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
            res
        }
        Err(e) => failure(e),
    }
}
