/** Plain-language summaries of variant facts, for the study tables, the performance page and the demo. */
import type { VariantAccuracy, VariantKind } from '../catalog.ts';

/** What each kind is, in a few words (shown after the kind's name). */
export const VARIANT_LABELS: Record<VariantKind, string> = {
  fp32: 'as published',
  fp16: 'weights stored as float16',
  int8: 'int8 weights',
  'int8-qdq': 'int8 weights and activations (QDQ)',
};

const fixed = (value: number, digits: number) => value.toFixed(digits);

/** One sentence of what a variant loses against fp32. */
export function describeAccuracy(accuracy: VariantAccuracy | null): string {
  if (!accuracy) return 'not measured';
  switch (accuracy.kind) {
    case 'classification': {
      const count = (fraction: number) => `${Math.round(fraction * accuracy.images)}/${accuracy.images}`;
      return `same top-1 on ${count(accuracy.top1Agreement)} images, same top-5 on ${count(accuracy.top5Agreement)}; largest probability change ${fixed(accuracy.maxProbabilityChange, 3)}`;
    }
    case 'embedding':
      return `largest drift ${fixed(accuracy.maxDrift, 4)} over ${accuracy.faces} faces; ${accuracy.flippedVerdicts} of ${accuracy.pairs} same/different verdicts flipped`;
    case 'detection':
      return `${accuracy.sameFaceCount ? 'same' : 'different'} face count on ${accuracy.images} images; boxes within ${fixed(accuracy.maxBoxErrorPx, 1)} px, landmarks within ${fixed(accuracy.maxLandmarkErrorPx, 1)} px`;
  }
}

/** Megabytes with one decimal, as the rest of the site shows sizes; whole kilobytes below 0.1 MB (MTCNN's P-Net is 28 kB, not "0.0 MB"). */
export function megabytes(bytes: number): string {
  return bytes < 1e5 ? `${Math.round(bytes / 1e3)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** One entry of a demo's variant picker: "int8: int8 weights, 25.8 MB (default)". Built at build time and redrawn in the page. */
export function variantOptionLabel(member: { kind: VariantKind; label: string; bytes: number }, defaultKind: VariantKind): string {
  return `${member.kind}: ${member.label}, ${megabytes(member.bytes)}${member.kind === defaultKind ? ' (default)' : ''}`;
}
