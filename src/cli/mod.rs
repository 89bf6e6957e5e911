//! Command-line and environment configuration: one `clap` struct per
//! command. Every flag that makes sense outside a single run also reads an
//! environment variable; the doc comments are the `--help` text.
//!
//! This module describes the commands' options; `commands` acts on them.
//! The server's own settings (limits, cache, CORS) are declared beside what
//! they configure (`crate::http::HttpSettings`) and flattened in here: the
//! HTTP layer must not depend on the command line.

use std::net::SocketAddr;
use std::path::PathBuf;

mod commands;
mod database;
mod persist;

pub use commands::{AppError, ficha_files, open, open_with, run, seed, serve_on};

use clap::{Args, Parser, Subcommand};

/// The database used when none is named: an SQLite file in the working
/// directory, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://definiciones.db?mode=rwc";

/// Query Chile's Definiciones Estratégicas — missions, objectives and
/// productos of every ministry and public service — over GraphQL.
#[derive(Debug, Parser)]
#[command(name = "definiciones", version, propagate_version = true)]
pub struct Cli {
    /// How the log (on stderr) is written: `text` for people (coloured on a
    /// terminal), `json` for log collectors, one object a line.
    #[arg(
        long,
        global = true,
        env = "DEFINICIONES_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How the log is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Lines of text; coloured only on a terminal.
    Text,
    /// One JSON object a line, with the request's fields.
    Json,
}

/// The commands of the `definiciones` binary.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read fichas without storing them and report every problem found.
    Check(CheckArgs),
    /// Store fichas in the database, each in one transaction.
    Import(ImportArgs),
    /// Write every stored ficha back as text, one file per ficha.
    Export(ExportArgs),
    /// Create or update the database schema.
    Migrate(DatabaseArgs),
    /// Store trusted GraphQL documents, to be run by their hash (and alone,
    /// under `serve --persisted-only`).
    Persist(PersistArgs),
    /// Serve the API over HTTP.
    Serve(Box<ServeArgs>),
    /// Print the GraphQL schema (SDL), as `schema.graphql` holds it.
    Schema,
    /// Write synthetic fichas at national scale, in the published layout.
    Generate(GenerateArgs),
}

/// Which database to use.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database to use: an SQLite file (`sqlite://path?mode=rwc`) or
    /// PostgreSQL (`postgres://user@host/db`).
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

/// Options of `definiciones check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print what each ficha says as JSON (a list when several files).
    #[arg(long)]
    pub json: bool,
    /// Ficha text files, or directories to read every `.txt` file under.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// Options of `definiciones import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub database: DatabaseArgs,
    /// Ficha text files, or directories to read every `.txt` file under.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// Options of `definiciones export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub database: DatabaseArgs,
    /// Directory to write the fichas into (created when missing).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// Options of `definiciones persist`.
#[derive(Debug, Args)]
pub struct PersistArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub database: DatabaseArgs,
    /// GraphQL documents, one per file (each may hold several operations),
    /// or directories to read every `.graphql` file under.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// Options of `definiciones serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub database: DatabaseArgs,
    /// Address to listen on.
    #[arg(long, env = "DEFINICIONES_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Load the fichas bundled with the binary when the database holds none.
    /// Always done for SQLite; PostgreSQL is seeded only when asked.
    #[arg(long, env = "DEFINICIONES_LOAD_BUNDLED")]
    pub load_bundled: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub http: crate::http::HttpSettings,
}

/// Options of `definiciones generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory to write the fichas into (created when missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Ministries (partidas).
    #[arg(long, default_value_t = 30)]
    pub partidas: usize,
    /// Services (servicios) in all, spread over the partidas.
    #[arg(long, default_value_t = 220)]
    pub servicios: usize,
    /// Planning períodos per servicio, one ficha each (2024-2026, 2021-2023, …).
    #[arg(long, default_value_t = 3)]
    pub periodos: usize,
    /// Seed: the same seed writes the same fichas.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}
