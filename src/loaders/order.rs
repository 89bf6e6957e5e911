//! The order of a list: what the client asked to order by (`orderBy`),
//! then the list's usual order, then the row id, so ties always fall back
//! to the same stable order and a row's position (its cursor) means the
//! same thing on every page of one order.
//!
//! Each key is a column of the list's statement (`sort_0`, `sort_1`, …).
//! Keys that count linked rows are correlated subqueries in that one
//! statement, never a statement per row. Names sort by their folded text
//! (`search_text`: lowercase, no accents), compared byte by byte on both
//! databases and in Rust, so "Ñuble" sorts beside "nuble" and every way
//! of paging a list agrees.

use sea_orm::DatabaseBackend;
use sea_orm::sea_query::{Alias, Expr, Order, SelectStatement};

use super::filter::col;
use super::paging::Listed;

/// What a list can be ordered by, besides its usual order. Each list
/// offers the ones that make sense for it (see the GraphQL `…OrderBy`
/// enums).
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum Campo {
    /// Partida code; for servicios, partida code and capítulo.
    Codigo,
    /// Name, folded.
    Nombre,
    /// How many servicios (a partida's; those serving a ministry objective).
    Servicios,
    /// How many institutional objectives (a servicio's latest ficha's, a
    /// ficha's; those a producto serves).
    Objetivos,
    /// How many institutional objectives no producto serves (in a
    /// servicio's latest ficha, in a ficha).
    ObjetivosSinProductos,
    /// How many productos (a servicio's latest ficha's, a ficha's; those
    /// serving an objective).
    Productos,
    /// Prioridad.
    Prioridad,
    /// Tipo: strategic before institutional management.
    Tipo,
    /// Número.
    Numero,
    /// Período: its first year, then its last.
    Periodo,
}

/// The order a client asked for: fields, each ascending (`false`) or
/// descending (`true`), the first deciding most.
pub type Orden = Vec<(Campo, bool)>;

/// One key of a list's order.
pub struct SortKey {
    /// The value sorted by, read from the row and the tables joined to it.
    pub expr: Expr,
    /// Largest first.
    pub desc: bool,
    /// Text, compared byte by byte.
    pub text: bool,
    /// The same for every row of the list (a ficha's place in a list that
    /// hangs from one ficha): it orders nothing.
    pub constant: bool,
}

/// The name of a list statement's `i`th sort key.
pub(super) fn sort_key(i: usize) -> String {
    format!("sort_{i}")
}

/// The columns on which an institutional objective or a producto keeps
/// its ficha's place in the national order (the partida's code, the
/// servicio's capítulo, the ficha's first year), so that lists spanning
/// fichas sort without joining them.
pub(super) const FICHA_PLACE: [&str; 3] = ["partida_codigo", "servicio_capitulo", "ficha_desde"];

/// The keys of a list of `L` in `order`: the fields asked for, then the
/// list's usual order ([`Listed::SORT`]). Keys of the usual order that
/// place the row's ficha (from the partida, servicio or ficha, `p`, `s`,
/// `f`, or their copies on the row, [`FICHA_PLACE`]) are constant within
/// a list that hangs from one ficha; when the list does not span fichas
/// (`context` false) they sort as 0.
pub(super) fn keys<L: Listed>(order: &[(Campo, bool)], context: bool) -> Vec<SortKey> {
    let asked = order.iter().flat_map(|&(campo, desc)| {
        L::order_keys(campo)
            .into_iter()
            .map(move |(expr, text)| SortKey {
                expr,
                desc,
                text,
                constant: false,
            })
    });
    let usual = L::SORT.iter().map(|&(table, column)| {
        let varies =
            context || !(matches!(table, "p" | "s" | "f") || FICHA_PLACE.contains(&column));
        SortKey {
            expr: if varies {
                col(table, column)
            } else {
                Expr::val(0)
            },
            desc: false,
            text: false,
            constant: !varies,
        }
    });
    asked.chain(usual).collect()
}

/// The keys of a list of `L` in `order` that differ between its rows, as
/// its statement selects them with `context` (see [`keys`]): each key's
/// place among the statement's `sort_…` columns, and whether it sorts
/// largest first. A nested level reads only these: the place of the ficha
/// a list hangs from is the same on all its rows, three numbers a row
/// that ordered nothing.
pub(super) fn varying<L: Listed>(order: &[(Campo, bool)], context: bool) -> Vec<(usize, bool)> {
    keys::<L>(order, context)
        .iter()
        .enumerate()
        .filter(|(_, key)| !key.constant)
        .map(|(i, key)| (i, key.desc))
        .collect()
}

/// Select the keys of `order` as `sort_0`, `sort_1`, …; none for rows
/// that are only counted (no `order`).
pub(super) fn select_keys<L: Listed>(
    query: &mut SelectStatement,
    order: Option<&[(Campo, bool)]>,
    context: bool,
) {
    let Some(order) = order else { return };
    for (i, key) in keys::<L>(order, context).into_iter().enumerate() {
        query.expr_as(key.expr, Alias::new(sort_key(i)));
    }
}

/// The `ORDER BY` terms of a list in `order`, over the sort key columns of
/// `table`, then its id. Text keys compare byte by byte on PostgreSQL as
/// they do on SQLite and in Rust (`COLLATE "C"`).
pub(super) fn order_by<L: Listed>(
    table: &str,
    order: &[(Campo, bool)],
    backend: DatabaseBackend,
) -> Vec<(String, Order)> {
    keys::<L>(order, true)
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let collate = match (key.text, backend) {
                (true, DatabaseBackend::Postgres) => " COLLATE \"C\"",
                _ => "",
            };
            let direction = if key.desc { Order::Desc } else { Order::Asc };
            (format!("{table}.{}{collate}", sort_key(i)), direction)
        })
        .chain([(format!("{table}.id"), Order::Asc)])
        .collect()
}

/// `ORDER BY` terms as the text of a window's `ORDER BY`.
pub(super) fn window_order(terms: &[(String, Order)]) -> String {
    terms
        .iter()
        .map(|(term, order)| match order {
            Order::Desc => format!("{term} DESC"),
            _ => term.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which of a list's keys in `order` sort largest first.
pub(super) fn descending<L: Listed>(order: &[(Campo, bool)]) -> Vec<bool> {
    keys::<L>(order, true).iter().map(|key| key.desc).collect()
}
