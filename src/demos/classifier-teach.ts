/**
 * The classifier demo's teach mode (client): the reader builds 2-5 named classes from the image
 * input (samples, uploads, pasted images, webcam snapshots); Run extracts each example's pooled
 * features and its augmented copies' in the worker, trains a linear softmax head in the worker,
 * shows training and held-out accuracy on a visible split, a confusion matrix and the
 * nearest-centroid baseline, and classifies the current image with the new head beside the
 * ImageNet top-5. The head is kept in IndexedDB and can be exported, imported and deleted.
 */
import { HeadFileError, headToFile, parseHeadFile, type HeadFile } from '../inference/math/head-file.ts';
import {
  accuracy,
  argmax,
  confusionMatrix,
  headProbabilities,
  predictNearestCentroid,
  splitTrainHeldOut,
  trainNearestCentroid,
  type LinearHead,
} from '../inference/math/linear-head.ts';
import type { AugmentationParams } from '../inference/math/augment.ts';
import { openHeadStorage, type HeadStorage } from '../inference/head-store.ts';
import type { FeatureExtraction, HeadTrainingResult } from '../inference/tasks/teach.ts';
import type { RgbaImage } from '../inference/types.ts';
import { featuresModelFor, getModel, type ModelEntry } from '../models/catalog.ts';
import type { ImageSource } from './image-source.ts';
import { parseModeParams } from './params.ts';
import { drawImageTo, type DemoShell, type RunContext } from './shell.ts';

export const MIN_CLASSES = 2;
export const MAX_CLASSES = 5;
/** Share of each class's source images (or, with one image, of its copies) held out for testing. */
const HELD_OUT_FRACTION = 0.25;
const SPLIT_SEED = 1;

interface Example {
  id: number;
  name: string;
  image: RgbaImage;
}

interface TeachClass {
  name: string;
  examples: Example[];
}

interface Extracted {
  augment: number;
  result: FeatureExtraction;
}

/** Reader-facing error: shown as is, the classes and examples stay. */
export class TeachError extends Error {
  override name = 'TeachError';
}

/** Check the classes before any work: at least two, each named once and with an example. */
export function validateClasses(classes: readonly { name: string; examples: readonly unknown[] }[]): void {
  if (classes.length < MIN_CLASSES) {
    throw new TeachError(
      `Teaching needs at least ${MIN_CLASSES} classes (it has ${classes.length}): a classifier has to choose between something.`,
    );
  }
  if (classes.length > MAX_CLASSES) throw new TeachError(`At most ${MAX_CLASSES} classes here (it has ${classes.length}).`);
  const names = classes.map((item) => item.name.trim());
  const blank = names.findIndex((name) => name === '');
  if (blank >= 0) throw new TeachError(`Class ${blank + 1} has no name.`);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new TeachError(`Two classes are called "${duplicate}": give each class its own name.`);
  const empty = classes.find((item) => item.examples.length === 0);
  if (empty) throw new TeachError(`Class "${empty.name.trim()}" has no examples: add at least one image to it (or remove the class).`);
}

const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(0)}%`);

function describeAugmentation(params: AugmentationParams): string {
  const shift = params.rgbShift.map((value) => (value >= 0 ? '+' : '') + value.toFixed(1)).join(' ');
  return `short side ${params.shorterSide}, crop at (${params.cropX}, ${params.cropY})${params.flip ? ', flipped' : ''}, RGB ${shift}`;
}

export class TeachMode {
  active: boolean;
  private readonly root: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly shell: () => DemoShell;
  private readonly source: ImageSource;
  private readonly classes: TeachClass[] = [];
  private readonly extracted = new Map<number, Extracted>();
  private nextId = 1;
  private head: { head: LinearHead; file: HeadFile } | null = null;
  private storage: Promise<HeadStorage>;
  private readonly augmentInput: HTMLInputElement;
  /** Set when the deep link's test image failed: Run refuses until the reader picks another image. */
  testError: string | null = null;

  constructor(root: HTMLElement, source: ImageSource, shell: () => DemoShell) {
    this.root = root;
    this.source = source;
    this.shell = shell;
    this.panel = root.querySelector<HTMLElement>('[data-teach]')!;
    this.augmentInput = this.panel.querySelector('[data-teach-augment]')!;
    const params = parseModeParams(location.search);
    this.active = params.mode === 'teach';
    this.storage = openHeadStorage();
    this.panel.querySelector('[data-teach-add-class]')!.addEventListener('click', () => {
      if (this.classes.length >= MAX_CLASSES) return this.shell().showError(`At most ${MAX_CLASSES} classes here.`, false);
      this.classes.push({ name: `class ${this.classes.length + 1}`, examples: [] });
      this.renderClasses();
    });
    this.panel.querySelector('[data-teach-clear]')!.addEventListener('click', () => {
      this.classes.forEach((item) => (item.examples = []));
      this.extracted.clear();
      this.renderClasses();
    });
    this.panel.querySelector('[data-teach-export]')!.addEventListener('click', () => this.exportHead());
    this.panel.querySelector('[data-teach-delete]')!.addEventListener('click', () => void this.deleteHead());
    const importInput = this.panel.querySelector<HTMLInputElement>('[data-teach-import]')!;
    importInput.addEventListener('change', () => {
      const file = importInput.files?.[0];
      importInput.value = '';
      if (file) void this.importHead(file);
    });
    if (params.augment !== null) this.augmentInput.value = String(params.augment);
    this.setActive(this.active);
    if (this.classes.length === 0) {
      this.classes.push({ name: 'class 1', examples: [] }, { name: 'class 2', examples: [] });
      this.renderClasses();
    }
  }

  setActive(active: boolean): void {
    this.active = active;
    this.panel.hidden = !active;
    this.root.dataset.mode = active ? 'teach' : 'classify';
    const toggle = this.root.querySelector<HTMLButtonElement>('[data-teach-toggle]');
    if (toggle) {
      toggle.textContent = active ? 'Back to ImageNet classes' : 'Teach it new classes';
      toggle.setAttribute('aria-expanded', String(active));
    }
  }

  /** The features file for the demo's selected classifier. */
  featuresModel(selected: string): ModelEntry {
    const entry = featuresModelFor(selected);
    if (!entry) throw new TeachError(`${getModel(selected).title} has no features file in the catalog, so it cannot be taught here.`);
    return entry;
  }

  /** Deep link: classes from samples, then the test image. */
  async start(): Promise<void> {
    // The kept head is looked up once the shell exists (it knows the selected model).
    await this.loadKeptHead();
    const params = parseModeParams(location.search);
    if (params.mode !== 'teach') return;
    if (params.classErrors.length > 0) {
      this.shell().notice(`Ignored malformed class entries: ${params.classErrors.join(', ')} (use name:sample).`);
    }
    if (params.classes.length > 0) {
      this.classes.length = 0;
      for (const item of params.classes) {
        const examples: Example[] = [];
        for (const sample of item.samples) {
          if (await this.source.loadSample(sample, false)) examples.push({ id: this.nextId++, name: sample, image: this.source.image! });
        }
        this.classes.push({ name: item.name, examples });
      }
      this.renderClasses();
    }
    this.testError = null;
    if (params.test && !(await this.source.loadSample(params.test, false))) {
      this.testError = `The test image "${params.test}" could not be loaded, so there is nothing to classify: pick or upload an image and Run.`;
    }
  }

  private renderClasses(): void {
    const container = this.panel.querySelector<HTMLElement>('[data-teach-classes]')!;
    container.replaceChildren(
      ...this.classes.map((item, index) => {
        const row = document.createElement('div');
        row.className = 'teach-class';
        row.dataset.teachClass = String(index);
        const name = document.createElement('input');
        name.type = 'text';
        name.value = item.name;
        name.maxLength = 40;
        name.setAttribute('aria-label', `Name of class ${index + 1}`);
        name.addEventListener('change', () => (item.name = name.value));
        const count = document.createElement('span');
        count.className = 'muted';
        count.textContent = `${item.examples.length} example${item.examples.length === 1 ? '' : 's'}`;
        const add = document.createElement('button');
        add.type = 'button';
        add.className = 'button secondary';
        add.textContent = 'Add the image above';
        add.dataset.teachAddExample = '';
        add.addEventListener('click', () => {
          if (!this.source.image)
            return this.shell().showError('There is no image above yet: pick a sample, upload, paste or snapshot one.', false);
          item.examples.push({ id: this.nextId++, name: this.source.name ?? 'image', image: this.source.image });
          this.renderClasses();
        });
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'button secondary';
        remove.textContent = 'Remove class';
        remove.addEventListener('click', () => {
          this.classes.splice(index, 1);
          this.renderClasses();
        });
        const thumbs = document.createElement('div');
        thumbs.className = 'thumbs';
        for (const example of item.examples) {
          const canvas = document.createElement('canvas');
          drawImageTo(canvas, example.image);
          canvas.title = example.name;
          canvas.setAttribute('role', 'img');
          canvas.setAttribute('aria-label', `Example: ${example.name}`);
          thumbs.append(canvas);
        }
        row.append(name, count, add, remove, thumbs);
        return row;
      }),
    );
  }

  private augment(): number {
    const value = Number(this.augmentInput.value);
    return Number.isInteger(value) && value >= 0 ? Math.min(value, 32) : 0;
  }

  /** Run in teach mode: train on the classes (or use the kept head when there are no examples), then classify the image above. */
  async run(context: RunContext, selected: string, showTop5: (top: FeatureExtraction['top']) => void): Promise<Record<string, unknown>> {
    const entry = this.featuresModel(selected);
    const hasExamples = this.classes.some((item) => item.examples.length > 0);
    if (!hasExamples && this.head) return this.classifyOnly(context, entry, showTop5);
    if (this.testError) throw new TeachError(this.testError);
    validateClasses(this.classes);
    const test = this.source.image!;
    const augment = this.augment();

    // Features of every example and its copies (cached per example and augment count).
    const vectors: Float32Array[] = [];
    const labels: number[] = [];
    const groups: number[] = [];
    const names: string[] = [];
    /** 0 for an example as photographed, i for its i-th augmented copy. */
    const copies: number[] = [];
    let firstExtraction: FeatureExtraction | null = null;
    let extractMs = 0;
    let extractCount = 0;
    const total = this.classes.reduce((sum, item) => sum + item.examples.length, 0);
    let done = 0;
    for (const [label, item] of this.classes.entries()) {
      const oneImage = item.examples.length === 1;
      for (const example of item.examples) {
        done++;
        let cached: Extracted | undefined = this.extracted.get(example.id);
        if (!cached || cached.augment !== augment) {
          this.shell().say(`Features of example ${done} of ${total} (${item.name.trim()}: ${example.name}, ${augment} augmented copies)…`);
          const { output }: { output: FeatureExtraction } = await context.runTask<FeatureExtraction>('extract-features', {
            image: example.image,
            modelId: entry.id,
            augment,
            seed: example.id,
            previews: firstExtraction === null,
          });
          cached = { augment, result: output };
          this.extracted.set(example.id, cached);
          extractMs += output.inferenceMs;
          extractCount += output.features.length;
        }
        firstExtraction ??= cached.result;
        cached.result.features.forEach((vector, copy) => {
          vectors.push(vector);
          labels.push(label);
          // With one image in a class, its copies are split one by one; otherwise an image and its copies stay on one side.
          groups.push(oneImage ? -vectors.length : example.id);
          names.push(`${item.name.trim()}: ${example.name}${copy === 0 ? '' : ` copy ${copy}`}`);
          copies.push(copy);
        });
      }
    }
    // A class with one photo is split copy by copy, and always trains on the photo itself: only its copies can be held out.
    const pinned = vectors.map((_, i) => i).filter((i) => copies[i] === 0 && groups[i]! < 0);
    const free = vectors.map((_, i) => i).filter((i) => !pinned.includes(i));
    const split = splitTrainHeldOut(
      free.map((i) => labels[i]!),
      HELD_OUT_FRACTION,
      SPLIT_SEED,
      free.map((i) => groups[i]!),
    );
    const heldOut = split.heldOut.map((j) => free[j]!);
    const train = [...pinned, ...split.train.map((j) => free[j]!)].sort((x, y) => x - y);
    const classNames = this.classes.map((item) => item.name.trim());
    this.shell().say(`Training a ${classNames.length}-class head on ${train.length} examples…`);
    const { output: trained } = await context.runTask<HeadTrainingResult>('train-head', {
      features: train.map((i) => vectors[i]!),
      labels: train.map((i) => labels[i]!),
      classes: classNames,
    });
    const head = trained.head;
    const predict = (i: number) => argmax(headProbabilities(head, vectors[i]!));
    const trainAccuracy = accuracy(
      train.map((i) => labels[i]!),
      train.map(predict),
    );
    const heldOutAccuracy = accuracy(
      heldOut.map((i) => labels[i]!),
      heldOut.map(predict),
    );
    const centroids = trainNearestCentroid(
      train.map((i) => vectors[i]!),
      train.map((i) => labels[i]!),
      classNames,
    );
    const baselinePredict = (i: number) => predictNearestCentroid(centroids, vectors[i]!);
    const scored = heldOut.length > 0 ? heldOut : train;
    const confusion = confusionMatrix(
      scored.map((i) => labels[i]!),
      scored.map(predict),
      classNames.length,
    );

    // The measured effect of augmentation: the same split, trained on the photos alone (no copies).
    let withoutAugmentation: number | null = null;
    const photos = train.filter((i) => copies[i] === 0);
    if (augment > 0 && heldOut.length > 0 && classNames.every((_, c) => photos.some((i) => labels[i] === c))) {
      const { output: plain } = await context.runTask<HeadTrainingResult>('train-head', {
        features: photos.map((i) => vectors[i]!),
        labels: photos.map((i) => labels[i]!),
        classes: classNames,
      });
      withoutAugmentation = accuracy(
        heldOut.map((i) => labels[i]!),
        heldOut.map((i) => argmax(headProbabilities(plain.head, vectors[i]!))),
      );
    }

    // The image above, through the same network: ImageNet top-5 and the new head.
    this.shell().say('Classifying the image above with the new head…');
    const { output: testFeatures } = await context.runTask<FeatureExtraction>('extract-features', {
      image: test,
      modelId: entry.id,
      augment: 0,
    });
    const probabilities = headProbabilities(head, testFeatures.features[0]!);
    const best = argmax(probabilities);
    const baselineLabel = classNames[predictNearestCentroid(centroids, testFeatures.features[0]!)]!;
    showTop5(testFeatures.top);

    const examples = this.classes.map((item) => item.examples.length);
    const file = headToFile(
      head,
      { modelId: entry.id, featureOutput: entry.features!.transform.output },
      { examples, trainAccuracy, heldOutAccuracy, createdAt: new Date().toISOString() },
    );
    this.head = { head, file };
    await this.keep(file);

    const result = {
      task: 'teach',
      modelId: entry.id,
      classes: this.classes.map((item) => ({ name: item.name.trim(), examples: item.examples.length })),
      augment,
      examples: { total: vectors.length, train: train.length, heldOut: heldOut.length },
      trainMs: trained.trainMs,
      steps: trained.options.steps,
      l2: trained.options.l2,
      loss: { initial: trained.initialLoss, final: trained.finalLoss },
      featureMsPerImage: extractCount > 0 ? extractMs / extractCount : null,
      trainAccuracy,
      heldOutAccuracy,
      augmentation: {
        copies: augment,
        heldOutAccuracyWithout: withoutAugmentation,
        heldOutAccuracyWith: augment > 0 ? heldOutAccuracy : null,
      },
      confusion,
      confusionOn: heldOut.length > 0 ? 'held-out' : 'train',
      prediction: { label: classNames[best]!, probability: probabilities[best]! },
      probabilities: classNames.map((name, c) => ({ label: name, probability: probabilities[c]! })),
      baseline: {
        method: 'nearest-centroid',
        trainAccuracy: accuracy(
          train.map((i) => labels[i]!),
          train.map(baselinePredict),
        ),
        heldOutAccuracy: accuracy(
          heldOut.map((i) => labels[i]!),
          heldOut.map(baselinePredict),
        ),
        prediction: baselineLabel,
      },
      imagenetTop5: testFeatures.top.map(({ index, label, probability }) => ({ index, label, probability })),
      image: this.source.name,
    };
    this.renderResults(result, names, train, heldOut, firstExtraction);
    return result;
  }

  /** No examples but a kept or imported head: classify the image above with it. */
  private async classifyOnly(
    context: RunContext,
    entry: ModelEntry,
    showTop5: (top: FeatureExtraction['top']) => void,
  ): Promise<Record<string, unknown>> {
    const { head, file } = this.head!;
    const { output } = await context.runTask<FeatureExtraction>('extract-features', {
      image: this.source.image!,
      modelId: entry.id,
      augment: 0,
    });
    const probabilities = headProbabilities(head, output.features[0]!);
    const best = argmax(probabilities);
    showTop5(output.top);
    const result = {
      task: 'teach',
      modelId: entry.id,
      classes: head.classes.map((name, c) => ({ name, examples: file.examples[c] ?? 0 })),
      source: 'kept head',
      trainAccuracy: file.trainAccuracy,
      heldOutAccuracy: file.heldOutAccuracy,
      prediction: { label: head.classes[best]!, probability: probabilities[best]! },
      probabilities: head.classes.map((name, c) => ({ label: name, probability: probabilities[c]! })),
      imagenetTop5: output.top.map(({ index, label, probability }) => ({ index, label, probability })),
      image: this.source.name,
    };
    this.renderPrediction(result.probabilities);
    const summary = this.panel.querySelector<HTMLElement>('[data-teach-summary]')!;
    summary.textContent = `Classified with the kept head (${head.classes.join(', ')}; held-out accuracy when trained: ${percent(file.heldOutAccuracy)}).`;
    this.panel.querySelector<HTMLElement>('[data-teach-results]')!.hidden = false;
    return result;
  }

  private renderPrediction(probabilities: { label: string; probability: number }[]): void {
    const list = this.panel.querySelector<HTMLOListElement>('[data-teach-prediction]')!;
    list.replaceChildren(
      ...[...probabilities]
        .sort((a, b) => b.probability - a.probability)
        .map(({ label, probability }) => {
          const item = document.createElement('li');
          const value = document.createElement('span');
          value.className = 'probability';
          value.textContent = ` ${(probability * 100).toFixed(1)}%`;
          item.append(label, value);
          return item;
        }),
    );
  }

  private renderResults(
    result: {
      trainMs: number;
      trainAccuracy: number | null;
      heldOutAccuracy: number | null;
      baseline: { trainAccuracy: number | null; heldOutAccuracy: number | null; prediction: string };
      confusion: number[][];
      confusionOn: string;
      classes: { name: string }[];
      probabilities: { label: string; probability: number }[];
      examples: { train: number; heldOut: number };
      augmentation: { copies: number; heldOutAccuracyWithout: number | null };
    },
    names: string[],
    train: number[],
    heldOut: number[],
    extraction: FeatureExtraction | null,
  ): void {
    this.panel.querySelector<HTMLElement>('[data-teach-results]')!.hidden = false;
    this.panel.querySelector<HTMLElement>('[data-teach-summary]')!.textContent =
      `Trained in ${result.trainMs.toFixed(0)} ms on ${result.examples.train} examples. ` +
      `Training accuracy ${percent(result.trainAccuracy)}, held-out accuracy ${percent(result.heldOutAccuracy)} on ${result.examples.heldOut} examples. ` +
      `Nearest-centroid baseline (no training, just class means): ${percent(result.baseline.trainAccuracy)} and ${percent(result.baseline.heldOutAccuracy)}; it calls the image above "${result.baseline.prediction}".` +
      (result.augmentation.heldOutAccuracyWithout === null
        ? ''
        : ` Trained on the photos alone, without the ${result.augmentation.copies} augmented copies each, the head scores ${percent(result.augmentation.heldOutAccuracyWithout)} on the same held-out examples.`);
    this.renderPrediction(result.probabilities);
    this.panel.querySelector<HTMLElement>('[data-teach-confusion-caption]')!.textContent =
      result.confusionOn === 'held-out'
        ? '(held-out examples; rows: true class, columns: predicted)'
        : '(training examples: nothing was held out; rows: true, columns: predicted)';
    const table = this.panel.querySelector<HTMLTableElement>('[data-teach-confusion]')!;
    const header = document.createElement('tr');
    header.append(
      document.createElement('th'),
      ...result.classes.map(({ name }) => Object.assign(document.createElement('th'), { scope: 'col', textContent: name })),
    );
    table.replaceChildren(
      header,
      ...result.confusion.map((row, r) => {
        const tr = document.createElement('tr');
        tr.append(
          Object.assign(document.createElement('th'), { scope: 'row', textContent: result.classes[r]!.name }),
          ...row.map((count) => Object.assign(document.createElement('td'), { textContent: String(count) })),
        );
        return tr;
      }),
    );
    const split = this.panel.querySelector<HTMLElement>('[data-teach-split]')!;
    const line = (label: string, indices: number[]) =>
      Object.assign(document.createElement('li'), {
        textContent: `${label} (${indices.length}): ${indices.map((i) => names[i]).join('; ') || 'none'}`,
      });
    split.replaceChildren(line('Trained on', train), line('Held out', heldOut));
    const grid = this.panel.querySelector<HTMLElement>('[data-teach-augmented]')!;
    grid.replaceChildren(
      ...(extraction?.previews ?? []).map((image, i) => {
        const figure = document.createElement('figure');
        const canvas = document.createElement('canvas');
        drawImageTo(canvas, image);
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', `Augmented copy ${i + 1}`);
        const caption = document.createElement('figcaption');
        caption.textContent = describeAugmentation(extraction!.augmentations[i]!);
        figure.append(canvas, caption);
        return figure;
      }),
    );
  }

  private async keep(file: HeadFile): Promise<void> {
    try {
      await (await this.storage).put(file);
    } catch (error) {
      this.shell().notice(`The head could not be kept on this device (${(error as Error).message}); export it to keep it.`);
    }
    this.renderKept();
  }

  private async loadKeptHead(): Promise<void> {
    try {
      const entry = this.featuresModel(this.shell().selectedModel());
      const file = await (await this.storage).get(entry.id);
      if (file) this.head = parseHeadFile(JSON.stringify(file), this.expected(entry));
    } catch {
      // A kept head that no longer parses, or no features file: teach from scratch.
    }
    this.renderKept();
  }

  private expected(entry: ModelEntry) {
    return { modelId: entry.id, featureOutput: entry.features!.transform.output, dimension: entry.features!.transform.dimension };
  }

  private renderKept(): void {
    const kept = this.panel.querySelector<HTMLElement>('[data-teach-kept]')!;
    kept.textContent = this.head
      ? `Head kept on this device: ${this.head.head.classes.join(', ')} (${this.head.file.createdAt.slice(0, 16).replace('T', ' ')} UTC). Run with no examples to use it.`
      : 'No head kept on this device.';
    this.panel.querySelector<HTMLButtonElement>('[data-teach-export]')!.disabled = !this.head;
    this.panel.querySelector<HTMLButtonElement>('[data-teach-delete]')!.disabled = !this.head;
  }

  private exportHead(): void {
    if (!this.head) return;
    const blob = new Blob([JSON.stringify(this.head.file)], { type: 'application/json' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `head-${this.head.head.classes.join('-').replace(/[^\p{L}\p{N}-]+/gu, '_')}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  async importHead(file: Blob): Promise<void> {
    const shell = this.shell();
    try {
      const entry = this.featuresModel(shell.selectedModel());
      if (file.size > 5_000_000) throw new HeadFileError('This file is too large to be a head (heads are well under 1 MB).');
      const parsed = parseHeadFile(await file.text(), this.expected(entry));
      this.head = parsed;
      await this.keep(parsed.file);
      shell.clearError();
      shell.say(`Imported a head for ${parsed.head.classes.join(', ')}. Clear the examples and Run to classify with it.`);
      this.root.dataset.teachImportState = 'ok';
    } catch (error) {
      // The kept head and the classes stay as they were.
      this.root.dataset.teachImportState = 'refused';
      shell.showError(`Import refused: ${(error as Error).message}`, false);
    }
  }

  private async deleteHead(): Promise<void> {
    try {
      const entry = this.featuresModel(this.shell().selectedModel());
      await (await this.storage).delete(entry.id);
    } finally {
      this.head = null;
      this.renderKept();
      this.shell().say('The kept head was deleted from this device.');
    }
  }
}
