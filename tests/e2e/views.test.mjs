// One test per view of the results, each on a fixture from tests/fixtures/.
// Every expected figure is computed here from the fixture's rows, worked out
// by hand in a comment, or read from a golden file that a script under tools/
// computed with pandas, scipy or pm4py. So a test fails when the page shows a
// wrong figure, not only when a view is missing.
// Each test saves a screenshot of its view under test-results/screenshots/
// (git-ignored) for a reviewer to look at.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { analyse, dropFiles, openApp, parseCount, readCount, readFunnelPeople, RESULT_TIMEOUT_MS, setFunnel } from './helpers.mjs';
import { formatDuration } from '../../www/views/format.js';

const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

const PERMIT_LOG = 'permit-receipt.csv';
// The permit log's last check, done in 1,283 of its 1,434 cases.
const PERMIT_CONVERSION = 'T10 Determine necessity to stop indication';

/** Reads a fixture from tests/fixtures/ as text. */
async function readFixture(name) {
  return readFile(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
}

/** Reads a golden file from tools/golden/. */
async function readGolden(name) {
  return JSON.parse(await readFile(new URL(`../../tools/golden/${name}`, import.meta.url), 'utf8'));
}

/**
 * Splits a fixture into rows of { column: value }. Only for the fixtures read
 * here, which have no quoted fields, so a quote in the text fails the test.
 */
function parseRows(text, delimiter = ',') {
  assert.ok(!text.includes('"'), 'parseRows reads files without quoted fields only');
  const [header, ...lines] = text.split(/\r?\n/).filter((line) => line !== '');
  const columns = header.split(delimiter);
  return lines.map((line) => {
    const cells = line.split(delimiter);
    return Object.fromEntries(columns.map((column, index) => [column, cells[index] ?? '']));
  });
}

/**
 * Groups rows into journeys: one list of events per person, ordered by time
 * and, for equal times, by file order, as the engine orders them.
 */
function journeysOf(rows, { person, time, event }) {
  const journeys = new Map();
  rows.forEach((row, index) => {
    const list = journeys.get(row[person]) ?? [];
    list.push({ event: row[event], ms: Date.parse(row[time].replace(' ', 'T')), index });
    journeys.set(row[person], list);
  });
  for (const list of journeys.values()) {
    list.sort((a, b) => a.ms - b.ms || a.index - b.index);
  }
  return journeys;
}

/**
 * Returns, for each funnel step, the journeys that reach it: each step's
 * event after the previous step's, with any events between.
 */
function funnelReach(journeys, steps) {
  const reached = steps.map(() => []);
  for (const list of journeys.values()) {
    let next = 0;
    for (const step of list) {
      if (next < steps.length && step.event === steps[next]) {
        reached[next].push(list);
        next += 1;
      }
    }
  }
  return { reached };
}

// The permit log's four most common events in their usual order, as the page suggests them.
const PERMIT_FUNNEL = ['Confirmation of receipt', 'T02 Check confirmation of receipt', 'T04 Determine confirmation of receipt',
  'T06 Determine necessity of stop advice'];

const PERMIT_ROLES = { person: 'case:concept:name', time: 'time:timestamp', event: 'concept:name' };

/** Drops one fixture on the page, waits for its card and analyses it. */
async function loadFixture(page, name) {
  await dropFiles(page, [{ name, text: await readFixture(name) }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
}

/** Chooses the conversion event and waits until a report with it is shown. */
async function chooseConversion(page, event) {
  await page.selectOption('[data-testid=conversion-event]', event);
  await page.waitForFunction((expected) => {
    const results = document.querySelector('[data-testid=results]');
    const text = document.querySelector('[data-testid=summary] .hint strong')?.textContent;
    return results && !results.classList.contains('stale') && text === expected;
  }, event, { timeout: RESULT_TIMEOUT_MS });
}

/**
 * Saves one screenshot covering every element in `locators`, from the top of
 * the first to the bottom of the last, as test-results/screenshots/NAME.png.
 */
async function saveScreenshot(page, name, ...locators) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = `${SCREENSHOT_DIR}${name}.png`;
  if (locators.length === 1) {
    await locators[0].screenshot({ path });
    return;
  }
  for (const locator of locators) {
    await locator.scrollIntoViewIfNeeded();
  }
  const boxes = [];
  for (const locator of locators) {
    boxes.push(await locator.evaluate((node) => {
      const rect = node.getBoundingClientRect();
      return { top: rect.top + window.scrollY, bottom: rect.bottom + window.scrollY, left: rect.left, right: rect.right };
    }));
  }
  const top = Math.min(...boxes.map((box) => box.top));
  const left = Math.min(...boxes.map((box) => box.left));
  const clip = {
    x: left,
    y: top,
    width: Math.max(...boxes.map((box) => box.right)) - left,
    height: Math.max(...boxes.map((box) => box.bottom)) - top,
  };
  await page.screenshot({ path, clip, fullPage: true });
}

/** Reads the cells of each row matched by `selector` as trimmed text. */
async function rowTexts(page, selector) {
  return page.locator(selector).evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent.trim())));
}

/**
 * Returns the metric anchors that links inside `root` point to, after
 * checking that each link carries its metric's note as a tooltip.
 */
async function linkedAnchors(page, root) {
  const links = await page.locator(`${root} a.metric-link`).evaluateAll((nodes) => nodes.map((link) => ({
    href: link.getAttribute('href'),
    note: link.dataset.note,
    label: link.textContent,
  })));
  const withoutNote = links.filter((link) => link.note !== 'yes').map((link) => `${link.label} (${link.href})`);
  assert.deepEqual(withoutNote, [], `metric links in ${root} without a note`);
  return new Set(links.map((link) => link.href.split('#')[1]));
}

test('overview shows permit log figures', async (t) => {
  const { page, pageErrors } = await openApp(t);
  const rows = parseRows(await readFixture(PERMIT_LOG));
  const journeys = journeysOf(rows, PERMIT_ROLES);
  const converters = [...journeys.values()].filter((list) => list.some((step) => step.event === PERMIT_CONVERSION)).length;
  const variants = new Set([...journeys.values()].map((list) => list.map((step) => step.event).join('\u0000')));
  // The reference figures of tests/fixtures/README.md, from pm4py.
  const golden = await readGolden('permit_funnel.json');
  assert.equal(journeys.size, golden.cases);
  assert.equal(variants.size, golden.distinct_journeys);

  await loadFixture(page, PERMIT_LOG);
  await chooseConversion(page, PERMIT_CONVERSION);
  await setFunnel(page, PERMIT_FUNNEL);

  assert.equal(await readCount(page, 'summary-people'), golden.cases);
  assert.equal(await readCount(page, 'summary-events'), golden.events);
  assert.equal(await readCount(page, 'summary-distinct-journeys'), golden.distinct_journeys);
  assert.equal(await readCount(page, 'summary-converters'), converters);
  assert.equal(await page.textContent('[data-testid=summary-conversion-rate]'), `${((100 * converters) / journeys.size).toFixed(1)}%`);

  // The funnel's biggest drop is before step 4: the people who
  // stopped there, times the conversion rate of those who went on.
  const funnel = funnelReach(journeys, PERMIT_FUNNEL);
  const wentOn = funnel.reached.at(-1);
  const convertedAfter = wentOn.filter((list) => list.some((step) => step.event === PERMIT_CONVERSION)).length;
  const stopped = funnel.reached.at(-2).length - wentOn.length;
  const lost = (stopped * convertedAfter) / wentOn.length;
  await page.waitForSelector('[data-testid=friction]:not([hidden]) [data-testid=friction-card]', { timeout: RESULT_TIMEOUT_MS });
  const top = page.locator('[data-testid=friction-card]').first();
  assert.match(await top.textContent(), new RegExp(`^Funnel step: step 4 \\(${PERMIT_FUNNEL[3]}\\)`));
  assert.match(await top.locator('[data-testid=friction-sentence]').textContent(), new RegExp(`^${stopped} people dropped before step 4`));
  assert.match(await top.locator('[data-testid=friction-lost]').textContent(), new RegExp(`^Lost: ${lost.toFixed(2)} conversions`));

  const anchors = await linkedAnchors(page, '[data-testid=summary]');
  for (const anchor of ['people', 'events', 'converters', 'conversion-rate', 'distinct-journeys']) {
    assert.ok(anchors.has(anchor), `summary links #${anchor}`);
  }
  await saveScreenshot(page, 'overview', page.locator('[data-testid=summary]'), page.locator('[data-testid=friction]'));
  assert.deepEqual(pageErrors, []);
});

test('funnel shows held-out shoppers', async (t) => {
  const { page, pageErrors } = await openApp(t);
  // funnel_hold.json contains the free funnel view → cart → buy from pandas.
  const golden = await readGolden('funnel_hold.json');
  await loadFixture(page, 'funnel-hold.csv');
  await setFunnel(page, golden.steps);

  const expected = golden.free.map((step) => step.people);
  assert.deepEqual(await readFunnelPeople(page), expected);
  const dropped = await page.locator('[data-testid=funnel-step-dropped]').allTextContents();
  assert.deepEqual(dropped.slice(1).map(parseCount), expected.slice(1).map((people, index) => expected[index] - people));

  const anchors = await linkedAnchors(page, '[data-testid=funnel]');
  for (const anchor of ['people', 'of-previous', 'of-first', 'drop-off', 'median-time-between-steps']) {
    assert.ok(anchors.has(anchor), `funnel links #${anchor}`);
  }
  await saveScreenshot(page, 'funnel', page.locator('[data-testid=funnel]'));
  assert.deepEqual(pageErrors, []);
});

test('paths show permit variants', async (t) => {
  const { page, pageErrors } = await openApp(t);
  const journeys = journeysOf(parseRows(await readFixture(PERMIT_LOG)), PERMIT_ROLES);
  // The paths table merges a step repeated in a row, unless asked to keep it.
  const pathCounts = new Map();
  const edges = new Set();
  for (const list of journeys.values()) {
    const steps = list.map((step) => step.event).filter((event, index, events) => index === 0 || events[index - 1] !== event);
    const key = steps.join(' → ');
    pathCounts.set(key, (pathCounts.get(key) ?? 0) + 1);
    for (let index = 1; index < list.length; index += 1) {
      edges.add(`${list[index - 1].event}\u0000${list[index].event}`);
    }
  }
  const [topPath, topCount] = [...pathCounts.entries()].sort((a, b) => b[1] - a[1])[0];

  await loadFixture(page, PERMIT_LOG);
  await page.waitForSelector('[data-testid=path-row]', { timeout: RESULT_TIMEOUT_MS });

  const firstRow = page.locator('[data-testid=path-row]').first();
  assert.equal(parseCount(await firstRow.locator('td').nth(1).textContent()), topCount);
  assert.equal(await firstRow.locator('td').first().textContent(), topPath);
  assert.match(await page.textContent('[data-testid=paths]'), new RegExp(`${journeys.size.toLocaleString('en')} people, ${pathCounts.size} distinct paths`));

  const sankey = page.locator('svg[data-testid=sankey]');
  await sankey.waitFor({ timeout: RESULT_TIMEOUT_MS });
  assert.ok(await sankey.locator('[data-testid=sankey-node]').count() >= 2, 'the Sankey diagram has nodes');
  // Every journey starts with "Confirmation of receipt", so the first column is one node holding everyone.
  // The label is shortened to fit, and ends with the node's people.
  const firstLabel = await sankey.locator('[data-testid=sankey-label]').first().textContent();
  assert.match(firstLabel, new RegExp(`^Confirmation of rec.*\\(${journeys.size.toLocaleString('en')}\\)`));

  assert.match(await page.textContent('[data-testid=process-map-caption]'), new RegExp(`of ${edges.size} edges`));
  const edgeRows = await rowTexts(page, '[data-testid=process-edge]');
  assert.deepEqual(edgeRows[0].slice(0, 2), ['T04 Determine confirmation of receipt', 'T05 Print and send confirmation of receipt']);

  assert.ok((await linkedAnchors(page, '[data-testid=paths]')).has('paths'));
  assert.ok((await linkedAnchors(page, '[data-testid=sankey-view]')).has('sankey'));
  assert.ok((await linkedAnchors(page, '[data-testid=process-map]')).has('process-map'));
  await saveScreenshot(page, 'paths', page.locator('[data-testid=paths]'));
  await saveScreenshot(page, 'sankey', page.locator('[data-testid=sankey-view]'));
  await saveScreenshot(page, 'process-map', page.locator('[data-testid=process-map]'));
  assert.deepEqual(pageErrors, []);
});

test('stages show suggested stage moves', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await loadFixture(page, 'stages-fixture.csv');
  await page.waitForSelector('[data-testid=stage-transition-row]', { timeout: RESULT_TIMEOUT_MS });

  // Each person's staged events under the suggested stages, in order, are
  // p1 d d e g e p a, p2 d e d e, p3 p a, p4 d d d, p5 g, p6 e p a a, p7 d e d p
  // and p8 e d. Here d is discovery, g engagement, e evaluation, p purchase
  // and a after purchase. Moves count changes of stage, entries count first
  // stages and exits count last stages.
  assert.deepEqual(await rowTexts(page, '[data-testid=stage-transition-row]'), [
    ['discovery', '0', '0', '4', '1', '0', '4', '2'],
    ['engagement', '0', '0', '1', '0', '0', '1', '1'],
    ['evaluation', '3', '1', '0', '2', '0', '2', '1'],
    ['purchase', '0', '0', '0', '0', '3', '1', '1'],
    ['after purchase', '0', '0', '0', '0', '0', '0', '3'],
  ]);
  assert.match(await page.textContent('[data-testid=stage-transitions] caption'), /15 moves/);
  // Discovery visits: p1 (3 h), p2 twice (2 h, then 3 h), p4 (open), p7 twice
  // (1 d, then 1 d 1 h) and p8 (open). That makes 7 visits by 5 people, 2 of
  // them open, and a median closed visit of 3 h.
  const timeInStage = await rowTexts(page, '[data-testid=stage-time-row]');
  assert.deepEqual(timeInStage[0].slice(0, 5), ['discovery', '7', '5', '2', '3 h']);

  const anchors = await linkedAnchors(page, '[data-testid=stages]');
  for (const anchor of ['stage-transitions', 'time-in-stage', 'time-between-stages', 'furthest-stage']) {
    assert.ok(anchors.has(anchor), `stages link #${anchor}`);
  }
  await saveScreenshot(page, 'stages', page.locator('[data-testid=stages]'));
  assert.deepEqual(pageErrors, []);
});

test('timing shows time to convert', async (t) => {
  const { page, pageErrors } = await openApp(t);
  const journeys = journeysOf(parseRows(await readFixture('drivers-fixture.csv')), { person: 'user', time: 'ts', event: 'event' });
  // Time from the first event to the first purchase, for converters with an
  // event before it, with percentiles interpolated between ranks.
  const durations = [];
  for (const list of journeys.values()) {
    const purchase = list.findIndex((step) => step.event === 'purchase');
    if (purchase > 0) {
      durations.push(list[purchase].ms - list[0].ms);
    }
  }
  durations.sort((a, b) => a - b);
  const percentile = (share) => {
    const rank = share * (durations.length - 1);
    const below = Math.floor(rank);
    const above = Math.min(below + 1, durations.length - 1);
    return durations[below] + (durations[above] - durations[below]) * (rank - below);
  };

  await loadFixture(page, 'drivers-fixture.csv');
  await chooseConversion(page, 'purchase');
  await page.waitForSelector('[data-testid=timing-median]', { timeout: RESULT_TIMEOUT_MS });

  assert.match(await page.textContent('[data-testid=timing-caption]'), new RegExp(`measured for ${durations.length} people`));
  assert.equal(await page.textContent('[data-testid=timing-median]'), formatDuration(percentile(0.5)));
  assert.equal(await page.textContent('[data-testid=timing-p25]'), formatDuration(percentile(0.25)));
  assert.equal(await page.textContent('[data-testid=timing-p75]'), formatDuration(percentile(0.75)));
  const binned = await page.locator('[data-testid=histogram-bin] td.number').allTextContents();
  assert.equal(binned.map(parseCount).reduce((sum, count) => sum + count, 0), durations.length, 'the histogram holds every converter');

  assert.ok((await linkedAnchors(page, '[data-testid=timing]')).has('time-to-convert'));
  assert.ok((await linkedAnchors(page, '[data-testid=curve]')).has('conversion-curve'));
  await saveScreenshot(page, 'timing', page.locator('[data-testid=timing]'), page.locator('[data-testid=curve]'));
  assert.deepEqual(pageErrors, []);
});

test('drivers compare converters with others', async (t) => {
  const { page, pageErrors } = await openApp(t);
  // drivers_fixture.json contains the tests from scipy and statsmodels.
  const golden = await readGolden('drivers_fixture.json');
  await loadFixture(page, 'drivers-fixture.csv');
  await chooseConversion(page, 'purchase');
  await page.waitForSelector('[data-testid=drivers]:not([hidden]) [data-testid=driver-row]', { timeout: RESULT_TIMEOUT_MS });

  assert.match(await page.textContent('[data-testid=drivers-caption]'),
    new RegExp(`over ${golden.converters} converters and ${golden.non_converters} other people`));
  const rows = await rowTexts(page, '[data-testid=driver-row]');
  const demo = golden.tests.find((entry) => entry.kind === 'event' && entry.value === 'demo');
  assert.ok(demo, 'the golden file tests the demo event');
  const demoRow = rows.find((row) => row[0] === 'demo');
  assert.ok(demoRow, `a driver row for demo among ${rows.map((row) => row[0]).join(', ')}`);
  assert.equal(demoRow[1], `${((100 * demo.converters) / golden.converters).toFixed(1)}%`);
  assert.equal(demoRow[2], `${((100 * demo.non_converters) / golden.non_converters).toFixed(1)}%`);
  assert.equal(Number.parseFloat(demoRow[3]).toFixed(1), demo.odds_ratio.toFixed(1));
  const ticket = rows.find((row) => row[0] === 'support_ticket');
  assert.ok(ticket, 'a driver row for support_ticket');
  assert.ok(Number.parseFloat(ticket[3]) < 1, 'support tickets are less common among converters');

  assert.ok((await linkedAnchors(page, '[data-testid=drivers]')).has('drivers'));
  await saveScreenshot(page, 'drivers', page.locator('[data-testid=drivers]'));
  assert.deepEqual(pageErrors, []);
});

test('channels credit published example', async (t) => {
  const { page, pageErrors } = await openApp(t);
  // The worked example's published results: first touch gives A all 3
  // conversions, and first-order Markov attribution gives A 2 and B 1.
  await loadFixture(page, 'attribution-worked-example.csv');
  await page.waitForSelector('[data-testid=channels-table]', { timeout: RESULT_TIMEOUT_MS });

  const rows = page.locator('[data-testid=channel-row]');
  assert.deepEqual(await rows.locator('[data-testid=channel-name]').allTextContents(), ['A', 'B']);
  const header = await page.locator('[data-testid=channels-table] thead th').allTextContents();
  const column = (name) => header.findIndex((text) => text.startsWith(name));
  const credit = async (row, name) => (await rows.nth(row).locator('th, td').nth(column(name)).locator('[data-testid=credit-value]').textContent()).trim();
  assert.equal(await credit(0, 'First touch'), '3');
  assert.equal(await credit(1, 'First touch'), '0');
  assert.equal(await credit(0, 'Markov'), '2');
  assert.equal(await credit(1, 'Markov'), '1');
  assert.match(await page.textContent('[data-testid=channels-caption]'), /3 conversions credited/);

  assert.ok((await linkedAnchors(page, '[data-testid=channels]')).has('attribution'));
  await saveScreenshot(page, 'channels', page.locator('[data-testid=channels]'));
  assert.deepEqual(pageErrors, []);
});

test('e-mail shows Mailchimp sequence', async (t) => {
  const { page, pageErrors } = await openApp(t);
  // Ana opens and clicks campaign c-42, and Cleo's copy bounces: both were
  // sent message 1, one of the two opened and one clicked.
  await loadFixture(page, 'formats/mailchimp_email_activity.csv');
  await page.waitForSelector('[data-testid=email-table]', { timeout: RESULT_TIMEOUT_MS });

  assert.deepEqual(await rowTexts(page, '[data-testid=email-step]'), [['1', '2', '1 (50.0%)', '1 (50.0%)', '0 (0.0%)']]);
  assert.match(await page.textContent('[data-testid=email-caption]'), /^2 people, 3 e-mail events, messages from campaign_id/);

  assert.ok((await linkedAnchors(page, '[data-testid=email]')).has('e-mail-sequences'));
  await saveScreenshot(page, 'email', page.locator('[data-testid=email]'));
  assert.deepEqual(pageErrors, []);
});

test('segments match golden members', async (t) => {
  const { page, pageErrors } = await openApp(t);
  // segments_fixture.json contains each segment's members from pandas.
  const golden = await readGolden('segments_fixture.json');
  await loadFixture(page, 'segments-fixture.csv');
  await chooseConversion(page, 'purchase');
  await page.waitForSelector('[data-testid=segments]:not([hidden]) [data-testid=segment-row]', { timeout: RESULT_TIMEOUT_MS });

  const sizes = await page.locator('[data-testid=segment-row]').evaluateAll((rows) =>
    Object.fromEntries(rows.map((row) => [row.dataset.segment, row.querySelector('[data-testid=segment-people]')?.textContent])));
  for (const [id, members] of Object.entries(golden.segments)) {
    assert.equal(sizes[id], String(members.length), `segment ${id}`);
  }
  assert.equal(await readCount(page, 'summary-converters'), golden.converters.length);

  const anchors = await linkedAnchors(page, '[data-testid=segments]');
  assert.ok(anchors.has('segments'));
  assert.ok(anchors.has('conversion-rate'));
  await saveScreenshot(page, 'segments', page.locator('[data-testid=segments]'));
  assert.deepEqual(pageErrors, []);
});

test('experiment shows Hillstrom variants', async (t) => {
  const { page, pageErrors } = await openApp(t);
  // experiment_hillstrom.json contains the variants from pandas, scipy and statsmodels.
  const golden = await readGolden('experiment_hillstrom.json');
  await loadFixture(page, 'hillstrom.csv');
  await chooseConversion(page, 'conversion');
  await page.waitForSelector('[data-testid=experiment-source]', { timeout: RESULT_TIMEOUT_MS });
  await page.selectOption('[data-testid=experiment-source]', 'segment');
  await page.waitForSelector('[data-testid=experiment-variants]', { timeout: RESULT_TIMEOUT_MS });
  await page.selectOption('[data-testid=experiment-control]', golden.control);
  await page.waitForFunction((control) => [...document.querySelectorAll('[data-testid=experiment-variant] th')]
    .some((cell) => cell.textContent === `${control} (control)`), golden.control, { timeout: RESULT_TIMEOUT_MS });

  const variantRows = await page.locator('[data-testid=experiment-variant]').evaluateAll((rows) => rows.map((row) => ({
    name: row.querySelector('th').textContent.replace(/ \(control\)$/, ''),
    people: row.querySelector('[data-testid=experiment-variant-people]').textContent,
    rates: [...row.querySelectorAll('[data-testid=experiment-step-rate]')].map((cell) => cell.textContent),
  })));
  assert.equal(variantRows.length, golden.variants.length);
  for (const variant of golden.variants) {
    const row = variantRows.find((entry) => entry.name === variant.name);
    assert.ok(row, `a row for ${variant.name}`);
    assert.equal(parseCount(row.people), variant.people, `${variant.name} people`);
    const conversion = variant.steps.at(-1);
    assert.ok(row.rates.at(-1).startsWith(`${(100 * conversion.rate).toFixed(1)}%`), `${variant.name} conversion rate ${row.rates.at(-1)}`);
  }
  assert.match(await page.textContent('[data-testid=experiment-srm]'), /matches the plan/);

  const anchors = await linkedAnchors(page, '[data-testid=experiment]');
  for (const anchor of ['experiments', 'difference-and-z-test', 'sample-ratio-mismatch']) {
    assert.ok(anchors.has(anchor), `experiment links #${anchor}`);
  }
  await saveScreenshot(page, 'experiment', page.locator('[data-testid=experiment]'));
  assert.deepEqual(pageErrors, []);
});

test('trends group permit cases by week', async (t) => {
  const { page, pageErrors } = await openApp(t);
  const journeys = journeysOf(parseRows(await readFixture(PERMIT_LOG)), PERMIT_ROLES);
  // People by the Monday (UTC) of the week of their first event.
  const byWeek = new Map();
  for (const list of journeys.values()) {
    const first = new Date(list[0].ms);
    const monday = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate() - ((first.getUTCDay() + 6) % 7)));
    const week = monday.toISOString().slice(0, 10);
    byWeek.set(week, (byWeek.get(week) ?? 0) + 1);
  }
  const expected = [...byWeek.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([week, people]) => [week, String(people)]);

  await loadFixture(page, PERMIT_LOG);
  await page.waitForSelector('[data-testid=trends]:not([hidden]) [data-testid=trend-series]', { timeout: RESULT_TIMEOUT_MS });

  // Each series lists every week, the incomplete recent ones included.
  const weekly = page.locator('[data-testid=trend-series]').first().locator('details');
  await weekly.locator('summary').click();
  const weeks = await weekly.locator('tbody tr').evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll('th, td')].slice(0, 2).map((cell) => cell.textContent.replace(/[^\d-]/g, ''))));
  assert.deepEqual(weeks.filter(([, people]) => people !== '0'), expected);
  // The default funnel has four steps, so steps 2 to 4 each get a series.
  assert.equal(await page.locator('[data-testid=trend-series]').count(), 3);

  assert.ok((await linkedAnchors(page, '[data-testid=trends]')).has('trends-and-comparisons'));
  await weekly.locator('summary').click();
  await saveScreenshot(page, 'trends', page.locator('[data-testid=trends]'));
  assert.deepEqual(pageErrors, []);
});
