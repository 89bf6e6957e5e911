//! `GET /metrics` in Prometheus's text format, for the people who run the
//! server: requests by status and operation and their durations, the
//! response cache's hits and misses, persisted queries found, missed,
//! registered and refused, SQL statements, requests in flight,
//! database connections in use and idle, the data version, and admission
//! control's queue, objects in flight and refusals.
//!
//! The `metrics` crate's recorder, rendered by `metrics-exporter-prometheus`,
//! is process-wide: every router of the process reports into it.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::{DatabaseConnection, DbBackend};

/// Requests answered, by `status` and `operation`.
pub const REQUESTS: &str = "definiciones_http_requests_total";
/// How long requests took, in seconds.
pub const DURATION: &str = "definiciones_http_request_duration_seconds";
/// Answers served from the response cache.
pub const CACHE_HITS: &str = "definiciones_response_cache_hits_total";
/// Answers computed because the cache did not hold them.
pub const CACHE_MISSES: &str = "definiciones_response_cache_misses_total";
/// Persisted queries found by their hash (in memory or in the database).
pub const PERSISTED_HITS: &str = "definiciones_persisted_query_hits_total";
/// Hashes no document is stored under (or, on a locked server, no trusted one).
pub const PERSISTED_MISSES: &str = "definiciones_persisted_query_misses_total";
/// Documents clients registered with their hash.
pub const PERSISTED_REGISTERED: &str = "definiciones_persisted_query_registrations_total";
/// Documents refused: not on a locked server's allow-list, or not matching
/// their hash.
pub const PERSISTED_REFUSED: &str = "definiciones_persisted_query_refusals_total";
/// SQL statements the requests ran.
pub const STATEMENTS: &str = "definiciones_sql_statements_total";
/// Requests being answered now.
pub const IN_FLIGHT: &str = "definiciones_http_requests_in_flight";
/// Database connections, by `state` (`in_use`, `idle`).
pub const CONNECTIONS: &str = "definiciones_db_connections";
/// The data version the database is at.
pub const DATA_VERSION: &str = "definiciones_data_version";
/// Requests waiting for room to run (admission control).
pub const QUEUED: &str = "definiciones_admission_queued";
/// The estimated objects of the requests running now.
pub const ADMITTED_OBJECTS: &str = "definiciones_admission_objects";
/// Requests answered 503 `OVERLOADED`, by `reason` (`queue_full`, `waited`).
pub const REFUSED: &str = "definiciones_admission_refused_total";
/// Requests whose client left while they waited for room to run.
pub const ABANDONED: &str = "definiciones_admission_abandoned_total";

/// The longest operation name kept as a label; longer ones are cut, and a
/// name is the only thing a client chooses that becomes a label.
const MAX_OPERATION: usize = 64;

/// The process's recorder, installed on first use.
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(DURATION.to_owned()),
                &[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
                ],
            )
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics stays empty");
        }
        describe();
        handle
    })
}

/// Every series' help text, as Prometheus shows it.
fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        REQUESTS,
        "HTTP requests answered, by status and GraphQL operation"
    );
    describe_histogram!(DURATION, Unit::Seconds, "How long HTTP requests took");
    describe_counter!(CACHE_HITS, "Answers served from the response cache");
    describe_counter!(
        CACHE_MISSES,
        "Answers computed because the response cache did not hold them"
    );
    describe_counter!(
        PERSISTED_HITS,
        "Persisted queries found by their hash, in memory or in the database"
    );
    describe_counter!(
        PERSISTED_MISSES,
        "Persisted query hashes with no document this server may run"
    );
    describe_counter!(
        PERSISTED_REGISTERED,
        "Persisted queries clients registered with their hash"
    );
    describe_counter!(
        PERSISTED_REFUSED,
        "Documents refused: not on the allow-list of --persisted-only, or not matching their hash"
    );
    describe_counter!(STATEMENTS, "SQL statements the requests ran");
    describe_gauge!(IN_FLIGHT, "HTTP requests being answered");
    describe_gauge!(
        CONNECTIONS,
        "Database connections of the pool, by state (in_use, idle)"
    );
    describe_gauge!(
        DATA_VERSION,
        "The data version the database is at (raised by every import that changes data)"
    );
    describe_gauge!(QUEUED, "Requests waiting for room to run");
    describe_gauge!(
        ADMITTED_OBJECTS,
        "Objects (as estimated before running) the requests running now may hold"
    );
    describe_counter!(
        REFUSED,
        "Requests answered 503 OVERLOADED without running, by reason (queue_full, waited)"
    );
    describe_counter!(
        ABANDONED,
        "Requests whose client left while they waited for room to run"
    );
}

/// Where a request's handler says which operation it ran, for its label.
#[derive(Clone, Default)]
pub struct OperationSlot(Arc<Mutex<Option<String>>>);

impl OperationSlot {
    /// Name the request's operation.
    pub fn set(&self, name: &str) {
        let name: String = name.chars().take(MAX_OPERATION).collect();
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(name);
    }

    fn take(&self) -> String {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or_else(|| "-".to_owned())
    }
}

/// Count and time every request (middleware around the routes).
pub async fn track(mut request: Request, next: Next) -> Response {
    handle();
    let slot = OperationSlot::default();
    request.extensions_mut().insert(slot.clone());
    let started = Instant::now();
    metrics::gauge!(IN_FLIGHT).increment(1.0);
    let response = next.run(request).await;
    metrics::gauge!(IN_FLIGHT).decrement(1.0);
    let status = response.status().as_u16().to_string();
    metrics::counter!(REQUESTS, "status" => status, "operation" => slot.take()).increment(1);
    metrics::histogram!(DURATION).record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: the series, with the pool's connections and the data
/// version read now.
pub async fn metrics(State(db): State<DatabaseConnection>) -> Response {
    let (size, idle) = match db.get_database_backend() {
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size() as usize, pool.num_idle())
        }
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size() as usize, pool.num_idle())
        }
        _ => (0, 0),
    };
    metrics::gauge!(CONNECTIONS, "state" => "in_use").set(size.saturating_sub(idle) as f64);
    metrics::gauge!(CONNECTIONS, "state" => "idle").set(idle as f64);
    if let Ok(version) = crate::loaders::data_version(&db).await {
        metrics::gauge!(DATA_VERSION).set(version as f64);
    }
    let mut response = handle().render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// A router serving only `/metrics`, for `--metrics-bind`.
pub fn router(db: DatabaseConnection) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(metrics))
        .with_state(db)
}
