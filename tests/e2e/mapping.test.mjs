// The confirm-columns view: several files at once, a delimiter the user
// changes, date columns turned into named events, and removing a file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, openApp, readCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

const SEMICOLON_CSV = [
  'user;event;ts',
  'u1;page_view;2024-04-01T10:00:00Z',
  'u1;sign_up;2024-04-01T10:05:00Z',
  'u2;page_view;2024-04-01T11:00:00Z',
  '',
].join('\n');

const LEADS_CSV = [
  'lead_id,first_contact_date,origin',
  'L1,2024-01-03,organic_search',
  'L2,2024-01-04,paid_search',
  'L3,2024-01-05,email',
  '',
].join('\n');

const DEALS_CSV = [
  'lead_id,won_date,seller',
  'L1,2024-01-20,S9',
  'L3,2024-02-01,S4',
  '',
].join('\n');

function card(page, name) {
  return page.locator(`[data-testid=file-card][data-file="${name}"]`);
}

test('delimiter change re-reads columns', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'events.csv', text: SEMICOLON_CSV }]);
  const events = card(page, 'events.csv');
  await events.waitFor();
  assert.equal(await events.locator('[data-testid=delimiter]').inputValue(), ';', 'the sniffed delimiter');
  assert.equal(await events.locator('[data-testid=map-person] option').count(), 4, 'three columns and "choose"');

  await events.locator('[data-testid=delimiter]').selectOption(',');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=map-person] option').length === 2);
  assert.equal(await card(page, 'events.csv').locator('[data-testid=delimiter]').inputValue(), ',');

  await card(page, 'events.csv').locator('[data-testid=delimiter]').selectOption(';');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=map-person] option').length === 4);
});

test('date columns become named events', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'leads.csv', text: LEADS_CSV }, { name: 'deals.csv', text: DEALS_CSV }]);
  await card(page, 'deals.csv').waitFor();
  assert.equal(await page.locator('[data-testid=file-card]').count(), 2, 'one card per file');

  for (const [name, column, eventName] of [['leads.csv', 'first_contact_date', 'first contact'], ['deals.csv', 'won_date', 'deal won']]) {
    const fileCard = card(page, name);
    await fileCard.locator('[data-testid=map-person]').selectOption('lead_id');
    await fileCard.locator('[data-testid=map-event]').selectOption('');
    await fileCard.locator(`[data-testid=date-event-name][data-column="${column}"]`).fill(eventName);
  }
  await analyse(page);

  assert.equal(await readCount(page, 'summary-people'), 3);
  assert.equal(await readCount(page, 'summary-events'), 5);
  const eventNames = await page.locator('[data-testid=conversion-event] option').evaluateAll((options) => options.map((option) => option.value));
  assert.ok(eventNames.includes('first contact'), 'first contact is an event');
  assert.ok(eventNames.includes('deal won'), 'deal won is an event');
});

test('removing the last file clears the page', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'events.csv', text: SEMICOLON_CSV }]);
  await card(page, 'events.csv').waitFor();
  await analyse(page);

  await card(page, 'events.csv').locator('[data-testid=remove-file]').click();
  await page.waitForSelector('#mapping-section', { state: 'hidden', timeout: RESULT_TIMEOUT_MS });
  assert.ok(await page.isHidden('[data-testid=results]'), 'the results are hidden');
});
