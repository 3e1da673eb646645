// "Try a sample" works with no file of the user's: it reads the bundled
// sample and draws the funnel, the Sankey diagram and the time to convert.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, readCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

test('sample shows funnel, sankey and timing', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await page.click('[data-testid=sample-button]');
  await page.waitForSelector('[data-testid=funnel-step-row]', { timeout: RESULT_TIMEOUT_MS });

  assert.ok(await readCount(page, 'summary-people') > 0, 'the summary counts people');

  const funnelRows = await page.locator('[data-testid=funnel-step-row]').count();
  assert.ok(funnelRows >= 2, `the funnel has ${funnelRows} steps, expected at least 2`);

  const sankeyNodes = await page.locator('svg[data-testid=sankey] [data-testid=sankey-node]').count();
  assert.ok(sankeyNodes > 0, 'the Sankey SVG has nodes');
  const sankeyLinks = await page.locator('svg[data-testid=sankey] path.sankey-link').count();
  assert.ok(sankeyLinks > 0, 'the Sankey SVG has links');

  const caption = await page.textContent('[data-testid=timing-caption]');
  assert.match(caption, /converters only/);
  const median = await page.textContent('[data-testid=timing-median]');
  assert.notEqual(median.trim(), '–', 'the median time to convert is shown');
  assert.ok(await page.locator('[data-testid=histogram-bin]').count() > 0, 'the histogram has bins');

  assert.deepEqual(pageErrors, []);
});

test('sample fits a 700 px iframe', async (t) => {
  const { page, server } = await openApp(t);
  await page.setContent(`<iframe src="${server.url}" width="700" height="800"></iframe>`);
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  await frame.waitForSelector('html[data-engine=ready]', { state: 'attached', timeout: RESULT_TIMEOUT_MS });
  await frame.click('[data-testid=sample-button]');
  await frame.waitForSelector('[data-testid=funnel-step-row]', { timeout: RESULT_TIMEOUT_MS });
  await frame.waitForSelector('svg[data-testid=sankey]', { timeout: RESULT_TIMEOUT_MS });

  const overflow = await frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than its 700 px iframe`);
});
