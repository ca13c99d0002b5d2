/**
 * End-to-end setup: build the site (into dist/, or R2P_OUT_DIR) and serve it on 127.0.0.1 with
 * the cross-origin isolation headers. Tests read the URL with inject('baseUrl').
 *
 * The build runs in the background: setup returns at once, so the unit and integration projects
 * (which run first: the e2e project has a later sequence.groupOrder) use the machine while the
 * site builds. The server listens from the start and answers once the build is done; every e2e
 * file waits for the build first (tests/helpers/built-site.ts, the project's setup file), which
 * also fails the file with the build's output when the build fails.
 * Set R2P_E2E_REUSE_BUILD=1 to skip the build when dist/ is already there (local iteration).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.ts';
import type { BuildReport } from '../helpers/built-site.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    distDir: string;
    /** Where the background build writes its BuildReport when it ends (read by tests/helpers/built-site.ts). */
    buildReportFile: string;
  }
}

let front: Server | null = null;
let site: StaticServer | null = null;
let build: ChildProcess | null = null;
let reportDir: string | null = null;

/** Run `astro build` as a child process; resolves with its report (never rejects). */
function buildSite(root: string): Promise<BuildReport> {
  const started = Date.now();
  return new Promise((resolvePromise) => {
    // Vitest sets NODE_ENV=test, which would make Vite build with import.meta.env.PROD false
    // (drafts shown, no service worker): the tests must run against a real production build.
    build = spawn(process.execPath, [join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    let errors = '';
    build.stdout!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    build.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      errors += chunk;
      process.stderr.write(chunk);
    });
    const finish = (ok: boolean, error: string | null) => {
      build = null;
      resolvePromise({ ok, seconds: (Date.now() - started) / 1000, log, error });
    };
    build.on('error', (error) => finish(false, error.message));
    build.on('close', (code, signal) =>
      finish(code === 0, code === 0 ? null : `astro build exited with ${signal ?? `status ${code}`}\n${errors}${log}`.slice(-20_000)),
    );
  });
}

export async function setup(project: TestProject): Promise<void> {
  const root = process.cwd();
  const distDir = resolve(root, process.env.R2P_OUT_DIR ?? 'dist');
  reportDir = mkdtempSync(join(tmpdir(), 'r2p-e2e-build-'));
  const reportFile = join(reportDir, 'report.json');

  // Written whole, then renamed into place: a reader never sees half a report.
  const writeReport = (report: BuildReport) => {
    writeFileSync(`${reportFile}.part`, JSON.stringify(report));
    renameSync(`${reportFile}.part`, reportFile);
  };

  const reuse = Boolean(process.env.R2P_E2E_REUSE_BUILD && existsSync(join(distDir, 'index.html')));
  const built: Promise<BuildReport> = reuse ? Promise.resolve({ ok: true, seconds: 0, log: '', error: null }) : buildSite(root);
  // Requests wait for the build, then go to the static server of the finished site.
  const handler: Promise<((request: IncomingMessage, response: ServerResponse) => void) | null> = built.then(async (report) => {
    if (report.ok) {
      if (!reuse) console.log(`[e2e] built the site in ${report.seconds.toFixed(1)} s`);
      try {
        site = await startStaticServer(distDir);
        const listener = site.server.listeners('request')[0] as (request: IncomingMessage, response: ServerResponse) => void;
        writeReport(report);
        return listener;
      } catch (error) {
        report = { ...report, ok: false, error: `The built site cannot be served: ${(error as Error).message}` };
      }
    }
    writeReport(report);
    return null;
  });

  front = createServer((request, response) => {
    void handler.then((listener) => {
      if (listener) return listener(request, response);
      response.statusCode = 503;
      response.end('The site build failed.');
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    front!.once('error', reject);
    front!.listen(0, '127.0.0.1', () => resolveListen());
  });
  const address = front.address();
  if (!address || typeof address !== 'object') throw new Error('The e2e server has no address.');
  project.provide('baseUrl', `http://127.0.0.1:${address.port}`);
  project.provide('distDir', distDir);
  project.provide('buildReportFile', reportFile);
}

export async function teardown(): Promise<void> {
  // A run stopped before the e2e files (a failure with --bail, Ctrl-C) leaves no build behind.
  build?.kill();
  front?.closeAllConnections();
  await new Promise<void>((resolveClose) => (front ? front.close(() => resolveClose()) : resolveClose()));
  site?.server.closeAllConnections();
  await site?.close();
  if (reportDir) rmSync(reportDir, { recursive: true, force: true });
}
