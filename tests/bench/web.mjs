// Browser figures of BENCHMARKS.md, in one run (`cargo xtask bench-web`):
//
// 1. load to first verdict of the playground (dist/) next to load to first
//    paint of a minimal Leptos page built the same way
//    (target/bench/minimal-dist, from tests/bench/minimal-leptos): medians
//    of alternating cold loads, and their ratio;
// 2. on the generated large scenario (target/bench/large.yaml, loaded as
//    the stored draft): keystroke to updated verdicts, typing in a `run:`
//    script and in the AWS policy (keydown event -> results re-rendered ->
//    next frame);
// 3. responsiveness while typing in its ~5,000-line workflow: longest main-
//    thread task and total blocking time (PerformanceObserver 'longtask'),
//    longest input-to-next-paint ('event' entries, Event Timing API).
//
// Only relative URLs are used, so any dist/ layout or base path works.
// Debian's chromium through playwright-core; nothing is downloaded.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = process.env.KEYLESS_DIST ?? path.join(ROOT, 'dist');
const MINIMAL = path.join(ROOT, 'target/bench/minimal-dist');
const SCENARIO = path.join(ROOT, 'target/bench/large.yaml');
const LOADS = Number(process.env.LOADS ?? 7);
const KEYSTROKES = Number(process.env.KEYSTROKES ?? 15);
const STORAGE_KEY = 'keyless.draft'; // crates/keyless-web/src/app.rs

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.yaml': 'text/yaml' };

/** Serves `dir` on 127.0.0.1 at a random free port. */
async function serve(dir) {
  if (!fs.existsSync(path.join(dir, 'index.html'))) throw new Error(`${dir}/index.html is missing (see BENCHMARKS.md)`);
  const server = http.createServer((req, res) => {
    let file = path.normalize(path.join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(data);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.url = `http://127.0.0.1:${server.address().port}/`;
  return server;
}

/** Records (page time) when `selector` first matches, then the next frame. */
function watchFor(selector) {
  window.__ready = new Promise((resolve) => {
    const check = () => {
      if (!document.querySelector(selector)) return false;
      const seen = performance.now();
      requestAnimationFrame(() => resolve({ seen, frame: performance.now() }));
      return true;
    };
    // Init scripts run before the document has content: watch it all.
    const mo = new MutationObserver(() => { if (check()) mo.disconnect(); });
    mo.observe(document, { subtree: true, childList: true, attributes: true });
  });
}

async function coldLoad(browser, url, selector) {
  const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1280, height: 900 } });
  await context.addInitScript(watchFor, selector);
  const page = await context.newPage();
  await page.goto(url);
  const t = await page.evaluate(async () => {
    const r = await window.__ready;
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null;
    return { ...r, fcp };
  });
  await context.close();
  return t.frame;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;

/** Instruments the page: per keystroke, keydown -> results mutated -> next frame. */
function instrument() {
  window.__keys = [];
  window.__longtasks = [];
  window.__events = [];
  new PerformanceObserver((l) => window.__longtasks.push(...l.getEntries().map((e) => e.duration)))
    .observe({ type: 'longtask', buffered: false });
  new PerformanceObserver((l) => window.__events.push(...l.getEntries()
    .filter((e) => e.interactionId > 0).map((e) => ({ name: e.name, duration: e.duration }))))
    .observe({ type: 'event', durationThreshold: 16, buffered: false });
  const results = document.querySelector('section.results');
  let pending = null;
  document.addEventListener('keydown', (e) => { pending = { down: e.timeStamp }; window.__keys.push(pending); }, true);
  new MutationObserver(() => {
    if (!pending || pending.updated) return;
    const p = pending;
    p.updated = performance.now();
    requestAnimationFrame(() => { p.frame = performance.now(); });
  }).observe(results, { subtree: true, childList: true, characterData: true, attributes: true });
}

async function caretAfter(page, testid, needle) {
  await page.evaluate(({ testid, needle }) => {
    const area = document.querySelector(`[data-testid=${testid}]`);
    const at = area.value.indexOf(needle);
    if (at < 0) throw new Error(`${needle} not in ${testid}`);
    area.focus();
    area.setSelectionRange(at + needle.length, at + needle.length);
  }, { testid, needle });
}

async function keystrokes(page, testid, needle, count, delay) {
  await page.evaluate(() => { window.__keys = []; window.__longtasks = []; window.__events = []; });
  await caretAfter(page, testid, needle);
  for (let i = 0; i < count; i++) {
    await page.keyboard.type('x');
    await page.waitForTimeout(delay);
  }
  await page.waitForTimeout(300);
  return page.evaluate(() => ({ keys: window.__keys, longtasks: window.__longtasks, events: window.__events }));
}

function summarize(label, r) {
  const updated = r.keys.filter((k) => k.updated).map((k) => k.updated - k.down);
  const frame = r.keys.filter((k) => k.frame).map((k) => k.frame - k.down);
  const longest = Math.max(0, ...r.longtasks);
  const tbt = r.longtasks.reduce((s, d) => s + Math.max(0, d - 50), 0);
  const inp = Math.max(0, ...r.events.map((e) => e.duration));
  if (!updated.length) { console.log(`${label}: ${r.keys.length} keystrokes, results never re-rendered`); return; }
  console.log(`${label}: ${r.keys.length} keystrokes, verdicts re-rendered after median ${ms(median(updated))} (max ${ms(Math.max(...updated))}), next frame median ${ms(median(frame) ?? NaN)}`);
  console.log(`  longest main-thread task ${ms(longest)} (${r.longtasks.length} long tasks, blocking ${ms(tbt)}); longest input-to-next-paint ${r.events.length ? ms(inp) : '< 16 ms'} (${r.events.length} events >= 16 ms)`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const app = await serve(DIST);
const minimal = await serve(MINIMAL);
try {
  // 1. Load, alternating so that both see the same machine load.
  const ours = [];
  const base = [];
  for (let i = 0; i < LOADS; i++) {
    base.push(await coldLoad(browser, minimal.url, '[data-testid=ready]'));
    ours.push(await coldLoad(browser, app.url, '[data-testid^=verdict-]'));
  }
  const [o, b] = [median(ours), median(base)];
  console.log(`load: playground first verdict ${ms(o)}, minimal Leptos page first paint ${ms(b)} (medians of ${LOADS} cold loads): ratio ${(o / b).toFixed(2)}x (target <= 2x)`);

  // 2 and 3. The large scenario as the stored draft.
  const yaml = fs.readFileSync(SCENARIO, 'utf8');
  const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1280, height: 900 } });
  await context.addInitScript(([key, value]) => { if (!sessionStorage.getItem('bench')) { localStorage.setItem(key, value); sessionStorage.setItem('bench', '1'); } }, [STORAGE_KEY, yaml]);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  const start = Date.now();
  await page.goto(app.url);
  await page.waitForSelector('[data-testid^=verdict-]', { timeout: 120000 });
  const lines = await page.evaluate(() => document.querySelector('[data-testid=editor-workflow]').value.split('\n').length);
  const cards = await page.locator('[data-testid=job]').count();
  console.log(`large scenario: ${lines}-line workflow, ${cards} job cards, first verdicts after ${Date.now() - start} ms`);
  await page.evaluate(instrument);
  summarize('typing in a run: script (one key every 200 ms)', await keystrokes(page, 'editor-workflow', 'make deploy-10', KEYSTROKES, 200));
  summarize('typing in the AWS policy (one key every 200 ms)', await keystrokes(page, 'editor-aws', '"Sid": "S50', KEYSTROKES, 200));
  summarize('typing fast in the workflow (one key every 30 ms)', await keystrokes(page, 'editor-workflow', 'make deploy-12', 2 * KEYSTROKES, 30));
  await context.close();
} finally {
  await browser.close();
  app.close();
  minimal.close();
}
