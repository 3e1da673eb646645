// The process map of the real permit log: the directly-follows edges with
// their frequency, the start and end activities and the top variants.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { analyse, openApp, parseCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

const FIXTURE = fileURLToPath(new URL('../fixtures/permit-receipt.csv', import.meta.url));

test('process map lists permit edges', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await page.setInputFiles('[data-testid=file-input]', FIXTURE);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=process-edge]', { timeout: RESULT_TIMEOUT_MS });

  const edges = await page.locator('[data-testid=process-edge]').evaluateAll((rows) => rows.map((row) => ({
    source: row.querySelector('[data-testid=edge-source]').textContent,
    target: row.querySelector('[data-testid=edge-target]').textContent,
    frequency: row.querySelector('[data-testid=edge-frequency]').textContent,
  })));
  const receipt = edges.find((edge) => edge.source === 'Confirmation of receipt' && edge.target === 'T02 Check confirmation of receipt');
  assert.ok(receipt, 'the edge Confirmation of receipt → T02 is listed');
  assert.equal(receipt.frequency, '1,079');

  const frequencies = edges.map((edge) => parseCount(edge.frequency));
  assert.deepEqual(frequencies, [...frequencies].sort((a, b) => b - a), 'edges are sorted by frequency');

  const starts = await page.locator('[data-testid=start-activities] tbody tr').allTextContents();
  assert.ok(starts.some((row) => row.startsWith('Confirmation of receipt')), 'the log starts with the receipt');
  const variants = await page.locator('[data-testid=process-variant]').count();
  assert.ok(variants > 0, 'variants are listed');
  assert.ok(variants <= 10, `${variants} variants listed, at most 10`);
  assert.match(await page.textContent('[data-testid=process-variants] caption'), /of 116/);
  assert.deepEqual(pageErrors, []);
});
