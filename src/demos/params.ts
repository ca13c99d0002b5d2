/**
 * The demo URL contract, shared by every demo kind (documented in README.md):
 *   sample=<name>          start from a sample image (b= / a= for the two images of a comparison)
 *   backend=webgpu|wasm    force an execution provider (default: WebGPU when available)
 *   model=<catalog id>     pick a model among the demo's installed ones
 *   autorun=1              run without a click once the page loads
 *   repeat=<n>             run n times and report the warm median (default 1: one inference per Run)
 *   threads=<n>            WASM threads (default: every core, at most 4, when cross-origin isolated;
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

/**
 * The modes that answer the studies' model and data questions (issue 16):
 *   mode=teach             classifier: teach new classes (transfer learning)
 *     classes=<name>:<sample>,...   named classes from samples; repeat a name to give it more
 *                                   samples; "name:" (no sample) is a class with no examples
 *     augment=<n>          augmented copies per example (0-32, default 8; 0 turns augmentation off)
 *     test=<sample>        the image to classify with the new head
 *   mode=data              MTCNN: cut the training crops of a photo; size=12|24|48 picks the net
 */
export interface ModeParams {
  mode: string | null;
  /** Classes in URL order; examples are sample names (possibly none). */
  classes: { name: string; samples: string[] }[];
  /** Malformed class entries, quoted, so the page can say what it ignored. */
  classErrors: string[];
  augment: number | null;
  test: string | null;
  size: 12 | 24 | 48 | null;
}

const CLASS_NAME = /^[\p{L}\p{N}][\p{L}\p{N} _'-]{0,39}$/u;

export function parseModeParams(search: string): ModeParams {
  const query = new URLSearchParams(search);
  const mode = query.get('mode');
  const classes: ModeParams['classes'] = [];
  const classErrors: string[] = [];
  for (const part of (query.get('classes') ?? '').split(',').filter((item) => item.trim() !== '')) {
    const [rawName, sample, ...rest] = part.split(':');
    const name = (rawName ?? '').trim();
    if (!CLASS_NAME.test(name) || rest.length > 0 || (sample && !NAME.test(sample))) {
      classErrors.push(part);
      continue;
    }
    let entry = classes.find((candidate) => candidate.name === name);
    if (!entry) classes.push((entry = { name, samples: [] }));
    if (sample) entry.samples.push(sample);
  }
  const augmentText = query.get('augment');
  const augment = augmentText !== null && /^\d+$/.test(augmentText) ? Math.min(Number(augmentText), 32) : null;
  const test = query.get('test');
  const size = Number(query.get('size'));
  return {
    mode: mode && /^[a-z]{1,16}$/.test(mode) ? mode : null,
    classes,
    classErrors,
    augment,
    test: test && NAME.test(test) ? test : null,
    size: size === 12 || size === 24 || size === 48 ? size : null,
  };
}
