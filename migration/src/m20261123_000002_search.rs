//! Search that ignores case and accents on both databases.
//!
//! The importer stores each searchable text folded (lowercase, no accents)
//! in a `search_text` column; a search is then a substring match on that
//! column. This migration adds the column to the tables that lacked it and,
//! on PostgreSQL, trigram indexes (`pg_trgm`) so `LIKE '%term%'` uses an
//! index instead of reading every row. Where the extension is not
//! installed, search still works, by scanning the stored column.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables with a `search_text` column, all of which get a trigram index.
const SEARCHABLE: [&str; 6] = [
    "partidas",
    "servicios",
    "fichas",
    "objetivos_ministeriales",
    "objetivos_institucionales",
    "productos",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["partidas", "servicios", "fichas"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(
                            ColumnDef::new(Alias::new("search_text"))
                                .text()
                                .not_null()
                                .default(""),
                        )
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let available = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'",
            ))
            .await?
            .is_some();
        if !available {
            return Ok(());
        }
        db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            .await?;
        for table in SEARCHABLE {
            db.execute_unprepared(&format!(
                "CREATE INDEX IF NOT EXISTS idx_{table}_search_text \
                 ON {table} USING gin (search_text gin_trgm_ops)"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            for table in SEARCHABLE {
                db.execute_unprepared(&format!("DROP INDEX IF EXISTS idx_{table}_search_text"))
                    .await?;
            }
        }
        for table in ["partidas", "servicios", "fichas"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new("search_text"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
