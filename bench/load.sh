#!/usr/bin/env bash
# Bounded load test, loopback only: 256 connections of mixed dashboard
# queries for 60 s against a release server over SQLite loaded with 660
# generated fichas. Prints throughput, latency, failures (non-200 or GraphQL errors)
# and the server's memory over the run; exits 1 on any failed request.
#
#   bench/load.sh [--duration SECONDS] [--connections N]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=60
connections=256
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    *) echo "usage: bench/load.sh [--duration SECONDS] [--connections N]" >&2; exit 2 ;;
  esac
done

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release --quiet
bin=$PWD/target/release/definiciones

work=$(mktemp -d)
server=""
sampler=""
cleanup() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# National scale: 30 partidas, 220 servicios, 3 períodos (660 fichas).
"$bin" generate --out "$work/fichas" --partidas 30 --servicios 220 --periodos 3 --seed 1
db="sqlite://$work/load.db?mode=rwc"
"$bin" import --database-url "$db" "$work/fichas" | tail -1

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pin_server=""; pin_load=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then pin_server="taskset -c 0"; pin_load="taskset -c 1"; fi
RUST_LOG=warn $pin_server "$bin" serve --database-url "$db" --bind "127.0.0.1:$port" &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

# Memory: the server's resident set every second.
( while kill -0 "$server" 2>/dev/null; do
    awk '/VmRSS/ {print $2}' "/proc/$server/status" 2>/dev/null || true
    sleep 1
  done ) >> "$work/rss" &
sampler=$!

# Warm up, then measure.
wrk -t2 -c32 -d5s -s bench/load.lua "http://127.0.0.1:$port" >/dev/null
warm=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
: > "$work/rss"
result=$($pin_load wrk -t2 -c"$connections" -d"${duration}s" --timeout 15s -s bench/load.lua "http://127.0.0.1:$port" | tail -1)
after=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
peak=$(sort -n "$work/rss" | tail -1)

echo "load: ${connections} connections, ${duration} s, mixed queries over 660 fichas (SQLite)"
echo "$result"
echo "rss_kib: after_warmup=$warm after_load=$after peak=$peak"
# The resident set every 10 s of the run: flat once the connections are busy.
echo "rss_kib_every_10s: $(awk 'NR % 10 == 1 {printf "%s ", $1}' "$work/rss")"
case "$result" in
  *" failed=0 socket_errors=0 "*) ;;
  *) echo "error: some requests failed" >&2; exit 1 ;;
esac
