//! Purchases as the scores read them: each `purchase` event of a known contact, its
//! amount and the products it names, gathered per contact in one pass over the events.
//!
//! An event's amount is its `amount` property (else `revenue`, `value` or `total`): a
//! whole number of minor units (`4200`), an amount with its currency
//! (`{"amount": 4200, "currency": "EUR"}`) or text in major units (`"42.00"`); its
//! currency is its `currency` property, or the one of the amount object. Its products
//! are `product`, `sku` or `productId`, and the `sku` / `product` / `productId` / `id`
//! of each of its `items` (or the items themselves when they are text).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;

use crate::db::TenantOwned;
use crate::{ContactEventId, ContactId, Result, TenantTx};
use entities::contact_event;

/// The event type that records a purchase.
pub const PURCHASE: &str = "purchase";
/// Longest product key kept.
const MAX_PRODUCT: usize = 200;
/// Most distinct products kept per customer (pairs grow with the square).
pub(crate) const MAX_PRODUCTS_PER_CUSTOMER: usize = 100;

/// What one purchase event says.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Purchase {
    /// Minor units, when the event names an amount.
    pub amount: Option<i64>,
    /// Upper-case ISO code, when the event names one.
    pub currency: Option<String>,
    pub products: Vec<String>,
}

fn amount_of(v: &Value) -> Option<(i64, Option<String>)> {
    match v {
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f.round() as i64)).map(|a| (a, None))
        }
        Value::Object(o) => {
            let (a, _) = amount_of(o.get("amount")?)?;
            let c = o.get("currency").and_then(Value::as_str).map(|c| c.trim().to_uppercase());
            Some((a, c))
        }
        Value::String(s) => {
            let s = s.trim();
            let (n, c) = match s.rsplit_once(' ') {
                Some((n, c)) if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => {
                    (n.trim(), Some(c.to_uppercase()))
                }
                _ => (s, None),
            };
            // Without a currency, text is read with two decimals, as most currencies have.
            Some((crate::money::parse_major(c.as_deref().unwrap_or("XXX"), n)?, c))
        }
        _ => None,
    }
}

fn product_of(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Object(o) => {
            return ["sku", "product", "productId", "id"].iter().find_map(|k| o.get(*k).and_then(product_of));
        }
        _ => return None,
    };
    (!s.is_empty()).then(|| s.chars().take(MAX_PRODUCT).collect())
}

/// Reads a purchase event's properties.
pub(crate) fn parse(properties: &Value) -> Purchase {
    let mut p = Purchase::default();
    if let Some((a, c)) =
        ["amount", "revenue", "value", "total"].iter().find_map(|k| properties.get(*k).and_then(amount_of))
    {
        p.amount = Some(a);
        p.currency = c;
    }
    if let Some(c) = properties.get("currency").and_then(Value::as_str).map(|c| c.trim().to_uppercase())
        && c.len() == 3
    {
        p.currency = Some(c);
    }
    for k in ["product", "sku", "productId"] {
        if let Some(x) = properties.get(k).and_then(product_of) {
            p.products.push(x);
        }
    }
    if let Some(items) = properties.get("items").and_then(Value::as_array) {
        p.products.extend(items.iter().filter_map(product_of));
    }
    p
}

/// One customer's purchases.
#[derive(Debug, Clone, Default)]
pub(crate) struct Customer {
    pub orders: i64,
    /// Sum of the amounts in the scoring currency (minor units).
    pub revenue: i64,
    /// Orders whose amount counts toward `revenue`.
    pub priced_orders: i64,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    /// Distinct products, as indices into [`Purchases::products`].
    pub products: Vec<u32>,
}

/// Every customer's purchases, and the products they name.
#[derive(Debug, Default)]
pub(crate) struct Purchases {
    pub customers: HashMap<ContactId, Customer>,
    pub products: Vec<String>,
    pub events: i64,
    /// Purchases whose amount is in another currency than the scoring one.
    pub other_currency: i64,
}

impl Purchases {
    /// Adds one purchase of `contact` at `at`, counting amounts in `currency` only.
    pub(crate) fn add(
        &mut self,
        index: &mut HashMap<String, u32>,
        contact: ContactId,
        at: DateTime<Utc>,
        p: Purchase,
        currency: &str,
    ) {
        self.events += 1;
        let c = self.customers.entry(contact).or_default();
        c.orders += 1;
        c.first = Some(c.first.map_or(at, |f| f.min(at)));
        c.last = Some(c.last.map_or(at, |l| l.max(at)));
        if let Some(a) = p.amount {
            if p.currency.as_deref().is_none_or(|x| x == currency) {
                c.revenue = c.revenue.saturating_add(a);
                c.priced_orders += 1;
            } else {
                self.other_currency += 1;
            }
        }
        for name in p.products {
            let next = u32::try_from(self.products.len()).unwrap_or(u32::MAX);
            let i = *index.entry(name.clone()).or_insert_with(|| {
                self.products.push(name);
                next
            });
            if !c.products.contains(&i) && c.products.len() < MAX_PRODUCTS_PER_CUSTOMER {
                c.products.push(i);
            }
        }
    }
}

/// Purchase events read per query.
const PAGE: u64 = 10_000;

/// The next page of purchase events of known contacts after `after`, in ID order.
async fn page(
    tx: &TenantTx<'_>,
    after: Option<ContactEventId>,
    limit: u64,
) -> Result<Vec<(ContactEventId, Option<ContactId>, DateTime<Utc>, Value)>> {
    let mut q = contact_event::Entity::scoped(tx.ctx())
        .filter(contact_event::Column::Kind.eq(PURCHASE))
        .filter(contact_event::Column::ContactId.is_not_null());
    if let Some(a) = after {
        q = q.filter(contact_event::Column::Id.gt(a));
    }
    Ok(q.select_only()
        .column(contact_event::Column::Id)
        .column(contact_event::Column::ContactId)
        .column(contact_event::Column::OccurredAt)
        .column(contact_event::Column::Properties)
        .order_by_asc(contact_event::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(tx)
        .await?)
}

/// The currency most purchases name (none when none does), judged on the first
/// ten thousand.
pub(crate) async fn main_currency(tx: &TenantTx<'_>) -> Result<Option<String>> {
    let mut counts: HashMap<String, i64> = HashMap::new();
    for (_, _, _, props) in page(tx, None, PAGE).await? {
        if let Some(c) = parse(&props).currency {
            *counts.entry(c).or_default() += 1;
        }
    }
    Ok(counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(c, _)| c))
}

/// Reads every purchase of the workspace's contacts, a page at a time, counting
/// amounts in `currency`.
pub(crate) async fn read(tx: &TenantTx<'_>, currency: &str) -> Result<Purchases> {
    let mut out = Purchases::default();
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut after = None;
    loop {
        let rows = page(tx, after, PAGE).await?;
        let ended = (rows.len() as u64) < PAGE;
        after = rows.last().map(|r| r.0).or(after);
        for (_, contact, at, props) in rows {
            if let Some(contact) = contact {
                out.add(&mut index, contact, at, parse(&props), currency);
            }
        }
        if ended {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_and_products_are_read_in_every_documented_form() {
        let p = parse(&json!({ "amount": 4200, "sku": "A1" }));
        assert_eq!((p.amount, p.currency, p.products), (Some(4200), None, vec!["A1".to_owned()]));
        let p = parse(&json!({ "revenue": { "amount": 990, "currency": "eur" } }));
        assert_eq!((p.amount, p.currency.as_deref()), (Some(990), Some("EUR")));
        let p = parse(&json!({ "total": "12.50", "currency": "USD", "items": ["x", { "sku": "y" }, { "id": 7 }, ""] }));
        assert_eq!((p.amount, p.currency.as_deref()), (Some(1250), Some("USD")));
        assert_eq!(p.products, ["x", "y", "7"]);
        let p = parse(&json!({ "value": "1000 JPY" }));
        assert_eq!((p.amount, p.currency.as_deref()), (Some(1000), Some("JPY")));
        assert_eq!(parse(&json!({ "amount": "lots", "product": {} })), Purchase::default());
    }
}
