/**
 * Demos fit the screens they are used on, for every demo page in the built site's sitemap:
 * - phones (360x740, 390x844): nothing wider than the viewport, the Run button and the result inside
 *   its width, the Run button on the first screen;
 * - a projector (1280x720) and a large one (1920x1080): stage pages show the image and the
 *   result side by side above the fold (the whole image, and the start of the result beside it).
 * Stage pages run their demo once (WASM, first sample) so the result really is on screen; study
 * pages are checked for the demo section itself, which is the part the demo owns.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { demoResult, launchChromium } from '../helpers/browser.ts';
import { sitemapPaths } from '../helpers/site.ts';

const baseUrl = inject('baseUrl');

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Pages of the sitemap that hold a demo: stage pages (/demo/…) and the studies that embed one. */
async function demoPages(): Promise<{ stage: string[]; embedded: string[] }> {
  const paths = await sitemapPaths(baseUrl);
  const stage: string[] = [];
  const embedded: string[] = [];
  for (const path of paths) {
    const html = await (await fetch(`${baseUrl}${path}`)).text();
    if (!html.includes('data-demo=')) continue;
    (path.startsWith('/demo/') ? stage : embedded).push(path);
  }
  return { stage, embedded };
}

async function box(page: Page, selector: string): Promise<Box | null> {
  return page.evaluate((selector) => {
    const element = [...document.querySelectorAll(selector)].find((candidate) => candidate.getClientRects().length > 0);
    if (!element) return null;
    const rect = element.getBoundingClientRect();
    return { left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom };
  }, selector);
}

const viewport = (page: Page) => page.evaluate(() => ({ width: innerWidth, height: innerHeight }));
const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe('demo layouts', () => {
  let browser: Browser;
  let context: BrowserContext;
  let pages: { stage: string[]; embedded: string[] };

  beforeAll(async () => {
    browser = await launchChromium();
    // One context: the models are downloaded once and come from the cache on later pages.
    context = await browser.newContext();
    pages = await demoPages();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /**
   * Each stage page runs its demo once (at the first size tested) and is then resized for the
   * other sizes: the demos lay out with CSS alone (no script reads the viewport), so a resized
   * page lays out as a page opened at that size, without a model run per size.
   */
  const stagePages = new Map<string, Page>();
  async function stagePage(path: string, size: { width: number; height: number }): Promise<Page> {
    let page = stagePages.get(path);
    if (page) {
      await page.setViewportSize(size);
      return page;
    }
    page = await context.newPage();
    stagePages.set(path, page);
    await page.setViewportSize(size);
    await page.goto(`${baseUrl}${path}?backend=wasm&autorun=1`);
    return page;
  }

  it('finds the demo pages in the sitemap', () => {
    expect(pages.stage.length).toBeGreaterThan(0);
    expect(pages.embedded.length).toBeGreaterThan(0);
  });

  for (const size of [
    { width: 360, height: 740 },
    { width: 390, height: 844 },
    { width: 1280, height: 720 },
    { width: 1920, height: 1080 },
  ]) {
    const label = `${size.width}x${size.height}`;

    it(`stage pages at ${label}: no horizontal overflow, Run and result on screen`, async () => {
      for (const path of pages.stage) {
        const page = await stagePage(path, size);
        const result = await demoResult(page).catch((error: Error) => ({ error: error.message }));
        expect(result, `${path} ran`).not.toHaveProperty('error');
        await page.evaluate(() => window.scrollTo(0, 0));
        const { width, height } = await viewport(page);
        expect(await scrollWidth(page), `${path} at ${label}: page width`).toBeLessThanOrEqual(width);

        const run = (await box(page, '[data-run]'))!;
        expect(run, `${path}: Run button`).not.toBeNull();
        expect(run.left, `${path}: Run button left`).toBeGreaterThanOrEqual(0);
        expect(run.right, `${path}: Run button right`).toBeLessThanOrEqual(width);
        expect(run.bottom, `${path}: Run button on the first screen`).toBeLessThanOrEqual(height);

        const view = (await box(page, '[data-result-view]'))!;
        expect(view, `${path}: result`).not.toBeNull();
        expect(view.left, `${path}: result left`).toBeGreaterThanOrEqual(0);
        expect(view.right, `${path}: result right`).toBeLessThanOrEqual(width);

        if (size.width >= 1280) {
          // Above the fold, side by side: the whole image, and the result beginning beside it.
          const image = (await box(page, '[data-preview]'))!;
          expect(image.bottom, `${path}: image bottom at ${label}`).toBeLessThanOrEqual(height);
          expect(view.top, `${path}: result top at ${label}`).toBeLessThanOrEqual(height - 48);
          expect(view.left, `${path}: result beside the image`).toBeGreaterThanOrEqual(image.right - 1);
        }
      }
    });

    if (size.width > 1280) continue;
    it(`study pages at ${label}: the demo section fits the width`, async () => {
      const page = await context.newPage();
      await page.setViewportSize(size);
      try {
        for (const path of pages.embedded) {
          await page.goto(`${baseUrl}${path}`);
          const demo = page.locator('[data-demo]').first();
          await demo.scrollIntoViewIfNeeded();
          // The first sample is preselected: the page opens ready to run.
          await demo.locator('[data-run]:not([disabled])').waitFor();
          const { width } = await viewport(page);
          const overflow = await demo.evaluate((root, width) => {
            const rect = root.getBoundingClientRect();
            // Content that scrolls inside a box that fits (a wide table) is fine; a box that does not fit is not.
            const insideScroller = (element: Element) => {
              for (let parent = element.parentElement; parent && parent !== root; parent = parent.parentElement) {
                if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(parent).overflowX)) {
                  return parent.getBoundingClientRect().right <= width + 0.5;
                }
              }
              return false;
            };
            const wide = [...root.querySelectorAll('*')]
              .filter((element) => {
                const r = element.getBoundingClientRect();
                return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5) && !insideScroller(element);
              })
              .map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join('.')}`);
            return { left: rect.left, right: rect.right, inner: root.scrollWidth - root.clientWidth, wide };
          }, width);
          expect(overflow.wide, `${path} at ${label}: elements wider than the viewport`).toEqual([]);
          expect(overflow.right, `${path}: demo right edge`).toBeLessThanOrEqual(width);
          expect(overflow.inner, `${path}: demo content wider than the demo`).toBeLessThanOrEqual(0);
          const run = (await box(page, '[data-demo] [data-run]'))!;
          expect(run.right, `${path}: Run button right`).toBeLessThanOrEqual(width);
          const view = (await box(page, '[data-demo] [data-output]'))!;
          expect(view.right, `${path}: result right`).toBeLessThanOrEqual(width);
        }
      } finally {
        await page.close();
      }
    });
  }
});
