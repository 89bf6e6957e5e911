//! `tipo` of both kinds of objetivo: a string column with a CHECK
//! constraint (not a native PostgreSQL enum).

use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    enum_name = "tipo_objetivo"
)]
pub enum TipoObjetivo {
    #[sea_orm(string_value = "estrategico")]
    Estrategico,
    #[sea_orm(string_value = "gestion_institucional")]
    GestionInstitucional,
}
