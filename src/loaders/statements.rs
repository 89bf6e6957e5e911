//! Counting the SQL statements of a request: the API logs the count of every
//! request and sends it as `x-sql-statements`, and the tests hold the design
//! to it (statements by depth, never by rows).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::DatabaseConnection;

tokio::task_local! {
    static STATEMENTS: Arc<AtomicUsize>;
}

/// The pool, counting each statement it runs into the counter of the
/// [`count_statements`] scope it runs in (nothing outside one), and logging
/// it at debug level (`RUST_LOG=definiciones::sql=debug`).
pub fn counted(mut db: DatabaseConnection) -> DatabaseConnection {
    db.set_metric_callback(|info| {
        let _ = STATEMENTS.try_with(|count| count.fetch_add(1, Ordering::Relaxed));
        tracing::debug!(
            target: "definiciones::sql",
            duration_ms = info.elapsed.as_secs_f64() * 1000.0,
            failed = info.failed,
            sql = %info.statement.sql,
        );
    });
    db
}

/// Run `work`, counting into `count` every SQL statement it executes on a
/// [`counted`] pool, including those of tasks that run under the same
/// counter (a request's data loaders).
pub fn count_statements<F: Future>(
    count: Arc<AtomicUsize>,
    work: F,
) -> impl Future<Output = F::Output> {
    STATEMENTS.scope(count, work)
}
