/**
 * Variants as catalog data: the default chooser, the accuracy comparisons, and the installer's
 * refusal of a variant whose derivation fails or whose pins do not match.
 */
import { existsSync, mkdtempSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODEL_CATALOG, getModel, type ModelEntry, type VariantAccuracy } from '../../src/models/catalog.ts';
import { classificationDelta, detectionDelta, embeddingDelta } from '../../src/models/variants/accuracy.ts';
import {
  defaultCandidacy,
  defaultVariant,
  familyMember,
  variantFamily,
  withDefaultVariants,
  withinBounds,
} from '../../src/models/variants/choose.ts';
import { installEntry } from '../../src/models/installer.ts';
import { MODELS_DIR, isInstalled } from '../helpers/models.ts';

const classification = (top1Agreement: number): VariantAccuracy => ({
  kind: 'classification',
  images: 4,
  top1Agreement,
  top5Agreement: 1,
  maxProbabilityChange: 0.01,
});

/** A synthetic family: parent 100 bytes, fp16 50, int8 25 (accuracy as given), QDQ 24. */
function family(int8Top1: number, qdqRatio: number | null): ModelEntry[] {
  const parent = { ...getModel('resnet50-keras-imagenet'), id: 'p', bytes: 100 };
  const variant = (
    kind: 'fp16' | 'int8' | 'int8-qdq',
    bytes: number,
    accuracy: VariantAccuracy | null,
    wasmWarmRatio: number | null = null,
  ): ModelEntry => ({
    ...parent,
    id: `p-${kind}`,
    bytes,
    variant: { parent: 'p', kind, transform: { kind: 'fp16', minElements: 1 }, accuracy, wasmWarmRatio },
  });
  return [
    parent,
    variant('int8-qdq', 24, classification(1), qdqRatio),
    variant('int8', 25, classification(int8Top1)),
    variant('fp16', 50, classification(1)),
  ];
}

describe('default variant', () => {
  it('is the smallest variant within bounds', () => {
    expect(defaultVariant('p', undefined, family(1, null)).id).toBe('p-int8');
    expect(defaultVariant('p', undefined, family(0.95, null)).id).toBe('p-fp16'); // int8 changed a top-1
  });

  it('takes QDQ only where it was measured faster on WASM', () => {
    expect(defaultVariant('p', undefined, family(1, 0.8)).id).toBe('p-int8-qdq');
    expect(defaultVariant('p', undefined, family(1, 1.2)).id).toBe('p-int8');
    expect(defaultCandidacy(family(1, 1.2)[1]!).reason).toBe('not faster than fp32 on WASM');
  });

  it('only picks among available files, and falls back to the parent', () => {
    expect(defaultVariant('p', new Set(['p', 'p-fp16']), family(1, null)).id).toBe('p-fp16');
    expect(defaultVariant('p', new Set(['p']), family(1, null)).id).toBe('p');
    expect(defaultVariant('p', new Set(), family(1, null)).id).toBe('p');
  });

  it('orders a family fp32, fp16, int8, int8-qdq and finds members by kind', () => {
    expect(variantFamily('p', family(1, null)).map((entry) => entry.id)).toEqual(['p', 'p-fp16', 'p-int8', 'p-int8-qdq']);
    expect(familyMember('p', 'int8', family(1, null))?.id).toBe('p-int8');
    expect(() => variantFamily('p-int8', family(1, null))).toThrow(/not a published/);
  });

  it('applies the issue bounds to each kind of accuracy', () => {
    expect(withinBounds(null)).toBe(false);
    expect(withinBounds({ kind: 'embedding', faces: 2, maxDrift: 0.019, pairs: 1, flippedVerdicts: 0 })).toBe(true);
    expect(withinBounds({ kind: 'embedding', faces: 2, maxDrift: 0.021, pairs: 1, flippedVerdicts: 0 })).toBe(false);
    expect(withinBounds({ kind: 'embedding', faces: 2, maxDrift: 0.001, pairs: 1, flippedVerdicts: 1 })).toBe(false);
    expect(withinBounds({ kind: 'detection', images: 1, sameFaceCount: true, maxBoxErrorPx: 0.9, maxLandmarkErrorPx: 1.1 })).toBe(false);
    expect(withinBounds({ kind: 'detection', images: 1, sameFaceCount: false, maxBoxErrorPx: 0, maxLandmarkErrorPx: 0 })).toBe(false);
  });

  it('adds each default variant after its parent (what a demo loads, for the offline manifest)', () => {
    expect(withDefaultVariants(['resnet50-keras-imagenet', 'imagenet-labels', 'mtcnn-pnet', 'resnet34-v1-7'])).toEqual([
      'resnet50-keras-imagenet',
      'resnet50-keras-imagenet-int8',
      'imagenet-labels',
      'mtcnn-pnet',
      'resnet34-v1-7',
    ]);
  });

  it('every catalog variant names a published parent, its own file and a full pin', () => {
    for (const entry of MODEL_CATALOG.filter((candidate) => candidate.variant)) {
      const parent = getModel(entry.variant!.parent);
      expect(parent.variant, entry.id).toBeUndefined();
      expect(entry.file).not.toBe(parent.file);
      expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(entry.bytes! < parent.bytes!, entry.id).toBe(true);
    }
  });
});

describe('studies', () => {
  const dir = new URL('../../src/content/studies/', import.meta.url);
  const studies = readdirSync(dir).filter((name) => name.endsWith('.mdx'));

  it.each(studies)('%s shows the production-variants table when its demo runs a model with variants', (name) => {
    const source = readFileSync(new URL(name, dir), 'utf8');
    const models =
      source
        .match(/^demo:\s*\n(?:\s+.*\n)*?\s+models:\s*\[([^\]]*)\]/m)?.[1]
        ?.split(',')
        .map((id) => id.trim()) ?? [];
    expect(models.length, `${name}: demo.models not found`).toBeGreaterThan(0);
    const hasVariants = models.some((id) => MODEL_CATALOG.some((entry) => entry.variant?.parent === id));
    expect(source.includes('\n<ProductionVariants />\n')).toBe(hasVariants);
  });
});

describe('accuracy comparisons', () => {
  it('classification: top-1, top-5 and the largest probability change', () => {
    const p = [Float32Array.of(0.5, 0.2, 0.1, 0.1, 0.05, 0.05), Float32Array.of(0.1, 0.6, 0.1, 0.1, 0.05, 0.05)];
    const v = [Float32Array.of(0.5, 0.2, 0.1, 0.1, 0.04, 0.06), Float32Array.of(0.4, 0.3, 0.1, 0.1, 0.05, 0.05)];
    const delta = classificationDelta(p, v);
    expect(delta.top1Agreement).toBe(0.5);
    expect(delta.top5Agreement).toBe(0.5); // image 0: class 5 replaces class 4 in the top 5
    expect(delta.maxProbabilityChange).toBeCloseTo(0.3, 6);
  });

  it('embedding: drift and flipped verdicts', () => {
    const p = [Float32Array.of(0, 0), Float32Array.of(0.55, 0), Float32Array.of(3, 0)];
    const v = [Float32Array.of(0, 0), Float32Array.of(0.65, 0), Float32Array.of(3, 0.01)];
    expect(embeddingDelta(p, v, 0.6)).toEqual({
      kind: 'embedding',
      faces: 3,
      maxDrift: expect.closeTo(0.1, 6),
      pairs: 3,
      flippedVerdicts: 1,
    });
  });

  it('detection: face count and displacements of the nearest face', () => {
    const face = (x: number) => ({ box: { x1: x, y1: 0, x2: x + 10, y2: 10 }, landmarks: [[x + 2, 3] as const] });
    expect(detectionDelta([[face(0), face(50)]], [[face(50.5), face(0)]])).toEqual({
      kind: 'detection',
      images: 1,
      sameFaceCount: true,
      maxBoxErrorPx: 0.5,
      maxLandmarkErrorPx: 0.5,
    });
    expect(detectionDelta([[face(0)]], [[]]).sameFaceCount).toBe(false);
  });
});

describe.runIf(isInstalled('mtcnn-pnet'))('installer: variants', () => {
  const target = mkdtempSync(join(tmpdir(), 'r2p-variants-'));
  const pnet = getModel('mtcnn-pnet');
  const variant = getModel('mtcnn-pnet-int8');
  mkdirSync(dirname(join(target, pnet.file)), { recursive: true });
  copyFileSync(join(MODELS_DIR, pnet.file), join(target, pnet.file));
  afterAll(() => rmSync(target, { recursive: true, force: true }));

  it('derives a variant from its installed parent and verifies its pins', async () => {
    const outcome = await installEntry(variant, { targetDir: target, allowDownload: false });
    expect(outcome).toMatchObject({ id: variant.id, status: 'installed', bytes: variant.bytes });
  });

  it('refuses a derived file whose pin does not match, naming the variant and its parent, and leaves nothing behind', async () => {
    const wrong = { ...variant, file: 'mtcnn/wrong.onnx', sha256: '0'.repeat(64) };
    const outcome = await installEntry(wrong, { targetDir: target, allowDownload: false });
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.reason).toMatch(
      /variant mtcnn-pnet-int8 of mtcnn-pnet: the derived file does not match its pins \(sha256 mismatch/,
    );
    expect(existsSync(join(target, wrong.file))).toBe(false);
  });

  it('refuses a derivation that fails, naming the variant and its parent', async () => {
    const outcome = await installEntry(
      { ...variant, file: 'mtcnn/broken.onnx' },
      {
        targetDir: target,
        allowDownload: false,
        derive: () => {
          throw new Error('graph has no Conv');
        },
      },
    );
    expect(outcome.status === 'failed' && outcome.reason).toMatch(
      /variant mtcnn-pnet-int8 of mtcnn-pnet: derivation failed: graph has no Conv/,
    );
  });

  it('reports a variant whose parent is missing as not installed, naming the parent', async () => {
    const outcome = await installEntry(getModel('dlib-face-resnet-v1-int8'), { targetDir: target, allowDownload: false });
    expect(outcome.status).toBe('not-installed');
    expect(outcome.status === 'not-installed' && outcome.reason).toMatch(/its parent dlib-face-resnet-v1 is not installed/);
  });
});
