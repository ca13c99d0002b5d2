/**
 * The demo shell shared by every demo kind: URL contract, backend switch, model picker, loading
 * progress, status and errors, timings, the data-state / data-result attributes that tests and
 * speakers rely on, and the stage-mode keyboard shortcuts. A demo kind supplies only what is
 * specific to it through DemoKind (see CONTRIBUTING.md, "Adding a demo kind").
 */
import { getInferenceClient, InferenceError, type ProgressMessage, type Ready, type RunResult } from '../inference/runtime/client.ts';
import type { BackendChoice, RunTimings } from '../inference/runtime/protocol.ts';
import { getModel } from '../models/catalog.ts';
import { defaultRepeat, parseDemoParams, type DemoParams } from './params.ts';
import { fallBackToParent, selectVariant, variantKindOf } from './variants.ts';

export type DemoState = 'idle' | 'loading' | 'running' | 'done' | 'error';

export interface RunContext {
  shell: DemoShell;
  /** Run a worker task with the shell's repeat setting; returns the worker's result. */
  runTask<Output>(task: string, input: unknown, transfer?: Transferable[]): Promise<RunResult<Output>>;
}

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
  private loaded: { key: string; ready: Ready } | null = null;
  private busy = false;

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
    this.modelSelect = root.querySelector('[data-model]');

    if (this.params.backend !== 'auto') this.setBackendChoice(this.params.backend);
    if (this.params.model && this.modelSelect) {
      const option = [...this.modelSelect.options].find((candidate) => candidate.value === this.params.model && !candidate.disabled);
      if (option) this.modelSelect.value = option.value;
      else this.showError(`Model "${this.params.model}" is not available in this demo; using ${this.modelSelect.value}.`, false);
    }
    this.runButton.addEventListener('click', () => void this.run());
    root.querySelectorAll<HTMLInputElement>('input[name$="-backend"]').forEach((input) =>
      input.addEventListener('change', () => {
        this.loaded = null;
      }),
    );
    this.modelSelect?.addEventListener('change', () => {
      this.loaded = null;
    });
    if (root.dataset.stage !== undefined) this.bindStageKeys();
    this.refreshRunButton();
  }

  /** Start autorun, if asked for, once the kind has its input. */
  async start(): Promise<void> {
    await this.kind.start?.(this.params);
    this.refreshRunButton();
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
      this.say(`Preparing ${title}`);
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
    return ready;
  }

  /** Load if needed, run the kind, and publish the result. */
  async run(): Promise<void> {
    if (this.busy || !this.kind.hasInput()) return;
    this.busy = true;
    this.refreshRunButton();
    this.clearError();
    try {
      const ready = await this.ensureLoaded();
      this.setState('running');
      this.say(`Running on ${ready.backend === 'webgpu' ? 'WebGPU' : 'WASM'}…`);
      let lastTimings: RunTimings | null = null;
      const context: RunContext = {
        shell: this,
        runTask: async <Output>(task: string, input: unknown, transfer?: Transferable[]) => {
          const result = await this.client.run<Output>(task, input, { repeat: defaultRepeat(this.params, ready.backend), transfer });
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
        crossOriginIsolated: ready.crossOriginIsolated,
        variant: variantKindOf(this.root, this.selectedModel()),
        timings,
        ...output,
      };
      this.renderTimings(ready, lastTimings);
      this.say(
        `Done on ${ready.backend === 'webgpu' ? 'WebGPU' : `WASM (${ready.threads} thread${ready.threads === 1 ? '' : 's'})`}${ready.fallbackReason ? ` — ${ready.fallbackReason}` : ''}.`,
      );
      this.setState('done', result);
    } catch (error) {
      this.progress.hidden = true;
      const message = error instanceof InferenceError || error instanceof Error ? error.message : String(error);
      if (error instanceof InferenceError && error.code !== 'bad-input') this.loaded = null;
      if (error instanceof InferenceError && error.code !== 'bad-input' && fallBackToParent(this.root, this.selectedModel(), message))
        return void queueMicrotask(() => void this.run());
      this.showError(message);
    } finally {
      this.busy = false;
      this.refreshRunButton();
    }
  }

  private renderTimings(ready: Ready, run: RunTimings | null): void {
    const rows: [string, string][] = [
      [
        'Backend',
        ready.backend === 'webgpu'
          ? 'WebGPU'
          : `WASM, ${ready.threads} thread${ready.threads === 1 ? '' : 's'}${ready.crossOriginIsolated ? '' : ' (page not cross-origin isolated)'}`,
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
