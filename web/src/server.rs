//! Serving the app from axum: server-rendered pages plus the wasm bundle in `site/pkg`.

use std::path::PathBuf;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::nonce::{provide_nonce, use_nonce};
use leptos::prelude::use_context;
use leptos_axum::{LeptosRoutes, ResponseOptions, generate_route_list, site_pkg_dir_service};

use crate::app::{App, STYLESHEET_PATH, shell};

// Leptos reads `LEPTOS_OUTPUT_NAME` while compiling: if it is set then, the page asks
// for `pkg/web.wasm` instead of `pkg/web_bg.wasm` and hydration silently never happens.
const _: () = assert!(
    option_env!("LEPTOS_OUTPUT_NAME").is_none(),
    "unset LEPTOS_OUTPUT_NAME while compiling the web crate; set it only at run time"
);

/// The stylesheet, compiled in so pages look right even before `site/` is built.
const STYLESHEET: &str = include_str!("../style/parley.css");

/// Where the wasm bundle lives under the site root (`site/pkg/web.js`, `web_bg.wasm`).
pub const PKG_DIR: &str = "pkg";

/// The Leptos options for a site root: output name `web`, bundle under `pkg/`.
pub fn leptos_options(site_root: PathBuf) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("web")
        .site_root(site_root.to_string_lossy().into_owned())
        .site_pkg_dir(PKG_DIR)
        .build()
}

/// The web app's routes (pages, `/pkg/*`, the stylesheet, `/` → `/app`), ready to be
/// merged into the API router. It sets no fallback, so it merges with a router that has
/// one, and claims none of the API's paths (`/graphql`, `/healthz`, `/t/*`, …).
pub fn web_router(site_root: PathBuf) -> Router {
    let options = leptos_options(site_root);
    let routes = generate_route_list(App);
    let pkg_route = format!("/{PKG_DIR}/{{*path}}");
    Router::new()
        .leptos_routes(&options, routes, {
            let options = options.clone();
            move || {
                allow_only_this_pages_scripts();
                shell(options.clone())
            }
        })
        .route_service(&pkg_route, site_pkg_dir_service(&options))
        .route(STYLESHEET_PATH, get(stylesheet))
        // A plain redirect rather than a Leptos one: a streamed page has already sent
        // its 200 by the time a component asks to redirect.
        .route("/", get(|| async { Redirect::temporary("/app") }))
        .with_state(options)
}

/// The policy of a server-rendered page: Parley's own files, plus the inline scripts
/// Leptos writes into this very page (hydration start, serialized resources), which
/// carry `nonce`. `'wasm-unsafe-eval'` lets the page compile its wasm; it allows no
/// JavaScript `eval`.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// Answers with the policy naming this render's nonce (leptos_axum makes a fresh one per
/// request and puts it on every inline script Leptos writes), so no other inline script
/// can run, whatever got into the page.
fn allow_only_this_pages_scripts() {
    if use_nonce().is_none() {
        provide_nonce();
    }
    let (Some(nonce), Some(response)) = (use_nonce(), use_context::<ResponseOptions>()) else {
        return;
    };
    if let Ok(policy) = HeaderValue::from_str(&page_policy(&nonce)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, policy);
    }
}

async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")], STYLESHEET)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    async fn get(path: &str) -> (StatusCode, String) {
        let router = web_router(PathBuf::from("site"));
        let request = Request::builder().uri(path).body(Body::empty());
        let Ok(request) = request else {
            unreachable!("a valid request");
        };
        let Ok(response) = router.oneshot(request).await;
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap_or_default();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn every_inline_script_of_a_page_carries_the_nonce_its_policy_names() {
        let router = web_router(PathBuf::from("site"));
        let Ok(request) = Request::builder().uri("/login").body(Body::empty()) else {
            unreachable!("a valid request");
        };
        let Ok(response) = router.oneshot(request).await;
        let policy = response
            .headers()
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap_or_default();
        let html = String::from_utf8_lossy(&body);
        let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).unwrap_or_default();
        assert!(nonce.len() >= 16, "the policy names a nonce: {policy}");
        assert!(policy.contains("'wasm-unsafe-eval'") && !policy.contains("'unsafe-inline'"), "{policy}");
        let scripts: Vec<&str> = html.split("<script").skip(1).collect();
        assert!(!scripts.is_empty(), "the page has its hydration script: {html}");
        for script in scripts {
            let tag = script.split('>').next().unwrap_or_default();
            assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "script without the nonce: <script{tag}>");
        }
        let (_, again) = get("/login").await;
        assert!(!again.contains(nonce), "every page gets a fresh nonce");
    }

    #[tokio::test]
    async fn the_login_page_is_rendered_on_the_server_with_its_wasm_bundle() {
        let (status, html) = get("/login").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"data-testid="login-form""#), "{html}");
        assert!(html.contains("/pkg/web.js"), "{html}");
        assert!(html.contains("/pkg/web_bg.wasm"), "the hydration script asks for web_bg.wasm");
        assert!(html.contains(STYLESHEET_PATH));
    }

    #[tokio::test]
    async fn app_pages_render_their_frame_without_data() {
        let (status, html) = get("/app/api-keys").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"data-testid="workspace-switcher""#), "{html}");
        assert!(html.contains(r#"data-testid="api-key-form""#), "{html}");
    }

    #[tokio::test]
    async fn password_recovery_pages_are_rendered_on_the_server() {
        let (status, html) = get("/login").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"href="/forgot-password""#), "the log-in page links to recovery: {html}");
        let (status, html) = get("/forgot-password").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"data-testid="forgot-form""#), "{html}");
        assert!(html.contains(r#"data-testid="field-email""#), "{html}");
        let (status, html) = get("/reset-password?token=abc").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"data-testid="reset-form""#), "{html}");
        assert!(html.contains(r#"data-testid="field-newPassword""#), "{html}");
        assert!(html.contains(r#"data-testid="field-confirmPassword""#), "{html}");
    }

    #[tokio::test]
    async fn the_jobs_page_renders_its_filter_and_hides_the_nav_item_until_the_role_is_known() {
        let (status, html) = get("/app/jobs").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"data-testid="jobs-filter-dead""#), "{html}");
        assert!(html.contains(r#"data-testid="workspace-switcher""#), "{html}");
        assert!(!html.contains(r#"data-testid="nav-jobs""#), "no role known on the server: {html}");
    }

    #[tokio::test]
    async fn the_stylesheet_is_served_and_unknown_paths_are_left_to_the_api_router() {
        let (status, css) = get(STYLESHEET_PATH).await;
        assert_eq!(status, StatusCode::OK);
        assert!(css.contains(".app-shell"));
        let (status, _) = get("/graphql").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = get("/").await;
        assert_eq!(status, StatusCode::TEMPORARY_REDIRECT);
    }
}
