//! What campaign emails link back to, and what comes back from mail servers:
//! `/u/{token}` (the unsubscribe page, and the one-click `POST` of RFC 8058),
//! `/hooks/inbound-email/{secret}` (raw bounces and feedback reports), and
//! `/verify-email` (the link in the sign-up email: a plain GET verifies the address).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::http::AppState;

/// The web app's stylesheet (served with the web pages; without them the page is plain).
const STYLESHEET: &str = "/parley.css";

/// The largest raw message taken (a bounce quoting its original with attachments).
const INBOUND_MAX: usize = 10 << 20;

/// The email routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/u/{token}", get(unsubscribe_page).post(unsubscribe))
        .route("/hooks/inbound-email/{secret}", post(inbound).layer(DefaultBodyLimit::max(INBOUND_MAX)))
        .route("/verify-email", get(verify_email))
        .route("/t/o/{token}", get(opened))
        .route("/t/c/{token}", get(clicked))
        .with_state(state)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A small page in Parley's own style (no scripts).
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{t}</title><link rel=\"stylesheet\" \
         href=\"{css}\"></head><body><main class=\"auth-page\"><div class=\"auth-card\" data-testid=\"email-page\">\
         <h1>{t}</h1>{body}</div></main></body></html>",
        t = escape(title),
        css = STYLESHEET,
    );
    let mut res = (status, Html(html)).into_response();
    // The token in the URL never leaves as a Referer.
    res.headers_mut().insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    res
}

fn not_valid() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "This link is not valid",
        "<p class=\"muted\">Open the link from the email again. If it still does not work, reply to the email and ask to be removed.</p>",
    )
}

async fn unsubscribe_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    if token == "preview" {
        return page(
            StatusCode::OK,
            "Unsubscribe",
            "<p class=\"muted\">This is a preview: in a sent email, this link unsubscribes its recipient.</p>",
        );
    }
    match domain::campaigns::suppressions::unsubscribe_info(&state.parley, &token).await {
        Ok(info) if info.already => page(
            StatusCode::OK,
            "You are unsubscribed",
            &format!(
                "<p data-testid=\"unsubscribed\">{} no longer receives emails from {}.</p>",
                escape(&info.email),
                escape(&info.workspace)
            ),
        ),
        Ok(info) => page(
            StatusCode::OK,
            "Unsubscribe",
            &format!(
                "<p>Stop emails from <strong>{}</strong> to {}?</p><form method=\"post\" class=\"form\">\
                 <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
                 <button class=\"btn btn-primary\" type=\"submit\" data-testid=\"unsubscribe\">Unsubscribe</button></form>",
                escape(&info.workspace),
                escape(&info.email)
            ),
        ),
        Err(domain::Error::NotFound) => not_valid(),
        Err(e) => failed(e),
    }
}

fn failed(e: domain::Error) -> Response {
    tracing::warn!(error = %e, "an email link could not be served");
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Please try again",
        "<p class=\"muted\">Something went wrong on our side; try the link again in a minute.</p>",
    )
}

/// The one-click unsubscribe (a mail client's `POST` of `List-Unsubscribe=One-Click`), and
/// the page's button.
async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match domain::campaigns::suppressions::unsubscribe(&state.parley, &token).await {
        Ok(info) => page(
            StatusCode::OK,
            "You are unsubscribed",
            &format!(
                "<p data-testid=\"unsubscribed\">{} no longer receives emails from {}.</p>",
                escape(&info.email),
                escape(&info.workspace)
            ),
        ),
        Err(domain::Error::NotFound) => not_valid(),
        Err(e) => failed(e),
    }
}

/// A raw message (`message/rfc822`) that came back: kept and applied; answered 202
/// whatever it holds, so a mail server never retries a message Parley cannot read.
async fn inbound(State(state): State<AppState>, Path(secret): Path<String>, body: Bytes) -> Response {
    match domain::campaigns::inbound::receive(&state.parley, &secret, &body).await {
        Ok(m) => (StatusCode::ACCEPTED, format!("{:?}\n", m.outcome).to_lowercase()).into_response(),
        Err(domain::Error::NotFound) => (StatusCode::NOT_FOUND, "not found\n").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "an inbound message could not be stored");
            // Not stored: the sender should try again.
            (StatusCode::SERVICE_UNAVAILABLE, "try again\n").into_response()
        }
    }
}

/// A transparent 1×1 GIF.
const PIXEL: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

/// The open pixel: recorded, then the same picture whatever happened (a mail client
/// shows nothing either way).
async fn opened(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    if let Err(e) = domain::campaigns::responses::open(&state.parley, &token).await
        && !matches!(e, domain::Error::NotFound)
    {
        tracing::warn!(error = %e, "an open could not be recorded");
    }
    ([(header::CONTENT_TYPE, "image/gif"), (header::CACHE_CONTROL, "no-store, max-age=0")], PIXEL).into_response()
}

#[derive(serde::Deserialize)]
struct ClickQuery {
    #[serde(default)]
    u: String,
}

/// A tracked link: recorded, then on to where the message pointed. A link Parley did
/// not sign leads nowhere (never an open redirect).
async fn clicked(State(state): State<AppState>, Path(token): Path<String>, Query(q): Query<ClickQuery>) -> Response {
    match domain::campaigns::responses::click(&state.parley, &token, &q.u).await {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(domain::Error::NotFound) => not_valid(),
        Err(e) => failed(e),
    }
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The emailed verification link: verifies on the GET itself (no script needed), then
/// shows the result page.
async fn verify_email(State(state): State<AppState>, Query(q): Query<TokenQuery>) -> Response {
    let to = match domain::identity::accounts::verify_email(&state.parley, &q.token).await {
        Ok(user) => format!("/email-verified?email={}", urlencode(&user.email)),
        Err(e) => {
            let why = match e {
                domain::Error::Invalid { message, .. } => message,
                domain::Error::NotFound => "the link is invalid, used or expired".to_owned(),
                _ => "something went wrong; try the link again".to_owned(),
            };
            format!("/email-verified?failed={}", urlencode(&why))
        }
    };
    let mut res = Redirect::to(&to).into_response();
    res.headers_mut().insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
    res
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
