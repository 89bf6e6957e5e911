//! The messages a newcomer meets when something is not quite right: each
//! names the thing (file, URL without its password, host and port,
//! database), says what happened and what to do, and is said once. The
//! command-line ones are pinned as snapshots, so a change shows in review;
//! GraphQL errors never point at a place that is not in the document.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use definiciones::http::{HttpSettings, router_with};
use serde_json::{Value, json};

use crate::helpers::{
    call, free_port, http_get, load_sample, post_json, postgres_url, run, send, sqlite,
};

/// What the binary wrote on stderr, which must be one `error:` line.
fn one_error(args: &[&str], cwd: &std::path::Path) -> String {
    let output = run(args, Some(cwd), &[]);
    assert!(!output.status.success(), "{args:?} succeeded");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "one error, said once: {stderr}"
    );
    stderr.trim_end().to_owned()
}

#[test]
fn a_missing_file_is_named() {
    let cwd = tempfile::tempdir().expect("tempdir");
    insta::assert_snapshot!(
        one_error(&["check", "nonexist.txt"], cwd.path()),
        @"error: nonexist.txt: no such file or directory"
    );
}

#[test]
fn an_sqlite_url_without_a_mode_creates_the_file_and_migrate_says_what_it_applied() {
    let cwd = tempfile::tempdir().expect("tempdir");
    let migrate = |url: &str| {
        let output = run(&["migrate", "--database-url", url], Some(cwd.path()), &[]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .trim_end()
            .to_owned()
    };
    insta::assert_snapshot!(migrate("sqlite://new.db"), @"applied 9 migrations: m20261123_000001_create_tables, m20261123_000002_search, m20261123_000003_data_version, m20261123_000004_ficha_counts, m20261206_000005_partida_totals, m20261206_000006_link_maxima, m20261206_000007_persisted_queries, m20261206_000008_ficha_place, m20261207_000009_search_index");
    assert!(cwd.path().join("new.db").exists());
    insta::assert_snapshot!(migrate("sqlite://new.db"), @"no migrations were pending: the database is up to date");
    insta::assert_snapshot!(
        one_error(&["migrate", "--database-url", "sqlite:///no-such-directory/new.db"], cwd.path()),
        @"error: cannot open the database sqlite:///no-such-directory/new.db: unable to open database file; check that the file's directory exists and that this user may write there"
    );
}

#[test]
fn a_stopped_postgresql_is_named_by_host_and_port_without_the_password() {
    let cwd = tempfile::tempdir().expect("tempdir");
    // Nothing listens on a port just found free.
    let port = free_port();
    let url = format!("postgres://postgres:secreto@127.0.0.1:{port}/definiciones");
    let message = one_error(&["migrate", "--database-url", &url], cwd.path());
    assert!(!message.contains("secreto"), "{message}");
    insta::with_settings!({ filters => vec![(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]")] }, {
        insta::assert_snapshot!(message, @"error: cannot open the database postgres://postgres:***@127.0.0.1:[port]/definiciones: nothing accepts connections at 127.0.0.1:[port] (connection refused): is PostgreSQL running there, on that port?");
    });
}

#[test]
fn a_postgresql_socket_that_is_not_there_is_named_by_its_path() {
    let cwd = tempfile::tempdir().expect("tempdir");
    // A directory with no PostgreSQL socket in it, given as the host.
    let directory = tempfile::tempdir().expect("tempdir");
    let shown = directory.path().display().to_string();
    let url = format!(
        "postgres://postgres@{}/definiciones",
        shown.replace('/', "%2F")
    );
    let message = one_error(&["migrate", "--database-url", &url], cwd.path())
        .replace(&shown.replace('/', "%2F"), "[encoded directory]")
        .replace(&shown, "[directory]");
    insta::assert_snapshot!(message, @"error: cannot open the database postgres://postgres@[encoded directory]/definiciones: there is no PostgreSQL socket at [directory]/.s.PGSQL.5432: is PostgreSQL running on this machine, with its socket in [directory] and on port 5432?");
}

#[test]
fn a_postgresql_database_that_does_not_exist_says_how_to_create_it() {
    let Some(admin) = postgres_url() else {
        eprintln!("skipping: TEST_DATABASE_URL is not set");
        return;
    };
    let mut url = url::Url::parse(&admin).expect("TEST_DATABASE_URL is a URL");
    url.set_path("/no_such_database_here");
    let cwd = tempfile::tempdir().expect("tempdir");
    let message = one_error(&["migrate", "--database-url", url.as_str()], cwd.path());
    let at = format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port().unwrap_or(5432)
    );
    let message = message.replace(&at, "[host]:[port]").replace(
        &format!(
            "-h {} -p {}",
            url.host_str().unwrap_or(""),
            url.port().unwrap_or(5432)
        ),
        "-h [host] -p [port]",
    );
    insta::with_settings!({ filters => vec![(r"postgres://[^@]*@", "postgres://[user]@")] }, {
        insta::assert_snapshot!(message, @r#"error: cannot open the database postgres://[user]@[host]:[port]/no_such_database_here: database "no_such_database_here" does not exist; create it first (`createdb -h [host] -p [port] no_such_database_here`)"#);
    });
}

#[test]
fn serve_on_an_empty_postgresql_says_how_to_load_fichas() {
    let Some(admin) = postgres_url() else {
        eprintln!("skipping: TEST_DATABASE_URL is not set");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (t, _guard) = runtime.block_on(crate::helpers::postgres(&admin));
    let url = t.url.clone();
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_definiciones"))
        .args(["serve", "--bind", &bind, "--database-url", &url])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !http_get(port, "/health").is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
        assert!(Instant::now() < deadline, "no /health within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = server.kill();
    let output = server.wait_with_output().expect("the server's output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("holds no fichas"))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning: {stderr}");
    assert!(warnings[0].contains("definiciones import"), "{stderr}");
    assert!(warnings[0].contains("--load-bundled"), "{stderr}");
    // A log that is not a terminal is plain text.
    assert!(
        !stderr.contains('\u{1b}'),
        "escape codes in a redirected log: {stderr:?}"
    );
}

/// Every error of an answer: a place only where there is one (line and
/// column from 1), and no error twice.
fn well_placed(body: &Value) {
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    assert!(!errors.is_empty(), "expected errors: {body}");
    for error in &errors {
        if let Some(locations) = error.get("locations") {
            for location in locations.as_array().expect("locations is a list") {
                assert!(location["line"].as_u64() >= Some(1), "{body}");
                assert!(location["column"].as_u64() >= Some(1), "{body}");
            }
        }
    }
    for (i, error) in errors.iter().enumerate() {
        assert!(!errors[..i].contains(error), "said twice: {body}");
    }
}

#[tokio::test]
async fn graphql_errors_carry_real_places_and_each_is_said_once() {
    let (t, _guard) = sqlite().await;
    let db = t.db.clone();
    load_sample(&db).await;
    let settings = HttpSettings::default();
    for query in [
        "{ partidas { nodes { codigo }",            // does not parse
        "{ partidas { nodes { nope } } }",          // does not validate
        "mutation { x }",                           // no mutations
        "{ productos(first: 501) { totalCount } }", // bad input
        "{ productos(after: \"nope\") { totalCount } }",
        "{ a: __schema { description } b: __schema { description } }",
    ] {
        let reply = send(
            &db,
            &settings,
            post_json(json!({ "query": query }).to_string()),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        well_placed(reply.json());
    }

    // The database gone: nothing in the document to point at.
    let router = router_with(db.clone(), settings);
    db.close().await.expect("the pool closes");
    let reply = call(
        &router,
        post_json(json!({ "query": "{ partidas { totalCount } }" }).to_string()),
    )
    .await;
    assert_eq!(reply.code(), "DATABASE_UNAVAILABLE", "{}", reply.json());
    well_placed(reply.json());
}
