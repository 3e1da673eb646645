// The results open with the biggest leaks. Of 24 people who view, 8 add to
// the cart and 4 of those purchase: the 16 who stop after the view lose
// 16 × 4/8 = 8 conversions, and their people open from the card.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, openApp, RESULT_TIMEOUT_MS, setFunnel } from './helpers.mjs';

const rows = ['user,event,ts'];
for (let person = 0; person < 24; person += 1) {
  const id = `u${String(person).padStart(2, '0')}`;
  rows.push(`${id},view,2024-01-01T10:00:00Z`);
  if (person < 8) {
    rows.push(`${id},add_to_cart,2024-01-01T10:05:00Z`);
  }
  if (person < 4) {
    rows.push(`${id},purchase,2024-01-01T10:09:00Z`);
  }
}
const LEAK_CSV = `${rows.join('\n')}\n`;

test('biggest leaks open the results', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'leak.csv', text: LEAK_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await setFunnel(page, ['view', 'add_to_cart', 'purchase']);
  await page.waitForSelector('[data-testid=friction-card]', { timeout: RESULT_TIMEOUT_MS });

  const first = page.locator('[data-testid=friction-card]').first();
  assert.equal(await first.locator('.friction-kind strong').textContent(), 'step 2 (add_to_cart)');
  assert.equal(await first.locator('[data-testid=friction-sentence]').textContent(),
    '16 people dropped before step 2 (add_to_cart). Of the 8 who went on, 50.0% converted, so about 8.0 conversions were lost here.');
  assert.match(await first.locator('[data-testid=friction-lost]').textContent(), /^Lost: 8 conversions \([\d.]+ to [\d.]+\)\.$/);
  assert.equal(await first.locator('[data-testid=friction-evidence]').getAttribute('href'), '#funnel-view');
  assert.match(await first.locator('[data-testid=friction-interventions]').textContent(), /^Shorten the checkout or booking form\./);
  assert.match(await first.locator('[data-testid=friction-plan]').textContent(),
    /^Test plan: watch the share of people at the step before who reach step 2 \(add_to_cart\), now 33\.3%\. At 24 people a week, a 4-week test detects a rise of [\d.]+ points or more\. A 10\.0% rise needs [\d,]+ people in each arm, (about [\d,]+ weeks|over two years at this traffic)\.$/);
  assert.equal(await page.getAttribute('[data-testid=friction] h3 a', 'href'), 'build/metrics.html#friction-finder');

  await first.locator('[data-testid=friction-people]').click();
  await page.waitForSelector('[data-testid=people-table]', { timeout: RESULT_TIMEOUT_MS });
  assert.equal(await page.textContent('[data-testid=people-description]'), '16 people stopped at step 2 (add_to_cart).');
  assert.equal(await page.locator('[data-testid=people-row]').count(), 16);
  assert.deepEqual(pageErrors, []);
});
