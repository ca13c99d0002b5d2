/**
 * Bench-only page script (never shipped in the site): runs the same aligned 150x150 face chips
 * through
 *   ours: the site's embedder code (embedChips from src/inference/tasks/embed-faces.ts) on
 *         onnxruntime-web, WASM or WebGPU, with the worker's session options and thread count;
 *   peer: face-api.js (@vladmandic/face-api), which computes the same dlib descriptor with
 *         TensorFlow.js, on whichever TF.js backend is asked for (cpu, webgl, or wasm when its
 *         binary is served).
 * scripts/bench/facenet.ts bundles this file with esbuild, serves it and drives it through
 * window.bench. Every call returns timings of batched runs over all chips and the descriptors.
 */
import * as ort from 'onnxruntime-web/webgpu';
import * as faceapi from '@vladmandic/face-api';
import { wasmThreads } from '../../../src/inference/runtime/backend.ts';
import { runSession } from '../../../src/inference/runtime/session-run.ts';
import { embedChips } from '../../../src/inference/tasks/embed-faces.ts';
import type { ModelRunner, RgbaImage } from '../../../src/inference/types.ts';
import { getModel } from '../../../src/models/catalog.ts';

const EMBEDDER = 'dlib-face-resnet-v1';

export interface ChipInput {
  width: number;
  height: number;
  /** RGBA bytes, base64. */
  base64: string;
}

export interface Measured {
  backend: string;
  /** Model load + session creation (or TF.js weight loading), ms. */
  loadMs: number;
  /** First batched run, ms. */
  firstMs: number;
  /** Warm batched runs, ms. */
  runsMs: number[];
  /** One descriptor per chip. */
  descriptors: number[][];
  threads?: number;
  note?: string;
}

function decode(chips: ChipInput[]): RgbaImage[] {
  return chips.map(({ width, height, base64 }) => {
    const binary = atob(base64);
    const data = new Uint8ClampedArray(binary.length);
    for (let i = 0; i < binary.length; i++) data[i] = binary.charCodeAt(i);
    return { width, height, data };
  });
}

let ortConfigured = false;

async function ours(backend: 'wasm' | 'webgpu', chipInputs: ChipInput[], repeat: number): Promise<Measured> {
  const entry = getModel(EMBEDDER);
  const chips = decode(chipInputs);
  if (!ortConfigured) {
    ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;
    // As the site's worker does, unless the page URL asks for a thread count (?threads=1).
    const asked = Number(new URLSearchParams(location.search).get('threads'));
    ort.env.wasm.numThreads = asked >= 1 ? asked : wasmThreads(self.crossOriginIsolated, navigator.hardwareConcurrency).threads;
    ort.env.wasm.proxy = false;
    ort.env.logLevel = 'error';
    ortConfigured = true;
  }
  let started = performance.now();
  const bytes = new Uint8Array(await (await fetch(`/models/${entry.file}`)).arrayBuffer());
  const session = await ort.InferenceSession.create(bytes, { executionProviders: [backend], graphOptimizationLevel: 'all' });
  const loadMs = performance.now() - started;
  const runner: ModelRunner = {
    run: (_modelId, feeds) => runSession(ort, session, feeds),
  };
  let descriptors: Float32Array[] = [];
  const times: number[] = [];
  for (let i = 0; i < repeat + 1; i++) {
    started = performance.now();
    descriptors = await embedChips(chips, runner, entry);
    times.push(performance.now() - started);
  }
  await session.release();
  return {
    backend,
    loadMs,
    firstMs: times[0]!,
    runsMs: times.slice(1),
    descriptors: descriptors.map((d) => Array.from(d)),
    threads: backend === 'wasm' ? (ort.env.wasm.numThreads ?? 1) : undefined,
  };
}

let peerLoaded = false;

/**
 * face-api.js on the chips. face-api 1.7.15 normalises with (v - mean) / 255 where dlib (and
 * our ONNX graph) use / 256; `dlibScale` rescales the input so face-api computes dlib's
 * normalisation exactly, to tell that difference apart from numerical ones.
 */
async function peer(backend: 'cpu' | 'webgl' | 'wasm', chipInputs: ChipInput[], repeat: number, dlibScale = false): Promise<Measured> {
  const tf = faceapi.tf;
  // The engine functions face-api re-exports from TF.js but leaves out of its types.
  const engine = tf as unknown as {
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    getBackend(): string;
    setWasmPaths?: (path: string) => void;
  };
  const chips = decode(chipInputs);
  let started = performance.now();
  if (backend === 'wasm') {
    // Only when the TF.js WebAssembly binary is served (it is not part of @vladmandic/face-api).
    engine.setWasmPaths?.('/tfjs-wasm/');
  }
  const ok = await engine.setBackend(backend);
  await engine.ready();
  if (!ok || engine.getBackend() !== backend)
    throw new Error(`TF.js backend "${backend}" is not available here (got ${engine.getBackend()}).`);
  if (!peerLoaded) {
    await faceapi.nets.faceRecognitionNet.loadFromUri('/face-api-model');
    peerLoaded = true;
  }
  const loadMs = performance.now() - started;
  // The same chips as RGB tensors, 150x150x3 (face-api subtracts its mean and divides by 256).
  const tensors = chips.map((chip) => {
    const rgb = new Float32Array(chip.width * chip.height * 3);
    const mean = [122.782, 117.001, 104.298];
    const k = dlibScale ? 255 / 256 : 1;
    for (let p = 0, q = 0; p < rgb.length; p += 3, q += 4) {
      for (let c = 0; c < 3; c++) rgb[p + c] = dlibScale ? mean[c]! + (chip.data[q + c]! - mean[c]!) * k : chip.data[q + c]!;
    }
    return tf.tensor3d(rgb, [chip.height, chip.width, 3], 'float32');
  });
  let descriptors: Float32Array[] = [];
  const times: number[] = [];
  for (let i = 0; i < repeat + 1; i++) {
    started = performance.now();
    const result = await faceapi.computeFaceDescriptor(tensors.length === 1 ? tensors[0]! : tensors);
    descriptors = Array.isArray(result) ? result : [result];
    times.push(performance.now() - started);
  }
  tensors.forEach((tensor) => tensor.dispose());
  return {
    backend: `tfjs-${backend}`,
    loadMs,
    firstMs: times[0]!,
    runsMs: times.slice(1),
    descriptors: descriptors.map((d) => Array.from(d)),
    note: `face-api ${faceapi.version}, TF.js ${(tf as unknown as { version_core?: string }).version_core ?? 'unknown'}`,
  };
}

declare global {
  interface Window {
    bench: { ours: typeof ours; peer: typeof peer; ready: boolean };
  }
}

window.bench = { ours, peer, ready: true };
document.body.dataset.ready = 'true';
