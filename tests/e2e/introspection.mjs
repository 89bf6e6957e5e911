// Introspection as the clients people use send it, against a running
// definiciones server, with graphql-js (the library GraphiQL, Apollo's
// tooling and graphql-codegen build on):
//
// - the full standard introspection query, every option on, over POST and
//   GET, builds a client schema that matches the server's SDL;
// - the bare default introspection query and a `__type(name:)` lookup;
// - every README cookbook query validates against that client schema, and
//   still answers without errors once rewritten as Apollo Client (a
//   `__typename` in every selection) and Relay (`id` and `__typename`
//   wherever the type has them) rewrite queries.
//
//   node tests/e2e/introspection.mjs http://127.0.0.1:8080 README.md
//
// Exits 0 on success, 1 with every failure listed, 2 on bad usage.
import { readFileSync } from 'node:fs';
import {
  GraphQLSchema,
  Kind,
  TypeInfo,
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  getNamedType,
  isInterfaceType,
  isObjectType,
  lexicographicSortSchema,
  parse,
  print,
  printSchema,
  validate,
  visit,
  visitWithTypeInfo,
} from 'graphql';

const [base, readmePath] = process.argv.slice(2);
if (!base || !readmePath) {
  console.error('usage: node introspection.mjs BASE_URL README.md');
  process.exit(2);
}
const endpoint = `${base}/graphql`;
const ACCEPT = 'application/graphql-response+json, application/json;q=0.9';
const failures = [];
let checks = 0;

function check(ok, what) {
  checks += 1;
  if (!ok) failures.push(what);
  return ok;
}

async function post(query, variables) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

async function get(query) {
  const url = `${endpoint}?${new URLSearchParams({ query })}`;
  const response = await fetch(url, { headers: { accept: ACCEPT } });
  return { status: response.status, body: await response.json() };
}

function answered(reply, what) {
  return check(
    reply.status === 200 && !reply.body.errors && reply.body.data,
    `${what}: ${reply.status} ${JSON.stringify(reply.body).slice(0, 500)}`,
  );
}

// The schema as SDL, in one order. async-graphql answers `__schema {
// description }` with a fixed text of its own, which no SDL carries.
function sorted(schema) {
  const config = schema.toConfig();
  return printSchema(lexicographicSortSchema(new GraphQLSchema({ ...config, description: undefined })));
}

// The README's cookbook queries, as the API test reads them.
function cookbook() {
  const readme = readFileSync(readmePath, 'utf8');
  const section = readme.split('### Query cookbook')[1]?.split('\n## ')[0] ?? '';
  return section
    .split('```')
    .filter((_, i) => i % 2 === 1)
    .filter((block) => block.startsWith('graphql\n'))
    .map((block) => block.slice('graphql\n'.length));
}

// Add `fields` to every selection set whose type has them, as client
// libraries do before sending.
function addFields(schema, document, fields) {
  const typeInfo = new TypeInfo(schema);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      SelectionSet(node) {
        const type = getNamedType(typeInfo.getParentType());
        if (!isObjectType(type) && !isInterfaceType(type)) return undefined;
        const have = new Set(
          node.selections.filter((s) => s.kind === Kind.FIELD && !s.alias).map((s) => s.name.value),
        );
        const wanted = fields.filter(
          (f) => !have.has(f) && (f === '__typename' || type.getFields()[f]),
        );
        if (wanted.length === 0) return undefined;
        return {
          ...node,
          selections: [
            ...node.selections,
            ...wanted.map((f) => ({ kind: Kind.FIELD, name: { kind: Kind.NAME, value: f } })),
          ],
        };
      },
    }),
  );
}

async function run() {
  const full = getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
  });
  const reply = await post(full);
  if (!answered(reply, 'the full introspection query over POST')) return;
  let schema;
  try {
    schema = buildClientSchema(reply.body.data);
  } catch (error) {
    check(false, `buildClientSchema refused the answer: ${error.message}`);
    return;
  }
  check(schema.getQueryType()?.getFields().partidas, 'the client schema has Query.partidas');

  const sdl = await fetch(`${base}/schema.graphql`).then((r) => r.text());
  const served = buildSchema(sdl);
  const [introspected, published] = [sorted(schema), sorted(served)];
  if (!check(introspected === published, 'the introspected schema differs from /schema.graphql')) {
    const a = introspected.split('\n');
    const b = published.split('\n');
    const at = a.findIndex((line, i) => line !== b[i]);
    failures.push(`  first difference at line ${at + 1}: ${JSON.stringify(a[at])} vs ${JSON.stringify(b[at])}`);
  }

  answered(await get(full), 'the full introspection query over GET');
  answered(await post(getIntrospectionQuery()), 'the default introspection query');
  const lookup = await post(
    `query ($name: String!) { __type(name: $name) { name kind fields { name args { name type { kind name ofType { kind name ofType { kind name } } } } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }`,
    { name: 'ObjetivoInstitucional' },
  );
  if (answered(lookup, '__type(name:)')) {
    check(
      lookup.body.data.__type?.fields?.some((f) => f.name === 'productos'),
      `__type(name: "ObjetivoInstitucional") lists productos: ${JSON.stringify(lookup.body.data).slice(0, 300)}`,
    );
  }

  const queries = cookbook();
  check(queries.length > 0, 'the README has a cookbook');
  for (const [i, text] of queries.entries()) {
    const document = parse(text);
    const errors = validate(schema, document);
    check(errors.length === 0, `cookbook query ${i + 1} does not validate: ${errors.map((e) => e.message).join('; ')}`);
    const apollo = print(addFields(schema, document, ['__typename']));
    answered(await post(apollo), `cookbook query ${i + 1} as Apollo Client sends it`);
    const relay = print(addFields(schema, document, ['id', '__typename']));
    answered(await post(relay), `cookbook query ${i + 1} as Relay sends it`);
  }
}

try {
  await run();
} catch (error) {
  failures.push(`stopped: ${error.stack ?? error}`);
}
if (failures.length > 0) {
  console.error(`introspection e2e: FAILED (${failures.length} of ${checks} checks)`);
  for (const failure of failures) console.error(`  ${failure}`);
  process.exit(1);
}
console.log(`introspection e2e: ok, ${checks} checks against ${endpoint}`);
