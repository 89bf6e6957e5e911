//! `estadisticas` grouped by any combination of dimensions: partida,
//! servicio, período (of the ficha, or of the ministry objective), and the
//! objective's tipo, gender focus and climate change. Two statements
//! however many groups there are, of `GROUP BY`s in the database:
//!
//! - one `UNION ALL` of three counts per group: (1) the institutional
//!   objectives, summed (their links counted beside each), with the fichas
//!   and servicios that hold them; (2) the productos: of the group's
//!   fichas when no dimension is the objective's, else those serving an
//!   objective of the group; (4) the ministry objectives the group's
//!   objectives serve;
//! - (3) the ministry objectives of the selection, per partida and período.
//!
//! A group's ministry objectives are those of its partida (its servicio's
//! partida) and período, every one of the selection's when it is keyed by
//! neither.

use std::cell::Cell;
use std::collections::BTreeMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement, UnionType};
use sea_orm::{ConnectionTrait, QueryResult};

use super::LoadError;
use super::condition::{Entidad, Names, condition, join_context, join_servicio_of};
use super::filter::{AsAlias, Filtro, col};
use super::paging::get;

/// What groups are keyed by: each dimension, grouped by or not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Dimensiones {
    /// The partida.
    pub partida: bool,
    /// The servicio.
    pub servicio: bool,
    /// The período.
    pub periodo: bool,
    /// The objective's tipo.
    pub tipo: bool,
    /// The objective's gender focus.
    pub enfoque_genero: bool,
    /// The objective's climate change mark.
    pub cambio_climatico: bool,
}

impl Dimensiones {
    /// Whether one of the dimensions is the institutional objective's own.
    fn of_objective(self) -> bool {
        self.tipo || self.enfoque_genero || self.cambio_climatico
    }
}

/// A group's keys: `None` for a dimension not grouped by.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Clave {
    /// The partida's id.
    pub partida: Option<i32>,
    /// The servicio's id.
    pub servicio: Option<i32>,
    /// The período (desde, hasta).
    pub periodo: Option<(i32, i32)>,
    /// The tipo as stored (`estrategico`, `gestion_institucional`).
    pub tipo: Option<String>,
    /// Gender focus.
    pub enfoque_genero: Option<bool>,
    /// Climate change.
    pub cambio_climatico: Option<bool>,
    /// The partida of the servicio, when grouped by servicio (it does not
    /// split groups: a servicio has one partida).
    pub partida_del_servicio: Option<i32>,
}

/// What one group counts.
#[derive(Debug, Clone, Default)]
pub struct Grupo {
    /// Partidas.
    pub partidas: i64,
    /// Fichas.
    pub fichas: i64,
    /// Servicios.
    pub servicios: i64,
    /// Institutional objectives.
    pub objetivos: i64,
    /// … strategic.
    pub estrategicos: i64,
    /// … strategic with at least one producto.
    pub estrategicos_con_productos: i64,
    /// … with a gender focus.
    pub enfoque_genero: i64,
    /// … addressing climate change.
    pub cambio_climatico: i64,
    /// … that no producto serves.
    pub sin_productos: i64,
    /// Institutional → ministry objective links.
    pub enlaces_ministeriales: i64,
    /// Producto → institutional objective links.
    pub enlaces_productos: i64,
    /// Productos.
    pub productos: i64,
    /// … that serve no objective.
    pub productos_sin_objetivos: i64,
    /// Ministry objectives of the group's partidas, períodos (and tipo).
    pub ministeriales: i64,
    /// … strategic.
    pub ministeriales_estrategicos: i64,
    /// … that no institutional objective serves at all.
    pub ministeriales_sin_objetivos: i64,
    /// … that the group's objectives serve.
    pub ministeriales_servidos: i64,
}

/// The key columns of a group, as each statement names them.
/// Select and group by the key columns `dims` asks for, read from the
/// tables a statement names: the partida and servicio ids, the período's
/// table, and the objective (when the statement has one).
fn keys(
    query: &mut SelectStatement,
    dims: Dimensiones,
    periodo: &'static str,
    objective: Option<&'static str>,
) {
    let mut key = |name: &str, expr: Option<Expr>| {
        let expr = expr.unwrap_or_else(|| Expr::cust("NULL"));
        query.expr_as(expr.clone(), Alias::new(name));
        if !matches!(expr, Expr::Custom(_)) {
            query.add_group_by([expr]);
        }
    };
    key("k_partida", dims.partida.then(|| col("s", "partida_id")));
    key("k_servicio", dims.servicio.then(|| col("s", "id")));
    key("k_sp", dims.servicio.then(|| col("s", "partida_id")));
    key("k_desde", dims.periodo.then(|| col(periodo, "desde")));
    key("k_hasta", dims.periodo.then(|| col(periodo, "hasta")));
    let of = |grouped: bool, column: &'static str| {
        objective
            .filter(|_| grouped)
            .map(|table| col(table, column))
    };
    key("k_tipo", of(dims.tipo, "tipo"));
    key("k_genero", of(dims.enfoque_genero, "enfoque_genero"));
    key("k_clima", of(dims.cambio_climatico, "cambio_climatico"));
}

fn clave(row: &QueryResult) -> Result<Clave, LoadError> {
    let desde: Option<i32> = get(row, "k_desde")?;
    let hasta: Option<i32> = get(row, "k_hasta")?;
    // SQLite hands booleans back as integers.
    let flag = |name: &str| -> Result<Option<bool>, LoadError> {
        get::<Option<i64>>(row, name)
            .map(|v| v.map(|v| v != 0))
            .or_else(|_| get::<Option<bool>>(row, name))
    };
    Ok(Clave {
        partida: get(row, "k_partida")?,
        servicio: get(row, "k_servicio")?,
        periodo: desde.zip(hasta),
        tipo: get(row, "k_tipo")?,
        enfoque_genero: flag("k_genero")?,
        cambio_climatico: flag("k_clima")?,
        partida_del_servicio: get(row, "k_sp")?,
    })
}

/// Join `fichas f` and `servicios s` to the objectives `oi` and keep the
/// selection's partidas, capítulo and período, and the objectives
/// `objetivos` keeps (its conditions on the partida read `p`).
fn selected(query: &mut SelectStatement, filter: &Filtro, objetivos: Option<&Filtro>) {
    let next = Cell::new(0);
    let names = Names::outer(Entidad::Institucional, &next);
    match objetivos {
        Some(objetivos) if objetivos.needs_context() => join_context(query, &names),
        _ => join_servicio_of(query, &names),
    }
    within(query, filter, "f");
    if let Some(objetivos) = objetivos {
        query.cond_where(condition(Entidad::Institucional, objetivos, &names));
    }
}

/// The selection's partidas (of `s`), capítulo and período (of `periodo`).
fn within(query: &mut SelectStatement, filter: &Filtro, periodo: &'static str) {
    if let Some(partidas) = &filter.partidas {
        let codes = Query::select()
            .column(("p", "id"))
            .from_as(Alias::new("partidas"), Alias::new("p"))
            .and_where(col("p", "codigo").is_in(partidas.iter().cloned()))
            .to_owned();
        let column = if periodo == "om" {
            col("om", "partida_id")
        } else {
            col("s", "partida_id")
        };
        query.and_where(column.in_subquery(codes));
    }
    if let Some(capitulo) = &filter.capitulo {
        query.and_where(col("s", "capitulo").eq(capitulo.clone()));
    }
    super::filter::periodo(query, periodo, filter.periodo);
}

/// Whether the objective `oi` is served by a producto.
const SERVED: &str = "EXISTS (SELECT 1 FROM producto_objetivo_institucional x WHERE x.objetivo_institucional_id = oi.id)";

/// Which of the grouped counts a row of the one statement holds.
#[derive(Clone, Copy)]
enum Kind {
    Objetivos = 1,
    Productos = 2,
    Servidos = 4,
}

/// The most numbers a row of the grouped statement holds.
const NUMBERS: usize = 11;

/// Select the row's `kind`, then `values` as `n0`, `n1`, … and null for
/// the rest, so the three counts share their columns in one `UNION ALL`.
fn numbered(query: &mut SelectStatement, kind: Kind, values: Vec<Expr>) {
    query.expr_as(Expr::cust((kind as i32).to_string()), Alias::new("kind"));
    let mut values = values.into_iter();
    for i in 0..NUMBERS {
        let value = values
            .next()
            .unwrap_or_else(|| Expr::cust("CAST(NULL AS BIGINT)"));
        query.expr_as(value, Alias::new(format!("n{i}")));
    }
}

fn sum(expr: &str) -> Expr {
    Expr::cust(format!("CAST(COALESCE(SUM({expr}), 0) AS BIGINT)"))
}

fn count(expr: &str) -> Expr {
    Expr::cust(format!("CAST(COUNT({expr}) AS BIGINT)"))
}

/// The groups of the selection `filter` makes (its partidas, capítulo and
/// período), by `dims`, in key order. With `objetivos`, only the
/// institutional objectives it keeps count, and what follows them: the
/// fichas and servicios that hold them, the productos and ministry
/// objectives they are linked to.
pub async fn grupos(
    db: &impl ConnectionTrait,
    filter: &Filtro,
    objetivos: Option<&Filtro>,
    dims: Dimensiones,
) -> Result<BTreeMap<Clave, Grupo>, LoadError> {
    let mut grupos: BTreeMap<Clave, Grupo> = BTreeMap::new();
    let by_objective = objetivos.is_some() || dims.of_objective();

    // 1, 2 and 4, in one statement: a row per group of each.
    // 1. The institutional objectives, each with its links counted.
    let mut objectives = Query::select();
    keys(&mut objectives, dims, "f", Some("oi"));
    numbered(
        &mut objectives,
        Kind::Objetivos,
        vec![
            count("DISTINCT s.partida_id"),
            count("DISTINCT f.id"),
            count("DISTINCT f.servicio_id"),
            count("*"),
            sum("CASE WHEN oi.tipo = 'estrategico' THEN 1 ELSE 0 END"),
            sum(&format!(
                "CASE WHEN oi.tipo = 'estrategico' AND {SERVED} THEN 1 ELSE 0 END"
            )),
            sum("CASE WHEN oi.enfoque_genero THEN 1 ELSE 0 END"),
            sum("CASE WHEN oi.cambio_climatico THEN 1 ELSE 0 END"),
            sum(&format!("CASE WHEN {SERVED} THEN 0 ELSE 1 END")),
            sum(
                "(SELECT COUNT(*) FROM objetivo_institucional_ministerial x WHERE x.objetivo_institucional_id = oi.id)",
            ),
            sum(
                "(SELECT COUNT(*) FROM producto_objetivo_institucional x WHERE x.objetivo_institucional_id = oi.id)",
            ),
        ],
    );
    objectives.from_as(Alias::new("objetivos_institucionales"), Alias::new("oi"));
    selected(&mut objectives, filter, objetivos);

    // 2. The productos: of the group's fichas, or serving its objectives.
    let mut productos = Query::select();
    if by_objective {
        keys(&mut productos, dims, "f", Some("oi"));
        numbered(
            &mut productos,
            Kind::Productos,
            vec![count("DISTINCT pr.id"), Expr::cust("CAST(0 AS BIGINT)")],
        );
        productos
            .from_as(
                Alias::new("producto_objetivo_institucional"),
                Alias::new("l"),
            )
            .inner_join(
                Alias::new("objetivos_institucionales").aliased("oi"),
                col("oi", "id").equals(("l", "objetivo_institucional_id")),
            )
            .inner_join(
                Alias::new("productos").aliased("pr"),
                col("pr", "id").equals(("l", "producto_id")),
            );
        selected(&mut productos, filter, objetivos);
    } else {
        keys(&mut productos, dims, "f", None);
        numbered(
            &mut productos,
            Kind::Productos,
            vec![
                count("pr.id"),
                sum(
                    "CASE WHEN pr.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM producto_objetivo_institucional x WHERE x.producto_id = pr.id) THEN 1 ELSE 0 END",
                ),
                count("DISTINCT f.id"),
                count("DISTINCT f.servicio_id"),
                count("DISTINCT s.partida_id"),
            ],
        );
        productos
            .from_as(Alias::new("fichas"), Alias::new("f"))
            .inner_join(
                Alias::new("servicios").aliased("s"),
                col("s", "id").equals(("f", "servicio_id")),
            )
            .left_join(
                Alias::new("productos").aliased("pr"),
                col("pr", "ficha_id").equals(("f", "id")),
            );
        within(&mut productos, filter, "f");
    }

    // 4. The ministry objectives the group's objectives serve.
    let mut served = Query::select();
    keys(&mut served, dims, "f", Some("oi"));
    numbered(
        &mut served,
        Kind::Servidos,
        vec![count("DISTINCT l.objetivo_ministerial_id")],
    );
    served
        .from_as(
            Alias::new("objetivo_institucional_ministerial"),
            Alias::new("l"),
        )
        .inner_join(
            Alias::new("objetivos_institucionales").aliased("oi"),
            col("oi", "id").equals(("l", "objetivo_institucional_id")),
        );
    selected(&mut served, filter, objetivos);

    objectives
        .union(UnionType::All, productos)
        .union(UnionType::All, served);
    let mut servidos = Vec::new();
    for row in db.query_all(&objectives).await? {
        let n = |i: usize| -> Result<i64, LoadError> {
            Ok(get::<Option<i64>>(&row, &format!("n{i}"))?.unwrap_or(0))
        };
        let clave = clave(&row)?;
        match get::<i32>(&row, "kind")? {
            k if k == Kind::Objetivos as i32 => {
                let g = grupos.entry(clave).or_default();
                g.partidas = n(0)?;
                g.fichas = n(1)?;
                g.servicios = n(2)?;
                g.objetivos = n(3)?;
                g.estrategicos = n(4)?;
                g.estrategicos_con_productos = n(5)?;
                g.enfoque_genero = n(6)?;
                g.cambio_climatico = n(7)?;
                g.sin_productos = n(8)?;
                g.enlaces_ministeriales = n(9)?;
                g.enlaces_productos = n(10)?;
            }
            k if k == Kind::Productos as i32 => {
                let fichas = get::<Option<i64>>(&row, "n2")?;
                let g = grupos.entry(clave).or_default();
                g.productos = n(0)?;
                g.productos_sin_objetivos = n(1)?;
                // Without objective dimensions, a ficha with no objectives
                // still counts.
                if fichas.is_some() {
                    g.fichas = n(2)?;
                    g.servicios = n(3)?;
                    g.partidas = n(4)?;
                }
            }
            _ => servidos.push((clave, n(0)?)),
        }
    }
    for (clave, n) in servidos {
        if let Some(g) = grupos.get_mut(&clave) {
            g.ministeriales_servidos = n;
        }
    }

    // 3. The ministry objectives of the selection, per partida and período.
    let mut query = Query::select();
    query
        .expr_as(col("om", "partida_id"), "partida")
        .expr_as(col("om", "desde"), "desde")
        .expr_as(col("om", "hasta"), "hasta")
        .expr_as(count("*"), "total")
        .expr_as(sum("CASE WHEN om.tipo = 'estrategico' THEN 1 ELSE 0 END"), "estrategicos")
        .expr_as(
            sum("CASE WHEN EXISTS (SELECT 1 FROM objetivo_institucional_ministerial x WHERE x.objetivo_ministerial_id = om.id) THEN 0 ELSE 1 END"),
            "sin_objetivos",
        )
        .from_as(Alias::new("objetivos_ministeriales"), Alias::new("om"))
        .group_by_col(("om", "partida_id"))
        .group_by_col(("om", "desde"))
        .group_by_col(("om", "hasta"));
    within(
        &mut query,
        &Filtro {
            capitulo: None,
            ..filter.clone()
        },
        "om",
    );
    let mut ministerios = Vec::new();
    for row in db.query_all(&query).await? {
        let partida: i32 = get(&row, "partida")?;
        let periodo: (i32, i32) = (get(&row, "desde")?, get(&row, "hasta")?);
        let counts: (i64, i64, i64) = (
            get(&row, "total")?,
            get(&row, "estrategicos")?,
            get(&row, "sin_objetivos")?,
        );
        ministerios.push((partida, periodo, counts));
    }
    for (clave, g) in grupos.iter_mut() {
        let partida = clave.partida.or(clave.partida_del_servicio);
        for (p, periodo, (total, estrategicos, sin)) in &ministerios {
            if partida.is_none_or(|x| x == *p) && clave.periodo.is_none_or(|x| x == *periodo) {
                g.ministeriales += total;
                g.ministeriales_estrategicos += estrategicos;
                g.ministeriales_sin_objetivos += sin;
            }
        }
    }

    Ok(grupos)
}
