/**
 * The face-detection demo kind (client): runs the MTCNN cascade (worker task "detect-faces")
 * on a sample, upload or webcam, draws boxes, confidences and landmarks over the image, lets
 * the reader step through the three stages (P-Net candidates, R-Net survivors, O-Net output)
 * with each stage's count and time, and re-runs when a setting changes. Webcam mode detects
 * continuously, dropping frames while the previous one is still being processed, and shows the
 * frame rate.
 *
 * Its part of data-result: task, image, width, height, options, faces (box, score, landmarks),
 * stages ({ pnet, rnet, onet } each { count, ms }), totalMs, shownStage, drawn and run (a
 * counter, so a driver can tell one result from the next). When the webcam stops, the last
 * frame's result is published the same way with image "webcam" and webcam: true. The shell
 * adds variant (fp32, fp16, int8, int8-qdq: ?variant= or the picker, one kind for all three
 * nets) and this kind adds nets (the catalog id run for each net). While
 * streaming, [data-fps] carries data-fps (processed frames per second) and data-frames.
 */
import { getInferenceClient } from '../inference/runtime/client.ts';
import {
  DEFAULT_DETECT_OPTIONS,
  MTCNN_MODELS,
  type DetectedFace,
  type DetectionResult,
  type DetectOptions,
} from '../inference/tasks/detect-faces.ts';
import type { RgbaImage } from '../inference/types.ts';
import { variantKind, familyMember } from '../models/variants/choose.ts';
import { getModel } from '../models/catalog.ts';
import { TrainingCropsMode } from './face-detection-data.ts';
import { ImageSource } from './image-source.ts';
import { clearOverlay, drawFaces, formatScore } from './overlay.ts';
import { DemoShell } from './shell.ts';
import { mountVariantCompare } from './variants.ts';

export type StageName = 'pnet' | 'rnet' | 'onet';
export const STAGES: readonly StageName[] = ['pnet', 'rnet', 'onet'];

const STAGE_STYLE: Record<StageName, { color: string; title: string; help: string }> = {
  pnet: {
    color: '#ffb020',
    title: 'P-Net candidates',
    help: 'P-Net slid a 12x12 window over every level of the image pyramid; these are its candidates after non-maximum suppression, calibrated and squared: what R-Net is given.',
  },
  rnet: {
    color: '#22d3ee',
    title: 'R-Net survivors',
    help: 'R-Net looked at each candidate again at 24x24 and kept those above its threshold, calibrated and squared: what O-Net is given.',
  },
  onet: {
    color: '#39e75f',
    title: 'O-Net output',
    help: 'O-Net checked each survivor at 48x48, refined its box and placed five landmarks (eyes, nose, mouth corners): the final faces.',
  },
};

const STAGE_NOUN: Record<StageName, string> = { pnet: 'candidate', rnet: 'survivor', onet: 'face' };

const round2 = (value: number) => Math.round(value * 100) / 100;
const formatMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The data-result form of a face: coordinates rounded to 0.01 px, score kept. */
export function faceForResult(face: DetectedFace): {
  box: { x1: number; y1: number; x2: number; y2: number };
  score: number;
  landmarks: [number, number][];
} {
  return {
    box: { x1: round2(face.box.x1), y1: round2(face.box.y1), x2: round2(face.box.x2), y2: round2(face.box.y2) },
    score: face.score,
    landmarks: face.landmarks.map(([x, y]) => [round2(x), round2(y)]),
  };
}

/**
 * The three nets to run for the kind of the selected P-Net file (the variant picker lists the
 * cascade under P-Net's id): every net in that kind, or fp32 where a net has none.
 */
export function cascadeNets(selectedPnet: string): { pnet: string; rnet: string; onet: string } {
  const kind = variantKind(getModel(selectedPnet));
  const pick = (net: string) => familyMember(net, kind)?.id ?? net;
  return { pnet: pick(MTCNN_MODELS.pnet), rnet: pick(MTCNN_MODELS.rnet), onet: pick(MTCNN_MODELS.onet) };
}

interface Shown {
  image: RgbaImage;
  detection: DetectionResult;
}

export async function mountFaceDetection(root: HTMLElement): Promise<void> {
  const find = <T extends Element>(selector: string): T => {
    const element = root.querySelector<T>(selector);
    if (!element) throw new Error(`Face-detection markup is missing ${selector}`);
    return element;
  };
  const overlay = find<HTMLCanvasElement>('[data-overlay]');
  const overlayEmpty = find<HTMLElement>('[data-overlay-empty]');
  const faceList = find<HTMLOListElement>('[data-faces]');
  const facesSummary = find<HTMLElement>('[data-faces-summary]');
  const stageHelp = find<HTMLElement>('[data-stage-help]');
  const fpsLine = find<HTMLElement>('[data-fps]');
  const minFaceInput = find<HTMLInputElement>('[data-option="minFaceSize"]');
  const thresholdInputs = [0, 1, 2].map((index) => find<HTMLInputElement>(`[data-option="threshold-${index}"]`));
  const settingsNote = find<HTMLElement>('[data-settings-note]');
  const client = getInferenceClient();

  let shown: Shown | null = null;
  let runCount = 0;

  const source = new ImageSource(find('[data-image-input]'), {
    onImage: (image, _name, byReader) => {
      // A sample, upload or snapshot while streaming stops the camera first.
      stopStreaming(true);
      shell.clearError();
      shown = null;
      trainingCrops.setImage(image);
      clearOverlay(overlay);
      overlay.hidden = true;
      overlayEmpty.hidden = false;
      overlay.dataset.drawn = '0';
      faceList.replaceChildren(listNote(byReader ? 'Finding faces in this image…' : 'Press Run to find faces in this image.'));
      facesSummary.textContent = '';
      for (const stage of STAGES) setStageStat(stage, null);
      shell.refreshRunButton();
      if (byReader) shell.inputChanged();
      else shell.say('Image ready: press Run, or pick another.');
    },
    // A refused file always ends the state in error (the previous image stays, nothing is lost).
    onError: (message) => shell.showError(message),
  });

  // ---- Settings ----------------------------------------------------------------------------

  const thresholdOutput = (input: HTMLInputElement) => root.querySelector<HTMLOutputElement>(`output[for="${input.id}"]`);
  const showThreshold = (input: HTMLInputElement) => {
    const output = thresholdOutput(input);
    if (output) output.value = Number(input.value).toFixed(2);
  };

  /** The reader's settings, or an explanation of what is wrong with them. */
  function readOptions(): { options: Partial<DetectOptions> } | { problem: string } {
    const minFaceSize = Number(minFaceInput.value);
    if (minFaceInput.value.trim() === '' || !Number.isFinite(minFaceSize) || minFaceSize < 12 || minFaceSize > 4096) {
      return { problem: "Minimum face size must be a number from 12 (P-Net's window) to 4096 pixels." };
    }
    const thresholds = thresholdInputs.map((input) => Number(input.value)) as [number, number, number];
    if (thresholds.some((t) => !(t >= 0 && t <= 1))) return { problem: 'Thresholds must be between 0 and 1.' };
    return { options: { minFaceSize, thresholds } };
  }

  function resolvedOptions(options: Partial<DetectOptions>): DetectOptions {
    return {
      ...DEFAULT_DETECT_OPTIONS,
      ...options,
      thresholds: [...(options.thresholds ?? DEFAULT_DETECT_OPTIONS.thresholds)] as unknown as DetectOptions['thresholds'],
    };
  }

  let rerunTimer: ReturnType<typeof setTimeout> | null = null;
  /** Re-run on the current image after a setting changed (debounced; waits for a run in progress). */
  function scheduleRerun(delay = 300): void {
    if (rerunTimer) clearTimeout(rerunTimer);
    rerunTimer = setTimeout(() => {
      rerunTimer = null;
      const read = readOptions();
      if ('problem' in read) {
        settingsNote.textContent = read.problem;
        settingsNote.classList.add('problem');
        minFaceInput.setAttribute('aria-invalid', String(/face size/.test(read.problem)));
        return;
      }
      settingsNote.classList.remove('problem');
      minFaceInput.removeAttribute('aria-invalid');
      if (source.webcamActive) {
        settingsNote.textContent = 'Settings apply from the next webcam frame.';
        return;
      }
      if (!shown || shown.image !== source.image) {
        settingsNote.textContent = source.image
          ? 'Settings changed: press Run to detect with them.'
          : 'Settings changed: choose an image, then press Run.';
        return;
      }
      const state = root.dataset.state;
      if (state === 'loading' || state === 'running') {
        scheduleRerun(200);
        return;
      }
      settingsNote.textContent = 'Settings changed: detecting again on the same image.';
      void shell.run();
    }, delay);
  }

  for (const input of thresholdInputs) {
    showThreshold(input);
    input.addEventListener('input', () => {
      showThreshold(input);
      scheduleRerun();
    });
  }
  minFaceInput.addEventListener('input', () => scheduleRerun(500));
  minFaceInput.addEventListener('change', () => scheduleRerun(0));
  find<HTMLButtonElement>('[data-reset]').addEventListener('click', () => {
    minFaceInput.value = String(DEFAULT_DETECT_OPTIONS.minFaceSize);
    thresholdInputs.forEach((input, index) => {
      input.value = String(DEFAULT_DETECT_OPTIONS.thresholds[index]);
      showThreshold(input);
    });
    scheduleRerun(0);
  });

  // ---- Stages and drawing ------------------------------------------------------------------

  const stageRadios = [...root.querySelectorAll<HTMLInputElement>('input[data-stage-radio]')];
  const selectedStage = (): StageName => (stageRadios.find((radio) => radio.checked)?.value as StageName | undefined) ?? 'onet';

  function setStageStat(stage: StageName, report: { count: number; ms: number } | null): void {
    const stat = root.querySelector<HTMLElement>(`[data-stage-stat="${stage}"]`);
    if (!stat) return;
    const noun = STAGE_NOUN[stage];
    const count = document.createElement('span');
    const time = document.createElement('span');
    if (!report) {
      count.textContent = `${noun}s: —`;
      stat.replaceChildren(count);
      stat.removeAttribute('data-count');
      return;
    }
    count.textContent = plural(report.count, noun);
    // A separator for screen readers, which would otherwise run the two lines together.
    const separator = document.createElement('span');
    separator.className = 'visually-hidden';
    separator.textContent = ', ';
    time.append(separator, formatMs(report.ms));
    stat.replaceChildren(count, time);
    stat.dataset.count = String(report.count);
  }

  function listNote(text: string): HTMLLIElement {
    const item = document.createElement('li');
    item.className = 'muted';
    item.textContent = text;
    return item;
  }

  /** Draw the chosen stage of what is shown; returns the number of boxes drawn. */
  function drawStage(stage: StageName): number {
    const style = STAGE_STYLE[stage];
    stageHelp.textContent = style.help;
    if (!shown) return 0;
    const { image, detection } = shown;
    const boxes = stage === 'onet' ? detection.faces : detection.stages[stage].boxes;
    const crowded = boxes.length > 40;
    const drawn = drawFaces(overlay, image, boxes, {
      color: style.color,
      labels: stage === 'onet' ? true : crowded ? false : (item) => (item.score === undefined ? '' : formatScore(item.score)),
      landmarks: stage === 'onet',
      alpha: crowded ? 0.85 : 1,
      lineWidth: stage === 'pnet' && crowded ? Math.max(1, Math.max(image.width, image.height) / 500) : undefined,
    });
    overlay.hidden = false;
    overlayEmpty.hidden = true;
    overlay.dataset.stageShown = stage;
    overlay.dataset.drawn = String(drawn);
    overlay.setAttribute(
      'aria-label',
      `${style.title}: ${plural(drawn, stage === 'onet' ? 'face' : 'box', stage === 'onet' ? 'faces' : 'boxes')} drawn over the ${image.width} by ${image.height} image.`,
    );
    return drawn;
  }

  stageRadios.forEach((radio) => radio.addEventListener('change', () => drawStage(selectedStage())));

  function renderFaceList(detection: DetectionResult, announce: boolean): void {
    faceList.setAttribute('aria-live', announce ? 'polite' : 'off');
    const { faces, stages } = detection;
    facesSummary.textContent =
      `${plural(faces.length, 'face')} in ${formatMs(detection.totalMs)}: P-Net proposed ${stages.pnet.count}, ` +
      `R-Net kept ${stages.rnet.count}, O-Net kept ${stages.onet.count}.`;
    if (faces.length === 0) {
      faceList.replaceChildren(listNote('No face found. Try a smaller minimum face size or lower thresholds.'));
      return;
    }
    const names = ['left eye', 'right eye', 'nose', 'left mouth corner', 'right mouth corner'];
    faceList.replaceChildren(
      ...faces.map((face) => {
        const item = document.createElement('li');
        const { x1, y1, x2, y2 } = face.box;
        const score = document.createElement('strong');
        score.textContent = formatScore(face.score);
        const where = document.createElement('span');
        where.textContent = ` confidence, box (${Math.round(x1)}, ${Math.round(y1)}) to (${Math.round(x2)}, ${Math.round(y2)}), ${Math.round(x2 - x1)} by ${Math.round(y2 - y1)} px`;
        const marks = document.createElement('span');
        marks.className = 'landmarks';
        marks.textContent = `Landmarks: ${face.landmarks.map(([x, y], index) => `${names[index] ?? `point ${index + 1}`} (${Math.round(x)}, ${Math.round(y)})`).join(', ')}.`;
        item.append(score, where, document.createElement('br'), marks);
        return item;
      }),
    );
  }

  function show(image: RgbaImage, detection: DetectionResult, announce: boolean): number {
    shown = { image, detection };
    for (const stage of STAGES) setStageStat(stage, detection.stages[stage]);
    renderFaceList(detection, announce);
    return drawStage(selectedStage());
  }

  // ---- Webcam: continuous detection --------------------------------------------------------

  let streaming = false;
  let frameTimes: number[] = [];
  let framesDone = 0;
  let lastFrameMs = 0;
  let lastStream: { name: string; detection: DetectionResult; options: DetectOptions; backend: string } | null = null;
  let monitor: ReturnType<typeof setInterval> | null = null;

  function showFps(): void {
    // Over the last ten processed frames (frame rates below 1 still read right).
    frameTimes = frameTimes.slice(-10);
    const span = frameTimes.length >= 2 ? frameTimes[frameTimes.length - 1]! - frameTimes[0]! : 0;
    const fps = span > 0 ? ((frameTimes.length - 1) * 1000) / span : lastFrameMs > 0 ? 1000 / lastFrameMs : 0;
    fpsLine.hidden = false;
    if (lastFrameMs === 0) {
      fpsLine.textContent = 'Webcam: waiting for the first detection…';
      return;
    }
    fpsLine.dataset.fps = fps.toFixed(1);
    fpsLine.textContent = `Webcam: ${fps.toFixed(1)} frames per second processed (${formatMs(lastFrameMs)} a frame); frames that arrive while one is being processed are dropped, not queued.`;
  }

  /** After the camera stopped: publish the last frame's result (quiet: a new image replaced it). */
  function stopStreaming(quiet = false): void {
    if (!streaming) return;
    streaming = false;
    if (monitor) clearInterval(monitor);
    monitor = null;
    fpsLine.textContent = `Webcam stopped. ${fpsLine.textContent?.replace(/^Webcam: /, 'Last rate: ') ?? ''}`;
    if (quiet) {
      shell.setState('idle');
    } else if (lastStream && shown) {
      renderFaceList(lastStream.detection, true);
      shell.setState('done', {
        ...resultOf(lastStream.name, lastStream.detection, lastStream.options),
        backend: lastStream.backend,
        webcam: true,
      });
      shell.say(`Webcam stopped: ${plural(lastStream.detection.faces.length, 'face')} in the last frame.`);
    } else {
      shell.setState('idle');
      shell.say('Webcam stopped.');
    }
    shell.refreshRunButton();
  }

  source.onStream(async (frame) => {
    if (!streaming) {
      streaming = true;
      lastStream = null;
      frameTimes = [];
      framesDone = 0;
      lastFrameMs = 0;
      delete fpsLine.dataset.fps;
      shell.clearError();
      shell.refreshRunButton();
      monitor = setInterval(() => {
        if (!source.webcamActive) stopStreaming();
        else showFps();
      }, 500);
    }
    const read = readOptions();
    if ('problem' in read) {
      settingsNote.textContent = read.problem;
      return;
    }
    try {
      const ready = await shell.ensureLoaded();
      if (!source.webcamActive) return;
      if (root.dataset.state !== 'running') {
        shell.setState('running');
        shell.say(`Webcam: detecting continuously on ${ready.backend === 'webgpu' ? 'WebGPU' : 'WASM'}. Press "Stop webcam" to stop.`);
      }
      const started = performance.now();
      const { output } = await client.run<DetectionResult>(
        'detect-faces',
        { image: frame, options: read.options, nets: cascadeNets(shell.selectedModel() || MTCNN_MODELS.pnet) },
        { repeat: 1 },
      );
      if (!source.webcamActive) return;
      lastFrameMs = performance.now() - started;
      frameTimes.push(performance.now());
      fpsLine.dataset.frames = String(++framesDone);
      lastStream = { name: 'webcam', detection: output, options: resolvedOptions(read.options), backend: ready.backend };
      show(frame, output, false);
    } catch (error) {
      source.stopWebcam();
      stopStreaming();
      shell.showError(`Webcam detection stopped: ${(error as Error).message}`);
    }
  });

  // ---- The shell ---------------------------------------------------------------------------

  function resultOf(name: string | null, detection: DetectionResult, options: DetectOptions): Record<string, unknown> {
    const stages = Object.fromEntries(
      STAGES.map((stage) => [stage, { count: detection.stages[stage].count, ms: round2(detection.stages[stage].ms) }]),
    );
    return {
      task: 'face-detection',
      image: name,
      width: detection.width,
      height: detection.height,
      options,
      faces: detection.faces.map(faceForResult),
      stages,
      totalMs: round2(detection.totalMs),
      shownStage: overlay.dataset.stageShown ?? null,
      drawn: Number(overlay.dataset.drawn ?? 0),
      run: ++runCount,
    };
  }

  // Data mode (mode=data): training crops cut from the photo and its faces (found or drawn). A new
  // crop size or a change to the drawn faces re-cuts the crops of the shown result at once (no new
  // detection); before the first result, the next run uses them.
  const recutCrops = () => {
    if (!shown || shown.image !== source.image || root.dataset.state !== 'done') return;
    const previous = JSON.parse(root.dataset.result ?? '{}') as Record<string, unknown>;
    shell.setState('done', { ...previous, ...trainingCrops.show(shown.image, shown.detection.faces), run: ++runCount });
  };
  const trainingCrops = new TrainingCropsMode(root, { onSizeChange: recutCrops, onFacesChange: recutCrops });
  const shell: DemoShell = new DemoShell(root, {
    models: (selected) => Object.values(cascadeNets(selected || MTCNN_MODELS.pnet)),
    hasInput: () => source.image !== null && !source.webcamActive,
    nextSample: () => source.nextSample(),
    async start(params) {
      // The first sample is preselected, so the page opens ready to run.
      const first = params.sample ?? source.samples()[0];
      if (first) await source.loadSample(first, false);
    },
    async run({ runTask }) {
      const image = source.image;
      if (!image) throw new Error('Choose an image first.');
      const read = readOptions();
      if ('problem' in read) throw new Error(read.problem);
      settingsNote.classList.remove('problem');
      const name = source.name;
      const nets = cascadeNets(shell.selectedModel() || MTCNN_MODELS.pnet);
      const { output } = await runTask<DetectionResult>('detect-faces', { image, options: read.options, nets });
      show(image, output, true);
      settingsNote.textContent = `Last run: minimum face ${read.options.minFaceSize} px, thresholds ${read.options.thresholds!.map((t) => t.toFixed(2)).join(' / ')}.`;
      const crops = trainingCrops.active ? trainingCrops.show(image, output.faces) : {};
      return { ...resultOf(name, output, resolvedOptions(read.options)), nets, ...crops };
    },
  });
  mountVariantCompare(root, shell);
  await shell.start();
}
