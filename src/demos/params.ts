/**
 * The demo URL contract, shared by every demo kind (documented in README.md):
 *   sample=<name>          start from a sample image (b= / a= for the two images of a comparison)
 *   backend=webgpu|wasm    force an execution provider (default: WebGPU when available)
 *   model=<catalog id>     pick a model among the demo's installed ones
 *   autorun=1              run without a click once the page loads
 *   repeat=<n>             run n times and report the warm median (default 1: one inference per Run)
 *   threads=<n>            WASM threads (default: half the cores, at most 4, when cross-origin isolated;
 *                          capped at the cores, and 1 without isolation)
 */
import { parseBackendChoice } from '../inference/runtime/backend.ts';
import type { BackendChoice } from '../inference/runtime/protocol.ts';

export interface DemoParams {
  sample: string | null;
  a: string | null;
  b: string | null;
  backend: BackendChoice;
  model: string | null;
  autorun: boolean;
  repeat: number | null;
  threads: number | undefined;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

function positiveInt(value: string | null, max: number): number | null {
  if (value === null || !/^\d+$/.test(value)) return null;
  const parsed = Number(value);
  return parsed >= 1 ? Math.min(parsed, max) : null;
}

export function parseDemoParams(search: string): DemoParams {
  const query = new URLSearchParams(search);
  const name = (key: string) => {
    const value = query.get(key);
    return value && NAME.test(value) ? value : null;
  };
  return {
    sample: name('sample'),
    a: name('a'),
    b: name('b'),
    backend: parseBackendChoice(query.get('backend')),
    model: name('model'),
    autorun: ['1', 'true', 'yes'].includes(query.get('autorun') ?? ''),
    repeat: positiveInt(query.get('repeat'), 50),
    threads: positiveInt(query.get('threads'), 1024) ?? undefined,
  };
}

/**
 * Inferences per Run: one, so a reader never waits for runs they did not ask for. repeat=<n>
 * (benchmarks, the timings panel) asks for more and reports the warm median.
 */
export function defaultRepeat(params: DemoParams): number {
  return params.repeat ?? 1;
}
