/**
 * The typed message protocol between a page and the inference worker. Every request carries a
 * requestId; the worker answers with zero or more progress/status messages and then exactly
 * one ready, result or error message for that id.
 */

/** What the reader asked for. */
export type BackendChoice = 'auto' | 'webgpu' | 'wasm';
/** What actually ran. */
export type Backend = 'webgpu' | 'wasm';

/** Error codes a demo can act on (for example, offer the install command for model-missing). */
export type ErrorCode = 'model-missing' | 'integrity' | 'bad-input' | 'backend' | 'unknown-task' | 'cancelled' | 'internal';

/** Timings of loading, in milliseconds. */
export interface LoadTimings {
  /** Network or cache read of model bytes (all models). */
  downloadMs: number;
  /** SHA-256 verification (all models). */
  verifyMs: number;
  /** Session creation (all models). */
  sessionMs: number;
  /** Whether every model came from the Cache API rather than the network. */
  fromCache: boolean;
}

/** Timings of a run, in milliseconds. */
export interface RunTimings {
  /** The first inference after the sessions were created (null when sessions were already warm). */
  firstMs: number | null;
  /** Median of the warm runs (null when there was no warm run). */
  warmMedianMs: number | null;
  /** 95th percentile of the warm runs. */
  warmP95Ms: number | null;
  /** Every run, in order. */
  runsMs: number[];
}

export type WorkerRequest =
  | {
      type: 'load';
      requestId: number;
      models: string[];
      backend: BackendChoice;
      /** Site root URL, for /models/ and /ort/. */
      baseUrl: string;
      /** WASM threads asked for (capped by the worker); default: ORT's rule. Fixed after the first load. */
      threads?: number;
    }
  | { type: 'run'; requestId: number; task: string; input: unknown; repeat: number };

export type WorkerResponse =
  | {
      type: 'progress';
      requestId: number;
      modelId: string;
      phase: 'download' | 'verify' | 'session';
      loaded: number;
      total: number | null;
    }
  | { type: 'status'; requestId: number; message: string }
  | {
      type: 'ready';
      requestId: number;
      backend: Backend;
      /** Why the requested or preferred backend was not used, if it was not. */
      fallbackReason: string | null;
      /** WASM threads ORT runs with (1 whenever the page is not cross-origin isolated). */
      threads: number;
      /** Set when a threads= request was capped, saying why. */
      threadsNote: string | null;
      crossOriginIsolated: boolean;
      timings: LoadTimings;
    }
  | { type: 'result'; requestId: number; backend: Backend; output: unknown; timings: RunTimings }
  | { type: 'error'; requestId: number; code: ErrorCode; message: string };

/** An Error that carries a protocol error code across the worker boundary. */
export class RuntimeError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'RuntimeError';
    this.code = code;
  }
}

/** Median and 95th percentile (nearest rank) of a list of timings. */
export function summariseRuns(runsMs: readonly number[], firstIsCold: boolean): RunTimings {
  const warm = (firstIsCold ? runsMs.slice(1) : runsMs.slice()).sort((a, b) => a - b);
  const rank = (p: number) => warm[Math.min(warm.length - 1, Math.ceil(p * warm.length) - 1)] ?? null;
  const median =
    warm.length === 0
      ? null
      : warm.length % 2 === 1
        ? (warm[(warm.length - 1) / 2] ?? null)
        : ((warm[warm.length / 2 - 1] ?? 0) + (warm[warm.length / 2] ?? 0)) / 2;
  return { firstMs: firstIsCold ? (runsMs[0] ?? null) : null, warmMedianMs: median, warmP95Ms: rank(0.95), runsMs: [...runsMs] };
}
