// The real permit log, given to the page through the file picker and through
// a drop, must show the published case and variant counts and the funnel
// counts of an independent script (tools/permit_funnel.py).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { analyse, dropFiles, openApp, readCount, readFunnelPeople, setFunnel } from './helpers.mjs';

const FIXTURE = fileURLToPath(new URL('../fixtures/permit-receipt.csv', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../../tools/golden/permit_funnel.json', import.meta.url));

const FUNNEL = [
  'Confirmation of receipt',
  'T02 Check confirmation of receipt',
  'T04 Determine confirmation of receipt',
  'T05 Print and send confirmation of receipt',
];

async function checkPermitLog(page) {
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);

  assert.equal(await readCount(page, 'summary-people'), 1434, 'people (cases)');
  assert.equal(await readCount(page, 'summary-distinct-journeys'), 116, 'distinct journeys (variants)');

  const golden = JSON.parse(await readFile(GOLDEN, 'utf8'));
  assert.deepEqual(golden.steps.map((step) => step.event), FUNNEL, 'golden file covers the same funnel');

  await setFunnel(page, FUNNEL);
  const people = await readFunnelPeople(page);
  assert.deepEqual(people, golden.steps.map((step) => step.people));
}

test('permit log through file picker', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await page.setInputFiles('[data-testid=file-input]', FIXTURE);
  await checkPermitLog(page);
  assert.deepEqual(pageErrors, []);
});

test('permit log through drop', async (t) => {
  const { page, pageErrors } = await openApp(t);
  const text = await readFile(FIXTURE, 'utf8');
  await dropFiles(page, [{ name: 'permit-receipt.csv', text }]);
  await checkPermitLog(page);
  assert.deepEqual(pageErrors, []);
});
