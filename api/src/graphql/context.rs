//! What a request brings (credentials, chosen workspace, client address) and the
//! lazily built, per-request tenant context.

use async_graphql::{Context, ErrorExtensions};
use domain::identity::auth::Principal;
use domain::{Parley, TenantCtx};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// Header the web client sends; cookie authentication requires it (a form on another
/// site cannot send a custom header) and it asks for session cookies in return.
pub const WEB_CLIENT_HEADER: &str = "x-parley-csrf";

/// The credentials and choices of one HTTP request.
#[derive(Debug, Default)]
pub struct RequestAuth {
    /// `Authorization: Bearer …`, or the session cookie of the web client.
    pub bearer: Option<String>,
    /// The raw `X-Parley-Workspace` header (or the web client's cookie).
    pub workspace: Option<String>,
    /// The refresh cookie of the web client.
    pub refresh_cookie: Option<String>,
    /// Whether the request comes from the web client (sets cookies).
    pub web_client: bool,
    /// Whether the `Authorization` header was malformed.
    pub malformed_authorization: bool,
    /// The client's address.
    pub ip: Option<String>,
    /// The request's ID, for opaque internal errors.
    pub request_id: String,
    /// Filled on first use.
    pub(crate) principal: OnceCell<Principal>,
    pub(crate) tenant: OnceCell<TenantCtx>,
    pub(crate) loaders: OnceCell<super::loaders::Loaders>,
}

/// Maps a domain error to a GraphQL error with its code.
pub fn gql_error(err: domain::Error, request_id: &str) -> async_graphql::Error {
    use domain::Error as E;
    let (code, message, field) = match &err {
        E::NotFound => ("NOT_FOUND", "not found".to_owned(), None),
        E::Forbidden(m) => ("FORBIDDEN", m.clone(), None),
        E::Unauthenticated(m) => ("UNAUTHENTICATED", m.clone(), None),
        E::Invalid { field, message } => ("BAD_USER_INPUT", format!("{field} {message}"), Some(field.clone())),
        E::Conflict(m) => ("CONFLICT", m.clone(), None),
        E::RateLimited(m) => ("RATE_LIMITED", m.clone(), None),
        E::Unavailable(_) => {
            ("UNAVAILABLE", format!("the service is temporarily unavailable, try again (request {request_id})"), None)
        }
        E::Internal(_) => ("INTERNAL", format!("internal error (request {request_id})"), None),
    };
    let retryable = err.is_retryable();
    async_graphql::Error::new(message).extend_with(|_, e| {
        e.set("code", code);
        if retryable {
            e.set("retryable", true);
        }
        if let Some(f) = field {
            e.set("field", f);
        }
    })
}

pub(crate) fn auth<'a>(ctx: &'a Context<'_>) -> &'a RequestAuth {
    static EMPTY: std::sync::OnceLock<RequestAuth> = std::sync::OnceLock::new();
    ctx.data_opt::<RequestAuth>().unwrap_or_else(|| EMPTY.get_or_init(RequestAuth::default))
}

pub(crate) fn parley<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Parley> {
    ctx.data::<Parley>()
}

/// Converts a domain result, attaching the request ID to internal errors.
pub(crate) trait OrGql<T> {
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T>;
}

impl<T> OrGql<T> for domain::Result<T> {
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T> {
        self.map_err(|e| gql_error(e, &auth(ctx).request_id))
    }
}

/// The authenticated principal, or `UNAUTHENTICATED`.
pub(crate) async fn principal<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Principal> {
    let a = auth(ctx);
    let p = parley(ctx)?;
    let res = a
        .principal
        .get_or_try_init(|| async {
            if a.malformed_authorization {
                return Err(domain::Error::Unauthenticated("the Authorization header must be `Bearer <token>`".into()));
            }
            match &a.bearer {
                Some(b) => domain::identity::auth::authenticate(p, b).await,
                None => Err(domain::Error::Unauthenticated("log in or send an API key".into())),
            }
        })
        .await;
    res.gql(ctx)
}

/// The workspace the request names: a workspace global ID or a plain UUID.
pub(crate) fn chosen_workspace(raw: Option<&str>) -> domain::Result<Option<domain::WorkspaceId>> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if let Ok(u) = Uuid::try_parse(raw) {
        return Ok(Some(u.into()));
    }
    match super::ids::parse_any(raw) {
        Some((t, u)) if t == "Workspace" => Ok(Some(u.into())),
        Some(_) => Err(domain::Error::NotFound),
        None => Err(domain::Error::invalid("X-Parley-Workspace", "is not a workspace ID")),
    }
}

/// The tenant context of the request (authenticated, workspace resolved, role known).
pub(crate) async fn tenant<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a TenantCtx> {
    let principal = principal(ctx).await?;
    let a = auth(ctx);
    let res = a
        .tenant
        .get_or_try_init(|| async {
            let ws = chosen_workspace(a.workspace.as_deref())?;
            domain::identity::auth::tenant_ctx(principal, ws)
        })
        .await;
    res.gql(ctx)
}

/// The person behind the request, acting on their own account (API keys have none:
/// `FORBIDDEN`).
pub(crate) async fn user(ctx: &Context<'_>) -> async_graphql::Result<domain::UserCtx> {
    let principal = principal(ctx).await?;
    domain::identity::auth::user_ctx(principal).gql(ctx)
}

/// The tenant context of a plain HTTP request (a file download) with these
/// credentials and chosen workspace: the same rules as a GraphQL request.
pub(crate) async fn tenant_of(p: &Parley, bearer: Option<&str>, workspace: Option<&str>) -> domain::Result<TenantCtx> {
    let bearer = bearer.ok_or_else(|| domain::Error::Unauthenticated("log in or send an API key".into()))?;
    let principal = domain::identity::auth::authenticate(p, bearer).await?;
    domain::identity::auth::tenant_ctx(&principal, chosen_workspace(workspace)?)
}
