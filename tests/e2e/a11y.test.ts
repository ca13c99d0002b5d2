/**
 * Accessibility, in a real Chromium:
 * - axe-core over every page in the sitemap, in the light and the dark theme: no serious or
 *   critical violation (a failure prints each rule with the elements it found);
 * - the open search panel, with results, in both themes;
 * - a demo operated by keyboard only: Tab to a sample, Enter (it runs), Tab to Run, Enter; the result is
 *   announced through the demo's polite live region, and the finished demo passes axe too.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { demoResult, launchChromium, openPage } from '../helpers/browser.ts';
import { requireModels } from '../helpers/models.ts';
import { isStudyPage, sitemapPaths } from '../helpers/site.ts';

const baseUrl = inject('baseUrl');
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const AXE_SOURCE = readFileSync(AXE_PATH, 'utf8');
const THEMES = ['light', 'dark'] as const;
type Theme = (typeof THEMES)[number];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string; html: string }[];
}

/** Run axe on the page (optionally within a selector) and return the serious and critical violations. */
async function seriousViolations(page: Page, include?: string): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: the site's Content-Security-Policy (rightly) refuses an injected <script>.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (context) => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(context ? { include: [context] } : document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({ target: node.target, failureSummary: node.failureSummary, html: node.html.slice(0, 200) })),
    }));
  }, include ?? null);
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

function describeViolations(where: string, violations: AxeViolation[]): string {
  return violations
    .map((violation) =>
      [
        `${where}: [${violation.impact}] ${violation.id}: ${violation.help}`,
        ...violation.nodes.map(
          (node) => `    ${JSON.stringify(node.target)}  ${node.html}\n      ${(node.failureSummary ?? '').replace(/\n/g, '\n      ')}`,
        ),
      ].join('\n'),
    )
    .join('\n');
}

async function themedPage(browser: Browser, theme: Theme): Promise<Page> {
  const context = await browser.newContext({ colorScheme: theme });
  // The saved choice wins over the system theme (BaseLayout's inline script); set both.
  await context.addInitScript((saved) => localStorage.setItem('r2p-theme', saved), theme);
  return context.newPage();
}

describe('accessibility', async () => {
  const paths = await sitemapPaths(baseUrl);
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  // One context per theme for the sitemap pages: a page each, sharing the HTTP cache (fonts, styles, scripts).
  const themeContexts = new Map<Theme, Promise<BrowserContext>>();
  async function sitemapPage(theme: Theme): Promise<Page> {
    let context = themeContexts.get(theme);
    if (!context) {
      context = themedPage(browser, theme).then(async (first) => {
        await first.close();
        return first.context();
      });
      themeContexts.set(theme, context);
    }
    return (await context).newPage();
  }

  const cases = paths.flatMap((path) => THEMES.map((theme) => [path, theme] as const));
  it.each(cases)('%s in the %s theme has no serious or critical axe violation', async (path, theme) => {
    const page = await sitemapPage(theme);
    await page.goto(`${baseUrl}${path}`, { waitUntil: 'load' });
    await expect(page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe(theme);
    // Build-time diagrams are in the HTML; wait for fallback ones, if any, to be drawn.
    await page.waitForLoadState('networkidle');
    const violations = await seriousViolations(page);
    expect(violations, describeViolations(`${path} (${theme})`, violations)).toEqual([]);
    await page.close();
  });

  // On a phone most tables and code blocks scroll sideways: each one that does must take focus
  // (ScrollableRegions.astro), or a keyboard user cannot scroll it. Every sitemap page, at 390 px.
  it.each(paths)('%s at 390 px: every region that scrolls sideways can take focus', async (path) => {
    const page = await sitemapPage('light');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${baseUrl}${path}`, { waitUntil: 'load' });
    await page.waitForLoadState('networkidle');
    const scrolling = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('main table, main pre')]
        .filter((region) => region.scrollWidth > region.clientWidth + 1)
        .map((region) => ({ tag: region.tagName, focusable: region.tabIndex >= 0 })),
    );
    expect(scrolling.filter((region) => !region.focusable)).toEqual([]);
    const violations = (await seriousViolations(page)).filter((violation) => violation.id === 'scrollable-region-focusable');
    expect(violations, describeViolations(`${path} at 390 px`, violations)).toEqual([]);
    await page.close();
  });

  it.each(THEMES)('the open search panel in the %s theme has no serious or critical axe violation', async (theme) => {
    const page = await themedPage(browser, theme);
    await page.goto(`${baseUrl}/studies/resnet-34/`, { waitUntil: 'load' });
    await page.locator('#site-search-input').fill('residual');
    await page.locator('[data-search-results] a').first().waitFor({ timeout: 30_000 });
    const violations = await seriousViolations(page, '[data-site-search]');
    expect(violations, describeViolations(`search panel (${theme})`, violations)).toEqual([]);
    await page.context().close();
  });

  it.each(THEMES)('the open phone menu and a citation card in the %s theme have no serious or critical axe violation', async (theme) => {
    const page = await themedPage(browser, theme);
    await page.setViewportSize({ width: 390, height: 844 });
    const study = paths.find(isStudyPage)!;
    await page.goto(`${baseUrl}${study}`, { waitUntil: 'load' });
    await page.locator('[data-menu-button]').click();
    await page.locator('#site-nav a').first().waitFor({ state: 'visible' });
    const menu = await seriousViolations(page, '.site-header');
    expect(menu, describeViolations(`phone menu (${theme})`, menu)).toEqual([]);
    await page.keyboard.press('Escape');
    // A citation's card, opened from the keyboard.
    await page.locator('a[data-cite]').first().focus();
    await page.locator('#cite-card').waitFor({ state: 'visible' });
    await expect(page.locator('a[data-cite]').first().getAttribute('aria-describedby')).resolves.toBe('cite-card');
    await expect(page.locator('#cite-card').textContent()).resolves.toMatch(/\d{4}/);
    const card = await seriousViolations(page, '#cite-card');
    expect(card, describeViolations(`citation card (${theme})`, card)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect(page.locator('#cite-card').isHidden()).resolves.toBe(true);
    await page.context().close();
  });

  describe.runIf(requireModels('resnet50-keras-imagenet', 'imagenet-labels'))('a demo by keyboard only', () => {
    it('/demo/resnet-34/: Tab to a sample, Enter (it runs), Tab to Run, Enter; the result is announced', async () => {
      const context = await browser.newContext();
      const { page } = await openPage(context, baseUrl);
      await page.goto(`${baseUrl}/demo/resnet-34/?backend=wasm`, { waitUntil: 'load' });
      await page.waitForLoadState('networkidle');
      const focused = () =>
        page.evaluate(() => {
          const element = document.activeElement as HTMLElement | null;
          // A keyboard user must see where focus is: an outline on the element, or on the
          // button-styled label that wraps a visually hidden input.
          const shown = (candidate: Element | null | undefined) => {
            if (!candidate) return false;
            const style = getComputedStyle(candidate);
            return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
          };
          const visible = element === document.body || shown(element) || shown(element?.closest('label'));
          const name = `${element?.tagName.toLowerCase()}${element?.id ? `#${element.id}` : ''} ${element?.getAttribute('aria-label') ?? element?.textContent?.trim().slice(0, 40) ?? ''}`;
          return { sample: element?.dataset.sample ?? null, run: element?.hasAttribute('data-run') ?? false, name, visible };
        });
      const unseen = new Set<string>();
      const tabUntil = async (done: (state: Awaited<ReturnType<typeof focused>>) => boolean, what: string) => {
        for (let presses = 0; presses < 60; presses += 1) {
          await page.keyboard.press('Tab');
          const state = await focused();
          if (!state.visible) unseen.add(state.name);
          if (done(state)) return presses + 1;
        }
        throw new Error(`Tab never reached ${what}`);
      };
      // Forwards through the page: the Run button comes before the samples in tab order, so
      // reach a sample first, choose it, then go on (wrapping round) to Run.
      await tabUntil((state) => state.sample !== null, 'a sample');
      const sample = (await focused()).sample!;
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator(`[data-sample="${sample}"]`).getAttribute('aria-pressed'), { timeout: 30_000 }).toBe('true');
      // Choosing a sample runs the demo on it; then Run runs it again from the keyboard.
      await demoResult(page);
      const run = page.locator('[data-run]');
      await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
      const status = page.locator('[data-demo] [data-status]');
      await tabUntil((state) => state.run, 'the Run button');
      expect([...unseen], 'focused elements without a visible focus indicator').toEqual([]);
      await page.locator('[data-demo]').evaluate((root: HTMLElement) => {
        root.dataset.state = 'idle';
      });
      await page.keyboard.press('Enter');
      const result = await demoResult<{ top5: { label: string }[] }>(page);
      expect(result.top5.length).toBe(5);
      // Announced: the status is a polite live region and says the run finished, and on what.
      await expect(status.getAttribute('role')).resolves.toBe('status');
      await expect(status.getAttribute('aria-live')).resolves.toBe('polite');
      await expect(status.textContent()).resolves.toMatch(/^Done on (WASM|WebGPU)/);
      const top5 = page.locator('[data-demo] [data-top5]');
      await expect(top5.getAttribute('aria-live')).resolves.toBe('polite');
      await expect(top5.textContent()).resolves.toContain(result.top5[0]!.label);
      const violations = await seriousViolations(page);
      expect(violations, describeViolations('/demo/resnet-34/ after a run', violations)).toEqual([]);
      await context.close();
    });
  });
});
