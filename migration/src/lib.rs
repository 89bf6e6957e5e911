//! Database migrations for the *Definiciones Estratégicas* schema.
//!
//! This crate owns the schema: tables, keys, foreign keys, unique
//! constraints, CHECK constraints and indexes, written once with SeaQuery so
//! the same migration runs on SQLite and PostgreSQL. The entities that map
//! these tables live in the `entity` crate; applying the migrations is left
//! to the application, which calls `Migrator::up(&db, None)` on start.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_tables;
mod m20261123_000002_search;
mod m20261123_000003_data_version;
mod m20261123_000004_ficha_counts;
mod m20261206_000005_partida_totals;
mod m20261206_000006_link_maxima;
mod m20261206_000007_persisted_queries;
mod m20261206_000008_ficha_place;
mod m20261207_000009_search_index;

pub use m20261123_000004_ficha_counts::FICHA_COUNT_COLUMNS;
pub use m20261206_000005_partida_totals::{PARTIDA_TOTALS, partida_totals};
pub use m20261206_000006_link_maxima::{LINK_MAXIMA, LINKS, link_maxima};
pub use m20261206_000007_persisted_queries::PersistedQueries;
pub use m20261207_000009_search_index::SEARCH_INDEXED;

/// Every migration of the project, in the order they apply.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_tables::Migration),
            Box::new(m20261123_000002_search::Migration),
            Box::new(m20261123_000003_data_version::Migration),
            Box::new(m20261123_000004_ficha_counts::Migration),
            Box::new(m20261206_000005_partida_totals::Migration),
            Box::new(m20261206_000006_link_maxima::Migration),
            Box::new(m20261206_000007_persisted_queries::Migration),
            Box::new(m20261206_000008_ficha_place::Migration),
            Box::new(m20261207_000009_search_index::Migration),
        ]
    }
}
