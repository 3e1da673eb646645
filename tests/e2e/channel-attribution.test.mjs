// The channels table on a hand-worked example of three converting paths:
// the published removal effects are A = 100% and B = 50%, so the Markov
// credits are A = 2 and B = 1, and first and last touch give A all 3.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { analyse, openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

const FIXTURE = fileURLToPath(new URL('../fixtures/attribution-worked-example.csv', import.meta.url));

function cell(page, channel, testid) {
  return page.locator(`[data-testid=channel-row][data-channel="${channel}"] [data-testid=${testid}]`);
}

async function creditOf(page, channel, model) {
  return cell(page, channel, `credit-${model}`).locator('[data-testid=credit-value]').textContent();
}

test('channels table shows model credits', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await page.setInputFiles('[data-testid=file-input]', FIXTURE);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=channels-table]', { timeout: RESULT_TIMEOUT_MS });

  const channels = await page.locator('[data-testid=channel-name]').allTextContents();
  assert.deepEqual([...channels].sort(), ['A', 'B']);

  assert.equal(await creditOf(page, 'A', 'markov'), '2');
  assert.equal(await creditOf(page, 'B', 'markov'), '1');
  assert.equal(await creditOf(page, 'A', 'first_touch'), '3');
  assert.equal(await creditOf(page, 'A', 'last_touch'), '3');
  assert.equal(await creditOf(page, 'B', 'first_touch'), '0');
  assert.equal(await cell(page, 'A', 'credit-markov').locator('[data-testid=credit-share]').textContent(), '66.7%');
  assert.equal(await cell(page, 'A', 'removal-effect').textContent(), '100.0%');
  assert.equal(await cell(page, 'B', 'removal-effect').textContent(), '50.0%');

  // A channel path table has no times, so time decay has no column and no half-life.
  assert.equal(await page.locator('[data-testid=credit-time_decay]').count(), 0);
  assert.ok(await page.isDisabled('[data-testid=attribution-half-life]'), 'the half-life input is disabled');
  assert.deepEqual(pageErrors, []);
});

test('model notes link to definitions', async (t) => {
  const { page } = await openApp(t);
  await page.setInputFiles('[data-testid=file-input]', FIXTURE);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=channels-table]', { timeout: RESULT_TIMEOUT_MS });

  const hrefs = await page.locator('[data-testid=channels] a.metric-link').evaluateAll((links) => links.map((link) => new URL(link.href).hash));
  assert.ok(hrefs.length > 0, 'the view has metric links');
  assert.deepEqual([...new Set(hrefs)], ['#attribution']);
});
