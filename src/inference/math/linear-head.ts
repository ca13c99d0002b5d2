/**
 * Transfer learning on frozen features: a linear softmax head trained on top of a network's
 * pooled features, the "retrain the last layer" answer to "can I update the model?". Pure maths,
 * no runtime: the worker feeds it the features the network computed.
 *
 * The head is z = W (x - mean) / scale + b over standardised features, trained full-batch with
 * Adam on the mean cross-entropy plus an L2 penalty (lambda / 2) * |W|^2. Weights start at zero,
 * so the result depends only on the data and the settings: the same examples give the same head.
 */
import { softmax } from './preprocess.ts';
import { seededRandom } from './random.ts';

export interface HeadTrainingOptions {
  /** Gradient steps (full batch). */
  steps: number;
  learningRate: number;
  /** L2 penalty on the weights (not the biases). */
  l2: number;
}

export const DEFAULT_HEAD_TRAINING: HeadTrainingOptions = { steps: 300, learningRate: 0.01, l2: 0.01 };

/** A trained linear softmax head. Weights are row-major [classes][dimension]. */
export interface LinearHead {
  classes: string[];
  dimension: number;
  /** Feature standardisation learnt from the training set. */
  mean: Float32Array;
  scale: number;
  weights: Float32Array;
  bias: Float32Array;
}

export interface TrainingSummary {
  head: LinearHead;
  /** Loss (cross-entropy + L2) before the first step and after the last. */
  initialLoss: number;
  finalLoss: number;
}

function checkExamples(features: readonly ArrayLike<number>[], labels: readonly number[], classCount: number): number {
  if (features.length === 0) throw new Error('No training examples.');
  if (features.length !== labels.length) throw new Error(`${features.length} feature vectors but ${labels.length} labels.`);
  if (classCount < 2) throw new Error('A classifier needs at least two classes.');
  const dimension = features[0]!.length;
  if (dimension === 0) throw new Error('Feature vectors are empty.');
  features.forEach((vector, index) => {
    if (vector.length !== dimension) throw new Error(`Example ${index + 1} has ${vector.length} features, expected ${dimension}.`);
  });
  labels.forEach((label, index) => {
    if (!Number.isInteger(label) || label < 0 || label >= classCount)
      throw new Error(`Example ${index + 1} has label ${label}, outside 0..${classCount - 1}.`);
  });
  for (let c = 0; c < classCount; c++) {
    if (!labels.includes(c)) throw new Error(`Class ${c + 1} has no training examples.`);
  }
  return dimension;
}

/** Logits of one feature vector under a head. */
export function headLogits(head: LinearHead, features: ArrayLike<number>): Float32Array {
  if (features.length !== head.dimension) throw new Error(`The head expects ${head.dimension} features, got ${features.length}.`);
  const logits = new Float32Array(head.classes.length);
  for (let c = 0; c < logits.length; c++) {
    let sum = head.bias[c]!;
    const row = c * head.dimension;
    for (let j = 0; j < head.dimension; j++) sum += head.weights[row + j]! * ((features[j]! - head.mean[j]!) / head.scale);
    logits[c] = sum;
  }
  return logits;
}

/** Class probabilities of one feature vector. */
export function headProbabilities(head: LinearHead, features: ArrayLike<number>): Float32Array {
  return softmax(headLogits(head, features));
}

/** Index of the largest value (first on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Train a head on labelled features (labels index `classes`). */
export function trainLinearHead(
  features: readonly ArrayLike<number>[],
  labels: readonly number[],
  classes: readonly string[],
  options: HeadTrainingOptions = DEFAULT_HEAD_TRAINING,
): TrainingSummary {
  const k = classes.length;
  const d = checkExamples(features, labels, k);
  const n = features.length;
  const mean = new Float32Array(d);
  for (const vector of features) for (let j = 0; j < d; j++) mean[j]! += vector[j]! / n;
  // One scale for all features (their RMS after centring) keeps the head's input well conditioned.
  let squares = 0;
  for (const vector of features) for (let j = 0; j < d; j++) squares += (vector[j]! - mean[j]!) ** 2;
  const scale = Math.sqrt(squares / (n * d)) || 1;
  const x = features.map((vector) => Float64Array.from({ length: d }, (_, j) => (vector[j]! - mean[j]!) / scale));

  const w = new Float64Array(k * d);
  const b = new Float64Array(k);
  const [mw, vw, mb, vb] = [new Float64Array(k * d), new Float64Array(k * d), new Float64Array(k), new Float64Array(k)];
  const beta1 = 0.9;
  const beta2 = 0.999;
  const epsilon = 1e-8;
  const gw = new Float64Array(k * d);
  const gb = new Float64Array(k);
  const logits = new Float64Array(k);

  const lossAndGradient = (withGradient: boolean): number => {
    gw.fill(0);
    gb.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        let sum = b[c]!;
        const row = c * d;
        for (let j = 0; j < d; j++) sum += w[row + j]! * xi[j]!;
        logits[c] = sum;
        if (sum > max) max = sum;
      }
      let total = 0;
      for (let c = 0; c < k; c++) total += Math.exp(logits[c]! - max);
      loss -= logits[labels[i]!]! - max - Math.log(total);
      if (!withGradient) continue;
      for (let c = 0; c < k; c++) {
        const error = (Math.exp(logits[c]! - max) / total - (c === labels[i] ? 1 : 0)) / n;
        gb[c]! += error;
        const row = c * d;
        for (let j = 0; j < d; j++) gw[row + j]! += error * xi[j]!;
      }
    }
    let penalty = 0;
    for (let p = 0; p < w.length; p++) {
      penalty += w[p]! * w[p]!;
      if (withGradient) gw[p]! += options.l2 * w[p]!;
    }
    return loss / n + (options.l2 / 2) * penalty;
  };

  const initialLoss = lossAndGradient(false);
  for (let step = 1; step <= options.steps; step++) {
    lossAndGradient(true);
    const correction1 = 1 - beta1 ** step;
    const correction2 = 1 - beta2 ** step;
    const update = (param: Float64Array, grad: Float64Array, m: Float64Array, v: Float64Array) => {
      for (let p = 0; p < param.length; p++) {
        m[p] = beta1 * m[p]! + (1 - beta1) * grad[p]!;
        v[p] = beta2 * v[p]! + (1 - beta2) * grad[p]! ** 2;
        param[p]! -= (options.learningRate * (m[p]! / correction1)) / (Math.sqrt(v[p]! / correction2) + epsilon);
      }
    };
    update(w, gw, mw, vw);
    update(b, gb, mb, vb);
  }
  const finalLoss = lossAndGradient(false);
  return {
    head: { classes: [...classes], dimension: d, mean, scale, weights: Float32Array.from(w), bias: Float32Array.from(b) },
    initialLoss,
    finalLoss,
  };
}

/** The nearest-centroid baseline: each class is the mean of its features; predict the closest. */
export interface CentroidClassifier {
  classes: string[];
  centroids: Float32Array[];
}

export function trainNearestCentroid(
  features: readonly ArrayLike<number>[],
  labels: readonly number[],
  classes: readonly string[],
): CentroidClassifier {
  const d = checkExamples(features, labels, classes.length);
  const centroids = classes.map(() => new Float32Array(d));
  const counts = new Array<number>(classes.length).fill(0);
  features.forEach((vector, i) => {
    const c = labels[i]!;
    counts[c]!++;
    for (let j = 0; j < d; j++) centroids[c]![j]! += vector[j]!;
  });
  centroids.forEach((centroid, c) => centroid.forEach((value, j) => (centroid[j] = value / counts[c]!)));
  return { classes: [...classes], centroids };
}

/** Index of the nearest centroid (Euclidean). */
export function predictNearestCentroid(model: CentroidClassifier, features: ArrayLike<number>): number {
  const distances = model.centroids.map((centroid) => {
    let sum = 0;
    for (let j = 0; j < centroid.length; j++) sum += (features[j]! - centroid[j]!) ** 2;
    return -sum;
  });
  return argmax(distances);
}

/** Confusion matrix: rows are true classes, columns predicted classes. */
export function confusionMatrix(truth: readonly number[], predicted: readonly number[], classCount: number): number[][] {
  if (truth.length !== predicted.length) throw new Error('truth and predictions differ in length');
  const matrix = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  truth.forEach((t, i) => matrix[t]![predicted[i]!]!++);
  return matrix;
}

/** Fraction of predictions equal to the truth; null when there is nothing to score. */
export function accuracy(truth: readonly number[], predicted: readonly number[]): number | null {
  if (truth.length === 0) return null;
  return truth.filter((t, i) => t === predicted[i]).length / truth.length;
}

/**
 * A stratified train / held-out split of example indices: in each class, a seeded shuffle puts
 * round(fraction * count) examples aside for testing, but always leaves at least one to train on
 * and, when the class has two or more examples, takes at least one for testing.
 * `groups` (optional) keeps examples of one group together (an image and its augmented copies):
 * the split is then over groups, so no held-out image has a copy in training.
 */
export function splitTrainHeldOut(
  labels: readonly number[],
  fraction: number,
  seed: number,
  groups?: readonly number[],
): { train: number[]; heldOut: number[] } {
  const groupOf = (i: number) => groups?.[i] ?? i;
  const random = seededRandom(seed);
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const list = byClass.get(label) ?? [];
    if (!list.includes(groupOf(i))) list.push(groupOf(i));
    byClass.set(label, list);
  });
  const heldOutGroups = new Set<number>();
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = [...byClass.get(label)!];
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    const count = list.length < 2 ? 0 : Math.min(list.length - 1, Math.max(1, Math.round(fraction * list.length)));
    list.slice(0, count).forEach((group) => heldOutGroups.add(group));
  }
  const train: number[] = [];
  const heldOut: number[] = [];
  labels.forEach((_, i) => (heldOutGroups.has(groupOf(i)) ? heldOut : train).push(i));
  return { train, heldOut };
}
