//! What each entity's lists hold: the source query of every relation the API
//! lists an entity under, filtered, with `parent_key` and sort keys (see
//! [`Listed`]).

use entity::{ficha, objetivo_institucional, objetivo_ministerial, partida, producto, servicio};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};

use super::filter::{
    AsAlias, Filtro, codes, col, flag, join_partida, join_servicio, linked, parent_key, periodo,
    search, select_entity, sort_keys, tipo_value, with_a_ficha_in, within_fichas,
};
use super::paging::Listed;

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
    // ids in an `IN` list it would scan the whole table and probe the key
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
    const SORT: &'static [(&'static str, &'static str)] = &[("p", "codigo")];

    fn source(_: PartidasDe, filter: &Filtro, parents: Option<&[i32]>) -> SelectStatement {
        let mut query = select_entity::<partida::Entity>("p");
        parent_key(&mut query, None, parents);
        sort_keys(&mut query, Self::SORT, true);
        if let Some(partidas) = &filter.partidas {
            query.and_where(col("p", "codigo").is_in(partidas.iter().cloned()));
        }
        if let Some(term) = &filter.search {
            query.and_where(search("p", term));
        }
        with_a_ficha_in(&mut query, filter.periodo, |fichas| {
            join_servicio(fichas);
            fichas.and_where(col("s", "partida_id").equals(("p", "id")));
        });
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
    const SORT: &'static [(&'static str, &'static str)] = &[("p", "codigo"), ("s", "capitulo")];

    fn source(rel: ServiciosDe, filter: &Filtro, parents: Option<&[i32]>) -> SelectStatement {
        let mut query = select_entity::<servicio::Entity>("s");
        join_partida(&mut query);
        let parent = match rel {
            ServiciosDe::Todos => None,
            ServiciosDe::Partida => Some(("s", "partida_id")),
        };
        parent_key(&mut query, parent, parents);
        sort_keys(&mut query, Self::SORT, true);
        codes(&mut query, filter);
        if let Some(term) = &filter.search {
            query.and_where(search("s", term));
        }
        with_a_ficha_in(&mut query, filter.periodo, |fichas| {
            fichas.and_where(col("f", "servicio_id").equals(("s", "id")));
        });
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

    fn source(rel: FichasDe, filter: &Filtro, parents: Option<&[i32]>) -> SelectStatement {
        let mut query = select_entity::<ficha::Entity>("f");
        join_servicio(&mut query);
        join_partida(&mut query);
        let parent = match rel {
            FichasDe::Todas => None,
            FichasDe::Servicio => Some(("f", "servicio_id")),
        };
        parent_key(&mut query, parent, parents);
        sort_keys(&mut query, Self::SORT, true);
        codes(&mut query, filter);
        periodo(&mut query, "f", filter.periodo);
        if let Some(term) = &filter.search {
            query.and_where(search("f", term));
        }
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
    const SORT: &'static [(&'static str, &'static str)] =
        &[("p", "codigo"), ("om", "desde"), ("om", "prioridad")];

    fn source(
        rel: ObjetivosMinisterialesDe,
        filter: &Filtro,
        parents: Option<&[i32]>,
    ) -> SelectStatement {
        let mut query = select_entity::<objetivo_ministerial::Entity>("om");
        // Only a top-level list spans partidas: the others sort by prioridad.
        let context = rel == ObjetivosMinisterialesDe::Todos || filter.partidas.is_some();
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
        sort_keys(&mut query, Self::SORT, context);
        if let Some(partidas) = &filter.partidas {
            query.and_where(col("p", "codigo").is_in(partidas.iter().cloned()));
        }
        periodo(&mut query, "om", filter.periodo);
        if let Some(tipo) = filter.tipo {
            query.and_where(col("om", "tipo").eq(tipo_value(tipo)));
        }
        if let Some(term) = &filter.search {
            query.and_where(search("om", term));
        }
        linked(
            &mut query,
            "objetivo_institucional_ministerial",
            "objetivo_ministerial_id",
            ("om", "id"),
            filter.sin_objetivos,
        );
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
    const SORT: &'static [(&'static str, &'static str)] = &[
        ("p", "codigo"),
        ("s", "capitulo"),
        ("f", "desde"),
        ("oi", "prioridad"),
    ];

    fn source(
        rel: ObjetivosInstitucionalesDe,
        filter: &Filtro,
        parents: Option<&[i32]>,
    ) -> SelectStatement {
        let mut query = select_entity::<objetivo_institucional::Entity>("oi");
        let across = matches!(
            rel,
            ObjetivosInstitucionalesDe::Todos | ObjetivosInstitucionalesDe::Ministerial
        );
        let context = within_fichas(&mut query, "oi", filter, across);
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
        sort_keys(&mut query, Self::SORT, context);
        if let Some(tipo) = filter.tipo {
            query.and_where(col("oi", "tipo").eq(tipo_value(tipo)));
        }
        flag(&mut query, "oi", "enfoque_genero", filter.enfoque_genero);
        flag(
            &mut query,
            "oi",
            "cambio_climatico",
            filter.cambio_climatico,
        );
        if let Some(term) = &filter.search {
            query.and_where(search("oi", term));
        }
        linked(
            &mut query,
            "producto_objetivo_institucional",
            "objetivo_institucional_id",
            ("oi", "id"),
            filter.sin_productos,
        );
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
    const SORT: &'static [(&'static str, &'static str)] = &[
        ("p", "codigo"),
        ("s", "capitulo"),
        ("f", "desde"),
        ("pr", "numero"),
    ];

    fn source(rel: ProductosDe, filter: &Filtro, parents: Option<&[i32]>) -> SelectStatement {
        let mut query = select_entity::<producto::Entity>("pr");
        let context = within_fichas(&mut query, "pr", filter, rel == ProductosDe::Todos);
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
        sort_keys(&mut query, Self::SORT, context);
        if let Some(term) = &filter.search {
            query.and_where(search("pr", term));
        }
        linked(
            &mut query,
            "producto_objetivo_institucional",
            "producto_id",
            ("pr", "id"),
            filter.sin_objetivos,
        );
        query
    }
}
