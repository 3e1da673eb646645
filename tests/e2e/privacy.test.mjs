// No data leaves the browser: every request goes to the page's own origin,
// analysing a dropped file sends no request at all, and the page's content
// security policy allows connections only to its own origin.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTENT_SECURITY_POLICY } from '../../scripts/serve.mjs';
import { analyse, dropFiles, openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

const EVENTS_CSV = [
  'user_id,timestamp,event,channel,revenue',
  'u1,2024-05-01T09:00:00Z,page_view,email,',
  'u1,2024-05-01T09:05:00Z,sign_up,email,',
  'u1,2024-05-02T10:00:00Z,purchase,email,49.00',
  'u2,2024-05-01T11:00:00Z,page_view,social,',
  'u2,2024-05-01T11:02:00Z,page_view,social,',
  'u3,2024-05-03T08:00:00Z,page_view,paid_search,',
  'u3,2024-05-03T08:10:00Z,sign_up,paid_search,',
  '',
].join('\n');

function isOwnOrigin(url, origin) {
  return url.startsWith(`${origin}/`) || url.startsWith(`blob:${origin}/`) || url.startsWith('data:');
}

test('every request stays on the page origin', async (t) => {
  const { page, server, requests } = await openApp(t);
  const origin = new URL(server.url).origin;

  await dropFiles(page, [{ name: 'events.csv', text: EVENTS_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.click('[data-testid=keep-repeats]');
  await page.click('[data-testid=funnel-add-step]');
  await page.waitForSelector('svg[data-testid=sankey]', { timeout: RESULT_TIMEOUT_MS });
  await page.click('[data-testid=sample-button]');
  await page.waitForSelector('[data-testid=funnel-step-row]', { timeout: RESULT_TIMEOUT_MS });

  assert.ok(requests.length > 0, 'the page load was recorded');
  const foreign = requests.filter((url) => !isOwnOrigin(url, origin));
  assert.deepEqual(foreign, []);
});

test('no view breaks the content security policy', async (t) => {
  const { page, policyViolations } = await openApp(t);
  await page.click('[data-testid=sample-button]');
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=stage-furthest-row]', { timeout: RESULT_TIMEOUT_MS });
  await page.click('[data-testid=funnel-step-people] button');
  await page.waitForSelector('[data-testid=people-table]', { timeout: RESULT_TIMEOUT_MS });

  // Bars and shades are sized through the style property, which the policy allows.
  const widths = await page.locator('[data-testid=stage-furthest-row] .bar').evaluateAll((bars) => bars.map((bar) => bar.style.width));
  assert.ok(widths.length > 0, 'the furthest-stage bars are drawn');
  assert.ok(widths.some((width) => width !== '100%'), `bar widths: ${widths}`);
  assert.deepEqual(policyViolations, []);
});

test('analysing a dropped file sends no request', async (t) => {
  const { page, requests } = await openApp(t);
  await page.waitForLoadState('networkidle');
  const before = requests.length;

  await dropFiles(page, [{ name: 'events.csv', text: EVENTS_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.click('[data-testid=keep-repeats]');
  await page.selectOption('[data-testid=conversion-event]', 'sign_up');
  await page.waitForFunction(() => document.querySelector('[data-testid=summary-converters]')?.textContent === '2');

  assert.deepEqual(requests.slice(before), []);
});

test('content security policy limits connect-src', async (t) => {
  const { page } = await openApp(t);
  const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.ok(policy, 'the page has a CSP meta tag');

  const directives = new Map(policy.split(';').map((part) => {
    const [name, ...values] = part.trim().split(/\s+/);
    return [name, values];
  }));
  assert.deepEqual(directives.get('connect-src'), ["'self'"]);
  assert.deepEqual(directives.get('default-src'), ["'self'"]);
});

test('policy tag matches the served header', async (t) => {
  const { page } = await openApp(t);
  const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.equal(policy, CONTENT_SECURITY_POLICY);

  // Each source is a keyword such as 'self', or data: and blob: for images,
  // which name no other site.
  const sources = policy.split(';').flatMap((part) => part.trim().split(/\s+/).slice(1));
  const otherOrigins = sources.filter((source) => !/^'[a-z-]+'$/.test(source) && source !== 'data:' && source !== 'blob:');
  assert.deepEqual(otherOrigins, []);
});

test('policy tag blocks other origins', async (t) => {
  // Without the served header only the tag applies, as on a static host.
  const { page, requests } = await openApp(t, { serverOptions: { policyHeader: false } });

  // 127.0.0.2 is a loopback address, so nothing leaves the machine even if
  // the policy failed, and port 1 has no server on it.
  const outcome = await page.evaluate(async () => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      violations.push({ directive: event.effectiveDirective, blocked: event.blockedURI });
    });
    let error = null;
    try {
      await fetch('http://127.0.0.2:1/');
    } catch (caught) {
      error = caught.name;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { error, violations };
  });

  assert.equal(outcome.error, 'TypeError');
  assert.deepEqual(outcome.violations, [{ directive: 'connect-src', blocked: 'http://127.0.0.2:1/' }]);
  assert.deepEqual(requests.filter((url) => url.startsWith('http://127.0.0.2')), []);
});
