//! What each entity's lists hold: the source query of every relation the API
//! lists an entity under, filtered, with `parent_key` and sort keys (see
//! [`Listed`]).

use std::cell::Cell;

use entity::{ficha, objetivo_institucional, objetivo_ministerial, partida, producto, servicio};
use sea_orm::DatabaseBackend;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};

use super::condition::{Entidad, Names, condition, search_count, within_fichas};
use super::filter::{
    AsAlias, Filtro, Ids, col, join_partida, join_servicio, parent_key, select_entity,
};
use super::order::{Campo, FICHA_PLACE, select_keys};
use super::paging::Listed;

/// Keep the rows `filter` keeps, the rows of `entity` under their usual
/// names (see `super::condition`).
fn filtered(query: &mut SelectStatement, entity: Entidad, filter: &Filtro) {
    let next = Cell::new(0);
    query.cond_where(condition(entity, filter, &Names::outer(entity, &next)));
}

/// How many rows of `table` have `column` equal to the row's (`row`) id.
fn count(table: &str, column: &str, row: &str) -> Expr {
    Expr::cust(format!(
        "(SELECT COUNT(*) FROM \"{table}\" AS \"c\" WHERE \"c\".\"{column}\" = \"{row}\".\"id\")"
    ))
}

/// A column of the servicio's (`s`) latest ficha (the one
/// [`super::FichaDeServicio`] reads without a período), 0 when it has none.
pub(super) fn latest(column: &str) -> Expr {
    latest_of(("s", "id"), column)
}

/// A column of the latest ficha of the servicio whose id is `servicio`
/// (`table`, `column`), found through the `(servicio, desde, hasta)` key;
/// 0 when it has none.
pub(super) fn latest_of(servicio: (&str, &str), column: &str) -> Expr {
    let (table, id) = servicio;
    Expr::cust(format!(
        "COALESCE((SELECT \"c\".\"{column}\" FROM \"fichas\" AS \"c\" \
         WHERE \"c\".\"servicio_id\" = \"{table}\".\"{id}\" \
         ORDER BY \"c\".\"desde\" DESC, \"c\".\"hasta\" DESC LIMIT 1), 0)"
    ))
}

/// Join the link table `link` whose `column` is the row's (`table`) id: the
/// list hangs from the link's `parent` column.
fn through(
    query: &mut SelectStatement,
    link: &'static str,
    column: &'static str,
    table: &'static str,
    parent: &'static str,
) -> Option<(&'static str, &'static str)> {
    // `+` keeps SQLite from answering the join through the link's primary
    // key (`(column, parent)`, or the other way round): with the parents'
    // ids in a list (`Ids`) it would scan the whole table and probe the key
    // with every id for each row — 257 ms instead of 6 for a level of
    // productos over 660 objectives. The link is read by its parent instead.
    query.inner_join(
        Alias::new(link).aliased("l"),
        Expr::cust(format!("+\"l\".\"{column}\"")).equals((table, "id")),
    );
    Some(("l", parent))
}

/// Lists of partidas.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct Partidas;

/// The parents a list of partidas hangs from.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum PartidasDe {
    /// `Query.partidas`.
    Todas,
}

impl Listed for Partidas {
    type Entity = partida::Entity;
    type Model = partida::Model;
    type Rel = PartidasDe;
    const LONG: &'static [&'static str] = &["nombre"];
    const SORT: &'static [(&'static str, &'static str)] = &[("p", "codigo")];

    fn order_keys(campo: Campo) -> Vec<(Expr, bool)> {
        match campo {
            Campo::Codigo => vec![(col("p", "codigo"), true)],
            Campo::Nombre => vec![(col("p", "search_text"), true)],
            Campo::Servicios => vec![(count("servicios", "partida_id", "p"), false)],
            _ => Vec::new(),
        }
    }

    fn source(
        _: PartidasDe,
        filter: &Filtro,
        order: Option<&[(Campo, bool)]>,
        parents: Option<Ids<'_>>,
    ) -> SelectStatement {
        let mut query = select_entity::<partida::Entity>("p");
        parent_key(&mut query, None, parents);
        select_keys::<Self>(&mut query, order, true);
        filtered(&mut query, Entidad::Partida, filter);
        query
    }
}

/// Lists of servicios.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct Servicios;

/// The parents a list of servicios hangs from.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum ServiciosDe {
    /// `Query.servicios`.
    Todos,
    /// `Partida.servicios`.
    Partida,
}

impl Listed for Servicios {
    type Entity = servicio::Entity;
    type Model = servicio::Model;
    type Rel = ServiciosDe;
    const LONG: &'static [&'static str] = &["nombre"];
    const SORT: &'static [(&'static str, &'static str)] = &[("p", "codigo"), ("s", "capitulo")];

    fn order_keys(campo: Campo) -> Vec<(Expr, bool)> {
        match campo {
            Campo::Codigo => vec![(col("p", "codigo"), true), (col("s", "capitulo"), true)],
            Campo::Nombre => vec![(col("s", "search_text"), true)],
            Campo::Objetivos => vec![(latest("objetivos_total"), false)],
            Campo::ObjetivosSinProductos => vec![(latest("objetivos_sin_productos"), false)],
            Campo::Productos => vec![(latest("productos_total"), false)],
            _ => Vec::new(),
        }
    }

    fn source(
        rel: ServiciosDe,
        filter: &Filtro,
        order: Option<&[(Campo, bool)]>,
        parents: Option<Ids<'_>>,
    ) -> SelectStatement {
        let mut query = select_entity::<servicio::Entity>("s");
        join_partida(&mut query);
        let parent = match rel {
            ServiciosDe::Todos => None,
            ServiciosDe::Partida => Some(("s", "partida_id")),
        };
        parent_key(&mut query, parent, parents);
        select_keys::<Self>(&mut query, order, true);
        filtered(&mut query, Entidad::Servicio, filter);
        query
    }
}

/// Lists of fichas.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct Fichas;

/// The parents a list of fichas hangs from.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum FichasDe {
    /// `Query.fichas`.
    Todas,
    /// `Servicio.fichas`.
    Servicio,
}

impl Listed for Fichas {
    type Entity = ficha::Entity;
    type Model = ficha::Model;
    type Rel = FichasDe;
    const SORT: &'static [(&'static str, &'static str)] =
        &[("p", "codigo"), ("s", "capitulo"), ("f", "desde")];

    fn order_keys(campo: Campo) -> Vec<(Expr, bool)> {
        let column = |name| vec![(col("f", name), false)];
        match campo {
            Campo::Periodo => vec![(col("f", "desde"), false), (col("f", "hasta"), false)],
            Campo::Objetivos => column("objetivos_total"),
            Campo::ObjetivosSinProductos => column("objetivos_sin_productos"),
            Campo::Productos => column("productos_total"),
            _ => Vec::new(),
        }
    }

    fn source(
        rel: FichasDe,
        filter: &Filtro,
        order: Option<&[(Campo, bool)]>,
        parents: Option<Ids<'_>>,
    ) -> SelectStatement {
        let mut query = select_entity::<ficha::Entity>("f");
        join_servicio(&mut query);
        join_partida(&mut query);
        let parent = match rel {
            FichasDe::Todas => None,
            FichasDe::Servicio => Some(("f", "servicio_id")),
        };
        parent_key(&mut query, parent, parents);
        select_keys::<Self>(&mut query, order, true);
        filtered(&mut query, Entidad::Ficha, filter);
        query
    }
}

/// Lists of ministry objectives.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct ObjetivosMinisteriales;

/// The parents a list of ministry objectives hangs from.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum ObjetivosMinisterialesDe {
    /// `Query.objetivosMinisteriales`.
    Todos,
    /// `Partida.objetivosMinisteriales`.
    Partida,
    /// `ObjetivoInstitucional.objetivosMinisteriales`: those it serves.
    Institucional,
    /// `Producto.objetivosMinisteriales`: those it ultimately serves.
    Producto,
}

impl Listed for ObjetivosMinisteriales {
    type Entity = objetivo_ministerial::Entity;
    type Model = objetivo_ministerial::Model;
    type Rel = ObjetivosMinisterialesDe;
    const LONG: &'static [&'static str] = &["descripcion"];
    const SORT: &'static [(&'static str, &'static str)] =
        &[("p", "codigo"), ("om", "desde"), ("om", "prioridad")];

    fn order_keys(campo: Campo) -> Vec<(Expr, bool)> {
        match campo {
            Campo::Prioridad => vec![(col("om", "prioridad"), false)],
            // The servicios whose institutional objectives serve it.
            Campo::Servicios => vec![(
                Expr::cust(
                    "(SELECT COUNT(DISTINCT \"cf\".\"servicio_id\") \
                     FROM \"objetivo_institucional_ministerial\" AS \"c\" \
                     JOIN \"objetivos_institucionales\" AS \"co\" ON \"co\".\"id\" = \"c\".\"objetivo_institucional_id\" \
                     JOIN \"fichas\" AS \"cf\" ON \"cf\".\"id\" = \"co\".\"ficha_id\" \
                     WHERE \"c\".\"objetivo_ministerial_id\" = \"om\".\"id\")",
                ),
                false,
            )],
            _ => Vec::new(),
        }
    }

    fn spans(
        rel: ObjetivosMinisterialesDe,
        filter: &Filtro,
        order: Option<&[(Campo, bool)]>,
    ) -> bool {
        (order.is_some() && rel == ObjetivosMinisterialesDe::Todos) || filter.needs_context()
    }

    fn source(
        rel: ObjetivosMinisterialesDe,
        filter: &Filtro,
        order: Option<&[(Campo, bool)]>,
        parents: Option<Ids<'_>>,
    ) -> SelectStatement {
        let mut query = select_entity::<objetivo_ministerial::Entity>("om");
        // Only a top-level list spans partidas: the others sort by prioridad,
        // and a count sorts nothing.
        let context = Self::spans(rel, filter, order);
        if context {
            query.inner_join(
                partida::Entity.aliased("p"),
                col("p", "id").equals(("om", "partida_id")),
            );
        }
        let parent = match rel {
            ObjetivosMinisterialesDe::Todos => None,
            ObjetivosMinisterialesDe::Partida => Some(("om", "partida_id")),
            ObjetivosMinisterialesDe::Institucional => through(
                &mut query,
                "objetivo_institucional_ministerial",
                "objetivo_ministerial_id",
                "om",
                "objetivo_institucional_id",
            ),
            ObjetivosMinisterialesDe::Producto => {
                // Through the institutional objectives the producto serves;
                // each ministry objective once per producto.
                let served = Query::select()
                    .distinct()
                    .expr_as(col("pl", "producto_id"), "producto_id")
                    .expr_as(
                        col("ml", "objetivo_ministerial_id"),
                        "objetivo_ministerial_id",
                    )
                    .from_as(Alias::new("producto_objetivo_institucional"), "pl")
                    .inner_join(
                        Alias::new("objetivo_institucional_ministerial").aliased("ml"),
                        col("ml", "objetivo_institucional_id")
                            .equals(("pl", "objetivo_institucional_id")),
                    )
                    .to_owned();
                query.join_subquery(
                    sea_orm::sea_query::JoinType::InnerJoin,
                    served,
                    "l",
                    col("l", "objetivo_ministerial_id").equals(("om", "id")),
                );
                Some(("l", "producto_id"))
            }
        };
        parent_key(&mut query, parent, parents);
        select_keys::<Self>(&mut query, order, context);
        filtered(&mut query, Entidad::Ministerial, filter);
        query
    }
}

/// Lists of institutional objectives.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct ObjetivosInstitucionales;

/// The parents a list of institutional objectives hangs from.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum ObjetivosInstitucionalesDe {
    /// `Query.objetivosInstitucionales`.
    Todos,
    /// `Ficha.objetivosInstitucionales`.
    Ficha,
    /// `ObjetivoMinisterial.objetivosInstitucionales`: those serving it.
    Ministerial,
    /// `Producto.objetivosInstitucionales`: those it serves.
    Producto,
}

impl Listed for ObjetivosInstitucionales {
    type Entity = objetivo_institucional::Entity;
    type Model = objetivo_institucional::Model;
    type Rel = ObjetivosInstitucionalesDe;
    const OF_FICHA: bool = true;
    const LONG: &'static [&'static str] = &["descripcion"];
    const SORT: &'static [(&'static str, &'static str)] = &[
        ("oi", FICHA_PLACE[0]),
        ("oi", FICHA_PLACE[1]),
        ("oi", FICHA_PLACE[2]),
        ("oi", "prioridad"),
    ];

    fn order_keys(campo: Campo) -> Vec<(Expr, bool)> {
        match campo {
            Campo::Prioridad => vec![(col("oi", "prioridad"), false)],
            // `estrategico` before `gestion_institucional`.
            Campo::Tipo => vec![(col("oi", "tipo"), true)],
            Campo::Productos => vec![(
                count(
                    "producto_objetivo_institucional",
                    "objetivo_institucional_id",
                    "oi",
                ),
                false,
            )],
            _ => Vec::new(),
        }
    }

    fn indexed_count(
        backend: DatabaseBackend,
        rel: ObjetivosInstitucionalesDe,
        filter: &Filtro,
    ) -> Option<SelectStatement> {
        let term = filter.only_search()?;
        (rel == ObjetivosInstitucionalesDe::Todos)
            .then(|| search_count(backend, "objetivos_institucionales", term))
            .flatten()
    }

    fn spans(
        rel: ObjetivosInstitucionalesDe,
        _filter: &Filtro,
        order: Option<&[(Campo, bool)]>,
    ) -> bool {
        order.is_some()
            && matches!(
                rel,
                ObjetivosInstitucionalesDe::Todos | ObjetivosInstitucionalesDe::Ministerial
            )
    }

    fn source(
        rel: ObjetivosInstitucionalesDe,
        filter: &Filtro,
        order: Option<&[(Campo, bool)]>,
        parents: Option<Ids<'_>>,
    ) -> SelectStatement {
        let mut query = select_entity::<objetivo_institucional::Entity>("oi");
        // Lists that span fichas sort by the ficha's place; the others
        // hang from one ficha (a producto's objectives share its ficha).
        let across = Self::spans(rel, filter, order);
        within_fichas(&mut query, Entidad::Institucional, filter);
        let parent = match rel {
            ObjetivosInstitucionalesDe::Todos => None,
            ObjetivosInstitucionalesDe::Ficha => Some(("oi", "ficha_id")),
            ObjetivosInstitucionalesDe::Ministerial => through(
                &mut query,
                "objetivo_institucional_ministerial",
                "objetivo_institucional_id",
                "oi",
                "objetivo_ministerial_id",
            ),
            ObjetivosInstitucionalesDe::Producto => through(
                &mut query,
                "producto_objetivo_institucional",
                "objetivo_institucional_id",
                "oi",
                "producto_id",
            ),
        };
        parent_key(&mut query, parent, parents);
        select_keys::<Self>(&mut query, order, across);
        filtered(&mut query, Entidad::Institucional, filter);
        query
    }
}

/// Lists of productos.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct Productos;

/// The parents a list of productos hangs from.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum ProductosDe {
    /// `Query.productos`.
    Todos,
    /// `Ficha.productos`.
    Ficha,
    /// `ObjetivoInstitucional.productos`: those serving it.
    Institucional,
}

impl Listed for Productos {
    type Entity = producto::Entity;
    type Model = producto::Model;
    type Rel = ProductosDe;
    const OF_FICHA: bool = true;
    const LONG: &'static [&'static str] = &["nombre"];
    const SORT: &'static [(&'static str, &'static str)] = &[
        ("pr", FICHA_PLACE[0]),
        ("pr", FICHA_PLACE[1]),
        ("pr", FICHA_PLACE[2]),
        ("pr", "numero"),
    ];

    fn order_keys(campo: Campo) -> Vec<(Expr, bool)> {
        match campo {
            Campo::Numero => vec![(col("pr", "numero"), false)],
            Campo::Nombre => vec![(col("pr", "search_text"), true)],
            Campo::Objetivos => vec![(
                count("producto_objetivo_institucional", "producto_id", "pr"),
                false,
            )],
            _ => Vec::new(),
        }
    }

    fn indexed_count(
        backend: DatabaseBackend,
        rel: ProductosDe,
        filter: &Filtro,
    ) -> Option<SelectStatement> {
        let term = filter.only_search()?;
        (rel == ProductosDe::Todos)
            .then(|| search_count(backend, "productos", term))
            .flatten()
    }

    fn spans(rel: ProductosDe, _filter: &Filtro, order: Option<&[(Campo, bool)]>) -> bool {
        order.is_some() && rel == ProductosDe::Todos
    }

    fn source(
        rel: ProductosDe,
        filter: &Filtro,
        order: Option<&[(Campo, bool)]>,
        parents: Option<Ids<'_>>,
    ) -> SelectStatement {
        let mut query = select_entity::<producto::Entity>("pr");
        // Only the top-level list spans fichas: an objective's productos
        // share its ficha.
        let across = Self::spans(rel, filter, order);
        within_fichas(&mut query, Entidad::Producto, filter);
        let parent = match rel {
            ProductosDe::Todos => None,
            ProductosDe::Ficha => Some(("pr", "ficha_id")),
            ProductosDe::Institucional => through(
                &mut query,
                "producto_objetivo_institucional",
                "producto_id",
                "pr",
                "objetivo_institucional_id",
            ),
        };
        parent_key(&mut query, parent, parents);
        select_keys::<Self>(&mut query, order, across);
        filtered(&mut query, Entidad::Producto, filter);
        query
    }
}
