// Linked ids: a web file with an anonymous id and a user id, and an orders
// file with the user id only. Rows that carry both ids merge them into one
// person, and the results show how many ids were merged into how many people.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, openApp, readCount } from './helpers.mjs';

// a1 and u1 share a row, and so do a3, a4 and u2: five ids in two people.
// a2 and u3 stay alone, and u3's purchase is written twice.
const WEB_CSV = [
  'anonymous_id,user_id,event,timestamp',
  'a1,,page_view,2024-03-01T09:00:00Z',
  'a1,u1,sign_up,2024-03-01T09:05:00Z',
  'a2,,page_view,2024-03-01T10:00:00Z',
  'a3,u2,sign_up,2024-03-02T10:00:00Z',
  'a4,u2,page_view,2024-03-03T10:00:00Z',
  '',
].join('\n');

const ORDERS_CSV = [
  'user_id,event,timestamp',
  'u1,purchase,2024-03-04T09:00:00Z',
  'u2,purchase,2024-03-05T09:00:00Z',
  'u3,purchase,2024-03-05T09:00:00Z',
  'u3,purchase,2024-03-05T09:00:00Z',
  '',
].join('\n');

function card(page, name) {
  return page.locator(`[data-testid=file-card][data-file="${name}"]`);
}

test('merged ids shown after load', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'web.csv', text: WEB_CSV }, { name: 'orders.csv', text: ORDERS_CSV }]);
  await card(page, 'orders.csv').waitFor();
  const web = card(page, 'web.csv');
  assert.equal(await web.locator('[data-testid=map-person]').inputValue(), 'anonymous_id');
  assert.ok(await web.locator('[data-testid=identity][data-column=user_id]').isChecked(), 'user_id is proposed as a linked id');
  assert.equal(await card(page, 'orders.csv').locator('[data-testid=map-person]').inputValue(), 'user_id');

  await analyse(page);
  assert.equal(await page.textContent('[data-testid=merged-ids]'), '5 ids merged into 2 people, out of 7 ids read.');
  assert.equal(await page.textContent('[data-testid=duplicate-events]'), '1 duplicate event was removed.');
  assert.equal(await readCount(page, 'summary-people'), 4, 'a1+u1, a3+a4+u2, a2 and u3');
  assert.equal(await readCount(page, 'summary-events'), 8);
  assert.equal(await page.locator('[data-testid=warning][data-kind=merged_identities]').count(), 1, 'the warning lists the merges');
});

test('unticked id is not merged', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'web.csv', text: WEB_CSV }, { name: 'orders.csv', text: ORDERS_CSV }]);
  await card(page, 'orders.csv').waitFor();
  await card(page, 'web.csv').locator('[data-testid=identity][data-column=user_id]').uncheck();
  assert.equal(await card(page, 'web.csv').locator('[data-testid=identities-chosen]').textContent(), 'none');

  await analyse(page);
  assert.equal(await page.locator('[data-testid=merged-ids]').count(), 0);
  assert.equal(await readCount(page, 'summary-people'), 7, 'four anonymous ids and three user ids');
});

test('identical rows kept on request', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'web.csv', text: WEB_CSV }, { name: 'orders.csv', text: ORDERS_CSV }]);
  await card(page, 'orders.csv').waitFor();
  await page.check('[data-testid=keep-duplicates]');

  await analyse(page);
  assert.equal(await page.locator('[data-testid=duplicate-events]').count(), 0, 'nothing was removed');
  assert.equal(await readCount(page, 'summary-events'), 9, 'both of u3\'s purchases count');
  const warning = page.locator('[data-testid=warning][data-kind=duplicate_events]');
  assert.match(await warning.textContent(), /kept/);
});
