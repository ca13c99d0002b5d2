/**
 * The site's Content-Security-Policy, generated after every build from the HTML actually written,
 * so the hashes always match what ships:
 * - every page gets a <meta http-equiv="Content-Security-Policy"> (first thing in <head>) with
 *   the hashes of its own inline scripts and <style> elements;
 * - dist/_headers gets one `/*` policy whose hash lists are the union over all pages, for hosts
 *   that read that file (Netlify, Cloudflare Pages) and for scripts/static-server.ts. Workers and
 *   the service worker take their policy from this header (a <meta> does not reach them).
 *
 * Why not Astro's `security.csp`: it hashes the scripts and styles Astro bundles, but not
 * `is:inline` scripts (the theme script), nor the <style> elements inside the diagrams' build-time
 * SVGs, and it writes no header file for a static host. Both policies are enforced together; the
 * header is the looser one, each page's meta is exact.
 *
 * Measured on this site (Chromium, both policies enforced): the diagrams rendered at build carry
 * 82 distinct style="" attributes (mermaid's strokes and label layout); without
 * `style-src-attr 'unsafe-inline'` the home page reports 124 violations and a study page 560, so
 * style attributes are allowed while <style> elements need their hashes. A page whose diagrams
 * fall back to the browser (no Chromium at build, or R2P_DIAGRAMS=client) lets mermaid inject
 * <style> elements at run time (8 blocked on the home page, 14 on the MTCNN study without
 * 'unsafe-inline'), so that page's style-src gets 'unsafe-inline' instead of hashes (the build
 * warns). Scripts never get 'unsafe-inline'.
 * WebAssembly (onnxruntime-web, Pagefind) needs 'wasm-unsafe-eval'; onnxruntime's threads and the
 * inference worker are same-origin scripts or blobs.
 *
 * This integration must run before the service-worker integration: the offline manifest hashes
 * the final HTML.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

/** Directives every page shares (script-src and style-src-elem get the page's hashes). */
export const BASE_DIRECTIVES: readonly string[] = [
  "default-src 'self'",
  "worker-src 'self' blob:",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "style-src-attr 'unsafe-inline'",
];

/** What a page needs from the policy. */
export interface PageNeeds {
  scriptHashes: string[];
  styleHashes: string[];
  /** Diagrams drawn in the browser: mermaid injects <style> elements at run time. */
  clientStyles: boolean;
}

/** CSP source expression for some text: 'sha256-<base64>'. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Decode the character references the HTML parser resolves in foreign (SVG) content. */
export function decodeCharacterReferences(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return named[name.toLowerCase()] ?? whole;
  });
}

/** Text ranges of <svg>…</svg> elements (their <style> children are not raw text). */
function svgRanges(html: string): [number, number][] {
  const ranges: [number, number][] = [];
  const pattern = /<svg\b[\s\S]*?<\/svg>/gi;
  for (const match of html.matchAll(pattern)) ranges.push([match.index, match.index + match[0].length]);
  return ranges;
}

/** The text of every inline script that runs (no src; a JavaScript or module type). */
export function inlineScripts(html: string): string[] {
  const scripts: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const attributes = match[1] ?? '';
    if (/\ssrc\s*=/i.test(attributes)) continue;
    const type = attributes.match(/\stype\s*=\s*["']?([^"'\s>]+)/i)?.[1]?.toLowerCase();
    if (type && !['module', 'text/javascript', 'application/javascript'].includes(type)) continue;
    scripts.push(match[2] ?? '');
  }
  return scripts;
}

/** The text of every <style> element as the browser sees it (character references decoded inside SVG). */
export function inlineStyles(html: string): string[] {
  const ranges = svgRanges(html);
  const styles: string[] = [];
  for (const match of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) {
    const inSvg = ranges.some(([start, end]) => match.index > start && match.index < end);
    let text = match[1] ?? '';
    if (inSvg) text = decodeCharacterReferences(text.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1'));
    styles.push(text);
  }
  return styles;
}

/** What a built page needs from the policy. */
export function pageNeeds(html: string): PageNeeds {
  const unique = (values: string[]) => [...new Set(values)].sort();
  return {
    scriptHashes: unique(inlineScripts(html).map(cspHash)),
    styleHashes: unique(inlineStyles(html).map(cspHash)),
    clientStyles: /\sdata-diagram="client"/.test(html),
  };
}

/** The policy text for some needs. */
export function buildPolicy(needs: PageNeeds): string {
  const script = ["script-src 'self' 'wasm-unsafe-eval'", ...needs.scriptHashes].join(' ');
  // Hashes and 'unsafe-inline' do not mix (hashes switch it off): a page with run-time styles gets the latter only.
  const styleSources = needs.clientStyles ? ["'unsafe-inline'"] : needs.styleHashes;
  const style = ["style-src 'self'", ...styleSources].join(' ');
  return [...BASE_DIRECTIVES.slice(0, 1), script, style, ...BASE_DIRECTIVES.slice(1)].join('; ');
}

/** The union of several pages' needs (for the site-wide header). */
export function mergeNeeds(all: readonly PageNeeds[]): PageNeeds {
  const merged = (key: 'scriptHashes' | 'styleHashes') => [...new Set(all.flatMap((needs) => needs[key]))].sort();
  return {
    scriptHashes: merged('scriptHashes'),
    styleHashes: merged('styleHashes'),
    clientStyles: all.some((needs) => needs.clientStyles),
  };
}

/** Put the policy first in <head> (a meta policy covers only what comes after it); replaces an earlier one. */
export function insertPolicyMeta(html: string, policy: string): string {
  const escaped = policy.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  const meta = `<meta http-equiv="Content-Security-Policy" content="${escaped}">`;
  const cleaned = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/i, '');
  const charset = cleaned.match(/<meta\s+charset=["']?[^"'>]+["']?\s*\/?>/i);
  if (charset) {
    const at = (charset.index ?? 0) + charset[0].length;
    return cleaned.slice(0, at) + meta + cleaned.slice(at);
  }
  const head = cleaned.match(/<head\b[^>]*>/i);
  if (!head) throw new Error('CSP: a page without <head> cannot carry a policy');
  const at = (head.index ?? 0) + head[0].length;
  return cleaned.slice(0, at) + meta + cleaned.slice(at);
}

/** The _headers block that sends the site-wide policy. */
export function headersBlock(policy: string): string {
  return `\n# Content-Security-Policy, written by src/integrations/csp.ts at build time\n/*\n  Content-Security-Policy: ${policy}\n`;
}

function htmlFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.html')) found.push(join(entry.parentPath, entry.name));
  }
  return found.sort();
}

/** Write every page's meta policy and the site-wide header; returns what it did. */
export function applyCsp(outDir: string): { pages: number; clientStylePages: string[]; policy: string } {
  const all: PageNeeds[] = [];
  const clientStylePages: string[] = [];
  for (const file of htmlFiles(outDir)) {
    const html = readFileSync(file, 'utf8');
    if (!/<head\b/i.test(html)) continue;
    const needs = pageNeeds(html);
    if (needs.clientStyles) clientStylePages.push(file.slice(outDir.length));
    all.push(needs);
    writeFileSync(file, insertPolicyMeta(html, buildPolicy(needs)));
  }
  const policy = buildPolicy(mergeNeeds(all));
  const headers = join(outDir, '_headers');
  if (existsSync(headers) && /^\s+Content-Security-Policy\s*:/im.test(readFileSync(headers, 'utf8'))) {
    throw new Error(`${headers} already has a Content-Security-Policy: leave it to src/integrations/csp.ts`);
  }
  appendFileSync(headers, headersBlock(policy));
  return { pages: all.length, clientStylePages, policy };
}

export default function csp(): AstroIntegration {
  return {
    name: 'r2p-csp',
    hooks: {
      'astro:build:done': ({ dir, logger }) => {
        const { pages, clientStylePages, policy } = applyCsp(fileURLToPath(dir));
        logger.info(`Content-Security-Policy on ${pages} pages and in _headers (${policy.length} characters)`);
        if (clientStylePages.length > 0) {
          logger.warn(
            `diagrams drawn in the browser on ${clientStylePages.join(', ')}: their policy allows inline styles (install Chromium to render diagrams at build time)`,
          );
        }
      },
    },
  };
}
