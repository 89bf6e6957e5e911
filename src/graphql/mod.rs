//! The GraphQL schema: the `Query` root, the graph's types and the
//! dashboard aggregates. Types live in [`types`] (one file per entity, and
//! `Servicio.comparacion`'s), the values they share in [`values`], paging
//! and the list fields' one shape in [`connection`], filters in
//! [`filters`], `estadisticas` in [`estadisticas`], global ids in [`ids`],
//! errors in [`error`]; every read goes through `crate::loaders`. The
//! graph's objects are answered in one pass each ([`lean`]) rather than
//! with a future per field.
//!
//! `schema.graphql` at the repository root is this schema's SDL; a test
//! fails when they drift (`definiciones schema > schema.graphql` updates it).

pub mod connection;
pub mod error;
pub mod estadisticas;
pub mod filters;
pub mod grupos;
pub mod ids;
pub mod lean;
pub mod list_fields;
pub mod order;
pub mod types;
pub mod values;

use async_graphql::{Context, EmptyMutation, EmptySubscription, ID, Object, Result, Schema, Value};
use entity::{ficha, objetivo_institucional, objetivo_ministerial, partida, producto, servicio};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use self::connection::{Parent, graph_object};
use self::error::database;
use self::estadisticas::{Estadisticas, EstadisticasFilter};
use self::filters::{
    FichaFilter, ObjetivoInstitucionalFilter, ObjetivoMinisterialFilter, PartidaFilter,
    ProductoFilter, ServicioFilter,
};
use self::grupos::AgruparPor;
use self::lean::Lean;
use self::list_fields::FieldArgs;
use self::order::{
    FichaOrderBy, ObjetivoInstitucionalOrderBy, ObjetivoMinisterialOrderBy, PartidaOrderBy,
    ProductoOrderBy, ServicioOrderBy,
};
use self::types::{
    Ficha, FichaConnection, Node, ObjetivoInstitucional, ObjetivoInstitucionalConnection,
    ObjetivoMinisterial, ObjetivoMinisterialConnection, Partida, PartidaConnection, Producto,
    ProductoConnection, Servicio, ServicioConnection, find,
};
use crate::loaders::{
    Ahead, ById, FichaDeServicio, FichasDe, LATEST, ObjetivosInstitucionalesDe,
    ObjetivosMinisterialesDe, PartidasDe, ProductosDe, ServiciosDe, servicio_por_codigos,
};

/// The API's schema.
pub type AppSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// What the schema itself enforces; the other limits are checked before a
/// request reaches it (`crate::http::limits`).
#[derive(Debug, Clone, Copy)]
pub struct SchemaSettings {
    /// The deepest nesting of values (lists, input objects) the validator
    /// walks.
    pub recursion: usize,
    /// Whether errors suggest field names ("did you mean").
    pub suggestions: bool,
    /// Whether `__schema` and `__type` answer.
    pub introspection: bool,
}

/// Build the schema over a database.
///
/// It has no extensions: [`lean`] answers most fields without the per-field
/// hooks an extension would add.
pub fn schema(db: DatabaseConnection, settings: SchemaSettings) -> AppSchema {
    let mut builder = Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .data(db)
        .limit_recursive_depth(settings.recursion);
    if !settings.suggestions {
        builder = builder.disable_suggestions();
    }
    if !settings.introspection {
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

graph_object! {
    #[Object(name = "Query")]
    impl QueryRoot
    {
        /// Ministries (budget partidas), by código.
        list partidas(_this, PartidaFilter, PartidaOrderBy) -> PartidaConnection = Parent::Root(PartidasDe::Todas);

        /// The partida with this budget code (`"20"`); null when there is none.
        async fn partida(&self, ctx: &Context<'_>, codigo: String) -> Result<Option<Lean<Partida>>> {
            let db = ctx.data::<DatabaseConnection>()?;
            let found = partida::Entity::find()
                .filter(partida::Column::Codigo.eq(codigo))
                .one(db)
                .await
                .map_err(database)?;
            Ok(found.map(|row| Lean(Partida(row))))
        }

        /// Public services (budget capítulos), by partida and capítulo.
        list servicios(_this, ServicioFilter, ServicioOrderBy) -> ServicioConnection = Parent::Root(ServiciosDe::Todos);

        /// The servicio with this partida and capítulo code (`"20"`, `"01"`);
        /// null when there is none.
        async fn servicio(
            &self,
            ctx: &Context<'_>,
            partida: String,
            capitulo: String,
        ) -> Result<Option<Lean<Servicio>>> {
            let db = ctx.data::<DatabaseConnection>()?;
            // Its latest ficha comes in the same statement when the
            // selection asks for `ficha` without a período, and so do that
            // ficha's objectives and productos when asked for (the fields
            // find their pages in `FieldArgs`).
            let fields = ctx.data_opt::<FieldArgs>();
            let mut ahead = Ahead::default();
            let mut keep = Vec::new();
            for ficha in ctx.field().selection_set().filter(|field| {
                field.name() == "ficha"
                    && field.arguments().is_ok_and(|arguments| {
                        arguments
                            .iter()
                            .all(|(name, value)| name != "periodo" || *value == Value::Null)
                    })
            }) {
                ahead.latest = true;
                if fields.is_some() {
                    let lists =
                        Ficha::lists_ahead(&ficha, db.get_database_backend(), (LATEST, "id"));
                    for list in lists {
                        ahead.lists.push(list.column);
                        keep.push(list.keep);
                    }
                }
            }
            let Some(found) = servicio_por_codigos(db, &partida, &capitulo, ahead).await? else {
                return Ok(None);
            };
            // Read with it: `Servicio.partida` and `Servicio.ficha` need not
            // read them again.
            let loader = types::loader(ctx)?;
            let servicio = found.servicio;
            loader
                .feed_one(ById::<partida::Entity>::new(found.partida.id), found.partida)
                .await;
            if let Some(ficha) = found.ficha {
                if let Some(fields) = fields {
                    for (keep, text) in keep.into_iter().zip(&found.lists) {
                        keep(fields, ficha.id, text)?;
                    }
                }
                let key = FichaDeServicio {
                    servicio: servicio.id,
                    periodo: None,
                };
                loader.feed_one(key, ficha).await;
            }
            Ok(Some(Lean(Servicio(servicio))))
        }

        /// Fichas, by partida, capítulo and período.
        list fichas(_this, FichaFilter, FichaOrderBy) -> FichaConnection = Parent::Root(FichasDe::Todas);

        /// Ministry objectives of every partida, by partida, período and prioridad.
        list objetivos_ministeriales(_this, ObjetivoMinisterialFilter, ObjetivoMinisterialOrderBy) -> ObjetivoMinisterialConnection = Parent::Root(ObjetivosMinisterialesDe::Todos);

        /// Institutional objectives of every servicio, by partida, capítulo,
        /// período and prioridad.
        list objetivos_institucionales(_this, ObjetivoInstitucionalFilter, ObjetivoInstitucionalOrderBy) -> ObjetivoInstitucionalConnection = Parent::Root(ObjetivosInstitucionalesDe::Todos);

        /// Productos of every servicio, by partida, capítulo, período and número.
        list productos(_this, ProductoFilter, ProductoOrderBy) -> ProductoConnection = Parent::Root(ProductosDe::Todos);

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
        /// alignment gaps — in total, by partida and by período, and in
        /// `grupos` by any combination of dimensions (`agruparPor`).
        async fn estadisticas(
            &self,
            ctx: &Context<'_>,
            filter: Option<EstadisticasFilter>,
            #[graphql(desc = "Dimensions to group `grupos` by, in any combination.")]
            agrupar_por: Option<Vec<AgruparPor>>,
        ) -> Result<Estadisticas> {
            Estadisticas::load(ctx, &filter.unwrap_or_default(), agrupar_por.unwrap_or_default()).await
        }
    }
}
