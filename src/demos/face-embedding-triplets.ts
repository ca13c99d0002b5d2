/**
 * FaceNet's training triplets, shown on the faces of the compare mode: for each anchor-positive
 * pair, which negatives are semi-hard under the paper's margin (math/triplets.ts), using the
 * demo's own distances. The demo knows no names, so every face found counts as its own person,
 * and a person seen once has no second photo: the positive of each face is its mirror image
 * (the same photo flipped), embedded by the same network. The page says both things.
 * Its part of data-result: triplets { margin, distance, pairs: [{ anchor, positive, distance, negatives: [{ face, distance, kind }] }] }.
 */
import { flipHorizontal } from '../inference/math/augment.ts';
import { euclideanDistance } from '../inference/math/embedding.ts';
import { classifyTriplets, TRIPLET_MARGIN, type LabelledEmbedding, type NegativeKind } from '../inference/math/triplets.ts';
import type { EmbeddedImage } from '../inference/tasks/registry.ts';
import type { RgbaImage } from '../inference/types.ts';

const KIND_NOTE: Record<NegativeKind, string> = {
  'semi-hard': 'semi-hard: trained on',
  easy: 'easy: already beyond the margin, nothing to learn',
  hard: 'hard: closer than the positive; the hardest are avoided because they collapse training early',
};

/** The mirrored images to embed for the positives. */
export function mirroredInputs(images: readonly RgbaImage[]): RgbaImage[] {
  return images.map(flipHorizontal);
}

/** For each face of the original image, the embedding of the same face in the mirrored image (matched by mirrored box centre), or null. */
function mirroredEmbeddings(original: EmbeddedImage, mirrored: EmbeddedImage): (Float32Array | null)[] {
  return original.faces.map((face) => {
    const cx = original.width - (face.box.x1 + face.box.x2) / 2;
    const cy = (face.box.y1 + face.box.y2) / 2;
    const side = face.box.x2 - face.box.x1;
    let best: { index: number; distance: number } | null = null;
    mirrored.faces.forEach((candidate, index) => {
      const distance = Math.hypot((candidate.box.x1 + candidate.box.x2) / 2 - cx, (candidate.box.y1 + candidate.box.y2) / 2 - cy);
      if (distance < side / 2 && (!best || distance < best.distance)) best = { index, distance };
    });
    return best ? mirrored.embeddings[(best as { index: number }).index]! : null;
  });
}

export function renderTriplets(
  box: HTMLElement,
  tagged: { tag: string; image: EmbeddedImage; mirrored: EmbeddedImage }[],
): Record<string, unknown> {
  const items: LabelledEmbedding[] = [];
  for (const { tag, image, mirrored } of tagged) {
    const flipped = mirroredEmbeddings(image, mirrored);
    image.embeddings.forEach((embedding, i) => {
      const name = `${tag}${i + 1}`;
      items.push({ identity: name, name, embedding });
      const copy = flipped[i];
      if (copy) items.push({ identity: name, name: `${name} mirrored`, embedding: copy });
    });
  }
  // Anchors are the faces as found; their mirrored copies serve as positives.
  const pairs = classifyTriplets(items, TRIPLET_MARGIN, euclideanDistance).filter((pair) => !items[pair.anchor]!.name.endsWith('mirrored'));
  const faces = new Set(items.map((item) => item.identity)).size;
  const intro = document.createElement('p');
  intro.className = 'muted small';
  intro.textContent =
    `FaceNet trains on triplets: an anchor, a positive (the same person) and a negative (someone else), and asks that the negative be further than the positive by a margin of ${TRIPLET_MARGIN}. ` +
    'This demo knows no names, so each face found counts as its own person, and with one photo per person there is no real positive: ' +
    "each face's positive here is its mirror image, embedded by the same network. Distances are the demo's own (Euclidean, as in the table above); " +
    "the paper's margin applies to squared distances between unit-length embeddings, so treat the labels as an illustration.";
  const list = document.createElement('ul');
  list.className = 'triplets';
  for (const pair of pairs) {
    const item = document.createElement('li');
    const counts = (['semi-hard', 'easy', 'hard'] as const)
      .map((kind) => `${pair.negatives.filter((n) => n.kind === kind).length} ${kind}`)
      .join(', ');
    const details = pair.negatives.map((n) => `${items[n.index]!.name} at ${n.distance.toFixed(3)} (${KIND_NOTE[n.kind]})`).join('; ');
    item.textContent = `Anchor ${items[pair.anchor]!.name}, positive ${items[pair.positive]!.name} at ${pair.distance.toFixed(3)}: ${counts}. ${details || 'No negatives: another face is needed.'}`;
    list.append(item);
  }
  const note = document.createElement('p');
  note.className = 'small';
  note.textContent =
    faces < 2
      ? 'With fewer than two faces there are no negatives: put faces of two people in A and B.'
      : `${pairs.length} anchor-positive pair${pairs.length === 1 ? '' : 's'} over ${faces} faces.`;
  box.replaceChildren(intro, note, list);
  return {
    triplets: {
      margin: TRIPLET_MARGIN,
      distance: 'euclidean (the demo verdict distance)',
      positives: 'mirror image of the anchor face',
      pairs: pairs.map((pair) => ({
        anchor: items[pair.anchor]!.name,
        positive: items[pair.positive]!.name,
        distance: pair.distance,
        negatives: pair.negatives.map((n) => ({ face: items[n.index]!.name, distance: n.distance, kind: n.kind })),
      })),
    },
  };
}
