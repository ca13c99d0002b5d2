/**
 * The arithmetic a model does per image, counted from its graph: multiply-accumulates of every
 * Conv, MatMul and Gemm (the ops that hold nearly all of a CNN's work). Output shapes are not inferred
 * by hand: every such node's output is exposed as a graph output and the model is run once on
 * onnxruntime-node, so the counts use the shapes the runtime really computes. The face-descriptor
 * bench divides them by the measured session time to give the sustained GFLOP/s of each runtime.
 */
import * as ortNode from 'onnxruntime-node';
import { decodeModel, encodeModel, onnx, tensorShape } from '../../src/models/variants/onnx-io.ts';

export interface ModelWork {
  /** Multiply-accumulates per image in Conv, MatMul and Gemm nodes. */
  macs: number;
  /** How many nodes were counted. */
  nodes: number;
}

/** MACs of one image through `modelBytes`, run on a zero input of `dims` (batch 1). */
export async function modelWork(modelBytes: Uint8Array, inputName: string, dims: readonly number[]): Promise<ModelWork> {
  if (dims[0] !== 1) throw new RangeError('modelWork counts one image: the batch dimension must be 1.');
  const model = decodeModel(modelBytes);
  const graph = model.graph;
  if (!graph) throw new Error('the model has no graph');
  const weights = new Map(graph.initializer.map((tensor) => [tensor.name, tensorShape(tensor)]));
  const COUNTED = new Set(['Conv', 'MatMul', 'Gemm']);
  const counted = graph.node.filter((node) => COUNTED.has(node.opType));
  const existing = new Set(graph.output.map((output) => output.name));
  for (const node of counted) {
    const name = node.output[0]!;
    if (!existing.has(name)) graph.output.push(onnx.ValueInfoProto.create({ name }) as unknown as (typeof graph.output)[number]);
  }
  const session = await ortNode.InferenceSession.create(encodeModel(model), { graphOptimizationLevel: 'disabled' });
  try {
    const size = dims.reduce((a, b) => a * b, 1);
    const results = await session.run({ [inputName]: new ortNode.Tensor('float32', new Float32Array(size), [...dims]) });
    let macs = 0;
    for (const node of counted) {
      const out = results[node.output[0]!];
      if (!out) throw new Error(`no output for ${node.opType} ${node.name || node.output[0]}`);
      const outElements = out.dims.reduce((a, b) => a * b, 1);
      if (node.opType === 'Conv') {
        // Each output element sums Cin/group x kh x kw products: the weight's dims after the first.
        const weight = weights.get(node.input[1]!);
        if (!weight) throw new Error(`Conv ${node.name} has no constant weight`);
        macs += outElements * weight.slice(1).reduce((a, b) => a * b, 1);
      } else {
        // Each output element is a dot product as long as the shared (inner) dimension.
        const right = weights.get(node.input[1]!);
        if (!right) throw new Error(`${node.opType} ${node.name} has no constant right-hand side`);
        const transB = node.opType === 'Gemm' && node.attribute.some((a) => a.name === 'transB' && Number(a.i) === 1);
        macs += outElements * (transB ? right[right.length - 1]! : right[right.length - 2]!);
      }
    }
    return { macs, nodes: counted.length };
  } finally {
    await session.release();
  }
}
