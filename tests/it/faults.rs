//! Faults the service must survive: the PostgreSQL server going away and
//! coming back under a running router, an importer killed at any point,
//! importers and readers working on one database at the same time, and two
//! processes starting together on a database nobody has migrated yet.
//!
//! Fresh databases, ficha variants, running the binary and requests
//! through the router are `crate::helpers`' job. This module only adds what
//! faults need: a throwaway PostgreSQL cluster, an importer that can be
//! killed, and a check that every stored ficha is whole.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use definiciones::{cli, http};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};

use crate::helpers::{
    Fichas, Reply, call, each_database, free_port, get, post_query, postgres, postgres_url, query,
    read_dir, run, sample_as,
};

/// What one ficha variant of the sample stores.
const OBJETIVOS_INSTITUCIONALES: i64 = 9;
const PRODUCTOS: i64 = 10;
const LINKS_TO_MINISTERIALES: i64 = 9;
const LINKS_TO_INSTITUCIONALES: i64 = 10;
const OBJETIVOS_MINISTERIALES: i64 = 9;

/// Longest a request may take while the database is down: the pool gives up
/// acquiring after 5 s, so 12 s means it did not hang.
const ANSWER_WITHIN: Duration = Duration::from_secs(12);

/// A small deterministic pseudo-random sequence (Knuth's MMIX LCG): every
/// run picks the same kill points.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound.max(1)
    }
}

fn utf8(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// Write the sample as `partida`/`capítulo` into `fichas`, named so a
/// directory imports partida by partida.
fn write_variant(fichas: &Fichas, partida: u32, capitulo: u32) {
    let (partida, capitulo) = (partida.to_string(), format!("{capitulo:02}"));
    fichas.write(
        &format!("{partida}_{capitulo}.txt"),
        sample_as(&partida, &capitulo),
    );
}

// ---------------------------------------------------------------------------
// Whole fichas.

/// Per ficha: its institutional objectives, productos, and both kinds of
/// links. Correlated counts, so a ficha missing a kind of row shows a 0.
const PER_FICHA: &str = "SELECT f.id, \
    (SELECT COUNT(*) FROM objetivos_institucionales o WHERE o.ficha_id = f.id), \
    (SELECT COUNT(*) FROM productos p WHERE p.ficha_id = f.id), \
    (SELECT COUNT(*) FROM objetivo_institucional_ministerial l \
        JOIN objetivos_institucionales o ON o.id = l.objetivo_institucional_id \
        WHERE o.ficha_id = f.id), \
    (SELECT COUNT(*) FROM producto_objetivo_institucional l \
        JOIN productos p ON p.id = l.producto_id WHERE p.ficha_id = f.id) \
    FROM fichas f ORDER BY f.id";

/// Per partida: its fichas and ministry objectives (one período here).
const PER_PARTIDA: &str = "SELECT p.codigo, \
    (SELECT COUNT(*) FROM servicios s JOIN fichas f ON f.servicio_id = s.id \
        WHERE s.partida_id = p.id), \
    (SELECT COUNT(*) FROM objetivos_ministeriales m WHERE m.partida_id = p.id) \
    FROM partidas p ORDER BY p.codigo";

/// Servicios no ficha stands behind: what a half-written ficha would leave.
const ORPHAN_SERVICIOS: &str = "SELECT COUNT(*) FROM servicios s \
    WHERE NOT EXISTS (SELECT 1 FROM fichas f WHERE f.servicio_id = s.id)";

async fn rows(db: &DatabaseConnection, sql: &str) -> Vec<sea_orm::QueryResult> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn count(row: &sea_orm::QueryResult, index: usize) -> i64 {
    row.try_get_by_index(index).expect("a COUNT(*) column")
}

/// Assert every stored ficha is whole and nothing of a partial one is left;
/// return how many fichas are stored.
async fn assert_whole(db: &DatabaseConnection, when: &str) -> usize {
    let fichas = rows(db, PER_FICHA).await;
    for row in &fichas {
        let id: i32 = row.try_get_by_index(0).expect("fichas.id");
        let counts: Vec<i64> = (1..=4).map(|i| count(row, i)).collect();
        assert_eq!(
            counts,
            [
                OBJETIVOS_INSTITUCIONALES,
                PRODUCTOS,
                LINKS_TO_MINISTERIALES,
                LINKS_TO_INSTITUCIONALES
            ],
            "{when}: ficha {id} is not whole \
             (objetivos institucionales, productos, links to ministry objectives, producto links)"
        );
    }
    for row in rows(db, PER_PARTIDA).await {
        let codigo: String = row.try_get_by_index(0).expect("partidas.codigo");
        let (fichas, ministeriales) = (count(&row, 1), count(&row, 2));
        assert!(
            fichas > 0,
            "{when}: partida {codigo} is stored without any ficha"
        );
        assert_eq!(
            ministeriales, OBJETIVOS_MINISTERIALES,
            "{when}: partida {codigo} ({fichas} fichas) has {ministeriales} ministry objectives"
        );
    }
    let orphans = count(
        rows(db, ORPHAN_SERVICIOS).await.first().expect("one row"),
        0,
    );
    assert_eq!(orphans, 0, "{when}: servicios stored without their ficha");
    fichas.len()
}

/// The (partida, capítulo) of every stored ficha, sorted, duplicates kept.
async fn stored_codes(db: &DatabaseConnection) -> Vec<(String, String)> {
    let sql = "SELECT p.codigo, s.capitulo FROM fichas f \
        JOIN servicios s ON s.id = f.servicio_id JOIN partidas p ON p.id = s.partida_id";
    let mut codes: Vec<(String, String)> = rows(db, sql)
        .await
        .iter()
        .map(|row| {
            (
                row.try_get_by_index(0).expect("partidas.codigo"),
                row.try_get_by_index(1).expect("servicios.capitulo"),
            )
        })
        .collect();
    codes.sort();
    codes
}

// ---------------------------------------------------------------------------
// The importer as a child process.

/// A running `definiciones import`, killed if the test ends first.
struct Importer {
    child: Child,
    name: String,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Importer {
    fn spawn(url: &str, dir: &Path, logs: &Path, name: &str) -> Self {
        let stdout = logs.join(format!("{name}.out"));
        let stderr = logs.join(format!("{name}.err"));
        let log = |path: &Path| Stdio::from(std::fs::File::create(path).expect("a log file"));
        let child = Command::new(env!("CARGO_BIN_EXE_definiciones"))
            .args(["import", "--database-url", url, utf8(dir)])
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log(&stdout))
            .stderr(log(&stderr))
            .spawn()
            .expect("the importer starts");
        Importer {
            child,
            name: name.to_owned(),
            stdout,
            stderr,
        }
    }

    /// SIGKILL (what `Child::kill` sends on Unix: `kill -9`), no chance to
    /// clean up. Whether it was still running.
    fn kill(&mut self) -> bool {
        let running = matches!(self.child.try_wait(), Ok(None));
        self.child.kill().expect("SIGKILL the importer");
        self.child.wait().expect("reap the importer");
        running
    }

    fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("poll the importer")
    }

    /// Wait for the importer to exit; fail the test (a deadlock or a hang)
    /// if it has not by `deadline`.
    async fn wait(&mut self, deadline: Instant) -> ExitStatus {
        loop {
            if let Some(status) = self.exited() {
                return status;
            }
            if Instant::now() > deadline {
                self.kill();
                panic!(
                    "importer {} still running at the deadline: deadlocked or hung\nstderr:\n{}",
                    self.name,
                    self.stderr()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Fichas this run has reported as imported (one `imported <file>`
    /// line each, printed after the commit).
    fn imported(&self) -> usize {
        self.stdout()
            .lines()
            .filter(|l| l.starts_with("imported ") && !l.contains(", replaced "))
            .count()
    }

    /// Wait until the importer has reported `at_least` fichas, or has
    /// exited; fail the test if neither happens by `deadline`. Returns the
    /// count reported.
    async fn wait_for_imported(&mut self, at_least: u64, deadline: Instant) -> usize {
        let at_least = usize::try_from(at_least).expect("a small count");
        loop {
            let imported = self.imported();
            if imported >= at_least || self.exited().is_some() {
                return imported;
            }
            if Instant::now() > deadline {
                self.kill();
                panic!(
                    "importer {} reported {imported} of {at_least} fichas by the deadline: hung\nstderr:\n{}",
                    self.name,
                    self.stderr()
                );
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    fn stdout(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for Importer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The counts of an import's closing summary line: imported, replaced,
/// unchanged, refused.
fn summary(stdout: &str) -> [usize; 4] {
    let line = stdout
        .lines()
        .rfind(|l| l.contains(", replaced "))
        .unwrap_or_else(|| panic!("no summary line in:\n{stdout}"));
    let counts: Vec<usize> = line
        .split(", ")
        .filter_map(|part| part.rsplit_once(' ')?.1.parse().ok())
        .collect();
    counts
        .try_into()
        .unwrap_or_else(|_| panic!("a summary of four counts: {line}"))
}

fn assert_ran(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A directory's files by name, as `read_dir` gives them.
type Files = Vec<(String, Vec<u8>)>;

fn export(url: &str, what: &str) -> Files {
    let out = tempfile::tempdir().expect("a temporary directory");
    assert_ran(
        &run(
            &["export", "--database-url", url, utf8(out.path())],
            None,
            &[],
        ),
        what,
    );
    read_dir(out.path())
}

// ---------------------------------------------------------------------------
// A throwaway PostgreSQL cluster.

/// The newest `/usr/lib/postgresql/<version>/bin` with a `pg_ctl`.
fn postgres_bin() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let version = path.file_name()?.to_str()?.parse().ok()?;
            let bin = path.join("bin");
            bin.join("pg_ctl").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// A PostgreSQL cluster in a temporary directory, trusting local
/// connections, stopped (and removed) when dropped.
struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    /// `initdb` and the server refuse to run as root: run them as `postgres`.
    as_postgres: bool,
}

impl Cluster {
    fn create(bin: PathBuf) -> Self {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let as_postgres = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
        if as_postgres {
            let chown = Command::new("chown")
                .args(["postgres:", utf8(dir.path())])
                .status()
                .expect("chown runs");
            assert!(chown.success(), "chown the cluster directory to postgres");
        }
        let cluster = Cluster {
            bin,
            dir,
            port: free_port(),
            as_postgres,
        };
        let data = cluster.data();
        let initdb = cluster.tool(
            "initdb",
            &[
                "-D",
                utf8(&data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        assert_ran(&initdb, "initdb");
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn tool(&self, name: &str, args: &[&str]) -> Output {
        let program = self.bin.join(name);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{} runs: {e}", program.display()))
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            utf8(self.dir.path())
        );
        let log = self.dir.path().join("server.log");
        let started = self.tool(
            "pg_ctl",
            &[
                "-D",
                utf8(&self.data()),
                "-l",
                utf8(&log),
                "-o",
                &options,
                "-w",
                "-t",
                "30",
                "start",
            ],
        );
        if !started.status.success() {
            panic!(
                "pg_ctl start failed: {}\n{}\nserver log:\n{}",
                String::from_utf8_lossy(&started.stdout),
                String::from_utf8_lossy(&started.stderr),
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
    }

    fn stop(&self, mode: &str) -> Output {
        self.tool(
            "pg_ctl",
            &["-D", utf8(&self.data()), "-m", mode, "-w", "stop"],
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Already stopped is fine: this only makes sure no server outlives the test.
        let _ = self.stop("immediate");
    }
}

/// Send `request` through the router in its own task, so a hang is caught by
/// the timeout and a panic is reported as such.
async fn within_time(router: &Router, request: Request<Body>) -> (Reply, Duration) {
    let router = router.clone();
    let started = Instant::now();
    let task = tokio::spawn(async move { call(&router, request).await });
    let reply = tokio::time::timeout(ANSWER_WITHIN, task)
        .await
        .unwrap_or_else(|_| panic!("no answer within {ANSWER_WITHIN:?}: the request hangs"))
        .expect("the request does not panic");
    (reply, started.elapsed())
}

async fn graphql(router: &Router, query: &str) -> (Value, Duration) {
    let (reply, elapsed) = within_time(router, post_query(query)).await;
    let body = reply.json().clone();
    assert_eq!(reply.status, StatusCode::OK, "GraphQL answers 200: {body}");
    (body, elapsed)
}

async fn ready(router: &Router) -> (StatusCode, Value, Duration) {
    let (reply, elapsed) = within_time(router, get("/ready")).await;
    (reply.status, reply.json().clone(), elapsed)
}

const SEEDED: &str = "{ fichas(first: 10) { totalCount nodes { objetivosInstitucionales { totalCount } productos { totalCount } } } }";

fn assert_seeded(body: &Value, when: &str) {
    assert!(body.get("errors").is_none(), "{when}: errors: {body}");
    assert_eq!(
        body["data"]["fichas"],
        json!({ "totalCount": 1, "nodes": [{
            "objetivosInstitucionales": { "totalCount": OBJETIVOS_INSTITUCIONALES },
            "productos": { "totalCount": PRODUCTOS },
        }] }),
        "{when}"
    );
}

fn assert_unavailable(body: &Value, elapsed: Duration, when: &str) {
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "DATABASE_UNAVAILABLE",
        "{when}: after {elapsed:?}: {body}"
    );
    assert!(
        !body.to_string().contains("sqlx"),
        "{when}: no internals leak: {body}"
    );
}

#[tokio::test]
async fn postgresql_outage_fails_fast_and_recovers_without_restart() {
    let Some(bin) = postgres_bin() else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "CI is set but /usr/lib/postgresql has no pg_ctl: the outage test would be skipped"
            );
        }
        eprintln!("skipped: no PostgreSQL server binaries under /usr/lib/postgresql");
        return;
    };
    let cluster = Cluster::create(bin);
    cluster.start();
    let db = cli::open(&cluster.url())
        .await
        .expect("the throwaway cluster opens and migrates");
    cli::seed(&db).await.expect("the bundled ficha loads");
    // One router and one pool for the whole test, as a running server has.
    let router = http::router(db);

    let (body, _) = graphql(&router, SEEDED).await;
    assert_seeded(&body, "before the outage");
    let (status, body, _) = ready(&router).await;
    assert_eq!(status, StatusCode::OK, "ready before the outage: {body}");

    let stopped = cluster.stop("fast");
    assert_ran(&stopped, "pg_ctl stop");

    // One client after another, then a burst: each gets a retryable error
    // in bounded time, none waits forever for the database.
    for attempt in 1..=2 {
        let (body, elapsed) = graphql(&router, SEEDED).await;
        assert_unavailable(
            &body,
            elapsed,
            &format!("query {attempt} during the outage"),
        );
        eprintln!("outage: query {attempt} failed in {elapsed:?}");
    }
    let burst: Vec<_> = (0..8)
        .map(|_| {
            let router = router.clone();
            tokio::spawn(async move { graphql(&router, SEEDED).await })
        })
        .collect();
    for (i, answer) in burst.into_iter().enumerate() {
        let (body, elapsed) = answer.await.expect("a burst query does not panic");
        assert_unavailable(
            &body,
            elapsed,
            &format!("burst query {i} during the outage"),
        );
    }
    let (status, body, elapsed) = ready(&router).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("unavailable")),
        "ready during the outage, after {elapsed:?}: {body}"
    );
    eprintln!("outage: /ready answered 503 in {elapsed:?}");

    cluster.start();
    let restarted = Instant::now();
    let mut last = Value::Null;
    let mut recovered = false;
    for _ in 0..10 {
        let (body, _) = graphql(&router, SEEDED).await;
        let (status, _, _) = ready(&router).await;
        if body.get("errors").is_none() && status == StatusCode::OK {
            assert_seeded(&body, "after the restart");
            recovered = true;
            break;
        }
        last = body;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        recovered,
        "the same router did not recover after the database came back; last answer: {last}"
    );
    eprintln!("recovered {:?} after the restart", restarted.elapsed());
}

/// Connections the database ends under a running server (an
/// administrator's `pg_terminate_backend`, a failover) leave the pool:
/// each fails at most the request that found it ended, and the requests
/// after it answer, without waiting for the pool's idle check. The pool
/// flushes a connection it is given back rather than pinging it
/// (`vendor/README.md`); an ended connection must not go back in.
#[tokio::test]
async fn postgresql_connections_the_database_ends_leave_the_pool() {
    let Some(admin_url) = postgres_url() else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let (t, _guard) = postgres(&admin_url).await;
    cli::seed(&t.db).await.expect("the bundled ficha loads");
    let router = http::router(t.db.clone());
    // Open several of the pool's connections at once.
    let burst: Vec<_> = (0..8)
        .map(|_| {
            let router = router.clone();
            tokio::spawn(async move { graphql(&router, SEEDED).await })
        })
        .collect();
    for answer in burst {
        let (body, _) = answer.await.expect("a query does not panic");
        assert_seeded(&body, "before the connections are ended");
    }

    let name = t.url.rsplit('/').next().expect("a database name");
    let admin = sea_orm::Database::connect(&admin_url)
        .await
        .expect("TEST_DATABASE_URL is reachable");
    let ended = admin
        .query_one_raw(Statement::from_string(
            admin.get_database_backend(),
            format!(
                "SELECT COUNT(pg_terminate_backend(pid)) AS ended FROM pg_stat_activity \
                 WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            ),
        ))
        .await
        .expect("pg_terminate_backend")
        .expect("a row")
        .try_get::<i64>("", "ended")
        .expect("a count");
    admin.close().await.expect("close the admin connection");
    assert!(ended >= 1, "the server's connections were ended: {ended}");

    let mut failed = 0;
    let mut answered_in_a_row = 0;
    for attempt in 1..=40 {
        let (body, elapsed) = graphql(&router, SEEDED).await;
        if body.get("errors").is_some() {
            assert_unavailable(&body, elapsed, &format!("request {attempt}"));
            failed += 1;
            answered_in_a_row = 0;
        } else {
            assert_seeded(&body, &format!("request {attempt}"));
            answered_in_a_row += 1;
        }
    }
    eprintln!(
        "{ended} connections ended: {failed} requests failed, then {answered_in_a_row} answered"
    );
    assert!(
        failed <= ended,
        "{failed} requests failed on {ended} ended connections: one went back to the pool"
    );
    assert!(
        answered_in_a_row >= 20,
        "the requests after the ended connections answer; only the last {answered_in_a_row} did"
    );
}

// ---------------------------------------------------------------------------
// Killed imports.

const KILLED_PARTIDAS: std::ops::Range<u32> = 30..60;
const KILLED_CAPITULOS: u32 = 10;
const KILL_ROUNDS: usize = 8;
/// A round kills after fewer than this many newly reported fichas...
const KILL_AFTER_FICHAS: u64 = 30;
/// ...and then up to this many milliseconds more, so the kill lands
/// anywhere in the next ficha: parsing, lookup, inserts or commit.
const KILL_JITTER_MS: u64 = 25;
/// When a round kills before any ficha is reported: somewhere in startup
/// (connecting, checking migrations) or the first ficha.
const KILL_EARLY_MS: u64 = 300;

#[tokio::test]
async fn import_killed_at_random_points_leaves_whole_fichas_and_resumes() {
    let fichas = Fichas::new();
    for partida in KILLED_PARTIDAS {
        for capitulo in 1..=KILLED_CAPITULOS {
            write_variant(&fichas, partida, capitulo);
        }
    }
    let total = KILLED_PARTIDAS.len() * KILLED_CAPITULOS as usize;
    let dir = fichas.path();

    // What an uninterrupted import exports, per backend.
    let references: Mutex<Vec<(&str, Files)>> = Mutex::new(Vec::new());
    let refs = &references;
    each_database(|t| async move {
        let started = Instant::now();
        let imported = run(&["import", "--database-url", &t.url, utf8(dir)], None, &[]);
        let took = started.elapsed();
        assert_ran(&imported, &format!("{}: uninterrupted import", t.backend));
        let exported = export(&t.url, &format!("{}: reference export", t.backend));
        assert_eq!(exported.len(), total, "{}", t.backend);
        eprintln!(
            "{}: uninterrupted import of {total} fichas took {took:?}",
            t.backend
        );
        refs.lock()
            .expect("no test thread panicked holding it")
            .push((t.backend, exported));
    })
    .await;

    each_database(|t| async move {
        let started = Instant::now();
        let reference = refs
            .lock()
            .expect("no test thread panicked holding it")
            .iter()
            .find(|(backend, _)| *backend == t.backend)
            .map(|(_, exported)| exported.clone())
            .expect("a reference export for this backend");
        let logs = tempfile::tempdir().expect("a temporary directory");
        // The kill points are measured in the importer's progress, not in
        // wall-clock time, so they land mid-import however loaded the
        // machine is; the same seed gives the same points every run.
        let mut random = Lcg(0x0dec_1de5);
        let mut stored = 0;
        for round in 1..=KILL_ROUNDS {
            let remaining = u64::try_from(total - stored).expect("a small count");
            // The first round dies during startup or its first fichas.
            let after = if round == 1 {
                0
            } else {
                random.below(KILL_AFTER_FICHAS.min(remaining.saturating_sub(1)))
            };
            let jitter = Duration::from_millis(if after == 0 {
                random.below(KILL_EARLY_MS)
            } else {
                random.below(KILL_JITTER_MS)
            });
            let mut importer = Importer::spawn(&t.url, dir, logs.path(), &format!("round{round}"));
            let reported = importer
                .wait_for_imported(after, Instant::now() + PROCESS_DEADLINE)
                .await;
            tokio::time::sleep(jitter).await;
            let was_running = importer.kill();
            let when = format!(
                "{}: round {round}, killed {jitter:?} after {reported} fichas were reported",
                t.backend
            );
            assert!(
                was_running,
                "{when}: the importer had exited ({}) before the kill\nstderr:\n{}",
                importer.stdout().lines().last().unwrap_or_default(),
                importer.stderr()
            );
            let now = assert_whole(&t.db, &when).await;
            // What the importer reported as imported was committed: a
            // SIGKILL loses at most the ficha in flight.
            assert!(
                now >= stored + reported,
                "{when}: {stored} fichas before, {reported} reported, only {now} stored"
            );
            eprintln!("{when}: {now} fichas stored");
            stored = now;
        }

        // Resuming stores what is missing and leaves what is stored alone.
        let resumed = run(&["import", "--database-url", &t.url, utf8(dir)], None, &[]);
        assert_ran(&resumed, &format!("{}: resumed import", t.backend));
        let summary = String::from_utf8_lossy(&resumed.stdout);
        let expected = format!(
            "imported {}, replaced 0, unchanged {stored}, refused 0",
            total - stored
        );
        assert!(
            summary.lines().any(|l| l == expected),
            "{}: resumed import should say {expected:?}:\n{summary}",
            t.backend
        );
        assert_eq!(assert_whole(&t.db, "after resuming").await, total);

        let exported = export(&t.url, &format!("{}: export after resuming", t.backend));
        assert_eq!(
            exported.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            reference.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            "{}: the same files",
            t.backend
        );
        for ((name, bytes), (_, expected)) in exported.iter().zip(&reference) {
            assert!(
                bytes == expected,
                "{}: {name} differs from the uninterrupted import's export",
                t.backend
            );
        }
        eprintln!(
            "{}: killed-import test took {:?}",
            t.backend,
            started.elapsed()
        );
    })
    .await;
}

// ---------------------------------------------------------------------------
// Concurrent imports and readers.

const CONCURRENT_PARTIDAS: std::ops::Range<u32> = 30..55;
const QUERY_LIMIT: usize = 2_000;
/// Longest an importer may run before the test calls it deadlocked or hung.
const PROCESS_DEADLINE: Duration = Duration::from_secs(60);

/// Every ficha in one page (the union is 250).
const EVERY_FICHA: &str = "{ fichas(first: 300) { totalCount nodes { \
    objetivosInstitucionales { totalCount } productos { totalCount } } } }";

#[tokio::test]
async fn concurrent_imports_and_queries_never_see_half_a_ficha() {
    // Every partida gets fichas from both importers, so they contend for the
    // partida and its ministry objectives as well as for the fichas both
    // carry: capítulos 01–04 only in `first`, 05–08 only in `second`, 09–10
    // in both. Both walk the partidas in the same order.
    let (first, second) = (Fichas::new(), Fichas::new());
    let (mut union, mut shared) = (Vec::new(), 0);
    for partida in CONCURRENT_PARTIDAS {
        for capitulo in 1..=10 {
            let (in_first, in_second) = (capitulo <= 4 || capitulo >= 9, capitulo >= 5);
            if in_first {
                write_variant(&first, partida, capitulo);
            }
            if in_second {
                write_variant(&second, partida, capitulo);
            }
            if in_first && in_second {
                shared += 1;
            }
            union.push((partida.to_string(), format!("{capitulo:02}")));
        }
    }
    union.sort();
    let (first, second, union) = (&first, &second, &union);

    each_database(|t| async move {
        let logs = tempfile::tempdir().expect("a temporary directory");
        let started = Instant::now();
        let deadline = started + PROCESS_DEADLINE;
        let mut importers = [
            Importer::spawn(&t.url, first.path(), logs.path(), "first"),
            Importer::spawn(&t.url, second.path(), logs.path(), "second"),
        ];

        let (mut queries, mut partial_views, mut seen) = (0, 0, 0);
        while queries < QUERY_LIMIT && Instant::now() < deadline {
            if importers.iter_mut().all(|i| i.exited().is_some()) {
                break;
            }
            let answer = tokio::time::timeout(ANSWER_WITHIN, query(&t.db, EVERY_FICHA))
                .await
                .unwrap_or_else(|_| {
                    panic!("{}: query {queries} hung during the imports", t.backend)
                });
            let nodes = answer.data()["fichas"]["nodes"]
                .as_array()
                .expect("a list of fichas")
                .clone();
            for (i, node) in nodes.iter().enumerate() {
                assert_eq!(
                    (
                        node["objetivosInstitucionales"]["totalCount"].as_i64(),
                        node["productos"]["totalCount"].as_i64()
                    ),
                    (Some(OBJETIVOS_INSTITUCIONALES), Some(PRODUCTOS)),
                    "{}: query {queries} saw half of ficha {i} during the imports",
                    t.backend
                );
            }
            assert!(
                nodes.len() >= seen,
                "{}: query {queries} saw {} fichas after {seen}: stored fichas vanished",
                t.backend,
                nodes.len()
            );
            seen = nodes.len();
            if seen > 0 && seen < union.len() {
                partial_views += 1;
            }
            queries += 1;
        }
        for importer in &mut importers {
            let status = importer.wait(deadline).await;
            let stderr = importer.stderr();
            assert!(
                status.success() && !stderr.contains("locked"),
                "{}: importer {} exited {status}\nstdout tail:\n{}\nstderr:\n{stderr}",
                t.backend,
                importer.name,
                importer
                    .stdout()
                    .lines()
                    .rev()
                    .take(5)
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        let took = started.elapsed();

        // The fichas both carry were stored by one importer and found
        // unchanged by the other; nothing was stored twice or replaced.
        let totals = importers
            .iter()
            .map(|i| summary(&i.stdout()))
            .fold([0; 4], |mut sum, one| {
                for (s, o) in sum.iter_mut().zip(one) {
                    *s += o;
                }
                sum
            });
        assert_eq!(
            totals,
            [union.len(), 0, shared, 0],
            "{}: imported, replaced, unchanged, refused over both importers",
            t.backend
        );

        assert_eq!(
            assert_whole(&t.db, &format!("{}: after both imports", t.backend)).await,
            union.len()
        );
        assert_eq!(
            &stored_codes(&t.db).await,
            union,
            "{}: every ficha of both sets, once",
            t.backend
        );
        eprintln!(
            "{}: two concurrent imports took {took:?}; {queries} queries, \
             {partial_views} of them saw a partial import",
            t.backend
        );
    })
    .await;
}

// ---------------------------------------------------------------------------
// Concurrent first runs.

const FIRST_RUN_ROUNDS: usize = 4;

#[tokio::test]
async fn importers_started_together_on_an_empty_database_both_succeed() {
    // Two importers (or an importer and a server, or two replicas) started
    // at once on a database nobody has migrated yet: both bring the schema
    // up to date, so each must cope with the other doing it too.
    let (first, second) = (Fichas::new(), Fichas::new());
    let mut union = Vec::new();
    for partida in 30..33 {
        for capitulo in 1..=6 {
            if capitulo <= 4 {
                write_variant(&first, partida, capitulo);
            }
            if capitulo >= 3 {
                write_variant(&second, partida, capitulo);
            }
            union.push((partida.to_string(), format!("{capitulo:02}")));
        }
    }
    union.sort();
    let (first, second, union) = (&first, &second, &union);

    each_database(|t| async move {
        let logs = tempfile::tempdir().expect("a temporary directory");
        for round in 1..=FIRST_RUN_ROUNDS {
            // Back to an empty database: no tables, no migration records.
            Migrator::reset(&t.db)
                .await
                .expect("the schema can be taken down");
            let deadline = Instant::now() + PROCESS_DEADLINE;
            let mut importers = [
                Importer::spawn(&t.url, first.path(), logs.path(), &format!("first{round}")),
                Importer::spawn(
                    &t.url,
                    second.path(),
                    logs.path(),
                    &format!("second{round}"),
                ),
            ];
            for importer in &mut importers {
                let status = importer.wait(deadline).await;
                let stderr = importer.stderr();
                let cause = if stderr.contains("cannot migrate") {
                    "both processes migrated the empty database at once and this one \
                     lost the race (src/db.rs `migrate` runs unserialised)"
                } else {
                    "see stderr"
                };
                assert!(
                    status.success(),
                    "{}, round {round}: importer {} started on an empty database exited \
                     {status}: {cause}\nstderr:\n{stderr}",
                    t.backend,
                    importer.name,
                );
            }
            let when = format!("{}, round {round}: after both first runs", t.backend);
            assert_eq!(assert_whole(&t.db, &when).await, union.len(), "{when}");
            assert_eq!(&stored_codes(&t.db).await, union, "{when}");
        }
    })
    .await;
}
