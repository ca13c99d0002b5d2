/**
 * End-to-end setup: build the site once (into dist/, or R2P_OUT_DIR) and serve it on
 * 127.0.0.1 with the cross-origin isolation headers. Tests read the URL with inject('baseUrl').
 * Set R2P_E2E_REUSE_BUILD=1 to skip the build when dist/ is already there (local iteration).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    distDir: string;
    buildSeconds: number;
    /** What `astro build` printed (empty when R2P_E2E_REUSE_BUILD reused an earlier build). */
    buildLog: string;
  }
}

let server: StaticServer | null = null;

export async function setup(project: TestProject): Promise<void> {
  const root = process.cwd();
  const distDir = resolve(root, process.env.R2P_OUT_DIR ?? 'dist');
  let buildSeconds = 0;
  let buildLog = '';
  if (!(process.env.R2P_E2E_REUSE_BUILD && existsSync(join(distDir, 'index.html')))) {
    const started = Date.now();
    // Vitest sets NODE_ENV=test, which would make Vite build with import.meta.env.PROD false
    // (drafts shown, no service worker): the tests must run against a real production build.
    buildLog = execFileSync(process.execPath, [join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    });
    buildSeconds = (Date.now() - started) / 1000;
    console.log(`[e2e] built the site in ${buildSeconds.toFixed(1)} s`);
  }
  server = await startStaticServer(distDir);
  project.provide('baseUrl', server.url);
  project.provide('distDir', distDir);
  project.provide('buildSeconds', buildSeconds);
  project.provide('buildLog', buildLog);
}

export async function teardown(): Promise<void> {
  await server?.close();
}
