/**
 * The service-worker integration: after a build, lists the output, builds the offline manifest
 * of every page that declares a demo (src/site/offline.ts) and writes /sw.js from the template
 * src/service-worker/sw.js with the manifest injected. Stage pages register it through
 * src/components/ServiceWorker.astro; in `astro dev` there is no sw.js and nothing registers.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import { buildOfflineManifest, formatMegabytes, renderServiceWorker, SERVICE_WORKER_PATH, type OfflineManifest } from '../site/offline.ts';

/** Every file below dir, by URL path ('/_astro/x.js'), with its size. */
export function listOutput(dir: string): Map<string, number> {
  const files = new Map<string, number>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.set(`/${relative(dir, path).split(sep).join('/')}`, statSync(path).size);
    }
  };
  walk(dir);
  files.delete(SERVICE_WORKER_PATH);
  return files;
}

/** Build the manifest for an output folder and write its sw.js; returns the manifest. */
export function writeServiceWorker(outDir: string, template: string): OfflineManifest {
  const files = listOutput(outDir);
  const fileOf = (path: string) => join(outDir, ...path.split('/').filter(Boolean));
  const manifest = buildOfflineManifest({
    files,
    readText: (path) => readFileSync(fileOf(path), 'utf8'),
    revision: (path) =>
      createHash('sha256')
        .update(readFileSync(fileOf(path)))
        .digest('hex'),
    pages: [...files.keys()].filter((path) => path.endsWith('.html')),
    // A changed worker gets new caches: nothing an older worker stored (or failed to check) survives it.
    salt: template,
  });
  writeFileSync(fileOf(SERVICE_WORKER_PATH), renderServiceWorker(template, manifest));
  return manifest;
}

export default function serviceWorker(): AstroIntegration {
  let template = '';
  return {
    name: 'r2p-service-worker',
    hooks: {
      'astro:config:done': ({ config }) => {
        template = readFileSync(fileURLToPath(new URL('src/service-worker/sw.js', config.root)), 'utf8');
      },
      'astro:build:done': ({ dir, logger }) => {
        const manifest = writeServiceWorker(fileURLToPath(dir), template);
        const demos = Object.values(manifest.demos);
        const sizes = demos
          .map((demo) => `${demo.study} ${demo.files.length + demo.models.length} files ${formatMegabytes(demo.bytes)}`)
          .join(', ');
        logger.info(
          `sw.js version ${manifest.version}: ${demos.length} offline demo${demos.length === 1 ? '' : 's'}${sizes ? ` (${sizes})` : ''}`,
        );
      },
    },
  };
}
