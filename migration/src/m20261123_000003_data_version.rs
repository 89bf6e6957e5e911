//! The data version: one row whose counter every import that changes the
//! data raises, in the same transaction as the change.
//!
//! A server keys the answers it keeps in memory on this number, so an answer
//! is served again only while the data it was computed from is unchanged —
//! whichever process imported, on whichever replica.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DataVersion {
    Table,
    Id,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DataVersion::Table)
                    .col(
                        ColumnDef::new(DataVersion::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(DataVersion::Version)
                            .big_integer()
                            .not_null(),
                    )
                    // The one row: id 1.
                    .check(Expr::col(DataVersion::Id).eq(1))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(DataVersion::Table)
                    .columns([DataVersion::Id, DataVersion::Version])
                    .values_panic([1.into(), 0i64.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DataVersion::Table).to_owned())
            .await
    }
}
