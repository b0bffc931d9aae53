//! `TenantTx`: one transaction scoped to one tenant, built only from a [`TenantCtx`].
//!
//! Every use case that touches tenant data opens one with [`Parley::tenant_tx`] and
//! does its reads and writes through it: the transaction carries the context, so the
//! scoped helpers ([`TenantTx::find`], [`TenantTx::page`]) cannot be pointed at another
//! tenant, and use cases compose inside one transaction by passing it on (helpers such
//! as `revoke_keys_made_by` or `drop_agency_grants` take `&TenantTx`).

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, ExecResult, PaginatorTrait, QueryFilter,
    QueryOrder, QueryResult, QuerySelect, Select, Statement,
};

use crate::audit::{Change, record};
use crate::db::{Scope, TenantOwned};
use crate::page::{Page, PageArgs, finish};
use crate::{Parley, Result, TenantCtx, WorkspaceId};

/// Which end of a list comes first. IDs are time-ordered, so this is age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// Oldest first.
    Oldest,
    /// Newest first.
    Newest,
}

/// A transaction scoped to the tenant of the context it was opened for.
pub(crate) struct TenantTx<'c> {
    txn: DatabaseTransaction,
    ctx: &'c TenantCtx,
}

impl std::fmt::Debug for TenantTx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantTx").field("tenant", &self.ctx.tenant_id()).finish_non_exhaustive()
    }
}

impl Parley {
    /// Opens a transaction scoped to `ctx`'s tenant (and, on PostgreSQL, its user).
    pub(crate) async fn tenant_tx<'c>(&self, ctx: &'c TenantCtx) -> Result<TenantTx<'c>> {
        let txn = self.db().begin(Scope::ctx(ctx)).await?;
        Ok(TenantTx { txn, ctx })
    }

    /// One object of `ctx`'s tenant by ID, in a transaction of its own; `NotFound` for
    /// an ID of another tenant or none.
    pub(crate) async fn find<E>(&self, ctx: &TenantCtx, id: E::Id) -> Result<E::Model>
    where
        E: TenantOwned,
        E::Model: Sync,
    {
        let tx = self.tenant_tx(ctx).await?;
        let found = tx.find::<E>(id).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// One page of all objects of `ctx`'s tenant, in a transaction of its own.
    pub(crate) async fn page<E>(&self, ctx: &TenantCtx, order: Order, args: PageArgs) -> Result<Page<E::Model>>
    where
        E: TenantOwned,
        E::Model: Sync,
    {
        let tx = self.tenant_tx(ctx).await?;
        let page = tx.page(E::find(), order, args).await?;
        tx.commit().await?;
        Ok(page)
    }
}

impl<'c> TenantTx<'c> {
    /// The context the transaction acts for.
    pub(crate) fn ctx(&self) -> &'c TenantCtx {
        self.ctx
    }

    /// The tenant it is scoped to.
    pub(crate) fn tenant_id(&self) -> WorkspaceId {
        self.ctx.tenant_id()
    }

    /// Commits.
    pub(crate) async fn commit(self) -> Result<()> {
        Ok(self.txn.commit().await?)
    }

    /// One object of the tenant by ID; `NotFound` for an ID of another tenant or none.
    pub(crate) async fn find<E: TenantOwned>(&self, id: E::Id) -> Result<E::Model> {
        E::secure_find(self.ctx, id, self).await
    }

    /// One page of `query` (restricted to the tenant here, whatever it filtered
    /// already), in ID order, with the list's total.
    pub(crate) async fn page<E>(&self, query: Select<E>, order: Order, args: PageArgs) -> Result<Page<E::Model>>
    where
        E: TenantOwned,
        E::Model: Sync,
    {
        let query = query.filter(E::tenant_col().eq(self.tenant_id()));
        let total = query.clone().count(self).await?;
        let mut q = match order {
            Order::Oldest => query.order_by_asc(E::id_col()),
            Order::Newest => query.order_by_desc(E::id_col()),
        };
        if let Some(after) = args.after {
            q = match order {
                Order::Oldest => q.filter(E::id_col().gt(after)),
                Order::Newest => q.filter(E::id_col().lt(after)),
            };
        }
        let items = q.limit(args.first + 1).all(self).await?;
        Ok(finish(items, args, total))
    }

    /// Appends one line to the tenant's audit trail.
    pub(crate) async fn record(&self, change: Change<'_>) -> Result<()> {
        record(self, self.ctx, change).await
    }
}

// The transaction is a connection like any other, so sea-orm queries run on it as on
// the pool (`.one(&tx)`).
#[async_trait::async_trait]
impl ConnectionTrait for TenantTx<'_> {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }
    async fn execute_raw(&self, stmt: Statement) -> std::result::Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> std::result::Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }
    async fn query_one_raw(&self, stmt: Statement) -> std::result::Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }
    async fn query_all_raw(&self, stmt: Statement) -> std::result::Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }
    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}
