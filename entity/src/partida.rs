//! `partidas`: a budget partida, i.e. a ministry, identified by its code.

use sea_orm::entity::prelude::*;

/// A partida (ministry) of the national budget.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "partidas")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Budget code as printed, e.g. `"20"`; a string because `"01"` is not `"1"`. Unique.
    #[sea_orm(unique)]
    pub codigo: String,
    /// Ministry name.
    #[sea_orm(column_type = "Text")]
    pub nombre: String,
    /// `nombre` lowercased and without accents, for search.
    #[sea_orm(column_type = "Text")]
    #[serde(default)]
    pub search_text: String,
}

/// Relations of a partida.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The services (capítulos) of this partida.
    #[sea_orm(has_many = "super::servicio::Entity")]
    Servicio,
    /// The ministry's objectives, for every period.
    #[sea_orm(has_many = "super::objetivo_ministerial::Entity")]
    ObjetivoMinisterial,
}

impl Related<super::servicio::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Servicio.def()
    }
}

impl Related<super::objetivo_ministerial::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObjetivoMinisterial.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
