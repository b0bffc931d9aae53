//! The one error type of the domain layer; the API maps it once to typed codes.

use sea_orm::{DbErr, RuntimeErr, SqlErr, SqlxError};

/// Everything a use case can answer instead of a result.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The object does not exist, or belongs to another tenant (the two are indistinguishable).
    #[error("not found")]
    NotFound,
    /// The actor is known but its role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// No valid credentials.
    #[error("{0}")]
    Unauthenticated(String),
    /// One input field is wrong; `field` names it as the client sent it.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The change clashes with existing state (a duplicate, a spent token).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; try again later.
    #[error("{0}")]
    RateLimited(String),
    /// The database cannot be reached right now (refused, cut, pool exhausted); nothing
    /// was changed and the same request may succeed when retried a moment later.
    #[error("the service is temporarily unavailable")]
    Unavailable(String),
    /// Anything else; the detail is logged, never shown.
    #[error("internal error")]
    Internal(String),
}

/// Shorthand for domain results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An invalid-input error for `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Error::Invalid { field: field.to_owned(), message: message.into() }
    }

    /// A forbidden error explaining which role is needed.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::Forbidden(message.into())
    }

    /// Whether retrying the same request later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Unavailable(_) | Error::RateLimited(_))
    }

    /// Builds an unavailable error from a connection failure, logging it.
    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        let detail = cause.to_string();
        tracing::warn!(error = %detail, "database unavailable");
        Error::Unavailable(detail)
    }

    /// Builds an internal error from any displayable cause, logging it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let detail = cause.to_string();
        tracing::error!(error = %detail, "internal error");
        Error::Internal(detail)
    }
}

impl From<DbErr> for Error {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Error::Conflict("already exists".into()),
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => Error::NotFound,
            _ => match err {
                DbErr::RecordNotFound(_) => Error::NotFound,
                other if is_connection_failure(&other) => Error::unavailable(other),
                other => Error::internal(other),
            },
        }
    }
}

/// Whether the database could not be reached or dropped the connection, as opposed to
/// refusing the statement: the first is an outage to retry, the second a bug to fix.
fn is_connection_failure(err: &DbErr) -> bool {
    match err {
        // Pool timed out or closed.
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => is_sqlx_connection_failure(e),
        _ => false,
    }
}

fn is_sqlx_connection_failure(err: &SqlxError) -> bool {
    match err {
        SqlxError::Io(_)
        | SqlxError::Tls(_)
        | SqlxError::Protocol(_)
        | SqlxError::PoolTimedOut
        | SqlxError::PoolClosed
        | SqlxError::WorkerCrashed
        | SqlxError::BeginFailed => true,
        // PostgreSQL's connection exceptions (class 08), the server shutting down or
        // starting up (57P01-57P03) and too many connections (53300).
        SqlxError::Database(db) => {
            db.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P") || c == "53300")
        }
        _ => false,
    }
}
