use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fichas")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub servicio_id: i32,
    pub desde: i32,
    pub hasta: i32,
    #[sea_orm(column_type = "Text")]
    pub partida_nombre: String,
    #[sea_orm(column_type = "Text")]
    pub servicio_nombre: String,
    #[sea_orm(column_type = "Text")]
    pub ley_organica: String,
    #[sea_orm(column_type = "Text")]
    pub mision: String,
    pub source_file: String,
    pub sha256: String,
    pub content_sha256: String,
    pub imported_at: DateTimeUtc,
    pub line: i32,
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::servicios::Entity",
        from = "Column::ServicioId",
        to = "super::servicios::Column::Id",
        on_update = "NoAction",
        on_delete = "Restrict"
    )]
    Servicio,
    #[sea_orm(has_many = "super::objetivos_institucionales::Entity")]
    ObjetivosInstitucionales,
    #[sea_orm(has_many = "super::productos::Entity")]
    Productos,
    /// Ministry objectives whose rows were read from this ficha
    /// (`objetivos_ministeriales.source_ficha_id`).
    #[sea_orm(has_many = "super::objetivos_ministeriales::Entity")]
    ObjetivosMinisteriales,
}

impl Related<super::servicios::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Servicio.def()
    }
}

impl Related<super::objetivos_institucionales::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObjetivosInstitucionales.def()
    }
}

impl Related<super::productos::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Productos.def()
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
    Servicio,
    #[sea_orm(entity = "super::objetivos_institucionales::Entity")]
    ObjetivosInstitucionales,
    #[sea_orm(entity = "super::productos::Entity")]
    Productos,
    #[sea_orm(entity = "super::objetivos_ministeriales::Entity")]
    ObjetivosMinisteriales,
}
