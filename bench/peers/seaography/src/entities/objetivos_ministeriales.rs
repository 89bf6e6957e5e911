use super::sea_orm_active_enums::TipoObjetivo;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "objetivos_ministeriales")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub partida_id: i32,
    pub desde: i32,
    pub hasta: i32,
    pub prioridad: i32,
    pub tipo: TipoObjetivo,
    #[sea_orm(column_type = "Text")]
    pub descripcion: String,
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
    pub source_ficha_id: Option<i32>,
    pub line: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::partidas::Entity",
        from = "Column::PartidaId",
        to = "super::partidas::Column::Id",
        on_update = "NoAction",
        on_delete = "Cascade"
    )]
    Partida,
    #[sea_orm(
        belongs_to = "super::fichas::Entity",
        from = "Column::SourceFichaId",
        to = "super::fichas::Column::Id",
        on_update = "NoAction",
        on_delete = "SetNull"
    )]
    SourceFicha,
    #[sea_orm(has_many = "super::objetivo_institucional_ministerial::Entity")]
    ObjetivoInstitucionalMinisterial,
}

impl Related<super::partidas::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Partida.def()
    }
}

impl Related<super::fichas::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SourceFicha.def()
    }
}

impl Related<super::objetivo_institucional_ministerial::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObjetivoInstitucionalMinisterial.def()
    }
}

/// Many-to-many through `objetivo_institucional_ministerial`.
impl Related<super::objetivos_institucionales::Entity> for Entity {
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

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::partidas::Entity")]
    Partida,
    #[sea_orm(entity = "super::fichas::Entity")]
    SourceFicha,
    #[sea_orm(entity = "super::objetivo_institucional_ministerial::Entity")]
    ObjetivoInstitucionalMinisterial,
    #[sea_orm(entity = "super::objetivos_institucionales::Entity")]
    ObjetivosInstitucionales,
}
