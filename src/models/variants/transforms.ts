/**
 * The three production variants, as pure transforms of a decoded fp32 ONNX model.
 *
 * - fp16 storage: large float32 initializers are stored as float16 and a Cast back to float32
 *   is added in the graph, so the file halves and every operator still computes in float32.
 * - int8 weights: batch normalisation is folded into the preceding convolutions (ONNX Runtime
 *   cannot fuse it once the weight comes out of a DequantizeLinear), then the weights of Conv,
 *   Gemm and MatMul are stored as int8 with one symmetric scale per output channel and a
 *   DequantizeLinear (with `axis`) in the graph; activations stay float32. About a quarter of
 *   the bytes.
 * - int8 static (QDQ): batch normalisation is folded into the preceding convolutions, weights
 *   are quantised as above, biases to int32, and the activations entering and leaving each
 *   Conv/Gemm/MatMul get a QuantizeLinear/DequantizeLinear pair with a uint8 scale and zero point
 *   from calibrated ranges (calibrate.ts). This is the "QDQ" format ONNX Runtime fuses into
 *   integer kernels (QLinearConv...).
 *
 * Every transform keeps tensor names that consumers and graph outputs use (a new initializer
 * gets a suffixed name and the Cast/DequantizeLinear produces the old one), inserts nodes in a
 * fixed order, and uses only float32-exact arithmetic, so the same parent always gives the same
 * bytes and the variant can be pinned by sha256.
 */
import { FLOAT16_MAX, encodeFloat16 } from './float16.ts';
import {
  DataType,
  decodeModel,
  elementCount,
  encodeModel,
  floatAttribute,
  intAttribute,
  makeNode,
  makeTensor,
  onnx,
  readFloat32,
  tensorShape,
  type Graph,
  type Model,
  type Node,
  type Tensor,
} from './onnx-io.ts';
import { perChannelSymmetricScales, quantizeBias, quantizePerChannel, uint8ActivationParams } from './quantize.ts';

/** The operators whose weights the int8 transforms quantise. */
export const QUANTIZED_OPS = ['Conv', 'Gemm', 'MatMul'] as const;

/** A variant's recipe: what the catalog records as the transform and its parameters. */
export type VariantTransform =
  | {
      kind: 'fp16';
      /** Initializers with fewer elements stay float32 (biases, normalisation constants: tiny, precision-sensitive). */
      minElements: number;
    }
  | {
      kind: 'int8';
      /** Symmetric int8, one scale per output channel. */
      weights: 'per-channel-symmetric';
      /**
       * Weights left in float32 by name: where a model's first or last layer carries most of the
       * error and few of the bytes (the face descriptor), keeping it is cheaper than the drift.
       */
      keepFloat: readonly string[];
    }
  | {
      kind: 'int8-qdq';
      weights: 'per-channel-symmetric';
      activations: 'uint8-asymmetric-minmax';
      /** Repository path of the committed calibration table (see calibrate.ts). */
      calibration: string;
    };

/** Activation ranges measured on the calibration images, by tensor name. */
export type ActivationRanges = Readonly<Record<string, readonly [number, number]>>;

/** Metadata key written into every variant so a file says how it was made. */
export const VARIANT_METADATA_KEY = 'r2p.variant';

function initializerMap(graph: Graph): Map<string, Tensor> {
  return new Map(graph.initializer.map((tensor) => [tensor.name, tensor]));
}

/** Every (node, input index) that reads each tensor name. */
function consumers(graph: Graph): Map<string, { node: Node; index: number }[]> {
  const uses = new Map<string, { node: Node; index: number }[]>();
  for (const node of graph.node) {
    node.input.forEach((name, index) => {
      if (!name) return;
      const list = uses.get(name) ?? [];
      list.push({ node, index });
      uses.set(name, list);
    });
  }
  return uses;
}

/** Names that a caller may feed: initializers listed as graph inputs must stay overridable. */
function graphInputNames(graph: Graph): Set<string> {
  return new Set(graph.input.map((input) => input.name));
}

/**
 * The output-channel axis of a weight for the node reading it, or null when the tensor is not
 * a weight the int8 transforms handle: Conv W [M, C, kh, kw] -> 0; Gemm B -> 0 with transB,
 * else 1; MatMul B [K, N] -> 1.
 */
function weightAxis(node: Node, index: number, tensor: Tensor): number | null {
  if (index !== 1 || tensor.dataType !== DataType.FLOAT) return null;
  const rank = tensor.dims.length;
  if (node.opType === 'Conv' && rank >= 3) return 0;
  if (node.opType === 'Gemm' && rank === 2) return intAttribute(node, 'transB', 0) ? 0 : 1;
  if (node.opType === 'MatMul' && rank === 2) return 1;
  return null;
}

/** Initializers that are weights of Conv/Gemm/MatMul and nothing else, with their channel axis. */
export function quantizableWeights(graph: Graph): Map<string, number> {
  const initializers = initializerMap(graph);
  const inputs = graphInputNames(graph);
  const found = new Map<string, number>();
  for (const [name, uses] of consumers(graph)) {
    const tensor = initializers.get(name);
    if (!tensor || inputs.has(name)) continue;
    const axes = uses.map(({ node, index }) => weightAxis(node, index, tensor));
    if (axes.every((axis) => axis !== null && axis === axes[0])) found.set(name, axes[0]!);
  }
  return found;
}

/** Replace one initializer by new ones plus the nodes that rebuild its float32 value. */
function replaceInitializers(graph: Graph, replaced: Map<string, { tensors: Tensor[]; node: Node }>): void {
  const kept = graph.initializer.filter((tensor) => !replaced.has(tensor.name));
  const added = [...replaced.values()].flatMap((entry) => entry.tensors);
  graph.initializer = [...kept, ...added];
  // The rebuilding nodes read only initializers, so they may run first; their order follows the original initializer order.
  graph.node = [...[...replaced.values()].map((entry) => entry.node), ...graph.node];
}

function markVariant(model: Model, transform: VariantTransform): Model {
  model.metadataProps = [
    ...model.metadataProps.filter((prop) => prop.key !== VARIANT_METADATA_KEY),
    onnx.StringStringEntryProto.create({ key: VARIANT_METADATA_KEY, value: JSON.stringify(transform) }),
  ];
  return model;
}

/** fp16 storage: every float32 initializer with at least minElements values and within float16 range. */
export function toFloat16Storage(model: Model, minElements: number): Model {
  const graph = model.graph!;
  const inputs = graphInputNames(graph);
  const replaced = new Map<string, { tensors: Tensor[]; node: Node }>();
  for (const tensor of graph.initializer) {
    if (tensor.dataType !== DataType.FLOAT || inputs.has(tensor.name) || elementCount(tensor) < minElements) continue;
    const values = readFloat32(tensor);
    // A value beyond float16's range would become Infinity: such a tensor stays float32.
    if (values.some((value) => Math.abs(value) > FLOAT16_MAX)) continue;
    const stored = `${tensor.name}__fp16`;
    replaced.set(tensor.name, {
      tensors: [makeTensor(stored, tensorShape(tensor), encodeFloat16(values), DataType.FLOAT16)],
      node: makeNode('Cast', [stored], [tensor.name], `${tensor.name}__cast`, { to: DataType.FLOAT }),
    });
  }
  replaceInitializers(graph, replaced);
  return markVariant(model, { kind: 'fp16', minElements });
}

/** The int8 tensors and DequantizeLinear node that rebuild one weight. */
function dequantizedWeight(tensor: Tensor, axis: number): { tensors: Tensor[]; node: Node; scales: Float32Array } {
  const shape = tensorShape(tensor);
  const values = readFloat32(tensor);
  const scales = perChannelSymmetricScales(values, shape, axis);
  const quantized = quantizePerChannel(values, shape, axis, scales);
  const name = tensor.name;
  return {
    scales,
    tensors: [
      makeTensor(`${name}__int8`, shape, quantized),
      makeTensor(`${name}__scale`, [scales.length], scales),
      makeTensor(`${name}__zero_point`, [scales.length], new Int8Array(scales.length)),
    ],
    node: makeNode('DequantizeLinear', [`${name}__int8`, `${name}__scale`, `${name}__zero_point`], [name], `${name}__dequantize`, { axis }),
  };
}

/** int8 weights: Conv/Gemm/MatMul weights per-channel symmetric int8 (except keepFloat); everything else unchanged. */
export function toInt8Weights(model: Model, keepFloat: readonly string[] = []): Model {
  const graph = foldBatchNorms(model).graph!;
  const initializers = initializerMap(graph);
  const replaced = new Map<string, { tensors: Tensor[]; node: Node }>();
  for (const [name, axis] of quantizableWeights(graph)) {
    if (!keepFloat.includes(name)) replaced.set(name, dequantizedWeight(initializers.get(name)!, axis));
  }
  const unknown = keepFloat.filter((name) => !quantizableWeights(graph).has(name));
  if (unknown.length > 0) throw new Error(`keepFloat names no Conv/Gemm/MatMul weight: ${unknown.join(', ')}`);
  replaceInitializers(graph, replaced);
  return markVariant(model, { kind: 'int8', weights: 'per-channel-symmetric', keepFloat });
}

/**
 * Fold each BatchNormalization that is the only reader of a Conv's output into that Conv:
 * W'[m] = W[m] * g[m] / sqrt(v[m] + eps), b'[m] = (b[m] - mean[m]) * g[m] / sqrt(v[m] + eps) + beta[m].
 * The Conv then writes the BatchNormalization's output name. Arithmetic is in float64, stored as float32.
 */
export function foldBatchNorms(model: Model): Model {
  const graph = model.graph!;
  const initializers = initializerMap(graph);
  const uses = consumers(graph);
  const outputs = new Set(graph.output.map((output) => output.name));
  const removed = new Set<Node>();
  for (const conv of graph.node) {
    if (conv.opType !== 'Conv') continue;
    const next = uses.get(conv.output[0]!) ?? [];
    const bn = next[0]?.node;
    if (next.length !== 1 || !bn || bn.opType !== 'BatchNormalization' || next[0]!.index !== 0 || outputs.has(conv.output[0]!)) continue;
    if (bn.output.slice(1).some(Boolean)) continue;
    const [gamma, beta, mean, variance] = bn.input.slice(1, 5).map((name) => initializers.get(name));
    const weight = initializers.get(conv.input[1]!);
    if (!gamma || !beta || !mean || !variance || !weight || (uses.get(weight.name)?.length ?? 0) !== 1) continue;
    const biasName = conv.input[2];
    const bias = biasName ? initializers.get(biasName) : undefined;
    if (biasName && (!bias || (uses.get(biasName)?.length ?? 0) !== 1)) continue;
    const epsilon = floatAttribute(bn, 'epsilon', 1e-5);
    const [g, b, mu, v] = [gamma, beta, mean, variance].map(readFloat32) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const w = readFloat32(weight);
    const channels = g.length;
    const inner = w.length / channels;
    const oldBias = bias ? readFloat32(bias) : new Float32Array(channels);
    const newWeight = new Float32Array(w.length);
    const newBias = new Float32Array(channels);
    for (let m = 0; m < channels; m++) {
      const factor = g[m]! / Math.sqrt(v[m]! + Math.fround(epsilon));
      for (let i = 0; i < inner; i++) newWeight[m * inner + i] = w[m * inner + i]! * factor;
      newBias[m] = (oldBias[m]! - mu[m]!) * factor + b[m]!;
    }
    const weightIndex = graph.initializer.indexOf(weight);
    graph.initializer[weightIndex] = makeTensor(weight.name, tensorShape(weight), newWeight);
    const newBiasName = biasName || `${weight.name}__folded_bias`;
    if (bias) graph.initializer[graph.initializer.indexOf(bias)] = makeTensor(newBiasName, [channels], newBias);
    else graph.initializer.push(makeTensor(newBiasName, [channels], newBias));
    conv.input = [conv.input[0]!, weight.name, newBiasName];
    conv.output = [bn.output[0]!];
    removed.add(bn);
  }
  graph.node = graph.node.filter((node) => !removed.has(node));
  // Batch-norm parameters nobody reads any more are dropped.
  const read = new Set(graph.node.flatMap((node) => node.input));
  graph.initializer = graph.initializer.filter((tensor) => read.has(tensor.name) || graphInputNames(graph).has(tensor.name));
  return model;
}

/**
 * The activation tensors the QDQ transform quantises, in graph order: the data input of every
 * Conv/Gemm/MatMul whose weight is quantised, and its output, except where that output is (or
 * directly feeds) a graph output: the last layer's result stays float32, as is usual, because
 * a uint8 grid on logits or a descriptor costs far more accuracy than it saves time.
 * Call it on a model whose batch norms are folded (foldBatchNorms), as toInt8Qdq does.
 */
export function qdqActivationTensors(model: Model): string[] {
  const graph = model.graph!;
  const weights = quantizableWeights(graph);
  const initializers = initializerMap(graph);
  const uses = consumers(graph);
  const outputs = new Set(graph.output.map((output) => output.name));
  const feedsOutput = (name: string) =>
    outputs.has(name) || (uses.get(name) ?? []).some(({ node }) => node.output.some((out) => outputs.has(out)));
  const names: string[] = [];
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  for (const node of graph.node) {
    if (!(QUANTIZED_OPS as readonly string[]).includes(node.opType) || !weights.has(node.input[1] ?? '')) continue;
    const input = node.input[0]!;
    if (!initializers.has(input)) add(input);
    if (!feedsOutput(node.output[0]!)) add(node.output[0]!);
  }
  return names;
}

/** int8 static QDQ from a parent model and calibrated activation ranges (names as qdqActivationTensors gives). */
export function toInt8Qdq(model: Model, ranges: ActivationRanges, calibration: string): Model {
  foldBatchNorms(model);
  const activations = qdqActivationTensors(model);
  const missing = activations.filter((name) => !ranges[name]);
  if (missing.length > 0)
    throw new Error(`the calibration table has no range for ${missing.length} activation(s): ${missing.slice(0, 5).join(', ')}`);

  const graph = model.graph!;
  const initializers = initializerMap(graph);
  const uses = consumers(graph);
  const params = new Map(activations.map((name) => [name, uint8ActivationParams(ranges[name]![0], ranges[name]![1])]));

  // Weights (and, where the input is quantised, biases as int32) become DequantizeLinear of stored integers.
  const replaced = new Map<string, { tensors: Tensor[]; node: Node }>();
  for (const [name, axis] of quantizableWeights(graph)) {
    const weight = dequantizedWeight(initializers.get(name)!, axis);
    replaced.set(name, weight);
    for (const { node } of uses.get(name)!) {
      const biasName = node.opType === 'Conv' || node.opType === 'Gemm' ? node.input[2] : undefined;
      const bias = biasName ? initializers.get(biasName) : undefined;
      const input = params.get(node.input[0]!);
      if (!bias || !input || replaced.has(bias.name) || (uses.get(bias.name)?.length ?? 0) !== 1) continue;
      if (bias.dims.length !== 1 || elementCount(bias) !== weight.scales.length) continue;
      const { values, scales } = quantizeBias(readFloat32(bias), input.scale, weight.scales);
      replaced.set(bias.name, {
        tensors: [
          makeTensor(`${bias.name}__int32`, [values.length], values),
          makeTensor(`${bias.name}__scale`, [scales.length], scales),
          makeTensor(`${bias.name}__zero_point`, [values.length], new Int32Array(values.length)),
        ],
        node: makeNode(
          'DequantizeLinear',
          [`${bias.name}__int32`, `${bias.name}__scale`, `${bias.name}__zero_point`],
          [bias.name],
          `${bias.name}__dequantize`,
          {
            axis: 0,
          },
        ),
      });
    }
  }
  replaceInitializers(graph, replaced);

  // Each quantised activation: producer -> x -> QuantizeLinear -> DequantizeLinear -> every consumer.
  const pairs = new Map<string, Node[]>();
  for (const name of activations) {
    const { scale, zeroPoint } = params.get(name)!;
    graph.initializer.push(makeTensor(`${name}__scale`, [], Float32Array.of(scale)));
    graph.initializer.push(makeTensor(`${name}__zero_point`, [], Uint8Array.of(zeroPoint), DataType.UINT8));
    const dequantized = `${name}__dequantized`;
    for (const { node, index } of uses.get(name) ?? []) node.input[index] = dequantized;
    pairs.set(name, [
      makeNode('QuantizeLinear', [name, `${name}__scale`, `${name}__zero_point`], [`${name}__quantized`], `${name}__quantize`),
      makeNode('DequantizeLinear', [`${name}__quantized`, `${name}__scale`, `${name}__zero_point`], [dequantized], `${name}__dequantize`),
    ]);
  }
  const graphInputs = graph.input.map((input) => input.name).filter((name) => pairs.has(name));
  const ordered: Node[] = graphInputs.flatMap((name) => pairs.get(name)!);
  for (const node of graph.node) {
    ordered.push(node);
    for (const output of node.output) ordered.push(...(pairs.get(output) ?? []));
  }
  graph.node = ordered;
  return markVariant(model, { kind: 'int8-qdq', weights: 'per-channel-symmetric', activations: 'uint8-asymmetric-minmax', calibration });
}

/** Derive a variant's bytes from its parent's bytes. Pure: same input, same output. */
export function deriveVariant(parent: Uint8Array, transform: VariantTransform, ranges?: ActivationRanges): Uint8Array {
  const model = decodeModel(parent);
  if (!model.graph) throw new Error('the parent file has no graph');
  switch (transform.kind) {
    case 'fp16':
      return encodeModel(toFloat16Storage(model, transform.minElements));
    case 'int8':
      return encodeModel(toInt8Weights(model, transform.keepFloat));
    case 'int8-qdq':
      if (!ranges) throw new Error(`int8-qdq needs the calibration table ${transform.calibration}`);
      return encodeModel(toInt8Qdq(model, ranges, transform.calibration));
  }
}
