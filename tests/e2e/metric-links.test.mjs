// Every metric label links to a section of the metrics page that exists, so
// no "how is this counted" link lands on the top of the page by mistake, and
// carries its one-sentence note from www/views/metric-notes.js as a tooltip.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';
import { METRIC_NOTES } from '../../www/views/metric-notes.js';

/** Returns the ids of every element of the built metrics page. */
async function metricsPageIds(context, href) {
  const docsPage = await context.newPage();
  await docsPage.goto(href);
  return new Set(await docsPage.locator('[id]').evaluateAll((nodes) => nodes.map((node) => node.id)));
}

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

  const ids = await metricsPageIds(context, hrefs[0]);
  const missing = [...anchors].filter((anchor) => !ids.has(anchor));
  assert.deepEqual(missing, [], 'anchors missing from the metrics page');

  const withoutNote = await page.locator('a.metric-link:not([data-note=yes])').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
  assert.deepEqual(withoutNote, [], 'metric links without a note');
  const title = await page.getAttribute('[data-testid=summary] a.metric-link[href$="#conversion-rate"]', 'title');
  assert.equal(title, `${METRIC_NOTES['conversion-rate']} Open for the full definition.`);
});

test('metric notes match metrics headings', async (t) => {
  const { page, context } = await openApp(t);
  const ids = await metricsPageIds(context, new URL('build/metrics.html', page.url()).href);
  const unknown = Object.keys(METRIC_NOTES).filter((anchor) => !ids.has(anchor));
  assert.deepEqual(unknown, [], 'notes for anchors that are not headings of docs/metrics.md');
  for (const [anchor, note] of Object.entries(METRIC_NOTES)) {
    assert.match(note, /^[A-Z"'].*\.$/, `the note for ${anchor} starts with a capital letter and ends with a full stop`);
    assert.ok(note.length <= 160, `the note for ${anchor} is short (${note.length} characters)`);
  }
});
