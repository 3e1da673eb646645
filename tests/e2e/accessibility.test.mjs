// Accessibility: axe-core checks the page against the WCAG 2 A and AA rules in
// each state a user passes through. A serious or critical violation fails the
// test. Minor and moderate ones are printed so that they stay visible.
// axe runs from node_modules: @axe-core/playwright evaluates the axe source in
// the page through the DevTools protocol, which the page's content security
// policy does not govern, so no script is fetched and the policy stays strict.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import { analyse, dropFiles, openApp, RESULT_TIMEOUT_MS, setFunnel } from './helpers.mjs';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

/**
 * Runs axe on the page as it is now. Fails on serious and critical
 * violations, naming the rule and the first few elements, and prints the rest.
 */
async function checkPage(page, state) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const blocking = [];
  for (const violation of results.violations) {
    const targets = violation.nodes.slice(0, 5).map((node) => node.target.join(' ')).join(', ');
    const line = `${state}: ${violation.impact} ${violation.id} (${violation.nodes.length} elements: ${targets})`;
    if (BLOCKING_IMPACTS.has(violation.impact)) {
      blocking.push(`${line}\n    ${violation.nodes[0].failureSummary}`);
    } else {
      console.log(line);
    }
  }
  assert.deepEqual(blocking, [], `${state} has serious or critical violations`);
}

/**
 * Returns the heat-map cells whose text has under 4.5:1 contrast with their
 * shade. axe leaves these undecided, because a cell contains a short number.
 * A translucent shade is blended over white, the colour of the panels.
 */
async function lowContrastHeatCells(page) {
  return page.locator('td.heat').evaluateAll((cells) => {
    const channels = (colour) => colour.match(/[\d.]+/g).map(Number);
    const luminance = ([red, green, blue]) => {
      const linear = [red, green, blue].map((value) => {
        const share = value / 255;
        return share <= 0.03928 ? share / 12.92 : ((share + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
    };
    const low = [];
    for (const cell of cells) {
      const style = getComputedStyle(cell);
      const [red, green, blue, alpha = 1] = channels(style.backgroundColor);
      const shade = [red, green, blue].map((value) => value * alpha + 255 * (1 - alpha));
      const lighter = Math.max(luminance(shade), luminance(channels(style.color)));
      const darker = Math.min(luminance(shade), luminance(channels(style.color)));
      const ratio = (lighter + 0.05) / (darker + 0.05);
      if (ratio < 4.5) {
        low.push(`${cell.dataset.testid} "${cell.textContent}": ${ratio.toFixed(2)}:1 (${style.color} on ${style.backgroundColor})`);
      }
    }
    return low;
  });
}

/** Checks that every chart in the results has role="img" and a name. */
async function assertChartsNamed(page) {
  const charts = await page.locator('[data-testid=results] svg').evaluateAll((nodes) => nodes.map((node) => ({
    chart: node.getAttribute('data-testid') ?? node.getAttribute('class'),
    role: node.getAttribute('role'),
    label: node.getAttribute('aria-label') ?? '',
  })));
  assert.ok(charts.length > 0, 'the results draw charts');
  for (const { chart, role, label } of charts) {
    assert.equal(role, 'img', `${chart} has role="img"`);
    assert.ok(label.length > 10, `${chart} has an aria-label: "${label}"`);
  }
}

/** Opens every collapsed section, so that axe also checks what they contain. */
async function expandEverything(page) {
  await page.evaluate(() => {
    for (const details of document.querySelectorAll('details')) {
      details.open = true;
    }
  });
}

// 100 people in each variant of an A/B test, over 8 weeks, so that the
// experiment and the trends views both have something to show.
function experimentCsv() {
  const rows = ['user,timestamp,event,variant,revenue'];
  for (const [variant, buyers] of [['control', 20], ['new', 35]]) {
    for (let person = 0; person < 100; person += 1) {
      const user = `${variant}-${person}`;
      const day = new Date(Date.UTC(2024, 2, 1 + (person % 56), 9)).toISOString();
      const later = new Date(Date.UTC(2024, 2, 1 + (person % 56), 10)).toISOString();
      rows.push(`${user},${day},visit,${variant},`);
      rows.push(`${user},${later},checkout,,`);
      if (person < buyers) {
        rows.push(`${user},${later.replace('T10', 'T11')},purchase,,12`);
      }
    }
  }
  return `${rows.join('\n')}\n`;
}

test('empty page and mapping step pass axe', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await checkPage(page, 'empty page');

  await dropFiles(page, [{ name: 'experiment.csv', text: experimentCsv() }]);
  await page.waitForSelector('[data-testid=file-card]');
  await checkPage(page, 'mapping step');
  assert.deepEqual(pageErrors, []);
});

test('sample results and people pass axe', async (t) => {
  const { page, server, requests, pageErrors, policyViolations } = await openApp(t);
  await page.click('[data-testid=sample-button]');
  await page.waitForSelector('[data-testid=funnel-step-row]', { timeout: RESULT_TIMEOUT_MS });
  await page.waitForSelector('svg[data-testid=sankey]', { timeout: RESULT_TIMEOUT_MS });
  await expandEverything(page);
  await checkPage(page, 'sample results');

  await assertChartsNamed(page);
  assert.ok(await page.locator('td.heat').count() > 0, 'the sample draws a heat map');
  assert.deepEqual(await lowContrastHeatCells(page), []);
  const sankeyRows = await page.locator('[data-testid=sankey-table-row]').count();
  const sankeyLinks = await page.locator('svg[data-testid=sankey] path.sankey-link').count();
  assert.equal(sankeyRows, sankeyLinks, 'the Sankey table has a row per band');
  assert.ok(await page.locator('[data-testid=curve-table-row]').count() > 0, 'the conversion curve has a table');

  await page.locator('[data-testid=funnel-step-dropped] button').first().click();
  await page.waitForSelector('[data-testid=people-table]', { timeout: RESULT_TIMEOUT_MS });
  await checkPage(page, 'people panel');
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(policyViolations, [], 'injecting axe breaks no content security policy');
  const origin = new URL(server.url).origin;
  const elsewhere = requests.filter((url) => new URL(url).origin !== origin && !url.startsWith('blob:') && !url.startsWith('data:'));
  assert.deepEqual(elsewhere, [], 'axe loads nothing from another origin');
});

test('experiment and trends views pass axe', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'experiment.csv', text: experimentCsv() }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await setFunnel(page, ['visit', 'checkout', 'purchase']);
  await page.selectOption('[data-testid=conversion-event]', 'purchase');
  await page.waitForSelector('[data-testid=experiment-source]', { timeout: RESULT_TIMEOUT_MS });
  await page.selectOption('[data-testid=experiment-source]', 'variant');
  await page.waitForSelector('[data-testid=experiment-variants]', { timeout: RESULT_TIMEOUT_MS });
  await page.waitForSelector('[data-testid=trends]:not([hidden]) [data-testid=trend-series]', { timeout: RESULT_TIMEOUT_MS });
  await expandEverything(page);
  await checkPage(page, 'experiment and trends');
  await assertChartsNamed(page);
  assert.ok(await page.locator('svg.trend-chart').count() > 0, 'the trends view draws charts');
  assert.deepEqual(pageErrors, []);
});
