import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkUpload, fitWithin, ImageInputError, MAX_FILE_BYTES, sniffImageType } from '../../src/inference/image-input.ts';
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
