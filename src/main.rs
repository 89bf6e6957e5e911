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

/// Keep the process's memory in small pages. mimalloc asks the kernel for
/// transparent huge pages, and a 2 MiB page stays resident while any of its
/// 4 KiB is in use: after a burst of large answers the server kept 20 MiB
/// more, and peaked 10–15 MiB higher (`bench/burst`), at no gain in speed.
#[cfg(target_os = "linux")]
fn small_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes one integer flag and touches no
    // memory of ours; it sets a flag on this process's address space.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn small_pages() {}

#[tokio::main]
async fn main() -> ExitCode {
    small_pages();
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
