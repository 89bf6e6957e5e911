use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partidas")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub codigo: String,
    #[sea_orm(column_type = "Text")]
    pub nombre: String,
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::servicios::Entity")]
    Servicios,
    #[sea_orm(has_many = "super::objetivos_ministeriales::Entity")]
    ObjetivosMinisteriales,
}

impl Related<super::servicios::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Servicios.def()
    }
}

impl Related<super::objetivos_ministeriales::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObjetivosMinisteriales.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::servicios::Entity")]
    Servicios,
    #[sea_orm(entity = "super::objetivos_ministeriales::Entity")]
    ObjetivosMinisteriales,
}
