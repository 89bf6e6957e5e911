//! Errors the API sends: each with a stable `extensions.code` a client can
//! branch on. Internal detail (SQL, driver messages) is logged once, where
//! the read failed (`crate::loaders::LoadError`), and never sent.
//!
//! Resolvers return `async_graphql::Error`: build them from an [`ApiError`]
//! with `.extend()` or the helpers below; a loader's [`LoadError`] converts
//! with `?`.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

use crate::loaders::LoadError;

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

/// A database error, logged with its detail (once, where it happened) and
/// sent without it.
pub fn database(error: DbErr) -> async_graphql::Error {
    LoadError::from(error).into()
}

impl From<LoadError> for async_graphql::Error {
    fn from(error: LoadError) -> Self {
        match error {
            LoadError::Unavailable(_) => ApiError::DatabaseUnavailable.extend(),
            LoadError::Database(_) => ApiError::Internal.extend(),
        }
    }
}
