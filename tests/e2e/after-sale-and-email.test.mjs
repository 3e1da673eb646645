// The after-the-sale and e-mail sequence views: the HubSpot e-mail export
// shows one row per message number, and a buyer with two purchases shows a
// repeat-purchase rate in a 700 px window.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { analyse, dropFiles, mapColumns, openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

const HUBSPOT_FIXTURE = new URL('../fixtures/formats/hubspot_email_events.csv', import.meta.url);

// One person buys twice, four days apart.
const TWO_PURCHASES_CSV = [
  'user,event,ts',
  'u1,visit,2024-05-01T09:00:00Z',
  'u1,purchase,2024-05-01T10:00:00Z',
  'u1,purchase,2024-05-05T10:00:00Z',
].join('\n');

test('HubSpot export shows e-mail table', async (t) => {
  const { page, pageErrors } = await openApp(t);
  const text = await readFile(HUBSPOT_FIXTURE, 'utf8');
  await dropFiles(page, [{ name: 'hubspot_email_events.csv', text }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=email-table]', { timeout: RESULT_TIMEOUT_MS });

  // Ana and Ben are both sent campaign 3001, which is their first message.
  const rows = page.locator('[data-testid=email-step]');
  assert.equal(await rows.count(), 1, 'one message number');
  assert.equal(await rows.locator('[data-testid=email-message-number]').textContent(), '1');
  assert.equal(await rows.locator('[data-testid=email-sent]').textContent(), '2');
  assert.equal(await rows.locator('[data-testid=email-opened]').textContent(), '1 (50.0%)');
  assert.equal(await rows.locator('[data-testid=email-clicked]').textContent(), '1 (50.0%)');
  assert.equal(await rows.locator('[data-testid=email-unsubscribed]').textContent(), '0 (0.0%)');

  assert.match(await page.textContent('[data-testid=email-caption]'), /messages from emailCampaignId/);
  assert.match(await page.textContent('[data-testid=email-falloff]'), /No message does\.$/);
  const link = await page.getAttribute('[data-testid=email] h3 a', 'href');
  assert.equal(link, 'build/metrics.html#e-mail-sequences');
  assert.deepEqual(pageErrors, []);
});

test('two purchases show repeat rate', async (t) => {
  const { page, pageErrors } = await openApp(t, { width: 700 });
  await dropFiles(page, [{ name: 'purchases.csv', text: TWO_PURCHASES_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await mapColumns(page, { person: 'user', event: 'event', time: 'ts' });
  await analyse(page);
  await page.selectOption('[data-testid=conversion-event]', 'purchase');
  await page.waitForSelector('[data-testid=after-sale-repeat-rate]', { timeout: RESULT_TIMEOUT_MS });

  assert.equal(await page.textContent('[data-testid=after-sale-repeat-rate]'), '100.0%');
  assert.equal(await page.textContent('[data-testid=after-sale-repeat-buyers]'), '1');
  assert.equal(await page.textContent('[data-testid=after-sale-second-median]'), '4 d');
  assert.equal(await page.textContent('[data-testid=after-sale-revenue]'), '–', 'no value column, so no revenue');
  assert.equal(await page.locator('[data-testid=email]').isHidden(), true, 'no e-mail events, so no e-mail view');
  const link = await page.getAttribute('[data-testid=after-sale] h3 a', 'href');
  assert.equal(link, 'build/metrics.html#after-the-sale');

  const [pageWidth, viewportWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(pageWidth <= viewportWidth, `the page is ${pageWidth} px wide in a ${viewportWidth} px window`);
  assert.deepEqual(pageErrors, []);
});
