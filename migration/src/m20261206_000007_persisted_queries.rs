//! Persisted queries: GraphQL documents stored once and named afterwards
//! by the SHA-256 of their text (Apollo's Automatic Persisted Queries, and
//! the allow-list of `definiciones serve --persisted-only`).
//!
//! They live in the database, not in a server's memory, so every replica
//! over the same database knows the same documents and they outlive
//! restarts. A document never changes for its hash; `trusted` says it was
//! loaded by an operator (`definiciones persist`) rather than registered by
//! a client, and only trusted documents run on a locked server.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The table and its columns.
#[derive(DeriveIden, Clone, Copy)]
pub enum PersistedQueries {
    /// `persisted_queries`.
    Table,
    /// The SHA-256 of the document's text, as 64 lowercase hex digits.
    Sha256,
    /// The document, exactly as it was hashed.
    Document,
    /// Loaded by `definiciones persist` (on the allow-list), not registered
    /// by a client.
    Trusted,
    /// The file an operator loaded it from; `NULL` for a client's.
    SourceFile,
    /// When it was first stored.
    StoredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PersistedQueries::Table)
                    .col(
                        ColumnDef::new(PersistedQueries::Sha256)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(PersistedQueries::Document).text().not_null())
                    .col(
                        ColumnDef::new(PersistedQueries::Trusted)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(ColumnDef::new(PersistedQueries::SourceFile).text().null())
                    .col(
                        ColumnDef::new(PersistedQueries::StoredAt)
                            .timestamp_with_time_zone()
                            .not_null()
                            .default(Expr::current_timestamp()),
                    )
                    // 64 hex digits: what a lookup by hash compares with.
                    .check(Expr::cust("length(sha256) = 64"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PersistedQueries::Table).to_owned())
            .await
    }
}
