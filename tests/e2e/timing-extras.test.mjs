// The silences, hour-and-weekday, speed and channel-speed views show the
// figures of the timing fixture that tools/timing_golden.py computed with
// pandas and lifelines, in the fixture's Europe/Berlin time zone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { analyse, dropFiles, openApp, parseCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

const FIXTURE = new URL('../fixtures/timing-fixture.csv', import.meta.url);
const GOLDEN = new URL('../../tools/golden/timing_fixture.json', import.meta.url);
const PATH_TABLE = new URL('../fixtures/formats/channel_paths.csv', import.meta.url);

const percent = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });

test('timing fixture shows golden figures', async (t) => {
  const golden = JSON.parse(await readFile(GOLDEN, 'utf8'));
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'timing-fixture.csv', text: await readFile(FIXTURE, 'utf8') }]);
  await page.waitForSelector('[data-testid=file-card]');
  await page.selectOption('[data-testid=time-zone]', golden.time_zone);
  await analyse(page);
  await page.selectOption('[data-testid=conversion-event]', 'purchase');
  await page.waitForSelector('[data-testid=channel-speed-table]', { timeout: RESULT_TIMEOUT_MS });

  // Silences: the gap count, the comeback rows and the "rarely come back after" length.
  const silences = golden.silences;
  assert.equal(parseCount(await page.textContent('[data-testid=silences-gaps]')), silences.gaps);
  const rarely = silences.comeback.find((row) => row.threshold_ms === silences.rarely_back_after_ms);
  assert.equal(await page.textContent('[data-testid=silences-rarely-back]'), rarely.label);
  assert.match(await page.textContent('[data-testid=silences-rule]'), new RegExp(`: ${rarely.label} of silence\\.`));
  const shares = await page.locator('[data-testid=comeback-share]').allTextContents();
  assert.deepEqual(shares, silences.comeback.map((row) => percent.format(row.return_share)));
  assert.ok(await page.locator('[data-testid=silences-histogram-bin]').count() > 0, 'the gap histogram has bins');

  // Hours and weekdays: every cell, read as a 7 x 24 table, and the total.
  const cells = (await page.locator('[data-testid=rhythm-cell]').allTextContents()).map(parseCount);
  const expectedCells = golden.rhythm_purchases.counts.flat();
  assert.deepEqual(cells, expectedCells);
  assert.equal(parseCount(await page.textContent('[data-testid=rhythm-total]')), golden.rhythm_purchases.events);
  assert.match(await page.textContent('[data-testid=rhythm-caption]'), /in Europe\/Berlin/);
  assert.equal(await page.locator('[data-testid=rhythm-heatmap] caption').count(), 1, 'the heat map table has a caption');

  // Speed segments side by side, with their people and top paths.
  for (const segment of golden.speed.segments) {
    const column = page.locator(`[data-testid=speed-${segment.name}]`);
    assert.equal(parseCount(await column.locator('[data-testid=speed-people]').textContent()), segment.people, `${segment.name}: people`);
    const paths = await column.locator('[data-testid=speed-path]').count();
    assert.equal(paths, segment.top_paths.length, `${segment.name}: top paths`);
  }

  // Channel speed: the order of the channels and which have a Kaplan–Meier median.
  const channels = await page.locator('[data-testid=channel-speed-row] th').allTextContents();
  assert.deepEqual(channels, golden.channel_speed.channels.map((row) => row.channel));
  const medians = await page.locator('[data-testid=channel-speed-median]').allTextContents();
  assert.deepEqual(medians.map((text) => text === 'not reached'), golden.channel_speed.channels.map((row) => row.median_ms === null));

  // Grouping by every channel touched gives lifelines' any-touch order.
  await page.selectOption('[data-testid=channel-speed-by]', 'any_touch');
  const anyTouch = golden.channel_speed_any_touch.channels.map((row) => row.channel);
  await page.waitForFunction((expected) => {
    const names = [...document.querySelectorAll('[data-testid=channel-speed-row] th')].map((node) => node.textContent);
    return names.join() === expected.join();
  }, anyTouch, { timeout: RESULT_TIMEOUT_MS });
  assert.match(await page.textContent('[data-testid=channel-speed-caption]'), /several rows/);

  // A looser rule moves the length earlier. The golden rows give the new length by the rule of docs/metrics.md.
  await page.selectOption('[data-testid=silences-return-rule]', '0.2');
  const looser = rarelyBackAfter(silences.comeback, 0.2, golden.min_silences);
  await page.waitForFunction((label) => document.querySelector('[data-testid=silences-rarely-back]')?.textContent === label,
    looser.label, { timeout: RESULT_TIMEOUT_MS });
  assert.notEqual(looser.label, rarely.label, 'the fixture moves the length with the rule');

  // Cut-offs as durations replace the terciles.
  await page.fill('[data-testid=speed-cuts]', '1d,7d');
  await page.press('[data-testid=speed-cuts]', 'Enter');
  await page.waitForFunction(() => /fast up to 1 d, medium up to 7 d/.test(document.querySelector('[data-testid=speed-caption]')?.textContent ?? ''),
    null, { timeout: RESULT_TIMEOUT_MS });
  await page.fill('[data-testid=speed-cuts]', '1d');
  await page.press('[data-testid=speed-cuts]', 'Enter');
  assert.match(await page.textContent('[data-testid=speed-cuts-error]'), /^Invalid cut-offs "1d"/);

  for (const [view, anchor] of [['silences', 'silences'], ['rhythm', 'when-people-buy'], ['speed', 'speed-segments'], ['channel-speed', 'channel-speed']]) {
    const link = await page.getAttribute(`[data-testid=${view}] h3 a`, 'href');
    assert.equal(link, `build/metrics.html#${anchor}`, `${view} links to its definition`);
  }
  assert.deepEqual(pageErrors, []);
});

/** Returns the smallest row from which on every row with enough silences returns at most `rule`. */
function rarelyBackAfter(rows, rule, minSilences) {
  let found = null;
  for (const row of rows.filter((candidate) => candidate.silences >= minSilences).reverse()) {
    if (row.return_share > rule) {
      break;
    }
    found = row;
  }
  return found;
}

test('path table hides the timing views', async (t) => {
  const { page, pageErrors } = await openApp(t);
  const text = await readFile(PATH_TABLE, 'utf8');
  await dropFiles(page, [{ name: 'channel_paths.csv', text }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=timing-unavailable]', { timeout: RESULT_TIMEOUT_MS });

  for (const view of ['silences', 'rhythm', 'speed', 'channel-speed']) {
    assert.equal(await page.locator(`[data-testid=${view}]`).isHidden(), true, `${view} is hidden with made-up times`);
  }
  assert.deepEqual(pageErrors, []);
});
