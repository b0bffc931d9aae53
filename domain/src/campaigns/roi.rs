//! Return on investment (OPS-6): what a campaign cost (the purchase orders raised for it:
//! committed once approved, and what their invoices charged) beside the revenue it
//! caused (its treated contacts' revenue above the control group's, from
//! [`super::results`]), for one campaign and rolled up over a project's or a program's
//! campaigns. Cost is what was invoiced once invoices exist, else what was committed.

use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, QueryFilter};

use super::results;
use crate::db::TenantOwned;
use crate::{CampaignId, Parley, Permission, ProgramId, ProjectId, Result, TenantCtx};
use entities::ops::enums::PurchaseOrderStatus;
use entities::{campaign, program, project, purchase_order, purchase_order_line};

/// Attribution window the ROI counts revenue in (days).
pub const WINDOW_DAYS: i64 = 7;

/// What was spent in one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cost {
    pub currency: String,
    /// Approved, issued or closed orders.
    pub committed: i64,
    /// What their invoices charged.
    pub invoiced: i64,
}

impl Cost {
    /// The cost that counts: invoiced once invoices exist, else committed.
    pub fn counted(&self) -> i64 {
        if self.invoiced > 0 { self.invoiced } else { self.committed }
    }
}

/// Cost beside caused revenue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roi {
    /// Campaigns counted.
    pub campaigns: i64,
    /// Spend per currency.
    pub costs: Vec<Cost>,
    /// Revenue caused, per currency (minor units).
    pub revenue: Vec<(String, i64)>,
    /// (revenue − cost) / cost, where both are in one currency and there is a cost.
    pub roi: Option<f64>,
    /// The currency `roi` is computed in.
    pub currency: Option<String>,
}

/// Which campaigns a roll-up covers.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Campaign(CampaignId),
    Project(ProjectId),
    Program(ProgramId),
}

/// The ROI of one campaign, or of the campaigns of a project or program.
pub async fn of(ctx: &TenantCtx, p: &Parley, scope: Scope) -> Result<Roi> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let ids: Vec<CampaignId> = match scope {
        Scope::Campaign(id) => vec![tx.find::<campaign::Entity>(id).await?.id],
        Scope::Project(id) => {
            tx.find::<project::Entity>(id).await?;
            let q = campaign::Entity::scoped(ctx).filter(campaign::Column::ProjectId.eq(id));
            q.all(&tx).await?.into_iter().map(|c| c.id).collect()
        }
        Scope::Program(id) => {
            tx.find::<program::Entity>(id).await?;
            let projects: Vec<ProjectId> = project::Entity::scoped(ctx)
                .filter(project::Column::ProgramId.eq(id))
                .all(&tx)
                .await?
                .into_iter()
                .map(|p| p.id)
                .collect();
            let q = campaign::Entity::scoped(ctx).filter(campaign::Column::ProjectId.is_in(projects));
            q.all(&tx).await?.into_iter().map(|c| c.id).collect()
        }
    };
    let counted = [PurchaseOrderStatus::Approved, PurchaseOrderStatus::Issued, PurchaseOrderStatus::Closed];
    let orders = purchase_order::Entity::scoped(ctx)
        .filter(purchase_order::Column::CampaignId.is_in(ids.clone()))
        .filter(purchase_order::Column::Status.is_in(counted))
        .all(&tx)
        .await?;
    let order_ids: Vec<_> = orders.iter().map(|o| o.id).collect();
    let lines = purchase_order_line::Entity::scoped(ctx)
        .filter(purchase_order_line::Column::PurchaseOrderId.is_in(order_ids))
        .all(&tx)
        .await?;
    tx.commit().await?;
    let mut costs: BTreeMap<String, Cost> = BTreeMap::new();
    for o in &orders {
        let c =
            costs.entry(o.currency.clone()).or_insert_with(|| Cost { currency: o.currency.clone(), ..Cost::default() });
        c.committed = c.committed.saturating_add(o.total);
        let invoiced: i64 = lines.iter().filter(|l| l.purchase_order_id == o.id).map(|l| l.invoiced).sum();
        c.invoiced = c.invoiced.saturating_add(invoiced);
    }
    let mut revenue: BTreeMap<String, i64> = BTreeMap::new();
    for id in &ids {
        let r = results::of(ctx, p, *id, WINDOW_DAYS).await?;
        if let Some(cur) = r.currency {
            *revenue.entry(cur).or_default() += r.incremental_revenue;
        }
    }
    let single = |m: Vec<String>| if m.len() == 1 { m.into_iter().next() } else { None };
    let currency = match (single(costs.keys().cloned().collect()), single(revenue.keys().cloned().collect())) {
        (Some(c), Some(r)) if c == r => Some(c),
        (Some(c), None) => Some(c),
        _ => None,
    };
    let roi = currency.as_ref().and_then(|cur| {
        let cost = costs.get(cur)?.counted();
        let caused = revenue.get(cur).copied().unwrap_or(0);
        (cost > 0).then(|| (caused - cost) as f64 / cost as f64)
    });
    Ok(Roi {
        campaigns: i64::try_from(ids.len()).unwrap_or(i64::MAX),
        costs: costs.into_values().collect(),
        revenue: revenue.into_iter().collect(),
        roi,
        currency,
    })
}
