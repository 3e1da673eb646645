// The Sankey's geometry. Each node is as tall as its people, so people who
// stop at a step show as a narrowing band. At 700 px the labels of every
// column stay inside the drawing and end before the next column. A link's
// tooltip gives the median time between its two steps.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { analyse, dropFiles, mapColumns, openApp } from './helpers.mjs';

const PERMIT_LOG = fileURLToPath(new URL('../fixtures/permit-receipt.csv', import.meta.url));

// Four people visit and one of them signs up. A fifth only calls, so nobody
// continues from the "call" node.
const STOPS_CSV = [
  'user,event,ts',
  'u1,visit,2024-04-01T10:00:00Z',
  'u1,signup,2024-04-01T10:05:00Z',
  'u2,visit,2024-04-01T11:00:00Z',
  'u3,visit,2024-04-01T12:00:00Z',
  'u4,visit,2024-04-01T13:00:00Z',
  'u5,call,2024-04-01T14:00:00Z',
  '',
].join('\n');

/** Reads each node's rect height by its tooltip without the count, such as "Step 1: visit". */
async function nodeHeights(page) {
  const rects = page.locator('svg[data-testid=sankey] [data-testid=sankey-node] rect');
  const entries = await rects.evaluateAll((nodes) => nodes.map((rect) => [
    rect.querySelector('title').textContent.replace(/, .*$/, ''),
    Number(rect.getAttribute('height')),
  ]));
  return new Map(entries);
}

test('sankey node height follows people', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'stops.csv', text: STOPS_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await mapColumns(page, { person: 'user', event: 'event', time: 'ts' });
  await analyse(page);
  await page.waitForSelector('svg[data-testid=sankey] [data-testid=sankey-node]');

  const heights = await nodeHeights(page);
  const visit = heights.get('Step 1: visit');
  const signup = heights.get('Step 2: signup');
  const call = heights.get('Step 1: call');
  assert.ok(signup > 1, `the signup node is ${signup} px tall`);
  assert.ok(Math.abs(visit / signup - 4) < 0.01, `visit (4 people) is ${visit} px, signup (1 person) ${signup} px`);
  assert.ok(Math.abs(call / signup - 1) < 0.01, `call (1 person, nobody continues) is ${call} px, signup ${signup} px`);
  assert.deepEqual(pageErrors, []);
});

test('sankey labels fit at 700 px', async (t) => {
  const { page, pageErrors } = await openApp(t, { width: 700 });
  await dropFiles(page, [{ name: 'permit-receipt.csv', text: await readFile(PERMIT_LOG, 'utf8') }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('svg[data-testid=sankey] [data-testid=sankey-label]');

  const { width, columns, labels } = await page.evaluate(() => {
    const chart = document.querySelector('svg[data-testid=sankey]');
    const rects = [...chart.querySelectorAll('[data-testid=sankey-node] rect')];
    return {
      width: chart.viewBox.baseVal.width,
      columns: [...new Set(rects.map((rect) => Number(rect.getAttribute('x'))))].sort((a, b) => a - b),
      labels: [...chart.querySelectorAll('[data-testid=sankey-label]')].map((label) => {
        const box = label.getBBox();
        return {
          text: label.querySelector('tspan').textContent,
          title: label.querySelector('title').textContent,
          left: box.x,
          right: box.x + box.width,
        };
      }),
    };
  });
  assert.equal(columns.length, 5, 'one column per step');
  assert.ok(labels.length >= columns.length, `${labels.length} labels`);

  for (const label of labels) {
    const nextColumn = columns.find((x) => x > label.left) ?? width;
    assert.ok(label.right <= nextColumn, `"${label.text}" ends at ${label.right.toFixed(1)}, the next column starts at ${nextColumn.toFixed(1)}`);
  }
  const cut = labels.filter((label) => label.text.includes('…'));
  assert.ok(cut.length > 0, 'long event names are cut at 700 px');
  for (const label of cut) {
    const name = label.text.replace(/… \(.*\)$/, '');
    assert.match(label.title, /^Step \d: .+, [\d,]+ (person|people), [\d.]+% of the [\d,]+ at step 1$/, 'the tooltip has the full label, the count and the share');
    assert.ok(label.title.includes(name), `the tooltip "${label.title}" starts with the visible "${name}"`);
  }
  assert.deepEqual(pageErrors, []);
});

test('sankey link shows median time', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'stops.csv', text: STOPS_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await mapColumns(page, { person: 'user', event: 'event', time: 'ts' });
  await analyse(page);
  await page.waitForSelector('svg[data-testid=sankey] .sankey-link');

  const titles = await page.locator('svg[data-testid=sankey] .sankey-link title').allTextContents();
  assert.deepEqual(titles, ['visit → signup: 1 person, 25.0% of the 4 at visit in step 1, median 5 min between the steps']);
  assert.deepEqual(pageErrors, []);
});
