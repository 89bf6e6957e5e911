#!/usr/bin/env bash
# Re-fetch GraphiQL's browser assets from the npm registry into this folder.
#
#   assets/graphiql/update.sh                    # the versions pinned below
#   GRAPHIQL=3.9.0 REACT=18.3.1 EXPLORER=3.2.6 assets/graphiql/update.sh
#
# Only the files the page loads are kept, each renamed with its version so
# the server can let browsers cache it forever, plus each package's licence.
# After a version change, update the file names in src/http/graphiql.rs (its
# tests fail until every file here is served) and the table in README.md.
set -euo pipefail

GRAPHIQL="${GRAPHIQL:-3.9.0}"
REACT="${REACT:-18.3.1}"
# @graphiql/plugin-explorer, the query builder in GraphiQL's sidebar.
EXPLORER="${EXPLORER:-3.2.6}"

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
# npm pack checks each tarball against the registry's integrity hash.
npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" \
  "@graphiql/plugin-explorer@$EXPLORER" >/dev/null
for tarball in "graphiql-$GRAPHIQL" "react-$REACT" "react-dom-$REACT" \
  "graphiql-plugin-explorer-$EXPLORER"; do
  package="${tarball%-*}"
  mkdir "$package"
  tar -xzf "$tarball.tgz" -C "$package" --strip-components=1
done

# The explorer's UMD build uses the @graphiql/react inside graphiql's bundle
# (window.GraphiQL.React); it must be the version the plugin was built for.
field() { node -p "require('./$1/package.json').$2 ?? ''"; }
wanted="$(field graphiql-plugin-explorer "peerDependencies['@graphiql/react']")"
bundled="$(field graphiql "dependencies['@graphiql/react']")"
if [ "$wanted" != "$bundled" ]; then
  echo "error: @graphiql/plugin-explorer@$EXPLORER wants @graphiql/react $wanted but graphiql@$GRAPHIQL bundles $bundled;" >&2
  echo "  pick the plugin version whose peerDependencies match: npm view @graphiql/plugin-explorer@<v> peerDependencies" >&2
  exit 1
fi
# The UMD build bundles graphiql-explorer (OneGraph's explorer); its licence
# travels with it.
ranged="$(field graphiql-plugin-explorer "dependencies['graphiql-explorer']")"
onegraph="$(npm pack --silent "graphiql-explorer@$ranged")"
ONEGRAPH="${onegraph#graphiql-explorer-}"
ONEGRAPH="${ONEGRAPH%.tgz}"
mkdir graphiql-explorer
tar -xzf "$onegraph" -C graphiql-explorer --strip-components=1

# graphiql's "min" bundle was unminified in some 3.x releases (3.8.3 ships
# 3.5 MB); refuse one that is not really minified rather than vendor it.
if [ "$(wc -l < graphiql/graphiql.min.js)" -gt 100 ]; then
  echo "error: graphiql@$GRAPHIQL's graphiql.min.js is not minified; pick another version" >&2
  exit 1
fi
if [ "$(wc -l < graphiql-plugin-explorer/dist/index.umd.js)" -gt 100 ]; then
  echo "error: @graphiql/plugin-explorer@$EXPLORER's dist/index.umd.js is not minified; pick another version" >&2
  exit 1
fi

rm -f "$here"/graphiql-*.min.js "$here"/graphiql-*.min.css \
  "$here"/graphiql-plugin-explorer-*.umd.js "$here"/graphiql-plugin-explorer-*.css \
  "$here"/react-*.production.min.js "$here"/react-dom-*.production.min.js \
  "$here"/*.LICENSE.txt "$here"/SHA256SUMS

cp graphiql/graphiql.min.js "$here/graphiql-$GRAPHIQL.min.js"
cp graphiql/graphiql.min.css "$here/graphiql-$GRAPHIQL.min.css"
cp graphiql/LICENSE "$here/graphiql-$GRAPHIQL.LICENSE.txt"
cp react/umd/react.production.min.js "$here/react-$REACT.production.min.js"
cp react/LICENSE "$here/react-$REACT.LICENSE.txt"
cp react-dom/umd/react-dom.production.min.js "$here/react-dom-$REACT.production.min.js"
cp react-dom/LICENSE "$here/react-dom-$REACT.LICENSE.txt"
cp graphiql-plugin-explorer/dist/index.umd.js "$here/graphiql-plugin-explorer-$EXPLORER.umd.js"
cp graphiql-plugin-explorer/dist/style.css "$here/graphiql-plugin-explorer-$EXPLORER.css"
cp graphiql-explorer/LICENSE "$here/graphiql-explorer-$ONEGRAPH.LICENSE.txt"
# @graphiql/plugin-explorer says "license": "MIT" but its tarball has had no
# licence file; it comes from graphiql's repository and authors, so it
# travels with graphiql's MIT text, saying so.
if [ -f graphiql-plugin-explorer/LICENSE ]; then
  cp graphiql-plugin-explorer/LICENSE "$here/graphiql-plugin-explorer-$EXPLORER.LICENSE.txt"
else
  {
    echo "@graphiql/plugin-explorer $EXPLORER is published under the MIT licence"
    echo "(\"license\": \"MIT\" in its package.json), but its npm tarball holds no"
    echo "licence file. It comes from the graphql/graphiql repository, as graphiql"
    echo "does; below is graphiql $GRAPHIQL's LICENSE, the same authors' MIT text."
    echo "Its dist/index.umd.js bundles graphiql-explorer $ONEGRAPH (MIT), whose"
    echo "licence is graphiql-explorer-$ONEGRAPH.LICENSE.txt."
    echo
    cat graphiql/LICENSE
  } > "$here/graphiql-plugin-explorer-$EXPLORER.LICENSE.txt"
fi

cd "$here"
sha256sum -- *.js *.css *.LICENSE.txt > SHA256SUMS
cat SHA256SUMS
