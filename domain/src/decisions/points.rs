//! Interaction points (DEC-2): a channel's zone that asks for offers — a web slot, a
//! call-center script step, a kiosk screen, a till, an email block — with the most
//! offers one answer holds, the offer shown when nothing else is eligible, how long a
//! response still counts, and how its decisions learn (a holdout share that gets a
//! random eligible offer, an exploration share).

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};

use super::{InteractionPoint, offers};
use crate::contacts::Channel;
use crate::db::TenantOwned;
use crate::page::{Page, PageArgs};
use crate::{
    Error, InteractionPointId, OfferId, Order, Parley, Permission, Result, TenantCtx, TenantTx, new_id, now, validate,
};
use entities::interaction_point;

/// The most offers one answer may hold.
pub const MAX_OFFERS: i32 = 20;
/// The response window when none is given.
pub const DEFAULT_RESPONSE_WINDOW: &str = "PT24H";
/// The shortest and longest response windows, in seconds (a minute, 90 days).
pub const RESPONSE_WINDOW_SECS: (i64, i64) = (60, 90 * 24 * 3600);
/// The largest holdout, in percent.
pub const MAX_HOLDOUT_PERCENT: f64 = 50.0;

/// A point as a marketer writes it.
#[derive(Debug, Clone)]
pub struct PointInput {
    pub name: String,
    pub channel: Channel,
    /// 1 ..= 20; 1 when None.
    pub max_offers: Option<i32>,
    pub fallback_offer: Option<OfferId>,
    /// An ISO-8601 duration (`PT24H`, `P7D`); `PT24H` when None.
    pub response_window: Option<String>,
}

/// How a point's decisions learn.
#[derive(Debug, Clone, Copy)]
pub struct LearningInput {
    /// The share of decisions given a random eligible offer, to measure the learning
    /// against (0 ..= 50).
    pub holdout_percent: f64,
    /// The share of decisions on which the learner explores (0 ..= 100).
    pub exploration_percent: f64,
    /// Whether each offer is learnt apart for each segment of the point's rules (None:
    /// as it was).
    pub by_segment: Option<bool>,
}

/// Seconds of a response window: an ISO-8601 duration from a minute to 90 days.
pub fn response_window(field: &str, raw: &str) -> Result<i64> {
    let (min, max) = RESPONSE_WINDOW_SECS;
    let secs = validate::duration_secs(field, raw)?;
    if !(min..=max).contains(&secs) {
        return Err(Error::invalid(field, "is between a minute (PT1M) and 90 days (P90D)"));
    }
    Ok(secs)
}

/// `secs` as an ISO-8601 duration: whole days from two days up (`P7D`), else hours,
/// minutes and seconds (`PT24H`, `PT1H30M`).
pub fn iso_duration(secs: i64) -> String {
    if secs >= 2 * 86_400 && secs % 86_400 == 0 {
        return format!("P{}D", secs / 86_400);
    }
    let (h, m, s) = (secs / 3_600, secs % 3_600 / 60, secs % 60);
    let mut out = String::from("PT");
    for (n, unit) in [(h, 'H'), (m, 'M'), (s, 'S')] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if secs <= 0 {
        out.push_str("0S");
    }
    out
}

struct Checked {
    name: String,
    channel: Channel,
    max_offers: i32,
    fallback: Option<OfferId>,
    window: i64,
}

fn check(input: &PointInput) -> Result<Checked> {
    let name = validate::name("name", &input.name, 200)?;
    let max_offers = input.max_offers.unwrap_or(1);
    if !(1..=MAX_OFFERS).contains(&max_offers) {
        return Err(Error::invalid("maxOffers", format!("is from 1 to {MAX_OFFERS}")));
    }
    let window =
        response_window("responseWindow", input.response_window.as_deref().unwrap_or(DEFAULT_RESPONSE_WINDOW))?;
    Ok(Checked { name, channel: input.channel, max_offers, fallback: input.fallback_offer, window })
}

/// The fallback must be an active offer of the workspace shown on the point's channel.
async fn check_fallback(tx: &TenantTx<'_>, fallback: Option<OfferId>, channel: Channel) -> Result<()> {
    let Some(id) = fallback else { return Ok(()) };
    let o = offers::active_in(tx, "fallbackOfferId", &[id]).await.map_err(|e| match e {
        Error::Invalid { message, .. } => Error::invalid("fallbackOfferId", message),
        e => e,
    })?;
    if !offers::channels_of(&o[0]).contains(&channel) {
        return Err(Error::invalid(
            "fallbackOfferId",
            format!("is the offer {}, which is not shown on {}", o[0].code, channel.as_str()),
        ));
    }
    Ok(())
}

async fn name_free(tx: &TenantTx<'_>, name: &str, me: Option<InteractionPointId>) -> Result<()> {
    let mut q = interaction_point::Entity::scoped(tx.ctx()).filter(interaction_point::Column::Name.eq(name));
    if let Some(me) = me {
        q = q.filter(interaction_point::Column::Id.ne(me));
    }
    match q.one(tx).await? {
        Some(_) => Err(Error::invalid("name", "is already the name of a point of this workspace")),
        None => Ok(()),
    }
}

/// Adds an interaction point (no holdout, no forced exploration until configured).
pub async fn create(ctx: &TenantCtx, p: &Parley, input: PointInput) -> Result<InteractionPoint> {
    let c = check(&input)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageOffers)?;
    name_free(&tx, &c.name, None).await?;
    check_fallback(&tx, c.fallback, c.channel).await?;
    let t = now();
    let row = interaction_point::ActiveModel {
        id: Set(new_id()),
        name: Set(c.name),
        channel: Set(c.channel.as_str().to_owned()),
        max_offers: Set(c.max_offers),
        fallback_offer_id: Set(c.fallback),
        response_window_secs: Set(c.window),
        holdout_basis_points: Set(0),
        exploration_basis_points: Set(0),
        learn_by_segment: Set(0),
        created_by: Set(ctx.actor().id().unwrap_or_default().into()),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let saved = tx.create("interaction_point.created", row).await?;
    tx.commit().await?;
    p.changed();
    Ok(saved)
}

/// Changes a point's name, channel, size, fallback and response window.
pub async fn update(
    ctx: &TenantCtx,
    p: &Parley,
    id: InteractionPointId,
    input: PointInput,
) -> Result<InteractionPoint> {
    let c = check(&input)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageOffers)?;
    tx.lock::<interaction_point::Entity>(id).await?;
    name_free(&tx, &c.name, Some(id)).await?;
    check_fallback(&tx, c.fallback, c.channel).await?;
    let saved = tx
        .update::<interaction_point::Entity>("interaction_point.updated", id, |am| {
            am.name = Set(c.name);
            am.channel = Set(c.channel.as_str().to_owned());
            am.max_offers = Set(c.max_offers);
            am.fallback_offer_id = Set(c.fallback);
            am.response_window_secs = Set(c.window);
            am.updated_at = Set(now());
            Ok(())
        })
        .await?;
    tx.commit().await?;
    p.changed();
    Ok(saved)
}

/// Sets how a point's decisions learn.
pub async fn configure_learning(
    ctx: &TenantCtx,
    p: &Parley,
    id: InteractionPointId,
    input: LearningInput,
) -> Result<InteractionPoint> {
    let holdout = validate::percent_basis_points("holdoutPercent", input.holdout_percent, MAX_HOLDOUT_PERCENT)?;
    let exploration = validate::percent_basis_points("explorationPercent", input.exploration_percent, 100.0)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageOffers)?;
    tx.lock::<interaction_point::Entity>(id).await?;
    let saved = tx
        .update::<interaction_point::Entity>("interaction_point.learning_configured", id, |am| {
            am.holdout_basis_points = Set(holdout);
            am.exploration_basis_points = Set(exploration);
            if let Some(by) = input.by_segment {
                am.learn_by_segment = Set(i32::from(by));
            }
            am.updated_at = Set(now());
            Ok(())
        })
        .await?;
    tx.commit().await?;
    p.changed();
    Ok(saved)
}

/// One point.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: InteractionPointId) -> Result<InteractionPoint> {
    p.find::<interaction_point::Entity>(ctx, Permission::ReadContacts, id).await
}

/// The workspace's points, oldest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<InteractionPoint>> {
    p.page::<interaction_point::Entity>(ctx, Permission::ReadContacts, Order::Oldest, args).await
}

/// The channel a point belongs to.
pub fn channel_of(point: &InteractionPoint) -> Channel {
    Channel::parse(&point.channel).unwrap_or(Channel::Web)
}

/// A point whose fallback is offer `id`, if any.
pub(crate) async fn falling_back_to(tx: &TenantTx<'_>, id: OfferId) -> Result<Option<InteractionPoint>> {
    Ok(interaction_point::Entity::scoped(tx.ctx())
        .filter(interaction_point::Column::FallbackOfferId.eq(id))
        .one(tx)
        .await?)
}
