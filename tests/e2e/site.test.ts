/**
 * Every page in the sitemap, in a real Chromium: HTTP 200, no console errors, every mermaid
 * diagram present as an SVG with text in it, study figures numbered, and no request to any origin other than the site's own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, openPage } from '../helpers/browser.ts';
import { builtSite } from '../helpers/built-site.ts';
import { sitemapPaths } from '../helpers/site.ts';

const baseUrl = inject('baseUrl');
const buildLog = (await builtSite()).log;

describe('the build', () => {
  // The build-start prerender reads the studies from disk; if it computed a source that differs
  // from the page's, the page would draw that diagram itself ("N for pages").
  it.skipIf(!buildLog)('draws every generated diagram ahead of the pages, none twice', () => {
    const line = /diagrams: (\d+) SVGs rendered ahead, (\d+) for pages, (\d+) from the cache/.exec(buildLog);
    expect(line, 'the build reports its diagram work').not.toBeNull();
    const [ahead, forPages, cached] = line!.slice(1).map(Number) as [number, number, number];
    // Only authors' ```mermaid blocks (drawn while MDX compiles) are not prerendered.
    const authorBlocks = readdirSync('src/content/studies')
      .filter((name) => name.endsWith('.mdx'))
      .reduce((count, name) => count + (readFileSync(join('src/content/studies', name), 'utf8').match(/^```mermaid/gm)?.length ?? 0), 0);
    expect(forPages).toBeLessThanOrEqual(2 * authorBlocks);
    // The home page's overview and the authors' blocks, each in 2 themes (the studies' steps and
    // lineage figures are HTML, not mermaid).
    expect(ahead + cached).toBeGreaterThanOrEqual(2 * (1 + authorBlocks));
  });
});

describe('every page in the sitemap', async () => {
  const paths = await sitemapPaths(baseUrl);
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    browser = await launchChromium();
    context = await browser.newContext();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('lists the core pages', () => {
    for (const path of [
      '/',
      '/roles/',
      '/papers/',
      '/catalog/',
      '/studies/resnet-34/',
      '/studies/facenet/',
      '/studies/mtcnn/',
      '/demo/mtcnn/',
    ]) {
      expect(paths).toContain(path);
    }
  });

  it.each(paths.map((path) => [path]))('%s renders cleanly', async (path) => {
    const { page, problems } = await openPage(context, baseUrl);
    const response = await page.goto(`${baseUrl}${path}`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    // Diagrams: each figure has an SVG for the active theme, with text in it.
    const diagrams = await page.locator('figure.diagram').all();
    for (const diagram of diagrams) {
      const svg = diagram.locator('svg').first();
      await svg.waitFor({ state: 'attached', timeout: 30_000 });
      expect((await svg.textContent())?.trim().length ?? 0).toBeGreaterThan(3);
    }
    // Study pages: at least the steps and lineage figures (HTML), numbered.
    if (path.startsWith('/studies/')) {
      const figures = await page.locator('main figure.figure, main figure.diagram').count();
      expect(figures).toBeGreaterThanOrEqual(2);
      // Numbered: each figure counts itself and its caption shows the count ("Figure 2.").
      const numbering = await page.locator('main figure.figure, main figure.diagram').evaluateAll((list) =>
        list.map((figure) => {
          const label = figure.querySelector('figcaption .figure-label');
          return {
            increment: getComputedStyle(figure).counterIncrement,
            label: label ? getComputedStyle(label, '::before').content : null,
          };
        }),
      );
      for (const figure of numbering) {
        expect(figure.increment).toBe('figure 1');
        expect(figure.label).toContain('counter(figure)');
      }
    }
    await page.waitForLoadState('networkidle');
    expect(problems.consoleErrors, 'console errors').toEqual([]);
    expect(problems.foreignRequests, 'requests to other origins').toEqual([]);
    expect(problems.failedResponses, 'failed responses').toEqual([]);
    await page.close();
  });

  it('answers an unknown address with the 404 page', async () => {
    const { page } = await openPage(context, baseUrl);
    const response = await page.goto(`${baseUrl}/no-such-page/`);
    expect(response?.status()).toBe(404);
    await expect(page.locator('h1').textContent()).resolves.toMatch(/not found/i);
    await page.close();
  });
});
