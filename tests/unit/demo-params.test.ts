import { describe, expect, it } from 'vitest';
import { decideBackend, isSoftwareAdapter, parseBackendChoice, wasmThreads } from '../../src/inference/runtime/backend.ts';
import { summariseRuns } from '../../src/inference/runtime/protocol.ts';
import { defaultRepeat, parseDemoParams, parseModeParams } from '../../src/demos/params.ts';
import { doneSentence, formatMegabytes, sentence } from '../../src/demos/status-text.ts';

describe('demo URL contract', () => {
  it('parses every documented parameter', () => {
    expect(parseDemoParams('?sample=chelsea&backend=wasm&model=resnet50-keras-imagenet&autorun=1&repeat=5&threads=2')).toEqual({
      sample: 'chelsea',
      a: null,
      b: null,
      backend: 'wasm',
      model: 'resnet50-keras-imagenet',
      autorun: true,
      repeat: 5,
      threads: 2,
    });
  });

  it('ignores malformed values instead of passing them on', () => {
    const params = parseDemoParams('?sample=../etc/passwd&backend=cuda&repeat=-3&threads=abc&autorun=0');
    expect(params).toMatchObject({ sample: null, backend: 'auto', repeat: null, threads: undefined, autorun: false });
  });

  it('reads the two images of a comparison', () => {
    expect(parseDemoParams('?a=astronaut&b=camera')).toMatchObject({ a: 'astronaut', b: 'camera' });
  });

  it('runs once per Run unless repeat= asks for more', () => {
    expect(defaultRepeat(parseDemoParams(''))).toBe(1);
    expect(defaultRepeat(parseDemoParams('?repeat=7'))).toBe(7);
    expect(defaultRepeat(parseDemoParams('?repeat=0'))).toBe(1);
  });
});

describe('backend choice', () => {
  const hardware = { available: true, software: false };
  const swiftshader = { available: true, software: true, problem: 'google swiftshader' };

  it('prefers a hardware WebGPU adapter, with WASM as fallback', () => {
    expect(decideBackend('auto', hardware)).toEqual({ order: ['webgpu', 'wasm'], reason: null });
  });

  it('never picks a software adapter in auto mode, and says why in one line', () => {
    const decision = decideBackend('auto', swiftshader);
    expect(decision.order).toEqual(['wasm']);
    expect(decision.reason).toMatch(/software WebGPU adapter.*swiftshader.*using WASM$/);
  });

  it('still forces WebGPU on a software adapter when asked to', () => {
    expect(decideBackend('webgpu', swiftshader)).toEqual({ order: ['webgpu', 'wasm'], reason: null });
  });

  it('falls back to WASM and says why when there is no adapter', () => {
    const decision = decideBackend('auto', { available: false, problem: 'navigator.gpu is missing' });
    expect(decision.order).toEqual(['wasm']);
    expect(decision.reason).toMatch(/WebGPU unavailable \(navigator.gpu is missing\)/);
  });

  it('still runs a forced WebGPU request on WASM when WebGPU is missing', () => {
    expect(decideBackend('webgpu', { available: false }).reason).toMatch(/WebGPU was requested.*ran on WASM/);
  });

  it('uses WASM, and says why, where the browser lacks the JSPI the WebGPU runtime needs', () => {
    for (const choice of ['auto', 'webgpu'] as const) {
      const decision = decideBackend(choice, { ...hardware, jspi: false });
      expect(decision.order).toEqual(['wasm']);
      expect(decision.reason).toMatch(/JSPI.*using WASM$/);
    }
    expect(decideBackend('auto', { ...hardware, jspi: true }).order).toEqual(['webgpu', 'wasm']);
  });

  it('honours a forced WASM without probing', () => {
    expect(decideBackend('wasm', hardware)).toEqual({ order: ['wasm'], reason: null });
    expect(parseBackendChoice('WASM')).toBe('auto');
  });

  it('recognises fallback and software adapters from their info', () => {
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'google', architecture: '', isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'intel', architecture: 'gen-12lp' }, true)).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: false })).toBe(false);
    expect(isSoftwareAdapter(undefined)).toBe(false);
  });
});

describe('WASM threads', () => {
  it('runs one thread without cross-origin isolation, and says so when more were asked for', () => {
    expect(wasmThreads(false, 8)).toEqual({ threads: 1, note: null });
    const capped = wasmThreads(false, 8, 64);
    expect(capped.threads).toBe(1);
    expect(capped.note).toMatch(/64 threads requested.*not cross-origin isolated/);
  });

  it("defaults to ORT's rule when isolated: half the cores, at most 4", () => {
    expect(wasmThreads(true, 1).threads).toBe(1);
    expect(wasmThreads(true, 2).threads).toBe(2);
    expect(wasmThreads(true, 3).threads).toBe(3);
    expect(wasmThreads(true, 6).threads).toBe(4);
    expect(wasmThreads(true, 32).threads).toBe(4);
    expect(wasmThreads(true, undefined).threads).toBe(1);
  });

  it('caps a request at the cores and says so', () => {
    expect(wasmThreads(true, 2, 2)).toEqual({ threads: 2, note: null });
    const capped = wasmThreads(true, 2, 64);
    expect(capped.threads).toBe(2);
    expect(capped.note).toMatch(/64 threads requested.*2 cores/);
    expect(wasmThreads(true, 64, 64).threads).toBe(16);
  });
});

describe('status text', () => {
  it('ends a sentence with exactly one full stop', () => {
    expect(sentence('Done on WASM (1 thread)', 'WebGPU unavailable (no adapter); using WASM.')).toBe(
      'Done on WASM (1 thread) — WebGPU unavailable (no adapter); using WASM.',
    );
    expect(sentence('a.', null, 'b..')).toBe('a — b.');
    expect(
      doneSentence({ backend: 'wasm', threads: 1, fallbackReason: 'WebGPU unavailable (x); using WASM.', threadsNote: null }),
    ).not.toMatch(/\.\./);
    expect(doneSentence({ backend: 'webgpu', threads: 2, fallbackReason: null, threadsNote: null })).toBe('Done on WebGPU.');
  });

  it('formats download sizes for the Run button', () => {
    expect(formatMegabytes(103_000_000)).toBe('103 MB');
    expect(formatMegabytes(2_345_678)).toBe('2.3 MB');
  });
});

describe('run timings', () => {
  it('separates the cold first run from the warm median and p95', () => {
    expect(summariseRuns([500, 30, 10, 20], true)).toEqual({ firstMs: 500, warmMedianMs: 20, warmP95Ms: 30, runsMs: [500, 30, 10, 20] });
  });

  it('treats every run as warm when the sessions were already used', () => {
    expect(summariseRuns([10, 30], false)).toMatchObject({ firstMs: null, warmMedianMs: 20 });
    expect(summariseRuns([10], true)).toMatchObject({ firstMs: 10, warmMedianMs: null, warmP95Ms: null });
  });
});

describe('mode parameters (teach, data)', () => {
  it('reads classes, augment, test and size', () => {
    expect(parseModeParams('?mode=teach&classes=cat:chelsea,cup:coffee,cat:astronaut&augment=8&test=camera')).toEqual({
      mode: 'teach',
      classes: [
        { name: 'cat', samples: ['chelsea', 'astronaut'] },
        { name: 'cup', samples: ['coffee'] },
      ],
      classErrors: [],
      augment: 8,
      test: 'camera',
      size: null,
    });
    expect(parseModeParams('?mode=data&size=24').size).toBe(24);
  });

  it('keeps a class with no examples (to refuse it clearly) and reports malformed entries', () => {
    const params = parseModeParams('?classes=cat:chelsea,cup:,a:b:c,dog:../x&augment=999&size=13&test=../x');
    expect(params.classes).toEqual([
      { name: 'cat', samples: ['chelsea'] },
      { name: 'cup', samples: [] },
    ]);
    expect(params.classErrors).toEqual(['a:b:c', 'dog:../x']);
    expect(params.augment).toBe(32);
    expect(params.size).toBeNull();
    expect(params.test).toBeNull();
  });
});
