/**
 * How far a variant's results are from its fp32 parent's, as pure functions over the outputs of
 * both on the same inputs. The variant tests and the benchmark feed them; the catalog records
 * what they return (VariantAccuracy).
 */
import { euclideanDistance } from '../../inference/math/embedding.ts';
import type { Point } from '../../inference/types.ts';
import type { VariantAccuracy } from '../catalog.ts';

function topIndices(probabilities: ArrayLike<number>, k: number): number[] {
  return Array.from(probabilities, (value, index) => ({ value, index }))
    .sort((a, b) => b.value - a.value || a.index - b.index)
    .slice(0, k)
    .map(({ index }) => index);
}

/** Top-1 / top-5 agreement and the largest probability change, one probability vector per image. */
export function classificationDelta(
  parent: readonly ArrayLike<number>[],
  variant: readonly ArrayLike<number>[],
): Extract<VariantAccuracy, { kind: 'classification' }> {
  if (parent.length !== variant.length || parent.length === 0)
    throw new Error('need the same non-zero number of results from parent and variant');
  let top1 = 0;
  let top5 = 0;
  let maxChange = 0;
  parent.forEach((p, i) => {
    const v = variant[i]!;
    if (p.length !== v.length) throw new Error(`image ${i}: ${p.length} classes from the parent, ${v.length} from the variant`);
    const [p5, v5] = [topIndices(p, 5), topIndices(v, 5)];
    if (p5[0] === v5[0]) top1++;
    if (p5.every((index) => v5.includes(index))) top5++;
    for (let c = 0; c < p.length; c++) maxChange = Math.max(maxChange, Math.abs(p[c]! - v[c]!));
  });
  return {
    kind: 'classification',
    images: parent.length,
    top1Agreement: top1 / parent.length,
    top5Agreement: top5 / parent.length,
    maxProbabilityChange: maxChange,
  };
}

/** Largest embedding drift, and verdicts flipped over every pair of faces at the threshold. */
export function embeddingDelta(
  parent: readonly ArrayLike<number>[],
  variant: readonly ArrayLike<number>[],
  threshold: number,
): Extract<VariantAccuracy, { kind: 'embedding' }> {
  if (parent.length !== variant.length || parent.length === 0)
    throw new Error('need the same non-zero number of embeddings from parent and variant');
  let maxDrift = 0;
  parent.forEach((p, i) => (maxDrift = Math.max(maxDrift, euclideanDistance(p, variant[i]!))));
  let pairs = 0;
  let flipped = 0;
  for (let i = 0; i < parent.length; i++) {
    for (let j = i + 1; j < parent.length; j++) {
      pairs++;
      const before = euclideanDistance(parent[i]!, parent[j]!) < threshold;
      const after = euclideanDistance(variant[i]!, variant[j]!) < threshold;
      if (before !== after) flipped++;
    }
  }
  return { kind: 'embedding', faces: parent.length, maxDrift, pairs, flippedVerdicts: flipped };
}

/** What detection comparison needs from a face. */
export interface FaceGeometry {
  box: { x1: number; y1: number; x2: number; y2: number };
  landmarks: readonly Point[];
}

/**
 * Same face count per image, and the largest box-corner and landmark displacement between each
 * parent face and the variant face nearest to it (faces need not come out in the same order).
 */
export function detectionDelta(
  parent: readonly (readonly FaceGeometry[])[],
  variant: readonly (readonly FaceGeometry[])[],
): Extract<VariantAccuracy, { kind: 'detection' }> {
  if (parent.length !== variant.length || parent.length === 0) throw new Error('need results for the same non-zero number of images');
  let sameCount = true;
  let maxBox = 0;
  let maxLandmark = 0;
  const corners = (f: FaceGeometry): Point[] => [
    [f.box.x1, f.box.y1],
    [f.box.x2, f.box.y2],
  ];
  const distance = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  parent.forEach((faces, i) => {
    const others = variant[i]!;
    if (faces.length !== others.length) sameCount = false;
    for (const face of faces) {
      if (others.length === 0) continue;
      const centre = (f: FaceGeometry): Point => [(f.box.x1 + f.box.x2) / 2, (f.box.y1 + f.box.y2) / 2];
      const match = [...others].sort((a, b) => distance(centre(a), centre(face)) - distance(centre(b), centre(face)))[0]!;
      corners(face).forEach((corner, k) => (maxBox = Math.max(maxBox, distance(corner, corners(match)[k]!))));
      face.landmarks.forEach((point, k) => (maxLandmark = Math.max(maxLandmark, distance(point, match.landmarks[k]!))));
    }
  });
  return { kind: 'detection', images: parent.length, sameFaceCount: sameCount, maxBoxErrorPx: maxBox, maxLandmarkErrorPx: maxLandmark };
}
