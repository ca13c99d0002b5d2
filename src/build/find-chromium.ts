/**
 * Find a Chromium for the browser tests, benchmarks and build-time diagram rendering. Order:
 * the R2P_CHROMIUM environment variable (or CHROMIUM_PATH), then /usr/bin/chromium, then the
 * usual install locations. Returns null when none exists; callers decide whether that is fatal.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/opt/google/chrome/chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export function findChromium(env: Record<string, string | undefined> = process.env): string | null {
  const configured = env.R2P_CHROMIUM || env.CHROMIUM_PATH;
  if (configured) {
    if (existsSync(configured)) return configured;
    throw new Error(`R2P_CHROMIUM points at ${configured}, which does not exist.`);
  }
  return CHROMIUM_CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
}

/**
 * Launch flags: headless without sandbox (CI runs as root), no background traffic to Google's
 * hosts (the network is closed), and WebGPU through SwiftShader where no GPU exists.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
];
