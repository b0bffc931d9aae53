//! Contact policies (DEC-8): frequency caps on email and across channels over rolling
//! windows, and quiet hours in each contact's time zone. A campaign applies them when it
//! chooses its audience: a contact over a cap is suppressed (`FREQUENCY_CAP`), one in
//! their quiet hours is queued until those end.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveValue::Set, ConnectionTrait, FromQueryResult};
use serde_json::{Value, json};

use super::local_time;
use crate::db::TenantOwned;
use crate::{Audited, ContactId, Error, Parley, Permission, Result, TenantCtx, TenantTx, new_id, now};
use entities::{contact_event, contact_policy};

/// A workspace's contact policy.
pub type ContactPolicy = contact_policy::Model;

impl Audited for ContactPolicy {
    fn audit_json(&self) -> Value {
        json!({
            "emailMax": self.email_max, "emailWindowDays": self.email_window_days, "allMax": self.all_max,
            "allWindowDays": self.all_window_days, "quietStart": self.quiet_start, "quietEnd": self.quiet_end,
            "offerMax": self.offer_max, "offerWindowDays": self.offer_window_days,
        })
    }
}

/// The timeline events that are a message to the contact, on any channel.
pub const SENT_KINDS: &[&str] = &["email_sent", "sms_sent", "push_sent", "messaging_sent", "mail_sent", "call_made"];

/// A policy as written; a cap is its maximum and its window together, quiet hours their
/// start and end together.
#[derive(Debug, Clone, Default)]
pub struct PolicyInput {
    pub email_max: Option<i32>,
    pub email_window_days: Option<i32>,
    pub all_max: Option<i32>,
    pub all_window_days: Option<i32>,
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    /// Most offers shown to one contact, everywhere together, within the window.
    pub offer_max: Option<i32>,
    pub offer_window_days: Option<i32>,
}

fn cap(max: Option<i32>, days: Option<i32>, fields: (&str, &str)) -> Result<(Option<i32>, Option<i32>)> {
    match (max, days) {
        (None, None) => Ok((None, None)),
        (Some(m), Some(d)) => {
            if !(1..=1_000).contains(&m) {
                let what = if fields.0.starts_with("offer") { "offers" } else { "messages" };
                return Err(Error::invalid(fields.0, format!("is from 1 to 1000 {what}")));
            }
            if !(1..=365).contains(&d) {
                return Err(Error::invalid(fields.1, "is from 1 to 365 days"));
            }
            Ok((Some(m), Some(d)))
        }
        (Some(_), None) => Err(Error::invalid(fields.1, "is required with a maximum")),
        (None, Some(_)) => Err(Error::invalid(fields.0, "is required with a window")),
    }
}

/// The workspace's policy (None: no caps, no quiet hours).
pub async fn get(ctx: &TenantCtx, p: &Parley) -> Result<Option<ContactPolicy>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let found = of_in(&tx).await?;
    tx.commit().await?;
    Ok(found)
}

pub(crate) async fn of_in(tx: &TenantTx<'_>) -> Result<Option<ContactPolicy>> {
    Ok(contact_policy::Entity::scoped(tx.ctx()).one(tx).await?)
}

/// Sets the workspace's policy (every field: what is left out is off).
pub async fn set(ctx: &TenantCtx, p: &Parley, input: PolicyInput) -> Result<ContactPolicy> {
    let (email_max, email_days) = cap(input.email_max, input.email_window_days, ("emailMax", "emailWindowDays"))?;
    let (all_max, all_days) = cap(input.all_max, input.all_window_days, ("allMax", "allWindowDays"))?;
    let (offer_max, offer_days) = cap(input.offer_max, input.offer_window_days, ("offerMax", "offerWindowDays"))?;
    let (quiet_start, quiet_end) = match (input.quiet_start.as_deref(), input.quiet_end.as_deref()) {
        (None, None) => (None, None),
        (Some(s), Some(e)) => {
            let (s, e) = (local_time("quietStart", s)?, local_time("quietEnd", e)?);
            if s == e {
                return Err(Error::invalid("quietEnd", "must differ from quietStart"));
            }
            (Some(s.format("%H:%M").to_string()), Some(e.format("%H:%M").to_string()))
        }
        (Some(_), None) => return Err(Error::invalid("quietEnd", "is required with quietStart")),
        (None, Some(_)) => return Err(Error::invalid("quietStart", "is required with quietEnd")),
    };
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let t = now();
    let saved = match of_in(&tx).await? {
        Some(found) => {
            tx.update::<contact_policy::Entity>("contact_policy.changed", found.id, |am| {
                am.email_max = Set(email_max);
                am.email_window_days = Set(email_days);
                am.all_max = Set(all_max);
                am.all_window_days = Set(all_days);
                am.quiet_start = Set(quiet_start);
                am.quiet_end = Set(quiet_end);
                am.offer_max = Set(offer_max);
                am.offer_window_days = Set(offer_days);
                am.updated_at = Set(t);
                Ok(())
            })
            .await?
        }
        None => {
            let row = contact_policy::ActiveModel {
                id: Set(new_id()),
                email_max: Set(email_max),
                email_window_days: Set(email_days),
                all_max: Set(all_max),
                all_window_days: Set(all_days),
                quiet_start: Set(quiet_start),
                quiet_end: Set(quiet_end),
                offer_max: Set(offer_max),
                offer_window_days: Set(offer_days),
                updated_at: Set(t),
                ..Default::default()
            };
            tx.create("contact_policy.changed", row).await?
        }
    };
    tx.commit().await?;
    p.changed();
    Ok(saved)
}

#[derive(Debug, FromQueryResult)]
struct Counted {
    contact_id: uuid::Uuid,
}

/// Contacts among `contacts` whose messages within a cap's window reached its maximum.
pub(crate) async fn capped_in(
    tx: &TenantTx<'_>,
    policy: Option<&ContactPolicy>,
    contacts: &[ContactId],
) -> Result<HashSet<ContactId>> {
    let mut out = HashSet::new();
    let Some(policy) = policy else { return Ok(out) };
    let caps = [
        (policy.email_max, policy.email_window_days, &["email_sent"][..]),
        (policy.all_max, policy.all_window_days, SENT_KINDS),
    ];
    for (max, days, kinds) in caps {
        let (Some(max), Some(days)) = (max, days) else { continue };
        if contacts.is_empty() {
            continue;
        }
        let since = now() - Duration::days(i64::from(days));
        let q = Query::select()
            .column(contact_event::Column::ContactId)
            .from(contact_event::Entity)
            .and_where(Expr::col(contact_event::Column::TenantId).eq(tx.tenant_id()))
            .and_where(Expr::col(contact_event::Column::ContactId).is_in(contacts.iter().copied()))
            .and_where(Expr::col(contact_event::Column::Kind).is_in(kinds.iter().copied()))
            .and_where(Expr::col(contact_event::Column::OccurredAt).gte(since))
            .group_by_col(contact_event::Column::ContactId)
            .and_having(Expr::col(contact_event::Column::Id).count().gte(max))
            .to_owned();
        let backend = tx.get_database_backend();
        for r in Counted::find_by_statement(backend.build(&q)).all(tx).await? {
            out.insert(r.contact_id.into());
        }
    }
    Ok(out)
}

/// When the quiet hours `start`–`end` (in zone `tz`, UTC when unknown) that hold `at`
/// end; None when `at` is outside them. A window may cross midnight (21:00–08:00).
pub fn quiet_until(tz: Option<&str>, start: NaiveTime, end: NaiveTime, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let zone: chrono_tz::Tz = tz.and_then(|z| z.parse().ok()).unwrap_or(chrono_tz::UTC);
    let local = at.with_timezone(&zone);
    let now = local.time();
    let inside = if start < end { now >= start && now < end } else { now >= start || now < end };
    if !inside {
        return None;
    }
    let mut day = local.date_naive();
    if start >= end && now >= start {
        day = day.succ_opt()?;
    }
    let ends = zone
        .from_local_datetime(&day.and_time(end))
        .earliest()
        .or_else(|| zone.from_local_datetime(&day.and_time(end + Duration::hours(1))).earliest())?;
    Some(ends.with_timezone(&Utc))
}

/// The quiet hours of a policy, read.
pub(crate) fn quiet_of(policy: Option<&ContactPolicy>) -> Option<(NaiveTime, NaiveTime)> {
    let p = policy?;
    let s = NaiveTime::parse_from_str(p.quiet_start.as_deref()?, "%H:%M").ok()?;
    let e = NaiveTime::parse_from_str(p.quiet_end.as_deref()?, "%H:%M").ok()?;
    Some((s, e))
}
