//! Each ficha's counts, kept on its row: objectives by kind, productos,
//! links. A ficha owns its objectives, productos and links and they change
//! only when the ficha is imported again, so the importer writes them in
//! the same transaction, counting what it stores; statistics over hundreds
//! of servicios then read one row per ficha instead of every objective,
//! producto and link. This migration counts the fichas already stored
//! ([`FICHA_COUNTS`] says what each column counts).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns this migration adds to `fichas`.
pub const FICHA_COUNT_COLUMNS: [&str; 9] = [
    "objetivos_total",
    "objetivos_estrategicos",
    "objetivos_enfoque_genero",
    "objetivos_cambio_climatico",
    "objetivos_sin_productos",
    "productos_total",
    "productos_sin_objetivos",
    "enlaces_ministeriales",
    "enlaces_productos",
];

/// Count every stored ficha's objectives, productos and links from their
/// rows. The same text on SQLite and PostgreSQL.
const FICHA_COUNTS: &str = "UPDATE fichas SET \
     objetivos_total = (SELECT COUNT(*) FROM objetivos_institucionales oi \
       WHERE oi.ficha_id = fichas.id), \
     objetivos_estrategicos = (SELECT COUNT(*) FROM objetivos_institucionales oi \
       WHERE oi.ficha_id = fichas.id AND oi.tipo = 'estrategico'), \
     objetivos_enfoque_genero = (SELECT COUNT(*) FROM objetivos_institucionales oi \
       WHERE oi.ficha_id = fichas.id AND oi.enfoque_genero), \
     objetivos_cambio_climatico = (SELECT COUNT(*) FROM objetivos_institucionales oi \
       WHERE oi.ficha_id = fichas.id AND oi.cambio_climatico), \
     objetivos_sin_productos = (SELECT COUNT(*) FROM objetivos_institucionales oi \
       WHERE oi.ficha_id = fichas.id AND NOT EXISTS (SELECT 1 FROM producto_objetivo_institucional x \
       WHERE x.objetivo_institucional_id = oi.id)), \
     productos_total = (SELECT COUNT(*) FROM productos pr WHERE pr.ficha_id = fichas.id), \
     productos_sin_objetivos = (SELECT COUNT(*) FROM productos pr \
       WHERE pr.ficha_id = fichas.id AND NOT EXISTS (SELECT 1 FROM producto_objetivo_institucional x \
       WHERE x.producto_id = pr.id)), \
     enlaces_ministeriales = (SELECT COUNT(*) FROM objetivo_institucional_ministerial l \
       INNER JOIN objetivos_institucionales oi ON oi.id = l.objetivo_institucional_id \
       WHERE oi.ficha_id = fichas.id), \
     enlaces_productos = (SELECT COUNT(*) FROM producto_objetivo_institucional l \
       INNER JOIN productos pr ON pr.id = l.producto_id WHERE pr.ficha_id = fichas.id)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in FICHA_COUNT_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("fichas"))
                        .add_column(
                            ColumnDef::new(Alias::new(column))
                                .big_integer()
                                .not_null()
                                .default(0),
                        )
                        .to_owned(),
                )
                .await?;
        }
        // Fichas imported before this migration.
        manager
            .get_connection()
            .execute_unprepared(FICHA_COUNTS)
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in FICHA_COUNT_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("fichas"))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
