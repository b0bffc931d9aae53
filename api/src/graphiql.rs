//! GraphiQL at `GET /graphql`, served entirely by Parley: our own small page and boot
//! script (compiled in), and pinned production builds of GraphiQL and React that
//! `scripts/build-web.sh` copies from `web/graphiql/` into `site/graphiql/`. Nothing is
//! fetched from another host, so it works offline and under the same-origin policy.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The page (no inline script: the boot code is `parley-graphiql.js`).
const PAGE: &str = include_str!("graphiql/page.html");
/// Our boot script: renders GraphiQL against `/graphql`.
const BOOT_JS: &str = include_str!("graphiql/parley-graphiql.js");
/// Our few layout rules (GraphiQL fills the window).
const PAGE_CSS: &str = include_str!("graphiql/parley-graphiql.css");

/// Where the assets live below the site root.
pub const ASSET_DIR: &str = "graphiql";

/// Assets copied from npm by `scripts/build-web.sh`; nothing else under the directory is
/// served, so the route cannot be walked to other files.
const VENDORED: &[(&str, &str)] = &[
    ("graphiql.min.js", "text/javascript; charset=utf-8"),
    ("graphiql.min.css", "text/css; charset=utf-8"),
    ("react.production.min.js", "text/javascript; charset=utf-8"),
    ("react-dom.production.min.js", "text/javascript; charset=utf-8"),
];

/// The GraphiQL page's policy: scripts from Parley only; styles may also be inline
/// because GraphiQL's components inject `<style>` elements at run time (CSS-in-JS);
/// its fonts are `data:` URIs inside its stylesheet.
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; \
     frame-ancestors 'none'; form-action 'self'";

/// The GraphiQL page for `GET /graphql`.
pub fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP)),
        ],
        PAGE,
    )
        .into_response()
}

/// `/graphiql/*`: the boot script, the page's stylesheet and the vendored builds.
pub fn router(site_root: PathBuf) -> Router {
    Router::new().route("/graphiql/{file}", get(asset)).with_state(site_root)
}

async fn asset(State(site_root): State<PathBuf>, UrlPath(file): UrlPath<String>) -> Response {
    match file.as_str() {
        "parley-graphiql.js" => return served("text/javascript; charset=utf-8", BOOT_JS.as_bytes().to_vec()),
        "parley-graphiql.css" => return served("text/css; charset=utf-8", PAGE_CSS.as_bytes().to_vec()),
        _ => {}
    }
    let Some((name, content_type)) = VENDORED.iter().find(|(name, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match tokio::fs::read(vendored_path(&site_root, name)).await {
        Ok(bytes) => served(content_type, bytes),
        Err(e) => {
            tracing::warn!(error = %e, file = name, "GraphiQL asset missing; run scripts/build-web.sh");
            StatusCode::NOT_FOUND.into_response()
        }
    }
}

fn vendored_path(site_root: &Path, name: &str) -> PathBuf {
    site_root.join(ASSET_DIR).join(name)
}

fn served(content_type: &'static str, bytes: Vec<u8>) -> Response {
    // Short caching: the file names carry no version, and a new build may change them.
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=300")], bytes).into_response()
}
