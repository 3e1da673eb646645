// The A/B experiment view: choosing the variant column, the table of variants
// with their rates, the comparison with the control, the peeking warning once a
// planned size is set, and metric links that reach the metrics page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, openApp, parseCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

// 100 people in each variant: 20 of the control and 35 of "new" buy, for 10
// each in the control and 12 each in "new".
function experimentCsv() {
  const rows = ['user,timestamp,event,variant,revenue'];
  for (const [variant, buyers, value] of [['control', 20, 10], ['new', 35, 12]]) {
    for (let person = 0; person < 100; person += 1) {
      const user = `${variant}-${person}`;
      const day = String(1 + (person % 28)).padStart(2, '0');
      rows.push(`${user},2024-03-${day}T09:00:00Z,visit,${variant},`);
      if (person < buyers) {
        rows.push(`${user},2024-03-${day}T10:00:00Z,purchase,,${value}`);
      }
    }
  }
  return rows.join('\n');
}

test('experiment view compares variants', async (t) => {
  const { page, context, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'experiment.csv', text: experimentCsv() }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.selectOption('[data-testid=conversion-event]', 'purchase');
  await page.waitForSelector('[data-testid=experiment-source]', { timeout: RESULT_TIMEOUT_MS });
  await page.selectOption('[data-testid=experiment-source]', 'variant');
  await page.waitForSelector('[data-testid=experiment-variants]', { timeout: RESULT_TIMEOUT_MS });

  const people = await page.locator('[data-testid=experiment-variant-people]').allTextContents();
  assert.deepEqual(people.map(parseCount), [100, 100]);
  const names = await page.locator('[data-testid=experiment-variant] th').allTextContents();
  assert.deepEqual(names, ['control (control)', 'new']);
  // The conversion is the last step, after the suggested funnel's steps.
  const rates = await page.locator('[data-testid=experiment-variant]').evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll('[data-testid=experiment-step-rate]')].at(-1).textContent));
  assert.match(rates[0], /^20\.0%/);
  assert.match(rates[1], /^35\.0%/);
  const conversionRow = page.locator('[data-testid=experiment-comparison]').last();
  assert.equal(await conversionRow.locator('[data-testid=experiment-difference]').textContent(), '+15.00 pts');
  assert.match(await conversionRow.locator('[data-testid=experiment-p]').textContent(), /^0\.0\d{3}$/);
  assert.match(await page.textContent('[data-testid=experiment-srm]'), /matches the plan/);
  assert.match(await page.textContent('[data-testid=experiment-needed]'), /needs [\d,]+ people per variant/);
  assert.equal(await page.locator('[data-testid=experiment-warnings]').count(), 0);

  await page.fill('[data-testid=experiment-planned]', '500');
  await page.dispatchEvent('[data-testid=experiment-planned]', 'change');
  await page.waitForSelector('[data-testid=experiment-warnings] [data-kind=experiment_peeking]', { timeout: RESULT_TIMEOUT_MS });

  await page.selectOption('[data-testid=experiment-control]', 'new');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=experiment-difference]')].at(-1)?.textContent === '-15.00 pts',
    null, { timeout: RESULT_TIMEOUT_MS });

  const hrefs = await page.locator('[data-testid=experiment] a.metric-link').evaluateAll((links) => [...new Set(links.map((node) => node.href))]);
  const docsPage = await context.newPage();
  await docsPage.goto(hrefs[0]);
  const ids = new Set(await docsPage.locator('[id]').evaluateAll((nodes) => nodes.map((node) => node.id)));
  const missing = hrefs.map((href) => new URL(href).hash.slice(1)).filter((anchor) => !ids.has(anchor));
  assert.deepEqual(missing, [], 'experiment anchors missing from the metrics page');
  assert.deepEqual(pageErrors, []);
});
