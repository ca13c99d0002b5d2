/**
 * The client side of ImageInput.astro: turns a sample click, upload, drop, paste or webcam
 * frame into an RgbaImage and hands it to the demo. Refused input gets a clear message and the
 * previous image stays in place, so nothing is lost.
 */
import { captureVideoFrame, decodeImageBitmap, drawToRgba, ImageInputError } from '../inference/image-input.ts';
import type { RgbaImage } from '../inference/types.ts';
import { drawImageTo } from './shell.ts';

export interface ImageSourceOptions {
  /** byReader: the reader chose it (a click, drop, paste, upload or snapshot), not the page. */
  onImage(image: RgbaImage, name: string, byReader: boolean): void;
  onError(message: string): void;
  /** Longer side for processing (huge images are downscaled). */
  maxSide?: number;
}

export class ImageSource {
  image: RgbaImage | null = null;
  name: string | null = null;
  readonly root: HTMLElement;
  readonly video: HTMLVideoElement;
  private readonly options: ImageSourceOptions;
  private readonly preview: HTMLCanvasElement;
  private stream: MediaStream | null = null;
  private streaming: ((frame: RgbaImage) => Promise<void>) | null = null;
  /**
   * Counts the reader's own choices. A load the page started (preselection, URL parameters) that
   * finishes after the reader chose something else is dropped: it must neither replace the
   * reader's image nor clear the message of a file the reader just had refused.
   */
  private readerChoices = 0;

  constructor(root: HTMLElement, options: ImageSourceOptions) {
    this.root = root;
    this.options = options;
    this.preview = root.querySelector('[data-preview]')!;
    this.video = root.querySelector('[data-video]')!;
    root
      .querySelectorAll<HTMLButtonElement>('[data-sample]')
      .forEach((button) => button.addEventListener('click', () => void this.loadSample(button.dataset.sample!)));
    const fileInput = root.querySelector<HTMLInputElement>('[data-file]')!;
    fileInput.addEventListener('change', () => {
      const file = fileInput.files?.[0];
      if (file) void this.loadBlob(file, file.name);
      fileInput.value = '';
    });
    const drop = root.querySelector<HTMLElement>('[data-drop]')!;
    drop.addEventListener('dragover', (event) => {
      event.preventDefault();
      drop.classList.add('dragging');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
    drop.addEventListener('drop', (event) => {
      event.preventDefault();
      drop.classList.remove('dragging');
      const file = event.dataTransfer?.files[0];
      if (file) void this.loadBlob(file, file.name);
      else this.options.onError('Nothing to use in what was dropped: drop an image file.');
    });
    // Paste works anywhere on the page when only one image input exists, else when focused inside it.
    const pasteTarget: HTMLElement | Document = document.querySelectorAll('[data-image-input]').length > 1 ? root : document;
    pasteTarget.addEventListener('paste', (event) => {
      const file = [...((event as ClipboardEvent).clipboardData?.files ?? [])][0];
      if (file) {
        event.preventDefault();
        void this.loadBlob(file, file.name || 'pasted image');
      }
    });
    root.querySelector('[data-webcam-toggle]')?.addEventListener('click', () => {
      this.readerChoices++;
      void this.toggleWebcam();
    });
  }

  samples(): string[] {
    return [...this.root.querySelectorAll<HTMLElement>('[data-sample]')].map((button) => button.dataset.sample!);
  }

  /** Load a sample; byReader false for the page's own choices (preselection, URL parameters). */
  async loadSample(name: string, byReader = true): Promise<boolean> {
    const choice = byReader ? ++this.readerChoices : this.readerChoices;
    const overtaken = () => !byReader && choice !== this.readerChoices;
    if (!this.samples().includes(name)) {
      this.options.onError(`There is no sample called "${name}". Samples: ${this.samples().join(', ')}.`);
      return false;
    }
    try {
      const response = await fetch(`/samples/${name}.png`);
      if (!response.ok) throw new ImageInputError(`Sample "${name}" could not be loaded (HTTP ${response.status}).`);
      const blob = await response.blob();
      if (overtaken()) return false;
      return await this.loadBlob(blob, name, byReader, choice);
    } catch (error) {
      if (!overtaken()) this.options.onError((error as Error).message);
      return false;
    }
  }

  nextSample(): void {
    const samples = this.samples();
    const next = samples[(samples.indexOf(this.name ?? '') + 1) % samples.length];
    if (next) void this.loadSample(next);
  }

  async loadBlob(
    blob: Blob,
    name: string,
    byReader = true,
    choice = byReader ? ++this.readerChoices : this.readerChoices,
  ): Promise<boolean> {
    const overtaken = () => !byReader && choice !== this.readerChoices;
    try {
      const bitmap = await decodeImageBitmap(blob, name);
      try {
        if (overtaken()) return false;
        const image = drawToRgba(bitmap, this.options.maxSide);
        // Reading the pixels back and showing the image are two tasks, not one: on a phone's CPU
        // each stays near or under the 50 ms that makes a task block input (a stage page loads two).
        await nextTask();
        if (overtaken()) return false;
        this.stopWebcam();
        this.setImage(image, name, byReader, bitmap);
        return true;
      } finally {
        bitmap.close();
      }
    } catch (error) {
      // The previous image (if any) stays: a bad upload loses nothing.
      if (!overtaken()) this.options.onError(error instanceof Error ? error.message : String(error));
      return false;
    }
  }

  /** bitmap: the decoded file, when there is one: drawing it is cheaper than putting the pixels back. */
  setImage(image: RgbaImage, name: string, byReader = true, bitmap?: ImageBitmap): void {
    this.image = image;
    this.name = name;
    if (bitmap) drawBitmapTo(this.preview, bitmap, image.width, image.height);
    else drawImageTo(this.preview, image);
    this.root
      .querySelectorAll<HTMLButtonElement>('[data-sample]')
      .forEach((button) => button.setAttribute('aria-pressed', String(button.dataset.sample === name)));
    this.options.onImage(image, name, byReader);
  }

  /**
   * Webcam: in "stream" mode each frame goes to onFrame, dropping frames while the previous one
   * is still being processed (never a queue); in "snapshot" mode one frame becomes the image.
   */
  async toggleWebcam(onFrame?: (frame: RgbaImage) => Promise<void>): Promise<void> {
    if (this.stream) {
      this.stopWebcam();
      return;
    }
    if (!navigator.mediaDevices?.getUserMedia) {
      this.options.onError('This browser offers no camera access (it needs a secure context: https or localhost).');
      return;
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    } catch (error) {
      this.options.onError(`The camera could not be opened: ${(error as Error).message}.`);
      return;
    }
    this.video.srcObject = this.stream;
    this.video.hidden = false;
    await this.video.play();
    const toggle = this.root.querySelector('[data-webcam-toggle]');
    if (toggle) toggle.textContent = 'Stop webcam';
    const handler = onFrame ?? this.streaming;
    if (this.root.dataset.webcam === 'stream' && handler) {
      this.streaming = handler;
      let busy = false;
      const tick = () => {
        if (!this.stream) return;
        if (!busy && this.video.readyState >= 2) {
          busy = true;
          const frame = captureVideoFrame(this.video);
          this.image = frame;
          this.name = 'webcam';
          void handler(frame).finally(() => {
            busy = false;
          });
        }
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    } else {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const frame = captureVideoFrame(this.video);
      this.stopWebcam();
      this.setImage(frame, 'webcam snapshot');
    }
  }

  /** Register the per-frame handler used by stream mode. */
  onStream(handler: (frame: RgbaImage) => Promise<void>): void {
    this.streaming = handler;
  }

  get webcamActive(): boolean {
    return this.stream !== null;
  }

  stopWebcam(): void {
    this.stream?.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.video.hidden = true;
    this.video.srcObject = null;
    const toggle = this.root.querySelector('[data-webcam-toggle]');
    if (toggle) toggle.textContent = 'Use webcam';
  }
}

/** Lets the browser handle input and paint before the rest of the work. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The preview at the processed size (the bitmap may be larger: huge images are downscaled). */
function drawBitmapTo(canvas: HTMLCanvasElement, bitmap: ImageBitmap, width: number, height: number): void {
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('No 2D canvas.');
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, width, height);
}
