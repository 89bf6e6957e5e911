//! The HTTP surface: `/graphql` (POST, and GET for queries), GraphiQL for
//! browsers, the SDL, health and readiness.
//!
//! [`router`] builds the whole application so the binary and the tests run
//! the same thing; `crate::cli` binds it to a socket. The GraphQL endpoint
//! itself is [`endpoint`] (reading the request in `request`, the
//! GraphQL-over-HTTP rules in `protocol`), answers kept between imports are
//! [`cache`]'s, documents stored and named by their hash [`persisted`]'s,
//! what a query may ask is [`limits`]'s, how much runs at once
//! [`admission`]'s, the answer's field order [`response_order`]'s, answers
//! as CSV tables `csv`'s and the playground [`graphiql`]'s. This module adds
//! the layers every response gets: request ids, a log span per request,
//! CORS, compression and the body size limit.

pub mod admission;
pub mod cache;
mod csv;
pub mod endpoint;
pub mod graphiql;
pub mod limits;
pub mod memory;
pub mod metrics;
mod parsed;
pub mod persisted;
mod protocol;
mod request;
pub mod response_order;
pub mod server;
mod state;

pub use graphiql::DEFAULT_QUERY;
pub use state::AppState;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, Request, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowHeaders, AllowOrigin, Any, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::graphql;
use crate::http::admission::{Admission, Budget};
use crate::http::cache::{ResponseCache, Versions};
use crate::http::limits::Limits;
pub use protocol::SQL_STATEMENTS_HEADER;

/// The request id header: set when the client sends none, echoed in the
/// response and recorded on the request's log span.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The longest request id a client may choose.
pub const MAX_REQUEST_ID: usize = 128;

/// Keep a client's request id only when it is short and plain (visible
/// ASCII, at most [`MAX_REQUEST_ID`] characters): it is echoed and written
/// into every log line of the request, so anything else gets a new one.
async fn plain_request_id<B>(mut request: Request<B>) -> Request<B> {
    let plain = |id: &axum::http::HeaderValue| {
        let bytes = id.as_bytes();
        !bytes.is_empty() && bytes.len() <= MAX_REQUEST_ID && bytes.iter().all(u8::is_ascii_graphic)
    };
    if request
        .headers()
        .get(REQUEST_ID_HEADER)
        .is_some_and(|id| !plain(id))
    {
        request.headers_mut().remove(REQUEST_ID_HEADER);
    }
    request
}

/// How the server treats requests (`definiciones serve --help`).
#[derive(Debug, Clone, clap::Args)]
pub struct HttpSettings {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub limits: Limits,
    /// Production mode: errors do not suggest field names ("did you mean").
    #[arg(long, env = "DEFINICIONES_PRODUCTION")]
    pub production: bool,
    /// Origins browsers may call the API from (CORS), comma-separated; `*`
    /// for any.
    #[arg(
        long = "cors-origin",
        env = "DEFINICIONES_CORS_ORIGINS",
        value_delimiter = ',',
        default_value = ANY_ORIGIN
    )]
    pub cors_origins: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub connections: server::Connections,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub admission: Admission,
    /// Serve `/metrics` (Prometheus) on this address instead of beside the
    /// API, so it need not be public.
    #[arg(long = "metrics-bind", env = "DEFINICIONES_METRICS_BIND")]
    pub metrics_bind: Option<std::net::SocketAddr>,
    /// Memory for answers kept between imports, in MiB; 0 turns the
    /// response cache off.
    #[arg(
        long = "response-cache-mib",
        env = "DEFINICIONES_RESPONSE_CACHE_MIB",
        default_value_t = DEFAULT_RESPONSE_CACHE_MIB
    )]
    pub response_cache_mib: usize,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub persisted: persisted::PersistedSettings,
}

/// The CORS origin that stands for any.
pub const ANY_ORIGIN: &str = "*";

/// The response cache's default size in MiB.
pub const DEFAULT_RESPONSE_CACHE_MIB: usize = 64;

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            limits: Limits::default(),
            connections: server::Connections::default(),
            admission: Admission::default(),
            metrics_bind: None,
            production: false,
            cors_origins: vec![ANY_ORIGIN.to_owned()],
            response_cache_mib: DEFAULT_RESPONSE_CACHE_MIB,
            persisted: persisted::PersistedSettings::default(),
        }
    }
}

/// The application's routes over a database, with default settings.
pub fn router(db: DatabaseConnection) -> Router {
    router_with(db, HttpSettings::default())
}

/// The application's routes over a database.
pub fn router_with(db: DatabaseConnection, settings: HttpSettings) -> Router {
    let embedded = db.get_database_backend() == sea_orm::DbBackend::Sqlite;
    let budget = Budget::new(&settings.admission, embedded).map(Arc::new);
    router_admitting(db, settings, budget)
}

/// The application's routes over a database, admitting requests through
/// `budget` (none: admission control off) instead of one of their own, so
/// that the caller can watch it ([`Budget::load`]) or share it between
/// routers; `settings.admission` is then not read.
pub fn router_admitting(
    db: DatabaseConnection,
    settings: HttpSettings,
    budget: Option<Arc<Budget>>,
) -> Router {
    // Each request counts its statements (logged, and sent as a header).
    let db = crate::loaders::counted(db);
    let limits = Arc::new(settings.limits);
    let schema = graphql::schema(
        db.clone(),
        graphql::SchemaSettings {
            recursion: limits.recursion,
            suggestions: !settings.production,
            introspection: !limits.disable_introspection,
        },
    );
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    let cors = CorsLayer::new()
        .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
        // Whatever headers a client library adds (Apollo's
        // `apollographql-client-name`, an `Authorization` a proxy wants, a
        // request id): answers are public and carry no credentials.
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([
            header::ETAG,
            HeaderName::from_static(REQUEST_ID_HEADER),
            HeaderName::from_static(SQL_STATEMENTS_HEADER),
        ]);
    let cors = if settings.cors_origins.iter().any(|o| o == ANY_ORIGIN) {
        cors.allow_origin(Any)
    } else {
        cors.allow_origin(AllowOrigin::list(
            settings.cors_origins.iter().filter_map(|o| o.parse().ok()),
        ))
    };
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request<_>| {
            let id = request
                .headers()
                .get(REQUEST_ID_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!(
                "request",
                method = %request.method(),
                uri = %request.uri(),
                request_id = %id,
                operation = tracing::field::Empty,
                sql_statements = tracing::field::Empty,
            )
        })
        // One line a request, in its span, when it is answered.
        .on_response(
            |response: &axum::http::Response<_>,
             latency: std::time::Duration,
             _: &tracing::Span| {
                tracing::info!(
                    status = response.status().as_u16(),
                    duration_ms = latency.as_secs_f64() * 1000.0,
                    "answered"
                );
            },
        );
    let metrics_here = settings.metrics_bind.is_none();
    let metrics_db = db.clone();
    let app = Router::new()
        .route("/", get(graphiql::page))
        .route(
            "/graphql",
            get(crate::http::endpoint::graphql).post(crate::http::endpoint::graphql),
        )
        .route("/schema.graphql", get(sdl))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .merge(crate::http::graphiql::routes())
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .with_state(AppState {
            persisted: Arc::new(persisted::Documents::new(db.clone(), &settings.persisted)),
            cache: ResponseCache::new(settings.response_cache_mib).map(Arc::new),
            parsed: Arc::default(),
            versions: Versions::new(db.clone()),
            db,
            schema,
            limits,
            budget,
        });
    let app = if metrics_here {
        app.merge(metrics::router(metrics_db))
    } else {
        app
    };
    app.layer(
        ServiceBuilder::new()
            .layer(axum::middleware::map_request(plain_request_id))
            .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
            .layer(trace)
            .layer(axum::middleware::from_fn(metrics::track))
            .layer(PropagateRequestIdLayer::new(request_id))
            .layer(cors)
            .layer(CompressionLayer::new())
            .layer(RequestBodyTimeoutLayer::new(
                settings.connections.body_timeout(),
            )),
    )
}

/// The SDL, unless introspection is turned off: then the schema is not
/// given away by another door.
async fn sdl(State(state): State<AppState>) -> impl IntoResponse {
    let (status, body) = if state.limits.disable_introspection {
        (
            StatusCode::NOT_FOUND,
            "introspection is turned off on this server, and so is its SDL\n".to_owned(),
        )
    } else {
        (StatusCode::OK, graphql::sdl())
    };
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
}

/// The process is up and serving.
async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers: the instance can take traffic.
async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(error) => {
            tracing::warn!(%error, "database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "reason": "database unreachable" })),
            )
        }
    }
}
