//! Admission control: heavy requests beyond the memory budget wait their
//! turn and complete; a full queue, or a wait past its longest, is a `503`
//! with `Retry-After` before any work; a waiting request whose client left
//! never runs; a kept answer takes nothing from the budget.
//!
//! Each test watches its own budget ([`Budget::load`]) rather than the
//! clock: the requests it admits are held in place, either by holding the
//! budget itself or by holding every connection of the pool, so that what
//! runs and what waits can be read at leisure.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::Variables;
use axum::Router;
use axum::http::{StatusCode, header};
use definiciones::http::admission::{Admission, Budget, Load};
use definiciones::http::limits::cost;
use definiciones::http::server::Connections;
use definiciones::http::{HttpSettings, router_admitting};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbBackend, TransactionTrait};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Reply, accepting, call, each_database, load_sample, post_query, run, sqlite};

/// Twenty productos, each with five of its objectives: 141 objects by its
/// pages, fewer by the sample's data (see [`objects`]).
const HEAVY: &str = "{ productos(first: 20) { nodes { numero objetivosInstitucionales(first: 5) { nodes { prioridad } } } } }";

/// What `query` weighs over the data of `db`.
async fn objects(db: &DatabaseConnection, query: &str) -> u64 {
    let document = async_graphql::parser::parse_query(query).expect("parses");
    let maxima = definiciones::loaders::maxima(db).await.expect("maxima");
    cost::estimate(&document, None, &Variables::default(), &maxima).objects
}

fn budget(objects: u64, queue: usize, wait_ms: u64) -> Arc<Budget> {
    Arc::new(
        Budget::new(
            &Admission {
                budget: Some(objects),
                queue,
                wait_ms,
            },
            true,
        )
        .expect("admission on"),
    )
}

/// A server over `db` admitting through `budget`, with or without the
/// response cache.
fn serving(db: &DatabaseConnection, budget: &Arc<Budget>, cache: bool) -> Router {
    let settings = HttpSettings {
        response_cache_mib: if cache { 64 } else { 0 },
        ..HttpSettings::default()
    };
    router_admitting(db.clone(), settings, Some(budget.clone()))
}

/// Wait (at most 10 s) until the budget's load is as `wanted` says.
async fn until(budget: &Budget, what: &str, wanted: impl Fn(&Load) -> bool) -> Load {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let load = budget.load();
        if wanted(&load) {
            return load;
        }
        assert!(Instant::now() < deadline, "never {what}: {load:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Every connection of the pool, each in an open transaction: a request
/// that runs waits for one (up to the pool's 5 s), so it stays in flight.
async fn hold_pool(db: &DatabaseConnection) -> Vec<DatabaseTransaction> {
    let size = match db.get_database_backend() {
        DbBackend::Sqlite => db
            .get_sqlite_connection_pool()
            .options()
            .get_max_connections(),
        _ => db
            .get_postgres_connection_pool()
            .options()
            .get_max_connections(),
    };
    let mut held = Vec::new();
    for _ in 0..size {
        held.push(db.begin().await.expect("a connection of the pool"));
    }
    held
}

async fn release(held: Vec<DatabaseTransaction>) {
    for transaction in held {
        transaction.rollback().await.expect("rollback");
    }
}

/// A request sent on its own task.
fn sent(router: &Router, query: &str) -> tokio::task::JoinHandle<Reply> {
    let (router, request) = (router.clone(), post_query(query));
    tokio::spawn(async move { call(&router, request).await })
}

fn overloaded(reply: &Reply, retry_after: &str, says: &str) {
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.text()
    );
    assert_eq!(
        reply
            .headers
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap_or("")),
        Some(retry_after)
    );
    assert_eq!(reply.code(), "OVERLOADED");
    assert!(reply.message().contains(says), "{}", reply.message());
    assert!(reply.json().get("data").is_none(), "nothing ran");
}

#[tokio::test]
async fn only_the_budget_runs_at_once_and_the_rest_wait_their_turn_and_complete() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let weight = objects(&t.db, HEAVY).await;
        // The sample's 10 productos, each serving one objective.
        assert_eq!(weight, 1 + 10 * (1 + 1 + 1));
        // Room for two at once.
        let budget = budget(2 * weight, 10, 60_000);
        let router = serving(&t.db, &budget, false);
        // Each request reads the data version (what it is costed at)
        // before it waits its turn: let all five do so, then hold the pool
        // so that those admitted stay in flight.
        let everything = budget.admit(u64::MAX).await.expect("room");
        let requests: Vec<_> = (0..5).map(|_| sent(&router, HEAVY)).collect();
        until(&budget, "all five waiting", |l| l.queued == 5).await;
        let held = hold_pool(&t.db).await;
        drop(everything);
        let load = until(&budget, "two admitted", |l| l.running == 2).await;
        assert_eq!(
            (load.running, load.objects, load.queued),
            (2, 2 * weight, 3),
            "{}: two run, three wait",
            t.backend
        );
        release(held).await;
        for request in requests {
            let reply = request.await.expect("the request's task");
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
            let productos = &reply.data()["productos"]["nodes"];
            assert_eq!(
                productos.as_array().map(Vec::len),
                Some(10),
                "{}",
                t.backend
            );
        }
        let load = budget.load();
        // The five, and the test's own hold of everything.
        assert_eq!(
            (load.running, load.queued, load.admitted, load.refused),
            (0, 0, 6, 0)
        );
    })
    .await;
}

#[tokio::test]
async fn a_full_queue_is_answered_503_at_once_with_retry_after() {
    let (t, _guard) = sqlite().await;
    load_sample(&t.db).await;
    let budget = budget(objects(&t.db, HEAVY).await, 1, 60_000);
    let router = serving(&t.db, &budget, false);
    let everything = budget.admit(u64::MAX).await.expect("room");
    let waiting = sent(&router, HEAVY);
    until(&budget, "one waiting", |l| l.queued == 1).await;
    for media in ["application/json", "application/graphql-response+json"] {
        let reply = call(&router, accepting(media, post_query(HEAVY))).await;
        overloaded(&reply, "60", "already waiting");
    }
    // The one waiting still gets its turn.
    drop(everything);
    let reply = waiting.await.expect("the request's task");
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let load = budget.load();
    assert_eq!((load.admitted, load.refused), (2, 2));
}

#[tokio::test]
async fn a_request_that_waits_past_its_longest_is_answered_503() {
    let (t, _guard) = sqlite().await;
    load_sample(&t.db).await;
    let budget = budget(objects(&t.db, HEAVY).await, 5, 300);
    let router = serving(&t.db, &budget, false);
    let everything = budget.admit(u64::MAX).await.expect("room");
    let reply = call(&router, post_query(HEAVY)).await;
    overloaded(&reply, "1", "waited 300 ms");
    drop(everything);
    let reply = call(&router, post_query(HEAVY)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
}

/// A raw HTTP/1.1 POST of `query` to the server on `port`.
async fn posting(port: u16, query: &str) -> TcpStream {
    let body = serde_json::json!({ "query": query }).to_string();
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("writes");
    stream
}

#[tokio::test]
async fn a_waiting_request_whose_client_left_never_runs() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let budget = budget(objects(&t.db, HEAVY).await, 5, 60_000);
        let router = serving(&t.db, &budget, false);
        // The real server, over TCP, as hyper serves it.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let port = listener.local_addr().expect("an address").port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(definiciones::cli::serve_on(
            listener,
            router,
            Connections::default(),
            async {
                stopped.await.ok();
            },
        ));
        let everything = budget.admit(u64::MAX).await.expect("room");
        let gone = posting(port, HEAVY).await;
        until(&budget, "the request waiting", |l| l.queued == 1).await;
        // The client leaves while its request waits.
        drop(gone);
        let load = until(&budget, "the request given up", |l| l.queued == 0).await;
        assert_eq!(load.abandoned, 1, "{}", t.backend);
        drop(everything);
        // Another request runs; the one given up never did.
        let mut stays = posting(port, HEAVY).await;
        let mut answer = String::new();
        stays.read_to_string(&mut answer).await.expect("an answer");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let load = budget.load();
        assert_eq!(
            (load.admitted, load.abandoned, load.running, load.queued),
            (2, 1, 0, 0),
            "admitted: the test's hold and the second request only"
        );
        stop.send(()).ok();
        server
            .await
            .expect("the server's task")
            .expect("the server stops");
    })
    .await;
}

#[tokio::test]
async fn a_kept_answer_takes_nothing_from_the_budget() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        // No queue: a request finding the budget full is refused at once.
        let budget = budget(objects(&t.db, HEAVY).await, 0, 60_000);
        let router = serving(&t.db, &budget, true);
        let computed = call(&router, post_query(HEAVY)).await;
        assert_eq!(computed.status, StatusCode::OK, "{}", computed.text());
        let everything = budget.admit(u64::MAX).await.expect("room");
        let kept = call(&router, post_query(HEAVY)).await;
        assert_eq!(kept.status, StatusCode::OK, "{}", kept.text());
        assert_eq!(kept.bytes, computed.bytes);
        // The budget was full: anything not kept is refused.
        let other = call(&router, post_query("{ partidas { nodes { codigo } } }")).await;
        overloaded(&other, "60", "already waiting");
        drop(everything);
        let load = budget.load();
        assert_eq!((load.admitted, load.refused), (2, 1), "{}", t.backend);
    })
    .await;
}

/// Each setting is a flag of `serve` with its environment variable (the
/// help shows the variable's value when it is set) and its default.
#[test]
fn the_admission_settings_are_flags_and_environment_variables() {
    let settings = [
        (
            "--admission-budget",
            "DEFINICIONES_ADMISSION_BUDGET",
            "1234",
            "default: 40000 on SQLite",
        ),
        (
            "--admission-queue",
            "DEFINICIONES_ADMISSION_QUEUE",
            "5",
            "default: 256",
        ),
        (
            "--admission-wait-ms",
            "DEFINICIONES_ADMISSION_WAIT_MS",
            "700",
            "default: 10000",
        ),
    ];
    let env: Vec<(&str, &str)> = settings.iter().map(|(_, e, v, _)| (*e, *v)).collect();
    let help = run(&["serve", "--help"], None, &env);
    // Words only: the help wraps to the terminal.
    let help = String::from_utf8_lossy(&help.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for (flag, env, value, default) in settings {
        let at = help
            .find(&format!("{flag} <"))
            .unwrap_or_else(|| panic!("{flag} in serve --help: {help}"));
        let entry = &help[at..];
        let entry = &entry[..entry[2..].find(" --").map_or(entry.len(), |end| end + 2)];
        assert!(
            entry.contains(&format!("[env: {env}={value}]")),
            "{flag} reads {env}: {entry}"
        );
        assert!(entry.contains(default), "{flag}: {default}: {entry}");
    }
}
