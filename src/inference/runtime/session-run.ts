/**
 * One onnxruntime-web session run in the site's tensor terms (TensorData in, TensorData out):
 * shared by the inference worker and the bench pages, so both wrap feeds and read outputs the
 * same way. Works with any onnxruntime-web build (plain WASM, JSPI/WebGPU): the caller passes the
 * module its session came from.
 */
import type * as Ort from 'onnxruntime-web';
import type { TensorData } from '../types.ts';

/** The part of an onnxruntime-web module a run needs (every build exports it). */
export type OrtTensorModule = Pick<typeof Ort, 'Tensor'>;

export async function runSession(
  ort: OrtTensorModule,
  session: Ort.InferenceSession,
  feeds: Record<string, TensorData>,
): Promise<Record<string, TensorData>> {
  const ortFeeds: Record<string, Ort.Tensor> = {};
  for (const [name, tensor] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', tensor.data, tensor.dims);
  const results = await session.run(ortFeeds);
  const out: Record<string, TensorData> = {};
  for (const [name, tensor] of Object.entries(results)) {
    // getData() downloads GPU tensors; CPU tensors return their data directly. dispose() frees GPU buffers.
    out[name] = { data: (await tensor.getData()) as Float32Array, dims: tensor.dims };
    tensor.dispose();
  }
  return out;
}
