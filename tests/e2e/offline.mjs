// What every browser test shares: Debian's Chromium, headless, on one page
// that may talk to this machine only. Requests for any other host are
// aborted before they leave and fail the run; so do page errors, console
// errors and HTTP errors (but the favicon's 404: the server has none).
//
//   await runOffline('graphiql e2e', async (page) => { ... return 'ok, …'; });
//
// The body throws to fail; the run exits 0 and prints what the body returned
// on success, 1 with every reason otherwise. CHROMIUM overrides the browser
// (/usr/bin/chromium); E2E_TIMEOUT_MS each wait (30 s).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 30_000);
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function isRemote(url) {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return false;
  return !LOCAL_HOSTS.has(hostname);
}

/** The command line's BASE_URL and SCREENSHOT.png, or usage and exit 2. */
export function baseAndScreenshot(script) {
  const [base, screenshot] = process.argv.slice(2);
  if (!base || !screenshot) {
    console.error(`usage: node ${script} BASE_URL SCREENSHOT.png`);
    process.exit(2);
  }
  return { base, screenshot };
}

/** Save a screenshot of the page at `path`, making its directory. */
export async function screenshotTo(page, path) {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path });
}

/** Run `body(page)` in an offline browser, report, and exit. */
export async function runOffline(name, body) {
  const remote = [];
  const problems = [];
  let browser;
  let failure;
  let done;
  try {
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
      const where = message.location()?.url ?? '';
      if (message.type() === 'error' && !text.includes('favicon.ico') && !where.endsWith('/favicon.ico')) {
        problems.push(`console error: ${text}${where ? ` (${where})` : ''}`);
      }
    });
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (response.status() >= 400 && url.pathname !== '/favicon.ico') {
        problems.push(`${response.status()} for ${response.request().method()} ${response.url()}`);
      }
    });
    done = await body(page);
  } catch (error) {
    failure = error;
  } finally {
    await browser?.close().catch(() => {});
  }

  if (remote.length > 0) {
    problems.push(`requests for other hosts than this machine (aborted before they left): ${[...new Set(remote)].join(', ')}`);
  }
  if (failure || problems.length > 0) {
    console.error(`${name}: FAILED`);
    if (failure) console.error(`  ${failure.message ?? failure}`);
    for (const problem of problems) console.error(`  ${problem}`);
    process.exit(1);
  }
  console.log(`${name}: ${done}`);
  process.exit(0);
}

/** The whole text of the CodeMirror editor inside `selector` (CodeMirror
 * draws only the visible lines, so the DOM's text is not enough). */
export function editorText(page, selector) {
  return page.evaluate(
    (selector) => document.querySelector(`${selector} .CodeMirror`)?.CodeMirror?.getValue() ?? '',
    selector,
  );
}

/** Wait until GraphiQL has drawn its execute button and holds `query` in
 * the editor; fail saying which did not happen. */
export async function graphiqlReady(page, query) {
  await page
    .locator('button.graphiql-execute-button')
    .waitFor({ state: 'visible', timeout: TIMEOUT_MS })
    .catch(() => {
      throw new Error(`GraphiQL did not render within ${TIMEOUT_MS / 1000} s`);
    });
  await page
    .waitForFunction(
      (query) => document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.getValue().includes(query),
      query,
      { timeout: TIMEOUT_MS },
    )
    .catch(() => {
      throw new Error(`the query editor never showed the default query (${query})`);
    });
}

// Wait until GraphiQL's result pane holds every one of `expected`; fail
// with what it shows instead.
export async function resultShows(page, expected) {
  await page
    .waitForFunction(
      (wanted) => {
        const text = document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror?.getValue() ?? '';
        return wanted.every((e) => text.includes(e));
      },
      expected,
      { timeout: TIMEOUT_MS },
    )
    .catch(async () => {
      const text = (await editorText(page, '.graphiql-response')).slice(0, 2000);
      throw new Error(`the result pane never showed ${expected.join(' and ')}; it shows:\n${text}`);
    });
}
