/**
 * The bench-only pages (scripts/bench/<section>/page.ts, never shipped in the site): bundled with
 * esbuild into a temporary folder and served, cross-origin isolated so WASM threads work, next to
 * onnxruntime-web's dist (/ort/) and the installed models (/models/) and whatever else a peer needs.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import sirv from 'sirv';
import { ISOLATION_HEADERS } from '../../src/integrations/r2p.ts';

/** Bundle `entry` to dir/bench.js with an index.html that loads it. */
export async function bundleBenchPage(entry: string, dir: string, title: string, external: string[] = []): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(dir, 'bench.js'),
    logLevel: 'error',
    external,
  });
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><p>Bench-only page.</p><script type="module" src="/bench.js"></script></body></html>\n`,
  );
}

/** Serve each URL prefix ('/ort/', ...) from its folder; the first matching prefix wins, so list '/' last. */
export async function serveBenchFolders(
  mounts: readonly [prefix: string, dir: string][],
): Promise<{ url: string; close(): Promise<void> }> {
  const options = { dev: true, etag: false };
  const handlers = mounts.map(([prefix, dir]) => [prefix, sirv(dir, options)] as const);
  const server = createServer((request, response) => {
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) response.setHeader(name, value);
    const url = request.url ?? '/';
    const notFound = () => {
      response.statusCode = 404;
      response.end('Not found');
    };
    const mount = handlers.find(([prefix]) => url.startsWith(prefix));
    if (!mount) return notFound();
    request.url = url.slice(mount[0].length - 1);
    mount[1](request, response, notFound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
