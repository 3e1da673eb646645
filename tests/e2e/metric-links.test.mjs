// Every metric label links to a section of the metrics page that exists, so
// no "how is this counted" link lands on the top of the page by mistake.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

test('metric links reach existing anchors', async (t) => {
  const { page, context } = await openApp(t);
  await page.click('[data-testid=sample-button]');
  await page.waitForSelector('[data-testid=funnel-step-row]', { timeout: RESULT_TIMEOUT_MS });
  await page.waitForSelector('[data-testid=timing-median]', { timeout: RESULT_TIMEOUT_MS });
  await page.waitForSelector('[data-testid=channels-table]', { timeout: RESULT_TIMEOUT_MS });
  await page.waitForSelector('[data-testid=curve-chart]', { timeout: RESULT_TIMEOUT_MS });
  await page.waitForSelector('[data-testid=process-edges]', { timeout: RESULT_TIMEOUT_MS });

  const hrefs = await page.locator('a.metric-link').evaluateAll((links) => [...new Set(links.map((link) => link.href))]);
  const anchors = new Set(hrefs.map((href) => new URL(href).hash.slice(1)));
  for (const expected of ['people', 'conversion-rate', 'distinct-journeys', 'funnel', 'of-previous', 'of-first',
    'drop-off', 'median-time-between-steps', 'funnel-completion-time', 'paths', 'sankey', 'time-to-convert',
    'total-value', 'funnel-kinds', 'funnel-counting', 'funnel-breakdown', 'exclusion-steps', 'per-step-windows',
    'conversion-curve', 'attribution', 'process-map']) {
    assert.ok(anchors.has(expected), `a metric label links to #${expected}`);
  }

  const docsPage = await context.newPage();
  await docsPage.goto(hrefs[0]);
  const ids = new Set(await docsPage.locator('[id]').evaluateAll((nodes) => nodes.map((node) => node.id)));
  const missing = [...anchors].filter((anchor) => !ids.has(anchor));
  assert.deepEqual(missing, [], 'anchors missing from the metrics page');
});
