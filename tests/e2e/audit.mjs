// GraphQL-over-HTTP conformance: runs graphql-http's server audit against a
// running definiciones server.
//
//   node tests/e2e/audit.mjs http://127.0.0.1:8080/graphql
//
// Prints every audit with its result; exits 1 when any MUST fails. SHOULD
// failures are reported, not fatal.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

const results = await auditServer({ url });
let mustFailures = 0;
let shouldFailures = 0;
for (const result of results) {
  const mark = result.status === 'ok' ? 'ok  ' : result.status === 'warn' ? 'WARN' : result.status === 'notice' ? 'note' : 'FAIL';
  console.log(`${mark} ${result.name}`);
  if (result.status !== 'ok') {
    console.log(`     ${result.reason}`);
  }
  if (result.status === 'error') mustFailures += 1;
  if (result.status === 'warn') shouldFailures += 1;
}
console.log(`${results.length - mustFailures - shouldFailures} passed, ${mustFailures} failed, ${shouldFailures} warnings`);
process.exit(mustFailures > 0 ? 1 : 0);
