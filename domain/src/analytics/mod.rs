//! Web analytics (INS-5) over the tracked events: page views, visitors, sessions (a
//! visitor's page views with no gap over 30 minutes), top pages, sources and UTM
//! campaigns (of each session's first page view), a day-by-day series, funnels of
//! chosen events with the conversion between steps, and the cart abandonment rate.
//!
//! Each report reads the range's events once, in visitor and time order, and counts in
//! one pass (sessions and funnels are sequences per visitor, which SQL on two databases
//! would say less plainly). Ranges are bounded so one read stays bounded.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Order, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;

use crate::db::TenantOwned;
use crate::{ContactId, Error, Parley, Permission, Result, TenantCtx};
use entities::contact_event;

/// Longest range a report covers.
pub const MAX_DAYS: i64 = 92;
/// Gap that ends a session.
const SESSION_GAP: i64 = 30 * 60;
/// Most rows in a ranked list.
const TOP: usize = 10;

/// A checked date range: `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Range {
    /// The range, or an error naming `from` / `to`.
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Range> {
        if to <= from {
            return Err(Error::invalid("to", "must be after from"));
        }
        if to - from > Duration::days(MAX_DAYS) {
            return Err(Error::invalid("to", format!("a report covers at most {MAX_DAYS} days")));
        }
        Ok(Range { from, to })
    }
}

/// A key and how often it came up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub key: String,
    pub count: i64,
}

/// One day of traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub date: NaiveDate,
    pub page_views: i64,
    pub sessions: i64,
}

/// Traffic over a range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Traffic {
    pub page_views: i64,
    pub visitors: i64,
    pub sessions: i64,
    pub top_pages: Vec<Count>,
    pub sources: Vec<Count>,
    pub campaigns: Vec<Count>,
    pub days: Vec<Day>,
}

/// One step of a funnel: how many visitors got this far, and the share of the step
/// before that did (1 for the first step).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub event: String,
    pub visitors: i64,
    pub conversion: f64,
}

/// Carts started in a range and what became of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Abandonment {
    /// Visitors who added to a cart.
    pub carts: i64,
    /// Of those, who bought afterwards.
    pub purchased: i64,
    pub abandoned: i64,
    /// `abandoned / carts` (0 with no carts).
    pub rate: f64,
}

/// Who did something: the contact, else the anonymous visitor.
type Visitor = (Option<ContactId>, Option<String>);
/// An event as a report reads it: who, what, when, and its properties.
type Row = (Visitor, String, DateTime<Utc>, Value);
/// An event as stored: contact, anonymous ID, type, time, properties.
type Stored = (Option<ContactId>, Option<String>, String, DateTime<Utc>, Value);

/// The events of `kinds` in `range`, in visitor and time order.
async fn events(ctx: &TenantCtx, p: &Parley, range: Range, kinds: &[String]) -> Result<Vec<Row>> {
    use contact_event::Column as C;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let rows: Vec<Stored> = contact_event::Entity::scoped(ctx)
        .filter(C::Kind.is_in(kinds.to_vec()))
        .filter(C::OccurredAt.gte(range.from))
        .filter(C::OccurredAt.lt(range.to))
        .select_only()
        .columns([C::ContactId, C::AnonymousId, C::Kind, C::OccurredAt, C::Properties])
        // One visitor's events together, in time order (a contact's events may carry
        // several anonymous IDs from before they identified).
        .order_by(Expr::cust("COALESCE(CAST(contact_id AS TEXT), anonymous_id)"), Order::Asc)
        .order_by_asc(C::OccurredAt)
        .into_tuple()
        .all(&tx)
        .await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(|(c, a, k, t, props)| ((c, if c.is_some() { None } else { a }), k, t, props)).collect())
}

fn text<'v>(props: &'v Value, key: &str) -> Option<&'v str> {
    props.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// Where a session came from: its UTM source, else the referring site, else direct.
fn source(props: &Value) -> String {
    if let Some(s) = text(props, "utm_source") {
        return s.to_lowercase();
    }
    match text(props, "referrer").and_then(|r| url::Url::parse(r).ok()).and_then(|u| u.host_str().map(str::to_owned)) {
        Some(host) => host.trim_start_matches("www.").to_owned(),
        None => "(direct)".to_owned(),
    }
}

fn ranked(counts: HashMap<String, i64>) -> Vec<Count> {
    let mut all: Vec<Count> = counts.into_iter().map(|(key, count)| Count { key, count }).collect();
    all.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    all.truncate(TOP);
    all
}

/// Traffic in `range`.
pub async fn traffic(ctx: &TenantCtx, p: &Parley, range: Range) -> Result<Traffic> {
    let rows = events(ctx, p, range, &["page_view".to_owned()]).await?;
    let mut t = Traffic::default();
    let (mut pages, mut sources, mut campaigns) = (HashMap::new(), HashMap::new(), HashMap::new());
    let mut days: HashMap<NaiveDate, (i64, i64)> = HashMap::new();
    let mut last: Option<(&Visitor, DateTime<Utc>)> = None;
    for (visitor, _, at, props) in &rows {
        t.page_views += 1;
        let day = days.entry(at.date_naive()).or_default();
        day.0 += 1;
        *pages.entry(text(props, "path").unwrap_or("/").to_owned()).or_insert(0) += 1;
        let same_visitor = last.is_some_and(|(v, _)| v == visitor);
        if !same_visitor {
            t.visitors += 1;
        }
        let new_session = !same_visitor || last.is_some_and(|(_, prev)| (*at - prev).num_seconds() > SESSION_GAP);
        if new_session {
            t.sessions += 1;
            day.1 += 1;
            *sources.entry(source(props)).or_insert(0) += 1;
            if let Some(c) = text(props, "utm_campaign") {
                *campaigns.entry(c.to_owned()).or_insert(0) += 1;
            }
        }
        last = Some((visitor, *at));
    }
    t.top_pages = ranked(pages);
    t.sources = ranked(sources);
    t.campaigns = ranked(campaigns);
    let mut d: Vec<Day> =
        days.into_iter().map(|(date, (page_views, sessions))| Day { date, page_views, sessions }).collect();
    d.sort_by_key(|d| d.date);
    t.days = d;
    Ok(t)
}

/// How far each visitor got through `steps` (event types, in order) within `range`:
/// a step counts when it comes after the step before it.
pub async fn funnel(ctx: &TenantCtx, p: &Parley, range: Range, steps: &[String]) -> Result<Vec<Step>> {
    if steps.len() < 2 || steps.len() > 10 {
        return Err(Error::invalid("steps", "a funnel has 2 to 10 steps"));
    }
    if let Some(bad) = steps.iter().find(|s| s.trim().is_empty() || s.len() > 64) {
        return Err(Error::invalid("steps", format!("“{bad}” is not an event type")));
    }
    let rows = events(ctx, p, range, steps).await?;
    let mut reached = vec![0i64; steps.len()];
    let mut current: Option<(&Visitor, usize)> = None;
    let mut finish = |got: usize| {
        for r in reached.iter_mut().take(got) {
            *r += 1;
        }
    };
    for (visitor, kind, _, _) in &rows {
        let got = match current {
            Some((v, got)) if v == visitor => got,
            Some((_, got)) => {
                finish(got);
                0
            }
            None => 0,
        };
        let got = if got < steps.len() && &steps[got] == kind { got + 1 } else { got };
        current = Some((visitor, got));
    }
    if let Some((_, got)) = current {
        finish(got);
    }
    Ok(steps
        .iter()
        .enumerate()
        .map(|(i, event)| {
            let before = if i == 0 { reached[0] } else { reached[i - 1] };
            let conversion = if before == 0 { 0.0 } else { reached[i] as f64 / before as f64 };
            Step { event: event.clone(), visitors: reached[i], conversion }
        })
        .collect())
}

/// Carts (`add_to_cart`) started in `range` and whether a `purchase` followed.
pub async fn cart_abandonment(ctx: &TenantCtx, p: &Parley, range: Range) -> Result<Abandonment> {
    let steps = ["add_to_cart".to_owned(), "purchase".to_owned()];
    let f = funnel(ctx, p, range, &steps).await?;
    let carts = f[0].visitors;
    let purchased = f[1].visitors;
    let abandoned = carts - purchased;
    let rate = if carts == 0 { 0.0 } else { abandoned as f64 / carts as f64 };
    Ok(Abandonment { carts, purchased, abandoned, rate })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sources_are_the_campaign_else_the_referring_site_else_direct() {
        assert_eq!(source(&json!({ "utm_source": "Newsletter", "referrer": "https://x.io" })), "newsletter");
        assert_eq!(source(&json!({ "referrer": "https://www.google.com/search?q=shoes" })), "google.com");
        assert_eq!(source(&json!({ "referrer": "" })), "(direct)");
    }

    #[test]
    fn ranges_are_ordered_and_bounded() {
        let t = Utc::now();
        assert!(Range::new(t, t).is_err());
        assert!(Range::new(t, t + Duration::days(MAX_DAYS + 1)).is_err());
        assert!(Range::new(t - Duration::days(30), t).is_ok());
    }
}
