//! On SQLite, a trigram index (FTS5) over the folded text of the tables
//! whose searches match thousands of rows: institutional objectives and
//! productos. A search's page is found walking the rows in their order, and
//! stops once it has the page; its `totalCount` has to find every match,
//! and a `LIKE '%term%'` does that by reading every row. With ten times the
//! fichas that count took ten times as long (BENCHMARKS.md, "thirteenth
//! pass"); counted in the index, it reads the matches only.
//!
//! The index is an external-content FTS5 table, `{table}_search`, that
//! holds no copy of the text, only its trigrams; triggers keep it in step
//! with every insert, delete (a ficha replaced deletes its rows through
//! `ON DELETE CASCADE`) and change of `search_text`. PostgreSQL has had its
//! trigram indexes since `m20261123_000002_search`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables indexed, each as `{table}_search`.
pub const SEARCH_INDEXED: [&str; 2] = ["objetivos_institucionales", "productos"];

/// The statements that create `table`'s index and its triggers, and fill
/// it from the rows already stored.
fn create(table: &str) -> [String; 6] {
    let index = format!("{table}_search");
    let insert =
        format!("INSERT INTO {index}(rowid, search_text) VALUES (new.id, new.search_text);");
    let delete = format!(
        "INSERT INTO {index}({index}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    );
    // No column sizes (`columnsize=0`): they serve ranking, which search
    // does not do. Segments merged 8 at a time, not 4: the importer writes
    // one ficha a transaction, each a small segment, and at 4 merging them
    // cost more (`cargo bench --bench import`: 1,000 fichas into SQLite,
    // 420 a second with no index, 296 with it merging at 4, 329 at 8).
    [
        format!(
            "CREATE VIRTUAL TABLE {index} USING fts5(search_text, content='{table}', \
             content_rowid='id', tokenize='trigram', columnsize=0)"
        ),
        format!("CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {insert} END"),
        format!("CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {delete} END"),
        format!(
            "CREATE TRIGGER {index}_update AFTER UPDATE OF search_text ON {table} \
             BEGIN {delete} {insert} END"
        ),
        format!("INSERT INTO {index}({index}, rank) VALUES ('automerge', 8)"),
        format!("INSERT INTO {index}({index}) VALUES ('rebuild')"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        for table in SEARCH_INDEXED {
            for statement in create(table) {
                db.execute_unprepared(&statement).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        for table in SEARCH_INDEXED {
            for trigger in ["insert", "delete", "update"] {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {table}_search_{trigger}"))
                    .await?;
            }
            db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}_search"))
                .await?;
        }
        Ok(())
    }
}
