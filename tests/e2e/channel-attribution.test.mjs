// The channels table on a hand-worked example of three converting paths:
// the published removal effects are A = 100% and B = 50%, so the Markov
// credits are A = 2 and B = 1, and first and last touch give A all 3.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { analyse, dropFiles, mapColumns, openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

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

// Two converters, one per channel, whose purchases are worth 100 and 300.
const VALUE_CSV = [
  'user,event,ts,channel,value',
  'u1,visit,2024-05-01T10:00:00Z,search,',
  'u1,purchase,2024-05-01T11:00:00Z,,100',
  'u2,visit,2024-05-01T10:00:00Z,email,',
  'u2,purchase,2024-05-01T12:00:00Z,,300',
  '',
].join('\n');

test('value weight credits conversion value', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'value.csv', text: VALUE_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await mapColumns(page, { channel: 'channel', value: 'value' });
  await analyse(page);
  await page.selectOption('[data-testid=conversion-event]', 'purchase');
  await page.waitForSelector('[data-testid=channels-table]', { timeout: RESULT_TIMEOUT_MS });
  assert.equal(await creditOf(page, 'email', 'linear'), '1');
  assert.equal(await creditOf(page, 'search', 'linear'), '1');

  await page.selectOption('[data-testid=attribution-weight]', 'value');
  await page.waitForFunction(() => document.querySelector('[data-testid=channels-caption]')?.textContent.includes('400 conversion value'),
    null, { timeout: RESULT_TIMEOUT_MS });
  assert.equal(await creditOf(page, 'email', 'linear'), '300');
  assert.equal(await creditOf(page, 'search', 'linear'), '100');
  assert.equal(await cell(page, 'email', 'credit-linear').locator('[data-testid=credit-share]').textContent(), '75.0%');
  assert.equal(await page.inputValue('[data-testid=attribution-weight]'), 'value', 'the select keeps the choice after the redraw');

  await page.fill('[data-testid=attribution-half-life]', 'soon');
  await page.press('[data-testid=attribution-half-life]', 'Enter');
  assert.match(await page.textContent('[data-testid=half-life-error]'), /Invalid half-life "soon"/);
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
  assert.deepEqual([...new Set(hrefs)].sort(), ['#attribution', '#markov-order']);
});

// a > b converts and b > a does not. A first-order chain gives a a removal
// effect of 50%; a second-order chain keeps the two routes apart, so removing
// either channel breaks the converting walk.
const ORDER_PATHS = 'path;total_conversions;total_null\na > b;1;0\nb > a;0;1\n';

test('markov order control changes removal effects', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'orders.csv', text: ORDER_PATHS }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=channels-table]', { timeout: RESULT_TIMEOUT_MS });
  assert.equal(await cell(page, 'a', 'removal-effect').textContent(), '50.0%');
  assert.match(await page.textContent('[data-testid=channels-caption]'), /order 1, 2 states/);

  await page.selectOption('[data-testid=markov-order]', '2');
  await page.waitForFunction(() => /order 2, 4 states/.test(document.querySelector('[data-testid=channels-caption]')?.textContent ?? ''),
    null, { timeout: RESULT_TIMEOUT_MS });
  assert.equal(await cell(page, 'a', 'removal-effect').textContent(), '100.0%');
  assert.equal(await cell(page, 'b', 'removal-effect').textContent(), '100.0%');
  assert.deepEqual(pageErrors, []);
});
