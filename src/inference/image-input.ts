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

/** How many leading bytes of a file imageDimensions needs at most (JPEG headers may follow large EXIF blocks). */
export const HEADER_BYTES = 256 * 1024;

function u16be(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}
function u16le(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}
function u24le(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
}
function u32be(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
}
function i32le(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
}

/** Width and height of a JPEG from its first start-of-frame marker, walking the segments. */
function jpegDimensions(b: Uint8Array): { width: number; height: number } | null {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    // Markers without a length: TEM, RSTn, SOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    const length = u16be(b, at + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > b.length) return null;
      return { height: u16be(b, at + 5), width: u16be(b, at + 7) };
    }
    if (marker === 0xda || marker === 0xd9) return null; // scan data before any frame header
    at += 2 + length;
  }
  return null;
}

/**
 * An image's width and height read from its header, without decoding it: PNG (IHDR), GIF
 * (logical screen), JPEG (start of frame), WebP (VP8, VP8L, VP8X) and BMP. Null when the format
 * is another or the header lies beyond the bytes given (the decoder then decides).
 */
export function imageDimensions(head: Uint8Array): { width: number; height: number } | null {
  const type = sniffImageType(head);
  if (type === 'image/png' && head.length >= 24 && ascii(head, 12, 16) === 'IHDR') {
    return { width: u32be(head, 16), height: u32be(head, 20) };
  }
  if (type === 'image/gif' && head.length >= 10) return { width: u16le(head, 6), height: u16le(head, 8) };
  if (type === 'image/jpeg') return jpegDimensions(head);
  if (type === 'image/bmp' && head.length >= 26) return { width: Math.abs(i32le(head, 18)), height: Math.abs(i32le(head, 22)) };
  if (type === 'image/webp' && head.length >= 30) {
    const chunk = ascii(head, 12, 16);
    if (chunk === 'VP8X') return { width: u24le(head, 24) + 1, height: u24le(head, 27) + 1 };
    if (chunk === 'VP8L' && head[20] === 0x2f) {
      const bits = head[21]! | (head[22]! << 8) | (head[23]! << 16) | (head[24]! << 24);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (chunk === 'VP8 ' && head[23] === 0x9d && head[24] === 0x01 && head[25] === 0x2a) {
      return { width: u16le(head, 26) & 0x3fff, height: u16le(head, 28) & 0x3fff };
    }
  }
  return null;
}

/** Refuse an image whose pixel count is over the limit, before anything decodes it. */
export function checkDimensions(name: string, dimensions: { width: number; height: number } | null): void {
  if (!dimensions) return;
  const { width, height } = dimensions;
  if (width * height > MAX_PIXELS) {
    throw new ImageInputError(
      `"${name}" is too large to open here: ${width}x${height} pixels (${((width * height) / 1e6).toFixed(0)} megapixels); the limit is ${MAX_PIXELS / 1e6} megapixels. Use a smaller image.`,
    );
  }
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
  const bitmap = await decodeImageBitmap(blob, name);
  try {
    return drawToRgba(bitmap, maxSide);
  } finally {
    bitmap.close();
  }
}

/**
 * The checks of decodeImageBlob and the browser's decode, without reading the pixels back: for a
 * caller that also draws the bitmap itself (a preview) and splits the work into shorter tasks.
 * The caller closes the bitmap.
 */
export async function decodeImageBitmap(blob: Blob, name: string): Promise<ImageBitmap> {
  const head = new Uint8Array(await blob.slice(0, HEADER_BYTES).arrayBuffer());
  checkUpload(name, blob.size, head);
  // A small file can claim billions of pixels (a decompression bomb): refuse it before decoding.
  checkDimensions(name, imageDimensions(head));
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  } catch {
    throw new ImageInputError(`"${name}" looks like an image but could not be decoded; the file may be damaged.`);
  }
  try {
    checkDimensions(name, { width: bitmap.width, height: bitmap.height });
  } catch (error) {
    bitmap.close();
    throw error;
  }
  return bitmap;
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
