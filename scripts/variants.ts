/**
 * Production variants, maintainer side (the installer derives them; this script makes the
 * numbers the catalog pins):
 *
 *   node scripts/variants.ts calibrate <parent id>   # measure activation ranges for int8-qdq, write
 *                                                      # src/models/variants/calibration/<parent>.json
 *   node scripts/variants.ts pins                    # derive every variant whose parent is installed and
 *                                                      # print bytes, sha256 and derivation time
 *
 * Both read the fp32 parents from public/models (npm run models installs them).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_CATALOG, getModel } from '../src/models/catalog.ts';
import { imagesToTensor, resizeAndCrop } from '../src/inference/math/preprocess.ts';
import { flattenAlpha, pureImageOps } from '../src/inference/math/image.ts';
import { activationsToCalibrate, measureRanges, type CalibrationTable } from '../src/models/variants/calibrate.ts';
import { alignedChips, chipTensor, createFileRunner, readSampleImages } from '../src/models/variants/node-tools.ts';
import { mtcnnCalibrationFeeds, mtcnnNetOf } from '../src/models/variants/mtcnn-calibration.ts';
import { flipHorizontal, type NamedImage } from '../src/models/variants/evaluation-images.ts';
import { deriveVariant } from '../src/models/variants/transforms.ts';
import { loadCalibration } from '../src/models/installer.ts';
import type { TensorData } from '../src/inference/types.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const modelsDir = join(root, 'public', 'models');
const samplesDir = join(root, 'public', 'samples');
const [command, parentId] = process.argv.slice(2);

/**
 * Calibration inputs: every sample and its mirror image (classifier), their aligned faces
 * (embedder), or what the fp32 cascade feeds the net on them (MTCNN: pyramid levels for P-Net,
 * 24x24 crops of P-Net's survivors for R-Net, 48x48 crops of R-Net's survivors for O-Net).
 */
async function calibrationFeeds(parentIdToCalibrate: string): Promise<{ names: string[]; feeds: Record<string, TensorData>[] }> {
  const entry = getModel(parentIdToCalibrate);
  const samples = readSampleImages(samplesDir);
  const images: NamedImage[] = samples.flatMap(({ name, image }) => [
    { name, image },
    { name: `${name}/flip`, image: flipHorizontal(image) },
  ]);
  const input = entry.inputs[0]!.name;
  if (entry.task === 'image-classification') {
    const pre = entry.preprocessing!;
    return {
      names: images.map((image) => image.name),
      feeds: images.map(({ image }) => ({ [input]: imagesToTensor([resizeAndCrop(flattenAlpha(image), pre)], pre) })),
    };
  }
  if (entry.task === 'face-embedding') {
    const detector = createFileRunner(modelsDir);
    const chips = await alignedChips(images, entry, detector);
    await detector.release();
    return { names: chips.map((chip) => chip.name), feeds: chips.map(({ image }) => ({ [input]: chipTensor(image, entry) })) };
  }
  const net = mtcnnNetOf(entry.id);
  if (net) {
    const cascade = createFileRunner(modelsDir);
    try {
      return (await mtcnnCalibrationFeeds(images, cascade, pureImageOps))[net];
    } finally {
      await cascade.release();
    }
  }
  throw new Error(`No calibration inputs defined for ${entry.id} (${entry.task}).`);
}

if (command === 'calibrate' && parentId) {
  const entry = getModel(parentId);
  const parent = readFileSync(join(modelsDir, entry.file));
  const names = activationsToCalibrate(parent);
  const { names: inputs, feeds } = await calibrationFeeds(parentId);
  const started = performance.now();
  const ranges = await measureRanges(parent, feeds, names);
  const table: CalibrationTable = {
    parent: entry.id,
    parentSha256: entry.sha256,
    method: 'minmax',
    inputs,
    ranges: Object.fromEntries(names.map((name) => [name, [ranges[name]![0], ranges[name]![1]]])),
  };
  const out = join(root, 'src', 'models', 'variants', 'calibration', `${entry.id}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(table, null, 1)}\n`);
  console.log(
    `${entry.id}: ${names.length} activations over ${feeds.length} inputs in ${(performance.now() - started).toFixed(0)} ms -> ${out}`,
  );
} else if (command === 'pins') {
  for (const entry of MODEL_CATALOG) {
    if (!entry.variant) continue;
    const parentEntry = getModel(entry.variant.parent);
    let parent: Buffer;
    try {
      parent = readFileSync(join(modelsDir, parentEntry.file));
    } catch {
      console.log(`${entry.id}: parent ${parentEntry.id} not installed`);
      continue;
    }
    const started = performance.now();
    const ranges =
      entry.variant.transform.kind === 'int8-qdq' ? loadCalibration(entry.variant.transform.calibration, root, parentEntry) : undefined;
    const bytes = deriveVariant(parent, entry.variant.transform, ranges);
    const ms = performance.now() - started;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const same = sha256 === entry.sha256 ? 'matches the catalog' : 'CATALOG DIFFERS';
    console.log(`${entry.id}: bytes ${bytes.length}, sha256 '${sha256}', derived in ${ms.toFixed(0)} ms (${same})`);
  }
} else {
  console.error('usage: node scripts/variants.ts calibrate <parent id> | pins');
  process.exitCode = 2;
}
