/**
 * When a study page's demo starts (src/demos/mount-when-near.ts), on every study on disk:
 * - not while the reader is at the top of the page (its code is not even loaded);
 * - when the reader scrolls near it: it mounts and is ready to run, with no console error;
 * - when the reader reaches into it first by keyboard (focus inside the demo);
 * - at once on the "try it" link's address (?autorun=1#try-demo), which then runs the demo.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { demoResult, launchChromium, openPage } from '../helpers/browser.ts';
import { requireModels } from '../helpers/models.ts';
import { isStudyPage, sitemapPaths } from '../helpers/site.ts';

const baseUrl = inject('baseUrl');

const mountState = (page: Page) => page.locator('[data-demo]').first().getAttribute('data-demo-mount');

describe('a study page starts its demo when the reader gets to it', async () => {
  const studyPaths = (await sitemapPaths(baseUrl)).filter(isStudyPage);
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('has study pages', () => {
    expect(studyPaths.length).toBeGreaterThan(0);
  });

  it.each(studyPaths)('%s: waits at the top, mounts when scrolled near', async (path) => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const { page, problems } = await openPage(context, baseUrl);
      // The demo kinds' code (classifier.ts, face-detection.ts, face-embedding.ts) tells the reader
      // to "press Run"; the loader and the page's own scripts do not.
      const demoScripts: string[] = [];
      page.on('response', async (response) => {
        if (!/\.m?js$/.test(new URL(response.url()).pathname)) return;
        const body = await response.text().catch(() => '');
        if (body.includes('press Run')) demoScripts.push(response.url());
      });
      await page.goto(`${baseUrl}${path}`, { waitUntil: 'load' });
      await page.waitForTimeout(1000);
      await expect(mountState(page)).resolves.toBeNull();
      expect(demoScripts, 'demo code loaded while the reader is at the top').toEqual([]);

      await page.locator('[data-demo]').first().scrollIntoViewIfNeeded();
      await page.locator('[data-demo][data-demo-mount="started"]').first().waitFor({ timeout: 60_000 });
      expect(demoScripts.length, 'demo code loaded once the reader is near').toBeGreaterThan(0);
      // Mounted: the demo took over its controls (the first sample is preselected, Run enabled).
      await page.locator('[data-demo] [data-run]:not([disabled])').first().waitFor({ timeout: 60_000 });
      expect(problems.consoleErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('mounts when the reader moves the keyboard focus into the demo before scrolling to it', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const { page } = await openPage(context, baseUrl);
      await page.goto(`${baseUrl}${studyPaths[0]}`, { waitUntil: 'load' });
      await expect(mountState(page)).resolves.toBeNull();
      // Focus without scrolling, as a screen reader's virtual cursor or a skip link may.
      const focused = await page.evaluate(() => {
        const demo = document.querySelector<HTMLElement>('[data-demo]')!;
        const control = [
          ...demo.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input:not([disabled]), select:not([disabled])'),
        ].find((element) => element.getClientRects().length > 0);
        control?.focus({ preventScroll: true });
        return demo.contains(document.activeElement);
      });
      expect(focused, 'a control inside the demo has the focus').toBe(true);
      await page.locator('[data-demo][data-demo-mount="started"]').first().waitFor({ timeout: 60_000 });
    } finally {
      await context.close();
    }
  });

  it.runIf(requireModels('resnet50-keras-imagenet', 'imagenet-labels'))(
    '/studies/resnet-34/?autorun=1#try-demo (the "try it" link) starts the demo at once and runs it',
    async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      try {
        const { page, problems } = await openPage(context, baseUrl);
        await page.goto(`${baseUrl}/studies/resnet-34/?autorun=1#try-demo`, { waitUntil: 'load' });
        const result = await demoResult<{ top5?: { index: number }[] }>(page);
        expect(result.top5?.length).toBe(5);
        expect(problems.consoleErrors).toEqual([]);
      } finally {
        await context.close();
      }
    },
    300_000,
  );
});
