//! How a new session reaches the client: tokens in the answer for API clients, httpOnly
//! cookies for the web client.

use async_graphql::Context;

use super::AuthPayload;
use super::User;
use crate::graphql::context::{OrGql, RequestAuth, auth, parley};
use crate::graphql::workspaces::Workspace;

const ACCESS_COOKIE: &str = "parley_at";
const REFRESH_COOKIE: &str = "parley_rt";

/// The web client keeps its session in httpOnly cookies rather than script memory.
fn set_session_cookies(ctx: &Context<'_>, a: &RequestAuth, s: &domain::identity::auth::Session) {
    if !a.web_client {
        return;
    }
    let secure = parley(ctx).map(|p| p.settings().public_url.starts_with("https://")).unwrap_or(false);
    let flags = if secure { "; Secure" } else { "" };
    ctx.append_http_header(
        "Set-Cookie",
        format!("{ACCESS_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=900{flags}", s.access_token),
    );
    ctx.append_http_header(
        "Set-Cookie",
        format!("{REFRESH_COOKIE}={}; Path=/graphql; HttpOnly; SameSite=Lax; Max-Age=2592000{flags}", s.refresh_token),
    );
}

/// Ends the web client's session cookies.
pub(super) fn clear_session_cookies(ctx: &Context<'_>) {
    ctx.append_http_header("Set-Cookie", format!("{ACCESS_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"));
    ctx.append_http_header(
        "Set-Cookie",
        format!("{REFRESH_COOKIE}=; Path=/graphql; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
}

/// The web client gets its tokens only as httpOnly cookies: page scripts never see
/// them. API clients get them in the answer.
pub(crate) fn payload(ctx: &Context<'_>, s: domain::identity::auth::Session) -> AuthPayload {
    let a = auth(ctx);
    set_session_cookies(ctx, a, &s);
    let (access_token, refresh_token) =
        if a.web_client { (None, None) } else { (Some(s.access_token), Some(s.refresh_token)) };
    AuthPayload { access_token, refresh_token, user: User(s.user), workspace: Workspace(s.workspace) }
}

/// The client's details that identity rules weigh (throttling, notices).
pub(crate) fn client(ctx: &Context<'_>) -> domain::identity::accounts::Client {
    domain::identity::accounts::Client { ip: auth(ctx).ip.clone() }
}

/// The refresh token from the argument, else the web client's cookie.
pub(super) fn refresh_token_arg(ctx: &Context<'_>, token: Option<String>) -> async_graphql::Result<String> {
    token
        .or_else(|| auth(ctx).refresh_cookie.clone())
        .ok_or(domain::Error::invalid("refreshToken", "is required"))
        .gql(ctx)
}
