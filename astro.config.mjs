// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import { unified } from '@astrojs/markdown-remark';
import sitemap from '@astrojs/sitemap';
import csp from './src/integrations/csp.ts';
import r2p from './src/integrations/r2p.ts';
import search from './src/integrations/search.ts';
import serviceWorker from './src/integrations/service-worker.ts';
import modelParts from './src/integrations/model-parts.ts';
import rehypeDiagrams from './src/build/rehype-diagrams.ts';
import { siteConfig } from './src/site/config.ts';

export default defineConfig({
  // R2P_SITE_URL (see src/site/config.ts); the r2p integration warns when it is unset.
  site: siteConfig().siteUrl,
  // csp() rewrites the built HTML (a policy with its inline hashes), so it runs before the
  // search index and the service worker's manifest, which read the final pages.
  integrations: [r2p(), mdx(), sitemap({ filter: (page) => !page.endsWith('/404/') }), csp(), search(), modelParts(), serviceWorker()],
  server: { host: '127.0.0.1', port: 4321 },
  markdown: {
    // Sätteri (Astro 7's default) runs no rehype plugins; authors' ```mermaid blocks need one.
    processor: unified({ rehypePlugins: [rehypeDiagrams] }),
    // Keep mermaid sources raw for the plugin (Shiki runs before user rehype plugins).
    syntaxHighlight: { type: 'shiki', excludeLangs: ['mermaid'] },
  },
  // Separate output and cache folders let tests build fixture sites beside the real one.
  outDir: process.env.R2P_OUT_DIR ?? './dist',
  // Every page's CSS inline (about 40 kB raw, 9 kB compressed, on a study page): no render-blocking
  // stylesheet request before the first paint. Lighthouse's mobile run counted about 300 ms for three
  // of them; csp() hashes the inlined <style> elements like the others.
  build: { inlineStylesheets: 'always' },
  cacheDir: process.env.R2P_CACHE_DIR ?? './node_modules/.astro',
  vite: {
    // onnxruntime-web loads its own .mjs/.wasm at run time; pre-bundling breaks those URLs.
    optimizeDeps: { exclude: ['onnxruntime-web'] },
    worker: { format: 'es' },
  },
});
