/**
 * A ModelRunner on onnxruntime-web's WASM backend running inside Node: the same engine the
 * browser demos use, so integration tests compare it against native onnxruntime-node.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import type { ModelRunner, TensorData } from '../../src/inference/types.ts';
import { modelPath } from './models.ts';

ort.env.wasm.numThreads = 1;

export function createWebRunner(): ModelRunner {
  const sessions = new Map<string, Promise<ort.InferenceSession>>();
  return {
    async run(id, feeds) {
      let pending = sessions.get(id);
      if (!pending) {
        pending = ort.InferenceSession.create(readFileSync(modelPath(id)), { executionProviders: ['wasm'] });
        sessions.set(id, pending);
      }
      const session = await pending;
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', tensor.data, tensor.dims);
      const results = await session.run(ortFeeds);
      const out: Record<string, TensorData> = {};
      for (const [name, tensor] of Object.entries(results)) out[name] = { data: tensor.data as Float32Array, dims: tensor.dims };
      return out;
    },
  };
}
