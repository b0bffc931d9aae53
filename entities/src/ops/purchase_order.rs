//! A purchase order placed with a vendor, its lines charged to budget lines.

use sea_orm::entity::prelude::*;

use super::enums::PurchaseOrderStatus;
use crate::ids::{ApprovalId, CampaignId, PurchaseOrderId, UserId, VendorId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "purchase_orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: PurchaseOrderId,
    pub vendor_id: VendorId,
    pub status: PurchaseOrderStatus,
    pub currency: String,
    /// The lines' sum, minor units.
    pub total: i64,
    /// How far invoices may go past the order, in basis points of its total.
    pub tolerance_bp: i32,
    /// Who wrote it (a person or an API key).
    pub created_by: Uuid,
    /// The person behind it (an API key's maker), who may not approve it.
    pub requester: Option<UserId>,
    pub approval_id: Option<ApprovalId>,
    /// When the goods or services are expected: the period its commitment falls in.
    pub expected_on: Option<Date>,
    /// The month (`yyyymm`) its commitment falls in, set when it is approved.
    pub commit_month: Option<i32>,
    pub submitted_at: Option<DateTimeUtc>,
    pub approved_at: Option<DateTimeUtc>,
    pub issued_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    /// The campaign it pays for, if any (its cost in the campaign's ROI).
    pub campaign_id: Option<CampaignId>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
