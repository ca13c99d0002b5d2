/**
 * A static server for the built site with switches that reproduce what real hosts do wrong, for
 * the fault-injection tests (tests/e2e/faults.test.ts). Unlike scripts/static-server.ts it is
 * written out by hand so that every header and byte is under the test's control:
 *
 * - spaFallback: a missing file is answered 200 with index.html (a common single-page-app setting).
 * - lastModified: `Last-Modified` and no `Cache-Control` or `ETag` (nginx and Apache defaults), so the
 *   browser's HTTP cache keeps files by heuristic freshness; If-Modified-Since is honoured (304).
 * - dropAfter(path, bytes): send the full Content-Length, then cut the connection after that many bytes.
 * - isolated: the cross-origin isolation headers (on by default).
 * - csp: the Content-Security-Policy the build wrote into dist/_headers (on by default).
 * - remove / corrupt / replace / restore: change what a path serves between page loads, without
 *   touching the files on disk (each change gets its own Last-Modified).
 *
 * Every switch can be flipped while the server runs; requests are logged per path.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { ISOLATION_HEADERS } from '../../src/integrations/r2p.ts';
import { headersForPath, parseHeadersFile, type HeaderRule } from '../../scripts/static-server.ts';

export interface FaultSwitches {
  spaFallback: boolean;
  lastModified: boolean;
  isolated: boolean;
  csp: boolean;
}

export interface FaultServer {
  url: string;
  server: Server;
  switches: FaultSwitches;
  /** Serve 404 (or the SPA fallback) for this path from now on. */
  remove(path: string): void;
  /** Serve these bytes for this path from now on, with a new Last-Modified. */
  replace(path: string, bytes: Uint8Array, lastModified?: Date): void;
  /** Serve the file with some bytes flipped (same size), with a new Last-Modified. */
  corrupt(path: string, lastModified?: Date): void;
  /** Serve the file on disk again, with a new Last-Modified unless one is given. */
  restore(path: string, lastModified?: Date): void;
  /** Cut the connection after this many body bytes (null: stop doing so). */
  dropAfter(path: string, bytes: number | null): void;
  /** Requests seen per path (pathname only), with their status. */
  log: { path: string; status: number; range?: string }[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.onnx': 'application/octet-stream',
  '.pf_meta': 'application/octet-stream',
  '.pf_index': 'application/octet-stream',
  '.pf_fragment': 'application/octet-stream',
  '.pagefind': 'application/octet-stream',
};

interface Override {
  bytes: Uint8Array | null;
  lastModified: Date;
}

/** A Last-Modified far enough in the past that the heuristic freshness lasts for weeks. */
function oldDate(offsetSeconds = 0): Date {
  return new Date(Date.UTC(2020, 0, 1) + offsetSeconds * 1000);
}

export async function startFaultServer(root: string, initial: Partial<FaultSwitches> = {}): Promise<FaultServer> {
  if (!existsSync(join(root, 'index.html'))) throw new Error(`${root} holds no built site (run npm run build first).`);
  const switches: FaultSwitches = { spaFallback: false, lastModified: false, isolated: true, csp: true, ...initial };
  const overrides = new Map<string, Override>();
  const drops = new Map<string, number>();
  const log: FaultServer['log'] = [];
  const headersFile = join(root, '_headers');
  const rules: HeaderRule[] = existsSync(headersFile) ? parseHeadersFile(readFileSync(headersFile, 'utf8')) : [];
  // Each change gets a later Last-Modified, still years old.
  let changes = 0;
  const nextDate = () => oldDate(++changes * 86_400);

  /** The file on disk a URL path names, or null. */
  function diskFile(pathname: string): string | null {
    const relative = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, '');
    const candidates = pathname.endsWith('/')
      ? [join(root, relative, 'index.html')]
      : [join(root, relative), join(root, `${relative}.html`)];
    return candidates.find((file) => existsSync(file) && statSync(file).isFile()) ?? null;
  }

  function resolve(pathname: string): { bytes: Uint8Array; type: string; lastModified: Date } | null {
    const override = overrides.get(pathname);
    const file = diskFile(pathname);
    const type = TYPES[extname(file ?? pathname)] ?? 'application/octet-stream';
    if (override) return override.bytes ? { bytes: override.bytes, type, lastModified: override.lastModified } : null;
    if (!file) return null;
    return { bytes: readFileSync(file), type, lastModified: oldDate() };
  }

  function commonHeaders(response: ServerResponse, pathname: string, type: string): void {
    if (switches.isolated) for (const [name, value] of Object.entries(ISOLATION_HEADERS)) response.setHeader(name, value);
    for (const [name, value] of headersForPath(rules, pathname)) {
      if (/^content-security-policy$/i.test(name) && !(switches.csp && type.startsWith('text/html'))) continue;
      if (/^cross-origin-/i.test(name)) continue;
      if (/^cache-control$/i.test(name) && switches.lastModified) continue;
      response.setHeader(name, value);
    }
    if (!switches.lastModified && !response.hasHeader('Cache-Control')) response.setHeader('Cache-Control', 'no-cache');
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const pathname = url.pathname;
    let found = resolve(pathname);
    let status = 200;
    if (!found) {
      const fallback = switches.spaFallback ? resolve('/index.html') : resolve('/404.html');
      if (!fallback) {
        response.statusCode = 404;
        response.end('Not found');
        log.push({ path: pathname, status: 404 });
        return;
      }
      found = fallback;
      status = switches.spaFallback ? 200 : 404;
    }
    commonHeaders(response, pathname, found.type);
    response.setHeader('Content-Type', found.type);
    if (switches.lastModified) {
      response.setHeader('Last-Modified', found.lastModified.toUTCString());
      const since = request.headers['if-modified-since'];
      if (status === 200 && since && Date.parse(since) >= found.lastModified.getTime()) {
        response.statusCode = 304;
        response.end();
        log.push({ path: pathname, status: 304 });
        return;
      }
    }
    response.statusCode = status;
    response.setHeader('Content-Length', String(found.bytes.length));
    log.push({ path: pathname, status });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const cut = drops.get(pathname);
    if (cut !== undefined && cut < found.bytes.length) {
      response.write(found.bytes.subarray(0, cut), () => {
        // Let the bytes leave, then cut the connection as a dropped network would.
        setTimeout(() => response.socket?.destroy(), 50);
      });
      return;
    }
    response.end(found.bytes);
  }

  const server = createServer(handle);
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const diskBytes = (path: string) => {
    const file = diskFile(path);
    if (!file) throw new Error(`fault server: no file for ${path}`);
    return readFileSync(file);
  };
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    switches,
    log,
    remove: (path) => overrides.set(path, { bytes: null, lastModified: nextDate() }),
    replace: (path, bytes, lastModified) => overrides.set(path, { bytes, lastModified: lastModified ?? nextDate() }),
    corrupt: (path, lastModified) => {
      const bytes = new Uint8Array(diskBytes(path));
      // Flip bytes in the middle: same size, different hash.
      for (let i = 0; i < 64; i++) bytes[Math.floor(bytes.length / 2) + i]! ^= 0xff;
      overrides.set(path, { bytes, lastModified: lastModified ?? nextDate() });
    },
    restore: (path, lastModified) => overrides.set(path, { bytes: diskBytes(path), lastModified: lastModified ?? nextDate() }),
    dropAfter: (path, bytes) => (bytes === null ? drops.delete(path) : drops.set(path, bytes)),
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
