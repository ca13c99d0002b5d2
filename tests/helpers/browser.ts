/**
 * Chromium for the end-to-end tests and benchmarks, driven by playwright-core with the system
 * browser (never a downloaded one). Under CI a missing browser is an error, not a skip.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../../src/build/find-chromium.ts';

export function requireChromium(): string | null {
  const path = findChromium();
  if (path) return path;
  const message = 'No Chromium found: install Debian\'s "chromium" or set R2P_CHROMIUM to a Chromium binary.';
  if (process.env.CI) throw new Error(message);
  console.warn(`[skip] ${message}`);
  return null;
}

/** Launch the system Chromium; webgpu:false drops --enable-unsafe-webgpu (a browser without WebGPU). */
export async function launchChromium(options: { webgpu?: boolean } = {}): Promise<Browser> {
  const executablePath = requireChromium();
  if (!executablePath) throw new Error('Chromium is not available.');
  const args = options.webgpu === false ? CHROMIUM_ARGS.filter((arg) => arg !== '--enable-unsafe-webgpu') : CHROMIUM_ARGS;
  return chromium.launch({ executablePath, args, headless: true });
}

export interface PageProblems {
  consoleErrors: string[];
  foreignRequests: string[];
  failedResponses: string[];
}

/** Open a page that records console errors and any request to another origin. */
export async function openPage(context: BrowserContext, baseUrl: string): Promise<{ page: Page; problems: PageProblems }> {
  const page = await context.newPage();
  const problems: PageProblems = { consoleErrors: [], foreignRequests: [], failedResponses: [] };
  const origin = new URL(baseUrl).origin;
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.consoleErrors.push(String(error)));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) problems.foreignRequests.push(url);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.failedResponses.push(`${response.status()} ${response.url()}`);
  });
  return { page, problems };
}

/** Wait for a demo to finish and return its data-result (throws with the error text on data-state=error). */
/** Waits for the demo contract's data-ready mark: a file chosen before it could be lost. */
export async function demoReady(page: Page, selector = '[data-demo]', timeout = 60_000): Promise<void> {
  await page.locator(selector).first().and(page.locator('[data-ready="true"]')).waitFor({ timeout });
}

export async function demoResult<T = Record<string, unknown>>(page: Page, selector = '[data-demo]', timeout = 300_000): Promise<T> {
  const root = page.locator(selector).first();
  await root.and(page.locator('[data-state="done"], [data-state="error"]')).waitFor({ timeout });
  const state = await root.getAttribute('data-state');
  const result = JSON.parse((await root.getAttribute('data-result')) ?? '{}') as T & { error?: string };
  if (state === 'error') throw new Error(`Demo ended in error: ${result.error ?? '(no message)'}`);
  return result;
}
