// GraphiQL end to end: Debian's Chromium, headless, opens a running
// definiciones server's GraphiQL and looks at it as a newcomer does. Before
// anything is clicked, the schema has arrived (its introspection answered
// without errors), the result pane holds no error and the docs explorer
// lists Query's fields. Then the default query runs and the result pane
// shows the sample's data, and typing in the editor offers completions
// from the schema. Every request is kept on this machine.
//
//   node tests/e2e/graphiql.mjs http://127.0.0.1:8080 target/graphiql.png
//
// Exits 0 and writes the screenshot on success; exits 1 with the reason
// otherwise (2 on bad usage). Requests to any host but the loopback are
// aborted before they leave and fail the run. CHROMIUM overrides the
// browser (/usr/bin/chromium); E2E_TIMEOUT_MS each wait (30 s).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const EXPECTED = ['Diálogos con la sociedad civil.', '"totalCount"'];
const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 30_000);
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

const [base, screenshot] = process.argv.slice(2);
if (!base || !screenshot) {
  console.error('usage: node graphiql.mjs BASE_URL SCREENSHOT.png');
  process.exit(2);
}

const remote = [];
const problems = [];
let browser;

function isRemote(url) {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return false;
  return !LOCAL_HOSTS.has(hostname);
}

async function run() {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: TIMEOUT_MS,
  });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
  });
  // Offline means offline: nothing but the loopback gets out.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isRemote(url)) {
      remote.push(url);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && !text.includes('favicon.ico')) {
      problems.push(`console error: ${text}`);
    }
  });
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (response.status() >= 400 && url.pathname !== '/favicon.ico') {
      problems.push(`${response.status()} for ${response.request().method()} ${response.url()}`);
    }
  });

  // GraphiQL introspects the schema as soon as it loads.
  const introspected = page.waitForResponse(
    (r) => new URL(r.url()).pathname === '/graphql' && r.request().method() === 'POST'
      && (r.request().postData() ?? '').includes('__schema'),
    { timeout: TIMEOUT_MS },
  );
  // A navigation sends Accept: text/html, as any browser does.
  const response = await page.goto(`${base}/graphql`, { timeout: TIMEOUT_MS });
  if (!response || !response.ok()) {
    throw new Error(`GET ${base}/graphql answered ${response ? response.status() : 'nothing'}`);
  }
  const type = response.headers()['content-type'] ?? '';
  if (!type.startsWith('text/html')) {
    throw new Error(`GET ${base}/graphql with Accept: text/html gave ${type}, not the GraphiQL page`);
  }

  const execute = page.locator('button.graphiql-execute-button');
  await execute.waitFor({ state: 'visible', timeout: TIMEOUT_MS }).catch(() => {
    throw new Error(`GraphiQL did not render within ${TIMEOUT_MS / 1000} s`);
  });
  // The editor holds the default query once GraphiQL is ready.
  await page
    .waitForFunction(
      () => document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.getValue().includes('query Enlaces'),
      null,
      { timeout: TIMEOUT_MS },
    )
    .catch(() => {
      throw new Error('the query editor never showed the default query (query Enlaces)');
    });

  // Before any click: the schema arrived whole, and nothing shows an error.
  const schemaReply = await introspected.catch(() => {
    throw new Error('GraphiQL never sent its introspection query');
  });
  const schemaBody = await schemaReply.text();
  if (!schemaReply.ok() || schemaBody.includes('"errors"') || !schemaBody.includes('"__schema"')) {
    throw new Error(`GraphiQL's introspection answered ${schemaReply.status()}: ${schemaBody.slice(0, 1000)}`);
  }
  const docs = page.locator('.graphiql-sidebar button[aria-label*="Documentation Explorer"]');
  await docs.click({ timeout: TIMEOUT_MS });
  const queryType = page.locator('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name', { hasText: /^Query$/ });
  await queryType.first().click({ timeout: TIMEOUT_MS }).catch(async () => {
    const text = await page.locator('.graphiql-doc-explorer').innerText().catch(() => '(no docs pane)');
    throw new Error(`the docs explorer shows no Query type; it shows:\n${text.slice(0, 1000)}`);
  });
  const fields = page.locator('.graphiql-doc-explorer .graphiql-doc-explorer-field-name');
  await fields.first().waitFor({ timeout: TIMEOUT_MS });
  const listed = await fields.allInnerTexts();
  for (const field of ['partidas', 'servicios', 'objetivosInstitucionales', 'productos', 'estadisticas']) {
    if (!listed.includes(field)) {
      throw new Error(`the docs explorer's Query lacks ${field}: ${listed.join(', ')}`);
    }
  }
  const onLoad = await page.evaluate(
    () => document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror?.getValue() ?? '',
  );
  if (onLoad.trim() !== '') {
    throw new Error(`before any click the result pane shows:\n${onLoad.slice(0, 1000)}`);
  }

  const answered = page.waitForResponse(
    (r) => new URL(r.url()).pathname === '/graphql' && r.request().method() === 'POST'
      && (r.request().postData() ?? '').includes('Enlaces'),
    { timeout: TIMEOUT_MS },
  );
  await execute.click();
  const graphql = await answered.catch(() => {
    throw new Error('clicking "Execute query" sent no POST /graphql');
  });
  if (!graphql.ok()) {
    throw new Error(`POST /graphql answered ${graphql.status()}: ${await graphql.text()}`);
  }

  // CodeMirror draws only the visible lines; ask it for the whole text.
  const resultText = () =>
    page.evaluate(() => {
      const editor = document.querySelector('.graphiql-response .CodeMirror');
      return editor?.CodeMirror?.getValue() ?? editor?.textContent ?? '';
    });
  await page
    .waitForFunction(
      (expected) => {
        const text = document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror?.getValue() ?? '';
        return expected.every((e) => text.includes(e));
      },
      EXPECTED,
      { timeout: TIMEOUT_MS },
    )
    .catch(async () => {
      const text = (await resultText()).slice(0, 2000);
      throw new Error(`the result pane never showed ${EXPECTED.join(' and ')}; it shows:\n${text}`);
    });
  const result = await resultText();
  if (result.includes('"errors"')) {
    throw new Error(`the result has errors:\n${result.slice(0, 2000)}`);
  }

  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot });

  // Typing offers the schema's fields.
  await page.locator('.graphiql-query-editor .CodeMirror').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type('{ part', { delay: 50 });
  const hints = page.locator('.CodeMirror-hints .CodeMirror-hint');
  await hints.first().waitFor({ timeout: TIMEOUT_MS }).catch(() => {
    throw new Error('typing `{ part` in the editor offered no completions');
  });
  const offered = await hints.allInnerTexts();
  if (!offered.some((hint) => hint.trim() === 'partidas')) {
    throw new Error(`typing \`{ part\` offered ${offered.join(', ')}, not partidas`);
  }
}

let failure;
try {
  await run();
} catch (error) {
  failure = error;
} finally {
  await browser?.close().catch(() => {});
}

if (remote.length > 0) {
  problems.push(`requests for other hosts than this machine (aborted before they left): ${[...new Set(remote)].join(', ')}`);
}
if (failure || problems.length > 0) {
  console.error('graphiql e2e: FAILED');
  if (failure) console.error(`  ${failure.message ?? failure}`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
console.log(`graphiql e2e: ok, ${base}/graphql ran the default query; screenshot at ${screenshot}`);
