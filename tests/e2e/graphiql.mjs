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
// aborted before they leave and fail the run (see offline.mjs).
import { baseAndScreenshot, editorText, graphiqlReady, resultShows, runOffline, screenshotTo, TIMEOUT_MS } from './offline.mjs';

const EXPECTED = ['Diálogos con la sociedad civil.', '"totalCount"'];
const { base, screenshot } = baseAndScreenshot('graphiql.mjs');

await runOffline('graphiql e2e', async (page) => {
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

  await graphiqlReady(page, 'query Enlaces');
  const execute = page.locator('button.graphiql-execute-button');

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
  const onLoad = await editorText(page, '.graphiql-response');
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

  const resultText = () => editorText(page, '.graphiql-response');
  await resultShows(page, EXPECTED);
  const result = await resultText();
  if (result.includes('"errors"')) {
    throw new Error(`the result has errors:\n${result.slice(0, 2000)}`);
  }

  await screenshotTo(page, screenshot);

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

  return `ok, ${base}/graphql ran the default query; screenshot at ${screenshot}`;
});
