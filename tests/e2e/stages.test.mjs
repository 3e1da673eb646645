// The stage view on the hand-made stage fixture (tests/fixtures/stages-fixture.csv).
// The suggested stages put the newsletter into an engagement stage of its
// own. Removing that stage in the editor leaves the four stages whose
// figures tests/stages.rs works out by hand, and the page must show them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyse, dropFiles, openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

const FIXTURE = new URL('../fixtures/stages-fixture.csv', import.meta.url);

async function rowTexts(page, testid) {
  return page.locator(`[data-testid=${testid}]`).evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent.trim())));
}

test('stage view shows and edits the stages', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'stages-fixture.csv', text: readFileSync(FIXTURE, 'utf8') }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=stage-transition-row]', { timeout: RESULT_TIMEOUT_MS });

  assert.match(await page.textContent('[data-testid=stages-source]'), /suggested/);
  const suggested = await page.locator('[data-testid=stage-summary]').allTextContents();
  assert.equal(suggested.length, 5, suggested.join(' | '));
  assert.match(suggested[1], /^engagement: newsletter \(keyword "newsletter"\)$/);
  assert.match(suggested[0], /page_view where a word of page starts with "blog"/);

  // Remove the engagement stage, the second, rename discovery and apply.
  await page.click('[data-testid=stage-editor-box] > summary');
  await page.locator('[data-testid=stage-row]').nth(1).locator('[data-testid=stage-remove]').click();
  assert.equal(await page.locator('[data-testid=stage-row]').count(), 4);
  await page.locator('[data-testid=stage-name]').first().fill('awareness');
  await page.click('[data-testid=stage-apply]');
  await page.waitForFunction(() => document.querySelector('[data-testid=stages-source]')?.textContent.startsWith('Your stages'),
    null, { timeout: RESULT_TIMEOUT_MS });

  // Moves, then entries and exits, as worked out by hand in tests/stages.rs.
  const transitions = await rowTexts(page, 'stage-transition-row');
  assert.deepEqual(transitions, [
    ['awareness', '0', '4', '1', '0', '4', '2'],
    ['evaluation', '3', '0', '2', '0', '2', '1'],
    ['purchase', '0', '0', '0', '3', '1', '1'],
    ['after purchase', '0', '0', '0', '0', '0', '3'],
  ]);
  assert.match(await page.textContent('[data-testid=stage-transitions] caption'), /13 moves/);

  const timeInStage = await rowTexts(page, 'stage-time-row');
  // Discovery, renamed awareness: 7 visits by 5 people, 2 open, closed lengths 2, 3, 3, 24 and 25 hours.
  assert.deepEqual(timeInStage[0].slice(0, 5), ['awareness', '7', '5', '2', '3 h']);
  assert.deepEqual(timeInStage[3].slice(0, 5), ['after purchase', '3', '3', '3', '–']);

  const skips = await rowTexts(page, 'stage-skip-row');
  assert.deepEqual(skips[0], ['awareness → evaluation', '5', '2', '40.0%']);

  const furthest = await rowTexts(page, 'stage-furthest-row');
  assert.deepEqual(furthest.map((row) => [row[0], row[1], row[2]]), [
    ['awareness', '1', '0'], ['evaluation', '2', '0'], ['purchase', '1', '1'], ['after purchase', '3', '3'], ['no stage', '1', '0'],
  ]);

  const channels = await rowTexts(page, 'stage-channel-row');
  assert.deepEqual(channels.map((row) => row[0]), ['direct', 'email', 'organic', 'paid', 'social']);

  const anchors = await page.locator('[data-testid=stages] a.metric-link').evaluateAll((links) => links.map((link) => new URL(link.href).hash));
  for (const anchor of ['#stage-transitions', '#time-in-stage', '#time-between-stages', '#furthest-stage', '#stage-skips', '#channels-by-stage']) {
    assert.ok(anchors.includes(anchor), `a heading links to ${anchor}`);
  }

  // A stage name used twice is rejected, and the reason shows beside the button.
  await page.locator('[data-testid=stage-name]').nth(1).fill('awareness');
  await page.click('[data-testid=stage-apply]');
  await page.waitForFunction(() => /cannot be applied/.test(document.querySelector('[data-testid=stage-error]')?.textContent ?? ''),
    null, { timeout: RESULT_TIMEOUT_MS });
  assert.match(await page.textContent('[data-testid=stage-error]'), /awareness/);

  // An empty list is not sent at all.
  while (await page.locator('[data-testid=stage-remove]').count() > 0) {
    await page.locator('[data-testid=stage-remove]').first().click();
  }
  await page.click('[data-testid=stage-apply]');
  assert.equal(await page.textContent('[data-testid=stage-error]'), 'Add at least one stage, or use the suggested stages.');

  // Going back to the suggestion restores the five stages.
  await page.click('[data-testid=stage-use-suggested]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=stage-summary]').length === 5, null, { timeout: RESULT_TIMEOUT_MS });
  assert.deepEqual(pageErrors, []);
});
