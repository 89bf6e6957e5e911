//! The fichas' counts summed per partida and período, and per partida over
//! every período, kept by the importer: `estadisticas` reads a row per
//! group however many fichas are stored, instead of summing every ficha's
//! counts on each request. The importer refreshes a partida's rows in the
//! transaction that stores one of its fichas ([`partida_totals`] is the
//! `SELECT` both use); this migration sums the fichas already stored.

use sea_orm_migration::prelude::*;

use crate::FICHA_COUNT_COLUMNS;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The table.
pub const PARTIDA_TOTALS: &str = "partida_totales";

/// The rows of [`PARTIDA_TOTALS`] for the fichas that `by_periodo` selects
/// (per partida and período) and that `by_partida` selects (per partida,
/// every período, with `desde` and `hasta` 0): conditions over the fichas
/// `f` and their servicios `s`. Its columns are the table's, in order.
pub fn partida_totals(by_periodo: &str, by_partida: &str) -> String {
    let sums: Vec<String> = FICHA_COUNT_COLUMNS
        .iter()
        .map(|column| format!("CAST(SUM(f.{column}) AS BIGINT)"))
        .collect();
    let sums = sums.join(", ");
    format!(
        "SELECT s.partida_id, f.desde, f.hasta, COUNT(*), COUNT(DISTINCT f.servicio_id), {sums} \
         FROM fichas f INNER JOIN servicios s ON s.id = f.servicio_id \
         WHERE {by_periodo} GROUP BY s.partida_id, f.desde, f.hasta \
         UNION ALL \
         SELECT s.partida_id, 0, 0, COUNT(*), COUNT(DISTINCT f.servicio_id), {sums} \
         FROM fichas f INNER JOIN servicios s ON s.id = f.servicio_id \
         WHERE {by_partida} GROUP BY s.partida_id"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Alias::new(PARTIDA_TOTALS))
            .col(
                ColumnDef::new(Alias::new("partida_id"))
                    .integer()
                    .not_null(),
            )
            .col(ColumnDef::new(Alias::new("desde")).integer().not_null())
            .col(ColumnDef::new(Alias::new("hasta")).integer().not_null())
            .col(
                ColumnDef::new(Alias::new("fichas"))
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(Alias::new("servicios"))
                    .big_integer()
                    .not_null(),
            );
        for column in FICHA_COUNT_COLUMNS {
            table.col(ColumnDef::new(Alias::new(column)).big_integer().not_null());
        }
        table
            .primary_key(
                Index::create()
                    .col(Alias::new("partida_id"))
                    .col(Alias::new("desde"))
                    .col(Alias::new("hasta")),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Alias::new(PARTIDA_TOTALS), Alias::new("partida_id"))
                    .to(Alias::new("partidas"), Alias::new("id"))
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(table.to_owned()).await?;
        // Fichas imported before this migration.
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO {PARTIDA_TOTALS} {}",
                partida_totals("1 = 1", "1 = 1")
            ))
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new(PARTIDA_TOTALS)).to_owned())
            .await
    }
}
