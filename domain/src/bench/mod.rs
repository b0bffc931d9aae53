//! What `parley bench` measures the product against, never reachable from the API.
//!
//! The reference a tenant-scoped request is measured against: the least such a request
//! needs (check the access token, one transaction scoped to the tenant, one
//! primary-key read). It skips the membership check on purpose, to show what that
//! check and GraphQL cost. `audience.rs`: a large audience written straight into the
//! database, and hand-written SQL to count parts of it.

pub mod audience;
pub mod budget;
pub mod journeys;
pub mod leads;
pub mod triggers;

use sea_orm::EntityTrait;

use crate::db::Scope;
use crate::identity::auth::{Principal, verify_access_token};
use crate::{Error, Parley, Result, Workspace};
use entities::workspace;

/// The workspace's next `limit` contacts after `after` (by ID), moving `after` on: how
/// the benches walk an audience in batches.
pub(crate) async fn next_contacts(
    tx: &crate::TenantTx<'_>,
    after: &mut Option<crate::ContactId>,
    limit: u64,
) -> Result<Vec<crate::ContactId>> {
    use crate::db::TenantOwned;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    let mut q = entities::contact::Entity::scoped(tx.ctx()).order_by_asc(entities::contact::Column::Id).limit(limit);
    if let Some(a) = *after {
        q = q.filter(entities::contact::Column::Id.gt(a));
    }
    let ids: Vec<crate::ContactId> = q.select_only().column(entities::contact::Column::Id).into_tuple().all(tx).await?;
    if let Some(last) = ids.last() {
        *after = Some(*last);
    }
    Ok(ids)
}

/// Reads the session's workspace the cheapest way a tenant request can; with
/// `check_membership`, after the membership check a real request makes (to show what
/// that check costs on its own).
pub async fn reference_read(p: &Parley, bearer: &str, check_membership: bool) -> Result<Workspace> {
    let Principal::User { user_id, default_workspace, .. } = verify_access_token(p, bearer)? else {
        return Err(Error::NotFound);
    };
    if check_membership {
        p.db().member_role(default_workspace, user_id).await?.ok_or(Error::NotFound)?;
    }
    let txn = p.db().begin(Scope { tenant: Some(default_workspace), user: Some(user_id), jobs: false }).await?;
    let ws = workspace::Entity::find_by_id(default_workspace).one(&txn).await?.ok_or(Error::NotFound)?;
    txn.commit().await?;
    Ok(ws)
}

/// Marks every account's address verified, written straight into the database (the
/// bench's mail goes to a sink, where no verification link can be opened).
pub async fn verify_every_address(p: &Parley) -> Result<u64> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let n = entities::user::Entity::update_many()
        .col_expr(entities::user::Column::EmailVerifiedAt, Expr::value(Some(crate::now())))
        .filter(entities::user::Column::EmailVerifiedAt.is_null())
        .exec(p.db().global())
        .await?
        .rows_affected;
    Ok(n)
}
