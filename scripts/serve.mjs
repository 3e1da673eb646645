// Static file server for www/, for local use and the browser tests.
//
//   node scripts/serve.mjs [--port 8080] [--host 127.0.0.1] [--base /tools/pathlight/]
//
// It binds only to a loopback address, serves GET and HEAD, and rejects any
// path that resolves outside www/. `--base` mounts www/ under that path, as a
// static host serving the page from a subpath would. It has no dependencies
// beyond Node itself.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WWW_ROOT = fileURLToPath(new URL('../www/', import.meta.url));

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

// The same policy as the meta tag in index.html. Sent as a header too because
// a Web Worker takes its policy from its own response, not from the page.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Maps a URL path to a file under root, or returns null when the path is
 * malformed or would leave root (`..`, backslashes, NUL bytes).
 */
export function resolveUnderRoot(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) {
    return null;
  }
  const rootDir = resolve(root);
  const target = resolve(rootDir, '.' + decoded);
  if (target !== rootDir && !target.startsWith(rootDir + sep)) {
    return null;
  }
  return target;
}

/**
 * Checks a mount path such as `/tools/pathlight/` and returns it with a
 * leading and a trailing slash.
 */
export function normalizeBase(base) {
  const withSlashes = `/${base}/`.replace(/\/{2,}/g, '/');
  if (withSlashes.split('/').some((segment) => segment === '.' || segment === '..') || withSlashes.includes('\\')) {
    throw new Error(`Invalid base path ${base}: expected a plain path such as /tools/pathlight/, without . or .. segments.`);
  }
  return withSlashes;
}

async function handleRequest({ root, base, pages, policyHeader }, request, response) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendText(response, 405, 'Method not allowed: only GET and HEAD are served.', { Allow: 'GET, HEAD' });
    return;
  }

  const { pathname } = new URL(request.url, 'http://localhost');
  const page = pages[pathname];
  if (page !== undefined) {
    response.writeHead(200, { 'Content-Type': MIME_TYPES['.html'], 'Cache-Control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : page);
    return;
  }
  if (`${pathname}/` === base) {
    response.writeHead(301, { Location: base });
    response.end();
    return;
  }
  if (!pathname.startsWith(base)) {
    sendText(response, 404, `Not found: ${pathname}. The page is served under ${base}`);
    return;
  }

  let filePath = resolveUnderRoot(root, `/${pathname.slice(base.length)}`);
  if (filePath === null) {
    sendText(response, 403, 'Forbidden: the path is outside the served folder.');
    return;
  }

  try {
    let info = await stat(filePath);
    if (info.isDirectory()) {
      // Relative links in index.html resolve against the folder only when
      // the URL ends in a slash, so a folder URL without one is redirected.
      if (!pathname.endsWith('/')) {
        response.writeHead(301, { Location: `${pathname}/` });
        response.end();
        return;
      }
      filePath = join(filePath, 'index.html');
      info = await stat(filePath);
    }
    const body = await readFile(filePath);
    const headers = {
      'Content-Type': MIME_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    };
    if (policyHeader) {
      headers['Content-Security-Policy'] = CONTENT_SECURITY_POLICY;
    }
    response.writeHead(200, headers);
    response.end(request.method === 'HEAD' ? undefined : body);
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
      sendText(response, 404, `Not found: ${pathname}`);
    } else {
      console.error(`serve: failed to read ${filePath}: ${error.message}`);
      sendText(response, 500, 'Internal error while reading the file.');
    }
  }
}

function sendText(response, status, text, headers = {}) {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  response.end(text + '\n');
}

/**
 * Starts the server and resolves once it listens. Port 0 picks a free port.
 * `base` is the path www/ is mounted under. `pages` maps further URL paths to
 * HTML text served as is, such as a host page that embeds the app.
 * `policyHeader: false` leaves out the Content-Security-Policy header, as a
 * plain static host would, so only the page's meta tag applies.
 * Returns the URL of the page, the URL of the origin and a close function.
 */
export async function startServer({ port = 8080, host = '127.0.0.1', root = WWW_ROOT, base = '/', pages = {}, policyHeader = true } = {}) {
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new Error(`Invalid host ${host}: the server binds only to 127.0.0.1, ::1 or localhost.`);
  }
  const settings = { root, base: normalizeBase(base), pages, policyHeader };
  const server = createServer((request, response) => {
    handleRequest(settings, request, response);
  });
  await new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolvePromise);
  });
  const address = server.address();
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${urlHost}:${address.port}`;
  return {
    url: `${origin}${settings.base}`,
    origin,
    close: () => new Promise((resolvePromise) => server.close(resolvePromise)),
  };
}

function parseArguments(argv) {
  const options = { port: 8080, host: '127.0.0.1', base: '/' };
  for (let i = 0; i < argv.length; i += 1) {
    const name = argv[i];
    const value = argv[i + 1];
    if (name === '--port' && value !== undefined) {
      options.port = Number.parseInt(value, 10);
      if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
        throw new Error(`Invalid --port ${value}: expected a number from 0 to 65535.`);
      }
      i += 1;
    } else if (name === '--host' && value !== undefined) {
      options.host = value;
      i += 1;
    } else if (name === '--base' && value !== undefined) {
      options.base = value;
      i += 1;
    } else {
      throw new Error(`Unknown argument ${name}. Usage: node scripts/serve.mjs [--port 8080] [--host 127.0.0.1] [--base /tools/pathlight/]`);
    }
  }
  return options;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { url } = await startServer(parseArguments(process.argv.slice(2)));
    console.log(`Serving ${WWW_ROOT} at ${url}`);
  } catch (error) {
    console.error(`serve: ${error.message}`);
    process.exit(1);
  }
}
