/** The image-classification demo kind (client). */
import type { ClassificationResult } from '../inference/tasks/classify.ts';
import { featuresModelFor, getModel } from '../models/catalog.ts';
import type { FeatureExtraction } from '../inference/tasks/teach.ts';
import type { TeachMode } from './classifier-teach.ts';
import { parseModeParams } from './params.ts';
import { ImageSource } from './image-source.ts';
import { DemoShell, drawImageTo } from './shell.ts';
import { mountVariantCompare } from './variants.ts';

export async function mountClassifier(root: HTMLElement): Promise<void> {
  const top5 = root.querySelector<HTMLOListElement>('[data-top5]')!;
  const modelView = root.querySelector<HTMLCanvasElement>('[data-model-view]')!;
  const source = new ImageSource(root.querySelector('[data-image-input]')!, {
    onImage: (_image, _name, byReader) => {
      // A new image replaces a deep link's failed test image.
      if (byReader && teach) teach.testError = null;
      shell.clearError();
      shell.refreshRunButton();
      if (byReader) shell.inputChanged();
      else shell.say('Image ready: press Run, or pick another.');
    },
    // A refused file always ends the state in error (the previous image stays, nothing is lost).
    onError: (message) => shell.showError(message),
  });
  // Teach mode (mode=teach): the same image input feeds the classes and the image to classify.
  // Its code loads only when asked for (mode=teach or the button), keeping the study page's JavaScript small.
  let teach: TeachMode | null = null;
  const loadTeach = async (): Promise<TeachMode> => {
    if (!teach) {
      const { TeachMode: Mode } = await import('./classifier-teach.ts');
      teach = new Mode(root, source, () => shell);
      await teach.start();
    }
    return teach;
  };
  root.querySelector('[data-teach-toggle]')?.addEventListener('click', () => {
    const wasActive = teach?.active ?? false;
    void loadTeach().then((mode) => {
      mode.setActive(!wasActive);
      void shell.refreshDownloadSize();
    });
  });
  const showTop5 = (top: FeatureExtraction['top']) =>
    top5.replaceChildren(
      ...top.map((prediction) => {
        const item = document.createElement('li');
        const name = document.createElement('span');
        name.textContent = prediction.label.split(',')[0] ?? prediction.label;
        name.title = `ImageNet class ${prediction.index}: ${prediction.label}`;
        const probability = document.createElement('span');
        probability.className = 'probability';
        probability.textContent = ` ${(prediction.probability * 100).toFixed(1)}%`;
        const bar = document.createElement('span');
        bar.className = 'bar';
        bar.style.width = `${Math.max(0.5, prediction.probability * 100)}%`;
        bar.setAttribute('aria-hidden', 'true');
        item.append(name, probability, bar);
        return item;
      }),
    );
  // The source's callbacks run only after the shell exists (on user input).
  const shell: DemoShell = new DemoShell(root, {
    models: (selected) => {
      // Teach mode loads the features file instead: one run gives the ImageNet top-5 and the pooled features.
      const entry = teach?.active ? (featuresModelFor(selected) ?? getModel(selected)) : getModel(selected);
      return entry.labels ? [entry.labels, entry.id] : [entry.id];
    },
    hasInput: () => source.image !== null,
    nextSample: () => source.nextSample(),
    async start(params) {
      // The first sample is preselected, so the page opens ready to run.
      const first = params.sample ?? source.samples()[0];
      if (first) await source.loadSample(first, false);
      if (parseModeParams(location.search).mode === 'teach') await loadTeach();
    },
    async run(context) {
      if (teach?.active) return teach.run(context, shell.selectedModel(), showTop5);
      const { runTask } = context;
      // Captured at the start: the result is labelled with the input it was computed from.
      const image = source.image!;
      const name = source.name;
      const modelId = shell.selectedModel();
      const { output } = await runTask<ClassificationResult>('classify', { image, modelId, k: 5 });
      showTop5(output.top);
      drawImageTo(modelView, output.modelView);
      return {
        task: 'image-classification',
        modelId,
        model: getModel(modelId).title,
        image: name,
        top5: output.top.map(({ index, label, probability }) => ({ index, label, probability })),
      };
    },
  });
  mountVariantCompare(root, shell);
  await shell.start();
}
