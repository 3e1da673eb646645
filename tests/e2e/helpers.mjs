// Shared set-up for the browser tests: a server on a free loopback port, the
// Debian Chromium through playwright-core, and small readers for the page.

import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

export const CHROMIUM_PATH = process.env.PATHLIGHT_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

// Time allowed for one analysis to show on the page, in milliseconds.
export const RESULT_TIMEOUT_MS = 30_000;

/**
 * Starts a server on a free loopback port and a browser, and registers their
 * clean-up with the test context `t`. `serverOptions` go to startServer().
 */
export async function startServerAndBrowser(t, serverOptions = {}) {
  const server = await startServer({ port: 0, host: '127.0.0.1', root: process.env.PATHLIGHT_WWW_ROOT, ...serverOptions });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  t.after(async () => {
    await browser.close();
    await server.close();
  });
  return { server, browser };
}

/**
 * Starts a server and a browser, opens the page and waits until the engine
 * in the worker has started. Registers clean-up with the test context `t`.
 * Every request the browser context sends is recorded in `requests`, and
 * every content security policy violation in `policyViolations`.
 */
export async function openApp(t, { width = 1100, serverOptions = {} } = {}) {
  const { server, browser } = await startServerAndBrowser(t, serverOptions);

  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const requests = [];
  context.on('request', (request) => requests.push(request.url()));
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // Chromium reports each content security policy violation as a console error.
  const policyViolations = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      policyViolations.push(message.text());
    }
  });

  await page.goto(server.url);
  await page.waitForSelector('html[data-engine]', { state: 'attached', timeout: RESULT_TIMEOUT_MS });
  const engineState = await page.getAttribute('html', 'data-engine');
  if (engineState !== 'ready') {
    const message = await page.textContent('[data-testid=status-error]');
    throw new Error(`The engine did not start (data-engine=${engineState}): ${message}`);
  }
  return { page, context, server, requests, pageErrors, policyViolations };
}

/**
 * Returns the page's engine worker (worker.js), or undefined. The helper
 * workers that read parts of large files (part-worker.js) are not it.
 */
export function engineWorker(page) {
  return page.workers().find((worker) => new URL(worker.url()).pathname.endsWith('/worker.js'));
}

/** Reads a whole number from the element with this data-testid, ignoring separators. */
export async function readCount(page, testid) {
  const text = await page.textContent(`[data-testid=${testid}]`);
  return parseCount(text);
}

export function parseCount(text) {
  const digits = text.replace(/[^\d]/g, '');
  if (digits === '') {
    throw new Error(`Expected a count, found "${text}".`);
  }
  return Number.parseInt(digits, 10);
}

/** Drops files on the drop zone with a synthetic drag-and-drop, as a user's drop would arrive. */
export async function dropFiles(page, files) {
  await page.evaluate((entries) => {
    const transfer = new DataTransfer();
    for (const { name, text } of entries) {
      transfer.items.add(new File([text], name, { type: 'text/csv' }));
    }
    const zone = document.querySelector('[data-testid=drop-zone]');
    zone.dispatchEvent(new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: transfer }));
    zone.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: transfer }));
    zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
  }, files);
}

/** Presses Analyse and waits for the summary of the new report. */
export async function analyse(page) {
  await page.click('[data-testid=analyse-button]');
  await page.waitForSelector('[data-testid=results]:not([hidden]):not(.stale) [data-testid=summary-people]', { timeout: RESULT_TIMEOUT_MS });
}

/** Chooses the column for each role in the first file card, e.g. { person: 'user', time: 'ts' }. */
export async function mapColumns(page, roles) {
  for (const [role, column] of Object.entries(roles)) {
    await page.selectOption(`[data-testid=file-card] [data-testid=map-${role}]`, column);
  }
}

/**
 * Replaces the funnel with these event names, in order, with no window, and
 * waits until the funnel chart shows exactly those steps.
 */
export async function setFunnel(page, events) {
  await page.fill('[data-testid=funnel-window]', '');
  while (await page.locator('[data-testid=funnel-step-remove]').count() > 0) {
    await page.locator('[data-testid=funnel-step-remove]').first().click();
  }
  for (const event of events) {
    await page.click('[data-testid=funnel-add-step]');
    await page.locator('[data-testid=funnel-step-event]').last().selectOption(event);
  }
  await page.waitForFunction((expected) => {
    const labels = [...document.querySelectorAll('[data-testid=funnel-step-label]')].map((node) => node.textContent);
    return labels.length === expected.length && labels.every((label, position) => label === expected[position]);
  }, events, { timeout: RESULT_TIMEOUT_MS });
}

/** Reads the people column of the funnel chart, one number per step. */
export async function readFunnelPeople(page) {
  const texts = await page.locator('[data-testid=funnel-step-people]').allTextContents();
  return texts.map(parseCount);
}

/**
 * Returns a CSV of generated journeys: `rows` rows of `people` people with a
 * page property, the quoted `note` (which spans lines) in every 1,001st row,
 * and a bad time every 997 rows.
 */
export function journeysCsv(rows, people, note) {
  const lines = ['user_id,event,timestamp,page,note'];
  const events = ['session_start', 'view_item', 'add_to_cart', 'purchase'];
  for (let row = 0; row < rows; row += 1) {
    const person = `p${(row * 7919) % people}`;
    const day = String(1 + (row % 28)).padStart(2, '0');
    const minute = String(row % 60).padStart(2, '0');
    const time = row % 997 === 5 ? 'not a time' : `2024-03-${day}T${String(row % 24).padStart(2, '0')}:${minute}:00Z`;
    lines.push(`${person},${events[row % 4]},${time},/page/${row % 37},${row % 1001 === 0 ? note : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
