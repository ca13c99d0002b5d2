/**
 * Where tests find installed models, and a ModelRunner backed by onnxruntime-node (the native
 * reference). A test that needs a model calls requireModel(): outside CI a missing model skips
 * with the install command; under CI=true it is a failure, because CI installs every mirror model.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { getModel } from '../../src/models/catalog.ts';
import type { ModelRunner, TensorData } from '../../src/inference/types.ts';

export const MODELS_DIR = fileURLToPath(new URL('../../public/models/', import.meta.url));

export function modelPath(id: string): string {
  return MODELS_DIR + getModel(id).file;
}

export function isInstalled(id: string): boolean {
  return existsSync(modelPath(id));
}

/** Throws under CI when a model is missing; otherwise returns false so the caller can skip. */
export function requireModels(...ids: string[]): boolean {
  const missing = ids.filter((id) => !isInstalled(id));
  if (missing.length === 0) return true;
  const message = `Models not installed: ${missing.join(', ')}. Run "npm run models" with R2P_MODEL_MIRROR set.`;
  if (process.env.CI) throw new Error(message);
  console.warn(`[skip] ${message}`);
  return false;
}

/** A ModelRunner on onnxruntime-node, with one cached session per model id. */
export function createNodeRunner(options: ort.InferenceSession.SessionOptions = {}): ModelRunner & {
  session(id: string): Promise<ort.InferenceSession>;
} {
  const sessions = new Map<string, Promise<ort.InferenceSession>>();
  const session = (id: string) => {
    let pending = sessions.get(id);
    if (!pending) {
      pending = ort.InferenceSession.create(modelPath(id), options);
      sessions.set(id, pending);
    }
    return pending;
  };
  return {
    session,
    async run(id, feeds) {
      const s = await session(id);
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) {
        ortFeeds[name] = new ort.Tensor('float32', tensor.data, tensor.dims);
      }
      const results = await s.run(ortFeeds);
      const out: Record<string, TensorData> = {};
      for (const [name, tensor] of Object.entries(results)) {
        out[name] = { data: tensor.data as Float32Array, dims: tensor.dims };
      }
      return out;
    },
  };
}
