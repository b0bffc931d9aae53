//! Attempt budgets per key (an account, an account at one address, an address),
//! reserved before the attempt is checked.
//!
//! An attempt is counted *before* the password or code is verified, inside one
//! transaction that holds the key's row (`FOR UPDATE` on PostgreSQL; SQLite has one
//! writer), so a batch or a burst in flight gets exactly the budget and no more.
//! A success gives its reservation back ([`release`]) or forgets the key ([`clear`]).

use std::time::Duration;

use sea_orm::{ConnectionTrait, Statement, Value};

use crate::db::{Db, Scope, sql_for};
use crate::{Error, Result, dur, now};

/// How a key's budget behaves once it is spent.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Limit {
    /// `max` attempts per `window`; then the key is locked until the window ends.
    Window { max: i32, window: Duration },
    /// `free` attempts per `window`; after those, each attempt makes the next one wait
    /// twice as long as the last (`first`, 2 × `first`, 4 × … up to `cap`), so guessing
    /// slows down without a hard lock that anyone could trigger on purpose.
    Growing { free: i32, window: Duration, first: Duration, cap: Duration },
}

impl Limit {
    fn window(self) -> Duration {
        match self {
            Limit::Window { window, .. } | Limit::Growing { window, .. } => window,
        }
    }
}

fn limited(wait: chrono::Duration) -> Error {
    let secs = wait.num_seconds().max(1);
    let when = if secs < 120 { format!("{secs} s") } else { format!("{} min", (secs + 59) / 60) };
    Error::RateLimited(format!("too many attempts; try again in {when}"))
}

/// Counts one attempt under `key`, or answers `RateLimited` (counting nothing) when
/// the key is locked or its budget for the window is spent.
pub(crate) async fn reserve(db: &Db, key: &str, limit: Limit) -> Result<()> {
    let txn = db.begin(Scope::default()).await?;
    let backend = txn.get_database_backend();
    let t = now();
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        sql_for(
            backend,
            "INSERT INTO login_throttles (key, failures, window_start, locked_until) VALUES ($1, 0, $2, NULL)
             ON CONFLICT (key) DO NOTHING",
        ),
        [Value::from(key.to_owned()), Value::from(t)],
    ))
    .await?;
    let lock = if db.is_postgres() { " FOR UPDATE" } else { "" };
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql_for(
                backend,
                &format!("SELECT failures, window_start, locked_until FROM login_throttles WHERE key = $1{lock}"),
            ),
            [Value::from(key.to_owned())],
        ))
        .await?
        .ok_or_else(|| Error::internal("throttle row vanished"))?;
    let mut failures: i32 = row.try_get("", "failures")?;
    let mut window_start: chrono::DateTime<chrono::Utc> = row.try_get("", "window_start")?;
    let locked_until: Option<chrono::DateTime<chrono::Utc>> = row.try_get("", "locked_until")?;
    if let Some(until) = locked_until
        && until > t
    {
        txn.commit().await?;
        return Err(limited(until - t));
    }
    if window_start + dur(limit.window()) <= t {
        failures = 0;
        window_start = t;
    }
    let (failures, locked_until) = match limit {
        Limit::Window { max, window } => {
            if failures >= max {
                let until = window_start + dur(window);
                txn.execute_raw(update(backend, key, failures, window_start, Some(until))).await?;
                txn.commit().await?;
                return Err(limited(until - t));
            }
            (failures + 1, None)
        }
        Limit::Growing { free, first, cap, .. } => {
            let n = failures + 1;
            let next = (n > free).then(|| {
                let exp = u32::try_from(n - free - 1).unwrap_or(u32::MAX).min(30);
                t + dur(first.saturating_mul(1u32 << exp).min(cap))
            });
            (n, next)
        }
    };
    txn.execute_raw(update(backend, key, failures, window_start, locked_until)).await?;
    txn.commit().await?;
    Ok(())
}

fn update(
    backend: sea_orm::DbBackend,
    key: &str,
    failures: i32,
    window_start: chrono::DateTime<chrono::Utc>,
    locked_until: Option<chrono::DateTime<chrono::Utc>>,
) -> Statement {
    Statement::from_sql_and_values(
        backend,
        sql_for(
            backend,
            "UPDATE login_throttles SET failures = $1, window_start = $2, locked_until = $3 WHERE key = $4",
        ),
        [Value::from(failures), Value::from(window_start), Value::from(locked_until), Value::from(key.to_owned())],
    )
}

/// [`reserve`] with `max` attempts per the settings' log-in window under
/// `<prefix>:<address>` (sign-ups, reset links: budgets per client address).
pub(crate) async fn per_address(
    p: &crate::Parley,
    prefix: &str,
    client: &crate::identity::accounts::Client,
    max: i32,
) -> Result<String> {
    let key = format!("{prefix}:{}", client.address());
    reserve(p.db(), &key, Limit::Window { max, window: p.settings().login_window }).await?;
    Ok(key)
}

/// Gives back one reserved attempt (the attempt succeeded) without forgetting the
/// others counted under `key`.
pub(crate) async fn release<C: ConnectionTrait>(conn: &C, key: &str) -> Result<()> {
    let backend = conn.get_database_backend();
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        sql_for(backend, "UPDATE login_throttles SET failures = failures - 1 WHERE key = $1 AND failures > 0"),
        [Value::from(key.to_owned())],
    ))
    .await?;
    Ok(())
}

/// Forgets every attempt counted under `key`.
pub(crate) async fn clear<C: ConnectionTrait>(conn: &C, key: &str) -> Result<()> {
    let backend = conn.get_database_backend();
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        sql_for(backend, "DELETE FROM login_throttles WHERE key = $1"),
        [Value::from(key.to_owned())],
    ))
    .await?;
    Ok(())
}
