//! `TenantTx`: one transaction scoped to one tenant, built only from a [`TenantCtx`].
//!
//! Every use case that touches tenant data opens one with [`Parley::tenant_tx`] and
//! does its reads and writes through it: the transaction carries the context, so the
//! scoped helpers ([`TenantTx::find`], [`TenantTx::page`]) cannot be pointed at another
//! tenant, and use cases compose inside one transaction by passing it on (helpers such
//! as `revoke_keys_made_by` or `drop_agency_grants` take `&TenantTx`).

use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, ExecResult, IntoActiveModel, ModelTrait, PaginatorTrait, QueryFilter, QueryOrder, QueryResult,
    QuerySelect, Select, Statement,
};

use crate::audit::{Change, record};
use crate::db::{Scope, TenantOwned};
use crate::page::{Page, PageArgs, finish};
use crate::{Error, Parley, Permission, Result, TenantCtx, WorkspaceId};
use entities::ids::TypedId;

/// What an object shows of itself in the audit trail: the fields a reader of the trail
/// may see, never a secret or its hash.
pub(crate) trait Audited {
    /// The object's audit view.
    fn audit_json(&self) -> serde_json::Value;
}

/// The typed ID of a row of `E`.
fn id_of<E>(m: &E::Model) -> Result<E::Id>
where
    E: TenantOwned,
    E::Id: TypedId,
{
    match m.get(E::id_col()) {
        sea_orm::Value::Uuid(Some(u)) => Ok(E::Id::from(u)),
        other => Err(Error::internal(format!("an ID that is not a UUID: {other:?}"))),
    }
}

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
    role: crate::Role,
}

impl std::fmt::Debug for TenantTx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantTx").field("tenant", &self.ctx.tenant_id()).finish_non_exhaustive()
    }
}

impl Parley {
    /// Opens a transaction scoped to `ctx`'s tenant (and, on PostgreSQL, its user).
    /// A person's claimed context is checked here: the membership is read in the
    /// statement that scopes the transaction, and the role it holds recorded on `ctx`.
    pub(crate) async fn tenant_tx<'c>(&self, ctx: &'c TenantCtx) -> Result<TenantTx<'c>> {
        let (txn, role) = match (ctx.known_role(), ctx.user_id()) {
            (None, Some(user)) => {
                let (txn, role) = self.db().begin_as_member(ctx.tenant_id(), user).await?;
                ctx.confirm(role);
                (txn, role)
            }
            (None, None) => return Err(Error::internal("a context with no role and no user")),
            (Some(role), _) => (self.db().begin(Scope::ctx(ctx)).await?, role),
        };
        Ok(TenantTx { txn, ctx, role })
    }

    /// One object of `ctx`'s tenant by ID, in a transaction of its own, for an actor
    /// whose role holds `permission`; `NotFound` for an ID of another tenant or none.
    pub(crate) async fn find<E>(&self, ctx: &TenantCtx, permission: Permission, id: E::Id) -> Result<E::Model>
    where
        E: TenantOwned,
        E::Model: Sync,
    {
        let tx = self.tenant_tx(ctx).await?;
        tx.require(permission)?;
        let found = tx.find::<E>(id).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// One page of all objects of `ctx`'s tenant, in a transaction of its own, for an
    /// actor whose role holds `permission`.
    pub(crate) async fn page<E>(
        &self,
        ctx: &TenantCtx,
        permission: Permission,
        order: Order,
        args: PageArgs,
    ) -> Result<Page<E::Model>>
    where
        E: TenantOwned,
        E::Model: Sync,
    {
        let tx = self.tenant_tx(ctx).await?;
        tx.require(permission)?;
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

    /// The actor's role, read when the transaction opened.
    pub(crate) fn role(&self) -> crate::Role {
        self.role
    }

    /// `Forbidden` unless the actor's role holds `permission`.
    pub(crate) fn require(&self, permission: Permission) -> Result<()> {
        self.ctx.require(permission)
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

    /// Like [`TenantTx::find`], and locked until the transaction ends (PostgreSQL:
    /// `FOR UPDATE`; SQLite's one writer serialises transactions already), so that what
    /// is decided from it stays true.
    pub(crate) async fn lock<E: TenantOwned>(&self, id: E::Id) -> Result<E::Model> {
        let mut q = E::scoped(self.ctx).filter(E::id_col().eq(id));
        if self.get_database_backend() == DbBackend::Postgres {
            q = q.lock_exclusive();
        }
        q.one(self).await?.ok_or(Error::NotFound)
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

    /// Adds `row` to the tenant and records `action` with what the new object holds.
    /// The tenant column is set here, whatever `row` held, so a row cannot land in
    /// another tenant.
    pub(crate) async fn create<A>(&self, action: &str, mut row: A) -> Result<<A::Entity as EntityTrait>::Model>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        A::Entity: TenantOwned,
        <A::Entity as TenantOwned>::Id: TypedId,
        <A::Entity as EntityTrait>::Model: IntoActiveModel<A> + Audited,
    {
        row.set(A::Entity::tenant_col(), self.tenant_id().into());
        let m = row.insert(self).await?;
        self.record(Change::new(action, id_of::<A::Entity>(&m)?).after(m.audit_json())).await?;
        Ok(m)
    }

    /// Changes one object of the tenant with `edit` and records `action` with the
    /// object before and after; `NotFound` for another tenant's ID or none. When `edit`
    /// sets nothing, nothing is written or recorded and the object is answered as it is.
    pub(crate) async fn update<E>(
        &self,
        action: &str,
        id: E::Id,
        edit: impl FnOnce(&mut E::ActiveModel) -> Result<()>,
    ) -> Result<E::Model>
    where
        E: TenantOwned,
        E::Id: TypedId,
        E::Model: IntoActiveModel<E::ActiveModel> + Audited + Sync,
        E::ActiveModel: ActiveModelBehavior + Send,
    {
        let found = self.find::<E>(id).await?;
        let before = found.audit_json();
        let mut row = found.clone().into_active_model();
        edit(&mut row)?;
        if row.get(E::tenant_col()).is_set() || row.get(E::id_col()).is_set() {
            return Err(Error::internal("a change may not move an object to another tenant or ID"));
        }
        if !row.is_changed() {
            return Ok(found);
        }
        let m = row.update(self).await?;
        self.record(Change::new(action, id).before(before).after(m.audit_json())).await?;
        Ok(m)
    }

    /// Deletes `found` (read in this transaction, after the rules that allow it were
    /// checked) and records `action` with what it held; `NotFound` when it is not (or
    /// no longer) the tenant's.
    pub(crate) async fn delete<E>(&self, action: &str, found: E::Model) -> Result<E::Model>
    where
        E: TenantOwned,
        E::Id: TypedId,
        E::Model: Audited + Sync,
    {
        let id = id_of::<E>(&found)?;
        let gone =
            E::delete_many().filter(E::tenant_col().eq(self.tenant_id())).filter(E::id_col().eq(id)).exec(self).await?;
        if gone.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        self.record(Change::new(action, id).before(found.audit_json())).await?;
        Ok(found)
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
