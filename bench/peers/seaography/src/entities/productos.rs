use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "productos")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub ficha_id: i32,
    pub numero: i32,
    #[sea_orm(column_type = "Text")]
    pub nombre: String,
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
    pub line: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::fichas::Entity",
        from = "Column::FichaId",
        to = "super::fichas::Column::Id",
        on_update = "NoAction",
        on_delete = "Cascade"
    )]
    Ficha,
    #[sea_orm(has_many = "super::producto_objetivo_institucional::Entity")]
    ProductoObjetivoInstitucional,
}

impl Related<super::fichas::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Ficha.def()
    }
}

impl Related<super::producto_objetivo_institucional::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProductoObjetivoInstitucional.def()
    }
}

/// Many-to-many through `producto_objetivo_institucional`.
impl Related<super::objetivos_institucionales::Entity> for Entity {
    fn to() -> RelationDef {
        super::producto_objetivo_institucional::Relation::ObjetivoInstitucional.def()
    }
    fn via() -> Option<RelationDef> {
        Some(
            super::producto_objetivo_institucional::Relation::Producto
                .def()
                .rev(),
        )
    }
}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::fichas::Entity")]
    Ficha,
    #[sea_orm(entity = "super::producto_objetivo_institucional::Entity")]
    ProductoObjetivoInstitucional,
    #[sea_orm(entity = "super::objetivos_institucionales::Entity")]
    ObjetivosInstitucionales,
}
