//! Creates every table of the first schema: partidas, servicios, fichas,
//! objetivos (ministeriales and institucionales), productos and the two link
//! tables.
//!
//! Written to behave the same on SQLite and PostgreSQL:
//! - foreign keys and unique constraints are declared inside `CREATE TABLE`,
//!   because SQLite cannot add constraints to an existing table;
//! - `tipo` is a string column with a CHECK constraint rather than a native
//!   PostgreSQL enum;
//! - every foreign key column leads some index (a unique constraint, the
//!   primary key or a plain index), so joins and cascading deletes never scan.
//!
//! Constraint and index names follow `pk_`/`uq_`/`fk_`/`ck_`/`idx_` +
//! table + columns, and stay within PostgreSQL's 63-byte identifier limit.

use sea_orm_migration::{prelude::*, schema::*};

/// The database values of `entity::tipo_objetivo::TipoObjetivo`.
const TIPOS_OBJETIVO: [&str; 2] = ["estrategico", "gestion_institucional"];

/// Creates (and, going down, drops) all tables of the first schema.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Partidas::Table)
                    .col(pk_auto(Partidas::Id))
                    .col(string(Partidas::Codigo))
                    .col(text(Partidas::Nombre))
                    .index(
                        Index::create()
                            .name("uq_partidas_codigo")
                            .unique()
                            .col(Partidas::Codigo),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Servicios::Table)
                    .col(pk_auto(Servicios::Id))
                    .col(integer(Servicios::PartidaId))
                    .col(string(Servicios::Capitulo))
                    .col(text(Servicios::Nombre))
                    .index(
                        Index::create()
                            .name("uq_servicios_partida_id_capitulo")
                            .unique()
                            .col(Servicios::PartidaId)
                            .col(Servicios::Capitulo),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_servicios_partida_id")
                            .from(Servicios::Table, Servicios::PartidaId)
                            .to(Partidas::Table, Partidas::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Fichas::Table)
                    .col(pk_auto(Fichas::Id))
                    .col(integer(Fichas::ServicioId))
                    .col(integer(Fichas::Desde))
                    .col(integer(Fichas::Hasta))
                    .col(text(Fichas::PartidaNombre))
                    .col(text(Fichas::ServicioNombre))
                    .col(text(Fichas::LeyOrganica))
                    .col(text(Fichas::Mision))
                    .col(string(Fichas::SourceFile))
                    .col(string(Fichas::Sha256))
                    .col(string(Fichas::ContentSha256))
                    .col(timestamp_with_time_zone(Fichas::ImportedAt))
                    .col(integer(Fichas::Line))
                    .index(
                        Index::create()
                            .name("uq_fichas_servicio_id_desde_hasta")
                            .unique()
                            .col(Fichas::ServicioId)
                            .col(Fichas::Desde)
                            .col(Fichas::Hasta),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_fichas_servicio_id")
                            .from(Fichas::Table, Fichas::ServicioId)
                            .to(Servicios::Table, Servicios::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "idx_fichas_sha256",
            Fichas::Table,
            [Fichas::Sha256],
        )
        .await?;
        create_index(
            manager,
            "idx_fichas_desde_hasta",
            Fichas::Table,
            [Fichas::Desde, Fichas::Hasta],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ObjetivosMinisteriales::Table)
                    .col(pk_auto(ObjetivosMinisteriales::Id))
                    .col(integer(ObjetivosMinisteriales::PartidaId))
                    .col(integer(ObjetivosMinisteriales::Desde))
                    .col(integer(ObjetivosMinisteriales::Hasta))
                    .col(integer(ObjetivosMinisteriales::Prioridad))
                    .col(string(ObjetivosMinisteriales::Tipo))
                    .col(text(ObjetivosMinisteriales::Descripcion))
                    .col(text(ObjetivosMinisteriales::SearchText))
                    .col(integer_null(ObjetivosMinisteriales::SourceFichaId))
                    .col(integer(ObjetivosMinisteriales::Line))
                    .index(
                        Index::create()
                            .name("uq_objetivos_ministeriales_partida_id_desde_hasta_prioridad")
                            .unique()
                            .col(ObjetivosMinisteriales::PartidaId)
                            .col(ObjetivosMinisteriales::Desde)
                            .col(ObjetivosMinisteriales::Hasta)
                            .col(ObjetivosMinisteriales::Prioridad),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_objetivos_ministeriales_partida_id")
                            .from(
                                ObjetivosMinisteriales::Table,
                                ObjetivosMinisteriales::PartidaId,
                            )
                            .to(Partidas::Table, Partidas::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_objetivos_ministeriales_source_ficha_id")
                            .from(
                                ObjetivosMinisteriales::Table,
                                ObjetivosMinisteriales::SourceFichaId,
                            )
                            .to(Fichas::Table, Fichas::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .check((
                        "ck_objetivos_ministeriales_tipo",
                        Expr::col(ObjetivosMinisteriales::Tipo).is_in(TIPOS_OBJETIVO),
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "idx_objetivos_ministeriales_tipo",
            ObjetivosMinisteriales::Table,
            [ObjetivosMinisteriales::Tipo],
        )
        .await?;
        create_index(
            manager,
            "idx_objetivos_ministeriales_source_ficha_id",
            ObjetivosMinisteriales::Table,
            [ObjetivosMinisteriales::SourceFichaId],
        )
        .await?;
        create_index(
            manager,
            "idx_objetivos_ministeriales_desde_hasta",
            ObjetivosMinisteriales::Table,
            [ObjetivosMinisteriales::Desde, ObjetivosMinisteriales::Hasta],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ObjetivosInstitucionales::Table)
                    .col(pk_auto(ObjetivosInstitucionales::Id))
                    .col(integer(ObjetivosInstitucionales::FichaId))
                    .col(integer(ObjetivosInstitucionales::Prioridad))
                    .col(string(ObjetivosInstitucionales::Tipo))
                    .col(text(ObjetivosInstitucionales::Descripcion))
                    .col(text(ObjetivosInstitucionales::SearchText))
                    .col(boolean(ObjetivosInstitucionales::EnfoqueGenero))
                    .col(boolean(ObjetivosInstitucionales::CambioClimatico))
                    .col(integer(ObjetivosInstitucionales::Line))
                    .index(
                        Index::create()
                            .name("uq_objetivos_institucionales_ficha_id_prioridad")
                            .unique()
                            .col(ObjetivosInstitucionales::FichaId)
                            .col(ObjetivosInstitucionales::Prioridad),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_objetivos_institucionales_ficha_id")
                            .from(
                                ObjetivosInstitucionales::Table,
                                ObjetivosInstitucionales::FichaId,
                            )
                            .to(Fichas::Table, Fichas::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check((
                        "ck_objetivos_institucionales_tipo",
                        Expr::col(ObjetivosInstitucionales::Tipo).is_in(TIPOS_OBJETIVO),
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "idx_objetivos_institucionales_tipo",
            ObjetivosInstitucionales::Table,
            [ObjetivosInstitucionales::Tipo],
        )
        .await?;
        create_index(
            manager,
            "idx_objetivos_institucionales_enfoque_genero",
            ObjetivosInstitucionales::Table,
            [ObjetivosInstitucionales::EnfoqueGenero],
        )
        .await?;
        create_index(
            manager,
            "idx_objetivos_institucionales_cambio_climatico",
            ObjetivosInstitucionales::Table,
            [ObjetivosInstitucionales::CambioClimatico],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Productos::Table)
                    .col(pk_auto(Productos::Id))
                    .col(integer(Productos::FichaId))
                    .col(integer(Productos::Numero))
                    .col(text(Productos::Nombre))
                    .col(text(Productos::SearchText))
                    .col(integer(Productos::Line))
                    .index(
                        Index::create()
                            .name("uq_productos_ficha_id_numero")
                            .unique()
                            .col(Productos::FichaId)
                            .col(Productos::Numero),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_productos_ficha_id")
                            .from(Productos::Table, Productos::FichaId)
                            .to(Fichas::Table, Fichas::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ObjetivoInstitucionalMinisterial::Table)
                    .col(integer(
                        ObjetivoInstitucionalMinisterial::ObjetivoInstitucionalId,
                    ))
                    .col(integer(
                        ObjetivoInstitucionalMinisterial::ObjetivoMinisterialId,
                    ))
                    .col(integer(ObjetivoInstitucionalMinisterial::Line))
                    .primary_key(
                        Index::create()
                            .name("pk_objetivo_institucional_ministerial")
                            .col(ObjetivoInstitucionalMinisterial::ObjetivoInstitucionalId)
                            .col(ObjetivoInstitucionalMinisterial::ObjetivoMinisterialId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_objetivo_institucional_ministerial_objetivo_institucional_id")
                            .from(
                                ObjetivoInstitucionalMinisterial::Table,
                                ObjetivoInstitucionalMinisterial::ObjetivoInstitucionalId,
                            )
                            .to(
                                ObjetivosInstitucionales::Table,
                                ObjetivosInstitucionales::Id,
                            )
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_objetivo_institucional_ministerial_objetivo_ministerial_id")
                            .from(
                                ObjetivoInstitucionalMinisterial::Table,
                                ObjetivoInstitucionalMinisterial::ObjetivoMinisterialId,
                            )
                            .to(ObjetivosMinisteriales::Table, ObjetivosMinisteriales::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "idx_objetivo_institucional_ministerial_objetivo_ministerial_id",
            ObjetivoInstitucionalMinisterial::Table,
            [ObjetivoInstitucionalMinisterial::ObjetivoMinisterialId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProductoObjetivoInstitucional::Table)
                    .col(integer(ProductoObjetivoInstitucional::ProductoId))
                    .col(integer(
                        ProductoObjetivoInstitucional::ObjetivoInstitucionalId,
                    ))
                    .col(integer(ProductoObjetivoInstitucional::Line))
                    .primary_key(
                        Index::create()
                            .name("pk_producto_objetivo_institucional")
                            .col(ProductoObjetivoInstitucional::ProductoId)
                            .col(ProductoObjetivoInstitucional::ObjetivoInstitucionalId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_producto_objetivo_institucional_producto_id")
                            .from(
                                ProductoObjetivoInstitucional::Table,
                                ProductoObjetivoInstitucional::ProductoId,
                            )
                            .to(Productos::Table, Productos::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_producto_objetivo_institucional_objetivo_institucional_id")
                            .from(
                                ProductoObjetivoInstitucional::Table,
                                ProductoObjetivoInstitucional::ObjetivoInstitucionalId,
                            )
                            .to(
                                ObjetivosInstitucionales::Table,
                                ObjetivosInstitucionales::Id,
                            )
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "idx_producto_objetivo_institucional_objetivo_institucional_id",
            ProductoObjetivoInstitucional::Table,
            [ProductoObjetivoInstitucional::ObjetivoInstitucionalId],
        )
        .await?;

        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Children before parents, so no foreign key is left dangling; each
        // table takes its own indexes and constraints with it.
        for table in [
            ProductoObjetivoInstitucional::Table.into_iden(),
            ObjetivoInstitucionalMinisterial::Table.into_iden(),
            Productos::Table.into_iden(),
            ObjetivosInstitucionales::Table.into_iden(),
            ObjetivosMinisteriales::Table.into_iden(),
            Fichas::Table.into_iden(),
            Servicios::Table.into_iden(),
            Partidas::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }

    // SQLite runs DDL inside transactions too, so both databases either get
    // the whole schema or none of it (PostgreSQL would by default anyway).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

/// Creates the plain (non-unique) index `name` on `columns` of `table`.
async fn create_index<T, C>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    columns: impl IntoIterator<Item = C>,
) -> Result<(), DbErr>
where
    T: IntoIden + 'static,
    C: IntoIndexColumn,
{
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    manager.create_index(index).await
}

#[derive(DeriveIden)]
enum Partidas {
    Table,
    Id,
    Codigo,
    Nombre,
}

#[derive(DeriveIden)]
enum Servicios {
    Table,
    Id,
    PartidaId,
    Capitulo,
    Nombre,
}

#[derive(DeriveIden)]
enum Fichas {
    Table,
    Id,
    ServicioId,
    Desde,
    Hasta,
    PartidaNombre,
    ServicioNombre,
    LeyOrganica,
    Mision,
    SourceFile,
    Sha256,
    ContentSha256,
    ImportedAt,
    Line,
}

#[derive(DeriveIden)]
enum ObjetivosMinisteriales {
    Table,
    Id,
    PartidaId,
    Desde,
    Hasta,
    Prioridad,
    Tipo,
    Descripcion,
    SearchText,
    SourceFichaId,
    Line,
}

#[derive(DeriveIden)]
enum ObjetivosInstitucionales {
    Table,
    Id,
    FichaId,
    Prioridad,
    Tipo,
    Descripcion,
    SearchText,
    EnfoqueGenero,
    CambioClimatico,
    Line,
}

#[derive(DeriveIden)]
enum Productos {
    Table,
    Id,
    FichaId,
    Numero,
    Nombre,
    SearchText,
    Line,
}

#[derive(DeriveIden)]
enum ObjetivoInstitucionalMinisterial {
    Table,
    ObjetivoInstitucionalId,
    ObjetivoMinisterialId,
    Line,
}

#[derive(DeriveIden)]
enum ProductoObjetivoInstitucional {
    Table,
    ProductoId,
    ObjetivoInstitucionalId,
    Line,
}
