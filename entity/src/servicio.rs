//! `servicios`: a public service, the capítulo of a partida.

use sea_orm::entity::prelude::*;

/// A service (capítulo) within a partida; unique by (partida, capítulo).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "servicios")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The partida this service belongs to.
    pub partida_id: i32,
    /// Capítulo code as printed, e.g. `"01"`.
    pub capitulo: String,
    /// Service name.
    #[sea_orm(column_type = "Text")]
    pub nombre: String,
    /// `nombre` lowercased and without accents, for search.
    #[sea_orm(column_type = "Text")]
    #[serde(default)]
    pub search_text: String,
}

/// Relations of a servicio.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The partida (ministry) of this service.
    #[sea_orm(
        belongs_to = "super::partida::Entity",
        from = "Column::PartidaId",
        to = "super::partida::Column::Id",
        on_delete = "Restrict"
    )]
    Partida,
    /// The fichas this service filed, one per period.
    #[sea_orm(has_many = "super::ficha::Entity")]
    Ficha,
}

impl Related<super::partida::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Partida.def()
    }
}

impl Related<super::ficha::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Ficha.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
