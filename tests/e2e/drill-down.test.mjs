// Drill-down from the charts and tables of a real fixture: a Sankey band, a
// top-path row, a process-map edge, a drivers row and a channel row each open
// the people panel. The panel's total must equal the number on the clicked
// element, its rows must be people with journeys, and its CSV export must have
// that many people. Tooltips carry the count and a percentage, Enter opens a
// list from the keyboard, and the Sankey diagram downloads as SVG and PNG.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { analyse, dropFiles, openApp, parseCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

// 400 people with channels, devices and purchases, whose drivers and
// attribution tables both have rows.
const FIXTURE = fileURLToPath(new URL('../fixtures/drivers-fixture.csv', import.meta.url));
// Eight people p1 to p8 whose events fall into suggested stages.
const STAGES_FIXTURE = new URL('../fixtures/stages-fixture.csv', import.meta.url);

// A tooltip such as "18 people, 14.9% of the 121 converters with a path".
const COUNT_AND_SHARE = /^[\d,]+ (person|people|converters?)\b.*\d+\.\d%/;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
// The pause before each chart download of the loop below, so they stay under 10 a second.
const DOWNLOAD_PACE_MS = 150;

async function loadFixture(t) {
  const opened = await openApp(t);
  const { page } = opened;
  await page.setInputFiles('[data-testid=file-input]', FIXTURE);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=drivers-positive] [data-testid=driver-converters]', { timeout: RESULT_TIMEOUT_MS });
  await page.waitForSelector('[data-testid=channel-people]', { timeout: RESULT_TIMEOUT_MS });
  return opened;
}

/**
 * Waits for the people panel whose title is `title`, or matches it when it is
 * a RegExp, and checks the panel against `expected` people, whose ids match
 * `personPattern` and whose journeys start with `firstEvent`.
 */
async function checkPanel(page, title, expected, { personPattern = /^u\d+$/, firstEvent = 'visit' } = {}) {
  const pattern = title instanceof RegExp ? title.source : `^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  await page.waitForFunction((source) => new RegExp(source).test(document.querySelector('[data-testid=people] h3')?.textContent ?? ''),
    pattern, { timeout: RESULT_TIMEOUT_MS });
  const description = await page.textContent('[data-testid=people-description]');
  assert.equal(parseCount(description.split(' ')[0]), expected, `"${description}" counts the ${expected} people of "${title}"`);

  const rows = await page.locator('[data-testid=people-row]').evaluateAll((nodes) => nodes.map((row) => ({
    person: row.querySelector('th').textContent,
    journey: row.querySelector('.journey-cell').textContent,
  })));
  assert.equal(rows.length, Math.min(expected, 100), 'the panel lists the first 100 people at most');
  for (const row of rows) {
    assert.match(row.person, personPattern, 'each row is a person of the fixture');
    assert.ok(row.journey.startsWith(firstEvent), `${row.person}'s journey is shown: "${row.journey}"`);
  }

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=people-export]')]);
  const lines = (await readFile(await download.path(), 'utf8')).trim().split('\r\n');
  assert.equal(lines[0], 'person,events,converted,first_time,last_listed_time,journey');
  assert.equal(lines.length - 1, expected, 'the CSV has every person of the list');
  await page.click('[data-testid=people-close]');
  assert.equal(await page.isHidden('[data-testid=people]'), true);
}

async function tooltipOf(locator) {
  return locator.getAttribute('title');
}

test('drill-down opens the people behind each element', async (t) => {
  const { page, pageErrors, policyViolations } = await loadFixture(t);

  // A Sankey band, by mouse on the chart.
  const band = page.locator('svg[data-testid=sankey] [data-testid=sankey-link]').first();
  const bandPeople = Number(await band.getAttribute('data-people'));
  const bandTitle = await band.locator('title').textContent();
  assert.match(bandTitle, /: [\d,]+ (person|people), \d+\.\d% of the [\d,]+ at .+ in step \d/);
  assert.equal(parseCount(bandTitle.split(': ').at(-1).split(' ')[0]), bandPeople);
  const [bandSource, bandTarget] = bandTitle.split(': ')[0].split(' → ');
  await band.dispatchEvent('click');
  await checkPanel(page, `Sankey band: ${bandSource} (step 1) → ${bandTarget} (step 2)`, bandPeople);

  // A top path of converters, from its count button.
  const pathButton = page.locator('[data-testid=paths-converters] [data-testid=path-people] button').first();
  const pathPeople = parseCount(await pathButton.textContent());
  assert.match(await tooltipOf(pathButton), COUNT_AND_SHARE);
  const pathSteps = await page.locator('[data-testid=paths-converters] [data-testid=path-row] .path').first().getAttribute('title');
  await pathButton.click();
  await checkPanel(page, `Converters who followed ${pathSteps}`, pathPeople);

  // A process-map edge, from its people count.
  const edgeRow = page.locator('[data-testid=process-edge]').first();
  const edgeButton = edgeRow.locator('[data-testid=edge-people]');
  const edgePeople = parseCount(await edgeButton.textContent());
  assert.match(await tooltipOf(edgeButton), COUNT_AND_SHARE);
  const source = await edgeRow.locator('[data-testid=edge-source]').textContent();
  const target = await edgeRow.locator('[data-testid=edge-target]').textContent();
  await edgeButton.click();
  await checkPanel(page, `Process map: ${source} → ${target}`, edgePeople);

  // A drivers row: the converters who had the feature.
  const driverButton = page.locator('[data-testid=drivers-positive] [data-testid=driver-converters]').first();
  const driverPeople = Number(await driverButton.getAttribute('data-people'));
  const driverTooltip = await tooltipOf(driverButton);
  assert.match(driverTooltip, /^[\d,]+ of the [\d,]+ converters \(\d+\.\d%\) had /);
  assert.equal(parseCount(driverTooltip.split(' ')[0]), driverPeople);
  const feature = await page.locator('[data-testid=drivers-positive] [data-testid=driver-row] td').first().textContent();
  await driverButton.click();
  await checkPanel(page, `Converters who had ${feature}`, driverPeople);

  // A channel row: everyone with a touchpoint of the channel.
  const channelRow = page.locator('[data-testid=channel-row]').first();
  const channel = await channelRow.getAttribute('data-channel');
  const channelButton = channelRow.locator('[data-testid=channel-people]');
  const channelPeople = parseCount(await channelButton.textContent());
  assert.match(await tooltipOf(channelButton), COUNT_AND_SHARE);
  await channelButton.click();
  await checkPanel(page, `People with a touchpoint of ${channel}`, channelPeople);

  assert.deepEqual(pageErrors, []);
  assert.deepEqual(policyViolations, []);
});

test('drill-down opens from the keyboard', async (t) => {
  const { page, pageErrors } = await loadFixture(t);

  // On the keyboard, the Sankey table's count button opens the band's people.
  await page.click('[data-testid=sankey-table] summary');
  const tableButton = page.locator('[data-testid=sankey-table-people]').first();
  const tablePeople = parseCount(await tableButton.textContent());
  const [from, to] = await page.locator('[data-testid=sankey-table-row]').first().locator('td').evaluateAll((cells) => [cells[1].textContent, cells[2].textContent]);
  assert.match(await tooltipOf(tableButton), new RegExp(`^${from} → ${to}: [\\d,]+ (person|people), \\d+\\.\\d% of `));
  await tableButton.focus();
  await page.keyboard.press('Enter');
  await checkPanel(page, `Sankey band: ${from} (step 1) → ${to} (step 2)`, tablePeople);

  // A channel's first-touch credit is a count of converters with conversion weight.
  const firstTouch = page.locator('[data-testid=channel-first-touch-people]').first();
  const firstTouchPeople = Number(await firstTouch.getAttribute('data-people'));
  assert.match(await tooltipOf(firstTouch), /^[\d,]+ converters? had .+ as their first touchpoint, \d+\.\d% of the /);
  await firstTouch.focus();
  await page.keyboard.press('Enter');
  await checkPanel(page, /^Converters with .+ as their first touchpoint$/, firstTouchPeople);
  assert.deepEqual(pageErrors, []);
});

test('stage transition cell opens its people', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'stages-fixture.csv', text: readFileSync(STAGES_FIXTURE, 'utf8') }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=stage-transition-people]', { timeout: RESULT_TIMEOUT_MS });

  const cells = page.locator('[data-testid=stage-transition-people]');
  const moves = await cells.evaluateAll((buttons) => buttons.map((button) => ({
    moves: Number(button.textContent.replace(/\D/g, '')),
    people: Number(button.dataset.people),
    title: button.title,
  })));
  assert.ok(moves.some((cell) => cell.moves > cell.people), 'a person repeats a move, so a cell has more moves than people');
  const cell = moves.find((candidate) => candidate.moves > candidate.people) ?? moves[0];
  assert.match(cell.title, /^[\d,]+ moves? from .+ to .+ by [\d,]+ (person|people), \d+\.\d% of the [\d,]+ moves out of /);
  const [, from, to] = cell.title.match(/ from (.+) to (.+) by /);
  await cells.nth(moves.indexOf(cell)).click();
  await checkPanel(page, `People who moved from ${from} to ${to}`, cell.people, { personPattern: /^p\d$/, firstEvent: '' });
  assert.deepEqual(pageErrors, []);
});

test('sankey exports as SVG and PNG', async (t) => {
  const { page, pageErrors, policyViolations } = await loadFixture(t);
  const exportBar = page.locator('[data-testid=sankey-view] [data-testid=chart-export]');
  const labels = await page.locator('svg[data-testid=sankey] [data-testid=sankey-label] tspan').evaluateAll((nodes) => nodes.map((node) => node.dataset.name));
  assert.ok(labels.includes('visit'), 'the diagram labels its nodes');

  const [svgDownload] = await Promise.all([page.waitForEvent('download'), exportBar.locator('[data-testid=chart-export-svg]').click()]);
  assert.equal(svgDownload.suggestedFilename(), 'pathlight-sankey.svg');
  const text = await readFile(await svgDownload.path(), 'utf8');
  assert.ok(text.startsWith('<?xml'), 'a standalone XML document');
  assert.match(text, /<svg[^>]* xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(text, /<svg[^>]* width="\d+(\.\d+)?"/, 'the width is set in pixels');
  assert.match(text, /<svg[^>]* height="\d+(\.\d+)?"/, 'the height is set in pixels');
  assert.match(text, /<path [^>]*class="sankey-link[^>]*fill="none"/, 'the bands keep their style without the page');
  assert.match(text, /<rect [^>]*fill="#ffffff"/, 'a white background');
  for (const label of labels) {
    assert.ok(text.includes(label), `the SVG contains the label "${label}"`);
  }
  // The browser parses the export as SVG without an error.
  const parsed = await page.evaluate((markup) => {
    const document = new DOMParser().parseFromString(markup, 'image/svg+xml');
    return { root: document.documentElement.localName, errors: document.getElementsByTagName('parsererror').length, paths: document.querySelectorAll('path').length };
  }, text);
  assert.deepEqual({ root: parsed.root, errors: parsed.errors }, { root: 'svg', errors: 0 });
  assert.ok(parsed.paths > 0, 'the bands are in the export');

  const [pngDownload] = await Promise.all([page.waitForEvent('download'), exportBar.locator('[data-testid=chart-export-png]').click()]);
  assert.equal(pngDownload.suggestedFilename(), 'pathlight-sankey.png');
  const png = await readFile(await pngDownload.path());
  assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
  assert.ok(png.length > 1000, `the PNG has a drawing (${png.length} bytes)`);

  // The funnel chart is drawn as SVG only for its export.
  const [funnelDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#funnel-view [data-testid=chart-export-svg]').click(),
  ]);
  const funnel = await readFile(await funnelDownload.path(), 'utf8');
  assert.match(funnel, /<svg[^>]* xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(funnel, /<text[^>]*>1\. /, 'the funnel chart labels its steps');

  // Every other chart with export buttons downloads a parseable SVG of its own.
  const buttons = page.locator('[data-testid=results] [data-testid=chart-export-svg]:visible');
  const names = [];
  for (let index = 0; index < await buttons.count(); index += 1) {
    // The page has more charts than Chromium downloads in a second: with /usr/bin/chromium, an 11th
    // download started within a second of the first never arrived, and a pause avoids that.
    await page.waitForTimeout(DOWNLOAD_PACE_MS);
    const [download] = await Promise.all([page.waitForEvent('download'), buttons.nth(index).click()]);
    const markup = await readFile(await download.path(), 'utf8');
    const check = await page.evaluate((text) => {
      const document = new DOMParser().parseFromString(text, 'image/svg+xml');
      return document.documentElement.localName === 'svg' && document.getElementsByTagName('parsererror').length === 0;
    }, markup);
    assert.ok(check, `${download.suggestedFilename()} parses as SVG`);
    names.push(download.suggestedFilename());
  }
  for (const expected of ['pathlight-sankey.svg', 'pathlight-funnel.svg', 'pathlight-conversion-curve.svg']) {
    assert.ok(names.includes(expected), `${expected} is among ${names.join(', ')}`);
  }

  assert.equal(await page.locator('[data-testid=chart-export-error]:not(:empty)').count(), 0);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(policyViolations, []);
});
