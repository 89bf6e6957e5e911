//! Opening the database and bringing its schema up to date.
//!
//! SQLite and PostgreSQL are both first-class: the URL's scheme decides.
//! SQLite gets the settings that make it a good server database (WAL, so
//! readers never wait for the importer; foreign keys on; a busy timeout
//! instead of instant "database is locked" errors).

pub mod export;
pub mod import;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

/// How many connections a process keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pool {
    /// A server's: requests read in parallel (8 on SQLite, 16 on PostgreSQL).
    Readers,
    /// One connection, for a command that works one transaction at a time
    /// (`import`): SQLite keeps that connection's page cache between
    /// transactions, where a pool handing out its connections in turn
    /// would read the pages again for each ficha.
    Single,
}

/// Open a connection pool to `url`.
#[tracing::instrument(skip(url), fields(backend))]
pub async fn connect_with(url: &str, pool: Pool) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        // A request waits at most this long for a connection: while the
        // database is down, requests fail fast with DATABASE_UNAVAILABLE.
        .acquire_timeout(Duration::from_secs(5));
    if url.starts_with("sqlite:") {
        // WAL lets readers run in parallel with each other and with the
        // importer: a connection per request in flight, up to 8.
        let connections = if pool == Pool::Single { 1 } else { 8 };
        options
            .max_connections(connections)
            .map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
    } else {
        options.max_connections(if pool == Pool::Single { 1 } else { 16 });
    }
    let mut db = Database::connect(options).await?;
    db.set_metric_callback(|info| {
        // Outside a counted scope (the importer, startup) nothing is counted.
        let _ = STATEMENTS.try_with(|count| count.fetch_add(1, Ordering::Relaxed));
        tracing::debug!(
            target: "definiciones::sql",
            duration_ms = info.elapsed.as_secs_f64() * 1000.0,
            failed = info.failed,
            sql = %info.statement.sql,
        );
    });
    tracing::Span::current().record("backend", tracing::field::debug(db.get_database_backend()));
    Ok(db)
}

/// Apply every pending migration.
///
/// Two processes starting on an empty database (two server replicas, an
/// import beside a server) must not both create the tables: migrations run
/// under the importers' write lock, so the second finds nothing pending.
#[tracing::instrument(skip(db))]
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    let txn = match db.get_database_backend() {
        DbBackend::Sqlite => {
            db.begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?
        }
        backend => {
            let txn = db.begin().await?;
            if backend == DbBackend::Postgres {
                txn.execute_unprepared("SELECT pg_advisory_xact_lock(1684366954)")
                    .await?;
            }
            txn
        }
    };
    Migrator::up(&txn, None).await?;
    txn.commit().await
}

/// The stored form of a tipo (the entity's own enum, which the database
/// column maps).
impl From<crate::ficha::TipoObjetivo> for entity::tipo_objetivo::TipoObjetivo {
    fn from(tipo: crate::ficha::TipoObjetivo) -> Self {
        use crate::ficha::TipoObjetivo as Model;
        match tipo {
            Model::Estrategico => Self::Estrategico,
            Model::GestionInstitucional => Self::GestionInstitucional,
        }
    }
}

/// The model's form of a stored tipo.
impl From<entity::tipo_objetivo::TipoObjetivo> for crate::ficha::TipoObjetivo {
    fn from(tipo: entity::tipo_objetivo::TipoObjetivo) -> Self {
        use entity::tipo_objetivo::TipoObjetivo as Stored;
        match tipo {
            Stored::Estrategico => Self::Estrategico,
            Stored::GestionInstitucional => Self::GestionInstitucional,
        }
    }
}

/// Whether this is an embedded SQLite database (seeded with the bundled
/// fichas on first start) rather than a shared server.
pub fn is_embedded(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DbBackend::Sqlite
}

tokio::task_local! {
    static STATEMENTS: Arc<AtomicUsize>;
}

/// Run `work`, counting into `count` every SQL statement it executes,
/// including those of tasks that run under the same counter (a request's data loaders).
/// The API logs the count of every request.
pub fn count_statements<F: Future>(
    count: Arc<AtomicUsize>,
    work: F,
) -> impl Future<Output = F::Output> {
    STATEMENTS.scope(count, work)
}

/// Refresh the planner's statistics after an import (`ANALYZE`), so the
/// first queries on new data get good plans: without them PostgreSQL
/// (autovacuum off or not yet run) can pick plans many times slower.
#[tracing::instrument(skip(db))]
pub async fn analyze(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("ANALYZE").await.map(|_| ())
}

/// The data version: a number every import that changes the data raises
/// in its own transaction (`data_version`, one row). Equal numbers mean
/// equal data, so answers computed from it can be served again.
pub async fn data_version(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT version FROM data_version WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the data_version row".to_owned()))?;
    row.try_get("", "version")
}

/// Raise the data version, inside the transaction that changes the data:
/// a reader sees the new number exactly when it sees the new data.
pub async fn bump_data_version(txn: &impl ConnectionTrait) -> Result<(), DbErr> {
    let backend = txn.get_database_backend();
    txn.execute_raw(Statement::from_string(
        backend,
        "UPDATE data_version SET version = version + 1 WHERE id = 1",
    ))
    .await
    .map(|_| ())
}
