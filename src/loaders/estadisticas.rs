//! The counts behind `estadisticas`: the per-ficha counts the importer keeps
//! on every ficha row, and the ministry objectives counted per partida and
//! período — two statements for any selection. Summing them into totals and
//! groups is the API's business.

use std::collections::HashMap;

use entity::ficha::Column;
use entity::{ficha, objetivo_ministerial, partida};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, IdenStatic};

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

/// One ficha's counts, as the importer wrote them.
#[derive(Debug, Clone, Default)]
pub struct FichaCounts {
    /// The ficha's servicio.
    pub servicio: i32,
    /// The servicio's partida.
    pub partida: i32,
    /// The ficha's período, (desde, hasta).
    pub periodo: (i32, i32),
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
    /// Per ficha.
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

    // One row per ficha, with the counts the importer keeps on it.
    let mut query = Query::select();
    query
        .expr_as(col("s", "id"), "servicio")
        .expr_as(col("p", "id"), "partida");
    partida_and_periodo(&mut query, "f");
    for column in COUNTS {
        query.column(("f", column));
    }
    query.from_as(ficha::Entity, "f");
    join_servicio(&mut query);
    join_partida(&mut query);
    codes(&mut query, filter);
    periodo(&mut query, "f", filter.periodo);
    for row in db.query_all(&query).await? {
        let partida: i32 = get(&row, "partida")?;
        counts
            .partidas
            .insert(partida, (get(&row, "codigo")?, get(&row, "nombre")?));
        counts.fichas.push(FichaCounts {
            servicio: get(&row, "servicio")?,
            partida,
            periodo: (get(&row, "desde")?, get(&row, "hasta")?),
            objetivos: get(&row, Column::ObjetivosTotal.as_str())?,
            objetivos_estrategicos: get(&row, Column::ObjetivosEstrategicos.as_str())?,
            objetivos_enfoque_genero: get(&row, Column::ObjetivosEnfoqueGenero.as_str())?,
            objetivos_cambio_climatico: get(&row, Column::ObjetivosCambioClimatico.as_str())?,
            objetivos_sin_productos: get(&row, Column::ObjetivosSinProductos.as_str())?,
            productos: get(&row, Column::ProductosTotal.as_str())?,
            productos_sin_objetivos: get(&row, Column::ProductosSinObjetivos.as_str())?,
            enlaces_ministeriales: get(&row, Column::EnlacesMinisteriales.as_str())?,
            enlaces_productos: get(&row, Column::EnlacesProductos.as_str())?,
        });
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

/// The partida's `codigo` and `nombre`, and the período of `table`'s rows.
fn partida_and_periodo(query: &mut SelectStatement, table: &'static str) {
    query
        .expr_as(col("p", "codigo"), "codigo")
        .expr_as(col("p", "nombre"), "nombre")
        .expr_as(col(table, "desde"), "desde")
        .expr_as(col(table, "hasta"), "hasta");
}
