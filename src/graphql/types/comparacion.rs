//! `Servicio.comparacion`: what changed between two of a servicio's fichas —
//! the institutional objectives and productos added, removed and kept,
//! matched by their folded text.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use async_graphql::{Context, Result, SimpleObject};
use entity::{objetivo_institucional, producto};

use super::{Ficha, ObjetivoInstitucional, Producto, loader};
use crate::ficha::text::fold;
use crate::loaders::{
    Columns, FichaDeServicio, Filtro, ObjetivosInstitucionales, ObjetivosInstitucionalesDe,
    PageKey, PeriodoFiltro, Productos, ProductosDe, Window,
};

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

fn matched<M: Clone>(antes: &[M], despues: &[M], key: impl Fn(&M) -> String) -> Matched<M> {
    let mut pending: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, m) in antes.iter().enumerate() {
        pending.entry(key(m)).or_default().push(i);
    }
    let mut agregados = Vec::new();
    let mut mantenidos = Vec::new();
    for m in despues {
        match pending.get_mut(&key(m)).filter(|left| !left.is_empty()) {
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
            Vec::new(),
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
            columns: Columns::ALL,
        };
        let productos = |ficha: i32| PageKey::<Productos> {
            rel: ProductosDe::Ficha,
            parent: ficha,
            args: all.clone(),
            columns: Columns::ALL,
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
                fold(&o.descripcion)
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
            matched(&productos_antes, &productos_despues, |p| fold(&p.nombre));
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
