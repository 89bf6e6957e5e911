//! A [`Filtro`] compiled into one SQL condition on the rows of a list.
//!
//! Every condition of a filter becomes part of the `WHERE` of the list's
//! statement, never a test applied to rows in Rust: plain fields compare a
//! column of the row or of its ficha, servicio and partida (joined once,
//! one of each per row, so `or` and `not` over them mean what they say);
//! `and`, `or` and `not` combine conditions; a link predicate
//! (`productos: { … }`) is an `EXISTS` over the link table and the linked
//! rows, whose own filter is compiled the same way inside it, with table
//! names of its own.

use std::cell::Cell;

use migration::SEARCH_INDEXED;
use sea_orm::DatabaseBackend;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, LikeExpr, Query, SelectStatement};

use super::filter::{AsAlias, Filtro, PeriodoFiltro, tipo_value};

/// The entities a filter can be about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Entidad {
    Partida,
    Servicio,
    Ficha,
    Ministerial,
    Institucional,
    Producto,
}

impl Entidad {
    fn table(self) -> &'static str {
        match self {
            Entidad::Partida => "partidas",
            Entidad::Servicio => "servicios",
            Entidad::Ficha => "fichas",
            Entidad::Ministerial => "objetivos_ministeriales",
            Entidad::Institucional => "objetivos_institucionales",
            Entidad::Producto => "productos",
        }
    }

    /// The alias of the row itself in the outermost statement.
    fn alias(self) -> &'static str {
        match self {
            Entidad::Partida => "p",
            Entidad::Servicio => "s",
            Entidad::Ficha => "f",
            Entidad::Ministerial => "om",
            Entidad::Institucional => "oi",
            Entidad::Producto => "pr",
        }
    }
}

/// The names a condition reads: the row's table, and its ficha (`f`),
/// servicio (`s`) and partida (`p`) where they are joined.
#[derive(Debug, Clone)]
pub(super) struct Names<'a> {
    row: String,
    f: String,
    s: String,
    p: String,
    /// Numbers the tables of nested `EXISTS`, so no two share a name.
    next: &'a Cell<u32>,
}

impl<'a> Names<'a> {
    /// The names of a list's own statement: its row under the entity's
    /// usual alias, beside `f`, `s` and `p`.
    pub(super) fn outer(entity: Entidad, next: &'a Cell<u32>) -> Self {
        Names {
            row: entity.alias().to_owned(),
            f: "f".to_owned(),
            s: "s".to_owned(),
            p: "p".to_owned(),
            next,
        }
    }

    /// Fresh names for the tables of a nested statement about `entity`.
    fn inner(&self, entity: Entidad) -> Self {
        let n = self.next.get() + 1;
        self.next.set(n);
        Names {
            row: format!("{}{n}", entity.alias()),
            f: format!("f{n}"),
            s: format!("s{n}"),
            p: format!("p{n}"),
            next: self.next,
        }
    }

    /// A name for a link table or another helper table of a nested statement.
    fn fresh(&self, base: &str) -> String {
        let n = self.next.get() + 1;
        self.next.set(n);
        format!("{base}{n}")
    }
}

/// `table.column`, for table names made at run time.
pub(super) fn column(table: &str, column: &str) -> Expr {
    Expr::col((Alias::new(table), Alias::new(column)))
}

impl Filtro {
    /// Whether a condition reads the partida, servicio or ficha of a row
    /// (in `and`, `or` and `not` too; a link predicate joins its own).
    pub fn needs_context(&self) -> bool {
        self.partidas.is_some()
            || self.capitulo.is_some()
            || self.periodo.is_some()
            || self.desde.is_some()
            || self.hasta.is_some()
            || self.and.iter().any(Filtro::needs_context)
            || self.or.iter().any(Filtro::needs_context)
            || self.not.as_deref().is_some_and(Filtro::needs_context)
    }

    /// The search term, when a search is the only condition the filter
    /// sets.
    pub fn only_search(&self) -> Option<&str> {
        let term = self.search.as_deref()?;
        let alone = Filtro {
            search: self.search.clone(),
            ..Filtro::default()
        };
        (*self == alone).then_some(term)
    }

    /// Whether the filter sets no condition at all.
    fn is_empty(&self) -> bool {
        *self == Filtro::default()
    }
}

/// Joins the ficha `f`, servicio `s` and partida `p` of the rows of
/// `entity` (a table with a `ficha_id`) when the filter reads them. The
/// order never needs them: the rows keep their ficha's place
/// (`super::order::FICHA_PLACE`), and skipping the joins is most of a
/// list's cost.
pub(super) fn within_fichas(query: &mut SelectStatement, entity: Entidad, filter: &Filtro) {
    if filter.needs_context() {
        join_context(query, &Names::outer(entity, &Cell::new(0)));
    }
}

/// Join the ficha, servicio and partida of `names.row` (a table with a
/// `ficha_id`) under `names`' own names.
pub(super) fn join_context(query: &mut SelectStatement, names: &Names) {
    join_servicio_of(query, names);
    query.inner_join(
        Alias::new("partidas").aliased(Alias::new(names.p.clone())),
        column(&names.p, "id").equals((Alias::new(names.s.clone()), Alias::new("partida_id"))),
    );
}

/// Join the ficha and servicio of `names.row` under `names`' own names.
pub(super) fn join_servicio_of(query: &mut SelectStatement, names: &Names) {
    query
        .inner_join(
            Alias::new("fichas").aliased(Alias::new(names.f.clone())),
            column(&names.f, "id").equals((Alias::new(names.row.clone()), Alias::new("ficha_id"))),
        )
        .inner_join(
            Alias::new("servicios").aliased(Alias::new(names.s.clone())),
            column(&names.s, "id").equals((Alias::new(names.f.clone()), Alias::new("servicio_id"))),
        );
}

/// The condition `filter` sets on the rows of `entity` named by `names`;
/// empty when it sets none.
pub(super) fn condition(entity: Entidad, filter: &Filtro, names: &Names) -> Condition {
    let row = names.row.as_str();
    let mut all = Condition::all();
    if let Some(codes) = &filter.partidas {
        all = all.add(column(&names.p, "codigo").is_in(codes.iter().cloned()));
    }
    if let Some(capitulo) = &filter.capitulo {
        all = all.add(column(&names.s, "capitulo").eq(capitulo.clone()));
    }
    let periodos = periodos(filter);
    if !periodos.is_empty() {
        all = all.add(match entity {
            Entidad::Partida | Entidad::Servicio => {
                // A partida or servicio is in a período when one of its fichas is.
                let f = names.fresh("f");
                let mut fichas = Query::select();
                fichas
                    .expr(Expr::val(1))
                    .from_as(Alias::new("fichas"), Alias::new(f.clone()));
                if entity == Entidad::Partida {
                    let s = names.fresh("s");
                    fichas.inner_join(
                        Alias::new("servicios").aliased(Alias::new(s.clone())),
                        column(&s, "id").equals((Alias::new(f.clone()), Alias::new("servicio_id"))),
                    );
                    fichas.and_where(
                        column(&s, "partida_id").equals((Alias::new(row), Alias::new("id"))),
                    );
                } else {
                    fichas.and_where(
                        column(&f, "servicio_id").equals((Alias::new(row), Alias::new("id"))),
                    );
                }
                for periodo in &periodos {
                    fichas.cond_where(periodo_in(&f, *periodo));
                }
                Condition::all().add(Expr::exists(fichas))
            }
            Entidad::Ministerial => periodos
                .iter()
                .fold(Condition::all(), |c, p| c.add(periodo_in(row, *p))),
            Entidad::Ficha | Entidad::Institucional | Entidad::Producto => periodos
                .iter()
                .fold(Condition::all(), |c, p| c.add(periodo_in(&names.f, *p))),
        });
    }
    if let Some(tipo) = filter.tipo {
        all = all.add(column(row, "tipo").eq(tipo_value(tipo)));
    }
    if let Some(value) = filter.enfoque_genero {
        all = all.add(column(row, "enfoque_genero").eq(value));
    }
    if let Some(value) = filter.cambio_climatico {
        all = all.add(column(row, "cambio_climatico").eq(value));
    }
    if let Some(absent) = filter.sin_productos {
        all = all.add(unlinked(
            names,
            "producto_objetivo_institucional",
            "objetivo_institucional_id",
            absent,
        ));
    }
    if let Some(absent) = filter.sin_objetivos {
        let (link, by) = match entity {
            Entidad::Ministerial => (
                "objetivo_institucional_ministerial",
                "objetivo_ministerial_id",
            ),
            _ => ("producto_objetivo_institucional", "producto_id"),
        };
        all = all.add(unlinked(names, link, by, absent));
    }
    if let Some(term) = &filter.search {
        all = all.add(search(row, term));
    }
    for each in &filter.and {
        all = all.add(condition(entity, each, names));
    }
    // An empty `or` sets no condition, as an empty filter does.
    if !filter.or.is_empty() {
        let any = filter.or.iter().fold(Condition::any(), |any, each| {
            any.add(match each.is_empty() {
                true => Condition::all().add(Expr::cust("1 = 1")),
                false => condition(entity, each, names),
            })
        });
        all = all.add(any);
    }
    if let Some(not) = &filter.not {
        // `not: {}` negates "every row": it keeps none.
        all = all.add(match not.is_empty() {
            true => Condition::all().add(Expr::cust("1 = 0")),
            false => condition(entity, not, names).not(),
        });
    }
    if let Some(linked) = &filter.objetivos_ministeriales {
        all = all.add(some_linked(
            names,
            (
                "objetivo_institucional_ministerial",
                "objetivo_institucional_id",
            ),
            ("objetivo_ministerial_id", Entidad::Ministerial),
            linked,
        ));
    }
    if let Some(linked) = &filter.productos {
        all = all.add(some_linked(
            names,
            (
                "producto_objetivo_institucional",
                "objetivo_institucional_id",
            ),
            ("producto_id", Entidad::Producto),
            linked,
        ));
    }
    if let Some(linked) = &filter.objetivos_institucionales {
        let link = match entity {
            Entidad::Ministerial => (
                "objetivo_institucional_ministerial",
                "objetivo_ministerial_id",
            ),
            _ => ("producto_objetivo_institucional", "producto_id"),
        };
        all = all.add(some_linked(
            names,
            link,
            ("objetivo_institucional_id", Entidad::Institucional),
            linked,
        ));
    }
    all
}

/// The período conditions of a filter: `periodo`, and the range of años.
fn periodos(filter: &Filtro) -> Vec<PeriodoFiltro> {
    let mut periodos: Vec<PeriodoFiltro> = filter.periodo.into_iter().collect();
    if filter.desde.is_some() || filter.hasta.is_some() {
        periodos.push(PeriodoFiltro::Range(filter.desde, filter.hasta));
    }
    periodos
}

/// Whether the período (`desde`, `hasta` columns of `table`) matches.
pub(super) fn periodo_in(table: &str, periodo: PeriodoFiltro) -> Condition {
    let desde = || column(table, "desde");
    let hasta = || column(table, "hasta");
    match periodo {
        PeriodoFiltro::Year(year) => Condition::all()
            .add(desde().lte(year))
            .add(hasta().gte(year)),
        PeriodoFiltro::Exact(d, h) => Condition::all().add(desde().eq(d)).add(hasta().eq(h)),
        // Overlaps the años from `from` to `to`, either end open.
        PeriodoFiltro::Range(from, to) => {
            let mut c = Condition::all();
            if let Some(from) = from {
                c = c.add(hasta().gte(from));
            }
            if let Some(to) = to {
                c = c.add(desde().lte(to));
            }
            c
        }
    }
}

/// A substring match on a folded `search_text` column; `%` and `_` in the
/// term match themselves.
pub(super) fn search(table: &str, term: &str) -> Expr {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    column(table, "search_text").like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

/// The number of rows of `table` whose folded text holds `term`, counted
/// in the table's trigram index on SQLite (`{table}_search`, see
/// `migration::SEARCH_INDEXED`) instead of by [`search`] over every row.
/// `None` on PostgreSQL (its trigram index serves `LIKE` itself), for a
/// term under three characters (a trigram index finds none of those, where
/// `LIKE` finds them all) and for a table not indexed.
pub(super) fn search_count(
    backend: DatabaseBackend,
    table: &str,
    term: &str,
) -> Option<SelectStatement> {
    if backend != DatabaseBackend::Sqlite
        || term.chars().count() < 3
        || !SEARCH_INDEXED.contains(&table)
    {
        return None;
    }
    let index = format!("{table}_search");
    // One FTS5 phrase: the term as it is, a `"` in it doubled. The
    // trigram tokenizer matches a phrase as a substring, ignoring case, as
    // `LIKE` does on the folded text.
    let phrase = format!("\"{}\"", term.replace('"', "\"\""));
    Some(
        Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from(Alias::new(index.clone()))
            .and_where(Expr::cust_with_values(
                format!("\"{index}\" MATCH ?"),
                [phrase],
            ))
            .to_owned(),
    )
}

/// `NOT EXISTS` (or, when `absent` is false, `EXISTS`) a row of `link`
/// whose `by` column is the row's id.
fn unlinked(names: &Names, link: &'static str, by: &'static str, absent: bool) -> Condition {
    let l = names.fresh("x");
    let exists = Query::select()
        .expr(Expr::val(1))
        .from_as(Alias::new(link), Alias::new(l.clone()))
        .and_where(column(&l, by).equals((Alias::new(names.row.clone()), Alias::new("id"))))
        .to_owned();
    let exists = Condition::all().add(Expr::exists(exists));
    if absent { exists.not() } else { exists }
}

/// `EXISTS` a row linked to this one (through `link`, whose `by` column is
/// this row's id and whose `to` column the linked row's) that `filter`
/// keeps.
fn some_linked(
    names: &Names,
    (link, by): (&'static str, &'static str),
    (to, entity): (&'static str, Entidad),
    filter: &Filtro,
) -> Condition {
    let inner = names.inner(entity);
    let l = names.fresh("l");
    let mut exists = Query::select();
    exists
        .expr(Expr::val(1))
        .from_as(Alias::new(link), Alias::new(l.clone()))
        .inner_join(
            Alias::new(entity.table()).aliased(Alias::new(inner.row.clone())),
            column(&inner.row, "id").equals((Alias::new(l.clone()), Alias::new(to))),
        );
    if filter.needs_context() {
        match entity {
            Entidad::Ministerial => {
                exists.inner_join(
                    Alias::new("partidas").aliased(Alias::new(inner.p.clone())),
                    column(&inner.p, "id")
                        .equals((Alias::new(inner.row.clone()), Alias::new("partida_id"))),
                );
            }
            _ => join_context(&mut exists, &inner),
        }
    }
    exists
        .and_where(column(&l, by).equals((Alias::new(names.row.clone()), Alias::new("id"))))
        .cond_where(condition(entity, filter, &inner));
    Condition::all().add(Expr::exists(exists))
}
