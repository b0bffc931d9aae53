//! Connections and tenant-scoped transactions.
//!
//! Every query runs inside a transaction opened here. On PostgreSQL the transaction
//! first sets `app.tenant_id` (and `app.user_id`), which the row-level security
//! policies read; the runtime connects as a role that cannot bypass them.

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, Select, Statement, TransactionTrait, sea_query::IntoCondition,
};
use uuid::Uuid;

use crate::{Error, Result, TenantCtx, UserId, WorkspaceId};
use entities::ids::TypedId;

/// The database Parley runs on.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
}

/// What a transaction may see.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Scope {
    pub tenant: Option<WorkspaceId>,
    pub user: Option<UserId>,
    pub jobs: bool,
}

impl Scope {
    pub fn tenant(tenant: WorkspaceId) -> Self {
        Scope { tenant: Some(tenant), ..Default::default() }
    }
    pub fn ctx(ctx: &TenantCtx) -> Self {
        Scope { tenant: Some(ctx.tenant_id()), user: ctx.user_id(), jobs: false }
    }
}

/// Replaces the user of a PostgreSQL URL (keeping host, port, database and options).
pub fn with_user(url: &str, user: &str, password: Option<&str>) -> Result<String> {
    let mut parsed = url::Url::parse(url).map_err(|e| Error::invalid("PARLEY_DATABASE_URL", e.to_string()))?;
    parsed.set_username(user).map_err(|_| Error::invalid("PARLEY_DATABASE_URL", "cannot set the user"))?;
    parsed.set_password(password).map_err(|_| Error::invalid("PARLEY_DATABASE_URL", "cannot set the password"))?;
    Ok(parsed.to_string())
}

/// Hides the password of a database URL for logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("****"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "<unparsable url>".into(),
    }
}

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DbConfig {
    /// Owner URL: migrations run with it.
    pub url: String,
    /// Runtime URL (the `parley_app` role on PostgreSQL); derived from `url` when unset.
    pub app_url: Option<String>,
    /// Password for the derived runtime URL.
    pub app_password: Option<String>,
    /// Pool size for PostgreSQL.
    pub max_connections: u32,
}

impl DbConfig {
    /// Defaults around an owner URL.
    pub fn new(url: impl Into<String>) -> Self {
        DbConfig { url: url.into(), app_url: None, app_password: None, max_connections: 10 }
    }
    fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres://") || self.url.starts_with("postgresql://")
    }
}

async fn open(url: &str, max: u32, sqlite: bool) -> Result<DatabaseConnection> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false).connect_timeout(Duration::from_secs(10)).acquire_timeout(Duration::from_secs(10));
    if sqlite {
        // One connection: SQLite has one writer, and a single connection turns lock
        // contention into orderly queueing instead of SQLITE_BUSY errors. An embedded
        // file has no server to hang up, so no ping before each use.
        opts.max_connections(1).min_connections(1).test_before_acquire(false);
    } else {
        // A ping before every use is a round trip per transaction; only a connection
        // idle long enough for a server, proxy or firewall to have dropped it is pinged
        // first (one broken anyway fails with UNAVAILABLE, which clients retry).
        opts.max_connections(max).min_connections(1).test_before_acquire_if_idle_for(Duration::from_secs(30));
    }
    Database::connect(opts).await.map_err(|e| Error::internal(format!("connecting to {}: {e}", redact_url(url))))
}

/// The role `user` holds in `tenant`, if any. PostgreSQL: one statement sets the
/// tenant and user scope by `set_config(…, true)` on its left and reads the membership
/// in a sub-select on its right, which runs after them (an uncorrelated sub-select runs
/// when its value is first needed), so row-level security already sees the tenant;
/// bound, not inlined, so it is prepared once per connection. SQLite has no row-level
/// security: a plain read, scoped to the tenant by its filter.
async fn role_in(conn: &impl ConnectionTrait, tenant: WorkspaceId, user: UserId) -> Result<Option<crate::Role>> {
    use sea_orm::{ActiveEnum, ColumnTrait, QueryFilter};
    if conn.get_database_backend() != DbBackend::Postgres {
        use entities::membership;
        let m = membership::Entity::scoped_to(tenant).filter(membership::Column::UserId.eq(user)).one(conn).await?;
        return Ok(m.map(|m| m.role));
    }
    let sql = "SELECT set_config('app.tenant_id', $1, true) AS t, set_config('app.user_id', $2, true) AS u, \
               set_config('app.scope', '', true) AS s, \
               (SELECT role FROM memberships WHERE tenant_id = $3 AND user_id = $4) AS role";
    let values: [sea_orm::Value; 4] =
        [tenant.to_string().into(), user.to_string().into(), tenant.uuid().into(), user.uuid().into()];
    let row = conn.query_one_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql, values)).await?;
    match row.map(|r| r.try_get::<Option<String>>("", "role")).transpose()?.flatten() {
        Some(raw) => Ok(Some(crate::Role::try_from_value(&raw).map_err(Error::internal)?)),
        None => Ok(None),
    }
}

impl Db {
    /// Migrates with the owner URL, then returns a runtime pool. On PostgreSQL the
    /// owner connection is closed before returning, so the running server holds no
    /// connection that could bypass row-level security.
    pub async fn connect_and_migrate(cfg: &DbConfig) -> Result<Db> {
        Self::migrate(cfg).await?;
        Self::connect(cfg).await
    }

    /// Applies pending migrations with the owner URL.
    pub async fn migrate(cfg: &DbConfig) -> Result<()> {
        let owner = open(&cfg.url, 2, !cfg.is_postgres()).await?;
        Migrator::up(&owner, None).await.map_err(Error::internal)?;
        owner.close().await.map_err(Error::internal)?;
        Ok(())
    }

    /// Connects the runtime pool (as `parley_app` on PostgreSQL).
    pub async fn connect(cfg: &DbConfig) -> Result<Db> {
        let url = if cfg.is_postgres() {
            match &cfg.app_url {
                Some(u) => u.clone(),
                None => with_user(&cfg.url, migrations::APP_ROLE, cfg.app_password.as_deref())?,
            }
        } else {
            cfg.url.clone()
        };
        let conn = open(&url, cfg.max_connections, !cfg.is_postgres()).await?;
        Ok(Db { conn })
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Whether this is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.backend() == DbBackend::Postgres
    }

    pub(crate) async fn begin(&self, scope: Scope) -> Result<DatabaseTransaction> {
        let txn = self.conn.begin().await?;
        if self.is_postgres() {
            // One round trip sets them all; bound, so the statement is prepared once
            // per connection rather than parsed per transaction.
            let tenant = scope.tenant.map(|t| t.to_string()).unwrap_or_default();
            let user = scope.user.map(|u| u.to_string()).unwrap_or_default();
            let jobs = if scope.jobs { "jobs" } else { "" };
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true), \
                 set_config('app.scope', $3, true)",
                [tenant.into(), user.into(), jobs.into()],
            ))
            .await?;
        }
        Ok(txn)
    }

    /// Opens a transaction scoped to `tenant` and `user`, reading the role `user` holds
    /// there in the statement that sets the scope ([`role_in`]). `NotFound` when `user`
    /// is no member of `tenant`, nothing read.
    pub(crate) async fn begin_as_member(
        &self,
        tenant: WorkspaceId,
        user: UserId,
    ) -> Result<(DatabaseTransaction, crate::Role)> {
        let txn = self.conn.begin().await?;
        match role_in(&txn, tenant, user).await? {
            Some(role) => Ok((txn, role)),
            None => {
                txn.rollback().await?;
                Err(Error::NotFound)
            }
        }
    }

    /// The pool itself, for single statements on tables that hold no tenant data
    /// (`users`, `workspaces`, …); tenant tables are read only in [`Db::tx`].
    pub(crate) fn global(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Opens a transaction scoped to `ctx`'s tenant. A person's claimed context is
    /// refused here: only `Parley::tenant_tx` checks one.
    pub(crate) async fn tx(&self, ctx: &TenantCtx) -> Result<DatabaseTransaction> {
        if ctx.known_role().is_none() {
            return Err(Error::internal("a claimed context opens its transactions with tenant_tx"));
        }
        self.begin(Scope::ctx(ctx)).await
    }

    /// The role `user` holds in `tenant`, if any, read in one statement and no
    /// transaction (on PostgreSQL one statement is its own transaction, so the scope
    /// its `set_config` calls set lasts exactly the statement).
    pub(crate) async fn member_role(&self, tenant: WorkspaceId, user: UserId) -> Result<Option<crate::Role>> {
        role_in(&self.conn, tenant, user).await
    }

    /// Whether the database answers and every migration is applied.
    pub async fn ready(&self) -> Result<()> {
        let txn = self.begin(Scope::default()).await?;
        let applied = txn
            .query_one_raw(Statement::from_string(self.backend(), "SELECT COUNT(*) AS n FROM seaql_migrations"))
            .await?
            .and_then(|r| r.try_get::<i64>("", "n").ok())
            .unwrap_or(0);
        txn.commit().await?;
        let known = Migrator::migrations().len() as i64;
        if applied < known {
            return Err(Error::internal(format!("{applied} of {known} migrations applied")));
        }
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<()> {
        self.conn.close().await.map_err(Error::internal)
    }
}

/// Creates an empty PostgreSQL database next to the one `admin_url` names (for
/// benchmarks and tests) and returns its URL.
pub async fn scratch_database(admin_url: &str, prefix: &str) -> Result<String> {
    let name = format!("{prefix}_{}", Uuid::now_v7().simple());
    let admin = open(admin_url, 1, false).await?;
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
    admin.close().await.map_err(Error::internal)?;
    let mut url = url::Url::parse(admin_url).map_err(|e| Error::invalid("url", e.to_string()))?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}

/// Drops a database [`scratch_database`] made (named in `url`), from `admin_url`'s server;
/// anything not named like a scratch database (`prefix_…`) is refused.
pub async fn drop_scratch_database(admin_url: &str, url: &str, prefix: &str) -> Result<()> {
    let parsed = url::Url::parse(url).map_err(|e| Error::invalid("url", e.to_string()))?;
    let name = parsed.path().trim_start_matches('/');
    let ok = name
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    if !ok {
        return Err(Error::invalid("url", format!("{name} is not a scratch database")));
    }
    let admin = open(admin_url, 1, false).await?;
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
    admin.close().await.map_err(Error::internal)
}

/// `text` lowercased, with `%`, `_` and `\\` escaped for a `LIKE … ESCAPE '\\'` pattern
/// (compare with `lower(column)`: PostgreSQL's `LIKE` minds case, SQLite's does not).
pub(crate) fn like_lower(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// Re-points numbered placeholders (`$1`) at SQLite's form (`?1`).
pub(crate) fn sql_for(backend: DbBackend, sql: &str) -> String {
    if backend == DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|n| n.is_ascii_digit()) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// SQL for the database's clock plus `ms_param` (a bound number of milliseconds), in
/// the form timestamps are stored in. Leases are set by the database's clock, not the
/// worker's, so a worker whose clock is off cannot shorten or stretch them.
pub(crate) fn db_clock_plus(backend: DbBackend, ms_param: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("(CURRENT_TIMESTAMP + {ms_param}::bigint * interval '1 millisecond')"),
        // sqlx stores chrono timestamps on SQLite as RFC 3339 text in UTC; this writes
        // the same shape (millisecond precision), which sqlx reads back and which
        // sorts with the stored values.
        _ => format!("strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '+' || ({ms_param} / 1000.0) || ' seconds')"),
    }
}

/// SQL: whether the timestamp column `col` lies before the database's clock.
pub(crate) fn before_db_clock(backend: DbBackend, col: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("{col} < CURRENT_TIMESTAMP"),
        // Compared as instants, whatever text form (precision, separator) was stored.
        _ => format!("julianday({col}) < julianday('now')"),
    }
}

/// Entities owned by a tenant: every query on them starts from `scoped`.
pub(crate) trait TenantOwned: EntityTrait {
    /// The type of the objects' IDs.
    type Id: Into<sea_orm::Value> + Copy + Send + Sync;
    fn tenant_col() -> Self::Column;
    fn id_col() -> Self::Column;

    /// All rows of the context's tenant.
    fn scoped(ctx: &TenantCtx) -> Select<Self> {
        Self::scoped_to(ctx.tenant_id())
    }

    /// All rows of one tenant (for the few rules that act across a parent and child).
    fn scoped_to(tenant: WorkspaceId) -> Select<Self> {
        use sea_orm::ColumnTrait;
        Self::find().filter(Self::tenant_col().eq(tenant))
    }

    /// One row of the context's tenant, `NotFound` otherwise.
    fn secure_find<C: ConnectionTrait>(
        ctx: &TenantCtx,
        id: Self::Id,
        conn: &C,
    ) -> impl std::future::Future<Output = Result<<Self as EntityTrait>::Model>> + Send
    where
        Self: Sized,
    {
        use sea_orm::ColumnTrait;
        let query = Self::scoped(ctx).filter(Self::id_col().eq(id).into_condition());
        async move { query.one(conn).await?.ok_or(Error::NotFound) }
    }
}

macro_rules! tenant_owned {
    ($($m:ident => $id:ty),*) => {
        $(
            impl TenantOwned for entities::$m::Entity {
                type Id = $id;
                fn tenant_col() -> Self::Column { entities::$m::Column::TenantId }
                fn id_col() -> Self::Column { entities::$m::Column::Id }
            }
        )*

        /// The tables of the tenant-scoped entities, to check against the migrations' list.
        #[cfg(test)]
        fn tenant_owned_tables() -> Vec<&'static str> {
            use sea_orm::EntityName;
            vec![$(entities::$m::Entity.table_name()),*]
        }
    };
}
tenant_owned!(
    membership => entities::ids::MembershipId,
    invitation => entities::ids::InvitationId,
    api_key => entities::ids::ApiKeyId,
    audit_entry => entities::ids::AuditEntryId,
    job => entities::ids::JobId,
    contact => entities::ids::ContactId,
    contact_event => entities::ids::ContactEventId,
    attribute_definition => entities::ids::ContactFieldId,
    tracking_key => entities::ids::TrackingKeyId,
    visitor => entities::ids::VisitorId,
    stored_file => entities::ids::StoredFileId,
    file_chunk => entities::ids::FileChunkId,
    contact_import => entities::ids::ContactImportId,
    import_rejection => entities::ids::ImportRejectionId,
    contact_export => entities::ids::ContactExportId,
    segment => entities::ids::SegmentId,
    segment_member => entities::ids::SegmentMemberId,
    score_run => entities::ids::ScoreRunId,
    propensity_model => entities::ids::PropensityModelId,
    product_affinity => entities::ids::ProductAffinityId,
    score_schedule => entities::ids::ScoreScheduleId,
    plan => entities::ids::PlanId,
    program => entities::ids::ProgramId,
    project => entities::ids::ProjectId,
    cost_center => entities::ids::CostCenterId,
    vendor => entities::ids::VendorId,
    budget_line => entities::ids::BudgetLineId,
    purchase_order => entities::ids::PurchaseOrderId,
    purchase_order_line => entities::ids::PurchaseOrderLineId,
    invoice => entities::ids::InvoiceId,
    invoice_charge => entities::ids::InvoiceChargeId,
    approval_rule => entities::ids::ApprovalRuleId,
    approval => entities::ids::ApprovalId,
    approval_decision => entities::ids::ApprovalDecisionId,
    approval_delegation => entities::ids::ApprovalDelegationId,
    workflow_template => entities::ids::WorkflowTemplateId,
    workflow => entities::ids::WorkflowId,
    workflow_task => entities::ids::WorkflowTaskId,
    task_comment => entities::ids::TaskCommentId,
    budget_draft => entities::ids::BudgetDraftId,
    asset => entities::ids::AssetId,
    asset_version => entities::ids::AssetVersionId,
    asset_comment => entities::ids::AssetCommentId,
    sending_domain => entities::ids::SendingDomainId,
    email_template => entities::ids::EmailTemplateId,
    campaign => entities::ids::CampaignId,
    campaign_send => entities::ids::CampaignSendId,
    email_suppression => entities::ids::EmailSuppressionId,
    inbound_message => entities::ids::InboundMessageId,
    contact_policy => entities::ids::ContactPolicyId,
    offer => entities::ids::OfferId,
    offer_version => entities::ids::OfferVersionId,
    interaction_point => entities::ids::InteractionPointId,
    treatment_rule => entities::ids::TreatmentRuleId,
    decision => entities::ids::DecisionId,
    offer_response => entities::ids::OfferResponseId,
    offer_stat => entities::ids::OfferStatId,
    optimization_run => entities::ids::OptimizationRunId,
    trigger_rule => entities::ids::TriggerRuleId,
    trigger_firing => entities::ids::TriggerFiringId,
    trigger_timer => entities::ids::TriggerTimerId,
    trigger_cursor => entities::ids::TriggerCursorId,
    trigger_member => entities::ids::TriggerMemberId,
    journey => entities::ids::JourneyId,
    journey_version => entities::ids::JourneyVersionId,
    journey_enrolment => entities::ids::JourneyEnrolmentId,
    journey_visit => entities::ids::JourneyVisitId,
    journey_run => entities::ids::JourneyRunId,
    lead_scoring_model => entities::ids::LeadScoringModelId,
    sales_rep => entities::ids::SalesRepId,
    routing_rule => entities::ids::RoutingRuleId,
    lead => entities::ids::LeadId,
    lead_activity => entities::ids::LeadActivityId,
    lead_webhook => entities::ids::LeadWebhookId,
    lead_run => entities::ids::LeadRunId
);

/// Refreshes PostgreSQL's planner statistics of `table` (one the migration lets the
/// runtime refresh) after it grew by a whole batch of rows at once; SQLite plans
/// without them.
pub(crate) async fn refresh_statistics(conn: &impl ConnectionTrait, table: &str) -> Result<()> {
    if conn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let sql = "SELECT parley_refresh_statistics($1)::text AS done";
    conn.query_one_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql, [table.into()])).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Every tenant table the migrations make is queried only through `TenantOwned`,
    /// and every `TenantOwned` entity is a table the migrations wall by tenant.
    #[test]
    fn the_tenant_scoped_entities_are_the_tenant_tables() {
        let mut mine = super::tenant_owned_tables();
        let mut theirs = migrations::TENANT_TABLES.to_vec();
        mine.sort_unstable();
        theirs.sort_unstable();
        assert_eq!(mine, theirs);
    }
}
