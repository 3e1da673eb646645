// Known export formats: the card names the export the engine recognised,
// with its preset mapping already chosen, and shows the reporting period of
// an analytics preamble and the sniffed reading settings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { analyse, dropFiles, openApp, readCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

const FORMATS_DIR = new URL('../fixtures/formats/', import.meta.url);

async function fixture(name) {
  return { name, text: await readFile(new URL(name, FORMATS_DIR), 'utf8') };
}

function card(page, name) {
  return page.locator(`[data-testid=file-card][data-file="${name}"]`);
}

test('GA4 export is recognised', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [await fixture('ga4_bigquery.csv')]);
  const ga4 = card(page, 'ga4_bigquery.csv');
  await ga4.waitFor();

  const banner = ga4.locator('[data-testid=detected-format]');
  assert.match(await banner.textContent(), /^Recognised as GA4 BigQuery export\b/);
  assert.equal(await banner.getAttribute('data-format'), 'ga4_bigquery');
  assert.equal(await ga4.locator('[data-testid=map-person]').inputValue(), 'user_pseudo_id');
  assert.equal(await ga4.locator('[data-testid=map-time]').inputValue(), 'event_timestamp');
  assert.equal(await ga4.locator('[data-testid=map-event]').inputValue(), 'event_name');
  assert.ok(await ga4.locator('[data-testid=identity][data-column=user_id]').isChecked(), 'user_id is linked to the person');

  await analyse(page);
  assert.equal(await readCount(page, 'summary-people'), 2);
  assert.equal(await readCount(page, 'summary-events'), 5);
});

test('Segment export is recognised', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [await fixture('segment.csv')]);
  const segment = card(page, 'segment.csv');
  await segment.waitFor();

  assert.match(await segment.locator('[data-testid=detected-format]').textContent(), /^Recognised as Segment event export\b/);
  assert.equal(await segment.locator('[data-testid=map-person]').inputValue(), 'anonymous_id');
  assert.equal(await segment.locator('[data-testid=identities-chosen]').textContent(), 'user_id');
});

test('unknown format shows no banner', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'plain.csv', text: 'user,event,ts\nu1,visit,2024-01-01T10:00:00Z\n' }]);
  await card(page, 'plain.csv').waitFor();
  assert.equal(await page.locator('[data-testid=detected-format]').count(), 0);
});

test('preamble period is shown', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [await fixture('ga4_exploration.csv')]);
  const exploration = card(page, 'ga4_exploration.csv');
  await exploration.waitFor();

  assert.match(await exploration.locator('[data-testid=detected-format]').textContent(), /^Recognised as GA4 /);
  assert.equal(await exploration.locator('[data-testid=period]').textContent(),
    'Reporting period in the file: 2024-03-01 to 2024-03-07');
  assert.equal(await exploration.locator('[data-testid=dialect-encoding]').textContent(), 'UTF-8');
  assert.equal(await exploration.locator('[data-testid=quote]').inputValue(), '"');
  assert.equal(await exploration.locator('[data-testid=dialect-line-ending]').textContent(), 'LF (Unix)');
});

test('decimal comma is shown', async (t) => {
  const { page } = await openApp(t);
  const text = 'user;event;ts;amount\nu1;visit;2024-01-01T10:00:00Z;1,25\nu2;buy;2024-01-02T10:00:00Z;3,5\n';
  await dropFiles(page, [{ name: 'euro.csv', text }]);
  const euro = card(page, 'euro.csv');
  await euro.waitFor();
  assert.equal(await euro.locator('[data-testid=dialect-decimal]').textContent(), 'comma (1,25)');
  assert.equal(await euro.locator('[data-testid=period]').count(), 0, 'no preamble, no period');
});

test('quote character can be chosen', async (t) => {
  const { page } = await openApp(t);
  const text = 'user,note,event,ts\nu1,\'a, b\',visit,2024-01-01T10:00:00Z\nu2,\'c\',buy,2024-01-02T10:00:00Z\n';
  await dropFiles(page, [{ name: 'quotes.csv', text }]);
  const quotes = card(page, 'quotes.csv');
  await quotes.waitFor();
  assert.equal(await quotes.locator('[data-testid=quote]').inputValue(), "'", 'single quotes are detected');
  const firstNote = () => card(page, 'quotes.csv').locator('details.preview tbody tr').first().locator('td').nth(1).textContent();
  assert.equal(await firstNote(), 'a, b');

  await quotes.locator('[data-testid=quote]').selectOption('"');
  // The preview changes once the worker has inspected the file again.
  await page.waitForFunction(
    () => document.querySelector('details.preview tbody tr td:nth-child(2)')?.textContent === "'a",
    null,
    { timeout: RESULT_TIMEOUT_MS },
  );
  assert.equal(await firstNote(), "'a", 'with double quotes the comma splits the note');
});
