// Hostile input: tests/fixtures/hostile.csv has event names, a channel, a
// column header, page URLs and survey answers written as HTML, script and
// javascript: URLs, and an event name that is a spreadsheet formula. Every
// view must show them as text, so no dialog opens and no element is made from
// them. No link takes a javascript: URL from the data, and tooltips contain
// the raw text. The CSV export neutralises the formula, and the HTML report
// escapes everything.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyse, dropFiles, openApp, RESULT_TIMEOUT_MS, setFunnel } from './helpers.mjs';

const HOSTILE_FIXTURE = new URL('../fixtures/hostile.csv', import.meta.url);
const IMAGE_EVENT = '<img src=x onerror=alert(1)>';
const SCRIPT_EVENT = '<script>alert(1)</script>';
const FORMULA_EVENT = '=HYPERLINK("http://127.0.0.1:9/","open")';
const HEADER = '<b>col</b>';

/** Records every dialog the page opens, and dismisses it. */
function recordDialogs(page) {
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    return dialog.dismiss();
  });
  return dialogs;
}

/**
 * Returns what the document contains that could only come from markup in the
 * data: elements and attributes the fixture's HTML would create, scripts
 * other than the page's own, and links to javascript: URLs.
 */
async function findInjected(page) {
  return page.evaluate(() => {
    const found = [];
    const selectors = ['img[src=x]', '[onerror]', '[onmouseover]', '[onclick]', 'a[href^="javascript:" i]', 'iframe', 'object', 'embed'];
    for (const selector of selectors) {
      const count = document.querySelectorAll(selector).length;
      if (count > 0) {
        found.push(`${count} × ${selector}`);
      }
    }
    const scripts = [...document.scripts].filter((script) => !/\/main\.js$/.test(script.src));
    if (scripts.length > 0) {
      found.push(`${scripts.length} script elements besides main.js: ${scripts.map((script) => script.src || script.textContent.slice(0, 40)).join('; ')}`);
    }
    // The fixture's <b>, <i> and <a> markup would make elements with these texts.
    for (const element of document.querySelectorAll('b, i, a')) {
      if (['col', 'x', 'y', 'price'].includes(element.textContent)) {
        found.push(`<${element.localName}>${element.textContent}</${element.localName}>`);
      }
    }
    return found;
  });
}

async function expandEverything(page) {
  await page.evaluate(() => {
    for (const details of document.querySelectorAll('details')) {
      details.open = true;
    }
  });
}

async function download(page, testid) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
  return file;
}

test('hostile names stay text in every view', async (t) => {
  const { page, pageErrors } = await openApp(t);
  const dialogs = recordDialogs(page);
  await dropFiles(page, [{ name: 'hostile.csv', text: await readFile(HOSTILE_FIXTURE, 'utf8') }]);
  await page.waitForSelector('[data-testid=file-card]');

  const options = await page.locator('[data-testid=file-card] [data-testid=map-channel] option').allTextContents();
  assert.ok(options.some((option) => option.includes(HEADER)), `the header is offered as text among ${options.join('; ')}`);
  assert.deepEqual(await findInjected(page), [], 'the mapping step creates nothing from the data');

  await analyse(page);
  await setFunnel(page, ['page_view', IMAGE_EVENT, SCRIPT_EVENT, FORMULA_EVENT, 'purchase']);
  await page.waitForSelector('svg[data-testid=sankey]', { timeout: RESULT_TIMEOUT_MS });
  await page.selectOption('[data-testid=conversion-event]', 'purchase');
  await page.waitForSelector('[data-testid=results]:not(.stale) [data-testid=summary-people]', { timeout: RESULT_TIMEOUT_MS });
  await expandEverything(page);

  const labels = await page.locator('[data-testid=funnel-step-label]').allTextContents();
  assert.deepEqual(labels, ['page_view', IMAGE_EVENT, SCRIPT_EVENT, FORMULA_EVENT, 'purchase']);
  const text = await page.textContent('[data-testid=results]');
  for (const name of [IMAGE_EVENT, SCRIPT_EVENT, FORMULA_EVENT]) {
    assert.ok(text.includes(name), `the results show ${name} as text`);
  }

  await page.waitForSelector('[data-testid=voice-themes]', { timeout: RESULT_TIMEOUT_MS });
  const examples = (await page.locator('[data-testid=voice-theme-examples]').allTextContents()).join('; ');
  assert.ok(examples.includes('<script>alert(1)</script> setup took weeks'), `the survey answers show as text: ${examples}`);
  assert.ok(examples.includes('<a href="javascript:alert(1)">price</a> was too high'), `the survey answers show as text: ${examples}`);

  // Sankey bars carry an SVG <title>, and other views use the title attribute.
  const tooltips = await page.evaluate(() => [
    ...[...document.querySelectorAll('[title]')].map((element) => element.getAttribute('title')),
    ...[...document.querySelectorAll('svg title')].map((element) => element.textContent),
  ]);
  for (const name of [IMAGE_EVENT, SCRIPT_EVENT]) {
    assert.ok(tooltips.some((tooltip) => tooltip.includes(name)), `a tooltip contains the raw ${name}`);
  }

  await page.locator('[data-testid=funnel-step-dropped] button').first().click();
  await page.waitForSelector('[data-testid=people-table]', { timeout: RESULT_TIMEOUT_MS });

  // The export guide links under the drop zone are part of the page, not of the data.
  const links = await page.evaluate(() => [...document.querySelectorAll('a[href]:not([data-testid=export-guides] a)')].map((link) => link.getAttribute('href')));
  const dataLinks = links.filter((href) => !href.startsWith('#') && !href.startsWith('build/metrics.html'));
  assert.deepEqual(dataLinks, [], 'no link takes its address from the data');
  assert.deepEqual(await findInjected(page), [], 'the results create nothing from the data');
  assert.deepEqual(dialogs, [], 'no dialog opened');
  assert.deepEqual(pageErrors, []);

  await page.selectOption('[data-testid=export-csv-table]', 'funnel');
  const csv = await readFile(await (await download(page, 'export-csv')).path(), 'utf8');
  const formulaLine = csv.split('\r\n').find((line) => line.includes('HYPERLINK'));
  assert.ok(formulaLine.startsWith(`"'=HYPERLINK(`), `the formula cell starts with an apostrophe: ${formulaLine}`);
  assert.ok(!csv.split('\r\n').some((line) => /^"?[=+\-@]/.test(line)), 'no CSV line starts with a formula');
});

test('hostile names stay text in HTML report', async (t) => {
  const { page, context } = await openApp(t);
  await dropFiles(page, [{ name: 'hostile.csv', text: await readFile(HOSTILE_FIXTURE, 'utf8') }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await setFunnel(page, ['page_view', IMAGE_EVENT, SCRIPT_EVENT, FORMULA_EVENT, 'purchase']);
  await page.waitForSelector('svg[data-testid=sankey]', { timeout: RESULT_TIMEOUT_MS });

  const folder = mkdtempSync(join(tmpdir(), 'pathlight-hostile-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const reportPath = join(folder, 'report.html');
  await (await download(page, 'export-html')).saveAs(reportPath);
  const html = await readFile(reportPath, 'utf8');
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<img/i);
  assert.doesNotMatch(html, /javascript:/i);
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));

  const offline = await context.browser().newContext();
  t.after(() => offline.close());
  const reportPage = await offline.newPage();
  const dialogs = recordDialogs(reportPage);
  await reportPage.goto(pathToFileURL(reportPath).href);
  await reportPage.waitForLoadState('load');
  const funnel = await reportPage.locator('#table-funnel tbody tr td:first-child').allTextContents();
  assert.deepEqual(funnel, ['page_view', IMAGE_EVENT, SCRIPT_EVENT, FORMULA_EVENT, 'purchase']);
  assert.deepEqual(await findInjected(reportPage), []);
  assert.deepEqual(dialogs, []);
});
