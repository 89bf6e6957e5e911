//! Dashboard aggregates: `estadisticas` (the counts behind summary cards and
//! bar charts, in one query) and `Servicio.comparacion` (what changed
//! between two of a servicio's fichas).
//!
//! The database counts per ficha (a handful of grouped statements); the
//! totals and the groups by partida and by período are sums of those.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{ComplexObject, Context, InputObject, Result, SimpleObject};
use entity::{ficha, objetivo_institucional, partida, producto};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult};

use super::error::database;
use super::filters::periodo;
use super::types::{Ficha, ObjetivoInstitucional, Partida, Periodo, Producto, load, loader};
use crate::loaders::{
    AsAlias, Db, FichaDeServicio, Filtro, ObjetivosInstitucionales, ObjetivosInstitucionalesDe,
    PageKey, PeriodoFiltro, Productos, ProductosDe, Window, col,
};

/// Which part of the data `estadisticas` counts.
#[derive(InputObject, Default, Debug, Clone)]
pub struct EstadisticasFilter {
    /// Only the partida with this code.
    pub partida: Option<String>,
    /// Only these partidas.
    pub partidas: Option<Vec<String>>,
    /// Only this período: a year inside it (`"2025"`) or exact (`"2024-2026"`).
    pub periodo: Option<String>,
}

impl EstadisticasFilter {
    fn filtro(&self) -> Result<Filtro> {
        let partidas = match (&self.partida, &self.partidas) {
            (None, None) => None,
            (one, many) => Some(
                one.iter()
                    .chain(many.iter().flatten())
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
        };
        Ok(Filtro {
            partidas,
            periodo: self.periodo.as_deref().map(periodo).transpose()?,
            ..Filtro::default()
        })
    }
}

/// Ministry objectives counted.
#[derive(SimpleObject, Debug, Clone, Copy, Default)]
pub struct ConteoObjetivosMinisteriales {
    /// All of them.
    pub total: i64,
    /// Those of tipo Estratégico.
    pub estrategicos: i64,
    /// Those of tipo Gestión Institucional.
    pub gestion_institucional: i64,
    /// Those no institutional objective serves (an alignment gap).
    pub sin_objetivos: i64,
}

/// Institutional objectives counted.
#[derive(SimpleObject, Debug, Clone, Copy, Default)]
pub struct ConteoObjetivosInstitucionales {
    /// All of them.
    pub total: i64,
    /// Those of tipo Estratégico.
    pub estrategicos: i64,
    /// Those of tipo Gestión Institucional.
    pub gestion_institucional: i64,
    /// Those with a gender focus.
    pub con_enfoque_genero: i64,
    /// Those addressing climate change.
    pub con_cambio_climatico: i64,
    /// Those no producto serves (an alignment gap).
    pub sin_productos: i64,
}

/// Productos counted.
#[derive(SimpleObject, Debug, Clone, Copy, Default)]
pub struct ConteoProductos {
    /// All of them.
    pub total: i64,
    /// Those that serve no objective (an alignment gap).
    pub sin_objetivos: i64,
}

/// Links counted.
#[derive(SimpleObject, Debug, Clone, Copy, Default)]
pub struct ConteoEnlaces {
    /// Institutional objective → ministry objective links.
    pub institucional_ministerial: i64,
    /// Producto → institutional objective links.
    pub producto_institucional: i64,
}

/// Counts over the filtered data, with the same counts grouped by partida
/// and by período: what a dashboard's summary cards and charts need.
#[derive(SimpleObject, Debug, Clone, Default)]
pub struct Estadisticas {
    /// Partidas with a ficha or ministry objectives in the selection.
    pub partidas: i64,
    /// Servicios with a ficha in the selection.
    pub servicios: i64,
    /// Fichas.
    pub fichas: i64,
    /// Ministry objectives.
    pub objetivos_ministeriales: ConteoObjetivosMinisteriales,
    /// Institutional objectives.
    pub objetivos_institucionales: ConteoObjetivosInstitucionales,
    /// Productos.
    pub productos: ConteoProductos,
    /// Links between them.
    pub enlaces: ConteoEnlaces,
    /// The same counts for each partida, by código.
    pub por_partida: Vec<EstadisticasDePartida>,
    /// The same counts for each período, oldest first.
    pub por_periodo: Vec<EstadisticasDePeriodo>,
}

/// Counts for one partida.
#[derive(SimpleObject, Debug, Clone, Default)]
#[graphql(complex)]
pub struct EstadisticasDePartida {
    /// The partida's code.
    pub codigo: String,
    /// The partida's name.
    pub nombre: String,
    #[graphql(skip)]
    pub partida_id: i32,
    /// Servicios with a ficha in the selection.
    pub servicios: i64,
    /// Fichas.
    pub fichas: i64,
    /// Ministry objectives.
    pub objetivos_ministeriales: ConteoObjetivosMinisteriales,
    /// Institutional objectives.
    pub objetivos_institucionales: ConteoObjetivosInstitucionales,
    /// Productos.
    pub productos: ConteoProductos,
    /// Links between them.
    pub enlaces: ConteoEnlaces,
}

#[ComplexObject]
impl EstadisticasDePartida {
    /// The partida itself.
    async fn partida(&self, ctx: &Context<'_>) -> Result<Partida> {
        load::<partida::Entity>(ctx, self.partida_id)
            .await
            .map(Partida)
    }
}

/// Counts for one período.
#[derive(SimpleObject, Debug, Clone)]
pub struct EstadisticasDePeriodo {
    /// The período.
    pub periodo: Periodo,
    /// Partidas with a ficha or ministry objectives in the período.
    pub partidas: i64,
    /// Servicios with a ficha in the período.
    pub servicios: i64,
    /// Fichas.
    pub fichas: i64,
    /// Ministry objectives.
    pub objetivos_ministeriales: ConteoObjetivosMinisteriales,
    /// Institutional objectives.
    pub objetivos_institucionales: ConteoObjetivosInstitucionales,
    /// Productos.
    pub productos: ConteoProductos,
    /// Links between them.
    pub enlaces: ConteoEnlaces,
}

/// Counts of one ficha.
#[derive(Debug, Clone, Default)]
struct PorFicha {
    servicio: i32,
    partida: i32,
    periodo: (i32, i32),
    objetivos: ConteoObjetivosInstitucionales,
    productos: ConteoProductos,
    enlaces: ConteoEnlaces,
}

/// Counts of one partida's ministry objectives for one período.
#[derive(Debug, Clone)]
struct PorMinisterio {
    partida: i32,
    periodo: (i32, i32),
    objetivos: ConteoObjetivosMinisteriales,
}

/// A running sum.
#[derive(Default)]
struct Suma {
    partidas: BTreeSet<i32>,
    servicios: BTreeSet<i32>,
    fichas: i64,
    ministeriales: ConteoObjetivosMinisteriales,
    institucionales: ConteoObjetivosInstitucionales,
    productos: ConteoProductos,
    enlaces: ConteoEnlaces,
}

impl Suma {
    fn ficha(&mut self, f: &PorFicha) {
        self.partidas.insert(f.partida);
        self.servicios.insert(f.servicio);
        self.fichas += 1;
        let (a, b) = (&mut self.institucionales, &f.objetivos);
        a.total += b.total;
        a.estrategicos += b.estrategicos;
        a.gestion_institucional += b.gestion_institucional;
        a.con_enfoque_genero += b.con_enfoque_genero;
        a.con_cambio_climatico += b.con_cambio_climatico;
        a.sin_productos += b.sin_productos;
        self.productos.total += f.productos.total;
        self.productos.sin_objetivos += f.productos.sin_objetivos;
        self.enlaces.institucional_ministerial += f.enlaces.institucional_ministerial;
        self.enlaces.producto_institucional += f.enlaces.producto_institucional;
    }

    fn ministerio(&mut self, m: &PorMinisterio) {
        self.partidas.insert(m.partida);
        let (a, b) = (&mut self.ministeriales, &m.objetivos);
        a.total += b.total;
        a.estrategicos += b.estrategicos;
        a.gestion_institucional += b.gestion_institucional;
        a.sin_objetivos += b.sin_objetivos;
    }
}

/// The counts of a selection, per ficha and per ministry and período.
struct Conteos {
    fichas: Vec<PorFicha>,
    ministerios: Vec<PorMinisterio>,
    nombres: HashMap<i32, (String, String)>,
}

impl Conteos {
    async fn load(db: &DatabaseConnection, filter: &Filtro) -> Result<Conteos> {
        let mut fichas = Vec::new();
        let mut nombres = HashMap::new();

        // One row per ficha, with the counts the importer keeps on it.
        let mut query = Query::select();
        query
            .expr_as(col("f", "id"), "ficha")
            .expr_as(col("s", "id"), "servicio")
            .expr_as(col("p", "id"), "partida")
            .expr_as(col("p", "codigo"), "codigo")
            .expr_as(col("p", "nombre"), "nombre")
            .expr_as(col("f", "desde"), "desde")
            .expr_as(col("f", "hasta"), "hasta");
        for column in migration::FICHA_COUNT_COLUMNS {
            query.expr_as(col("f", column), column);
        }
        query.from_as(ficha::Entity, "f");
        query
            .inner_join(
                entity::servicio::Entity.aliased("s"),
                col("s", "id").equals(("f", "servicio_id")),
            )
            .inner_join(
                partida::Entity.aliased("p"),
                col("p", "id").equals(("s", "partida_id")),
            );
        crate::loaders::codes(&mut query, filter);
        crate::loaders::periodo(&mut query, "f", filter.periodo);
        for row in db.query_all(&query).await.map_err(database)? {
            let partida: i32 = get(&row, "partida")?;
            let codigo: String = get(&row, "codigo")?;
            let nombre: String = get(&row, "nombre")?;
            nombres.insert(partida, (codigo, nombre));
            let total: i64 = get(&row, "objetivos_total")?;
            let estrategicos: i64 = get(&row, "objetivos_estrategicos")?;
            fichas.push(PorFicha {
                servicio: get(&row, "servicio")?,
                partida,
                periodo: (get(&row, "desde")?, get(&row, "hasta")?),
                objetivos: ConteoObjetivosInstitucionales {
                    total,
                    estrategicos,
                    gestion_institucional: total - estrategicos,
                    con_enfoque_genero: get(&row, "objetivos_enfoque_genero")?,
                    con_cambio_climatico: get(&row, "objetivos_cambio_climatico")?,
                    sin_productos: get(&row, "objetivos_sin_productos")?,
                },
                productos: ConteoProductos {
                    total: get(&row, "productos_total")?,
                    sin_objetivos: get(&row, "productos_sin_objetivos")?,
                },
                enlaces: ConteoEnlaces {
                    institucional_ministerial: get(&row, "enlaces_ministeriales")?,
                    producto_institucional: get(&row, "enlaces_productos")?,
                },
            });
        }

        let mut ministerios = Query::select();
        ministerios
            .expr_as(col("om", "partida_id"), "partida")
            .expr_as(col("p", "codigo"), "codigo")
            .expr_as(col("p", "nombre"), "nombre")
            .expr_as(col("om", "desde"), "desde")
            .expr_as(col("om", "hasta"), "hasta")
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
            .from_as(entity::objetivo_ministerial::Entity, "om")
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
        crate::loaders::periodo(&mut ministerios, "om", filter.periodo);
        let mut por_ministerio = Vec::new();
        for row in db.query_all(&ministerios).await.map_err(database)? {
            let partida: i32 = get(&row, "partida")?;
            nombres.insert(partida, (get(&row, "codigo")?, get(&row, "nombre")?));
            let total: i64 = get(&row, "total")?;
            let estrategicos: i64 = get(&row, "estrategicos")?;
            por_ministerio.push(PorMinisterio {
                partida,
                periodo: (get(&row, "desde")?, get(&row, "hasta")?),
                objetivos: ConteoObjetivosMinisteriales {
                    total,
                    estrategicos,
                    gestion_institucional: total - estrategicos,
                    sin_objetivos: get(&row, "sin_objetivos")?,
                },
            });
        }
        Ok(Conteos {
            fichas,
            ministerios: por_ministerio,
            nombres,
        })
    }

    /// Sum the counts of the fichas and ministries `keep` selects.
    fn sum(&self, keep: impl Fn(i32, (i32, i32)) -> bool) -> Suma {
        let mut suma = Suma::default();
        for f in self.fichas.iter().filter(|f| keep(f.partida, f.periodo)) {
            suma.ficha(f);
        }
        for m in self
            .ministerios
            .iter()
            .filter(|m| keep(m.partida, m.periodo))
        {
            suma.ministerio(m);
        }
        suma
    }

    fn de_partida(&self, partida: i32) -> EstadisticasDePartida {
        let suma = self.sum(|p, _| p == partida);
        let (codigo, nombre) = self.nombres.get(&partida).cloned().unwrap_or_default();
        EstadisticasDePartida {
            codigo,
            nombre,
            partida_id: partida,
            servicios: suma.servicios.len() as i64,
            fichas: suma.fichas,
            objetivos_ministeriales: suma.ministeriales,
            objetivos_institucionales: suma.institucionales,
            productos: suma.productos,
            enlaces: suma.enlaces,
        }
    }

    fn estadisticas(&self) -> Estadisticas {
        let total = self.sum(|_, _| true);
        let mut partidas: Vec<(&String, i32)> = self
            .nombres
            .iter()
            .map(|(id, (codigo, _))| (codigo, *id))
            .collect();
        partidas.sort();
        let periodos: BTreeSet<(i32, i32)> = self
            .fichas
            .iter()
            .map(|f| f.periodo)
            .chain(self.ministerios.iter().map(|m| m.periodo))
            .collect();
        Estadisticas {
            partidas: total.partidas.len() as i64,
            servicios: total.servicios.len() as i64,
            fichas: total.fichas,
            objetivos_ministeriales: total.ministeriales,
            objetivos_institucionales: total.institucionales,
            productos: total.productos,
            enlaces: total.enlaces,
            por_partida: partidas
                .into_iter()
                .map(|(_, id)| self.de_partida(id))
                .collect(),
            por_periodo: periodos
                .into_iter()
                .map(|periodo| {
                    let suma = self.sum(|_, p| p == periodo);
                    EstadisticasDePeriodo {
                        periodo: Periodo {
                            desde: periodo.0,
                            hasta: periodo.1,
                        },
                        partidas: suma.partidas.len() as i64,
                        servicios: suma.servicios.len() as i64,
                        fichas: suma.fichas,
                        objetivos_ministeriales: suma.ministeriales,
                        objetivos_institucionales: suma.institucionales,
                        productos: suma.productos,
                        enlaces: suma.enlaces,
                    }
                })
                .collect(),
        }
    }
}

fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T> {
    row.try_get("", column).map_err(database)
}

impl Estadisticas {
    /// The counts for a filter.
    pub async fn load(ctx: &Context<'_>, filter: &EstadisticasFilter) -> Result<Estadisticas> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(Conteos::load(db, &filter.filtro()?).await?.estadisticas())
    }
}

/// `Partida.estadisticas`: one partida's counts for a período (or all).
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub struct EstadisticasKey {
    /// The partida's id.
    pub partida: i32,
    /// The período, if any.
    pub periodo: Option<PeriodoFiltro>,
}

impl Loader<EstadisticasKey> for Db {
    type Value = Arc<EstadisticasDePartida>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[EstadisticasKey],
    ) -> Result<HashMap<EstadisticasKey, Arc<EstadisticasDePartida>>> {
        let mut by_periodo: HashMap<Option<PeriodoFiltro>, Vec<i32>> = HashMap::new();
        for key in keys {
            by_periodo.entry(key.periodo).or_default().push(key.partida);
        }
        let mut out = HashMap::new();
        for (periodo, partidas) in by_periodo {
            // Every partida asked for in one set of statements.
            let conteos = Conteos::load(
                self.connection(),
                &Filtro {
                    periodo,
                    ..Filtro::default()
                },
            )
            .await?;
            for partida in partidas {
                let mut stats = conteos.de_partida(partida);
                stats.partida_id = partida;
                out.insert(EstadisticasKey { partida, periodo }, Arc::new(stats));
            }
        }
        Ok(out)
    }
}

/// An institutional objective found in both fichas compared.
#[derive(SimpleObject, Clone)]
pub struct ObjetivoMantenido {
    /// As the earlier ficha has it.
    pub antes: ObjetivoInstitucional,
    /// As the later ficha has it.
    pub despues: ObjetivoInstitucional,
}

/// A producto found in both fichas compared.
#[derive(SimpleObject, Clone)]
pub struct ProductoMantenido {
    /// As the earlier ficha has it.
    pub antes: Producto,
    /// As the later ficha has it.
    pub despues: Producto,
}

/// How a servicio's institutional objectives changed between two fichas.
#[derive(SimpleObject, Clone)]
pub struct CambiosObjetivos {
    /// In the later ficha only.
    pub agregados: Vec<ObjetivoInstitucional>,
    /// In the earlier ficha only.
    pub eliminados: Vec<ObjetivoInstitucional>,
    /// In both (same text, ignoring case, accents and spacing).
    pub mantenidos: Vec<ObjetivoMantenido>,
}

/// How a servicio's productos changed between two fichas.
#[derive(SimpleObject, Clone)]
pub struct CambiosProductos {
    /// In the later ficha only.
    pub agregados: Vec<Producto>,
    /// In the earlier ficha only.
    pub eliminados: Vec<Producto>,
    /// In both (same name, ignoring case, accents and spacing).
    pub mantenidos: Vec<ProductoMantenido>,
}

/// What changed between two fichas of a servicio.
#[derive(SimpleObject)]
pub struct Comparacion {
    /// The earlier ficha.
    pub desde: Ficha,
    /// The later ficha.
    pub hasta: Ficha,
    /// The institutional objectives added, removed and kept.
    pub objetivos_institucionales: CambiosObjetivos,
    /// The productos added, removed and kept.
    pub productos: CambiosProductos,
}

/// Match two lists by a key, in the later list's order: (added, removed,
/// kept as (before, after)).
type Matched<M> = (Vec<M>, Vec<M>, Vec<(M, M)>);

fn matched<M: Clone>(antes: &[M], despues: &[M], key: impl Fn(&M) -> &str) -> Matched<M> {
    let mut pending: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, m) in antes.iter().enumerate() {
        pending.entry(key(m)).or_default().push(i);
    }
    let mut agregados = Vec::new();
    let mut mantenidos = Vec::new();
    for m in despues {
        match pending.get_mut(key(m)).filter(|left| !left.is_empty()) {
            Some(left) => {
                let i = left.remove(0);
                mantenidos.push((antes[i].clone(), m.clone()));
            }
            None => agregados.push(m.clone()),
        }
    }
    let left: BTreeSet<usize> = pending.into_values().flatten().collect();
    let eliminados = left.into_iter().map(|i| antes[i].clone()).collect();
    (agregados, eliminados, mantenidos)
}

impl Comparacion {
    /// Compare a servicio's fichas for two períodos; `None` when either is missing.
    pub async fn load(
        ctx: &Context<'_>,
        servicio: i32,
        desde: PeriodoFiltro,
        hasta: PeriodoFiltro,
    ) -> Result<Option<Comparacion>> {
        let loader = loader(ctx)?;
        let fichas = loader
            .load_many([
                FichaDeServicio {
                    servicio,
                    periodo: Some(desde),
                },
                FichaDeServicio {
                    servicio,
                    periodo: Some(hasta),
                },
            ])
            .await?;
        let find = |periodo| {
            fichas
                .get(&FichaDeServicio {
                    servicio,
                    periodo: Some(periodo),
                })
                .cloned()
        };
        let (Some(antes), Some(despues)) = (find(desde), find(hasta)) else {
            return Ok(None);
        };
        // Every row of both fichas, through the batched lists.
        let all = Arc::new((
            Filtro::default(),
            Window {
                after: None,
                before: None,
                first: None,
                last: None,
            },
        ));
        let objetivos = |ficha: i32| PageKey::<ObjetivosInstitucionales> {
            rel: ObjetivosInstitucionalesDe::Ficha,
            parent: ficha,
            args: all.clone(),
        };
        let productos = |ficha: i32| PageKey::<Productos> {
            rel: ProductosDe::Ficha,
            parent: ficha,
            args: all.clone(),
        };
        let (objetivos_antes, objetivos_despues, productos_antes, productos_despues) = tokio::join!(
            loader.load_one(objetivos(antes.id)),
            loader.load_one(objetivos(despues.id)),
            loader.load_one(productos(antes.id)),
            loader.load_one(productos(despues.id)),
        );
        let objetivos_antes: Vec<objetivo_institucional::Model> = rows(objetivos_antes?);
        let objetivos_despues: Vec<objetivo_institucional::Model> = rows(objetivos_despues?);
        let productos_antes: Vec<producto::Model> = rows(productos_antes?);
        let productos_despues: Vec<producto::Model> = rows(productos_despues?);
        let (agregados, eliminados, mantenidos) =
            matched(&objetivos_antes, &objetivos_despues, |o| {
                o.search_text.as_str()
            });
        let objetivos_institucionales = CambiosObjetivos {
            agregados: agregados.into_iter().map(ObjetivoInstitucional).collect(),
            eliminados: eliminados.into_iter().map(ObjetivoInstitucional).collect(),
            mantenidos: mantenidos
                .into_iter()
                .map(|(antes, despues)| ObjetivoMantenido {
                    antes: ObjetivoInstitucional(antes),
                    despues: ObjetivoInstitucional(despues),
                })
                .collect(),
        };
        let (agregados, eliminados, mantenidos) =
            matched(&productos_antes, &productos_despues, |p| {
                p.search_text.as_str()
            });
        let productos = CambiosProductos {
            agregados: agregados.into_iter().map(Producto).collect(),
            eliminados: eliminados.into_iter().map(Producto).collect(),
            mantenidos: mantenidos
                .into_iter()
                .map(|(antes, despues)| ProductoMantenido {
                    antes: Producto(antes),
                    despues: Producto(despues),
                })
                .collect(),
        };
        Ok(Some(Comparacion {
            objetivos_institucionales,
            productos,
            desde: Ficha(antes),
            hasta: Ficha(despues),
        }))
    }
}

/// The rows of a page, without positions.
fn rows<M: Clone>(page: Option<Arc<crate::loaders::Page<M>>>) -> Vec<M> {
    page.map(|p| p.rows.iter().map(|(_, m)| m.clone()).collect())
        .unwrap_or_default()
}
