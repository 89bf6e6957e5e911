//! GraphiQL in a real browser: `definiciones serve` on a fresh directory,
//! and Debian's headless Chromium opens `/graphql` with no request leaving
//! the machine. Driven by `tests/e2e/graphiql.mjs`, it runs the default
//! query and sees the sample's data; by `tests/e2e/explorer.mjs`, it builds
//! a query by ticking fields in the Explorer, runs it and sees the partida.
//!
//! Needs `/usr/bin/chromium`, `node` and `npm ci --prefix tests/e2e`.
//! Without them the test says so and skips, except in CI (`CI` set), where
//! it fails.

use std::path::Path;

use crate::helpers::{e2e_ready, run_e2e, start_server};

const CHROMIUM: &str = "/usr/bin/chromium";

#[test]
fn graphiql_runs_the_default_query_in_a_browser_without_the_network() {
    browse("graphiql.mjs", "graphiql.png");
}

#[test]
fn graphiql_builds_a_query_from_ticked_fields_without_the_network() {
    browse("explorer.mjs", "graphiql-explorer.png");
}

/// Run `tests/e2e/<script>` against a fresh server; it must succeed and
/// leave its screenshot at `target/<screenshot>`.
fn browse(script: &str, screenshot: &str) {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !e2e_ready("playwright-core", &[Path::new(CHROMIUM)]) {
        return;
    }
    let cwd = tempfile::tempdir().expect("tempdir");
    let (server, port) = start_server(cwd.path(), &[], &[]);

    let screenshot = manifest_dir.join("target").join(screenshot);
    // A screenshot left by an earlier run must not pass for this one's.
    let _ = std::fs::remove_file(&screenshot);
    let url = format!("http://127.0.0.1:{port}");
    let stdout = run_e2e(script, &[url.as_ref(), screenshot.as_ref()]);
    drop(server);

    let size = std::fs::metadata(&screenshot)
        .map(|m| m.len())
        .unwrap_or_default();
    assert!(
        size > 0,
        "no screenshot at {} after a successful run:\n{stdout}",
        screenshot.display()
    );
}
