// The colour palette against WCAG 2.1 AA, computed from the sources with no
// browser: text colours need 4.5:1 on the backgrounds they sit on, and
// graphics and form control borders 3:1 on white (WCAG 2.1, 1.4.3 and 1.4.11).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

const STYLE = new URL('../../www/style.css', import.meta.url);
const SANKEY = new URL('../../www/views/sankey.js', import.meta.url);

/** Returns the relative luminance of a #rgb or #rrggbb colour, as WCAG 2.1 defines it. */
function luminance(hex) {
  const digits = hex.length === 4 ? [...hex.slice(1)].map((digit) => digit + digit).join('') : hex.slice(1);
  const linear = [0, 2, 4].map((start) => {
    const share = Number.parseInt(digits.slice(start, start + 2), 16) / 255;
    return share <= 0.03928 ? share / 12.92 : ((share + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
}

function contrast(first, second) {
  const [lighter, darker] = [luminance(first), luminance(second)].sort((a, b) => b - a);
  return (lighter + 0.05) / (darker + 0.05);
}

/** Reads every custom property of the form `--name: #hex;` from the style sheet. */
async function readVariables() {
  const css = await readFile(STYLE, 'utf8');
  return Object.fromEntries([...css.matchAll(/(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})\s*;/g)].map((match) => [match[1], match[2]]));
}

test('text colours reach 4.5:1', async () => {
  const colours = await readVariables();
  const pairs = [
    ['--text', '--surface'], ['--text', '--page'],
    ['--muted', '--surface'], ['--muted', '--page'], ['--muted', '--accent-soft'], ['--muted', '--warning-bg'],
    ['--accent', '--surface'], ['--accent', '--page'], ['--accent', '--accent-soft'],
    ['--error-line', '--surface'], ['--error-line', '--error-bg'],
  ];
  for (const [text, background] of pairs) {
    assert.ok(colours[text], `style.css defines ${text}`);
    assert.ok(colours[background], `style.css defines ${background}`);
    const ratio = contrast(colours[text], colours[background]);
    assert.ok(ratio >= 4.5, `${text} ${colours[text]} on ${background} ${colours[background]} is ${ratio.toFixed(2)}:1`);
  }
  const onAccent = contrast('#ffffff', colours['--accent']);
  assert.ok(onAccent >= 4.5, `white on the primary button is ${onAccent.toFixed(2)}:1`);
});

test('graphics and borders reach 3:1', async () => {
  const colours = await readVariables();
  for (const name of ['--control-line', '--bar', '--accent']) {
    const ratio = contrast(colours[name], colours['--surface']);
    assert.ok(ratio >= 3, `${name} ${colours[name]} on white is ${ratio.toFixed(2)}:1`);
  }

  const source = await readFile(SANKEY, 'utf8');
  const palette = source.match(/const PALETTE = \[([^\]]+)\]/)?.[1].match(/#[0-9a-fA-F]{6}/g) ?? [];
  const other = source.match(/const OTHER_COLOR = '(#[0-9a-fA-F]{6})'/)?.[1];
  assert.ok(palette.length >= 8, `sankey.js has a palette: ${palette.join(', ')}`);
  assert.ok(other, 'sankey.js has a colour for "other"');
  for (const colour of [...palette, other]) {
    const ratio = contrast(colour, '#ffffff');
    assert.ok(ratio >= 3, `Sankey colour ${colour} on white is ${ratio.toFixed(2)}:1`);
  }
});
