/**
 * Reading a study (issue 17), in a real Chromium over every study page of the sitemap:
 * - at 1280 and 390 px wide no study page scrolls sideways and every figure fits its column;
 * - the steps and lineage figures' text is at least 14 px at 1280 px, and every lineage node
 *   links to an entry on the page;
 * - navigation: the header stays on screen, "On this page" marks the section in view, headings
 *   carry anchor links, previous / next links chain the studies, the "try it" link reaches the
 *   demo, the phone menu folds the links into one line of header, the theme cycles light, dark, system.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { isStudyPage, sitemapPaths } from '../helpers/site.ts';

const baseUrl = inject('baseUrl');
const WIDTHS = [1280, 390] as const;
const MIN_FIGURE_TEXT_PX = 14;

describe('reading a study', async () => {
  const studyPaths = (await sitemapPaths(baseUrl)).filter(isStudyPage);
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(path: string, width: number, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: width > 600 ? 720 : 844 }, colorScheme });
    const page = await context.newPage();
    await page.goto(`${baseUrl}${path}`, { waitUntil: 'load' });
    return page;
  }

  it('finds the studies in the sitemap', () => {
    expect(studyPaths.length).toBeGreaterThan(0);
  });

  const cases = studyPaths.flatMap((path) => WIDTHS.map((width) => [path, width] as const));
  it.each(cases)('%s at %i px: nothing scrolls sideways and every figure fits its column', async (path, width) => {
    const page = await open(path, width);
    const layout = await page.evaluate(() => {
      const root = document.documentElement;
      const column = document.querySelector('.study .body') ?? document.querySelector('main')!;
      const columnBox = column.getBoundingClientRect();
      const figures = [...document.querySelectorAll<HTMLElement>('main figure')].map((figure) => {
        const box = figure.getBoundingClientRect();
        // A figure's own scrolling parts (a diagram holder with overflow) count as not fitting.
        const scrollers = [figure, ...figure.querySelectorAll<HTMLElement>('*')].filter(
          (element) =>
            !element.closest('.visually-hidden') &&
            element.scrollWidth > element.clientWidth + 1 &&
            getComputedStyle(element).overflowX !== 'visible',
        );
        return {
          id: figure.id || figure.className,
          left: Math.round(box.left - columnBox.left),
          overRight: Math.round(box.right - columnBox.right),
          scrollers: scrollers.map((element) => `${element.tagName}.${element.className} ${element.scrollWidth}>${element.clientWidth}`),
        };
      });
      return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, figures };
    });
    await page.context().close();
    expect(layout.scrollWidth, `${path} page width at ${width} px`).toBeLessThanOrEqual(layout.clientWidth);
    expect(layout.figures.length).toBeGreaterThanOrEqual(2);
    for (const figure of layout.figures) {
      expect(figure.left, `${figure.id} starts inside the column`).toBeGreaterThanOrEqual(-1);
      expect(figure.overRight, `${figure.id} ends inside the column`).toBeLessThanOrEqual(1);
      expect(figure.scrollers, `${figure.id} scrolls sideways`).toEqual([]);
    }
  });

  it.each(studyPaths)('%s: the steps and lineage figures have text of at least 14 px at 1280 px', async (path) => {
    const page = await open(path, 1280);
    const sizes = await page.evaluate(() =>
      ['#figure-steps', '#figure-lineage'].map((selector) => {
        const figure = document.querySelector(selector);
        if (!figure) return { selector, count: 0, smallest: 0, sample: '' };
        const walker = document.createTreeWalker(figure, NodeFilter.SHOW_TEXT);
        let smallest = Infinity;
        let sample = '';
        let count = 0;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const element = node.parentElement;
          if (!node.textContent?.trim() || !element || element.closest('.visually-hidden')) continue;
          const style = getComputedStyle(element);
          if (style.display === 'none' || style.visibility === 'hidden') continue;
          count += 1;
          const size = parseFloat(style.fontSize);
          if (size < smallest) {
            smallest = size;
            sample = node.textContent.trim().slice(0, 40);
          }
        }
        return { selector, count, smallest, sample };
      }),
    );
    await page.context().close();
    for (const { selector, count, smallest, sample } of sizes) {
      expect(count, `${selector} has text`).toBeGreaterThan(3);
      expect(smallest, `${selector}: smallest text "${sample}"`).toBeGreaterThanOrEqual(MIN_FIGURE_TEXT_PX);
    }
  });

  it.each(studyPaths)('%s: every lineage node links to its entry on the page, papers to their reference', async (path) => {
    const page = await open(path, 1280);
    const nodes = await page.locator('#figure-lineage [data-lineage-node]').evaluateAll((items) =>
      items.map((item) => {
        const link = item.querySelector('a');
        const hash = link ? new URL(link.href).hash.slice(1) : '';
        const target = hash ? document.getElementById(decodeURIComponent(hash)) : null;
        return {
          node: (item as HTMLElement).dataset.lineageNode,
          paper: item.classList.contains('kind-paper'),
          samePage: link ? new URL(link.href).pathname === location.pathname : false,
          hash,
          inReferences: Boolean(target?.closest('ol.references')),
          text: target?.textContent?.trim().slice(0, 40) ?? null,
        };
      }),
    );
    // Every node in the study's lineage is drawn.
    const legend = await page.locator('#figure-lineage .lineage-legend .kind-chip').allTextContents();
    await page.context().close();
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    expect(legend).toContain('Paper');
    for (const node of nodes) {
      expect(node.samePage && node.text, `${node.node} links to an element on the page (#${node.hash})`).toBeTruthy();
      if (node.paper) expect(node.inReferences, `${node.node} links into the reference list`).toBe(true);
    }
  });

  it('keeps the header on screen, marks the section in view and gives headings anchor links', async () => {
    const path = studyPaths[0]!;
    const page = await open(path, 1280);
    const readHeadings = () =>
      page
        .locator('.study .body h2[id]')
        .evaluateAll((list) =>
          list.map((heading) => ({ id: heading.id, anchor: heading.querySelector<HTMLAnchorElement>('a.heading-anchor')?.hash ?? null })),
        );
    // The anchors go in when the browser is idle after load (TableOfContents.astro), at most 1 s later.
    await expect.poll(async () => (await readHeadings()).every((heading) => heading.anchor !== null), { timeout: 10_000 }).toBe(true);
    const headings = await readHeadings();
    expect(headings.length).toBeGreaterThan(3);
    for (const heading of headings) expect(heading.anchor, `anchor on #${heading.id}`).toBe(`#${heading.id}`);
    const target = headings[Math.floor(headings.length / 2)]!.id;
    await page.locator(`nav.toc a[href="#${target}"]`).click();
    await expect
      .poll(() => page.locator('nav.toc a[aria-current="location"]').getAttribute('href'), { timeout: 10_000 })
      .toBe(`#${target}`);
    const header = await page.locator('.site-header').boundingBox();
    expect(header?.y).toBe(0);
    // The heading is below the sticky header, not under it.
    const heading = await page.locator(`#${target}`).boundingBox();
    expect(heading!.y).toBeGreaterThanOrEqual(header!.height - 1);
    await page.context().close();
  });

  it('chains the studies with previous and next links, and offers the demo near the top', async () => {
    const seen = new Set<string>();
    const first = await open(studyPaths[0]!, 1280);
    // Walk back to the first study, then forward through all of them.
    while ((await first.locator('.study-pager a[rel="prev"]').count()) > 0) {
      await first.locator('.study-pager a[rel="prev"]').click();
      await first.waitForLoadState('load');
    }
    for (;;) {
      const here = new URL(first.url()).pathname;
      expect(seen.has(here), `${here} reached twice`).toBe(false);
      seen.add(here);
      const tryLink = first.locator('.study-header [data-try-demo]');
      await expect(tryLink.getAttribute('href')).resolves.toBe('?autorun=1#try-demo');
      await expect(first.locator('#try-demo').count()).resolves.toBe(1);
      if ((await first.locator('.study-pager a[rel="next"]').count()) === 0) break;
      await first.locator('.study-pager a[rel="next"]').click();
      await first.waitForLoadState('load');
    }
    await first.context().close();
    expect([...seen].sort()).toEqual([...studyPaths].sort());
  });

  it('folds the navigation into a menu on a phone', async () => {
    const page = await open(studyPaths[0]!, 390);
    const header = await page.locator('.site-header').boundingBox();
    expect(header!.height, 'header height at 390 px').toBeLessThanOrEqual(72);
    const nav = page.locator('#site-nav');
    await expect(nav.isVisible()).resolves.toBe(false);
    const button = page.locator('[data-menu-button]');
    await button.click();
    await expect(button.getAttribute('aria-expanded')).resolves.toBe('true');
    await expect(nav.locator('a[href="/papers/"]').isVisible()).resolves.toBe(true);
    await nav.locator('a').first().focus();
    await page.keyboard.press('Escape');
    await expect(nav.isVisible()).resolves.toBe(false);
    await expect(page.evaluate(() => document.activeElement?.hasAttribute('data-menu-button'))).resolves.toBe(true);
    await page.context().close();
  });

  it('cycles the theme through light, dark and system, and system follows the operating system', async () => {
    const page = await open('/', 1280, 'dark');
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const toggle = page.locator('[data-theme-toggle]');
    await expect(theme()).resolves.toBe('dark');
    await expect(toggle.getAttribute('data-setting')).resolves.toBe('system');
    await toggle.click();
    await expect(theme()).resolves.toBe('light');
    await toggle.click();
    await expect(theme()).resolves.toBe('dark');
    await toggle.click();
    await expect(toggle.getAttribute('data-setting')).resolves.toBe('system');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(theme).toBe('light');
    await page.reload();
    await expect(theme()).resolves.toBe('light');
    await page.context().close();
  });
});
