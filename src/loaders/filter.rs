//! What a list is filtered by ([`Filtro`]) and which rows of each parent's
//! list a page holds ([`Window`]), and the pieces of SQL every source builds
//! them from: joins to the ficha, servicio and partida of a row, the
//! conditions, the sort keys and `parent_key`.

use entity::tipo_objetivo::TipoObjetivo;
use entity::{partida, servicio};
use sea_orm::DatabaseBackend;
use sea_orm::sea_query::{Expr, ExprTrait, PgFunc, Query, SelectStatement};

use super::condition::periodo_in;
use sea_orm::{EntityTrait, Iterable};

/// A período condition: a year inside the período, or the exact período.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum PeriodoFiltro {
    /// Fichas whose período includes this year.
    Year(i32),
    /// Fichas of exactly this período.
    Exact(i32, i32),
    /// Fichas whose período overlaps the años from the first to the
    /// second, either end open.
    Range(Option<i32>, Option<i32>),
}

/// Every condition a list can be filtered by. Each list reads the ones
/// that apply to it; the GraphQL inputs only offer those.
#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
pub struct Filtro {
    /// Partida codes (any of).
    pub partidas: Option<Vec<String>>,
    /// Capítulo code.
    pub capitulo: Option<String>,
    /// Período.
    pub periodo: Option<PeriodoFiltro>,
    /// Tipo de objetivo.
    pub tipo: Option<TipoObjetivo>,
    /// Enfoque de género.
    pub enfoque_genero: Option<bool>,
    /// Cambio climático.
    pub cambio_climatico: Option<bool>,
    /// Institutional objectives that no producto serves (or, when false,
    /// that some producto serves).
    pub sin_productos: Option<bool>,
    /// Productos that serve no objective; ministry objectives that no
    /// institutional objective serves.
    pub sin_objetivos: Option<bool>,
    /// Folded search text (see `crate::ficha::text::fold`).
    pub search: Option<String>,
    /// Fichas whose período reaches this year or later.
    pub desde: Option<i32>,
    /// Fichas whose período starts in this year or earlier.
    pub hasta: Option<i32>,
    /// Rows every one of these filters keeps.
    pub and: Vec<Filtro>,
    /// Rows at least one of these filters keeps (none: no condition).
    pub or: Vec<Filtro>,
    /// Rows this filter does not keep.
    pub not: Option<Box<Filtro>>,
    /// Institutional objectives serving at least one ministry objective
    /// this filter keeps.
    pub objetivos_ministeriales: Option<Box<Filtro>>,
    /// Productos serving, and ministry objectives served by, at least one
    /// institutional objective this filter keeps.
    pub objetivos_institucionales: Option<Box<Filtro>>,
    /// Institutional objectives served by at least one producto this
    /// filter keeps.
    pub productos: Option<Box<Filtro>>,
}

/// Which rows of each parent's list to return, in row numbers (1-based
/// positions in the parent's ordered, filtered list). Validated by the API.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct Window {
    /// Only rows after this position.
    pub after: Option<i64>,
    /// Only rows before this position.
    pub before: Option<i64>,
    /// The first `n` rows of what remains (exclusive with `last`).
    pub first: Option<i64>,
    /// The last `n` rows of what remains (exclusive with `first`).
    pub last: Option<i64>,
}

impl Window {
    /// Whether the row at `position` (from 1) of a list of `total` rows is
    /// in the window, or the one row past it on its open side that tells
    /// whether more exist.
    pub fn holds(&self, position: i64, total: i64) -> bool {
        let after = self.after.is_none_or(|after| position > after);
        let before = self.before.is_none_or(|before| position < before);
        let size = match (self.first, self.last, self.before) {
            (Some(first), _, _) => position <= self.after.unwrap_or(0) + first + 1,
            (None, Some(last), Some(before)) => position >= before - last - 1,
            (None, Some(last), None) => position >= total - last,
            (None, None, _) => true,
        };
        after && before && size
    }
}

/// The start of a source: the entity's columns from `table AS alias`.
pub fn select_entity<E: EntityTrait>(alias: &'static str) -> SelectStatement {
    let mut query = Query::select();
    for column in E::Column::iter() {
        query.column((alias, column));
    }
    query.from_as(E::default(), alias);
    query
}

/// Add the entity's columns from `table`, each named `{prefix}{column}`:
/// the row of a joined table, beside the statement's own, for
/// `from_query_result(row, prefix)` or a row read by position.
pub(super) fn select_prefixed<E: EntityTrait>(
    query: &mut SelectStatement,
    table: &'static str,
    prefix: &str,
) {
    for column in E::Column::iter() {
        let name = sea_orm::IdenStatic::as_str(&column);
        query.expr_as(col(table, name), format!("{prefix}{name}"));
    }
}

pub fn col(table: &'static str, column: &'static str) -> Expr {
    Expr::col((table, column))
}

/// The ids a statement reads rows for (a level's parents, the rows a
/// level links to), as the database is best told them; or the one id of
/// an outer statement's row, for a list read inside that statement
/// ([`Ids::outer`]).
#[derive(Debug, Clone, Copy)]
pub struct Ids<'a> {
    of: Of<'a>,
    backend: DatabaseBackend,
}

#[derive(Debug, Clone, Copy)]
enum Of<'a> {
    /// These ids, bound as one value.
    List(&'a [i32]),
    /// The column (`table`, `column`) of the outer statement's row.
    Outer(&'static str, &'static str),
}

impl<'a> Ids<'a> {
    /// `ids`, for a statement run on `backend`.
    pub fn new(ids: &'a [i32], backend: DatabaseBackend) -> Self {
        Ids {
            of: Of::List(ids),
            backend,
        }
    }

    /// The id in `column` of `table`, a row of the statement this one is a
    /// subquery of. `table` must be an alias no list's own statement uses.
    pub fn outer(table: &'static str, column: &'static str, backend: DatabaseBackend) -> Self {
        Ids {
            of: Of::Outer(table, column),
            backend,
        }
    }

    /// `column` is one of them.
    ///
    /// A list of ids is bound as one value: the statement's text is the
    /// same whatever their number, so each connection prepares it once and
    /// keeps its plan. An `IN` list was a new statement for every length.
    ///
    /// On PostgreSQL, `= ANY($1)` with the ids as an array. The plan
    /// PostgreSQL kept for an `IN` list of 62 ids joined the dashboard's
    /// 158 productos by hashing all 3,778 (1.05 ms) instead of looking
    /// each up (0.16 ms).
    ///
    /// On SQLite, `IN (SELECT value FROM json_each(?))` with the ids as a
    /// JSON array: the same plan and time as an `IN` list of them, without
    /// preparing the statement again for another number of ids.
    pub fn contain(&self, column: Expr) -> Expr {
        let ids = match self.of {
            Of::Outer(table, outer) => return column.equals((table, outer)),
            Of::List(ids) => ids,
        };
        match self.backend {
            DatabaseBackend::Postgres => column.eq(PgFunc::any(Expr::val(ids.to_vec()))),
            _ => {
                let array = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
                Expr::cust_with_exprs(
                    // SQLite's placeholders are `?`, each taking the next expression.
                    "? IN (SELECT value FROM json_each(?))",
                    [column, Expr::val(array)],
                )
            }
        }
    }
}

/// `parent_key`: the parent's id, or 0 for a top-level list.
pub(super) fn parent_key(
    query: &mut SelectStatement,
    parent: Option<(&'static str, &'static str)>,
    parents: Option<Ids<'_>>,
) {
    match parent {
        Some((table, column)) => {
            query.expr_as(col(table, column), "parent_key");
            if let Some(parents) = parents {
                query.and_where(parents.contain(col(table, column)));
            }
        }
        None => {
            query.expr_as(Expr::val(0i32), "parent_key");
        }
    }
}

/// Which fichas `periodo` selects: a year inside the período, exactly
/// it, or a range of años it overlaps.
pub fn periodo(query: &mut SelectStatement, table: &'static str, periodo: Option<PeriodoFiltro>) {
    if let Some(periodo) = periodo {
        query.cond_where(periodo_in(table, periodo));
    }
}

/// Join the servicio `s` of the fichas `f`.
pub(super) fn join_servicio(query: &mut SelectStatement) {
    query.inner_join(
        servicio::Entity.aliased("s"),
        col("s", "id").equals(("f", "servicio_id")),
    );
}

/// Join the partida `p` of the servicios `s`.
pub(super) fn join_partida(query: &mut SelectStatement) {
    query.inner_join(
        partida::Entity.aliased("p"),
        col("p", "id").equals(("s", "partida_id")),
    );
}

pub fn codes(query: &mut SelectStatement, filter: &Filtro) {
    if let Some(partidas) = &filter.partidas {
        query.and_where(col("p", "codigo").is_in(partidas.iter().cloned()));
    }
    if let Some(capitulo) = &filter.capitulo {
        query.and_where(col("s", "capitulo").eq(capitulo.clone()));
    }
}

/// Table alias helper: `FROM table AS alias` for sea-query joins.
pub trait AsAlias {
    fn aliased(self, alias: impl sea_orm::sea_query::IntoIden) -> sea_orm::sea_query::TableRef;
}

impl<T: sea_orm::sea_query::IntoTableRef> AsAlias for T {
    fn aliased(self, alias: impl sea_orm::sea_query::IntoIden) -> sea_orm::sea_query::TableRef {
        self.into_table_ref().alias(alias)
    }
}

pub(super) fn tipo_value(tipo: TipoObjetivo) -> String {
    use sea_orm::ActiveEnum;
    tipo.to_value()
}
