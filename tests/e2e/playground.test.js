// Browser tests of the playground against the built dist/ (run
// `cargo xtask dist` first). Expectations come from tests/fixtures,
// the same files the core and CLI tests read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launch, openApp, watchedContext, screenshot, fixtures, job, setText, ROOT, ARTIFACTS } from './helpers.js';

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

const WORKFLOW = `name: Deploy
on:
  push:
    branches: [main, 'feature/**']
  pull_request:
permissions:
  id-token: write
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111122223333:role/gha-deploy
          aws-region: us-east-1
`;

const TRUST_POLICY = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:my-org/my-repo:ref:refs/heads/main"
      }
    }
  }]
}
`;

async function blankScenario(page) {
  await setText(page, 'repository', 'my-org/my-repo');
  for (const cloud of ['azure', 'gcp', 'alibaba']) await setText(page, `editor-${cloud}`, '');
  await setText(page, 'editor-workflow', WORKFLOW);
  await setText(page, 'editor-aws', TRUST_POLICY);
}

async function expectVerdict(page, jobId, cloud, { allowed, code }) {
  const v = job(page, jobId).getByTestId(`verdict-${cloud}`);
  await v.waitFor();
  if (code !== undefined) assert.equal(await v.getAttribute('data-code'), code, `${jobId} ${cloud} code`);
  if (allowed !== undefined) assert.equal(await v.getAttribute('data-allowed'), String(allowed), `${jobId} ${cloud} allowed`);
}

async function subOf(page, jobId) {
  const card = job(page, jobId);
  await card.waitFor({ timeout: 5000 });
  return (await card.getByTestId('sub').textContent()).trim();
}

test('typing a workflow and a policy, then switching events, changes sub and verdicts', async () => {
  const page = await openApp(browser, server.url);
  await blankScenario(page);
  await page.getByTestId('event-name').selectOption('push');
  await setText(page, 'event-ref', 'refs/heads/main');
  assert.equal(await subOf(page, 'deploy'), 'repo:my-org/my-repo:ref:refs/heads/main');
  await expectVerdict(page, 'deploy', 'aws', { allowed: true, code: 'allowed' });
  await screenshot(page, 'typed-allowed');

  await setText(page, 'event-ref', 'refs/heads/feature/x');
  assert.equal(await subOf(page, 'deploy'), 'repo:my-org/my-repo:ref:refs/heads/feature/x');
  await expectVerdict(page, 'deploy', 'aws', { allowed: false, code: 'AccessDenied' });
  await screenshot(page, 'typed-denied');

  await page.getByTestId('event-name').selectOption('pull_request');
  await setText(page, 'event-ref', '');
  assert.equal(await subOf(page, 'deploy'), 'repo:my-org/my-repo:pull_request');
  await expectVerdict(page, 'deploy', 'aws', { allowed: false, code: 'AccessDenied' });
  await page.close();
});

const DISPATCH_WORKFLOW = `name: Release
on:
  push:
    branches: [main]
  workflow_dispatch:
    inputs:
      environment:
        description: Where to deploy
        type: choice
        options: [staging, prod]
        default: staging
      dry-run:
        type: boolean
permissions:
  id-token: write
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111122223333:role/gha-build
  deploy:
    runs-on: ubuntu-latest
    environment: \${{ inputs.environment }}
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111122223333:role/gha-deploy
`;

/** Waits until the first card of `jobId` shows `want` as its sub. */
async function expectSub(page, jobId, want) {
  const deadline = Date.now() + 5000;
  let got;
  while (Date.now() < deadline) {
    got = await subOf(page, jobId);
    if (got === want) return;
    await page.waitForTimeout(50);
  }
  assert.equal(got, want, `${jobId} sub`);
}

test('workflow_dispatch inputs are offered as typed controls and flow into the run', async () => {
  const page = await openApp(browser, server.url);
  await blankScenario(page);
  await setText(page, 'editor-workflow', DISPATCH_WORKFLOW);
  // The events the workflow listens to come first; the rest stay available.
  const groups = await page.getByTestId('event-name').locator('optgroup').evaluateAll((gs) =>
    gs.map((g) => [g.label, [...g.querySelectorAll('option')].map((o) => o.value)]));
  assert.deepEqual(groups[0], ['In the workflow', ['push', 'workflow_dispatch']]);
  assert.equal(groups[1][0], 'Other events');
  assert.ok(groups[1][1].includes('pull_request'));

  await page.getByTestId('event-name').selectOption('workflow_dispatch');
  const choice = page.locator('[data-testid=dispatch-input][data-name=environment]');
  assert.equal(await choice.evaluate((e) => e.tagName), 'SELECT');
  assert.deepEqual(await choice.locator('option').evaluateAll((os) => os.map((o) => o.value)), ['staging', 'prod']);
  assert.equal(await choice.inputValue(), 'staging');
  assert.equal(await page.locator('[data-testid=dispatch-input][data-name=dry-run]').getAttribute('type'), 'checkbox');
  await expectSub(page, 'deploy', 'repo:my-org/my-repo:environment:staging');

  await choice.selectOption('prod');
  await expectSub(page, 'deploy', 'repo:my-org/my-repo:environment:prod');
  assert.equal(await choice.inputValue(), 'prod');

  // The job filter limits the cards to one job.
  assert.equal(await page.getByTestId('job').count(), 2);
  const filter = page.getByTestId('job-filter');
  assert.deepEqual(await filter.locator('option').evaluateAll((os) => os.map((o) => o.value)), ['', 'build', 'deploy']);
  await filter.selectOption('deploy');
  assert.deepEqual(await page.getByTestId('job').evaluateAll((js) => js.map((j) => j.dataset.job)), ['deploy']);
  await filter.selectOption('build');
  assert.deepEqual(await page.getByTestId('job').evaluateAll((js) => js.map((j) => j.dataset.job)), ['build']);
  await filter.selectOption('');
  assert.equal(await page.getByTestId('job').count(), 2);
  await screenshot(page, 'dispatch-inputs');
  await page.close();
});

test('a matrix workflow shows one card per combination, with its values', async () => {
  const page = await openApp(browser, server.url);
  await blankScenario(page);
  await setText(page, 'editor-workflow', `on: push
permissions:
  id-token: write
jobs:
  test:
    runs-on: ubuntu-latest
    environment: \${{ matrix.env }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
        env: [staging, prod]
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111122223333:role/gha-test
`);
  await page.getByTestId('event-name').selectOption('push');
  await job(page, 'test').waitFor();
  const cards = page.locator('[data-testid=job][data-job=test]');
  assert.equal(await cards.count(), 4);
  const combos = await cards.getByTestId('matrix').allTextContents();
  assert.deepEqual(new Set(combos).size, 4);
  assert.ok(combos.every((c) => /os: (ubuntu|windows)-latest/.test(c) && /env: (staging|prod)/.test(c)), combos.join(' | '));
  const subs = (await cards.getByTestId('sub').allTextContents()).map((s) => s.trim()).sort();
  assert.deepEqual(subs, [
    'repo:my-org/my-repo:environment:prod', 'repo:my-org/my-repo:environment:prod',
    'repo:my-org/my-repo:environment:staging', 'repo:my-org/my-repo:environment:staging',
  ]);
  // The run form summarises the workflow's jobs and matrix as written.
  const summary = await page.locator('[data-testid=workflow-job][data-job=test]').textContent();
  assert.match(summary, /matrix: os \[ubuntu-latest, windows-latest\] × env \[staging, prod\] → 4 jobs/);
  await page.close();
});

for (const fx of fixtures().filter((f) => f.preset)) {
  test(`preset ${fx.id} meets its fixture's expectations`, async () => {
    const page = await openApp(browser, server.url);
    await page.getByTestId(`preset-${fx.id}`).click();
    for (const e of fx.expect ?? []) {
      const card = job(page, e.job);
      await card.waitFor({ timeout: 5000 });
      if (e.issued !== undefined) assert.equal(await card.getAttribute('data-issued'), String(e.issued), `${e.job} issued`);
      if (e.sub !== undefined) assert.equal(await subOf(page, e.job), e.sub, `${e.job} sub`);
      for (const [cloud, expected] of Object.entries(e.verdicts ?? {})) {
        await expectVerdict(page, e.job, cloud, expected === 'allowed' ? { allowed: true, code: 'allowed' } : { allowed: false, code: expected });
      }
    }
    await screenshot(page, `preset-${fx.id}`);
    await page.close();
  });
}

test('environment protection rules typed in the settings refuse a branch, with GitHub\'s error', async () => {
  const page = await openApp(browser, server.url);
  await page.getByTestId('preset-aws-environment-branch-policy').click();
  const card = job(page, 'deploy-prod');
  await card.waitFor();
  assert.equal(await card.getAttribute('data-issued'), 'true');
  await page.getByText('Environment protection rules').click();
  await setText(page, 'environments', 'environments:\n  prod:\n    deployment_branches: [release]\n');
  await page.waitForSelector('[data-testid=job][data-job=deploy-prod][data-issued=false]', { timeout: 5000 });
  assert.match(await card.textContent(), /Branch "main" is not allowed to deploy to prod due to environment protection rules/);
  await page.close();
});

test('source tags in a verdict trace link to their source', async () => {
  const page = await openApp(browser, server.url);
  await page.getByTestId('preset-alibaba-branch').click();
  const fx = fixtures().find((f) => f.id === 'alibaba-branch');
  const verdict = job(page, fx.expect[0].job).getByTestId('verdict-alibaba');
  await verdict.waitFor();
  // The trace cites STS's error table as (L7), which sources.md gives a URL.
  const trace = verdict.locator('.trace');
  await verdict.locator('summary').click();
  assert.ok(await trace.locator('a.src[href^="https://"][title]').count() > 0, 'a source link in the trace');
  const link = trace.locator('a.src', { hasText: /^L7$/ }).first();
  await link.waitFor();
  assert.equal(await link.textContent(), 'L7');
  assert.match(await link.getAttribute('href'), /^https:\/\/help\.aliyun\.com\//);
  assert.ok((await link.getAttribute('title')).length > 0, 'a link has a title');
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
  // Keyboard reachable: a link, and sources without a URL are focusable <abbr>s.
  await link.focus();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'L7');
  const abbrs = page.locator('abbr.src[title]');
  if (await abbrs.count() > 0) assert.equal(await abbrs.first().getAttribute('tabindex'), '0');
  // Clicking the step's mark still shows the step in the editor.
  assert.ok(await trace.locator('li.go button.link').count() > 0);
  await page.close();
});

async function editorValues(page) {
  const out = {};
  for (const id of ['editor-workflow', 'editor-aws', 'editor-azure', 'editor-gcp', 'editor-alibaba', 'repository', 'event-ref']) {
    out[id] = await page.getByTestId(id).inputValue();
  }
  out.event = await page.getByTestId('event-name').inputValue();
  return out;
}

test('a permalink restores the whole scenario in a fresh browser', async () => {
  const page = await openApp(browser, server.url);
  await blankScenario(page);
  await setText(page, 'repository', 'octo-org/permalinked');
  await setText(page, 'editor-azure', '# kept exactly: ünïcode, "quotes", trailing spaces   \n- subject: x\n\n');
  const before = await editorValues(page);
  await page.getByTestId('permalink').click();
  const link = page.getByTestId('permalink-url');
  await page.waitForFunction(() => document.querySelector('[data-testid=permalink-url]')?.value.includes('#s='));
  const url = await link.inputValue();
  assert.ok(url.startsWith(server.url), url);
  await page.close();

  const fresh = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const other = await openApp(browser, url, { context: fresh });
  await other.waitForFunction(() => document.querySelector('[data-testid=repository]')?.value === 'octo-org/permalinked');
  assert.deepEqual(await editorValues(other), before);
  await fresh.close();
});

test('export then import gives back the same scenario', async () => {
  const page = await openApp(browser, server.url);
  await blankScenario(page);
  await setText(page, 'repository', 'octo-org/exported');
  const before = await editorValues(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  assert.equal(download.suggestedFilename(), 'scenario.yaml');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, 'exported-scenario.yaml');
  await download.saveAs(file);
  const yaml = fs.readFileSync(file, 'utf8');
  assert.match(yaml, /^repository: "octo-org\/exported"$/m);
  assert.match(yaml, /^workflow: \|/m);

  await setText(page, 'repository', 'someone/else');
  await setText(page, 'editor-workflow', 'on: push');
  await page.getByTestId('import').setInputFiles(file);
  await page.waitForFunction(() => document.querySelector('[data-testid=repository]')?.value === 'octo-org/exported');
  assert.deepEqual(await editorValues(page), before);
  await page.close();
});

test('a condition on a value Keyless cannot know gives an Undetermined verdict, not a denial', async () => {
  const page = await openApp(browser, server.url);
  await blankScenario(page);
  await page.getByTestId('event-name').selectOption('push');
  await setText(page, 'event-ref', 'refs/heads/main');
  // The runner's address: AWS knows it, the scenario does not.
  await setText(page, 'editor-aws', TRUST_POLICY.replace('"StringEquals": {', '"IpAddress": {"aws:SourceIp": "203.0.113.0/24"},\n      "StringEquals": {'));
  await expectVerdict(page, 'deploy', 'aws', { allowed: false, code: 'undetermined' });
  const card = job(page, 'deploy').getByTestId('verdict-aws');
  assert.match(await card.locator('.badge').innerText(), /Undetermined/);
  assert.match(await card.locator('.message').innerText(), /aws:SourceIp/);
  await page.close();
});

test('a broken policy is marked at its line and column', async () => {
  const page = await openApp(browser, server.url);
  await blankScenario(page);
  await setText(page, 'editor-aws', '{\n  "Version": "2012-10-17",\n  Statement: []\n}\n');
  const marker = page.locator('.editor-panel', { has: page.getByTestId('editor-aws') }).getByTestId('editor-error').first();
  await marker.waitFor();
  assert.equal(await marker.getAttribute('data-line'), '3');
  assert.equal(await marker.getAttribute('data-col'), '3');
  await screenshot(page, 'broken-policy');
  // The marker takes the caret there.
  await marker.click();
  const caret = await page.getByTestId('editor-aws').evaluate((el) => el.selectionStart);
  assert.equal(caret, '{\n  "Version": "2012-10-17",\n  '.length);
  await page.close();
});

test('the last draft is restored after a reload', async () => {
  const page = await openApp(browser, server.url);
  await setText(page, 'repository', 'octo-org/remembered');
  await page.reload();
  await page.waitForSelector('[data-testid=editor-workflow]');
  assert.equal(await page.getByTestId('repository').inputValue(), 'octo-org/remembered');
  await page.close();
});

test('?embed=1 shows the tool without chrome', async () => {
  const page = await openApp(browser, `${server.url}?embed=1`);
  assert.equal(await page.locator('header.top').isVisible(), false);
  assert.equal(await page.getByTestId('editor-workflow').isVisible(), true);
  await page.close();
});

test('works offline once the service worker is installed', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await openApp(browser, server.url, { context });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  server.offline = true;
  await context.setOffline(true);
  try {
    await page.reload();
    await page.waitForSelector('[data-testid=editor-workflow]', { timeout: 10000 });
    assert.ok(await page.getByTestId('job').count() >= 0);
    // The presets other than the default are fetched on click: precached.
    await page.getByTestId('preset-gcp-org-provider').click();
    await job(page, 'deploy-gcp').waitFor({ timeout: 10000 });
    // The analysis worker was precached too.
    await page.getByTestId('analysis-toggle').click();
    await page.locator('[data-testid=matrix]').waitFor({ timeout: 30000 });
  } finally {
    server.offline = false;
    await context.close();
  }
});

test('a preset that cannot be fetched says so on its button; a retry loads it', async () => {
  // No service worker: its precache would answer the fetch.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
  const page = await openApp(browser, server.url, { context: ctx });
  const button = page.getByTestId('preset-gcp-org-provider');
  server.offline = true;
  try {
    await button.click();
    await page.waitForSelector('[data-testid=preset-gcp-org-provider][data-failed]', { timeout: 10000 });
    assert.match(await button.getAttribute('title'), /Could not load this preset/);
    assert.equal(await button.getAttribute('aria-busy'), null);
    await job(page, 'deploy-aws').waitFor();
  } finally {
    server.offline = false;
  }
  await button.click();
  await job(page, 'deploy-gcp').waitFor({ timeout: 10000 });
  assert.equal(await button.getAttribute('data-failed'), null);
  await ctx.close();
});

test('an opened trace and claims table stay open while the results are re-rendered', async () => {
  const page = await openApp(browser, server.url);
  const card = job(page, 'deploy-aws');
  await card.waitFor();
  const trace = card.getByTestId('verdict-aws').locator('details');
  // A closed trace or claims table is rendered without its body (the
  // large scenario's were most of its results' HTML); opening writes it.
  assert.equal(await card.locator('.trace li, table.claims').count(), 0, 'closed: no trace steps or claims in the page');
  await trace.locator('summary').click();
  await card.locator('details').first().locator('summary').press('Enter');
  const openDetails = () => card.locator('details[open]').count();
  assert.equal(await openDetails(), 2);
  const steps = await trace.locator('.trace li').count();
  assert.ok(steps > 0, 'the opened trace has its steps');
  assert.equal(await trace.locator('summary').textContent(), `Trace (${steps} steps)`);
  assert.ok(await card.locator('table.claims tr').count() > 10, 'the opened claims table has its claims');
  // Every edit re-renders the cards; what the user opened stays open, with its body.
  await setText(page, 'event-ref', 'refs/heads/feature/x');
  await card.getByTestId('verdict-aws').and(page.locator('[data-allowed=false]')).waitFor();
  assert.equal(await openDetails(), 2);
  assert.ok(await trace.locator('.trace li.fail').count() > 0, 'the re-rendered trace shows the new verdict\'s steps');
  assert.ok(await card.locator('table.claims tr').count() > 10);
  await trace.locator('summary').click();
  await setText(page, 'event-ref', 'refs/heads/main');
  await card.getByTestId('verdict-aws').and(page.locator('[data-allowed=true]')).waitFor();
  assert.equal(await openDetails(), 1, 'a closed trace stays closed');
  assert.equal(await trace.locator('.trace li').count(), 0, 'and is rendered without its steps');
  // Opened again, it shows the current verdict's trace.
  await trace.locator('summary').click();
  assert.ok(await trace.locator('.trace li.pass').count() > 0);
  await page.close();
});

test('the first verdict needs no deferred chunk: with it unreachable the verdict shows, a notice offers Retry, and Retry brings the controls', async () => {
  const { context: ctx } = await watchedContext(browser);
  let blocked = true;
  await ctx.route(/-split_deferred\.wasm$/, (route) => (blocked ? route.abort() : route.continue()));
  const page = await openApp(browser, server.url, { context: ctx });
  await expectVerdict(page, 'deploy-aws', 'aws', { allowed: true });
  const notice = page.locator('.deferred-notice');
  await notice.getByRole('button', { name: 'Retry' }).waitFor({ timeout: 10000 });
  assert.equal(await page.getByTestId('event-ref').count(), 0, 'the event picker is deferred');
  assert.equal(await page.getByTestId('permalink').count(), 0, 'sharing is deferred');
  blocked = false;
  await notice.getByRole('button', { name: 'Retry' }).click();
  await page.getByTestId('event-ref').waitFor({ timeout: 10000 });
  await page.getByTestId('permalink').waitFor();
  assert.equal(await notice.isVisible(), false);
  await ctx.close();
});

test('Azure, Google Cloud, Alibaba Cloud and the services are fetched when first configured; a failed fetch says so and Retry loads it', async () => {
  const { context: ctx, requests } = await watchedContext(browser);
  const page = await openApp(browser, server.url, { context: ctx });
  await expectVerdict(page, 'deploy-aws', 'aws', { allowed: true });
  // The cloud chunks (the `deferred` chunk of controls is another test's).
  const chunks = () => requests.filter((u) => /-split_[a-z]+\.wasm$/.test(u) && !u.endsWith('-split_deferred.wasm'))
    .map((u) => u.replace(/.*-split_/, ''));
  assert.deepEqual(chunks(), [], 'no cloud chunk in the first load');

  const fx = (id) => fixtures().find((f) => f.id === id).scenario;
  const text = (v) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));
  const azure = fx('azure-environment');
  await setText(page, 'editor-workflow', azure.workflow);
  await setText(page, 'editor-azure', text(azure.azure));
  await page.getByTestId('verdict-azure').first().waitFor({ timeout: 10000 });
  assert.deepEqual(chunks(), ['azure.wasm'], 'only the Azure chunk');

  // Offline before the Google Cloud chunk was ever fetched.
  const gcp = fx('gcp-org-provider');
  server.offline = true;
  try {
    await setText(page, 'editor-gcp', text(gcp.gcp));
    const notice = page.locator('[data-testid=cloud-loading][data-cloud=gcp]');
    await notice.getByRole('button', { name: 'Retry' }).waitFor({ timeout: 10000 });
    assert.match(await notice.textContent(), /could not be loaded/);
    assert.equal(await page.getByTestId('verdict-gcp').count(), 0);
  } finally {
    server.offline = false;
  }
  await page.locator('[data-testid=cloud-loading][data-cloud=gcp]').getByRole('button', { name: 'Retry' }).click();
  await page.getByTestId('verdict-gcp').first().waitFor({ timeout: 10000 });
  assert.equal(await page.locator('[data-testid=cloud-loading]').count(), 0);
  assert.ok(chunks().includes('gcp.wasm') && !chunks().includes('alibaba.wasm'), chunks().join(' '));

  // A service beyond the clouds is its own chunk too, fetched the same way.
  assert.ok(!chunks().includes('npm.wasm'), chunks().join(' '));
  await setText(page, 'editor-npm', text(fx('npm-trusted-publishing').npm));
  await page.getByTestId('verdict-npm').first().waitFor({ timeout: 10000 });
  assert.ok(chunks().includes('npm.wasm') && !chunks().includes('vault.wasm'), chunks().join(' '));
  await ctx.close();
});

test('analysis: loaded only when opened, finds the wildcard, and its suggestion fixes it', async () => {
  const { context: ctx, requests } = await watchedContext(browser);
  const page = await openApp(browser, server.url, { context: ctx });
  await page.getByTestId('preset-aws-org-wildcard').click();
  await expectVerdict(page, 'deploy', 'aws', { allowed: true });
  const workerRequests = () => requests.filter((u) => u.includes('keyless-worker'));
  assert.deepEqual(workerRequests(), [], 'the analysis worker is fetched before the panel is opened');

  await page.getByTestId('analysis-toggle').click();
  await page.getByTestId('analysis-panel').waitFor();
  const wildcard = page.locator('[data-testid=finding][data-id="KL-SUB-003"]');
  await wildcard.first().waitFor({ timeout: 30000 });
  assert.ok(workerRequests().some((u) => u.endsWith('.wasm')), `worker wasm fetched on open: ${workerRequests()}`);
  assert.equal(await wildcard.first().getAttribute('data-doc'), 'aws');
  const line = Number(await wildcard.first().getAttribute('data-line'));
  assert.ok(line >= 1, `finding line ${line}`);
  assert.ok(await page.getByTestId('matrix').isVisible());
  assert.ok(await page.locator('[data-testid=matrix-row][data-unintended=true]').count() > 0, 'an unintended admit in the matrix');
  const aws = page.locator('[data-testid=suggestion][data-cloud=aws]');
  assert.equal(await aws.getAttribute('data-verified'), 'true');
  await screenshot(page, 'analysis');

  await aws.getByTestId('use-suggestion').click();
  await expectVerdict(page, 'deploy', 'aws', { allowed: true });
  await page.waitForFunction(() => !document.querySelector('[data-testid=finding][data-id="KL-SUB-003"]'), null, { timeout: 30000 });
  await expectVerdict(page, 'deploy', 'aws', { allowed: true });
  await ctx.close();
});

test('analysis: a service beyond the clouds gets its findings, located in its editor', async () => {
  const page = await openApp(browser, server.url);
  await page.getByTestId('preset-npm-trusted-publishing').click();
  await expectVerdict(page, 'publish', 'npm', { allowed: true });
  await page.getByTestId('analysis-toggle').click();
  // The publisher names no environment (KL-PUBLISH-001), found by the worker's npm rules.
  const finding = page.locator('[data-testid=finding][data-id="KL-PUBLISH-001"]');
  await finding.first().waitFor({ timeout: 30000 });
  assert.equal(await finding.first().getAttribute('data-doc'), 'npm');
  assert.ok(Number(await finding.first().getAttribute('data-line')) >= 1);
  await page.close();
});

test('screenshots for the README (light and dark)', async () => {
  for (const scheme of ['light', 'dark']) {
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, colorScheme: scheme });
    const page = await openApp(browser, server.url, { context });
    const first = fixtures().find((f) => f.id === 'aws-main-only') ?? fixtures().find((f) => f.preset);
    await page.getByTestId(`preset-${first.id}`).click();
    await page.waitForTimeout(200);
    await screenshot(page, `main-${scheme}`);
    await context.close();
  }
  if (process.env.UPDATE_SCREENSHOT === '1') {
    fs.copyFileSync(path.join(ARTIFACTS, 'main-light.png'), path.join(ROOT, 'docs/screenshot.png'));
  }
});

test('a small draft is evaluated on each keystroke; a large one when typing pauses, saying so meanwhile', async () => {
  const page = await openApp(browser, server.url);
  const verdict = () => job(page, 'deploy-aws').getByTestId('verdict-aws');
  await verdict().and(page.locator('[data-allowed=true]')).waitFor();
  // Types `text` into an editor as a keystroke does, and looks at the page
  // in the next task: before the pause in typing (250 ms) can have passed.
  const typeAndLook = (testid, text) => page.evaluate(async ({ testid, text }) => {
    const el = document.querySelector(`[data-testid=${testid}]`);
    el.value = text;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => setTimeout(r, 0));
    const card = document.querySelector('[data-testid=job][data-job=deploy-aws] [data-testid=verdict-aws]');
    return { updating: !document.querySelector('[data-testid=updating]').hidden, allowed: card?.dataset.allowed };
  }, { testid, text });
  const policy = await page.getByTestId('editor-aws').inputValue();
  assert.ok(policy.includes('ref:refs/heads/main'), policy);
  const other = policy.replace('ref:refs/heads/main', 'ref:refs/heads/other');
  // Small: the keystroke's own evaluation is on the page at once.
  assert.deepEqual(await typeAndLook('editor-aws', other), { updating: false, allowed: 'false' });
  assert.deepEqual(await typeAndLook('editor-aws', policy), { updating: false, allowed: 'true' });
  // Large (over 128 KB of text): the next keystrokes wait for the pause;
  // until then the results are the previous draft's, and a status line says so.
  const workflow = await page.getByTestId('editor-workflow').inputValue();
  await typeAndLook('editor-workflow', `${workflow}\n${'# a long comment line that pads the workflow\n'.repeat(3000)}`);
  await verdict().and(page.locator('[data-allowed=true]')).waitFor();
  assert.deepEqual(await typeAndLook('editor-aws', other), { updating: true, allowed: 'true' });
  await verdict().and(page.locator('[data-allowed=false]')).waitFor();
  assert.equal(await page.getByTestId('updating').isHidden(), true);
  await page.close();
});
