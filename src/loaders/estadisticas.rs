//! The counts behind `estadisticas`: the per-ficha counts the importer keeps
//! on every ficha row, summed per partida and período and per partida (the
//! sums the importer keeps, or summed by the database for a selection they
//! do not answer), and the ministry objectives counted per partida and
//! período — two statements for any selection, each answering a row per
//! group, not per ficha. Adding groups up into totals is the API's
//! business.

use std::collections::HashMap;

use entity::ficha::Column;
use entity::{ficha, objetivo_ministerial, partida};
use migration::PARTIDA_TOTALS;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement, UnionType};
use sea_orm::{ConnectionTrait, IdenStatic, QueryResult};

use super::LoadError;
use super::filter::{AsAlias, Filtro, codes, col, join_partida, join_servicio, periodo};
use super::paging::get;

/// The counts the importer keeps on each ficha row.
const COUNTS: [Column; 9] = [
    Column::ObjetivosTotal,
    Column::ObjetivosEstrategicos,
    Column::ObjetivosEnfoqueGenero,
    Column::ObjetivosCambioClimatico,
    Column::ObjetivosSinProductos,
    Column::ProductosTotal,
    Column::ProductosSinObjetivos,
    Column::EnlacesMinisteriales,
    Column::EnlacesProductos,
];

/// The counts the importer keeps on the fichas of one partida, summed
/// over one of its períodos, or over every período selected.
#[derive(Debug, Clone, Default)]
pub struct FichaCounts {
    /// The partida.
    pub partida: i32,
    /// The período, (desde, hasta); `None` for the sum over every período
    /// the selection holds.
    pub periodo: Option<(i32, i32)>,
    /// Fichas.
    pub fichas: i64,
    /// Servicios with a ficha (a servicio belongs to one partida, so sums
    /// over partidas count each once).
    pub servicios: i64,
    /// Institutional objectives.
    pub objetivos: i64,
    /// … of tipo Estratégico.
    pub objetivos_estrategicos: i64,
    /// … with a gender focus.
    pub objetivos_enfoque_genero: i64,
    /// … addressing climate change.
    pub objetivos_cambio_climatico: i64,
    /// … that no producto serves.
    pub objetivos_sin_productos: i64,
    /// Productos.
    pub productos: i64,
    /// … that serve no objective.
    pub productos_sin_objetivos: i64,
    /// Institutional → ministry objective links.
    pub enlaces_ministeriales: i64,
    /// Producto → institutional objective links.
    pub enlaces_productos: i64,
}

/// One partida's ministry objectives for one período, counted.
#[derive(Debug, Clone)]
pub struct MinisterioCounts {
    /// The partida.
    pub partida: i32,
    /// The período, (desde, hasta).
    pub periodo: (i32, i32),
    /// Ministry objectives.
    pub objetivos: i64,
    /// … of tipo Estratégico.
    pub estrategicos: i64,
    /// … that no institutional objective serves.
    pub sin_objetivos: i64,
}

/// Everything a selection counts.
#[derive(Debug, Default)]
pub struct Counts {
    /// Per partida and período, and per partida over every período.
    pub fichas: Vec<FichaCounts>,
    /// Per partida and período.
    pub ministerios: Vec<MinisterioCounts>,
    /// The código and name of every partida counted.
    pub partidas: HashMap<i32, (String, String)>,
}

/// The counts of the fichas and ministry objectives `filter` selects (its
/// partidas, capítulo and período).
pub async fn counts(db: &impl ConnectionTrait, filter: &Filtro) -> Result<Counts, LoadError> {
    let mut counts = Counts::default();

    // The sums the importer keeps per partida and período, and per partida
    // (`partida_totales`): a row per group, however many fichas are stored.
    // A partida's sum over several períodos that one year selects is not
    // kept (a servicio with fichas in both counts once): such a selection,
    // and one by capítulo, is summed from the fichas.
    let sums = match kept(db, filter).await? {
        Some(sums) => sums,
        None => {
            let mut query = summed(filter, true);
            query.union(UnionType::All, summed(filter, false));
            db.query_all(&query)
                .await?
                .iter()
                .map(read_sums)
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    for (partida, codigo, nombre, sum) in sums {
        counts.partidas.insert(partida, (codigo, nombre));
        counts.fichas.push(sum);
    }

    let mut ministerios = Query::select();
    ministerios.expr_as(col("om", "partida_id"), "partida");
    partida_and_periodo(&mut ministerios, "om");
    ministerios
        .expr_as(Expr::cust("COUNT(*)"), "total")
        .expr_as(
            Expr::cust("SUM(CASE WHEN om.tipo = 'estrategico' THEN 1 ELSE 0 END)"),
            "estrategicos",
        )
        .expr_as(
            Expr::cust(
                "SUM(CASE WHEN EXISTS (SELECT 1 FROM objetivo_institucional_ministerial x \
                 WHERE x.objetivo_ministerial_id = om.id) THEN 0 ELSE 1 END)",
            ),
            "sin_objetivos",
        )
        .from_as(objetivo_ministerial::Entity, "om")
        .inner_join(
            partida::Entity.aliased("p"),
            col("p", "id").equals(("om", "partida_id")),
        )
        .group_by_col(("om", "partida_id"))
        .group_by_col(("p", "codigo"))
        .group_by_col(("p", "nombre"))
        .group_by_col(("om", "desde"))
        .group_by_col(("om", "hasta"));
    if let Some(partidas) = &filter.partidas {
        ministerios.and_where(col("p", "codigo").is_in(partidas.iter().cloned()));
    }
    periodo(&mut ministerios, "om", filter.periodo);
    for row in db.query_all(&ministerios).await? {
        let partida: i32 = get(&row, "partida")?;
        counts
            .partidas
            .insert(partida, (get(&row, "codigo")?, get(&row, "nombre")?));
        counts.ministerios.push(MinisterioCounts {
            partida,
            periodo: (get(&row, "desde")?, get(&row, "hasta")?),
            objetivos: get(&row, "total")?,
            estrategicos: get(&row, "estrategicos")?,
            sin_objetivos: get(&row, "sin_objetivos")?,
        });
    }
    Ok(counts)
}

/// A partida's sums: its id, código, name and counts.
type Sums = (i32, String, String, FichaCounts);

/// A row of sums, as [`kept`] and [`summed`] select them.
fn read_sums(row: &QueryResult) -> Result<Sums, LoadError> {
    let partida: i32 = get(row, "partida")?;
    let desde: Option<i32> = get(row, "desde")?;
    let hasta: Option<i32> = get(row, "hasta")?;
    let sum = |column: Column| get::<i64>(row, column.as_str());
    let counts = FichaCounts {
        partida,
        periodo: desde.zip(hasta),
        fichas: get(row, "fichas")?,
        servicios: get(row, "servicios")?,
        objetivos: sum(Column::ObjetivosTotal)?,
        objetivos_estrategicos: sum(Column::ObjetivosEstrategicos)?,
        objetivos_enfoque_genero: sum(Column::ObjetivosEnfoqueGenero)?,
        objetivos_cambio_climatico: sum(Column::ObjetivosCambioClimatico)?,
        objetivos_sin_productos: sum(Column::ObjetivosSinProductos)?,
        productos: sum(Column::ProductosTotal)?,
        productos_sin_objetivos: sum(Column::ProductosSinObjetivos)?,
        enlaces_ministeriales: sum(Column::EnlacesMinisteriales)?,
        enlaces_productos: sum(Column::EnlacesProductos)?,
    };
    Ok((partida, get(row, "codigo")?, get(row, "nombre")?, counts))
}

/// The sums the importer keeps for `filter`'s partidas and período; `None`
/// when they do not answer it (a capítulo, or a year that selects several
/// períodos of one partida).
async fn kept(db: &impl ConnectionTrait, filter: &Filtro) -> Result<Option<Vec<Sums>>, LoadError> {
    if filter.capitulo.is_some() {
        return Ok(None);
    }
    let table = || Alias::new(PARTIDA_TOTALS);
    let mut query = Query::select();
    query
        .expr_as(col("t", "partida_id"), "partida")
        .expr_as(col("p", "codigo"), "codigo")
        .expr_as(col("p", "nombre"), "nombre")
        // Over every período: `desde` and `hasta` 0.
        .expr_as(Expr::cust("NULLIF(t.desde, 0)"), "desde")
        .expr_as(Expr::cust("NULLIF(t.hasta, 0)"), "hasta")
        .expr_as(col("t", "fichas"), "fichas")
        .expr_as(col("t", "servicios"), "servicios");
    for column in COUNTS {
        query.expr_as(col("t", column.as_str()), column.as_str());
    }
    query.from_as(table(), "t").inner_join(
        partida::Entity.aliased("p"),
        col("p", "id").equals(("t", "partida_id")),
    );
    if let Some(partidas) = &filter.partidas {
        query.and_where(col("p", "codigo").is_in(partidas.iter().cloned()));
    }
    if filter.periodo.is_some() {
        query.and_where(col("t", "desde").gt(0));
        periodo(&mut query, "t", filter.periodo);
    }
    let mut sums = db
        .query_all(&query)
        .await?
        .iter()
        .map(read_sums)
        .collect::<Result<Vec<_>, _>>()?;
    if filter.periodo.is_some() {
        // A partida's sum over the selection is its one período's.
        let mut per_partida: HashMap<i32, usize> = HashMap::new();
        for (partida, ..) in &sums {
            *per_partida.entry(*partida).or_default() += 1;
        }
        if per_partida.values().any(|&n| n > 1) {
            return Ok(None);
        }
        let over_all: Vec<Sums> = sums
            .iter()
            .map(|(partida, codigo, nombre, counts)| {
                let counts = FichaCounts {
                    periodo: None,
                    ..counts.clone()
                };
                (*partida, codigo.clone(), nombre.clone(), counts)
            })
            .collect();
        sums.extend(over_all);
    }
    Ok(Some(sums))
}

/// The counts of the fichas `filter` selects, summed per partida and
/// período (`by_periodo`), or per partida (the período columns null).
fn summed(filter: &Filtro, by_periodo: bool) -> SelectStatement {
    let mut query = Query::select();
    query
        .expr_as(col("p", "id"), "partida")
        .expr_as(col("p", "codigo"), "codigo")
        .expr_as(col("p", "nombre"), "nombre");
    if by_periodo {
        query
            .expr_as(col("f", "desde"), "desde")
            .expr_as(col("f", "hasta"), "hasta")
            .group_by_col(("f", "desde"))
            .group_by_col(("f", "hasta"));
    } else {
        query
            .expr_as(Expr::cust("CAST(NULL AS INTEGER)"), "desde")
            .expr_as(Expr::cust("CAST(NULL AS INTEGER)"), "hasta");
    }
    query
        .expr_as(Expr::cust("COUNT(*)"), "fichas")
        .expr_as(Expr::cust("COUNT(DISTINCT f.servicio_id)"), "servicios");
    for column in COUNTS {
        // PostgreSQL sums bigints as numeric.
        let name = column.as_str();
        query.expr_as(Expr::cust(format!("CAST(SUM(f.{name}) AS BIGINT)")), name);
    }
    query.from_as(ficha::Entity, "f");
    join_servicio(&mut query);
    join_partida(&mut query);
    codes(&mut query, filter);
    periodo(&mut query, "f", filter.periodo);
    query
        .group_by_col(("p", "id"))
        .group_by_col(("p", "codigo"))
        .group_by_col(("p", "nombre"));
    query
}

/// The partida's `codigo` and `nombre`, and the período of `table`'s rows.
fn partida_and_periodo(query: &mut SelectStatement, table: &'static str) {
    query
        .expr_as(col("p", "codigo"), "codigo")
        .expr_as(col("p", "nombre"), "nombre")
        .expr_as(col(table, "desde"), "desde")
        .expr_as(col(table, "hasta"), "hasta");
}
