//! The one error type of the domain layer; the API maps it once to typed codes.

use sea_orm::{DbErr, SqlErr};

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
                other => Error::internal(other),
            },
        }
    }
}
