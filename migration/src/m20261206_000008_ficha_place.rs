//! Each institutional objective and producto keeps its ficha's place in
//! the national order: the partida's code, the servicio's capítulo and the
//! ficha's first year. A list spanning fichas (every objective matching a
//! search, the objectives serving a ministry objective) sorts by them, and
//! with them on the row it sorts without joining the ficha, servicio and
//! partida of every match: on PostgreSQL those joins were most of a
//! search's cost. A ficha's servicio and período never change, and its
//! rows are written again whenever it is, so the importer writes the copies
//! with the rows. This migration fills them in for rows already stored.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables that keep their ficha's place, each with the column that
/// orders its rows within a ficha.
const TABLES: [(&str, &str); 2] = [
    ("objetivos_institucionales", "prioridad"),
    ("productos", "numero"),
];

/// The columns added to each of [`TABLES`], text or not.
const COLUMNS: [(&str, bool); 3] = [
    ("partida_codigo", true),
    ("servicio_capitulo", true),
    ("ficha_desde", false),
];

/// Copy every stored row's ficha place from its ficha, servicio and
/// partida. The same text on SQLite and PostgreSQL.
fn fill(table: &str) -> String {
    format!(
        "UPDATE {table} SET \
         partida_codigo = (SELECT p.codigo FROM fichas f \
           INNER JOIN servicios s ON s.id = f.servicio_id \
           INNER JOIN partidas p ON p.id = s.partida_id WHERE f.id = {table}.ficha_id), \
         servicio_capitulo = (SELECT s.capitulo FROM fichas f \
           INNER JOIN servicios s ON s.id = f.servicio_id WHERE f.id = {table}.ficha_id), \
         ficha_desde = (SELECT f.desde FROM fichas f WHERE f.id = {table}.ficha_id)"
    )
}

/// The index of `table`'s rows in their usual order.
fn index_name(table: &str) -> String {
    format!("idx_{table}_ficha_place")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, within) in TABLES {
            // One column per statement: SQLite alters one thing at a time.
            for (column, text) in COLUMNS {
                let mut def = ColumnDef::new(Alias::new(column));
                if text {
                    def.string().not_null().default("");
                } else {
                    def.integer().not_null().default(0);
                }
                manager
                    .alter_table(
                        Table::alter()
                            .table(Alias::new(table))
                            .add_column(&mut def)
                            .to_owned(),
                    )
                    .await?;
            }
            manager
                .get_connection()
                .execute_unprepared(&fill(table))
                .await?;
            // The usual order of a list spanning fichas, as an index: SQLite
            // reads a page in order from it and stops once the page is full,
            // as it did walking partidas, servicios and fichas by their keys.
            let mut index = Index::create();
            index.name(index_name(table)).table(Alias::new(table));
            for (column, _) in COLUMNS {
                index.col(Alias::new(column));
            }
            manager
                .create_index(index.col(Alias::new(within)).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, _) in TABLES {
            manager
                .drop_index(
                    Index::drop()
                        .name(index_name(table))
                        .table(Alias::new(table))
                        .to_owned(),
                )
                .await?;
            for (column, _) in COLUMNS {
                manager
                    .alter_table(
                        Table::alter()
                            .table(Alias::new(table))
                            .drop_column(Alias::new(column))
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }
}
