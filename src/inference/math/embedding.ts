/**
 * Comparing face embeddings: L2 normalisation, Euclidean distance, the all-pairs distance matrix,
 * the same/different verdict from a catalog entry's `verification` rule, and nearest-identity
 * search against enrolled embeddings. Pure: no browser or Node API.
 *
 * "Same person" means distance < threshold (strictly), as dlib documents for its 0.6.
 */
import type { FaceVerification } from '../../models/catalog.ts';

/** Anything array-like of numbers an embedding can arrive as. */
export type Embedding = ArrayLike<number>;

/** A copy of `v` scaled to unit Euclidean length; an all-zero vector stays all zeros. */
export function l2Normalise(v: Embedding): Float32Array {
  const n = v.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += v[i]! * v[i]!;
  const out = new Float32Array(n);
  if (!(sum > 0)) return out;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < n; i++) out[i] = v[i]! * inv;
  return out;
}

function checkLengths(a: Embedding, b: Embedding): void {
  if (a.length !== b.length) {
    throw new RangeError(`Embeddings have different lengths (${a.length} and ${b.length}): they come from different models.`);
  }
}

/** Squared Euclidean distance (no square root), for ranking. */
export function squaredDistance(a: Embedding, b: Embedding): number {
  checkLengths(a, b);
  let sum = 0;
  for (let i = 0, n = a.length; i < n; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return sum;
}

/** Euclidean distance between two embeddings of the same length. */
export function euclideanDistance(a: Embedding, b: Embedding): number {
  return Math.sqrt(squaredDistance(a, b));
}

/** Row-major distances: entry (i, j) = distance(a[i], b[j]). */
export interface DistanceMatrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** Every embedding of `a` against every embedding of `b`. */
export function distanceMatrix(a: readonly Embedding[], b: readonly Embedding[]): DistanceMatrix {
  const rows = a.length;
  const cols = b.length;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const ai = a[i]!;
    for (let j = 0; j < cols; j++) data[i * cols + j] = euclideanDistance(ai, b[j]!);
  }
  return { rows, cols, data };
}

/** Entry (i, j) of a distance matrix. */
export function distanceAt(matrix: DistanceMatrix, i: number, j: number): number {
  if (i < 0 || j < 0 || i >= matrix.rows || j >= matrix.cols) {
    throw new RangeError(`Index (${i}, ${j}) is outside a ${matrix.rows}x${matrix.cols} distance matrix.`);
  }
  return matrix.data[i * matrix.cols + j]!;
}

/** The outcome of comparing two faces. */
export interface Verdict {
  /** True when distance < threshold. */
  same: boolean;
  distance: number;
  threshold: number;
  /** threshold - distance: positive when the same person, larger is more confident. */
  margin: number;
}

/** The verdict for a distance under a verification rule. */
export function verdict(distance: number, verification: Pick<FaceVerification, 'threshold'>): Verdict {
  const { threshold } = verification;
  return { same: distance < threshold, distance, threshold, margin: threshold - distance };
}

/**
 * Compare two raw model outputs under a verification rule. When the rule says l2Normalise, both
 * are normalised first (harmless if they already are).
 */
export function compareEmbeddings(a: Embedding, b: Embedding, verification: FaceVerification): Verdict {
  const distance = verification.l2Normalise ? euclideanDistance(l2Normalise(a), l2Normalise(b)) : euclideanDistance(a, b);
  return verdict(distance, verification);
}

/** One enrolled person as nearest-identity search sees it. */
export interface GalleryIdentity {
  name: string;
  embeddings: readonly Embedding[];
}

/** The name to show for a face no enrolled identity matches. */
export const UNKNOWN = 'unknown';

export interface IdentityMatch {
  /** The matched identity's name, or "unknown". */
  name: string;
  /** True when the nearest identity is closer than the threshold. */
  known: boolean;
  /** The nearest identity whatever its distance, or null for an empty gallery. */
  nearest: string | null;
  /** Index of the nearest identity in the gallery, or -1. */
  index: number;
  /** Distance to the nearest identity (its closest embedding), Infinity for an empty gallery. */
  distance: number;
  threshold: number;
}

/**
 * Nearest identity to `query`. An identity's distance is the smallest distance to any of its
 * embeddings (nearest neighbour, as dlib's face_recognition compare does), so enrolling several
 * views widens what is recognised. Returns "unknown" unless that distance is below `threshold`.
 */
export function nearestIdentity(query: Embedding, gallery: readonly GalleryIdentity[], threshold: number): IdentityMatch {
  let best = Infinity;
  let index = -1;
  for (let g = 0; g < gallery.length; g++) {
    const embeddings = gallery[g]!.embeddings;
    for (let k = 0; k < embeddings.length; k++) {
      const d = squaredDistance(query, embeddings[k]!);
      if (d < best) {
        best = d;
        index = g;
      }
    }
  }
  const distance = Math.sqrt(best);
  const nearest = index >= 0 ? gallery[index]!.name : null;
  const known = nearest !== null && distance < threshold;
  return { name: known ? nearest : UNKNOWN, known, nearest, index, distance, threshold };
}
