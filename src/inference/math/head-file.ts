/**
 * A trained head as a small JSON file the reader can export, keep and import again. Importing
 * checks everything: a file that is not a head, or a head for another model's features, is
 * refused with a message that says why, and nothing already kept is touched.
 */
import type { LinearHead } from './linear-head.ts';

export const HEAD_FILE_FORMAT = 'r2p-linear-head';
export const HEAD_FILE_VERSION = 1;

export interface HeadFile {
  format: typeof HEAD_FILE_FORMAT;
  version: typeof HEAD_FILE_VERSION;
  /** Catalog id of the features model whose output the head reads. */
  modelId: string;
  /** Name of that model's features output. */
  featureOutput: string;
  dimension: number;
  classes: string[];
  mean: number[];
  scale: number;
  /** [classes][dimension]. */
  weights: number[][];
  bias: number[];
  /** Examples per class the head was trained on, and its accuracies, for the record. */
  examples: number[];
  trainAccuracy: number | null;
  heldOutAccuracy: number | null;
  createdAt: string;
}

/** Seven significant digits: float32 precision, at half the characters of a full double. */
const round = (value: number) => Number(value.toPrecision(7));

export function headToFile(
  head: LinearHead,
  model: { modelId: string; featureOutput: string },
  record: { examples: number[]; trainAccuracy: number | null; heldOutAccuracy: number | null; createdAt: string },
): HeadFile {
  return {
    format: HEAD_FILE_FORMAT,
    version: HEAD_FILE_VERSION,
    modelId: model.modelId,
    featureOutput: model.featureOutput,
    dimension: head.dimension,
    classes: [...head.classes],
    mean: Array.from(head.mean, round),
    scale: round(head.scale),
    weights: head.classes.map((_, c) => Array.from(head.weights.subarray(c * head.dimension, (c + 1) * head.dimension), round)),
    bias: Array.from(head.bias, round),
    ...record,
  };
}

export class HeadFileError extends Error {
  override name = 'HeadFileError';
}

function finiteArray(value: unknown, length: number, what: string): number[] {
  if (!Array.isArray(value) || value.length !== length) throw new HeadFileError(`${what} must be a list of ${length} numbers.`);
  if (!value.every((item) => typeof item === 'number' && Number.isFinite(item)))
    throw new HeadFileError(`${what} holds a value that is not a finite number.`);
  return value as number[];
}

/**
 * Parse and check a head file for one features model. Throws HeadFileError with a reader-facing
 * message when the text is not JSON, not a head, or a head for another model or feature size.
 */
export function parseHeadFile(
  text: string,
  expected: { modelId: string; featureOutput: string; dimension: number },
): { file: HeadFile; head: LinearHead } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new HeadFileError('This file is not JSON, so it is not a head exported by this demo.');
  }
  const file = data as Partial<HeadFile> | null;
  if (!file || typeof file !== 'object' || file.format !== HEAD_FILE_FORMAT) {
    throw new HeadFileError(`This JSON file is not a head exported by this demo (no "format": "${HEAD_FILE_FORMAT}").`);
  }
  if (file.version !== HEAD_FILE_VERSION)
    throw new HeadFileError(`Head file version ${String(file.version)} is not supported (expected ${HEAD_FILE_VERSION}).`);
  if (file.modelId !== expected.modelId || file.featureOutput !== expected.featureOutput) {
    throw new HeadFileError(
      `This head reads the "${String(file.featureOutput)}" features of ${String(file.modelId)}, not the "${expected.featureOutput}" features of ${expected.modelId}: its weights would mean nothing here.`,
    );
  }
  if (file.dimension !== expected.dimension)
    throw new HeadFileError(`This head expects ${String(file.dimension)} features; the model gives ${expected.dimension}.`);
  const classes = file.classes;
  if (!Array.isArray(classes) || classes.length < 2 || !classes.every((name) => typeof name === 'string' && name.trim().length > 0)) {
    throw new HeadFileError('A head needs at least two named classes.');
  }
  if (new Set(classes).size !== classes.length) throw new HeadFileError('Two classes of this head have the same name.');
  const d = expected.dimension;
  const mean = finiteArray(file.mean, d, 'mean');
  const bias = finiteArray(file.bias, classes.length, 'bias');
  if (!Array.isArray(file.weights) || file.weights.length !== classes.length)
    throw new HeadFileError(`weights must have one row per class (${classes.length}).`);
  const rows = file.weights.map((row, c) => finiteArray(row, d, `weights row ${c + 1}`));
  if (typeof file.scale !== 'number' || !(file.scale > 0) || !Number.isFinite(file.scale))
    throw new HeadFileError('scale must be a positive number.');
  const weights = new Float32Array(classes.length * d);
  rows.forEach((row, c) => weights.set(row, c * d));
  return {
    file: file as HeadFile,
    head: { classes: [...classes], dimension: d, mean: Float32Array.from(mean), scale: file.scale, weights, bias: Float32Array.from(bias) },
  };
}
