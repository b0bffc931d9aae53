//! Serves only the web UI (no API) for working on pages: put a proxy in front that
//! sends `/graphql` to a running `parley` to use it with data.
//!
//! `cargo run -p web --features ssr --example web_only -- 127.0.0.1:3000 site`

use std::path::PathBuf;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:3000".into());
    let site = PathBuf::from(args.next().unwrap_or_else(|| "site".into()));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("web UI on http://{addr} (site root {})", site.display());
    axum::serve(listener, web::web_router(site)).await
}
