// GraphiQL's Explorer end to end: a developer builds a query by ticking
// fields, in Debian's Chromium, headless, with every request kept on this
// machine (see offline.mjs).
//
// On a first visit the Explorer is open beside the example query, its top
// in view, and has not taken the focus. Switching to the docs is
// remembered across a reload. Then the developer opens the Explorer,
// empties the editor, ticks partidas → nodes → codigo and nombre, runs the
// query, and the result pane shows the sample's partida.
//
//   node tests/e2e/explorer.mjs http://127.0.0.1:8080 target/graphiql-explorer.png
//
// Exits 0 and writes the screenshot on success; exits 1 with the reason
// otherwise (2 on bad usage).
import { baseAndScreenshot, editorText, graphiqlReady, resultShows, runOffline, screenshotTo, TIMEOUT_MS } from './offline.mjs';

const { base, screenshot } = baseAndScreenshot('explorer.mjs');
// What ticking partidas → nodes → codigo, nombre writes, spaces aside.
const BUILT = 'query MyQuery { partidas { nodes { codigo nombre } } }';
// The sample's one partida.
const EXPECTED = ['"codigo": "20"', '"nombre": "MINISTERIO SECRETARIA GENERAL DE GOBIERNO"'];

const squeeze = (text) => text.replace(/\s+/g, ' ').trim();

await runOffline('explorer e2e', async (page) => {
  const explorer = page.locator('.graphiql-plugin .graphiql-explorer-root');
  const docs = page.locator('.graphiql-plugin .graphiql-doc-explorer');
  const sidebarButton = (label) => page.locator(`.graphiql-sidebar button[aria-label="${label}"]`);

  // The Explorer's tree is drawn, from the top, without taking the focus:
  // the query's name box is in the pane's view and the focus is elsewhere.
  async function explorerShows(operation, when) {
    await explorer.locator('[data-field-name="partidas"]').waitFor({ timeout: TIMEOUT_MS }).catch(async () => {
      const shown = await page.locator('.graphiql-plugin').innerText().catch(() => '(no sidebar pane)');
      throw new Error(`${when}, the sidebar shows no Explorer listing partidas; it shows:\n${shown.slice(0, 1000)}`);
    });
    const name = explorer.locator('.graphiql-operation-title-bar input').first();
    const shown = await name.inputValue();
    if (shown !== operation) {
      throw new Error(`${when}, the Explorer shows the operation ${shown}, not ${operation}`);
    }
    const pane = await page.locator('.graphiql-plugin').boundingBox();
    const box = await name.boundingBox();
    if (!pane || !box || box.y < pane.y || box.y + box.height > pane.y + pane.height) {
      throw new Error(`${when}, the Explorer is scrolled away from its top (query name at ${JSON.stringify(box)}, pane at ${JSON.stringify(pane)})`);
    }
    const focused = await page.evaluate(() => Boolean(document.activeElement?.closest('.graphiql-explorer-root')));
    if (focused) {
      throw new Error(`${when}, the Explorer took the focus (one of its argument boxes has it)`);
    }
  }

  const response = await page.goto(`${base}/graphql`, { timeout: TIMEOUT_MS });
  if (!response || !response.ok()) {
    throw new Error(`GET ${base}/graphql answered ${response ? response.status() : 'nothing'}`);
  }
  await graphiqlReady(page, 'query Enlaces');
  await explorerShows('Enlaces', 'on a first visit');

  // The sidebar pane the developer leaves open is the one they find again.
  await sidebarButton('Show Documentation Explorer').click({ timeout: TIMEOUT_MS });
  await docs.waitFor({ timeout: TIMEOUT_MS });
  await page.reload({ timeout: TIMEOUT_MS });
  await graphiqlReady(page, 'query Enlaces');
  await docs.waitFor({ timeout: TIMEOUT_MS }).catch(() => {
    throw new Error('after a reload, the docs the developer had open were not shown');
  });
  if (await explorer.count() > 0) {
    throw new Error('after a reload, the Explorer was open although the developer had switched to the docs');
  }

  await sidebarButton('Show GraphiQL Explorer').click({ timeout: TIMEOUT_MS });
  await explorerShows('Enlaces', 'once opened');

  // A fresh query: empty the editor, then tick fields.
  await page.locator('.graphiql-query-editor .CodeMirror').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // With nothing in the editor, the Explorer offers a new, empty query.
  await page
    .waitForFunction(
      () => document.querySelector('.graphiql-explorer-root .graphiql-operation-title-bar input')?.value === 'MyQuery',
      null,
      { timeout: TIMEOUT_MS },
    )
    .catch(async () => {
      throw new Error(`with the editor emptied, the Explorer did not offer a new query; the editor holds:\n${await editorText(page, '.graphiql-query-editor')}`);
    });
  const partidas = explorer.locator('.graphiql-explorer-partidas');
  const tick = async (path, locator) => {
    await locator.click({ timeout: TIMEOUT_MS }).catch(async () => {
      const tree = await explorer.innerText().catch(() => '(no Explorer)');
      throw new Error(`the Explorer offers no ${path} to tick; it shows:\n${tree.slice(0, 1500)}`);
    });
  };
  await tick('partidas', explorer.locator('[data-field-name="partidas"]'));
  await tick('partidas → nodes', partidas.locator('[data-field-name="nodes"]'));
  await tick('partidas → nodes → codigo', partidas.locator('[data-field-name="codigo"]'));
  await tick('partidas → nodes → nombre', partidas.locator('[data-field-name="nombre"]'));
  await page
    .waitForFunction(
      (built) => {
        const text = document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.getValue() ?? '';
        return text.replace(/\s+/g, ' ').trim() === built;
      },
      BUILT,
      { timeout: TIMEOUT_MS },
    )
    .catch(async () => {
      throw new Error(`ticking fields wrote, in the editor:\n${await editorText(page, '.graphiql-query-editor')}\nnot ${BUILT}`);
    });

  const answered = page.waitForResponse(
    (r) => new URL(r.url()).pathname === '/graphql' && r.request().method() === 'POST'
      && (r.request().postData() ?? '').includes('MyQuery'),
    { timeout: TIMEOUT_MS },
  );
  await page.locator('button.graphiql-execute-button').click();
  const graphql = await answered.catch(() => {
    throw new Error('clicking "Execute query" sent no POST /graphql');
  });
  if (!graphql.ok()) {
    throw new Error(`POST /graphql answered ${graphql.status()}: ${await graphql.text()}`);
  }
  const sent = squeeze(JSON.parse(graphql.request().postData()).query);
  if (sent !== BUILT) {
    throw new Error(`the query sent was ${sent}, not the one built, ${BUILT}`);
  }
  await resultShows(page, EXPECTED);
  const result = await editorText(page, '.graphiql-response');
  if (result.includes('"errors"')) {
    throw new Error(`the result has errors:\n${result.slice(0, 2000)}`);
  }

  await screenshotTo(page, screenshot);
  return `ok, ticking partidas → nodes → codigo, nombre at ${base}/graphql ran ${BUILT}; screenshot at ${screenshot}`;
});
