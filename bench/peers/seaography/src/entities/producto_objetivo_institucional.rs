use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "producto_objetivo_institucional")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub producto_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub objetivo_institucional_id: i32,
    pub line: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::productos::Entity",
        from = "Column::ProductoId",
        to = "super::productos::Column::Id",
        on_update = "NoAction",
        on_delete = "Cascade"
    )]
    Producto,
    #[sea_orm(
        belongs_to = "super::objetivos_institucionales::Entity",
        from = "Column::ObjetivoInstitucionalId",
        to = "super::objetivos_institucionales::Column::Id",
        on_update = "NoAction",
        on_delete = "Cascade"
    )]
    ObjetivoInstitucional,
}

impl Related<super::productos::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Producto.def()
    }
}

impl Related<super::objetivos_institucionales::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObjetivoInstitucional.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::productos::Entity")]
    Producto,
    #[sea_orm(entity = "super::objetivos_institucionales::Entity")]
    ObjetivoInstitucional,
}
