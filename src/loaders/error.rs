//! What can go wrong reading: the database failed. The detail is logged
//! here, once, where the failure happens (a batch's error is shared by every
//! field that waited on it); the API turns it into a code of its own.

use std::sync::Arc;

use sea_orm::DbErr;

/// A read that failed. Cheap to clone: a batch hands the same error to
/// every key it served.
///
/// It has no `Display` on purpose: async-graphql turns anything displayable
/// into an error whose message is that text, so a `?` would send the
/// database's words to the client with no code. Without it, `?` in a
/// resolver goes through the API's own conversion (`crate::graphql::error`).
#[derive(Debug, Clone)]
pub enum LoadError {
    /// The database cannot be reached (no connection within the pool's
    /// timeout, a broken connection); a retry may succeed.
    Unavailable(Arc<DbErr>),
    /// Anything else the database or the decoding of its rows said.
    Database(Arc<DbErr>),
}

impl LoadError {
    /// Rows handed over as JSON that do not read as the models.
    pub(super) fn json(error: serde_json::Error) -> Self {
        DbErr::Json(format!("reading a page of rows: {error}")).into()
    }

    /// A PostgreSQL row that does not read as the models.
    pub(super) fn row(error: serde::de::value::Error) -> Self {
        DbErr::Type(format!("reading a page of rows: {error}")).into()
    }
}

impl From<DbErr> for LoadError {
    fn from(error: DbErr) -> Self {
        if matches!(error, DbErr::ConnectionAcquire(_) | DbErr::Conn(_)) {
            tracing::warn!(%error, "database unavailable");
            LoadError::Unavailable(Arc::new(error))
        } else {
            tracing::error!(%error, "database error");
            LoadError::Database(Arc::new(error))
        }
    }
}
