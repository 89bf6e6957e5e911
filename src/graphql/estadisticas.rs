//! `estadisticas`: the counts behind a dashboard's summary cards and bar
//! charts, in total, by partida and by período; and `Partida.estadisticas`.
//!
//! The database gives the counts per partida and período, per partida, and
//! per ministry and período (`crate::loaders::estadisticas`); the totals
//! and groups are sums of those.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, InputObject, Result, SimpleObject};
use sea_orm::DatabaseConnection;

use super::error::bad_input;
use super::filters::{ListFilter, ObjetivoInstitucionalFilter, partidas, periodo};
use super::grupos::{AgruparPor, GrupoEstadisticas};
use super::values::Periodo;
use crate::loaders::estadisticas::{Counts, FichaCounts, MinisterioCounts};
use crate::loaders::{Db, Filtro, LoadError, PeriodoFiltro};

/// Which part of the data `estadisticas` counts.
#[derive(InputObject, Default, Debug, Clone)]
pub struct EstadisticasFilter {
    /// Only the partida with this code.
    pub partida: Option<String>,
    /// Only these partidas.
    pub partidas: Option<Vec<String>>,
    /// Only the servicios with this capítulo code (ministry objectives
    /// belong to a partida, not a capítulo: they are counted whole).
    pub capitulo: Option<String>,
    /// Only this período: a year inside it (`"2025"`) or exact (`"2024-2026"`).
    pub periodo: Option<String>,
    /// Only períodos that reach this year or later; with `periodoHasta`, a
    /// range of años (instead of `periodo`).
    pub periodo_desde: Option<i32>,
    /// Only períodos that start in this year or earlier.
    pub periodo_hasta: Option<i32>,
    /// Only the institutional objectives this filter keeps (any condition
    /// of the objectives' list: tipo, gender, links, `and`/`or`/`not`…),
    /// and what follows them: the fichas and servicios that hold them, the
    /// productos that serve them and the links they have.
    pub objetivos_institucionales: Option<ObjetivoInstitucionalFilter>,
}

impl EstadisticasFilter {
    /// The selection of fichas, and the objectives' own filter if any.
    fn filtro(&self) -> Result<(Filtro, Option<Filtro>)> {
        let partidas = partidas(self.partida.as_ref(), self.partidas.as_ref());
        let range = (self.periodo_desde.is_some() || self.periodo_hasta.is_some())
            .then_some(PeriodoFiltro::Range(self.periodo_desde, self.periodo_hasta));
        let periodo = match (self.periodo.as_deref().map(periodo).transpose()?, range) {
            (Some(_), Some(_)) => {
                return Err(bad_input(
                    "give `periodo` or a range (`periodoDesde`, `periodoHasta`), not both",
                ));
            }
            (one, other) => one.or(other),
        };
        let objetivos = self
            .objetivos_institucionales
            .as_ref()
            .map(ListFilter::filtro)
            .transpose()?;
        let fichas = Filtro {
            partidas,
            capitulo: self.capitulo.clone(),
            periodo,
            ..Filtro::default()
        };
        Ok((fichas, objetivos))
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

/// What a selection, a partida's share or a período's share counts of its
/// fichas and what they hold.
#[derive(SimpleObject, Debug, Clone, Default)]
pub struct Recuento {
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

/// What a selection, or one partida's share of it, counts.
#[derive(SimpleObject, Debug, Clone, Default)]
pub struct Conteo {
    /// Servicios with a ficha in the selection.
    pub servicios: i64,
    #[graphql(flatten)]
    pub recuento: Recuento,
}

/// Counts over the filtered data, with the same counts grouped by partida
/// and by período, and by the dimensions `agruparPor` names: what a
/// dashboard's summary cards and charts need.
#[derive(SimpleObject, Debug, Clone, Default)]
#[graphql(complex)]
pub struct Estadisticas {
    #[graphql(skip)]
    filtro: Filtro,
    #[graphql(skip)]
    objetivos: Option<Filtro>,
    #[graphql(skip)]
    agrupar_por: Vec<AgruparPor>,
    /// Partidas with a ficha or ministry objectives in the selection.
    pub partidas: i64,
    #[graphql(flatten)]
    pub conteo: Conteo,
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
    #[graphql(flatten)]
    pub conteo: Conteo,
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
    #[graphql(flatten)]
    pub recuento: Recuento,
}

/// A running sum.
#[derive(Default)]
struct Suma {
    partidas: BTreeSet<i32>,
    servicios: i64,
    fichas: i64,
    ministeriales: ConteoObjetivosMinisteriales,
    institucionales: ConteoObjetivosInstitucionales,
    productos: ConteoProductos,
    enlaces: ConteoEnlaces,
}

impl Suma {
    fn ficha(&mut self, f: &FichaCounts) {
        self.partidas.insert(f.partida);
        self.servicios += f.servicios;
        self.fichas += f.fichas;
        let o = &mut self.institucionales;
        o.total += f.objetivos;
        o.estrategicos += f.objetivos_estrategicos;
        o.gestion_institucional += f.objetivos - f.objetivos_estrategicos;
        o.con_enfoque_genero += f.objetivos_enfoque_genero;
        o.con_cambio_climatico += f.objetivos_cambio_climatico;
        o.sin_productos += f.objetivos_sin_productos;
        self.productos.total += f.productos;
        self.productos.sin_objetivos += f.productos_sin_objetivos;
        self.enlaces.institucional_ministerial += f.enlaces_ministeriales;
        self.enlaces.producto_institucional += f.enlaces_productos;
    }

    fn ministerio(&mut self, m: &MinisterioCounts) {
        self.partidas.insert(m.partida);
        let o = &mut self.ministeriales;
        o.total += m.objetivos;
        o.estrategicos += m.estrategicos;
        o.gestion_institucional += m.objetivos - m.estrategicos;
        o.sin_objetivos += m.sin_objetivos;
    }

    fn conteo(&self) -> Conteo {
        Conteo {
            servicios: self.servicios,
            recuento: self.recuento(),
        }
    }

    fn recuento(&self) -> Recuento {
        Recuento {
            fichas: self.fichas,
            objetivos_ministeriales: self.ministeriales,
            objetivos_institucionales: self.institucionales,
            productos: self.productos,
            enlaces: self.enlaces,
        }
    }
}

/// The counts of a selection, per ficha and per ministry and período, as
/// the database gives them.
struct Conteos(Counts);

impl Conteos {
    async fn load(db: &DatabaseConnection, filter: &Filtro) -> Result<Conteos, LoadError> {
        Ok(Conteos(
            crate::loaders::estadisticas::counts(db, filter).await?,
        ))
    }

    /// Sum the counts of one partida or all, in one período or all.
    fn sum(&self, partida: Option<i32>, periodo: Option<(i32, i32)>) -> Suma {
        let of_partida = |p: i32| partida.is_none_or(|partida| partida == p);
        let mut suma = Suma::default();
        // The database summed each partida over every período too: those
        // rows count a servicio with fichas in several períodos once.
        for f in self
            .0
            .fichas
            .iter()
            .filter(|f| of_partida(f.partida) && f.periodo == periodo)
        {
            suma.ficha(f);
        }
        for m in self
            .0
            .ministerios
            .iter()
            .filter(|m| of_partida(m.partida) && periodo.is_none_or(|p| p == m.periodo))
        {
            suma.ministerio(m);
        }
        suma
    }

    fn de_partida(&self, partida: i32) -> EstadisticasDePartida {
        let suma = self.sum(Some(partida), None);
        let (codigo, nombre) = self.0.partidas.get(&partida).cloned().unwrap_or_default();
        EstadisticasDePartida {
            codigo,
            nombre,
            partida_id: partida,
            conteo: suma.conteo(),
        }
    }

    fn estadisticas(&self) -> Estadisticas {
        let total = self.sum(None, None);
        let mut partidas: Vec<(&String, i32)> = self
            .0
            .partidas
            .iter()
            .map(|(id, (codigo, _))| (codigo, *id))
            .collect();
        partidas.sort();
        let periodos: BTreeSet<(i32, i32)> = self
            .0
            .fichas
            .iter()
            .filter_map(|f| f.periodo)
            .chain(self.0.ministerios.iter().map(|m| m.periodo))
            .collect();
        Estadisticas {
            filtro: Filtro::default(),
            objetivos: None,
            agrupar_por: Vec::new(),
            partidas: total.partidas.len() as i64,
            conteo: total.conteo(),
            por_partida: partidas
                .into_iter()
                .map(|(_, id)| self.de_partida(id))
                .collect(),
            por_periodo: periodos
                .into_iter()
                .map(|periodo| {
                    let suma = self.sum(None, Some(periodo));
                    EstadisticasDePeriodo {
                        periodo: Periodo {
                            desde: periodo.0,
                            hasta: periodo.1,
                        },
                        partidas: suma.partidas.len() as i64,
                        servicios: suma.servicios,
                        recuento: suma.recuento(),
                    }
                })
                .collect(),
        }
    }
}

impl Estadisticas {
    /// The counts for a filter, to be grouped by `agrupar_por` when asked.
    pub async fn load(
        ctx: &Context<'_>,
        filter: &EstadisticasFilter,
        agrupar_por: Vec<AgruparPor>,
    ) -> Result<Estadisticas> {
        let db = ctx.data::<DatabaseConnection>()?;
        let (filtro, objetivos) = filter.filtro()?;
        let estadisticas = match &objetivos {
            // The sums kept per partida count whole fichas; the objectives'
            // own conditions are counted by the database, group by group.
            Some(objetivos) => Self::of_objetivos(ctx, &filtro, objetivos).await?,
            None => Conteos::load(db, &filtro).await?.estadisticas(),
        };
        Ok(Estadisticas {
            filtro,
            objetivos,
            agrupar_por,
            ..estadisticas
        })
    }

    /// The counts of the objectives `objetivos` keeps in the selection
    /// `fichas`: in total, per partida and per período.
    async fn of_objetivos(
        ctx: &Context<'_>,
        fichas: &Filtro,
        objetivos: &Filtro,
    ) -> Result<Estadisticas> {
        let load = |dims: &'static [AgruparPor]| {
            GrupoEstadisticas::load(ctx, fichas, Some(objetivos), dims)
        };
        let total = load(&[]).await?.into_iter().next();
        let por_partida = load(&[AgruparPor::Partida]).await?;
        let por_periodo = load(&[AgruparPor::Periodo]).await?;
        let mut partidas = Vec::with_capacity(por_partida.len());
        for grupo in &por_partida {
            let Some(id) = grupo.partida_id() else {
                continue;
            };
            let partida = super::types::load::<entity::partida::Entity>(ctx, id).await?;
            partidas.push(EstadisticasDePartida {
                codigo: partida.codigo,
                nombre: partida.nombre,
                partida_id: id,
                conteo: grupo.conteo(),
            });
        }
        Ok(Estadisticas {
            partidas: por_partida.len() as i64,
            conteo: total.map(|t| t.conteo()).unwrap_or_default(),
            por_partida: partidas,
            por_periodo: por_periodo
                .iter()
                .filter_map(|grupo| {
                    Some(EstadisticasDePeriodo {
                        periodo: grupo.periodo?,
                        // The partidas of a período are not grouped here:
                        // those of its objectives' servicios.
                        partidas: grupo.partidas,
                        servicios: grupo.servicios,
                        recuento: grupo.conteo().recuento,
                    })
                })
                .collect(),
            ..Estadisticas::default()
        })
    }
}

#[async_graphql::ComplexObject]
impl Estadisticas {
    /// The same counts per group of the dimensions `agruparPor` names
    /// (one group, the whole selection, when it names none), in the order
    /// of their keys. Computed only when asked for.
    async fn grupos(&self, ctx: &Context<'_>) -> Result<Vec<GrupoEstadisticas>> {
        GrupoEstadisticas::load(
            ctx,
            &self.filtro,
            self.objetivos.as_ref(),
            &self.agrupar_por,
        )
        .await
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
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[EstadisticasKey],
    ) -> Result<HashMap<EstadisticasKey, Arc<EstadisticasDePartida>>, LoadError> {
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
