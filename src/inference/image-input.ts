/**
 * Turning what a reader gives us (a sample, an upload, a drop, a paste, a webcam frame) into an
 * RgbaImage, with clear messages for what we refuse. The checks are pure and unit tested; the
 * decoding uses the browser (createImageBitmap honours EXIF orientation).
 */
import type { RgbaImage } from './types.ts';

/** Uploads larger than this are refused before decoding. */
export const MAX_FILE_BYTES = 40 * 1024 * 1024;
/** Decoded images with more pixels than this are refused (memory). */
export const MAX_PIXELS = 100_000_000;
/** Longer side after the automatic downscale of large images. */
export const PROCESSING_MAX_SIDE = 2048;

/** A user-facing problem with an input. */
export class ImageInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageInputError';
  }
}

const SIGNATURES: [type: string, test: (b: Uint8Array) => boolean][] = [
  ['image/png', (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47],
  ['image/jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['image/gif', (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38],
  ['image/webp', (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP'],
  ['image/bmp', (b) => b[0] === 0x42 && b[1] === 0x4d],
  ['image/avif', (b) => ascii(b, 4, 8) === 'ftyp' && /^(avif|avis)$/.test(ascii(b, 8, 12))],
];

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/** The image type from a file's first bytes, or null when it is not a format we decode. */
export function sniffImageType(head: Uint8Array): string | null {
  return SIGNATURES.find(([, test]) => test(head))?.[0] ?? null;
}

/** Check a file before decoding: empty, too large, or not an image. */
export function checkUpload(name: string, size: number, head: Uint8Array): string {
  if (size === 0) throw new ImageInputError(`"${name}" is empty (0 bytes).`);
  if (size > MAX_FILE_BYTES) {
    throw new ImageInputError(`"${name}" is ${(size / 1048576).toFixed(1)} MB; the limit is ${MAX_FILE_BYTES / 1048576} MB.`);
  }
  const type = sniffImageType(head);
  if (!type) throw new ImageInputError(`"${name}" is not an image this demo can read (PNG, JPEG, GIF, WebP, BMP or AVIF).`);
  return type;
}

/** Size that fits within maxSide on the longer side, keeping the aspect ratio; never upscales. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number; scale: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)), scale };
}

/** Decode a Blob (upload, paste, drop, fetched sample) into an RgbaImage, downscaled if huge. */
export async function decodeImageBlob(blob: Blob, name: string, maxSide = PROCESSING_MAX_SIDE): Promise<RgbaImage> {
  const head = new Uint8Array(await blob.slice(0, 16).arrayBuffer());
  checkUpload(name, blob.size, head);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  } catch {
    throw new ImageInputError(`"${name}" looks like an image but could not be decoded; the file may be damaged.`);
  }
  try {
    if (bitmap.width * bitmap.height > MAX_PIXELS) {
      throw new ImageInputError(
        `"${name}" is ${bitmap.width}x${bitmap.height} (${((bitmap.width * bitmap.height) / 1e6).toFixed(0)} megapixels); the limit is ${MAX_PIXELS / 1e6} megapixels.`,
      );
    }
    return drawToRgba(bitmap, maxSide);
  } finally {
    bitmap.close();
  }
}

/** Draw any canvas image source to RGBA pixels, downscaled to fit maxSide, alpha kept. */
export function drawToRgba(
  source: CanvasImageSource & { width: number; height: number },
  maxSide = PROCESSING_MAX_SIDE,
  sourceWidth?: number,
  sourceHeight?: number,
): RgbaImage {
  const fit = fitWithin(sourceWidth ?? source.width, sourceHeight ?? source.height, maxSide);
  const canvas = new OffscreenCanvas(fit.width, fit.height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new ImageInputError('This browser cannot read image pixels (no 2D canvas).');
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, 0, 0, fit.width, fit.height);
  const { data } = context.getImageData(0, 0, fit.width, fit.height);
  return { width: fit.width, height: fit.height, data };
}

/** A webcam frame as RGBA. */
export function captureVideoFrame(video: HTMLVideoElement, maxSide = 640): RgbaImage {
  if (video.videoWidth === 0) throw new ImageInputError('The camera has not delivered a frame yet.');
  return drawToRgba(video, maxSide, video.videoWidth, video.videoHeight);
}
