/**
 * How readers find the studies, against the built site in Chromium:
 * - search: Pagefind loads only once the search box is used; results link studies and their
 *   sections, papers come back as sub-results of /papers/, the keyboard works (/, Down, Up,
 *   Escape, Enter) and the result count is announced;
 * - RSS: /rss.xml lists every published study;
 * - Open Graph: every study page points og:image at a 1200x630 PNG made at build time.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, openPage, type PageProblems } from '../helpers/browser.ts';
import { isStudyPage, sitemapPaths } from '../helpers/site.ts';

const baseUrl = inject('baseUrl');

interface SearchHit {
  url: string;
  title: string;
  subs: string[];
}

describe('search, RSS and Open Graph images', async () => {
  const studyPaths = (await sitemapPaths(baseUrl)).filter(isStudyPage);
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    browser = await launchChromium();
    context = await browser.newContext();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(path: string): Promise<{ page: Page; problems: PageProblems; requests: string[] }> {
    const { page, problems } = await openPage(context, baseUrl);
    const requests: string[] = [];
    page.on('request', (request) => requests.push(new URL(request.url()).pathname));
    await page.goto(`${baseUrl}${path}`, { waitUntil: 'load' });
    return { page, problems, requests };
  }

  const hits = (page: Page) =>
    page.locator('[data-search-results] > li').evaluateAll((items) =>
      items.map((item) => ({
        url: new URL(item.querySelector<HTMLAnchorElement>('a.result-title')!.href).pathname,
        title: item.querySelector('a.result-title')!.textContent ?? '',
        subs: [...item.querySelectorAll<HTMLAnchorElement>('.sub-results a')].map(
          (link) => new URL(link.href).pathname + new URL(link.href).hash,
        ),
      })),
    ) as Promise<SearchHit[]>;

  it('loads Pagefind only when the search box is used, and finds a study by its content', async () => {
    const { page, problems, requests } = await open('/studies/mtcnn/');
    await page.waitForLoadState('networkidle');
    expect(
      requests.filter((path) => path.startsWith('/pagefind/')),
      'search files before the box is used',
    ).toEqual([]);
    const input = page.locator('#site-search-input');
    await input.focus();
    await expect.poll(() => requests.some((path) => path === '/pagefind/pagefind.js')).toBe(true);
    await input.fill('degradation problem residual');
    await page.locator('[data-search-results] a').first().waitFor({ timeout: 30_000 });
    const found = await hits(page);
    expect(found[0]?.url).toBe('/studies/resnet-34/');
    expect(found[0]?.title).toMatch(/ResNet-34/);
    // Sections of the study come as sub-results with anchors.
    expect(found[0]?.subs.every((sub) => sub.startsWith('/studies/resnet-34/#'))).toBe(true);
    await expect(page.locator('[data-search-announce]').textContent()).resolves.toMatch(/\d+ results? for/);
    expect(problems.consoleErrors).toEqual([]);
    expect(problems.failedResponses).toEqual([]);
    await page.close();
  });

  it('returns papers as sub-results of /papers/, linking to their entries', async () => {
    const { page } = await open('/');
    await page.locator('#site-search-input').fill('Labeled Faces in the Wild unconstrained');
    await page.locator('[data-search-results] a').first().waitFor({ timeout: 30_000 });
    const papers = (await hits(page)).find((hit) => hit.url === '/papers/');
    expect(papers, 'a /papers/ result').toBeDefined();
    expect(papers!.subs).toContain('/papers/#huang2007lfw');
    // The anchor exists on the served page.
    await page.goto(`${baseUrl}/papers/#huang2007lfw`);
    await expect(page.locator('#huang2007lfw').textContent()).resolves.toMatch(/Labeled Faces in the Wild/);
    await page.close();
  });

  it('says "No results" for words that are nowhere on the site', async () => {
    const { page } = await open('/');
    const input = page.locator('#site-search-input');
    for (const nonsense of ['xyzzyq', 'qqqzzz']) {
      await input.fill(nonsense);
      await expect
        .poll(() => page.locator('[data-search-status]').textContent(), { timeout: 30_000 })
        .toBe(`No results for “${nonsense}”.`);
      await expect(page.locator('[data-search-results] > li').count()).resolves.toBe(0);
    }
    // A real word still finds pages, including a stemmed form ("networks" finds "network").
    await input.fill('networks');
    await page.locator('[data-search-results] a').first().waitFor({ timeout: 30_000 });
    await page.close();
  });

  it('indexes table cells apart: a table header reads "Model · Backend · Threads", not "ModelBackendThreads"', async () => {
    const { page } = await open('/performance/');
    // A string, so the test runner does not rewrite the page's dynamic import into its own loader.
    const excerpts = (await page.evaluate(`(async () => {
      const pagefind = await import('/pagefind/pagefind.js');
      await pagefind.init();
      const found = await pagefind.search('Backend Threads Measure');
      return Promise.all(found.results.map(async (result) => { const data = await result.data(); return data.excerpt + ' ' + data.content; }));
    })()`)) as string[];
    expect(excerpts.length).toBeGreaterThan(0);
    const text = excerpts.join(' ').replace(/<[^>]+>/g, '');
    expect(text).not.toMatch(/BackendThreads|ThreadsMeasure|ModelBackend/);
    expect(text).toMatch(/Backend · Threads/);
    await page.close();
  });

  it('works by keyboard: / focuses, Down and Up move, Escape closes, Enter opens the first result', async () => {
    const { page } = await open('/papers/');
    await page.keyboard.press('/');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('site-search-input');
    await page.keyboard.type('facenet triplet');
    await page.locator('[data-search-results] a').first().waitFor({ timeout: 30_000 });
    const panel = page.locator('[data-search-panel]');
    await expect(panel.isVisible()).resolves.toBe(true);
    await page.keyboard.press('ArrowDown');
    const first = await page.evaluate(() => (document.activeElement as HTMLAnchorElement).href);
    expect(new URL(first).pathname).toBe((await hits(page))[0]!.url);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await expect(page.evaluate(() => (document.activeElement as HTMLAnchorElement).href)).resolves.toBe(first);
    await page.keyboard.press('ArrowUp');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('site-search-input');
    await page.keyboard.press('Escape');
    await expect(panel.isHidden()).resolves.toBe(true);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('site-search-input');
    await page.keyboard.type(' ');
    await panel.waitFor({ state: 'visible' });
    await Promise.all([page.waitForURL((url) => url.pathname === new URL(first).pathname), page.keyboard.press('Enter')]);
    await page.close();
  });

  it('publishes an RSS feed of every published study', async () => {
    const response = await fetch(`${baseUrl}/rss.xml`);
    expect(response.status).toBe(200);
    const xml = await response.text();
    expect(xml).toMatch(/^<\?xml/);
    const links = [...xml.matchAll(/<item>[\s\S]*?<link>([^<]+)<\/link>[\s\S]*?<\/item>/g)].map((match) => new URL(match[1]!).pathname);
    expect(links.sort()).toEqual([...studyPaths].sort());
    for (const tag of ['title', 'description', 'pubDate'])
      expect(xml.match(new RegExp(`<item>[\\s\\S]*?<${tag}>`, 'g'))?.length).toBe(studyPaths.length);
  });

  it.each(studyPaths.map((path) => [path]))('%s has a 1200x630 Open Graph image', async (path) => {
    const html = await (await fetch(`${baseUrl}${path}`)).text();
    const image = html.match(/<meta property="og:image" content="([^"]+)"/)?.[1];
    expect(image).toBeDefined();
    const imagePath = new URL(image!).pathname;
    expect(imagePath).toBe(`/og/${path.split('/')[2]}.png`);
    const response = await fetch(`${baseUrl}${imagePath}`);
    expect(response.status).toBe(200);
    const png = Buffer.from(await response.arrayBuffer());
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 630]);
    expect(png.length).toBeGreaterThan(10_000);
  });
});
