/**
 * Reading and writing ONNX models with the maintained protobuf definitions of `onnx-proto`
 * (protobufjs), plus the few tensor and node helpers the variant transforms need. Nothing here
 * knows about variants; transforms.ts does.
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;

/** A protobuf int64: a number, or a Long object for values protobufjs cannot hold in a double. */
export type Int64 = number | { toNumber(): number };

/*
 * The message shapes the transforms work on. protobufjs's generated classes type every field as
 * optional and nullable (the I* interfaces), but decode() fills each field with its default (empty
 * arrays, '' and 0), so after decodeModel every field below is present: these types say so once,
 * here, instead of a null check at every use.
 */
export interface Attribute {
  name: string;
  type: number;
  i: Int64;
  f: number;
  ints: Int64[];
}
export interface Tensor {
  name: string;
  dims: Int64[];
  dataType: number;
  rawData: Uint8Array;
  floatData: number[];
}
export interface Node {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: Attribute[];
}
export interface ValueInfo {
  name: string;
}
export interface Graph {
  name: string;
  node: Node[];
  initializer: Tensor[];
  input: ValueInfo[];
  output: ValueInfo[];
}
export interface Model {
  graph: Graph | null;
  metadataProps: { key: string; value: string }[];
}

/** ONNX element types used here (onnx.TensorProto.DataType). */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, FLOAT16: 10 } as const;

export function decodeModel(bytes: Uint8Array): Model {
  return onnx.ModelProto.decode(bytes) as unknown as Model;
}

export function encodeModel(model: Model): Uint8Array {
  return onnx.ModelProto.encode(model as unknown as onnxProto.onnx.IModelProto).finish();
}

/** A protobuf int64 (number or Long) as a JS number. */
export function toNumber(value: Int64): number {
  return typeof value === 'number' ? value : value.toNumber();
}

export function tensorShape(tensor: Tensor): number[] {
  return tensor.dims.map(toNumber);
}

export function elementCount(tensor: Tensor): number {
  return tensorShape(tensor).reduce((a, b) => a * b, 1);
}

/** The values of a float32 initializer, whether stored as raw_data or float_data. */
export function readFloat32(tensor: Tensor): Float32Array {
  if (tensor.dataType !== DataType.FLOAT) throw new Error(`tensor ${tensor.name} is not float32 (data type ${tensor.dataType})`);
  if (tensor.rawData && tensor.rawData.length > 0) {
    const raw = tensor.rawData;
    // Copy: raw_data is a view into the model buffer and need not be 4-byte aligned.
    const copy = new Uint8Array(raw.length);
    copy.set(raw);
    const view = new DataView(copy.buffer);
    const out = new Float32Array(raw.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  return Float32Array.from(tensor.floatData);
}

/** Little-endian bytes of a typed array (ONNX raw_data is little-endian). */
function littleEndianBytes(values: Float32Array | Int32Array | Int8Array | Uint8Array): Uint8Array {
  if (values instanceof Int8Array || values instanceof Uint8Array)
    return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (values instanceof Float32Array) view.setFloat32(4 * i, values[i]!, true);
    else view.setInt32(4 * i, values[i]!, true);
  }
  return out;
}

/** A new initializer from typed values (or already-encoded raw bytes with an explicit type). */
export function makeTensor(
  name: string,
  dims: readonly number[],
  values: Float32Array | Int32Array | Int8Array | Uint8Array,
  dataType?: number,
): Tensor {
  const type =
    dataType ??
    (values instanceof Float32Array
      ? DataType.FLOAT
      : values instanceof Int32Array
        ? DataType.INT32
        : values instanceof Int8Array
          ? DataType.INT8
          : DataType.UINT8);
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: type, rawData: littleEndianBytes(values) }) as unknown as Tensor;
}

/** A node with integer attributes only (all the transforms need). */
export function makeNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  intAttributes: Record<string, number> = {},
): Node {
  const node = onnx.NodeProto.create({
    opType,
    input: inputs,
    output: outputs,
    name,
    attribute: Object.entries(intAttributes).map(([key, value]) =>
      onnx.AttributeProto.create({ name: key, type: onnx.AttributeProto.AttributeType.INT, i: value }),
    ),
  });
  return node as unknown as Node;
}

/** An integer attribute of a node, or the fallback. */
export function intAttribute(node: Node, name: string, fallback: number): number {
  const attribute = node.attribute.find((candidate) => candidate.name === name);
  return attribute ? toNumber(attribute.i) : fallback;
}

/** A float attribute of a node, or the fallback. */
export function floatAttribute(node: Node, name: string, fallback: number): number {
  const attribute = node.attribute.find((candidate) => candidate.name === name);
  return attribute ? attribute.f : fallback;
}
