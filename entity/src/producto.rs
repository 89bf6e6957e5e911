//! `productos`: a service's final goods and services (*Bienes / Servicios
//! Finales*, older fichas: *Productos Estratégicos*), as declared in one ficha.

use sea_orm::entity::prelude::*;

/// A producto; unique by (ficha, numero).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "productos")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The ficha that declares this producto.
    pub ficha_id: i32,
    /// Its number in the ficha (*Número*).
    pub numero: i32,
    /// Its name.
    #[sea_orm(column_type = "Text")]
    pub nombre: String,
    /// `nombre` lowercased and without accents, for search.
    #[sea_orm(column_type = "Text")]
    #[serde(default)]
    pub search_text: String,
    /// 1-based line of the row in the source ficha.
    pub line: i32,
    /// The ficha's place in the national order, copied on the row so lists
    /// spanning fichas sort without joining them: the partida's code,
    /// the servicio's capítulo and the ficha's first year. Lists never
    /// read them back (the last fields, so a row read without them takes
    /// their defaults).
    #[serde(default)]
    pub partida_codigo: String,
    /// The servicio's capítulo (see `partida_codigo`).
    #[serde(default)]
    pub servicio_capitulo: String,
    /// The ficha's first year (see `partida_codigo`).
    #[serde(default)]
    pub ficha_desde: i32,
}

/// Relations of a producto.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The ficha that declares this producto.
    #[sea_orm(
        belongs_to = "super::ficha::Entity",
        from = "Column::FichaId",
        to = "super::ficha::Column::Id",
        on_delete = "Cascade"
    )]
    Ficha,
    /// Link rows to the institutional objectives this producto serves.
    #[sea_orm(has_many = "super::producto_objetivo_institucional::Entity")]
    ProductoObjetivoInstitucional,
}

impl Related<super::ficha::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Ficha.def()
    }
}

impl Related<super::producto_objetivo_institucional::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProductoObjetivoInstitucional.def()
    }
}

/// The institutional objectives this producto serves.
impl Related<super::objetivo_institucional::Entity> for Entity {
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
