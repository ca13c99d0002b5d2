/**
 * Build step for models served in parts (src/models/parts.ts): once Astro has copied
 * public/models into the output, drop each whole file whose parts are all there, so no built
 * file exceeds the 25 MiB part size and the site deploys to hosts with that cap. The installed
 * whole file stays in public/models for Node (tests, benchmarks). Register it before the
 * service-worker integration, which lists the output.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import { MODEL_CATALOG } from '../models/catalog.ts';
import { modelParts } from '../models/parts.ts';

export default function modelPartsIntegration(): AstroIntegration {
  return {
    name: 'r2p-model-parts',
    hooks: {
      'astro:build:done': ({ dir, logger }) => {
        const modelsDir = join(fileURLToPath(dir), 'models');
        const served: string[] = [];
        for (const entry of MODEL_CATALOG) {
          const parts = modelParts(entry);
          const whole = join(modelsDir, entry.file);
          if (parts.length === 0 || !existsSync(whole)) continue;
          const complete = parts.every((part) => {
            const path = join(modelsDir, part.file);
            return existsSync(path) && statSync(path).size === part.end - part.start;
          });
          if (!complete) {
            logger.warn(`${entry.id}: ${entry.file} is over 25 MiB and its parts are missing; run "npm run models" to write them.`);
            continue;
          }
          rmSync(whole);
          served.push(`${entry.id} (${parts.length} parts)`);
        }
        if (served.length > 0) logger.info(`models served in parts of at most 25 MiB: ${served.join(', ')}`);
      },
    },
  };
}
