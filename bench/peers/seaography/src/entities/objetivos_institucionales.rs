use super::sea_orm_active_enums::TipoObjetivo;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "objetivos_institucionales")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub ficha_id: i32,
    pub prioridad: i32,
    pub tipo: TipoObjetivo,
    #[sea_orm(column_type = "Text")]
    pub descripcion: String,
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
    pub enfoque_genero: bool,
    pub cambio_climatico: bool,
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
    #[sea_orm(has_many = "super::objetivo_institucional_ministerial::Entity")]
    ObjetivoInstitucionalMinisterial,
    #[sea_orm(has_many = "super::producto_objetivo_institucional::Entity")]
    ProductoObjetivoInstitucional,
}

impl Related<super::fichas::Entity> for Entity {
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

/// Many-to-many through `objetivo_institucional_ministerial`.
impl Related<super::objetivos_ministeriales::Entity> for Entity {
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

/// Many-to-many through `producto_objetivo_institucional`.
impl Related<super::productos::Entity> for Entity {
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

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::fichas::Entity")]
    Ficha,
    #[sea_orm(entity = "super::objetivo_institucional_ministerial::Entity")]
    ObjetivoInstitucionalMinisterial,
    #[sea_orm(entity = "super::producto_objetivo_institucional::Entity")]
    ProductoObjetivoInstitucional,
    #[sea_orm(entity = "super::objetivos_ministeriales::Entity")]
    ObjetivosMinisteriales,
    #[sea_orm(entity = "super::productos::Entity")]
    Productos,
}
