/**
 * FaceNet's triplet selection (Schroff et al. 2015, section 3.2). A triplet is an anchor a, a
 * positive p (same identity) and a negative n (another identity); the loss asks
 * |f(a) - f(p)|^2 + alpha < |f(a) - f(n)|^2 with margin alpha = 0.2 on L2-normalised embeddings.
 * For a given anchor-positive pair a negative is
 *   easy       when d(a,n) >= d(a,p) + alpha: the loss is already zero, nothing to learn;
 *   semi-hard  when d(a,p) < d(a,n) < d(a,p) + alpha: further than the positive but inside the
 *              margin, the ones FaceNet trains on;
 *   hard       when d(a,n) <= d(a,p): the hardest of these lead to bad local minima early in
 *              training (a collapsed model), so the paper avoids selecting them.
 * The paper's distances are squared Euclidean distances; so are these.
 */
import { l2Normalise, squaredDistance as paperDistance, type Embedding } from './embedding.ts';

/** The paper's margin. */
export const TRIPLET_MARGIN = 0.2;

export type NegativeKind = 'easy' | 'semi-hard' | 'hard';

export function classifyNegative(anchorPositive: number, anchorNegative: number, margin = TRIPLET_MARGIN): NegativeKind {
  if (anchorNegative <= anchorPositive) return 'hard';
  if (anchorNegative < anchorPositive + margin) return 'semi-hard';
  return 'easy';
}

export interface LabelledEmbedding {
  /** Identity label; equal labels are the same person. */
  identity: string;
  /** What the reader sees it as (image and face). */
  name: string;
  embedding: Embedding;
}

export interface TripletNegative {
  index: number;
  distance: number;
  kind: NegativeKind;
  /** Triplet loss of this triplet: max(0, d(a,p) - d(a,n) + margin). */
  loss: number;
}

export interface AnchorPositivePair {
  anchor: number;
  positive: number;
  distance: number;
  negatives: TripletNegative[];
}

/**
 * Every anchor-positive pair (ordered, anchor != positive, same identity) with every negative
 * classified. Embeddings are L2-normalised first, as FaceNet's are.
 */
export function classifyTriplets(
  items: readonly LabelledEmbedding[],
  margin = TRIPLET_MARGIN,
  /** Another distance (a demo's own), in place of the paper's squared distance between unit vectors. */
  distance?: (a: Embedding, b: Embedding) => number,
): AnchorPositivePair[] {
  const unit = distance ? items.map((item) => item.embedding) : items.map((item) => l2Normalise(item.embedding));
  const squaredDistance = distance ?? paperDistance;
  const pairs: AnchorPositivePair[] = [];
  items.forEach((anchor, a) => {
    items.forEach((positive, p) => {
      if (a === p || anchor.identity !== positive.identity) return;
      const distance = squaredDistance(unit[a]!, unit[p]!);
      const negatives = items.flatMap((negative, n) => {
        if (negative.identity === anchor.identity) return [];
        const toNegative = squaredDistance(unit[a]!, unit[n]!);
        return [
          {
            index: n,
            distance: toNegative,
            kind: classifyNegative(distance, toNegative, margin),
            loss: Math.max(0, distance - toNegative + margin),
          },
        ];
      });
      pairs.push({ anchor: a, positive: p, distance, negatives });
    });
  });
  return pairs;
}
