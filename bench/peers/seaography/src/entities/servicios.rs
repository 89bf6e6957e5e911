use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "servicios")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub partida_id: i32,
    pub capitulo: String,
    #[sea_orm(column_type = "Text")]
    pub nombre: String,
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::partidas::Entity",
        from = "Column::PartidaId",
        to = "super::partidas::Column::Id",
        on_update = "NoAction",
        on_delete = "Restrict"
    )]
    Partida,
    #[sea_orm(has_many = "super::fichas::Entity")]
    Fichas,
}

impl Related<super::partidas::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Partida.def()
    }
}

impl Related<super::fichas::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Fichas.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::partidas::Entity")]
    Partida,
    #[sea_orm(entity = "super::fichas::Entity")]
    Fichas,
}
