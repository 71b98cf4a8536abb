// Embed mode and its postMessage protocol (docs/embed.md): host pages that
// frame the playground, on its own origin and on a foreign one. The
// verdicts the embed posts are checked against the CLI's JSON for the
// same scenario.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { serveDist, launch, ROOT } from './helpers.js';
import { hostPage, iframeHost, waitMessage, cli } from './embed-helpers.js';

let server, browser;

before(async () => {
  server = await serveDist();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** The fixture's scenario, and the CLI's report for it with `change` applied (null: as it is). */
function scenarioAndCli(fixture, change) {
  const scenario = YAML.parse(fs.readFileSync(path.join(ROOT, 'tests/fixtures', fixture), 'utf8')).scenario;
  const changed = { ...scenario, ...change };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyless-embed-'));
  fs.writeFileSync(path.join(dir, 'scenario.yaml'), YAML.stringify(changed));
  const report = cli(['eval', 'scenario.yaml', '--format', 'json'], dir);
  fs.rmSync(dir, { recursive: true, force: true });
  return { scenario, report };
}

/** What must agree between the embed's report and the CLI's (locations differ: the embed's file is its own export). */
function verdictsOf(report) {
  return report.jobs.map((j) => ({
    job: j.job,
    claims: j.token.claims,
    issued: j.token.issued,
    verdicts: Object.fromEntries(Object.entries(j.verdicts).map(([c, v]) =>
      [c, { allowed: v.allowed, code: v.code, audience: v.audience, message: v.message, decided_by: v.decided_by, trace: v.trace }])),
  }));
}

test('embed: set-scenario and select-event round-trip, verdicts in the eval JSON shape, heights, own storage', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
  // The user's own draft in the full playground (same origin as the embed).
  const own = await context.newPage();
  await own.goto(server.url);
  await own.waitForSelector('[data-testid=editor-workflow]');
  await own.getByTestId('repository').fill('octo-org/users-own-draft');
  const saved = await own.evaluate(() => localStorage.getItem('keyless.draft'));
  assert.match(saved, /users-own-draft/);

  const host = await hostPage(context, new URL('embed-host.html', server.url).href, iframeHost(['./?embed=1']));
  const ready = await waitMessage(host, 0, "m.type === 'ready'");
  assert.equal(ready.keyless, 1);
  const first = await waitMessage(host, 0, "m.type === 'verdicts'");
  assert.doesNotMatch(JSON.stringify(first), /users-own-draft/, 'the embed does not read the saved draft');

  // Azure: also a cloud whose evaluator is a lazily loaded chunk.
  const { scenario, report: expected } = scenarioAndCli('azure-flexible-release.yaml');
  await host.evaluate((s) => window.send(0, { keyless: 1, type: 'set-scenario', scenario: s }), scenario);
  const set = await waitMessage(host, 0, `m.type === 'verdicts' && m.report && m.report.jobs.some((j) => j.verdicts.azure) && m.report.jobs[0].token.claims.repository === ${JSON.stringify(scenario.repository)}`);
  assert.deepEqual(set.errors, []);
  assert.deepEqual(Object.keys(set.report).sort(), ['diagnostics', 'jobs', 'version'], 'the eval JSON without the analysis');
  assert.deepEqual(Object.keys(set.report.jobs[0]).sort(), Object.keys(expected.jobs[0]).sort());
  assert.deepEqual(verdictsOf(set.report), verdictsOf(expected));
  assert.match(set.report.jobs.flatMap((j) => Object.values(j.verdicts))[0].location, /^scenario\.yaml:\d+:\d+$/);

  // The reader's view follows: the frame shows the scenario's jobs.
  const frame = host.frame({ url: /embed=1/ });
  await frame.waitForSelector('[data-testid=job]');

  const event = { name: 'pull_request', ref: 'refs/pull/7/merge', base_ref: 'main', head_ref: 'feature', pr_number: 7 };
  const { report: expectedPr } = scenarioAndCli('azure-flexible-release.yaml', { event });
  await host.evaluate((e) => window.send(0, { keyless: 1, type: 'select-event', event: e }), event);
  const pr = await waitMessage(host, 0, "m.type === 'verdicts' && m.report && m.report.jobs[0].token.claims.event_name === 'pull_request'");
  assert.deepEqual(verdictsOf(pr.report), verdictsOf(expectedPr));

  // patch-scenario keeps what it does not name.
  await host.evaluate(() => window.send(0, { keyless: 1, type: 'patch-scenario', patch: { repository: 'octo-org/patched' } }));
  const patched = await waitMessage(host, 0, "m.type === 'verdicts' && m.report && m.report.jobs[0].token.claims.repository === 'octo-org/patched'");
  assert.equal(patched.report.jobs[0].token.claims.event_name, 'pull_request');

  // An invalid scenario: no report, the errors `keyless eval` exits 2 with.
  await host.evaluate(() => window.send(0, { keyless: 1, type: 'patch-scenario', patch: { workflow: 'on: [push\n' } }));
  const invalid = await waitMessage(host, 0, "m.type === 'verdicts' && m.report === null");
  assert.ok(invalid.errors.length > 0 && invalid.errors.every((e) => e.severity === 'error' && 'location' in e));

  // Other versions and unknown types are refused with an error.
  await host.evaluate(() => window.send(0, { keyless: 2, type: 'get-verdicts' }));
  assert.match((await waitMessage(host, 0, "m.type === 'error' && /version/.test(m.message)")).message, /version 2 is not supported/);
  await host.evaluate(() => window.send(0, { keyless: 1, type: 'frobnicate' }));
  await waitMessage(host, 0, "m.type === 'error' && /frobnicate/.test(m.message)");

  // Heights: posted, and the last one is the frame's document height.
  const heights = await host.evaluate(() => window.messages.filter((m) => m.data.type === 'height').map((m) => m.data.height));
  assert.ok(heights.length >= 1 && heights.every((h) => Number.isInteger(h) && h > 0), `heights ${heights}`);
  await host.waitForFunction(() => {
    const h = window.messages.filter((m) => m.data.type === 'height').pop()?.data.height;
    const doc = document.getElementById('f0').contentDocument;
    return h === Math.ceil(doc.body.getBoundingClientRect().height);
  });
  // Every message came from the embed's origin.
  const origins = await host.evaluate(() => [...new Set(window.messages.map((m) => m.origin))]);
  assert.deepEqual(origins, [new URL(server.url).origin]);

  // The user's draft is untouched by all of this.
  assert.equal(await own.evaluate(() => localStorage.getItem('keyless.draft')), saved);

  // "Open in Keyless": the full playground with the embed's scenario.
  const link = frame.getByTestId('open-in-keyless');
  await frame.waitForFunction(() => document.querySelector('[data-testid=open-in-keyless]')?.href?.includes('#s='));
  const href = await link.getAttribute('href');
  assert.ok(href.startsWith(new URL('./', server.url).href + '#s='), href);
  assert.doesNotMatch(href, /embed=1/);
  const full = await context.newPage();
  await full.goto(href);
  await full.waitForSelector('[data-testid=editor-workflow]');
  // The settings arrive with the deferred chunk, after the first paint.
  await full.waitForFunction(() => document.querySelector('[data-testid=repository]')?.value === 'octo-org/patched');
  await context.close();
});

test('embed: ?preset= opens a preset, &readonly=1 locks the editors but not the event', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.goto(new URL('./?embed=1&readonly=1&preset=gcp-org-provider', server.url).href);
  await page.waitForSelector('[data-testid=job]');
  await page.waitForFunction(() => document.querySelector('[data-testid=editor-gcp]').value.length > 0);
  for (const id of ['editor-workflow', 'editor-aws', 'editor-gcp']) {
    assert.equal(await page.getByTestId(id).getAttribute('readonly'), '', `${id} is read-only`);
  }
  const before = await page.getByTestId('editor-workflow').inputValue();
  await page.getByTestId('editor-workflow').press('End');
  await page.keyboard.type('xyz');
  assert.equal(await page.getByTestId('editor-workflow').inputValue(), before);
  assert.equal(await page.locator('header.top').isVisible(), false);
  assert.equal(await page.getByTestId('open-in-keyless').isVisible(), true);
  // The event picker is still enabled in read-only mode (documented choice).
  assert.equal(await page.locator('.inputs select, .inputs input').first().isDisabled(), false);
  await context.close();
});

test('embed: messages from another origin are ignored unless that origin is named by host=', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
  const site = new URL(server.url);
  // The same server under another host name is another origin.
  const foreign = `http://localhost:${site.port}`;
  const embedUrl = new URL('./?embed=1', server.url).href;
  const allowed = `${embedUrl}&host=${encodeURIComponent(foreign)}`;
  const host = await hostPage(context, `${foreign}/docs/page.html`, iframeHost([allowed, embedUrl]));
  // Frame 0 (host= names this page's origin) talks; frame 1 posts nothing this page can receive.
  await waitMessage(host, 0, "m.type === 'ready'");
  await waitMessage(host, 0, "m.type === 'verdicts'");
  await host.evaluate(() => {
    const msg = { keyless: 1, type: 'patch-scenario', patch: { repository: 'evil-org/injected' } };
    window.send(1, msg);
    window.send(0, msg);
  });
  await waitMessage(host, 0, "m.type === 'verdicts' && m.report && m.report.jobs[0].token.claims.repository === 'evil-org/injected'");
  const allowedFrame = host.frames().find((f) => f.url() === allowed);
  const deniedFrame = host.frames().find((f) => f.url() === embedUrl);
  await allowedFrame.waitForFunction(() => document.body.innerText.includes('evil-org/injected'));
  // Sent together; the allowed frame has applied it; the other has not and never will.
  await deniedFrame.waitForSelector('[data-testid=job]');
  assert.doesNotMatch(await deniedFrame.locator('body').innerText(), /evil-org/);
  const fromDenied = await host.evaluate(() => window.messages.filter((m) => m.frame === 1).length);
  assert.equal(fromDenied, 0, 'nothing is posted to an origin that was not named');
  await context.close();
});

test('embed: one below the host page\'s fold, on another origin, answers at once', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
  const site = new URL(server.url);
  const foreign = `http://localhost:${site.port}`;
  const embedUrl = `${new URL('./?embed=1', server.url).href}&host=${encodeURIComponent(foreign)}`;
  // A cross-origin frame out of view gets no animation frames from the
  // browser until it is scrolled to: the protocol must not wait for one.
  const html = iframeHost([embedUrl]).replace('<body>', '<body><div style="height:5000px">docs text</div>');
  const host = await hostPage(context, `${foreign}/docs/long-page.html`, html);
  await waitMessage(host, 0, "m.type === 'ready'");
  await host.evaluate(() => window.send(0, { keyless: 1, type: 'patch-scenario', patch: { repository: 'octo-org/below-the-fold' } }));
  await waitMessage(host, 0, "m.type === 'verdicts' && m.report && m.report.jobs[0].token.claims.repository === 'octo-org/below-the-fold'");
  assert.equal(await host.evaluate(() => window.scrollY), 0, 'the frame was never scrolled into view');
  await context.close();
});
