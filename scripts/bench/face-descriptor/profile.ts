/**
 * Where a face's time goes, measured the same way on both sides of the face-descriptor bench:
 * the browser page (onnxruntime-web) and Node (onnxruntime-node) each hand over a small adapter
 * for their runtime, and this module runs the site's own alignment and embedder code
 * (alignFaces, embedChips) around it, timing every part. Browser-safe: no Node imports.
 *   align: the similarity warp of every face onto the template (JavaScript);
 *   preprocess: RGBA chips to the float tensor (embedChips up to its runner call);
 *   tensor: wrapping the feeds as the runtime's tensors;
 *   session: session.run (in the browser, with the copies into and out of the WASM heap);
 *   output: reading the outputs back as typed arrays;
 *   post: embedChips after the runner returns (L2 normalisation, copies).
 */
import { alignFaces, embedChips } from '../../../src/inference/tasks/embed-faces.ts';
import type { ModelRunner, Point, RgbaImage, TensorData } from '../../../src/inference/types.ts';
import type { ModelEntry } from '../../../src/models/catalog.ts';

export interface PartTimes {
  align: number;
  preprocess: number;
  tensor: number;
  session: number;
  output: number;
  post: number;
  total: number;
}

/** One runtime's session, seen through the three steps the profile times apart. */
export interface SessionAdapter<Tensor, Output> {
  wrap(tensor: TensorData): Tensor;
  run(feeds: Record<string, Tensor>): Promise<Record<string, Output>>;
  read(output: Output): Promise<TensorData> | TensorData;
}

export interface ProfiledImage {
  image: RgbaImage;
  faces: Point[][];
}

const zero = (): PartTimes => ({ align: 0, preprocess: 0, tensor: 0, session: 0, output: 0, post: 0, total: 0 });

/** `repeat` + 1 runs (the first is cold) of align + embed over every face, each split into its parts. */
export async function profileFaces<Tensor, Output>(
  images: readonly ProfiledImage[],
  entry: ModelEntry,
  session: SessionAdapter<Tensor, Output>,
  repeat: number,
): Promise<{ faces: number; runs: PartTimes[] }> {
  let times = zero();
  let mark = 0;
  const runner: ModelRunner = {
    async run(_id, feeds) {
      let now = performance.now();
      times.preprocess += now - mark;
      const wrapped: Record<string, Tensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) wrapped[name] = session.wrap(tensor);
      times.tensor += performance.now() - now;
      now = performance.now();
      const results = await session.run(wrapped);
      times.session += performance.now() - now;
      now = performance.now();
      const out: Record<string, TensorData> = {};
      for (const [name, output] of Object.entries(results)) out[name] = await session.read(output);
      times.output += performance.now() - now;
      mark = performance.now();
      return out;
    },
  };
  const runs: PartTimes[] = [];
  let faces = 0;
  for (let r = 0; r < repeat + 1; r++) {
    times = zero();
    const begin = performance.now();
    const chips = images.flatMap(
      ({ image, faces: landmarks }) =>
        alignFaces(
          image,
          landmarks.map((points) => ({ landmarks: points })),
          entry,
        ).chips,
    );
    times.align = performance.now() - begin;
    mark = performance.now();
    await embedChips(chips, runner, entry);
    times.post = performance.now() - mark;
    times.total = performance.now() - begin;
    faces = chips.length;
    runs.push(times);
  }
  return { faces, runs };
}
