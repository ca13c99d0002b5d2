/**
 * The face-embedding demo kind (client): MTCNN finds faces and their five landmarks, each face
 * is aligned onto the embedder's template and embedded in the worker (task "embed-faces"), and
 * the page compares the embeddings. Two modes:
 *   Compare: every face of image A against every face of image B, as a distance matrix.
 *   Enrol and identify: label faces with the nearest identity enrolled in this browser.
 * URL: a= and b= (or sample=, which fills A) pick the compare images; mode=identify opens the
 * second mode, where sample= fills its image.
 */
import { embeddingModelInfo } from '../inference/enrolment.ts';
import { distanceMatrix, distanceAt, verdict, type Verdict } from '../inference/math/embedding.ts';
import type { DetectedFace } from '../inference/tasks/detect-faces.ts';
import { MTCNN_MODELS } from '../inference/tasks/detect-faces.ts';
import type { EmbeddedImage } from '../inference/tasks/registry.ts';
import type { RgbaImage } from '../inference/types.ts';
import { getModel } from '../models/catalog.ts';
import { EnrolPanel, type IdentifyOutcome } from './face-embedding-enrol.ts';
import { distanceTable, drawFaceMarks, el, embeddingScale, faceFigure, ms, type FaceView } from './face-embedding-view.ts';
import { ImageSource } from './image-source.ts';
import { DemoShell, type RunContext } from './shell.ts';
import { mountVariantCompare } from './variants.ts';

type Mode = 'compare' | 'identify';

const DETECTORS = [MTCNN_MODELS.pnet, MTCNN_MODELS.rnet, MTCNN_MODELS.onet];

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** A face as data-result reports it: rounded box, score and landmarks. */
function faceSummary(face: DetectedFace) {
  const { x1, y1, x2, y2 } = face.box;
  return {
    box: { x1: round(x1, 1), y1: round(y1, 1), x2: round(x2, 1), y2: round(y2, 1) },
    score: round(face.score, 4),
    landmarks: face.landmarks.map(([x, y]) => [round(x, 1), round(y, 1)]),
  };
}

function imageSummary(name: string | null, output: EmbeddedImage) {
  const { detectMs, alignMs, embedMs } = output.timings;
  return {
    name,
    width: output.width,
    height: output.height,
    faceCount: output.faces.length,
    timings: { detectMs: round(detectMs, 2), alignMs: round(alignMs, 2), embedMs: round(embedMs, 2) },
  };
}

function modeFromUrl(): Mode {
  const mode = new URLSearchParams(location.search).get('mode');
  return mode === 'identify' || mode === 'enrol' ? 'identify' : 'compare';
}

export async function mountFaceEmbedding(root: HTMLElement): Promise<void> {
  const id = root.id;
  const find = <T extends Element>(selector: string): T => {
    const element = root.querySelector<T>(selector);
    if (!element) throw new Error(`Face demo markup is missing ${selector}`);
    return element;
  };
  const tabs = [...root.querySelectorAll<HTMLButtonElement>('[data-mode-tab]')];
  const panels = [...root.querySelectorAll<HTMLElement>('[data-mode-panel]')];
  const compareSummary = find<HTMLElement>('[data-compare-summary]');
  const matrixBox = find<HTMLElement>('[data-matrix]');
  const compareFaces = find<HTMLElement>('[data-compare-faces]');
  const stageTimings = find<HTMLElement>('[data-stage-timings]');
  const embedderNote = find<HTMLElement>('[data-embedder-note]');
  const thresholdNotes = [...root.querySelectorAll<HTMLElement>('[data-threshold]')];
  const ruleNotes = [...root.querySelectorAll<HTMLElement>('[data-threshold-rule]')];
  const modelSelect = root.querySelector<HTMLSelectElement>('[data-model]');

  let mode: Mode = modeFromUrl();

  const sourceFor = (suffix: string, label: string) => {
    const source: ImageSource = new ImageSource(find(`[data-image-input="${id}-${suffix}"]`), {
      onImage: (_image, _name, byReader) => {
        // The page's own loads (preselection, URL) must not hide an error another one reported.
        if (byReader) shell.clearError();
        shell.refreshRunButton();
        if (suffix === 'probe')
          enrol.reset(byReader ? 'Finding and labelling its faces…' : 'Image ready: press Run to find and label its faces.');
        else {
          const other = suffix === 'a' ? b : a;
          shell.say(
            other.image
              ? 'Both images ready: press Run to compare their faces.'
              : `${label} ready; now choose image ${suffix === 'a' ? 'B' : 'A'}.`,
          );
        }
        // Only the visible mode's images start a run.
        const visible = suffix === 'probe' ? mode === 'identify' : mode === 'compare';
        if (byReader && visible) shell.inputChanged();
      },
      // A refused file or an unknown sample name ends the state in error, with the message shown.
      onError: (message) => shell.showError(message),
    });
    return source;
  };
  const a = sourceFor('a', 'Image A');
  const b = sourceFor('b', 'Image B');
  const probe = sourceFor('probe', 'Image');

  const selectedEntry = () => getModel(shell.selectedModel());

  const enrol = new EnrolPanel(find('[data-mode-panel="identify"]'), {
    model: () => embeddingModelInfo(selectedEntry()),
    say: (message) => shell.say(message),
    error: (message) => shell.showError(message, false),
    relabelled: (outcomes, enrolled) => {
      // Keep data-result in step with what the page now shows.
      const previous = JSON.parse(root.dataset.result ?? '{}') as Record<string, unknown>;
      if (previous.mode === 'identify') shell.setState('done', { ...previous, identities: outcomes, enrolled });
    },
  });

  function describeModel(): void {
    const entry = selectedEntry();
    const dimension = entry.outputs[0]?.shape.at(-1);
    const verification = entry.verification;
    const size = `${entry.alignment?.chipSize}x${entry.alignment?.chipSize}`;
    // The stand-in line above the demo says what this is not; this line says what runs. The study's
    // stand-in statement travels on the picker's option (DemoShell, demo.standIns).
    const options = modelSelect ? [...modelSelect.options] : [];
    const fileId = entry.variant?.parent ?? entry.id; // a variant shares its parent's stand-in statement
    const standInFor =
      options.length > 0 ? options.find((option) => option.value === fileId)?.dataset.standInFor : embedderNote.dataset.standInFor;
    embedderNote.textContent = standInFor
      ? `Embedder: ${entry.title.split(' — ')[0]}, ${dimension} numbers per face from a ${size} aligned chip (a FaceNet-style metric embedding, not ${standInFor} itself).`
      : `Embedder: ${entry.title}, ${dimension} numbers per face from a ${size} aligned chip.`;
    for (const note of thresholdNotes) note.textContent = verification ? String(verification.threshold) : '—';
    for (const note of ruleNotes) {
      note.textContent = verification
        ? `${verification.metric} distance${verification.l2Normalise ? ' between L2-normalised embeddings' : ''}; ${verification.source}`
        : 'this model has no verification rule in the catalog';
    }
  }

  function setMode(next: Mode, focus = false): void {
    mode = next;
    for (const tab of tabs) {
      const selected = tab.dataset.modeTab === next;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      if (selected && focus) tab.focus();
    }
    for (const panel of panels) panel.hidden = panel.dataset.modePanel !== next;
    root.dataset.mode = next;
    // A camera left running in the hidden panel would keep its light on for nothing.
    if (next === 'compare') probe.stopWebcam();
    else {
      a.stopWebcam();
      b.stopWebcam();
    }
    const url = new URL(location.href);
    if (next === 'identify') url.searchParams.set('mode', 'identify');
    else url.searchParams.delete('mode');
    history.replaceState(history.state, '', url);
    shell.refreshRunButton();
  }

  tabs.forEach((tab, index) => {
    tab.addEventListener('click', () => setMode(tab.dataset.modeTab as Mode));
    tab.addEventListener('keydown', (event) => {
      const moves: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
      const target = moves[event.key];
      if (target === undefined) return;
      event.preventDefault();
      const next = tabs[(target + tabs.length) % tabs.length]!;
      setMode(next.dataset.modeTab as Mode, true);
    });
  });

  function markCompareFaces(source: ImageSource, image: RgbaImage, output: EmbeddedImage, prefix: string): void {
    if (source.image !== image) return;
    const preview = source.root.querySelector<HTMLCanvasElement>('[data-preview]');
    if (preview)
      drawFaceMarks(
        preview,
        image,
        output.faces.map((face, i) => ({ face, label: `${prefix}${i + 1}` })),
      );
  }

  function renderTimings(rows: [string, EmbeddedImage][]): void {
    stageTimings.replaceChildren(
      ...rows.map(([name, output]) => {
        const tr = el('tr');
        const th = el('th', undefined, name);
        th.scope = 'row';
        const n = output.faces.length;
        const per = (value: number) => (n > 0 ? `${ms(value)} (${ms(value / n)} a face)` : ms(value));
        tr.append(
          th,
          el('td', undefined, String(n)),
          el('td', undefined, ms(output.timings.detectMs)),
          el('td', undefined, per(output.timings.alignMs)),
          el('td', undefined, per(output.timings.embedMs)),
        );
        return tr;
      }),
    );
  }

  type RunTask = RunContext['runTask'];
  const tripletsToggle = root.querySelector<HTMLInputElement>('[data-triplets-toggle]');
  const tripletsBox = root.querySelector<HTMLElement>('[data-triplets]');
  if (tripletsToggle && new URLSearchParams(location.search).get('triplets') === '1') tripletsToggle.checked = true;

  async function compare(runTask: RunTask): Promise<Record<string, unknown>> {
    const imageA = a.image!;
    const imageB = b.image!;
    const nameA = a.name;
    const nameB = b.name;
    const entry = selectedEntry();
    const { output } = await runTask<EmbeddedImage[]>('embed-faces', { images: [imageA, imageB], embedderId: entry.id });
    const [outA, outB] = output as [EmbeddedImage, EmbeddedImage];
    const rule = entry.verification!;
    const matrix = distanceMatrix(outA.embeddings, outB.embeddings);
    const verdicts: Verdict[][] = [];
    for (let i = 0; i < matrix.rows; i++) {
      verdicts.push([]);
      for (let j = 0; j < matrix.cols; j++) verdicts[i]!.push(verdict(distanceAt(matrix, i, j), rule));
    }
    markCompareFaces(a, imageA, outA, 'A');
    markCompareFaces(b, imageB, outB, 'B');

    const facesA: FaceView[] = outA.faces.map((_, i) => ({ tag: `A${i + 1}`, chip: outA.chips[i]!, embedding: outA.embeddings[i]! }));
    const facesB: FaceView[] = outB.faces.map((_, i) => ({ tag: `B${i + 1}`, chip: outB.chips[i]!, embedding: outB.embeddings[i]! }));
    const scale = embeddingScale([...outA.embeddings, ...outB.embeddings]);
    compareFaces.replaceChildren(...[...facesA, ...facesB].map((face) => faceFigure(face, scale)));
    renderTimings([
      [`A (${nameA ?? 'image'})`, outA],
      [`B (${nameB ?? 'image'})`, outB],
    ]);

    if (facesA.length === 0 || facesB.length === 0) {
      const missing = [facesA.length === 0 ? 'A' : null, facesB.length === 0 ? 'B' : null].filter(Boolean).join(' and ');
      matrixBox.replaceChildren(el('p', 'muted', 'Nothing to compare.'));
      compareSummary.textContent = `No face found in image ${missing} (MTCNN looks for faces of at least 20 pixels). Try another image.`;
    } else {
      matrixBox.replaceChildren(
        distanceTable(
          facesA,
          facesB,
          verdicts,
          `Euclidean distance between every face of A and every face of B; same person when below ${rule.threshold}.`,
        ),
      );
      const sentences = verdicts.flatMap((row, i) =>
        row.map(
          (v, j) =>
            `A${i + 1} and B${j + 1}: ${v.same ? 'same person' : 'different people'} (distance ${v.distance.toFixed(3)} ${v.same ? '<' : '≥'} ${rule.threshold})`,
        ),
      );
      const shown = sentences.length > 6 ? [...sentences.slice(0, 6), `and ${sentences.length - 6} more pairs in the table`] : sentences;
      compareSummary.textContent = `${shown.join('; ')}.`;
    }

    // FaceNet's triplets on these faces, when asked for (a second embedder run on the mirrored images).
    let triplets = {};
    if (tripletsToggle?.checked && tripletsBox) {
      // Loaded on demand: the study page's JavaScript budget.
      const { mirroredInputs, renderTriplets } = await import('./face-embedding-triplets.ts');
      const { output: mirrored } = await runTask<EmbeddedImage[]>('embed-faces', {
        images: mirroredInputs([imageA, imageB]),
        embedderId: entry.id,
      });
      triplets = renderTriplets(tripletsBox, [
        { tag: 'A', image: outA, mirrored: mirrored[0]! },
        { tag: 'B', image: outB, mirrored: mirrored[1]! },
      ]);
      tripletsBox.closest('details')?.setAttribute('open', '');
    }
    if (tripletsBox && !tripletsToggle?.checked) tripletsBox.replaceChildren();

    return {
      ...triplets,
      task: 'face-embedding',
      mode: 'compare',
      embedderId: entry.id,
      model: entry.title,
      embeddingLength: outA.embeddings[0]?.length ?? outB.embeddings[0]?.length ?? null,
      metric: rule.metric,
      threshold: rule.threshold,
      images: [imageSummary(nameA, outA), imageSummary(nameB, outB)],
      faces: [outA.faces.map(faceSummary), outB.faces.map(faceSummary)],
      distances: verdicts.map((row) => row.map((v) => round(v.distance, 6))),
      verdicts: verdicts.map((row) => row.map((v) => (v.same ? 'same' : 'different'))),
    };
  }

  async function identify(runTask: RunTask): Promise<Record<string, unknown>> {
    const image = probe.image!;
    const name = probe.name;
    const entry = selectedEntry();
    const { output } = await runTask<EmbeddedImage[]>('embed-faces', { images: [image], embedderId: entry.id });
    const result = output[0]!;
    const preview = probe.image === image ? probe.root.querySelector<HTMLCanvasElement>('[data-preview]') : null;
    const identities: IdentifyOutcome[] = await enrol.show(image, result, preview);
    return {
      task: 'face-embedding',
      mode: 'identify',
      embedderId: entry.id,
      model: entry.title,
      threshold: entry.verification!.threshold,
      images: [imageSummary(name, result)],
      faces: [result.faces.map(faceSummary)],
      identities,
      enrolled: await enrol.enrolledNames(),
    };
  }

  const shell: DemoShell = new DemoShell(root, {
    models: (selected) => [selected, ...DETECTORS],
    hasInput: () => (mode === 'compare' ? a.image !== null && b.image !== null : probe.image !== null),
    nextSample: () => (mode === 'compare' ? a.nextSample() : probe.nextSample()),
    async start(params) {
      // The first samples are preselected, so the page opens ready to run. An unknown name in
      // the URL ends in the error state with its message (loadSample reports it).
      const samples = a.samples();
      if (mode === 'identify') {
        const first = params.sample ?? params.a ?? samples[0];
        if (first) await probe.loadSample(first, false);
        return;
      }
      const first = params.a ?? params.sample ?? samples[0];
      const second = params.b ?? samples[1] ?? samples[0];
      await Promise.all([first ? a.loadSample(first, false) : null, second ? b.loadSample(second, false) : null]);
    },
    run: ({ runTask }) => (mode === 'compare' ? compare(runTask) : identify(runTask)),
  });

  modelSelect?.addEventListener('change', () => {
    describeModel();
    enrol.reset('Model changed: press Run to find and label faces with it.');
    matrixBox.replaceChildren(el('p', 'muted', 'Model changed: press Run to compare with it.'));
    compareFaces.replaceChildren();
    void enrol.renderList();
  });
  describeModel();
  setMode(mode);
  try {
    await enrol.open();
  } catch (error) {
    shell.showError(`Enrolment is unavailable: ${(error as Error).message}`, false);
  }
  mountVariantCompare(root, shell);
  await shell.start();
}
