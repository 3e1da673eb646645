// The summary's total value and the funnel completion time under the funnel,
// on a file small enough to work both out by hand.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, mapColumns, openApp, RESULT_TIMEOUT_MS, setFunnel } from './helpers.mjs';

// Three people visit and buy after 30 min, 1 h and 3 h, so the median
// completion time is 1 h and the mean 1 h 30 min. A fourth only visits. The
// three purchases carry amounts that sum to 125.5.
const ORDERS_CSV = [
  'user,event,ts,amount',
  'u1,visit,2024-04-01T10:00:00Z,',
  'u1,buy,2024-04-01T10:30:00Z,20',
  'u2,visit,2024-04-01T11:00:00Z,',
  'u2,buy,2024-04-01T12:00:00Z,5.5',
  'u3,visit,2024-04-01T12:00:00Z,',
  'u3,buy,2024-04-01T15:00:00Z,100',
  'u4,visit,2024-04-01T16:00:00Z,',
  '',
].join('\n');

async function openOrders(t) {
  const app = await openApp(t);
  await dropFiles(app.page, [{ name: 'orders.csv', text: ORDERS_CSV }]);
  await app.page.waitForSelector('[data-testid=file-card]');
  await mapColumns(app.page, { person: 'user', event: 'event', time: 'ts', value: 'amount' });
  await analyse(app.page);
  await setFunnel(app.page, ['visit', 'buy']);
  return app;
}

test('summary shows total value', async (t) => {
  const { page, pageErrors } = await openOrders(t);
  assert.equal(await page.textContent('[data-testid=summary-total-value]'), '125.5');
  assert.equal(await page.textContent('[data-testid=summary-total-value-note]'), 'over 3 events with a value');
  const link = await page.getAttribute('[data-testid=summary] a[href$="#total-value"]', 'href');
  assert.ok(link, 'the total value links to its definition');
  assert.deepEqual(pageErrors, []);
});

test('funnel shows completion time', async (t) => {
  const { page, pageErrors } = await openOrders(t);
  await page.waitForSelector('[data-testid=funnel-completion-median]', { timeout: RESULT_TIMEOUT_MS });
  assert.equal(await page.textContent('[data-testid=funnel-completion-median]'), '1 h');
  assert.equal(await page.textContent('[data-testid=funnel-completion-mean]'), '1 h 30 min');
  const caption = await page.textContent('[data-testid=funnel-completion-caption]');
  assert.match(caption, /3 people who completed the funnel\.$/);
  const link = await page.getAttribute('[data-testid=funnel] a[href$="#funnel-completion-time"]', 'href');
  assert.ok(link, 'the completion time links to its definition');

  await page.fill('[data-testid=funnel-window]', '2h');
  await page.waitForFunction(() => document.querySelector('[data-testid=funnel-completion-caption]')?.textContent.includes('2 people'),
    null, { timeout: RESULT_TIMEOUT_MS });
  const windowed = await page.textContent('[data-testid=funnel-completion-caption]');
  assert.match(windowed, /within the window of 2 hours/);
  assert.equal(await page.textContent('[data-testid=funnel-completion-median]'), '45 min');
  assert.deepEqual(pageErrors, []);
});

test('no value column, no total value', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'orders.csv', text: ORDERS_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await mapColumns(page, { person: 'user', event: 'event', time: 'ts', value: '' });
  await analyse(page);
  assert.equal(await page.locator('[data-testid=summary-total-value]').count(), 0);
});
