//! `objetivo_institucional_ministerial`: which ministry objectives an
//! institutional objective serves (*Objetivos del Ministerio Relacionados*).

use sea_orm::entity::prelude::*;

/// One link: an institutional objective serves a ministry objective.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "objetivo_institucional_ministerial")]
pub struct Model {
    /// The institutional objective that serves.
    #[sea_orm(primary_key, auto_increment = false)]
    pub objetivo_institucional_id: i32,
    /// The ministry objective it serves.
    #[sea_orm(primary_key, auto_increment = false)]
    pub objetivo_ministerial_id: i32,
    /// 1-based line in the source ficha where the link was listed.
    pub line: i32,
}

/// Relations of a link row.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The institutional objective that serves.
    #[sea_orm(
        belongs_to = "super::objetivo_institucional::Entity",
        from = "Column::ObjetivoInstitucionalId",
        to = "super::objetivo_institucional::Column::Id",
        on_delete = "Cascade"
    )]
    ObjetivoInstitucional,
    /// The ministry objective it serves.
    #[sea_orm(
        belongs_to = "super::objetivo_ministerial::Entity",
        from = "Column::ObjetivoMinisterialId",
        to = "super::objetivo_ministerial::Column::Id",
        on_delete = "Cascade"
    )]
    ObjetivoMinisterial,
}

impl Related<super::objetivo_institucional::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObjetivoInstitucional.def()
    }
}

impl Related<super::objetivo_ministerial::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObjetivoMinisterial.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
