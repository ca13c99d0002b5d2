/**
 * The "features" derivation: the same network with an intermediate tensor exposed as an extra
 * graph output, so one run gives both the class probabilities and the pooled features that
 * transfer learning trains a new head on. Nothing else changes: the weights, the existing
 * outputs and the operators are those of the parent, so its pins and results carry over.
 */
import { decodeModel, encodeModel, makeNode, onnx, type Model } from './onnx-io.ts';
import { deriveVariant, VARIANT_METADATA_KEY, type ActivationRanges, type VariantTransform } from './transforms.ts';

export interface ExposeOutputTransform {
  kind: 'expose-output';
  /** The tensor in the parent graph to expose (the global-average-pool output, flattened). */
  tensor: string;
  /** Name of the new graph output. */
  output: string;
  /** Its length per image. */
  dimension: number;
}

/** Any recipe the installer can derive a file with: a production variant or a features file. */
export type DerivationTransform = VariantTransform | ExposeOutputTransform;

/** Add `transform.output` = Identity(`transform.tensor`) as a float32 [batch, dimension] graph output. */
export function exposeOutput(model: Model, transform: ExposeOutputTransform): Model {
  const graph = model.graph;
  if (!graph) throw new Error('the parent file has no graph');
  if (!graph.node.some((node) => node.output.includes(transform.tensor))) {
    throw new Error(`the parent graph computes no tensor named "${transform.tensor}"`);
  }
  if (
    graph.output.some((output) => output.name === transform.output) ||
    graph.node.some((node) => node.output.includes(transform.output))
  ) {
    throw new Error(`the parent graph already has a tensor named "${transform.output}"`);
  }
  graph.node.push(makeNode('Identity', [transform.tensor], [transform.output], `${transform.output}__expose`));
  graph.output.push(
    onnx.ValueInfoProto.create({
      name: transform.output,
      type: {
        tensorType: {
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: { dim: [{ dimParam: 'batch' }, { dimValue: transform.dimension }] },
        },
      },
    }),
  );
  model.metadataProps = [
    ...model.metadataProps.filter((prop) => prop.key !== VARIANT_METADATA_KEY),
    onnx.StringStringEntryProto.create({ key: VARIANT_METADATA_KEY, value: JSON.stringify(transform) }),
  ];
  return model;
}

/** Derive a file from its parent's bytes with any derivation. Pure: same input, same output. */
export function deriveFile(parent: Uint8Array, transform: DerivationTransform, ranges?: ActivationRanges): Uint8Array {
  if (transform.kind !== 'expose-output') return deriveVariant(parent, transform, ranges);
  return encodeModel(exposeOutput(decodeModel(parent), transform));
}
