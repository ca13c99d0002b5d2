// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import r2p from './src/integrations/r2p.ts';

export default defineConfig({
  site: process.env.R2P_SITE ?? 'http://127.0.0.1:4321',
  integrations: [r2p(), mdx()],
  server: { host: '127.0.0.1', port: 4321 },
  vite: {
    // onnxruntime-web loads its own .mjs/.wasm at run time; pre-bundling breaks those URLs.
    optimizeDeps: { exclude: ['onnxruntime-web'] },
    worker: { format: 'es' },
  },
});
