//! The *Tipo de Objetivo* of a ministerial or institutional objective.
//!
//! Stored as a plain string column (not a native PostgreSQL enum) so SQLite
//! and PostgreSQL behave alike; the migration adds a CHECK constraint that
//! admits exactly the database values below. Parsing the ficha's spelling
//! (`Estratégico`, `Gestión Institucional`) is the importer's job.

use sea_orm::entity::prelude::*;

/// Whether an objective is strategic or about the institution's own management.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum TipoObjetivo {
    /// `Estratégico` in the ficha; stored as `estrategico`.
    #[sea_orm(string_value = "estrategico")]
    #[serde(rename = "estrategico")]
    Estrategico,
    /// `Gestión Institucional` in the ficha; stored as `gestion_institucional`.
    #[sea_orm(string_value = "gestion_institucional")]
    #[serde(rename = "gestion_institucional")]
    GestionInstitucional,
}
