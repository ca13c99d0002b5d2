import { describe, expect, it } from 'vitest';
import { decideBackend, parseBackendChoice, wasmThreads } from '../../src/inference/runtime/backend.ts';
import { summariseRuns } from '../../src/inference/runtime/protocol.ts';
import { defaultRepeat, parseDemoParams } from '../../src/demos/params.ts';

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

  it('repeats less on WebGPU by default', () => {
    const params = parseDemoParams('');
    expect(defaultRepeat(params, 'wasm')).toBe(3);
    expect(defaultRepeat(params, 'webgpu')).toBe(1);
    expect(defaultRepeat(parseDemoParams('?repeat=7'), 'webgpu')).toBe(7);
  });
});

describe('backend choice', () => {
  it('prefers WebGPU when an adapter exists, with WASM as fallback', () => {
    expect(decideBackend('auto', true)).toEqual({ order: ['webgpu', 'wasm'], reason: null });
  });

  it('falls back to WASM and says why when there is no adapter', () => {
    const decision = decideBackend('auto', false, 'navigator.gpu is missing');
    expect(decision.order).toEqual(['wasm']);
    expect(decision.reason).toMatch(/WebGPU unavailable \(navigator.gpu is missing\)/);
  });

  it('still runs a forced WebGPU request on WASM when WebGPU is missing', () => {
    expect(decideBackend('webgpu', false).reason).toMatch(/WebGPU was requested.*ran on WASM/);
  });

  it('honours a forced WASM without probing', () => {
    expect(decideBackend('wasm', true)).toEqual({ order: ['wasm'], reason: null });
    expect(parseBackendChoice('WASM')).toBe('auto');
  });

  it('uses threads only when cross-origin isolated', () => {
    expect(wasmThreads(false, 8)).toBe(1);
    expect(wasmThreads(true, 2)).toBe(2);
    expect(wasmThreads(true, 32)).toBe(4);
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
