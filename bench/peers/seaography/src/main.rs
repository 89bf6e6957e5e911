//! Benchmark peer: seaography's generated GraphQL API over the definiciones
//! database (SQLite or PostgreSQL, as created by `definiciones import`).
//!
//! Environment:
//! - `DATABASE_URL` (required): `sqlite://…` or `postgres://…`.
//! - `BIND` (default `127.0.0.1:8001`): address to listen on.
//! - `DB_MAX_CONNECTIONS` (default 8 for SQLite, 16 for PostgreSQL, the
//!   pool sizes of definiciones' server, `src/store/mod.rs`; `bench/run`
//!   passes them explicitly).
//! - `DEPTH_LIMIT`, `COMPLEXITY_LIMIT` (default: no limit).
//! - `RUST_LOG` (default `info`); logs go to stderr.
//!
//! Serves `POST /graphql` only (no GraphiQL/playground).

mod entities;

use std::time::Duration;

use async_graphql::dynamic::{Schema, SchemaError};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{extract::State, routing::post, Router};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use seaography::{Builder, BuilderContext};
use tokio::net::TcpListener;

use entities::*;

lazy_static::lazy_static! {
    static ref CONTEXT: BuilderContext = BuilderContext::default();
}

fn schema(
    database: DatabaseConnection,
    depth: Option<usize>,
    complexity: Option<usize>,
) -> Result<Schema, SchemaError> {
    let mut builder = Builder::new(&CONTEXT, database.clone());
    seaography::register_entities!(
        builder,
        [
            partidas,
            servicios,
            fichas,
            objetivos_ministeriales,
            objetivos_institucionales,
            productos,
            objetivo_institucional_ministerial,
            producto_objetivo_institucional,
        ]
    );
    let mut schema = builder.schema_builder();
    if let Some(depth) = depth {
        schema = schema.limit_depth(depth);
    }
    if let Some(complexity) = complexity {
        schema = schema.limit_complexity(complexity);
    }
    schema.data(database).finish()
}

async fn graphql(State(schema): State<Schema>, req: GraphQLRequest) -> GraphQLResponse {
    schema.execute(req.into_inner()).await.into()
}

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} is not a number: {v:?}"))
    })
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();

    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL is not set");
    let bind = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:8001".into());
    let sqlite = url.starts_with("sqlite:");

    let mut options = ConnectOptions::new(url.clone());
    options
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(5))
        .max_connections(
            env_usize("DB_MAX_CONNECTIONS").unwrap_or(if sqlite { 8 } else { 16 }) as u32,
        );
    if sqlite {
        options.map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    }
    let db = Database::connect(options)
        .await
        .expect("cannot connect to DATABASE_URL");

    let schema = schema(db, env_usize("DEPTH_LIMIT"), env_usize("COMPLEXITY_LIMIT"))
        .expect("cannot build the GraphQL schema");
    let app = Router::new()
        .route("/graphql", post(graphql))
        .with_state(schema);

    let listener = TcpListener::bind(&bind)
        .await
        .unwrap_or_else(|e| panic!("cannot bind {bind}: {e}"));
    tracing::info!(%bind, backend = if sqlite { "sqlite" } else { "postgres" }, "seaography serving POST /graphql");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .expect("server error");
}
