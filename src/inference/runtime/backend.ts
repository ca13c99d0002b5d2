/**
 * Choosing an execution provider. The decision itself is a pure function so it is unit tested;
 * the probe of navigator.gpu is the only browser call.
 */
import type { Backend, BackendChoice } from './protocol.ts';

export interface BackendDecision {
  /** Providers to try, in order. */
  order: Backend[];
  /** Set when the preferred backend is known to be unavailable before trying. */
  reason: string | null;
}

/** Parse ?backend= from a URL; anything else means auto. */
export function parseBackendChoice(value: string | null | undefined): BackendChoice {
  return value === 'webgpu' || value === 'wasm' ? value : 'auto';
}

/**
 * Prefer WebGPU when an adapter exists; fall back to WASM. A forced "webgpu" still falls back
 * (a projector laptop without WebGPU must still run the demo), and says why.
 */
export function decideBackend(choice: BackendChoice, adapterAvailable: boolean, adapterProblem?: string): BackendDecision {
  if (choice === 'wasm') return { order: ['wasm'], reason: null };
  if (!adapterAvailable) {
    const why = adapterProblem ?? 'this browser exposes no WebGPU adapter';
    return {
      order: ['wasm'],
      reason: choice === 'webgpu' ? `WebGPU was requested, but ${why}; ran on WASM instead.` : `WebGPU unavailable (${why}); using WASM.`,
    };
  }
  return { order: ['webgpu', 'wasm'], reason: null };
}

/** Ask the browser for a WebGPU adapter; never throws. */
export async function probeWebGpu(): Promise<{ available: boolean; problem?: string }> {
  const gpu = (globalThis.navigator as (Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }) | undefined)?.gpu;
  if (!gpu) return { available: false, problem: 'navigator.gpu is missing' };
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? { available: true } : { available: false, problem: 'requestAdapter() returned no adapter' };
  } catch (error) {
    return { available: false, problem: `requestAdapter() failed: ${(error as Error).message}` };
  }
}

/** WASM threads: several when cross-origin isolated (SharedArrayBuffer available), else one. */
export function wasmThreads(isolated: boolean, cores: number | undefined): number {
  return isolated ? Math.max(1, Math.min(4, cores ?? 1)) : 1;
}
