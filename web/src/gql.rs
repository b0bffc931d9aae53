//! GraphQL over HTTP from the browser: the same operations developers use.
//!
//! Every request goes to `/graphql` with the session cookies (`credentials:
//! same-origin`), the CSRF header the server requires for cookie auth, and the current
//! workspace. On the server (SSR) no request is made: pages render their frame and
//! forms, and data loads after hydration (docs/ARCHITECTURE.md, "Web").
//!
//! Operations are the typed ones of [`crate::ops`]: the variables are a struct, the
//! answer is decoded into the operation's own response type.

use graphql_client::GraphQLQuery;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// localStorage key that remembers the workspace the user is working in.
pub const WORKSPACE_STORAGE_KEY: &str = "parley.workspace";
/// Non-httpOnly cookie mirroring [`WORKSPACE_STORAGE_KEY`] for the server's benefit.
pub const WORKSPACE_COOKIE: &str = "parley_ws";

/// One error from a GraphQL response, with the parts the UI acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// Human-readable message, shown to the user.
    pub message: String,
    /// `extensions.code`, e.g. `BAD_USER_INPUT`, `UNAUTHENTICATED`, `FORBIDDEN`.
    pub code: Option<String>,
    /// `extensions.field` for `BAD_USER_INPUT`: the input field (camelCase) at fault.
    pub field: Option<String>,
}

/// The errors of one failed operation (never empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiErrors(pub Vec<ApiError>);

impl ApiErrors {
    /// A single error without code or field (transport failures and the like).
    pub fn message(message: impl Into<String>) -> Self {
        Self(vec![ApiError { message: message.into(), code: None, field: None }])
    }

    /// Whether any error carries `code`.
    pub fn has_code(&self, code: &str) -> bool {
        self.0.iter().any(|e| e.code.as_deref() == Some(code))
    }

    /// All messages joined, for a banner.
    pub fn summary(&self) -> String {
        let messages: Vec<&str> = self.0.iter().map(|e| e.message.as_str()).collect();
        messages.join("; ")
    }
}

impl std::fmt::Display for ApiErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

#[derive(Deserialize)]
struct RawResponse {
    data: Option<Value>,
    #[serde(default)]
    errors: Vec<RawError>,
}

#[derive(Deserialize)]
struct RawError {
    message: String,
    #[serde(default)]
    extensions: Option<RawExtensions>,
}

#[derive(Deserialize)]
struct RawExtensions {
    code: Option<String>,
    field: Option<String>,
}

/// Turns a GraphQL response body into the operation's data or its errors.
pub fn decode<T: DeserializeOwned>(body: &str) -> Result<T, ApiErrors> {
    let raw: RawResponse = serde_json::from_str(body)
        .map_err(|e| ApiErrors::message(format!("Unexpected response from the server ({e})")))?;
    if !raw.errors.is_empty() {
        return Err(ApiErrors(
            raw.errors
                .into_iter()
                .map(|e| {
                    let (code, field) = match e.extensions {
                        Some(x) => (x.code, x.field),
                        None => (None, None),
                    };
                    ApiError { message: e.message, code, field }
                })
                .collect(),
        ));
    }
    let data = raw.data.unwrap_or(Value::Null);
    serde_json::from_value(data).map_err(|e| ApiErrors::message(format!("Unexpected response from the server ({e})")))
}

/// Runs operation `Q` for a signed-in user: on `UNAUTHENTICATED` the session is
/// refreshed once and the operation retried; if that fails the browser goes to `/login`.
pub async fn call<Q: GraphQLQuery>(variables: Q::Variables) -> Result<Q::ResponseData, ApiErrors> {
    let body = body::<Q>(variables)?;
    match send::<Q::ResponseData>(&body).await {
        Err(errors) if errors.has_code("UNAUTHENTICATED") => {
            if browser::refresh_session().await {
                let retried = send::<Q::ResponseData>(&body).await;
                if matches!(&retried, Err(e) if e.has_code("UNAUTHENTICATED")) {
                    browser::go_to_login();
                }
                retried
            } else {
                browser::go_to_login();
                Err(errors)
            }
        }
        other => other,
    }
}

/// Runs operation `Q` without the refresh-and-redirect dance (sign-up, log-in and other
/// pages a signed-out visitor uses).
pub async fn call_public<Q: GraphQLQuery>(variables: Q::Variables) -> Result<Q::ResponseData, ApiErrors> {
    send::<Q::ResponseData>(&body::<Q>(variables)?).await
}

/// The request body of `Q` with `variables`: query text, operation name, variables.
fn body<Q: GraphQLQuery>(variables: Q::Variables) -> Result<String, ApiErrors> {
    serde_json::to_string(&Q::build_query(variables))
        .map_err(|e| ApiErrors::message(format!("Could not prepare the request ({e})")))
}

async fn send<T: DeserializeOwned>(body: &str) -> Result<T, ApiErrors> {
    let text = browser::post_graphql(body.to_owned()).await?;
    decode(&text)
}

/// A file the user chose in the browser (nothing while rendering on the server).
#[cfg(feature = "hydrate")]
pub type ChosenFile = web_sys::File;
/// A file the user chose in the browser (nothing while rendering on the server).
#[cfg(not(feature = "hydrate"))]
#[derive(Clone, Debug)]
pub struct ChosenFile;

/// The file the input holds, if any.
#[cfg(feature = "hydrate")]
pub fn chosen_file(ev: &leptos::ev::Event) -> Option<(ChosenFile, String, f64)> {
    use wasm_bindgen::JsCast;
    let input: web_sys::HtmlInputElement = ev.target()?.dyn_into().ok()?;
    let file = input.files()?.get(0)?;
    let name = file.name();
    let size = file.size();
    Some((file, name, size))
}

#[cfg(not(feature = "hydrate"))]
pub fn chosen_file(_ev: &leptos::ev::Event) -> Option<(ChosenFile, String, f64)> {
    None
}

/// Runs operation `Q` with `file` beside it (a GraphQL multipart request).
pub async fn upload<Q: GraphQLQuery>(variables: Q::Variables, file: &ChosenFile) -> Result<Q::ResponseData, ApiErrors> {
    let text = browser::post_multipart(body::<Q>(variables)?, file).await?;
    decode(&text)
}

/// The start of `file` (up to `n` bytes) as text, for a preview.
pub async fn file_head(file: &ChosenFile, n: i32) -> Result<String, ApiErrors> {
    browser::head(file, n).await
}

/// The workspace id remembered in this browser, if any.
pub fn stored_workspace() -> Option<String> {
    browser::stored_workspace()
}

/// This page's origin (`https://parley.example`); empty while rendering on the server.
pub fn origin() -> String {
    browser::origin()
}

/// Remembers (or forgets, with `None`) the current workspace in localStorage and the
/// `parley_ws` cookie.
pub fn store_workspace(id: Option<&str>) {
    browser::store_workspace(id);
}

/// Puts `text` on the clipboard; false when the browser refused (nothing on the server).
pub async fn copy_text(text: &str) -> bool {
    browser::copy_text(text).await
}

/// A `datetime-local` value (`2027-05-01T09:30`, the browser's own time) as an RFC 3339
/// instant in UTC; `None` when it is no such time (or while rendering on the server).
pub fn utc_from_local(local: &str) -> Option<String> {
    browser::utc_from_local(local)
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{ApiErrors, WORKSPACE_COOKIE, WORKSPACE_STORAGE_KEY};
    use futures::FutureExt;
    use futures::future::{LocalBoxFuture, Shared};
    use std::cell::RefCell;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Headers, HtmlDocument, Request, RequestCredentials, RequestInit, Response};

    thread_local! {
        // One refresh at a time: refresh tokens rotate, so parallel refreshes would
        // race each other and the loser would log the user out.
        static REFRESHING: RefCell<Option<Shared<LocalBoxFuture<'static, bool>>>> =
            const { RefCell::new(None) };
    }

    fn js_error(context: &str, err: JsValue) -> ApiErrors {
        let detail = err.as_string().unwrap_or_else(|| format!("{err:?}"));
        ApiErrors::message(format!("{context}: {detail}"))
    }

    pub async fn post_graphql(body: String) -> Result<String, ApiErrors> {
        post(&JsValue::from_str(&body), Some("application/json")).await
    }

    /// Posts `body` to `/graphql` with the web client's header and cookies; the content
    /// type is the browser's own when `None` (a form with its boundary).
    async fn post(body: &JsValue, content_type: Option<&str>) -> Result<String, ApiErrors> {
        let window = web_sys::window().ok_or_else(|| ApiErrors::message("no window"))?;
        let headers = Headers::new().map_err(|e| js_error("headers", e))?;
        let set = |name: &str, value: &str| headers.set(name, value).map_err(|e| js_error("headers", e));
        if let Some(ct) = content_type {
            set("Content-Type", ct)?;
        }
        set("Accept", "application/json")?;
        set("X-Parley-CSRF", "1")?;
        if let Some(ws) = stored_workspace() {
            set("X-Parley-Workspace", &ws)?;
        }
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_credentials(RequestCredentials::SameOrigin);
        init.set_headers(&headers);
        init.set_body(body);
        let request = Request::new_with_str_and_init("/graphql", &init).map_err(|e| js_error("request", e))?;
        let response = JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|e| js_error("Could not reach the server", e))?;
        let response: Response = response.dyn_into().map_err(|e| js_error("Could not reach the server", e))?;
        let text = JsFuture::from(response.text().map_err(|e| js_error("response", e))?)
            .await
            .map_err(|e| js_error("response", e))?;
        let text = text.as_string().unwrap_or_default();
        if !response.ok() && !text.trim_start().starts_with('{') {
            return Err(ApiErrors::message(format!(
                "The server answered {} {}",
                response.status(),
                response.status_text()
            )));
        }
        Ok(text)
    }

    /// Posts an operation with one file, as a GraphQL multipart request.
    pub async fn post_multipart(body: String, file: &web_sys::File) -> Result<String, ApiErrors> {
        let form = web_sys::FormData::new().map_err(|e| js_error("form", e))?;
        form.append_with_str("operations", &body).map_err(|e| js_error("form", e))?;
        form.append_with_str("map", r#"{"0": ["variables.file"]}"#).map_err(|e| js_error("form", e))?;
        form.append_with_blob_and_filename("0", file, &file.name()).map_err(|e| js_error("form", e))?;
        post(&form.into(), None).await
    }

    /// The first `n` bytes of `file` as text (invalid UTF-8 shown as replacement marks).
    pub async fn head(file: &web_sys::File, n: i32) -> Result<String, ApiErrors> {
        let part = file.slice_with_i32_and_i32(0, n).map_err(|e| js_error("file", e))?;
        let text = JsFuture::from(part.text()).await.map_err(|e| js_error("Could not read the file", e))?;
        Ok(text.as_string().unwrap_or_default())
    }

    pub async fn refresh_session() -> bool {
        let pending = REFRESHING.with(|slot| {
            let mut slot = slot.borrow_mut();
            if let Some(pending) = slot.as_ref() {
                return pending.clone();
            }
            let fut: LocalBoxFuture<'static, bool> = async {
                let result = super::call_public::<crate::ops::identity::RefreshSession>(
                    crate::ops::identity::refresh_session::Variables,
                )
                .await
                .is_ok();
                REFRESHING.with(|slot| slot.borrow_mut().take());
                result
            }
            .boxed_local();
            let shared = fut.shared();
            *slot = Some(shared.clone());
            shared
        });
        pending.await
    }

    pub fn go_to_login() {
        if let Some(window) = web_sys::window() {
            let location = window.location();
            let on_login = location.pathname().map(|p| p == "/login").unwrap_or(false);
            if !on_login {
                let _ = location.set_href("/login");
            }
        }
    }

    pub fn origin() -> String {
        web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
    }

    /// `navigator.clipboard.writeText(text)`, reached by name: one call does not justify
    /// web-sys's clipboard bindings (and their unstable-API flag).
    pub async fn copy_text(text: &str) -> bool {
        let Some(window) = web_sys::window() else {
            return false;
        };
        let get = |target: &JsValue, key: &str| {
            js_sys::Reflect::get(target, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
        };
        let Some(clipboard) = get(window.as_ref(), "navigator").and_then(|n| get(&n, "clipboard")) else {
            return false;
        };
        let Some(write) = get(&clipboard, "writeText").and_then(|f| f.dyn_into::<js_sys::Function>().ok()) else {
            return false;
        };
        match write.call1(&clipboard, &JsValue::from_str(text)).map(|p| p.dyn_into::<js_sys::Promise>()) {
            Ok(Ok(promise)) => JsFuture::from(promise).await.is_ok(),
            _ => false,
        }
    }

    pub fn utc_from_local(local: &str) -> Option<String> {
        // A date-time without an offset is read in the browser's own zone.
        let date = js_sys::Date::new(&JsValue::from_str(local.trim()));
        if date.get_time().is_nan() {
            return None;
        }
        date.to_iso_string().as_string()
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    pub fn stored_workspace() -> Option<String> {
        storage()?.get_item(WORKSPACE_STORAGE_KEY).ok()?.filter(|s| !s.is_empty())
    }

    pub fn store_workspace(id: Option<&str>) {
        if let Some(storage) = storage() {
            let _ = match id {
                Some(id) => storage.set_item(WORKSPACE_STORAGE_KEY, id),
                None => storage.remove_item(WORKSPACE_STORAGE_KEY),
            };
        }
        let document = web_sys::window().and_then(|w| w.document()).and_then(|d| d.dyn_into::<HtmlDocument>().ok());
        if let Some(document) = document {
            let cookie = match id {
                Some(id) => format!(
                    "{WORKSPACE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                    js_sys::encode_uri_component(id)
                ),
                None => format!("{WORKSPACE_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax"),
            };
            let _ = document.set_cookie(&cookie);
        }
    }
}

#[cfg(not(feature = "hydrate"))]
mod browser {
    //! Server-side stand-ins: pages never fetch data while rendering on the server.
    use super::ApiErrors;

    pub async fn post_graphql(_body: String) -> Result<String, ApiErrors> {
        Err(ApiErrors::message("data loads in the browser"))
    }

    pub async fn post_multipart(_body: String, _file: &super::ChosenFile) -> Result<String, ApiErrors> {
        Err(ApiErrors::message("files are sent from the browser"))
    }

    pub async fn head(_file: &super::ChosenFile, _n: i32) -> Result<String, ApiErrors> {
        Err(ApiErrors::message("files are read in the browser"))
    }

    pub async fn refresh_session() -> bool {
        false
    }

    pub fn go_to_login() {}

    pub fn origin() -> String {
        String::new()
    }

    pub async fn copy_text(_text: &str) -> bool {
        false
    }

    pub fn utc_from_local(_local: &str) -> Option<String> {
        None
    }

    pub fn stored_workspace() -> Option<String> {
        None
    }

    pub fn store_workspace(_id: Option<&str>) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    struct Me {
        me: Name,
    }
    #[derive(Deserialize, Debug)]
    struct Name {
        name: String,
    }

    #[test]
    fn data_is_decoded_into_the_operation_type() {
        let me: Me = decode(r#"{"data":{"me":{"name":"Ada"}}}"#).unwrap_or_else(|e| {
            unreachable!("{e}");
        });
        assert_eq!(me.me.name, "Ada");
    }

    #[test]
    fn bad_user_input_keeps_code_and_field() {
        let err = decode::<Me>(
            r#"{"data":null,"errors":[{"message":"already taken","extensions":{"code":"BAD_USER_INPUT","field":"email"}}]}"#,
        )
        .err();
        let expected = ApiErrors(vec![ApiError {
            message: "already taken".into(),
            code: Some("BAD_USER_INPUT".into()),
            field: Some("email".into()),
        }]);
        assert_eq!(err, Some(expected));
    }
}
