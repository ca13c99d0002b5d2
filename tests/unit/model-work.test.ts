/**
 * The MAC count the face-descriptor benchmark divides by its session times
 * (scripts/bench/model-work.ts), on hand-built graphs whose arithmetic is known in closed form.
 */
import { describe, expect, it } from 'vitest';
import { modelWork } from '../../scripts/bench/model-work.ts';
import { encodeModel, makeNode, makeTensor, onnx, type Attribute, type Model } from '../../src/models/variants/onnx-io.ts';

const ints = (name: string, values: number[]) =>
  onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values }) as unknown as Attribute;

/** x[1,2,8,8] -> Conv(2->4, 3x3, stride 2, pad 1) -> Flatten -> MatMul or Gemm(64 -> 3). */
function model(head: 'MatMul' | 'Gemm'): Uint8Array {
  const conv = makeNode('Conv', ['x', 'w'], ['c'], 'conv');
  conv.attribute.push(ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1]));
  const last = head === 'MatMul' ? makeNode('MatMul', ['f', 'fc'], ['y'], 'fc') : makeNode('Gemm', ['f', 'fc'], ['y'], 'fc', { transB: 1 });
  const graph = onnx.GraphProto.create({
    name: 'work',
    node: [conv, makeNode('Flatten', ['c'], ['f'], 'flat'), last],
    initializer: [
      makeTensor('w', [4, 2, 3, 3], new Float32Array(72).fill(0.1)),
      makeTensor('fc', head === 'MatMul' ? [64, 3] : [3, 64], new Float32Array(192).fill(0.1)),
    ],
    input: [
      onnx.ValueInfoProto.create({
        name: 'x',
        type: { tensorType: { elemType: 1, shape: { dim: [1, 2, 8, 8].map((dimValue) => ({ dimValue })) } } },
      }),
    ],
    output: [onnx.ValueInfoProto.create({ name: 'y' })],
  } as Parameters<typeof onnx.GraphProto.create>[0]);
  const proto = onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: 13 }], graph }) as unknown as Model;
  return encodeModel(proto);
}

describe('modelWork', () => {
  // Conv: 4 channels x 4 x 4 outputs, each 2 x 3 x 3 = 18 products: 1,152. Head: 3 outputs x 64: 192.
  it('counts Conv and MatMul multiply-accumulates from the shapes the runtime computes', async () => {
    expect(await modelWork(model('MatMul'), 'x', [1, 2, 8, 8])).toEqual({ macs: 1152 + 192, nodes: 2 });
  });

  it('reads a transposed Gemm weight along its inner dimension', async () => {
    expect(await modelWork(model('Gemm'), 'x', [1, 2, 8, 8])).toEqual({ macs: 1152 + 192, nodes: 2 });
  });

  it('refuses a batch of more than one image', async () => {
    await expect(modelWork(model('MatMul'), 'x', [2, 2, 8, 8])).rejects.toThrow(/batch dimension must be 1/);
  });
});
