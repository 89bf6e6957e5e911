//! Fresh databases for every test (SQLite always, PostgreSQL when
//! `TEST_DATABASE_URL` names a server), the bundled sample and variants of
//! it, and a way to run the binary.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

use definiciones::app;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

pub const SAMPLE_NAME: &str = "2024-2026_20_01_secretaria-general-de-gobierno.txt";
pub const SAMPLE: &str =
    include_str!("../../data/fichas/2024-2026_20_01_secretaria-general-de-gobierno.txt");

/// The sample filed under another partida and capítulo.
pub fn sample_as(partida: &str, capitulo: &str) -> String {
    SAMPLE
        .replace("PARTIDA\t20", &format!("PARTIDA\t{partida}"))
        .replace("CAPITULO\t01", &format!("CAPITULO\t{capitulo}"))
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
enum Guard {
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

async fn sqlite() -> (TestDb, Guard) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let db = app::open(&url).await.expect("SQLite opens and migrates");
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

async fn postgres(admin_url: &str) -> (TestDb, Guard) {
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
    let db = app::open(&url)
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
