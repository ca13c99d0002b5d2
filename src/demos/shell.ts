/**
 * The demo shell shared by every demo kind: URL contract, backend switch, model picker, loading
 * progress, status and errors, timings, the data-state / data-result attributes that tests and
 * speakers rely on, and the stage-mode keyboard shortcuts. A demo kind supplies only what is
 * specific to it through DemoKind (see CONTRIBUTING.md, "Adding a demo kind").
 */
import { getInferenceClient, InferenceError, type ProgressMessage, type Ready, type RunResult } from '../inference/runtime/client.ts';
import { MODEL_CACHE_NAME, modelRequestUrl } from '../inference/runtime/model-fetch.ts';
import type { BackendChoice, RunTimings } from '../inference/runtime/protocol.ts';
import { getModel } from '../models/catalog.ts';
import { defaultRepeat, parseDemoParams, type DemoParams } from './params.ts';
import { doneSentence, formatMegabytes } from './status-text.ts';
import { fallBackToParent, selectVariant, variantKindOf } from './variants.ts';

export type DemoState = 'idle' | 'loading' | 'running' | 'done' | 'error';

export interface RunContext {
  shell: DemoShell;
  /**
   * Run a worker task with the shell's repeat setting; returns the worker's result. Throws
   * StaleRunError when the input was replaced while the task ran, so a kind never draws a
   * result beside an image it was not computed from.
   */
  runTask<Output>(task: string, input: unknown, transfer?: Transferable[]): Promise<RunResult<Output>>;
}

/** The input changed while a run was in flight: its result belongs to the old input. */
export class StaleRunError extends Error {
  constructor() {
    super('The input changed during the run.');
    this.name = 'StaleRunError';
  }
}

/** A run slower than this shows an elapsed-time counter and the cancel actions. */
const SLOW_RUN_MS = 2000;

export interface DemoKind {
  /** Catalog ids to load when this model is selected (for example the detector plus the embedder). */
  models(selectedModel: string): string[];
  /** Whether there is input to run on. */
  hasInput(): boolean;
  /** Run and render; returns the kind's part of data-result (the shell adds backend and timings). */
  run(context: RunContext): Promise<Record<string, unknown>>;
  /** Stage mode "s": move to the next sample. */
  nextSample?(): void;
  /** Called once after the shell is ready, for autorun inputs. */
  start?(params: DemoParams): Promise<void>;
}

const format = {
  ms: (value: number | null | undefined) =>
    value === null || value === undefined ? '—' : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`,
  bytes: (value: number) => `${(value / 1e6).toFixed(1)} MB`,
};

const backendName = (backend: string) => (backend === 'webgpu' ? 'WebGPU' : 'WASM');

export class DemoShell {
  readonly root: HTMLElement;
  readonly params: DemoParams;
  private readonly client = getInferenceClient();
  private readonly kind: DemoKind;
  private readonly status: HTMLElement;
  private readonly progress: HTMLProgressElement;
  private readonly errorBox: HTMLElement;
  private readonly runButton: HTMLButtonElement;
  private readonly modelSelect: HTMLSelectElement | null;
  private readonly timings: HTMLElement;
  private readonly notices: HTMLElement;
  private readonly elapsed: HTMLElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly wasmButton: HTMLButtonElement;
  private loaded: { key: string; ready: Ready } | null = null;
  private busy = false;
  /** Bumped whenever the input is replaced; a run remembers the version it started from. */
  private inputVersion = 0;
  /** An input arrived while a run was busy: run again on it when that run ends. */
  private rerunWanted = false;
  private elapsedTimer: ReturnType<typeof setInterval> | null = null;

  constructor(root: HTMLElement, kind: DemoKind) {
    this.root = root;
    this.kind = kind;
    this.params = parseDemoParams(location.search);
    const find = <T extends Element>(selector: string) => {
      const element = root.querySelector<T>(selector);
      if (!element) throw new Error(`Demo markup is missing ${selector}`);
      return element;
    };
    this.status = find('[data-status]');
    this.progress = find('[data-progress]');
    this.errorBox = find('[data-error]');
    this.runButton = find('[data-run]');
    this.timings = find('[data-timings]');
    this.notices = find('[data-notices]');
    this.elapsed = find('[data-elapsed]');
    this.cancelButton = find('[data-cancel]');
    this.wasmButton = find('[data-switch-wasm]');
    this.modelSelect = root.querySelector('[data-model]');

    if (this.params.backend !== 'auto') this.setBackendChoice(this.params.backend);
    if (this.params.model && this.modelSelect) {
      const option = [...this.modelSelect.options].find((candidate) => candidate.value === this.params.model && !candidate.disabled);
      if (option) this.modelSelect.value = option.value;
      // A notice, not an error: the run goes ahead with the default and must not wipe it.
      else this.notice(`Model "${this.params.model}" is not available in this demo; using ${this.modelSelect.value}.`);
    }
    this.runButton.addEventListener('click', () => void this.run());
    this.cancelButton.addEventListener('click', () => this.cancel());
    this.wasmButton.addEventListener('click', () => {
      this.cancel('Switched to WASM.');
      this.setBackendChoice('wasm');
      // Runs again, on WASM, as soon as the cancelled run has unwound.
      this.rerunWanted = true;
    });
    root.querySelectorAll<HTMLInputElement>('input[name$="-backend"]').forEach((input) =>
      input.addEventListener('change', () => {
        this.loaded = null;
      }),
    );
    this.modelSelect?.addEventListener('change', () => {
      this.loaded = null;
      void this.refreshDownloadSize();
    });
    if (root.dataset.stage !== undefined) this.bindStageKeys();
    this.refreshRunButton();
    void this.refreshDownloadSize();
  }

  /** A standing notice (kept across runs, unlike errors). */
  notice(message: string): void {
    const line = document.createElement('p');
    line.textContent = message;
    this.notices.append(line);
    this.notices.hidden = false;
  }

  /**
   * The kind's input was replaced (a sample picked, a file dropped, pasted or uploaded): run on
   * it, now or as soon as the run in flight ends (whose result is then dropped as stale).
   */
  inputChanged(): void {
    this.inputVersion++;
    if (this.root.dataset.noModel !== undefined || !this.kind.hasInput()) return;
    if (this.busy) this.rerunWanted = true;
    else void this.run();
  }

  /** Put "Run · 103 MB" on the button while the selected model's files are not in the cache. */
  async refreshDownloadSize(): Promise<void> {
    const label = this.runButton.querySelector<HTMLElement>('[data-run-size]');
    if (!label || this.root.dataset.noModel !== undefined) return;
    const ids = this.kind.models(this.selectedModel());
    let missing = 0;
    try {
      const cache = 'caches' in globalThis ? await caches.open(MODEL_CACHE_NAME) : null;
      const baseUrl = new URL(import.meta.env.BASE_URL ?? '/', location.href).href;
      for (const id of ids) {
        const entry = getModel(id);
        const cached = cache ? await cache.match(modelRequestUrl(entry, baseUrl)) : undefined;
        if (!cached) missing += entry.bytes ?? entry.approxBytes ?? 0;
      }
    } catch {
      // No Cache API here (private mode, insecure context): say nothing rather than guess.
      missing = 0;
    }
    label.textContent = missing > 0 ? ` · ${formatMegabytes(missing)}` : '';
    this.runButton.dataset.downloadBytes = String(missing);
    this.runButton.title = missing > 0 ? `Run: downloads ${formatMegabytes(missing)} of model files once, then runs from the cache` : '';
  }

  /** Stop the load or run in flight (the worker is restarted on the next run). */
  cancel(reason = 'Cancelled.'): void {
    if (!this.busy) return;
    this.rerunWanted = false;
    this.loaded = null;
    this.client.cancel(reason);
  }

  /** Start autorun, if asked for, once the kind has its input. */
  async start(): Promise<void> {
    // A study page's demo sits far down: preselect its sample (a full-size image) when the reader nears it.
    if (!this.params.autorun && !this.params.sample) await nearViewport(this.root);
    try {
      await this.kind.start?.(this.params);
    } finally {
      this.refreshRunButton();
      // Part of the demo contract: inputs are listening and the page's own preselection is in (or
      // refused), so a file chosen from now on is the reader's and is not lost to a script that has
      // not run yet.
      this.root.dataset.ready = 'true';
    }
    if (this.params.autorun) await this.run();
  }

  /** The installed model currently selected. */
  selectedModel(): string {
    return selectVariant(this.root, this.modelSelect?.value ?? this.root.dataset.defaultModel ?? '');
  }

  backendChoice(): BackendChoice {
    const checked = this.root.querySelector<HTMLInputElement>('input[name$="-backend"]:checked');
    return (checked?.value as BackendChoice | undefined) ?? 'auto';
  }

  setBackendChoice(choice: BackendChoice): void {
    const input = this.root.querySelector<HTMLInputElement>(`input[name$="-backend"][value="${choice}"]`);
    if (input) input.checked = true;
    this.loaded = null;
  }

  refreshRunButton(): void {
    const noModel = this.root.dataset.noModel !== undefined;
    this.runButton.disabled = this.busy || noModel || !this.kind.hasInput();
  }

  private startElapsed(): void {
    const started = performance.now();
    this.stopElapsed();
    this.elapsedTimer = setInterval(() => {
      const ms = performance.now() - started;
      if (ms < SLOW_RUN_MS) return;
      this.elapsed.hidden = false;
      this.elapsed.textContent = `${Math.floor(ms / 1000)} s`;
      this.cancelButton.hidden = false;
      // Offer WASM only where WebGPU may be what is slow: forced, or what auto chose.
      const choice = this.backendChoice();
      this.wasmButton.hidden = !(choice === 'webgpu' || (choice === 'auto' && this.loaded?.ready.backend === 'webgpu'));
    }, 250);
  }

  private stopElapsed(): void {
    if (this.elapsedTimer) clearInterval(this.elapsedTimer);
    this.elapsedTimer = null;
    this.elapsed.hidden = true;
    this.cancelButton.hidden = true;
    this.wasmButton.hidden = true;
  }

  setState(state: DemoState, result?: Record<string, unknown>): void {
    this.root.dataset.state = state;
    this.root.setAttribute('aria-busy', String(state === 'loading' || state === 'running'));
    if (result) this.root.dataset.result = JSON.stringify(result);
  }

  say(message: string): void {
    this.status.textContent = message;
  }

  showError(message: string, fatal = true): void {
    this.errorBox.hidden = false;
    this.errorBox.textContent = message;
    if (fatal) {
      this.setState('error', { error: message });
      this.say('Stopped: see the message above.');
    }
  }

  clearError(): void {
    this.errorBox.hidden = true;
    this.errorBox.textContent = '';
  }

  private onProgress = (message: ProgressMessage) => {
    if (message.type === 'status') {
      this.say(message.message);
      return;
    }
    const title = getModel(message.modelId).title.split(' — ')[0];
    if (message.phase === 'download') {
      const total = message.total;
      this.progress.hidden = false;
      this.progress.max = total ?? 1;
      this.progress.value = total ? message.loaded : 0;
      const percent = total ? ` (${Math.round((message.loaded / total) * 100)}%)` : '';
      this.say(`Downloading ${title}: ${format.bytes(message.loaded)}${total ? ` of ${format.bytes(total)}` : ''}${percent}`);
    } else if (message.phase === 'verify') {
      this.say(`Checking the SHA-256 of ${title}`);
    } else {
      this.progress.hidden = true;
      this.say(`Creating the session for ${title}`);
    }
  };

  /** Load the selected model's files on the chosen backend (once per selection). */
  async ensureLoaded(): Promise<Ready> {
    const models = this.kind.models(this.selectedModel());
    const key = `${models.join(',')}|${this.backendChoice()}`;
    if (this.loaded?.key === key) return this.loaded.ready;
    this.setState('loading');
    const ready = await this.client.load(models, this.backendChoice(), { onProgress: this.onProgress, threads: this.params.threads });
    this.progress.hidden = true;
    this.loaded = { key, ready };
    void this.refreshDownloadSize();
    return ready;
  }

  /** Load if needed, run the kind, and publish the result. */
  async run(): Promise<void> {
    if (this.busy || !this.kind.hasInput()) return;
    this.busy = true;
    this.rerunWanted = false;
    this.refreshRunButton();
    this.clearError();
    this.startElapsed();
    const version = this.inputVersion;
    let stale = false;
    try {
      const ready = await this.ensureLoaded();
      if (version !== this.inputVersion) throw new StaleRunError();
      this.setState('running');
      this.say(`Running on ${backendName(ready.backend)}…`);
      let lastTimings: RunTimings | null = null;
      const context: RunContext = {
        shell: this,
        runTask: async <Output>(task: string, input: unknown, transfer?: Transferable[]) => {
          const result = await this.client.run<Output>(task, input, {
            repeat: defaultRepeat(this.params),
            transfer,
            onProgress: (message) => message.type === 'status' && this.say(message.message),
          });
          if (version !== this.inputVersion) throw new StaleRunError();
          lastTimings = result.timings;
          return result;
        },
      };
      const output = await this.kind.run(context);
      const timings = { ...ready.timings, ...(lastTimings ?? {}) };
      const result = {
        backend: ready.backend,
        fallbackReason: ready.fallbackReason,
        threads: ready.threads,
        threadsNote: ready.threadsNote,
        crossOriginIsolated: ready.crossOriginIsolated,
        variant: variantKindOf(this.root, this.selectedModel()),
        timings,
        ...output,
      };
      this.renderTimings(ready, lastTimings);
      this.say(doneSentence(ready));
      this.setState('done', result);
    } catch (error) {
      this.progress.hidden = true;
      if (error instanceof StaleRunError) {
        // The reader replaced the input: this result is not theirs. Run on the new input.
        stale = true;
        this.say('The image changed during the run: running again on the new one…');
      } else if (error instanceof InferenceError && error.code === 'cancelled') {
        this.loaded = null;
        this.setState('idle');
        this.say(error.message);
      } else {
        const message = error instanceof InferenceError || error instanceof Error ? error.message : String(error);
        if (error instanceof InferenceError && error.code !== 'bad-input') this.loaded = null;
        if (error instanceof InferenceError && error.code !== 'bad-input' && fallBackToParent(this.root, this.selectedModel(), message))
          return void queueMicrotask(() => void this.run());
        this.showError(message);
      }
    } finally {
      this.busy = false;
      this.stopElapsed();
      this.refreshRunButton();
    }
    if ((stale || this.rerunWanted) && this.kind.hasInput()) await this.run();
  }

  private renderTimings(ready: Ready, run: RunTimings | null): void {
    const rows: [string, string][] = [
      [
        'Backend',
        ready.backend === 'webgpu'
          ? 'WebGPU'
          : `WASM, ${ready.threads} thread${ready.threads === 1 ? '' : 's'}${ready.crossOriginIsolated ? '' : ' (page not cross-origin isolated)'}${ready.threadsNote ? `; ${ready.threadsNote}` : ''}`,
      ],
      ['Model download', `${format.ms(ready.timings.downloadMs)}${ready.timings.fromCache ? ' (from cache)' : ''}`],
      ['SHA-256 check', format.ms(ready.timings.verifyMs)],
      ['Session creation', format.ms(ready.timings.sessionMs)],
      ['First inference', format.ms(run?.firstMs)],
      [
        'Warm median',
        run && run.runsMs.length > 1
          ? `${format.ms(run.warmMedianMs)} over ${run.runsMs.length - (run.firstMs === null ? 0 : 1)} runs`
          : format.ms(run?.warmMedianMs),
      ],
    ];
    this.timings.replaceChildren(
      ...rows.map(([label, value]) => {
        const row = document.createElement('tr');
        const th = document.createElement('th');
        th.scope = 'row';
        th.textContent = label;
        const td = document.createElement('td');
        td.textContent = value;
        row.append(th, td);
        return row;
      }),
    );
  }

  private bindStageKeys(): void {
    document.addEventListener('keydown', (event) => {
      const target = event.target as HTMLElement | null;
      if (event.ctrlKey || event.metaKey || event.altKey || target?.closest('input, select, textarea, [contenteditable]')) return;
      if (event.key === ' ' && !target?.closest('button, a, summary')) {
        event.preventDefault();
        void this.run();
      } else if (event.key === 's') {
        this.kind.nextSample?.();
      } else if (event.key === 'b') {
        this.setBackendChoice(this.backendChoice() === 'wasm' ? 'webgpu' : 'wasm');
        this.say(`Backend set to ${this.backendChoice() === 'wasm' ? 'WASM' : 'WebGPU'}; press space to run.`);
      } else if (event.key === 'f') {
        if (document.fullscreenElement) void document.exitFullscreen();
        else void document.documentElement.requestFullscreen?.().catch(() => this.say('Full screen is not allowed here.'));
      }
    });
  }
}

/** Draw an RgbaImage onto a canvas at its own size. */
export function drawImageTo(
  canvas: HTMLCanvasElement,
  image: { width: number; height: number; data: Uint8ClampedArray | Uint8Array },
): CanvasRenderingContext2D {
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('No 2D canvas.');
  context.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
  return context;
}

/** Resolves once the element is within a screen height of the viewport (at once when it already is). */
function nearViewport(element: Element): Promise<void> {
  return new Promise((resolve) => {
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        observer.disconnect();
        resolve();
      },
      { rootMargin: '100% 0px' },
    );
    observer.observe(element);
  });
}
