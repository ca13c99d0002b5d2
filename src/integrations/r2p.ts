/**
 * The r2p Astro integration:
 * - validates all content with friendly messages before a build (a mistake fails the build
 *   with one line per problem; in dev it is printed and Astro's own overlay takes over);
 * - copies onnxruntime-web's WebAssembly runtime into public/ort so the site serves it itself;
 * - sets the cross-origin isolation headers (COOP/COEP) that multi-threaded WASM needs, in dev
 *   and preview (static hosts get public/_headers);
 * - starts rendering the studies' diagrams when a build starts, so Chromium works while Vite
 *   bundles, and reports the renderer's work when the build is done.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import { formatProblems, validateContent, type ContentLocation } from '../schema/validate.ts';
import { contentLocation } from './content-location.ts';

/**
 * The onnxruntime-web files loaded at run time: the plain WASM build's (onnxruntime-web/wasm,
 * 14 MB, what the demos run on WASM) and the JSPI WebGPU build's (onnxruntime-web/jspi, 17 MB,
 * fetched only when a demo runs on WebGPU). The worker imports each build on demand; the .mjs
 * files are the builds' Emscripten glue, which ORT loads from wasmPaths. The asyncify WebGPU
 * build (onnxruntime-web/webgpu) is not served: its wasm is 26.8 MB, over the 25 MiB a file
 * may be on common static hosts, and slower to start; browsers without JSPI run on WASM.
 */
export const ORT_RUNTIME_FILES = [
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.jspi.mjs',
  'ort-wasm-simd-threaded.jspi.wasm',
];

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Copy the runtime files when missing or changed (size or mtime), so upgrades take effect, and
 * remove runtime files no longer listed (public/ort is generated), so the site never serves them.
 */
export function copyOrtRuntime(publicDir: string): string[] {
  const require = createRequire(import.meta.url);
  // The package exports no ./package.json; its main entry sits in dist/ beside the runtime files.
  const distDir = dirname(require.resolve('onnxruntime-web'));
  const targetDir = join(publicDir, 'ort');
  mkdirSync(targetDir, { recursive: true });
  const copied: string[] = [];
  for (const name of readdirSync(targetDir)) {
    if (/^ort-wasm.*\.(mjs|wasm)$/.test(name) && !ORT_RUNTIME_FILES.includes(name)) rmSync(join(targetDir, name));
  }
  for (const name of ORT_RUNTIME_FILES) {
    const source = join(distDir, name);
    const target = join(targetDir, name);
    const from = statSync(source);
    const stale = !existsSync(target) || statSync(target).size !== from.size || statSync(target).mtimeMs < from.mtimeMs;
    if (stale) {
      copyFileSync(source, target);
      copied.push(name);
    }
  }
  return copied;
}

export default function r2p(): AstroIntegration {
  let location: ContentLocation | undefined;
  let prerendering: Promise<number> | undefined;
  return {
    name: 'r2p',
    hooks: {
      'astro:config:setup': ({ config, command, logger, updateConfig }) => {
        const root = fileURLToPath(config.root);
        location = contentLocation(root);
        const problems = validateContent(location);
        if (problems.length > 0) {
          const report = formatProblems(problems);
          if (command === 'build') {
            // Throwing here stops the build before Astro's own, terser, schema errors.
            const error = new Error(report);
            error.stack = report;
            throw error;
          }
          logger.warn(report);
        }
        const copied = copyOrtRuntime(fileURLToPath(config.publicDir));
        if (copied.length > 0) logger.info(`copied onnxruntime-web runtime: ${copied.join(', ')}`);
        updateConfig({
          vite: {
            server: { headers: ISOLATION_HEADERS },
            preview: { headers: ISOLATION_HEADERS },
          },
        });
      },
      'astro:build:start': async ({ logger }) => {
        if (!location) return;
        const { prerenderStudyDiagrams } = await import('../build/diagram-prerender.ts');
        // Not awaited: it runs beside Vite's bundling; pages wait for the diagrams they need.
        prerendering = prerenderStudyDiagrams(location).catch((error: unknown) => {
          logger.warn(`diagram prerender stopped: ${error instanceof Error ? error.message : String(error)}`);
          return 0;
        });
      },
      'astro:build:done': async ({ logger }) => {
        // The diagram renderer keeps one Chromium open for the whole build; close it now.
        const { closeRenderer, rendererStats } = await import('../build/mermaid-render.ts');
        await prerendering;
        await closeRenderer();
        const stats = rendererStats();
        if (stats.launches > 0 || stats.cached > 0) {
          logger.info(
            `diagrams: ${stats.prerendered} SVGs rendered ahead, ${stats.rendered} for pages, ${stats.cached} from the cache` +
              (stats.launches > 0
                ? ` (Chromium start ${(stats.launchMs / 1000).toFixed(1)} s, ${stats.pages} pages, rendering ${(stats.renderMs / 1000).toFixed(1)} s)`
                : ''),
          );
        }
      },
    },
  };
}
