/**
 * Calibration for the int8 static (QDQ) variant: run the fp32 parent on onnxruntime-node over
 * the calibration inputs, with every activation the QDQ transform quantises exposed as an extra
 * graph output, and keep each one's minimum and maximum. Node only (build tooling).
 *
 * The result is committed as a table (src/models/variants/calibration/<parent>.json) and the
 * installer derives the QDQ file from that table, not from a fresh run: native float results
 * may differ in the last bit between CPUs, and a pinned sha256 must not.
 */
import * as ort from 'onnxruntime-node';
import type { TensorData } from '../../inference/types.ts';
import { decodeModel, encodeModel, onnx } from './onnx-io.ts';
import { foldBatchNorms, qdqActivationTensors, type ActivationRanges } from './transforms.ts';

/** The committed calibration table of one parent. */
export interface CalibrationTable {
  parent: string;
  parentSha256: string;
  method: 'minmax';
  /** What the ranges were measured on, for the record. */
  inputs: string[];
  ranges: Record<string, [number, number]>;
}

/** The activation names the QDQ transform of this parent will need ranges for. */
export function activationsToCalibrate(parent: Uint8Array): string[] {
  return qdqActivationTensors(foldBatchNorms(decodeModel(parent)));
}

function updateRange(ranges: Record<string, [number, number]>, name: string, data: Float32Array): void {
  let [min, max] = ranges[name] ?? [Infinity, -Infinity];
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  ranges[name] = [min, max];
}

/**
 * Min/max of each named activation over the feeds. Activations are read from the parent as it
 * is (batch norm unfolded): the folded Conv writes the same tensor name the BatchNormalization
 * wrote, so the names match.
 */
export async function measureRanges(
  parent: Uint8Array,
  feeds: readonly Record<string, TensorData>[],
  names: readonly string[],
): Promise<ActivationRanges> {
  const model = decodeModel(parent);
  const graph = model.graph!;
  const inputs = new Set(graph.input.map((input) => input.name));
  const outputs = new Set(graph.output.map((output) => output.name));
  for (const name of names) {
    if (inputs.has(name) || outputs.has(name)) continue;
    graph.output.push(
      onnx.ValueInfoProto.create({ name, type: onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType: 1 }) }) }),
    );
  }
  const session = await ort.InferenceSession.create(encodeModel(model), { graphOptimizationLevel: 'disabled' });
  const ranges: Record<string, [number, number]> = {};
  try {
    for (const feed of feeds) {
      const ortFeeds = Object.fromEntries(
        Object.entries(feed).map(([name, tensor]) => [name, new ort.Tensor('float32', tensor.data, tensor.dims)]),
      );
      const results = await session.run(ortFeeds);
      for (const name of names) {
        const data = inputs.has(name) ? feed[name]?.data : (results[name]?.data as Float32Array | undefined);
        if (!data) throw new Error(`calibration run produced no values for ${name}`);
        updateRange(ranges, name, data);
      }
    }
  } finally {
    await session.release();
  }
  return ranges;
}
