// The test server's subpath mount, folder redirects and optional policy
// header, which the embed and policy tests rely on. Requests go to loopback.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTENT_SECURITY_POLICY, normalizeBase, startServer } from '../../scripts/serve.mjs';

async function startTestServer(t, options) {
  const server = await startServer({ port: 0, host: '127.0.0.1', root: process.env.PATHLIGHT_WWW_ROOT, ...options });
  t.after(() => server.close());
  return server;
}

test('base path is normalized', () => {
  assert.equal(normalizeBase('tools/pathlight'), '/tools/pathlight/');
  assert.equal(normalizeBase('/tools//pathlight/'), '/tools/pathlight/');
  assert.equal(normalizeBase('/'), '/');
  assert.throws(() => normalizeBase('/tools/../etc/'), /Invalid base path/);
});

test('subpath mount serves the page', async (t) => {
  const server = await startTestServer(t, { base: '/blog/tools/pathlight/' });
  assert.equal(server.url, `${server.origin}/blog/tools/pathlight/`);

  const page = await fetch(server.url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<title>Pathlight/);

  const script = await fetch(`${server.url}sw.js`);
  assert.equal(script.status, 200);
  assert.equal(script.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);

  const outside = await fetch(`${server.origin}/main.js`);
  assert.equal(outside.status, 404);
});

test('folder without slash is redirected', async (t) => {
  const server = await startTestServer(t, { base: '/blog/tools/pathlight/' });

  const mount = await fetch(`${server.origin}/blog/tools/pathlight`, { redirect: 'manual' });
  assert.equal(mount.status, 301);
  assert.equal(mount.headers.get('location'), '/blog/tools/pathlight/');

  const folder = await fetch(`${server.url}samples`, { redirect: 'manual' });
  assert.equal(folder.status, 301);
  assert.equal(folder.headers.get('location'), '/blog/tools/pathlight/samples/');
});

test('extra page and no policy header', async (t) => {
  const server = await startTestServer(t, { pages: { '/host.html': '<p>host</p>' }, policyHeader: false });

  const host = await fetch(`${server.origin}/host.html`);
  assert.equal(await host.text(), '<p>host</p>');

  const page = await fetch(server.url);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-security-policy'), null);
});
