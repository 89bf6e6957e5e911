//! A ficha's counts of what it contains, kept on its row (the `ficha`
//! entity's count columns), and their sums per partida (and período) kept
//! in `partida_totales`, so statistics read a row per group.
//!
//! They count what the importer stored, as the migrations that added them
//! count the stored rows; the writer stores them in the same transaction
//! as the rows they count.

use entity::ficha;
use migration::{PARTIDA_TOTALS, partida_totals};
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, DbErr};

use crate::ficha::{Ficha, Periodo, Producto, TipoObjetivo};

/// Sum the partida's fichas again, for the ficha's `periodo` and over every
/// período, once one of them is stored: its rows of `partida_totales`.
pub(super) async fn refresh_totals(
    txn: &impl ConnectionTrait,
    partida: i32,
    periodo: &Periodo,
) -> Result<(), DbErr> {
    let (desde, hasta) = (periodo.desde, periodo.hasta);
    txn.execute_unprepared(&format!(
        "DELETE FROM {PARTIDA_TOTALS} WHERE partida_id = {partida} \
         AND ((desde = {desde} AND hasta = {hasta}) OR (desde = 0 AND hasta = 0))"
    ))
    .await?;
    let rows = partida_totals(
        &format!("s.partida_id = {partida} AND f.desde = {desde} AND f.hasta = {hasta}"),
        &format!("s.partida_id = {partida}"),
    );
    txn.execute_unprepared(&format!("INSERT INTO {PARTIDA_TOTALS} {rows}"))
        .await?;
    Ok(())
}

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
