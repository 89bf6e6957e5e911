//! `fichas`: one service's *Ficha de Identificación* for a planning period,
//! with the provenance of the file it was imported from and the counts of
//! what it contains.
//!
//! The counts are kept on the row so that statistics over many servicios
//! read one row per ficha; the importer writes them in the transaction that
//! stores the ficha's objectives, productos and links.

use sea_orm::entity::prelude::*;

/// A ficha: what one service declared for one period; unique by
/// (servicio, desde, hasta).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "fichas")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The service that filed this ficha.
    pub servicio_id: i32,
    /// First year of the period (`2024` in `2024-2026`).
    pub desde: i32,
    /// Last year of the period; equal to `desde` for a single-year ficha.
    pub hasta: i32,
    /// Ministry name as printed in this ficha.
    #[sea_orm(column_type = "Text")]
    pub partida_nombre: String,
    /// Service name as printed in this ficha.
    #[sea_orm(column_type = "Text")]
    pub servicio_nombre: String,
    /// *Ley orgánica o Decreto que la rige*.
    #[sea_orm(column_type = "Text")]
    pub ley_organica: String,
    /// *Misión Institucional*.
    #[sea_orm(column_type = "Text")]
    pub mision: String,
    /// Name of the file the ficha was read from.
    pub source_file: String,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// Hex SHA-256 of what the ficha says (its text as `export` renders
    /// it): equal for two files that differ only in layout or line endings.
    pub content_sha256: String,
    /// When the ficha was imported.
    pub imported_at: DateTimeUtc,
    /// 1-based line of the ficha's title in the source file.
    pub line: i32,
    /// `mision` lowercased and without accents, for search.
    #[sea_orm(column_type = "Text")]
    #[serde(default)]
    pub search_text: String,
    /// How many institutional objectives the ficha lists.
    pub objetivos_total: i64,
    /// How many of them are of tipo *Estratégico*.
    pub objetivos_estrategicos: i64,
    /// How many of them have a gender focus.
    pub objetivos_enfoque_genero: i64,
    /// How many of them address climate change.
    pub objetivos_cambio_climatico: i64,
    /// How many of them no producto serves.
    pub objetivos_sin_productos: i64,
    /// How many productos the ficha lists.
    pub productos_total: i64,
    /// How many of them serve no institutional objective.
    pub productos_sin_objetivos: i64,
    /// How many links from its institutional objectives to ministry ones.
    pub enlaces_ministeriales: i64,
    /// How many links from its productos to its institutional objectives.
    pub enlaces_productos: i64,
}

/// Relations of a ficha.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The service that filed this ficha.
    #[sea_orm(
        belongs_to = "super::servicio::Entity",
        from = "Column::ServicioId",
        to = "super::servicio::Column::Id",
        on_delete = "Restrict"
    )]
    Servicio,
    /// The service's own objectives in this ficha.
    #[sea_orm(has_many = "super::objetivo_institucional::Entity")]
    ObjetivoInstitucional,
    /// The service's final goods and services in this ficha.
    #[sea_orm(has_many = "super::producto::Entity")]
    Producto,
    /// Ministry objectives whose stored rows were read from this ficha
    /// (through `objetivos_ministeriales.source_ficha_id`).
    #[sea_orm(has_many = "super::objetivo_ministerial::Entity")]
    ObjetivoMinisterial,
}

impl Related<super::servicio::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Servicio.def()
    }
}

impl Related<super::objetivo_institucional::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObjetivoInstitucional.def()
    }
}

impl Related<super::producto::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Producto.def()
    }
}

impl Related<super::objetivo_ministerial::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObjetivoMinisterial.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
