/**
 * Bench-only page script (never shipped in the site): where a face's time goes in the browser.
 * It runs the site's own alignment and embedder code through profile.ts on the plain WASM build
 * of onnxruntime-web, as the demo's worker does on WASM. scripts/bench/face-descriptor.ts
 * bundles this with esbuild and drives it through window.profile.
 */
import * as ort from 'onnxruntime-web/wasm';
import type { Point, RgbaImage } from '../../../src/inference/types.ts';
import { getModel } from '../../../src/models/catalog.ts';
import { profileFaces, type PartTimes } from './profile.ts';

export type { PartTimes };

export interface ProfileInput {
  images: { width: number; height: number; base64: string; faces: Point[][] }[];
  repeat: number;
}

export interface ProfileResult {
  threads: number;
  faces: number;
  loadMs: number;
  /** One entry per run (the first is cold), each part in ms for the whole batch. */
  runs: PartTimes[];
}

const EMBEDDER = 'dlib-face-resnet-v1';

function decode(base64: string, width: number, height: number): RgbaImage {
  const binary = atob(base64);
  const data = new Uint8ClampedArray(binary.length);
  for (let i = 0; i < binary.length; i++) data[i] = binary.charCodeAt(i);
  return { width, height, data };
}

async function profile(input: ProfileInput): Promise<ProfileResult> {
  const threads = Math.max(1, Number(new URLSearchParams(location.search).get('threads')) || 1);
  ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  const entry = getModel(EMBEDDER);
  const started = performance.now();
  const bytes = new Uint8Array(await (await fetch(`/models/${entry.file}`)).arrayBuffer());
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const loadMs = performance.now() - started;
  const images = input.images.map((image) => ({ image: decode(image.base64, image.width, image.height), faces: image.faces }));

  const { faces, runs } = await profileFaces(
    images,
    entry,
    {
      wrap: (tensor) => new ort.Tensor('float32', tensor.data, tensor.dims),
      run: (feeds) => session.run(feeds),
      async read(output) {
        const data = (await output.getData()) as Float32Array;
        output.dispose();
        return { data, dims: output.dims };
      },
    },
    input.repeat,
  );
  await session.release();
  return { threads, faces, loadMs, runs };
}

(window as unknown as { profile: typeof profile }).profile = profile;
