// The shipped site as a whole (issue #10): served under a sub-path as
// GitHub Pages serves it, locked down by its Content-Security-Policy, and
// saying which version of Keyless made what it shows. Run on dist/ as
// `cargo xtask dist` builds it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launch, openApp, job, setText, ROOT, ARTIFACTS, BASE } from './helpers.js';

let server;
let browser;
before(async () => {
  server = await serveDist();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

/** `0.1.0`, from the workspace's Cargo.toml: every version the site shows starts with it. */
const PACKAGE_VERSION = fs.readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8').match(/^version = "([^"]+)"/m)[1];

/**
 * A context that records every request (the service worker's too) and
 * every CSP violation or console error of its pages: `{ context, requests, problems }`.
 */
async function lockedDownContext() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const requests = [];
  const problems = [];
  context.on('request', (r) => requests.push(r.url()));
  await context.exposeBinding('reportViolation', (_source, v) => problems.push(`CSP violation: ${v}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.reportViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
  });
  context.on('page', (page) => {
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  });
  return { context, requests, problems };
}

/** Whether a request stays on the site: its origin and under its sub-path (a blob: URL the page made itself counts). */
function onSite(url) {
  const u = new URL(url.startsWith('blob:') ? url.slice(5) : url);
  return u.origin === server.origin && u.pathname.startsWith(BASE);
}

test('a whole session stays on the site: no request leaves the origin and the CSP blocks nothing', async () => {
  const { context, requests, problems } = await lockedDownContext();
  const page = await openApp(browser, server.url, { context });
  const csp = await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /connect-src 'self'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/=]+')+;/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|\*/);

  // Presets (fetched from fixtures/, a lazy cloud chunk), an edit, its verdict.
  await page.getByTestId('preset-gcp-org-provider').click();
  await job(page, 'deploy-gcp').getByTestId('verdict-gcp').waitFor({ timeout: 10000 });
  await page.getByTestId('preset-azure-environment').click();
  await page.getByTestId('verdict-azure').first().waitFor({ timeout: 10000 });
  await page.getByTestId('preset-aws-main-only').click();
  await setText(page, 'event-ref', 'refs/heads/feature/x');
  await page.locator('[data-testid=verdict-aws][data-allowed=false]').first().waitFor({ timeout: 5000 });
  // The analysis (its worker and wasm).
  await page.getByTestId('analysis-toggle').click();
  await page.getByTestId('matrix').waitFor({ timeout: 30000 });
  // Share: a permalink and an exported file.
  await page.getByTestId('permalink').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=permalink-url]')?.value.includes('#s='));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  await download.path();
  // Reload offline, from the service worker's precache.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  server.offline = true;
  await context.setOffline(true);
  try {
    await page.reload();
    await page.waitForSelector('[data-testid=editor-workflow]', { timeout: 10000 });
    await page.getByTestId('verdict-aws').first().waitFor({ timeout: 10000 });
  } finally {
    server.offline = false;
    await context.setOffline(false);
  }

  const outside = requests.filter((u) => !onSite(u) && !u.startsWith('data:'));
  assert.deepEqual(outside, [], 'every request stays on the site');
  assert.ok(requests.some((u) => u.includes('/lazy/') && u.endsWith('.wasm')), 'the session did load lazy wasm');
  assert.deepEqual(problems, [], 'no CSP violation, no page error');
  await context.close();
});

test('an inline script the CSP does not list is blocked (the policy is enforced, not decorative)', async () => {
  const { context, problems } = await lockedDownContext();
  const page = await openApp(browser, server.url, { context });
  const ran = await page.evaluate(async () => {
    window.injected = false;
    const s = document.createElement('script');
    s.textContent = 'window.injected = true';
    document.head.append(s);
    await new Promise((r) => setTimeout(r, 100));
    return window.injected;
  });
  assert.equal(ran, false, 'an unlisted inline script ran');
  const blocked = await page.evaluate(() => fetch('https://example.com/').then(() => 'fetched', () => 'blocked'));
  assert.equal(blocked, 'blocked');
  assert.ok(problems.some((p) => /script-src/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /connect-src/.test(p)), problems.join('\n'));
  await context.close();
});

test('the site works only from its sub-path: nothing is fetched from the server root', async () => {
  const root = await fetch(`${server.origin}/index.html`);
  assert.equal(root.status, 404, 'the test server serves the site under its sub-path only');
  const { context, requests } = await lockedDownContext();
  const page = await openApp(browser, server.url, { context });
  await job(page, 'deploy-aws').waitFor();
  assert.ok(requests.length > 3);
  assert.deepEqual(requests.filter((u) => !onSite(u)), []);
  const sw = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  assert.equal(sw, server.url, 'the service worker is scoped to the sub-path');
  await context.close();
});

test('the footer, permalinks and exports carry the version; a link from another version says so', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await openApp(browser, server.url, { context });
  const footer = (await page.getByTestId('version').textContent()).trim();
  const version = footer.replace(/^Keyless /, '');
  assert.ok(version === PACKAGE_VERSION || version.startsWith(`${PACKAGE_VERSION}+`), footer);
  if (fs.existsSync(path.join(ROOT, '.git'))) assert.match(version, /^[0-9.]+\+[0-9a-f]{7,}$/, 'built from git: the commit is in the version');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, 'versioned-scenario.yaml');
  await download.saveAs(file);
  assert.equal(fs.readFileSync(file, 'utf8').split('\n')[0], `# Made with Keyless ${version}`);

  // A permalink of this version opens without a notice...
  await page.getByTestId('permalink').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=permalink-url]')?.value.includes('#s='));
  const link = await page.getByTestId('permalink-url').inputValue();
  const yaml = await page.evaluate(async (data) => {
    const b = atob(data.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(b, (c) => c.charCodeAt(0));
    return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'))).text();
  }, link.split('#s=')[1]);
  assert.equal(yaml.split('\n')[0], `# Made with Keyless ${version}`);
  const same = await openApp(browser, link, { context: await browser.newContext() });
  await same.waitForFunction(() => document.querySelector('[data-testid=repository]')?.value !== '');
  await same.waitForTimeout(300);
  assert.equal(await same.getByTestId('version-notice').count(), 0);
  await same.context().close();

  // ...one made by another version says which.
  const older = await page.evaluate(async (text) => {
    const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }, yaml.replace(/^# Made with Keyless .*\n/, '# Made with Keyless 0.0.1+0ddc0de\n'));
  const other = await openApp(browser, `${server.url}#s=${older}`, { context: await browser.newContext() });
  const notice = other.getByTestId('version-notice');
  await notice.waitFor({ timeout: 5000 });
  assert.match(await notice.textContent(), new RegExp(`made with Keyless 0\\.0\\.1\\+0ddc0de; this is Keyless ${version.replace(/[.+]/g, '\\$&')}`));
  await other.context().close();
  await context.close();
});
