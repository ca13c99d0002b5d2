/**
 * Every production variant in the catalog against its fp32 parent, on onnxruntime-node, over
 * every sample image and its transformed copies (src/models/variants/evaluation-images.ts):
 * classifier top-1/top-5 agreement and largest probability change, descriptor drift and flipped
 * verdicts, MTCNN face count, boxes and landmarks. The measured figures must match what the
 * catalog records (the default choice is made from those), and the defaults must meet the
 * issue's size targets.
 */
import { describe, expect, it } from 'vitest';
import { getModel, MODEL_CATALOG, type VariantAccuracy } from '../../src/models/catalog.ts';
import { defaultVariant, variantKind, withinBounds } from '../../src/models/variants/choose.ts';
import { measureVariantAccuracy } from '../../src/models/variants/measure.ts';
import { evaluationSet, readSampleImages } from '../../src/models/variants/node-tools.ts';
import { MODELS_DIR, requireModels } from '../helpers/models.ts';
import { SAMPLES_DIR } from '../helpers/images.ts';

const variants = MODEL_CATALOG.filter((entry) => entry.variant);
const images = evaluationSet(readSampleImages(SAMPLES_DIR));

/** Recorded and measured agree: counts exactly, continuous figures to 10% (+ a small absolute slack for other CPUs). */
function expectSameAccuracy(recorded: VariantAccuracy | null, measured: VariantAccuracy, id: string): void {
  expect(recorded, `${id}: the catalog records no accuracy; measured ${JSON.stringify(measured)}`).not.toBeNull();
  expect(recorded!.kind).toBe(measured.kind);
  for (const [key, value] of Object.entries(measured)) {
    const stored = (recorded as Record<string, unknown>)[key];
    if (typeof value === 'number' && !Number.isInteger(value)) {
      expect(Math.abs((stored as number) - value), `${id}.${key}: catalog ${stored}, measured ${value}`).toBeLessThanOrEqual(
        0.1 * value + 2e-3,
      );
    } else {
      expect(stored, `${id}.${key}`).toEqual(value);
    }
  }
}

describe('production variants against their fp32 parents (onnxruntime-node)', () => {
  it('has variants of every installable model family', () => {
    const parents = new Set(variants.map((entry) => entry.variant!.parent));
    for (const entry of MODEL_CATALOG.filter((candidate) => candidate.inMirror && candidate.task !== 'labels'))
      expect(parents, entry.id).toContain(entry.id);
  });

  const measured = new Map<string, VariantAccuracy>();
  // The three MTCNN nets of one kind run as one cascade, so one measurement per kind serves all three.
  const cascadeRuns = new Map<string, Promise<VariantAccuracy>>();
  const measure = (entry: (typeof variants)[number]): Promise<VariantAccuracy> => {
    if (entry.task !== 'face-detection') return measureVariantAccuracy(entry, images, MODELS_DIR);
    const kind = entry.variant!.kind;
    if (!cascadeRuns.has(kind)) cascadeRuns.set(kind, measureVariantAccuracy(entry, images, MODELS_DIR));
    return cascadeRuns.get(kind)!;
  };
  for (const entry of variants) {
    const ready = requireModels(entry.id, entry.variant!.parent);
    it.runIf(ready)(
      `${entry.id}: accuracy against ${entry.variant!.parent} matches the catalog`,
      async () => {
        const accuracy = await measure(entry);
        measured.set(entry.id, accuracy);
        console.log(`${entry.id}: ${JSON.stringify(accuracy)}`);
        expectSameAccuracy(entry.variant!.accuracy, accuracy, entry.id);
      },
      300_000,
    );
  }

  it('MTCNN: the three nets of each kind record one cascade measurement, and one default kind follows from it', () => {
    const nets = ['mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet'];
    const kinds = new Set(variants.filter((entry) => nets.includes(entry.variant!.parent)).map((entry) => entry.variant!.kind));
    expect([...kinds].sort()).toEqual(['fp16', 'int8', 'int8-qdq']);
    for (const kind of kinds) {
      const recorded = nets.map((net) => JSON.stringify(MODEL_CATALOG.find((entry) => entry.id === `${net}-${kind}`)?.variant?.accuracy));
      expect(new Set(recorded).size, `${kind}: ${recorded.join(' / ')}`).toBe(1);
    }
    const defaults = nets.map((net) => variantKind(defaultVariant(net)));
    expect(new Set(defaults).size, defaults.join(' / ')).toBe(1);
    // The default is a variant only when that kind finds the same faces within 1 px.
    const chosen = defaultVariant('mtcnn-pnet');
    if (chosen.variant) expect(withinBounds(measured.get(chosen.id) ?? chosen.variant.accuracy)).toBe(true);
    else
      for (const kind of kinds)
        expect(withinBounds(measured.get(`mtcnn-pnet-${kind}`) ?? getModel(`mtcnn-pnet-${kind}`).variant!.accuracy)).toBe(false);
  });

  it('defaults: classifier at most 30 MB with the same top-1 everywhere; descriptor at most 7 MB with no flipped verdict', () => {
    const classifier = defaultVariant('resnet50-keras-imagenet');
    const descriptor = defaultVariant('dlib-face-resnet-v1');
    console.log(`defaults: ${classifier.id} (${classifier.bytes} bytes), ${descriptor.id} (${descriptor.bytes} bytes)`);
    expect(classifier.bytes!).toBeLessThanOrEqual(30e6);
    expect(descriptor.bytes!).toBeLessThanOrEqual(7e6);
    for (const entry of [classifier, descriptor]) {
      const accuracy = measured.get(entry.id) ?? entry.variant?.accuracy ?? null;
      expect(withinBounds(accuracy), `${entry.id}: ${JSON.stringify(accuracy)}`).toBe(true);
    }
  });
});
