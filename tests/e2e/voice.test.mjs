// The voice-of-the-customer view on tests/fixtures/voice-fixture.csv: three
// planted themes of 15 answers each, the answers shown as plain text, and the
// self-reported channel agreeing with the tracked first touch for 30 of the
// 42 respondents that can be compared.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { analyse, dropFiles, openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

const VOICE_FIXTURE = new URL('../fixtures/voice-fixture.csv', import.meta.url);

// A free-text answer with markup; the page must show it as text.
const MARKUP_CSV = [
  'person_id,timestamp,event,channel,almost_stopped',
  'u1,2024-05-01T09:00:00Z,visit,email,',
  'u1,2024-05-02T09:00:00Z,survey answered,,<b>bold</b> price too high',
  'u2,2024-05-01T10:00:00Z,visit,email,',
  'u2,2024-05-02T10:00:00Z,survey answered,,setup took weeks',
  'u3,2024-05-01T11:00:00Z,visit,email,',
  'u3,2024-05-02T11:00:00Z,survey answered,,setup was slow',
].join('\n');

test('voice fixture shows themes and channels', async (t) => {
  const { page, context, pageErrors } = await openApp(t);
  const text = await readFile(VOICE_FIXTURE, 'utf8');
  await dropFiles(page, [{ name: 'voice-fixture.csv', text }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=voice-themes]', { timeout: RESULT_TIMEOUT_MS });

  const answers = await page.locator('[data-testid=voice-theme-answers]').allTextContents();
  assert.deepEqual(answers, ['15', '15', '15']);

  // Asking for two themes merges two of the planted ones.
  await page.selectOption('[data-testid=voice-theme-count]', '2');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=voice-theme]').length === 2, null, { timeout: RESULT_TIMEOUT_MS });
  await page.selectOption('[data-testid=voice-theme-count]', '');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=voice-theme]').length === 3, null, { timeout: RESULT_TIMEOUT_MS });
  const labels = await page.locator('[data-testid=voice-theme-label]').allTextContents();
  assert.ok(labels.some((label) => label.startsWith('price')), `a price theme among ${labels.join('; ')}`);
  assert.match(await page.textContent('[data-testid=voice-counts]'), /45 answers analysed, 4 empty, 5 with stop words only/);

  // The price answers come from the 13 people who stopped at pricing and 2 who went on.
  const priceRow = page.locator('[data-testid=voice-journey-row]', { hasText: /^price/ });
  assert.match(await priceRow.locator('[data-testid=voice-journey-step]').textContent(), /^pricing \(1[35]\)$/);
  assert.match(await page.textContent('[data-testid=voice-over-represented]'), /"price[^"]*" is [\d.]+% of the answers of people who reached step \d \(pricing\)/);

  assert.equal(await page.textContent('[data-testid=voice-agreement]'), '71.4%');
  assert.equal(await page.textContent('[data-testid=voice-no-tracked]'), '11.1%');
  assert.equal(await page.locator('[data-testid=voice-channel-cell]').count(), 7);
  assert.match(await page.textContent('[data-testid=voice-channels] caption'), /heard_about/);

  const link = await page.getAttribute('[data-testid=voice] h3 a', 'href');
  assert.equal(link, 'build/metrics.html#voice-of-the-customer');
  const hrefs = await page.locator('[data-testid=voice] a.metric-link').evaluateAll((links) => [...new Set(links.map((node) => node.href))]);
  const docsPage = await context.newPage();
  await docsPage.goto(hrefs[0]);
  const ids = new Set(await docsPage.locator('[id]').evaluateAll((nodes) => nodes.map((node) => node.id)));
  const missing = hrefs.map((href) => new URL(href).hash.slice(1)).filter((anchor) => !ids.has(anchor));
  assert.deepEqual(missing, [], 'voice anchors missing from the metrics page');
  assert.deepEqual(pageErrors, []);
});

test('voice answers shown as text', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'markup.csv', text: MARKUP_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=voice-themes]', { timeout: RESULT_TIMEOUT_MS });

  const examples = await page.locator('[data-testid=voice-theme-examples]').allTextContents();
  assert.ok(examples.some((example) => example.includes('<b>bold</b> price too high')), examples.join('; '));
  assert.equal(await page.locator('[data-testid=voice] b').count(), 0, 'no element made from the answer');
  assert.deepEqual(pageErrors, []);
});

test('a theme new in the latest month is flagged', async (t) => {
  const { page, pageErrors } = await openApp(t);
  // The price answers (p01 to p15) move to April, so that price is new there.
  const lines = (await readFile(VOICE_FIXTURE, 'utf8')).split('\n');
  const moved = lines.map((line) => {
    const person = Number.parseInt(line.slice(1, 3), 10);
    return line.startsWith('p') && person >= 1 && person <= 15 ? line.replaceAll('2024-03-', '2024-04-') : line;
  });
  await dropFiles(page, [{ name: 'voice-by-month.csv', text: moved.join('\n') }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=voice-by-month]', { timeout: RESULT_TIMEOUT_MS });

  const headers = await page.locator('[data-testid=voice-by-month] thead th').allTextContents();
  assert.deepEqual(headers.slice(1, 3).map((header) => header.split(' ')[0]), ['2024-03', '2024-04']);
  const price = page.locator('[data-testid=voice-month-row]', { hasText: 'price' });
  assert.match(await price.locator('[data-testid=voice-month-growth]').textContent(), /^growing \(q (= 0\.\d{3}|< 0\.001)\)$/);
  assert.equal(await page.locator('[data-testid=voice-month-growth]', { hasText: 'growing' }).count(), 1);
  const alerts = await page.locator('[data-testid=alerts] [data-testid=alert]').allTextContents();
  assert.ok(alerts.some((text) => text.startsWith('survey themes: The survey theme') && text.includes('price')), alerts.join('\n'));
  assert.deepEqual(pageErrors, []);
});
