//! Errors the API sends: each with a stable `extensions.code` a client can
//! branch on. Internal detail (SQL, driver messages) is logged here, once,
//! and never sent.
//!
//! Resolvers and loaders return `async_graphql::Error`; build them from an
//! [`ApiError`] with `.extend()` or the helpers below.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// What can go wrong answering a query.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The query asked for something invalid (a bad cursor, a page too large,
    /// a malformed período).
    #[error("{0}")]
    BadUserInput(String),
    /// The database cannot be reached; the request may be retried.
    #[error("the database is unavailable; try again shortly")]
    DatabaseUnavailable,
    /// Anything else; the detail is in the server's log.
    #[error("internal error")]
    Internal,
}

impl ApiError {
    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadUserInput(_) => "BAD_USER_INPUT",
            ApiError::DatabaseUnavailable => "DATABASE_UNAVAILABLE",
            ApiError::Internal => "INTERNAL",
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        self.extend_with(|error, ext| ext.set("code", error.code()))
    }
}

/// A client error with `BAD_USER_INPUT`.
pub fn bad_input(message: impl Into<String>) -> async_graphql::Error {
    ApiError::BadUserInput(message.into()).extend()
}

/// A database error, logged with its detail and sent without it.
pub fn database(error: DbErr) -> async_graphql::Error {
    let unavailable = matches!(error, DbErr::ConnectionAcquire(_) | DbErr::Conn(_));
    if unavailable {
        tracing::warn!(%error, "database unavailable");
        ApiError::DatabaseUnavailable.extend()
    } else {
        tracing::error!(%error, "database error");
        ApiError::Internal.extend()
    }
}
