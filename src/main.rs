//! The `definiciones` binary: parse the command line, start logging, hand
//! over to the library.

use std::process::ExitCode;

use clap::Parser;
use definiciones::cli::{Cli, LogFormat};
use tracing_subscriber::EnvFilter;

// Many small, short-lived allocations per request (rows, JSON values):
// mimalloc serves them faster than the system allocator and returns memory
// instead of fragmenting it, which keeps a loaded server's memory flat.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let log = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm_migration=warn")),
        )
        .with_writer(std::io::stderr);
    match cli.log_format {
        // Colours for a person at a terminal, clean text for a file.
        LogFormat::Text => log
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        // The request's span fields (request_id, method, uri, operation,
        // sql_statements) beside the event's own.
        LogFormat::Json => log
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    match definiciones::cli::run(cli).await {
        Ok(code) => code,
        // Each error says all it has to say itself: its sources are not
        // printed after it again.
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
