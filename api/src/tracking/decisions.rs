//! `POST /t/decide` and `POST /t/respond`: the lean decision endpoints for the snippet,
//! kiosks and tills, authenticated by the workspace's publishable key (which acts with
//! a sales role's rights). They answer what the GraphQL `decide` and `respond` answer,
//! as plain JSON, to any origin.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{cors, refuse};
use crate::http::AppState;

/// Largest request: a context at its largest, and some.
const MAX_BODY: usize = 64 * 1024;

fn failure(e: domain::Error) -> Response {
    use domain::Error as E;
    match e {
        E::Invalid { field, message } => refuse(StatusCode::BAD_REQUEST, &message, Some(&field)),
        E::Unauthenticated(m) => refuse(StatusCode::UNAUTHORIZED, &m, Some("key")),
        E::NotFound => refuse(StatusCode::NOT_FOUND, "not found", None),
        E::Forbidden(m) => refuse(StatusCode::FORBIDDEN, &m, None),
        E::Conflict(m) => refuse(StatusCode::CONFLICT, &m, None),
        E::RateLimited(m) => refuse(StatusCode::TOO_MANY_REQUESTS, &m, None),
        e @ E::Unavailable(_) => refuse(StatusCode::SERVICE_UNAVAILABLE, &e.to_string(), None),
        e => {
            tracing::error!(error = %e, "decision request failed");
            refuse(StatusCode::INTERNAL_SERVER_ERROR, "internal error", None)
        }
    }
}

/// The body as JSON and the key's context.
async fn open(state: &AppState, body: Body) -> Result<(Value, domain::TenantCtx), Response> {
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| refuse(StatusCode::PAYLOAD_TOO_LARGE, "the request body is larger than 64 KiB", None))?;
    let body: Value = serde_json::from_slice(&bytes)
        .map_err(|e| refuse(StatusCode::BAD_REQUEST, &format!("the body is not JSON: {e}"), None))?;
    let Some(key) = body.get("key").and_then(Value::as_str) else {
        return Err(refuse(StatusCode::UNAUTHORIZED, "send the workspace's publishable key (key)", Some("key")));
    };
    let ctx = domain::tracking::key_ctx(&state.parley, key).await.map_err(failure)?;
    Ok((body, ctx))
}

fn text(body: &Value, name: &str) -> Option<String> {
    body.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// The ID inside a global ID of `kind` in the body's `field`.
fn id(body: &Value, field: &str, kind: &str) -> domain::Result<uuid::Uuid> {
    let raw = text(body, field).ok_or_else(|| domain::Error::invalid(field, "is required"))?;
    crate::graphql::id_in(kind, field, &raw)
}

pub(super) async fn decide(State(state): State<AppState>, body: Body) -> Response {
    let (body, ctx) = match open(&state, body).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let input = (|| -> domain::Result<domain::decisions::decide::DecideInput> {
        let count = match body.get("count") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or_else(|| domain::Error::invalid("count", "is a whole number"))?,
            ),
        };
        Ok(domain::decisions::decide::DecideInput {
            point: id(&body, "point", "InteractionPoint")?.into(),
            who: domain::decisions::decide::Who::one_of(
                None,
                text(&body, "email"),
                text(&body, "externalId"),
                text(&body, "anonymousId"),
            )?,
            context: body.get("context").cloned(),
            count,
            explain: false,
        })
    })();
    let input = match input {
        Ok(i) => i,
        Err(e) => return failure(e),
    };
    match domain::decisions::decide::decide(&ctx, &state.parley, input).await {
        Ok(d) => {
            let offers: Vec<Value> = d
                .offers
                .iter()
                .map(|s| {
                    let creative = domain::decisions::offers::creatives_of(&s.offer).into_iter().next();
                    json!({
                        "id": crate::graphql::global_id_of("Offer", s.offer.id.into()),
                        "code": s.offer.code,
                        "name": s.offer.name,
                        "creative": creative,
                    })
                })
                .collect();
            let id = crate::graphql::global_id_of("Decision", d.id.into());
            cors((StatusCode::OK, Json(json!({ "decisionId": id, "offers": offers }))).into_response())
        }
        Err(e) => failure(e),
    }
}

pub(super) async fn respond(State(state): State<AppState>, body: Body) -> Response {
    let (body, ctx) = match open(&state, body).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let input = (|| -> domain::Result<domain::decisions::decide::RespondInput> {
        let outcome = text(&body, "outcome")
            .and_then(|o| domain::decisions::decide::Outcome::parse(&o))
            .ok_or_else(|| domain::Error::invalid("outcome", "is CLICKED, ACCEPTED, REJECTED or CONVERTED"))?;
        let revenue = match body.get("revenue") {
            None | Some(Value::Null) => None,
            Some(r) => Some((
                r.get("amount").and_then(Value::as_str).unwrap_or_default().to_owned(),
                r.get("currencyCode").and_then(Value::as_str).unwrap_or_default().to_owned(),
            )),
        };
        Ok(domain::decisions::decide::RespondInput {
            decision: id(&body, "decisionId", "Decision")?.into(),
            offer: id(&body, "offerId", "Offer")?.into(),
            outcome,
            revenue,
        })
    })();
    let input = match input {
        Ok(i) => i,
        Err(e) => return failure(e),
    };
    match domain::decisions::decide::respond(&ctx, &state.parley, input).await {
        Ok(_) => cors(StatusCode::NO_CONTENT.into_response()),
        Err(e) => failure(e),
    }
}
