//! Counting failed attempts per key inside a window, atomically on both databases.

use sea_orm::{ConnectionTrait, Statement, Value};

use crate::{Error, Result, dur, now};

/// `RateLimited` while `key` is locked.
pub(crate) async fn check<C: ConnectionTrait>(conn: &C, key: &str) -> Result<()> {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            crate::db::sql_for(backend, "SELECT locked_until FROM login_throttles WHERE key = $1"),
            [Value::from(key.to_owned())],
        ))
        .await?;
    if let Some(row) = row {
        let locked: Option<chrono::DateTime<chrono::Utc>> = row.try_get("", "locked_until")?;
        if locked.is_some_and(|t| t > now()) {
            return Err(Error::RateLimited("too many failed attempts; try again later".into()));
        }
    }
    Ok(())
}

/// Records one failure for `key`; locks it once `max` failures fall in one window.
pub(crate) async fn fail<C: ConnectionTrait>(conn: &C, key: &str, max: i32, window: std::time::Duration) -> Result<()> {
    let backend = conn.get_database_backend();
    let t = now();
    let window_open = t - dur(window);
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            crate::db::sql_for(
                backend,
                "INSERT INTO login_throttles (key, failures, window_start, locked_until) VALUES ($1, 1, $2, NULL)
                 ON CONFLICT (key) DO UPDATE SET
                   failures = CASE WHEN login_throttles.window_start < $3 THEN 1 ELSE login_throttles.failures + 1 END,
                   window_start = CASE WHEN login_throttles.window_start < $3 THEN $2 ELSE login_throttles.window_start END
                 RETURNING failures",
            ),
            [Value::from(key.to_owned()), Value::from(t), Value::from(window_open)],
        ))
        .await?;
    let failures: i32 = match row {
        Some(r) => r.try_get("", "failures")?,
        None => 1,
    };
    if failures >= max {
        conn.execute_raw(Statement::from_sql_and_values(
            backend,
            crate::db::sql_for(backend, "UPDATE login_throttles SET locked_until = $1 WHERE key = $2"),
            [Value::from(t + dur(window)), Value::from(key.to_owned())],
        ))
        .await?;
    }
    Ok(())
}

/// Forgets the failures of `key` (after a success).
pub(crate) async fn clear<C: ConnectionTrait>(conn: &C, key: &str) -> Result<()> {
    let backend = conn.get_database_backend();
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        crate::db::sql_for(backend, "DELETE FROM login_throttles WHERE key = $1"),
        [Value::from(key.to_owned())],
    ))
    .await?;
    Ok(())
}
