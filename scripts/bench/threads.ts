/**
 * WASM threads: the same demo, cross-origin isolated, at 1 and at 2 threads (and at the
 * default, which is what a reader gets), warm median over repeated runs. The default thread
 * rule in src/inference/runtime/backend.ts (wasmThreads) is chosen from these figures.
 */
import { cpus } from 'node:os';
import { DEFAULT_WASM_THREAD_CAP } from '../../src/inference/runtime/backend.ts';
import { demoResult } from '../../tests/helpers/browser.ts';
import type { BenchContext, BenchRow, BenchSection } from './types.ts';

const SECTION = { id: 'threads', title: 'WASM threads: 1 vs 2 (warm median, cross-origin isolated)' };
const DEMOS = [
  { study: 'resnet-34', query: 'sample=chelsea' },
  { study: 'mtcnn', query: 'sample=astronaut' },
];

interface Result {
  threads: number;
  modelId?: string;
  timings: { warmMedianMs: number | null; warmP95Ms: number | null; runsMs: number[] };
}

export default async function threadsBench(context: BenchContext): Promise<BenchSection> {
  const repeat = context.quick ? 5 : 12;
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const browserContext = await context.browser.newContext({ serviceWorkers: 'block' });
  try {
    for (const demo of DEMOS) {
      const measured: Record<string, Result> = {};
      for (const threads of ['1', '2', 'default']) {
        const page = await browserContext.newPage();
        try {
          const asked = threads === 'default' ? '' : `&threads=${threads}`;
          await page.goto(`${context.baseUrl}/demo/${demo.study}/?${demo.query}&backend=wasm&autorun=1&repeat=${repeat + 1}${asked}`);
          const result = await demoResult<Result>(page);
          measured[threads] = result;
          rows.push({
            model: result.modelId ?? demo.study,
            backend: 'wasm',
            threads: result.threads,
            metric: `inference, ${threads === 'default' ? 'default threads' : `threads=${threads}`}`,
            coldMs: result.timings.runsMs[0] ?? null,
            warmMedianMs: result.timings.warmMedianMs,
            warmP95Ms: result.timings.warmP95Ms,
            runs: result.timings.runsMs.length - 1,
          });
        } finally {
          await page.close();
        }
      }
      const one = measured['1']?.timings.warmMedianMs;
      const two = measured['2']?.timings.warmMedianMs;
      if (one && two) {
        notes.push(
          `${demo.study}: 1 thread ${one.toFixed(0)} ms, 2 threads ${two.toFixed(0)} ms warm: ${two < one ? `2 threads ${(one / two).toFixed(2)}x faster` : `1 thread ${(two / one).toFixed(2)}x faster`}; the default ran ${measured.default?.threads} thread(s) on ${cpus().length} cores${measured.default?.threads === (two < one ? 2 : 1) ? ', the faster count' : ', NOT the faster count'}.`,
        );
      }
    }
  } finally {
    await browserContext.close();
  }
  notes.push(
    `Default rule (wasmThreads in src/inference/runtime/backend.ts): every core the browser reports, at most ${DEFAULT_WASM_THREAD_CAP}, when cross-origin isolated; 1 otherwise. ` +
      "ORT's own rule (half the cores) gives 1 on 2 cores; two quiet runs here had 2 threads faster on both demos, so the site uses them. " +
      'On a machine already busy with other work, 2 threads measured slower: the load average is printed with the figures.',
  );
  return { ...SECTION, rows, notes };
}
