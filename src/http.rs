//! The HTTP surface: `/graphql` (POST, and GET for queries), GraphiQL for
//! browsers, the SDL, health and readiness.
//!
//! [`router`] builds the whole application so the binary and the tests run
//! the same thing; `crate::app` binds it to a socket. Every GraphQL request
//! gets its own data loader and statement counter, and is logged once with
//! its operation name, `sql_statements` and duration.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, BatchResponse, Variables};
use async_graphql_axum::{GraphQLBatchRequest, GraphQLResponse};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde_json::{Value, json};
use tower_http::trace::TraceLayer;

use crate::graphql::{self, AppSchema};
use crate::{db, loaders};

/// Response header with the number of SQL statements a request ran.
pub const SQL_STATEMENTS_HEADER: &str = "x-sql-statements";

/// State every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// The GraphQL schema.
    pub schema: AppSchema,
}

/// The application's routes over a database.
pub fn router(db: DatabaseConnection) -> Router {
    let schema = graphql::schema(db.clone());
    Router::new()
        .route("/", get(graphiql))
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/schema.graphql", get(sdl))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .layer(TraceLayer::new_for_http())
        .with_state(AppState { db, schema })
}

/// Run a GraphQL request with its own data loader, counting its statements.
async fn execute(state: &AppState, request: BatchRequest) -> (BatchResponse, usize) {
    let statements = Arc::new(AtomicUsize::new(0));
    let loader = Arc::new(loaders::data_loader(state.db.clone(), statements.clone()));
    let operation = match &request {
        BatchRequest::Single(r) => r.operation_name.clone().unwrap_or_else(|| "-".to_owned()),
        BatchRequest::Batch(all) => all
            .iter()
            .map(|r| r.operation_name.as_deref().unwrap_or("-"))
            .collect::<Vec<_>>()
            .join(","),
    };
    let queries: Vec<String> = request.iter().map(|r| r.query.clone()).collect();
    let started = Instant::now();
    let mut response = db::count_statements(
        statements.clone(),
        state.schema.execute_batch(request.data(loader)),
    )
    .await;
    match &mut response {
        BatchResponse::Single(one) => codify(one, queries.first().map_or("", String::as_str)),
        BatchResponse::Batch(all) => {
            for (one, query) in all.iter_mut().zip(&queries) {
                codify(one, query);
            }
        }
    }
    let count = statements.load(Ordering::Relaxed);
    tracing::info!(
        operation,
        sql_statements = count,
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "graphql"
    );
    (response, count)
}

/// Give every error an `extensions.code`: async-graphql's own parse and
/// validation errors come without one.
fn codify(response: &mut async_graphql::Response, query: &str) {
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_some() {
            continue;
        }
        let code = if !error.path.is_empty() {
            "INTERNAL"
        } else if async_graphql::parser::parse_query(query).is_err() {
            "GRAPHQL_PARSE_FAILED"
        } else {
            "GRAPHQL_VALIDATION_FAILED"
        };
        extensions.set("code", code);
    }
}

fn respond(response: BatchResponse, statements: usize) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(SQL_STATEMENTS_HEADER, HeaderValue::from(statements));
    (headers, GraphQLResponse::from(response)).into_response()
}

async fn graphql_post(State(state): State<AppState>, request: GraphQLBatchRequest) -> Response {
    let (response, statements) = execute(&state, request.into_inner()).await;
    respond(response, statements)
}

/// The query string of `GET /graphql`.
#[derive(Debug, Deserialize)]
struct GetParams {
    query: Option<String>,
    variables: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

fn client_error(status: StatusCode, message: &str) -> Response {
    let body =
        json!({ "errors": [{ "message": message, "extensions": { "code": "BAD_REQUEST" } }] });
    (status, Json(body)).into_response()
}

async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<GetParams>,
) -> Response {
    let Some(query) = params.query else {
        if wants_html(&headers) {
            return graphiql().await.into_response();
        }
        return client_error(StatusCode::BAD_REQUEST, "missing the `query` parameter");
    };
    // GET is for reading: a mutation must come by POST.
    if let Ok(document) = async_graphql::parser::parse_query(&query) {
        let operation = match (&document.operations, params.operation_name.as_deref()) {
            (DocumentOperations::Single(op), _) => Some(op.node.ty),
            (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
            (DocumentOperations::Multiple(_), None) => None,
        };
        if operation == Some(OperationType::Mutation) {
            let mut response = client_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "mutations are accepted over POST only",
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
    }
    let variables = match params
        .variables
        .as_deref()
        .map(serde_json::from_str::<Value>)
    {
        None => Variables::default(),
        Some(Ok(value)) => Variables::from_json(value),
        Some(Err(error)) => {
            return client_error(
                StatusCode::BAD_REQUEST,
                &format!("`variables` is not JSON: {error}"),
            );
        }
    };
    let mut request = async_graphql::Request::new(query).variables(variables);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    let (response, statements) = execute(&state, BatchRequest::Single(request)).await;
    respond(response, statements)
}

/// The query GraphiQL opens with: the sample's links, both ways.
pub const DEFAULT_QUERY: &str = r#"# Definiciones Estratégicas: a producto, the objectives it serves, and back.
query Enlaces {
  productos(filter: { search: "dialogos con la sociedad civil" }) {
    totalCount
    nodes {
      numero
      nombre
      servicio { capitulo nombre partida { codigo nombre } }
      objetivosInstitucionales {
        nodes {
          prioridad
          descripcion
          objetivosMinisteriales {
            nodes {
              prioridad
              descripcion
              objetivosInstitucionales { nodes { prioridad productos { nodes { numero nombre } } } }
            }
          }
        }
      }
    }
  }
  sinProductos: objetivosInstitucionales(filter: { sinProductos: true }) {
    totalCount
    nodes { prioridad tipo descripcion servicio { nombre } }
  }
}
"#;

async fn graphiql() -> Html<String> {
    let default_query = serde_json::to_string(DEFAULT_QUERY).unwrap_or_else(|_| "\"\"".to_owned());
    Html(format!(
        r#"<!doctype html>
<html lang="es">
<head>
  <meta charset="utf-8">
  <title>definiciones — GraphiQL</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3.8.3/graphiql.min.css">
  <style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="https://unpkg.com/react@18.3.1/umd/react.production.min.js"></script>
  <script src="https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js"></script>
  <script src="https://unpkg.com/graphiql@3.8.3/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({{ url: "/graphql" }});
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {{ fetcher, defaultQuery: {default_query} }})
    );
  </script>
</body>
</html>"#
    ))
}

async fn sdl() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        graphql::sdl(),
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
