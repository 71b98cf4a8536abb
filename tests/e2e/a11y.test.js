// Accessibility of the playground as tested facts (issue #3): no serious or
// critical axe-core violation (WCAG 2 A/AA rules) in the main states, in
// light and dark, at 1280 px and at a laptop split-screen's 680 px; every
// control reachable with Tab, in document order, with a visible focus ring;
// nothing wider than the window at 680 px. Run `cargo xtask dist` first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { serveDist, launch, openApp, screenshot, setText } from './helpers.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** The WCAG 2.0/2.1/2.2 level A and AA rules (axe's tags); AXE_TAGS=... for others. */
const WCAG_TAGS = process.env.AXE_TAGS?.split(',') ?? ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
/** The impacts that fail the test (AXE_IMPACTS=minor,moderate,serious,critical to see all). */
const BLOCKING = new Set((process.env.AXE_IMPACTS ?? 'serious,critical').split(','));
const WIDTHS = [1280, 680];
const SCHEMES = ['light', 'dark'];

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

/** A fresh playground (own storage, no service worker) at `width` in `scheme`. */
async function open(width, scheme) {
  // bypassCSP: axe-core is injected as an inline script, which the page's
  // Content-Security-Policy rightly refuses (site.test.js tests the policy).
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme, serviceWorkers: 'block', bypassCSP: true });
  const page = await openApp(browser, server.url, { context });
  await page.emulateMedia({ colorScheme: scheme });
  await page.getByTestId('job').first().waitFor();
  return { context, page };
}

/** The serious/critical WCAG A/AA violations on the page, one readable line per failing node. */
async function axeViolations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), impact: n.impact, summary: n.failureSummary })),
    }));
  }, WCAG_TAGS);
  const lines = [];
  for (const v of violations) {
    for (const n of v.nodes) {
      if (!BLOCKING.has(n.impact ?? v.impact)) continue;
      const why = (n.summary ?? '').replace(/\s+/g, ' ').trim();
      lines.push(`[${n.impact ?? v.impact}] ${v.id} (${v.help}) at ${n.target}: ${why}`);
    }
  }
  return lines;
}

async function expectNoViolations(page, state, problems) {
  // Let transitions and re-renders settle before judging colours.
  await page.waitForTimeout(100);
  for (const line of await axeViolations(page)) problems.push(`${state}: ${line}`);
}

const DISPATCH_WORKFLOW = `on:
  workflow_dispatch:
    inputs:
      environment: { type: choice, options: [staging, prod], default: staging }
      dry-run: { type: boolean }
      note: { type: string }
permissions:
  id-token: write
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with: { role-to-assume: arn:aws:iam::111122223333:role/gha-build }
  deploy:
    runs-on: ubuntu-latest
    environment: \${{ inputs.environment }}
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with: { role-to-assume: arn:aws:iam::111122223333:role/gha-deploy }
`;

for (const width of WIDTHS) {
  for (const scheme of SCHEMES) {
    test(`axe: no serious or critical WCAG A/AA violation at ${width} px, ${scheme}`, async () => {
      const { context, page } = await open(width, scheme);
      const problems = [];
      try {
        await expectNoViolations(page, 'default preset', problems);

        // A denied verdict with its trace open.
        await setText(page, 'event-ref', 'refs/heads/feature/x');
        const denied = page.locator('[data-testid^=verdict-][data-allowed=false]').first();
        await denied.waitFor();
        await denied.locator('summary').first().click();
        await denied.locator('.trace').waitFor();
        // With the claims table and the settings' options open too.
        await page.locator('[data-testid=job] details:not([open]) > summary').first().click();
        // Both settings boxes: the options and the environment protection rules.
        for (const summary of await page.locator('details.more > summary').all()) await summary.click();
        await expectNoViolations(page, 'denied verdict, trace, claims and options open', problems);

        // The analysis panel, open and filled.
        await page.getByTestId('analysis-toggle').click();
        await page.getByTestId('analysis-panel').locator('[data-testid=finding], [data-testid=matrix]').first().waitFor({ timeout: 30000 });
        await expectNoViolations(page, 'analysis open', problems);

        // A manual run: typed dispatch inputs, and the job filter of a two-job workflow.
        await setText(page, 'editor-workflow', DISPATCH_WORKFLOW);
        await page.getByTestId('event-name').selectOption('workflow_dispatch');
        await page.locator('[data-testid=dispatch-input][data-name=dry-run]').waitFor();
        await page.getByTestId('job-filter').waitFor();
        await expectNoViolations(page, 'dispatch inputs and job filter', problems);

        // An editor showing a parse error.
        await setText(page, 'editor-aws', '{\n  "Version": "2012-10-17",\n  Statement: []\n}\n');
        await page.getByTestId('editor-error').first().waitFor();
        await expectNoViolations(page, 'parse error', problems);
      } finally {
        await context.close();
      }
      assert.equal(problems.length, 0, `${problems.length} accessibility violation(s) of impact ${[...BLOCKING].join('/')}:\n  ${problems.join('\n  ')}`);
    });
  }
}

/** Selector of what a keyboard user must be able to reach. */
const INTERACTIVE = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';

test('every control is reachable with Tab, in document order, with a visible focus style', async () => {
  const { context, page } = await open(1280, 'light');
  try {
    // Open a trace and the analysis so their controls are in the walk too.
    await page.locator('[data-testid^=verdict-] summary').first().click();
    await page.getByTestId('analysis-toggle').click();
    await page.getByTestId('analysis-panel').locator('[data-testid=finding], [data-testid=matrix]').first().waitFor({ timeout: 30000 });
    await page.waitForTimeout(200);

    // Number every control a keyboard user should reach; positive tabindex
    // would break document order, so there must be none.
    const expected = await page.evaluate((sel) => {
      const all = [...document.querySelectorAll(sel)];
      all.forEach((el, i) => { el.dataset.a11yIndex = String(i); });
      const reachable = all.filter((el) => el.tabIndex >= 0 && !el.disabled && !el.closest('[inert]')
        && el.checkVisibility({ visibilityProperty: true }));
      return {
        positive: all.filter((el) => el.tabIndex > 0).map((el) => el.outerHTML.slice(0, 80)),
        reachable: reachable.map((el) => ({ index: Number(el.dataset.a11yIndex), what: describe(el) })),
      };
      function describe(el) {
        const name = el.getAttribute('aria-label') || el.dataset.testid || el.textContent.trim().slice(0, 40) || el.id || el.name;
        return `<${el.tagName.toLowerCase()}> ${name}`;
      }
    }, INTERACTIVE);
    assert.deepEqual(expected.positive, [], 'no positive tabindex');
    assert.ok(expected.reachable.length > 20, `controls found: ${expected.reachable.length}`);

    // Start the walk at the top: focusing the body moves the sequential
    // focus starting point there (a blur alone would keep it in place).
    await page.evaluate(() => {
      document.activeElement?.blur();
      document.body.tabIndex = -1;
      document.body.focus();
      document.body.removeAttribute('tabindex');
      window.scrollTo(0, 0);
    });
    const visited = [];
    const noFocusStyle = [];
    for (let i = 0; i < expected.reachable.length * 2 + 20; i++) {
      // In an editor Tab indents: Escape, then Tab, leaves it (no keyboard trap).
      if (await page.evaluate(() => document.activeElement?.tagName === 'TEXTAREA')) await page.keyboard.press('Escape');
      await page.keyboard.press('Tab');
      const at = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        // Visible focus: an outline of at least 2px on the control, or on
        // the editor frame around it (the textarea sits over a backdrop).
        const ring = (e) => { const s = getComputedStyle(e); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; };
        const framed = el.closest('.editor-scroll');
        return {
          index: el.dataset.a11yIndex === undefined ? -1 : Number(el.dataset.a11yIndex),
          what: `<${el.tagName.toLowerCase()}> ${el.getAttribute('aria-label') || el.dataset.testid || el.textContent.trim().slice(0, 40)}`,
          ring: ring(el) || (framed !== null && ring(framed)),
        };
      });
      if (at === null) break; // past the last control
      if (visited.length > 0 && at.index === visited[0].index) break; // wrapped around
      visited.push(at);
      if (!at.ring) noFocusStyle.push(at.what);
    }
    const reachedIndexes = new Set(visited.map((v) => v.index));
    const missed = expected.reachable.filter((c) => !reachedIndexes.has(c.index)).map((c) => c.what);
    assert.deepEqual(missed, [], 'controls Tab never reaches');
    const known = visited.filter((v) => v.index >= 0);
    const outOfOrder = known.filter((v, i) => i > 0 && v.index <= known[i - 1].index).map((v) => v.what);
    assert.deepEqual(outOfOrder, [], 'Tab order follows the document');
    assert.deepEqual(noFocusStyle, [], 'controls without a visible focus style');
  } finally {
    await context.close();
  }
});

test('at 680 px nothing overflows horizontally (light and dark screenshots)', async () => {
  for (const scheme of SCHEMES) {
    const { context, page } = await open(680, scheme);
    try {
      const overflow = () => page.evaluate(() => {
        const width = window.innerWidth;
        const scroll = document.scrollingElement.scrollWidth;
        if (scroll <= width) return null;
        const wide = [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > width + 0.5)
          .map((el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`)
          .slice(0, 10);
        return `scrollWidth ${scroll} > innerWidth ${width}; too wide: ${wide.join(', ')}`;
      });
      assert.equal(await overflow(), null, `${scheme}, default preset`);
      await screenshot(page, `narrow-680-${scheme}`);

      await page.locator('[data-testid^=verdict-] summary').first().click();
      await page.locator('[data-testid=job] summary').first().click();
      for (const summary of await page.locator('details.more > summary').all()) await summary.click();
      assert.equal(await overflow(), null, `${scheme}, trace, claims and settings open`);

      await page.getByTestId('analysis-toggle').click();
      await page.getByTestId('matrix').waitFor({ timeout: 30000 });
      assert.equal(await overflow(), null, `${scheme}, analysis open`);
      await page.getByTestId('analysis-toggle').scrollIntoViewIfNeeded();
      await screenshot(page, `narrow-680-${scheme}-analysis`);
    } finally {
      await context.close();
    }
  }
});
