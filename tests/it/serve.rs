//! `definiciones serve`: migrations applied, the bundled fichas loaded into
//! an empty embedded database, `/health` and `/ready` answered.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use definiciones::{app, http};
use entity::prelude::*;
use http_body_util::BodyExt;
use sea_orm::{EntityTrait, PaginatorTrait};
use tower::ServiceExt;

use crate::helpers::each_database;

async fn get(db: &sea_orm::DatabaseConnection, uri: &str) -> (StatusCode, serde_json::Value) {
    let response = http::router(db.clone())
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("a response");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, serde_json::from_slice(&body).expect("JSON body"))
}

#[tokio::test]
async fn health_and_ready_answer() {
    each_database(|t| async move {
        let (status, body) = get(&t.db, "/health").await;
        assert_eq!(
            (status, body["status"].as_str()),
            (StatusCode::OK, Some("ok"))
        );
        let (status, body) = get(&t.db, "/ready").await;
        assert_eq!(
            (status, body["status"].as_str()),
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
        let (status, body) = get(&t.db, "/ready").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{}", t.backend);
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
        app::seed(&t.db).await.expect("seed");
        app::seed(&t.db).await.expect("seed again");
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// GET a path with a bare HTTP/1.1 request; `None` until the server answers.
fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(cwd: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (Server, u16) {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut command = Command::new(env!("CARGO_BIN_EXE_definiciones"));
    command
        .arg("serve")
        .args(["--bind", &bind])
        .args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        command.env(k, v);
    }
    let server = Server(command.spawn().expect("the server starts"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while http_get(port, "/health").is_none() {
        assert!(
            Instant::now() < deadline,
            "the server did not answer within 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, port)
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
    let db = app::open(&url).await.expect("the default database exists");
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
async fn serve_seeds_postgresql_only_when_asked() {
    each_database(|t| async move {
        if t.backend != "postgres" {
            return;
        }
        let cwd = tempfile::tempdir().expect("tempdir");
        let (server, _) = start(cwd.path(), &[], &[("DATABASE_URL", &t.url)]);
        drop(server);
        assert_eq!(Ficha::find().count(&t.db).await.expect("count"), 0);

        let (server, _) = start(cwd.path(), &["--load-bundled"], &[("DATABASE_URL", &t.url)]);
        drop(server);
        assert_eq!(Ficha::find().count(&t.db).await.expect("count"), 1);
    })
    .await;
}
