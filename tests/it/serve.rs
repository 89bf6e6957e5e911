//! `definiciones serve`: migrations applied, the bundled fichas loaded into
//! an empty embedded database, `/health` and `/ready` answered.

use std::process::Command;

use axum::http::StatusCode;
use definiciones::cli;
use definiciones::http::HttpSettings;
use entity::prelude::*;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::helpers::{each_database, get, http_get, send, start_server as start};

#[tokio::test]
async fn health_and_ready_answer() {
    each_database(|t| async move {
        let reply = send(&t.db, &HttpSettings::default(), get("/health")).await;
        assert_eq!(
            (reply.status, reply.json()["status"].as_str()),
            (StatusCode::OK, Some("ok"))
        );
        let reply = send(&t.db, &HttpSettings::default(), get("/ready")).await;
        assert_eq!(
            (reply.status, reply.json()["status"].as_str()),
            (StatusCode::OK, Some("ready")),
            "{}",
            t.backend
        );
    })
    .await;
}

#[tokio::test]
async fn ready_says_so_when_the_database_is_gone() {
    each_database(|t| async move {
        t.db.clone().close().await.expect("close");
        let reply = send(&t.db, &HttpSettings::default(), get("/ready")).await;
        assert_eq!(
            reply.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{}",
            t.backend
        );
        let body = reply.json();
        assert_eq!(body["status"], "unavailable");
        assert!(
            !body.to_string().contains("sqlx"),
            "no internals leak: {body}"
        );
    })
    .await;
}

#[tokio::test]
async fn seeding_loads_the_bundled_fichas_once() {
    each_database(|t| async move {
        cli::seed(&t.db).await.expect("seed");
        cli::seed(&t.db).await.expect("seed again");
        assert_eq!(
            Ficha::find().count(&t.db).await.expect("count"),
            1,
            "{}",
            t.backend
        );
        assert_eq!(Producto::find().count(&t.db).await.expect("count"), 10);
    })
    .await;
}

#[tokio::test]
async fn serve_on_a_fresh_directory_creates_the_database_with_the_bundled_ficha() {
    let cwd = tempfile::tempdir().expect("tempdir");
    let (mut server, port) = start(cwd.path(), &[], &[]);
    let response = http_get(port, "/health").expect("an answer");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains(r#"{"status":"ok"}"#), "{response}");

    // SIGTERM: a graceful stop.
    let pid = server.0.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = server.0.wait().expect("the server exits");
    assert!(status.success(), "graceful shutdown exits 0, got {status}");

    let url = format!("sqlite://{}", cwd.path().join("definiciones.db").display());
    let db = cli::open(&url).await.expect("the default database exists");
    assert_eq!(Ficha::find().count(&db).await.expect("count"), 1);
    assert_eq!(
        ObjetivoInstitucional::find()
            .count(&db)
            .await
            .expect("count"),
        9
    );
}

#[tokio::test]
async fn serve_seeds_sqlite_always_and_postgresql_only_when_asked() {
    each_database(|t| async move {
        // An empty SQLite database is the embedded one a user starts with:
        // always seeded. PostgreSQL is the operator's: only when asked.
        let unasked = if t.backend == "sqlite" { 1 } else { 0 };
        let cwd = tempfile::tempdir().expect("tempdir");
        let (server, _) = start(cwd.path(), &[], &[("DATABASE_URL", &t.url)]);
        drop(server);
        assert_eq!(
            Ficha::find().count(&t.db).await.expect("count"),
            unasked,
            "{}",
            t.backend
        );

        let (server, _) = start(cwd.path(), &["--load-bundled"], &[("DATABASE_URL", &t.url)]);
        drop(server);
        assert_eq!(
            Ficha::find().count(&t.db).await.expect("count"),
            1,
            "{}",
            t.backend
        );
    })
    .await;
}
