/**
 * A static file server for a built site, with the cross-origin isolation headers the demos
 * need for multi-threaded WASM, and the site's 404 page. Used by the end-to-end tests and the
 * benchmarks (so they can also switch the headers off to measure single-threaded runs).
 */
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import sirv from 'sirv';
import { ISOLATION_HEADERS } from '../src/integrations/r2p.ts';

export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startStaticServer(root: string, options: { port?: number; isolated?: boolean } = {}): Promise<StaticServer> {
  if (!existsSync(join(root, 'index.html'))) throw new Error(`${root} holds no built site (run npm run build first).`);
  const isolated = options.isolated ?? true;
  const serve = sirv(root, {
    dev: false,
    etag: true,
    extensions: ['html'],
    setHeaders(response, path) {
      if (isolated) for (const [name, value] of Object.entries(ISOLATION_HEADERS)) response.setHeader(name, value);
      if (path.endsWith('.wasm')) response.setHeader('Content-Type', 'application/wasm');
      if (path.endsWith('.mjs')) response.setHeader('Content-Type', 'text/javascript');
    },
  });
  const notFound = join(root, '404.html');
  const server = createServer((request, response) => {
    serve(request, response, () => {
      response.statusCode = 404;
      response.setHeader('Content-Type', 'text/html; charset=utf-8');
      if (isolated) for (const [name, value] of Object.entries(ISOLATION_HEADERS)) response.setHeader(name, value);
      if (existsSync(notFound)) createReadStream(notFound).pipe(response);
      else response.end('Not found');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
