//! What each command does: open the database, run the importer, exporter or
//! server, and report to the user. Output the user asked for (JSON, import
//! summaries) goes to stdout; problems go to stderr.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, PaginatorTrait};
use serde::Serialize;
use tokio::net::TcpListener;

use crate::cli::database;
use crate::cli::{CheckArgs, Cli, Command, ExportArgs, ImportArgs, ServeArgs};
use crate::ficha::{self, Ficha};
use crate::http;
use crate::store as db;
use crate::store::export::ExportError;
use crate::store::import::{self, Summary};

/// Why a command could not run at all (problems with single fichas are
/// reported per file and end in exit code 1 instead).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The database could not be opened.
    #[error("cannot open the database {url}: {reason}")]
    Connect {
        /// The database's URL, without its password.
        url: String,
        /// Why, in plain words, and what to do.
        reason: String,
    },
    /// The schema could not be brought up to date.
    #[error("cannot bring the database {url} up to date: {reason}")]
    Migrate {
        /// The database's URL, without its password.
        url: String,
        /// What the database said.
        reason: String,
    },
    /// The database failed while reading.
    #[error("database error: {}", db::said(.0))]
    Database(#[from] DbErr),
    /// The export failed.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// A path the user named could not be read (or written).
    #[error("{}: {}", .path.display(), in_words(.source))]
    Path {
        /// The path.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// No ficha file was found under the paths given.
    #[error("no ficha files (*.txt) under {0}")]
    NoFichas(String),
    /// No GraphQL document was found under the paths given.
    #[error("no GraphQL documents (*.graphql) under {0}")]
    NoDocuments(String),
    /// The server could not listen.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The server stopped with an error.
    #[error("server error: {0}")]
    Serve(#[source] std::io::Error),
}

/// Run a command line.
pub async fn run(cli: Cli) -> Result<ExitCode, AppError> {
    match cli.command {
        Command::Check(args) => check(args).await,
        Command::Import(args) => import(args).await,
        Command::Export(args) => export(args).await,
        Command::Migrate(args) => {
            let url = &args.database_url;
            let db = connect(url, db::Pool::Single).await?;
            let pending = pending_migrations(&db)
                .await
                .map_err(|e| migrate_error(url, &e))?;
            db::migrate(&db).await.map_err(|e| migrate_error(url, &e))?;
            if pending.is_empty() {
                println!("no migrations were pending: the database is up to date");
            } else {
                println!(
                    "applied {} migration{}: {}",
                    pending.len(),
                    if pending.len() == 1 { "" } else { "s" },
                    pending.join(", ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => serve(*args).await,
        Command::Persist(args) => super::persist::persist(args).await,
        Command::Generate(args) => {
            let scale = crate::ficha::generate::Scale {
                partidas: args.partidas,
                servicios: args.servicios,
                periodos: args.periodos,
                seed: args.seed,
            };
            let written = crate::ficha::generate::write(scale, &args.out).map_err(|source| {
                AppError::Path {
                    path: args.out.clone(),
                    source,
                }
            })?;
            println!(
                "generated {} fichas in {}",
                written.len(),
                args.out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            print!("{}", crate::graphql::sdl());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Connect (a server's pool) and migrate.
pub async fn open(url: &str) -> Result<DatabaseConnection, AppError> {
    open_with(url, db::Pool::Readers).await
}

/// Connect and migrate. An SQLite file is created when missing.
pub async fn open_with(url: &str, pool: db::Pool) -> Result<DatabaseConnection, AppError> {
    let db = connect(url, pool).await?;
    db::migrate(&db).await.map_err(|e| migrate_error(url, &e))?;
    Ok(db)
}

/// Connect to `given` (the URL as the user gave it, for messages).
async fn connect(given: &str, pool: db::Pool) -> Result<DatabaseConnection, AppError> {
    let url = database::with_create_mode(given);
    match db::connect_with(&url, pool).await {
        Ok(db) => Ok(db),
        Err(error) => Err(AppError::Connect {
            url: database::redacted(given),
            reason: database::why_not_opened(&url, &error).await,
        }),
    }
}

fn migrate_error(url: &str, error: &DbErr) -> AppError {
    AppError::Migrate {
        url: database::redacted(url),
        reason: db::said(error),
    }
}

/// The migrations the database has not had yet, by name.
async fn pending_migrations(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    use migration::MigratorTrait;
    Ok(migration::Migrator::get_pending_migrations(db)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect())
}

/// What the operating system said, in the words a person uses.
fn in_words(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_owned(),
        _ => error.to_string(),
    }
}

/// The ficha files under `paths`: files as named, directories searched for
/// `*.txt`, each directory's files in name order.
pub fn ficha_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, AppError> {
    files_under(paths, "txt", AppError::NoFichas)
}

/// The files under `paths`: files as named, directories searched for
/// `*.{extension}`, each directory's files in name order; `none_under`
/// names a directory holding none.
pub(super) fn files_under(
    paths: &[PathBuf],
    extension: &str,
    none_under: fn(String) -> AppError,
) -> Result<Vec<PathBuf>, AppError> {
    fn walk(dir: &Path, extension: &str, out: &mut Vec<PathBuf>) -> Result<(), AppError> {
        let path_error = |source| AppError::Path {
            path: dir.to_owned(),
            source,
        };
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(path_error)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(path_error)?;
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, extension, out)?;
            } else if path.extension().is_some_and(|e| e == extension) {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|source| AppError::Path {
            path: path.clone(),
            source,
        })?;
        if metadata.is_dir() {
            let before = files.len();
            walk(path, extension, &mut files)?;
            if files.len() == before {
                return Err(none_under(path.display().to_string()));
            }
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// What `check --json` prints for one ficha.
#[derive(Serialize)]
struct Checked<'a> {
    archivo: String,
    sha256: String,
    #[serde(flatten)]
    ficha: &'a Ficha,
}

async fn check(args: CheckArgs) -> Result<ExitCode, AppError> {
    let files = ficha_files(&args.paths)?;
    let mut read = Vec::new();
    let mut refused = 0;
    for path in &files {
        let name = path.display().to_string();
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                eprintln!("{name}: cannot read the file: {error}");
                refused += 1;
                continue;
            }
        };
        match ficha::parse_bytes(&name, &bytes) {
            Ok(parsed) => read.push((name, import::sha256_hex(&bytes), parsed)),
            Err(errors) => {
                eprintln!("{errors}");
                refused += 1;
            }
        }
    }
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let checked: Vec<Checked> = read
            .iter()
            .map(|(name, sha256, ficha)| Checked {
                archivo: name.clone(),
                sha256: sha256.clone(),
                ficha,
            })
            .collect();
        let written = match checked.as_slice() {
            [one] if files.len() == 1 => serde_json::to_writer_pretty(&mut stdout, one),
            all => serde_json::to_writer_pretty(&mut stdout, all),
        };
        written
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(stdout))
            .map_err(|source| AppError::Path {
                path: PathBuf::from("<stdout>"),
                source,
            })?;
    } else {
        for (name, _, f) in &read {
            let _ = writeln!(
                stdout,
                "ok {name}: partida {} capítulo {} {}: {} ministry objectives, {} institutional objectives, {} productos",
                f.partida.codigo,
                f.servicio.capitulo,
                f.periodo,
                f.objetivos_ministeriales.len(),
                f.objetivos_institucionales.len(),
                f.productos.len()
            );
        }
    }
    if refused > 0 {
        eprintln!("refused {refused} of {} files", files.len());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

async fn import(args: ImportArgs) -> Result<ExitCode, AppError> {
    let files = ficha_files(&args.paths)?;
    // One ficha, one transaction, one after the other.
    let db = open_with(&args.database.database_url, db::Pool::Single).await?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(files.len() as u64);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {per_sec} {wide_msg}",
        ) {
            bar.set_style(style);
        }
        bar
    });
    let mut summary = Summary::default();
    for path in &files {
        let name = path.display().to_string();
        let result = match std::fs::read(path) {
            Ok(bytes) => import::import_bytes(&db, &name, &file_name(path), &bytes).await,
            Err(source) => Err(import::ImportError::Read {
                file: name.clone(),
                source,
            }),
        };
        summary.record(&name, &result);
        match (&result, &bar) {
            (Ok(_), Some(bar)) => bar.set_message(name),
            (Ok(outcome), None) => println!("{outcome} {name}"),
            (Err(error), Some(bar)) => bar.suspend(|| eprintln!("refused {name}\n{error}")),
            (Err(error), None) => eprintln!("refused {name}\n{error}"),
        }
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if summary.imported + summary.replaced > 0
        && let Err(error) = db::analyze(&db).await
    {
        tracing::warn!(%error, "could not refresh the planner's statistics");
    }
    println!("{summary}");
    if summary.refused.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("refused files:");
        for file in &summary.refused {
            eprintln!("  {file}");
        }
        Ok(ExitCode::FAILURE)
    }
}

async fn export(args: ExportArgs) -> Result<ExitCode, AppError> {
    let db = open(&args.database.database_url).await?;
    let written = crate::store::export::export(&db, &args.dir).await?;
    println!(
        "exported {} fichas to {}",
        written.len(),
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Load the bundled fichas into an empty database.
pub async fn seed(db: &DatabaseConnection) -> Result<(), AppError> {
    let stored = entity::ficha::Entity::find().count(db).await?;
    if stored == 0 {
        let summary = import::import_bundled(db).await;
        tracing::info!(%summary, "loaded the bundled fichas");
        db::analyze(db).await?;
    }
    Ok(())
}

async fn serve(args: ServeArgs) -> Result<ExitCode, AppError> {
    let db = open(&args.database.database_url).await?;
    if db::is_embedded(&db) || args.load_bundled {
        seed(&db).await?;
    } else if entity::ficha::Entity::find().count(&db).await? == 0 {
        tracing::warn!(
            "the database holds no fichas, so every answer will be empty: load some with \
             `definiciones import <files or directories>`, or start with --load-bundled \
             for the fichas bundled in the binary"
        );
    }
    let listener = TcpListener::bind(args.bind)
        .await
        .map_err(|source| AppError::Bind {
            addr: args.bind,
            source,
        })?;
    let connections = args.http.connections;
    if let Some(addr) = args.http.metrics_bind {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| AppError::Bind { addr, source })?;
        tracing::info!("metrics on http://{addr}/metrics");
        let metrics = http::metrics::router(db.clone());
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, metrics).await {
                tracing::error!(%error, "the metrics server stopped");
            }
        });
    }
    serve_on(
        listener,
        http::router_with(db, args.http),
        connections,
        shutdown_signal(),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// Serve the application on `listener` until `shutdown` completes, then
/// finish the requests in flight.
pub async fn serve_on(
    listener: TcpListener,
    app: axum::Router,
    connections: http::server::Connections,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), AppError> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!("listening on http://{addr}");
    }
    http::server::serve(listener, app, connections, shutdown)
        .await
        .map_err(AppError::Serve)
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
