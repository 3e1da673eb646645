// The export guides: every link under the drop zone opens a built guide page,
// each guide names the columns that its presets in docs/formats.md look for,
// and the example in each guide is recognised by the preset it describes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dropFiles, openApp } from './helpers.mjs';

// The presets that each guide describes, in the order of its CSV examples.
const GUIDE_PRESETS = {
  ga4: ['ga4_bigquery', 'ga4_exploration'],
  hubspot: ['hubspot_email_events'],
  activecampaign: ['activecampaign_email_activity'],
  mailchimp: ['mailchimp_email_activity'],
  typeform: ['typeform_responses'],
  surveymonkey: ['surveymonkey_responses'],
  crm: ['salesforce_opportunity_history', 'crm_stage_history'],
};

// Presets that a guide names without a CSV example of its own.
const NAMED_ONLY = { crm: ['crm_date_table'], hubspot: ['crm_date_table'] };

async function readGuide(name) {
  return readFile(new URL(`../../docs/guides/${name}.md`, import.meta.url), 'utf8');
}

/**
 * Reads, for each preset row of docs/formats.md, every column name written in
 * backticks in its signature and role cells, such as `user_pseudo_id`.
 */
async function readPresetColumns() {
  const formats = await readFile(new URL('../../docs/formats.md', import.meta.url), 'utf8');
  const columns = new Map();
  for (const line of formats.split('\n')) {
    const id = /^\| `([a-z0-9_]+)` \| /.exec(line)?.[1];
    if (!id) {
      continue;
    }
    // Alternatives inside one cell are written `a \| b`, so an escaped bar separates names too.
    const names = [...line.replace(/^\| `[a-z0-9_]+` \|/, '').matchAll(/`([^`]+)`/g)]
      .flatMap((match) => match[1].split('\\|').map((name) => name.trim()))
      .filter((name) => name !== '' && name !== '#');
    columns.set(id, names);
  }
  return columns;
}

/** Returns the CSV code blocks of a guide, in order. */
function csvExamples(markdown) {
  return [...markdown.matchAll(/```csv\n([\s\S]*?)```/g)].map((match) => match[1]);
}

test('guide links resolve', async (t) => {
  const { page, server } = await openApp(t);
  const screenshotDir = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
  await mkdir(screenshotDir, { recursive: true });
  await page.locator('section.panel').first().screenshot({ path: `${screenshotDir}export-guides.png` });

  const links = await page.locator('[data-testid=export-guides] a').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('href')));
  assert.deepEqual(links.map((href) => href.replace(/^build\/guides\/|\.html$/g, '')).sort(), Object.keys(GUIDE_PRESETS).sort());

  for (const href of links) {
    const response = await page.request.get(new URL(href, server.url).href);
    assert.equal(response.status(), 200, `${href} status`);
    const html = await response.text();
    assert.match(html, /<h1[^>]*>/, `${href} has a heading`);
    // Links between guides point at the built pages, not at the Markdown files.
    for (const [, target] of html.matchAll(/href="([^"#]+)/g)) {
      assert.ok(!target.endsWith('.md'), `${href} links ${target}`);
      const linked = await page.request.get(new URL(target, new URL(href, server.url)).href);
      assert.equal(linked.status(), 200, `${href} links ${target}`);
    }
  }

  const guidePage = await page.context().newPage();
  await guidePage.goto(new URL('build/guides/crm.html', server.url).href);
  assert.equal(await guidePage.locator('h1').textContent(), 'Exporting deal history from a CRM');
  await guidePage.screenshot({ path: `${screenshotDir}guide-crm.png`, fullPage: true });
});

test('guides name preset columns', async () => {
  const presetColumns = await readPresetColumns();
  for (const [guide, presets] of Object.entries(GUIDE_PRESETS)) {
    const markdown = await readGuide(guide);
    for (const preset of [...presets, ...(NAMED_ONLY[guide] ?? [])]) {
      assert.ok(presetColumns.has(preset), `docs/formats.md lists ${preset}`);
      assert.ok(markdown.includes(`\`${preset}\``), `${guide}.md names the preset ${preset}`);
      // A column name such as `Session default channel group` may wrap across lines.
      const prose = markdown.replace(/\s+/g, ' ');
      const missing = presetColumns.get(preset).filter((column) => !prose.includes(column));
      assert.deepEqual(missing, [], `columns of ${preset} that ${guide}.md does not name`);
    }
    assert.equal(csvExamples(markdown).length, presets.length, `${guide}.md has one CSV example per preset`);
  }
});

test('guide examples match presets', async (t) => {
  const { page } = await openApp(t);
  const examples = [];
  for (const [guide, presets] of Object.entries(GUIDE_PRESETS)) {
    csvExamples(await readGuide(guide)).forEach((text, index) => examples.push({ name: `${guide}-${index + 1}.csv`, text, preset: presets[index] }));
  }
  await dropFiles(page, examples.map(({ name, text }) => ({ name, text })));
  await page.waitForFunction((count) => document.querySelectorAll('[data-testid=file-card]').length === count, examples.length);

  const detected = new Map(await page.locator('[data-testid=file-card]').evaluateAll((cards) => cards.map((card) =>
    [card.dataset.file, card.querySelector('[data-testid=detected-format]')?.dataset.format ?? null])));
  for (const example of examples) {
    assert.equal(detected.get(example.name), example.preset, `${example.name} is read with ${example.preset}`);
  }
});
