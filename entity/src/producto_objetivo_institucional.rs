//! `producto_objetivo_institucional`: which institutional objectives a
//! producto serves (*N° Objetivo Estratégico Relacionado*).

use sea_orm::entity::prelude::*;

/// One link: a producto serves an institutional objective.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "producto_objetivo_institucional")]
pub struct Model {
    /// The producto that serves.
    #[sea_orm(primary_key, auto_increment = false)]
    pub producto_id: i32,
    /// The institutional objective it serves.
    #[sea_orm(primary_key, auto_increment = false)]
    pub objetivo_institucional_id: i32,
    /// 1-based line in the source ficha where the link was listed.
    pub line: i32,
}

/// Relations of a link row.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The producto that serves.
    #[sea_orm(
        belongs_to = "super::producto::Entity",
        from = "Column::ProductoId",
        to = "super::producto::Column::Id",
        on_delete = "Cascade"
    )]
    Producto,
    /// The institutional objective it serves.
    #[sea_orm(
        belongs_to = "super::objetivo_institucional::Entity",
        from = "Column::ObjetivoInstitucionalId",
        to = "super::objetivo_institucional::Column::Id",
        on_delete = "Cascade"
    )]
    ObjetivoInstitucional,
}

impl Related<super::producto::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Producto.def()
    }
}

impl Related<super::objetivo_institucional::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObjetivoInstitucional.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
