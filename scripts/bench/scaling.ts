/**
 * Build scaling: the production build of the 3 real studies, then of 300 generated studies
 * (scripts/bench/generate-studies.ts), each with a cold and a warm diagram cache. Reports the
 * growth per added study; the target is under 0.2 s.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateStudies } from './generate-studies.ts';
import type { BenchContext, BenchRow, BenchSection } from './types.ts';

function timedBuild(env: Record<string, string>): number {
  const started = performance.now();
  execFileSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], {
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return performance.now() - started;
}

export default async function scalingBench(context: BenchContext): Promise<BenchSection> {
  const work = mkdtempSync(join(tmpdir(), 'r2p-scaling-'));
  const count = context.quick ? 30 : 300;
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  try {
    const studiesDir = join(work, 'studies');
    generateStudies('src/content/studies', studiesDir, count);
    const results: Record<string, number> = {};
    for (const [label, dir] of [
      ['3 studies', 'src/content/studies'],
      [`${count} studies`, studiesDir],
    ] as const) {
      for (const cache of ['cold', 'warm'] as const) {
        const env = {
          R2P_STUDIES_DIR: dir,
          R2P_OUT_DIR: join(work, 'dist'),
          R2P_CACHE_DIR: join(work, `astro-cache-${label}`),
          R2P_MERMAID_CACHE: join(work, `mermaid-${label}`),
          R2P_OG_CACHE: join(work, `og-${label}`),
        };
        if (cache === 'cold') {
          for (const dir of [env.R2P_CACHE_DIR, env.R2P_MERMAID_CACHE, env.R2P_OG_CACHE]) rmSync(dir, { recursive: true, force: true });
        }
        const ms = timedBuild(env);
        results[`${label} ${cache}`] = ms;
        context.log(`  build, ${label}, ${cache} caches: ${(ms / 1000).toFixed(1)} s`);
        rows.push({
          model: label,
          backend: 'astro build',
          threads: null,
          metric: `build, ${cache} caches`,
          coldMs: cache === 'cold' ? ms : null,
          warmMedianMs: cache === 'warm' ? ms : null,
          warmP95Ms: null,
          runs: 1,
        });
      }
    }
    for (const cache of ['cold', 'warm'] as const) {
      const perStudy = ((results[`${count} studies ${cache}`] ?? 0) - (results[`3 studies ${cache}`] ?? 0)) / (count - 3) / 1000;
      notes.push(
        `Growth per added study, ${cache} caches: ${perStudy.toFixed(3)} s (target under 0.2 s: ${perStudy < 0.2 ? 'met' : 'not met'}).`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { id: 'scaling', title: 'Build time as studies are added', rows, notes };
}
