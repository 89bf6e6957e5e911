//! Opening the database, bringing its schema up to date, and the one
//! write lock that imports and migrations share.
//!
//! SQLite and PostgreSQL are both first-class: the URL's scheme decides.
//! SQLite gets the settings that make it a good server database (WAL, so
//! readers never wait for the importer; foreign keys on; a busy timeout
//! instead of instant "database is locked" errors).
//!
//! Also here: the data version every import that changes the data raises.
//! Writing fichas is [`import`]'s job, reading them back as text
//! [`export`]'s.

pub mod export;
pub mod import;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, RuntimeErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
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
        .acquire_timeout(Duration::from_secs(5))
        // A connection is pinged before it is handed out only when it has
        // sat idle for a second: one that was just used is alive, and a
        // ping on every checkout was a round trip more for every statement
        // (on SQLite, a trip to the connection's thread and back). One
        // that died under a request is dropped by the pool on its error:
        // given back with a reply still owed, it fails its flush (sqlx pings
        // on release no more; see vendor/README.md).
        .test_before_acquire_if_idle_for(Duration::from_secs(1));
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
                    // Prepared statements kept per connection. A level's
                    // statement is the same whatever its number of parents
                    // (`loaders::filter::Ids`), and each kept one holds
                    // SQLite memory: at sqlx's default of 100 the
                    // 256-connection burst of `bench/burst` peaked at
                    // 183 MiB, at 8 at 129 MiB.
                    .statement_cache_capacity(8)
            })
            .map_sqlx_sqlite_pool_opts(|pool| {
                pool.after_connect(|connection, _| Box::pin(stable_plans(connection)))
            });
    } else {
        options
            .max_connections(if pool == Pool::Single { 1 } else { 16 })
            // The data is a few tens of MiB and stays in PostgreSQL's cache:
            // an index read costs little more than a sequential one. At the
            // default (4) the planner read every producto into a hash to
            // join a level's 193 links (6 ms) instead of looking each one up
            // (1.8 ms); the dashboard query went from 14 to 8–9 ms.
            //
            // A kept statement is planned once, whatever is bound to it, as
            // on SQLite (`stable_plans`). Left to choose, PostgreSQL planned
            // a level's statement again on every run: a one-parent page
            // (`= ANY('{51}')`) looks cheaper than the generic plan, sized
            // for ten. The servicio query's three statements then cost the
            // database 0.33 ms a request instead of 0.24, and its answers at
            // 16 connections went from about 2,400 to 2,800 a second. The
            // bench queries answer the same, search keeps its trigram index
            // scan, and a deep level's thousands of ids were already run on
            // the generic plan (index loops).
            .map_sqlx_postgres_opts(|opts| {
                opts.options([
                    ("random_page_cost", "1.1"),
                    ("plan_cache_mode", "force_generic_plan"),
                ])
            });
    }
    let mut db = Database::connect(options).await?;
    // Every statement at debug level (`RUST_LOG=definiciones::sql=debug`);
    // a server's pool also counts them per request (`crate::loaders::counted`).
    db.set_metric_callback(|info| {
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

/// Make SQLite plan a statement once, whatever values are bound to it (its
/// query planner stability guarantee).
///
/// Otherwise SQLite looks at some bound values when it plans (a `LIMIT`, a
/// `LIKE` pattern) and prepares the statement again each time they are
/// bound: every run of a kept top-level page, whose `LIMIT` is bound, was
/// parsed and planned anew, a ninth of a search's instructions. Our
/// statements gain nothing from those plans (the patterns all start with
/// `%`); with the guarantee every query of `bench/queries` answered the
/// same bytes in fewer instructions (`BENCHMARKS.md`).
async fn stable_plans(connection: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    let mut handle = connection.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: `db` is the open connection `handle` holds locked for this
    // call; `SQLITE_DBCONFIG_ENABLE_QPSG` takes an int (1: on) and an
    // optional `int*` for the new setting, which is not asked for.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1,
            std::ptr::null_mut::<std::ffi::c_int>(),
        )
    };
    if rc == libsqlite3_sys::SQLITE_OK {
        Ok(())
    } else {
        Err(sqlx::Error::Configuration(
            format!("SQLite refused its query planner stability guarantee (code {rc})").into(),
        ))
    }
}

/// Apply every pending migration, as a writer (see [`begin_write`]).
///
/// Two processes starting on an empty database (two server replicas, an
/// import beside a server) must not both create the tables, and a
/// migration must not change the schema under an import: holding the
/// write lock, the second to start finds nothing pending.
#[tracing::instrument(skip(db))]
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    let txn = begin_write(db).await?;
    Migrator::up(&txn, None).await?;
    txn.commit().await
}

/// The key of the PostgreSQL advisory lock every writer holds:
/// `0x6465_6669` spells "defi".
const WRITE_LOCK: i64 = 0x6465_6669;

/// Start a transaction that will write: an import's, a migration's.
///
/// Writers are serialised (SQLite `BEGIN IMMEDIATE`; on PostgreSQL the
/// transaction-scoped advisory lock `WRITE_LOCK`), so two imports of the
/// same ministry never race on the rows they share and no import runs
/// beside a migration. Readers are never blocked. The lock is released
/// when the transaction commits or rolls back.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            db.begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
        }
        DbBackend::Postgres => {
            let txn = db.begin().await?;
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock($1)",
                [WRITE_LOCK.into()],
            ))
            .await?;
            Ok(txn)
        }
        _ => db.begin().await,
    }
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

/// What the database or its driver said, without its wrappers ("Connection
/// Error: error returned from database: …") and without PostgreSQL's
/// position in its own source ("at line 948").
pub fn said(error: &DbErr) -> String {
    let runtime = match error {
        DbErr::Conn(e) | DbErr::Exec(e) | DbErr::Query(e) => e,
        DbErr::ConnectionAcquire(e) => return e.to_string(),
        other => return other.to_string(),
    };
    match runtime {
        RuntimeErr::SqlxError(sqlx) => match sqlx.as_database_error() {
            Some(database) => database.message().to_owned(),
            None => sqlx.to_string(),
        },
        other => other.to_string(),
    }
}

/// Whether this is an embedded SQLite database (seeded with the bundled
/// fichas on first start) rather than a shared server.
pub fn is_embedded(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DbBackend::Sqlite
}

/// Refresh the planner's statistics after an import (`ANALYZE`), so the
/// first queries on new data get good plans: without them PostgreSQL
/// (autovacuum off or not yet run) can pick plans many times slower.
#[tracing::instrument(skip(db))]
pub async fn analyze(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("ANALYZE").await.map(|_| ())
}

/// Raise the data version (`crate::loaders::data_version` reads it), inside
/// the transaction that changes the data: a reader sees the new number
/// exactly when it sees the new data.
pub async fn bump_data_version(txn: &impl ConnectionTrait) -> Result<(), DbErr> {
    let backend = txn.get_database_backend();
    txn.execute_raw(Statement::from_string(
        backend,
        "UPDATE data_version SET version = version + 1 WHERE id = 1",
    ))
    .await
    .map(|_| ())
}
