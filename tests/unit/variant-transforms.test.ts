/**
 * The production-variant transforms (src/models/variants/): float16 and int8 arithmetic on known
 * values, and a small hand-built ONNX graph (Conv -> BatchNormalization -> Relu -> Flatten ->
 * Gemm) derived to each variant and run on onnxruntime-node against the fp32 original.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { encodeFloat16, float16BitsToFloat32, float32ToFloat16Bits, FLOAT16_MAX } from '../../src/models/variants/float16.ts';
import {
  perChannelSymmetricScales,
  quantizeBias,
  quantizePerChannel,
  roundHalfToEven,
  uint8ActivationParams,
} from '../../src/models/variants/quantize.ts';
import {
  decodeModel,
  encodeModel,
  intAttribute,
  makeNode,
  makeTensor,
  onnx,
  tensorShape,
  type Model,
} from '../../src/models/variants/onnx-io.ts';
import {
  deriveVariant,
  foldBatchNorms,
  qdqActivationTensors,
  quantizableWeights,
  type VariantTransform,
} from '../../src/models/variants/transforms.ts';
import { measureRanges } from '../../src/models/variants/calibrate.ts';

describe('float16 conversion', () => {
  it('converts known values exactly', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(0.1)).toBe(0x2e66);
    expect(float32ToFloat16Bits(FLOAT16_MAX)).toBe(0x7bff);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
  });

  it('rounds to nearest, ties to even', () => {
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway, even stays
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway, odd rounds up
    expect(float32ToFloat16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above halfway
    expect(float32ToFloat16Bits(2047.5)).toBe(0x6800); // 2047.5 -> 2048 (ties to even at spacing 1)
  });

  it('keeps subnormals and flushes below half the smallest one', () => {
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000); // exactly half: ties to even (0)
    expect(float32ToFloat16Bits(1.5 * 2 ** -25)).toBe(0x0001);
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 ulp: ties to even (2)
    expect(float32ToFloat16Bits(2 ** -14 - 2 ** -24)).toBe(0x03ff); // largest subnormal
    expect(float32ToFloat16Bits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(float32ToFloat16Bits(1e-10)).toBe(0);
  });

  it('overflows to infinity and keeps NaN', () => {
    expect(float32ToFloat16Bits(65519)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // halfway to 65536: rounds to even, which is Infinity
    expect(float32ToFloat16Bits(1e9)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(Number.NaN)))).toBe(true);
  });

  it('round-trips every finite float16 value', () => {
    const mismatches: number[] = [];
    for (let half = 0; half < 0x10000; half++) {
      if ((half & 0x7c00) === 0x7c00) continue; // Inf / NaN
      if (float32ToFloat16Bits(float16BitsToFloat32(half)) !== half) mismatches.push(half);
    }
    expect(mismatches).toEqual([]);
  });

  it('encodes little-endian', () => {
    expect([...encodeFloat16(Float32Array.of(1, -2))]).toEqual([0x00, 0x3c, 0x00, 0xc0]);
  });
});

describe('int8 quantisation arithmetic', () => {
  it('rounds half to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6].map(roundHalfToEven)).toEqual([0, 2, 2, 0, -2, 2, -3]);
  });

  it('computes one symmetric scale per output channel', () => {
    // Shape [2, 3]: channel 0 max |w| = 2.54, channel 1 max |w| = 0.127; axis 1 groups columns.
    const w = Float32Array.of(1, -2.54, 0.5, 0.127, 0, -0.1);
    expect(Array.from(perChannelSymmetricScales(w, [2, 3], 0))).toEqual([Math.fround(2.54 / 127), Math.fround(0.127 / 127)]);
    expect(Array.from(perChannelSymmetricScales(w, [2, 3], 1))).toEqual([
      Math.fround(1 / 127),
      Math.fround(2.54 / 127),
      Math.fround(0.5 / 127),
    ]);
    expect(Array.from(perChannelSymmetricScales(new Float32Array(4), [2, 2], 0))).toEqual([1, 1]); // all-zero channel
  });

  it('quantises to -127..127 so that the largest magnitude maps to ±127', () => {
    const w = Float32Array.of(1, -2.54, 0.5, 0.127, 0, -0.1);
    const scales = perChannelSymmetricScales(w, [2, 3], 0);
    expect(Array.from(quantizePerChannel(w, [2, 3], 0, scales))).toEqual([50, -127, 25, 127, 0, -100]);
  });

  it('gives uint8 activation parameters that keep zero exact', () => {
    expect(uint8ActivationParams(0, 6)).toEqual({ scale: Math.fround(6 / 255), zeroPoint: 0 });
    const mixed = uint8ActivationParams(-1, 3);
    expect(mixed.scale).toBe(Math.fround(4 / 255));
    expect(mixed.zeroPoint).toBe(64); // round(1 / (4/255)) = round(63.75)
    expect(uint8ActivationParams(2, 5).zeroPoint).toBe(0); // widened to include 0
    expect(() => uint8ActivationParams(3, 1)).toThrow(/invalid activation range/);
  });

  it('quantises a bias with the product of input and weight scales', () => {
    const { values, scales } = quantizeBias(Float32Array.of(1, -0.5), 0.5, Float32Array.of(0.01, 0.1));
    expect(Array.from(scales)).toEqual([Math.fround(0.005), Math.fround(0.05)]);
    expect(Array.from(values)).toEqual([200, -10]);
  });
});

/** A deterministic pseudo-random generator, so the test graph is the same every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  };
}

/** Conv(2->4, 3x3, pad 1) -> BatchNormalization -> Relu -> Flatten -> Gemm(transB=1, 4*4*4 -> 3). */
function tinyModel(): Model {
  const next = random(7);
  const fill = (n: number, scale = 1, offset = 0) => Float32Array.from({ length: n }, () => next() * scale + offset);
  const valueInfo = (name: string, dims: number[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: onnx.TypeProto.create({
        tensorType: onnx.TypeProto.Tensor.create({
          elemType: 1,
          shape: onnx.TensorShapeProto.create({ dim: dims.map((dimValue) => onnx.TensorShapeProto.Dimension.create({ dimValue })) }),
        }),
      }),
    });
  const conv = makeNode('Conv', ['x', 'conv.w', 'conv.b'], ['conv'], 'conv', { group: 1 });
  // Only the ints field: ONNX is proto2, so an explicit i: 0 would be written and contradict type INTS.
  conv.attribute.push(
    onnx.AttributeProto.create({ name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1, 1, 1] }) as unknown as Attribute,
  );
  const bn = makeNode('BatchNormalization', ['conv', 'bn.g', 'bn.b', 'bn.m', 'bn.v'], ['bn'], 'bn');
  // makeNode / makeTensor return the transforms' message shapes; protobufjs takes them as they are.
  const graph = onnx.GraphProto.create({
    name: 'tiny',
    node: [
      conv,
      bn,
      makeNode('Relu', ['bn'], ['relu'], 'relu'),
      makeNode('Flatten', ['relu'], ['flat'], 'flat'),
      makeNode('Gemm', ['flat', 'fc.w', 'fc.b'], ['y'], 'fc', { transB: 1 }),
    ],
    initializer: [
      makeTensor('conv.w', [4, 2, 3, 3], fill(72)),
      makeTensor('conv.b', [4], fill(4, 0.2)),
      makeTensor('bn.g', [4], fill(4, 0.5, 1)),
      makeTensor('bn.b', [4], fill(4, 0.2)),
      makeTensor('bn.m', [4], fill(4, 0.2)),
      makeTensor('bn.v', [4], fill(4, 0.2, 1)),
      makeTensor('fc.w', [3, 64], fill(192, 0.5)),
      makeTensor('fc.b', [3], fill(3, 0.1)),
    ],
    input: [valueInfo('x', [1, 2, 4, 4])],
    output: [valueInfo('y', [1, 3])],
  } as Parameters<typeof onnx.GraphProto.create>[0]);
  return onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 13 })],
    producerName: 'r2p-test',
    graph,
  }) as unknown as Model;
}

const inputs = [0, 1, 2].map((seed) => {
  const next = random(100 + seed);
  return { x: { data: Float32Array.from({ length: 32 }, () => next() * 4), dims: [1, 2, 4, 4] } };
});

async function run(bytes: Uint8Array): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(bytes);
  const out: Float32Array[] = [];
  for (const feed of inputs)
    out.push((await session.run({ x: new ort.Tensor('float32', feed.x.data, feed.x.dims) })).y!.data as Float32Array);
  await session.release();
  return out;
}

function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  return Math.max(...a.flatMap((values, i) => Array.from(values, (value, j) => Math.abs(value - b[i]![j]!))));
}

describe('variant transforms on a hand-built ONNX graph (onnxruntime-node)', () => {
  const parent = encodeModel(tinyModel());
  const FP16: VariantTransform = { kind: 'fp16', minElements: 16 };
  const INT8: VariantTransform = { kind: 'int8', weights: 'per-channel-symmetric', keepFloat: [] };

  it('finds the Conv and Gemm weights with their output-channel axes', () => {
    expect(Object.fromEntries(quantizableWeights(tinyModel().graph!))).toEqual({ 'conv.w': 0, 'fc.w': 0 });
  });

  it('fp16 storage: float16 initializers, Cast nodes, outputs within float16 rounding', async () => {
    const derived = deriveVariant(parent, FP16);
    const model = decodeModel(derived);
    const stored = model.graph!.initializer.filter((tensor) => tensor.dataType === 10).map((tensor) => tensor.name);
    expect(stored.sort()).toEqual(['conv.w__fp16', 'fc.w__fp16']); // the 4-value vectors stay float32 (minElements 16)
    expect(model.graph!.node.filter((node) => node.opType === 'Cast')).toHaveLength(2);
    const [reference, variant] = [await run(parent), await run(derived)];
    expect(maxDifference(reference, variant)).toBeLessThan(5e-3);
    expect(maxDifference(reference, variant)).toBeGreaterThan(0); // the weights really changed
  });

  it('int8 weights: per-channel DequantizeLinear with the right axis, outputs close to fp32', async () => {
    const derived = deriveVariant(parent, INT8);
    const model = decodeModel(derived);
    expect(model.graph!.node.map((node) => node.opType)).not.toContain('BatchNormalization'); // folded first
    const dequantize = model.graph!.node.filter((node) => node.opType === 'DequantizeLinear');
    expect(dequantize.map((node) => [node.output[0], intAttribute(node, 'axis', 1)])).toEqual([
      ['conv.w', 0],
      ['fc.w', 0],
    ]);
    expect(tensorShape(model.graph!.initializer.find((tensor) => tensor.name === 'conv.w__scale')!)).toEqual([4]);
    expect(maxDifference(await run(parent), await run(derived))).toBeLessThan(0.05);
  });

  it('int8 weights: keepFloat leaves a named weight in float32 and rejects an unknown name', () => {
    const model = decodeModel(deriveVariant(parent, { ...INT8, keepFloat: ['fc.w'] }));
    expect(model.graph!.initializer.find((tensor) => tensor.name === 'fc.w')?.dataType).toBe(1);
    expect(() => deriveVariant(parent, { ...INT8, keepFloat: ['nope'] })).toThrow(/keepFloat names no/);
  });

  it('folding batch norm keeps the function', async () => {
    const folded = foldBatchNorms(tinyModel());
    expect(folded.graph!.node.map((node) => node.opType)).toEqual(['Conv', 'Relu', 'Flatten', 'Gemm']);
    expect(folded.graph!.node[0]!.output).toEqual(['bn']);
    expect(maxDifference(await run(parent), await run(encodeModel(folded)))).toBeLessThan(1e-5);
  });

  it('int8 QDQ: calibrated on the inputs, QuantizeLinear/DequantizeLinear pairs, outputs close to fp32', async () => {
    const names = qdqActivationTensors(foldBatchNorms(tinyModel()));
    expect(names).toEqual(['x', 'bn', 'flat']); // the Gemm output is the graph output: stays float32
    const ranges = await measureRanges(parent, inputs, names);
    expect(ranges.bn![0]).toBeLessThan(ranges.bn![1]);
    const derived = deriveVariant(
      parent,
      { kind: 'int8-qdq', weights: 'per-channel-symmetric', activations: 'uint8-asymmetric-minmax', calibration: 'test' },
      ranges,
    );
    const ops = decodeModel(derived).graph!.node.map((node) => node.opType);
    expect(ops.filter((op) => op === 'QuantizeLinear')).toHaveLength(3);
    expect(ops.filter((op) => op === 'DequantizeLinear')).toHaveLength(3 + 2 + 2); // activations, weights, biases
    const reference = await run(parent);
    const scale = Math.max(...reference.flatMap((values) => Array.from(values, Math.abs)));
    expect(maxDifference(reference, await run(derived)) / scale).toBeLessThan(0.05);
    expect(() =>
      deriveVariant(
        parent,
        { kind: 'int8-qdq', weights: 'per-channel-symmetric', activations: 'uint8-asymmetric-minmax', calibration: 'test' },
        {},
      ),
    ).toThrow(/no range for 3 activation/);
  });

  it('is deterministic: the same parent gives the same bytes', () => {
    for (const transform of [FP16, INT8])
      expect(Buffer.from(deriveVariant(parent, transform)).equals(Buffer.from(deriveVariant(parent, transform)))).toBe(true);
  });
});
