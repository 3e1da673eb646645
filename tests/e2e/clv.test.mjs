// The lifetime-value view on the first 50 lines of the CDNOW sample, turned
// into a CSV with a header: 13 customers, each purchase an event with its
// amount. The figures the test expects are counted from the same lines here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { analyse, dropFiles, openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

const CDNOW_HEAD = new URL('../fixtures/cdnow-head.txt', import.meta.url);

/** Returns the purchases as { customer, day, amount } from the whitespace-separated lines. */
function purchasesOf(text) {
  return text.trim().split('\n').map((line) => {
    const [customer, , date, , amount] = line.trim().split(/\s+/);
    return { customer, day: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`, amount };
  });
}

test('lifetime value view lists the customers', async (t) => {
  const purchases = purchasesOf(await readFile(CDNOW_HEAD, 'utf8'));
  const csv = ['customer,event,date,amount', ...purchases.map((row) => `${row.customer},purchase,${row.day},${row.amount}`)].join('\n');
  const days = new Map();
  for (const row of purchases) {
    days.set(row.customer, (days.get(row.customer) ?? new Set()).add(row.day));
  }
  const repeatCustomers = [...days.values()].filter((set) => set.size > 1).length;

  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'cdnow.csv', text: csv }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=clv-customers]', { timeout: RESULT_TIMEOUT_MS });

  assert.equal(days.size, 13);
  const caption = await page.textContent('[data-testid=clv-caption]');
  assert.match(caption, new RegExp(`^13 customers, ${repeatCustomers} with a repeat purchase\\.`));
  assert.equal(await page.locator('[data-testid=clv-customer]').count(), 13);
  const fits = await page.textContent('[data-testid=clv-bg-nbd]');
  assert.match(fits, /r = [\d.]+, alpha = [\d.]+, a = [\d.]+, b = [\d.]+|not fitted/);
  // Each repeat customer gets a lifetime value. A customer without repeats gets
  // the population mean only when the fitted q is above 1, and '–' otherwise.
  const rows = await page.locator('[data-testid=clv-customer]').evaluateAll((nodes) => nodes.map((row) => [...row.children].map((cell) => cell.textContent)));
  const repeatRows = rows.filter(([, frequency]) => Number(frequency) > 0);
  assert.equal(repeatRows.length, repeatCustomers);
  for (const [customer, , , , value] of repeatRows) {
    assert.match(value, /^[\d,.]+$/, `lifetime value of ${customer}`);
  }
  for (const [customer, , , , value] of rows) {
    assert.match(value, /^([\d,.]+|–)$/, `lifetime value of ${customer}`);
  }
  assert.equal(await page.getAttribute('[data-testid=clv] h3 a', 'href'), 'build/metrics.html#customer-lifetime-value');
  assert.deepEqual(pageErrors, []);
});
