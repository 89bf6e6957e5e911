#!/usr/bin/env bash
# Check that the seaography peer answers its queries with the same data as
# definiciones answers bench/queries, over SQLite and over PostgreSQL.
#
#   bench/peers/seaography/verify.sh
#
# Needs: definiciones built (target/release/definiciones in the repository
# root), python3, psql, and a PostgreSQL server at $PG_ADMIN_URL (default
# postgres://postgres@127.0.0.1:5432) that lets us create and drop the
# database $PG_DB (default seabench). Ports 8001 (seaography) and 8002
# (definiciones) must be free. Everything it creates goes under $WORK
# (default a fresh temporary directory) and is removed at the end, the
# PostgreSQL database too.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
DEF="$ROOT/target/release/definiciones"
PEER="$HERE/target/release/seaography-peer"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432}"
PG_DB="${PG_DB:-seabench}"
WORK="${WORK:-$(mktemp -d)}"
pids=()

cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    psql -q "$PG_ADMIN_URL/postgres" -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

wait_up() {
    for _ in $(seq 1 100); do
        curl -s -o /dev/null -X POST "http://$1/graphql" -H 'content-type: application/json' \
            -d '{"query":"{ __typename }"}' && return 0
        sleep 0.1
    done
    echo "server at $1 did not start" >&2
    return 1
}

[ -x "$DEF" ] || { echo "build definiciones first: cargo build --release (in $ROOT)" >&2; exit 1; }
(cd "$HERE" && cargo build --release --locked --quiet)

"$DEF" generate --out "$WORK/data" --partidas 30 --servicios 220 --periodos 3 --seed 1 >/dev/null

sqlite_url="sqlite://$WORK/definiciones.db?mode=rwc"
pg_url="$PG_ADMIN_URL/$PG_DB"
psql -q "$PG_ADMIN_URL/postgres" -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB" >/dev/null

status=0
for url in "$sqlite_url" "$pg_url"; do
    echo "== ${url%%:*}"
    "$DEF" import --database-url "$url" "$WORK/data" 2>&1 | tail -1
    DATABASE_URL="$url" BIND=127.0.0.1:8001 "$PEER" 2>>"$WORK/seaography.log" & pids+=($!)
    "$DEF" serve --database-url "$url" --bind 127.0.0.1:8002 2>>"$WORK/definiciones.log" >/dev/null & pids+=($!)
    wait_up 127.0.0.1:8001
    wait_up 127.0.0.1:8002
    python3 "$HERE/compare.py" http://127.0.0.1:8001/graphql http://127.0.0.1:8002/graphql || status=1
    kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true; pids=()
done
exit $status
