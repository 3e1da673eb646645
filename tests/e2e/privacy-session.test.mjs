// A whole session sends nothing anywhere: after the page has loaded, dropping
// a file, opening every view, listing people and taking every export makes
// no request at all, and every request of the session goes to the page's own
// origin. Downloads are blob: URLs made in the page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { analyse, dropFiles, openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

const SAMPLE_PATH = new URL('../../www/samples/journeys.csv', import.meta.url);

function isOwnOrigin(url, origin) {
  return url.startsWith(`${origin}/`) || url.startsWith(`blob:${origin}/`) || url.startsWith('data:');
}

/** Clicks `locator` and returns the name of the file it downloads. */
async function download(page, locator) {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: RESULT_TIMEOUT_MS }), locator.click()]);
  return file.suggestedFilename();
}

/** Clicks every visible element that matches `selector`, one download each, and returns the names. */
async function downloadEach(page, selector) {
  const names = [];
  for (const button of await page.locator(selector).all()) {
    if (await button.isVisible()) {
      names.push(await download(page, button));
      // Chromium drops a download that follows others too closely.
      await page.waitForTimeout(150);
    }
  }
  return names;
}

test('whole session requests nothing', async (t) => {
  const { page, server, requests } = await openApp(t);
  const origin = new URL(server.url).origin;
  await page.evaluate(() => navigator.serviceWorker?.ready);
  await page.waitForLoadState('networkidle');
  const loaded = requests.length;
  assert.ok(loaded > 0, 'the page load was recorded');

  const text = await readFile(SAMPLE_PATH, 'utf8');
  await dropFiles(page, [{ name: 'journeys.csv', text }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('svg[data-testid=sankey]', { timeout: RESULT_TIMEOUT_MS });

  const viewLinks = await page.locator('a[data-testid=view-link]').all();
  assert.ok(viewLinks.length >= 8, `${viewLinks.length} views to open`);
  for (const link of viewLinks) {
    await link.click();
  }

  await page.locator('[data-testid=funnel-step-people] button').first().click();
  await page.waitForSelector('[data-testid=people-table]', { timeout: RESULT_TIMEOUT_MS });
  const peopleFile = await download(page, page.locator('[data-testid=people-export]'));
  assert.match(peopleFile, /\.csv$/);

  const reportFiles = await downloadEach(page, '[data-testid=export-bar] button');
  assert.ok(reportFiles.some((name) => name.endsWith('.html')), `report files: ${reportFiles}`);
  assert.ok(reportFiles.some((name) => name.endsWith('.json')), `report files: ${reportFiles}`);
  assert.ok(reportFiles.some((name) => name.endsWith('.csv')), `report files: ${reportFiles}`);

  const chartFiles = await downloadEach(page, '[data-testid=chart-export-svg], [data-testid=chart-export-png]');
  assert.ok(chartFiles.filter((name) => name.endsWith('.svg')).length >= 3, `chart files: ${chartFiles}`);
  assert.ok(chartFiles.filter((name) => name.endsWith('.png')).length >= 3, `chart files: ${chartFiles}`);

  await page.fill('[data-testid=setup-name]', 'privacy check');
  const setupFile = await download(page, page.locator('[data-testid=setup-export]'));
  assert.match(setupFile, /\.json$/);

  const afterLoad = requests.slice(loaded).filter((url) => !url.startsWith(`blob:${origin}/`));
  assert.deepEqual(afterLoad, [], 'requests after the page had loaded');
  const foreign = requests.filter((url) => !isOwnOrigin(url, origin));
  assert.deepEqual(foreign, [], 'requests to another origin');
});
