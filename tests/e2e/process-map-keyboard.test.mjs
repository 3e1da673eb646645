// The process map graph from the keyboard, on the real permit log. Each drawn
// edge has a button over its label, and Tab reaches the buttons as one stop.
// The arrow keys move between them, and Enter or Space opens the same people
// panel that a click on the edge opens.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { analyse, openApp, parseCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

const FIXTURE = fileURLToPath(new URL('../fixtures/permit-receipt.csv', import.meta.url));
const SOURCE = 'Confirmation of receipt';
const TARGET = 'T02 Check confirmation of receipt';
const EDGE = `[data-source="${SOURCE}"][data-target="${TARGET}"]`;

/** Waits for the people panel of the edge and returns the count of people its description starts with. */
async function panelPeople(page) {
  await page.waitForFunction((expected) => document.querySelector('[data-testid=people] h3')?.textContent === expected,
    `Process map: ${SOURCE} → ${TARGET}`, { timeout: RESULT_TIMEOUT_MS });
  const description = await page.textContent('[data-testid=people-description]');
  return parseCount(description.split(' ')[0]);
}

async function closePanel(page) {
  await page.click('[data-testid=people-close]');
  assert.equal(await page.isHidden('[data-testid=people]'), true, 'the people panel closes');
}

/** Returns what identifies the focused element: its data-testid and, for an edge button, its edge. */
async function focused(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    return { testid: element?.dataset?.testid ?? null, source: element?.dataset?.source ?? null, target: element?.dataset?.target ?? null };
  });
}

test('process map edge opens from keyboard', async (t) => {
  const { page, pageErrors } = await openApp(t, { width: 1200 });
  await page.setInputFiles('[data-testid=file-input]', FIXTURE);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=process-graph-edge-button]', { timeout: RESULT_TIMEOUT_MS });

  const buttons = page.locator('[data-testid=process-graph-edge-button]');
  const buttonCount = await buttons.count();
  assert.equal(buttonCount, await page.locator('svg[data-testid=process-graph] [data-testid=process-graph-edge]').count(), 'one button per drawn edge');
  assert.equal(await page.getAttribute('[data-testid=process-graph-edge-buttons]', 'role'), 'toolbar');
  const tabStops = await buttons.evaluateAll((nodes) => nodes.filter((node) => node.tabIndex === 0).length);
  assert.equal(tabStops, 1, 'one edge button is in the tab order');

  // Tab from the graph's download buttons reaches the first edge button, and
  // the next Tab leaves the graph for the edge table.
  await page.focus('[data-testid=process-map] [data-testid=chart-export-png]');
  await page.keyboard.press('Tab');
  const first = await focused(page);
  assert.equal(first.testid, 'process-graph-edge-button', 'Tab reaches an edge button');
  const firstRow = page.locator('[data-testid=process-edge]').first();
  assert.equal(first.source, await firstRow.locator('[data-testid=edge-source]').textContent(), 'the first button is the most frequent edge');
  assert.equal(first.target, await firstRow.locator('[data-testid=edge-target]').textContent());
  await page.keyboard.press('Tab');
  const inTable = await page.evaluate(() => document.activeElement.closest('[data-testid=process-edges]') !== null);
  assert.ok(inTable, 'the next Tab leaves the graph for the edge table');

  // The arrow keys, Home and End move between the buttons.
  await page.keyboard.press('Shift+Tab');
  assert.deepEqual(await focused(page), first, 'Shift+Tab comes back to the same button');
  await page.keyboard.press('End');
  assert.deepEqual(await focused(page), await buttons.last().evaluate((node) => ({ testid: node.dataset.testid, source: node.dataset.source, target: node.dataset.target })));
  await page.keyboard.press('Home');
  assert.deepEqual(await focused(page), first, 'Home goes back to the first button');
  let presses = 0;
  while (!(await page.evaluate((selector) => document.activeElement.matches(selector), `[data-testid=process-graph-edge-button]${EDGE}`))) {
    presses += 1;
    assert.ok(presses < buttonCount, `ArrowRight reaches the button of ${SOURCE} → ${TARGET}`);
    await page.keyboard.press('ArrowRight');
  }
  const button = page.locator(`[data-testid=process-graph-edge-button]${EDGE}`);
  assert.equal(await button.getAttribute('tabindex'), '0', 'the focused button becomes the tab stop');

  // The focus is visible: a ring around the label, and the edge in the accent colour.
  const ring = await button.evaluate((node) => {
    const style = getComputedStyle(node);
    return { style: style.outlineStyle, width: style.outlineWidth };
  });
  assert.deepEqual(ring, { style: 'solid', width: '2px' });
  const edgeGroup = page.locator(`svg[data-testid=process-graph] [data-testid=process-graph-edge]${EDGE}`);
  assert.equal(await edgeGroup.evaluate((node) => node.classList.contains('focused')), true, 'the focused edge is marked');
  const accent = await page.evaluate(() => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--accent)';
    document.body.append(probe);
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
  });
  assert.equal(await edgeGroup.locator('.process-edge-line').evaluate((node) => getComputedStyle(node).stroke), accent);

  // The button's name states the move and the figures of the edge table.
  const row = page.locator('[data-testid=process-edge]').filter({
    has: page.locator(`[data-testid=edge-source]:text-is("${SOURCE}")`),
  }).filter({
    has: page.locator(`[data-testid=edge-target]:text-is("${TARGET}")`),
  });
  assert.equal(await row.count(), 1, 'the edge table lists the edge once');
  const tableTimes = parseCount(await row.locator('[data-testid=edge-frequency]').textContent());
  const tablePeople = parseCount(await row.locator('[data-testid=edge-people]').textContent());
  const name = await button.getAttribute('aria-label');
  const prefix = `From ${SOURCE} to ${TARGET}: `;
  assert.ok(name.startsWith(prefix), `"${name}" names the move`);
  const figures = name.slice(prefix.length).match(/^([\d,]+) times, ([\d,]+) (?:person|people), \d+\.\d% of all [\d,]+/);
  assert.ok(figures, `"${name}" gives the times and the people`);
  assert.equal(parseCount(figures[1]), tableTimes, 'the name has the times of the table');
  assert.equal(parseCount(figures[2]), tablePeople, 'the name has the people of the table');
  assert.match(name, /\. Show these people\.$/);

  // Enter, Space and a click open the same people.
  await page.keyboard.press('Enter');
  const enterPeople = await panelPeople(page);
  assert.equal(enterPeople, tablePeople, 'Enter opens the edge\'s people');
  await closePanel(page);

  await button.focus();
  await page.keyboard.press('Space');
  assert.equal(await panelPeople(page), tablePeople, 'Space opens the edge\'s people');
  await closePanel(page);

  await edgeGroup.locator('text').click();
  const clickPeople = await panelPeople(page);
  assert.equal(enterPeople, clickPeople, 'Enter and a click open the same number of people');
  assert.deepEqual(pageErrors, []);
});
