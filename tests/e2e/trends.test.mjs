// Trends and changes on the page. Ten people arrive each day for 100 days,
// visit and reach checkout; 4 in 10 buy a day later until 2024-02-12 (a
// Monday) and 1 in 10 from then on. The weekly purchase rate shows one change
// in that week, and the overview carries the alert. A change marked on that
// date compares 40% with 10%. A baseline saved from this upload finds no
// difference against the same upload.

import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, openApp, RESULT_TIMEOUT_MS, setFunnel } from './helpers.mjs';

const DAY_MS = 86_400_000;
const START_MS = Date.parse('2024-01-01T09:00:00Z');
const DROP_DAY = 42;

function dropCsv() {
  const rows = ['user,event,ts'];
  for (let person = 0; person < 1000; person += 1) {
    const day = Math.floor(person / 10);
    const id = `u${String(person).padStart(4, '0')}`;
    const arrived = START_MS + day * DAY_MS + (person % 10) * 600_000;
    rows.push(`${id},visit,${new Date(arrived).toISOString()}`);
    rows.push(`${id},checkout,${new Date(arrived + 3_600_000).toISOString()}`);
    if (person % 10 < (day < DROP_DAY ? 4 : 1)) {
      rows.push(`${id},purchase,${new Date(arrived + DAY_MS).toISOString()}`);
    }
  }
  return `${rows.join('\n')}\n`;
}

test('trends flag a planted drop', async (t) => {
  const { page, pageErrors, policyViolations } = await openApp(t);
  await dropFiles(page, [{ name: 'drop.csv', text: dropCsv() }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await setFunnel(page, ['visit', 'checkout', 'purchase']);
  await page.waitForSelector('[data-testid=trends]:not([hidden]) [data-testid=trend-series]', { timeout: RESULT_TIMEOUT_MS });

  const purchase = page.locator('[data-testid=trend-series]', { hasText: 'step 3 (purchase)' });
  assert.equal(await purchase.locator('figcaption').textContent(),
    'step 3 (purchase): changed in the week of 2024-02-12: 40.0% before, 10.0% after.');
  assert.equal(await purchase.locator('[data-testid=change-point]').count(), 1);
  const checkout = page.locator('[data-testid=trend-series]', { hasText: 'step 2 (checkout)' });
  assert.equal(await checkout.locator('[data-testid=change-point]').count(), 0);
  assert.match(await purchase.locator('svg').getAttribute('aria-label'), /a change in the week of 2024-02-12/);

  const timing = page.locator('[data-testid=trend-timing]');
  await timing.locator('summary').click();
  assert.deepEqual(await timing.locator('thead th').allTextContents(),
    ['Week of', 'People', 'To step 2 (checkout)', 'To step 3 (purchase)', 'To convert']);
  assert.deepEqual(await timing.locator('tbody tr').first().locator('th, td').allTextContents(),
    ['2024-01-01', '70', '1 h', '23 h', '1 d']);

  const alerts = await page.locator('[data-testid=alerts] [data-testid=alert]').allTextContents();
  assert.ok(alerts.some((text) => text.includes('Step 3 (purchase): the rate fell from 40.0% to 10.0%')), alerts.join('\n'));
  assert.equal(await page.getAttribute('[data-testid=alerts] h3 a', 'href'), 'build/metrics.html#trends-and-comparisons');

  await page.fill('[data-testid=change-date]', '2024-02-12');
  await page.fill('[data-testid=change-label]', 'new checkout');
  await page.click('[data-testid=add-change]');
  // Filling in the date alone may show a comparison without the label first.
  await page.waitForFunction(
    () => document.querySelector('[data-testid=trends-change] h4')?.textContent.includes('new checkout'),
    null,
    { timeout: RESULT_TIMEOUT_MS },
  );
  const change = page.locator('[data-testid=trends-change]');
  assert.equal(await change.locator('h4').textContent(), 'Before and after “new checkout” on 2024-02-12 (4 weeks each side)');
  const purchaseRow = change.locator('[data-testid=comparison-row]', { hasText: 'step 3 (purchase)' });
  assert.equal(await purchaseRow.getAttribute('class'), 'direction-worse');
  assert.match(await purchaseRow.textContent(), /40\.0% \(112 of 280\).*10\.0% \(28 of 280\)/);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-html]')]);
  const html = await readFile(await download.path(), 'utf8');
  assert.match(html, /<caption>What changed<\/caption>/);
  assert.match(html, /Step 3 \(purchase\): the drop-off grew from 60\.0% to 90\.0% \(change on 2024-02-12, q &lt; 0\.001\)\./);

  await page.fill('[data-testid=baseline-name]', 'same upload');
  await page.click('[data-testid=save-baseline]');
  await page.selectOption('[data-testid=baseline-choice]', 'same upload');
  await page.click('[data-testid=compare-baseline]');
  await page.waitForSelector('[data-testid=trends-baseline]', { timeout: RESULT_TIMEOUT_MS });
  const baseline = page.locator('[data-testid=trends-baseline]');
  assert.equal(await baseline.locator('h4').textContent(), 'Against the baseline “same upload”');
  assert.ok(await baseline.locator('[data-testid=comparison-row]').count() > 0);
  assert.equal(await baseline.locator('tr.direction-worse, tr.direction-better').count(), 0);

  await page.fill('[data-testid=period-a-from]', '2024-02-01');
  await page.fill('[data-testid=period-a-to]', '2024-01-01');
  await page.fill('[data-testid=period-b-from]', '2024-02-01');
  await page.fill('[data-testid=period-b-to]', '2024-03-01');
  await page.click('[data-testid=compare-periods]');
  await page.waitForFunction(() => document.querySelector('[data-testid=trends-error]')?.textContent !== '', null, { timeout: RESULT_TIMEOUT_MS });
  assert.match(await page.textContent('[data-testid=trends-error]'), /Period A ends on 2024-01-01, not after it starts on 2024-02-01/);

  assert.deepEqual(pageErrors, []);
  assert.deepEqual(policyViolations, []);
});
