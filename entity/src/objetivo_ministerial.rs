//! `objetivos_ministeriales`: a ministry's strategic objectives for a period.
//!
//! Every ficha of a ministry repeats them, so they belong to the partida and
//! period, not to a ficha; `source_ficha_id` records which ficha the stored
//! rows were read from.

use sea_orm::entity::prelude::*;

use crate::tipo_objetivo::TipoObjetivo;

/// A ministry objective; unique by (partida, desde, hasta, prioridad).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "objetivos_ministeriales")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The ministry this objective belongs to.
    pub partida_id: i32,
    /// First year of the period.
    pub desde: i32,
    /// Last year of the period.
    pub hasta: i32,
    /// Its number in the ficha (*Prioridad*); what institutional objectives cite.
    pub prioridad: i32,
    /// *Tipo de Objetivo*.
    pub tipo: TipoObjetivo,
    /// *Descripción*.
    #[sea_orm(column_type = "Text")]
    pub descripcion: String,
    /// `descripcion` lowercased and without accents, for search.
    #[sea_orm(column_type = "Text")]
    #[serde(default)]
    pub search_text: String,
    /// The ficha these rows were read from; null once that ficha is deleted.
    pub source_ficha_id: Option<i32>,
    /// 1-based line of the row in the source ficha.
    pub line: i32,
}

/// Relations of a ministry objective.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The ministry this objective belongs to.
    #[sea_orm(
        belongs_to = "super::partida::Entity",
        from = "Column::PartidaId",
        to = "super::partida::Column::Id",
        on_delete = "Cascade"
    )]
    Partida,
    /// The ficha the stored rows were read from.
    #[sea_orm(
        belongs_to = "super::ficha::Entity",
        from = "Column::SourceFichaId",
        to = "super::ficha::Column::Id",
        on_delete = "SetNull"
    )]
    Ficha,
    /// Link rows to the institutional objectives that serve this one.
    #[sea_orm(has_many = "super::objetivo_institucional_ministerial::Entity")]
    ObjetivoInstitucionalMinisterial,
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

impl Related<super::objetivo_institucional_ministerial::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObjetivoInstitucionalMinisterial.def()
    }
}

/// The institutional objectives (of any service of the ministry) that serve
/// this ministry objective.
impl Related<super::objetivo_institucional::Entity> for Entity {
    fn to() -> RelationDef {
        super::objetivo_institucional_ministerial::Relation::ObjetivoInstitucional.def()
    }

    fn via() -> Option<RelationDef> {
        Some(
            super::objetivo_institucional_ministerial::Relation::ObjetivoMinisterial
                .def()
                .rev(),
        )
    }
}

impl ActiveModelBehavior for ActiveModel {}
