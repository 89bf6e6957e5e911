// Persisted queries as Apollo Client's persisted-queries link uses them,
// against two live servers over one database: one open, one started with
// --persisted-only after `definiciones persist` stored the cookbook.
//
// - Open server (Automatic Persisted Queries): the link sends the hash
//   alone by GET, is told PersistedQueryNotFound, sends it again by POST
//   with the query (which registers it); a second client then gets the
//   answer from the hash alone, by a GET with an ETag a CDN can keep.
// - Locked server: a dashboard whose link names each cookbook query by the
//   hash `definiciones persist` printed for its file (a persisted query
//   list, as Apollo's manifests do) gets every answer by hash-only GETs;
//   a query that is not stored is refused PERSISTED_QUERY_ONLY even after
//   the link retries it with its text.
//
// node persisted.mjs OPEN_URL LOCKED_URL COOKBOOK_DIR

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { print } from 'graphql';

const [openUrl, lockedUrl, cookbookDir] = process.argv.slice(2);
if (!openUrl || !lockedUrl || !cookbookDir) {
  console.error('usage: node persisted.mjs OPEN_URL LOCKED_URL COOKBOOK_DIR');
  process.exit(2);
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

function check(condition, message) {
  if (!condition) {
    console.error(`persisted e2e: ${message}`);
    process.exit(1);
  }
}

// Every request the clients send, and what came back.
const sent = [];
async function recordingFetch(url, init) {
  const response = await fetch(url, init);
  const target = new URL(url);
  sent.push({
    method: init?.method ?? 'GET',
    hasQuery: target.searchParams.has('query') || (init?.body ?? '').includes('"query"'),
    status: response.status,
    etag: response.headers.get('etag'),
    cacheControl: response.headers.get('cache-control'),
  });
  return response;
}

function client(base, persisted) {
  return new ApolloClient({
    cache: new InMemoryCache(),
    link: new PersistedQueryLink({ useGETForHashedQueries: true, ...persisted }).concat(
      new HttpLink({ uri: `${base}/graphql`, fetch: recordingFetch }),
    ),
  });
}

const PRODUCTOS = gql`
  query ProductosPersistidos($first: Int) {
    productos(first: $first) { totalCount nodes { numero nombre } }
  }
`;

// Open server: the round trip.
sent.length = 0;
const first = await client(openUrl, { sha256 }).query({ query: PRODUCTOS, variables: { first: 2 } });
check(first.data?.productos?.totalCount === 10, `unexpected answer: ${JSON.stringify(first)}`);
check(sent.length === 2, `expected the hash, then the query: ${JSON.stringify(sent)}`);
check(sent[0].method === 'GET' && !sent[0].hasQuery, `first the hash alone by GET: ${JSON.stringify(sent[0])}`);
check(sent[0].status === 404, `an unknown hash is 404 to graphql-response+json: ${JSON.stringify(sent[0])}`);
check(sent[0].cacheControl === 'no-store', `an unknown hash is not cached: ${JSON.stringify(sent[0])}`);
check(sent[1].method === 'POST' && sent[1].hasQuery && sent[1].status === 200, `then the query: ${JSON.stringify(sent[1])}`);

sent.length = 0;
const second = await client(openUrl, { sha256 }).query({ query: PRODUCTOS, variables: { first: 2 } });
check(JSON.stringify(second.data) === JSON.stringify(first.data), 'the same answer by hash');
check(sent.length === 1 && sent[0].method === 'GET' && !sent[0].hasQuery, `one GET by hash: ${JSON.stringify(sent)}`);
check(sent[0].etag && sent[0].cacheControl === 'public, no-cache', `cacheable: ${JSON.stringify(sent[0])}`);

// Locked server: the cookbook by the hashes `persist` printed.
// The link sees each document as the client sends it (with the
// `__typename`s its cache adds), so the list is keyed on that form.
const sends = (document) => print(new InMemoryCache().transformDocument(document));
const manifest = new Map();
const files = readdirSync(cookbookDir).filter((name) => name.endsWith('.graphql')).sort();
check(files.length > 0, 'the cookbook has files');
for (const name of files) {
  const text = readFileSync(join(cookbookDir, name), 'utf8');
  manifest.set(sends(gql(text)), { name, text, hash: sha256(text) });
}
const dashboard = client(lockedUrl, { generateHash: (document) => manifest.get(print(document))?.hash });
sent.length = 0;
for (const { name, text } of manifest.values()) {
  // The stored text has no `__typename`s: its answers go to the page, not
  // to the cache.
  const answer = await dashboard.query({ query: gql(text), fetchPolicy: 'no-cache' });
  check(answer.data && !answer.error, `${name} answers: ${JSON.stringify(answer)}`);
}
check(
  sent.length === files.length && sent.every((s) => s.method === 'GET' && !s.hasQuery && s.status === 200),
  `every cookbook query by one hash-only GET: ${JSON.stringify(sent)}`,
);

sent.length = 0;
const stranger = client(lockedUrl, { sha256 });
const refused = await stranger.query({ query: PRODUCTOS, variables: { first: 1 } }).then(
  (result) => result,
  (error) => ({ error }),
);
const codes = (refused.error?.errors ?? []).map((e) => e.extensions?.code);
check(codes.includes('PERSISTED_QUERY_ONLY'), `a query not stored is refused: ${JSON.stringify(refused)} ${JSON.stringify(sent)}`);
check(sent.length === 2 && sent[1].status === 403, `refused after the retry with the query: ${JSON.stringify(sent)}`);

console.log(`persisted e2e: ok (${files.length} cookbook queries by hash)`);
