use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "objetivo_institucional_ministerial")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub objetivo_institucional_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub objetivo_ministerial_id: i32,
    pub line: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::objetivos_institucionales::Entity",
        from = "Column::ObjetivoInstitucionalId",
        to = "super::objetivos_institucionales::Column::Id",
        on_update = "NoAction",
        on_delete = "Cascade"
    )]
    ObjetivoInstitucional,
    #[sea_orm(
        belongs_to = "super::objetivos_ministeriales::Entity",
        from = "Column::ObjetivoMinisterialId",
        to = "super::objetivos_ministeriales::Column::Id",
        on_update = "NoAction",
        on_delete = "Cascade"
    )]
    ObjetivoMinisterial,
}

impl Related<super::objetivos_institucionales::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObjetivoInstitucional.def()
    }
}

impl Related<super::objetivos_ministeriales::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObjetivoMinisterial.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::objetivos_institucionales::Entity")]
    ObjetivoInstitucional,
    #[sea_orm(entity = "super::objetivos_ministeriales::Entity")]
    ObjetivoMinisterial,
}
