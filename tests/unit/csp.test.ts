/**
 * The Content-Security-Policy generated at build (src/integrations/csp.ts) and the _headers
 * reader of the static servers (scripts/static-server.ts).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildPolicy,
  cspHash,
  decodeCharacterReferences,
  inlineScripts,
  inlineStyles,
  insertPolicyMeta,
  mergeNeeds,
  pageNeeds,
} from '../../src/integrations/csp.ts';
import { headerPatternMatches, headersForPath, parseHeadersFile } from '../../scripts/static-server.ts';

const page = `<!doctype html><html><head><meta charset="utf-8"><title>x</title>
<script>document.documentElement.dataset.theme='dark'</script>
<script type="module" src="/_astro/a.js"></script>
<script type="module">import"/_astro/b.js";</script>
<script type="application/ld+json">{"@type":"Article"}</script>
<style>body{color:red}</style></head><body>
<svg viewBox="0 0 1 1"><style>#m .edge&gt;path{stroke:#333}</style><g style="stroke-width:2px"></g></svg>
</body></html>`;

describe('hashes of what the page runs inline', () => {
  it('hashes inline scripts that run, not external or data scripts', () => {
    expect(inlineScripts(page)).toEqual(["document.documentElement.dataset.theme='dark'", 'import"/_astro/b.js";']);
  });

  it('hashes <style> text as the browser sees it: raw in HTML, decoded inside SVG', () => {
    expect(inlineStyles(page)).toEqual(['body{color:red}', '#m .edge>path{stroke:#333}']);
    expect(decodeCharacterReferences('a&gt;b &amp; &#x41;&#66; &unknown;')).toBe('a>b & AB &unknown;');
  });

  it("writes CSP's 'sha256-<base64>' form", () => {
    const expected = createHash('sha256').update('body{color:red}').digest('base64');
    expect(cspHash('body{color:red}')).toBe(`'sha256-${expected}'`);
  });
});

describe('the policy', () => {
  const needs = pageNeeds(page);

  it('allows only the site, the inline hashes and WebAssembly, and says so for every directive asked for', () => {
    const policy = buildPolicy(needs);
    const directives = new Map(policy.split('; ').map((directive) => [directive.split(' ')[0]!, directive]));
    expect(directives.get('default-src')).toBe("default-src 'self'");
    expect(directives.get('script-src')).toBe(`script-src 'self' 'wasm-unsafe-eval' ${needs.scriptHashes.join(' ')}`);
    expect(directives.get('script-src')).not.toMatch(/'unsafe-inline'|\s'unsafe-eval'|\*/);
    expect(needs.scriptHashes).toHaveLength(2);
    expect(directives.get('style-src')).toBe(`style-src 'self' ${needs.styleHashes.join(' ')}`);
    expect(directives.get('worker-src')).toBe("worker-src 'self' blob:");
    expect(directives.get('img-src')).toBe("img-src 'self' data: blob:");
    expect(directives.get('connect-src')).toBe("connect-src 'self'");
    expect(directives.get('object-src')).toBe("object-src 'none'");
    expect(directives.get('base-uri')).toBe("base-uri 'self'");
  });

  it("gives a page whose diagrams are drawn in the browser 'unsafe-inline' styles instead of hashes", () => {
    const client = pageNeeds(page.replace('<body>', '<body><figure data-diagram="client"></figure>'));
    expect(buildPolicy(client)).toMatch(/style-src 'self' 'unsafe-inline';/);
    expect(buildPolicy(client)).not.toMatch(/style-src[^;]*sha256/);
  });

  it('merges the pages for the site-wide header', () => {
    const other = pageNeeds('<html><head><script>other()</script></head></html>');
    const merged = mergeNeeds([needs, other]);
    expect(merged.scriptHashes).toEqual([...new Set([...needs.scriptHashes, cspHash('other()')])].sort());
  });

  it('goes first in <head>, right after the charset, once', () => {
    const once = insertPolicyMeta(page, "default-src 'self'");
    const twice = insertPolicyMeta(once, "default-src 'none'");
    expect(twice.match(/http-equiv="Content-Security-Policy"/g)).toHaveLength(1);
    expect(twice).toContain(`<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'">`);
    expect(twice.indexOf('Content-Security-Policy')).toBeLessThan(twice.indexOf('<script'));
  });
});

describe('the _headers file', () => {
  const rules = parseHeadersFile(`/*
  Cross-Origin-Opener-Policy: same-origin
# a comment
/ort/*
  Cache-Control: public, max-age=31536000, immutable

/sw.js
  Cache-Control: no-cache
/*
  Content-Security-Policy: default-src 'self'; script-src 'self'
`);

  it('reads blocks of path and headers', () => {
    expect(rules.map((rule) => rule.pattern)).toEqual(['/*', '/ort/*', '/sw.js', '/*']);
    expect(rules[3]!.headers).toEqual([['Content-Security-Policy', "default-src 'self'; script-src 'self'"]]);
  });

  it('matches paths with * and applies every matching block', () => {
    expect(headerPatternMatches('/ort/*', '/ort/x.wasm')).toBe(true);
    expect(headerPatternMatches('/ort/*', '/orts/x.wasm')).toBe(false);
    expect(headerPatternMatches('/sw.js', '/sw.jsx')).toBe(false);
    const headers = headersForPath(rules, '/ort/x.wasm');
    expect(headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect(headers.get('Content-Security-Policy')).toMatch(/^default-src/);
    expect(headersForPath(rules, '/demo/mtcnn/').has('Cache-Control')).toBe(false);
  });
});
