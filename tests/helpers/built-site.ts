/**
 * The e2e project's setup file, and the build report for tests that read it. The e2e global
 * setup builds the site in the background (see tests/e2e/global-setup.ts); importing this file
 * waits until that build has ended, so no e2e file starts before dist/ is complete, and an e2e
 * file fails with the build's own output when the build failed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';

export interface BuildReport {
  ok: boolean;
  seconds: number;
  /** What `astro build` printed on stdout (empty when R2P_E2E_REUSE_BUILD reused an earlier build). */
  log: string;
  error: string | null;
}

/** Longest wait for the build: a cold build on a busy 2-core machine takes a few minutes. */
const BUILD_TIMEOUT_MS = 15 * 60_000;

let report: Promise<BuildReport> | null = null;

/** The report of the e2e build, once the build has ended; throws when it failed. */
export function builtSite(): Promise<BuildReport> {
  report ??= (async () => {
    const file = inject('buildReportFile');
    const deadline = Date.now() + BUILD_TIMEOUT_MS;
    while (!existsSync(file)) {
      if (Date.now() > deadline) throw new Error(`The site build did not end within ${BUILD_TIMEOUT_MS / 60_000} minutes.`);
      await sleep(250);
    }
    const result = JSON.parse(readFileSync(file, 'utf8')) as BuildReport;
    if (!result.ok) throw new Error(`The e2e build of the site failed:\n${result.error ?? '(no output)'}`);
    return result;
  })();
  return report;
}

await builtSite();
