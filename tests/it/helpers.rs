//! Fresh databases for every test (SQLite always, PostgreSQL when
//! `TEST_DATABASE_URL` names a server), the bundled sample and variants of
//! it, a way to run the binary, and requests through the router in-process
//! (every module sends its requests with these).

use std::future::Future;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use definiciones::cli;
use definiciones::http::{HttpSettings, SQL_STATEMENTS_HEADER, router_with};
use definiciones::store::import::import_bytes;
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const SAMPLE_NAME: &str = "2024-2026_20_01_secretaria-general-de-gobierno.txt";
pub const SAMPLE: &str =
    include_str!("../../data/fichas/2024-2026_20_01_secretaria-general-de-gobierno.txt");

/// The sample filed under another partida and capítulo.
pub fn sample_as(partida: &str, capitulo: &str) -> String {
    SAMPLE
        .replace("PARTIDA\t20", &format!("PARTIDA\t{partida}"))
        .replace("CAPITULO\t01", &format!("CAPITULO\t{capitulo}"))
}

/// `t`'s database as one stored before `migration`: migrated down past it
/// (and every migration after it), then up again. From a connection of its
/// own, as `definiciones migrate` runs: a pooled SQLite connection may
/// still hold the read snapshot of a statement the importer left open, and
/// would see the old schema. `t.db` is closed; use the connection returned.
pub async fn migrated_again_from(t: &TestDb, migration: &str) -> DatabaseConnection {
    use migration::{Migrator, MigratorTrait};
    t.db.clone().close().await.expect("close the pool");
    let db = Database::connect(&t.url).await.expect("connect");
    let it_and_after = Migrator::migrations()
        .iter()
        .rev()
        .position(|m| m.name() == migration)
        .unwrap_or_else(|| panic!("no migration {migration}"))
        + 1;
    Migrator::down(&db, Some(it_and_after as u32))
        .await
        .expect("down");
    Migrator::up(&db, None).await.expect("up");
    db
}

/// One database a test runs against.
#[derive(Clone)]
pub struct TestDb {
    /// Its URL, for the binary.
    pub url: String,
    /// A migrated connection pool.
    pub db: DatabaseConnection,
    /// "sqlite" or "postgres", for messages.
    pub backend: &'static str,
}

/// Removes the database when the test ends, passed or failed.
pub enum Guard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Guard::Postgres { admin_url, name } = self {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            let database = name.clone();
            // Drop may run inside a runtime: use a thread with its own.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime for cleanup");
                runtime.block_on(async {
                    let admin = Database::connect(&admin_url).await?;
                    admin
                        .execute_raw(Statement::from_string(
                            admin.get_database_backend(),
                            format!("DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"),
                        ))
                        .await?;
                    admin.close().await
                })
            })
            .join();
            if !matches!(dropped, Ok(Ok(()))) {
                eprintln!("could not drop test database {name}");
            }
        }
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "definiciones_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh, migrated SQLite database.
pub async fn sqlite() -> (TestDb, Guard) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let db = cli::open(&url).await.expect("SQLite opens and migrates");
    (
        TestDb {
            url,
            db,
            backend: "sqlite",
        },
        Guard::Sqlite(dir),
    )
}

/// The PostgreSQL server tests may use, if any. In CI there must be one:
/// the PostgreSQL half of the suite may not skip silently there.
pub fn postgres_url() -> Option<String> {
    let url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() && std::env::var_os("CI").is_some() {
        panic!("CI is set but TEST_DATABASE_URL is not: the PostgreSQL tests would be skipped");
    }
    url
}

/// A fresh, migrated PostgreSQL database on the server `admin_url` names.
pub async fn postgres(admin_url: &str) -> (TestDb, Guard) {
    let name = unique_name();
    let admin = Database::connect(admin_url)
        .await
        .expect("TEST_DATABASE_URL is reachable");
    admin
        .execute_raw(Statement::from_string(
            admin.get_database_backend(),
            format!("CREATE DATABASE \"{name}\""),
        ))
        .await
        .expect("CREATE DATABASE");
    admin.close().await.expect("close admin connection");
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url, |(base, _)| base);
    let url = format!("{base}/{name}");
    let guard = Guard::Postgres {
        admin_url: admin_url.to_owned(),
        name,
    };
    let db = cli::open(&url)
        .await
        .expect("PostgreSQL opens and migrates");
    (
        TestDb {
            url,
            db,
            backend: "postgres",
        },
        guard,
    )
}

/// Run `test` once against a fresh SQLite database and, when configured,
/// once against a fresh PostgreSQL database.
pub async fn each_database<F, Fut>(test: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let (db, guard) = sqlite().await;
    test(db.clone()).await;
    db.db.close().await.ok();
    drop(guard);
    if let Some(admin_url) = postgres_url() {
        let (db, guard) = postgres(&admin_url).await;
        test(db.clone()).await;
        db.db.close().await.ok();
        drop(guard);
    }
}

/// A directory of ficha files for a test.
pub struct Fichas {
    dir: tempfile::TempDir,
}

impl Fichas {
    pub fn new() -> Self {
        Fichas {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write a ficha file and return its path.
    pub fn write(&self, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write a ficha file");
        path
    }
}

/// Run the `definiciones` binary.
pub fn run(args: &[&str], cwd: Option<&Path>, env: &[(&str, &str)]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_definiciones"));
    command
        .args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn");
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the binary runs")
}

/// Read every file of a directory, by name.
pub fn read_dir(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("readable directory")
        .map(|e| {
            let path = e.expect("entry").path();
            let name = path
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&path).expect("readable file"))
        })
        .collect();
    files.sort();
    files
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// GET a path with a bare HTTP/1.1 request; `None` until the server answers.
pub fn http_get(port: u16, path: &str) -> Option<String> {
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

/// A server process, killed however the test ends.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `definiciones serve` on a free port in `cwd` and wait until it
/// answers `/health`.
pub fn start_server(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> (Server, u16) {
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
    let mut server = Server(command.spawn().expect("the server starts"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while !http_get(port, "/health").is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
        assert!(
            Instant::now() < deadline,
            "the server did not answer /health within 30 s"
        );
        assert!(
            server.0.try_wait().expect("the server's status").is_none(),
            "the server exited before answering /health"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, port)
}

/// Whether `tests/e2e` can run: node and its installed packages. Missing
/// tools skip a test locally (saying so) and fail it in CI.
pub fn e2e_ready(package: &str, also: &[&Path]) -> bool {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut missing = Vec::new();
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !node.is_ok_and(|s| s.success()) {
        missing.push("node".to_owned());
    }
    if !manifest
        .join("tests/e2e/node_modules")
        .join(package)
        .exists()
    {
        missing.push("tests/e2e/node_modules (npm ci --prefix tests/e2e)".to_owned());
    }
    for path in also {
        if !path.exists() {
            missing.push(path.display().to_string());
        }
    }
    if missing.is_empty() {
        return true;
    }
    let what = missing.join(", ");
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run this test, but these are missing: {what}"
    );
    eprintln!("skipping: missing {what}");
    false
}

/// Run `tests/e2e/<script>` with node (from the package's directory, as
/// every test runs) and `args`; fail the test, showing what it printed,
/// unless it succeeds. Returns what it printed on stdout.
pub fn run_e2e(script: &str, args: &[&std::ffi::OsStr]) -> String {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = Command::new("node")
        .arg(manifest.join("tests/e2e").join(script))
        .args(args)
        .current_dir(manifest)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success(),
        "tests/e2e/{script} failed ({}):\n{stdout}{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    stdout
}

/// An answer of the router, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
    /// The body as JSON, parsed the first time it is asked for.
    json: OnceLock<Value>,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> &Value {
        self.json.get_or_init(|| {
            serde_json::from_slice(&self.bytes)
                .unwrap_or_else(|_| panic!("JSON: {}", String::from_utf8_lossy(&self.bytes)))
        })
    }

    /// The body as text.
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.bytes).expect("a UTF-8 body")
    }

    /// The `data`, asserting there were no errors.
    pub fn data(&self) -> &Value {
        let body = self.json();
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        &body["data"]
    }

    /// The `extensions.code` of the first error; empty if there is none.
    pub fn code(&self) -> &str {
        self.json()["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("")
    }

    /// The message of the first error; empty if there is none.
    pub fn message(&self) -> &str {
        self.json()["errors"][0]["message"].as_str().unwrap_or("")
    }

    /// How many SQL statements the request ran, as its header says.
    pub fn statements(&self) -> usize {
        self.headers
            .get(SQL_STATEMENTS_HEADER)
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .expect("the statement count header")
    }
}

/// Send one request through `router`: the same server for every request
/// of a test that keeps it.
pub async fn call(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.expect("a response");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        bytes,
        json: OnceLock::new(),
    }
}

/// Send one request through a router built with `settings`.
pub async fn send(
    db: &DatabaseConnection,
    settings: &HttpSettings,
    request: Request<Body>,
) -> Reply {
    call(&router_with(db.clone(), settings.clone()), request).await
}

/// A POST to `/graphql` of a JSON body.
pub fn post_json(body: impl Into<Body>) -> Request<Body> {
    Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .expect("request")
}

/// A POST to `/graphql` of one query.
pub fn post_query(query: &str) -> Request<Body> {
    post_json(json!({ "query": query }).to_string())
}

/// `request`, asking for the answer in `media`.
pub fn accepting(media: &str, mut request: Request<Body>) -> Request<Body> {
    request.headers_mut().insert(
        header::ACCEPT,
        HeaderValue::from_str(media).expect("a header value"),
    );
    request
}

/// A GET of `uri`.
pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

/// A GET of `uri`, revalidating the answer tagged `etag` if there is one.
pub fn get_revalidating(uri: &str, etag: Option<&str>) -> Request<Body> {
    let mut request = Request::get(uri);
    if let Some(etag) = etag {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    request.body(Body::empty()).expect("request")
}

/// POST a query with variables under the default settings; GraphQL answers
/// 200 (errors go in the body), and says how many statements it ran.
pub async fn post(db: &DatabaseConnection, query: &str, variables: Value) -> Reply {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let reply = send(db, &HttpSettings::default(), post_json(body)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "GraphQL answers 200 with errors in the body"
    );
    // Every answer carries its statement count (this panics without it).
    reply.statements();
    reply
}

/// [`post`] without variables.
pub async fn query(db: &DatabaseConnection, query: &str) -> Reply {
    post(db, query, json!({})).await
}

/// POST a query under `settings`, whatever the answer.
pub async fn ask(db: &DatabaseConnection, settings: &HttpSettings, query: &str) -> Reply {
    send(db, settings, post_query(query)).await
}

/// The query answers without errors.
pub async fn answered(db: &DatabaseConnection, settings: &HttpSettings, query: &str) {
    let reply = ask(db, settings, query).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.json().get("errors").is_none(),
        "expected an answer, got {}",
        reply.json()
    );
}

/// The query is refused with `code`, naming `limit`; then the server still answers.
pub async fn refused(
    db: &DatabaseConnection,
    settings: &HttpSettings,
    query: &str,
    code: &str,
    limit: usize,
) {
    let reply = ask(db, settings, query).await;
    assert_eq!(reply.code(), code, "{}", reply.json());
    assert!(
        reply.message().contains(&limit.to_string()),
        "the message names the limit: {}",
        reply.message()
    );
    assert_eq!(reply.json()["data"], Value::Null, "nothing ran");
    answered(db, settings, "{ partidas { totalCount } }").await;
}

/// Import the sample ficha.
pub async fn load_sample(db: &DatabaseConnection) {
    import_bytes(db, "sample.txt", "sample.txt", SAMPLE.as_bytes())
        .await
        .expect("sample imports");
}

/// Import generated fichas (`definiciones generate`): `partidas`
/// partidas, `servicios` servicios spread over them, `periodos` fichas
/// each, from `seed`.
pub async fn load_generated(
    db: &DatabaseConnection,
    partidas: usize,
    servicios: usize,
    periodos: usize,
    seed: u64,
) {
    let scale = definiciones::ficha::generate::Scale {
        partidas,
        servicios,
        periodos,
        seed,
    };
    for ficha in definiciones::ficha::generate::fichas(scale) {
        let text = definiciones::ficha::render(&ficha);
        import_bytes(db, "generated.txt", "generated.txt", text.as_bytes())
            .await
            .expect("generated ficha imports");
    }
}

/// Run `work` on this thread and return, beside its output, the text of
/// every SQL statement it ran (the `definiciones::sql` debug log), in the
/// order they ran.
pub async fn statements_run<F: Future>(work: F) -> (F::Output, Vec<String>) {
    use std::sync::{Arc, Mutex};

    /// The log, kept in memory.
    #[derive(Clone, Default)]
    struct Kept(Arc<Mutex<Vec<u8>>>);
    impl Write for Kept {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("the log").extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    // tracing keeps, for each call site, whether any subscriber wants it.
    // While one subscriber is registered in the process, it asks only the
    // subscriber of the thread that first reaches a call site: another
    // test's thread could mark the SQL call site unwanted while this one
    // listens (the test heard no statement once, in CI). With a second
    // subscriber that lives as long as the process, tracing asks every
    // live one, this one included.
    static EVERY_SUBSCRIBER_ASKED: std::sync::OnceLock<tracing::Dispatch> =
        std::sync::OnceLock::new();
    EVERY_SUBSCRIBER_ASKED
        .get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));

    let kept = Kept::default();
    let writer = kept.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "definiciones::sql=debug",
        ))
        .with_ansi(false)
        .without_time()
        .with_writer(move || writer.clone())
        .finish();
    // The request runs on this thread (a current-thread runtime), so a
    // subscriber set for the thread hears every statement of it.
    let output = {
        let _log = tracing::subscriber::set_default(subscriber);
        work.await
    };
    let log = String::from_utf8(kept.0.lock().expect("the log").clone()).expect("UTF-8");
    let statements = log
        .lines()
        .filter_map(|line| Some(line.split_once(" sql=")?.1.to_owned()))
        .collect();
    (output, statements)
}
