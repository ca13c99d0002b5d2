import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkDimensions,
  checkUpload,
  fitWithin,
  HEADER_BYTES,
  ImageInputError,
  imageDimensions,
  MAX_FILE_BYTES,
  MAX_PIXELS,
  sniffImageType,
} from '../../src/inference/image-input.ts';
import { SAMPLES_DIR } from '../helpers/images.ts';

const head = (bytes: number[] | string) => (typeof bytes === 'string' ? new TextEncoder().encode(bytes) : new Uint8Array(bytes));

describe('upload checks', () => {
  it('recognises the real sample PNGs', () => {
    const png = readFileSync(`${SAMPLES_DIR}camera.png`).subarray(0, 16);
    expect(sniffImageType(png)).toBe('image/png');
  });

  it('recognises JPEG, GIF, WebP, BMP and AVIF signatures', () => {
    expect(sniffImageType(head([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImageType(head('GIF89a'))).toBe('image/gif');
    expect(sniffImageType(head('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(sniffImageType(head('BM6\0\0\0'))).toBe('image/bmp');
    expect(sniffImageType(head('\0\0\0\x20ftypavif'))).toBe('image/avif');
  });

  it('refuses a text file renamed .png, naming the file', () => {
    expect(() => checkUpload('notes.png', 120, head('hello, this is text'))).toThrow(ImageInputError);
    expect(() => checkUpload('notes.png', 120, head('hello, this is text'))).toThrow(/"notes.png" is not an image/);
  });

  it('refuses an empty file and an oversized file with the limit', () => {
    expect(() => checkUpload('empty.jpg', 0, head([]))).toThrow(/is empty/);
    expect(() => checkUpload('huge.png', MAX_FILE_BYTES + 1, head([0x89, 0x50, 0x4e, 0x47]))).toThrow(/the limit is 40 MB/);
  });

  it('downscales only when larger than the limit, keeping the aspect ratio', () => {
    expect(fitWithin(8000, 4000, 2048)).toEqual({ width: 2048, height: 1024, scale: 0.256 });
    expect(fitWithin(640, 480, 2048)).toEqual({ width: 640, height: 480, scale: 1 });
    expect(fitWithin(10000, 1, 2048).height).toBe(1);
  });
});

/** A PNG's signature and IHDR chunk claiming these dimensions (the rest of the file does not matter here). */
function pngHeader(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 0);
  bytes.set(new TextEncoder().encode('IHDR'), 12);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, 6, 0, 0, 0], 24);
  return bytes;
}

describe('dimensions from the file header (before decoding)', () => {
  it('reads the real sample PNGs', () => {
    expect(imageDimensions(readFileSync(`${SAMPLES_DIR}camera.png`))).toEqual({ width: 512, height: 512 });
    expect(imageDimensions(readFileSync(`${SAMPLES_DIR}chelsea.png`).subarray(0, 64))).toEqual({ width: 451, height: 300 });
  });

  it('reads a real JPEG past its EXIF block', () => {
    const jpeg = readFileSync('node_modules/@vladmandic/face-api/demo/sample1.jpg').subarray(0, HEADER_BYTES);
    expect(imageDimensions(jpeg)).toEqual({ width: 1920, height: 1280 });
  });

  it('reads GIF, BMP and the three WebP kinds', () => {
    expect(imageDimensions(head([...'GIF89a'].map((c) => c.charCodeAt(0)).concat([0x40, 0x01, 0xf0, 0x00])))).toEqual({
      width: 320,
      height: 240,
    });
    const bmp = new Uint8Array(30);
    bmp.set([0x42, 0x4d]);
    new DataView(bmp.buffer).setInt32(18, 640, true);
    new DataView(bmp.buffer).setInt32(22, -480, true); // top-down rows
    expect(imageDimensions(bmp)).toEqual({ width: 640, height: 480 });

    const webp = (chunk: string, payload: number[]) => {
      const bytes = new Uint8Array(40);
      bytes.set(new TextEncoder().encode(`RIFF\0\0\0\0WEBP${chunk}`));
      bytes.set(payload, 20);
      return bytes;
    };
    // VP8X: 24-bit width-1 and height-1 at 24 and 27.
    expect(imageDimensions(webp('VP8X', [0, 0, 0, 0, 0x1f, 0x4e, 0x00, 0x1f, 0x4e, 0x00]))).toEqual({ width: 20000, height: 20000 });
    // VP8L: signature 0x2f, then 14-bit width-1 and height-1.
    const bits = (100 - 1) | ((50 - 1) << 14);
    expect(imageDimensions(webp('VP8L', [0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >> 24) & 0xff]))).toEqual({
      width: 100,
      height: 50,
    });
    // VP8 (lossy): start code 9d 01 2a at 23, then 14-bit width and height.
    expect(imageDimensions(webp('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]))).toEqual({ width: 640, height: 480 });
  });

  it('returns null when it cannot tell (the decoder then decides)', () => {
    expect(imageDimensions(head('hello'))).toBeNull();
    expect(imageDimensions(head([0xff, 0xd8, 0xff]))).toBeNull();
    expect(imageDimensions(head('\0\0\0\x20ftypavif'))).toBeNull();
  });

  it('refuses a decompression bomb (30000x30000 in a small file) as too large, naming the size and the limit', () => {
    const bomb = pngHeader(30000, 30000);
    expect(imageDimensions(bomb)).toEqual({ width: 30000, height: 30000 });
    expect(() => checkDimensions('bomb.png', imageDimensions(bomb))).toThrow(ImageInputError);
    expect(() => checkDimensions('bomb.png', imageDimensions(bomb))).toThrow(
      /"bomb.png" is too large to open here: 30000x30000 pixels \(900 megapixels\); the limit is 100 megapixels/,
    );
    expect(() => checkDimensions('ok.png', imageDimensions(pngHeader(10000, 10000)))).not.toThrow();
    expect(10000 * 10000).toBe(MAX_PIXELS);
  });
});
