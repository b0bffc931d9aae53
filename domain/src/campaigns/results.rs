//! What a campaign caused (DEC-10): its treated contacts (sent) beside its control group
//! (held out at random), each followed for an attribution window from the moment they
//! were chosen (the same moment for both, so the comparison is fair): who opened and
//! clicked (the treated only can), who bought (a `purchase` event) and for how much.
//! Conversion rate and revenue per contact get an absolute and a relative lift, a 95%
//! confidence interval and a two-sided p-value; the campaign's ROI (OPS-6) sets the
//! revenue it caused beside what its purchase orders cost.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query};
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::scores::purchases;
use crate::{CampaignId, ContactId, Error, Parley, Permission, Result, TenantCtx};
use entities::campaigns::enums::SendStatus;
use entities::{campaign, campaign_send, contact_event};

/// One arm of the comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Arm {
    pub contacts: i64,
    pub opened: i64,
    pub clicked: i64,
    /// Contacts who bought within the window.
    pub converted: i64,
    /// Their purchases in the campaign's currency (minor units).
    pub revenue: i64,
    revenue_squares: f64,
}

impl Arm {
    fn rate(&self, n: i64) -> f64 {
        if self.contacts == 0 { 0.0 } else { n as f64 / self.contacts as f64 }
    }
    /// Share of contacts who bought.
    pub fn conversion_rate(&self) -> f64 {
        self.rate(self.converted)
    }
    pub fn open_rate(&self) -> f64 {
        self.rate(self.opened)
    }
    pub fn click_rate(&self) -> f64 {
        self.rate(self.clicked)
    }
    /// Revenue per contact (minor units).
    pub fn revenue_per_contact(&self) -> f64 {
        if self.contacts == 0 { 0.0 } else { self.revenue as f64 / self.contacts as f64 }
    }
    fn revenue_variance(&self) -> f64 {
        if self.contacts < 2 {
            return 0.0;
        }
        let n = self.contacts as f64;
        let mean = self.revenue as f64 / n;
        ((self.revenue_squares - n * mean * mean) / (n - 1.0)).max(0.0)
    }
}

/// The difference one metric shows between the arms.
#[derive(Debug, Clone, PartialEq)]
pub struct Lift {
    pub treated: f64,
    pub control: f64,
    /// Treated minus control.
    pub absolute: f64,
    /// The absolute lift over the control's value (None when the control's is 0).
    pub relative: Option<f64>,
    /// The 95% confidence interval of the absolute lift.
    pub low: f64,
    pub high: f64,
    /// Two-sided p-value of "no difference" (None without contacts in both arms).
    pub p_value: Option<f64>,
    /// Whether the p-value is below 0.05.
    pub significant: bool,
}

/// One content variant's treated contacts beside the control group.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantResult {
    /// Its place in the campaign's variants, from 0.
    pub variant: i32,
    pub arm: Arm,
    pub conversion: Lift,
    pub revenue_per_contact: Lift,
}

/// A campaign's results.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// Each variant of an A/B split (one without a split).
    pub variants: Vec<VariantResult>,
    pub treated: Arm,
    pub control: Arm,
    pub window_days: i64,
    /// The currency revenue is counted in (the most used among the purchases).
    pub currency: Option<String>,
    pub conversion: Lift,
    pub revenue_per_contact: Lift,
    /// Conversions and revenue the campaign caused: the lift times the treated contacts.
    pub incremental_conversions: f64,
    pub incremental_revenue: i64,
}

/// P(Z > z) for a standard normal Z.
fn upper_tail(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

const Z95: f64 = 1.959_963_984_540_054;

/// Two proportions (`x` of `n` each): Wald interval for the difference, pooled z-test.
pub fn proportion_lift(x1: i64, n1: i64, x2: i64, n2: i64) -> Lift {
    let (p1, p2) = (ratio(x1, n1), ratio(x2, n2));
    let diff = p1 - p2;
    let se = if n1 > 0 && n2 > 0 { (p1 * (1.0 - p1) / n1 as f64 + p2 * (1.0 - p2) / n2 as f64).sqrt() } else { 0.0 };
    let p_value = (n1 > 0 && n2 > 0).then(|| {
        let pooled = (x1 + x2) as f64 / (n1 + n2) as f64;
        let se0 = (pooled * (1.0 - pooled) * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt();
        if se0 == 0.0 { 1.0 } else { 2.0 * upper_tail((diff / se0).abs()) }
    });
    finish(p1, p2, diff, se, p_value)
}

/// Two means (Welch): interval and two-sided test of the difference.
fn mean_lift(a: &Arm, b: &Arm) -> Lift {
    let (m1, m2) = (a.revenue_per_contact(), b.revenue_per_contact());
    let diff = m1 - m2;
    let both = a.contacts > 1 && b.contacts > 1;
    let se = if both {
        (a.revenue_variance() / a.contacts as f64 + b.revenue_variance() / b.contacts as f64).sqrt()
    } else {
        0.0
    };
    let p_value = both.then(|| if se == 0.0 { 1.0 } else { 2.0 * upper_tail((diff / se).abs()) });
    finish(m1, m2, diff, se, p_value)
}

fn finish(treated: f64, control: f64, diff: f64, se: f64, p_value: Option<f64>) -> Lift {
    Lift {
        treated,
        control,
        absolute: diff,
        relative: (control != 0.0).then(|| diff / control),
        low: diff - Z95 * se,
        high: diff + Z95 * se,
        significant: p_value.is_some_and(|p| p < 0.05),
        p_value,
    }
}

fn ratio(x: i64, n: i64) -> f64 {
    if n == 0 { 0.0 } else { x as f64 / n as f64 }
}

#[derive(Debug, FromQueryResult)]
struct Chosen {
    status: String,
    variant: i32,
    n: i64,
    opened: i64,
    clicked: i64,
}

#[derive(Debug, FromQueryResult)]
struct Bought {
    status: String,
    variant: i32,
    contact_id: uuid::Uuid,
    created_at: DateTime<Utc>,
    occurred_at: DateTime<Utc>,
    properties: serde_json::Value,
}

/// The results of campaign `id`, purchases counted within `window_days` (1 to 90) of
/// each contact being chosen.
pub async fn of(ctx: &TenantCtx, p: &Parley, id: CampaignId, window_days: i64) -> Result<Results> {
    if !(1..=90).contains(&window_days) {
        return Err(Error::invalid("attributionDays", "is a number of days from 1 to 90"));
    }
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let c = tx.find::<campaign::Entity>(id).await?;
    let backend = tx.get_database_backend();
    let arms = [SendStatus::Sent, SendStatus::Control];
    let s = Alias::new("s");
    let counted = |col: campaign_send::Column| Expr::col(col).count();
    let q = Query::select()
        .column(campaign_send::Column::Status)
        .column(campaign_send::Column::Variant)
        .expr_as(Expr::col(campaign_send::Column::Id).count(), Alias::new("n"))
        .expr_as(counted(campaign_send::Column::OpenedAt), Alias::new("opened"))
        .expr_as(counted(campaign_send::Column::ClickedAt), Alias::new("clicked"))
        .from(campaign_send::Entity)
        .and_where(Expr::col(campaign_send::Column::TenantId).eq(ctx.tenant_id()))
        .and_where(Expr::col(campaign_send::Column::CampaignId).eq(c.id))
        .and_where(Expr::col(campaign_send::Column::Status).is_in(arms))
        .group_by_col(campaign_send::Column::Status)
        .group_by_col(campaign_send::Column::Variant)
        .to_owned();
    let chosen = Chosen::find_by_statement(backend.build(&q)).all(&tx).await?;
    let e = Alias::new("e");
    let since = c.started_at.unwrap_or(c.created_at);
    let q = Query::select()
        .expr_as(Expr::col((s.clone(), campaign_send::Column::Status)), Alias::new("status"))
        .expr_as(Expr::col((s.clone(), campaign_send::Column::Variant)), Alias::new("variant"))
        .expr_as(Expr::col((s.clone(), campaign_send::Column::ContactId)), Alias::new("contact_id"))
        .expr_as(Expr::col((s.clone(), campaign_send::Column::CreatedAt)), Alias::new("created_at"))
        .expr_as(Expr::col((e.clone(), contact_event::Column::OccurredAt)), Alias::new("occurred_at"))
        .expr_as(Expr::col((e.clone(), contact_event::Column::Properties)), Alias::new("properties"))
        .from_as(campaign_send::Entity, s.clone())
        .join_as(
            JoinType::InnerJoin,
            contact_event::Entity,
            e.clone(),
            Expr::col((e.clone(), contact_event::Column::TenantId))
                .equals((s.clone(), campaign_send::Column::TenantId))
                .and(
                    Expr::col((e.clone(), contact_event::Column::ContactId))
                        .equals((s.clone(), campaign_send::Column::ContactId)),
                ),
        )
        .and_where(Expr::col((s.clone(), campaign_send::Column::TenantId)).eq(ctx.tenant_id()))
        .and_where(Expr::col((s.clone(), campaign_send::Column::CampaignId)).eq(c.id))
        .and_where(Expr::col((s.clone(), campaign_send::Column::Status)).is_in(arms))
        .and_where(Expr::col((e.clone(), contact_event::Column::Kind)).eq(purchases::PURCHASE))
        .and_where(Expr::col((e.clone(), contact_event::Column::OccurredAt)).gte(since))
        .to_owned();
    let bought = Bought::find_by_statement(backend.build(&q)).all(&tx).await?;
    tx.commit().await?;

    let window = Duration::days(window_days);
    let mut per: HashMap<(bool, ContactId), (i32, Vec<purchases::Purchase>)> = HashMap::new();
    for b in bought {
        if b.occurred_at < b.created_at || b.occurred_at >= b.created_at + window {
            continue;
        }
        let treated = b.status == "sent";
        per.entry((treated, b.contact_id.into()))
            .or_insert_with(|| (b.variant, Vec::new()))
            .1
            .push(purchases::parse(&b.properties));
    }
    let mut currencies: HashMap<String, usize> = HashMap::new();
    for p in per.values().flat_map(|(_, buys)| buys) {
        if let Some(c) = &p.currency {
            *currencies.entry(c.clone()).or_default() += 1;
        }
    }
    let currency = currencies.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(c, _)| c);
    let (mut treated, mut control) = (Arm::default(), Arm::default());
    let mut by_variant: std::collections::BTreeMap<i32, Arm> = std::collections::BTreeMap::new();
    for row in chosen {
        let split = if row.status == "sent" { Some(by_variant.entry(row.variant).or_default()) } else { None };
        let arm = if row.status == "sent" { &mut treated } else { &mut control };
        for a in std::iter::once(arm).chain(split) {
            a.contacts += row.n;
            a.opened += row.opened;
            a.clicked += row.clicked;
        }
    }
    for ((is_treated, _), (variant, buys)) in per {
        let spent: i64 =
            buys.iter().filter(|b| b.currency.is_none() || b.currency == currency).filter_map(|b| b.amount).sum();
        let split = if is_treated { Some(by_variant.entry(variant).or_default()) } else { None };
        let arm = if is_treated { &mut treated } else { &mut control };
        for a in std::iter::once(arm).chain(split) {
            a.converted += 1;
            a.revenue = a.revenue.saturating_add(spent);
            a.revenue_squares += (spent as f64) * (spent as f64);
        }
    }
    let variants = by_variant
        .into_iter()
        .map(|(variant, arm)| VariantResult {
            variant,
            conversion: proportion_lift(arm.converted, arm.contacts, control.converted, control.contacts),
            revenue_per_contact: mean_lift(&arm, &control),
            arm,
        })
        .collect();
    let conversion = proportion_lift(treated.converted, treated.contacts, control.converted, control.contacts);
    let revenue_per_contact = mean_lift(&treated, &control);
    let incremental_conversions = conversion.absolute * treated.contacts as f64;
    let incremental_revenue = (revenue_per_contact.absolute * treated.contacts as f64).round() as i64;
    Ok(Results {
        variants,
        treated,
        control,
        window_days,
        currency,
        conversion,
        revenue_per_contact,
        incremental_conversions,
        incremental_revenue,
    })
}
