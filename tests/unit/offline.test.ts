/**
 * The offline manifest (src/site/offline.ts): what a demo page needs, how the version follows
 * content, and the rule that a cached model whose pin the catalog does not list is never served.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  MANIFEST_PLACEHOLDER,
  MODEL_CACHE_NAME,
  OFFLINE_CACHE_PREFIX,
  buildOfflineManifest,
  cssReferences,
  demoModelEntries,
  htmlReferences,
  isServableModelUrl,
  jsReferences,
  pagePath,
  pinnedModelUrl,
  readDemoDeclaration,
  renderServiceWorker,
  isVerifiedCopy,
  OFFLINE_OPT_IN_KEY,
  OfflineManifestError,
  responseProblem,
  staleCaches,
  staleModelUrls,
  type ManifestInput,
  type OfflineFile,
} from '../../src/site/offline.ts';
import { MODEL_CATALOG, getModel } from '../../src/models/catalog.ts';
import { modelRequestUrl } from '../../src/inference/runtime/model-fetch.ts';
import { ORT_RUNTIME_FILES } from '../../src/integrations/r2p.ts';

const PNET = getModel('mtcnn-pnet');
const RESNET50 = getModel('resnet50-keras-imagenet');

const stageHtml = (study: string, models: string, samples: string, extra = '') => `<!doctype html><html><head>
<link rel="canonical" href="https://example.org/demo/${study}/">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="alternate" type="application/rss+xml" href="/rss.xml">
<link rel="stylesheet" href="/_astro/BaseLayout.abc.css">
<script type="module" src="/_astro/Demo.def.js"></script>
${extra}</head><body>
<p class="offline-status" data-offline data-offline-demo="${study}" data-offline-models="${models}" data-offline-samples="${samples}" data-offline-state="idle"></p>
<a href="/studies/${study}/">back</a>
<img src="/samples/astronaut.png" alt=""></body></html>`;

/** A small fake build output. */
function fakeBuild(overrides: Record<string, string> = {}): ManifestInput & { texts: Record<string, string> } {
  const texts: Record<string, string> = {
    '/demo/mtcnn/index.html': stageHtml('mtcnn', 'mtcnn-pnet mtcnn-rnet mtcnn-onet', 'astronaut camera'),
    '/demo/resnet-34/index.html': stageHtml('resnet-34', 'resnet34-v1-7 resnet50-keras-imagenet', 'chelsea'),
    '/index.html': '<html><script type="module" src="/_astro/Home.js"></script></html>',
    '/_astro/BaseLayout.abc.css':
      '@font-face{src:url(/_astro/inter.woff2) format("woff2")}body{background:url("data:image/png;base64,AAAA")}',
    '/_astro/Demo.def.js':
      'import{a as b}from"./shared.1.js";import"./side.2.js";const w=new Worker(new URL(`/_astro/worker-3.js`,``+import.meta.url),{type:`module`});',
    '/_astro/shared.1.js': 'export{x as a};const lazy=()=>import("./lazy.4.js");',
    '/_astro/side.2.js': 'console.log("import(not a string)")',
    '/_astro/worker-3.js': 'const wasm=new URL(`/_astro/ort-duplicate.wasm`,import.meta.url);',
    '/_astro/lazy.4.js': 'export const z=1;',
    '/_astro/Home.js': 'import"./mermaid.js";',
    '/_astro/mermaid.js': '',
    ...overrides,
  };
  const sizes: Record<string, number> = {
    '/_astro/inter.woff2': 1000,
    '/_astro/ort-duplicate.wasm': 25_000_000,
    // The runtime the build copies (whatever ORT_RUNTIME_FILES lists), and a stale file an older runtime left.
    ...Object.fromEntries(ORT_RUNTIME_FILES.map((name, index) => [`/ort/${name}`, 50_000 + index])),
    '/ort/ort-wasm-simd-threaded.stale-old.wasm': 13_000_000,
    '/samples/astronaut.png': 200_000,
    '/samples/camera.png': 100_000,
    '/samples/chelsea.png': 150_000,
    '/favicon.svg': 500,
    '/sitemap-index.xml': 300,
    [`/models/${PNET.file}`]: PNET.bytes!,
    [`/models/${getModel('mtcnn-rnet').file}`]: getModel('mtcnn-rnet').bytes!,
    // O-Net present but with the wrong size: not installed.
    [`/models/${getModel('mtcnn-onet').file}`]: 12,
    [`/models/${RESNET50.file}`]: RESNET50.bytes!,
    [`/models/${getModel('imagenet-labels').file}`]: getModel('imagenet-labels').bytes!,
  };
  for (const [path, text] of Object.entries(texts)) sizes[path] = text.length;
  return {
    texts,
    files: new Map(Object.entries(sizes)),
    readText: (path) => {
      const text = texts[path];
      if (text === undefined) throw new Error(`not a text file: ${path}`);
      return text;
    },
    revision: (path) => `rev:${texts[path] ?? sizes[path]}`,
    pages: Object.keys(texts).filter((path) => path.endsWith('.html')),
  };
}

describe('reading built files', () => {
  it('reads a demo declaration from a page', () => {
    expect(readDemoDeclaration(stageHtml('mtcnn', 'mtcnn-pnet  mtcnn-rnet', 'astronaut'))).toEqual({
      study: 'mtcnn',
      models: ['mtcnn-pnet', 'mtcnn-rnet'],
      samples: ['astronaut'],
    });
    expect(readDemoDeclaration('<html><body>no demo</body></html>')).toBeNull();
  });

  it('takes scripts, stylesheets, icons and images from HTML, not links or other origins', () => {
    const refs = htmlReferences(
      stageHtml(
        'mtcnn',
        '',
        '',
        '<link rel="modulepreload" href="/_astro/pre.js"><script src="https://cdn.example/x.js"></script><script type="module">import "/_astro/inline.js";</script>',
      ),
      '/demo/mtcnn/',
    );
    expect(refs).toEqual(
      expect.arrayContaining([
        '/favicon.svg',
        '/_astro/BaseLayout.abc.css',
        '/_astro/Demo.def.js',
        '/_astro/pre.js',
        '/_astro/inline.js',
        '/samples/astronaut.png',
      ]),
    );
    expect(refs).not.toContain('/rss.xml');
    expect(refs).not.toContain('/studies/mtcnn/');
    expect(refs.some((ref) => ref.includes('cdn.example') || ref.includes('x.js'))).toBe(false);
  });

  it('follows static and dynamic imports and worker scripts, not every new URL()', () => {
    const build = fakeBuild();
    expect(jsReferences(build.texts['/_astro/Demo.def.js']!)).toEqual(['./shared.1.js', './side.2.js', '/_astro/worker-3.js']);
    expect(jsReferences(build.texts['/_astro/shared.1.js']!)).toEqual(['./lazy.4.js']);
    expect(jsReferences(build.texts['/_astro/worker-3.js']!)).toEqual([]);
    expect(jsReferences('export*from"./a.js";export{b}from\'./b.js\';')).toEqual(['./a.js', './b.js']);
  });

  it('reads url() and @import from CSS', () => {
    expect(cssReferences('@import "./x.css";a{src:url(/_astro/f.woff2)}b{background:url( \'./i.png\' )}')).toEqual([
      '/_astro/f.woff2',
      './i.png',
      './x.css',
    ]);
  });

  it('maps HTML files to the paths they are served at', () => {
    expect(pagePath('/demo/mtcnn/index.html')).toBe('/demo/mtcnn/');
    expect(pagePath('/index.html')).toBe('/');
    expect(pagePath('/404.html')).toBe('/404');
  });
});

describe('the offline manifest', () => {
  it('lists, per demo, the page, its assets, the runtime, samples, favicon and installed models', () => {
    const manifest = buildOfflineManifest(fakeBuild());
    expect(Object.keys(manifest.demos).sort()).toEqual(['mtcnn', 'resnet-34']);
    const mtcnn = manifest.demos.mtcnn!;
    expect(mtcnn.page).toBe('/demo/mtcnn/');
    const urls = mtcnn.files.map((file) => file.url);
    expect(urls[0]).toBe('/demo/mtcnn/');
    expect(urls.sort()).toEqual(
      [
        '/demo/mtcnn/',
        '/_astro/BaseLayout.abc.css',
        '/_astro/inter.woff2',
        '/_astro/Demo.def.js',
        '/_astro/shared.1.js',
        '/_astro/side.2.js',
        '/_astro/worker-3.js',
        '/_astro/lazy.4.js',
        ...ORT_RUNTIME_FILES.map((name) => `/ort/${name}`),
        '/samples/astronaut.png',
        '/samples/camera.png',
        '/favicon.svg',
      ].sort(),
    );
    // Only what the page loads: not other pages' bundles, not the unused wasm copy in /_astro/.
    expect(urls).not.toContain('/_astro/mermaid.js');
    expect(urls).not.toContain('/_astro/ort-duplicate.wasm');
    expect(urls).not.toContain('/ort/ort-wasm-simd-threaded.stale-old.wasm');
    // Installed models only (O-Net has the wrong size here), under their pinned URLs.
    expect(mtcnn.models.map((file) => file.url)).toEqual([pinnedModelUrl(PNET), pinnedModelUrl(getModel('mtcnn-rnet'))]);
    expect(mtcnn.bytes).toBe([...mtcnn.files, ...mtcnn.models].reduce((sum, file) => sum + file.bytes, 0));
  });

  it("adds a classifier's labels file and skips models that are not installed", () => {
    const resnet = buildOfflineManifest(fakeBuild()).demos['resnet-34']!;
    // Smallest first, so the many small files are done before the long download.
    expect(resnet.models.map((file) => file.url)).toEqual([pinnedModelUrl(getModel('imagenet-labels')), pinnedModelUrl(RESNET50)]);
    expect(resnet.models[1]!.bytes).toBe(RESNET50.bytes);
    expect(demoModelEntries(['resnet34-v1-7', 'resnet50-keras-imagenet']).map((entry) => entry.id)).toEqual([
      'resnet34-v1-7',
      'imagenet-labels',
      'resnet50-keras-imagenet',
    ]);
    expect(() => demoModelEntries(['no-such-model'])).toThrow(/unknown model id "no-such-model"/);
  });

  it('pins model URLs exactly as the runtime requests them', () => {
    for (const entry of MODEL_CATALOG) {
      const requested = new URL(modelRequestUrl(entry, 'http://127.0.0.1:4321/'));
      expect(pinnedModelUrl(entry)).toBe(requested.pathname + requested.search);
      expect(pinnedModelUrl(entry)).toBe(`/models/${entry.file}?sha256=${entry.sha256}`);
    }
    expect(buildOfflineManifest(fakeBuild()).pins).toHaveLength(MODEL_CATALOG.length);
  });

  it('fails the build on a sample that is not in the output, naming the study file and field, without a stack trace', () => {
    const build = fakeBuild({ '/demo/mtcnn/index.html': stageHtml('mtcnn', 'mtcnn-pnet', 'astronaut unicorn') });
    expect(() => buildOfflineManifest(build)).toThrow(OfflineManifestError);
    expect(() => buildOfflineManifest(build)).toThrow(
      /^src\/content\/studies\/mtcnn\.mdx: demo\.samples\[1\]: expected the name of an image in public\/samples\/, found "unicorn"/,
    );
    try {
      buildOfflineManifest(build);
    } catch (error) {
      expect((error as Error).stack).not.toMatch(/\n\s+at /);
    }
  });

  it('records the size and sha256 of every file (models: their pin)', () => {
    const build = fakeBuild();
    const mtcnn = buildOfflineManifest(build).demos.mtcnn!;
    const page = mtcnn.files.find((file) => file.url === '/demo/mtcnn/')!;
    expect(page.sha256).toBe(build.revision('/demo/mtcnn/index.html'));
    expect(page.bytes).toBe(build.files.get('/demo/mtcnn/index.html'));
    expect(mtcnn.models[0]!.sha256).toBe(PNET.sha256);
  });
});

describe('versioning', () => {
  it('is stable for the same build and names its cache after the version', () => {
    const a = buildOfflineManifest(fakeBuild());
    const b = buildOfflineManifest(fakeBuild());
    expect(a.version).toBe(b.version);
    expect(a.version).toMatch(/^[0-9a-f]{16}$/);
    expect(a.cache).toBe(`${OFFLINE_CACHE_PREFIX}${a.version}`);
    expect(a.modelCache).toBe(MODEL_CACHE_NAME);
    expect(MODEL_CACHE_NAME).toBe('r2p-models-v1');
  });

  it('changes when the content of a listed file changes, even under the same name', () => {
    const base = buildOfflineManifest(fakeBuild()).version;
    const page = buildOfflineManifest(
      fakeBuild({
        '/demo/mtcnn/index.html': stageHtml('mtcnn', 'mtcnn-pnet mtcnn-rnet mtcnn-onet', 'astronaut camera', '<meta name="x" content="y">'),
      }),
    );
    expect(page.version).not.toBe(base);
    const build = fakeBuild();
    const ortChanged = buildOfflineManifest({
      ...build,
      revision: (path) => (path.startsWith('/ort/') ? 'new runtime' : build.revision(path)),
    });
    expect(ortChanged.version).not.toBe(base);
  });

  it("changes with the worker script's own source (salt), so a new worker never inherits unchecked copies", () => {
    expect(buildOfflineManifest({ ...fakeBuild(), salt: 'worker v2' }).version).not.toBe(buildOfflineManifest(fakeBuild()).version);
  });

  it('does not change for files no demo uses', () => {
    const base = buildOfflineManifest(fakeBuild()).version;
    expect(buildOfflineManifest(fakeBuild({ '/_astro/mermaid.js': 'changed' })).version).toBe(base);
  });

  it("deletes other versions' caches but never the model cache or foreign caches", () => {
    const manifest = buildOfflineManifest(fakeBuild());
    expect(staleCaches([manifest.cache, `${OFFLINE_CACHE_PREFIX}0123456789abcdef`, MODEL_CACHE_NAME, 'someone-else'], manifest)).toEqual([
      `${OFFLINE_CACHE_PREFIX}0123456789abcdef`,
    ]);
  });
});

describe('the stale-model rule', () => {
  const manifest = buildOfflineManifest(fakeBuild());
  const bogus = `/models/${PNET.file}?sha256=${'0'.repeat(64)}`;

  it('serves a model only under a pinned URL of the current catalog', () => {
    expect(isServableModelUrl(pinnedModelUrl(PNET), manifest)).toBe(true);
    expect(isServableModelUrl(`http://127.0.0.1:4321${pinnedModelUrl(PNET)}`, manifest)).toBe(true);
    expect(isServableModelUrl(bogus, manifest)).toBe(false);
    // A valid pin on another file's path, or no pin at all, is not a catalog URL either.
    expect(isServableModelUrl(`/models/${RESNET50.file}?sha256=${PNET.sha256}`, manifest)).toBe(false);
    expect(isServableModelUrl(`/models/${PNET.file}`, manifest)).toBe(false);
  });

  it('marks for deletion every cached model whose sha256 the catalog no longer lists', () => {
    const cached = [
      `http://127.0.0.1:4321${pinnedModelUrl(PNET)}`,
      `http://127.0.0.1:4321${bogus}`,
      `http://127.0.0.1:4321${pinnedModelUrl(RESNET50)}`,
    ];
    expect(staleModelUrls(cached, manifest)).toEqual([`http://127.0.0.1:4321${bogus}`]);
    // After a catalog change (new pin for P-Net), yesterday's P-Net is stale.
    const newCatalog = MODEL_CATALOG.map((entry) => (entry.id === 'mtcnn-pnet' ? { ...entry, sha256: 'f'.repeat(64) } : entry));
    const next = buildOfflineManifest({ ...fakeBuild(), catalog: newCatalog });
    expect(staleModelUrls(cached, next)).toEqual([`http://127.0.0.1:4321${pinnedModelUrl(PNET)}`, `http://127.0.0.1:4321${bogus}`]);
    expect(next.version).not.toBe(manifest.version);
  });
});

describe('the worker script', () => {
  const template = readFileSync(new URL('../../src/service-worker/sw.js', import.meta.url), 'utf8');

  it('injects the manifest into the template as valid JavaScript', () => {
    const manifest = buildOfflineManifest(fakeBuild());
    const script = renderServiceWorker(template, manifest);
    expect(script).not.toContain(MANIFEST_PLACEHOLDER);
    expect(script).toContain(`"version": "${manifest.version}"`);
    // Parses (without running): a syntax error would throw here.
    expect(() => new Function(script)).not.toThrow();
  });

  it('implements the same rules it is tested against here', () => {
    // The worker compares path + query against the pins and deletes other r2p-offline- caches.
    expect(template).toContain("const OFFLINE_CACHE_PREFIX = 'r2p-offline-'");
    expect(template).toMatch(/if \(!PINS\.has\(keyOf\(request\.url\)\)\) await models\.delete\(request\)/);
    expect(template).toMatch(/if \(!PINS\.has\(key\)\) \{[\s\S]*?await cache\.delete\(key\);\s*return fetch\(event\.request\);/);
  });

  it('refuses a template without exactly one placeholder', () => {
    const manifest = buildOfflineManifest(fakeBuild());
    expect(() => renderServiceWorker('self.x = 1;', manifest)).toThrow(/exactly once/);
    expect(() => renderServiceWorker(`${MANIFEST_PLACEHOLDER};${MANIFEST_PLACEHOLDER}`, manifest)).toThrow(/exactly once/);
  });
});

describe('checking what the server sends before storing it', () => {
  const wasm: OfflineFile = { url: '/ort/ort-wasm-simd-threaded.wasm', bytes: 14_200_000, sha256: 'a'.repeat(64) };
  const page: OfflineFile = { url: '/demo/mtcnn/', bytes: 30_000, sha256: 'b'.repeat(64) };
  const ok = { status: 200, contentType: 'application/wasm', bytes: wasm.bytes, sha256: wasm.sha256 };

  it('accepts the file the build made', () => {
    expect(responseProblem(wasm, false, ok)).toBeNull();
    expect(
      responseProblem(page, true, { status: 200, contentType: 'text/html; charset=utf-8', bytes: page.bytes, sha256: page.sha256 }),
    ).toBeNull();
  });

  it('refuses a single-page-app fallback: an HTML page answering for a file, with status 200', () => {
    expect(
      responseProblem(wasm, false, { status: 200, contentType: 'text/html; charset=utf-8', bytes: 31_000, sha256: 'c'.repeat(64) }),
    ).toMatch(/\/ort\/ort-wasm-simd-threaded\.wasm: the server sent an HTML page \(31000 bytes\) instead of the file \(14200000 bytes\)/);
  });

  it('refuses a failed status, a page that is not HTML, another size and another sha256', () => {
    expect(responseProblem(wasm, false, { ...ok, status: 404 })).toMatch(/HTTP 404/);
    expect(
      responseProblem(page, true, { status: 200, contentType: 'application/octet-stream', bytes: page.bytes, sha256: page.sha256 }),
    ).toMatch(/expected an HTML page/);
    expect(responseProblem(wasm, false, { ...ok, bytes: 1000 })).toMatch(/expected 14200000 bytes, the server sent 1000/);
    expect(responseProblem(wasm, false, { ...ok, sha256: 'd'.repeat(64) })).toMatch(/other content than this version/);
  });

  it('serves a stored copy only when it was checked against the same sha256', () => {
    expect(isVerifiedCopy(wasm, wasm.sha256)).toBe(true);
    expect(isVerifiedCopy(wasm, null)).toBe(false);
    expect(isVerifiedCopy(wasm, 'e'.repeat(64))).toBe(false);
  });

  it('the worker restates these rules (checkFile, the verified header, no-cache downloads)', () => {
    const template = readFileSync(new URL('../../src/service-worker/sw.js', import.meta.url), 'utf8');
    expect(template).toContain("const VERIFIED_HEADER = 'x-r2p-sha256'");
    expect(template).toMatch(/if \(!isPage && html\)/);
    expect(template).toMatch(/fetch\(file\.url, \{ cache: 'no-cache' \}\)/);
    expect(template).not.toMatch(/cache: file\.url\.startsWith/);
  });

  it('the stage page remembers the opt-in under the same key', () => {
    const component = readFileSync(new URL('../../src/components/ServiceWorker.astro', import.meta.url), 'utf8');
    expect(component).toContain(`const OPT_IN_KEY = '${OFFLINE_OPT_IN_KEY}'`);
  });
});
