#![recursion_limit = "256"]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
//! Parley's web UI: a Leptos app rendered on the server (`ssr`) and hydrated in the
//! browser (`hydrate`). It reaches the product only through GraphQL over HTTP.

pub mod app;
mod components;
pub mod gql;
pub mod ops;
mod pages;
mod session;

#[cfg(feature = "ssr")]
mod server;
#[cfg(feature = "ssr")]
pub use server::{PKG_DIR, leptos_options, web_router};

/// The browser entry point: hydrates the server-rendered page, then marks
/// `<body data-hydrated="true">` so tests (and people debugging) can tell.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.dataset().set("hydrated", "true");
    }
}
