//! A ficha's counts of what it contains, kept on its row (the `ficha`
//! entity's count columns) so statistics read one row per ficha.
//!
//! They count what the importer stored, as the migration that added the
//! columns counts the stored rows; the writer stores them in the same
//! transaction as the rows they count.

use entity::ficha;
use sea_orm::ActiveValue::Set;

use crate::ficha::{Ficha, Producto, TipoObjetivo};

/// The counts of `ficha`, as a row that sets only them. `served` are the
/// (producto, objective's prioridad) pairs stored; `enlaces_ministeriales`
/// how many links to ministry objectives were stored.
pub(super) fn of(
    ficha: &Ficha,
    served: &[(&Producto, u32)],
    enlaces_ministeriales: usize,
) -> ficha::ActiveModel {
    let objetivos = &ficha.objetivos_institucionales;
    let productos = &ficha.productos;
    let count = |n: usize| Set(n as i64);
    ficha::ActiveModel {
        objetivos_total: count(objetivos.len()),
        objetivos_estrategicos: count(
            objetivos
                .iter()
                .filter(|o| o.tipo == TipoObjetivo::Estrategico)
                .count(),
        ),
        objetivos_enfoque_genero: count(objetivos.iter().filter(|o| o.enfoque_genero).count()),
        objetivos_cambio_climatico: count(objetivos.iter().filter(|o| o.cambio_climatico).count()),
        objetivos_sin_productos: count(
            objetivos
                .iter()
                .filter(|o| !served.iter().any(|(_, by)| *by == o.prioridad))
                .count(),
        ),
        productos_total: count(productos.len()),
        productos_sin_objetivos: count(
            productos
                .iter()
                .filter(|p| !served.iter().any(|(by, _)| by.numero == p.numero))
                .count(),
        ),
        enlaces_ministeriales: count(enlaces_ministeriales),
        enlaces_productos: count(served.len()),
        ..Default::default()
    }
}
