//! `objetivos_institucionales`: a service's own strategic objectives, as
//! declared in one ficha.

use sea_orm::entity::prelude::*;

use crate::tipo_objetivo::TipoObjetivo;

/// An institutional objective; unique by (ficha, prioridad).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "objetivos_institucionales")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The ficha that declares this objective.
    pub ficha_id: i32,
    /// Its number in the ficha (*Prioridad*); what productos cite.
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
    /// *Enfoque de Género* (`Si`/`No`).
    #[serde(deserialize_with = "crate::json::flag")]
    pub enfoque_genero: bool,
    /// *Cambio Climático* (`Si`/`No`).
    #[serde(deserialize_with = "crate::json::flag")]
    pub cambio_climatico: bool,
    /// 1-based line of the row in the source ficha.
    pub line: i32,
    /// The ficha's place in the national order, copied on the row so lists
    /// spanning fichas sort without joining them: the partida's code,
    /// the servicio's capítulo and the ficha's first year. Lists never
    /// read them back (the last fields, so a row read without them takes
    /// their defaults).
    #[serde(default)]
    pub partida_codigo: String,
    /// The servicio's capítulo (see `partida_codigo`).
    #[serde(default)]
    pub servicio_capitulo: String,
    /// The ficha's first year (see `partida_codigo`).
    #[serde(default)]
    pub ficha_desde: i32,
}

/// Relations of an institutional objective.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The ficha that declares this objective.
    #[sea_orm(
        belongs_to = "super::ficha::Entity",
        from = "Column::FichaId",
        to = "super::ficha::Column::Id",
        on_delete = "Cascade"
    )]
    Ficha,
    /// Link rows to the ministry objectives this one serves.
    #[sea_orm(has_many = "super::objetivo_institucional_ministerial::Entity")]
    ObjetivoInstitucionalMinisterial,
    /// Link rows to the productos that serve this objective.
    #[sea_orm(has_many = "super::producto_objetivo_institucional::Entity")]
    ProductoObjetivoInstitucional,
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

impl Related<super::producto_objetivo_institucional::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProductoObjetivoInstitucional.def()
    }
}

/// The ministry objectives this institutional objective serves.
impl Related<super::objetivo_ministerial::Entity> for Entity {
    fn to() -> RelationDef {
        super::objetivo_institucional_ministerial::Relation::ObjetivoMinisterial.def()
    }

    fn via() -> Option<RelationDef> {
        Some(
            super::objetivo_institucional_ministerial::Relation::ObjetivoInstitucional
                .def()
                .rev(),
        )
    }
}

/// The productos that serve this institutional objective.
impl Related<super::producto::Entity> for Entity {
    fn to() -> RelationDef {
        super::producto_objetivo_institucional::Relation::Producto.def()
    }

    fn via() -> Option<RelationDef> {
        Some(
            super::producto_objetivo_institucional::Relation::ObjetivoInstitucional
                .def()
                .rev(),
        )
    }
}

impl ActiveModelBehavior for ActiveModel {}
