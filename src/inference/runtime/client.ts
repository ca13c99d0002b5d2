/**
 * The page side of the inference worker: one worker per page, created on first use (so a study
 * page ships no onnxruntime bytes until its demo starts), and a promise per request.
 */
import {
  RuntimeError as InferenceError,
  type Backend,
  type BackendChoice,
  type LoadTimings,
  type RunTimings,
  type WorkerRequest,
  type WorkerResponse,
} from './protocol.ts';

export interface Ready {
  backend: Backend;
  fallbackReason: string | null;
  threads: number;
  threadsNote: string | null;
  crossOriginIsolated: boolean;
  timings: LoadTimings;
}

export interface RunResult<Output> {
  backend: Backend;
  output: Output;
  timings: RunTimings;
}

export type ProgressMessage = Extract<WorkerResponse, { type: 'progress' | 'status' }>;

/** An error from the worker, with its protocol code: the protocol's own error class. */
export { InferenceError };

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (message: ProgressMessage) => void;
}

type Request = WorkerRequest extends infer R ? (R extends { requestId: number } ? Omit<R, 'requestId'> : never) : never;

export class InferenceClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'r2p-inference' });
    worker.onmessage = (event: MessageEvent<WorkerResponse>) => this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      const error = new InferenceError('internal', `The inference worker failed: ${event.message || 'it could not start'}.`);
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
      this.worker?.terminate();
      this.worker = null;
    };
    this.worker = worker;
    return worker;
  }

  private receive(message: WorkerResponse): void {
    const pending = this.pending.get(message.requestId);
    if (!pending) return;
    switch (message.type) {
      case 'progress':
      case 'status':
        pending.onProgress?.(message);
        return;
      case 'error':
        this.pending.delete(message.requestId);
        pending.reject(new InferenceError(message.code, message.message));
        return;
      case 'ready': {
        this.pending.delete(message.requestId);
        const { type: _type, requestId: _id, ...ready } = message;
        pending.resolve(ready);
        return;
      }
      case 'result':
        this.pending.delete(message.requestId);
        pending.resolve({ backend: message.backend, output: message.output, timings: message.timings });
        return;
    }
  }

  private send<T>(request: Request, transfer: Transferable[] = [], onProgress?: Pending['onProgress']): Promise<T> {
    const worker = this.ensureWorker();
    const requestId = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (value: unknown) => void, reject, onProgress });
      worker.postMessage({ ...request, requestId }, transfer);
    });
  }

  /** Download (or read from cache), verify and create sessions for these catalog ids. */
  load(models: string[], backend: BackendChoice, options: { onProgress?: Pending['onProgress']; threads?: number } = {}): Promise<Ready> {
    const baseUrl = new URL(import.meta.env.BASE_URL ?? '/', location.href).href;
    return this.send<Ready>({ type: 'load', models, backend, baseUrl, threads: options.threads }, [], options.onProgress);
  }

  /** Run a task; transfer lists buffers to move rather than copy. */
  run<Output>(
    task: string,
    input: unknown,
    options: { repeat?: number; transfer?: Transferable[]; onProgress?: Pending['onProgress'] } = {},
  ): Promise<RunResult<Output>> {
    return this.send<RunResult<Output>>(
      { type: 'run', task, input, repeat: options.repeat ?? 1 },
      options.transfer ?? [],
      options.onProgress,
    );
  }

  /**
   * Stop whatever the worker is doing: onnxruntime-web cannot interrupt a session run, so the
   * worker is ended and every pending request fails with code "cancelled". The next request
   * starts a fresh worker (models come back from the Cache API, not the network).
   */
  cancel(reason = 'Cancelled.'): void {
    const error = new InferenceError('cancelled', reason);
    this.terminate();
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}

let shared: InferenceClient | null = null;
/** The page's single inference client. */
export function getInferenceClient(): InferenceClient {
  shared ??= new InferenceClient();
  return shared;
}
