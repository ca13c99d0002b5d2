/**
 * MTCNN production variants: the calibration inputs come from the real cascade (P-Net on every
 * pyramid level, R-Net on the crops of P-Net's survivors, O-Net on the crops of R-Net's), the
 * cascade picks one kind for its three nets, the detect-faces task runs the variant files, and
 * each QDQ file derives from its committed table to the same pinned bytes every time.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pureImageOps } from '../../src/inference/math/image.ts';
import { ONET_SIZE, PNET_CELL, PNET_STRIDE, pyramidLevelSize, pyramidScales, RNET_SIZE } from '../../src/inference/math/mtcnn.ts';
import { DEFAULT_DETECT_OPTIONS, detectFaces, MTCNN_MODELS } from '../../src/inference/tasks/detect-faces.ts';
import { cascadeRunner } from '../../src/inference/tasks/registry.ts';
import type { ModelRunner, RgbaImage, TensorData } from '../../src/inference/types.ts';
import { getModel, MODEL_CATALOG, type ModelEntry, type VariantAccuracy } from '../../src/models/catalog.ts';
import { cascadeDefaultKind, cascadeMembers, defaultVariant, withDefaultVariants, withinBounds } from '../../src/models/variants/choose.ts';
import { loadCalibration } from '../../src/models/installer.ts';
import { megabytes } from '../../src/models/variants/describe.ts';
import { deriveVariant } from '../../src/models/variants/transforms.ts';
import { isInstalled, modelPath } from '../helpers/models.ts';
import { mtcnnCalibrationFeeds, mtcnnNetOf, recordingRunner } from '../../src/models/variants/mtcnn-calibration.ts';

const NETS: string[] = Object.values(MTCNN_MODELS);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A grey image with a brighter square, so crops differ from one another. */
function testImage(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bright = x > width / 4 && x < width / 2 && y > height / 4 && y < height / 2;
      data.set([bright ? 220 : 90, bright ? 200 : 90, bright ? 180 : 90, 255], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

/**
 * A scripted cascade: P-Net marks two cells of every level as faces, R-Net and O-Net accept
 * every crop but the last, with no box offsets. Records nothing itself.
 */
const scriptedNets: ModelRunner = {
  async run(id, feeds) {
    const dims = feeds.input!.dims;
    if (id === MTCNN_MODELS.pnet) {
      const [h, w] = [Math.floor((dims[2]! - PNET_CELL) / PNET_STRIDE) + 1, Math.floor((dims[3]! - PNET_CELL) / PNET_STRIDE) + 1];
      const prob = new Float32Array(2 * h * w).fill(0.5);
      const reg = new Float32Array(4 * h * w);
      prob[h * w] = 0.95; // cell (0, 0), face channel
      prob[h * w + h * w - 1] = 0.95; // the last cell
      return { prob: { data: prob, dims: [1, 2, h, w] }, reg: { data: reg, dims: [1, 4, h, w] } };
    }
    const n = dims[0]!;
    const prob = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) prob[2 * i + 1] = i === n - 1 && n > 1 ? 0.1 : 0.99;
    const out: Record<string, TensorData> = {
      prob: { data: prob, dims: [n, 2] },
      reg: { data: new Float32Array(4 * n), dims: [n, 4] },
    };
    if (id === MTCNN_MODELS.onet) out.landmarks = { data: new Float32Array(10 * n).fill(0.5), dims: [n, 10] };
    return out;
  },
};

describe('MTCNN calibration inputs', () => {
  it('records copies of what each net is fed, and passes the call through', async () => {
    const seen: { id: string; feeds: Record<string, TensorData> }[] = [];
    const inner: ModelRunner = { run: async (id) => ({ echo: { data: Float32Array.of(id.length), dims: [1] } }) };
    const runner = recordingRunner(inner, (id, feeds) => seen.push({ id, feeds }));
    const data = Float32Array.of(1, 2, 3);
    const out = await runner.run('mtcnn-rnet', { input: { data, dims: [1, 3] } });
    data[0] = 99;
    expect(out.echo!.data[0]).toBe('mtcnn-rnet'.length);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.id).toBe('mtcnn-rnet');
    expect(Array.from(seen[0]!.feeds.input!.data)).toEqual([1, 2, 3]);
  });

  it('names the net of a catalog id', () => {
    expect(NETS.map(mtcnnNetOf)).toEqual(['pnet', 'rnet', 'onet']);
    expect(mtcnnNetOf('mtcnn-pnet-int8')).toBeNull();
    expect(mtcnnNetOf('resnet50-keras-imagenet')).toBeNull();
  });

  it('feeds P-Net every pyramid level, R-Net the 24x24 crops of P-Net survivors, O-Net the 48x48 crops of R-Net survivors', async () => {
    const images = [
      { name: 'wide', image: testImage(150, 96) },
      { name: 'square', image: testImage(64, 64) },
    ];
    const feeds = await mtcnnCalibrationFeeds(images, scriptedNets, pureImageOps);
    const expectedLevels = images.flatMap(({ name, image }) =>
      pyramidScales(image.width, image.height, DEFAULT_DETECT_OPTIONS.minFaceSize, DEFAULT_DETECT_OPTIONS.scaleFactor)
        .map((scale) => pyramidLevelSize(image.width, image.height, scale))
        .filter((level) => level.width >= PNET_CELL && level.height >= PNET_CELL)
        .map((level) => ({ name: `${name} pnet ${level.width}x${level.height}`, dims: [1, 3, level.height, level.width] })),
    );
    expect(feeds.pnet.names).toEqual(expectedLevels.map((level) => level.name));
    expect(feeds.pnet.feeds.map((feed) => feed.input!.dims)).toEqual(expectedLevels.map((level) => level.dims));

    // The real cascade, once per image, gives the counts each later net must have been fed.
    for (const [index, { image, name }] of images.entries()) {
      const result = await detectFaces(image, scriptedNets, pureImageOps);
      const rnet = feeds.rnet.feeds[index]!.input!;
      const onet = feeds.onet.feeds[index]!.input!;
      expect(result.stages.pnet.count).toBeGreaterThan(1);
      expect(rnet.dims).toEqual([result.stages.pnet.count, 3, RNET_SIZE, RNET_SIZE]);
      expect(onet.dims).toEqual([result.stages.rnet.count, 3, ONET_SIZE, ONET_SIZE]);
      expect(feeds.rnet.names[index]).toBe(`${name} rnet ${result.stages.pnet.count} crops`);
      // MTCNN's input scaling, (v - 127.5) / 128: every value inside (-1, 1).
      for (const tensor of [rnet, onet]) expect(tensor.data.every((value) => value > -1 && value < 1)).toBe(true);
    }
  });

  it('collects nothing for R-Net and O-Net when P-Net finds nothing', async () => {
    const silent: ModelRunner = {
      run: async (_id, feeds) => {
        const [h, w] = [Math.floor((feeds.input!.dims[2]! - 12) / 2) + 1, Math.floor((feeds.input!.dims[3]! - 12) / 2) + 1];
        return {
          prob: { data: new Float32Array(2 * h * w), dims: [1, 2, h, w] },
          reg: { data: new Float32Array(4 * h * w), dims: [1, 4, h, w] },
        };
      },
    };
    const feeds = await mtcnnCalibrationFeeds([{ name: 'blank', image: testImage(40, 40) }], silent, pureImageOps);
    expect(feeds.pnet.feeds.length).toBeGreaterThan(0);
    expect(feeds.rnet.feeds).toEqual([]);
    expect(feeds.onet.feeds).toEqual([]);
  });
});

const detection = (maxBoxErrorPx: number): VariantAccuracy => ({
  kind: 'detection',
  images: 4,
  sameFaceCount: true,
  maxBoxErrorPx,
  maxLandmarkErrorPx: maxBoxErrorPx,
});

/** The catalog with each MTCNN variant's accuracy replaced by `error(net, kind)`. */
function withAccuracy(error: (net: string, kind: string) => number): ModelEntry[] {
  return MODEL_CATALOG.map((entry) =>
    entry.variant && NETS.includes(entry.variant.parent)
      ? { ...entry, variant: { ...entry.variant, accuracy: detection(error(entry.variant.parent, entry.variant.kind)) } }
      : entry,
  );
}

describe('one variant kind for the whole cascade', () => {
  it('lists every kind all three nets have, fp32 first, with the bytes of the three files', () => {
    const members = cascadeMembers(NETS);
    expect(members.map((member) => member.kind)).toEqual(['fp32', 'fp16', 'int8', 'int8-qdq']);
    for (const member of members) {
      expect(member.ids.map((id) => getModel(id).variant?.parent ?? id)).toEqual(NETS);
      expect(member.bytes).toBe(member.ids.reduce((sum, id) => sum + getModel(id).bytes!, 0));
    }
    // A kind one net lacks (here: not installed) is not offered.
    const available = new Set([...NETS, 'mtcnn-pnet-int8', 'mtcnn-rnet-int8', 'mtcnn-pnet-fp16', 'mtcnn-rnet-fp16', 'mtcnn-onet-fp16']);
    expect(cascadeMembers(NETS, available).map((member) => member.kind)).toEqual(['fp32', 'fp16']);
  });

  it('defaults by the catalog rule: fp32 while every variant misses 1 px, the smallest kind within it otherwise', () => {
    // Today's catalog: every recorded MTCNN variant misses 1 px somewhere, so the cascade stays fp32.
    const within = MODEL_CATALOG.filter(
      (entry) => entry.variant && NETS.includes(entry.variant.parent) && withinBounds(entry.variant.accuracy),
    );
    expect(within.map((entry) => entry.id)).toEqual([]);
    expect(cascadeDefaultKind(NETS)).toBe('fp32');
    // fp16 within 1 px on all three nets, int8 not: fp16 (smaller than fp32).
    expect(
      cascadeDefaultKind(
        NETS,
        undefined,
        withAccuracy((_net, kind) => (kind === 'fp16' ? 0.5 : 3)),
      ),
    ).toBe('fp16');
    // int8 also within bounds: int8, the smaller file.
    expect(
      cascadeDefaultKind(
        NETS,
        undefined,
        withAccuracy((_net, kind) => (kind === 'int8-qdq' ? 3 : 0.5)),
      ),
    ).toBe('int8');
    // Within bounds, but not installed for O-Net: the cascade stays fp32 rather than mix kinds.
    const notOnet = new Set(MODEL_CATALOG.map((entry) => entry.id).filter((id) => id !== 'mtcnn-onet-fp16'));
    expect(
      cascadeDefaultKind(
        NETS,
        notOnet,
        withAccuracy((_net, kind) => (kind === 'fp16' ? 0.5 : 3)),
      ),
    ).toBe('fp32');
  });
});

describe('offline lists: the cascade default for every net', () => {
  it('lists the kind the demo loads for all three nets, never a kind one net would pick alone', () => {
    expect(withDefaultVariants(NETS)).toEqual(NETS);
    const fp16Within = withAccuracy((_net, kind) => (kind === 'fp16' ? 0.5 : 3));
    expect(withDefaultVariants(NETS, fp16Within)).toEqual(NETS.flatMap((net) => [net, `${net}-fp16`]));
    // P-Net's int8 alone within bounds: on its own it would default to int8; the cascade stays fp32.
    const pnetOnly = withAccuracy((net, kind) => (net === 'mtcnn-pnet' && kind === 'int8' ? 0.5 : 3));
    expect(defaultVariant('mtcnn-pnet', undefined, pnetOnly).id).toBe('mtcnn-pnet-int8');
    expect(withDefaultVariants(NETS, pnetOnly)).toEqual(NETS);
  });
});

describe('detect-faces with variant nets', () => {
  it('sends each net request to the chosen variant file, and refuses a file of another net', async () => {
    const asked: string[] = [];
    const runner = cascadeRunner(
      { run: async (id) => (asked.push(id), {}) },
      { pnet: 'mtcnn-pnet-int8', rnet: 'mtcnn-rnet', onet: 'mtcnn-onet-int8-qdq' },
      getModel,
    );
    for (const id of NETS) await runner.run(id, {});
    expect(asked).toEqual(['mtcnn-pnet-int8', 'mtcnn-rnet', 'mtcnn-onet-int8-qdq']);
    expect(() => cascadeRunner(scriptedNets, { pnet: 'mtcnn-onet-int8' }, getModel)).toThrow(
      /mtcnn-onet-int8 is not a variant of mtcnn-pnet/,
    );
    expect(() => cascadeRunner(scriptedNets, { pnet: 'nope' }, getModel)).toThrow(/Unknown model id "nope"/);
    expect(() => cascadeRunner(scriptedNets, { qnet: 'mtcnn-pnet' } as never, getModel)).toThrow(/Unknown MTCNN net "qnet"/);
  });
});

describe('sizes in the variant tables', () => {
  it('shows whole kilobytes below 0.1 MB (P-Net files), megabytes with one decimal above', () => {
    expect(megabytes(getModel('mtcnn-pnet').bytes!)).toBe('28 kB');
    expect(megabytes(14_046)).toBe('14 kB');
    expect(megabytes(402_485)).toBe('0.4 MB');
    expect(megabytes(25_780_586)).toBe('25.8 MB');
  });
});

describe.runIf(NETS.every(isInstalled))('MTCNN int8-qdq derivation from the committed calibration tables', () => {
  for (const net of NETS) {
    it(`${net}-int8-qdq: derived twice, the same bytes, matching the catalog pin`, () => {
      const entry = getModel(`${net}-int8-qdq`);
      const transform = entry.variant!.transform;
      if (transform.kind !== 'int8-qdq') throw new Error(`${entry.id} is not a QDQ variant`);
      const parent = readFileSync(modelPath(net));
      const ranges = loadCalibration(transform.calibration, REPO_ROOT, getModel(net));
      const first = deriveVariant(parent, transform, ranges);
      const second = deriveVariant(readFileSync(modelPath(net)), transform, ranges);
      expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
      expect(first.length).toBe(entry.bytes);
      expect(createHash('sha256').update(first).digest('hex')).toBe(entry.sha256);
    });
  }
});
