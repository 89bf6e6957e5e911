//! Serving connections: hyper's HTTP/1 and HTTP/2 over each accepted TCP
//! connection, with the defences a public server needs below the level of
//! requests. A client that does not finish sending its request headers in
//! time is disconnected (hyper's header read timeout, which also ends a
//! keep-alive connection left idle that long, and the same time for the
//! first byte of a connection); a body that does not arrive
//! in time ends its request (`crate::http::router_with`'s body timeout);
//! and the number of open connections is capped below the process's
//! descriptor limit, so a flood of half-sent requests cannot take the
//! server down. Past the cap a new connection is closed at once; the
//! connections already open, and so the requests in flight, go on.
//!
//! On shutdown the listener is closed first (new connections are refused),
//! then every open connection finishes its requests in flight.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// The defaults `definiciones serve --help` shows.
const DEFAULTS: Connections = Connections::DEFAULT;

/// What a connection may do (`definiciones serve --help`).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Connections {
    /// Longest a client may take to send a request's headers, in
    /// milliseconds; then the connection is closed. Also how long an idle
    /// keep-alive connection stays open.
    #[arg(long, env = "DEFINICIONES_HEADER_TIMEOUT_MS", default_value_t = DEFAULTS.header_timeout_ms)]
    pub header_timeout_ms: u64,
    /// Longest a request's body may take to arrive, in milliseconds; then
    /// the request is answered 408.
    #[arg(long, env = "DEFINICIONES_BODY_TIMEOUT_MS", default_value_t = DEFAULTS.body_timeout_ms)]
    pub body_timeout_ms: u64,
    /// Most connections open at once; past it new ones are closed at once.
    /// Kept below the process's limit of open files.
    #[arg(long, env = "DEFINICIONES_MAX_CONNECTIONS", default_value_t = DEFAULTS.max_connections)]
    pub max_connections: usize,
}

impl Connections {
    /// Every default, as `definiciones serve --help` shows it.
    pub const DEFAULT: Connections = Connections {
        header_timeout_ms: 10_000,
        body_timeout_ms: 10_000,
        max_connections: 10_000,
    };

    /// The body timeout.
    pub fn body_timeout(&self) -> Duration {
        Duration::from_millis(self.body_timeout_ms)
    }

    /// The cap on open connections: as configured, and at most the open
    /// files the process may have, less room for the database pool, the
    /// listener and the log.
    fn cap(&self) -> usize {
        let files = open_files_limit().unwrap_or(usize::MAX);
        self.max_connections.min(files.saturating_sub(64)).max(1)
    }
}

impl Default for Connections {
    fn default() -> Self {
        Connections::DEFAULT
    }
}

/// The soft limit of open files of this process, when the system tells.
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Serve `app` on `listener` until `shutdown` completes, then finish the
/// requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    connections: Connections,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let header_timeout = Duration::from_millis(connections.header_timeout_ms);
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let cap = connections.cap();
    let slots = Arc::new(Semaphore::new(cap));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let (mut refused, mut last_said) = (0u64, None::<std::time::Instant>);
    let give_back = tokio::spawn(super::memory::give_back_when_idle(Duration::from_secs(1)));
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of descriptors or the like: give the connections
                    // that hold them a moment to close.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(stream);
            // A flood is said once every ten seconds, not once a connection.
            refused += 1;
            if last_said.is_none_or(|at| at.elapsed() > Duration::from_secs(10)) {
                tracing::warn!(
                    cap,
                    refused,
                    "connections refused: as many are open as allowed"
                );
                last_said = Some(std::time::Instant::now());
                refused = 0;
            }
            continue;
        };
        let service = TowerToHyperService::new(
            app.clone()
                .map_request(|request: Request<Incoming>| request.map(Body::new)),
        );
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            // hyper's header timer starts with the first byte: a client
            // that sends nothing at all is held to the same time here.
            let mut first = [0u8; 1];
            if tokio::time::timeout(header_timeout, stream.peek(&mut first))
                .await
                .is_err()
            {
                return;
            }
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            if let Err(error) = watcher.watch(connection).await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    give_back.abort();
    graceful.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_stays_below_the_open_files_limit() {
        let huge = Connections {
            max_connections: usize::MAX,
            ..Connections::DEFAULT
        };
        match open_files_limit() {
            Some(files) => assert!(huge.cap() < files),
            None => assert_eq!(huge.cap(), usize::MAX - 64),
        }
        let small = Connections {
            max_connections: 3,
            ..Connections::DEFAULT
        };
        assert_eq!(small.cap(), 3);
    }
}
