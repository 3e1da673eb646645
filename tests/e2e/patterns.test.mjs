// Gaps and unexpected paths on the sample: every heading links to an existing
// section of the metrics page, every table has a caption, and the patterns
// table lists events joined by arrows.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

const ANCHORS = ['gaps-and-unexpected-paths', 'stage-gaps', 'momentum-after-a-touchpoint', 'successful-touchpoints',
  'unexpected-converter-patterns', 'skipped-touchpoints', 'faster-combinations'];

test('sample shows gaps and unexpected paths', async (t) => {
  const { page, context, pageErrors, policyViolations } = await openApp(t);
  await page.click('[data-testid=sample-button]');
  await page.waitForSelector('[data-testid=patterns] [data-testid=patterns-caption]', { timeout: RESULT_TIMEOUT_MS });

  const section = page.locator('[data-testid=patterns]');
  assert.ok(await section.isVisible(), 'the sample has a conversion event, so the section shows');
  assert.match(await page.textContent('[data-testid=patterns-caption]'), /not causes/);

  const hrefs = await section.locator('a.metric-link').evaluateAll((links) => links.map((link) => link.href));
  const anchors = hrefs.map((href) => new URL(href).hash.slice(1));
  for (const expected of ANCHORS) {
    assert.ok(anchors.includes(expected), `a heading links to #${expected}`);
  }
  const docsPage = await context.newPage();
  await docsPage.goto(hrefs[0]);
  const ids = new Set(await docsPage.locator('[id]').evaluateAll((nodes) => nodes.map((node) => node.id)));
  assert.deepEqual(anchors.filter((anchor) => !ids.has(anchor)), [], 'anchors missing from the metrics page');

  const tables = await section.locator('table').count();
  const captions = await section.locator('table > caption').count();
  assert.ok(tables > 0, 'at least one table is shown');
  assert.equal(captions, tables, 'every table has a caption');

  const unexpected = section.locator('[data-testid=pattern-unexpected]');
  assert.ok(await unexpected.count() === 1, 'the unexpected patterns show as a table or a message');
  if (await section.locator('table[data-testid=pattern-unexpected]').count() === 1) {
    const first = await section.locator('table[data-testid=pattern-unexpected] tbody tr td:first-child').first().textContent();
    assert.ok(first.length > 0, 'a pattern has events');
  }
  assert.match(await page.textContent('[data-testid=pattern-unexpected-hint]'), /patterns of at most 4 events/);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(policyViolations, []);
});
