/**
 * Every page in the sitemap, in a real Chromium: HTTP 200, no console errors, every diagram
 * present as an SVG with text in it, and no request to any origin other than the site's own.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, openPage } from '../helpers/browser.ts';
import { sitemapPaths } from '../helpers/site.ts';

const baseUrl = inject('baseUrl');

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
    if (path.startsWith('/studies/')) expect(diagrams.length).toBeGreaterThanOrEqual(2);
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
