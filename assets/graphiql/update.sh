#!/usr/bin/env bash
# Re-fetch GraphiQL's browser assets from the npm registry into this folder.
#
#   assets/graphiql/update.sh                    # the versions pinned below
#   GRAPHIQL=3.9.0 REACT=18.3.1 assets/graphiql/update.sh
#
# Only the files the page loads are kept, each renamed with its version so
# the server can let browsers cache it forever, plus each package's licence.
# After a version change, update the file names in src/graphiql.rs (its
# tests fail until every file here is served) and the table in README.md.
set -euo pipefail

GRAPHIQL="${GRAPHIQL:-3.9.0}"
REACT="${REACT:-18.3.1}"

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
# npm pack checks each tarball against the registry's integrity hash.
npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null
for tarball in "graphiql-$GRAPHIQL" "react-$REACT" "react-dom-$REACT"; do
  package="${tarball%-*}"
  mkdir "$package"
  tar -xzf "$tarball.tgz" -C "$package" --strip-components=1
done

# graphiql's "min" bundle was unminified in some 3.x releases (3.8.3 ships
# 3.5 MB); refuse one that is not really minified rather than vendor it.
if [ "$(wc -l < graphiql/graphiql.min.js)" -gt 100 ]; then
  echo "error: graphiql@$GRAPHIQL's graphiql.min.js is not minified; pick another version" >&2
  exit 1
fi

rm -f "$here"/graphiql-*.min.js "$here"/graphiql-*.min.css \
  "$here"/react-*.production.min.js "$here"/react-dom-*.production.min.js \
  "$here"/*.LICENSE.txt "$here"/SHA256SUMS

cp graphiql/graphiql.min.js "$here/graphiql-$GRAPHIQL.min.js"
cp graphiql/graphiql.min.css "$here/graphiql-$GRAPHIQL.min.css"
cp graphiql/LICENSE "$here/graphiql-$GRAPHIQL.LICENSE.txt"
cp react/umd/react.production.min.js "$here/react-$REACT.production.min.js"
cp react/LICENSE "$here/react-$REACT.LICENSE.txt"
cp react-dom/umd/react-dom.production.min.js "$here/react-dom-$REACT.production.min.js"
cp react-dom/LICENSE "$here/react-dom-$REACT.LICENSE.txt"

cd "$here"
sha256sum -- *.js *.css *.LICENSE.txt > SHA256SUMS
cat SHA256SUMS
