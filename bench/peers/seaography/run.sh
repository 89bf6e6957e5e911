#!/usr/bin/env bash
# Build (release) and start the seaography peer in the foreground.
#
#   DATABASE_URL=sqlite:///path/to.db      bench/peers/seaography/run.sh
#   DATABASE_URL=postgres://user@host/db   BIND=127.0.0.1:8001 bench/peers/seaography/run.sh
#
# DATABASE_URL is required (a database made by `definiciones import`);
# BIND defaults to 127.0.0.1:8001. Serves POST /graphql; logs to stderr.
# Build output goes to stderr too, so stdout stays the server's.
set -euo pipefail
cd "$(dirname "$0")"
: "${DATABASE_URL:?set DATABASE_URL (sqlite://… or postgres://…)}"
export DATABASE_URL
export BIND="${BIND:-127.0.0.1:8001}"
cargo build --release --locked --quiet >&2
exec ./target/release/seaography-peer
