//! Values the graph's objects, filters and aggregates share.

use async_graphql::{Enum, SimpleObject};

/// Whether an objective is about the service's mission or about running
/// the institution (the ficha's *Tipo de Objetivo* column).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::tipo_objetivo::TipoObjetivo")]
pub enum TipoObjetivo {
    /// *Estratégico*: an objective about what the service exists for.
    Estrategico,
    /// *Gestión Institucional*: an objective about managing the institution.
    GestionInstitucional,
}

/// A planning period. Current fichas cover three years (`2024-2026`);
/// older ones a single year (`desde` equal to `hasta`).
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct Periodo {
    /// First year covered.
    pub desde: i32,
    /// Last year covered.
    pub hasta: i32,
}
