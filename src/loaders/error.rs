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

/// Whether `error` says the database cannot be reached now, so that a
/// retry may succeed: no connection within the pool's timeout, none could
/// be opened, the connection in hand broke (its socket, its thread), or
/// the server is shutting down or refusing connections (SQLSTATE classes
/// `08` and `57P`). A connection that died while idle in the pool fails
/// its next statement this way.
fn unreachable(error: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error;
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) => {
            match &**error {
                Error::Io(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed => {
                    true
                }
                Error::Database(database) => database
                    .code()
                    .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
                _ => false,
            }
        }
        _ => false,
    }
}

impl From<DbErr> for LoadError {
    fn from(error: DbErr) -> Self {
        if unreachable(&error) {
            tracing::warn!(%error, "database unavailable");
            LoadError::Unavailable(Arc::new(error))
        } else {
            tracing::error!(%error, "database error");
            LoadError::Database(Arc::new(error))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sea_orm::sqlx::Error;
    use sea_orm::{DbErr, RuntimeErr};

    use super::unreachable;

    #[test]
    fn a_broken_connection_is_unreachable_and_a_bad_statement_is_not() {
        let query = |error: Error| DbErr::Query(RuntimeErr::SqlxError(Arc::new(error)));
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(unreachable(&query(Error::Io(reset))));
        assert!(unreachable(&query(Error::PoolTimedOut)));
        assert!(unreachable(&query(Error::WorkerCrashed)));
        assert!(!unreachable(&query(Error::RowNotFound)));
        assert!(!unreachable(&query(Error::Protocol(
            "no such column".into()
        ))));
        assert!(!unreachable(&DbErr::Type("not a number".into())));
    }
}
