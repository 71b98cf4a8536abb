// Shared by the browser tests: a static server for dist/ on a random free
// port, and Debian's Chromium driven by playwright-core (no downloads).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import YAML from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'dist');
export const ARTIFACTS = path.join(ROOT, 'tests/e2e/artifacts');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.webmanifest': 'application/manifest+json', '.json': 'application/json',
  '.yaml': 'text/yaml; charset=utf-8',
};

/** Where the site is served, as GitHub Pages serves a project site (`https://owner.github.io/keyless/`). */
export const BASE = '/keyless/';

/**
 * Serves dist/ on 127.0.0.1 under BASE (`server.url` ends with it; anything
 * outside it is a 404, so a URL that assumes the site root fails a test);
 * `server.offline = true` makes every request fail.
 */
/** Serves `dir` (dist/ by default) under BASE, as GitHub Pages serves the site. */
export async function serveDist(dir = DIST) {
  const DIST_DIR = dir;
  if (!fs.existsSync(path.join(DIST_DIR, 'index.html'))) throw new Error(`${DIST_DIR}/index.html is missing: run \`cargo xtask dist\` first`);
  const server = http.createServer((req, res) => {
    if (server.offline) { req.socket.destroy(); return; }
    const url = new URL(req.url, 'http://x');
    if (url.pathname === BASE.slice(0, -1)) { res.writeHead(301, { location: BASE }).end(); return; }
    if (!url.pathname.startsWith(BASE)) { res.writeHead(404).end('outside the site'); return; }
    let file = path.normalize(path.join(DIST_DIR, decodeURIComponent(url.pathname.slice(BASE.length))));
    if (!file.startsWith(DIST_DIR)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404).end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(data);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.origin = `http://127.0.0.1:${server.address().port}`;
  server.url = `${server.origin}${BASE}`;
  return server;
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // LocalNetworkAccessChecks: the embed tests serve a host page through a
    // Playwright route (no real address, so Chromium counts it as public)
    // that frames the playground on 127.0.0.1; Chromium 156 would block
    // that as a public page reaching the local network.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-features=LocalNetworkAccessChecks'],
  });
}

/**
 * A context without service workers (their precache would fetch every lazy
 * file) that records the URL of every request, for tests of what is loaded
 * when: `{ context, requests }`.
 */
export async function watchedContext(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  return { context, requests };
}

/** A fresh page on the playground, app mounted. */
export async function openApp(browser, url, { context } = {}) {
  const ctx = context ?? await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url);
  await page.waitForSelector('[data-testid=editor-workflow]');
  return page;
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });
}

/** Every fixture file, parsed. */
export function fixtures() {
  const dir = path.join(ROOT, 'tests/fixtures');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
    .map((f) => ({ file: f, ...YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8')) }));
}

/** The job card for a job id (the first, when a matrix makes several). */
export function job(page, id) {
  return page.locator(`[data-testid=job][data-job="${id}"]`).first();
}

/** Sets a textarea/input as a user would (input event, app state updated). */
export async function setText(page, testid, text) {
  await page.getByTestId(testid).fill(text);
}
