// The page is served from a subpath and embedded in a 700 px iframe on a host
// page of the same site, as the README's embed snippet does. The analysis
// runs in the frame and nothing is wider than the frame. Every request stays
// on the origin, and the privacy note is visible.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, RESULT_TIMEOUT_MS, startServerAndBrowser } from './helpers.mjs';

const APP_PATH = '/blog/tools/pathlight/';
const HOST_PATH = '/blog/post.html';
const FRAME_WIDTH = 700;
const HOST_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>A post with Pathlight in it</title></head>
<body>
<h1>A post with Pathlight in it</h1>
<iframe src="${APP_PATH}" width="${FRAME_WIDTH}" height="900" title="Pathlight"></iframe>
</body>
</html>
`;

async function openEmbeddedApp(t) {
  const { server, browser } = await startServerAndBrowser(t, { base: APP_PATH, pages: { [HOST_PATH]: HOST_PAGE } });
  const context = await browser.newContext({ viewport: { width: 1000, height: 1000 } });
  const requests = [];
  context.on('request', (request) => requests.push(request.url()));
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await page.goto(`${server.origin}${HOST_PATH}`);
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  await frame.waitForSelector('html[data-engine=ready]', { state: 'attached', timeout: RESULT_TIMEOUT_MS });
  return { server, page, frame, requests, pageErrors };
}

// Event names and ids with no spaces, as many exports have, are the usual
// cause of a table wider than its column.
const LONG_NAMES_CSV = [
  'user_id,timestamp,event,channel',
  ...Array.from({ length: 30 }, (_, row) => [
    `customer_from_the_crm_export_with_a_long_identifier_${row % 7}`,
    `2024-05-0${1 + (row % 8)}T09:${10 + row}:00Z`,
    `checkout_step_with_a_long_snake_case_event_name_${row % 4}`,
    'newsletter_spring_campaign_2024_with_utm_parameters',
  ].join(',')),
  '',
].join('\n');

// Lists the visible elements that reach past the right edge of the frame,
// unless a scrolling or clipping container that fits in the frame contains them.
// Only the outermost such element is listed, not each of its descendants.
function elementsOutsideFrame() {
  const frameWidth = document.documentElement.clientWidth;
  const sticksOut = (element) => element.getClientRects().length > 0 && element.getBoundingClientRect().right > frameWidth + 0.5;
  const problems = [];
  for (const element of document.querySelectorAll('body *')) {
    if (!sticksOut(element) || (element.parentElement && sticksOut(element.parentElement))) {
      continue;
    }
    let container = element.parentElement;
    while (container && getComputedStyle(container).overflowX === 'visible') {
      container = container.parentElement;
    }
    if (!container || container === document.body || container.getBoundingClientRect().right > frameWidth + 0.5) {
      const testid = element.closest('[data-testid]')?.dataset.testid ?? 'no test id';
      problems.push(`${element.tagName.toLowerCase()}.${element.getAttribute('class') ?? ''} in ${testid}`);
    }
  }
  return problems;
}

// Lists the tables wider than the frame that do not scroll inside a
// container of their own.
function wideTablesWithoutScroll() {
  const frameWidth = document.documentElement.clientWidth;
  const problems = [];
  for (const table of document.querySelectorAll('table')) {
    if (table.getClientRects().length === 0 || table.getBoundingClientRect().width <= frameWidth) {
      continue;
    }
    const container = table.parentElement;
    if (!['auto', 'scroll'].includes(getComputedStyle(container).overflowX)) {
      problems.push(table.closest('[data-testid]')?.dataset.testid ?? table.className);
    }
  }
  return problems;
}

async function readPageWidths(frame) {
  return frame.evaluate(() => ({
    scroll: document.scrollingElement.scrollWidth,
    client: document.scrollingElement.clientWidth,
  }));
}

test('embedded sample fits 700 px frame', async (t) => {
  const { frame, pageErrors } = await openEmbeddedApp(t);
  await frame.click('[data-testid=sample-button]');
  await frame.waitForSelector('[data-testid=funnel-step-row]', { timeout: RESULT_TIMEOUT_MS });
  await frame.waitForSelector('svg[data-testid=sankey]', { timeout: RESULT_TIMEOUT_MS });

  const widths = await readPageWidths(frame);
  assert.ok(widths.client <= FRAME_WIDTH, `the frame's viewport is ${widths.client} px wide`);
  assert.ok(widths.scroll <= widths.client, `the page is ${widths.scroll} px wide in a ${widths.client} px frame`);
  assert.ok(await frame.locator('table').count() > 0, 'the results have tables');
  assert.deepEqual(await frame.evaluate(wideTablesWithoutScroll), []);
  assert.deepEqual(await frame.evaluate(elementsOutsideFrame), []);
  assert.deepEqual(pageErrors, []);
});

test('embedded long names fit 700 px frame', async (t) => {
  const { frame, pageErrors } = await openEmbeddedApp(t);
  await dropFiles(frame, [{ name: 'crm_export_with_long_event_names.csv', text: LONG_NAMES_CSV }]);
  await frame.waitForSelector('[data-testid=file-card]');
  await frame.evaluate(() => document.querySelectorAll('details').forEach((details) => { details.open = true; }));
  assert.deepEqual(await frame.evaluate(elementsOutsideFrame), [], 'the column mapping fits');

  await analyse(frame);
  await frame.click('[data-testid=funnel-step-people] button');
  await frame.waitForSelector('[data-testid=people-table]', { timeout: RESULT_TIMEOUT_MS });
  await frame.evaluate(() => document.querySelectorAll('details').forEach((details) => { details.open = true; }));

  const widths = await readPageWidths(frame);
  assert.ok(widths.scroll <= widths.client, `the page is ${widths.scroll} px wide in a ${widths.client} px frame`);
  assert.deepEqual(await frame.evaluate(wideTablesWithoutScroll), []);
  assert.deepEqual(await frame.evaluate(elementsOutsideFrame), []);
  assert.deepEqual(pageErrors, []);
});

test('embedded page stays on origin', async (t) => {
  const { server, frame, requests } = await openEmbeddedApp(t);
  await frame.click('[data-testid=sample-button]');
  await frame.waitForSelector('[data-testid=funnel-step-row]', { timeout: RESULT_TIMEOUT_MS });

  const appRequests = requests.filter((url) => url.startsWith(`${server.origin}${APP_PATH}`));
  assert.ok(appRequests.length > 0, 'the app was loaded from its subpath');
  const foreign = requests.filter((url) => !url.startsWith(`${server.origin}/`) && !url.startsWith('data:'));
  assert.deepEqual(foreign, []);
});

test('embedded page shows privacy note', async (t) => {
  const { frame } = await openEmbeddedApp(t);
  const note = frame.locator('[data-testid=privacy-note]');
  assert.ok(await note.isVisible(), 'the privacy note is visible');
  assert.match(await note.textContent(), /never uploaded/);

  const box = await note.boundingBox();
  const frameBox = await (await frame.frameElement()).boundingBox();
  assert.ok(box.y + box.height <= frameBox.y + frameBox.height, 'the note is inside the frame without scrolling');
});

test('embedded service worker uses the subpath', async (t) => {
  const { server, frame } = await openEmbeddedApp(t);
  const scope = await frame.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  assert.equal(scope, `${server.origin}${APP_PATH}`);
  await frame.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: RESULT_TIMEOUT_MS });
});
