//! A large audience for `parley bench --only segments`, written straight into the
//! database inside the workspace's own transactions (so row-level security checks every
//! row), and the hand-written SQL the segment rules are measured against.
//!
//! Contact `n` (from 0) has `visits` = `7n mod 20`, `plan` one of Free, Pro, Team,
//! Enterprise (by `n / 3`), and consent to email unless `n` is a multiple of 3. Events
//! are spread evenly over the contacts, one per contact per round: a fifth of them
//! purchases, the rest page views, at random days up to 90 days before the audience
//! was written (never within an hour of a day's boundary, so a 30-day window counts
//! the same for an hour after).

use chrono::Timelike;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::db::sql_for;
use crate::{Error, Parley, Result, TenantCtx, now};

/// Contacts (or events) written per statement and transaction.
const BATCH: u64 = 250_000;

/// A question the bench asks both as a segment rule and as hand-written SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// `visits` of at least 5.
    Visits,
    /// At least two purchases in the last 30 days.
    Purchases,
    /// Consent to email, and 10 visits or more or two purchases in 30 days, and not on
    /// the Free plan.
    Nested,
}

impl Question {
    /// All of them, in the order they are reported.
    pub const ALL: [Question; 3] = [Question::Visits, Question::Purchases, Question::Nested];

    /// The segment rule asking it.
    pub fn rule(self) -> serde_json::Value {
        let purchases = serde_json::json!({"event": "purchase", "within": "P30D", "count": {"op": "gte", "value": 2}});
        match self {
            Question::Visits => serde_json::json!({"attribute": "visits", "op": "gte", "value": 5}),
            Question::Purchases => purchases,
            Question::Nested => serde_json::json!({"all": [
                {"consent": "EMAIL"},
                {"any": [{"attribute": "visits", "op": "gte", "value": 10}, purchases]},
                {"not": {"attribute": "plan", "op": "eq", "value": "Free"}},
            ]}),
        }
    }

    /// A short name for the report.
    pub fn name(self) -> &'static str {
        match self {
            Question::Visits => "attribute (visits >= 5)",
            Question::Purchases => "event window (2+ purchases in 30 days)",
            Question::Nested => "nested (consent, any of both, not Free)",
        }
    }

    /// The SQL someone would write by hand for it (`$1` the tenant, `$2` the start of
    /// the 30-day window).
    fn sql(self, backend: DbBackend) -> String {
        let pg = backend == DbBackend::Postgres;
        let purchases = "c.id IN (SELECT e.contact_id FROM contact_events e WHERE e.tenant_id = $1 \
                         AND e.kind = 'purchase' AND e.occurred_at >= $2 GROUP BY e.contact_id HAVING count(*) >= 2)";
        let visits = |n: u32| {
            if pg {
                format!("(c.attributes->>'visits')::numeric >= {n}")
            } else {
                format!("json_extract(c.attributes, '$.visits') >= {n}")
            }
        };
        let (consent, plan) = if pg {
            ("c.consents->'EMAIL'->>'status' = 'GRANTED'", "coalesce(c.attributes->>'plan', '') <> 'Free'")
        } else {
            (
                "json_extract(c.consents, '$.EMAIL.status') = 'GRANTED'",
                "coalesce(json_extract(c.attributes, '$.plan'), '') <> 'Free'",
            )
        };
        let test = match self {
            Question::Visits => visits(5),
            Question::Purchases => purchases.to_owned(),
            Question::Nested => format!("{consent} AND ({} OR {purchases}) AND {plan}", visits(10)),
        };
        format!("SELECT count(*) AS n FROM contacts c WHERE c.tenant_id = $1 AND c.merged_into IS NULL AND {test}")
    }
}

/// Counts the contacts of the context's workspace answering `q`, with the hand-written
/// SQL, in a transaction of the workspace as the server runs them.
pub async fn count_by_hand(ctx: &TenantCtx, p: &Parley, q: Question) -> Result<u64> {
    let tx = p.tenant_tx(ctx).await?;
    let backend = tx.get_database_backend();
    let since = now() - chrono::Duration::days(30);
    let mut values = vec![Value::from(ctx.tenant_id())];
    if q != Question::Visits {
        values.push(Value::from(since));
    }
    let row = tx
        .query_one_raw(Statement::from_sql_and_values(backend, sql_for(backend, &q.sql(backend)), values))
        .await?
        .ok_or_else(|| Error::internal("count answered no row"))?;
    let n: i64 = row.try_get("", "n")?;
    tx.commit().await?;
    Ok(u64::try_from(n).unwrap_or_default())
}

/// Writes `contacts` contacts and `events` events into the context's workspace (see the
/// module's description); `progress` hears each batch written.
pub async fn seed(
    ctx: &TenantCtx,
    p: &Parley,
    contacts: u64,
    events: u64,
    mut progress: impl FnMut(&str, u64),
) -> Result<()> {
    let at = now().with_nanosecond(0).unwrap_or_else(now);
    // IDs in the order they are written (a random prefix, then a counter), as the
    // product's own time-ordered IDs are.
    let prefix = uuid::Uuid::now_v7().simple().to_string();
    let mut from = 0;
    while from < contacts {
        let to = (from + BATCH).min(contacts) - 1;
        let values = [
            Value::from(ctx.tenant_id()),
            Value::from(prefix.get(..16).unwrap_or_default().to_owned()),
            Value::from(i64::try_from(from).unwrap_or(i64::MAX)),
            Value::from(i64::try_from(to).unwrap_or(i64::MAX)),
            Value::from(at),
            Value::from(at.to_rfc3339()),
        ];
        write(ctx, p, contacts_sql, values).await?;
        from = to + 1;
        progress("contacts", from);
    }
    if contacts == 0 {
        return Ok(());
    }
    let (mut round, mut written) = (0i64, 0);
    while written < events {
        let n = (events - written).min(contacts);
        let values = [
            Value::from(ctx.tenant_id()),
            Value::from(prefix.get(..8).unwrap_or_default().to_owned()),
            Value::from(round),
            Value::from(at.format("%Y-%m-%d %H:%M:%S+00:00").to_string()),
            Value::from(i64::try_from(n).unwrap_or(i64::MAX)),
            Value::from(at),
        ];
        write(ctx, p, events_sql, values).await?;
        written += n;
        round += 1;
        progress("events", written);
    }
    Ok(())
}

/// Runs one statement of `sql` in a transaction of the workspace.
async fn write<const N: usize>(
    ctx: &TenantCtx,
    p: &Parley,
    sql: fn(DbBackend) -> &'static str,
    values: [Value; N],
) -> Result<()> {
    let tx = p.tenant_tx(ctx).await?;
    let backend = tx.get_database_backend();
    tx.execute_raw(Statement::from_sql_and_values(backend, sql_for(backend, sql(backend)), values)).await?;
    tx.commit().await
}

/// Contacts `$3..=$4`: `$1` the tenant, `$2` the ID prefix, `$5` the time, `$6` it as text.
fn contacts_sql(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => {
            "INSERT INTO contacts (tenant_id, id, email, attributes, tags, consents, created_at, updated_at)
             SELECT $1, ($2 || lpad(to_hex(n), 16, '0'))::uuid, 'contact' || n || '@example.com',
                    jsonb_build_object('visits', (n * 7) % 20,
                                       'plan', (ARRAY['Free', 'Pro', 'Team', 'Enterprise'])[1 + (n / 3) % 4]),
                    '[]'::jsonb,
                    CASE WHEN n % 3 <> 0 THEN jsonb_build_object('EMAIL', jsonb_build_object('channel', 'EMAIL',
                         'status', 'GRANTED', 'source', 'bench', 'recordedAt', $6::text)) ELSE '{}'::jsonb END,
                    $5, $5
             FROM generate_series($3::bigint, $4::bigint) AS n"
        }
        _ => {
            "WITH RECURSIVE s(n) AS (SELECT $3 UNION ALL SELECT n + 1 FROM s WHERE n < $4)
             INSERT INTO contacts (tenant_id, id, email, attributes, tags, consents, created_at, updated_at)
             SELECT $1, unhex($2 || printf('%016x', n)), 'contact' || n || '@example.com',
                    json_object('visits', (n * 7) % 20, 'plan',
                                CASE (n / 3) % 4 WHEN 0 THEN 'Free' WHEN 1 THEN 'Pro' WHEN 2 THEN 'Team'
                                ELSE 'Enterprise' END),
                    '[]',
                    CASE WHEN n % 3 <> 0 THEN json_object('EMAIL', json_object('channel', 'EMAIL',
                         'status', 'GRANTED', 'source', 'bench', 'recordedAt', $6)) ELSE '{}' END,
                    $5, $5
             FROM s"
        }
    }
}

/// One event for each of the first `$5` contacts: `$1` the tenant, `$2` the ID prefix,
/// `$3` the round, `$4` the time as text, `$6` the time.
fn events_sql(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => {
            "INSERT INTO contact_events (tenant_id, id, contact_id, kind, properties, occurred_at, received_at)
             SELECT $1, ($2 || lpad(to_hex($3::bigint), 8, '0') || right(replace(c.id::text, '-', ''), 16))::uuid,
                    c.id, CASE WHEN random() < 0.2 THEN 'purchase' ELSE 'page_view' END, '{}'::jsonb,
                    $4::timestamptz - floor(random() * 90) * interval '1 day'
                                    - (1 + random() * 22) * interval '1 hour',
                    $6
             FROM (SELECT id FROM contacts WHERE tenant_id = $1 ORDER BY id LIMIT $5) c"
        }
        _ => {
            "INSERT INTO contact_events (tenant_id, id, contact_id, kind, properties, occurred_at, received_at)
             SELECT $1, unhex($2 || printf('%08x', $3) || substr(hex(c.id), 17, 16)),
                    c.id, CASE WHEN abs(random()) % 5 = 0 THEN 'purchase' ELSE 'page_view' END, '{}',
                    strftime('%Y-%m-%dT%H:%M:%S+00:00', $4, '-' || (abs(random()) % 90) || ' days',
                             '-' || (3600 + abs(random()) % 79200) || ' seconds'),
                    $6
             FROM (SELECT id FROM contacts WHERE tenant_id = $1 ORDER BY id LIMIT $5) c"
        }
    }
}

/// Brings the planner's statistics up to date after the audience is written (SQLite;
/// on PostgreSQL the tables' owner does it).
pub async fn analyze(p: &Parley) -> Result<()> {
    if p.db().is_postgres() {
        return Ok(());
    }
    let tx = p.db().begin(crate::db::Scope::default()).await?;
    tx.execute_unprepared("ANALYZE").await?;
    tx.commit().await?;
    Ok(())
}
