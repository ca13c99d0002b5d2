/// <reference lib="webworker" />
/**
 * The inference worker: a singleton that owns onnxruntime-web, the model bytes and sessions,
 * the choice of execution provider, and the task registry. Pages talk to it only through the
 * protocol in protocol.ts (via client.ts).
 */
import type * as Ort from 'onnxruntime-web';
import { getModel } from '../../models/catalog.ts';
import { TASKS, type TaskContext } from '../tasks/registry.ts';
import type { ModelRunner } from '../types.ts';
import { decideBackend, probeWebGpu, wasmThreads, type ThreadsDecision } from './backend.ts';
import { createCanvasOps } from './canvas-ops.ts';
import { fetchModel } from './model-fetch.ts';
import { runSession } from './session-run.ts';
import { RuntimeError, summariseRuns, type Backend, type WorkerRequest, type WorkerResponse } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

const post = (message: WorkerResponse) => self.postMessage(message);

type OrtModule = typeof Ort;

/** Everything loaded so far; bytes are kept so a backend switch needs no second download. */
const state = {
  baseUrl: '',
  threads: null as ThreadsDecision | null,
  backend: null as Backend | null,
  /** The onnxruntime-web build that created the current sessions. */
  ort: null as OrtModule | null,
  bytes: new Map<string, Uint8Array>(),
  texts: new Map<string, string>(),
  sessions: new Map<string, Ort.InferenceSession>(),
  /** True until the first run after sessions were (re)created: that run is the cold one. */
  cold: true,
};
const ops = createCanvasOps();

/**
 * The two onnxruntime-web builds, each imported the first time its backend is needed: the plain
 * WASM build (14 MB of wasm, quick to start) for WASM, the JSPI WebGPU build (17 MB; the asyncify
 * one is 27 MB and slower to start) only when a run goes to WebGPU. Both are served from /ort/.
 */
const runtimes = new Map<Backend, Promise<OrtModule>>();
function runtimeFor(backend: Backend): Promise<OrtModule> {
  let runtime = runtimes.get(backend);
  if (!runtime) {
    runtime = (backend === 'webgpu' ? import('onnxruntime-web/jspi') : import('onnxruntime-web/wasm')).then((module) => {
      const ort = module as OrtModule;
      // The runtime files are served by the site itself (copied to /ort/ by the r2p integration).
      ort.env.wasm.wasmPaths = new URL('ort/', state.baseUrl).href;
      ort.env.wasm.numThreads = state.threads?.threads ?? 1;
      ort.env.wasm.proxy = false;
      ort.env.logLevel = 'error';
      return ort;
    });
    // A failed import (a missing or corrupt file) may be retried by the next load.
    runtime.catch(() => runtimes.delete(backend));
    runtimes.set(backend, runtime);
  }
  return runtime;
}

async function createSessions(
  ort: OrtModule,
  ids: string[],
  backend: Backend,
  requestId: number,
): Promise<Map<string, Ort.InferenceSession>> {
  const created = new Map<string, Ort.InferenceSession>();
  try {
    for (const id of ids) {
      const bytes = state.bytes.get(id);
      if (!bytes) throw new Error(`internal: bytes of ${id} not loaded`);
      post({ type: 'progress', requestId, modelId: id, phase: 'session', loaded: 0, total: null });
      created.set(id, await ort.InferenceSession.create(bytes, { executionProviders: [backend], graphOptimizationLevel: 'all' }));
      post({ type: 'progress', requestId, modelId: id, phase: 'session', loaded: 1, total: 1 });
    }
    return created;
  } catch (error) {
    await Promise.all([...created.values()].map((session) => session.release()));
    throw error;
  }
}

async function handleLoad(request: Extract<WorkerRequest, { type: 'load' }>): Promise<void> {
  const { requestId } = request;
  state.baseUrl = request.baseUrl;
  // Threads are read by each runtime when it starts, so they are fixed by the first load.
  state.threads ??= wasmThreads(self.crossOriginIsolated, self.navigator.hardwareConcurrency, request.threads);
  const entries = request.models.map((id) => getModel(id));
  let downloadMs = 0;
  let verifyMs = 0;
  let fromCache = true;
  for (const entry of entries) {
    if (state.bytes.has(entry.id) || state.texts.has(entry.id)) continue;
    const fetched = await fetchModel(entry, {
      baseUrl: request.baseUrl,
      onProgress: (phase, loaded, total) => post({ type: 'progress', requestId, modelId: entry.id, phase, loaded, total }),
    });
    downloadMs += fetched.downloadMs;
    verifyMs += fetched.verifyMs;
    fromCache &&= fetched.fromCache;
    if (entry.task === 'labels') state.texts.set(entry.id, new TextDecoder().decode(fetched.bytes));
    else state.bytes.set(entry.id, fetched.bytes);
  }

  const onnxIds = entries.filter((entry) => entry.task !== 'labels').map((entry) => entry.id);
  const probe = request.backend === 'wasm' ? { available: false } : { ...(await probeWebGpu()), jspi: 'Suspending' in WebAssembly };
  const decision = decideBackend(request.backend, probe);
  let fallbackReason = decision.reason;
  const sessionStart = performance.now();
  const needed = onnxIds.filter((id) => !state.sessions.has(id));
  const preferred = decision.order[0] ?? 'wasm';
  if (state.backend !== preferred || needed.length > 0) {
    // Switching provider: release every session so all models of a demo share one backend.
    if (state.backend !== preferred) {
      await Promise.all([...state.sessions.values()].map((session) => session.release()));
      state.sessions.clear();
    }
    let lastError: unknown = null;
    for (const backend of decision.order) {
      try {
        const name = backend === 'webgpu' ? 'WebGPU' : 'WASM';
        post({ type: 'status', requestId, message: `Starting the ${name} runtime` });
        const ort = await runtimeFor(backend);
        post({ type: 'status', requestId, message: `Creating ${name} sessions` });
        const created = await createSessions(
          ort,
          onnxIds.filter((id) => !state.sessions.has(id)),
          backend,
          requestId,
        );
        for (const [id, session] of created) state.sessions.set(id, session);
        state.backend = backend;
        state.ort = ort;
        lastError = null;
        break;
      } catch (error) {
        lastError = error;
        if (backend === 'webgpu') fallbackReason = `WebGPU session creation failed (${(error as Error).message}); using WASM`;
      }
    }
    if (lastError) throw new RuntimeError('backend', `Could not create an inference session: ${(lastError as Error).message}`);
    state.cold = true;
  }
  post({
    type: 'ready',
    requestId,
    backend: state.backend ?? 'wasm',
    fallbackReason,
    threads: state.threads.threads,
    threadsNote: state.threads.note,
    crossOriginIsolated: self.crossOriginIsolated,
    timings: { downloadMs, verifyMs, sessionMs: performance.now() - sessionStart, fromCache },
  });
}

const runner: ModelRunner = {
  async run(modelId, feeds) {
    const session = state.sessions.get(modelId);
    const ort = state.ort;
    if (!session || !ort) throw new RuntimeError('internal', `Model ${modelId} is not loaded; load it before running.`);
    return runSession(ort, session, feeds);
  },
};

/** The run request being served, so a task's progress reaches the page that asked. */
let activeRunId = 0;

const context: TaskContext = {
  runner,
  progress: (message) => post({ type: 'status', requestId: activeRunId, message }),
  ops,
  model: getModel,
  now: () => performance.now(),
  text(id) {
    const text = state.texts.get(id);
    if (text === undefined) throw new RuntimeError('internal', `Text file ${id} is not loaded; list it in the load request.`);
    return text;
  },
};

async function handleRun(request: Extract<WorkerRequest, { type: 'run' }>): Promise<void> {
  const task = TASKS[request.task];
  if (!task) throw new RuntimeError('unknown-task', `Unknown task "${request.task}". Known tasks: ${Object.keys(TASKS).join(', ')}.`);
  if (!state.backend) throw new RuntimeError('internal', 'No model is loaded yet.');
  const repeat = Math.max(1, Math.min(50, Math.floor(request.repeat)));
  activeRunId = request.requestId;
  const runsMs: number[] = [];
  let output: unknown;
  const cold = state.cold;
  for (let i = 0; i < repeat; i++) {
    const started = performance.now();
    try {
      output = await task.run(request.input as never, context);
    } catch (error) {
      if (error instanceof RuntimeError) throw error;
      throw new RuntimeError('bad-input', (error as Error).message);
    }
    runsMs.push(performance.now() - started);
    state.cold = false;
  }
  post({ type: 'result', requestId: request.requestId, backend: state.backend, output, timings: summariseRuns(runsMs, cold) });
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  const handler = request.type === 'load' ? handleLoad(request) : handleRun(request);
  handler.catch((error: unknown) => {
    const code = error instanceof RuntimeError ? error.code : 'internal';
    post({ type: 'error', requestId: request.requestId, code, message: (error as Error)?.message ?? String(error) });
  });
};
