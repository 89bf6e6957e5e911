//! The graph's object types: partidas, servicios, fichas, objectives and
//! productos, each linked both ways. Every link resolves through the
//! request's data loader, so a level of a response is one statement.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, ErrorExtensions, ID, Interface, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{ficha, objetivo_institucional, objetivo_ministerial, partida, producto, servicio};

use super::connection::{PageArgs, Paged, Parent, connection};
use super::filters::{
    FichaFilter, ObjetivoInstitucionalFilter, ObjetivoMinisterialFilter, ProductoFilter,
    ServicioFilter, periodo,
};
use super::ids::global_id;
use super::stats::{Comparacion, EstadisticasDePartida, EstadisticasKey};
use crate::loaders::{
    ById, Db, FichaDeServicio, Fichas, FichasDe, ObjetivosInstitucionales,
    ObjetivosInstitucionalesDe, ObjetivosMinisteriales, ObjetivosMinisterialesDe, Partidas,
    Productos, ProductosDe, Servicios, ServiciosDe,
};

/// Whether an objective is about the service's mission or about running
/// the institution (the ficha's *Tipo de Objetivo* column).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::tipo_objetivo::TipoObjetivo")]
pub enum TipoObjetivo {
    /// *Estratégico*: an objective about what the service exists for.
    Estrategico,
    /// *Gestión Institucional*: an objective about managing the institution.
    GestionInstitucional,
}

/// A planning period. Current fichas cover three years (`2024-2026`);
/// older ones a single year (`desde` equal to `hasta`).
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct Periodo {
    /// First year covered.
    pub desde: i32,
    /// Last year covered.
    pub hasta: i32,
}

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

fn fuente(ficha: &ficha::Model, line: i32) -> Fuente {
    Fuente {
        archivo: ficha.source_file.clone(),
        sha256: ficha.sha256.clone(),
        linea: line,
        importado_en: ficha.imported_at,
    }
}

/// Anything with a global `id`, fetchable with `Query.node(id)`.
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

pub(crate) fn loader<'a>(ctx: &Context<'a>) -> Result<&'a Arc<DataLoader<Db>>> {
    ctx.data::<Arc<DataLoader<Db>>>()
}

/// Load a row by id, if it exists.
pub(crate) async fn find<E>(ctx: &Context<'_>, id: i32) -> Result<Option<E::Model>>
where
    E: crate::loaders::HasId + Send + Sync + 'static,
    E::Model: Clone + Send + Sync + 'static,
{
    loader(ctx)?.load_one(ById::<E>::new(id)).await
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
            super::error::ApiError::Internal.extend()
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

/// A ministry, as a budget *partida* (e.g. `20`, Ministerio Secretaría
/// General de Gobierno). Its servicios file fichas; its objectives are
/// shared by all of them.
#[derive(Clone)]
pub struct Partida(pub partida::Model);

#[Object]
impl Partida {
    /// Global identifier.
    async fn id(&self) -> ID {
        global_id("Partida", self.0.id)
    }

    /// Budget code of the partida, as printed (`"20"`). Text: `"07"` is not `"7"`.
    async fn codigo(&self) -> &str {
        &self.0.codigo
    }

    /// Name of the ministry, as printed in its latest ficha.
    async fn nombre(&self) -> &str {
        &self.0.nombre
    }

    /// The ministry's public services (its capítulos), by capítulo.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::http::limits::page_cost(first, last, child_complexity)")]
    async fn servicios(
        &self,
        ctx: &Context<'_>,
        filter: Option<ServicioFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ServicioConnection> {
        let filtro = filter.unwrap_or_default().filtro()?;
        let parent = Parent::Of(ServiciosDe::Partida, self.0.id);
        Paged::fetch(ctx, parent, filtro, args(first, after, last, before))
            .await
            .map(ServicioConnection)
    }

    /// The ministry's objectives, by período and prioridad. `periodo`: a
    /// year (`"2025"`) or a período (`"2024-2026"`); all períodos when omitted.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::http::limits::page_cost(first, last, child_complexity)")]
    async fn objetivos_ministeriales(
        &self,
        ctx: &Context<'_>,
        periodo: Option<String>,
        filter: Option<ObjetivoMinisterialFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ObjetivoMinisterialConnection> {
        let mut filtro = filter.unwrap_or_default().filtro()?;
        if let Some(text) = periodo {
            filtro.periodo = Some(self::periodo(&text)?);
        }
        let parent = Parent::Of(ObjetivosMinisterialesDe::Partida, self.0.id);
        Paged::fetch(ctx, parent, filtro, args(first, after, last, before))
            .await
            .map(ObjetivoMinisterialConnection)
    }

    /// Counts over this partida — servicios, fichas, objectives, productos,
    /// links — for a período (a year or `"2024-2026"`) or all of them.
    async fn estadisticas(
        &self,
        ctx: &Context<'_>,
        periodo: Option<String>,
    ) -> Result<Arc<EstadisticasDePartida>> {
        let key = EstadisticasKey {
            partida: self.0.id,
            periodo: periodo.as_deref().map(self::periodo).transpose()?,
        };
        loader(ctx)?
            .load_one(key)
            .await?
            .ok_or_else(|| super::error::ApiError::Internal.extend())
    }
}

/// A public service, as a budget *capítulo* of its partida (e.g. `01`).
/// It files one ficha per planning período.
#[derive(Clone)]
pub struct Servicio(pub servicio::Model);

#[Object]
impl Servicio {
    /// Global identifier.
    async fn id(&self) -> ID {
        global_id("Servicio", self.0.id)
    }

    /// Budget code of the servicio within its partida (`"01"`).
    async fn capitulo(&self) -> &str {
        &self.0.capitulo
    }

    /// Name of the servicio, as printed in its latest ficha.
    async fn nombre(&self) -> &str {
        &self.0.nombre
    }

    /// The ministry the servicio belongs to.
    async fn partida(&self, ctx: &Context<'_>) -> Result<Partida> {
        load::<partida::Entity>(ctx, self.0.partida_id)
            .await
            .map(Partida)
    }

    /// Every ficha the servicio filed, oldest período first.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::http::limits::page_cost(first, last, child_complexity)")]
    async fn fichas(
        &self,
        ctx: &Context<'_>,
        filter: Option<FichaFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<FichaConnection> {
        let filtro = filter.unwrap_or_default().filtro()?;
        let parent = Parent::Of(FichasDe::Servicio, self.0.id);
        Paged::fetch(ctx, parent, filtro, args(first, after, last, before))
            .await
            .map(FichaConnection)
    }

    /// The ficha for a período — a year inside it (`"2025"`) or the exact
    /// período (`"2024-2026"`) — or the latest when omitted. Null when there
    /// is none.
    async fn ficha(&self, ctx: &Context<'_>, periodo: Option<String>) -> Result<Option<Ficha>> {
        let key = FichaDeServicio {
            servicio: self.0.id,
            periodo: periodo.as_deref().map(self::periodo).transpose()?,
        };
        Ok(loader(ctx)?.load_one(key).await?.map(Ficha))
    }

    /// What changed between two of the servicio's fichas: objectives and
    /// productos added, removed and kept (matched by their text, ignoring
    /// case and accents). `desde` and `hasta` name períodos as in `ficha`.
    async fn comparacion(
        &self,
        ctx: &Context<'_>,
        desde: String,
        hasta: String,
    ) -> Result<Option<Comparacion>> {
        Comparacion::load(ctx, self.0.id, periodo(&desde)?, periodo(&hasta)?).await
    }
}

/// A *Ficha de Identificación — Definiciones Estratégicas*: what one
/// servicio declared for one planning período.
#[derive(Clone)]
pub struct Ficha(pub ficha::Model);

#[Object]
impl Ficha {
    /// Global identifier.
    async fn id(&self) -> ID {
        global_id("Ficha", self.0.id)
    }

    /// The planning período the ficha covers.
    async fn periodo(&self) -> Periodo {
        Periodo {
            desde: self.0.desde,
            hasta: self.0.hasta,
        }
    }

    /// The law or decree the servicio is governed by (*Ley orgánica o
    /// Decreto que la rige*).
    async fn ley_organica(&self) -> &str {
        &self.0.ley_organica
    }

    /// The servicio's mission (*Misión Institucional*).
    async fn mision(&self) -> &str {
        &self.0.mision
    }

    /// The ministry's name as printed in this ficha.
    async fn partida_nombre(&self) -> &str {
        &self.0.partida_nombre
    }

    /// The servicio's name as printed in this ficha.
    async fn servicio_nombre(&self) -> &str {
        &self.0.servicio_nombre
    }

    /// The servicio that filed the ficha.
    async fn servicio(&self, ctx: &Context<'_>) -> Result<Servicio> {
        load::<servicio::Entity>(ctx, self.0.servicio_id)
            .await
            .map(Servicio)
    }

    /// The servicio's own objectives in this ficha, by prioridad.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::http::limits::page_cost(first, last, child_complexity)")]
    async fn objetivos_institucionales(
        &self,
        ctx: &Context<'_>,
        filter: Option<ObjetivoInstitucionalFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ObjetivoInstitucionalConnection> {
        let filtro = filter.unwrap_or_default().filtro()?;
        let parent = Parent::Of(ObjetivosInstitucionalesDe::Ficha, self.0.id);
        Paged::fetch(ctx, parent, filtro, args(first, after, last, before))
            .await
            .map(ObjetivoInstitucionalConnection)
    }

    /// The final goods and services (*Bienes / Servicios Finales*) of this
    /// ficha, by número.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::http::limits::page_cost(first, last, child_complexity)")]
    async fn productos(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProductoFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ProductoConnection> {
        let filtro = filter.unwrap_or_default().filtro()?;
        let parent = Parent::Of(ProductosDe::Ficha, self.0.id);
        Paged::fetch(ctx, parent, filtro, args(first, after, last, before))
            .await
            .map(ProductoConnection)
    }

    /// The file the ficha was imported from; `linea` is its title's line.
    async fn fuente(&self) -> Fuente {
        fuente(&self.0, self.0.line)
    }
}

/// An objective of a ministry for a período (*Objetivos Estratégicos del
/// Ministerio*), repeated in every ficha of the ministry.
#[derive(Clone)]
pub struct ObjetivoMinisterial(pub objetivo_ministerial::Model);

#[Object]
impl ObjetivoMinisterial {
    /// Global identifier.
    async fn id(&self) -> ID {
        global_id("ObjetivoMinisterial", self.0.id)
    }

    /// Its number in the ministry's list (*Prioridad*); the institutional
    /// objectives cite it by this number.
    async fn prioridad(&self) -> i32 {
        self.0.prioridad
    }

    /// Strategic or institutional management.
    async fn tipo(&self) -> TipoObjetivo {
        self.0.tipo.into()
    }

    /// What the objective says.
    async fn descripcion(&self) -> &str {
        &self.0.descripcion
    }

    /// The planning período of the objective.
    async fn periodo(&self) -> Periodo {
        Periodo {
            desde: self.0.desde,
            hasta: self.0.hasta,
        }
    }

    /// The ministry.
    async fn partida(&self, ctx: &Context<'_>) -> Result<Partida> {
        load::<partida::Entity>(ctx, self.0.partida_id)
            .await
            .map(Partida)
    }

    /// The institutional objectives that serve it, across every servicio of
    /// the ministry.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::http::limits::page_cost(first, last, child_complexity)")]
    async fn objetivos_institucionales(
        &self,
        ctx: &Context<'_>,
        filter: Option<ObjetivoInstitucionalFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ObjetivoInstitucionalConnection> {
        let filtro = filter.unwrap_or_default().filtro()?;
        let parent = Parent::Of(ObjetivosInstitucionalesDe::Ministerial, self.0.id);
        Paged::fetch(ctx, parent, filtro, args(first, after, last, before))
            .await
            .map(ObjetivoInstitucionalConnection)
    }

    /// The ficha and line the objective was read from (the first ficha of
    /// the ministry and período imported); null if that ficha is gone.
    async fn fuente(&self, ctx: &Context<'_>) -> Result<Option<Fuente>> {
        let Some(id) = self.0.source_ficha_id else {
            return Ok(None);
        };
        let ficha = load::<ficha::Entity>(ctx, id).await?;
        Ok(Some(fuente(&ficha, self.0.line)))
    }
}

/// An objective of a servicio itself (*Objetivos Estratégicos
/// Institucionales*), declared in one ficha.
#[derive(Clone)]
pub struct ObjetivoInstitucional(pub objetivo_institucional::Model);

#[Object]
impl ObjetivoInstitucional {
    /// Global identifier.
    async fn id(&self) -> ID {
        global_id("ObjetivoInstitucional", self.0.id)
    }

    /// Its number in the servicio's list (*Prioridad*); productos cite it by
    /// this number.
    async fn prioridad(&self) -> i32 {
        self.0.prioridad
    }

    /// Strategic or institutional management.
    async fn tipo(&self) -> TipoObjetivo {
        self.0.tipo.into()
    }

    /// What the objective says.
    async fn descripcion(&self) -> &str {
        &self.0.descripcion
    }

    /// Whether the ficha marks it with a gender focus (*Enfoque de Género*).
    async fn enfoque_genero(&self) -> bool {
        self.0.enfoque_genero
    }

    /// Whether the ficha marks it as addressing climate change (*Cambio Climático*).
    async fn cambio_climatico(&self) -> bool {
        self.0.cambio_climatico
    }

    /// The ficha that declares it.
    async fn ficha(&self, ctx: &Context<'_>) -> Result<Ficha> {
        load::<ficha::Entity>(ctx, self.0.ficha_id).await.map(Ficha)
    }

    /// The servicio whose objective it is.
    async fn servicio(&self, ctx: &Context<'_>) -> Result<Servicio> {
        let ficha = load::<ficha::Entity>(ctx, self.0.ficha_id).await?;
        load::<servicio::Entity>(ctx, ficha.servicio_id)
            .await
            .map(Servicio)
    }

    /// The ministry objectives it serves (*Objetivos del Ministerio Relacionados*).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::http::limits::page_cost(first, last, child_complexity)")]
    async fn objetivos_ministeriales(
        &self,
        ctx: &Context<'_>,
        filter: Option<ObjetivoMinisterialFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ObjetivoMinisterialConnection> {
        let filtro = filter.unwrap_or_default().filtro()?;
        let parent = Parent::Of(ObjetivosMinisterialesDe::Institucional, self.0.id);
        Paged::fetch(ctx, parent, filtro, args(first, after, last, before))
            .await
            .map(ObjetivoMinisterialConnection)
    }

    /// The productos that serve it.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::http::limits::page_cost(first, last, child_complexity)")]
    async fn productos(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProductoFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ProductoConnection> {
        let filtro = filter.unwrap_or_default().filtro()?;
        let parent = Parent::Of(ProductosDe::Institucional, self.0.id);
        Paged::fetch(ctx, parent, filtro, args(first, after, last, before))
            .await
            .map(ProductoConnection)
    }

    /// The ficha file and line the objective was read from.
    async fn fuente(&self, ctx: &Context<'_>) -> Result<Fuente> {
        let ficha = load::<ficha::Entity>(ctx, self.0.ficha_id).await?;
        Ok(fuente(&ficha, self.0.line))
    }
}

/// A final good or service a servicio delivers (*Bien / Servicio Final*;
/// *Producto Estratégico* in older fichas).
#[derive(Clone)]
pub struct Producto(pub producto::Model);

#[Object]
impl Producto {
    /// Global identifier.
    async fn id(&self) -> ID {
        global_id("Producto", self.0.id)
    }

    /// Its number in the ficha's list (*Número*).
    async fn numero(&self) -> i32 {
        self.0.numero
    }

    /// Its name.
    async fn nombre(&self) -> &str {
        &self.0.nombre
    }

    /// The ficha that lists it.
    async fn ficha(&self, ctx: &Context<'_>) -> Result<Ficha> {
        load::<ficha::Entity>(ctx, self.0.ficha_id).await.map(Ficha)
    }

    /// The servicio that delivers it.
    async fn servicio(&self, ctx: &Context<'_>) -> Result<Servicio> {
        let ficha = load::<ficha::Entity>(ctx, self.0.ficha_id).await?;
        load::<servicio::Entity>(ctx, ficha.servicio_id)
            .await
            .map(Servicio)
    }

    /// The institutional objectives it serves (*N° Objetivo Estratégico Relacionado*).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::http::limits::page_cost(first, last, child_complexity)")]
    async fn objetivos_institucionales(
        &self,
        ctx: &Context<'_>,
        filter: Option<ObjetivoInstitucionalFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ObjetivoInstitucionalConnection> {
        let filtro = filter.unwrap_or_default().filtro()?;
        let parent = Parent::Of(ObjetivosInstitucionalesDe::Producto, self.0.id);
        Paged::fetch(ctx, parent, filtro, args(first, after, last, before))
            .await
            .map(ObjetivoInstitucionalConnection)
    }

    /// The ministry objectives it ultimately serves, through the
    /// institutional objectives it serves (each once).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::http::limits::page_cost(first, last, child_complexity)")]
    async fn objetivos_ministeriales(
        &self,
        ctx: &Context<'_>,
        filter: Option<ObjetivoMinisterialFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ObjetivoMinisterialConnection> {
        let filtro = filter.unwrap_or_default().filtro()?;
        let parent = Parent::Of(ObjetivosMinisterialesDe::Producto, self.0.id);
        Paged::fetch(ctx, parent, filtro, args(first, after, last, before))
            .await
            .map(ObjetivoMinisterialConnection)
    }

    /// The ficha file and line the producto was read from.
    async fn fuente(&self, ctx: &Context<'_>) -> Result<Fuente> {
        let ficha = load::<ficha::Entity>(ctx, self.0.ficha_id).await?;
        Ok(fuente(&ficha, self.0.line))
    }
}
