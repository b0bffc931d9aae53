//! Lead capture from forms: `GET /f/{key}` serves a hosted form (email, names, company,
//! message), and `POST /t/leads` takes what a form posts, the hosted one or a
//! customer's own (`application/x-www-form-urlencoded`), or JSON from an integration.
//! Both are authenticated by the workspace's publishable key. The contact is found or
//! made by its email, the lead captured (source `FORM`, named by the form), scored and
//! routed like any other.
//!
//! A form post answers with a redirect to the form's `redirect` (http or https) or a
//! short thank-you page; JSON answers JSON. Refusals name the field.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{cors, refuse};
use crate::http::AppState;

/// Largest form.
const MAX_BODY: usize = 32 * 1024;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[derive(Deserialize)]
pub(super) struct FormQuery {
    form: Option<String>,
    redirect: Option<String>,
}

/// The hosted form of the workspace whose key is `key`.
pub(super) async fn hosted(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<FormQuery>,
) -> Response {
    if domain::tracking::key_ctx(&state.parley, &key).await.is_err() {
        return (
            StatusCode::NOT_FOUND,
            Html("<!doctype html><title>Not found</title><p>This form does not exist.</p>"),
        )
            .into_response();
    }
    let form = escape(q.form.as_deref().unwrap_or("Contact us"));
    let redirect = q.redirect.as_deref().map(escape).unwrap_or_default();
    let key = escape(&key);
    let page = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{form}</title>
<style>body{{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1d2430}}
label{{display:block;margin:.8rem 0 .2rem}}input,textarea{{width:100%;padding:.5rem;border:1px solid #b8c0cc;border-radius:4px;font:inherit;box-sizing:border-box}}
button{{margin-top:1rem;padding:.6rem 1.2rem;border:0;border-radius:4px;background:#2956d6;color:#fff;font:inherit}}</style></head>
<body><h1>{form}</h1>
<form method="post" action="/t/leads">
<input type="hidden" name="key" value="{key}"><input type="hidden" name="form" value="{form}">
<input type="hidden" name="redirect" value="{redirect}">
<label for="email">Email</label><input id="email" name="email" type="email" required autocomplete="email">
<label for="first_name">First name</label><input id="first_name" name="first_name" autocomplete="given-name">
<label for="last_name">Last name</label><input id="last_name" name="last_name" autocomplete="family-name">
<label for="company">Company</label><input id="company" name="attr.company" autocomplete="organization">
<label for="message">Message</label><textarea id="message" name="message" rows="4"></textarea>
<button type="submit">Send</button>
</form></body></html>"#
    );
    let mut res = Html(page).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// What a form or integration sent, as one JSON object.
fn fields(headers: &HeaderMap, bytes: &[u8]) -> Result<(Map<String, Value>, bool), Box<Response>> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if form {
        let mut out = Map::new();
        for (k, v) in url::form_urlencoded::parse(bytes) {
            out.insert(k.into_owned(), Value::String(v.into_owned()));
        }
        return Ok((out, true));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok((m, false)),
        Ok(_) => Err(Box::new(refuse(StatusCode::BAD_REQUEST, "send a JSON object or a form", None))),
        Err(e) => Err(Box::new(refuse(StatusCode::BAD_REQUEST, &format!("the body is not JSON: {e}"), None))),
    }
}

fn text(m: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| m.get(*n).and_then(Value::as_str))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `POST /t/leads`.
pub(super) async fn capture(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "the request body is larger than 32 KiB", None);
    };
    let (m, is_form) = match fields(&headers, &bytes) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let fail = |status: StatusCode, message: &str, field: Option<&str>| {
        if is_form {
            let what = field.map(|f| format!("{f}: ")).unwrap_or_default();
            let page = format!(
                "<!doctype html><meta charset=\"utf-8\"><title>Not sent</title><p>Not sent: {}{}</p><p><a href=\"javascript:history.back()\">Back</a></p>",
                escape(&what),
                escape(message)
            );
            (status, Html(page)).into_response()
        } else {
            refuse(status, message, field)
        }
    };
    let Some(key) =
        text(&m, &["key"]).or_else(|| headers.get("x-parley-key").and_then(|v| v.to_str().ok()).map(str::to_owned))
    else {
        return fail(StatusCode::UNAUTHORIZED, "send the workspace's publishable key (key)", Some("key"));
    };
    let ctx = match domain::tracking::key_ctx(&state.parley, &key).await {
        Ok(c) => c,
        Err(e) => return fail(StatusCode::UNAUTHORIZED, &e.to_string(), Some("key")),
    };
    let Some(email) = text(&m, &["email"]) else {
        return fail(StatusCode::BAD_REQUEST, "is required", Some("email"));
    };
    let redirect = text(&m, &["redirect"]);
    if let Some(r) = &redirect
        && !url::Url::parse(r).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
    {
        return fail(StatusCode::BAD_REQUEST, "is an http or https URL", Some("redirect"));
    }
    let mut attributes = Map::new();
    for (k, v) in &m {
        if let Some(name) = k.strip_prefix("attr.") {
            attributes.insert(name.to_owned(), v.clone());
        }
    }
    if let Some(Value::Object(a)) = m.get("attributes") {
        attributes.extend(a.clone());
    }
    let set = |v: Option<String>| v.map_or(domain::contacts::Edit::Keep, domain::contacts::Edit::Set);
    let changes = domain::contacts::ContactChanges {
        email: domain::contacts::Edit::Set(email),
        first_name: set(text(&m, &["first_name", "firstName"])),
        last_name: set(text(&m, &["last_name", "lastName"])),
        attributes,
        ..Default::default()
    };
    let form = text(&m, &["form"]).unwrap_or_else(|| "Form".to_owned());
    let input = domain::leads::CaptureInput { contact: None, changes: Some(changes), note: Some(form) };
    match domain::leads::capture(&ctx, &state.parley, input, domain::leads::Source::Form).await {
        Ok((lead, new)) => {
            if let Some(message) = text(&m, &["message"]) {
                let _ = domain::leads::note(&ctx, &state.parley, lead.id, &message).await;
            }
            if !is_form {
                let id = domain::validate::global_ref(lead.id);
                return cors((StatusCode::OK, axum::Json(json!({ "lead": id, "new": new }))).into_response());
            }
            match redirect {
                Some(r) => Redirect::to(&r).into_response(),
                None => Html("<!doctype html><meta charset=\"utf-8\"><title>Thank you</title><p>Thank you, we will be in touch.</p>")
                    .into_response(),
            }
        }
        Err(domain::Error::Invalid { field, message }) => fail(StatusCode::BAD_REQUEST, &message, Some(&field)),
        Err(e @ domain::Error::Unavailable(_)) => fail(StatusCode::SERVICE_UNAVAILABLE, &e.to_string(), None),
        Err(e) => {
            tracing::error!(error = %e, "lead capture failed");
            fail(StatusCode::INTERNAL_SERVER_ERROR, "internal error", None)
        }
    }
}
