//! `estadisticas(agruparPor: …) { grupos }`: the same counts as
//! `estadisticas`, per group of any combination of dimensions, computed by
//! the database (`crate::loaders::grupos`), with the coverage ratios a
//! dashboard charts.

use async_graphql::{ComplexObject, Context, Enum, Result, SimpleObject};
use entity::{partida, servicio};
use sea_orm::DatabaseConnection;

use super::estadisticas::{
    Conteo, ConteoEnlaces, ConteoObjetivosInstitucionales, ConteoObjetivosMinisteriales,
    ConteoProductos, Recuento,
};
use super::types::{Partida, Servicio, load, loader};
use super::values::{Periodo, TipoObjetivo};
use crate::loaders::ById;
use crate::loaders::Filtro;
use crate::loaders::grupos::{Clave, Dimensiones, Grupo, grupos};

/// A dimension `estadisticas` can group its counts by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum AgruparPor {
    /// By partida.
    Partida,
    /// By servicio.
    Servicio,
    /// By período.
    Periodo,
    /// By the institutional objective's tipo.
    Tipo,
    /// By whether the institutional objective has a gender focus.
    EnfoqueGenero,
    /// By whether the institutional objective addresses climate change.
    CambioClimatico,
}

/// The dimensions a list of `AgruparPor` names (each once, in any order).
fn dimensiones(dims: &[AgruparPor]) -> Dimensiones {
    let has = |d: AgruparPor| dims.contains(&d);
    Dimensiones {
        partida: has(AgruparPor::Partida),
        servicio: has(AgruparPor::Servicio),
        periodo: has(AgruparPor::Periodo),
        tipo: has(AgruparPor::Tipo),
        enfoque_genero: has(AgruparPor::EnfoqueGenero),
        cambio_climatico: has(AgruparPor::CambioClimatico),
    }
}

/// The counts of one group. Its keys are set for the dimensions grouped by
/// and null for the others. Under an objective's dimension (tipo, gender,
/// climate) the institutional objectives are split by it, and `productos`
/// counts the productos that serve an objective of the group. A group's
/// ministry objectives are those of its partida (or its servicio's) and
/// período, every one of the selection's when it is keyed by neither.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct GrupoEstadisticas {
    #[graphql(skip)]
    clave: Clave,
    /// The período, when grouped by it.
    pub periodo: Option<Periodo>,
    /// The objectives' tipo, when grouped by it.
    pub tipo: Option<TipoObjetivo>,
    /// The objectives' gender focus, when grouped by it.
    pub enfoque_genero: Option<bool>,
    /// The objectives' climate change mark, when grouped by it.
    pub cambio_climatico: Option<bool>,
    /// Partidas with a ficha in the group.
    pub partidas: i64,
    /// Servicios with a ficha in the group.
    pub servicios: i64,
    /// Fichas in the group.
    pub fichas: i64,
    /// Ministry objectives of the group's partidas and períodos.
    pub objetivos_ministeriales: ConteoObjetivosMinisteriales,
    /// Institutional objectives.
    pub objetivos_institucionales: ConteoObjetivosInstitucionales,
    /// Productos.
    pub productos: ConteoProductos,
    /// Links.
    pub enlaces: ConteoEnlaces,
    /// The share (0 to 1) of the group's strategic objectives that at least
    /// one producto serves; null when it has none.
    pub cobertura_estrategica: Option<f64>,
    /// The share (0 to 1) of the group's ministry objectives that at least
    /// one of its institutional objectives serves; null when it has none.
    pub cobertura_ministerial: Option<f64>,
}

#[ComplexObject]
impl GrupoEstadisticas {
    /// The partida, when grouped by it.
    async fn partida(&self, ctx: &Context<'_>) -> Result<Option<Partida>> {
        match self.clave.partida {
            Some(id) => Ok(Some(Partida(load::<partida::Entity>(ctx, id).await?))),
            None => Ok(None),
        }
    }

    /// The servicio, when grouped by it.
    async fn servicio(&self, ctx: &Context<'_>) -> Result<Option<Servicio>> {
        match self.clave.servicio {
            Some(id) => Ok(Some(Servicio(load::<servicio::Entity>(ctx, id).await?))),
            None => Ok(None),
        }
    }
}

impl GrupoEstadisticas {
    /// The group's partida, when keyed by it.
    pub fn partida_id(&self) -> Option<i32> {
        self.clave.partida
    }

    /// Its counts, as `estadisticas` shows them for a selection.
    pub fn conteo(&self) -> Conteo {
        Conteo {
            servicios: self.servicios,
            recuento: Recuento {
                fichas: self.fichas,
                objetivos_ministeriales: self.objetivos_ministeriales,
                objetivos_institucionales: self.objetivos_institucionales,
                productos: self.productos,
                enlaces: self.enlaces,
            },
        }
    }
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl GrupoEstadisticas {
    fn new(clave: Clave, g: Grupo) -> Self {
        let tipo = match clave.tipo.as_deref() {
            Some("estrategico") => Some(TipoObjetivo::Estrategico),
            Some(_) => Some(TipoObjetivo::GestionInstitucional),
            None => None,
        };
        GrupoEstadisticas {
            periodo: clave.periodo.map(|(desde, hasta)| Periodo { desde, hasta }),
            tipo,
            enfoque_genero: clave.enfoque_genero,
            cambio_climatico: clave.cambio_climatico,
            partidas: g.partidas,
            servicios: g.servicios,
            fichas: g.fichas,
            objetivos_ministeriales: ConteoObjetivosMinisteriales {
                total: g.ministeriales,
                estrategicos: g.ministeriales_estrategicos,
                gestion_institucional: g.ministeriales - g.ministeriales_estrategicos,
                sin_objetivos: g.ministeriales_sin_objetivos,
            },
            objetivos_institucionales: ConteoObjetivosInstitucionales {
                total: g.objetivos,
                estrategicos: g.estrategicos,
                gestion_institucional: g.objetivos - g.estrategicos,
                con_enfoque_genero: g.enfoque_genero,
                con_cambio_climatico: g.cambio_climatico,
                sin_productos: g.sin_productos,
            },
            productos: ConteoProductos {
                total: g.productos,
                sin_objetivos: g.productos_sin_objetivos,
            },
            enlaces: ConteoEnlaces {
                institucional_ministerial: g.enlaces_ministeriales,
                producto_institucional: g.enlaces_productos,
            },
            cobertura_estrategica: share(g.estrategicos_con_productos, g.estrategicos),
            cobertura_ministerial: share(g.ministeriales_servidos, g.ministeriales),
            clave,
        }
    }

    /// The groups of the selection `filter` makes, by `dims`, in the order
    /// people read them: by partida code, servicio (partida code and
    /// capítulo), período, then tipo, gender focus and climate change.
    pub async fn load(
        ctx: &Context<'_>,
        filter: &Filtro,
        objetivos: Option<&Filtro>,
        dims: &[AgruparPor],
    ) -> Result<Vec<GrupoEstadisticas>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let grupos = grupos(db, filter, objetivos, dimensiones(dims)).await?;
        // The codes, through the request's loader: the rows the client
        // asks for in `partida` and `servicio` are then already loaded.
        let loader = loader(ctx)?;
        let partidas = loader
            .load_many(
                grupos
                    .keys()
                    .filter_map(|c| c.partida.or(c.partida_del_servicio))
                    .map(ById::<partida::Entity>::new),
            )
            .await?;
        let servicios = loader
            .load_many(
                grupos
                    .keys()
                    .filter_map(|c| c.servicio)
                    .map(ById::<servicio::Entity>::new),
            )
            .await?;
        let codigo = |id: Option<i32>| {
            id.and_then(|id| partidas.get(&ById::new(id)))
                .map(|p| p.codigo.clone())
        };
        let mut grupos: Vec<(_, GrupoEstadisticas)> = grupos
            .into_iter()
            .map(|(clave, g)| {
                let capitulo = clave
                    .servicio
                    .and_then(|id| servicios.get(&ById::new(id)))
                    .map(|s| s.capitulo.clone());
                let order = (
                    codigo(clave.partida),
                    codigo(clave.partida_del_servicio),
                    capitulo,
                    clave.periodo,
                    clave.tipo.clone(),
                    clave.enfoque_genero,
                    clave.cambio_climatico,
                );
                (order, GrupoEstadisticas::new(clave, g))
            })
            .collect();
        grupos.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(grupos.into_iter().map(|(_, g)| g).collect())
    }
}
