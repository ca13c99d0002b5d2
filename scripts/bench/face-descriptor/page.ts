/**
 * Bench-only page script (never shipped in the site): where a face's time goes in the browser.
 * It runs the site's own alignment and embedder code (alignFaces and embedChips from
 * src/inference/tasks/embed-faces.ts) on the plain WASM build of onnxruntime-web, as the demo's
 * worker does on WASM, with a ModelRunner that times each part of a run:
 *   align: the similarity warp of every face onto the 150x150 template (JavaScript);
 *   preprocess: RGBA chips to the float tensor (embedChips up to its runner call);
 *   tensor: wrapping the feeds as ort.Tensor;
 *   session: session.run (which copies the input into the WASM heap and the output out of it);
 *   output: getData() of the outputs;
 *   post: embedChips after the runner returns (L2 normalisation, copies).
 * scripts/bench/face-descriptor.ts bundles this with esbuild and drives it through window.profile.
 */
import * as ort from 'onnxruntime-web/wasm';
import { alignFaces, embedChips } from '../../../src/inference/tasks/embed-faces.ts';
import type { ModelRunner, Point, RgbaImage, TensorData } from '../../../src/inference/types.ts';
import { getModel } from '../../../src/models/catalog.ts';

export interface ProfileInput {
  images: { width: number; height: number; base64: string; faces: Point[][] }[];
  repeat: number;
}

export interface PartTimes {
  align: number;
  preprocess: number;
  tensor: number;
  session: number;
  output: number;
  post: number;
  total: number;
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

  let times: PartTimes;
  let mark = 0;
  const runner: ModelRunner = {
    async run(_id, feeds) {
      let now = performance.now();
      times.preprocess += now - mark;
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', tensor.data, tensor.dims);
      times.tensor += performance.now() - now;
      now = performance.now();
      const results = await session.run(ortFeeds);
      times.session += performance.now() - now;
      now = performance.now();
      const out: Record<string, TensorData> = {};
      for (const [name, tensor] of Object.entries(results)) {
        out[name] = { data: (await tensor.getData()) as Float32Array, dims: tensor.dims };
        tensor.dispose();
      }
      times.output += performance.now() - now;
      mark = performance.now();
      return out;
    },
  };

  const runs: PartTimes[] = [];
  let faces = 0;
  for (let r = 0; r < input.repeat + 1; r++) {
    times = { align: 0, preprocess: 0, tensor: 0, session: 0, output: 0, post: 0, total: 0 };
    const begin = performance.now();
    const chips: RgbaImage[] = [];
    for (const { image, faces: landmarks } of images) {
      chips.push(
        ...alignFaces(
          image,
          landmarks.map((points) => ({ landmarks: points })),
          entry,
        ).chips,
      );
    }
    times.align = performance.now() - begin;
    mark = performance.now();
    await embedChips(chips, runner, entry);
    times.post = performance.now() - mark;
    times.total = performance.now() - begin;
    faces = chips.length;
    runs.push(times);
  }
  await session.release();
  return { threads, faces, loadMs, runs };
}

(window as unknown as { profile: typeof profile }).profile = profile;
