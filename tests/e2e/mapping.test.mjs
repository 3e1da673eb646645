// The confirm-columns view: several files at once, a delimiter the user
// changes (Tab included), date columns turned into named events with no event
// time column, and removing a file.

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

// Each tab-separated field contains a comma, and both delimiters split the
// header into three columns. A tie goes to the comma, so only the user's
// choice of Tab reads the columns as they are meant.
const COMMA_OR_TAB_CSV = [
  'user,x\tevent,y\tts',
  'u1,a\tpage_view,b\t2024-04-01T10:00:00Z',
  'u2,c\tsign_up,d\t2024-04-01T11:00:00Z',
  '',
].join('\n');

const TAB_CSV = [
  'user\tevent\tts',
  'u1\tpage_view\t2024-04-01T10:00:00Z',
  'u2\tsign_up\t2024-04-01T11:00:00Z',
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

async function personColumns(fileCard) {
  return fileCard.locator('[data-testid=map-person] option').evaluateAll((options) => options.slice(1).map((option) => option.value));
}

test('choosing tab re-reads columns', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'mixed.csv', text: COMMA_OR_TAB_CSV }]);
  await card(page, 'mixed.csv').waitFor();
  assert.equal(await card(page, 'mixed.csv').locator('[data-testid=delimiter]').inputValue(), ',', 'the sniffed delimiter');
  assert.deepEqual(await personColumns(card(page, 'mixed.csv')), ['user', 'x\tevent', 'y\tts']);

  await card(page, 'mixed.csv').locator('[data-testid=delimiter]').selectOption({ label: 'Tab' });
  await page.waitForFunction(() => document.querySelector('[data-testid=map-person] option[value=ts]') !== null,
    null, { timeout: RESULT_TIMEOUT_MS });
  assert.deepEqual(await personColumns(card(page, 'mixed.csv')), ['user,x', 'event,y', 'ts']);
  const delimiter = card(page, 'mixed.csv').locator('[data-testid=delimiter]');
  assert.equal(await delimiter.inputValue(), 'tab', 'Tab stays chosen');
  assert.equal(await delimiter.locator('option:checked').textContent(), 'Tab');
  assert.equal(await delimiter.locator('option').count(), 5, 'one option per delimiter');

  const mixed = card(page, 'mixed.csv');
  await mixed.locator('[data-testid=map-person]').selectOption('user,x');
  await mixed.locator('[data-testid=map-event]').selectOption('event,y');
  await mixed.locator('[data-testid=map-time]').selectOption('ts');
  await analyse(page);
  assert.equal(await readCount(page, 'summary-people'), 2);
  assert.equal(await readCount(page, 'summary-events'), 2);
});

test('sniffed tab shows one option', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'events.tsv', text: TAB_CSV }]);
  const delimiter = card(page, 'events.tsv').locator('[data-testid=delimiter]');
  await delimiter.waitFor();

  const labels = await delimiter.locator('option').allTextContents();
  assert.deepEqual(labels.filter((label) => /tab/i.test(label)), ['Tab (detected)']);
  assert.equal(await delimiter.locator('option:checked').textContent(), 'Tab (detected)');
  assert.deepEqual(await personColumns(card(page, 'events.tsv')), ['user', 'event', 'ts']);
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

test('event time not needed for dates', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'leads.csv', text: LEADS_CSV }]);
  const leads = card(page, 'leads.csv');
  await leads.waitFor();
  const time = leads.locator('[data-testid=map-time]');
  assert.equal(await leads.locator('[data-testid=map-event]').inputValue(), '', 'no event column is suggested');
  assert.ok(await time.isDisabled(), 'the time select is disabled');
  assert.equal(await time.locator('option:checked').textContent(), 'not needed');
  assert.equal(await leads.locator('[data-testid=map-time-note]').textContent(), 'Date columns are events.');

  await leads.locator('[data-testid=map-event]').selectOption('origin');
  assert.ok(await time.isEnabled(), 'an event column needs a time column');
  await time.selectOption('first_contact_date');

  await leads.locator('[data-testid=map-event]').selectOption('');
  assert.ok(await time.isDisabled(), 'the time select is disabled again');
});

test('event column replaces date events', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'leads.csv', text: LEADS_CSV }]);
  const leads = card(page, 'leads.csv');
  await leads.locator('[data-testid=date-event-name][data-column=first_contact_date]').waitFor();
  assert.notEqual(await leads.locator('[data-testid=date-event-name]').inputValue(), '', 'a date event is suggested');

  await leads.locator('[data-testid=map-person]').selectOption('lead_id');
  await leads.locator('[data-testid=map-event]').selectOption('origin');
  await leads.locator('[data-testid=map-time]').selectOption('first_contact_date');
  await analyse(page);

  assert.equal(await readCount(page, 'summary-events'), 3, 'one event per row, from the event column only');
  const eventNames = await page.locator('[data-testid=conversion-event] option').evaluateAll((options) => options.slice(1).map((option) => option.value));
  assert.deepEqual(eventNames.sort(), ['email', 'organic_search', 'paid_search']);
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
