/**
 * A static file server for a built site, with the cross-origin isolation headers the demos
 * need for multi-threaded WASM, the headers the build wrote into dist/_headers (the
 * Content-Security-Policy among them), and the site's 404 page. Used by `npm start`, the
 * end-to-end tests and the benchmarks (so they can also switch the isolation headers or the
 * CSP off). tests/helpers/fault-server.ts reuses the _headers reader for its fault switches.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import sirv from 'sirv';
import { ISOLATION_HEADERS } from '../src/integrations/r2p.ts';

export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** One block of a Netlify/Cloudflare-style _headers file: a path pattern and its headers. */
export interface HeaderRule {
  pattern: string;
  headers: [name: string, value: string][];
}

/** Parse a _headers file: a path line, then indented "Name: value" lines; # starts a comment. */
export function parseHeadersFile(text: string): HeaderRule[] {
  const rules: HeaderRule[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      rules.push({ pattern: line.trim(), headers: [] });
      continue;
    }
    const colon = line.indexOf(':');
    const rule = rules.at(-1);
    if (rule && colon > 0) rule.headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return rules;
}

/** Whether a _headers path pattern matches a URL path (`*` matches any run of characters). */
export function headerPatternMatches(pattern: string, pathname: string): boolean {
  const expression = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${expression}$`).test(pathname);
}

/** The headers every matching rule gives a path, later rules overriding earlier ones. */
export function headersForPath(rules: readonly HeaderRule[], pathname: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const rule of rules) {
    if (!headerPatternMatches(rule.pattern, pathname)) continue;
    for (const [name, value] of rule.headers) headers.set(name, value);
  }
  return headers;
}

export interface StaticServerOptions {
  port?: number;
  /** Send the cross-origin isolation headers (default true). */
  isolated?: boolean;
  /** Send the Content-Security-Policy header from _headers (default true). */
  csp?: boolean;
}

export async function startStaticServer(root: string, options: StaticServerOptions = {}): Promise<StaticServer> {
  if (!existsSync(join(root, 'index.html'))) throw new Error(`${root} holds no built site (run npm run build first).`);
  const isolated = options.isolated ?? true;
  const csp = options.csp ?? true;
  const headersFile = join(root, '_headers');
  const rules = existsSync(headersFile) ? parseHeadersFile(readFileSync(headersFile, 'utf8')) : [];
  const fileHeaders = (response: { setHeader(name: string, value: string): unknown }, pathname: string) => {
    for (const [name, value] of headersForPath(rules, pathname)) {
      if (/^cross-origin-/i.test(name) && !isolated) continue;
      if (/^content-security-policy$/i.test(name) && !csp) continue;
      response.setHeader(name, value);
    }
  };
  const serve = sirv(root, {
    dev: false,
    etag: true,
    extensions: ['html'],
    setHeaders(response, path) {
      if (isolated) for (const [name, value] of Object.entries(ISOLATION_HEADERS)) response.setHeader(name, value);
      fileHeaders(response, path.replace(/\/index\.html$/, '/'));
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
      fileHeaders(response, '/404.html');
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
