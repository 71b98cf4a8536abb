// Browser tests of the "Real token" panel (issue #13): lazily loaded,
// paste → claims, diff and verdicts; verify against a pasted JWKS; mint
// and copy; and the privacy guarantees (a pasted token is never stored:
// not in local storage, the permalink, the exported scenario or the
// service worker's cache, and is gone on reload).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serveDist, launch, openApp, watchedContext, screenshot, setText, ROOT, ARTIFACTS } from './helpers.js';

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

const b64url = (s) => Buffer.from(s).toString('base64url');
const tokenFile = (name) => fs.readFileSync(path.join(ROOT, 'tests/fixtures/tokens', name), 'utf8');
/** GitHub's documented example token (tests/fixtures/tokens/README.md), with a dummy signature. */
const DOCS_JWT = `${b64url(tokenFile('github-docs-example.header.json'))}.${b64url(tokenFile('github-docs-example.json'))}.c2lnbmF0dXJl`;

async function openLab(page) {
  await page.getByTestId('token-toggle').click();
  await page.getByTestId('token-input').waitFor({ timeout: 30000 });
}

test('the lab is a lazy chunk: not fetched until opened', async () => {
  const { context, requests } = await watchedContext(browser);
  const page = await openApp(browser, server.url, { context });
  const lab = () => requests.filter((u) => /-split_token\.wasm$/.test(u));
  assert.deepEqual(lab(), [], 'the token chunk is not in the first load');
  await openLab(page);
  assert.equal(lab().length, 1, requests.join('\n'));
  await context.close();
});

test('pasting a claims dump shows claims with types, the diff and why, and verdicts beside the simulated ones', async () => {
  const page = await openApp(browser, server.url);
  await page.getByTestId('preset-aws-environment-drift').click();
  await openLab(page);
  await setText(page, 'token-input', tokenFile('seed-claims-dump-no-environment.json'));
  const out = page.getByTestId('token-output');
  await out.locator('[data-testid=token-claims]').waitFor();
  assert.equal(await out.locator('[data-testid=token-claims] tr[data-claim=sub] td').first().textContent(), 'repo:my-org/my-repo:ref:refs/heads/main');
  assert.match(await out.getByTestId('token-job-choice').textContent(), /deploy-prod/);
  assert.ok(await out.locator('[data-testid=token-diff] tr[data-claim=sub]').count() === 1);
  assert.match(await out.getByTestId('token-why').textContent(), /the simulated job runs in environment `?prod/);
  const real = out.locator('[data-testid=token-real-verdicts] [data-testid=verdict-aws]');
  const sim = out.locator('[data-testid=token-sim-verdicts] [data-testid=verdict-aws]');
  assert.equal(await real.getAttribute('data-code'), 'allowed');
  assert.equal(await sim.getAttribute('data-code'), 'AccessDenied');
  await page.close();
});

test('GitHub\'s example token decodes; a broken one gets a located error', async () => {
  const page = await openApp(browser, server.url);
  await openLab(page);
  await setText(page, 'token-input', DOCS_JWT);
  const out = page.getByTestId('token-output');
  await out.locator('[data-testid=token-claims]').waitFor();
  assert.equal(await out.locator('tr[data-claim=run_number] td').nth(1).textContent().then((t) => t.startsWith('string')), true);
  assert.equal(await out.locator('tr[data-bad-type]').count(), 0);
  const times = await out.getByTestId('token-times').textContent();
  assert.match(times, /expired: exp 2021-09-24T14:31:07Z/);
  await setText(page, 'token-input', DOCS_JWT.replace('.', '.!'));
  assert.match(await page.getByTestId('token-error').textContent(), /payload \(segment 2\), byte \d+: `!` is not a base64url character/);
  await page.close();
});

test('mint, copy, and verify against the pasted JWKS; a wrong issuer and a tampered token are refused', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await openApp(browser, server.url, { context });
  await page.getByTestId('preset-aws-environment-drift').click();
  await openLab(page);
  await page.getByTestId('token-mint').click();
  await page.getByTestId('minted').waitFor({ timeout: 60000 });
  assert.match(await page.getByTestId('minted').textContent(), /NOT a GitHub token/);
  const jwt = await page.getByTestId('minted-jwt').inputValue();
  assert.equal(jwt.split('.').length, 3);
  await page.getByTestId('copy-minted-jwt').click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), jwt);
  const config = JSON.parse(await page.getByTestId('minted-config').inputValue());
  assert.deepEqual(config.id_token_signing_alg_values_supported, ['RS256']);

  await page.getByTestId('use-minted').click();
  const valid = page.getByTestId('token-valid');
  await valid.waitFor();
  assert.equal(await valid.getAttribute('data-valid'), 'true', await page.getByTestId('token-verify').textContent());
  // The verdicts on the minted token are the simulation's.
  const out = page.getByTestId('token-output');
  assert.equal(await out.locator('[data-testid=token-real-verdicts] [data-testid=verdict-aws]').getAttribute('data-code'),
    await out.locator('[data-testid=token-sim-verdicts] [data-testid=verdict-aws]').getAttribute('data-code'));
  assert.equal(await out.getByTestId('token-diff').getAttribute('data-differs'), '0');
  await screenshot(page, 'token-lab');

  await setText(page, 'token-issuer', 'https://ghe.example.com/_services/token');
  await page.waitForSelector('[data-testid=token-verify] li[data-check=issuer].fail');
  await setText(page, 'token-issuer', 'https://token.actions.githubusercontent.com');
  const [h, p, s] = jwt.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  claims.sub = 'repo:my-org/my-repo:ref:refs/heads/main';
  await setText(page, 'token-input', `${h}.${b64url(JSON.stringify(claims))}.${s}`);
  await page.waitForSelector('[data-testid=token-verify] li[data-check=signature].fail');
  assert.equal(await page.getByTestId('token-valid').getAttribute('data-valid'), 'false');
  await context.close();
});

test('privacy: a pasted token is in no storage, permalink, export or cache, and is gone on reload', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await openApp(browser, server.url, { context });
  await openLab(page);
  await setText(page, 'token-input', DOCS_JWT);
  await page.getByTestId('token-output').locator('[data-testid=token-claims]').waitFor();
  const secret = DOCS_JWT.split('.')[1].slice(0, 40);
  const marker = 'repo:octo-org/octo-repo:environment:prod';
  const leaks = (text) => text.includes(secret) || text.includes('example-run-id') || text.includes(marker);

  // Local and session storage.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!leaks(stored), 'token in web storage');
  // The permalink: decode what it holds.
  await page.getByTestId('permalink').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=permalink-url]')?.value.includes('#s='));
  const url = await page.getByTestId('permalink-url').inputValue();
  const held = zlib.inflateRawSync(Buffer.from(url.split('#s=')[1], 'base64url')).toString();
  assert.match(held, /repository:/, 'the permalink holds the scenario');
  assert.ok(!leaks(held) && !leaks(url), 'token in the permalink');
  // The exported scenario.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  const exported = fs.readFileSync(await download.path(), 'utf8');
  assert.ok(!leaks(exported), 'token in the exported scenario');
  // The service worker's caches.
  const cached = await page.evaluate(async () => {
    const out = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) {
        out.push(req.url);
        if (!req.url.endsWith('.wasm')) out.push(await (await cache.match(req)).text());
      }
    }
    return out.join('\n');
  });
  assert.ok(!leaks(cached), 'token in the cache');
  // Gone on reload.
  await page.reload();
  await page.waitForSelector('[data-testid=editor-workflow]');
  await openLab(page);
  assert.equal(await page.getByTestId('token-input').inputValue(), '');
  assert.equal(await page.getByTestId('token-output').textContent(), '');
  assert.match(await page.getByTestId('token-privacy').textContent(), /never stored/);
  await context.close();
});

test('screenshot of the token lab for the README', async () => {
  // Under 900 px the results column is not a sticky scroller, so the
  // element screenshot is the panel as it lays out.
  const context = await browser.newContext({ viewport: { width: 880, height: 1100 } });
  const page = await openApp(browser, server.url, { context });
  await page.getByTestId('preset-aws-environment-drift').click();
  await openLab(page);
  await setText(page, 'token-input', tokenFile('seed-claims-dump-no-environment.json'));
  await page.getByTestId('token-output').locator('[data-testid=token-claims]').waitFor();
  await page.locator('.token-lab').scrollIntoViewIfNeeded();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.locator('.token-lab').screenshot({ path: path.join(ARTIFACTS, 'token-lab-panel.png') });
  if (process.env.UPDATE_SCREENSHOT === '1') {
    fs.copyFileSync(path.join(ARTIFACTS, 'token-lab-panel.png'), path.join(ROOT, 'docs/token-lab.png'));
  }
  await context.close();
});
