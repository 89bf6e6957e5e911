//! Where persisted documents are kept: the `persisted_queries` table, which
//! every replica over the database shares and which outlives restarts, and
//! in front of it a bounded map in this server's memory of the documents it
//! has found, so that a known hash costs no statement.
//!
//! A document never changes for its hash, so what memory holds is never
//! stale. A hash that is *not* found is not remembered: another replica may
//! store it a moment later (a client registering it, an operator running
//! `definiciones persist`), and looking it up again is one primary-key read,
//! the same as the data version every request reads. On a locked server
//! (`--persisted-only`) a document a client registered is as good as
//! missing, and is not remembered either, so that an operator trusting it
//! later takes effect at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use migration::PersistedQueries as Table;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

use super::PersistedSettings;
use crate::http::metrics;

/// The memory documents may take: tens of dashboards' queries, each at
/// most the query length limit.
const MEMORY_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Clone)]
struct Size;

impl Weighter<String, Arc<str>> for Size {
    fn weight(&self, hash: &String, document: &Arc<str>) -> u64 {
        (hash.len() + document.len() + 64) as u64
    }
}

/// The persisted documents a server runs.
pub struct Documents {
    db: DatabaseConnection,
    locked: bool,
    memory: Cache<String, Arc<str>, Size>,
}

/// What `definiciones persist` did with a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persisted {
    /// Stored now.
    Stored,
    /// A client had registered it; now it is on the allow-list too.
    Trusted,
    /// Already on the allow-list: nothing changed.
    Unchanged,
}

impl Persisted {
    /// The word `definiciones persist` prints for it.
    pub fn word(self) -> &'static str {
        match self {
            Persisted::Stored => "stored",
            Persisted::Trusted => "trusted",
            Persisted::Unchanged => "unchanged",
        }
    }
}

impl Documents {
    /// The documents stored in `db`, run as `settings` say.
    pub fn new(db: DatabaseConnection, settings: &PersistedSettings) -> Documents {
        Documents {
            db,
            locked: settings.persisted_only,
            memory: Cache::with_weighter(4096, MEMORY_BYTES, Size),
        }
    }

    /// Whether only trusted documents run (`--persisted-only`).
    pub fn locked(&self) -> bool {
        self.locked
    }

    /// The document stored under `hash` that this server may run, and the
    /// SQL statements finding it took.
    pub(super) async fn find(
        &self,
        hash: &str,
    ) -> (Result<Option<Arc<str>>, async_graphql::Error>, usize) {
        if let Some(document) = self.memory.get(hash) {
            ::metrics::counter!(metrics::PERSISTED_HITS).increment(1);
            return (Ok(Some(document)), 0);
        }
        let (row, statements) = counting(read(&self.db, hash)).await;
        match row {
            Ok(Some((document, trusted))) if trusted || !self.locked => {
                let document: Arc<str> = document.into();
                self.memory.insert(hash.to_owned(), document.clone());
                ::metrics::counter!(metrics::PERSISTED_HITS).increment(1);
                (Ok(Some(document)), statements)
            }
            Ok(_) => {
                ::metrics::counter!(metrics::PERSISTED_MISSES).increment(1);
                (Ok(None), statements)
            }
            Err(error) => (Err(crate::graphql::error::database(error)), statements),
        }
    }

    /// Store a document a client sent with its hash (already checked), and
    /// return the SQL statements that took. A failure is logged: the
    /// client got its answer, and will send the document again.
    pub(super) async fn register(&self, hash: &str, document: &str) -> usize {
        let insert = Query::insert()
            .into_table(Table::Table)
            .columns([Table::Sha256, Table::Document])
            .values_panic([hash.into(), document.into()])
            .on_conflict(OnConflict::column(Table::Sha256).do_nothing().to_owned())
            .to_owned();
        let backend = self.db.get_database_backend();
        let (stored, statements) = counting(self.db.execute_raw(backend.build(&insert))).await;
        match stored {
            Ok(_) => {
                self.memory.insert(hash.to_owned(), document.into());
                ::metrics::counter!(metrics::PERSISTED_REGISTERED).increment(1);
            }
            Err(error) => {
                tracing::warn!(%error, hash, "could not store a persisted query");
            }
        }
        statements
    }
}

/// Run `work`, counting the SQL statements it runs.
async fn counting<T>(work: impl Future<Output = T>) -> (T, usize) {
    let count = Arc::new(AtomicUsize::new(0));
    let out = crate::loaders::count_statements(count.clone(), work).await;
    (out, count.load(Ordering::Relaxed))
}

/// The document stored under `hash`, and whether it is trusted.
async fn read(db: &impl ConnectionTrait, hash: &str) -> Result<Option<(String, bool)>, DbErr> {
    let select = Query::select()
        .columns([Table::Document, Table::Trusted])
        .from(Table::Table)
        .and_where(Expr::col(Table::Sha256).eq(hash))
        .to_owned();
    let backend = db.get_database_backend();
    let Some(row) = db.query_one_raw(backend.build(&select)).await? else {
        return Ok(None);
    };
    Ok(Some((
        row.try_get("", "document")?,
        row.try_get("", "trusted")?,
    )))
}

/// Put `document` on the allow-list under `hash` (its SHA-256, see
/// [`super::hash`]), noting the file it came from: what `definiciones
/// persist` does for each document. Doing it again changes nothing.
pub async fn persist(
    db: &impl ConnectionTrait,
    hash: &str,
    document: &str,
    file: &str,
) -> Result<Persisted, DbErr> {
    let before = read(db, hash).await?;
    if matches!(before, Some((_, true))) {
        return Ok(Persisted::Unchanged);
    }
    let upsert = Query::insert()
        .into_table(Table::Table)
        .columns([
            Table::Sha256,
            Table::Document,
            Table::Trusted,
            Table::SourceFile,
        ])
        .values_panic([hash.into(), document.into(), true.into(), file.into()])
        .on_conflict(
            OnConflict::column(Table::Sha256)
                .update_columns([Table::Trusted, Table::SourceFile])
                .to_owned(),
        )
        .to_owned();
    let backend = db.get_database_backend();
    db.execute_raw(backend.build(&upsert)).await?;
    Ok(if before.is_some() {
        Persisted::Trusted
    } else {
        Persisted::Stored
    })
}
