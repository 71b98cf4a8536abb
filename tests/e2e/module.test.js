// The JavaScript module (dist/module/, crates/keyless-js; docs/embed.md):
// a host page on the site's origin imports it and its answers must be the
// CLI's, field for field, for every fixture; every answer must match the
// TypeScript types the package ships.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveDist, launch, watchedContext, openApp, ROOT, DIST } from './helpers.js';
import { hostPage, cli, parseTypes, check } from './embed-helpers.js';

let server, browser, context, page;

const HOST = `<!doctype html><html><head><meta charset="utf-8"><title>module host</title></head><body>
<script type="module">
  import init, { evaluate, lint, version } from './module/keyless.js';
  await init();
  window.keyless = { evaluate, lint, version };
  window.moduleReady = true;
</script></body></html>`;

// The CLI under test is a debug build, whose `"version"` is the crate
// version; the module is built by `cargo xtask dist`, whose version also
// names the commit. Everything else must be equal.
const sansVersion = ({ version, ...rest }) => rest;

const FIXTURES = fs.readdirSync(path.join(ROOT, 'tests/fixtures')).filter((f) => f.endsWith('.yaml')).sort();

before(async () => {
  server = await serveDist();
  browser = await launch();
  context = await browser.newContext({ serviceWorkers: 'block' });
  // A relative URL: the host page sits next to the playground, whatever path the site is served under.
  page = await hostPage(context, new URL('module-host.html', server.url).href, HOST);
  await page.waitForFunction(() => window.moduleReady === true, null, { timeout: 30000 });
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('evaluate() returns what `keyless eval --format json` prints, for every fixture', async () => {
  for (const f of FIXTURES) {
    const name = `tests/fixtures/${f}`;
    const text = fs.readFileSync(path.join(ROOT, name), 'utf8');
    const fromModule = await page.evaluate(([t, n]) => window.keyless.evaluate(t, n), [text, name]);
    assert.deepEqual(sansVersion(fromModule), sansVersion(cli(['eval', name, '--format', 'json'])), f);
    assert.equal(fromModule.version, await page.evaluate(() => window.keyless.version()), f);
  }
});

test('lint() returns what `keyless lint --format json` prints', async () => {
  // A workflow and the trust policies of the fixtures, as separate files.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyless-lint-'));
  const files = [];
  for (const f of FIXTURES.slice(0, 6)) {
    const text = fs.readFileSync(path.join(ROOT, 'tests/fixtures', f), 'utf8');
    const wf = /\n {2}workflow: \|\n((?: {4}.*\n|\n)+)/.exec(text);
    if (wf) files.push({ name: f.replace('.yaml', '.workflow.yml'), text: wf[1].replace(/^ {4}/gm, '') });
  }
  files.push({ name: 'scenario.yaml', text: fs.readFileSync(path.join(ROOT, 'tests/fixtures', FIXTURES[0]), 'utf8') });
  assert.ok(files.length >= 2);
  for (const file of files) fs.writeFileSync(path.join(dir, file.name), file.text);
  const fromModule = await page.evaluate((fs) => window.keyless.lint(fs), files);
  const fromCli = cli(['lint', ...files.map((x) => x.name), '--format', 'json', '--fail-on', 'never'], dir);
  assert.deepEqual(sansVersion(fromModule), sansVersion(fromCli));
  assert.equal(fromModule.version, await page.evaluate(() => window.keyless.version()));
  assert.ok(fromModule.findings.length > 0, 'the fixtures have findings');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('invalid input throws a KeylessError with located diagnostics; bad lint input a TypeError', async () => {
  const thrown = await page.evaluate(() => {
    try { window.keyless.evaluate('repository: a/b\nworkflow: "on: push"\nevent: {name: push}\nnope: 1\n', 'bad.yaml'); return null; }
    catch (e) { return { isError: e instanceof Error, name: e.name, message: e.message, diagnostics: e.diagnostics }; }
  });
  assert.ok(thrown, 'it throws');
  assert.equal(thrown.isError, true);
  assert.equal(thrown.name, 'KeylessError');
  assert.match(thrown.message, /^bad\.yaml:4:1: error: /);
  assert.equal(thrown.diagnostics[0].location, 'bad.yaml:4:1');
  const typeError = await page.evaluate(() => { try { window.keyless.lint('nope'); return null; } catch (e) { return e.name; } });
  assert.equal(typeError, 'TypeError');
  assert.match(await page.evaluate(() => window.keyless.version()), /^\d+\.\d+\.\d+/);
});

test('keyless.d.ts describes every field the module returns, and nothing it does not', async () => {
  const decls = parseTypes(fs.readFileSync(path.join(DIST, 'module/keyless.d.ts'), 'utf8'));
  for (const name of ['EvalReport', 'LintReport', 'Diagnostic', 'KeylessError', 'LintFile']) assert.ok(decls[name], name);
  // The functions are typed with them, not `any`.
  const dts = fs.readFileSync(path.join(DIST, 'module/keyless.d.ts'), 'utf8');
  assert.match(dts, /export function evaluate\(scenario: string, name\??: string( \| (null|undefined))*\): EvalReport;/);
  assert.match(dts, /export function lint\(files: LintFile\[\]\): LintReport;/);
  // The checker itself fails on a wrong shape.
  assert.notDeepEqual(check(decls, { jobs: [], diagnostics: [], extra: 1 }, 'EvalReport'), []);
  for (const f of FIXTURES) {
    const text = fs.readFileSync(path.join(ROOT, 'tests/fixtures', f), 'utf8');
    const report = await page.evaluate(([t, n]) => window.keyless.evaluate(t, n), [text, f]);
    assert.deepEqual(check(decls, report, 'EvalReport'), [], f);
    const lint = await page.evaluate(([t, n]) => window.keyless.lint([{ name: n, text: t }]), [text, f]);
    assert.deepEqual(check(decls, lint, 'LintReport'), [], f);
  }
  const diagnostics = await page.evaluate(() => { try { window.keyless.evaluate('[1]'); } catch (e) { return e.diagnostics; } });
  assert.deepEqual(check(decls, diagnostics, { kind: 'array', of: { kind: 'name', name: 'Diagnostic' } }), []);
});

test('the npm package folder is complete', () => {
  const dir = path.join(DIST, 'module');
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  assert.match(pkg.version, /^\d+\.\d+\.\d+/);
  for (const f of pkg.files) assert.ok(fs.existsSync(path.join(dir, f)), f);
  assert.equal(pkg.types, 'keyless.d.ts');
});

test('the playground never fetches the module', async () => {
  const { context: ctx, requests } = await watchedContext(browser);
  const app = await openApp(browser, server.url, { context: ctx });
  await app.getByTestId('preset-azure-flexible-release').click();
  await app.waitForSelector('[data-testid=job]');
  assert.deepEqual(requests.filter((u) => u.includes('/module/')), []);
  await ctx.close();
});
