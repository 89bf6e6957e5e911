//! The HTTP surface: routes, shared state and response shapes.
//!
//! [`router`] builds the whole application so the binary and the tests run
//! the same thing; `crate::app` binds it to a socket.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use tower_http::trace::TraceLayer;

/// State every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
}

/// The application's routes over a database.
pub fn router(db: DatabaseConnection) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .layer(TraceLayer::new_for_http())
        .with_state(AppState { db })
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
