//! Spend (OPS-3): vendors, purchase orders charged to budget lines, and invoices matched
//! to them.
//!
//! A purchase order moves draft → submitted → approved → issued → closed (or rejected,
//! or cancelled before approval). Approved and issued orders *commit* their uninvoiced
//! amounts against their budget lines; invoices turn commitment into *actual* spend;
//! closing an order releases what was never invoiced. The budget is checked when an
//! order is approved (at submission when no approval rule applies, else at the last
//! approver's decision), under a lock on its budget lines.

pub mod invoices;
pub mod orders;

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};
use serde_json::json;

use crate::db::TenantOwned;
use crate::page::{Page, PageArgs};
use crate::{Audited, Order, Parley, Permission, Result, TenantCtx, TenantTx, new_id, now, validate};
use entities::ids::VendorId;
use entities::vendor;

/// A vendor.
pub type Vendor = vendor::Model;

impl Audited for Vendor {
    fn audit_json(&self) -> serde_json::Value {
        json!({ "name": self.name })
    }
}

/// The vendor called `name` (case aside), added on first use.
pub(crate) async fn vendor_named(tx: &TenantTx<'_>, name: &str) -> Result<Vendor> {
    let name = validate::name("vendor", name, 200)?;
    let key = name.to_lowercase();
    if let Some(v) = vendor::Entity::scoped(tx.ctx()).filter(vendor::Column::NameKey.eq(&key)).one(tx).await? {
        return Ok(v);
    }
    let row = vendor::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        name_key: Set(key),
        created_at: Set(now()),
        ..Default::default()
    };
    tx.create("vendor.created", row).await
}

/// The workspace's vendors, oldest first.
pub async fn vendors(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<Vendor>> {
    p.page::<vendor::Entity>(ctx, Permission::ReadWorkspace, Order::Oldest, args).await
}

/// One vendor.
pub async fn get_vendor(ctx: &TenantCtx, p: &Parley, id: VendorId) -> Result<Vendor> {
    p.find::<vendor::Entity>(ctx, Permission::ReadWorkspace, id).await
}
