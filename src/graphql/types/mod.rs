//! The graph's object types: partidas, servicios, fichas, objectives and
//! productos, each linked both ways. Every link resolves through the
//! request's data loader, so a level of a response is one statement.

mod comparacion;
mod ficha;
mod objetivo_institucional;
mod objetivo_ministerial;
mod partida;
mod producto;
mod servicio;

pub use comparacion::*;
pub use ficha::*;
pub use objetivo_institucional::*;
pub use objetivo_ministerial::*;
pub use partida::*;
pub use producto::*;
pub use servicio::*;

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, ID, Interface, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::connection::{PageArgs, Paged, Parent, connection, graph_object};
use super::estadisticas::{EstadisticasDePartida, EstadisticasKey};
use super::filters::{
    FichaFilter, ListFilter, ObjetivoInstitucionalFilter, ObjetivoMinisterialFilter,
    ProductoFilter, ServicioFilter, periodo,
};
use super::ids::global_id;
use super::lean::Lean;
use super::list_fields::ListAhead;
use super::order::{
    FichaOrderBy, ObjetivoInstitucionalOrderBy, ObjetivoMinisterialOrderBy, ProductoOrderBy,
    ServicioOrderBy, orden,
};
use super::values::{Periodo, TipoObjetivo};
use crate::loaders::{
    ById, FichaDeServicio, Fichas, FichasDe, ObjetivosInstitucionales, ObjetivosInstitucionalesDe,
    ObjetivosMinisteriales, ObjetivosMinisterialesDe, Partidas, Productos, ProductosDe,
    RequestLoader, ServicioDeFicha, Servicios, ServiciosDe,
};

/// Where a piece of data was read from: the ficha file and its line.
#[derive(SimpleObject, Debug, Clone)]
pub struct Fuente {
    /// Name of the ficha file it was imported from.
    pub archivo: String,
    /// SHA-256 (hex) of that file's bytes.
    pub sha256: String,
    /// Line of the file the item was read from (1-based).
    pub linea: i32,
    /// When the file was imported.
    pub importado_en: DateTime<Utc>,
}

fn fuente(ficha: &entity::ficha::Model, line: i32) -> Fuente {
    Fuente {
        archivo: ficha.source_file.clone(),
        sha256: ficha.sha256.clone(),
        linea: line,
        importado_en: ficha.imported_at,
    }
}

/// The ficha `ficha_id`, which an objective or producto was read from.
async fn ficha_of(ctx: &Context<'_>, ficha_id: i32) -> Result<Lean<Ficha>> {
    load::<entity::ficha::Entity>(ctx, ficha_id)
        .await
        .map(|row| Lean(Ficha(row)))
}

/// The servicio that filed the ficha `ficha_id`, read with the link from
/// the ficha (one statement for a level's servicios, whether or not their
/// fichas were read) and kept by its id for the rest of the request.
async fn servicio_of(ctx: &Context<'_>, ficha_id: i32) -> Result<Lean<Servicio>> {
    let loader = loader(ctx)?;
    let servicio = loader
        .load_one(ServicioDeFicha(ficha_id))
        .await?
        .ok_or_else(|| {
            tracing::error!(ficha_id, "a ficha without its servicio");
            crate::graphql::error::ApiError::Internal.extend()
        })?;
    loader
        .feed_one(
            ById::<entity::servicio::Entity>::new(servicio.id),
            servicio.clone(),
        )
        .await;
    Ok(Lean(Servicio(servicio)))
}

/// Where an item was read: the ficha `ficha_id`'s file, at `line`.
async fn fuente_in(ctx: &Context<'_>, ficha_id: i32, line: i32) -> Result<Fuente> {
    let ficha = load::<entity::ficha::Entity>(ctx, ficha_id).await?;
    Ok(fuente(&ficha, line))
}

/// Anything with a global `id`, fetchable with `Query.node(id)`.
// One per `node(id)` answer: the size of the largest variant (a ficha row)
// costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "Global identifier, stable across requests."
))]
pub enum Node {
    /// A partida.
    Partida(Partida),
    /// A servicio.
    Servicio(Servicio),
    /// A ficha.
    Ficha(Ficha),
    /// A ministry objective.
    ObjetivoMinisterial(ObjetivoMinisterial),
    /// An institutional objective.
    ObjetivoInstitucional(ObjetivoInstitucional),
    /// A producto.
    Producto(Producto),
}

pub(crate) fn loader<'a>(ctx: &Context<'a>) -> Result<&'a Arc<RequestLoader>> {
    ctx.data::<Arc<RequestLoader>>()
}

/// Load a row by id, if it exists.
pub(crate) async fn find<E>(ctx: &Context<'_>, id: i32) -> Result<Option<E::Model>>
where
    E: crate::loaders::HasId + Send + Sync + 'static,
    E::Model: Clone + Send + Sync + 'static,
{
    Ok(loader(ctx)?.load_one(ById::<E>::new(id)).await?)
}

/// Load the row a link points to; a dangling link is an internal error.
pub(crate) async fn load<E>(ctx: &Context<'_>, id: i32) -> Result<E::Model>
where
    E: crate::loaders::HasId + Send + Sync + 'static,
    E::Model: Clone + Send + Sync + 'static,
{
    loader(ctx)?
        .load_one(ById::<E>::new(id))
        .await?
        .ok_or_else(|| {
            tracing::error!(id, table = E::default().table_name(), "dangling link");
            crate::graphql::error::ApiError::Internal.extend()
        })
}

/// The paging arguments of a list field.
pub(crate) fn args(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> PageArgs {
    PageArgs {
        first,
        after,
        last,
        before,
    }
}

connection!(
    PartidaConnection,
    PartidaEdge,
    Partida,
    Partidas,
    "partidas"
);
connection!(
    ServicioConnection,
    ServicioEdge,
    Servicio,
    Servicios,
    "servicios"
);
connection!(FichaConnection, FichaEdge, Ficha, Fichas, "fichas");
connection!(
    ObjetivoMinisterialConnection,
    ObjetivoMinisterialEdge,
    ObjetivoMinisterial,
    ObjetivosMinisteriales,
    "ministry objectives"
);
connection!(
    ObjetivoInstitucionalConnection,
    ObjetivoInstitucionalEdge,
    ObjetivoInstitucional,
    ObjetivosInstitucionales,
    "institutional objectives"
);
connection!(
    ProductoConnection,
    ProductoEdge,
    Producto,
    Productos,
    "productos"
);
