// Static checks on the page's own code: no string is ever run as code, no
// HTML is parsed from a string in the page, and every script comes from the
// page's own origin. This runs in Node and needs no browser. The generated
// www/pkg and www/build are scanned too, because the page loads them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const WWW = fileURLToPath(new URL('../../www/', import.meta.url));

// Patterns that run a string as code or parse a string as HTML in the page.
const FORBIDDEN = [
  { name: 'eval', pattern: /(?<![\w-])eval\s*\(/ },
  { name: 'new Function', pattern: /new\s+Function\s*\(/ },
  { name: 'string timer', pattern: /set(?:Timeout|Interval)\s*\(\s*['"`]/ },
  { name: 'innerHTML', pattern: /\.innerHTML\s*\+?=/ },
  { name: 'outerHTML', pattern: /\.outerHTML\s*\+?=/ },
  { name: 'insertAdjacentHTML', pattern: /insertAdjacentHTML\s*\(/ },
  { name: 'document.write', pattern: /document\.write(?:ln)?\s*\(/ },
  { name: 'createContextualFragment', pattern: /createContextualFragment\s*\(/ },
  { name: 'DOMParser', pattern: /new\s+DOMParser\s*\(/ },
];

// Uses of a forbidden pattern that are safe, as "file: pattern name" with the
// reason. None exist today. html-report.js builds HTML as a string, but only
// for the downloaded file, escaping every value, and never parses it in the page.
const ALLOWED = new Map();

async function listScripts(folder) {
  const found = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      found.push(...await listScripts(path));
    } else if (/\.(?:m?js|html)$/.test(entry.name)) {
      found.push(path);
    }
  }
  return found;
}

test('www runs no string as code or HTML', async () => {
  const files = await listScripts(WWW);
  assert.ok(files.some((file) => file.endsWith('main.js')), `main.js is among the scanned files: ${files.join(', ')}`);
  const problems = [];
  for (const file of files) {
    const name = relative(WWW, file);
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((line, index) => {
      for (const { name: rule, pattern } of FORBIDDEN) {
        if (pattern.test(line) && !ALLOWED.has(`${name}: ${rule}`)) {
          problems.push(`www/${name}:${index + 1}: ${rule}: ${line.trim().slice(0, 120)}`);
        }
      }
    });
  }
  assert.deepEqual(problems, []);
});

test('index.html loads scripts from its origin', async () => {
  const html = await readFile(join(WWW, 'index.html'), 'utf8');
  const sources = [...html.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)/gi)].map((match) => match[1]);
  assert.ok(sources.length > 0, 'index.html has a script');
  const foreign = sources.filter((source) => /^(?:[a-z][a-z\d+.-]*:|\/\/)/i.test(source));
  assert.deepEqual(foreign, [], 'every script src is a path on the page\'s own origin');

  const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>/gi)];
  assert.equal(inline.length, 0, 'index.html has no inline script');
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'index.html has no inline event handler');

  const policy = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1];
  assert.ok(policy, 'index.html sets a content security policy');
  const scriptSrc = policy.split(';').map((part) => part.trim()).find((part) => part.startsWith('script-src'));
  assert.equal(scriptSrc, "script-src 'self' 'wasm-unsafe-eval'");
});
