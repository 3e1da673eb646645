// Dates such as 03/04/2024 that no value settles. The page shows a question
// whether the day or the month comes first, rejects Analyse until the user
// picks one, and the choice changes the times read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, openApp } from './helpers.mjs';

// Day first, u1 converts in 2 days and u2 in 29 (median 15.5 days); month
// first, in 61 days and 1 (median 31 days).
const AMBIGUOUS_CSV = [
  'user,event,date',
  'u1,visit,03/04/2024',
  'u1,purchase,05/04/2024',
  'u2,visit,01/02/2024',
  'u2,purchase,01/03/2024',
  '',
].join('\n');

const CLEAR_CSV = [
  'user,event,date',
  'u1,visit,03/04/2024',
  'u1,purchase,25/04/2024',
  '',
].join('\n');

test('date order question changes result', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'orders.csv', text: AMBIGUOUS_CSV }]);
  const question = page.locator('[data-testid=date-order]');
  await question.waitFor();
  assert.equal(await question.locator('legend').textContent(), 'Are dates like 03/04/2024 day first or month first?');
  assert.match(await question.textContent(), /03\/04\/2024 is 3 April 2024/);
  assert.match(await question.textContent(), /03\/04\/2024 is 4 March 2024/);

  await page.click('[data-testid=analyse-button]');
  assert.match(await page.textContent('[data-testid=mapping-problems]'), /day first or month first/, 'an answer is required');
  assert.ok(await page.isHidden('[data-testid=results]'), 'nothing is analysed without an answer');

  await page.check('[data-testid=date-order-day-first]');
  await analyse(page);
  assert.equal(await page.textContent('[data-testid=timing-median]'), '15 d 12 h');

  await page.check('[data-testid=date-order-month-first]');
  await analyse(page);
  assert.equal(await page.textContent('[data-testid=timing-median]'), '31 d');
});

test('no question for clear dates', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'clear.csv', text: CLEAR_CSV }]);
  await page.locator('[data-testid=file-card]').waitFor();
  assert.ok(await page.isHidden('[data-testid=date-order]'), '25/04/2024 shows the day comes first');
  await analyse(page);
});
