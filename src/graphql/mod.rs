//! The GraphQL schema: the `Query` root, the graph's types and the
//! dashboard aggregates. Types live in [`types`], paging in [`connection`],
//! filters in [`filters`], aggregates in [`stats`], errors in [`error`];
//! every read goes through `crate::loaders`.
//!
//! `schema.graphql` at the repository root is this schema's SDL; a test
//! fails when they drift (`definiciones schema > schema.graphql` updates it).

pub mod connection;
pub mod error;
pub mod filters;
pub mod ids;
pub mod stats;
pub mod types;

use std::sync::Arc;

use async_graphql::{Context, EmptyMutation, EmptySubscription, ID, Object, Result, Schema};
use entity::{ficha, objetivo_institucional, objetivo_ministerial, partida, producto, servicio};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use self::connection::{Paged, Parent};
use self::error::database;
use self::filters::{
    FichaFilter, ObjetivoInstitucionalFilter, ObjetivoMinisterialFilter, PartidaFilter,
    ProductoFilter, ServicioFilter,
};
use self::stats::{Estadisticas, EstadisticasFilter};
use self::types::{
    Ficha, FichaConnection, Node, ObjetivoInstitucional, ObjetivoInstitucionalConnection,
    ObjetivoMinisterial, ObjetivoMinisterialConnection, Partida, PartidaConnection, Producto,
    ProductoConnection, Servicio, ServicioConnection, args, find,
};
use crate::http::limits::Limits;
use crate::loaders::{
    FichasDe, ObjetivosInstitucionalesDe, ObjetivosMinisterialesDe, PartidasDe, ProductosDe,
    ServiciosDe,
};

/// The API's schema.
pub type AppSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Build the schema over a database, enforcing `limits`' complexity (the
/// other limits are checked before a request reaches the schema, by
/// `crate::http::limits::check`). In production, errors do not suggest field
/// names.
pub fn schema(db: DatabaseConnection, limits: Arc<Limits>, production: bool) -> AppSchema {
    let mut builder = Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .data(db)
        .limit_complexity(limits.complexity)
        .limit_recursive_depth(limits.recursion);
    if production {
        builder = builder.disable_suggestions();
    }
    if limits.disable_introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The schema's SDL, as `schema.graphql` holds it.
pub fn sdl() -> String {
    // With `@specifiedBy`, as introspection reports it (DateTime's RFC).
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .finish()
        .sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}

/// Chile's *Definiciones Estratégicas*: every ministry (partida), public
/// service (servicio), their fichas per planning período, their objectives
/// and the productos that serve them.
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// Ministries (budget partidas), by código.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::http::limits::page_cost(first, last, child_complexity)")]
    async fn partidas(
        &self,
        ctx: &Context<'_>,
        filter: Option<PartidaFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PartidaConnection> {
        let filtro = filter.unwrap_or_default().filtro()?;
        Paged::fetch(
            ctx,
            Parent::Root(PartidasDe::Todas),
            filtro,
            args(first, after, last, before),
        )
        .await
        .map(PartidaConnection)
    }

    /// The partida with this budget code (`"20"`); null when there is none.
    async fn partida(&self, ctx: &Context<'_>, codigo: String) -> Result<Option<Partida>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let found = partida::Entity::find()
            .filter(partida::Column::Codigo.eq(codigo))
            .one(db)
            .await
            .map_err(database)?;
        Ok(found.map(Partida))
    }

    /// Public services (budget capítulos), by partida and capítulo.
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
        Paged::fetch(
            ctx,
            Parent::Root(ServiciosDe::Todos),
            filtro,
            args(first, after, last, before),
        )
        .await
        .map(ServicioConnection)
    }

    /// The servicio with this partida and capítulo code (`"20"`, `"01"`);
    /// null when there is none.
    async fn servicio(
        &self,
        ctx: &Context<'_>,
        partida: String,
        capitulo: String,
    ) -> Result<Option<Servicio>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let found = servicio::Entity::find()
            .inner_join(partida::Entity)
            .filter(partida::Column::Codigo.eq(partida))
            .filter(servicio::Column::Capitulo.eq(capitulo))
            .one(db)
            .await
            .map_err(database)?;
        Ok(found.map(Servicio))
    }

    /// Fichas, by partida, capítulo and período.
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
        Paged::fetch(
            ctx,
            Parent::Root(FichasDe::Todas),
            filtro,
            args(first, after, last, before),
        )
        .await
        .map(FichaConnection)
    }

    /// Ministry objectives of every partida, by partida, período and prioridad.
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
        let parent = Parent::Root(ObjetivosMinisterialesDe::Todos);
        Paged::fetch(ctx, parent, filtro, args(first, after, last, before))
            .await
            .map(ObjetivoMinisterialConnection)
    }

    /// Institutional objectives of every servicio, by partida, capítulo,
    /// período and prioridad.
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
        let parent = Parent::Root(ObjetivosInstitucionalesDe::Todos);
        Paged::fetch(ctx, parent, filtro, args(first, after, last, before))
            .await
            .map(ObjetivoInstitucionalConnection)
    }

    /// Productos of every servicio, by partida, capítulo, período and número.
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
        Paged::fetch(
            ctx,
            Parent::Root(ProductosDe::Todos),
            filtro,
            args(first, after, last, before),
        )
        .await
        .map(ProductoConnection)
    }

    /// Anything by its global `id`; null when there is no such item.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let Some((type_name, row)) = ids::parse_global_id(&id) else {
            return Ok(None);
        };
        let node = match type_name.as_str() {
            "Partida" => find::<partida::Entity>(ctx, row)
                .await?
                .map(|m| Node::Partida(Partida(m))),
            "Servicio" => find::<servicio::Entity>(ctx, row)
                .await?
                .map(|m| Node::Servicio(Servicio(m))),
            "Ficha" => find::<ficha::Entity>(ctx, row)
                .await?
                .map(|m| Node::Ficha(Ficha(m))),
            "ObjetivoMinisterial" => find::<objetivo_ministerial::Entity>(ctx, row)
                .await?
                .map(|m| Node::ObjetivoMinisterial(ObjetivoMinisterial(m))),
            "ObjetivoInstitucional" => find::<objetivo_institucional::Entity>(ctx, row)
                .await?
                .map(|m| Node::ObjetivoInstitucional(ObjetivoInstitucional(m))),
            "Producto" => find::<producto::Entity>(ctx, row)
                .await?
                .map(|m| Node::Producto(Producto(m))),
            _ => None,
        };
        Ok(node)
    }

    /// Counts over the selection — partidas, servicios, fichas, objectives
    /// by tipo, with gender focus, with climate change, productos, links,
    /// alignment gaps — in total, by partida and by período.
    async fn estadisticas(
        &self,
        ctx: &Context<'_>,
        filter: Option<EstadisticasFilter>,
    ) -> Result<Estadisticas> {
        Estadisticas::load(ctx, &filter.unwrap_or_default()).await
    }
}
