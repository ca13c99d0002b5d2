/**
 * Choosing an execution provider and a thread count. The decisions are pure functions so they
 * are unit tested; the probe of navigator.gpu is the only browser call.
 */
import type { Backend, BackendChoice } from './protocol.ts';

export interface BackendDecision {
  /** Providers to try, in order. */
  order: Backend[];
  /** Set when the preferred backend is known to be unavailable (or not worth it) before trying. */
  reason: string | null;
}

/** What the browser said about its WebGPU adapter. */
export interface AdapterProbe {
  available: boolean;
  /** A software or fallback adapter (SwiftShader, or one the browser flags as fallback). */
  software?: boolean;
  /** Why there is no adapter, or which software adapter it is. */
  problem?: string;
  /**
   * JavaScript Promise Integration (WebAssembly.Suspending), which the WebGPU build the site
   * serves needs. Undefined: not checked (treated as present).
   */
  jspi?: boolean;
}

/** Parse ?backend= from a URL; anything else means auto. */
export function parseBackendChoice(value: string | null | undefined): BackendChoice {
  return value === 'webgpu' || value === 'wasm' ? value : 'auto';
}

/**
 * Auto prefers WebGPU only on a hardware adapter: a software adapter (SwiftShader) runs these
 * models 10-100x slower than WASM, so auto uses WASM and says why in one short line. A forced
 * "webgpu" uses whatever adapter there is, and still falls back to WASM without one (a projector
 * laptop without WebGPU must still run the demo), saying why.
 */
export function decideBackend(choice: BackendChoice, adapter: AdapterProbe): BackendDecision {
  if (choice === 'wasm') return { order: ['wasm'], reason: null };
  if (!adapter.available) {
    const why = adapter.problem ?? 'this browser exposes no WebGPU adapter';
    return {
      order: ['wasm'],
      reason: choice === 'webgpu' ? `WebGPU was requested, but ${why}; ran on WASM instead` : `WebGPU unavailable (${why}); using WASM`,
    };
  }
  if (adapter.jspi === false) {
    return {
      order: ['wasm'],
      reason: `${choice === 'webgpu' ? 'WebGPU was requested, but the' : 'The'} site's WebGPU runtime needs WebAssembly JSPI, which this browser lacks; using WASM`,
    };
  }
  if (adapter.software && choice === 'auto') {
    return { order: ['wasm'], reason: `Only a software WebGPU adapter here${adapter.problem ? ` (${adapter.problem})` : ''}; using WASM` };
  }
  return { order: ['webgpu', 'wasm'], reason: null };
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** Whether an adapter's info names a fallback or software rasteriser (SwiftShader, llvmpipe, WARP). */
export function isSoftwareAdapter(info: AdapterInfoLike | undefined, legacyFallbackFlag?: boolean): boolean {
  if (legacyFallbackFlag === true || info?.isFallbackAdapter === true) return true;
  const text = `${info?.vendor ?? ''} ${info?.architecture ?? ''} ${info?.description ?? ''}`.toLowerCase();
  return /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/.test(text);
}

/** Ask the browser for a WebGPU adapter and whether it is a software one; never throws. */
export async function probeWebGpu(): Promise<AdapterProbe> {
  type Adapter = { info?: AdapterInfoLike; isFallbackAdapter?: boolean };
  const gpu = (globalThis.navigator as (Navigator & { gpu?: { requestAdapter(): Promise<Adapter | null> } }) | undefined)?.gpu;
  if (!gpu) return { available: false, problem: 'navigator.gpu is missing' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { available: false, problem: 'requestAdapter() returned no adapter' };
    const software = isSoftwareAdapter(adapter.info, adapter.isFallbackAdapter);
    const name = [adapter.info?.vendor, adapter.info?.architecture].filter(Boolean).join(' ');
    return { available: true, software, problem: software ? name || 'fallback adapter' : undefined };
  } catch (error) {
    return { available: false, problem: `requestAdapter() failed: ${(error as Error).message}` };
  }
}

/** The most WASM threads ever used: more than the cores only adds switching. */
export const MAX_WASM_THREADS = 16;

export interface ThreadsDecision {
  /** What ORT will run with. */
  threads: number;
  /** Set when a request was capped or refused, in one short clause. */
  note: string | null;
}

/** The most threads the default gives: ORT's own cap; past 4, its thread pool stops paying. */
export const DEFAULT_WASM_THREAD_CAP = 4;

/**
 * WASM threads. Without cross-origin isolation there is no SharedArrayBuffer and ORT runs one
 * thread whatever it is told, so that is what is reported. The default is every core the browser
 * reports, at most 4 — not ORT's half the cores: `npm run bench` (threads section) compared 1 and
 * 2 threads on a quiet 2-core machine and 2 won every time (ResNet-50 1.5-1.6x, MTCNN 1.4-2.0x
 * faster, p95 lower too), because the page's main thread is idle while the worker infers. Only a
 * machine already busy with other work made 2 threads slower. A request is capped at the cores.
 */
export function wasmThreads(isolated: boolean, cores: number | undefined, requested?: number): ThreadsDecision {
  const available = Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(cores ?? 1)));
  if (!isolated) {
    return {
      threads: 1,
      note: requested !== undefined && requested > 1 ? `${requested} threads requested, but this page is not cross-origin isolated` : null,
    };
  }
  if (requested === undefined) return { threads: Math.min(DEFAULT_WASM_THREAD_CAP, available), note: null };
  const threads = Math.max(1, Math.min(requested, available));
  return { threads, note: threads < requested ? `${requested} threads requested, but this device has ${available} cores` : null };
}
