//! The write lock: imports and migrations are writers and take the same
//! lock (`store::begin_write`), so a migration never changes the schema
//! under an import in progress, nor an import writes during a migration —
//! on SQLite and on PostgreSQL, where the lock is an advisory lock.

use std::future::Future;
use std::time::Duration;

use definiciones::store::import::{Outcome, import_bytes};
use definiciones::store::{self, Pool};
use sea_orm::DbErr;

use crate::helpers::{SAMPLE, each_database, postgres_url};

/// Long enough for a writer that does not wait to have finished.
const MOMENT: Duration = Duration::from_millis(500);

/// Hold the write lock (as an import in progress holds it) while `writer`
/// runs in a task: it must still be waiting after a moment, and finish
/// once the lock is released.
async fn waits_for_the_write_lock<W, Fut, T>(t: &crate::helpers::TestDb, writer: W) -> T
where
    W: FnOnce(String) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let holder = store::begin_write(&t.db).await.expect("the write lock");
    let waiting = tokio::spawn(writer(t.url.clone()));
    tokio::time::sleep(MOMENT).await;
    assert!(
        !waiting.is_finished(),
        "{}: a writer ran while another held the write lock",
        t.backend
    );
    holder.commit().await.expect("release the lock");
    tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .unwrap_or_else(|_| {
            panic!(
                "{}: the writer still waits after the lock is released",
                t.backend
            )
        })
        .expect("the writer's task")
}

/// Note once per test that the PostgreSQL half did not run.
fn say_if_postgres_skipped() {
    if postgres_url().is_none() {
        eprintln!("skipping the PostgreSQL half: TEST_DATABASE_URL is not set");
    }
}

#[tokio::test]
async fn a_migration_waits_for_an_import_in_progress() {
    say_if_postgres_skipped();
    each_database(|t| async move {
        // Another process starting: its own connection, then migrate.
        let migrated = waits_for_the_write_lock(&t, |url| async move {
            let db = store::connect_with(&url, Pool::Single).await?;
            store::migrate(&db).await?;
            db.close().await
        })
        .await;
        migrated.unwrap_or_else(|e: DbErr| panic!("{}: migrates: {e}", t.backend));
    })
    .await;
}

#[tokio::test]
async fn an_import_waits_for_another_writer() {
    say_if_postgres_skipped();
    each_database(|t| async move {
        let imported = waits_for_the_write_lock(&t, |url| async move {
            let db = store::connect_with(&url, Pool::Single)
                .await
                .expect("connects");
            let outcome = import_bytes(&db, "a.txt", "a.txt", SAMPLE.as_bytes()).await;
            db.close().await.ok();
            outcome
        })
        .await;
        assert_eq!(
            imported.expect("imports"),
            Outcome::Imported,
            "{}",
            t.backend
        );
    })
    .await;
}
