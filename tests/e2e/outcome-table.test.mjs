// An outcome table: the Hillstrom e-mail test, one row per customer with
// yes/no visit and conversion columns and no times. The card names the
// format and lists the step columns, and the funnel and its breakdown by the
// test group show the customers, visitors and converters of the file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { analyse, dropFiles, openApp, readCount, readFunnelPeople, RESULT_TIMEOUT_MS, setFunnel } from './helpers.mjs';

const HILLSTROM_CSV = await readFile(new URL('../fixtures/hillstrom.csv', import.meta.url), 'utf8');

// Customers, visitors and converters, in total and per segment, as pandas
// counts them (tools/golden/hillstrom.json).
const TOTAL = [64_000, 9_394, 578];
const BY_SEGMENT = {
  'Mens E-Mail': [21_307, 3_894, 267],
  'Womens E-Mail': [21_387, 3_238, 189],
  'No E-Mail': [21_306, 2_262, 122],
};

test('outcome table funnel by segment', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'hillstrom.csv', text: HILLSTROM_CSV }]);
  const card = page.locator('[data-testid=file-card]');
  await card.waitFor();

  assert.match(await card.locator('[data-testid=detected-format]').textContent(), /^Recognised as Outcome table \(one row per person\)/);
  assert.equal(await card.locator('[data-testid=outcome-steps-chosen]').textContent(), 'included → visit → conversion');
  const ticked = await card.locator('[data-testid=outcome-step]').evaluateAll((boxes) => boxes.filter((box) => box.checked).map((box) => box.dataset.column));
  assert.deepEqual(ticked, ['visit', 'conversion']);
  assert.equal(await card.locator('[data-testid=outcome-step][data-column=mens]').isChecked(), false, 'mens stays a property');
  assert.equal(await card.locator('[data-testid=map-time]').count(), 0, 'no time select');
  assert.equal(await card.locator('[data-testid=map-person]').inputValue(), '', 'no person column');

  await analyse(page);
  assert.equal(await readCount(page, 'summary-people'), TOTAL[0]);
  assert.equal(await readCount(page, 'summary-converters'), TOTAL[2]);
  assert.match(await page.textContent('[data-testid=synthetic-times]'), /^The times are synthetic/);
  await setFunnel(page, ['included', 'visit', 'conversion']);
  assert.deepEqual(await readFunnelPeople(page), TOTAL);

  await page.selectOption('[data-testid=funnel-breakdown]', 'segment');
  await page.waitForSelector('[data-testid=funnel-breakdown-table]', { timeout: RESULT_TIMEOUT_MS });
  const rows = await page.locator('[data-testid=breakdown-row]').evaluateAll((nodes) => nodes.map((row) => [...row.children].map((cell) => cell.textContent)));
  const bySegment = Object.fromEntries(rows.map(([value, ...counts]) => [value, counts.map((count) => Number.parseInt(count.replace(/[^\d]/g, ''), 10))]));
  assert.deepEqual(bySegment, BY_SEGMENT);
  assert.deepEqual(pageErrors, []);
});

test('outcome table steps can change', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'hillstrom.csv', text: HILLSTROM_CSV }]);
  const card = page.locator('[data-testid=file-card]');
  await card.waitFor();

  await card.locator('[data-testid=outcome-step][data-column=visit]').uncheck();
  await card.locator('[data-testid=outcome-step][data-column=mens]').check();
  assert.equal(await card.locator('[data-testid=outcome-steps-chosen]').textContent(), 'included → conversion → mens');
  await card.locator('[data-testid=outcome-step-up][data-column=mens]').click();
  assert.equal(await card.locator('[data-testid=outcome-steps-chosen]').textContent(), 'included → mens → conversion');

  await analyse(page);
  await setFunnel(page, ['included', 'mens', 'conversion']);
  const people = await readFunnelPeople(page);
  assert.equal(people[0], TOTAL[0]);
  assert.equal(people[1], 35_266, 'customers with mens = 1');
});
