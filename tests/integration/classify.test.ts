/**
 * The ResNet-50 stand-in through the site's own preprocessing and classify task, on
 * onnxruntime-web (WASM, as in the browser) and on native onnxruntime-node as the reference.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getModel } from '../../src/models/catalog.ts';
import { classify, parseLabels, type ClassificationResult } from '../../src/inference/tasks/classify.ts';
import { readSample } from '../helpers/images.ts';
import { createNodeRunner, modelPath, requireModels } from '../helpers/models.ts';
import { createWebRunner } from '../helpers/web-runner.ts';

const MODEL = 'resnet50-keras-imagenet';
const ready = requireModels(MODEL, 'imagenet-labels');
const entry = getModel(MODEL);

describe.runIf(ready)('ResNet-50 stand-in classifier', () => {
  let labels: string[];
  const web: Record<string, ClassificationResult> = {};
  const native: Record<string, ClassificationResult> = {};

  beforeAll(async () => {
    labels = parseLabels(readFileSync(modelPath('imagenet-labels'), 'utf8'));
    const webRunner = createWebRunner();
    const nodeRunner = createNodeRunner();
    for (const sample of ['chelsea', 'coffee', 'camera']) {
      const image = readSample(sample);
      web[sample] = await classify(image, entry, labels, webRunner);
      native[sample] = await classify(image, entry, labels, nodeRunner);
    }
  }, 180_000);

  it('labels 1000 classes', () => {
    expect(labels).toHaveLength(1000);
    expect(labels[285]).toMatch(/^Egyptian cat/);
  });

  it('puts a cat class (281-285) first for chelsea', () => {
    const top = web.chelsea!.top[0]!;
    expect(top.index).toBeGreaterThanOrEqual(281);
    expect(top.index).toBeLessThanOrEqual(285);
    console.log(
      'chelsea top-3:',
      web
        .chelsea!.top.slice(0, 3)
        .map((p) => `${p.index} ${p.label.split(',')[0]} ${p.probability.toFixed(3)}`)
        .join(' | '),
    );
  });

  it('puts espresso (967) first for coffee', () => {
    expect(web.coffee!.top[0]!.index).toBe(967);
    expect(web.coffee!.top[0]!.probability).toBeGreaterThan(0.9);
  });

  it('accepts a greyscale image (camera: tripod 872)', () => {
    expect(web.camera!.top[0]!.index).toBe(872);
  });

  it('matches native onnxruntime-node: same top-1, probabilities within 1e-3', () => {
    for (const sample of Object.keys(web)) {
      const a = web[sample]!.top;
      const b = native[sample]!.top;
      expect(a[0]!.index, sample).toBe(b[0]!.index);
      a.forEach((prediction, i) => {
        expect(Math.abs(prediction.probability - b[i]!.probability), `${sample} #${i}`).toBeLessThan(1e-3);
      });
    }
  });

  it('shows the model the 224x224 centre crop', () => {
    expect([web.chelsea!.modelView.width, web.chelsea!.modelView.height]).toEqual([224, 224]);
  });
});
